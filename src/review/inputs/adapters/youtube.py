"""YouTube Studio: the Analytics export folder (Table data, Chart data, Totals) and the older
advanced-mode "Aggregated metrics by video" export."""

from __future__ import annotations

import re

from review.inputs.adapters.base import Layout, account, const, first_of, junk_when, norm, rule, take, total, when

PUBLISH = ("%b %d, %Y", "%m-%d-%Y", "%m/%d/%Y", "%d %b %Y")
_TOTAL_ROW = {"Total": "YouTube's Total row (the sum of the rows below), not a video"}

_DEFS = {
    "impressions": "Impressions: times a thumbnail of the video was shown to a viewer on YouTube "
    "(not views; Shorts shown in the feed are counted in `Shown in feed`, not mapped).",
    "reach": "Unique viewers (an estimate of distinct people), when the export has the column.",
    "engagements": "Not a YouTube metric: likes + comments added + shares, those the export has.",
    "reactions": "Likes (dislikes are not counted).",
    "comments": "Comments added.",
    "shares": "Shares.",
    "link_clicks": "Not applicable.",
    "video_views": "Views: legitimate views as YouTube counts them (engaged views for Shorts are separate).",
}


def _columns(id_column: str, views: tuple[str, ...]) -> dict:
    return {
        "post_id": rule((id_column,), f"`{id_column}` (the video id; a leading space written before ids that start with `-` is removed)",
                        lambda c, ctx: c.get(id_column).astype(str).str.strip()),
        "account_id": account(),
        "published_at": when("Video publish time", PUBLISH, "`Dec 15, 2023` or `7-16-2020` (month first), a date only: "
                             "midnight UK time; blank for unlisted or private videos, which are rejected"),
        "text": take("Video title"),
        "media_type": const("video", "video"),
        "impressions": take("Impressions"),
        "reach": take("Unique viewers"),
        "engagements": total("Likes", "Comments added", "Shares", note="YouTube has no engagements metric"),
        "reactions": take("Likes"),
        "comments": take("Comments added"),
        "shares": take("Shares"),
        "video_views": first_of(*views),
    }


TABLE_DATA = Layout(
    layout_id="youtube_table_data",
    title="YouTube Studio Analytics export: Table data.csv",
    family="YouTube Studio",
    platform="YouTube",
    table="posts",
    fingerprint=("Content", "Video title", "Video publish time"),
    columns=_columns("Content", ("Views",)),
    definitions=_DEFS,
    sample="youtube_studio_table_data.csv",
    source="domain.md 3.5; sample youtube_studio_table_data.csv",
    vintage="2020 to date (Studio Analytics export folder)",
    junk=junk_when("Content", _TOTAL_ROW),
    notes="The metric columns depend on what was chosen in Studio; only the fingerprint is required. The first data "
    "row is `Total`, logged as rejected with that reason. The file names no channel: see *Which account*.",
)

AGGREGATED = Layout(
    layout_id="youtube_aggregated_by_video",
    title="YouTube Studio advanced-mode export: Aggregated metrics by video",
    family="YouTube Studio",
    platform="YouTube",
    table="posts",
    fingerprint=("Video", "Video title", "Video publish time"),
    columns=_columns("Video", ("Video views", "Views")),
    definitions=_DEFS,
    sample="youtube_studio_aggregated_metrics_by_video_excel_touched.csv",
    source="domain.md 3.5; sample youtube_studio_aggregated_metrics_by_video_excel_touched.csv",
    vintage="to about 2021 (older Studio advanced mode)",
    junk=junk_when("Video", _TOTAL_ROW),
    notes="Publish dates like `08-05-2020` and `7-16-2020` (month first, padding lost in Excel); `Subscribers` may be negative (not mapped).",
)

CHART_DATA = Layout(
    layout_id="youtube_chart_data",
    title="YouTube Studio Analytics export: Chart data.csv",
    family="YouTube Studio",
    platform="YouTube",
    table=None,
    fingerprint=("Date", "Content", "Video title", "Video publish time", "Duration"),
    sample=None,
    source="domain.md 3.5 (headers as used by public dashboards; no sample file)",
    vintage="2020 to date (Studio Analytics, advanced mode)",
    why_not_used="One row per video per day for one chosen metric; the review uses lifetime figures per video from Table data.",
)

# Metrics YouTube Studio writes as column names (Totals.csv, Chart data.csv); revenue columns carry a currency.
TOTALS_METRICS = ("Views", "Watch time (hours)", "Subscribers", "Impressions", "Impressions click-through rate (%)",
                  "Average view duration", "Average percentage viewed (%)", "Likes", "Dislikes", "Shares",
                  "Comments added", "Subscribers gained", "Subscribers lost", "Engaged views", "Unique viewers",
                  "New viewers", "Returning viewers", "Regular viewers", "Casual viewers", "Shown in feed",
                  "Viewed (vs. swiped away) (%)", "Stayed to watch (%)", "Average views per viewer", "Card clicks",
                  "End screen element clicks", "Videos added", "Videos removed", "Playlist views")
_REVENUE = re.compile(r"^(your )?(estimated (ad )?revenue|rpm|cpm|playback-based cpm|transaction revenue) \(\w{3}\)$")
# What a Chart data.csv can be grouped by besides the video (Studio's advanced mode "Group by").
DIMENSIONS = ("Traffic source", "Traffic source type", "Geography", "Country", "City", "Device type", "Operating system",
              "Viewer age", "Viewer gender", "Subscription status", "Subscription source", "Playback location",
              "Content type", "YouTube product", "Subtitles and CC", "Sharing service", "Video info language",
              "Audio track", "New and returning viewers", "Creator content type", "Live/on demand")


def is_metric(name: str) -> bool:
    """A YouTube Studio metric column (`Views`, `Estimated revenue (GBP)`)."""
    return norm(name) in {norm(m) for m in TOTALS_METRICS} or bool(_REVENUE.match(norm(name)))


def _totals_check(header: list[str]) -> str | None:
    others = [h for h in header if norm(h) != "date"]
    if not others or not all(is_metric(h) for h in others):
        return "(only YouTube metric columns beside Date)"
    return None


def _by_dimension_check(header: list[str]) -> str | None:
    others = [h for h in header if norm(h) != "date"]
    dimensions = [h for h in others if norm(h) in {norm(d) for d in DIMENSIONS}]
    if len(dimensions) != 1 or len(others) < 2 or not all(is_metric(h) for h in others if h not in dimensions):
        return "(one YouTube grouping column such as Traffic source, and metric columns, beside Date)"
    return None


CHART_BY_DIMENSION = Layout(
    layout_id="youtube_chart_data_by_dimension",
    title="YouTube Studio Analytics export: Chart data.csv grouped by another dimension (traffic source, geography, ...)",
    family="YouTube Studio",
    platform="YouTube",
    table=None,
    fingerprint=("Date",),
    header_check=_by_dimension_check,
    sample=None,
    source="YouTube Studio help (advanced mode: group the chart by traffic source, geography, device type and other "
    "dimensions, then export); headers follow Chart data.csv with the dimension in place of the video columns. No sample file",
    vintage="2020 to date",
    why_not_used="Daily channel figures split by a dimension such as traffic source; the review uses lifetime figures per video.",
    notes="Recognised when `Date` stands beside exactly one grouping column (one of "
    + ", ".join(f"`{d}`" for d in DIMENSIONS) + ") and YouTube metric columns.",
)

TOTALS = Layout(
    layout_id="youtube_totals",
    title="YouTube Studio Analytics export: Totals.csv",
    family="YouTube Studio",
    platform="YouTube",
    table=None,
    fingerprint=("Date",),
    header_check=_totals_check,
    sample=None,
    source="domain.md 3.5 (`Date,<metric>`, headers as used by public dashboards; no sample file)",
    vintage="2020 to date; dates ISO, or `DD-MM-YYYY` / `M/D/YYYY` after a spreadsheet re-save",
    why_not_used="The channel's daily total of one or more metrics. `Subscribers` here is the day's net change, not a total, "
    "so it cannot feed `audience`.",
    notes="Recognised when every column beside `Date` is a YouTube metric (one, or several when more were chosen). "
    "The dates are not read, so any of the date styles seen (`2024-03-01`, `01-03-2024`, `3/1/2024`) is fine.",
)

LAYOUTS = [TABLE_DATA, AGGREGATED, CHART_DATA, CHART_BY_DIMENSION, TOTALS]
