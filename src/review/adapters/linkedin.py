"""LinkedIn Page analytics exports (XLS/XLSX, or CSV saved from them). No real file was found:
every layout here is built from the headers documented in domain.md section 3.6 (as used by
several independent parsers) and must be checked against a real export."""

from __future__ import annotations

import pandas as pd

from review.adapters.base import Cells, Context, Layout, account, first_of, map_values, rule, take, total, when

_ACTIVITY = r"(?:activity|share|ugcPost)[:%3A]+(\d+)"


def _post_id(c: Cells, ctx: Context) -> pd.Series:
    link = c.get("Post link").astype(str).str.strip()
    return link.str.extract(_ACTIVITY, expand=False).fillna(link).astype(object)


ALL_POSTS = Layout(
    layout_id="linkedin_all_posts",
    title="LinkedIn Page content export: All posts sheet",
    family="LinkedIn",
    platform="LinkedIn",
    table="posts",
    fingerprint=("Post title", "Post link", "Post type", "Created date", "Impressions", "Clicks", "Likes", "Comments"),
    columns={
        "post_id": rule(("Post link",), "the activity number in `Post link` (`urn:li:activity:<n>`), else the link", _post_id),
        "account_id": account(),
        "published_at": when("Created date", ("%m/%d/%Y", "%m/%d/%Y %H:%M"), "`MM/DD/YYYY`, a date only: midnight UK time"),
        "text": take("Post title"),
        "media_type": map_values(
            "Content Type",
            {"Image": "image", "Images": "image", "Video": "video", "Article": "link", "Link": "link", "Text": "text",
             "Document": "image", "Poll": "text"},
            "text",
            "",
        ),
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
    notes="A description line sits above the header; `Posted by` was `Published by` in older files (not used).",
)


def _doc_only(layout_id: str, title: str, fingerprint: tuple[str, ...], why: str) -> Layout:
    return Layout(
        layout_id=layout_id, title=title, family="LinkedIn", platform="LinkedIn", table=None,
        fingerprint=fingerprint, sample=None, source="domain.md 3.6 (documented headers only; no real file)",
        why_not_used=why,
    )


LAYOUTS = [
    ALL_POSTS,
    _doc_only("linkedin_content_metrics", "LinkedIn Page content export: Metrics sheet (daily)",
              ("Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)"),
              "Daily page totals of impressions, clicks, reactions, comments and reposts; the review counts per post."),
    _doc_only("linkedin_followers", "LinkedIn Page followers export: new followers (daily)",
              ("Date", "Sponsored followers", "Organic followers", "Total followers"),
              "The day's new followers, not a follower total, so it cannot feed `audience`."),
    *[
        _doc_only(f"linkedin_followers_{dim.lower().replace(' ', '_')}", f"LinkedIn Page followers export: {dim} sheet",
                  (dim, "Total followers"), "Followers by demographic group; the review does not profile followers.")
        for dim in ("Location", "Job function", "Seniority", "Industry", "Company size")
    ],
    _doc_only("linkedin_visitors", "LinkedIn Page visitors export (daily)",
              ("Date", "Total page views (total)", "Total unique visitors (total)"),
              "Daily page views and unique visitors; no canonical table holds page visits."),
]
