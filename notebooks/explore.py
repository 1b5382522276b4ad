# %% [markdown]
# # Explore the year
#
# The analyst's workbench. One call loads the validated year: the canonical tables as pandas
# frames, every metric the report shows, the posts and messages with their scores, and SQL
# (DuckDB) over the same tables. The numbers are the report's: the same functions compute both,
# with the year's own definitions (the review period, the staffed hours, the themes, the jargon
# list, the targets). This notebook is not part of `review run`; open it with `make lab`, change
# the parameters below and run all cells. `docs/analyst.md` answers twenty everyday questions in
# one or two lines each; the first of them are answered here.
#
# `data` is either a folder of input files (read and validated on load, as a run does) or a
# run's output folder such as `../reports/2025` (its canonical Parquet is read as is: faster).

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
data: str = "../reports/2025"  # A run's output folder, or a folder of input files.
config_path: str = ""  # The year's YAML config; empty for config/<year>.yml.

# %%
import pandas as pd

import review

# %%
y = review.load(data, year, config=config_path or None)
y

# %% [markdown]
# ## What you get
#
# - `y.headlines`: every metric with its definition, formula, target and rating (`rag`), and the
#   year before; `y.value(id)` for one.
# - `y.posts`: one row per post in the period with its scores (theme, words, reading ease and
#   grade, plain English or not, jargon hits and terms, engagement rate, alt text, captions).
# - `y.messages`: one row per inbound message, with `response_minutes` and `is_staffed`.
# - `y.posts_by_month(by)`, `y.messages_by_month(by)`: every month, zero months included.
# - `y.table(id)`: a metric table of the report, typed (ids in `y.table_ids`).
# - `y.sql("...")`: DuckDB SQL over the period's tables, `post_scores` and `messages` included.
#
# Each has a docstring: `help(y.posts_by_month)`.

# %% [markdown]
# ## The review's definitions
#
# Everything below uses these, from the year's config, as the report does: the period, the
# staffed hours (a message outside them is "out of hours"), the themes posts are sorted into,
# and the targets the ratings compare with.

# %%
hours = y.config.staffed_hours
pd.Series(
    {
        "period": f"{y.config.period_label}: {y.period.start.date()} to {y.period.last_day.date()}",
        "staffed hours (UK time)": f"{hours.start_hour:02d}:00 to {hours.end_hour:02d}:00, weekdays {list(hours.weekdays)} (Monday = 0)",
        "themes": ", ".join([*y.config.content.themes, y.config.content.other_label]),
        "first reply target (minutes)": y.config.targets.first_response_minutes,
        "plain English: reading ease at least": y.config.targets.reading_ease_min,
    }
)

# %% [markdown]
# ## 1. Which headline measures are rated Red?

# %%
y.headlines.query("rag == 'Red'")[["title", "value", "unit", "target"]]

# %% [markdown]
# ## 2. What exactly does a measure mean, and how is it worked out?

# %%
y.headlines.set_index("metric_id").loc["p3_out_of_hours_median_minutes", ["title", "definition", "formula", "target", "rag"]]

# %% [markdown]
# ## 3. Which account was slowest out of hours?
#
# The median minutes to the first reply, over messages that arrived outside the staffed hours and
# needed a reply: the report's "Time to first response out of hours", by account. In pandas:

# %%
y.messages.query("not is_staffed").groupby("account")["response_minutes"].median().nlargest(1)

# %% [markdown]
# And in SQL, over the same tables:

# %%
y.sql(
    """
    SELECT account, median(response_minutes) AS median_minutes FROM messages
    WHERE NOT is_staffed GROUP BY account ORDER BY median_minutes DESC LIMIT 1
    """
)

# %% [markdown]
# Every account, in and out of hours, beside the report's figure by platform: the same
# definition gives the same numbers (this cell fails if the overall figure differs).

# %%
by_account = y.messages.groupby(["platform", "account", "is_staffed"])["response_minutes"].median().unstack("is_staffed")
assert y.messages.loc[~y.messages["is_staffed"], "response_minutes"].median() == y.value("p3_out_of_hours_median_minutes")
by_account.rename(columns={True: "median_staffed_minutes", False: "median_out_of_hours_minutes"}).round(1)

# %%
y.table("p3_by_platform")[["platform", "median_staffed_minutes", "median_out_of_hours_minutes"]]

# %% [markdown]
# ## 4. How did engagement change month by month, platform by platform?
#
# Engagement rate (engagements over impressions, over posts that report both) for every month
# of the period; a month with no post is there, with no rate. For one platform:
# `y.posts_by_month("platform").query("platform == 'TikTok'")`.

# %%
y.posts_by_month("platform").pivot(index="month", columns="platform", values="engagement_rate_pct")

# %% [markdown]
# ## 5. Which posts used the most jargon?
#
# Uses of the jargon list (with the config's own additions and exceptions), per post.

# %%
y.posts.nlargest(10, "jargon_hits")[["account", "published_local", "jargon_hits", "jargon_terms", "text"]]

# %% [markdown]
# ## 6. Which jargon comes up most, and what could we say instead?

# %%
y.table("p4_jargon")

# %% [markdown]
# ## 7. Which themes engage people most?
#
# Themes come from the config's keywords and hashtags: a post takes the first theme whose words
# it contains.

# %%
y.table("p1_content_mix").sort_values("engagement_rate_pct", ascending=False)

# %% [markdown]
# ## Where to go next
#
# - Thirteen more questions, each in a line or two: `docs/analyst.md`.
# - Every metric table the report shows: `y.table_ids`, then `y.table(id)`; labels and units in `.attrs`.
# - Rows that were not accepted (when loaded from input files): `y.rejected`.
# - The same SQL from the shell, saved as a file: `review sql "..." --data ../reports/2025 --output answer.csv`.
# - Definitions and formulas of every metric: `docs/metrics.md`; columns: `docs/data-dictionary.md`.
