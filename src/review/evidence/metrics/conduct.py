"""P5: personal and work use must not cause reputational or operational risk."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable, TableTotal
from review.inputs.contracts import INCIDENT_OUTCOMES, SEVERITIES
from review.evidence.metrics.period import ClauseResult, PeriodData, account_labels, last_post_at, median, pct
from review.values import Column, round_half_up_column

CLAUSE = "P5"
# What P5 reads (review.evidence.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {"accounts": None, "posts": ["account_id", "published_at"], "incidents": None, "training": None}


# Counts of conduct cases could identify people: each is declared a small count, so every output
# prints one below the threshold as "<5" (review.values, review.disclosure); the frames hold the
# true numbers.
CASES = Column("Cases", "count", unit="cases", small_count=True)


def compute(p: PeriodData) -> ClauseResult:
    cfg = p.config
    incidents = p.incidents
    open_accounts = p.open_accounts
    dormant_before = p.end - pd.Timedelta(days=cfg.targets.dormant_days)
    review_before = p.end - pd.Timedelta(days=cfg.targets.review_interval_days)
    governance = open_accounts.assign(
        last_post=last_post_at(p, open_accounts["account_id"]),
    )
    governance["is_dormant"] = governance["last_post"].isna() | (governance["last_post"] < dormant_before)
    governance["is_review_overdue"] = governance["last_reviewed_date"].isna() | (
        governance["last_reviewed_date"] < review_before
    )
    training = training_status(p)
    days_to_close = (incidents["closed_date"] - incidents["opened_date"]).dt.days
    values = {
        "p5_conduct_cases": len(incidents),
        "p5_personal_cases": int((incidents["capacity"] == "personal").sum()),
        "p5_cases_per_1000_staff": 1000 * len(incidents) / cfg.force.headcount,
        "p5_days_to_close_median": median(days_to_close),
        "p5_open_cases": int(incidents["closed_date"].isna().sum()),
        "p5_training_in_date_pct": pct((training["status"] == "In date").sum(), len(training)),
        "p5_never_trained": int((training["status"] == "Never").sum()),
        "p5_mfa_pct": pct(open_accounts["has_mfa"].fillna(False).sum(), len(open_accounts)),
        "p5_dormant_accounts": int(governance["is_dormant"].sum()),
        "p5_review_overdue_accounts": int(governance["is_review_overdue"].sum()),
    }
    threshold = cfg.report.small_count_threshold
    by_category = (
        incidents.groupby(["category", "capacity"]).size().unstack("capacity", fill_value=0)
        .reindex(columns=["work", "personal"], fill_value=0)
    )
    category_table = pd.DataFrame(
        {
            "category": by_category.index.astype(str),
            "work": by_category["work"].astype("int64"),
            "personal": by_category["personal"].astype("int64"),
        }
    ).reset_index(drop=True)
    gaps = governance[
        governance["is_dormant"] | governance["is_review_overdue"] | ~governance["has_mfa"].fillna(False) | ~governance["is_approved"].fillna(False)
    ].sort_values("name", kind="stable")
    gaps_table = pd.DataFrame(
        {
            "account": account_labels(gaps, p.accounts),
            "is_approved": gaps["is_approved"].astype("boolean"),
            "has_mfa": gaps["has_mfa"].astype("boolean"),
            "is_dormant": gaps["is_dormant"].astype(bool),
            "is_review_overdue": gaps["is_review_overdue"].astype(bool),
        }
    ).reset_index(drop=True)
    unit_table = _training_table(training, "unit")
    role_table = _training_table(training, "role")
    by_severity = _counts(incidents, "severity", SEVERITIES)
    by_outcome = _counts(incidents, "outcome", INCIDENT_OUTCOMES)
    small = f"Counts below {threshold} are shown as <{threshold}"
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p5_cases", CLAUSE, "Conduct cases by category and capacity", category_table,
                        note=f"{small} so that no one can be identified.",
                        columns={"category": Column("Category", "category"),
                                 "work": Column("Work capacity", "count", unit="cases", small_count=True),
                                 "personal": Column("Personal capacity", "count", unit="cases", small_count=True)},
                        totals=(TableTotal("p5_conduct_cases", ("work", "personal")),
                                TableTotal("p5_personal_cases", ("personal",)),
                                TableTotal("p7_discrimination_cases", ("work", "personal"),
                                           where=("category", "discriminatory_content")))),
            MetricTable("p5_account_gaps", CLAUSE, "Accounts with governance gaps", gaps_table,
                        note=f"Dormant: no post in the last {cfg.targets.dormant_days} days of the period. "
                        f"Review overdue: not reviewed in {cfg.targets.review_interval_days} days.",
                        columns={"account": Column("Account"), "is_approved": Column("Approved owner", "flag"),
                                 "has_mfa": Column("MFA on", "flag"), "is_dormant": Column("Dormant", "flag"),
                                 "is_review_overdue": Column("Review overdue", "flag")}),
            MetricTable("p5_cases_by_severity", CLAUSE, "Conduct cases by severity", by_severity,
                        note=f"{small}.", columns={"severity": Column("Severity", "category"), "cases": CASES},
                        totals=(TableTotal("p5_conduct_cases", ("cases",)),)),
            MetricTable("p5_cases_by_outcome", CLAUSE, "Conduct cases by outcome", by_outcome,
                        note=f"{small}.", columns={"outcome": Column("Outcome", "category"), "cases": CASES},
                        totals=(TableTotal("p5_conduct_cases", ("cases",)),
                                TableTotal("p5_open_cases", ("cases",), where=("outcome", "open")))),
            MetricTable("p5_training_by_unit", CLAUSE, "Social media training by unit", unit_table,
                        note="Never: listed as using a force account, with no completed course.",
                        columns=_training_columns("unit", Column("Unit"))),
            MetricTable("p5_training_by_role", CLAUSE, "Social media training by role", role_table,
                        columns=_training_columns("role", Column("Role", "category"))),
        ],
        series={"p5_training_by_unit": unit_table[["unit", "in_date_pct"]]},
    )


TRAINING_STATUSES = ["In date", "Expired", "Never"]


def training_status(p: PeriodData) -> pd.DataFrame:
    """Each person's latest completion and its status at the end of the period: in date, expired,
    or never (listed as an account user, no completion before the period ended)."""
    t = p.training[p.training["completed_date"].isna() | (p.training["completed_date"] < p.end)]
    latest = t.sort_values(["person_ref", "completed_date"], kind="stable", na_position="first").groupby("person_ref").tail(1)
    status = pd.Series("Expired", index=latest.index, dtype="str")
    status[latest["expires_date"].isna() | (latest["expires_date"] >= p.end)] = "In date"
    status[latest["completed_date"].isna()] = "Never"
    return latest.assign(status=status)


def _training_table(training: pd.DataFrame, by: str) -> pd.DataFrame:
    counts = training.groupby(by)["status"].value_counts().unstack(fill_value=0).reindex(
        columns=TRAINING_STATUSES, fill_value=0
    )
    counts.columns = ["in_date", "expired", "never"]
    counts["people"] = counts.sum(axis=1)
    counts["in_date_pct"] = (100 * counts["in_date"] / counts["people"]).pipe(round_half_up_column, 1)
    counts = counts.reset_index().sort_values(["in_date_pct", by], kind="stable")
    return counts[[by, "people", "in_date", "expired", "never", "in_date_pct"]].astype(
        {c: "int64" for c in ["people", "in_date", "expired", "never"]}).reset_index(drop=True)


def _training_columns(by: str, first: Column) -> dict[str, Column]:
    return {by: first, "people": Column("People", "count", unit="people"),
            "in_date": Column("In date", "count", unit="people"), "expired": Column("Expired", "count", unit="people"),
            "never": Column("Never", "count", unit="people"),
            "in_date_pct": Column("In date (%)", "pct", places=1, unit="% of people")}


def _counts(incidents: pd.DataFrame, column: str, order: list[str]) -> pd.DataFrame:
    """Cases by one column's values, in `order`; values with no case are left out."""
    counts = incidents[column].value_counts().reindex(order, fill_value=0)
    counts = counts[counts > 0]
    return pd.DataFrame({column: counts.index.astype(str), "cases": counts.to_numpy(dtype="int64")})
