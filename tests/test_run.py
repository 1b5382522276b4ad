"""`review run` through real kernels: every notebook, its audit trail, its artifacts, its failures.

One run of size S for the module (about 20 s); the failure tests run only until their notebook
fails. The figures themselves are checked in test_end_to_end.py and test_metrics.py; here the
point is that the notebook path gives exactly what `compute_metrics` gives in one process.
"""

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

import review
from review.runner import artifacts
from review.errors import ReviewError
from review.evidence.metrics import CLAUSE_MODULES
from review.evidence.metrics.registry import METRICS
from review.evidence.recommend import recommend
from review.evidence.register import decide
from review.runner.run import NOTEBOOK_DIR, STAGES, kernel_name, run_review
from review.inputs.sample import build_sample

pytestmark = pytest.mark.e2e
YEAR = 2025


@pytest.fixture(scope="module")
def run(tmp_path_factory, repo_root):
    base = tmp_path_factory.mktemp("run")
    data, out = base / "data", base / "reports" / str(YEAR)
    build_sample("S", YEAR, data)
    config = repo_root / "config" / f"{YEAR}.yml"
    result = run_review(data, YEAR, out, config)
    return data, out, config, result


def executed(out, name):
    return nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4)


def test_every_notebook_is_kept_with_an_html_copy(run):
    _, out, _, _ = run
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == sorted(STAGES)
    assert sorted(p.stem for p in (out / "notebooks").glob("*.html")) == sorted(STAGES)
    assert sorted(p.name for p in (out / "notebooks").glob("*.kernel.log")) == sorted(f"{n}.kernel.log" for n in STAGES)
    assert not list((out / "notebooks").glob(".kernel-*")), "every kernel started ahead was used, its log renamed"
    assert not (out.parent / f".{out.name}.staging").exists()
    assert not (out.parent / f"{out.name}-failed").exists()


@pytest.mark.parametrize("name", STAGES)
def test_executed_notebook_reads_as_an_audit_trail(run, name):
    _, out, _, _ = run
    nb = executed(out, name)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f"year = {YEAR}" in injected[0].source, "the run's parameters are on record"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.metadata.papermill.status == "completed" for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    tables = [c for c in code if any("text/html" in o.get("data", {}) for o in c.outputs)]
    assert tables, "each notebook shows what it computed"


@pytest.mark.parametrize("name", STAGES)
def test_html_copy_is_self_contained(run, name):
    _, out, _, _ = run
    html = (out / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "nothing is fetched from the network"
    assert "<style" in html and "<table" in html


def test_each_clause_writes_its_own_artifacts(run):
    _, out, _, _ = run
    for clause in CLAUSE_MODULES:
        raw = artifacts.read_json(out / "artifacts" / "clauses" / f"{clause}.json")
        assert raw["clause"] == clause and raw["has_prior"]
        assert {h["metric_id"] for h in raw["headlines"]} == {m for m, x in METRICS.items() if x.clause == clause}
        for table in raw["tables"]:
            assert (out / "artifacts" / "tables" / f"{table['table_id']}.parquet").exists()
        for series in raw["series"]:
            assert (out / "artifacts" / "series" / f"{series}.parquet").exists()


def test_read_metrics_keeps_its_shape(run):
    _, out, _, _ = run
    m = artifacts.read_metrics(out)
    assert set(m) == {"headlines", "tables", "series", "recommendations", "register", "has_prior"}
    assert [h.metric_id for h in m["headlines"]] == list(METRICS), "registry order"
    order = list(CLAUSE_MODULES)
    assert [order.index(t.clause) for t in m["tables"]] == sorted(order.index(t.clause) for t in m["tables"])
    assert m["has_prior"] is True and isinstance(m["register"], pd.DataFrame)


def test_the_notebooks_give_what_compute_metrics_gives(run):
    """Seven clause notebooks and the recommendations notebook, through Parquet and JSON, against
    compute_metrics in one process (what review.load and the unit tests use)."""
    _, out, config, _ = run
    m = artifacts.read_metrics(out)
    year = review.load(out, YEAR, config=config)
    assert m["headlines"] == year.metrics.headlines
    assert [t.table_id for t in m["tables"]] == [t.table_id for t in year.metrics.tables]
    for got, want in zip(m["tables"], year.metrics.tables):
        assert (got.title, got.clause, got.note) == (want.title, want.clause, want.note)
        pd.testing.assert_frame_equal(got.frame, want.frame.reset_index(drop=True), check_dtype=False)
    assert sorted(m["series"]) == sorted(year.metrics.series)
    for series_id, frame in year.metrics.series.items():
        pd.testing.assert_frame_equal(m["series"][series_id], frame.reset_index(drop=True), check_dtype=False)
    # the rules' recommendations, set against the register so far (no decisions file here)
    cfg = year.metrics.current.config
    assert m["recommendations"] == decide(recommend(year.metrics), year.metrics.current.recommendations, cfg,
                                          decisions={}, period_end=cfg.period_end).for_board


def test_canonical_parquet_keeps_the_contract_types(run):
    """The clause stages skip re-validating the canonical tables; this is why they may."""
    _, out, _, _ = run
    checked, as_read = artifacts.read_canonical(out), artifacts.read_canonical(out, validate=False)
    for name in checked:
        pd.testing.assert_frame_equal(as_read[name], checked[name])


def test_the_manifest_says_which_config_was_used(run):
    _, out, config, _ = run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config_file"] == manifest["config_used"] == str(config.resolve())


def test_manifest_splits_notebook_time(run):
    _, out, _, result = run
    manifest = json.loads((out / "manifest.json").read_text())
    timings = manifest["notebooks"]["timings"]
    assert list(timings) == STAGES
    for t in timings.values():
        assert t["kernel_start_seconds"] > 0 and t["imports_seconds"] > 0 and t["work_seconds"] >= 0
    assert 0 < result.timings["notebook overhead"] and 0 < result.timings["total"]


def test_explore_notebook_runs_on_the_run(run, tmp_path):
    _, out, config, _ = run
    pm.execute_notebook(
        str(NOTEBOOK_DIR / "explore.ipynb"),
        str(tmp_path / "explore.ipynb"),
        parameters={"year": YEAR, "data": str(out), "config_path": str(config)},
        kernel_name=kernel_name(),
        cwd=str(NOTEBOOK_DIR),
        execution_timeout=300,
        progress_bar=False,
    )
    nb = nbformat.read(tmp_path / "explore.ipynb", as_version=4)
    assert all(c.metadata.papermill.status == "completed" for c in nb.cells if c.cell_type == "code")


def _snapshot(out):
    return {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _our_kernels() -> list[str]:
    """The kernel processes this test process started and has not stopped (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue  # gone meanwhile
        if parent == str(os.getpid()) and "ipykernel" in command:
            found.append(f"{stat.parent.name}: {command}")
    return found


def test_a_review_error_in_a_notebook_is_shown_as_it_is(run):
    """Nothing falls in 2031: the data-quality notebook says so, in its own words."""
    data, out, _, _ = run
    before = _snapshot(out)
    with pytest.raises(ReviewError) as caught:
        run_review(data, 2031, out)
    message = str(caught.value)
    assert message.startswith(
        "10-data-quality.ipynb failed in cell 6 (`pipeline.period_stage(year, config_path, output_dir)`): "
        "no posts or contacts fall in the review period 2031")
    assert "ReviewError" not in message and "Traceback" not in message
    kept = out.parent / f"{out.name}-failed" / "10-data-quality.ipynb"
    assert f"kept for diagnosis: {kept}" in message and kept.exists() and kept.with_suffix(".html").exists()
    assert _snapshot(out) == before, "the previous outputs are untouched"
    assert not (out.parent / f".{out.name}.staging").exists()
    assert _our_kernels() == [], "no kernel is left running, those started ahead for later notebooks included"


def test_a_failing_clause_notebook_stops_the_run(run, tmp_path):
    """An exception in one notebook of the parallel wave: named with its cell; later waves never start."""
    data, out, config, _ = run
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, notebooks)
    target = notebooks / "21-p1-reach-and-engagement.ipynb"
    nb = nbformat.read(target, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "clause_stage" in c.source)
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell("# A bug in a view\nshare = p1.headlines[0].value / 0"))
    nbformat.write(nb, target)
    before = _snapshot(out)
    with pytest.raises(ReviewError) as caught:
        run_review(data, YEAR, out, config, notebook_dir=notebooks)
    message = str(caught.value)
    first = message.splitlines()[0]
    assert first == ("21-p1-reach-and-engagement.ipynb failed in cell 5 "
                     "(`share = p1.headlines[0].value / 0`): ZeroDivisionError: float division by zero")
    failed = out.parent / f"{out.name}-failed"
    assert (failed / "21-p1-reach-and-engagement.ipynb").exists()
    assert (failed / "21-p1-reach-and-engagement.html").exists()
    assert not (failed / "30-p6-recommendations.ipynb").exists()
    assert not list(failed.glob(".kernel-*")), "only the failed notebooks' files are kept"
    assert _snapshot(out) == before
    assert _our_kernels() == [], "no kernel is left running, those started ahead for later notebooks included"
