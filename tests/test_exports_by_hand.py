"""Every real export in ../shared/exports, read in place and checked against figures this test
works out itself from the raw bytes.

The expected values do not come from `review`: each file is opened here with the csv module and
its quirk is handled explicitly, in a few lines per file (the UTF-16 `sep=` preamble skipped, the
legacy Facebook description row dropped, the Excel re-wrap undone, YouTube's `Total` row and X's
`/status/undefined` rows set aside, TikTok's `undefined` days set aside, a year put on TikTok's
month-day dates). Row counts, sums of impressions and views, first and last dates and ids are
then compared with what `review` accepted. Each file is ingested on its own, so its figures are
its own; the folder as a whole (with its one real overlap) is checked at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from review.inputs.ingest import read_folder, read_inputs
from review.inputs.validate import validate_files

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"
PERIOD_2025 = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
UK = ZoneInfo("Europe/London")

pytestmark = pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")


# --- reading each file by hand ------------------------------------------------------------------


def _csv(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def plain(name: str, encoding: str = "utf-8-sig") -> list[list[str]]:
    """Header first; no repair needed beyond the encoding (a BOM is dropped by utf-8-sig)."""
    return _csv((EXPORTS / name).read_bytes().decode(encoding))


def legacy_facebook(name: str, encoding: str = "utf-8-sig") -> list[list[str]]:
    """Row 2 is a description of each metric (`Lifetime: The total number ...`), not a post."""
    records = plain(name, encoding)
    assert records[1][0] == "" and any(c.startswith(("Lifetime:", "Daily:")) for c in records[1]), name
    return [records[0], *records[2:]]


def meta_daily_utf16(name: str) -> list[list[str]]:
    """UTF-16 with a BOM; line 1 `sep=,`, line 2 the metric's name, line 3 the header."""
    lines = (EXPORTS / name).read_bytes().decode("utf-16").split("\n")
    assert lines[0].strip() == "sep=," and lines[2].strip() == '"Date","Primary"', name
    return _csv("\n".join(lines[2:]))


def meta_daily_semicolon(name: str) -> list[list[str]]:
    """Excel in a `;` locale: `sep=` gone, the title line kept, `;` delimiter, a trailing `;`."""
    lines = (EXPORTS / name).read_text(encoding="utf-8").split("\n")
    assert lines[0] == "Facebook follows;" and lines[1] == "Date;Primary", name
    return [row for row in _csv("\n".join(lines[1:]), ";") if row]


def rewrapped_one_line_per_record(name: str) -> list[list[str]]:
    """Excel saved each physical line as one quoted cell: unquote the cell, then read it as CSV."""
    lines = (EXPORTS / name).read_text(encoding="utf-8-sig").split("\n")
    return [next(csv.reader([next(csv.reader([line]))[0]])) for line in lines if line]


def instagram_rewrapped(name: str) -> list[list[str]]:
    """The same re-wrap, but captions span lines that Excel left bare, so lines are not records.
    Found here by pattern instead: a record starts with `"<post id>,<account id>,` and ends with
    `,Lifetime,<Views>,<Reach>,<Likes>,<Shares>,<Follows>,<Comments>,<Saves>"`. Only the
    columns the checks need are returned."""
    text = (EXPORTS / name).read_text(encoding="utf-8-sig")
    starts = re.findall(r'^"(\d{15,}),(\d+),([^,]+),', text, flags=re.M)
    ends = re.findall(r',""(\d\d/\d\d/\d{4} \d\d:\d\d)"",(\S+?),""IG (\w+)"",,Lifetime,(\d*),(\d*),(\d*),(\d*),(\d*),(\d*),(\d*)"$',
                      text, flags=re.M)
    assert len(starts) == len(ends), name
    header = ["Post ID", "Account username", "Publish time", "Permalink", "Post type", "Views", "Reach", "Likes",
              "Shares", "Follows", "Comments", "Saves"]
    return [header, *[[s[0], s[2], e[0], e[1], e[2], *e[3:]] for s, e in zip(starts, ends)]]


# --- what each file should give ------------------------------------------------------------------


def utc_minute(text: str) -> dt.datetime:  # X classic: `2016-12-23 18:50 +0000`
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M %z")


def uk_local(fmt: str) -> Callable[[str], dt.datetime]:  # naive platform times are UK local time
    return lambda text: dt.datetime.strptime(text.strip(), fmt).replace(tzinfo=UK)


def uk_day(*formats: str) -> Callable[[str], dt.datetime]:  # a date only: midnight UK time
    def parse(text: str) -> dt.datetime:
        for fmt in formats:
            try:
                return dt.datetime.strptime(text.strip(), fmt).replace(tzinfo=UK)
            except ValueError:
                continue
        raise ValueError(text)

    return parse


def tiktok_month_day(export_day: dt.date) -> Callable[[str], dt.datetime]:
    """`July 16`: the latest such day on or before the export date."""

    def parse(text: str) -> dt.datetime:
        day = dt.datetime.strptime(f"{export_day.year} {text}", "%Y %B %d").date()
        if day > export_day:
            day = day.replace(year=export_day.year - 1)
        return dt.datetime.combine(day, dt.time(), UK)

    return parse


def x_snowflake(text: str) -> dt.datetime:
    """X 2024+ `Date` has no time: the post id holds it (ms since 1970 = (id >> 22) + 1288834974657)."""
    stamp = dt.datetime.fromtimestamp(((int(text) >> 22) + 1288834974657) / 1000, dt.timezone.utc)
    return stamp.replace(microsecond=0)  # kept to the second, like every other platform time


@dataclass
class Spec:
    read: Callable[[str], list[list[str]]]
    table: str | None  # posts, audience, or None: recognised but not used
    id: Callable[[dict], str] | None = None  # posts: the post id from a row
    when: tuple[str, Callable[[str], dt.datetime]] | None = None  # (column, parser)
    impressions: str | None = None  # the platform column that becomes posts.impressions
    views: str | None = None  # ... posts.video_views
    reach: str | None = None  # ... posts.reach
    followers: str | None = None  # audience.followers
    share: str | None = None  # audience_demographics.share (a fraction as the file writes it)
    junk: Callable[[dict], bool] = lambda row: False  # the export's own summary/placeholder rows


def column(name: str) -> Callable[[dict], str]:
    return lambda row: row[name].strip()  # YouTube writes ` -3d1NctSv0c` for ids starting with -


def tiktok_id(row: dict) -> str:
    return re.search(r"/video/(\d+)", row["Video link"]).group(1)


YOUTUBE_TOTAL = {"Content": lambda row: row["Content"] == "Total", "Video": lambda row: row["Video"] == "Total"}
LEGACY_TIME = uk_local("%m/%d/%Y %I:%M:%S %p")  # `02/14/2016 12:40:16 AM`
MBS_TIME = uk_local("%m/%d/%Y %H:%M")  # `11/01/2025 11:04`
# Content.csv was exported on "February 28" with posts from "April 8" to "February 1": placing the
# export in 2026 puts the posts in Apr 2025 - Feb 2026, most of them inside the 2025 review.
TIKTOK_CONTENT_EXPORT = dt.date(2026, 2, 28)
# FollowerHistory.csv runs "March 20" to "April 8", oldest first: April 8 2025 is the export date.
TIKTOK_HISTORY_EXPORT = dt.date(2025, 4, 8)

FILES: dict[str, Spec] = {
    "x_twitter_tweet_activity_metrics_2016.csv": Spec(
        plain, "posts", column("Tweet id"), ("time", utc_minute), impressions="impressions"),
    "x_twitter_tweet_activity_metrics_2017_full.csv": Spec(
        plain, "posts", column("Tweet id"), ("time", utc_minute), impressions="impressions"),
    "x_twitter_tweet_activity_metrics_2021_multiline.csv": Spec(
        plain, "posts", column("Tweet id"), ("time", utc_minute), impressions="impressions"),
    "x_account_analytics_content_2025_reconstructed.csv": Spec(
        plain, "posts", column("Post id"), ("Post id", x_snowflake), impressions="Impressions",
        junk=lambda row: row["Post Link"].endswith("/status/undefined")),
    "x_account_overview_analytics_2025.csv": Spec(plain, None),
    "facebook_insights_post_level_legacy_2016.csv": Spec(
        legacy_facebook, "posts", column("Post ID"), ("Posted", LEGACY_TIME),
        impressions="Lifetime Post Total Impressions", reach="Lifetime Post Total Reach"),
    "facebook_insights_post_level_legacy_2017.csv": Spec(
        legacy_facebook, "posts", column("Post ID"), ("Posted", LEGACY_TIME),
        impressions="Lifetime Post Total Impressions", reach="Lifetime Post Total Reach"),
    "facebook_insights_video_posts_legacy_2015.csv": Spec(
        legacy_facebook, "posts", column("Post ID"), ("Posted", LEGACY_TIME),
        impressions="Lifetime Post Total Impressions", reach="Lifetime Post Total Reach",
        views="Lifetime Total Video Views"),
    "facebook_insights_page_level_legacy_2014.csv": Spec(
        lambda name: legacy_facebook(name, "cp1252"), "audience", when=("Date", uk_day("%m/%d/%Y")),
        followers="Lifetime Total Likes"),
    "facebook_ads_manager_2017.csv": Spec(plain, None),
    "meta_business_suite_daily_views_utf16.csv": Spec(meta_daily_utf16, None),
    "meta_business_suite_daily_follows_utf16.csv": Spec(meta_daily_utf16, None),
    "meta_business_suite_daily_follows_excel_resaved_semicolon.csv": Spec(meta_daily_semicolon, None),
    "meta_business_suite_facebook_videos_excel_resaved.csv": Spec(
        rewrapped_one_line_per_record, "posts", column("Video asset ID"), ("Publish time", MBS_TIME),
        views="3-second video views", reach="Reach"),
    "meta_business_suite_instagram_posts_excel_resaved.csv": Spec(
        instagram_rewrapped, "posts", column("Post ID"), ("Publish time", MBS_TIME), impressions="Views",
        reach="Reach"),
    "youtube_studio_table_data.csv": Spec(
        plain, "posts", column("Content"), ("Video publish time", uk_day("%b %d, %Y")), impressions="Impressions",
        views="Views", junk=YOUTUBE_TOTAL["Content"]),
    "youtube_studio_aggregated_metrics_by_video_excel_touched.csv": Spec(
        plain, "posts", column("Video"), ("Video publish time", uk_day("%m-%d-%Y")), impressions="Impressions",
        views="Video views", junk=YOUTUBE_TOTAL["Video"]),
    "tiktok_studio_content.csv": Spec(
        plain, "posts", tiktok_id, ("Post time", tiktok_month_day(TIKTOK_CONTENT_EXPORT)),
        impressions="Total views", views="Total views"),
    "tiktok_business_videos_resaved.csv": Spec(
        plain, "posts", tiktok_id, ("Post time", uk_local("%Y/%m/%d %H:%M:%S")), impressions="Video views",
        views="Video views"),
    "tiktok_studio_follower_history.csv": Spec(
        plain, "audience", when=("Date", tiktok_month_day(TIKTOK_HISTORY_EXPORT)), followers="Followers",
        junk=lambda row: row["Followers"] == "undefined"),
    "tiktok_studio_overview.csv": Spec(plain, None),
    "tiktok_studio_viewers.csv": Spec(plain, None),
    "tiktok_studio_follower_activity.csv": Spec(plain, None),
    "tiktok_studio_follower_gender.csv": Spec(plain, "audience_demographics", share="Distribution"),
    "tiktok_studio_follower_top_territories.csv": Spec(plain, "audience_demographics", share="Distribution"),
    "tiktok_business_overview_resaved.csv": Spec(plain, None),
}


def by_hand(name: str) -> tuple[list[dict], list[dict]]:
    """(real rows, the export's own summary/placeholder rows) as dicts keyed by the first of each
    header name (duplicate names in legacy Facebook exports: the first is the one mapped)."""
    spec = FILES[name]
    header, *rows = spec.read(name)
    rows = [r for r in rows if any(c.strip() for c in r)]  # a trailing blank line is not a row
    records = []
    for row in rows:
        record = {}
        for key, value in zip(header, row):
            record.setdefault(key.strip(), value)
        records.append(record)
    return [r for r in records if not spec.junk(r)], [r for r in records if spec.junk(r)]


def number(text: str) -> int:
    return int(float(text)) if text.strip() else 0


def ingest_alone(name: str):
    raw, _ = read_inputs([EXPORTS / name], PERIOD_2025)
    return validate_files(raw)


def test_every_file_in_the_folder_has_a_hand_check():
    assert {p.name for p in EXPORTS.iterdir() if p.suffix == ".csv"} == set(FILES)


def assert_matches_the_file(name: str, result, shown: str | None = None) -> None:
    """The one input file in `result` gave exactly what the file by hand says."""
    spec = FILES[name]
    real, junk = by_hand(name)
    (report,) = result.files
    assert report.path == (shown or name)
    assert report.table == spec.table
    assert report.rows_read == len(real) + len(junk)
    if spec.table is None:  # recognised, reported with its row count and why it is not used
        assert (report.rows_unused, report.rows_accepted, report.rows_rejected) == (len(real), 0, 0)
        return
    assert (report.rows_accepted, report.rows_rejected, report.rows_junk, report.rows_merged) == (
        len(real), len(junk), len(junk), 0)
    # every set-aside row is in the log, with a reason
    assert len(result.rejected) == len(junk) and result.rejected["reason"].str.len().gt(0).all()
    frame = result.tables[spec.table]
    if spec.table == "audience_demographics":  # no dates in the file: placed at the period's end
        assert frame["share"].tolist() == [float(r[spec.share]) for r in real]
        return
    column, parse = spec.when
    times = sorted(parse(r[column]) for r in real)
    if spec.table == "posts":
        assert sorted(frame["post_id"]) == sorted(spec.id(r) for r in real)
        for canonical, platform in (("impressions", spec.impressions), ("video_views", spec.views), ("reach", spec.reach)):
            if platform:
                assert frame[canonical].sum() == sum(number(r[platform]) for r in real), (name, canonical)
        stamps = frame["published_at"]
    else:
        assert frame["followers"].tolist() == [number(r[spec.followers]) for r in real]
        stamps = frame["date"].dt.tz_localize(UK)
    assert stamps.min() == pd.Timestamp(times[0]) and stamps.max() == pd.Timestamp(times[-1]), name


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_export_alone_matches_the_file(name):
    assert_matches_the_file(name, ingest_alone(name))


def _as_excel_stores_it(cell: str, dates: Callable[[str], dt.datetime] | None):
    """What a cell becomes when Excel opens the CSV and it is saved as XLSX: numbers become
    numbers, dates Excel recognises become date cells, the rest stays text."""
    if re.fullmatch(r"-?\d+(\.\d+)?", cell.strip()):
        value = float(f"{float(cell):.15g}")  # Excel keeps 15 significant digits
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if dates is not None:
        try:
            return dates(cell).replace(tzinfo=None)
        except ValueError:
            pass
    return cell


# file -> the dates Excel turns into date cells (None: it leaves them as text)
XLSX_COPIES = {
    "youtube_studio_table_data.csv": uk_day("%b %d, %Y"),  # `Dec 15, 2023`; the Total row stays
    "facebook_insights_post_level_legacy_2016.csv": LEGACY_TIME,  # description row, repeated names
    # `+0000` stays text; multi-line text; the 19-digit ids are rounded, the permalinks keep them
    "x_twitter_tweet_activity_metrics_2021_multiline.csv": None,
    "tiktok_business_videos_resaved.csv": uk_local("%Y/%m/%d %H:%M:%S"),  # Cyrillic and emoji titles
}


@pytest.mark.parametrize("name", sorted(XLSX_COPIES))
def test_an_xlsx_copy_of_an_export_gives_the_same(tmp_path, name):
    from openpyxl import Workbook

    records = plain(name)  # every record, the description row and Total rows included
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(records[0])
    for record in records[1:]:
        sheet.append([_as_excel_stores_it(c, XLSX_COPIES[name]) for c in record])
    copy = tmp_path / (Path(name).stem + ".xlsx")
    book.save(copy)
    raw, _ = read_inputs([copy], PERIOD_2025)
    result = validate_files(raw)
    assert result.files[0].format.endswith("(XLSX)")
    assert_matches_the_file(name, result, shown=copy.name)


# Literal figures read off the files (by eye and with grep/awk on the raw lines), a second check on
# the helpers above.
READ_OFF = {
    # file: (posts, sum of impressions, first day, last day), days in UK time
    "x_twitter_tweet_activity_metrics_2016.csv": (15, 42033, "2016-12-15", "2016-12-23"),
    "youtube_studio_table_data.csv": (19, 4550, "2023-12-01", "2024-02-18"),
    "tiktok_business_videos_resaved.csv": (8, 319722, "2025-10-31", "2025-12-31"),
    "meta_business_suite_instagram_posts_excel_resaved.csv": (5, 37176, "2025-12-27", "2025-12-31"),
}


@pytest.mark.parametrize("name", sorted(READ_OFF))
def test_hand_helpers_agree_with_figures_read_off_the_file(name):
    real, _ = by_hand(name)
    spec = FILES[name]
    count, impressions, first, last = READ_OFF[name]
    days = sorted(spec.when[1](r[spec.when[0]]).astimezone(UK).date().isoformat() for r in real)
    assert (len(real), sum(number(r[spec.impressions]) for r in real), days[0], days[-1]) == (count, impressions, first, last)


def test_the_folder_merges_only_the_real_overlap():
    """The legacy video export (to 2016-02-15) repeats 3 posts of the later post-level export;
    nothing else overlaps. Each post is kept once, with the later export's figures."""
    raw, _ = read_folder(EXPORTS, PERIOD_2025)
    result = validate_files(raw, EXPORTS)
    ids: dict[str, list[str]] = {}
    for name, spec in FILES.items():
        if spec.table == "posts":
            for row in by_hand(name)[0]:
                ids.setdefault(spec.id(row), []).append(name)
    repeated = {i: files for i, files in ids.items() if len(files) > 1}
    assert set(map(tuple, repeated.values())) == {
        ("facebook_insights_post_level_legacy_2016.csv", "facebook_insights_video_posts_legacy_2015.csv")}
    reports = {f.path: f for f in result.files}
    assert reports["facebook_insights_video_posts_legacy_2015.csv"].rows_merged == len(repeated) == 3
    assert sum(f.rows_merged for f in result.files) == 3
    posts = result.tables["posts"].set_index("post_id")
    assert sorted(posts.index) == sorted(ids)
    later = {r["Post ID"]: r for r in by_hand("facebook_insights_post_level_legacy_2016.csv")[0]}
    for post_id in repeated:
        assert posts.loc[post_id, "impressions"] == number(later[post_id]["Lifetime Post Total Impressions"])
    for f in result.files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected + f.rows_merged + f.rows_unused, f.path


def test_ids_rounded_by_excel_are_rejected_not_trusted(tmp_path):
    """Meta's video export has 15-16 digit ids and no link to read them from: in an XLSX saved by
    Excel they may have lost their last digit, so each row is rejected, saying why, rather than
    merged or attributed under a wrong id."""
    from openpyxl import Workbook

    name = "meta_business_suite_facebook_videos_excel_resaved.csv"
    records = rewrapped_one_line_per_record(name)
    book = Workbook()
    book.active.append(records[0])
    for record in records[1:]:
        book.active.append([_as_excel_stores_it(c, MBS_TIME) for c in record])
    book.save(tmp_path / "videos.xlsx")
    raw, _ = read_inputs([tmp_path / "videos.xlsx"], PERIOD_2025)
    result = validate_files(raw)
    ids = [r[0] for r in records[1:]]
    long_ids = [i for i in ids if len(i) >= 16]  # 7 of the 8; 855283607678168 has 15 digits
    assert len(long_ids) == 7
    report = result.files[0]
    assert (report.rows_read, report.rows_rejected, report.rows_accepted) == (8, 7, 1)
    assert result.tables["posts"]["post_id"].tolist() == ["855283607678168"]
    log = result.rejected
    assert (log["column"] == "Video asset ID").all() and log["reason"].str.contains("Excel keeps only 15 digits").all()
    assert sorted(log["line"]) == [i + 2 for i, post_id in enumerate(ids) if len(post_id) >= 16]


# --- quirks the samples show only partly: the real file, with the quirk written in -----------------


def test_a_youtube_id_written_with_a_leading_space_is_read_without_it(tmp_path):
    """YouTube writes ids that start with `-` with a space before them (` -GhQQTIylYY`, seen in
    public Table data files); none of the samples has one, so one is written into a copy."""
    text = (EXPORTS / "youtube_studio_table_data.csv").read_text(encoding="utf-8")
    assert text.count("\nM1fTBQ96BRM,") == 1
    (tmp_path / "Table data.csv").write_text(text.replace("\nM1fTBQ96BRM,", "\n -GhQQTIylYY,"), encoding="utf-8")
    result = validate_files(read_inputs([tmp_path / "Table data.csv"], PERIOD_2025)[0])
    ids = set(result.tables["posts"]["post_id"])
    assert "-GhQQTIylYY" in ids and "M1fTBQ96BRM" not in ids and len(ids) == 19


def test_no_figure_tokens_in_mapped_columns_become_empty_not_rejects(tmp_path):
    """`NAN`, `--`, `-`, `undefined` and a lone space mean "no figure" (the samples have them only in
    columns the review does not map): written into a copy of the TikTok video export, each becomes
    an empty cell, the row is kept, and engagements add up what is left."""
    name = "tiktok_business_videos_resaved.csv"
    header, *rows = plain(name)
    col = {h: i for i, h in enumerate(header)}
    tokens = [("Likes", "NAN"), ("Comments", "--"), ("Shares", "-"), ("Likes", "undefined"), ("Video views", " ")]
    for row, (column, token) in zip(rows, tokens):
        row[col[column]] = token
    with (tmp_path / "videos.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    result = validate_files(read_inputs([tmp_path / "videos.csv"], PERIOD_2025)[0])
    assert (result.files[0].rows_accepted, result.files[0].rows_rejected) == (8, 0)
    posts = result.tables["posts"].set_index("post_id")
    for row, (column, _) in zip(rows, tokens):
        post = posts.loc[tiktok_id(dict(zip(header, row)))]
        canonical = {"Likes": "reactions", "Comments": "comments", "Shares": "shares", "Video views": "video_views"}[column]
        assert pd.isna(post[canonical]), (column, canonical)
        parts = [number(row[col[c]]) if row[col[c]].strip() not in ("NAN", "--", "-", "undefined") else 0
                 for c in ("Likes", "Comments", "Shares")]
        assert post["engagements"] == sum(parts)


def test_the_quirks_the_checks_above_rely_on_are_in_the_files():
    """So that a future 'cleaned' copy of a sample cannot make the tests above pass vacuously."""
    raw = {name: (EXPORTS / name).read_bytes() for name in FILES}
    assert raw["meta_business_suite_daily_views_utf16.csv"].startswith(b"\xff\xfe")  # UTF-16LE BOM
    assert raw["meta_business_suite_daily_views_utf16.csv"].decode("utf-16").startswith("sep=,")
    assert raw["youtube_studio_aggregated_metrics_by_video_excel_touched.csv"].startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw["youtube_studio_aggregated_metrics_by_video_excel_touched.csv"]
    with pytest.raises(UnicodeDecodeError):
        raw["facebook_insights_page_level_legacy_2014.csv"].decode("utf-8")  # cp1252
    header = plain("facebook_insights_post_level_legacy_2016.csv")[0]
    assert len(header) > len(set(header))  # duplicate header names
    assert raw["meta_business_suite_daily_follows_excel_resaved_semicolon.csv"].startswith(b"Facebook follows;\nDate;Primary")
    first = plain("meta_business_suite_facebook_videos_excel_resaved.csv")
    assert all(len(record) == 1 for record in first)  # every line one quoted cell
    ig = (EXPORTS / "meta_business_suite_instagram_posts_excel_resaved.csv").read_text(encoding="utf-8-sig")
    assert len(ig.splitlines()) > 1 + 5  # captions over several physical lines
    assert plain("tiktok_studio_content.csv")[1][3] == "July 16"  # a date without a year
    assert b"\"undefined\"" in raw["tiktok_studio_follower_history.csv"] and b",NAN," in raw["tiktok_business_overview_resaved.csv"]
    assert b'"-"' in raw["x_twitter_tweet_activity_metrics_2016.csv"]
    assert plain("youtube_studio_table_data.csv")[1][0] == "Total"
    assert all(r["Date"] == "Lifetime" for r in by_hand("meta_business_suite_facebook_videos_excel_resaved.csv")[0])
    assert any("\n\n" in r["Tweet text"] for r in by_hand("x_twitter_tweet_activity_metrics_2021_multiline.csv")[0])
    assert not raw["x_account_overview_analytics_2025.csv"].endswith(b"\n")  # no final newline
