"""DuckDB against Spark (local[*]) for every rollup, on one data folder's review period.

    .venv/bin/review sample --size M --year 2025 --out /tmp/m
    .venv/bin/python scripts/bench_engines.py /tmp/m

Prints the Spark session's start time and, per rollup, seconds: medians of 3 runs over the
frames the clause stages pass and over Parquet files (written, microsecond timestamps, to a
temporary folder), plus Spark's first run (its JIT warming up). Run it on an idle machine.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from review.config import SparkSettings, load_config
from review.evidence.metrics.period import slice_period
from review.evidence.rollup import ROLLUPS, run_rollup, spark_session, stop_spark
from review.year import read_tables

data = Path(sys.argv[1])
warnings.simplefilter("ignore")
started = time.perf_counter()
tables = read_tables(data)
print(f"read and validate the inputs: {time.perf_counter() - started:.1f} s")
cfg = load_config(Path("config/2025.yml"), 2025)
p = slice_period(tables, cfg)
frames = {"posts": p.posts, "contacts": p.contacts, "critical_incidents": p.critical_incidents}
print({k: len(v) for k, v in frames.items()})
pq = Path(tempfile.mkdtemp(prefix="bench-engines-"))
paths = {}
for k, v in frames.items():
    paths[k] = pq / f"{k}.parquet"
    v.to_parquet(paths[k], index=False, coerce_timestamps="us", allow_truncated_timestamps=False)
params = {"target": 60.0, "first_hours": 6}


def timed(fn, n=3):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


t = time.perf_counter()
spark_session(SparkSettings(master="local[*]", shuffle_partitions=4))
start = time.perf_counter() - t
print(f"spark session start {start:.1f} s")
rows = []
for name in ROLLUPS:
    t = time.perf_counter()
    run_rollup(name, params, engine="spark", **frames)
    first = time.perf_counter() - t
    rows.append({"rollup": name,
                 "duckdb frames": timed(lambda: run_rollup(name, params, **frames)),
                 "spark frames (first)": first,
                 "spark frames": timed(lambda: run_rollup(name, params, engine="spark", **frames)),
                 "duckdb parquet": timed(lambda: run_rollup(name, params, **paths)),
                 "spark parquet": timed(lambda: run_rollup(name, params, engine="spark", **paths))})
    print(rows[-1], flush=True)
df = pd.DataFrame(rows).set_index("rollup").round(2)
df.loc["total"] = df.sum()
print(df.to_string())
stop_spark()
shutil.rmtree(pq, ignore_errors=True)
print(f"load average at the end: {os.getloadavg()}")
