"""docs/analyst.md, run: every question's lines against the seeded sample year, so the cookbook
cannot drift from the code. The three questions the analyst first asked are checked against
answers counted here from the sample's CSV files with the csv module (and, for TikTok, which the
sample force does not have, against a real TikTok Studio export read in place)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from typer.testing import CliRunner

import review
from review.cli import app
from review.config import load_config
from review.evidence.plain_english import JARGON
from review.inputs.sample import build_sample

ROOT = Path(__file__).resolve().parents[1]
COOKBOOK = ROOT / "docs" / "analyst.md"
EXPORTS = ROOT.parent / "shared" / "exports"
LONDON = ZoneInfo("Europe/London")
YEAR = 2025
SETUP = 'y = review.load("reports/2025", 2025)'


def questions() -> list[tuple[str, list[tuple[str, str]]]]:
    """(question, [(language, code), ...]) for each "### N. ..." section of the cookbook."""
    text = COOKBOOK.read_text(encoding="utf-8")
    sections = re.split(r"^### ", text.split("## Questions", 1)[1], flags=re.M)[1:]
    return [(s.splitlines()[0], re.findall(r"```(python|sql)\n(.*?)```", s, re.S)) for s in sections]


QUESTIONS = questions()


def answer(y, language: str, code: str):
    """What one block gives: SQL through y.sql, Python as its last line's value."""
    if language == "sql":
        return y.sql(code)
    lines = code.strip().splitlines()
    names = {"y": y, "review": review, "pd": pd}
    exec("\n".join(lines[:-1]), names)
    return eval(lines[-1], names)


def answer_to(y, question: str, language: str = "python"):
    found = next(blocks for q, blocks in QUESTIONS if q.split(". ", 1)[1] == question)
    return answer(y, *next(b for b in found if b[0] == language))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    data = tmp_path_factory.mktemp("cookbook") / "data"
    build_sample("S", YEAR, data)
    return data


@pytest.fixture(scope="module")
def y(sample):
    """The cookbook's own set-up line, with the sample folder for reports/2025."""
    text = COOKBOOK.read_text(encoding="utf-8")
    assert SETUP in text, "the cookbook's set-up line changed: update SETUP here"
    names = {"review": review}
    exec(SETUP.replace('"reports/2025"', repr(str(sample))), names)
    return names["y"]


def test_twenty_questions_each_answered_in_one_or_two_lines():
    assert len(QUESTIONS) == 20
    for question, blocks in QUESTIONS:
        assert blocks, f"{question}: no answer"
        for _, code in blocks:
            assert 1 <= len(code.strip().splitlines()) <= 2, f"{question}: more than two lines"
    asked = {q.split(". ", 1)[1] for q, _ in QUESTIONS}
    assert {"Which account was slowest out of hours?", "How did TikTok engagement change month by month?",
            "Which posts used the most jargon?"} <= asked


@pytest.mark.parametrize(("question", "language", "code"),
                         [(q, lang, code) for q, blocks in QUESTIONS for lang, code in blocks],
                         ids=lambda v: v.split(".")[0] if isinstance(v, str) and v[:1].isdigit() else None)
def test_every_answer_runs_on_the_sample_year(y, question, language, code):
    result = answer(y, language, code)
    assert isinstance(result, (pd.DataFrame, pd.Series)), type(result)
    if "TikTok" in question:  # the sample force has no TikTok account: checked on a real export below
        assert result.empty and list(result.columns) == ["month", "posts", "engagements", "engagement_rate_pct"]
    else:
        assert not result.empty, f"{question}: no answer on the sample year"


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(LONDON)


def test_slowest_out_of_hours_matches_the_csv(y, sample):
    """Median minutes to the first reply outside 08:00-20:00 UK time (the config's staffed hours),
    over messages of 2025 that needed a reply, per account, from contacts.csv and accounts.csv."""
    hours = load_config(ROOT / "config" / f"{YEAR}.yml", YEAR).staffed_hours
    assert (hours.start_hour, hours.end_hour) == (8, 20)
    with open(sample / "accounts.csv", encoding="utf-8", newline="") as f:
        names = {r["account_id"]: f"{r['name']} ({r['platform']})" for r in csv.DictReader(f)}
    minutes = defaultdict(list)
    with open(sample / "contacts.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            received = _local(r["received_at"])
            if received.year != YEAR or r["needs_response"] != "true" or not r["first_response_at"]:
                continue
            if 8 <= received.hour < 20:
                continue
            seconds = (dt.datetime.fromisoformat(r["first_response_at"].replace("Z", "+00:00"))
                       - dt.datetime.fromisoformat(r["received_at"].replace("Z", "+00:00"))).total_seconds()
            minutes[names[r["account_id"]]].append(seconds / 60)
    medians = {account: statistics.median(m) for account, m in minutes.items()}
    slowest = max(medians, key=medians.get)
    python = answer_to(y, "Which account was slowest out of hours?")
    assert list(python.index) == [slowest] and python.iloc[0] == pytest.approx(medians[slowest])
    sql = answer_to(y, "Which account was slowest out of hours?", "sql")
    assert sql["account"].tolist() == [slowest] and sql["median_minutes"].iloc[0] == pytest.approx(medians[slowest])


def test_most_jargon_matches_the_csv(y, sample):
    """Uses of the jargon list in each 2025 post's text, counted here word by word."""
    counts = {}
    with open(sample / "posts.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if _local(r["published_at"]).year == YEAR:
                text = r["text"].lower()
                found = [m.start() for term in JARGON for m in re.finditer(r"\b" + re.escape(term) + r"\b", text)]
                counts[r["post_id"]] = len(set(found))  # two terms never start at the same place here
    top = answer_to(y, "Which posts used the most jargon?")
    most = max(counts.values())
    assert top["jargon_hits"].iloc[0] == most > 0
    expected = sorted(c for c in counts.values())[-len(top):][::-1]
    assert top["jargon_hits"].tolist() == expected
    shown = y.posts.loc[top.index, "post_id"]
    assert all(counts[p] == n for p, n in zip(shown, top["jargon_hits"]))
    assert all(len(t.split(", ")) == n for t, n in zip(top["jargon_terms"], top["jargon_hits"]))


@pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")
def test_tiktok_month_by_month_on_a_real_export(tmp_path):
    """The TikTok line on a year made of a real TikTok Studio export (read in place) and an
    account register: engagements per month are likes + comments + shares of the videos posted
    that month, counted from the file; the months without a video are rows of zeros."""
    export = EXPORTS / "tiktok_studio_content.csv"
    registers = tmp_path / "registers"
    registers.mkdir()
    (registers / "accounts.csv").write_text(
        "account_id,platform,handle,name,owner_unit,purpose,opened_date,closed_date,is_approved,has_mfa,admin_count,"
        "last_reviewed_date\nNSP-TT2,TikTok,haileytupy2.0,Hailey,Recruitment,recruitment,2022-07-01,,true,true,1,\n",
        encoding="utf-8")
    out = tmp_path / "checked"
    done = CliRunner().invoke(app, ["ingest", str(registers), str(export), "--out", str(out), "--year", str(YEAR)])
    assert done.exit_code == 0, done.output
    y = review.load(out, YEAR)
    by_month = answer_to(y, "How did TikTok engagement change month by month?")

    # The file was exported on "February 28" and its videos run from July to February: the export
    # is of 28 February 2026 (the year that puts most of the file in 2025), and each "Post time"
    # is the latest such day on or before it (docs/platform-exports.md, Dates without a year).
    exported = dt.date(YEAR + 1, 2, 28)
    expected_posts, expected_engagements = Counter(), Counter()
    with open(export, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            assert r["Time"] == "February 28"
            posted = dt.datetime.strptime(f"{exported.year} {r['Post time']}", "%Y %B %d").date()
            posted = posted if posted <= exported else posted.replace(year=exported.year - 1)
            if posted.year != YEAR:
                continue
            month = posted.month
            expected_posts[month] += 1
            expected_engagements[month] += sum(int(r[c]) for c in ("Total likes", "Total comments", "Total shares"))
    assert by_month["month"].tolist() == list(pd.date_range(f"{YEAR}-01-01", periods=12, freq="MS"))
    assert by_month["posts"].tolist() == [expected_posts[m] for m in range(1, 13)]
    assert by_month["engagements"].tolist() == [expected_engagements[m] for m in range(1, 13)]
    assert 0 < sum(expected_posts.values()) < 13 and 0 in by_month["posts"].tolist()  # zero months are there
    rated = by_month[by_month["posts"] > 0]
    assert rated["engagement_rate_pct"].notna().all() and by_month.loc[by_month["posts"] == 0, "engagement_rate_pct"].isna().all()


def test_review_sql_gives_the_cookbooks_sql_answer(y, sample, tmp_path):
    """The cookbook's SQL, run by `review sql` on the same folder (its latest year: 2025), as JSON."""
    code = next(c for q, blocks in QUESTIONS for lang, c in blocks if lang == "sql" and q.startswith("10."))
    out = tmp_path / "answer.json"
    done = CliRunner().invoke(app, ["sql", code, "--data", str(sample), "--output", str(out)])
    assert done.exit_code == 0, done.output
    assert "year 2025, the latest year in the data" in done.output
    from_cli = pd.DataFrame(json.loads(out.read_text(encoding="utf-8")))
    pd.testing.assert_frame_equal(from_cli, y.sql(code), check_dtype=True)


def test_the_analysts_frames_give_the_reports_numbers(y):
    """The per-post and per-message frames and the monthly breakdowns add up to the report's own
    tables and headlines (computed by the clause modules, another path)."""
    by_month = y.posts_by_month()
    report = y.table("p1_by_month")
    pd.testing.assert_frame_equal(by_month[report.columns.tolist()], report, check_dtype=True, check_exact=False)
    themes = y.posts["theme"].value_counts()
    mix = y.table("p1_content_mix").set_index("theme")["posts"]
    assert themes.sort_index().to_dict() == mix.sort_index().to_dict()
    plain = y.posts.groupby("account")["is_plain_english"].mean().mul(100).round(1)
    by_account = y.table("p4_by_account").set_index("account")["plain_english_pct"]
    assert plain.sort_index().tolist() == by_account.sort_index().tolist()
    scored = y.posts[y.posts["reading_ease"].notna()]
    assert 100 * scored["jargon_hits"].sum() / len(scored) == pytest.approx(y.value("p4_jargon_per_100_posts"))
    out_of_hours = y.messages.loc[~y.messages["is_staffed"], "response_minutes"].median()
    assert out_of_hours == pytest.approx(y.value("p3_out_of_hours_median_minutes"))
    assert y.messages_by_month()["messages"].sum() == y.value("p3_contacts")
    images = y.posts[y.posts["media_type"] == "image"]["has_alt_text"].dropna()
    assert 100 * images.mean() == pytest.approx(y.value("p7_alt_text_pct"))


def test_review_sql_on_a_runs_parquet_reads_the_messages_in_place(y, tmp_path):
    """A run's folder (canonical Parquet and a manifest naming its year): `review sql` queries the
    run's year, the messages sliced in Parquet by DuckDB, and answers as review.load does."""
    from review.runner import artifacts

    artifacts.write_canonical(tmp_path, y.tables)
    (tmp_path / "manifest.json").write_text(json.dumps({"year": YEAR}), encoding="utf-8")
    query = ("SELECT platform, count(*) AS messages, count(*) FILTER (WHERE NOT is_staffed) AS out_of_hours, "
             "median(response_minutes) AS median_minutes FROM contacts JOIN accounts USING (account_id) "
             "GROUP BY platform ORDER BY platform")
    out = tmp_path.parent / f"{tmp_path.name}-answer.csv"
    done = CliRunner().invoke(app, ["sql", query, "--data", str(tmp_path), "--output", str(out)])
    assert done.exit_code == 0, done.output
    assert "year 2025, the run's year" in " ".join(done.output.split())
    from_cli = pd.read_csv(out)
    messages = y.messages.groupby("platform")
    expected = pd.DataFrame({"messages": messages.size(), "out_of_hours": (~y.messages["is_staffed"]).groupby(y.messages["platform"]).sum(),
                             "median_minutes": messages["response_minutes"].median()}).reset_index()
    pd.testing.assert_frame_equal(from_cli, expected, check_dtype=False)
    question3 = answer_to(y, "Which account was slowest out of hours?", "sql")
    code = next(c for q, blocks in QUESTIONS for lang, c in blocks if lang == "sql" and q.startswith("3."))
    answer_json = tmp_path.parent / f"{tmp_path.name}-answer.json"
    done = CliRunner().invoke(app, ["sql", code, "--data", str(tmp_path), "--output", str(answer_json)])
    assert done.exit_code == 0, done.output
    assert json.loads(answer_json.read_text(encoding="utf-8")) == question3.to_dict("records")


def test_the_cookbooks_shell_lines_run(y, sample, tmp_path, monkeypatch):
    """The `review sql` lines of the set-up, on the sample folder, writing into a scratch folder."""
    import shlex

    lines = [line.strip() for line in COOKBOOK.read_text(encoding="utf-8").splitlines() if line.startswith("    review sql ")]
    assert len(lines) == 3
    monkeypatch.chdir(tmp_path)
    for line in lines:
        args = shlex.split(line.split("   #")[0])[1:]
        args[args.index("--data") + 1] = str(sample)
        done = CliRunner().invoke(app, args)
        assert done.exit_code == 0, f"{line}\n{done.output}"
    scores = pd.read_parquet(tmp_path / "posts-2025.parquet")
    assert len(scores) == len(y.posts) and scores["jargon_hits"].sum() == y.posts["jargon_hits"].sum()
