"""One definition, two engines: DuckDB and Spark (local mode) give the same answers.

Every rollup in review.evidence.rollup.ROLLUPS runs on both engines over the seeded sample's review period,
from pandas frames and from Parquet files, and the tables must be equal: counts and sums exactly;
quantiles by the same exact method (Spark's `percentile`, not `percentile_approx`), equal to
within rounding in the last binary digit (QUANTILE_RTOL; docs/guide.md, "Engines").
Then every metric of the review is computed with each engine and compared, and `review sql` is
run on both against counts made here with the csv module.

One Spark session serves the module (it takes seconds to start); it runs on two local cores
with no web UI and is stopped at the end.
"""

import csv
import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from review.runner import artifacts
from review.cli import app
from review.config import SparkSettings, load_config
from review.evidence.metrics import CLAUSE_MODULES, compute_clause, slice_periods
from review.evidence.metrics.period import slice_period
from review.errors import ReviewError
from review.evidence.rollup import ROLLUPS, run_rollup, run_sql, spark_session, stop_spark, to_spark_sql
from review.inputs.sample import build_sample
from review.year import read_tables

YEAR = 2025
PARAMS = {"target": 60.0, "first_hours": 6}
LONDON = ZoneInfo("Europe/London")
LOCAL = SparkSettings(master="local[2]", shuffle_partitions=2)


@pytest.fixture(scope="module")
def spark():
    session = spark_session(LOCAL)
    yield session
    stop_spark()


@pytest.fixture(scope="module")
def sample(tmp_path_factory, repo_root):
    data = tmp_path_factory.mktemp("engines") / "data"
    build_sample("S", YEAR, data, seed=7)
    tables = read_tables(data)
    config = load_config(repo_root / "config" / f"{YEAR}.yml", YEAR)
    return data, tables, config


@pytest.fixture(scope="module")
def inputs(sample):
    _, tables, config = sample
    period = slice_period(tables, config)
    return {"posts": period.posts, "contacts": period.contacts, "critical_incidents": period.critical_incidents,
            "accounts": period.accounts}


# Quantiles (medians, 90th percentiles) use the same exact method on both engines, linear
# interpolation between the two nearest values, but the engines order that arithmetic
# differently, so the last binary digit may differ (measured: 1 unit in the last place,
# 2e-16 relative). docs/guide.md states this tolerance; everything else must be equal exactly.
QUANTILE = re.compile(r"median|p90|percentile", re.IGNORECASE)
QUANTILE_RTOL = 1e-12


def assert_same(duckdb_frame: pd.DataFrame, spark_frame: pd.DataFrame) -> None:
    """Same columns, rows and values: exactly for counts, sums and keys, within QUANTILE_RTOL
    for quantiles. Only the dtypes may differ (DuckDB returns sums of integers as floats,
    Spark as integers)."""
    d, s = duckdb_frame.reset_index(drop=True), spark_frame.reset_index(drop=True)
    assert list(d.columns) == list(s.columns)
    quantiles = [c for c in d.columns if QUANTILE.search(str(c))]
    exact = [c for c in d.columns if c not in quantiles]
    pd.testing.assert_frame_equal(d[exact], s[exact], check_dtype=False, check_exact=True)
    for column in quantiles:
        np.testing.assert_allclose(
            d[column].astype("float64"), s[column].astype("float64"), rtol=QUANTILE_RTOL, atol=0, err_msg=column
        )


@pytest.mark.parametrize("name", sorted(ROLLUPS))
def test_rollup_is_the_same_on_both_engines(spark, inputs, name):
    on_duckdb = run_rollup(name, PARAMS, **inputs)
    on_spark = run_rollup(name, PARAMS, engine="spark", **inputs)
    assert len(on_duckdb) > 0, "the sample gives the rollup something to do"
    assert_same(on_duckdb, on_spark)


def test_rollups_read_parquet_on_both_engines(spark, inputs, tmp_path):
    """The same rollups over Parquet files (as a run's output folder holds them) give the same
    tables as over the frames."""
    paths = {}
    for name, frame in inputs.items():
        paths[name] = tmp_path / f"{name}.parquet"
        frame.to_parquet(paths[name], index=False)
    for name in ROLLUPS:
        from_frames = run_rollup(name, PARAMS, **inputs)
        assert_same(from_frames, run_rollup(name, PARAMS, **paths))
        assert_same(from_frames, run_rollup(name, PARAMS, engine="spark", **paths))


def test_spark_reads_a_uri_itself_and_duckdb_refuses_one(spark, inputs, tmp_path, monkeypatch):
    """A table given as a URI (a shared file system's `file:///...`, `s3a://...`) is read by
    Spark's executors as it is, never through Arrow on this machine; its timestamps must be in
    microseconds, as docs/guide.md, "Engines" says to write them. DuckDB refuses a URI."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from review.evidence import rollup

    folder = tmp_path / "shared" / "contacts"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(inputs["contacts"], preserve_index=False), folder / "part-0.parquet",
                   coerce_timestamps="us")
    monkeypatch.setattr(rollup, "_read_parquet_spark", None)  # a URI must not go that way
    uri = folder.resolve().as_uri()
    assert uri.startswith("file:///")
    assert_same(run_rollup("contacts_by_outcome", PARAMS, contacts=inputs["contacts"]),
                run_rollup("contacts_by_outcome", PARAMS, engine="spark", contacts=uri))
    with pytest.raises(ReviewError, match="is a URI, which the spark engine reads"):
        run_rollup("contacts_by_outcome", PARAMS, contacts=uri)


def test_weekday_is_monday_zero_on_both_engines(spark):
    """sqlglot's own translation of isodow() is off by one on Spark (it assumes a Sunday-0
    dayofweek); a week of known days pins the fix."""
    days = pd.DataFrame({"received_local": pd.date_range("2025-03-24 09:00", periods=7, freq="D")})  # Mon..Sun
    for engine in ("duckdb", "spark"):
        out = run_rollup("contacts_by_weekday_hour", engine=engine, contacts=days)
        assert out["weekday"].tolist() == [0, 1, 2, 3, 4, 5, 6], engine
        assert out["hour"].tolist() == [9] * 7


def test_quantiles_are_exact_not_approximate():
    spark_sql = to_spark_sql(ROLLUPS["response_by_account"]).lower()
    assert "percentile(response_minutes, array(0.5, 0.9))" in spark_sql
    assert "approx" not in spark_sql


def test_p90_interpolates_like_pandas_on_both_engines(spark):
    minutes = [3.0, 7.0, 20.0, 41.0, 55.0, 90.0, 240.0]
    contacts = pd.DataFrame({"account_id": "a", "is_staffed": True, "needs_response": True, "response_minutes": minutes})
    expected = pd.Series(minutes).quantile(0.9)  # 90 + 0.4 * (240 - 90)
    for engine in ("duckdb", "spark"):
        out = run_rollup("response_by_account", {"target": 60}, engine=engine, contacts=contacts)
        grand = out[out["account_id"].isna() & out["is_staffed"].isna()].iloc[0]
        assert grand["response_p90_minutes"] == pytest.approx(expected, rel=QUANTILE_RTOL, abs=0), engine
        assert expected == pytest.approx(150.0)
        assert grand["response_median_minutes"] == 41.0
        assert grand["answered_in_target_count"] == 5


# The clauses whose modules run rollups; the others never touch an engine.
ROLLUP_CLAUSES = [c for c, module in CLAUSE_MODULES.items() if getattr(module, "run_rollup", None) is run_rollup]


def test_every_metric_is_the_same_on_both_engines(spark, sample):
    """Nothing downstream of the rollups depends on the engine: every headline, metric table
    and chart series of the review year and the year before, of every clause that uses them."""
    assert ROLLUP_CLAUSES == ["P1", "P2", "P3"]
    _, tables, config = sample
    spark_config = config.model_copy(update={"engine": "spark", "spark": LOCAL})
    for clause in ROLLUP_CLAUSES:
        on_duckdb = compute_clause(clause, *slice_periods(tables, config))
        on_spark = compute_clause(clause, *slice_periods(tables, spark_config))
        assert on_duckdb.prior is not None, "the sample has a year before to compare too"
        _assert_same_clause(on_duckdb, on_spark)


def _assert_same_clause(on_duckdb, on_spark) -> None:
    assert [h.metric_id for h in on_duckdb.headlines] == [h.metric_id for h in on_spark.headlines]
    for d, s in zip(on_duckdb.headlines, on_spark.headlines):
        assert d.rag == s.rag, d.metric_id
        for mine, theirs in [(d.value, s.value), (d.prior_value, s.prior_value)]:
            if QUANTILE.search(d.metric_id) and mine is not None:
                assert theirs == pytest.approx(mine, rel=QUANTILE_RTOL, abs=0), d.metric_id
            else:
                assert mine == theirs, d.metric_id
    tables = on_duckdb.current.tables
    assert [t.table_id for t in tables] == [t.table_id for t in on_spark.current.tables]
    for d, s in zip(tables, on_spark.current.tables):
        assert_same(d.frame, s.frame)
    assert set(on_duckdb.series) == set(on_spark.series)
    for key, frame in on_duckdb.series.items():
        assert_same(frame, on_spark.series[key])


def _accounts_by_platform(data) -> Counter:
    with open(data / "accounts.csv", encoding="utf-8", newline="") as handle:
        return Counter(row["platform"] for row in csv.DictReader(handle))


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_review_sql_prints_the_answer(spark, sample, tmp_path, engine):
    data, tables, _ = sample
    artifacts.write_canonical(tmp_path, tables)  # a run's output folder: canonical/*.parquet
    query = "SELECT platform, count(*) AS accounts FROM accounts GROUP BY platform ORDER BY platform"
    outcome = CliRunner().invoke(app, ["sql", query, "--data", str(tmp_path), "--engine", engine])
    assert outcome.exit_code == 0, outcome.output
    printed = dict(re.findall(r"│ (\w+)\s+│\s+(\d+) │", outcome.output))
    expected = _accounts_by_platform(data)
    assert {k: int(v) for k, v in printed.items()} == dict(expected)
    assert f"{len(expected)} rows ({engine})" in outcome.output


def test_review_sql_with_a_year_reads_the_period_from_input_files(sample):
    """--year: the review period's rows, with the local-time columns, from the input CSVs."""
    data, _, _ = sample
    with open(data / "posts.csv", encoding="utf-8", newline="") as handle:
        posts = list(csv.DictReader(handle))
    query = "SELECT count(*) AS posts, min(published_local) AS first FROM posts"
    outcome = CliRunner().invoke(app, ["sql", query, "--data", str(data), "--year", str(YEAR)])
    assert outcome.exit_code == 0, outcome.output
    local = [dt.datetime.fromisoformat(r["published_at"].replace("Z", "+00:00")).astimezone(LONDON) for r in posts]
    in_year = [t.replace(tzinfo=None) for t in local if t.year == YEAR]
    assert re.search(rf"│\s+{len(in_year)} │ {min(in_year)} │", outcome.output), outcome.output


@pytest.mark.parametrize(
    ("engine", "query", "expected"),
    [
        ("duckdb", "SELEC platform FROM accounts", r'SQL error \(duckdb\): Parser Error: syntax error at or near "SELEC"'),
        ("spark", "SELECT nope FROM accounts", r"SQL error \(spark\): \[UNRESOLVED_COLUMN.*`nope` cannot be resolved"),
        ("spark", "SELECT * FROM nowhere", r"SQL error \(spark\): \[TABLE_OR_VIEW_NOT_FOUND\] The table or view `nowhere`"),
    ],
)
def test_review_sql_bad_sql_is_one_clear_error(spark, sample, tmp_path, engine, query, expected):
    _, tables, _ = sample
    artifacts.write_canonical(tmp_path, tables)
    outcome = CliRunner().invoke(app, ["sql", query, "--data", str(tmp_path), "--engine", engine])
    assert outcome.exit_code == 1
    message = " ".join(outcome.output.split())  # the console wraps long lines
    assert re.search(expected, message), message
    assert "Traceback" not in outcome.output and "JVM stacktrace" not in outcome.output


def test_unknown_engine_is_an_error():
    with pytest.raises(ReviewError, match="engine: expected one of duckdb, spark, got 'polars'"):
        run_sql("SELECT 1", {}, engine="polars")
