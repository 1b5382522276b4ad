# %% [markdown]
# # Explore the year
#
# The analyst's workbench. One call loads the validated year: the canonical tables as pandas
# frames, every metric the report shows, and SQL (DuckDB) over the tables. The numbers are the
# report's: the same functions compute both. This notebook is not part of `review run`; open it
# with `make lab`, change the parameters below and run all cells.
#
# `data` is either a folder of input files (read and validated on load, as a run does) or a
# run's output folder such as `../reports/2025` (its canonical Parquet is read as is: faster).

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
data: str = "../reports/2025"  # A run's output folder, or a folder of input files.
config_path: str = ""  # The year's YAML config; empty for config/<year>.yml.

# %%
import duckdb
import pandas as pd

import review

# %%
y = review.load(data, year, config=config_path or None)
y.config.period_label, {name: len(frame) for name, frame in y.tables.items()}

# %% [markdown]
# ## What you get
#
# - `y.tables["posts"]`: a canonical table, every year in the data, typed as the data
#   dictionary (`docs/data-dictionary.md`) says. Times are UTC.
# - `y.period.posts`: the review period's rows only, with local-time columns added
#   (`published_local`; for contacts `received_local`, `response_minutes`, `is_staffed`).
# - `y.headlines`: every metric with the year before, change, target and rating.
# - `y.table("p3_by_platform")`: a metric table, typed: snake_case columns, true numbers (labels in `y.metric_tables`).
# - `y.sql("...")`: DuckDB SQL over the review period's tables, by table name.

# %%
y.headlines[["clause", "metric_id", "title", "value", "prior_value", "change_pct", "rag"]].head(12)

# %% [markdown]
# ## SQL and pandas side by side
#
# The same question both ways: posts and impressions by platform in the review period. Use
# whichever reads better to you; the answers are the same.

# %%
by_platform_sql = y.sql(
    """
    SELECT a.platform, count(*) AS posts, sum(p.impressions) AS impressions
    FROM posts AS p
    JOIN accounts AS a USING (account_id)
    GROUP BY a.platform
    ORDER BY impressions DESC, a.platform
    """
)
by_platform_sql

# %%
by_platform_pandas = (
    y.period.posts.merge(y.period.accounts[["account_id", "platform"]], on="account_id", validate="m:1")
    .groupby("platform", as_index=False)
    .agg(posts=("post_id", "count"), impressions=("impressions", "sum"))
    .sort_values(["impressions", "platform"], ascending=[False, True], ignore_index=True)
)
by_platform_pandas

# %% [markdown]
# ## 1. Which accounts answer slowest at night?
#
# Messages that arrived between 22:00 and 06:00 UK time and needed a reply; the time to the
# first reply, by account. Messages never answered have no response time and are left out
# (the P3 tables count them).

# %%
night_sql = y.sql(
    """
    SELECT a.name || ' (' || a.platform || ')' AS account,
           count(*) AS replies,
           median(c.response_minutes) AS median_minutes,
           quantile_cont(c.response_minutes, 0.9) AS p90_minutes
    FROM contacts AS c
    JOIN accounts AS a USING (account_id)
    WHERE c.needs_response
      AND c.response_minutes IS NOT NULL
      AND (hour(c.received_local) >= 22 OR hour(c.received_local) < 6)
    GROUP BY account
    ORDER BY median_minutes DESC, account
    """
)
night_sql

# %%
contacts = y.period.contacts.merge(
    y.period.accounts.assign(account=y.period.accounts["name"] + " (" + y.period.accounts["platform"] + ")")[["account_id", "account"]],
    on="account_id",
    validate="m:1",
)
hour = contacts["received_local"].dt.hour
night = contacts[contacts["needs_response"].fillna(False) & contacts["response_minutes"].notna() & ((hour >= 22) | (hour < 6))]
minutes = night.groupby("account")["response_minutes"]
night_pandas = (
    pd.DataFrame({"replies": minutes.count(), "median_minutes": minutes.median(), "p90_minutes": minutes.quantile(0.9)})
    .reset_index()
    .sort_values(["median_minutes", "account"], ascending=[False, True], ignore_index=True)
)
night_pandas

# %% [markdown]
# The two answers agree (this cell fails if they do not):

# %%
pd.testing.assert_frame_equal(night_sql, night_pandas, check_dtype=False)

# %% [markdown]
# ## 2. Which posts reached furthest in a critical incident?
#
# The three posts with the widest reach (people who saw them) for each critical incident
# declared in the period. Some platforms (X, Nextdoor, YouTube) do not report reach: their
# posts sort last here, so check `impressions` for them.

# %%
y.sql(
    """
    SELECT ci.name AS incident,
           p.published_local AS published,
           a.name || ' (' || a.platform || ')' AS account,
           left(p.text, 80) AS post,
           p.reach,
           p.impressions
    FROM posts AS p
    JOIN critical_incidents AS ci USING (critical_incident_id)
    JOIN accounts AS a USING (account_id)
    QUALIFY row_number() OVER (PARTITION BY ci.critical_incident_id ORDER BY p.reach DESC NULLS LAST, p.post_id) <= 3
    ORDER BY incident, p.reach DESC NULLS LAST
    """
)

# %%
(
    y.period.posts.merge(y.period.critical_incidents[["critical_incident_id", "name"]], on="critical_incident_id", validate="m:1")
    .sort_values(["reach", "post_id"], ascending=[False, True], na_position="last")
    .groupby("critical_incident_id")
    .head(3)
    .sort_values(["name", "reach"], ascending=[True, False], na_position="last")
    [["name", "published_local", "account_id", "text", "reach", "impressions"]]
)

# %% [markdown]
# ## 3. Which units' social media training expires next quarter?
#
# People's latest completion of each course whose expiry falls in the three months after the
# review period ends, by unit: who to book on a refresher now. Training is a register, so this
# uses the whole table, not the period's slice.
#
# The query needs two dates from Python. Bind them as parameters (`$start`, `$end`) on a
# DuckDB connection rather than pasting them into the SQL text.

# %%
quarter_start = y.period.end.date()  # the first day after the period
quarter_end = (y.period.end + pd.DateOffset(months=3)).date()
with duckdb.connect() as con:
    con.register("training", y.tables["training"])
    expiring_sql = con.execute(
        """
        WITH latest AS (
            SELECT * FROM training
            QUALIFY row_number() OVER (PARTITION BY person_ref, course ORDER BY completed_date DESC) = 1
        )
        SELECT unit, count(DISTINCT person_ref) AS people, min(expires_date) AS first_expiry
        FROM latest
        WHERE expires_date >= $start AND expires_date < $end
        GROUP BY unit
        ORDER BY people DESC, unit
        """,
        {"start": quarter_start, "end": quarter_end},
    ).df()
quarter_start, quarter_end, expiring_sql

# %%
latest = y.tables["training"].sort_values("completed_date").drop_duplicates(["person_ref", "course"], keep="last")
expiring = latest[latest["expires_date"].between(pd.Timestamp(quarter_start), pd.Timestamp(quarter_end), inclusive="left")]
(
    expiring.groupby("unit", as_index=False)
    .agg(people=("person_ref", "nunique"), first_expiry=("expires_date", "min"))
    .sort_values(["people", "unit"], ascending=[False, True], ignore_index=True)
)

# %% [markdown]
# ## Where to go next
#
# - Every metric table the report shows: `[t.table_id for t in y.metric_tables]`, then `y.table(id)`.
# - Rows that were not accepted (when loaded from input files): `y.rejected`.
# - Definitions and formulas of every metric: `docs/metrics.md`; columns: `docs/data-dictionary.md`.
