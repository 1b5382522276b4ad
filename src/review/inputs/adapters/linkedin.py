"""LinkedIn Page analytics exports (XLS/XLSX, or CSV saved from them). No real file was found:
every layout here is built from the headers documented in domain.md section 3.6 (as used by
several independent parsers) and must be checked against a real export."""

from __future__ import annotations

import pandas as pd

from review.inputs.adapters.base import Cells, Context, Layout, account, first_of, map_values, rule, take, total, when

_ACTIVITY = r"(?:activity|share|ugcPost)[:%3A]+(\d+)"


def _post_id(column: str):
    def fn(c: Cells, ctx: Context) -> pd.Series:
        link = c.get(column).astype(str).str.strip()
        return link.str.extract(_ACTIVITY, expand=False).fillna(link).astype(object)

    return rule((column,), f"the activity number in `{column}` (`urn:li:activity:<n>`), else the link", fn)


_CONTENT_TYPES = {"Image": "image", "Images": "image", "Video": "video", "Article": "link", "Link": "link", "Text": "text",
                  "Document": "image", "Poll": "text"}


ALL_POSTS = Layout(
    layout_id="linkedin_all_posts",
    title="LinkedIn Page content export: All posts sheet",
    family="LinkedIn",
    platform="LinkedIn",
    table="posts",
    fingerprint=("Post title", "Post link", "Post type", "Created date", "Impressions", "Clicks", "Likes", "Comments"),
    columns={
        "post_id": _post_id("Post link"),
        "account_id": account(),
        "published_at": when("Created date", ("%m/%d/%Y", "%m/%d/%Y %H:%M"), "`MM/DD/YYYY`, a date only: midnight UK time"),
        "text": take("Post title"),
        "media_type": map_values("Content Type", _CONTENT_TYPES, "text", ""),
        "impressions": take("Impressions"),
        "engagements": total("Clicks", "Likes", "Comments", "Reposts", "Follows", note="LinkedIn's engagement-rate numerator"),
        "reactions": take("Likes"),
        "comments": take("Comments"),
        "shares": first_of("Reposts", "Shares"),
        "link_clicks": take("Clicks", "any click on the post, not only on a link"),
        "video_views": take("Views (excluding off-site video views)"),
    },
    definitions={
        "impressions": "Times the update was shown to signed-in members (organic and sponsored).",
        "reach": "Not in the All posts sheet (unique impressions are given only as daily page totals).",
        "engagements": "Clicks + reactions + comments + reposts + follows, the numerator LinkedIn uses for engagement rate.",
        "reactions": "All reactions (`Likes` in the export).",
        "comments": "Comments.",
        "shares": "Reposts (`Shares` in older files).",
        "link_clicks": "Clicks: on the content, the page name or the logo, not only on links.",
        "video_views": "Video views on LinkedIn (off-site views excluded).",
    },
    sample=None,
    source="domain.md 3.6 (documented headers only; no real file)",
    vintage="2021 to date",
    notes="A description line sits above the header; `Posted by` was `Published by` in older files (not used).",
)

UPDATES_2020 = Layout(
    layout_id="linkedin_updates_2020",
    title="LinkedIn Page updates export (2020 column names)",
    family="LinkedIn",
    platform="LinkedIn",
    table="posts",
    fingerprint=("Update title", "Update link", "Update type", "Created date", "Impressions", "Clicks"),
    columns={
        "post_id": _post_id("Update link"),
        "account_id": account(),
        "published_at": when("Created date", ("%m/%d/%Y", "%m/%d/%Y %H:%M"), "`MM/DD/YYYY`, a date only: midnight UK time"),
        "text": take("Update title"),
        "media_type": map_values("Content Type", _CONTENT_TYPES, "text", "the 2020 export has no content type: text unless it says"),
        "impressions": take("Impressions"),
        "engagements": total("Clicks", "Likes", "Comments", "Shares", "Follows", note="LinkedIn's engagement-rate numerator"),
        "reactions": take("Likes"),
        "comments": take("Comments"),
        "shares": first_of("Shares", "Reposts"),
        "link_clicks": take("Clicks", "any click on the update, not only on a link"),
        "video_views": first_of("Video views", "Views (excluding off-site video views)"),
    },
    definitions={
        "impressions": "Times the update was shown to signed-in members (organic and sponsored).",
        "reach": "Not in this export.",
        "engagements": "Clicks + reactions + comments + shares + follows. `Update Engagement` is LinkedIn's engagement "
        "rate (that sum divided by impressions), a fraction, so it is not used as a count.",
        "reactions": "All reactions (`Likes`).",
        "comments": "Comments.",
        "shares": "Shares (later renamed Reposts).",
        "link_clicks": "Clicks on the update, its page name or logo, not only on links.",
        "video_views": "Video views on LinkedIn.",
    },
    sample=None,
    source="issue 13: seen in real 2020 files kept outside the project (`Update title`, `Update link`, `Update type`, "
    "`Update Engagement`); the metric columns as in domain.md 3.6. No sample file",
    vintage="2019 to 2020 (before `Update` became `Post`)",
    notes="`Update type` is Organic or Sponsored, not the kind of media. Often one sheet of a workbook that also "
    "holds the visitor sheets (a Mac Excel .xls).",
)


def _doc_only(layout_id: str, title: str, fingerprint: tuple[str, ...], why: str, vintage: str = "2019 to date",
              source: str = "domain.md 3.6 (documented headers only; no real file)") -> Layout:
    return Layout(
        layout_id=layout_id, title=title, family="LinkedIn", platform="LinkedIn", table=None,
        fingerprint=fingerprint, sample=None, source=source, why_not_used=why, vintage=vintage,
    )


_DIMENSIONS = ("Location", "Job function", "Seniority", "Industry", "Company size")

LAYOUTS = [
    ALL_POSTS,
    UPDATES_2020,
    _doc_only("linkedin_content_metrics", "LinkedIn Page content export: Metrics sheet (daily)",
              ("Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)"),
              "Daily page totals of impressions, clicks, reactions, comments and reposts; the review counts per post."),
    _doc_only("linkedin_followers", "LinkedIn Page followers export: new followers (daily)",
              ("Date", "Sponsored followers", "Organic followers", "Total followers"),
              "The day's new followers, not a follower total, so it cannot feed `audience`."),
    *[
        _doc_only(f"linkedin_followers_{dim.lower().replace(' ', '_')}", f"LinkedIn Page followers export: {dim} sheet",
                  (dim, "Total followers"), "Followers by demographic group; the review does not profile followers.")
        for dim in _DIMENSIONS
    ],
    *[
        _doc_only(f"linkedin_visitors_{dim.lower().replace(' ', '_')}", f"LinkedIn Page visitors export: {dim} sheet (2020)",
                  (dim, "Total views"), "Page views by demographic group; the review does not profile visitors.",
                  vintage="2019 to 2020",
                  source="issue 13: visitor demographics headed `Total views` in real 2020 files kept outside the project. "
                  "No sample file")
        for dim in _DIMENSIONS
    ],
    _doc_only("linkedin_visitors", "LinkedIn Page visitors export (daily)",
              ("Date", "Total page views (total)", "Total unique visitors (total)"),
              "Daily page views and unique visitors; no canonical table holds page visits."),
]
