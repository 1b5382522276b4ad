"""Where the toolkit's own folders are: the one place that works out the repository root.

Modules live at different depths (review/, review/runner/, ...): they take their folders from here
rather than counting `parents[...]` from their own file.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent  # src/review: every subpackage's code is under it
ROOT = PACKAGE_DIR.parents[1]  # the repository (or the toolkit's installed folder): src/review/../..
TEMPLATE_DIR = ROOT / "templates"
NOTEBOOK_DIR = ROOT / "notebooks"
