# %% [markdown]
# # 1. Data quality
#
# This notebook reads every file in the data folder, works out which canonical table each one
# holds from its header row, types every cell and checks it against the table's contract. It
# writes the validated tables to `canonical/` (Parquet), the row accounting to
# `artifacts/ingest.json` and every rejected row to `rejected-rows.csv`. Every later notebook
# reads these files, never this notebook.
#
# When the data folder is the output of `review ingest`, recognised by its ingest report, the
# tables are read as ingest checked them, and the summary and rejected rows below are those of
# the original files ingest read.
#
# The canonical `recommendations` table is the register so far: the data folder's table with
# last year's register (`recommendations-<year-1>.yml` from last year's run) laid over it, and
# the status updates from the team's decisions file applied. `artifacts/ingest.json` records
# which files were used, under `register`.
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
skip_unknown: bool = False  # Go on without files that match no known format; they are listed as skipped.

# %%
from review.evidence import pipeline

# %%
summary = pipeline.ingest_stage(data_dir, year, config_path, output_dir, skip_unknown)
summary

# %% [markdown]
# ## Rejected rows
#
# The first rows of the log. An empty table means every row was accepted.

# %%
pipeline.read_rejected(output_dir).head(20)

# %% [markdown]
# ## Rows in the review period and the period before
#
# Events (posts, messages, cases, audits) count towards a period by their own date, in UK
# local time; registers (accounts, training, recommendations) count in full for both. The
# clause notebooks compare the two periods, so a table with no rows in *period before* means
# that clause shows no year-on-year change. The run stops here if nothing at all falls in the
# review period: usually a wrong year or the wrong data folder.

# %%
pipeline.period_stage(year, config_path, output_dir)
