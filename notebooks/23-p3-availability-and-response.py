# %% [markdown]
# # P3. Availability and response
#
# > *At all times we will maximise the availability of online processes through which the
# > public can engage with the Force.*
#
# This notebook computes the evidence for clause P3: inbound messages by platform, kind, day and
# hour; the time to a first reply (median and 90th percentile) in and out of staffed hours; the
# share answered within the target time; and what came of each message. It writes
# `artifacts/clauses/P3.json` and the clause's tables and chart data into the output folder.
#
# **How to read it.** Response times run from a message's arrival to the first reply, over
# messages that needed one, in minutes. The median is the typical wait; the 90th percentile is
# the wait that one message in ten exceeds. *rag* rates a figure against the year's target.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.
engine: str = ""  # What runs the rollups: duckdb or spark; empty for the config's engine (duckdb unless set).

# %%
from review.evidence import pipeline

# %%
p3 = pipeline.clause_stage("P3", year, config_path, output_dir, engine)
pipeline.headline_frame(p3)

# %% [markdown]
# ## In and out of staffed hours
#
# The gap between the two rows is the cost of the hours the desk is closed: a message that
# arrives overnight waits for the morning.

# %%
p3.table("p3_staffed_hours")

# %% [markdown]
# ## By platform
#
# Platforms differ in how the public use them (comments on Facebook, mentions on X), so compare
# each platform's staffed and out-of-hours medians rather than platforms with each other.

# %%
p3.table("p3_by_platform")

# %% [markdown]
# ## What came of the messages
#
# Signposting to 101 or 999 is a good outcome when the message was a report; a large
# *no reply* share is the one to question.

# %%
p3.table("p3_outcomes")

# %% [markdown]
# ## Every table for this clause

# %%
pipeline.table_index(p3)
