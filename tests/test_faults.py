"""Faults: a run killed at any point leaves the previous outputs as they were, and the next run works.

The previous outputs are a real run over the size S sample (tests/sample_run.py), copied into a
fresh folder with its cache. A driver process runs the review (`review.runner.run.run_review`, what
`review run` calls, with a copy of the notebooks that pauses at a chosen point) in its own
process group; once it reaches the point, the whole group gets SIGKILL. Points:

* during ingest (10-data-quality, after the canonical tables are written into staging);
* during the clause wave (21-p1, after its artifacts are written), where a second run of the
  same year is tried and must be refused with a clear message;
* during the report (once 90-board-report has started; no notebook is changed for this point,
  so the run may reuse the cache of the first two waves);
* just before the swap, and between the two renames of the swap (the driver pauses there).

After each kill the output folder is byte-identical to before. At the end the canonical Parquet
and an artifact of the previous outputs are corrupted and `review run` is run for real: it
succeeds, every table reads back valid, and the PDF is byte-identical to the original run's.
"""

from __future__ import annotations

import inspect
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from sample_run import REVIEW, ROOT, YEAR, sample_run
from review.runner import artifacts
from review.errors import ReviewError
from review.runner.run import NOTEBOOK_DIR, run_review

pytestmark = pytest.mark.e2e

WAIT_S = 300  # for the driver to reach its point: a whole run on a busy two-core machine

DRIVER = textwrap.dedent(
    """
    import inspect, os, sys, time
    from pathlib import Path
    import review.runner.run as run

    data, out, config, notebooks, point, marker = sys.argv[1:7]
    marker = Path(marker)

    def pause(*_args, **_kw):
        marker.write_text(str(os.getpid()))
        time.sleep(600)

    if point == "before-swap":
        # The waves are replaced by a stub that writes the four outputs, so the kill lands at the swap.
        def stub_wave(names, params, staging, *rest):
            for name in ("annual-review-2025.pdf", "annual-review-2025.html", "metrics-2025.xlsx", "rejected-rows.csv"):
                (staging / name).write_bytes(b"new")
            return [run.NotebookRun(n) for n in names]
        run._run_wave = stub_wave
        run._write_manifest = lambda *a, **k: None
        run._publish = pause
    elif point == "between-renames":
        run._run_wave = lambda names, params, staging, *rest: [
            (staging / n).write_bytes(b"new") for n in ("annual-review-2025.pdf", "annual-review-2025.html",
                                                     "metrics-2025.xlsx", "rejected-rows.csv")] and [run.NotebookRun(n) for n in names]
        run._write_manifest = lambda *a, **k: None
        real_rename = Path.rename
        def rename(self, target):
            result = real_rename(self, target)
            if Path(target).name.endswith(".old"):
                pause()
            return result
        Path.rename = rename
    elif point == "report":
        # Nothing has changed since the copied run, which would be reused whole (review.runner.cache.unchanged):
        # the run must go on to the report to be killed in it.
        import review.runner.cache as cache
        cache.unchanged = lambda out, inputs: (False, "made to run by the test")
    kwargs = {"notebook_dir": Path(notebooks)}
    if "use_cache" in inspect.signature(run.run_review).parameters and point != "report":
        kwargs["use_cache"] = False  # every notebook must run, to reach its pause
    run.run_review(Path(data), 2025, Path(out), Path(config), **kwargs)
    """
)

PAUSE_CELL = "import os, pathlib, time\npathlib.Path({marker!r}).write_text(str(os.getpid()))\ntime.sleep(600)"
POINTS = {  # point -> (notebook, a call the pause goes after)
    "ingest": ("10-data-quality", "ingest_stage"),
    "clause wave": ("21-p1-reach-and-engagement", "clause_stage"),
}
# The report is reached without changing a notebook, so the run may reuse the cache of the first
# two waves (review.runner.cache) and get there sooner: the kill comes once papermill has started
# writing the executed report notebook into the staging folder.
REPORT_STARTED = Path(".2025.staging") / "notebooks" / "90-board-report.ipynb"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A copy of a real run's outputs (and its cache), as a team would have from last week."""
    base = tmp_path_factory.mktemp("faults")
    original = sample_run("S")
    out = base / "reports" / str(YEAR)
    shutil.copytree(original.out, out)
    cache = original.out.parent / f".{original.out.name}.cache"
    if cache.is_dir():
        shutil.copytree(cache, out.parent / f".{out.name}.cache")
    driver = base / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return {"base": base, "data": original.data, "config": original.config, "out": out, "driver": driver,
            "original": original, "before": snapshot(out)}


def _paused_notebooks(base: Path, point: str, marker: Path) -> Path:
    folder = base / f"notebooks-{point.replace(' ', '-')}"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(NOTEBOOK_DIR, folder)
    if point in POINTS:
        name, call = POINTS[point]
        nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        at = next(i for i, c in enumerate(nb.cells) if call in c.source)
        nb.cells.insert(at + 1, nbformat.v4.new_code_cell(PAUSE_CELL.format(marker=str(marker))))
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _start(previous, point: str) -> tuple[subprocess.Popen, Path]:
    marker = previous["base"] / f"reached-{point.replace(' ', '-')}"
    marker.unlink(missing_ok=True)
    if point == "report":
        marker = previous["out"].parent / REPORT_STARTED
        marker.unlink(missing_ok=True)
    notebooks = _paused_notebooks(previous["base"], point, marker)
    args = [sys.executable, str(previous["driver"]), str(previous["data"]), str(previous["out"]),
            str(previous["config"]), str(notebooks), point.replace(" ", "-"), str(marker)]
    proc = subprocess.Popen(args, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + WAIT_S
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before reaching {point}:\n{proc.stderr.read().decode()[-3000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"the run did not reach {point} in {WAIT_S} s")
        time.sleep(0.2)
    time.sleep(0.2)  # the pid is written; let the write finish
    return proc, marker


def _kill(proc: subprocess.Popen, marker: Path) -> None:
    """SIGKILL the run's process group; a paused kernel (its own session) must then exit by itself."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    paused = marker.read_text()
    if not paused.isdigit() or int(paused) == proc.pid:
        return  # (the report point: no paused kernel of ours to watch)
    paused = int(paused)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(paused, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.kill(paused, signal.SIGKILL)
    pytest.fail("a kernel outlived the killed run by 30 s: it could still write into a later run's staging folder")


@pytest.mark.parametrize("point", ["ingest", "clause wave", "report", "before-swap", "between-renames"])
def test_a_killed_run_leaves_the_previous_outputs_intact(previous, point):
    out = previous["out"]
    proc, marker = _start(previous, point)
    if point == "clause wave":
        # Meanwhile a second run of the same year is refused with a clear message.
        with pytest.raises(ReviewError, match=r"another run is writing .*2025 now; wait for it to finish"):
            run_review(previous["data"], YEAR, out, previous["config"])
        done = subprocess.run([*REVIEW, "run", "--data", str(previous["data"]), "--year", str(YEAR), "--out", str(out),
                               "--config", str(previous["config"])], capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 1
        assert "another run is writing" in done.stderr and "Traceback" not in done.stderr
    _kill(proc, marker)
    if point == "between-renames":
        assert not out.exists(), "killed between the renames: the old outputs are aside, at .2025.old"
        from review.runner.run import _lock

        with _lock(out):  # the next run puts them back before anything else
            pass
    assert snapshot(out) == previous["before"], f"killed during {point}: the previous outputs changed"


def test_a_kernel_that_dies_is_reported_naming_the_notebook(previous, tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, notebooks)
    nb = nbformat.read(notebooks / "10-data-quality.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "ingest_stage" in c.source)
    nb.cells.insert(at, nbformat.v4.new_code_cell("import os\nos._exit(9)  # the kernel dies, as on running out of memory"))
    nbformat.write(nb, notebooks / "10-data-quality.ipynb")
    out = tmp_path / "reports" / str(YEAR)
    shutil.copytree(previous["out"], out)
    kwargs = {"use_cache": False} if "use_cache" in inspect.signature(run_review).parameters else {}
    with pytest.raises(ReviewError) as caught:
        run_review(previous["data"], YEAR, out, previous["config"], notebook_dir=notebooks, **kwargs)
    message = str(caught.value)
    first = message.splitlines()[0]
    assert first.startswith("10-data-quality.ipynb"), message
    assert "the kernel died while running it" in first and "10-data-quality.kernel.log" in first, message
    assert (out.parent / f"{out.name}-failed" / "10-data-quality.kernel.log").exists()
    assert "previous outputs are untouched" in message
    assert snapshot(out) == previous["before"]


def test_a_rerun_after_the_kills_succeeds_and_rebuilds_corrupt_parquet(previous):
    """Corrupt Parquet in the previous outputs (a bad copy to the shared drive) is never read
    back: the re-run rebuilds every table, and they read back valid and match the first run."""
    out = previous["out"]
    (out / "canonical" / "posts.parquet").write_bytes(b"PAR1 not really parquet")
    tables = sorted((out / "artifacts" / "tables").glob("*.parquet"))
    tables[0].write_bytes(tables[0].read_bytes()[:50])
    done = subprocess.run([*REVIEW, "run", "--data", str(previous["data"]), "--year", str(YEAR), "--out", str(out),
                           "--config", str(previous["config"])], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    canonical = artifacts.read_canonical(out)  # validates every table against its contract
    original = artifacts.read_canonical(previous["original"].out)
    assert {k: len(v) for k, v in canonical.items()} == {k: len(v) for k, v in original.items()}
    import pandas as pd

    pd.read_parquet(tables[0])
    assert (out / f"annual-review-{YEAR}.pdf").read_bytes() == previous["original"].pdf.read_bytes()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.endswith((".staging", ".old", "-failed"))]
    assert leftovers == []
