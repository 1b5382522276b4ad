"""National reviews: the partitioned store, the force-by-force comparison and the national report.

Three small invented forces (size S volumes times 0.05, so the module runs in well under a minute)
are written into a national store. The comparison's figures for posts, engagement rate and
median first response are checked against values worked out here in plain Python from each
force's own Parquet rows; ranks and medians against plain sorting. Broken stores must fail with
the path of the broken partition in the message.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from review.runner import artifacts
from review.cli import app
from review.config import ReviewConfig, load_config
from review.errors import ReviewError
from review.outputs.national import (
    add_run,
    build_national_sample,
    compute_national,
    list_forces,
    partition_dir,
    read_force_year,
    run_national,
)

YEAR = 2025
LONDON = ZoneInfo("Europe/London")
START, END = dt.datetime(YEAR, 1, 1), dt.datetime(YEAR + 1, 1, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("national") / "store"
    ids = build_national_sample(path, 3, YEAR, size="S", seed=11, scale=0.05)
    assert ids == ["northshire", "southmoor", "eastvale"]
    return path


@pytest.fixture(scope="module")
def config() -> ReviewConfig:
    return load_config(None, YEAR)


@pytest.fixture(scope="module")
def national(store, tmp_path_factory, config):
    out = tmp_path_factory.mktemp("reports") / f"national-{YEAR}"
    result, paths = run_national(store, YEAR, out, config)
    return result, paths


def _rows(store: Path, table: str, force: str) -> list[dict]:
    """The partition's rows as plain dicts, read with pyarrow (not the code under test)."""
    files = sorted(partition_dir(store, table, force, YEAR).glob("*.parquet"))
    return [row for f in files for row in pq.read_table(f).to_pylist()]


def _in_year(ts: dt.datetime) -> bool:
    local = ts.astimezone(LONDON).replace(tzinfo=None)
    return START <= local < END


def expected(store: Path, force: str) -> dict[str, float]:
    """Posts, engagement rate and median first response for the review year, by hand."""
    posts = [p for p in _rows(store, "posts", force) if _in_year(p["published_at"])]
    rated = [p for p in posts if p["impressions"] is not None and p["engagements"] is not None]
    contacts = [c for c in _rows(store, "contacts", force) if _in_year(c["received_at"])]
    minutes = [
        (c["first_response_at"] - c["received_at"]).total_seconds() / 60
        for c in contacts
        if c["needs_response"] and c["first_response_at"] is not None
    ]
    return {
        "p1_posts": len(posts),
        "p1_engagement_rate_pct": 100 * sum(p["engagements"] for p in rated) / sum(p["impressions"] for p in rated),
        "p3_first_response_median_minutes": statistics.median(minutes),
    }


def _value(comparison: pd.DataFrame, force: str, metric_id: str, column: str = "value"):
    row = comparison[(comparison["force_id"] == force) & (comparison["metric_id"] == metric_id)]
    assert len(row) == 1
    return row[column].iloc[0]


def test_store_is_partitioned_by_force_and_year(store):
    assert list_forces(store, YEAR) == ["eastvale", "northshire", "southmoor"]
    for table in ["accounts", "posts", "contacts", "recommendations"]:
        for force in ["eastvale", "northshire", "southmoor"]:
            assert (store / table / f"force={force}" / f"year={YEAR}" / "part-0.parquet").is_file()
    config = load_config(store / "_forces" / "force=eastvale" / f"year={YEAR}" / "config.yml", YEAR)
    assert config.force.name == "Eastvale Police"
    with pytest.raises(ReviewError, match="no force has data for 2024"):
        list_forces(store, YEAR - 1)


def test_forces_differ_in_size_and_name(store):
    sizes = {f: len(_rows(store, "posts", f)) for f in ["eastvale", "northshire", "southmoor"]}
    assert len(set(sizes.values())) == 3
    handles = {f: {a["handle"] for a in _rows(store, "accounts", f)} for f in sizes}
    assert "@EastvalePolice" in handles["eastvale"] and "@SouthmoorPolice" in handles["southmoor"]


def test_comparison_figures_match_plain_python(store, national):
    result, _ = national
    comparison = result.comparison
    for force in ["eastvale", "northshire", "southmoor"]:
        want = expected(store, force)
        assert _value(comparison, force, "p1_posts") == want["p1_posts"]
        assert _value(comparison, force, "p1_engagement_rate_pct") == pytest.approx(want["p1_engagement_rate_pct"], rel=1e-12)
        assert _value(comparison, force, "p3_first_response_median_minutes") == pytest.approx(
            want["p3_first_response_median_minutes"], rel=1e-12
        )


def test_rank_and_national_median(store, national):
    result, _ = national
    comparison = result.comparison
    forces = ["eastvale", "northshire", "southmoor"]
    by_hand = {f: expected(store, f) for f in forces}
    # Engagement rate: higher is better, so rank 1 is the highest.
    rates = {f: by_hand[f]["p1_engagement_rate_pct"] for f in forces}
    for i, force in enumerate(sorted(forces, key=lambda f: -rates[f]), start=1):
        assert _value(comparison, force, "p1_engagement_rate_pct", "rank") == i
    assert _value(comparison, "eastvale", "p1_engagement_rate_pct", "national_median") == pytest.approx(
        sorted(rates.values())[1]
    )
    # First response: lower is better, so rank 1 is the fastest.
    replies = {f: by_hand[f]["p3_first_response_median_minutes"] for f in forces}
    for i, force in enumerate(sorted(forces, key=lambda f: replies[f]), start=1):
        assert _value(comparison, force, "p3_first_response_median_minutes", "rank") == i
        assert _value(comparison, force, "p3_first_response_median_minutes", "forces_ranked") == 3
    assert _value(comparison, "northshire", "p3_first_response_median_minutes", "national_median") == pytest.approx(
        statistics.median(replies.values())
    )
    # Sizes are context, never ranked.
    assert pd.isna(_value(comparison, "eastvale", "p1_posts", "rank"))


def test_each_force_is_rated_against_its_own_targets(national):
    result, _ = national
    comparison = result.comparison
    # The sample gives every third force (eastvale) a 45-minute reply target; the others keep 60.
    assert _value(comparison, "eastvale", "p3_first_response_median_minutes", "target") == 45
    assert _value(comparison, "northshire", "p3_first_response_median_minutes", "target") == 60
    for force in ["eastvale", "northshire", "southmoor"]:
        value = _value(comparison, force, "p3_first_response_median_minutes")
        target = _value(comparison, force, "p3_first_response_median_minutes", "target")
        rag = _value(comparison, force, "p3_first_response_median_minutes", "rag")
        assert rag == ("Green" if value <= target else "Amber" if value <= target * 1.1 else "Red")


def test_national_report_renders(national):
    result, paths = national
    html = paths["html"].read_text(encoding="utf-8")
    for name in ["Eastvale Police", "Northshire Police", "Southmoor Police"]:
        assert name in html
    assert "SAMPLE DATA" in html and 'lang="en-GB"' in html
    assert "Engagement rate by force" in html and "Time to first response by force" in html
    assert html.count("<svg") >= 2  # the two charts
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
    assert paths["workbook"].stat().st_size > 0
    from openpyxl import load_workbook

    book = load_workbook(paths["workbook"], read_only=True)
    assert {"comparison", "national_scorecard", "national_sizes"} <= set(book.sheetnames)
    csv = pd.read_csv(paths["csv"])
    assert len(csv) == len(result.comparison) == 3 * 16


def test_missing_partition_names_the_path(store, tmp_path, config):
    broken = tmp_path / "store"
    shutil.copytree(store, broken)
    gone = partition_dir(broken, "contacts", "southmoor", YEAR)
    shutil.rmtree(gone)
    with pytest.raises(ReviewError, match="missing partition") as err:
        compute_national(broken, YEAR, config)
    assert str(gone) in str(err.value)


def test_malformed_partition_names_path_row_and_column(store, tmp_path):
    broken = tmp_path / "store"
    shutil.copytree(store, broken)
    folder = partition_dir(broken, "posts", "eastvale", YEAR)
    posts = pd.read_parquet(folder / "part-0.parquet")
    posts.loc[3, "media_type"] = "hologram"
    posts.to_parquet(folder / "part-0.parquet", index=False)
    with pytest.raises(ReviewError) as err:
        read_force_year(broken, "eastvale", YEAR)
    message = str(err.value)
    assert str(folder) in message and "row 4" in message and "media_type" in message and "hologram" in message

    posts.drop(columns=["impressions"]).to_parquet(folder / "part-0.parquet", index=False)
    with pytest.raises(ReviewError, match="columns missing: impressions") as err:
        read_force_year(broken, "eastvale", YEAR)
    assert str(folder) in str(err.value)

    (folder / "part-0.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ReviewError, match="cannot read the posts partition") as err:
        read_force_year(broken, "eastvale", YEAR)
    assert str(folder) in str(err.value)


def test_failed_run_leaves_previous_outputs(store, tmp_path, config):
    out = tmp_path / "out"
    broken = tmp_path / "store"
    shutil.copytree(store, broken)
    _, paths = run_national(broken, YEAR, out, config, forces=["eastvale"])
    before = paths["html"].read_bytes()
    shutil.rmtree(partition_dir(broken, "training", "eastvale", YEAR))
    with pytest.raises(ReviewError, match="missing partition"):
        run_national(broken, YEAR, out, config, forces=["eastvale"])
    assert paths["html"].read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out", "store"]  # no staging left behind


def test_partition_adds_a_run_output_and_checks_it(store, tmp_path):
    """`review partition` takes a run's output folder: manifest.json (year, config) and canonical/."""
    run_out = tmp_path / "reports" / str(YEAR)
    tables = read_force_year(store, "northshire", YEAR)
    artifacts.write_canonical(run_out, tables)
    cfg = ReviewConfig(year=YEAR, force={"name": "Harbour Police", "short_name": "Harbour"})
    artifacts.write_json(run_out / "manifest.json", {"year": YEAR, "config": cfg.model_dump(mode="json")})
    new_store = tmp_path / "national"
    result = CliRunner().invoke(app, ["partition", str(run_out), "--store", str(new_store), "--force", "harbour"])
    assert result.exit_code == 0, result.output
    assert list_forces(new_store, YEAR) == ["harbour"]
    again = read_force_year(new_store, "harbour", YEAR)
    pd.testing.assert_frame_equal(again["contacts"], tables["contacts"])
    assert load_config(new_store / "_forces" / "force=harbour" / f"year={YEAR}" / "config.yml", YEAR).force.name == "Harbour Police"

    # Bad data never reaches the store, and the message names the table, row and column.
    bad = tables["accounts"].copy()
    bad.loc[0, "platform"] = "Myspace"
    artifacts.write_canonical(run_out, {"accounts": bad})
    with pytest.raises(ReviewError, match=r"accounts row 1, column platform: 'Myspace'"):
        add_run(new_store, run_out, "harbour")
    pd.testing.assert_frame_equal(read_force_year(new_store, "harbour", YEAR)["accounts"], tables["accounts"])

    with pytest.raises(ReviewError, match="force id 'Harbour Police'"):
        add_run(new_store, run_out, "Harbour Police")


def test_cli_errors_are_clear(tmp_path):
    result = CliRunner().invoke(app, ["national", "--data", str(tmp_path / "nowhere"), "--year", str(YEAR),
                                      "--out", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 1
    assert "no such national store folder" in result.output
    result = CliRunner().invoke(app, ["sample", "--size", "L", "--forces", "3", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "one-force sizes" in result.output
    result = CliRunner().invoke(app, ["run", "--national", "--data", str(tmp_path / "nowhere"), "--year", str(YEAR),
                                      "--out", str(tmp_path / "out")])  # fmt: skip
    assert result.exit_code == 1
    assert "no such national store folder" in result.output


def test_national_text_is_plain_english(national, config):
    """The paper's generated words pass the measures the force report's words pass."""
    from test_plain_english_report import _check

    from review.outputs.national import build_context

    result, _ = national
    ctx = build_context(result)
    texts = {f"summary {i}": p for i, p in enumerate(ctx.summary)} | {f"caveat {i}": p for i, p in enumerate(ctx.caveats)}
    _check(texts, config)


def test_workers_give_the_same_figures(store, national, config):
    """Forces computed in two processes give the figures computed in one."""
    result, _ = national
    parallel = compute_national(store, YEAR, config, forces=["eastvale", "southmoor"], workers=2).comparison
    columns = ["force_id", "metric_id", "value", "target", "rag"]
    serial = result.comparison[result.comparison["force_id"].isin(["eastvale", "southmoor"])]
    key = ["force_id", "metric_id"]
    pd.testing.assert_frame_equal(
        parallel[columns].sort_values(key).reset_index(drop=True), serial[columns].sort_values(key).reset_index(drop=True)
    )


def test_forces_with_the_same_name_stay_apart(national):
    """Two forces whose configs carry one name (a copied config) are told apart by their ids."""
    import dataclasses

    from review.outputs.national import build_context, comparison_table

    result, _ = national
    same = [dataclasses.replace(f, config=f.config.model_copy(update={"force": f.config.force.model_copy(
        update={"name": "Harbour Police"})})) for f in result.forces]  # fmt: skip
    table = comparison_table(same)
    assert set(table["force"]) == {"Harbour Police (eastvale)", "Harbour Police (northshire)", "Harbour Police (southmoor)"}
    ctx = build_context(dataclasses.replace(result, forces=same, comparison=table))
    assert len(ctx.sizes.frame) == 3 and ctx.sizes.frame["People (headcount)"].notna().all()


def test_a_rate_from_a_small_count_is_withheld_in_the_comparison_and_its_csv(national):
    """A force with 3 conduct cases: its cases per 1,000 people would give the 3 back (times the
    headcount in the sizes table), so the comparison withholds it, does not rank it or count it
    in the median, and the CSV prints "withheld", never the number."""
    import dataclasses

    from review.disclosure import protect
    from review.outputs.national import comparison_csv, comparison_table

    result, _ = national
    first = result.forces[0]
    raw = [dataclasses.replace(h, value=3.0, value_state="shown") if h.metric_id == "p5_conduct_cases" else
           dataclasses.replace(h, value=3000 / first.config.force.headcount, value_state="shown")
           if h.metric_id == "p5_cases_per_1000_staff" else h for h in first.headlines.values()]
    protected, _ = protect(raw, [], first.config.report.small_count_threshold)
    small = dataclasses.replace(first, headlines={h.metric_id: h for h in protected})
    table = comparison_table([small, *result.forces[1:]])
    rate = table[table["metric_id"] == "p5_cases_per_1000_staff"].set_index("force_id")
    assert rate.loc[first.force_id, "value_state"] == "withheld"
    assert pd.isna(rate.loc[first.force_id, "value"]) and pd.isna(rate.loc[first.force_id, "rank"])
    others = rate.drop(index=first.force_id)
    assert rate["forces_ranked"].dropna().eq(others["value"].notna().sum()).all()
    printed = comparison_csv(table)
    row = printed[(printed["metric_id"] == "p5_cases_per_1000_staff") & (printed["force_id"] == first.force_id)]
    assert row["value"].tolist() == ["withheld"]
