"""The benchmark harness (review.bench): the shape of what it writes, not the speed (speed is
measured by `make bench`, never asserted in a test)."""

import json
import re

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
    full, rerun, unchanged = s["runs"][0]["full"], s["runs"][0]["rerun"], s["runs"][0]["unchanged"]
    assert set(full["stages"]) == set(ROWS)
    assert full["seconds"] > 0 and full["peak_memory_mb"] > 100, "the tree's memory includes the kernels"
    assert len(full["notebooks_run"]) == 9
    assert rerun["cache"] in {"hit", "saved"}  # "saved": the code changed between the runs
    assert rerun["outputs_reason"] == "changed since the last run: decisions"
    assert unchanged["cache"] == "unchanged" and unchanged["notebooks_run"] == [], "nothing changed: reused whole"
    assert unchanged["seconds"] < full["seconds"] and s["median"]["unchanged_reused"] == 1
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
    assert [t["met"] for t in saved["targets"]] == [None] * 5, "M and L were not run"
    assert bench.verdict(saved["targets"]) == 0
    assert set(saved["cli"]) == {"review --help", "review run --help"} and all(v > 0 for v in saved["cli"].values())
    markdown = (out / "bench.md").read_text()
    for row in ROWS + ["end to end", "re-run after editing the decisions", "re-run with nothing changed", "peak memory",
                       "end to end, CPU seconds"]:
        assert f"| {row}" in markdown or f"| **{row}**" in markdown, row
    assert "| S |" in markdown and "not measured" in markdown and "`review --help`" in markdown


def fake_size(size, total, rerun, memory, pdf, floors, data_bytes, unchanged=0.5, reused=1):
    stages = dict.fromkeys(ROWS, 1.0) | {"pdf": pdf}
    floor_sum = sum(floors.values())
    pdf_kernel = floors["weasyprint"] + floors["kernel_start"]
    return {
        "size": size, "repeats": 1, "data": {"bytes": data_bytes, "csv_rows": 10, "files": 1},
        "median": {"total_seconds": total, "rerun_seconds": rerun, "peak_memory_mb": memory, "stages": stages,
                   "rerun_cache_hits": 1, "unchanged_seconds": unchanged, "unchanged_reused": reused},
        "floors": floors | {"sum": floor_sum},
        "stage_floors": {"pdf": floors["weasyprint"]},
        "ratios": dict.fromkeys(ROWS) | {"pdf": pdf / floors["weasyprint"], "total": total / floor_sum,
                                         "total_vs_pdf_kernel": round(total / pdf_kernel, 2),
                                         "rerun_vs_pdf": round(rerun / floors["weasyprint"], 2)},
    }


FLOORS = {"weasyprint": 4.0, "duckdb_scan": 1.0, "kernel_start": 1.0}  # WeasyPrint + kernel: 5 s


def targets_of(sizes):
    """By name, without the count of reused runs a missed no-change target adds."""
    return {re.sub(r" \(\d+/\d+ reused\)$", "", t["target"]): t for t in bench.check_targets(sizes)}


def test_targets_are_judged_against_issue_18s_limits():
    sizes = {
        "M": fake_size("M", 10.0, 5.0, 900.0, 5.0, FLOORS, 100, unchanged=0.8),  # 10/5 = 2.0x; 5/4 = 1.25x
        "L": fake_size("L", 61.0, 20.0, 3000.0, 6.0, FLOORS, 4000),
    }
    targets = targets_of(sizes)
    assert list(targets) == ["M end to end / (WeasyPrint floor + one bare kernel start)", "M re-run with nothing changed",
                             "M re-run after editing the decisions / WeasyPrint floor", "L end to end", "L peak memory"]
    first = bench.check_targets(sizes)[0]
    assert (first["value"], first["limit"], first["met"]) == (2.0, 2.0, True)  # at most 2.0x: 2.0 is met
    assert targets["M re-run with nothing changed"]["met"] is True  # 0.8 s <= 1 s
    rerun = targets["M re-run after editing the decisions / WeasyPrint floor"]
    assert (rerun["value"], rerun["met"]) == (1.25, True)
    assert targets["L end to end"]["met"] is False  # 61 > 60
    assert targets["L peak memory"]["met"] is True and targets["L peak memory"]["limit"] == 3072

    missed = bench.check_targets({"M": fake_size("M", 10.5, 5.3, 900.0, 5.0, FLOORS, 100, unchanged=1.2),
                                  "L": fake_size("L", 59.0, 20.0, 3100.0, 6.0, FLOORS, 4000)})
    # 10.5/5 = 2.1x; 1.2 s; 5.3/4 = 1.33x; 59 s is within 60; 3100 MB over 3072
    assert [t["met"] for t in missed] == [False, False, False, True, False]


def test_a_no_change_rerun_that_did_not_reuse_the_outputs_is_a_miss_however_fast():
    sizes = {"M": fake_size("M", 10.0, 5.0, 900.0, 5.0, FLOORS, 100, unchanged=0.9, reused=0)}
    target = targets_of(sizes)["M re-run with nothing changed"]
    assert target["value"] == 0.9 and target["met"] is False
    assert "(0/1 reused)" in bench.check_targets(sizes)[1]["target"]


def test_sizes_not_run_are_not_measured_never_met():
    targets = bench.check_targets({"S": fake_size("S", 10.0, 5.0, 500.0, 3.0, FLOORS, 10)})
    assert [t["met"] for t in targets] == [None] * 5 and [t["value"] for t in targets] == [None] * 5
    assert bench.verdict(targets) == 0
    only_m = bench.check_targets({"M": fake_size("M", 10.0, 5.0, 900.0, 5.0, FLOORS, 100)})
    assert [t["met"] for t in only_m] == [True, True, True, None, None]


def test_the_exit_code_is_1_and_names_each_missed_target(capsys):
    sizes = {"M": fake_size("M", 12.0, 5.0, 900.0, 5.0, FLOORS, 100), "L": fake_size("L", 70.0, 20.0, 2000.0, 6.0, FLOORS, 4000)}
    assert bench.verdict(bench.check_targets(sizes)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["target missed: M end to end / (WeasyPrint floor + one bare kernel start): 2.40 x > 2.0 x",
                   "target missed: L end to end: 70.00 s > 60 s"]
    sizes["M"] = fake_size("M", 10.0, 5.0, 900.0, 5.0, FLOORS, 100)
    sizes["L"] = fake_size("L", 60.0, 20.0, 3072.0, 6.0, FLOORS, 4000)
    assert bench.verdict(bench.check_targets(sizes)) == 0
    assert capsys.readouterr().err == "all 5 measured target(s) met\n"


def test_main_exits_with_the_verdict(monkeypatch, tmp_path):
    """`python -m review.bench` (make bench) fails when a measured target is missed."""
    def fake_run(sizes, repeats, repeats_large, out, *args):
        result = {"started": "2026-01-01T00:00:00+00:00", "machine": {"cpus": 2, "memory_gb": 8, "python": "3.11"},
                  "sizes": {"M": fake_size("M", speed, 5.0, 900.0, 5.0, FLOORS, 100)}, "cli": {"review --help": 0.2}}
        result["targets"] = bench.check_targets(result["sizes"])
        return result

    monkeypatch.setattr(bench, "run_bench", fake_run)
    speed = 10.0
    assert bench.main(["--sizes", "M", "--out", str(tmp_path)]) == 0
    speed = 11.0
    assert bench.main(["--sizes", "M", "--out", str(tmp_path)]) == 1
    done = __import__("subprocess").run([__import__("sys").executable, "-m", "review.bench", "--sizes", "X",
                                         "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode != 0 and "unknown size X" in done.stderr


def test_markdown_has_a_row_per_stage_a_column_per_size_and_each_target():
    result = {
        "started": "2026-01-01T00:00:00+00:00",
        "machine": {"cpus": 2, "memory_gb": 8, "python": "3.11"},
        "sizes": {"S": fake_size("S", 10.0, 4.0, 500.0, 3.0, FLOORS, 10), "M": fake_size("M", 14.0, 6.0, 900.0, 5.0, FLOORS, 100)},
        "cli": {"review --help": 0.21, "review run --help": 0.33},
    }
    result["targets"] = bench.check_targets(result["sizes"])
    lines = bench.to_markdown(result).splitlines()
    header = next(line for line in lines if line.startswith("| stage |"))
    assert header.count("median") == 2
    pdf = next(line for line in lines if line.startswith("| pdf |"))
    assert "5.00" in pdf and "1.25x" in pdf  # M: 5 s over a 4 s floor
    assert "| M end to end / (WeasyPrint floor + one bare kernel start) | 2.80 x | 2.0 x | **missed** |" in lines
    assert "| M re-run with nothing changed | 0.50 s | 1.0 s | met |" in lines
    assert "| M re-run after editing the decisions / WeasyPrint floor | 1.50 x | 1.3 x | **missed** |" in lines
    assert "| L end to end | - | 60 s | not measured |" in lines
    assert "| L peak memory | - | 3,072 MB | not measured |" in lines
    assert "| `review --help` | 0.21 |" in lines
    assert any(line.startswith("| re-run with nothing changed | 0.50 | 1/1 reused |") for line in lines)
