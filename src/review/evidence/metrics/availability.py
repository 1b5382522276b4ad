"""P3: maximise the availability of online processes through which the public can engage."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.inputs.contracts import CONTACT_OUTCOMES
from review.evidence.metrics.coverage import platform_of
from review.evidence.metrics.period import IN_PARQUET, ClauseResult, PeriodData, pct
from review.evidence.rollup import run_rollup
from review.values import Column, round_half_up, round_half_up_column

CLAUSE = "P3"
OUTCOME_LABELS = {
    "open": "Still open",
    "answered": "Answered",
    "signposted_101": "Signposted to 101",
    "signposted_999": "Signposted to 999",
    "incident_created": "Incident created",
    "crime_reported": "Crime reported",
    "no_response_needed": "No response needed",
}


# What P3 reads (review.evidence.metrics.period.read_period): contacts stay in Parquet, where the rollups
# read them in place (size L: 15 million messages a year never load into pandas).
TABLES_NEEDED = {"accounts": None, "posts": ["account_id", "published_at"], "contacts": IN_PARQUET}
CONTACT_COLUMNS = ["account_id", "kind", "outcome", "needs_response", "is_staffed", "response_minutes"]


# compute(values_only=True) runs only the rollup the values come from (review.evidence.metrics.measure).
VALUES_ONLY = True


def compute(p: PeriodData, values_only: bool = False) -> ClauseResult:
    """Every figure comes from a rollup (review.evidence.rollup), on the config's engine, over the
    period's contacts: a frame, or the Parquet slice a run leaves them in. `values_only`: the
    values alone, from the one rollup they need, over the desk as a whole (the like-for-like
    comparison: size L, four of five scans of 15 million messages, and a per-account sort)."""
    contacts = p.source("contacts")
    if isinstance(contacts, pd.DataFrame):  # only what the rollups read (Spark copies it whole)
        heat_source = contacts[["received_local"]]
        contacts = contacts[CONTACT_COLUMNS]
    else:
        heat_source = contacts
    target = p.config.targets.first_response_minutes
    accounts = p.accounts[["account_id", "platform"]]

    def rollup(name, params=None, **tables):
        return run_rollup(name, params, engine=p.config.engine, spark=p.config.spark, **tables)

    if values_only:  # the desk as a whole: one grouping set fewer to sort the year's times for
        stats = rollup("response_overall", {"target": target}, contacts=contacts)
        overall = stats
    else:
        stats = rollup("response_by_account", {"target": target}, contacts=contacts)
        overall = stats[stats["account_id"].isna()]
    grand = _row(overall, None)
    in_hours = _row(overall, True)
    out_hours = _row(overall, False)
    total = 0 if grand is None else int(grand["contacts_count"])
    # needing a reply and not answered: answered_count counts the replies to those (response_minutes)
    unanswered = 0 if grand is None else int(grand["needing_response_count"]) - int(grand["answered_count"])
    values = {
        "p3_contacts": total,
        "p3_first_response_median_minutes": _num(grand, "response_median_minutes"),
        "p3_first_response_p90_minutes": _num(grand, "response_p90_minutes"),
        "p3_in_hours_median_minutes": _num(in_hours, "response_median_minutes"),
        "p3_in_hours_p90_minutes": _num(in_hours, "response_p90_minutes"),
        "p3_out_of_hours_median_minutes": _num(out_hours, "response_median_minutes"),
        "p3_out_of_hours_p90_minutes": _num(out_hours, "response_p90_minutes"),
        "p3_answered_within_target_pct": None
        if grand is None
        else pct(grand["answered_in_target_count"], grand["needing_response_count"]),
        "p3_unanswered": unanswered,
    }
    if values_only:
        return ClauseResult(values=values, tables=[], series={})
    # Messages to an account missing from the register still count in every breakdown: under
    # their export's platform, or "Not in the account register" (review.evidence.metrics.coverage).
    seen = pd.Series(stats["account_id"].dropna().unique(), dtype=object)
    extra = seen[~seen.isin(accounts["account_id"])]
    if len(extra):
        accounts = pd.concat([accounts, pd.DataFrame({"account_id": extra, "platform": platform_of(extra, accounts)})],
                             ignore_index=True)
    per_account = stats[stats["account_id"].notna() & stats["is_staffed"].isna()].merge(
        accounts, on="account_id", how="left", validate="1:1"
    )
    per_platform = _by_platform(rollup("response_by_platform", {"target": target}, contacts=contacts, accounts=accounts))
    by_outcome = rollup("contacts_by_outcome", contacts=contacts)
    counts = pd.Series(by_outcome["contacts_count"].astype("int64").to_numpy(),
                       index=by_outcome["outcome"].astype(object).where(by_outcome["outcome"].notna(), "open"))
    outcomes = (
        counts.groupby(level=0).sum().reindex(CONTACT_OUTCOMES + ["open"], fill_value=0)
        .rename_axis("outcome")
        .reset_index(name="messages")
    )
    outcomes["share_pct"] = (100 * outcomes["messages"] / max(total, 1)).pipe(round_half_up_column, 1)
    heat = rollup("contacts_by_weekday_hour", contacts=heat_source)
    staffed_table = pd.DataFrame(
        [
            {
                "when": label,
                "messages": int(row["contacts_count"]) if row is not None else 0,
                "needing_reply": int(row["needing_response_count"]) if row is not None else 0,
                "median_minutes": _round(_num(row, "response_median_minutes")),
                "p90_minutes": _round(_num(row, "response_p90_minutes")),
                "answered_in_time_pct": None if row is None else _round(pct(row["answered_in_target_count"], row["needing_response_count"]), 1),
            }
            for label, row in [("Staffed hours", in_hours), ("Out of hours", out_hours), ("All", grand)]
        ],
        columns=["when", "messages", "needing_reply", "median_minutes", "p90_minutes", "answered_in_time_pct"],
    ).astype({"messages": "int64", "needing_reply": "int64", "median_minutes": "float64", "p90_minutes": "float64",
              "answered_in_time_pct": "float64"})
    hours = p.config.staffed_hours
    kinds = rollup("contacts_by_platform_kind", contacts=contacts, accounts=accounts)
    by_kind = (
        kinds.assign(contacts_count=lambda d: d["contacts_count"].astype("int64"))
        .groupby(["platform", "kind"])["contacts_count"].sum().unstack("kind", fill_value=0)
    )
    by_kind.columns.name = None
    by_kind.columns = [str(c) for c in by_kind.columns]
    by_kind = by_kind.assign(total=by_kind.sum(axis=1)).sort_values("total", ascending=False, kind="stable")
    by_kind = by_kind.reset_index().astype({c: "int64" for c in by_kind.columns})
    kind_columns = {"platform": Column("Platform"),
                    **{c: Column(c.replace("_", " ").capitalize(), "count", unit="messages") for c in by_kind.columns[1:-1]},
                    "total": Column("Total", "count", unit="messages")}
    return ClauseResult(
        values=values,
        tables=[
            MetricTable("p3_staffed_hours", CLAUSE, "Response times in and out of staffed hours", staffed_table,
                        note=f"Staffed hours: {hours.start_hour:02d}:00 to {hours.end_hour:02d}:00, UK time. "
                        "Minutes run from arrival to the first reply, over messages that needed one.",
                        columns={"when": Column("When the message arrived"),
                                 **{k: v for k, v in RESPONSE_COLUMNS.items() if k in staffed_table}}),
            MetricTable("p3_by_channel", CLAUSE, "Inbound messages by platform and kind", by_kind, columns=kind_columns),
            MetricTable("p3_by_platform", CLAUSE, "Response times by platform", per_platform,
                        note=f"Answered in time means a first reply within {target:g} minutes.",
                        columns={"platform": Column("Platform"), **RESPONSE_COLUMNS}),
            MetricTable("p3_outcomes", CLAUSE, "What came of inbound messages", outcomes,
                        columns={"outcome": Column("Outcome", "category", labels=OUTCOME_LABELS),
                                 "messages": Column("Messages", "count", unit="messages"),
                                 "share_pct": Column("Share (%)", "pct", places=1, unit="% of messages")}),
        ],
        series={"p3_weekday_hour": heat, "p3_per_account": per_account},
    )


# How the response-time columns read, in the order tables show them.
RESPONSE_COLUMNS = {
    "messages": Column("Messages", "count", unit="messages"),
    "needing_reply": Column("Needing a reply", "count", unit="messages"),
    "median_minutes": Column("Median minutes", "number", places=0, unit="minutes"),
    "p90_minutes": Column("90th percentile minutes", "number", places=0, unit="minutes"),
    "median_staffed_minutes": Column("Median, staffed hours", "number", places=0, unit="minutes"),
    "median_out_of_hours_minutes": Column("Median, out of hours", "number", places=0, unit="minutes"),
    "answered_in_time_pct": Column("Answered in time (%)", "pct", places=1, unit="% of messages needing a reply"),
}


def _by_platform(stats: pd.DataFrame) -> pd.DataFrame:
    columns = ["platform", "messages", "needing_reply", "median_minutes", "p90_minutes", "median_staffed_minutes",
               "median_out_of_hours_minutes", "answered_in_time_pct"]
    rows = [
        {
            "platform": row["platform"],
            "messages": int(row["contacts_count"]),
            "needing_reply": int(row["needing_response_count"]),
            "median_minutes": _round(row["response_median_minutes"]),
            "p90_minutes": _round(row["response_p90_minutes"]),
            "median_staffed_minutes": _round(row["staffed_median_minutes"]),
            "median_out_of_hours_minutes": _round(row["unstaffed_median_minutes"]),
            "answered_in_time_pct": _round(pct(row["answered_in_target_count"], row["needing_response_count"]), 1),
        }
        for _, row in stats.iterrows()
    ]
    return pd.DataFrame(rows, columns=columns).astype(
        {"messages": "int64", "needing_reply": "int64", **{c: "float64" for c in columns[3:]}})


def _row(overall: pd.DataFrame, staffed: bool | None):
    """The grand-total row (staffed None) or the staffed / out-of-hours total row, or None."""
    rows = overall[overall["is_staffed"].isna()] if staffed is None else overall[overall["is_staffed"].eq(staffed)]
    return rows.iloc[0] if len(rows) else None


def _num(row, column: str) -> float | None:
    if row is None or pd.isna(row[column]):
        return None
    return float(row[column])


def _round(value, digits: int = 0):
    """A table's figure as the report prints it (halves up, as every headline)."""
    return None if value is None or pd.isna(value) else round_half_up(float(value), digits)
