"""review.load gives analysts the report's own numbers, from input files or from a run."""

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

import review
from review.cli import app
from review.config import ReviewConfig
from review.errors import ReviewError
from review.evidence.metrics import compute_metrics
from review.evidence.plain_english import jargon_hits
from review.year import Year
from tables_fixture import account, contact, post, tables


def test_load_from_input_files_and_sql(tmp_path):
    t = tables(accounts=[account("a1"), account("a2", "Facebook")],
               posts=[post("p1", "a1", "2025-02-01T10:00:00Z"), post("p2", "a2", "2025-03-01T10:00:00Z"),
                      post("p3", "a2", "2024-03-01T10:00:00Z")])
    for name, frame in t.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    year = review.load(tmp_path, 2025)
    assert year.metrics.value("p1_posts") == compute_metrics(t, ReviewConfig(year=2025)).value("p1_posts") == 2
    counts = year.sql("SELECT account_id, count(*) AS n FROM posts GROUP BY ALL ORDER BY account_id")
    assert counts["n"].tolist() == [1, 1]  # the period only: p3 is last year
    assert set(year.headlines["metric_id"]) >= {"p1_posts", "p3_contacts"}


def _write(t, folder):
    for name, frame in t.items():
        frame.to_parquet(folder / f"{name}.parquet")
    return folder


NO_DATA_2031 = ("no posts or contacts fall in the review period 2031 (2031-01-01 to 2032-01-01); "
                "check --year and the data folder")


def test_a_year_without_data_is_one_clear_error_the_same_in_the_api_and_the_cli(tmp_path):
    data = _write(tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-02-01T10:00:00Z")]), tmp_path)
    with pytest.raises(ReviewError) as caught:
        review.load(data, 2031)
    assert str(caught.value) == NO_DATA_2031
    done = CliRunner().invoke(app, ["sql", "SELECT count(*) FROM posts", "--data", str(data), "--year", "2031"])
    assert done.exit_code == 1
    assert " ".join(done.output.split()) == f"error: {NO_DATA_2031}"


def test_header_only_posts_are_zero_posts_not_a_crash(tmp_path):
    """P1 and P5 used to fail casting an empty lookup of last posts; posts supplied with no rows
    are a real 0 (the messages still make a year)."""
    t = tables(accounts=[account("a1"), account("a2", "Facebook")],
               contacts=[contact("c1", "2025-03-01T10:00:00Z", 30)])
    y = review.load(_write(t, tmp_path), 2025)
    assert y.value("p1_posts") == 0 and y.value("p1_impressions") is None
    gaps = y.table("p5_account_gaps")
    assert gaps["is_dormant"].all()  # no post in the period: both accounts are dormant
    assert y.posts.empty and y.posts_by_month()["posts"].tolist() == [0] * 12
    assert y.table("p1_by_month")["posts"].tolist() == [0] * 12


def test_posts_and_messages_by_month_show_every_month(tmp_path):
    t = tables(accounts=[account("x1"), account("f1", "Facebook")],
               posts=[post("p1", "x1", "2025-02-03T10:00:00Z", impressions=100, engagements=5),
                      post("p2", "x1", "2025-02-20T10:00:00Z", impressions=300, engagements=10),
                      post("p3", "f1", "2025-05-01T10:00:00Z", impressions=None, engagements=None)],
               contacts=[contact("c1", "2025-02-01T10:00:00Z", 30, account_id="x1"),
                         contact("c2", "2025-02-01T23:00:00Z", 90, account_id="x1")])
    y = review.load(_write(t, tmp_path), 2025)
    x = y.posts_by_month("platform").query("platform == 'X'")
    assert x["month"].tolist() == list(pd.date_range("2025-01-01", periods=12, freq="MS"))
    assert x["posts"].tolist() == [0, 2] + [0] * 10
    assert x["impressions"].tolist() == [0, 400] + [0] * 10  # X reports impressions: a silent month is 0
    assert x["engagement_rate_pct"].iloc[1] == pytest.approx(100 * 15 / 400, abs=0.05) and x["engagement_rate_pct"].drop(x.index[1]).isna().all()
    f = y.posts_by_month("platform").query("platform == 'Facebook'")
    assert f["posts"].sum() == 1 and f["impressions"].isna().all()  # never reported: not measured, not 0
    assert str(x["posts"].dtype) == "int64" and str(x["impressions"].dtype) == "Int64"
    m = y.messages_by_month("account")
    assert len(m) == 24 and m["messages"].sum() == 2
    feb = m[(m["account"] == "x1 (X)") & (m["month"] == "2025-02-01")].iloc[0]
    assert (feb["median_staffed_minutes"], feb["median_out_of_hours_minutes"]) == (30, 90)
    assert y.table("p1_by_month")["posts"].tolist() == [0, 2, 0, 0, 1] + [0] * 7


def test_sql_keeps_integers_integers(tmp_path):
    t = tables(accounts=[account("a1")],
               posts=[post("p1", "a1", "2025-02-01T10:00:00Z", reach=None), post("p2", "a1", "2025-03-01T10:00:00Z", reach=None)])
    y = review.load(_write(t, tmp_path), 2025)
    got = y.sql("SELECT sum(impressions) AS impressions, max(reach) AS reach, count(*) AS posts FROM posts")
    assert got.dtypes.astype(str).tolist() == ["int64", "Int64", "int64"]
    assert got.iloc[0].tolist() == [200, pd.NA, 2]


def test_the_public_api_is_documented_and_prints_short(tmp_path):
    t = tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-02-01T10:00:00Z")])
    y = review.load(_write(t, tmp_path), 2025)
    assert len(repr(y)) < 200 and repr(y).startswith("<Year 2025")
    assert all(len(repr(x)) < 300 for x in [y.period, *y.metric_tables, *y.metrics.headlines])
    public = [n for n in dir(Year) if not n.startswith("_")]
    assert {"posts", "messages", "posts_by_month", "messages_by_month", "table", "sql", "headlines", "value"} <= set(public)
    for name in public:
        member = getattr(Year, name)
        doc = (member.fget if isinstance(member, property) else getattr(member, "func", member)).__doc__
        assert doc and len(doc) > 40, f"Year.{name} has no docstring"
    assert len(review.load.__doc__.splitlines()) > 3
    assert y.table("p3_by_platform").attrs["labels"]["median_out_of_hours_minutes"] == "Median, out of hours"
    assert list(y.headlines.columns[:9]) == ["metric_id", "clause", "title", "value", "unit", "prior_value",
                                               "change_pct", "target", "rag"]


def test_jargon_hits_takes_a_series():
    texts = pd.Series(["The male was conveyed to hospital.", None, "All fine."])
    assert jargon_hits(texts).tolist() == [["male", "conveyed"], [], []]


@pytest.fixture
def small_year(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    t = tables(accounts=[account("a1"), account("a2", "Facebook")],
               posts=[post("p1", "a1", "2025-02-01T10:00:00Z", impressions=2_000_000_000),
                      post("p2", "a1", "2025-03-01T10:00:00Z", impressions=2_000_000_000),
                      post("p3", "a2", "2024-03-01T10:00:00Z")],
               contacts=[contact("c1", "2025-02-01T23:00:00Z", 90)])
    return _write(t, data)


QUERY = "SELECT account_id, count(*) AS posts, sum(impressions) AS impressions FROM posts GROUP BY ALL ORDER BY 1"


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_review_sql_writes_csv_json_and_parquet_with_integers(small_year, tmp_path, fmt):
    out = tmp_path / f"answer.{fmt}"
    done = CliRunner().invoke(app, ["sql", QUERY, "--data", str(small_year), "--output", str(out)])
    assert done.exit_code == 0, done.output
    assert "1 rows (duckdb); year 2025, the latest year in the data (--year to choose)" in " ".join(done.output.split())
    if fmt == "csv":
        # a sum past int32, not 4e9; text quoted and formula-guarded as every CSV the toolkit writes (review.cells)
        assert out.read_text() == '"account_id","posts","impressions"\n"a1",2,4000000000\n'
    elif fmt == "json":
        assert json.loads(out.read_text()) == [{"account_id": "a1", "posts": 2, "impressions": 4_000_000_000}]
    else:
        frame = pd.read_parquet(out)
        assert frame.dtypes.astype(str).tolist()[1:] == ["int64", "int64"] and frame["impressions"].iloc[0] == 4_000_000_000


def test_review_sql_prints_csv_to_standard_output(small_year):
    done = CliRunner().invoke(app, ["sql", QUERY, "--data", str(small_year), "--format", "csv", "--year", "2025"])
    assert done.exit_code == 0, done.output
    assert '"account_id","posts","impressions"\n"a1",2,4000000000\n' in done.output


@pytest.mark.parametrize(("args", "expected"), [
    (["--format", "parquet"], "error: --format parquet needs --output FILE"),
    (["--output", "answer.txt"], "error: --output answer.txt: give --format csv, json or parquet"),
    (["--config", "config/2025.yml"], "error: --config needs --year: the config belongs to a review year"),
    (["--all-years", "--year", "2025"], "error: --all-years queries every year's rows: leave out --year and --config"),
])
def test_review_sql_refuses_what_it_cannot_do(small_year, args, expected):
    done = CliRunner().invoke(app, ["sql", QUERY, "--data", str(small_year), *args])
    assert done.exit_code == 1 and " ".join(done.output.split()).startswith(expected), done.output


def test_review_sql_never_writes_into_the_data_folder(small_year):
    done = CliRunner().invoke(app, ["sql", QUERY, "--data", str(small_year), "--output", str(small_year / "x.csv")])
    assert done.exit_code == 1 and "inside the data folder" in done.output and not (small_year / "x.csv").exists()


def test_review_sql_over_every_year_hints_at_the_period_columns(small_year):
    query = "SELECT count(*) FROM contacts WHERE NOT is_staffed"
    done = CliRunner().invoke(app, ["sql", query, "--data", str(small_year), "--all-years"])
    message = " ".join(done.output.split())
    assert done.exit_code == 1 and "Binder Error" in message
    assert "hint: only a review year's tables have is_staffed (the local-time columns): leave out --all-years, or give --year" in message
    done = CliRunner().invoke(app, ["sql", query, "--data", str(small_year)])  # the default: the latest year
    assert done.exit_code == 0 and re.search(r"│\s+1 │", done.output), done.output
    every = CliRunner().invoke(app, ["sql", "SELECT count(*) AS n FROM posts", "--data", str(small_year), "--all-years"])
    assert re.search(r"│\s*3 │", every.output) and "every year" in every.output


def test_every_public_name_of_what_load_returns_is_documented_and_prints_short(tmp_path):
    from review.context import Headline, MetricTable
    from review.evidence.metrics import MetricsResult
    from review.evidence.metrics.period import PeriodData
    from review.evidence.query import QueryResult

    for cls in (Year, MetricsResult, PeriodData, MetricTable, Headline, QueryResult):
        assert cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("), f"{cls.__name__} has no docstring"
        for name, member in vars(cls).items():
            target = member.fget if isinstance(member, property) else getattr(member, "func", member)
            if not name.startswith("_") and callable(target):
                assert (member if isinstance(member, property) else target).__doc__, f"{cls.__name__}.{name} has no docstring"
    t = tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-02-01T10:00:00Z")])
    y = review.load(_write(t, tmp_path), 2025)
    assert len(repr(y.metrics)) < 200 and len(repr(y.period)) < 300


def test_posts_and_messages_with_only_headers_are_the_same_clear_error_in_the_api_and_the_cli(tmp_path):
    data = _write(tables(accounts=[account("a1")]), tmp_path)  # every other table: headers only
    with pytest.raises(ReviewError) as caught:
        review.load(data, 2025)
    assert str(caught.value) == "no posts or contacts fall in the review period 2025 (2025-01-01 to 2026-01-01); check --year and the data folder"
    done = CliRunner().invoke(app, ["sql", "SELECT count(*) FROM posts", "--data", str(data), "--year", "2025"])
    assert done.exit_code == 1 and " ".join(done.output.split()) == f"error: {caught.value}"
    done = CliRunner().invoke(app, ["sql", "SELECT count(*) FROM posts", "--data", str(data)])
    assert done.exit_code == 1 and "no posts or contacts in the data, so no year to query; give --year" in done.output
