# %% [markdown]
# # 1. Data quality
#
# This notebook reads every file in the data folder, works out which canonical table each one
# holds from its header row, types every cell and checks it against the table's contract.
#
# **How to read it.** The summary below has one row per input file. For each file,
# *rows read* = *accepted* + *rejected* + *merged*: nothing is dropped silently. *Merged* rows
# were seen twice (the later copy is kept). Every rejected row is in `rejected-rows.csv` with its
# file, line, column, value and the reason, so the team can fix the source and re-run.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
data_dir: str = "../data/sample"  # Folder of input files: canonical CSV, XLSX or Parquet.
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # Where this run writes its artifacts.

# %%
from review import pipeline

summary = pipeline.ingest_stage(data_dir, year, config_path, output_dir)
summary

# %% [markdown]
# ## Rejected rows
#
# The first rows of the log. An empty table means every row was accepted.

# %%
pipeline.read_rejected(output_dir).head(20)
