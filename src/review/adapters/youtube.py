"""YouTube Studio: the Analytics export folder (Table data, Chart data, Totals) and the older
advanced-mode "Aggregated metrics by video" export."""

from __future__ import annotations

from review.adapters.base import Layout, account, const, first_of, junk_when, rule, take, total, when

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
    why_not_used="One row per video per day for one chosen metric; the review uses lifetime figures per video from Table data.",
)

TOTALS = Layout(
    layout_id="youtube_totals",
    title="YouTube Studio Analytics export: Totals.csv",
    family="YouTube Studio",
    platform="YouTube",
    table=None,
    fingerprint=("Date",),
    sample=None,
    source="domain.md 3.5 (`Date,<metric>`, headers as used by public dashboards; no sample file)",
    why_not_used="The channel's daily total of one metric. `Subscribers` here is the day's net change, not a total, "
    "so it cannot feed `audience`.",
    notes="Recognised only when the file has exactly two columns, `Date` and one YouTube metric.",
)
TOTALS_METRICS = ("Views", "Watch time (hours)", "Subscribers", "Impressions", "Impressions click-through rate (%)",
                  "Average view duration", "Likes", "Subscribers gained", "Subscribers lost", "Engaged views",
                  "Unique viewers", "Estimated revenue (GBP)", "Estimated revenue (USD)")

LAYOUTS = [TABLE_DATA, AGGREGATED, CHART_DATA, TOTALS]
