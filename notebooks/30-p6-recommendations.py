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
# recommendation rules and applies the team's decisions. It writes `artifacts/clauses/P6.json`,
# `artifacts/metrics.json` (every headline, the index of tables and chart data, the
# recommendations for the Board), `artifacts/register.parquet`, `artifacts/decisions.json` (what
# each decision did) and `recommendations-<year>.yml`, the register that next year's review
# reads: everything the board report is built from.
#
# **How to read it.** Each recommendation comes from one rule tied to one clause; it fires
# when a rated figure misses its target, and its text cites the numbers that triggered it.
# *For decision* items go to the Board for a decision; the others are for noting.
#
# **The team's decisions** live in `decisions-<year>.yml` beside the year's config (or the file
# named by `decisions_file` in the config). For this year's recommendations the team accepts
# or rejects (with a reason), rewords, and sets an owner and a due date; for earlier ones it
# records the new status. The data-quality notebook has already applied last year's register
# and the status updates, so the P6 figures below count today's statuses.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding every clause's artifacts.

# %%
from review.evidence import pipeline

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

# %% [markdown]
# ## The team's decisions and what each was applied to
#
# One row per decision in the file. *Nothing this year* means the decision names a
# recommendation the rules did not raise this time (the rule no longer fires, or the id is
# mistyped): it is not applied, and the report lists it so the team can tidy the file.

# %%
pipeline.decisions_frame(output_dir)

# %% [markdown]
# ## Rejected by the team
#
# This year's recommendations the team chose not to put to the Board, with the reason. They
# stay in the register as *rejected* and the report shows the reasons.

# %%
pipeline.rejected_frame(output_dir)

# %% [markdown]
# ## Files read and written
#
# The decisions file and last year's register this run read, and the new register written into
# the output folder (`reports/<year>/` in a run) for next year's review.

# %%
pipeline.register_files_frame(output_dir)
