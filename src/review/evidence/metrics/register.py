"""P6: the annual review and its recommendations to the Executive Board — the register."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.evidence.metrics.period import ClauseResult, PeriodData, pct
from review.values import Column

CLAUSE = "P6"
# What P6 reads (review.evidence.metrics.period.read_period); posts only for the headlines' caveats.
TABLES_NEEDED = {"accounts": None, "posts": ["account_id", "published_at"], "recommendations": None}
LIVE = ["open", "in_progress"]


def earlier(p: PeriodData) -> pd.DataFrame:
    """Recommendations raised by earlier reviews, with an overdue flag at the period end."""
    recs = p.recommendations[p.recommendations["year_raised"] < p.config.year].copy()
    recs["is_overdue"] = recs["status"].isin(LIVE) & recs["due_date"].notna() & (recs["due_date"] < p.end)
    return recs.sort_values(["year_raised", "rec_id"], kind="stable").reset_index(drop=True)


def compute(p: PeriodData) -> ClauseResult:
    recs = earlier(p)
    counted = recs[~recs["status"].isin(["rejected", "superseded"])]
    values = {
        "p6_prior_recommendations": len(recs),
        "p6_implemented_pct": pct((counted["status"] == "implemented").sum(), len(counted)),
        "p6_overdue": int(recs["is_overdue"].sum()),
    }
    status = recs["status"].astype(str).value_counts().rename_axis("status").reset_index(name="recommendations")
    status = status.astype({"recommendations": "int64"})
    return ClauseResult(
        values=values,
        tables=[MetricTable("p6_status", CLAUSE, "Earlier recommendations by status", status,
                            columns={"status": Column("Status", "category"),
                                     "recommendations": Column("Recommendations", "count", unit="recommendations")})],
        series={},
    )
