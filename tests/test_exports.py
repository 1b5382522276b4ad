"""Every real platform export in ../shared/exports, read in place: detected, repaired, mapped,
every row accounted for. Expected values were checked by hand from the files (plain csv module,
a text editor), not computed by the code under test."""

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from review.cli import app
from review.inputs.ingest import read_folder
from review.inputs.validate import validate_files

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"
PERIOD_2025 = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))

pytestmark = pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")

# file -> (layout, table, rows read, accepted, rejected, merged, unused)
EXPECTED = {
    "facebook_ads_manager_2017.csv": ("fb_ads_manager", None, 11, 0, 0, 0, 11),
    "facebook_insights_page_level_legacy_2014.csv": ("fb_insights_page_level", "audience", 6, 6, 0, 0, 0),
    "facebook_insights_post_level_legacy_2016.csv": ("fb_insights_post_level", "posts", 15, 15, 0, 0, 0),
    "facebook_insights_post_level_legacy_2017.csv": ("fb_insights_post_level", "posts", 1, 1, 0, 0, 0),
    # 3 of its 6 videos are also in the (later) 2016 post-level export
    "facebook_insights_video_posts_legacy_2015.csv": ("fb_insights_video_posts", "posts", 6, 3, 0, 3, 0),
    "meta_business_suite_daily_follows_excel_resaved_semicolon.csv": ("mbs_daily_metric", None, 20, 0, 0, 0, 20),
    "meta_business_suite_daily_follows_utf16.csv": ("mbs_daily_metric", None, 20, 0, 0, 0, 20),
    "meta_business_suite_daily_views_utf16.csv": ("mbs_daily_metric", None, 20, 0, 0, 0, 20),
    "meta_business_suite_facebook_videos_excel_resaved.csv": ("mbs_facebook_videos", "posts", 8, 8, 0, 0, 0),
    "meta_business_suite_instagram_posts_excel_resaved.csv": ("mbs_instagram_posts", "posts", 5, 5, 0, 0, 0),
    "tiktok_business_overview_resaved.csv": ("tiktok_business_overview", None, 20, 0, 0, 0, 20),
    "tiktok_business_videos_resaved.csv": ("tiktok_business_videos", "posts", 8, 8, 0, 0, 0),
    "tiktok_studio_content.csv": ("tiktok_studio_content", "posts", 13, 13, 0, 0, 0),
    "tiktok_studio_follower_activity.csv": ("tiktok_studio_follower_activity", None, 24, 0, 0, 0, 24),
    "tiktok_studio_follower_gender.csv": ("tiktok_studio_follower_gender", "audience_demographics", 3, 3, 0, 0, 0),
    "tiktok_studio_follower_history.csv": ("tiktok_studio_follower_history", "audience", 20, 15, 5, 0, 0),
    "tiktok_studio_follower_top_territories.csv": ("tiktok_studio_follower_territories", "audience_demographics", 10, 10, 0, 0, 0),
    "tiktok_studio_overview.csv": ("tiktok_studio_overview", None, 20, 0, 0, 0, 20),
    "tiktok_studio_viewers.csv": ("tiktok_studio_viewers", None, 15, 0, 0, 0, 15),
    "x_account_analytics_content_2025_reconstructed.csv": ("x_account_content", "posts", 9, 7, 2, 0, 0),
    "x_account_overview_analytics_2025.csv": ("x_account_overview", None, 7, 0, 0, 0, 7),
    "x_twitter_tweet_activity_metrics_2016.csv": ("x_tweet_activity", "posts", 15, 15, 0, 0, 0),
    "x_twitter_tweet_activity_metrics_2017_full.csv": ("x_tweet_activity", "posts", 10, 10, 0, 0, 0),
    "x_twitter_tweet_activity_metrics_2021_multiline.csv": ("x_tweet_activity", "posts", 7, 7, 0, 0, 0),
    "youtube_studio_aggregated_metrics_by_video_excel_touched.csv": ("youtube_aggregated_by_video", "posts", 16, 15, 1, 0, 0),
    "youtube_studio_table_data.csv": ("youtube_table_data", "posts", 20, 19, 1, 0, 0),
}

# posts files -> (sum of impressions, first and last published day in UK time), from the files
POSTS = {
    "x_twitter_tweet_activity_metrics_2016.csv": (42033, "2016-12-15", "2016-12-23"),
    "x_twitter_tweet_activity_metrics_2017_full.csv": (486, "2017-04-01", "2017-04-04"),
    "x_twitter_tweet_activity_metrics_2021_multiline.csv": (58391, "2021-12-15", "2021-12-28"),
    "x_account_analytics_content_2025_reconstructed.csv": (6775, "2025-11-03", "2025-11-09"),
    "facebook_insights_post_level_legacy_2016.csv": (77748, "2016-01-13", "2016-02-14"),
    "facebook_insights_post_level_legacy_2017.csv": (60, "2017-01-19", "2017-01-19"),
    "meta_business_suite_instagram_posts_excel_resaved.csv": (37176, "2025-12-27", "2025-12-31"),
    "youtube_studio_table_data.csv": (4550, None, None),
    "youtube_studio_aggregated_metrics_by_video_excel_touched.csv": (42991991, "2020-01-07", "2021-09-04"),
    "tiktok_studio_content.csv": (537161, "2025-04-08", "2026-02-01"),
    "tiktok_business_videos_resaved.csv": (319722, "2025-10-31", "2025-12-31"),
}


@pytest.fixture(scope="module")
def result():
    raw, meta = read_folder(EXPORTS, PERIOD_2025)
    return raw, validate_files(raw, EXPORTS)


def report(result, name):
    return next(f for f in result[1].files if f.path == name)


def test_every_sample_is_detected_and_counted(result):
    files = {f.path: f for f in result[1].files}
    assert set(files) == set(EXPECTED) == {p.name for p in EXPORTS.glob("*.csv")}
    for name, (layout, table, read, accepted, rejected, merged, unused) in EXPECTED.items():
        f = files[name]
        assert (f.layout, f.table) == (layout, table), name
        assert (f.rows_read, f.rows_accepted, f.rows_rejected, f.rows_merged, f.rows_unused) == (
            read, accepted, rejected, merged, unused), name


def test_row_accounting_holds_for_every_file(result):
    for f in result[1].files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected + f.rows_merged + f.rows_unused, f.path
        if f.table is not None:
            assert f.rows_unused == 0 and f.rows_read == f.rows_accepted + f.rows_rejected + f.rows_merged


def test_every_rejected_row_is_logged_with_a_reason_and_a_real_line(result):
    log = result[1].rejected
    assert log["reason"].str.len().gt(0).all()
    for f in result[1].files:
        rows = log[log["file"] == f.path]
        assert rows["line"].nunique() == f.rows_rejected, f.path
    lines = {(r.file, r.line): r.value for r in log.itertuples()}
    # the physical lines hold what the log says they hold
    assert lines[("youtube_studio_table_data.csv", 2)] == "Total"
    assert lines[("x_account_analytics_content_2025_reconstructed.csv", 7)].endswith("/status/undefined")
    assert [l for (f, l) in lines if f == "tiktok_studio_follower_history.csv"] == [2, 3, 4, 5, 6]
    text = (EXPORTS / "tiktok_studio_follower_history.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[5].startswith('"March 24","undefined"') and text[6].startswith('"March 25","37"')


def test_posts_match_the_files_counts_sums_and_dates(result):
    raw, validated = result
    posts = validated.tables["posts"]
    for name, (impressions, first, last) in POSTS.items():
        ids = next(r for r in raw if r.rel == name).frame["post_id"].str.strip()
        mine = posts[posts["post_id"].isin(ids)]
        assert len(mine) == report(result, name).rows_accepted, name
        assert mine["impressions"].sum() == impressions, name
        if first:
            days = mine["published_at"].dt.tz_convert("Europe/London").dt.strftime("%Y-%m-%d")
            assert (days.min(), days.max()) == (first, last), name
    # the legacy Facebook video export: 6 videos, 22,806 impressions, 5,007 reach (3 shared with 2016)
    legacy = posts[posts["post_id"].str.startswith("518995791497187_")]
    assert len(legacy) == 15 + 3 and legacy["impressions"].sum() == 77748 + 786 + 1934 + 2675


def test_metrics_map_as_documented(result):
    posts = result[1].tables["posts"].set_index("post_id")
    tweet = posts.loc["812369747765362688"]  # first row of the 2016 export
    assert (tweet.impressions, tweet.engagements, tweet.reactions, tweet.shares, tweet.link_clicks) == (1938, 18, 1, 0, 15)
    assert tweet.published_at == pd.Timestamp("2016-12-23T18:50:00Z") and tweet.account_id == "x:rOpenSci"
    assert "&amp;" not in posts.loc["812341199767863296"].text  # entities decoded
    x_new = posts.loc["1987315260559167965"]  # time from the snowflake id; the export only says Nov 9
    assert x_new.published_at == pd.Timestamp("2025-11-09T00:24:15Z") and x_new.impressions == 1351
    fb = posts.loc["518995791497187_1110323039031123"]
    assert (fb.impressions, fb.reach, fb.reactions, fb.link_clicks, fb.media_type) == (537, 301, 10, 7, "image")
    assert fb.published_at == pd.Timestamp("2016-02-14T00:40:16Z")  # 12:40:16 AM, GMT
    ig = posts.loc["18031208150569748"]
    assert (ig.impressions, ig.reach, ig.reactions, ig.comments, ig.shares, ig.engagements) == (25992, 17483, 321, 1, 120, 458)
    assert ig.published_at == pd.Timestamp("2025-12-30T09:56:00Z") and ig.media_type == "video"
    assert ig.text.count("\n") >= 4  # the caption's lines came back together
    yt = posts.loc["-3d1NctSv0c"]  # an id starting with "-" (the leading-space case: test_exports_by_hand.py)
    assert (yt.video_views, yt.impressions) == (2326, 123236)
    assert yt.published_at == pd.Timestamp("2020-06-19T23:00:00Z")  # 6-20-2020, midnight BST
    fbv = posts.loc["4388442338054561"]
    assert (fbv.reach, fbv.video_views, fbv.engagements) == (2222, 1488, 27) and pd.isna(fbv.impressions)
    tiktok = posts.loc["7527623000473079054"]  # "July 16", exported "February 28": 2025 for a 2025 review
    assert tiktok.published_at.tz_convert("Europe/London").date() == dt.date(2025, 7, 16)


def test_audience_from_tiktok_and_legacy_facebook(result):
    audience = result[1].tables["audience"]
    tiktok = audience[audience["account_id"] == "tiktok:unattributed"].sort_values("date")
    assert len(tiktok) == 15 and tiktok["date"].iloc[0] == pd.Timestamp("2025-03-25")
    assert tiktok["date"].iloc[-1] == pd.Timestamp("2025-04-08") and tiktok["followers"].iloc[-1] == 1213
    facebook = audience[audience["account_id"] == "facebook:unattributed"]
    assert len(facebook) == 6 and facebook["followers"].eq(176).all()
    assert facebook["date"].min() == pd.Timestamp("2014-08-24")


def test_unused_files_say_why(result):
    for f in result[1].files:
        if f.table is None:
            assert any("recognised, not used by the review" in n for n in f.notes), f.path


def test_review_ingest_cli_writes_tables_and_report(tmp_path):
    out = tmp_path / "out"
    outcome = CliRunner().invoke(app, ["ingest", str(EXPORTS), "--out", str(out), "--year", "2025"])
    assert outcome.exit_code == 0, outcome.output
    assert {p.stem for p in out.glob("*.parquet")} >= {"posts", "audience", "accounts", "contacts"}
    payload = json.loads((out / "ingest-report.json").read_text())
    assert len(payload["files"]) == len(EXPECTED)
    for f in payload["files"]:
        assert {"path", "format", "rows_read", "rows_accepted", "rows_rejected", "rows_merged"} <= set(f)
    assert payload["tables"]["posts"] == len(pd.read_parquet(out / "posts.parquet")) == 126
    assert len(pd.read_csv(out / "rejected-rows.csv")) == 9
