# %% [markdown]
# # 2. The evidence
#
# This notebook computes every metric in the registry for the review year and the year
# before, rates each against its target from the year's config, and runs the recommendation
# rules. Each metric serves one clause of the policy (P1 to P7); its definition and formula are
# in `docs/metrics.md` and in the report's appendix.
#
# **How to read it.** *value* is the review year, *prior* the year before and *change* the
# difference as a percentage of the prior value. *rag* is Green when the target is met, Amber
# when close and Red when short; measures without a target are not rated.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.

# %%
from review import pipeline

metrics = pipeline.metrics_stage(year, config_path, output_dir)
pipeline.headline_frame(metrics)

# %% [markdown]
# ## Recommendations that fire
#
# Each rule reads the rated metrics and cites the numbers that triggered it.

# %%
pipeline.recommendation_frame(output_dir)
