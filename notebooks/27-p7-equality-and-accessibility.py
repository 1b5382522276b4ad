# %% [markdown]
# # P7. Equality and accessibility
#
# > *This instruction is designed to avoid discrimination and is in line with the Human Rights
# > Act 1998 and its principles.*
#
# This notebook computes the evidence for clause P7: whether posts can be used by everyone
# (alt text on images, captions on videos, camel-case hashtags that screen readers can read
# word by word), whether the audience looks like the force area's population, and complaints
# about discriminatory content. It writes
# `artifacts/clauses/P7.json` and the clause's tables and chart data into the output folder.
#
# **How to read it.** Each share is over the posts it applies to: alt text over image posts,
# captions over video posts, camel case over hashtags with more than one word. *rag* rates a
# figure against the year's target.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.

# %%
from review.evidence import pipeline

# %%
p7 = pipeline.clause_stage("P7", year, config_path, output_dir)
pipeline.headline_frame(p7)

# %% [markdown]
# ## Accessible posts by platform
#
# A platform whose publishing tool makes alt text or captions optional usually shows here as
# the lowest share.

# %%
p7.table("p7_accessibility")

# %% [markdown]
# ## Our audience against the people we serve
#
# Each age band's share of the followers (by sex where the exports split it) against its share of
# the force area's residents of those ages, per channel and for all channels together.
# *representation* is 100 when the group is as large a part of the audience as of the area; a
# group with too few followers is not measured. Not measured at all without audience
# demographics or the population register (docs/population.md).

# %%
p7.table("p7_representation")

# %% [markdown]
# ## Every table for this clause

# %%
pipeline.table_index(p7)
