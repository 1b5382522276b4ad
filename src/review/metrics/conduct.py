"""P5: personal and work use must not cause reputational or operational risk."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.contracts import INCIDENT_OUTCOMES
from review.metrics.period import ClauseResult, PeriodData, account_labels, median, pct

CLAUSE = "P5"
# What P5 reads (review.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {"accounts": None, "posts": ["account_id", "published_at"], "incidents": None, "training": None}


def suppress(count: int, threshold: int) -> str:
    """Small counts could identify people: below the threshold, show '<threshold'."""
    return f"<{threshold}" if 0 < count < threshold else f"{count:,}"


def compute(p: PeriodData) -> ClauseResult:
    cfg = p.config
    incidents = p.incidents
    open_accounts = p.open_accounts
    last_post = p.posts.groupby("account_id")["published_local"].max()
    dormant_before = p.end - pd.Timedelta(days=cfg.targets.dormant_days)
    review_before = p.end - pd.Timedelta(days=cfg.targets.review_interval_days)
    governance = open_accounts.assign(
        last_post=open_accounts["account_id"].map(last_post),
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
            "Category": by_category.index.str.replace("_", " ").str.capitalize(),
            "Work capacity": [suppress(int(n), threshold) for n in by_category["work"]],
            "Personal capacity": [suppress(int(n), threshold) for n in by_category["personal"]],
        }
    ).reset_index(drop=True)
    gaps = governance[
        governance["is_dormant"] | governance["is_review_overdue"] | ~governance["has_mfa"].fillna(False) | ~governance["is_approved"].fillna(False)
    ].sort_values("name", kind="stable")
    yes_no = {True: "Yes", False: "No"}
    gaps_table = pd.DataFrame(
        {
            "Account": account_labels(gaps),
            "Approved owner": gaps["is_approved"].map(yes_no),
            "MFA on": gaps["has_mfa"].map(yes_no),
            "Dormant": gaps["is_dormant"].map(yes_no),
            "Review overdue": gaps["is_review_overdue"].map(yes_no),
        }
    ).reset_index(drop=True)
    unit_table = _training_table(training, "unit", "Unit")
    role_table = _training_table(training, "role", "Role")
    role_table["Role"] = role_table["Role"].str.replace("_", " ").str.capitalize()
    by_severity = _suppressed_counts(incidents, "severity", ["low", "medium", "high"], threshold)
    by_outcome = _suppressed_counts(incidents, "outcome", INCIDENT_OUTCOMES, threshold)
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p5_cases", CLAUSE, "Conduct cases by category and capacity", category_table,
                        note=f"Counts below {threshold} are shown as <{threshold} so that no one can be identified."),
            MetricTable("p5_account_gaps", CLAUSE, "Accounts with governance gaps", gaps_table,
                        note=f"Dormant: no post in the last {cfg.targets.dormant_days} days of the period. "
                        f"Review overdue: not reviewed in {cfg.targets.review_interval_days} days."),
            MetricTable("p5_cases_by_severity", CLAUSE, "Conduct cases by severity", by_severity,
                        note=f"Counts below {threshold} are shown as <{threshold}."),
            MetricTable("p5_cases_by_outcome", CLAUSE, "Conduct cases by outcome", by_outcome,
                        note=f"Counts below {threshold} are shown as <{threshold}."),
            MetricTable("p5_training_by_unit", CLAUSE, "Social media training by unit", unit_table,
                        note="Never: listed as using a force account, with no completed course."),
            MetricTable("p5_training_by_role", CLAUSE, "Social media training by role", role_table),
        ],
        series={"p5_training_by_unit": unit_table[["Unit", "In date (%)"]]},
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


def _training_table(training: pd.DataFrame, by: str, label: str) -> pd.DataFrame:
    counts = training.groupby(by)["status"].value_counts().unstack(fill_value=0).reindex(
        columns=TRAINING_STATUSES, fill_value=0
    )
    counts.columns.name = None
    counts["People"] = counts.sum(axis=1)
    counts["In date (%)"] = (100 * counts["In date"] / counts["People"]).round(1)
    counts = counts.reset_index().rename(columns={by: label}).sort_values(["In date (%)", label], kind="stable")
    return counts[[label, "People", *TRAINING_STATUSES, "In date (%)"]].reset_index(drop=True)


def _suppressed_counts(incidents: pd.DataFrame, column: str, order: list[str], threshold: int) -> pd.DataFrame:
    counts = incidents[column].value_counts().reindex(order, fill_value=0)
    counts = counts[counts > 0]
    return pd.DataFrame(
        {
            column.capitalize(): counts.index.str.replace("_", " ").str.capitalize(),
            "Cases": [suppress(int(n), threshold) for n in counts],
        }
    )
