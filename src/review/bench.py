"""`make bench`: how long a review takes at sizes S, M and L, where the time goes, and how far
each stage is from the fastest it could be.

For each size the harness generates the seeded sample once (kept under reports/bench/samples/
and reused by later benchmarks), then, `repeats` times:

1. a full `review run` from scratch in a fresh process (no cache), timed end to end, with the
   peak memory of the whole process tree (the driver and its kernels, sampled with psutil) and
   the run's own per-stage seconds (review.runner.timings, from the manifest);
2. a re-run into the same folder after editing only the team's decisions file, which reuses the
   checked data and the clause evidence (review.runner.cache);
3. a re-run with nothing changed, which reuses the published outputs whole
   (review.runner.cache.unchanged).

Then it measures the floors, the cost of the unavoidable work done by the best tool alone, each
in a fresh process and timed after its imports:

- WeasyPrint rendering the run's print HTML (artifacts/report-print.html, the document the
  PDF is made from) to a PDF/UA file (the floor of the PDF stage);
- DuckDB reading every input file into tables (the floor of reading, typing and checking);
- one bare kernel start: papermill executing an empty notebook with the project's kernel (the
  floor of each notebook's overhead).

Each stage's median is divided by its floor; the end-to-end median by the sum of the three.
Stage seconds add up the work of every notebook, so with notebooks running side by side they
can sum to more than the wall time. Results: reports/bench/bench.json and bench.md (markdown).

The targets (issue 18, TARGETS) are checked at the end: each ratio or measure is printed against
its limit, met or missed ("not measured" when its size was not run, never a pass), and the
command exits 1 when a measured target is missed, naming it. `review --help` is timed too (the
command line's own start), with no target.

    python -m review.bench [--sizes S,M,L] [--repeats 3] [--repeats-large 1] [--out reports/bench]

BENCH_SIZES, BENCH_REPEATS and BENCH_REPEATS_LARGE set the same from the environment (the
Makefile passes them through): `make bench BENCH_SIZES=S,M` for a quick run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from review.paths import ROOT, TEMPLATE_DIR
from review.outputs.report import PRINT_HTML
from review.runner.timings import STAGES

SIZES = ("S", "M", "L")
LARGE = {"L"}  # sizes run `repeats_large` times: one L run takes minutes
ROWS = STAGES + ("notebook overhead",)
# What each stage is measured against. ingest, validate and rollup all read the inputs, which
# DuckDB alone does in `duckdb_scan`; the PDF stage is WeasyPrint's; the notebook overhead is a
# bare kernel start per notebook. Charts, HTML, workbook and the metrics have no outside floor.
FLOOR_OF = {
    "ingest": "duckdb_scan",
    "validate": "duckdb_scan",
    "rollup": "duckdb_scan",
    "pdf": "weasyprint",
    "notebook overhead": "kernel_start",
}
TARGETS_NOTE = "Targets (issue 18, medians on the 2-core machine)"
MEMORY_L_MB = 3072  # 3 GB
CLI_REPEATS = 5


def _log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- samples ------------------------------------------------------------------------------------


def sample_dir(samples: Path, size: str, year: int, seed: int) -> Path:
    return samples / f"{size}-{year}-seed{seed}"


def ensure_sample(samples: Path, size: str, year: int, seed: int) -> Path:
    """The seeded sample of `size`, generated once: a folder whose SYNTHETIC.json marker
    (written last by review.inputs.sample) proves it is the generator's, untouched, is reused; anything
    else is regenerated."""
    from review.inputs.sample import proven_sample

    folder = sample_dir(samples, size, year, seed)
    if folder.is_dir() and proven_sample(folder, sorted(folder.glob("*.csv")))[0] is not None:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    building = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(building, ignore_errors=True)
    _log(f"generating size {size} sample into {folder}")
    subprocess.run(
        [sys.executable, "-m", "review.inputs.sample", "--size", size, "--year", str(year), "--seed", str(seed), "--out", str(building)],
        check=True, stdout=subprocess.DEVNULL,
    )
    building.rename(folder)
    return folder


def data_summary(folder: Path) -> dict:
    files = [p for p in folder.iterdir() if p.is_file() and p.suffix in {".csv", ".xlsx", ".parquet"}]
    rows = 0
    for path in files:
        if path.suffix == ".csv":
            with path.open("rb") as handle:
                rows += max(0, sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1)
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files), "csv_rows": rows}


# --- measuring a process tree -------------------------------------------------------------------


class PeakMemory:
    """The highest total resident memory of a process and all its descendants, sampled every
    `interval` seconds while it runs (kernels come and go, so the sum is what the machine
    must hold at once)."""

    def __init__(self, pid: int, interval: float = 0.1, limit_bytes: int | None = None):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.limit_bytes = limit_bytes  # stop the tree above this: the machine is shared
        self.peak_bytes = 0
        self.exceeded = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for process in processes:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_bytes = max(self.peak_bytes, total)
            if self.limit_bytes and total > self.limit_bytes:
                self.exceeded = True
                for process in reversed(processes):
                    try:
                        process.kill()
                    except psutil.Error:
                        pass
                return
            self._stop.wait(self.interval)


def run_command(args: list[str], timeout: float | None = None) -> dict:
    """Run `args`; its wall seconds, peak tree memory and (under "output") what it printed. A
    failure raises with its output.
    BENCH_MEMORY_LIMIT_MB, when set, stops the run once its tree holds more than that."""
    limit = os.environ.get("BENCH_MEMORY_LIMIT_MB")
    cpu_before = _children_cpu()
    began = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with PeakMemory(process.pid, limit_bytes=int(float(limit) * 2**20) if limit else None) as memory:
        output, _ = process.communicate(timeout=timeout)
    seconds = time.perf_counter() - began
    if memory.exceeded:
        raise RuntimeError(f"{' '.join(args)} stopped after {seconds:.0f} s: its processes held more than "
                           f"BENCH_MEMORY_LIMIT_MB={limit} MB")
    if process.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({process.returncode}):\n{output[-3000:]}")
    # CPU seconds of the whole tree (every kernel is waited for, so its time is counted): on a
    # shared machine the wall time grows with the load, the CPU time hardly does.
    cpu = _children_cpu() - cpu_before
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "peak_memory_mb": round(memory.peak_bytes / 2**20, 1),
            "output": output}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def review_run(data: Path, year: int, config: Path, out: Path, cache: bool) -> dict:
    args = [sys.executable, "-m", "review.cli", "run", "--data", str(data), "--year", str(year),
            "--config", str(config), "--out", str(out), "--cache" if cache else "--no-cache"]
    path = out / "manifest.json"
    before = path.stat().st_mtime_ns if path.exists() else None
    measured = run_command(args)
    output = measured.pop("output")
    if before is not None and path.stat().st_mtime_ns == before:
        # the outputs were reused whole (review.runner.cache.unchanged): the manifest is the last run's
        if "Outputs reused whole" not in output:
            raise RuntimeError(f"{' '.join(args)} wrote no manifest and did not say it reused the outputs:\n{output[-3000:]}")
        return measured | {"stages": dict.fromkeys(ROWS, 0.0), "notebooks_run": [], "cache": "unchanged"}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    stages = dict(manifest.get("stage_seconds") or {})
    stages["notebook overhead"] = manifest["timings_seconds"].get("notebook overhead", 0.0)
    return measured | {
        "stages": {row: round(float(stages.get(row, 0.0)), 3) for row in ROWS},
        "notebooks_run": sorted(manifest["notebooks"]["timings"]),
        "cache": (manifest.get("cache") or {}).get("status"),
        "outputs_reason": (manifest.get("cache") or {}).get("outputs", ""),  # why not reused whole
    }


def cli_start(repeats: int = CLI_REPEATS) -> dict:
    """Median wall seconds of `review --help` and `review run --help`, each in a fresh process."""
    timings = {}
    for name, args in (("review --help", ["--help"]), ("review run --help", ["run", "--help"])):
        seconds = []
        for _ in range(repeats):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "review.cli", *args], check=True, capture_output=True)
            seconds.append(time.perf_counter() - began)
        timings[name] = round(statistics.median(seconds), 3)
    return timings


# --- floors -------------------------------------------------------------------------------------

_WEASYPRINT = """
import sys, time
from pathlib import Path
from weasyprint import HTML
html, pdf, base = sys.argv[1:4]
began, cpu = time.perf_counter(), time.process_time()
HTML(filename=html, base_url=Path(base).as_uri() + "/").write_pdf(pdf, pdf_variant="pdf/ua-1")
print(time.perf_counter() - began, time.process_time() - cpu)
"""

_DUCKDB = """
import sys, time
from pathlib import Path
import duckdb
files = [p for p in sorted(Path(sys.argv[1]).iterdir()) if p.suffix in {".csv", ".parquet"}]
began, cpu = time.perf_counter(), time.process_time()
con = duckdb.connect()
for i, path in enumerate(files):
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv_auto"
    con.execute(f"CREATE TABLE t{i} AS SELECT * FROM {reader}(?)", [str(path)])
print(time.perf_counter() - began, time.process_time() - cpu)
"""

_KERNEL = """
import resource, sys, time
import nbformat, papermill as pm
from review.runner.run import kernel_name
empty, out = sys.argv[1:3]
nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")]), empty)
kernel = kernel_name()
def cpu():
    kernel = resource.getrusage(resource.RUSAGE_CHILDREN)  # the kernel, once stopped and reaped
    return time.process_time() + kernel.ru_utime + kernel.ru_stime
began, cpu0 = time.perf_counter(), cpu()
pm.execute_notebook(empty, out, kernel_name=kernel, progress_bar=False, log_output=False, shutdown_kernel="immediate")
print(time.perf_counter() - began, cpu() - cpu0)
"""


def _floor(script: str, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the floor's measured part, as the script prints them."""
    result = subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True, text=True)
    wall, cpu = result.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def measure_floors(data: Path, html: Path, work: Path, repeats: int) -> dict:
    """Median seconds of each floor over `repeats` fresh processes (see the module docstring)."""
    work.mkdir(parents=True, exist_ok=True)
    samples = {"weasyprint": [], "duckdb_scan": [], "kernel_start": []}
    for _ in range(repeats):
        samples["weasyprint"].append(_floor(_WEASYPRINT, str(html), str(work / "floor.pdf"), str(TEMPLATE_DIR)))
        samples["duckdb_scan"].append(_floor(_DUCKDB, str(data)))
        samples["kernel_start"].append(_floor(_KERNEL, str(work / "empty.ipynb"), str(work / "empty-out.ipynb")))
    floors = {name: round(statistics.median(w for w, _ in values), 3) for name, values in samples.items()}
    floors["sum"] = round(sum(floors.values()), 3)
    cpu = {name: round(statistics.median(c for _, c in values), 3) for name, values in samples.items()}
    floors["cpu"] = cpu | {"sum": round(sum(cpu.values()), 3)}
    return floors


# --- one size -----------------------------------------------------------------------------------

DECISIONS = (
    "# written by review.bench: the edit between a run and its re-run\n",
    "# written by review.bench: the edit between a run and its re-run (second version)\n",
)


def bench_size(size: str, year: int, config: Path, samples: Path, work: Path, repeats: int, seed: int) -> dict:
    """Full runs, decision-only re-runs and re-runs with nothing changed of one size, their
    medians, the floors and ratios."""
    data = ensure_sample(samples, size, year, seed)
    config_dir = work / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    run_config = config_dir / config.name
    shutil.copy2(config, run_config)
    decisions = config_dir / f"decisions-{year}.yml"
    out = work / "reports" / str(year)
    runs = []
    for repeat in range(repeats):
        shutil.rmtree(work / "reports", ignore_errors=True)
        decisions.write_text(DECISIONS[0], encoding="utf-8")
        _log(f"size {size}: full run {repeat + 1} of {repeats}")
        full = review_run(data, year, run_config, out, cache=True)
        decisions.write_text(DECISIONS[1], encoding="utf-8")  # only the decisions change
        _log(f"size {size}: re-run after editing the decisions, {repeat + 1} of {repeats}")
        rerun = review_run(data, year, run_config, out, cache=True)
        _log(f"size {size}: re-run with nothing changed, {repeat + 1} of {repeats}")
        unchanged = review_run(data, year, run_config, out, cache=True)
        runs.append({"full": full, "rerun": rerun, "unchanged": unchanged})
    _log(f"size {size}: floors")
    floors = measure_floors(data, out / PRINT_HTML, work / "floors", repeats)  # the HTML the PDF is made from

    def median(values):
        return round(statistics.median(values), 3)

    stages = {row: median([r["full"]["stages"][row] for r in runs]) for row in ROWS}
    medians = {
        "total_seconds": median([r["full"]["seconds"] for r in runs]),
        "total_cpu_seconds": median([r["full"]["cpu_seconds"] for r in runs]),
        "rerun_cpu_seconds": median([r["rerun"]["cpu_seconds"] for r in runs if r["rerun"]["cache"] == "hit"] or [0.0]),
        # only re-runs that did reuse the cache: a code edit saved mid-benchmark makes a full run
        "rerun_seconds": median(hits) if (hits := [r["rerun"]["seconds"] for r in runs if r["rerun"]["cache"] == "hit"]) else None,
        "rerun_cache_hits": len(hits),
        "peak_memory_mb": median([r["full"]["peak_memory_mb"] for r in runs]),
        "rerun_peak_memory_mb": median([r["rerun"]["peak_memory_mb"] for r in runs]),
        # every one, reused or not: a no-change re-run that ran in full is slow, and counted so
        "unchanged_seconds": median([r["unchanged"]["seconds"] for r in runs]),
        "unchanged_reused": sum(r["unchanged"]["cache"] == "unchanged" for r in runs),
        "stages": stages,
    }
    notebooks = len(runs[0]["full"]["notebooks_run"])
    floor_of = {row: floors[name] * (notebooks if row == "notebook overhead" else 1) for row, name in FLOOR_OF.items()}
    ratios = {row: (round(stages[row] / floor_of[row], 2) if row in floor_of and floor_of[row] else None) for row in ROWS}
    ratios["total"] = round(medians["total_seconds"] / floors["sum"], 2) if floors["sum"] else None
    ratios["total_cpu"] = round(medians["total_cpu_seconds"] / floors["cpu"]["sum"], 2) if floors["cpu"]["sum"] else None
    # issue 18's: end to end over the PDF and one kernel start; the decisions-only re-run over the PDF
    pdf_kernel = floors["weasyprint"] + floors["kernel_start"]
    ratios["total_vs_pdf_kernel"] = round(medians["total_seconds"] / pdf_kernel, 2) if pdf_kernel else None
    ratios["rerun_vs_pdf"] = (round(medians["rerun_seconds"] / floors["weasyprint"], 2)
                              if medians["rerun_seconds"] is not None and floors["weasyprint"] else None)
    return {
        "size": size,
        "data": {"folder": str(data)} | data_summary(data),
        "repeats": repeats,
        "runs": runs,
        "median": medians,
        "floors": floors,
        "stage_floors": {row: round(v, 3) for row, v in floor_of.items()},
        "ratios": ratios,
    }


# --- the report ---------------------------------------------------------------------------------


def check_targets(sizes: dict) -> list[dict]:
    """Issue 18's targets, each with the measured value, its limit and whether it is met (None:
    its size was not benchmarked in this run, which is never a pass)."""
    m, large = sizes.get("M"), sizes.get("L")

    def target(name, value, limit, unit, met=None):
        return {"target": name, "value": value, "limit": limit, "unit": unit,
                "met": None if value is None else (value <= limit if met is None else met)}

    unchanged = m and m["median"].get("unchanged_seconds")
    all_reused = bool(m) and m["median"].get("unchanged_reused") == m["repeats"]
    return [
        target("M end to end / (WeasyPrint floor + one bare kernel start)", m and m["ratios"].get("total_vs_pdf_kernel"),
               2.0, "x"),
        # met only if every one of them did reuse the outputs: a fast full run would be no reuse
        target("M re-run with nothing changed" + ("" if all_reused or not m else
                                                  f" ({m['median'].get('unchanged_reused')}/{m['repeats']} reused)"),
               unchanged, 1.0, "s", met=None if unchanged is None else (unchanged <= 1.0 and all_reused)),
        target("M re-run after editing the decisions / WeasyPrint floor", m and m["ratios"].get("rerun_vs_pdf"), 1.3, "x"),
        target("L end to end", large and large["median"]["total_seconds"], 60, "s"),
        target("L peak memory", large and large["median"]["peak_memory_mb"], MEMORY_L_MB, "MB"),
    ]


def missed(targets: list[dict]) -> list[str]:
    """The measured targets that were missed, in words."""
    return [f"{t['target']}: {_fmt(t['value'], ' ' + t['unit'])} > {t['limit']:,} {t['unit']}"
            for t in targets if t["met"] is False]


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}{unit}" if isinstance(value, float) else f"{value}{unit}"


def to_markdown(result: dict) -> str:
    sizes = result["sizes"]
    names = list(sizes)
    lines = [
        f"# Benchmark {result['started']}",
        "",
        f"{result['machine']['cpus']} CPUs, {result['machine']['memory_gb']} GB, Python {result['machine']['python']}; "
        f"repeats: {', '.join(n + ' x' + str(sizes[n]['repeats']) for n in names)}. Medians in seconds; "
        "stage seconds add up every notebook's work (notebooks run side by side, so they can exceed the wall time); "
        "x floor = the median over its floor.",
        "",
        "| stage | " + " | ".join(f"{n} median | {n} floor | {n} x floor" for n in names) + " |",
        "|---|" + "---:|---:|---:|" * len(names),
    ]
    for row in ROWS:
        cells = []
        for n in names:
            s = sizes[n]
            cells += [_fmt(s["median"]["stages"][row]), _fmt(s["stage_floors"].get(row)), _fmt(s["ratios"].get(row), "x")]
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    total = []
    for n in names:
        s = sizes[n]
        total += [f"**{_fmt(s['median']['total_seconds'])}**", _fmt(s["floors"]["sum"]), _fmt(s["ratios"]["total"], "x")]
    lines.append("| **end to end** | " + " | ".join(total) + " |")
    rerun = []
    for n in names:
        med = sizes[n]["median"]
        rerun += [_fmt(med["rerun_seconds"]), f"{med.get('rerun_cache_hits', '-')}/{sizes[n]['repeats']} reused",
                  _fmt(sizes[n]["ratios"].get("rerun_vs_pdf"), "x pdf")]
    lines.append("| re-run after editing the decisions | " + " | ".join(rerun) + " |")
    unchanged = []
    for n in names:
        med = sizes[n]["median"]
        unchanged += [_fmt(med.get("unchanged_seconds")), f"{med.get('unchanged_reused', '-')}/{sizes[n]['repeats']} reused", ""]
    lines.append("| re-run with nothing changed | " + " | ".join(unchanged) + " |")
    cpu = []
    for n in names:
        s = sizes[n]
        cpu += [_fmt(s["median"].get("total_cpu_seconds")), _fmt(s["floors"].get("cpu", {}).get("sum")), _fmt(s["ratios"].get("total_cpu"), "x")]
    lines.append("| end to end, CPU seconds (all processes) | " + " | ".join(cpu) + " |")
    cpu = []
    for n in names:
        cpu += [_fmt(sizes[n]["median"].get("rerun_cpu_seconds")), "", ""]
    lines.append("| re-run, CPU seconds | " + " | ".join(cpu) + " |")
    memory = []
    for n in names:
        memory += [f"{_fmt(sizes[n]['median']['peak_memory_mb'])} MB", "", ""]
    lines.append("| peak memory (process tree) | " + " | ".join(memory) + " |")
    lines += [
        "",
        "## Floors",
        "",
        "Wall seconds (CPU seconds in brackets).",
        "",
        "| size | data | WeasyPrint, print HTML to PDF | DuckDB, scan the inputs | bare kernel start | sum |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        s = sizes[n]
        f = s["floors"]
        c = f.get("cpu", {})
        cells = [f"{_fmt(f[k])} ({_fmt(c.get(k))})" for k in ("weasyprint", "duckdb_scan", "kernel_start", "sum")]
        lines.append(f"| {n} | {s['data']['csv_rows']:,} rows, {s['data']['bytes'] / 1e6:,.0f} MB | " + " | ".join(cells) + " |")
    lines += ["", "WeasyPrint + kernel: the floor of issue 18's end-to-end ratio (the print document rendered alone, "
              "plus one bare kernel start).", "", "| size | WeasyPrint + kernel | end to end / it |", "|---|---:|---:|"]
    for n in names:
        s = sizes[n]
        lines.append(f"| {n} | {_fmt(round(s['floors']['weasyprint'] + s['floors']['kernel_start'], 3))} | "
                     f"{_fmt(s['ratios'].get('total_vs_pdf_kernel'), 'x')} |")
    if result.get("cli"):
        lines += ["", "## The command line's own start", "", "| command | median seconds |", "|---|---:|"]
        lines += [f"| `{name}` | {_fmt(seconds)} |" for name, seconds in result["cli"].items()]
    lines += ["", f"## {TARGETS_NOTE}", "", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for t in result["targets"]:
        met = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {_fmt(t['value'], ' ' + t['unit'])} | {t['limit']:,} {t['unit']} | {met} |")
    return "\n".join(lines) + "\n"


def run_bench(
    sizes: list[str], repeats: int, repeats_large: int, out: Path, year: int = 2025,
    config: Path | None = None, samples: Path | None = None, seed: int = 2025,
) -> dict:
    """Benchmark each size; write bench.json and bench.md into `out`; return the result."""
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise SystemExit(f"BENCH_SIZES: unknown size {', '.join(unknown)}; expected some of {', '.join(SIZES)}")
    config = Path(config or ROOT / "config" / f"{year}.yml").resolve()
    samples = Path(samples or out / "samples")
    out.mkdir(parents=True, exist_ok=True)
    result = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "year": year,
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        for size in sizes:
            n = repeats_large if size in LARGE else repeats
            result["sizes"][size] = bench_size(size, year, config, samples, Path(tmp) / size, n, seed)
    _log("the command line's start")
    result["cli"] = cli_start()
    result["targets"] = check_targets(result["sizes"])
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    markdown = to_markdown(result)
    (out / "bench.md").write_text(markdown, encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    """Benchmark, print the tables; 1 when a measured target is missed (each named), else 0."""
    env = os.environ
    parser = argparse.ArgumentParser(description="Benchmark `review run` at sizes S, M and L against its floors.")
    parser.add_argument("--sizes", default=env.get("BENCH_SIZES", "S,M,L"), help="comma-separated, e.g. S,M")
    parser.add_argument("--repeats", type=int, default=int(env.get("BENCH_REPEATS", 3)))
    parser.add_argument("--repeats-large", type=int, default=int(env.get("BENCH_REPEATS_LARGE", 1)))
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench")
    parser.add_argument("--samples", type=Path, default=None, help="where generated samples are kept [OUT/samples]")
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    result = run_bench(sizes, args.repeats, args.repeats_large, args.out, args.year, args.config, args.samples)
    print(to_markdown(result))
    print(f"Written: {args.out / 'bench.json'} and {args.out / 'bench.md'}")
    return verdict(result["targets"])


def verdict(targets: list[dict]) -> int:
    """The exit code: 1, naming each on stderr, when a measured target is missed; else 0."""
    misses = missed(targets)
    for miss in misses:
        print(f"target missed: {miss}", file=sys.stderr)
    if not misses:
        measured = sum(t["met"] is not None for t in targets)
        print(f"all {measured} measured target(s) met" + (f"; {len(targets) - measured} not measured"
                                                            if measured < len(targets) else ""), file=sys.stderr)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
