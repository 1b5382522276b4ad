"""P5: personal and work use must not cause reputational or operational risk."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.metrics.period import ClauseResult, PeriodData, account_labels, pct

CLAUSE = "P5"


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
    training = _training_status(p)
    values = {
        "p5_conduct_cases": len(incidents),
        "p5_cases_per_1000_staff": 1000 * len(incidents) / cfg.force.headcount,
        "p5_training_in_date_pct": pct((training["status"] == "In date").sum(), len(training)),
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
    by_unit = (
        training.groupby("unit")["status"].value_counts().unstack(fill_value=0)
        .reindex(columns=["In date", "Expired"], fill_value=0)
        .assign(total=lambda d: d.sum(axis=1))
        .assign(in_date_pct=lambda d: (100 * d["In date"] / d["total"]).round(1))
        .reset_index()
        .sort_values(["in_date_pct", "unit"], kind="stable")
    )
    unit_table = by_unit.rename(
        columns={"unit": "Unit", "total": "People trained", "In date": "In date", "Expired": "Expired", "in_date_pct": "In date (%)"}
    )[["Unit", "People trained", "In date", "Expired", "In date (%)"]].reset_index(drop=True)
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p5_cases", CLAUSE, "Conduct cases by category and capacity", category_table,
                        note=f"Counts below {threshold} are shown as <{threshold} so that no one can be identified."),
            MetricTable("p5_account_gaps", CLAUSE, "Accounts with governance gaps", gaps_table,
                        note=f"Dormant: no post in the last {cfg.targets.dormant_days} days of the period. "
                        f"Review overdue: not reviewed in {cfg.targets.review_interval_days} days."),
            MetricTable("p5_training_by_unit", CLAUSE, "Social media training by unit", unit_table),
        ],
        series={"p5_training_by_unit": unit_table[["Unit", "In date (%)"]]},
    )


def _training_status(p: PeriodData) -> pd.DataFrame:
    """Each person's latest completion, in date or expired at the end of the period."""
    t = p.training[p.training["completed_date"] < p.end]
    latest = t.sort_values(["person_ref", "completed_date"], kind="stable").groupby("person_ref").tail(1)
    in_date = latest["expires_date"].isna() | (latest["expires_date"] >= p.end)
    return latest.assign(status=in_date.map({True: "In date", False: "Expired"}))
