"""Run a review: execute the stage notebooks with papermill, then publish the outputs atomically.

The notebooks run in a fixed order of waves (WAVES); the notebooks of one wave run side by
side. Parameters are checked against each notebook's `parameters` cell before any kernel
starts. Each executed notebook is kept with an HTML copy under `notebooks/`: the audit trail.

Everything is written into a staging folder beside the output folder. Only when every notebook
has succeeded is the staging folder swapped in, so a failed or killed run leaves the previous
outputs untouched; the failed notebook is kept in `<out>-failed/`. A lock file stops two runs
of the same output folder at once.

The notebook overhead is kept off the critical path: each notebook's kernel is started (and has
imported `review.evidence.pipeline` and friends) while the notebooks before it run (review.runner.kernels), and the HTML
copies are written in the background while the next notebooks run (_HtmlCopies).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import platform
import shutil
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

# Only light imports here: pandas, pandera and DuckDB (review.runner.artifacts, review.evidence.rollup)
# are imported where needed, after the first kernel has been started, so that the driver's imports
# overlap that kernel's start instead of delaying it, and a re-run with nothing changed
# (review.runner.cache.unchanged, light too) never imports them.
from review import __version__
from review.runner import outdir, spark_server
from review.config import config_used, load_config
from review.errors import ReviewError
from review.inputs.folders import refuse_year_folder
from review.runner.kernels import KERNELS_STARTING, START_TIMEOUT_S, Kernels, kernels_ahead, papermill_engine, stop_kernel
from review.paths import NOTEBOOK_DIR

# The stages in order, in waves. A wave starts when the one before has finished; the notebooks
# within a wave do not depend on each other (each reads the canonical tables and writes only its
# own clause's artifacts), so they run side by side. Each notebook: parameters, calls into
# review, narrative.
WAVES: list[tuple[str, list[str]]] = [
    ("Check the data", ["10-data-quality"]),
    (
        "Compute the evidence, P1 to P5 and P7",
        # The longest (P4) first, so its kernel is started while the data is checked and the
        # wave does not wait for it at the end; the others in an order that keeps P4, the
        # largest in memory on size L (2.2 GB), beside the smaller ones rather than P1 (1.7 GB).
        [
            "24-p4-quality-and-plain-english",
            "23-p3-availability-and-response",
            "22-p2-critical-incidents",
            "25-p5-conduct-and-governance",
            "27-p7-equality-and-accessibility",
            "21-p1-reach-and-engagement",
        ],
    ),
    ("Rate the evidence and run the recommendation rules (P6)", ["30-p6-recommendations"]),
    ("Write the board report", ["90-board-report"]),
]
STAGES: list[str] = [name for _, names in WAVES for name in names]
# The stages before the recommendations read the data and the config, never the team's decisions:
# a re-run after editing only the decisions reuses what they wrote (review.runner.cache).
REUSABLE_NOTEBOOKS: list[str] = STAGES[: STAGES.index("30-p6-recommendations")]
KERNEL = "policy-review"
CELL_TIMEOUT_S = 1800  # any one cell; size L's slowest cell takes minutes, not half an hour
# Notebooks of one wave run at most this many at a time. Two: on the two-core machines the team
# uses, two kernels overlap one kernel's start-up and imports with the other's work; more only
# queue for the cores and hold more copies of the tables in memory (measured in docs/guide.md).
WORKERS = 2
# Parameters a run passes, by the type name papermill.inspect_notebook infers from the literal.
PARAMETER_TYPES = {"int": int, "str": str, "bool": bool}


@dataclass
class RunResult:
    out: Path
    outputs: dict[str, Path]
    timings: dict[str, float]  # seconds: each notebook, the notebook overhead, the whole run
    stages: dict[str, float] = dataclasses.field(default_factory=dict)  # seconds per stage (review.runner.timings)
    cache: dict = dataclasses.field(default_factory=dict)  # what the run reused (review.runner.cache)


@dataclass
class NotebookRun:
    """One executed notebook and where its time went (seconds, wall clock)."""

    name: str
    seconds: float = 0.0  # from the call to papermill to its return
    kernel_start: float = 0.0  # call to first cell: read, inject parameters, start the kernel
    imports: float = 0.0  # the import cell: `from review.evidence import pipeline` (pandas, pandera, ...)
    shutdown: float = 0.0  # last cell to return: stop the kernel, write the notebook
    html: float = 0.0  # the HTML copy
    error: str | None = None  # the one-line reason it failed, when it did
    skipped: bool = False  # not started because another notebook of its wave failed

    @property
    def overhead(self) -> float:
        return self.kernel_start + self.imports + self.shutdown

    def as_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "kernel_start_seconds": round(self.kernel_start, 3),
            "imports_seconds": round(self.imports, 3),
            "shutdown_seconds": round(self.shutdown, 3),
            "work_seconds": round(self.seconds - self.overhead, 3),
            "html_seconds": round(self.html, 3),
        }


def kernel_name() -> str:
    """The project's kernel if setup installed it, else this Python's own."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL if KERNEL in KernelSpecManager().find_kernel_specs() else "python3"


def check_parameters(params: dict, notebook_dir: Path = NOTEBOOK_DIR) -> dict[str, dict]:
    """What each notebook is passed, checked against its `parameters` cell before any kernel starts.

    papermill only warns about a parameter a notebook does not declare, and silently keeps the
    default of one the run does not pass (a default output folder would write outside the
    staging folder). Both are errors here, as is a value of the wrong type.
    """
    import papermill as pm

    passed = {}
    for name in STAGES:
        path = notebook_dir / f"{name}.ipynb"
        if not path.exists():
            raise ReviewError(f"{path}: notebook not found")
        declared = pm.inspect_notebook(str(path))
        unknown = sorted(set(declared) - set(params))
        if unknown:
            raise ReviewError(f"{name}.ipynb declares parameters a run does not pass: {', '.join(unknown)}")
        for key, spec in declared.items():
            expected = PARAMETER_TYPES.get(spec["inferred_type_name"])
            value = params[key]
            # a bool is an int to Python: only a bool parameter takes one
            if expected is None or not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
                raise ReviewError(
                    f"parameter {key} of {name}.ipynb: expected {spec['inferred_type_name']}, "
                    f"got {type(value).__name__} {value!r}"
                )
        passed[name] = {key: params[key] for key in declared}
    # A parameter no notebook declares (a misspelt `ouput_dir`) would be dropped without a word.
    undeclared = sorted(set(params) - {key for values in passed.values() for key in values})
    if undeclared:
        raise ReviewError(f"parameter(s) {', '.join(undeclared)}: no notebook declares them in its parameters cell")
    return passed


def run_review(
    data_dir: Path,
    year: int,
    out: Path | None = None,
    config_path: Path | None = None,
    progress=None,
    workers: int = WORKERS,
    notebook_dir: Path = NOTEBOOK_DIR,
    use_cache: bool = True,
    engine: str | None = None,
    skip_unknown: bool = False,
) -> RunResult:
    """Execute every stage for `year` over `data_dir`; publish into `out` (default reports/YEAR).

    With `use_cache`, the data-quality and clause notebooks are not run again when nothing they
    read has changed since the last run into `out` (review.runner.cache): a re-run after editing the
    decisions file runs only the recommendations and the report. use_cache=False runs
    everything and writes no cache.

    `workers` notebooks of a wave run at once (1: one after another). A failed notebook stops
    the run with a ReviewError naming the notebook, the cell and the exception; the executed
    notebook and an HTML copy are kept in `<out>-failed/` and the previous outputs are untouched.

    `engine` ("duckdb" or "spark") runs the rollups on that engine instead of the config's.

    `skip_unknown` goes on without input files that match no known format (review.inputs.ingest); they
    are listed as skipped in the manifest and the report's data-sources appendix.
    """
    if not isinstance(year, int) or isinstance(year, bool):
        raise ReviewError(f"year: expected a whole number, got {year!r}")
    if workers < 1:
        raise ReviewError(f"workers: expected 1 or more, got {workers}")
    started = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    config = load_config(config_path, year)  # fail on a bad config before any kernel starts
    if not data_dir.is_dir():
        raise ReviewError(f"{data_dir}: data folder not found")
    out = out or Path("reports") / str(year)
    # Everything the outputs depend on, hashed once (review.runner.cache.RunInputs): with nothing
    # changed, the published outputs are reused whole, before pandas or any kernel is started.
    # --no-cache neither reuses nor records it, as it neither reads nor writes the cache.
    inputs = None
    if config_path and use_cache:
        from review.runner import cache

        params = _params(year, data_dir, config_path, "", engine or "", skip_unknown)
        inputs = cache.RunInputs.read(data_dir, config, config_path, params, outdir.resolve(out), notebook_dir,
                                      hash_data=False)
        reused = _reuse_unchanged(out, year, data_dir, config_path, inputs, started)
        if reused:
            return reused
    if engine:
        from review.evidence.rollup import check_engine

        engine = check_engine(engine)
    engine = engine or ""  # empty: the config's engine
    refuse_year_folder(data_dir)
    out = _claim(out, data_dir, config, config_path)
    failed = outdir.claim(out.parent / f"{out.name}-failed", "failed", option="the failed-run folder",
                          advice="move it away, or choose another --out")
    with outdir.write_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        with _lock(out):
            outputs, timings, stages, cached = _run_into(out, failed, data_dir, year, config, config_path, progress,
                                                         workers, notebook_dir, use_cache, engine, skip_unknown, inputs)
    final = {k: out / v.name for k, v in outputs.items()} | {"manifest": out / "manifest.json"}
    return RunResult(out=out, outputs=final, timings=timings, stages=stages, cache=cached.as_dict())


def _params(year: int, data_dir: Path, config_path: Path | None, output_dir: str, engine: str, skip_unknown: bool) -> dict:
    """What a run passes every notebook (check_parameters)."""
    return {
        "year": year,
        "data_dir": str(data_dir),
        "config_path": str(Path(config_path).resolve()) if config_path else "",
        "output_dir": output_dir,
        "engine": engine,
        "skip_unknown": skip_unknown,
    }


def _reuse_unchanged(out: Path, year: int, data_dir: Path, config_path: Path, inputs, started: float) -> RunResult | None:
    """The last run's outputs in `out`, reused whole when nothing they depend on has changed and
    they are as it published them (review.runner.cache.unchanged); else None, with the reason in
    `inputs.why`. Nothing in `out` is touched. Only light modules are imported up to here."""
    from review.runner import cache

    real = outdir.resolve(out)
    if not (real / cache.MANIFEST).is_file():
        inputs.why = "no earlier outputs"
        return None
    # The rules for outputs (review.runner.outdir.claim), as a run applies them: never an input's
    # folder, nor a failed-run folder that is not ours.
    outdir.claim(out, "run", inputs=[("the input folder (--data)", data_dir), ("the config file (--config)", config_path),
                                     ("the decisions file", inputs.decisions_path),
                                     ("last year's register", inputs.previous_register)])
    outdir.claim(real.parent / f"{real.name}-failed", "failed", option="the failed-run folder",
                 advice="move it away, or choose another --out")
    with _lock(real):  # not while another run is writing it
        same, inputs.why = cache.unchanged(real, inputs)
        if not same:
            return None
        outdir.remove(real.parent / f"{real.name}-failed", "failed")  # an older failure's notebooks, as a run does
    outputs = {"pdf": f"annual-review-{year}.pdf", "html": f"annual-review-{year}.html",
               "workbook": f"metrics-{year}.xlsx", "rejected": "rejected-rows.csv", "manifest": cache.MANIFEST}
    state = cache.CacheState(key=inputs.digest, status=cache.UNCHANGED, reused=list(STAGES), outputs=inputs.why)
    return RunResult(out=real, outputs={k: real / v for k, v in outputs.items()},
                     timings={"total": round(time.perf_counter() - started, 3)}, cache=state.as_dict())


def _claim(out: Path, data_dir: Path, config, config_path: Path | None) -> Path:
    """The output folder, checked by the one rule for outputs (review.runner.outdir): never the data, the
    config, the decisions, last year's register or the project, nor a folder that is not ours."""
    from review.config import decisions_path, previous_register_path

    inputs = [("the input folder (--data)", data_dir), ("the config file (--config)", config_path),
              ("the decisions file", decisions_path(config, config_path)),
              ("last year's register", previous_register_path(config, config_path, outdir.resolve(out)))]
    return outdir.claim(out, "run", inputs=inputs)


def _run_into(out, failed, data_dir, year, config, config_path, progress, workers, notebook_dir, use_cache, engine,
              skip_unknown, inputs=None):
    """Run every stage into a staging folder beside `out` and publish it; the lock is held.
    `inputs`: review.runner.cache.RunInputs, None without a config file."""
    outdir.clear(failed, "failed")
    with outdir.staging(out, "run") as staging:
        (staging / "notebooks").mkdir()
        started = time.perf_counter()
        # The first kernels start now, before anything heavy is imported here (papermill to
        # check the parameters, pandas), so that their own start-up of a second or more overlaps
        # them: the data-quality check's, or, when only the decisions or the templates changed
        # (the clause evidence will probably come from the cache), the recommendations' and the
        # report's at once. Neither uses Spark. The plan after the cache has answered settles
        # which notebook each kernel serves.
        ahead = kernels_ahead(sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file()))
        kernels = Kernels(kernel_name(), notebook_dir, staging / "notebooks", ahead=ahead, starting=KERNELS_STARTING)
        html = None
        runs: list[NotebookRun] = []
        with contextlib.ExitStack() as spark:  # the Spark server, if one is started below
            try:
                likely_reused = inputs is not None and use_cache and inputs.evidence_likely_reused
                kernels.plan(STAGES[len(REUSABLE_NOTEBOOKS):] if likely_reused else [STAGES[0]])
                # Papermill's import (most of a second) waits until the first kernel's process has
                # started: beside it, the two threads shared one interpreter, and the kernel
                # started only once both were done.
                kernels.wait_launched(timeout=START_TIMEOUT_S)
                params = check_parameters(_params(year, data_dir, config_path, str(staging), engine, skip_unknown), notebook_dir)
                if inputs:
                    inputs.hash_data()  # unless the check for unchanged outputs did, while the first kernel starts
                cached = _restore_cache(use_cache, config, config_path, inputs, out, staging, progress)
                done: set[str] = set(cached.reused)
                to_run = [n for n in STAGES if n not in done]
                # Spark on a cluster: one Spark Connect server, the run's one Spark application, from
                # here to the end of the run (review.runner.spark_server), if a notebook that takes an
                # `engine` will run (none does after a cache hit); before the kernels of those
                # notebooks start, as they find the server in their environment. Nothing otherwise.
                if any("engine" in params[n] for n in to_run):
                    spark.enter_context(spark_server.for_run(config, engine))
                kernels.plan(to_run)
                html = _HtmlCopies()
                for title, names in WAVES:
                    names = [n for n in names if n not in done]
                    if not names:
                        continue
                    if progress:
                        progress(title if len(names) == 1 else f"{title} ({len(names)} notebooks, {min(workers, len(names))} at a time)")
                    wave = _run_wave(names, params, staging, kernels, workers, notebook_dir, html)
                    runs += wave
                    _raise_for_failures(wave, staging, failed)
                    done.update(names)
                    if use_cache and cached.status == "miss" and done >= set(REUSABLE_NOTEBOOKS):
                        from review.runner import cache

                        cache.save(staging, out, cached.key, REUSABLE_NOTEBOOKS)  # before the stages that read the decisions
                        cached.status = "saved"
            finally:
                kernels.close()  # a kernel started for a notebook that never ran (a failed wave)
                if html:
                    html.close()  # every HTML copy written before the manifest, or the staging folder goes
        html.check()
        total = time.perf_counter() - started
        outputs = {
            "pdf": staging / f"annual-review-{year}.pdf",
            "html": staging / f"annual-review-{year}.html",
            "workbook": staging / f"metrics-{year}.xlsx",
            "rejected": staging / "rejected-rows.csv",
        }
        for label, path in outputs.items():
            if not path.exists():
                raise ReviewError(f"the run finished but did not write its {label}: {path.name}")
        timings = {r.name: round(r.seconds, 3) for r in runs}
        timings["notebook overhead"] = round(sum(r.overhead for r in runs), 3)
        timings["total"] = round(total, 3)
        from review.runner import artifacts, timings as stage_timings

        stages = stage_timings.collect(staging)
        artifacts.write_json(staging / "artifacts" / "timings.json", {"stages": stages, "notebooks": timings})
        _write_manifest(staging, data_dir, config, config_path, timings, runs, workers,
                        stages=stages, cache_state=cached.as_dict(), kernels_ahead=ahead,
                        run_digest=inputs.digest if inputs else None)
        _publish(staging, out)  # the failed notebooks are kept apart, in `failed`
    return outputs, timings, stages, cached


def _restore_cache(use_cache, config, config_path, inputs, out, staging, progress) -> cache.CacheState:
    """Fill the staging folder from a valid cache of this run's inputs (review.runner.cache), or say
    why not. On a hit, the decisions and last year's register are applied again here, as the
    data-quality stage would have done."""
    from review.runner import cache

    why = getattr(inputs, "why", "")  # why the published outputs were not reused whole
    if not use_cache:
        return cache.CacheState(key="", status="off", outputs="--no-cache")
    if not config_path:
        # Without a config file the decisions and last year's register are found relative to
        # the working folder, which differs between this process and the notebooks' kernels.
        return cache.CacheState(key="", status="off", reason="no config file", outputs="no config file")
    config_file = Path(config_path).resolve()
    state = cache.restore(out, inputs.key, staging)
    state.outputs = why
    if state.status == "hit":
        if progress:
            progress("Reusing the checked data and the evidence from the last run (inputs unchanged)")
        cache.refresh_register(config.year, str(config_file) if config_file else "", staging)
    return state


def _run_wave(names, params, staging, kernels, workers, notebook_dir, html=None) -> list[NotebookRun]:
    """Run one wave's notebooks, `workers` at a time; after a failure, start no more of them."""
    if workers == 1 or len(names) == 1:
        runs = []
        for name in names:
            stopped = any(r.error for r in runs)
            runs.append(NotebookRun(name, skipped=True) if stopped
                        else _execute(name, params[name], staging, kernels, notebook_dir, html))
        return runs
    stop = threading.Event()

    def run(name: str) -> NotebookRun:
        if stop.is_set():
            return NotebookRun(name, skipped=True)
        result = _execute(name, params[name], staging, kernels, notebook_dir, html)
        if result.error:
            stop.set()
        return result

    with ThreadPoolExecutor(max_workers=min(workers, len(names)), thread_name_prefix="notebook") as pool:
        return list(pool.map(run, names))  # results in stage order


def _raise_for_failures(wave: list[NotebookRun], staging: Path, failed: Path) -> None:
    errors = [r for r in wave if r.error]
    if not errors:
        return
    failed.mkdir(parents=True, exist_ok=True)
    for r in errors:
        for suffix in (".ipynb", ".kernel.log", ".html"):
            source = staging / "notebooks" / f"{r.name}{suffix}"
            if source.exists():
                shutil.copy2(source, failed / source.name)
    outdir.mark(failed, "failed")
    first, *others = errors
    code = outdir.errno_in(first.error)
    if code:  # the disk filled or went read-only under a notebook: say so (review.runner.outdir.write_error)
        raise OSError(code, f"{os.strerror(code)}, in {first.name}.ipynb", str(staging))
    also = ""
    if others:
        also = "\nAlso failed in the same stage: " + ", ".join(f"{r.name}.ipynb" for r in others)
    kept = failed / f"{first.name}.ipynb"
    raise ReviewError(
        f"{first.error}{also}\n"
        f"The executed notebook is kept for diagnosis: {kept} (and {kept.with_suffix('.html').name} beside it).\n"
        "The previous outputs are untouched."
    )


def _execute(name: str, params: dict, staging: Path, kernels: Kernels, notebook_dir: Path,
             html: _HtmlCopies | None = None) -> NotebookRun:
    """Execute one notebook into staging/notebooks/ and write its HTML copy (in the background
    with `html`, except for a failed notebook: its copy is kept in `<out>-failed/`). Never raises
    for a failure inside the notebook: the result carries the message instead."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    run = NotebookRun(name)
    source = notebook_dir / f"{name}.ipynb"
    target = staging / "notebooks" / f"{name}.ipynb"
    began = time.time()
    manager = None
    try:
        engine = papermill_engine()
        manager = kernels.take(name)
        pm.execute_notebook(
            str(source),
            str(target),
            parameters=params,
            engine_name=engine,
            km=manager,  # started in the notebook folder (no `cwd` here: papermill would chdir this process)
            kernel_name=kernels.kernel_name,
            start_timeout=START_TIMEOUT_S,
            execution_timeout=CELL_TIMEOUT_S,
            progress_bar=False,
            log_output=False,
            # Stop the kernel at once when the last cell has returned: every cell's files are
            # written by then, and a graceful stop (interrupt, request, wait for the interpreter
            # to tear down pandas and friends) cost about a second per notebook.
            shutdown_kernel="immediate",
        )
    except PapermillExecutionError as exc:
        message = exc.evalue if exc.ename == "ReviewError" else f"{exc.ename}: {exc.evalue}"
        run.error = f"{name}.ipynb failed in cell {exc.exec_count} ({_first_line(exc.source)}): {message}"
    except Exception as exc:  # the kernel died or did not start, a cell timed out
        why = f"{type(exc).__name__}: {exc}"
        if type(exc).__name__ == "DeadKernelError":  # nbclient's; os._exit, a segfault, the OOM killer
            why = (f"the kernel died while running it ({exc}): out of memory, or a crash inside a library; "
                   f"its last output is in {name}.kernel.log beside the kept notebook")
        run.error = f"{name}.ipynb could not run: {why}"
    finally:
        if manager is not None:
            stop_kernel(manager)  # stopped already, unless papermill failed before running it
    run.seconds = time.time() - began
    if target.exists():
        try:
            _time_notebook(run, target, began, began + run.seconds)
        except ValueError:  # not JSON: cut short as papermill wrote it (a full disk); the error says why
            if run.error:
                return run
            raise
        if html is None or run.error:
            html_began = time.perf_counter()
            write_html(target, target.with_suffix(".html"))
            run.html = time.perf_counter() - html_began
        else:
            html.submit(run, target)
    return run


class _HtmlCopies:
    """The HTML copies of the executed notebooks, written one at a time in a background thread
    while the next notebooks run; close() waits for them (before the manifest, which records
    their time, or before a failed run's staging folder is removed). The thread imports nbconvert
    and builds its exporter once (most of a second, in no copy's html_seconds), and
    keeps the exporter."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="html")
        self.exporter = None
        self.copies: list[Future] = []

    def _exporter(self):
        if self.exporter is None:
            self.exporter = _html_exporter()
        return self.exporter

    def submit(self, run: NotebookRun, notebook: Path) -> None:
        def copy():
            exporter = self._exporter()
            began = time.perf_counter()
            write_html(notebook, notebook.with_suffix(".html"), exporter)
            run.html = time.perf_counter() - began

        self.copies.append(self.pool.submit(copy))

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def check(self) -> None:
        """Raise the first error of a copy, once closed."""
        for copy in self.copies:
            copy.result()


def _first_line(source: str) -> str:
    lines = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    first = lines[0] if lines else source.strip()
    return f"`{first[:77] + '...' if len(first) > 80 else first}`"


def _time_notebook(run: NotebookRun, path: Path, began: float, ended: float) -> None:
    """Split a notebook's time using papermill's per-cell timestamps: before the first cell is
    kernel start; the first code cell after the parameters is the imports; after the last cell
    is shutdown.

    The kernel was started ahead (review.runner.kernels) and has imported PRELOAD as it started, so
    kernel_start is the wait for that kernel to be ready (nothing when it was; the rest of its
    start-up overlapped the notebooks before), and imports is the import cell's own time (next
    to nothing once PRELOAD is in). The start-up the kernel did ahead is in no notebook's time."""
    import nbformat

    cells = [c for c in nbformat.read(path, as_version=4).cells if c.metadata.get("papermill", {}).get("start_time")]
    if not cells:
        return
    run.kernel_start = max(0.0, _timestamp(cells[0].metadata.papermill.start_time) - began)
    last_end = cells[-1].metadata.papermill.get("end_time")
    run.shutdown = max(0.0, ended - _timestamp(last_end)) if last_end else 0.0
    tags = [set(c.metadata.get("tags", [])) for c in cells]
    after = max((i for i, t in enumerate(tags) if t & {"parameters", "injected-parameters"}), default=-1)
    code = [c for c in cells[after + 1:] if c.cell_type == "code"]
    if code and code[0].metadata.papermill.get("duration") is not None:
        run.imports = float(code[0].metadata.papermill.duration)


def _timestamp(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()


# The HTML copy for readers without Jupyter: JupyterLab's look, with nothing fetched from the
# network (no require.js, MathJax or Mermaid from a CDN; images inline) and outputs sanitised.
_HTML_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""


def _html_exporter():
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"audit.html.j2": _HTML_TEMPLATE})],
        template_file="audit.html.j2",
        embed_images=True,
        sanitize_html=True,
    )


def write_html(notebook: Path, html: Path, exporter=None) -> None:
    """A self-contained HTML copy of an executed notebook (with `exporter`, one from
    _html_exporter() to reuse, in one thread at a time)."""
    import nbformat

    body, _ = (exporter or _html_exporter()).from_notebook_node(nbformat.read(notebook, as_version=4))
    html.write_text(body, encoding="utf-8")


def _publish(staging: Path, out: Path) -> None:
    """Swap the staging folder in (review.runner.outdir.publish); a failed run's notebooks from before
    go, if they are ours."""
    outdir.publish(staging, out, "run")
    outdir.remove(out.parent / f"{out.name}-failed", "failed")


class _lock:
    """An exclusive lock on the output folder; a second run refuses at once with a clear message."""

    def __init__(self, out: Path):
        self.path = out.parent / f".{out.name}.lock"
        self.out = out

    def __enter__(self):
        self.handle = self.path.open("a")  # "a": a file of that name is never emptied
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


def _write_manifest(staging: Path, data_dir: Path, config, config_path, timings, runs, workers,
                    stages=None, cache_state=None, kernels_ahead=None, run_digest=None) -> None:
    from review.runner import artifacts, cache

    ingest = artifacts.read_json(staging / "artifacts" / "ingest.json")
    packages = ["pandas", "pandera", "duckdb", "papermill", "weasyprint", "jinja2", "matplotlib", "textstat"]
    manifest = {
        "review_version": __version__,
        "year": config.year,
        "period": {"label": config.period_label, "start": config.period_start, "end_exclusive": config.period_end},
        "data_dir": str(data_dir),
        "inputs": ingest["files"],  # the original files, also when DATA is a `review ingest` output folder
        "ingest": ingest.get("ingest"),  # that ingest's folder and sources, or None
        "other_files": ingest["other_files"],
        "skipped": ingest.get("skipped", []),
        "synthetic": ingest["synthetic"],
        "rows_rejected": ingest["rows_rejected"],
        "config_file": str(Path(config_path).resolve()) if config_path else None,
        "config_used": config_used(config_path, config.year),  # the file, or the built-in defaults and where it looked
        "config": config.model_dump(mode="json"),
        "versions": {
            "python": platform.python_version(),
            **{name: metadata.version(name) for name in packages},
        },
        "timings_seconds": timings,
        "stage_seconds": stages or {},  # review.runner.timings: where the work went, summed over notebooks
        "cache": cache_state or {},  # review.runner.cache: notebooks reused from the last run, and why not
        "notebooks": {
            "workers": workers,
            "kernels_ahead": kernels_ahead,  # review.runner.kernels: started ahead of their notebooks
            "waves": [names for _, names in WAVES],
            "timings": {r.name: r.as_dict() for r in runs},
        },
        # Everything the outputs depend on (review.runner.cache.RunInputs; None without a config file),
        # and the checksum of every file published beside this manifest: a re-run with nothing changed
        # finds both the same and reuses the outputs whole (review.runner.cache.unchanged).
        "run_digest": run_digest,
        "outputs": cache.published_checksums(staging),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "pid": os.getpid(),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
