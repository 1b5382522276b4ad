"""Meta: Meta Business Suite (Facebook and Instagram, 2021+), legacy Facebook Page Insights
(to about 2018, still in archives) and Ads Manager."""

from __future__ import annotations

import pandas as pd

from review.inputs.adapters.base import BlockSpec, Cells, Context, Layout, account, const, first_of, map_values, rule, take, total, when

MBS_TIME = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")
LEGACY_TIME = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")
LOCAL = "month first, no zone: UK local time (the time zone set on the Page or business portfolio)"


def _reel_views(c: Cells, ctx: Context) -> pd.Series:
    views = first_of("Views", "Impressions").fn(c, ctx)
    is_reel = c.get("Post type").astype(str).str.lower().str.contains("reel|video", regex=True)
    return views.where(is_reel, "").astype(object)


INSTAGRAM_POSTS = Layout(
    layout_id="mbs_instagram_posts",
    title="Meta Business Suite Instagram posts export",
    family="Meta Business Suite",
    platform="Instagram",
    table="posts",
    fingerprint=("Post ID", "Account ID", "Account username", "Publish time", "Permalink", "Post type"),
    columns={
        "post_id": take("Post ID"),
        "account_id": account(),
        "published_at": when("Publish time", MBS_TIME, f"`12/31/2025 08:24`, {LOCAL}"),
        "text": take("Description"),
        "media_type": map_values(
            "Post type",
            {"IG reel": "video", "IG video": "video", "IG image": "image", "IG carousel": "image", "IG story": "image"},
            "image",
            "",
        ),
        "impressions": first_of("Views", "Impressions"),
        "reach": take("Reach"),
        "engagements": total("Likes", "Comments", "Shares", "Saves", note="Meta's interactions; the export has no engagements column"),
        "reactions": take("Likes"),
        "comments": take("Comments"),
        "shares": take("Shares"),
        "video_views": rule(("Views", "Post type"), "`Views` for reels and videos, empty for images", _reel_views),
    },
    definitions={
        "impressions": "Views: times the post was played or displayed, repeats included (Meta replaced "
        "Impressions with Views in 2025; older exports say `Impressions`).",
        "reach": "Accounts Centre accounts that saw the post at least once (an estimate).",
        "engagements": "Likes + comments + shares + saves (Meta calls these interactions).",
        "reactions": "Likes.",
        "comments": "Comments.",
        "shares": "Shares (sent to others or added to a story).",
        "link_clicks": "Not in this export.",
        "video_views": "For reels, the same Views figure (plays, repeats included).",
    },
    sample="meta_business_suite_instagram_posts_excel_resaved.csv",
    vintage="2021 to date (Meta Business Suite; `Views` replaced `Impressions` in 2025)",
    source="domain.md 3.4; sample meta_business_suite_instagram_posts_excel_resaved.csv",
    handle_columns=("Account username",),
    name_columns=("Account name",),
    notes="`Date` holds `Lifetime` on every row: the figures are lifetime totals, not a day's. The sample "
    "was re-saved by Excel (every line one quoted cell, captions split over bare lines); the reader "
    "undoes that.",
)

FACEBOOK_VIDEOS = Layout(
    layout_id="mbs_facebook_videos",
    title="Meta Business Suite Facebook videos export",
    family="Meta Business Suite",
    platform="Facebook",
    table="posts",
    fingerprint=("Video asset ID", "Page ID", "Page name", "Publish time", "3-second video views", "Reach"),
    columns={
        "post_id": take("Video asset ID", "the export has no post id"),
        "account_id": account(),
        "published_at": when("Publish time", MBS_TIME, f"`11/01/2025 11:04`, {LOCAL}"),
        "text": take("Title"),
        "media_type": const("video", "video"),
        "reach": take("Reach"),
        "engagements": take("Reactions, comments and shares"),
        "reactions": take("Reactions"),
        "comments": take("Comments"),
        "shares": take("Shares"),
        "video_views": take("3-second video views"),
    },
    definitions={
        "impressions": "Not in this export (it reports reach and video views).",
        "reach": "People who saw the video at least once (an estimate).",
        "engagements": "Reactions, comments and shares (Meta's own total column).",
        "reactions": "All reactions (like, love, care, haha, wow, sad, angry).",
        "comments": "Comments.",
        "shares": "Shares.",
        "link_clicks": "Not in this export.",
        "video_views": "3-second video views: plays of at least 3 seconds (or nearly all of a shorter video).",
    },
    sample="meta_business_suite_facebook_videos_excel_resaved.csv",
    vintage="2021 to date (Meta Business Suite)",
    source="domain.md 3.4; sample meta_business_suite_facebook_videos_excel_resaved.csv",
    name_columns=("Page name",),
    notes="212 columns, some data-dependent (`3-second video views by country (...)`); only the fingerprint "
    "columns must be present. `Video asset ID` identifies the video, not the post: a Facebook posts export of "
    "the same post carries a different id, so the two are not merged.",
)

FACEBOOK_POSTS = Layout(
    layout_id="mbs_facebook_posts",
    title="Meta Business Suite Facebook posts export",
    family="Meta Business Suite",
    platform="Facebook",
    table="posts",
    fingerprint=("Post ID", "Page ID", "Page name", "Publish time", "Permalink", "Post type", "Reactions, Comments and Shares"),
    columns={
        "post_id": take("Post ID"),
        "account_id": account(),
        "published_at": when("Publish time", MBS_TIME, f"`11/01/2025 11:04`, {LOCAL}"),
        "text": first_of("Description", "Title"),
        "media_type": map_values(
            "Post type",
            {"Photos": "image", "Photo": "image", "Videos": "video", "Video": "video", "Reels": "video",
             "Links": "link", "Link": "link", "Text": "text", "Status": "text"},
            "text",
            "",
        ),
        "impressions": first_of("Views", "Impressions"),
        "reach": take("Reach"),
        "engagements": take("Reactions, Comments and Shares"),
        "reactions": take("Reactions"),
        "comments": take("Comments"),
        "shares": take("Shares"),
        "link_clicks": take("Link Clicks", "only on link posts"),
    },
    definitions={
        "impressions": "Views: times the post was on screen, repeats included (older exports: Impressions).",
        "reach": "People who saw the post at least once (an estimate).",
        "engagements": "Reactions, comments and shares (Meta's own total column; clicks are not in it).",
        "reactions": "All reactions.",
        "comments": "Comments.",
        "shares": "Shares.",
        "link_clicks": "Clicks on the post's link (`Link Clicks`, link posts only).",
        "video_views": "Not in this export (see the Facebook videos export).",
    },
    sample=None,
    source="domain.md 3.4 (header from a test fixture that states it copies Meta's per-post export; no real file)",
    vintage="2021 to date (Meta Business Suite)",
    handle_columns=("Permalink",),
    name_columns=("Page name",),
    notes="Note the comma inside the header name `Reactions, Comments and Shares`.",
)

DAILY_METRIC = Layout(
    layout_id="mbs_daily_metric",
    title="Meta Business Suite daily metric export (Views, Reach, Follows, Visits, Link clicks, Interactions, ...)",
    family="Meta Business Suite",
    platform="Facebook",
    table=None,
    fingerprint=("Date", "Primary"),
    title_line=r".+",
    sample="meta_business_suite_daily_views_utf16.csv",
    vintage="2021 to date (Meta Business Suite)",
    source="domain.md 3.4; samples meta_business_suite_daily_*.csv",
    why_not_used="One account-level figure per day, named on the title line (`Views`, `Instagram follows`). "
    "Follows are the day's new follows, not a follower total, so none of these feed `audience`; "
    "days with zero are left out by Meta.",
    notes="UTF-16 with a `sep=,` first line; an Excel re-save gives `;`, drops `sep=` and shifts times by the "
    "DST change (`T01:00:00`).",
)

_STORIES = "Lifetime Post Stories by action type - "
_CLICKS = "Lifetime Post Consumptions by type - "
_LEGACY_TYPES = {"Photo": "image", "Link": "link", "Status": "text", "Video": "video", "SharedVideo": "video", "Event": "text", "Offer": "text", "Note": "text"}
_LEGACY_ENGAGEMENTS = total(
    _STORIES + "like", _STORIES + "comment", _STORIES + "share",
    _CLICKS + "link clicks", _CLICKS + "other clicks", _CLICKS + "photo view", _CLICKS + "video play",
    note="stories (likes, comments, shares) plus clicks of every type, all as counts of actions",
)
_LEGACY_DEFS = {
    "impressions": "Lifetime Post Total Impressions: times the post was shown, organic and paid.",
    "reach": "Lifetime Post Total Reach: people the post was served to (unique users).",
    "engagements": "Actions on the post: stories (likes, comments, shares) plus clicks of every type. "
    "Facebook's own `Lifetime Engaged Users` counts people, not actions, so it is not used.",
    "reactions": "Likes (stories by action type - like); reactions other than like did not exist before 2016.",
    "comments": "Comments (stories by action type - comment).",
    "shares": "Shares (stories by action type - share).",
    "link_clicks": "Link clicks (consumptions by type - link clicks).",
    "video_views": "Views of 3 seconds or more, organic plus paid.",
}

LEGACY_POSTS = Layout(
    layout_id="fb_insights_post_level",
    title="Facebook Insights post-level export (legacy, to 2018)",
    family="Facebook Insights (legacy)",
    platform="Facebook",
    table="posts",
    fingerprint=("Post ID", "Permalink", "Post Message", "Type", "Posted", "Lifetime Post Total Reach", "Lifetime Post Total Impressions"),
    columns={
        "post_id": take("Post ID", "`<page id>_<post id>`"),
        "account_id": account(),
        "published_at": when("Posted", LEGACY_TIME, f"`02/14/2016 12:40:16 AM`, {LOCAL}"),
        "text": take("Post Message"),
        "media_type": map_values("Type", _LEGACY_TYPES, "text", ""),
        "impressions": take("Lifetime Post Total Impressions"),
        "reach": take("Lifetime Post Total Reach"),
        "engagements": _LEGACY_ENGAGEMENTS,
        "reactions": take(_STORIES + "like", blank="0"),
        "comments": take(_STORIES + "comment", blank="0"),
        "shares": take(_STORIES + "share", blank="0"),
        "link_clicks": take(_CLICKS + "link clicks", blank="0"),
        "video_views": total("Lifetime Organic Video Views (Total Count)", "Lifetime Paid Video Views (Total Count)"),
    },
    definitions=_LEGACY_DEFS,
    sample="facebook_insights_post_level_legacy_2016.csv",
    vintage="to 2018 (Page Insights; CSV, or the 2014-2020 Excel download: see the breakdown sheet layout)",
    source="domain.md 3.3; samples facebook_insights_post_level_legacy_2016.csv, _2017.csv",
    handle_columns=("Permalink",),
    notes="Row 2 holds metric descriptions, not a post. Column names repeat (a `(Unique Users)` and a `(Total Count)` "
    "column under one name); the reader names them apart from the description row. Blank counts mean zero.",
)

LEGACY_VIDEOS = Layout(
    layout_id="fb_insights_video_posts",
    title="Facebook Insights video posts export (legacy, to 2018)",
    family="Facebook Insights (legacy)",
    platform="Facebook",
    table="posts",
    fingerprint=LEGACY_POSTS.fingerprint + ("Content Tags", "Lifetime Total Video Views"),
    columns={
        **LEGACY_POSTS.columns,
        "media_type": const("video", "video"),
        "video_views": take("Lifetime Total Video Views"),
    },
    definitions={**_LEGACY_DEFS, "video_views": "Lifetime Total Video Views: views of 3 seconds or more."},
    sample="facebook_insights_video_posts_legacy_2015.csv",
    vintage="to 2018 (Page Insights)",
    source="domain.md 3.3; sample facebook_insights_video_posts_legacy_2015.csv",
    handle_columns=("Permalink",),
    notes="170 columns with retention curves; a description row under the header.",
)

LEGACY_PAGE = Layout(
    layout_id="fb_insights_page_level",
    title="Facebook Insights page-level daily export (legacy, to 2018)",
    family="Facebook Insights (legacy)",
    platform="Facebook",
    table="audience",
    fingerprint=("Date", "Lifetime Total Likes", "Daily New Likes", "Daily Unlikes"),
    columns={
        "account_id": account(),
        "date": when("Date", ("%m/%d/%Y",), "`8/24/2014`, month first", date_only=True),
        "followers": take("Lifetime Total Likes"),
    },
    definitions={
        "followers": "Lifetime Total Likes: people who like the Page at the end of the day. Before 2018 Facebook "
        "reported likes, not followers; the two differ a little (people can follow without liking).",
    },
    sample="facebook_insights_page_level_legacy_2014.csv",
    vintage="to 2018 (Page Insights)",
    source="domain.md 3.3; sample facebook_insights_page_level_legacy_2014.csv",
    notes="cp1252 text, 2,325 columns (breakdowns by source, city, country, age and gender, whose description "
    "sits only on the first sub-column); only `Date` and `Lifetime Total Likes` are used.",
)

ADS_MANAGER = Layout(
    layout_id="fb_ads_manager",
    title="Facebook Ads Manager export (boosted posts)",
    family="Meta Business Suite",
    platform="Facebook",
    table=None,
    fingerprint=("Campaign Name", "Campaign ID", "Impressions", "Reporting Starts", "Reporting Ends"),
    sample="facebook_ads_manager_2017.csv",
    vintage="2017 to date (Ads Manager)",
    source="domain.md 3.4; sample facebook_ads_manager_2017.csv",
    why_not_used="Paid campaigns (spend, paid impressions) named by a truncated post text, with no post id, "
    "so they cannot be joined to posts; the review covers organic use.",
)

# --- the legacy post workbook: breakdown sheets -------------------------------------------------------
#
# Facebook Insights' "Excel" download (2014-2020, SpreadsheetML saved as .xls) puts the post
# export's breakdowns on sheets of their own, each repeating the post's columns and then one column
# per breakdown value (`like`, `comment`, `share`). The CSV download flattens the same figures into
# `<breakdown> - <value>` columns, which is what LEGACY_POSTS reads: the breakdown sheets that carry
# those figures are joined onto the Key Metrics sheet by Post ID under those names. Excel cuts sheet
# names at 31 characters, so a sheet is matched by the start of the breakdown's name.
ENGAGEMENT_BREAKDOWNS = ("Lifetime Post Stories by action type", "Lifetime Post Consumptions by type")
POST_COLUMNS = ("Post ID", "Permalink", "Post Message", "Type", "Countries", "Languages", "Posted", "Audience Targeting")


def engagement_breakdown(sheet_name: str | None) -> str | None:
    """The breakdown a workbook sheet holds, when it carries figures the posts table uses; else None."""
    name = " ".join(str(sheet_name or "").split()).lower().rstrip(".…( ")
    if len(name) < 20:
        return None
    return next((b for b in ENGAGEMENT_BREAKDOWNS if b.lower().startswith(name) or name.startswith(b.lower())), None)


LEGACY_BREAKDOWN = Layout(
    layout_id="fb_insights_post_breakdown",
    title="Facebook Insights post workbook: a breakdown sheet (legacy \"Excel\" download)",
    family="Facebook Insights (legacy)",
    platform="Facebook",
    table=None,
    fingerprint=("Post ID", "Permalink", "Post Message", "Posted"),
    joins="fb_insights_post_level",
    join_key="Post ID",
    sample=None,
    source="domain.md 3.3 (XLS sheets \"Key Metrics\", \"Lifetime Talking About This(...\", per public parsing code); "
    "sheet contents inferred from the CSV download, which flattens the same breakdowns. No sample file",
    vintage="2014 to 2020 (SpreadsheetML 2003 XML saved as .xls)",
    why_not_used="A breakdown of the posts on the Key Metrics sheet. `Lifetime Post Stories by action type` (likes, "
    "comments, shares) and `Lifetime Post Consumptions by type` (link clicks, other clicks, photo views, video plays) "
    "are joined to their posts by Post ID (counted as merged); the other breakdowns are not used (counted as unused).",
)

# --- block-style exports: several titled tables in one file --------------------------------------------

AUDIENCE = Layout(
    layout_id="mbs_audience",
    title="Meta Business Suite Audience export (age and gender, top towns and countries)",
    family="Meta Business Suite",
    platform="Facebook",
    table="audience_demographics",
    fingerprint=(),
    blocks=(r"age\s*(&|and)\s*gender", r"top\s+(towns|cities|towns\s*/\s*cities)"),
    block_specs=(
        BlockSpec(r"age\s*(&|and)\s*gender", "age",
                  sexes=((r"women|female|f", "female"), (r"men|male|m", "male")), percent=True),
        BlockSpec(r"top\s+(towns|cities|towns\s*/\s*cities)", "town", percent=True),
        BlockSpec(r"top\s+countries", "country", percent=True),
    ),
    definitions={"share": "The block's figures: percentages of the Page's followers (4.1 for 4.1%), divided by 100. "
                 "Age & gender gives one figure per age band for women and for men, each one row."},
    sample=None,
    source="Meta Business Suite help (Insights > Audience: age and gender, top towns/cities, top countries, "
    "downloadable as CSV); block layout from issue 13's description of real files kept outside the project. No sample file",
    vintage="2021 to date",
    notes="One CSV of several titled blocks separated by blank lines (read one table per block). Seen in cp1251 after a "
    "re-save on a Cyrillic Windows, with `;` delimiters, and with shares turned into dates (`04.янв` for 4.1) by a "
    "non-English Excel: those cells cannot be turned back into figures reliably and are rejected, each logged with its line. "
    "The file carries no date.",
)

TOP_CONTENT_FORMATS = Layout(
    layout_id="mbs_top_content_formats",
    title="Meta Business Suite Insights: Top content formats export",
    family="Meta Business Suite",
    platform="Facebook",
    table=None,
    fingerprint=(),
    blocks=(r"top\s+content\s+formats",),
    sample=None,
    source="Meta Business Suite help (Insights > Content: top content formats); block layout from issue 13's "
    "description of real files kept outside the project. No sample file",
    vintage="2022 to date",
    why_not_used="Reach or views by content format (reels, photos, videos, links) for the account: a summary of what "
    "the per-post exports already give post by post.",
    notes="Titled blocks, one per metric, like the Audience export.",
)

LAYOUTS = [INSTAGRAM_POSTS, FACEBOOK_VIDEOS, FACEBOOK_POSTS, DAILY_METRIC, AUDIENCE, TOP_CONTENT_FORMATS,
           LEGACY_POSTS, LEGACY_VIDEOS, LEGACY_BREAKDOWN, LEGACY_PAGE, ADS_MANAGER]
