"""The vintages and layouts real files showed and the project had not seen (issue 13), on the
synthetic fixtures of tests/export_fixtures.py: what each becomes, checked against figures worked
out here from the rows the fixture was built from; damaged files of every format; unknown files
and hidden folders."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import export_fixtures as fx
from review.inputs.adapters import detect
from review.inputs.adapters.base import parse_month_day
from review.inputs.adapters.reader import block_titles, read_blocks, read_sheets, split_blocks
from review.cli import app
from review.errors import ReviewError
from review.inputs.ingest import read_folder, read_inputs
from review.inputs.validate import validate_files

PERIOD = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"


def ingest_one(path: Path, period=PERIOD):
    return validate_files(read_inputs([path], period)[0])


def test_the_committed_fixtures_are_what_the_generator_writes():
    for name in fx.TEXT_FIXTURES:
        assert (fx.FIXTURES / name).read_bytes() == fx.fixture_bytes(name), f"{name}: run python tests/export_fixtures.py"
    import xlrd

    book = xlrd.open_workbook(str(fx.FIXTURES / fx.LINKEDIN_XLS))
    for name, rows in fx.linkedin_sheets().items():
        sheet = book.sheet_by_name(name)
        assert [[c.value for c in sheet.row(r)][: len(rows[r])] for r in range(sheet.nrows)] == [
            [float(v) if isinstance(v, int) else v for v in row] for row in rows]


# --- X ------------------------------------------------------------------------------------------------


def test_x_content_export_of_late_2024_keeps_its_link_share_and_url_clicks():
    result = ingest_one(fx.FIXTURES / "x_content_late_2024.csv")
    (report,) = result.files
    assert (report.layout, report.rows_read, report.rows_accepted, report.rows_rejected, report.rows_junk) == (
        "x_account_content_early", 5, 4, 1, 1)
    posts = result.tables["posts"].set_index("post_id")
    for when, text, imp, likes, eng, share, replies, reposts, url in fx.X_EARLY_POSTS:
        post = posts.loc[fx.snowflake(when)]
        assert post.published_at == pd.Timestamp(when)  # from the id: `Mon Feb 17 2025` has no time
        assert (post.impressions, post.engagements, post.shares, post.link_clicks, post.comments) == (
            imp, eng, share + reposts, url, replies)
        assert post.text == text and post.account_id == "x:NorthshirePolice"
    assert "status/undefined" in result.rejected["reason"].iloc[0] or "placeholder" in result.rejected["reason"].iloc[0]


def test_x_classic_daily_export_is_recognised_as_account_level_and_unused():
    (report,) = ingest_one(fx.FIXTURES / "x_daily_activity_2019.csv").files
    assert (report.layout, report.table, report.rows_read, report.rows_unused) == ("x_daily_activity", None, 10, 10)


# --- LinkedIn --------------------------------------------------------------------------------------------


def test_linkedin_2020_mac_excel_workbook_reads_updates_and_visitor_sheets():
    result = ingest_one(fx.FIXTURES / fx.LINKEDIN_XLS, (dt.date(2020, 1, 1), dt.date(2021, 1, 1)))
    reports = {f.path: f for f in result.files}
    sheets = fx.linkedin_sheets()
    assert {p: (f.layout, f.rows_read, f.rows_accepted, f.rows_unused) for p, f in reports.items()} == {
        f"{fx.LINKEDIN_XLS} [Updates]": ("linkedin_updates_2020", 4, 4, 0),
        f"{fx.LINKEDIN_XLS} [Visitor metrics]": ("linkedin_visitors", 5, 0, 5),
        f"{fx.LINKEDIN_XLS} [Location]": ("linkedin_visitors_location", len(sheets["Location"]) - 2, 0, len(sheets["Location"]) - 2),
        f"{fx.LINKEDIN_XLS} [Job function]": ("linkedin_visitors_job_function", 3, 0, 3),
    }
    posts = result.tables["posts"].set_index("post_id")
    header = sheets["Updates"][1]
    for row in sheets["Updates"][2:]:
        r = dict(zip(header, row))
        post = posts.loc[r["Update link"].rsplit(":", 1)[1]]
        assert post.impressions == r["Impressions"]
        assert post.engagements == r["Clicks"] + r["Likes"] + r["Comments"] + r["Shares"] + r["Follows"]
        month, day, year = map(int, r["Created date"].split("/"))
        assert post.published_at.tz_convert("Europe/London").date() == dt.date(year, month, day)


# --- YouTube ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, layout, rows", [
    ("youtube_chart_by_traffic_source.csv", "youtube_chart_data_by_dimension", 12),
    ("youtube_totals_several_metrics_ddmmyyyy.csv", "youtube_totals", 7),
    ("youtube_totals_mdy.csv", "youtube_totals", 5),
])
def test_youtube_chart_data_by_dimension_and_totals_of_several_metrics(name, layout, rows):
    (report,) = ingest_one(fx.FIXTURES / name).files
    assert (report.layout, report.rows_read, report.rows_unused) == (layout, rows, rows)


def test_a_date_beside_columns_youtube_does_not_write_is_not_taken_for_youtube():
    assert detect(["Date", "Colour"])[0] is None
    assert detect(["Date", "Traffic source", "Colour"])[0] is None
    assert detect(["Date", "Views", "Estimated revenue (GBP)"])[0].layout.layout_id == "youtube_totals"


# --- TikTok --------------------------------------------------------------------------------------------


def test_tiktok_studio_dates_in_spanish_are_placed_in_the_review_year():
    result = ingest_one(fx.FIXTURES / "tiktok_studio_content_spanish.csv")
    days = result.tables["posts"]["published_at"].dt.tz_convert("Europe/London").dt.date.tolist()
    # exported "10 de marzo" in a 2025 review: March 2025 back to December 2024
    assert days == [dt.date(2025, 3, 8), dt.date(2025, 3, 2), dt.date(2025, 2, 14), dt.date(2024, 12, 31), dt.date(2025, 1, 1)]
    assert result.tables["posts"]["impressions"].sum() == sum(p[5] for p in fx.TIKTOK_ES)


@pytest.mark.parametrize("text, expected", [
    ("8 de marzo", (3, 8)), ("8 mars", (3, 8)), ("8. März", (3, 8)), ("27 de fevereiro", (2, 27)), ("1 mei", (5, 1)),
    ("3 août", (8, 3)), ("12 dic.", (12, 12)), ("February 27", (2, 27)), ("Feb 29", (2, 29)),
    ("31 de febrero", None), ("5 jui", None), ("hello", None), ("", None),
])
def test_month_and_day_in_six_languages(text, expected):
    assert parse_month_day(text) == expected


# --- block-style files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, layout, titles", [
    ("mbs_audience_utf16.csv", "mbs_audience", [b[0] for b in fx.AUDIENCE_BLOCKS]),
    ("mbs_audience_cp1251_semicolon.csv", "mbs_audience", [b[0] for b in fx.AUDIENCE_BLOCKS]),
    ("mbs_top_content_formats.csv", "mbs_top_content_formats", ["Top content formats: Views", "Top content formats: Interactions"]),
    ("tiktok_business_audience.csv", "tiktok_business_audience", ["Gender", "Age", "Top territories"]),
])
def test_block_files_are_recognised_and_every_block_row_counted(name, layout, titles):
    """An audience export feeds audience_demographics (an Age & gender line with women and men gives
    two table rows, one record); Top content formats is not used, every block row counted as unused."""
    blocks = read_blocks(fx.FIXTURES / name)
    assert [b.title for b in blocks] == titles
    (report,) = ingest_one(fx.FIXTURES / name).files
    if layout == "mbs_top_content_formats":
        assert (report.layout, report.table, report.rows_read, report.rows_unused) == (
            layout, None, sum(len(b.rows) for b in blocks), sum(len(b.rows) for b in blocks))
        return
    assert (report.layout, report.table, report.rows_read, report.rows_unused) == (
        layout, "audience_demographics", sum(len(b.rows) for b in blocks), 0)
    assert report.rows_read == report.rows_accepted + report.rows_rejected


def _records_of(path: Path):
    from review.inputs.adapters.reader import _raw_sheets, _sniff_text, _head_text, _text_records, sniff_kind

    if sniff_kind(path) == "text":
        text, encoding, _ = _head_text(path)
        yield list(_text_records(path, _sniff_text(text, encoding)))
    else:
        for _, rows, _ in _raw_sheets(path)[1]:
            yield rows


EDGE_RECORDS = [
    [],
    [(1, [""]), (2, ["", " "])],
    [(1, ["Title"]), (2, ["a", "b"]), (3, ["1", "2"])],
    [(1, ["Title", ""]), (2, [" Sub "]), (3, ["a", "b"]), (4, []), (5, ["One column"]), (6, ["x"]), (7, ["y"])],
    [(1, ["a", "b"]), (2, ["1", "2"]), (3, [" "]), (4, [" Lone "]), (5, [""]), (6, ["p", "q"]), (7, ["t"])],
]


@pytest.mark.parametrize("path", sorted(fx.FIXTURES.glob("*.*")) + sorted(EXPORTS.glob("*.csv")), ids=lambda p: p.name)
def test_block_titles_are_the_titles_split_blocks_finds(path):
    """Recognising a file reads only its blocks' titles (block_titles, without building the blocks):
    the same titles, in order, as the blocks split_blocks builds, on every fixture and real export."""
    for records in _records_of(path):
        assert block_titles(records) == [b.title for b in split_blocks(records) if b.title]


@pytest.mark.parametrize("records", EDGE_RECORDS)
def test_block_titles_agree_with_split_blocks_on_edge_cases(records):
    assert block_titles(records) == [b.title for b in split_blocks(records) if b.title]


def test_the_block_reader_gives_one_frame_per_block_even_after_a_cyrillic_excel():
    utf16 = read_blocks(fx.FIXTURES / "mbs_audience_utf16.csv")
    cp1251 = read_blocks(fx.FIXTURES / "mbs_audience_cp1251_semicolon.csv")
    for (title, header, rows), a, b in zip(fx.AUDIENCE_BLOCKS, utf16, cp1251):
        assert (a.title, a.header, a.rows) == (title, header, rows)
        assert a.frame.columns.tolist() == header and len(a.frame) == len(rows)
        assert (b.title, b.header) == (title, header)
        assert [r[: len(header)] for r in b.rows] == [[fx._as_russian_excel(c) for c in r] for r in rows]
    assert cp1251[0].rows[0] == ["18-24", "04.янв", "03.фев", ""]  # 4.1 and 3.2, turned into dates by Excel
    assert cp1251[1].rows[-1][0] == "Київ, Україна"  # cp1251, not cp1252
    assert "cp1251 (Cyrillic Windows) text" in read_sheets(fx.FIXTURES / "mbs_audience_cp1251_semicolon.csv")[0].quirks


# --- the legacy Facebook post workbook (SpreadsheetML saved as .xls) ---------------------------------------


def test_facebook_excel_download_is_read_and_breakdowns_joined_to_their_posts(tmp_path):
    path = tmp_path / "Facebook Insights Data Export (Post Level).xls"
    path.write_text(fx.facebook_post_workbook(12), encoding="utf-8")
    result = validate_files(read_inputs([path], PERIOD)[0])
    name = path.name
    reports = {f.path.replace(name, "wb"): f for f in result.files}
    assert reports["wb [Key Metrics]"].format.endswith("(XLS (Excel 2003 XML))")
    posts = result.tables["posts"].set_index("post_id")
    assert len(posts) == 12
    for p in fx.facebook_posts(12):
        post = posts.loc[p["Post ID"]]
        likes, comments, shares = p["stories"] or (0, 0, 0)
        clicks = p["clicks"] or (0, 0, 0, 0)
        assert (post.impressions, post.reach) == (p["impressions"], p["reach"])
        assert (post.reactions, post.comments, post.shares, post.link_clicks) == (likes, comments, shares, clicks[0])
        if p["stories"] or p["clicks"]:
            assert post.engagements == likes + comments + shares + sum(clicks)
        if p["video"]:
            assert post.video_views == p["video"][1]  # the Total Count column, told apart by the description row
        posted = dt.datetime.strptime(p["Posted"], "%m/%d/%Y %I:%M:%S %p")
        assert post.published_at.tz_convert("Europe/London").tz_localize(None) == pd.Timestamp(posted)
    stories = reports["wb [Lifetime Post Stories by action]"]
    assert (stories.rows_merged, stories.rows_rejected, stories.rows_unused) == (sum(p["stories"] is not None for p in fx.facebook_posts(12)), 1, 0)
    assert result.rejected["reason"].str.contains("no post with this Post ID on the sheet 'Key Metrics'").sum() == 1
    assert reports["wb [Lifetime Talking About This(Pos]"].rows_unused == 12


def test_a_breakdown_sheet_without_its_key_metrics_sheet_is_counted_not_joined(tmp_path):
    text = fx.facebook_post_workbook(3)
    start, end = text.index(' <Worksheet ss:Name="Key Metrics">'), text.index("</Worksheet>") + len("</Worksheet>")
    (tmp_path / "breakdowns.xls").write_text(text[:start] + text[end:], encoding="utf-8")
    result = validate_files(read_inputs([tmp_path / "breakdowns.xls"], PERIOD)[0])
    for f in result.files:
        assert f.rows_unused == f.rows_read > 0 and f.rows_merged == 0
        assert any("not joined" in n for n in f.notes)


# --- damaged files of every format: one clear line, never a traceback -------------------------------------


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements"])
    book.active.append(["1", "https://twitter.com/n/status/1", "hi", "2025-01-02 10:00 +0000", "10", "1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DAMAGED = {
    "truncated.xlsx": lambda: _xlsx_bytes()[:700],
    "junk.csv": lambda: bytes(range(256)) * 8,
    "empty.csv": lambda: b"",
    "empty.xls": lambda: b"",
    "nul.csv": lambda: b"\x00" * 64,
    "truncated_xml.xls": lambda: fx.facebook_post_workbook(3).encode("utf-8")[:1500],
    "truncated_biff.xls": lambda: (fx.FIXTURES / fx.LINKEDIN_XLS).read_bytes()[:3000],
    "webpage.xls": lambda: b"<!DOCTYPE html><html><body><table><tr><td>Views</td></tr></table></body></html>",
    "zip_not_xlsx.xlsx": lambda: _zip_of_nothing(),
    "cut_utf16.csv": lambda: (EXPORTS / "meta_business_suite_daily_views_utf16.csv").read_bytes()[:301],
    "random.parquet": lambda: b"PAR1" + bytes(range(100)),
}


def _zip_of_nothing() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_a_damaged_file_is_one_clear_line_naming_it(tmp_path, name):
    if name == "cut_utf16.csv" and not EXPORTS.is_dir():
        pytest.skip("../shared/exports is not beside the repo")
    data = tmp_path / "data"
    data.mkdir()
    (data / name).write_bytes(DAMAGED[name]())
    outcome = CliRunner().invoke(app, ["ingest", str(data), "--out", str(tmp_path / "out")])
    assert "Traceback" not in outcome.output and not isinstance(outcome.exception, (AttributeError, KeyError, TypeError, IndexError))
    if outcome.exit_code == 0:  # read as what it is (the cut UTF-16 file keeps its whole lines)
        return
    assert outcome.exit_code == 1 and outcome.output.startswith("error: "), outcome.output
    message = " ".join(outcome.output.split())
    assert name in message
    assert any(word in message for word in ("expected", "empty", "cannot be read", "does not match")), message


def test_every_real_export_as_header_only_reads_no_rows(tmp_path):
    from scaled_exports import scale, shared_sources

    sources = shared_sources()
    if not sources:
        pytest.skip("../shared/exports is not beside the repo")
    for name, source in sources.items():
        (tmp_path / name).write_bytes(scale(source, 0))
    result = validate_files(read_folder(tmp_path, PERIOD)[0], tmp_path)
    assert len(result.files) == len(sources)
    assert all(f.rows_read == 0 for f in result.files)


def test_files_named_for_what_they_are_not_are_read_as_what_they_are(tmp_path):
    (tmp_path / "tweets.xls").write_bytes(_xlsx_bytes())  # an XLSX named .xls
    (tmp_path / "tabbed.xls").write_text("Date\tViews\n2024-03-01\t12\n2024-03-02\t15\n", encoding="utf-8")  # text
    result = validate_files(read_folder(tmp_path, PERIOD)[0], tmp_path)
    reports = {f.path: f for f in result.files}
    assert (reports["tweets.xls"].layout, reports["tweets.xls"].rows_accepted) == ("x_tweet_activity", 1)
    assert any("XLSX workbook saved with a .xls name" in n for n in reports["tweets.xls"].notes)
    assert (reports["tabbed.xls"].layout, reports["tabbed.xls"].rows_unused) == ("youtube_totals", 2)


# --- unknown files and hidden folders ------------------------------------------------------------------------


def test_every_unknown_file_is_named_at_once_with_what_it_looks_like(tmp_path):
    (tmp_path / "colours.csv").write_text("Colour,Shape\nred,round\nblue,square\n", encoding="utf-8")
    # most of an X export's header: the closest format is offered
    (tmp_path / "tweets.csv").write_text('"Tweet id","Tweet permalink","Tweet text","time","impressionz","engagements"\n', encoding="utf-8")
    # an audience file sharing one name with the accounts register: no misleading hint
    (tmp_path / "audience.csv").write_text("Platform,Age band,Share of followers\nFacebook,18-24,0.12\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ReviewError) as caught:
        read_folder(tmp_path)
    lines = str(caught.value).splitlines()
    by_file = {line.split(":", 1)[0]: line for line in lines if ":" in line}
    assert set(by_file) >= {"colours.csv", "tweets.csv", "audience.csv", "empty.csv"}
    assert "It looks like text (utf-8, ','-separated) with 2 column(s): Colour, Shape; 2 row(s)" in by_file["colours.csv"]
    assert "No known format has most of these headers" in by_file["colours.csv"]
    assert "The closest is 'X tweet activity export" in by_file["tweets.csv"] and "impressions" in by_file["tweets.csv"]
    assert "closest" not in by_file["audience.csv"].lower() and "accounts" not in by_file["audience.csv"]
    assert "--skip-unknown" in lines[-1]


def test_skip_unknown_goes_on_and_lists_every_skipped_file_with_its_reason(tmp_path):
    data = tmp_path / "data"
    (data / ".exports").mkdir(parents=True)
    shutil.copy(fx.FIXTURES / "x_content_late_2024.csv", data / "x.csv")
    shutil.copy(fx.FIXTURES / "x_content_late_2024.csv", data / ".exports" / "x copy.csv")
    (data / "colours.csv").write_text("Colour,Shape\nred,round\n", encoding="utf-8")
    (data / "broken.xlsx").write_bytes(_xlsx_bytes()[:500])
    outcome = CliRunner().invoke(app, ["ingest", str(data), "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 1 and "colours.csv" in outcome.output and "broken.xlsx" in outcome.output
    outcome = CliRunner().invoke(app, ["ingest", str(data), "--out", str(tmp_path / "out"), "--skip-unknown"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads((tmp_path / "out" / "ingest-report.json").read_text())
    assert [f["path"] for f in report["files"]] == ["x.csv"]
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == {"colours.csv", "broken.xlsx", ".exports/x copy.csv"}
    assert "cannot be read as XLSX" in skipped["broken.xlsx"] and "hidden folder" in skipped[".exports/x copy.csv"]
    assert "Skipped 3 file(s)" in outcome.output


def test_a_hidden_folder_is_listed_even_without_skip_unknown(tmp_path):
    (tmp_path / ".ipynb_checkpoints").mkdir()
    shutil.copy(fx.FIXTURES / "x_content_late_2024.csv", tmp_path / "x.csv")
    shutil.copy(fx.FIXTURES / "x_content_late_2024.csv", tmp_path / ".ipynb_checkpoints" / "x-checkpoint.csv")
    raw, meta = read_folder(tmp_path)
    assert [r.rel for r in raw] == ["x.csv"]  # the copy is not read twice
    assert [s["file"] for s in meta["skipped"]] == [".ipynb_checkpoints/x-checkpoint.csv"]


def test_the_report_appendix_lists_skipped_files(repo_root):
    from context_fixture import make_context
    from review.context import SkippedFile
    from review.outputs.render import render_html

    ctx = make_context(skipped=[SkippedFile(".exports/x copy.csv", "in a hidden folder: not read")])
    html = render_html(ctx, repo_root / "templates")
    assert "We did not read 1 file" in html and "x copy.csv" in html and "in a hidden folder: not read" in html
