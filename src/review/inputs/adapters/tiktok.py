"""TikTok Studio (the Overview, Followers, Viewers and Content downloads) and the second,
business-centre layout (`2025/10/31` dates, `NAN` tokens)."""

from __future__ import annotations

import pandas as pd

from review.inputs.adapters.base import (BlockSpec, Cells, Context, Layout, account, const, junk_when, map_values, month_day_dates,
                                  rule, take, total, when)

_VIDEO_ID = r"/video/(\d+)"


def _video_id(c: Cells, ctx: Context) -> pd.Series:
    link = c.get("Video link").astype(str)
    return link.str.extract(_VIDEO_ID, expand=False).fillna(link).astype(object)


_DEFS = {
    "impressions": "Video views: TikTok counts a view as soon as the video starts to play in a feed; it has no "
    "separate impression count, so views stand in for impressions.",
    "reach": "Not in the per-video export (`Reached audience` exists only as a daily account total).",
    "engagements": "Likes + comments + shares (TikTok's own engagement figure is not exported).",
    "reactions": "Likes.",
    "comments": "Comments.",
    "shares": "Shares.",
    "link_clicks": "Not applicable.",
    "video_views": "Video views, as above (the same figure as impressions).",
}

CONTENT = Layout(
    layout_id="tiktok_studio_content",
    title="TikTok Studio Content.csv",
    family="TikTok Studio",
    platform="TikTok",
    table="posts",
    fingerprint=("Time", "Video title", "Video link", "Post time", "Total views"),
    columns={
        "post_id": rule(("Video link",), "the number after `/video/` in `Video link`", _video_id),
        "account_id": account(),
        "published_at": month_day_dates("Post time"),
        "text": take("Video title"),
        "media_type": const("video", "video"),
        "impressions": take("Total views"),
        "engagements": total("Total likes", "Total comments", "Total shares"),
        "reactions": take("Total likes"),
        "comments": take("Total comments"),
        "shares": take("Total shares"),
        "video_views": take("Total views"),
    },
    definitions=_DEFS,
    sample="tiktok_studio_content.csv",
    source="domain.md 3.7; sample tiktok_studio_content.csv",
    vintage="2023 to date (TikTok Studio); dates in the account's language (`July 16`, `8 de marzo`)",
    handle_columns=("Video link",),
    month_day_columns=("Post time",),
    export_date_column="Time",
    notes="`Time` is the export date and `Post time` a month and day (`July 16`), both without a year. Only "
    "recent videos are listed. A date only: midnight UK time.",
)

BUSINESS_VIDEOS = Layout(
    layout_id="tiktok_business_videos",
    title="TikTok business video export (second layout)",
    family="TikTok Studio",
    platform="TikTok",
    table="posts",
    fingerprint=("Video title", "Video link", "Post time", "Video views", "Likes", "Comments", "Shares"),
    columns={
        "post_id": rule(("Video link",), "the number after `/video/` in `Video link`", _video_id),
        "account_id": account(),
        "published_at": when("Post time", ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"), "`2025/10/31 18:19:10`, UK local time"),
        "text": take("Video title"),
        "media_type": const("video", "video"),
        "impressions": take("Video views"),
        "engagements": total("Likes", "Comments", "Shares"),
        "reactions": take("Likes"),
        "comments": take("Comments"),
        "shares": take("Shares"),
        "video_views": take("Video views"),
    },
    definitions={**_DEFS, "engagements": "Likes + comments + shares (`Add to Favorites` is not counted)."},
    sample="tiktok_business_videos_resaved.csv",
    vintage="2025",
    source="domain.md 3.7; sample tiktok_business_videos_resaved.csv (provenance uncertain: probably XLSX saved as CSV)",
    handle_columns=("Video link",),
)

FOLLOWER_HISTORY = Layout(
    layout_id="tiktok_studio_follower_history",
    title="TikTok Studio FollowerHistory.csv",
    family="TikTok Studio",
    platform="TikTok",
    table="audience",
    fingerprint=("Date", "Followers", "Difference in followers from previous day"),
    columns={
        "account_id": account(),
        "date": month_day_dates("Date"),
        "followers": take("Followers"),
    },
    definitions={"followers": "Followers at the end of the day."},
    sample="tiktok_studio_follower_history.csv",
    source="domain.md 3.7; sample tiktok_studio_follower_history.csv",
    vintage="2023 to date (TikTok Studio)",
    junk=junk_when("Followers", {"undefined": "TikTok had no follower figure for this day yet ('undefined')"}),
    month_day_columns=("Date",),
    notes="Days before TikTok has data say `undefined`; they are logged as rejected with that reason.",
)


def _not_used(layout_id: str, title: str, fingerprint: tuple[str, ...], sample: str | None, why: str, notes: str = "",
              vintage: str = "2023 to date (TikTok Studio)") -> Layout:
    return Layout(
        layout_id=layout_id, title=title, family="TikTok Studio", platform="TikTok", table=None,
        fingerprint=fingerprint, sample=sample, source="domain.md 3.7" + (f"; sample {sample}" if sample else ""),
        why_not_used=why, notes=notes, vintage=vintage,
    )


_SEXES = (("Female", "female"), ("Male", "male"), ("Other", "other"))

BUSINESS_AUDIENCE = Layout(
    layout_id="tiktok_business_audience",
    title="TikTok business audience export (gender, age and territories in one file)",
    family="TikTok Studio",
    platform="TikTok",
    table="audience_demographics",
    fingerprint=(),
    blocks=(r"^gender", r"^age"),
    block_specs=(
        BlockSpec(r"^gender", "sex", bands=_SEXES),
        BlockSpec(r"^age", "age"),
        BlockSpec(r"territor|countr", "country"),
    ),
    definitions={"share": "The block's `Percentage`, a fraction of followers (0.21 for 21%)."},
    sample=None,
    source="TikTok Business Center help (audience insights by gender, age and location); the second, business layout "
    "as the business overview and video files, with one titled block per breakdown (issue 13). No sample file",
    vintage="2025",
    notes="Titled blocks separated by blank lines, read one table per block. Ages are bands of the platform's own "
    "(`18-24` ... `55+`); the file carries no date.",
)

FOLLOWER_GENDER = Layout(
    layout_id="tiktok_studio_follower_gender",
    title="TikTok Studio FollowerGender.csv",
    family="TikTok Studio",
    platform="TikTok",
    table="audience_demographics",
    fingerprint=("Gender", "Distribution"),
    columns={
        "account_id": account(),
        "dimension": const("sex", "sex"),
        "band": map_values("Gender", dict(_SEXES), None, "as written otherwise"),
        "share": take("Distribution", "a fraction of followers"),
    },
    definitions={"share": "`Distribution`: the share of followers, a fraction (0.59 for 59%)."},
    sample="tiktok_studio_follower_gender.csv",
    source="domain.md 3.7; sample tiktok_studio_follower_gender.csv",
    vintage="2023 to date (TikTok Studio)",
    notes="No date in the file: the shares describe the followers when it was downloaded.",
)

FOLLOWER_TERRITORIES = Layout(
    layout_id="tiktok_studio_follower_territories",
    title="TikTok Studio FollowerTopTerritories.csv",
    family="TikTok Studio",
    platform="TikTok",
    table="audience_demographics",
    fingerprint=("Top territories", "Distribution"),
    columns={
        "account_id": account(),
        "dimension": const("country", "country"),
        "band": take("Top territories", "ISO country code"),
        "share": take("Distribution", "a fraction of followers"),
    },
    definitions={"share": "`Distribution`: the share of followers, a fraction; only the top territories are listed."},
    sample="tiktok_studio_follower_top_territories.csv",
    source="domain.md 3.7; sample tiktok_studio_follower_top_territories.csv",
    vintage="2023 to date (TikTok Studio)",
    notes="Only the top territories are listed, so the shares do not add up to 1. No date in the file.",
)


LAYOUTS = [
    CONTENT,
    BUSINESS_VIDEOS,
    FOLLOWER_HISTORY,
    _not_used("tiktok_studio_overview", "TikTok Studio Overview.csv",
              ("Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"), "tiktok_studio_overview.csv",
              "Daily account totals (video views, profile views, likes, comments, shares); the review counts per post.",
              "Dates without a year; daily comments can be negative (deleted comments)."),
    _not_used("tiktok_studio_viewers", "TikTok Studio Viewers.csv",
              ("Date", "Total Viewers", "New Viewers", "Returning Viewers"), "tiktok_studio_viewers.csv",
              "Daily distinct viewers of the account; no canonical table holds account-level reach, and the file "
              "carries no demographics (age, sex or place of the viewers), so it cannot feed `audience_demographics`.",
              "`undefined` before data exists."),
    _not_used("tiktok_studio_follower_activity", "TikTok Studio FollowerActivity.csv",
              ("Date", "Hour", "Active followers"), "tiktok_studio_follower_activity.csv",
              "Followers online by hour of day: useful for scheduling, not a review measure."),
    FOLLOWER_GENDER,
    FOLLOWER_TERRITORIES,
    _not_used("tiktok_business_overview", "TikTok business overview export (second layout)",
              ("Date", "Video views", "Reached audience", "Profile views", "Net growth", "New followers", "Lost followers"),
              "tiktok_business_overview_resaved.csv",
              "Daily account totals. Follower figures are the day's gains and losses, not a total, so they "
              "cannot feed `audience`.",
              "`2025/10/31` dates, `NAN` tokens, a header with a trailing space (`Phone number clicks `).",
              vintage="2025"),
    BUSINESS_AUDIENCE,
]
