"""X (Twitter): the classic tweet activity export and the 2024+ analytics exports."""

from __future__ import annotations

import html

import pandas as pd

from review.inputs.adapters.base import Cells, Context, Layout, account, first_of, rule, take, total, when

_T = "X"

def _text(name: str):
    return rule((name,), f"`{name}`, HTML entities such as `&amp;` decoded", lambda c, ctx: c.get(name).map(html.unescape))


def _media_classic(c: Cells, ctx: Context) -> pd.Series:
    media = pd.to_numeric(c.get("media views"), errors="coerce").fillna(0) + pd.to_numeric(
        c.get("media engagements"), errors="coerce"
    ).fillna(0)
    has_link = c.get("Tweet text").str.contains("http", na=False)
    out = pd.Series("text", index=c.frame.index, dtype=object)
    out[has_link] = "link"
    out[media > 0] = "image"
    return out


def _media_new(c: Cells, ctx: Context) -> pd.Series:
    has_link = c.get("Post text").str.contains("http", na=False)
    return has_link.map({True: "link", False: "text"}).astype(object)


SNOWFLAKE_EPOCH_MS = 1288834974657


def _id_from_link(link_column: str, id_column: str):
    """The number after `/status/` in the post's link, else the id column. Both are read as text
    (19-digit ids must never pass through a float); the link comes first because it survives an
    Excel re-save, while Excel rounds a numeric id column to 15 digits."""

    def fn(c: Cells, ctx: Context) -> pd.Series:
        from_link = c.get(link_column).astype(str).str.extract(r"/status/(\d+)", expand=False)
        return from_link.fillna(c.get(id_column).astype(str).str.strip()).astype(object)

    words = (f"the number after `/status/` in `{link_column}`, else `{id_column}` (the link survives an Excel "
             "re-save; a numeric id column is rounded to 15 digits)")
    return rule((link_column, id_column), words, fn)


def _x_time(link_column: str, date_formats: tuple[str, ...]):
    """The post's time from its snowflake id (the export's `Date` has no time), else `Date`."""

    def fn(c: Cells, ctx: Context) -> pd.Series:
        ids = _id_from_link(link_column, "Post id").fn(c, ctx).astype(str).str.strip()
        out = when("Date", date_formats, "").fn(c, ctx).copy()
        ok = ids.str.fullmatch(r"\d{15,20}")
        if ok.any():
            ms = ids[ok].map(lambda i: (int(i) >> 22) + SNOWFLAKE_EPOCH_MS)
            stamps = pd.to_datetime(ms.astype("int64"), unit="ms", utc=True)
            out[ok] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        return out

    return fn


_x_new_time = _x_time("Post Link", ("%a, %b %d, %Y",))


TWEET_ACTIVITY = Layout(
    layout_id="x_tweet_activity",
    title="X tweet activity export (classic analytics.twitter.com)",
    family="X",
    platform="X",
    table="posts",
    fingerprint=("Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements"),
    columns={
        "post_id": _id_from_link("Tweet permalink", "Tweet id"),
        "account_id": account(),
        "published_at": when("time", ("%Y-%m-%d %H:%M %z",), "`2016-12-23 18:50 +0000` (UTC)", offset="UTC"),
        "text": _text("Tweet text"),
        "media_type": rule(
            ("media views", "media engagements", "Tweet text"),
            "image when `media views` or `media engagements` is above 0 (X does not tell photo from video); "
            "else link when the text holds a link; else text",
            _media_classic,
        ),
        "impressions": take("impressions", "organic only; `promoted impressions` is not added"),
        "engagements": take("engagements"),
        "reactions": first_of("likes", "favorites"),
        "comments": take("replies"),
        "shares": take("retweets"),
        "link_clicks": take("url clicks"),
    },
    definitions={
        "impressions": "Times a user was served the tweet in a timeline or search result (organic).",
        "reach": "Not reported: X gives no count of distinct people reached.",
        "engagements": "Times a user interacted with the tweet: any click (links, hashtags, profile, media, "
        "detail expands, permalink), retweets, replies, follows and likes.",
        "reactions": "Likes (`favorites` in exports before late 2015).",
        "comments": "Replies.",
        "shares": "Retweets.",
        "link_clicks": "Clicks on a URL in the tweet (`url clicks`).",
        "video_views": "Not mapped: `media views` counts photo and video views together.",
    },
    sample="x_twitter_tweet_activity_metrics_2016.csv",
    source="domain.md 3.1; samples x_twitter_tweet_activity_metrics_*.csv",
    vintage="2014 to 2023 (analytics.twitter.com); `favorites` before late 2015",
    handle_columns=("Tweet permalink",),
    notes="Each export covers at most 91 days, so a year arrives as several overlapping files; "
    "the latest figures for a tweet win (see *Overlapping exports*). Every value is quoted and "
    "counts come as floats (`1938.0`); promoted columns hold `-` when not promoted.",
)

def _placeholder(link_column: str):
    """X's rows with no post (a blank id and a link ending `/status/undefined`): reason per row."""

    def fn(c: Cells) -> pd.Series:
        link = c.get(link_column).astype(str).str.strip()
        ident = c.get("Post id").astype(str).str.strip()
        placeholder = link.str.lower().str.endswith("/status/undefined") | (ident.eq("") & link.eq(""))
        reason = "placeholder row X writes with no post (blank id, link .../status/undefined)"
        return placeholder.map({True: reason, False: ""}).astype(object)

    return fn


CONTENT_2024 = Layout(
    layout_id="x_account_content",
    title="X account analytics content export (2024+)",
    family="X",
    platform="X",
    table="posts",
    fingerprint=("Post id", "Date", "Post text", "Post Link", "Impressions", "Engagements"),
    columns={
        "post_id": _id_from_link("Post Link", "Post id"),
        "account_id": account(),
        "published_at": rule(
            ("Post id", "Date"),
            "the time inside the X id (`(id >> 22) + 1288834974657` ms since 1970, UTC), because `Date` "
            "(`Sun, Nov 9, 2025`) has no time; `Date` when the id is not a number",
            _x_new_time,
        ),
        "text": _text("Post text"),
        "media_type": rule(("Post text",), "link when the text holds a link, else text (the export does not say)", _media_new),
        "impressions": take("Impressions"),
        "engagements": take("Engagements"),
        "reactions": take("Likes"),
        "comments": take("Replies"),
        "shares": total("Reposts", "Shares", note="reposts plus shares by message or link"),
        "link_clicks": take("URL Clicks"),
    },
    definitions={
        "impressions": "Times the post was seen (X relabelled impressions as views in its app in 2023; the export keeps `Impressions`).",
        "reach": "Not reported.",
        "engagements": "All interactions: likes, replies, reposts, bookmarks, shares, profile visits, detail expands and clicks.",
        "reactions": "Likes.",
        "comments": "Replies.",
        "shares": "Reposts plus shares (sent by direct message or copied link).",
        "link_clicks": "Clicks on a URL in the post.",
        "video_views": "Not in this export (X has a separate video overview export).",
    },
    sample="x_account_analytics_content_2025_reconstructed.csv",
    source="domain.md 3.2; sample x_account_analytics_content_2025_reconstructed.csv",
    vintage="mid 2025 onwards (`Post Link`, `URL Clicks`, dates `Sun, Nov 9, 2025`)",
    junk=_placeholder("Post Link"),
    handle_columns=("Post Link",),
    notes="X writes placeholder rows with a blank id and a link ending `/status/undefined`; they are "
    "logged as rejected with that reason.",
)



ACCOUNT_OVERVIEW = Layout(
    layout_id="x_account_overview",
    title="X account overview export (2024+, one row per day)",
    family="X",
    platform="X",
    table=None,
    fingerprint=("Date", "Impressions", "Likes", "Engagements", "New follows", "Unfollows", "Profile visits"),
    sample="x_account_overview_analytics_2025.csv",
    source="domain.md 3.2",
    vintage="2024 onwards",
    why_not_used="Daily account totals (impressions, engagements, new follows and unfollows). The review "
    "counts these per post from the content export, and a follower total is not in the file "
    "(only the day's follows and unfollows), so it cannot feed `audience`.",
)

VIDEO_OVERVIEW = Layout(
    layout_id="x_video_overview",
    title="X video overview export (2024+)",
    family="X",
    platform="X",
    table=None,
    fingerprint=("Date", "Views", "Watch time (ms)"),
    sample=None,
    source="domain.md 3.2 (named in public parsing code; no sample, headers assumed)",
    vintage="2024 onwards",
    why_not_used="Daily video totals for the account; the review uses per-post figures.",
)

CONTENT_EARLY = Layout(
    layout_id="x_account_content_early",
    title="X account analytics content export (late 2024 to early 2025)",
    family="X",
    platform="X",
    table="posts",
    fingerprint=("Post id", "Date", "Post text", "Link", "Impressions", "Engagements"),
    columns={
        **CONTENT_2024.columns,
        "post_id": _id_from_link("Link", "Post id"),
        "published_at": rule(
            ("Post id", "Date"),
            "the time inside the X id (see the 2025 export), because `Date` (`Mon Feb 17 2025`) has no time; "
            "`Date` when the id is not a number",
            _x_time("Link", ("%a %b %d %Y", "%a, %b %d, %Y")),
        ),
        "shares": total("Reposts", "Share", note="reposts plus shares by message or link"),
        "link_clicks": take("Url clicks"),
    },
    definitions=CONTENT_2024.definitions,
    sample=None,
    source="issue 13: seen in real files kept outside the project (column names `Link`, `Share`, `Url clicks`, "
    "dates `Mon Feb 17 2025`); the other columns as in the 2025 export. No sample file",
    vintage="late 2024 to early 2025",
    junk=_placeholder("Link"),
    handle_columns=("Link",),
    notes="The same export as the 2025 one under earlier column names: `Link` (later `Post Link`), `Share` "
    "(later `Shares`), `Url clicks` (later `URL Clicks`), and dates without the commas.",
)

DAILY_ACTIVITY = Layout(
    layout_id="x_daily_activity",
    title="X classic daily activity export (analytics.twitter.com, one row per day)",
    family="X",
    platform="X",
    table=None,
    fingerprint=("Date", "Tweets published", "impressions", "engagements", "engagement rate"),
    sample=None,
    source="the classic analytics.twitter.com \"By day\" export (`daily_tweet_activity_metrics_<handle>_<from>_<to>_en.csv`), "
    "downloaded beside the per-tweet export; columns as the tweet export with `Date` and `Tweets published` in place "
    "of the tweet's id, link, text and time. No sample file",
    vintage="2014 to 2023",
    why_not_used="Account totals per day (tweets published, impressions, engagements); the review counts per tweet "
    "from the tweet activity export of the same period.",
)

LAYOUTS = [TWEET_ACTIVITY, CONTENT_2024, CONTENT_EARLY, ACCOUNT_OVERVIEW, DAILY_ACTIVITY, VIDEO_OVERVIEW]
