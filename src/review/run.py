"""Run a review: execute the stage notebooks with papermill, then publish the outputs atomically.

Everything is written into a staging folder beside the output folder. Only when every notebook
has succeeded is the staging folder swapped in, so a failed or killed run leaves the previous
outputs untouched. A lock file stops two runs of the same output folder at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from review import __version__, artifacts
from review.config import load_config
from review.errors import ReviewError

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
# The stages in order. Each is one notebook: parameters, one call into review, narrative.
STAGES = [
    ("10-data-quality", "Check the data"),
    ("20-metrics", "Compute the evidence"),
    ("90-board-report", "Write the board report"),
]
KERNEL = "policy-review"
START_TIMEOUT_S = 120
CELL_TIMEOUT_S = 1800


@dataclass
class RunResult:
    out: Path
    outputs: dict[str, Path]
    timings: dict[str, float]


def kernel_name() -> str:
    """The project's kernel if setup installed it, else this Python's own."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL if KERNEL in KernelSpecManager().find_kernel_specs() else "python3"


def run_review(
    data_dir: Path,
    year: int,
    out: Path | None = None,
    config_path: Path | None = None,
    progress=None,
) -> RunResult:
    """Execute every stage for `year` over `data_dir`; publish into `out` (default reports/YEAR)."""
    data_dir = Path(data_dir).resolve()
    out = Path(out or Path("reports") / str(year)).resolve()
    config = load_config(config_path, year)  # fail on a bad config before any kernel starts
    if not data_dir.is_dir():
        raise ReviewError(f"{data_dir}: data folder not found")
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        staging = out.parent / f".{out.name}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "notebooks").mkdir(parents=True)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        params = {
            "year": year,
            "data_dir": str(data_dir),
            "config_path": str(Path(config_path).resolve()) if config_path else "",
            "output_dir": str(staging),
        }
        for name, title in STAGES:
            if progress:
                progress(title)
            t0 = time.perf_counter()
            _execute(name, params, staging, out)
            timings[name] = round(time.perf_counter() - t0, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        outputs = {
            "pdf": staging / f"annual-review-{year}.pdf",
            "html": staging / f"annual-review-{year}.html",
            "workbook": staging / f"metrics-{year}.xlsx",
            "rejected": staging / "rejected-rows.csv",
        }
        for label, path in outputs.items():
            if not path.exists():
                raise ReviewError(f"the run finished but did not write its {label}: {path.name}")
        _write_manifest(staging, data_dir, config, config_path, timings)
        _publish(staging, out)
    final = {k: out / v.name for k, v in outputs.items()} | {"manifest": out / "manifest.json"}
    return RunResult(out=out, outputs=final, timings=timings)


def _kernel_manager(log_path: Path):
    """A kernel manager whose kernel writes its own log (start-up chatter, warnings, a crash's
    last words) to a file kept beside the executed notebook, not onto the user's terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with log_path.open("ab") as log:  # the kernel keeps its own copy of the handle
                kw["stderr"] = kw["stdout"] = log
                return await super()._async_launch_kernel(kernel_cmd, **kw)

    return LoggedKernelManager


def _execute(name: str, params: dict, staging: Path, out: Path) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = NOTEBOOK_DIR / f"{name}.ipynb"
    target = staging / "notebooks" / f"{name}.ipynb"
    declared = pm.inspect_notebook(str(source))
    try:
        pm.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in params.items() if k in declared},
            kernel_name=kernel_name(),
            cwd=str(NOTEBOOK_DIR),
            start_timeout=START_TIMEOUT_S,
            execution_timeout=CELL_TIMEOUT_S,
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_kernel_manager(target.with_suffix(".kernel.log")),
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(target, out)
        message = exc.evalue if exc.ename == "ReviewError" else f"{exc.ename}: {exc.evalue}"
        raise ReviewError(
            f"{name}.ipynb failed in cell {exc.exec_count}: {message}\n"
            f"The executed notebook is kept for diagnosis: {kept}\nThe previous outputs are untouched."
        ) from None
    except Exception as exc:  # kernel died, timeout, missing kernel
        kept = _keep_failed(target, out)
        raise ReviewError(
            f"{name}.ipynb could not run: {type(exc).__name__}: {exc}\n"
            f"The executed notebook (if any) is kept at {kept}. The previous outputs are untouched."
        ) from None


def _keep_failed(notebook: Path, out: Path) -> Path:
    failed = out.parent / f"{out.name}-failed"
    failed.mkdir(parents=True, exist_ok=True)
    kept = failed / notebook.name
    if notebook.exists():
        shutil.copy2(notebook, kept)
    return kept


def _publish(staging: Path, out: Path) -> None:
    """Swap the staging folder in. Between the two renames `out` is briefly absent; the old
    copy is then at `.OUT.old`, which the next run puts back if this one was killed."""
    old = out.parent / f".{out.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(out.parent / f"{out.name}-failed", ignore_errors=True)


class _lock:
    """An exclusive lock on the output folder; a second run refuses at once with a clear message."""

    def __init__(self, out: Path):
        self.path = out.parent / f".{out.name}.lock"
        self.out = out

    def __enter__(self):
        self.handle = self.path.open("w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            raise ReviewError(
                f"another run is writing {self.out} now; wait for it to finish and try again"
            ) from None
        # A run killed between the two renames of _publish left the old outputs here.
        old = self.out.parent / f".{self.out.name}.old"
        if old.exists() and not self.out.exists():
            old.rename(self.out)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_manifest(staging: Path, data_dir: Path, config, config_path, timings) -> None:
    ingest = artifacts.read_json(staging / "artifacts" / "ingest.json")
    packages = ["pandas", "pandera", "duckdb", "papermill", "weasyprint", "jinja2", "matplotlib", "textstat"]
    outputs = sorted(
        p for p in staging.iterdir() if p.is_file() and p.suffix in {".pdf", ".html", ".xlsx", ".csv"}
    )
    manifest = {
        "review_version": __version__,
        "year": config.year,
        "period": {"label": config.period_label, "start": config.period_start, "end_exclusive": config.period_end},
        "data_dir": str(data_dir),
        "inputs": ingest["files"],
        "other_files": ingest["other_files"],
        "synthetic": ingest["synthetic"],
        "rows_rejected": ingest["rows_rejected"],
        "config_file": str(config_path) if config_path else None,
        "config": config.model_dump(mode="json"),
        "versions": {
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in packages},
        },
        "timings_seconds": timings,
        "outputs": {p.name: _sha256(p) for p in outputs},
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "pid": os.getpid(),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
