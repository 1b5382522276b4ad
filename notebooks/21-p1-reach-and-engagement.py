# %% [markdown]
# # P1. Reach and engagement
#
# > *We will communicate and engage with the general public and the communities we serve, via
# > a range of social media, including message boards, blogs and social media networks.*
#
# This notebook computes the evidence for clause P1 for the review year and the year before:
# the mix of accounts and platforms, audience and its growth, reach, impressions, engagement and
# the content mix. It writes `artifacts/clauses/P1.json` and the clause's tables and chart data
# (Parquet) into the output folder, which the recommendations and report stages read.
#
# **How to read it.** In the headline table, *value* is the review year, *prior* the year before
# and *change %* the difference as a share of the prior value. *rag* rates a figure against its
# target in the year's config (Green met, Amber close, Red short); volume measures have no
# target and are *Not rated*. Definitions and formulas are in `docs/metrics.md`.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.
engine: str = ""  # What runs the rollups: duckdb or spark; empty for the config's engine (duckdb unless set).

# %%
from review.evidence import pipeline

# %%
p1 = pipeline.clause_stage("P1", year, config_path, output_dir, engine)
pipeline.headline_frame(p1)

# %% [markdown]
# ## By platform
#
# Engagement rate is engagements divided by impressions, over posts that report both. A
# platform with a high rate but few impressions engages a small audience well; one with many
# impressions and a low rate is mostly seen, not acted on. Platforms that do not report reach
# show it as missing.

# %%
p1.table("p1_by_platform")

# %% [markdown]
# ## Every account
#
# One row per account open at the period end. *Small* (fewer than 1,000 followers) and
# *Dormant* (no post in the last 90 days) accounts are the candidates for merging or closing.

# %%
p1.table("p1_channels")

# %% [markdown]
# ## Month by month
#
# Look for months that stand out: a critical incident or a campaign shows as a peak in
# impressions; a fall in engagement rate with steady posting suggests content that lands less well.

# %%
p1.table("p1_by_month")

# %% [markdown]
# ## Every table for this clause
#
# Each is a section table in the report and a sheet in the metrics workbook.

# %%
pipeline.table_index(p1)
