# %% [markdown]
# # P5. Conduct and governance
#
# > *Officers and staff must consider their use of social media in a work related or a
# > personal capacity. It must not cause any reputational risk to the Force, or any risk to
# > organisational activities or operations.*
#
# This notebook computes the evidence for clause P5: social-media related conduct cases by
# category, capacity, severity and outcome; training coverage; and the governance of each
# account (an approved owner, multi-factor authentication, a current review, recent posting).
# It writes `artifacts/clauses/P5.json` and the clause's tables into the output folder.
#
# **How to read it.** Counts of conduct cases below 5 are shown as *<5* so that no one can be
# identified; people appear only as pseudonymised references, never by name. *rag* rates a
# figure against the year's target.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the canonical tables from the data-quality stage.

# %%
from review.evidence import pipeline

# %%
p5 = pipeline.clause_stage("P5", year, config_path, output_dir)
pipeline.headline_frame(p5)

# %% [markdown]
# ## Conduct cases
#
# By category, split by whether the person acted in a work or a personal capacity.

# %%
p5.table("p5_cases")

# %% [markdown]
# ## Accounts with governance gaps
#
# Only accounts with at least one gap are listed; each *Yes* in *Dormant* or *Review overdue*,
# or *No* in *Approved owner* or *MFA on*, is an action for the account's owner.

# %%
p5.table("p5_account_gaps")

# %% [markdown]
# ## Training by unit
#
# People listed as using a force account, by whether their social media training is in date at
# the period end, has expired, or was never completed.

# %%
p5.table("p5_training_by_unit")

# %% [markdown]
# ## Every table for this clause

# %%
pipeline.table_index(p5)
