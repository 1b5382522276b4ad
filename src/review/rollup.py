"""Rollups: the heavy aggregations, written once as SQL and run by DuckDB over the canonical tables.

SQL is the shared language of the engines (DESIGN.md section 5): DuckDB runs these as written.
Inputs are pandas frames registered as views (or Parquet files); outputs are pandas frames.
Local-time columns (`*_local`, naive Europe/London) are added before the SQL runs, so the SQL
needs no timezone support.
"""

from __future__ import annotations

import duckdb
import pandas as pd

ROLLUPS: dict[str, str] = {
    # P1: one row per account and month of publication.
    "posts_by_account_month": """
        SELECT account_id,
               date_trunc('month', published_local)      AS month,
               count(*)                                  AS posts_count,
               sum(impressions)                          AS impressions_count,
               sum(reach)                                AS reach_count,
               sum(engagements)                          AS engagements_count,
               sum(CASE WHEN impressions IS NOT NULL AND engagements IS NOT NULL
                        THEN impressions END)            AS rated_impressions_count,
               sum(CASE WHEN impressions IS NOT NULL AND engagements IS NOT NULL
                        THEN engagements END)            AS rated_engagements_count
        FROM posts
        GROUP BY ALL
        ORDER BY account_id, month
    """,
    # P3: response times by account and by whether the desk was staffed when the message arrived;
    # the grouping sets add each account's total, the staffed/unstaffed totals and the grand total
    # (NULL in a key column means "all").
    "response_by_account": """
        SELECT account_id,
               is_staffed,
               count(*)                                              AS contacts_count,
               count(*) FILTER (WHERE needs_response)                AS needing_response_count,
               count(response_minutes)                               AS answered_count,
               count(*) FILTER (WHERE needs_response AND response_minutes <= $target)
                                                                     AS answered_in_target_count,
               median(response_minutes)                              AS response_median_minutes,
               quantile_cont(response_minutes, 0.9)                  AS response_p90_minutes
        FROM contacts
        GROUP BY GROUPING SETS ((account_id, is_staffed), (account_id), (is_staffed), ())
        ORDER BY account_id NULLS FIRST, is_staffed NULLS FIRST
    """,
    # P3: the hour-of-week profile of inbound messages.
    "contacts_by_weekday_hour": """
        SELECT isodow(received_local) - 1 AS weekday,
               hour(received_local)       AS hour,
               count(*)                   AS contacts_count
        FROM contacts
        GROUP BY ALL
        ORDER BY weekday, hour
    """,
}


def run_rollup(name: str, params: dict | None = None, **frames: pd.DataFrame) -> pd.DataFrame:
    """Run one named rollup over the given frames (each registered under its keyword name)."""
    with duckdb.connect() as con:
        for table, frame in frames.items():
            con.register(table, frame)
        return con.execute(ROLLUPS[name], params or {}).df()
