# %% [markdown]
# # P6. Review and recommendations
#
# > *The E-Communications Team will regularly review the Force's approach to social networking
# > and make recommendations to the Executive Board, via the Director of Strategic Corporate
# > Communications, every year.*
#
# This notebook runs after every other clause. It first computes clause P6 itself: where the
# recommendations of earlier reviews stand (implemented, in progress, overdue). It then reads
# every clause's artifacts, rates all the headline figures together and runs the
# recommendation rules. It writes `artifacts/clauses/P6.json`, `artifacts/metrics.json` (every
# headline, the index of tables and chart data, the recommendations) and
# `artifacts/register.parquet`: everything the board report is built from.
#
# **How to read it.** Each recommendation comes from one rule tied to one clause; it fires
# when a rated figure misses its target, and its text cites the numbers that triggered it.
# *For decision* items go to the Board for a decision; the others are for noting.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding every clause's artifacts.

# %%
from review import pipeline

# %%
p6 = pipeline.clause_stage("P6", year, config_path, output_dir)
pipeline.headline_frame(p6)

# %% [markdown]
# ## Earlier recommendations by status

# %%
p6.table("p6_status")

# %% [markdown]
# ## Every headline figure, P1 to P7
#
# The figures the report's executive summary and policy matrix are drawn from, in the order of
# the metric registry.

# %%
metrics = pipeline.recommend_stage(year, config_path, output_dir)
pipeline.headline_frame(metrics)

# %% [markdown]
# ## Recommendations that fire
#
# In the order the report lists them: for decision first, then by priority and clause.

# %%
pipeline.recommendation_frame(output_dir)

# %% [markdown]
# ## The register carried into this review
#
# Recommendations raised by earlier reviews, with their status and whether they are past due
# at the end of the period.

# %%
pipeline.register_frame(output_dir)
