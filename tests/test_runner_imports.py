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


FIRST_KERNEL = """
import os, sys
from pathlib import Path
from review.runner import kernels, run

class Manager:  # the kernel's process is started here: what has the driver imported by then?
    def __init__(self, **kw):
        pass

    async def start_kernel(self, **kw):
        print("heavy at first kernel:", sorted(m for m in ("pandas", "papermill", "pyarrow", "duckdb") if m in sys.modules))
        sys.stdout.flush()
        os._exit(0)

kernels._kernel_manager = lambda log: Manager
data, config, out = map(Path, sys.argv[1:])
run.run_review(data, 2025, out, config)
print("no kernel was started")
"""


def test_a_run_starts_its_first_kernel_before_importing_pandas_or_papermill(tmp_path, repo_root):
    """The first kernel's start (a second or more: ipykernel, then pandas and the pipeline it
    preloads) is on every run's critical path; it starts before the driver imports anything heavy,
    so that those imports overlap it (review.runner.run._run_into)."""
    data, config = tmp_path / "data", tmp_path / "config" / "2025.yml"
    data.mkdir()
    (data / "accounts.csv").write_text("account_id,platform\n", encoding="utf-8")
    config.parent.mkdir()
    config.write_text((repo_root / "config" / "2025.yml").read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", FIRST_KERNEL, str(data), str(config), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "heavy at first kernel: []", done.stdout + done.stderr
