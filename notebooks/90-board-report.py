# %% [markdown]
# # The board report
#
# This notebook builds the report from the artifacts of the earlier stages (never from notebook
# outputs), the charts as the clause notebooks drew them, and writes the board paper as HTML and
# as a tagged PDF, and the metrics workbook for analysts.
#
# **How to read it.** The table lists the files written and their sizes. Open the PDF to check
# it as the Board will see it.

# %% tags=["parameters"]
year: int = 2025  # The review year (for a financial year, the year it starts in).
config_path: str = ""  # The year's YAML config; empty for the built-in defaults.
output_dir: str = "../reports/2025"  # The run's output folder, holding the artifacts of the earlier stages.

# %%
from review.evidence import pipeline

# %%
outputs = pipeline.report_stage(year, config_path, output_dir)
pipeline.files_frame(outputs)
