"""Where a run's time goes, stage by stage: what `make bench` reports and the manifest records.

Each notebook runs in its own kernel, so a stage cannot hand its timings to the driver in
memory. Instead a stage function wraps its work in `recording(output_dir, label)` and the parts
of it in `measure(stage)`; on the way out the totals are written to
`artifacts/timings/<label>.json`, and `collect` adds every notebook's file up after the run.

Times are exclusive: a `measure` inside another (a DuckDB rollup inside a clause's metrics)
is taken out of the outer one, so the stages add up to the work done and nothing is counted
twice. The stage names are fixed (STAGES) so that the benchmark's table has the same rows for
every size.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

# ingest: read and type every input file; validate: the contracts and the rejected-rows log;
# rollup: load the canonical tables, place rows in the period and aggregate (DuckDB);
# metrics: each clause's figures, the ratings and the recommendation rules; charts: drawn by each
# clause's stage; html, pdf, workbook: the report stage (reading the artifacts and writing the
# text count as html).
# The notebook overhead (kernel start, imports, shutdown) is
# measured by the driver from papermill's cell timestamps (review.runner.run).
STAGES = ("ingest", "validate", "rollup", "metrics", "charts", "html", "pdf", "workbook")
TIMINGS_DIR = Path("artifacts") / "timings"

_totals: dict[str, float] = defaultdict(float)
_open: list[float] = []  # seconds spent in nested measures, one entry per measure in progress


@contextmanager
def measure(stage: str):
    """Add the wall time of the block to `stage`, less any `measure` nested inside it."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    _open.append(0.0)
    began = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - began
        nested = _open.pop()
        _totals[stage] += elapsed - nested
        if _open:
            _open[-1] += elapsed


@contextmanager
def recording(output_dir: str | Path, label: str, rest: str | None = None):
    """Write the stage totals measured during the block to artifacts/timings/<label>.json,
    also when the block fails (a failed run's timings help find the slow part). The time of
    the block that no `measure` covered is added to the stage `rest`, when given."""
    _totals.clear()
    began = time.perf_counter()
    try:
        yield
    finally:
        if rest is not None:
            _totals[rest] += max(0.0, time.perf_counter() - began - sum(_totals.values()))
        path = Path(output_dir) / TIMINGS_DIR / f"{label}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {stage: round(seconds, 4) for stage, seconds in sorted(_totals.items())}
        path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _totals.clear()


def collect(output_dir: str | Path) -> dict[str, float]:
    """Seconds per stage (every stage in STAGES, 0.0 when none was recorded) summed over the
    timing files of a run's output folder."""
    totals = dict.fromkeys(STAGES, 0.0)
    folder = Path(output_dir) / TIMINGS_DIR
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        for stage, seconds in json.loads(path.read_text(encoding="utf-8")).items():
            totals[stage] = totals.get(stage, 0.0) + float(seconds)
    return {stage: round(seconds, 3) for stage, seconds in totals.items()}


def add(stage: str, seconds: float) -> None:
    """Add `seconds` of work done elsewhere (a child process) to `stage`."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    _totals[stage] += seconds


def timed(stage: str, function, /, *args, **kwargs):
    """`function(*args, **kwargs)`, its time added to `stage`: one line in a stage function."""
    with measure(stage):
        return function(*args, **kwargs)


def records(label: str, rest: str | None = None):
    """Decorate a stage function that takes `output_dir`: its measures are written under
    `label`, which may name another argument in braces ("{clause}" for a clause stage); the
    time no measure covered goes to the stage `rest`."""
    import functools
    import inspect

    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            with recording(bound.arguments["output_dir"], label.format(**bound.arguments), rest):
                return function(*args, **kwargs)

        return wrapper

    return decorate
