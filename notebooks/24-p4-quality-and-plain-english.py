# %% [markdown]
# # P4. Quality and plain English
#
# > *Quality control, consistency and corporacy, and the use of simple, jargon-free language
# > which is easily understood and relevant to the audience.*
#
# This notebook computes the evidence for clause P4: plain-English measures for every post
# (reading ease, reading grade, words per sentence) and account, police jargon with its plain
# alternative, approval coverage and the results of quality audits. It writes
# `artifacts/clauses/P4.json` and the clause's tables and chart data into the output folder.
# Scoring every post's text is the slowest part of the review.
#
# **How to read it.** A post is in plain English when its Flesch reading ease meets the year's
# minimum (higher is easier) after links, @mentions and hashtags are taken out. Short posts
# score erratically, so look at an account's median and middle 80%, not single posts.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.

# %%
from review.evidence import pipeline

# %%
p4 = pipeline.clause_stage("P4", year, config_path, output_dir)
pipeline.headline_frame(p4)

# %% [markdown]
# ## By account
#
# Accounts at the bottom of *In plain English (%)* are where a writing guide helps most.

# %%
p4.table("p4_by_account")

# %% [markdown]
# ## Jargon used most
#
# Each word or phrase with the plain alternative the report suggests.

# %%
p4.table("p4_jargon")

# %% [markdown]
# ## Quality audits
#
# The share of the year's audit checks that passed, by kind of check.

# %%
p4.table("p4_audits")

# %% [markdown]
# ## Every table for this clause

# %%
pipeline.table_index(p4)
