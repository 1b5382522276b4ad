"""The benchmark harness (review.bench): the shape of what it writes, not the speed (speed is
measured by `make bench`, never asserted in a test)."""

import json

import pytest

from review import bench
from review.runner.timings import STAGES

ROWS = [*STAGES, "notebook overhead"]


@pytest.mark.e2e
def test_bench_on_size_s_once_writes_json_and_markdown(tmp_path):
    out = tmp_path / "bench"
    result = bench.run_bench(["S"], repeats=1, repeats_large=1, out=out, samples=tmp_path / "samples")
    saved = json.loads((out / "bench.json").read_text())
    assert saved == json.loads(json.dumps(result))
    s = saved["sizes"]["S"]
    assert s["repeats"] == 1 and len(s["runs"]) == 1
    full, rerun = s["runs"][0]["full"], s["runs"][0]["rerun"]
    assert set(full["stages"]) == set(ROWS)
    assert full["seconds"] > 0 and full["peak_memory_mb"] > 100, "the tree's memory includes the kernels"
    assert len(full["notebooks_run"]) == 9
    assert rerun["cache"] in {"hit", "saved"}  # "saved": the code changed between the runs
    assert set(s["floors"]) == {"weasyprint", "duckdb_scan", "kernel_start", "sum", "cpu"}
    walls = {k: v for k, v in s["floors"].items() if k != "cpu"}
    assert all(v > 0 for v in walls.values()) and all(v > 0 for v in s["floors"]["cpu"].values())
    assert s["floors"]["sum"] == pytest.approx(sum(v for k, v in walls.items() if k != "sum"), abs=0.01)
    assert full["cpu_seconds"] > s["floors"]["cpu"]["kernel_start"], "the tree's CPU time counts the kernels"
    assert s["stage_floors"]["notebook overhead"] == pytest.approx(9 * s["floors"]["kernel_start"], rel=0.01)
    assert s["ratios"]["pdf"] == pytest.approx(s["median"]["stages"]["pdf"] / s["floors"]["weasyprint"], rel=0.02)
    # every stage the runs recorded did some work at size S
    assert all(s["median"]["stages"][row] > 0 for row in ROWS)
    # the generated sample is kept for the next benchmark
    assert (tmp_path / "samples" / "S-2025-seed2025" / "SYNTHETIC.json").exists()
    assert [t["met"] for t in saved["targets"]] == [None] * 6, "M and L were not run"
    markdown = (out / "bench.md").read_text()
    for row in ROWS + ["end to end", "re-run after editing the decisions", "peak memory", "end to end, CPU seconds"]:
        assert f"| {row}" in markdown or f"| **{row}**" in markdown, row
    assert "| S |" in markdown and "not measured" in markdown


def fake_size(size, total, rerun, memory, pdf, floors, data_bytes):
    stages = dict.fromkeys(ROWS, 1.0) | {"pdf": pdf}
    floor_sum = sum(floors.values())
    return {
        "size": size, "repeats": 1, "data": {"bytes": data_bytes, "csv_rows": 10, "files": 1},
        "median": {"total_seconds": total, "rerun_seconds": rerun, "peak_memory_mb": memory, "stages": stages},
        "floors": floors | {"sum": floor_sum},
        "stage_floors": {"pdf": floors["weasyprint"]},
        "ratios": dict.fromkeys(ROWS) | {"pdf": pdf / floors["weasyprint"], "total": total / floor_sum},
    }


def test_targets_are_judged_against_the_issue_limits():
    floors = {"weasyprint": 4.0, "duckdb_scan": 1.0, "kernel_start": 1.0}
    sizes = {
        "M": fake_size("M", 14.0, 6.0, 900.0, 5.0, floors, 100),
        "L": fake_size("L", 130.0, 20.0, 3000.0, 6.0, floors, 4000),
    }
    targets = {t["target"].split(" (")[0]: t for t in bench.check_targets(sizes)}
    assert targets["M end to end"]["met"] is True  # 14 <= 15
    assert targets["M end to end / sum of M's floors"]["value"] == pytest.approx(14 / 6, abs=0.01)
    assert targets["M end to end / sum of M's floors"]["met"] is False  # 2.33 > 2
    assert targets["M re-run after editing the decisions"]["met"] is False  # 6 > 5
    assert targets["L end to end"]["met"] is False  # 130 > 120
    assert targets["L peak memory"]["met"] is True  # 3000 MB <= 4096
    lm = targets["L/M wall-time ratio"]
    assert lm["value"] == pytest.approx(130 / 14, abs=0.01) and lm["limit"] == 20 and lm["met"] is True


def test_markdown_has_a_row_per_stage_and_a_column_per_size():
    floors = {"weasyprint": 4.0, "duckdb_scan": 1.0, "kernel_start": 1.0}
    result = {
        "started": "2026-01-01T00:00:00+00:00",
        "machine": {"cpus": 2, "memory_gb": 8, "python": "3.11"},
        "sizes": {"S": fake_size("S", 10.0, 4.0, 500.0, 3.0, floors, 10), "M": fake_size("M", 14.0, 6.0, 900.0, 5.0, floors, 100)},
    }
    result["targets"] = bench.check_targets(result["sizes"])
    lines = bench.to_markdown(result).splitlines()
    header = next(line for line in lines if line.startswith("| stage |"))
    assert header.count("median") == 2
    pdf = next(line for line in lines if line.startswith("| pdf |"))
    assert "5.00" in pdf and "1.25x" in pdf  # M: 5 s over a 4 s floor
    assert any(line.startswith("| M end to end | 14.00 s | 15 s | yes |") for line in lines)
