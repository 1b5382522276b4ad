"""The adapters' decisions, one test each: detection, repairs, overlaps, accounts, years."""

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from review.inputs.adapters import LAYOUTS, detect
from review.inputs.adapters.reader import read_sheets
from review.docs import platform_exports
from review.errors import ReviewError
from review.inputs.ingest import read_folder
from review.inputs.validate import check_reject_rate, validate_files

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"
needs_exports = pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")
X_2016 = EXPORTS / "x_twitter_tweet_activity_metrics_2016.csv"
ACCOUNTS = "account_id,platform,handle,name,owner_unit,purpose,opened_date,closed_date,is_approved,has_mfa,admin_count,last_reviewed_date\n"


def ingest(folder, period=None):
    raw, _ = read_folder(folder, period)
    return validate_files(raw, folder)


def test_platform_exports_doc_is_fresh(repo_root):
    committed = (repo_root / "docs" / "platform-exports.md").read_text(encoding="utf-8")
    assert committed == platform_exports(), "docs/platform-exports.md is stale: run `review docs`"


def test_every_layout_is_documented():
    for layout in LAYOUTS.values():
        assert layout.title and (layout.fingerprint or layout.blocks) and layout.source and layout.vintage, layout.layout_id
        if layout.table is None:
            assert layout.why_not_used, layout.layout_id
        else:
            assert (layout.columns or layout.block_specs) and layout.definitions, layout.layout_id
            if layout.table == "posts":
                assert {"impressions", "reach", "engagements"} <= set(layout.definitions), layout.layout_id


def test_documented_layouts_without_a_sample_are_detected_from_their_headers():
    linkedin = ["Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date", "Audience",
                "Impressions", "Views (excluding off-site video views)", "Clicks", "Click through rate (CTR)",
                "Likes", "Comments", "Reposts", "Follows", "Engagement rate", "Content Type"]
    fit, _ = detect(linkedin, ["All posts: aggregated metrics for each post"])
    assert fit.layout.layout_id == "linkedin_all_posts"
    fit, _ = detect(["Date", "Content", "Video title", "Video publish time", "Duration", "Views"])
    assert fit.layout.layout_id == "youtube_chart_data"  # more specific than Table data
    fit, _ = detect(["Date", "Views"])
    assert fit.layout.layout_id == "youtube_totals"
    fit, _ = detect(["Date", "Primary"], ["Views"])
    assert fit.layout.layout_id == "mbs_daily_metric"


def test_linkedin_xlsx_with_a_description_row_feeds_posts(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "All posts"
    sheet.append(["Aggregated post metrics for Northshire Police, 01/01/2025 - 12/31/2025"])
    sheet.append(["Post title", "Post link", "Post type", "Created date", "Impressions", "Clicks", "Likes",
                  "Comments", "Reposts", "Follows", "Content Type"])
    sheet.append(["Road closure", "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000001",
                  "Organic", "03/02/2025", 1200, 30, 12, 2, 1, 0, "Image"])
    book.save(tmp_path / "linkedin.xlsx")
    result = ingest(tmp_path, (dt.date(2025, 1, 1), dt.date(2026, 1, 1)))
    post = result.tables["posts"].iloc[0]
    assert (post.post_id, post.impressions, post.engagements, post.media_type) == ("7100000000000000001", 1200, 45, "image")
    assert post.published_at == pd.Timestamp("2025-03-02T00:00:00Z")  # March 2 (month first), GMT
    assert result.files[0].layout == "linkedin_all_posts"


@needs_exports
def test_reader_keeps_physical_lines_through_repairs():
    ig = read_sheets(EXPORTS / "meta_business_suite_instagram_posts_excel_resaved.csv")[0]
    assert "every line re-wrapped as one quoted cell by Excel" in ig.quirks
    assert ig.lines[:2] == [2, 11] and len(ig.rows) == 5  # captions span bare lines
    utf16 = read_sheets(EXPORTS / "meta_business_suite_daily_follows_utf16.csv")[0]
    assert (utf16.encoding, utf16.preamble, utf16.header, utf16.lines[0]) == ("utf-16", ["Instagram follows"], ["Date", "Primary"], 4)
    semicolon = read_sheets(EXPORTS / "meta_business_suite_daily_follows_excel_resaved_semicolon.csv")[0]
    assert (semicolon.delimiter, semicolon.header, semicolon.rows[3]) == (";", ["Date", "Primary"], ["2025-11-03T01:00:00", "0"])
    legacy = read_sheets(EXPORTS / "facebook_insights_page_level_legacy_2014.csv")[0]
    assert legacy.encoding == "cp1252" and legacy.lines[0] == 3 and len(legacy.header) == 2325
    assert any("Åkersberga" in h for h in legacy.header)
    tweets = read_sheets(EXPORTS / "x_twitter_tweet_activity_metrics_2021_multiline.csv")[0]
    assert tweets.lines[:2] == [2, 9]


@needs_exports
def test_xlsx_copy_of_a_csv_export_reads_the_same(tmp_path):
    frame = pd.read_csv(X_2016, dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "tweets.xlsx", index=False)
    posts = ingest(tmp_path).tables["posts"]
    assert len(posts) == 15 and posts["impressions"].sum() == 42033
    assert posts["published_at"].max() == pd.Timestamp("2016-12-23T18:50:00Z")


@needs_exports
def test_overlapping_exports_keep_the_latest_figures(tmp_path):
    lines = X_2016.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]  # newest tweet first
    newer = rows[:10]  # the later export: tweets 1-10
    older = rows[5:]  # tweets 6-15; tweet 6 gets an older figure below
    # named so the older export sorts last: order must come from the dates, not the names
    (tmp_path / "a_newer.csv").write_text("\n".join([header, *newer]) + "\n", encoding="utf-8")
    (tmp_path / "b_older.csv").write_text("\n".join([header, *older]) + "\n", encoding="utf-8")
    overlap_id = rows[5].split('","')[0].strip('"')
    (tmp_path / "b_older.csv").write_text(
        (tmp_path / "b_older.csv").read_text().replace(rows[5], rows[5].replace(rows[5].split('","')[4], "1.0")), encoding="utf-8"
    )
    result = ingest(tmp_path)
    merged = {f.path: f.rows_merged for f in result.files}
    assert merged == {"a_newer.csv": 0, "b_older.csv": 5}
    posts = result.tables["posts"].set_index("post_id")
    assert len(posts) == 15
    assert posts.loc[overlap_id, "impressions"] != 1  # the newer export's figure won


@needs_exports
def test_account_is_decided_by_handle_then_folder_then_synthetic(tmp_path):
    (tmp_path / "accounts.csv").write_text(
        ACCOUNTS
        + "NSP-001,X,@ropensci,rOpenSci,Corporate Communications,corporate,2015-01-01,,true,true,3,2025-02-01\n"
        + "NSP-009,YouTube,@northshire,Northshire Police,Corporate Communications,corporate,2015-01-01,,true,true,2,\n",
        encoding="utf-8",
    )
    shutil.copy(X_2016, tmp_path / "tweets.csv")
    (tmp_path / "NSP-009").mkdir()
    shutil.copy(EXPORTS / "youtube_studio_table_data.csv", tmp_path / "NSP-009" / "Table data.csv")
    shutil.copy(EXPORTS / "x_twitter_tweet_activity_metrics_2017_full.csv", tmp_path / "other.csv")
    files = {f.path: f for f in ingest(tmp_path).files}
    assert files["tweets.csv"].account_id == "NSP-001" and "matched accounts.handle" in files["tweets.csv"].account_rule
    assert files["NSP-009/Table data.csv"].account_id == "NSP-009"
    assert "folder 'NSP-009'" in files["NSP-009/Table data.csv"].account_rule
    assert files["other.csv"].account_id == "x:TCORSStgOrg"
    assert "no match in the accounts register" in files["other.csv"].account_rule


@needs_exports
def test_tiktok_year_comes_from_the_period_or_a_year_folder(tmp_path):
    (tmp_path / "2024").mkdir()
    shutil.copy(EXPORTS / "tiktok_studio_content.csv", tmp_path / "2024" / "Content.csv")
    posts = ingest(tmp_path).tables["posts"]
    days = posts["published_at"].dt.tz_convert("Europe/London").dt.date
    assert (days.min(), days.max()) == (dt.date(2024, 4, 8), dt.date(2025, 2, 1))  # export date 28 Feb 2025
    posts = ingest(tmp_path, (dt.date(2025, 4, 1), dt.date(2026, 4, 1))).tables["posts"]  # financial 2025/26
    days = posts["published_at"].dt.tz_convert("Europe/London").dt.date
    assert (days.min(), days.max()) == (dt.date(2025, 4, 8), dt.date(2026, 2, 1))


@needs_exports
def test_unknown_files_name_the_closest_format_and_missing_headers_all_at_once(tmp_path):
    text = X_2016.read_text(encoding="utf-8")
    (tmp_path / "a.csv").write_text(text.replace('"impressions",', '"impressionz",', 1), encoding="utf-8")
    (tmp_path / "b.csv").write_text("Colour,Shape\nred,round\n", encoding="utf-8")
    with pytest.raises(ReviewError) as caught:
        read_folder(tmp_path)
    message = str(caught.value)
    assert "a.csv: line 1:" in message and "closest is 'X tweet activity export" in message
    assert "which also needs header(s) impressions" in message
    assert "b.csv: line 1:" in message


@needs_exports
def test_summary_rows_are_logged_but_do_not_trip_the_reject_limit(tmp_path):
    shutil.copy(EXPORTS / "x_account_analytics_content_2025_reconstructed.csv", tmp_path / "x.csv")
    result = ingest(tmp_path)
    f = result.files[0]
    assert (f.rows_rejected, f.rows_junk) == (2, 2)
    check_reject_rate(result.files, 0)  # 2 placeholders of 9 rows: no real rejects


def test_bad_platform_cells_are_rejected_with_the_platform_column(tmp_path):
    header = '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements"'
    rows = [
        '"1","https://twitter.com/force/status/1","ok","2025-01-02 10:00 +0000","10.0","1.0"',
        '"2","https://twitter.com/force/status/2","bad","2025-01-02 11:00 +0000","lots","1.0"',
    ]
    (tmp_path / "t.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = ingest(tmp_path)
    log = result.rejected
    assert log[["line", "column", "value"]].values.tolist() == [[3, "impressions (from impressions)", "lots"]]
    assert (result.files[0].rows_accepted, result.files[0].rows_rejected) == (1, 1)


def test_register_saved_by_excel_with_semicolons_and_cp1252_is_read(tmp_path):
    text = (ACCOUNTS + "NSP-001,X,@ns,Northshire Police – Corporate,Corporate Communications,corporate,2015-01-01,,true,true,3,\n")
    (tmp_path / "accounts.csv").write_bytes(text.replace(",", ";").encode("cp1252"))
    result = ingest(tmp_path)
    assert result.tables["accounts"]["name"].tolist() == ["Northshire Police – Corporate"]
    assert result.files[0].format == "canonical CSV"


@needs_exports
def test_review_run_ingest_stage_takes_a_folder_of_raw_exports(tmp_path):
    from review.runner.artifacts import read_json
    from review.evidence.pipeline import ingest_stage

    summary = ingest_stage(str(EXPORTS), 2025, None, str(tmp_path))
    assert len(summary) == len(list(EXPORTS.glob("*.csv")))
    assert len(pd.read_parquet(tmp_path / "canonical" / "posts.parquet")) == 126
    files = read_json(tmp_path / "artifacts" / "ingest.json")["files"]
    assert all(f["rows_read"] == f["rows_accepted"] + f["rows_rejected"] + f["rows_merged"] + f["rows_unused"] for f in files)
