# %% [markdown]
# # P2. Critical incidents
#
# > *Social media is a key tool for communicating, for critical incident management and
# > operational planning.*
#
# This notebook computes the evidence for clause P2: for each declared critical incident, how
# long after the declaration the first public post came, how often updates followed, how far the
# incident's posts reached and how many corrected rumours. It writes `artifacts/clauses/P2.json`
# and the clause's tables and chart data into the output folder.
#
# **How to read it.** *value* is the review year, *prior* the year before, *change %* the
# difference as a share of the prior value; *rag* rates a figure against the year's target.
# A post belongs to an incident when the team tagged it with the incident's id.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.
engine: str = ""  # What runs the rollups: duckdb or spark; empty for the config's engine (duckdb unless set).

# %%
from review.evidence import pipeline

# %%
p2 = pipeline.clause_stage("P2", year, config_path, output_dir, engine)
pipeline.headline_frame(p2)

# %% [markdown]
# ## Incident by incident
#
# *Minutes to first post* is the time from the declaration to the first tagged post; the target
# is in the note. *Updates per hour* counts posts in the first six hours, when the public most
# needs them. An incident with no tagged post shows the first-post time as missing and counts as
# a missed target.

# %%
p2.table("p2_incidents")

# %% [markdown]
# ## Every table for this clause

# %%
pipeline.table_index(p2)
