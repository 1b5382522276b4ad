"""The runner's import of papermill skips rfc3987_syntax's grammar (review/runner/__init__.py):
the driver still validates every notebook it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

CHECK = """
import sys, time
import review.runner.run
import nbformat, papermill
assert sys.modules["rfc3987_syntax"] is None, "the IRI grammar was imported"
for path in sorted(__import__("pathlib").Path(sys.argv[1]).glob("*.ipynb")):
    nbformat.validate(nbformat.read(path, as_version=4))
broken = nbformat.v4.new_notebook()
broken.cells.append({"cell_type": "code", "source": "1"})  # no outputs, no metadata: invalid
try:
    nbformat.validate(broken)
except nbformat.ValidationError:
    print("invalid caught")
"""


def test_runner_validates_notebooks_without_the_iri_grammar():
    done = subprocess.run([sys.executable, "-c", CHECK, str(NOTEBOOKS)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "invalid caught"
