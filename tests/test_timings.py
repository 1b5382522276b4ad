"""review.runner.timings: stage times are exclusive, written per notebook and added up per run."""

import json
import time

import pytest

from review.runner import timings


def test_nested_measures_are_taken_out_of_the_outer_stage(tmp_path):
    with timings.recording(tmp_path, "P3"):
        with timings.measure("metrics"):
            time.sleep(0.05)
            with timings.measure("rollup"):
                time.sleep(0.1)
    recorded = json.loads((tmp_path / "artifacts" / "timings" / "P3.json").read_text())
    assert recorded["rollup"] == pytest.approx(0.1, abs=0.05)
    assert recorded["metrics"] == pytest.approx(0.05, abs=0.04), "the rollup's 0.1 s is not counted twice"


def test_time_no_measure_covers_goes_to_the_rest_stage(tmp_path):
    @timings.records("{clause}", rest="metrics")
    def stage(clause, output_dir):
        timings.timed("rollup", time.sleep, 0.05)
        time.sleep(0.08)

    stage("P1", output_dir=tmp_path)
    recorded = json.loads((tmp_path / "artifacts" / "timings" / "P1.json").read_text())
    assert recorded["rollup"] == pytest.approx(0.05, abs=0.03)
    assert recorded["metrics"] == pytest.approx(0.08, abs=0.04)


def test_a_failing_stage_still_records_its_time(tmp_path):
    with pytest.raises(RuntimeError):
        with timings.recording(tmp_path, "10-ingest"):
            with timings.measure("ingest"):
                raise RuntimeError("bad file")
    assert "ingest" in json.loads((tmp_path / "artifacts" / "timings" / "10-ingest.json").read_text())


def test_collect_adds_up_every_notebook_and_lists_every_stage(tmp_path):
    folder = tmp_path / "artifacts" / "timings"
    folder.mkdir(parents=True)
    (folder / "P1.json").write_text(json.dumps({"rollup": 1.25, "metrics": 2.0}))
    (folder / "P3.json").write_text(json.dumps({"rollup": 0.5}))
    totals = timings.collect(tmp_path)
    assert list(totals) == list(timings.STAGES)
    assert totals["rollup"] == 1.75 and totals["metrics"] == 2.0 and totals["pdf"] == 0.0
    assert timings.collect(tmp_path / "nowhere") == dict.fromkeys(timings.STAGES, 0.0)


def test_an_unknown_stage_is_an_error():
    with pytest.raises(ValueError, match="unknown stage"):
        with timings.measure("lunch"):
            pass
