"""P3: maximise the availability of online processes through which the public can engage."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.contracts import CONTACT_OUTCOMES
from review.metrics.period import ClauseResult, PeriodData, pct
from review.rollup import run_rollup

CLAUSE = "P3"
OUTCOME_LABELS = {
    "answered": "Answered",
    "signposted_101": "Signposted to 101",
    "signposted_999": "Signposted to 999",
    "incident_created": "Incident created",
    "crime_reported": "Crime reported",
    "no_response_needed": "No response needed",
}


def compute(p: PeriodData) -> ClauseResult:
    contacts = p.contacts
    target = p.config.targets.first_response_minutes
    stats = run_rollup(
        "response_by_account",
        {"target": target},
        contacts=contacts[["account_id", "is_staffed", "needs_response", "response_minutes"]],
    )
    total = stats[stats["account_id"].isna() & stats["is_staffed"].isna()]
    out_of_hours = stats[stats["account_id"].isna() & stats["is_staffed"].eq(False)]
    grand = total.iloc[0] if len(total) else None
    unanswered = int((contacts["needs_response"].fillna(False) & contacts["first_response_at"].isna()).sum())
    values = {
        "p3_contacts": len(contacts),
        "p3_first_response_median_minutes": _num(grand, "response_median_minutes"),
        "p3_first_response_p90_minutes": _num(grand, "response_p90_minutes"),
        "p3_out_of_hours_median_minutes": _num(out_of_hours.iloc[0] if len(out_of_hours) else None, "response_median_minutes"),
        "p3_answered_within_target_pct": None
        if grand is None
        else pct(grand["answered_in_target_count"], grand["needing_response_count"]),
        "p3_unanswered": unanswered,
    }
    per_account = stats[stats["account_id"].notna() & stats["is_staffed"].isna()].merge(
        p.accounts[["account_id", "platform"]], on="account_id", how="left", validate="1:1"
    )
    per_platform = _by_platform(contacts.merge(p.accounts[["account_id", "platform"]], on="account_id", how="left", validate="m:1"), target)
    outcomes = (
        contacts["outcome"].fillna("(open)").value_counts()
        .reindex(CONTACT_OUTCOMES + ["(open)"], fill_value=0)
        .rename(index={**OUTCOME_LABELS, "(open)": "Still open"})
        .rename_axis("Outcome")
        .reset_index(name="Messages")
    )
    outcomes["Share (%)"] = (100 * outcomes["Messages"] / max(len(contacts), 1)).round(1)
    heat = run_rollup("contacts_by_weekday_hour", contacts=contacts[["received_local"]])
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p3_by_platform", CLAUSE, "Response times by platform", per_platform,
                        note=f"Answered in time means a first reply within {target:g} minutes."),
            MetricTable("p3_outcomes", CLAUSE, "What came of inbound messages", outcomes),
        ],
        series={"p3_weekday_hour": heat, "p3_per_account": per_account},
    )


def _by_platform(contacts: pd.DataFrame, target: float) -> pd.DataFrame:
    rows = []
    for platform, group in contacts.groupby("platform", sort=True):
        needs = group["needs_response"].fillna(False)
        minutes = group["response_minutes"].dropna()
        staffed = group.loc[group["is_staffed"], "response_minutes"].dropna()
        unstaffed = group.loc[~group["is_staffed"], "response_minutes"].dropna()
        rows.append(
            {
                "Platform": platform,
                "Messages": len(group),
                "Needing a reply": int(needs.sum()),
                "Median minutes": _round(minutes.median()),
                "90th percentile minutes": _round(minutes.quantile(0.9)),
                "Median, staffed hours": _round(staffed.median()),
                "Median, out of hours": _round(unstaffed.median()),
                "Answered in time (%)": _round(pct((group["response_minutes"] <= target).sum(), needs.sum()), 1),
            }
        )
    return pd.DataFrame(rows)


def _num(row, column: str) -> float | None:
    if row is None or pd.isna(row[column]):
        return None
    return float(row[column])


def _round(value, digits: int = 0):
    return None if value is None or pd.isna(value) else round(float(value), digits)
