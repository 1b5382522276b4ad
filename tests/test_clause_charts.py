"""Each clause stage draws its own charts (review.outputs.charts.clauses) and writes them as
artifacts; the report reads them back (review.runner.artifacts.read_charts) instead of drawing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from markupsafe import escape

from sample_run import YEAR, sample_run
from review.config import load_config
from review.policy import CLAUSES
from review.runner import artifacts


@pytest.fixture(scope="module")
def run():
    return sample_run("S")


def test_a_caption_names_the_year_before_only_when_the_chart_draws_it(run):
    """The sample reviewed for 2024, its first year, captioned its one-line chart "2024 against 2023"."""
    from review.outputs.charts.clauses import draw_charts

    config = load_config(run.config, YEAR)
    series = artifacts.read_clause(run.out, "P1").series
    alone = next(c for c in draw_charts("P1", config, series, False) if c.chart_id == "p1-monthly-impressions")
    assert alone.caption == f"Impressions of all posts each month, {YEAR}. There is no data for {YEAR - 1}."
    assert list(alone.data.frame.columns) == ["month", "impressions_0"]
    both = next(c for c in draw_charts("P1", config, series, True) if c.chart_id == "p1-monthly-impressions")
    assert both.caption == f"Impressions of all posts each month, {YEAR} against {YEAR - 1}."


def test_charts_read_back_equal_those_drawn(run):
    """Drawn again here from each clause's series, every chart equals the one its stage wrote, field
    by field and its data table cell by cell; and the report prints each of them."""
    from review.outputs.charts.clauses import draw_charts

    config = load_config(run.config, YEAR)
    html = run.html.read_text(encoding="utf-8")
    seen = []
    for clause in CLAUSES:
        result = artifacts.read_clause(run.out, clause)
        drawn = draw_charts(clause, config, result.series, result.prior is not None)
        read = artifacts.read_charts(run.out, clause)
        assert [c.chart_id for c in read] == [c.chart_id for c in drawn], clause
        for a, b in zip(read, drawn):
            assert (a.clause, a.title, a.caption, a.alt, a.source, a.svg) == (b.clause, b.title, b.caption, b.alt, b.source, b.svg)
            assert (a.data.table_id, a.data.title, a.data.columns) == (b.data.table_id, b.data.title, b.data.columns)
            pd.testing.assert_frame_equal(a.data.frame, b.data.frame)
            assert str(escape(a.caption)) in html  # escaped as the templates escape it
        seen += [c.chart_id for c in read]
    # size S: one unit, so no training chart (a bar chart needs two bars)
    assert seen == ["p1-monthly-impressions", "p1-reach-per-account", "p2-timeline", "p3-weekday-hour",
                    "p4-plain-english", "p7-alt-text", "p7-representation"]
    assert html.count('<figure class="chart"') == len(seen)


def test_each_clause_has_the_year_before_the_metrics_have(run):
    """A clause draws with its own year before (ClauseMetrics.prior); the report's has_prior
    (assemble_metrics: any clause's) is the same for every clause."""
    metrics = artifacts.read_json(run.out / "artifacts" / "metrics.json")
    for clause in CLAUSES:
        assert artifacts.read_json(run.out / "artifacts" / "clauses" / f"{clause}.json")["has_prior"] == metrics["has_prior"]
    assert metrics["has_prior"] is True  # the sample holds the year before: the line chart has two lines
    assert "p1_monthly_prior" in artifacts.read_clause(run.out, "P1").series


CLAUSE_IMPORTS = """
import json, sys
from review.evidence.pipeline import clause_stage
clause_stage("P6", {year}, sys.argv[1], sys.argv[2])
after_p6 = "matplotlib" in sys.modules
clause_stage("P1", {year}, sys.argv[1], sys.argv[2])
print(json.dumps({{"after_p6": after_p6, "after_p1": "matplotlib" in sys.modules, "weasyprint": "weasyprint" in sys.modules}}))
"""


def test_a_clause_stage_imports_matplotlib_only_to_draw_and_never_weasyprint(run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(run.out, out)
    for path in (out / "artifacts" / "charts").iterdir():
        path.unlink()
    done = subprocess.run([sys.executable, "-c", CLAUSE_IMPORTS.format(year=YEAR), str(run.config), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"after_p6": False, "after_p1": True, "weasyprint": False}
    assert artifacts.read_json(out / "artifacts" / "charts" / "P6.json") == []  # P6 has no series, so no chart
    for name in ("P1.json", "p1-monthly-impressions.parquet", "p1-reach-per-account.parquet"):
        assert (out / "artifacts" / "charts" / name).read_bytes() == (run.out / "artifacts" / "charts" / name).read_bytes()


def test_a_stage_run_by_hand_with_another_config_stops(run, tmp_path):
    """The report reads the charts, evidence and recommendations the stages before it made: run
    by hand with an edited config (a new palette here) it stops and says what to run again,
    rather than printing old charts and figures under the new settings. The recommendations
    stage checks the clauses the same way; the engine alone may differ (same numbers)."""
    import yaml

    from review.errors import ReviewError
    from review.evidence.pipeline import recommend_stage, report_stage

    out = tmp_path / "out"
    shutil.copytree(run.out / "artifacts", out / "artifacts")
    shutil.copytree(run.out / "canonical", out / "canonical")
    raw = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    raw["force"]["palette"] = ["#332288", "#117733", "#882255", "#44AA99", "#AA4499", "#999933", "#88CCEE", "#DDCC77"]
    edited = tmp_path / "edited.yml"
    edited.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    engine = tmp_path / "engine.yml"
    engine.write_text(yaml.safe_dump({**yaml.safe_load(run.config.read_text(encoding="utf-8")), "engine": "spark"},
                                     sort_keys=False), encoding="utf-8")  # fmt: skip
    assert load_config(engine, YEAR).digest == load_config(run.config, YEAR).digest != load_config(edited, YEAR).digest
    with pytest.raises(ReviewError, match=r"clauses/P1.json, .*clauses/P7.json, metrics.json were made under another config"):
        report_stage(YEAR, str(edited), str(out))
    with pytest.raises(ReviewError, match=r"clauses/P1.json, .* were made under another config .*\(review run\)"):
        recommend_stage(YEAR, str(edited), str(out))
    assert not (out / f"annual-review-{YEAR}.pdf").exists()
    recommend_stage(YEAR, str(engine), str(out))  # the same settings on another engine: carries on
