"""P1: communicate and engage via a range of social media — channels, audience, reach, engagement."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from review.config import ContentThemes
from review.context import MetricTable
from review.inputs.contracts import PURPOSES
from review.evidence.metrics.coverage import UNREGISTERED, names, platform_of
from review.evidence.metrics.period import ClauseResult, PeriodData, account_labels, label_accounts, last_post_at, pct
from review.evidence.plain_english import lower_matches
from review.evidence.rollup import run_rollup
from review.values import Column, round_half_up_column

CLAUSE = "P1"
# What P1 reads (review.evidence.metrics.period.read_period): table -> columns (None: all).
# Posts without the columns P1 does not read: the text is most of a national year, the rest adds up.
TABLES_NEEDED = {"accounts": None, "audience": None,
                 "posts": ["post_id", "account_id", "published_at", "text", "impressions", "reach", "engagements"]}


def compute(p: PeriodData) -> ClauseResult:
    posts = p.posts
    by_month = run_rollup(
        "posts_by_account_month",
        engine=p.config.engine,
        spark=p.config.spark,
        posts=posts[["account_id", "published_local", "impressions", "reach", "engagements"]],
    )
    followers = _followers_at(p, last=True)
    followers_start = _followers_at(p, last=False)
    open_accounts = p.open_accounts
    end = followers[followers["account_id"].isin(open_accounts["account_id"])].set_index("account_id")["followers"]
    start = followers_start[followers_start["account_id"].isin(open_accounts["account_id"])].set_index("account_id")["followers"]
    # Growth over the accounts with a figure at both ends of the period: a partial file (two weeks
    # in spring) says nothing about the year's growth.
    both = end.index.intersection(start.index)
    values = {
        "p1_accounts_open": len(open_accounts),
        "p1_posts": len(posts),
        "p1_impressions": by_month["impressions_count"].sum(min_count=1),
        "p1_engagements": by_month["engagements_count"].sum(min_count=1),
        "p1_engagement_rate_pct": pct(
            by_month["rated_engagements_count"].sum(), by_month["rated_impressions_count"].sum()
        ),
        "p1_reach": by_month["reach_count"].sum(min_count=1),
        "p1_followers_start": start.sum(min_count=1),
        "p1_followers_end": end.sum(min_count=1),
        "p1_follower_growth_pct": pct(end[both].sum() - start[both].sum(), start[both].sum()) if len(both) else None,
        "p1_small_accounts": None,  # set below, from the channel view
    }
    cfg = p.config
    per_account = _channel_view(p, by_month, followers)
    # An account with no follower figures is not known to be small.
    small = per_account["is_open"] & (per_account["followers"] < cfg.rules.small_account_followers).fillna(False)
    values["p1_small_accounts"] = int(small.sum())
    themes = p.per_row("posts", f"themes {sorted(cfg.content.themes.items())} {cfg.content.other_label}",
                       lambda t: classify_themes(t["text"], cfg.content.themes, cfg.content.other_label))
    monthly = (
        by_month.assign(month=lambda d: pd.to_datetime(d["month"]).dt.month)
        .groupby("month", as_index=False)[
            ["posts_count", "impressions_count", "reach_count", "engagements_count", "rated_impressions_count", "rated_engagements_count"]
        ]
        .sum(min_count=1)
    )
    tables = [
        _by_platform(per_account),
        _by_platform_purpose(p),
        MetricTable(
            "p1_channels", CLAUSE, "Channel view: every account, its audience and reach",
            pd.DataFrame(
                {
                    "account": per_account["name"],
                    "purpose": per_account["purpose"].astype(str),
                    "followers_end": per_account["followers"].pipe(round_half_up_column).astype("Int64"),
                    "posts": per_account["posts_count"].astype("int64"),
                    "impressions": per_account["impressions_count"].astype("Int64"),
                    "impressions_per_post": (per_account["impressions_count"] / per_account["posts_count"].where(per_account["posts_count"] > 0)).pipe(round_half_up_column, 0),
                    "is_small": small.astype(bool),
                    "is_dormant": per_account["is_dormant"].astype(bool),
                }
            ).sort_values(["impressions", "account"], ascending=[False, True], kind="stable").reset_index(drop=True),
            note=f"Small: fewer than {cfg.rules.small_account_followers:,} followers. Dormant: no post in the last "
            f"{cfg.targets.dormant_days} days of the period. Both raise the question of merging or closing accounts.",
            columns={
                "account": Column("Account"),
                "purpose": Column("Purpose", "category"),
                "followers_end": Column("Followers at period end", "count", unit="followers"),
                "posts": Column("Posts", "count", unit="posts"),
                "impressions": Column("Impressions", "count", unit="impressions"),
                "impressions_per_post": Column("Impressions per post", "number", places=0, unit="impressions"),
                "is_small": Column("Small account", "flag"),
                "is_dormant": Column("Dormant", "flag"),
            },
        ),
        MetricTable(
            "p1_by_month", CLAUSE, "Posts and engagement by month",
            _every_month(p, pd.DataFrame(
                {
                    "month": [_month_start(p.start, m) for m in monthly["month"]],
                    "posts": monthly["posts_count"].astype("int64"),
                    "impressions": monthly["impressions_count"].astype("Int64"),
                    "engagements": monthly["engagements_count"].astype("Int64"),
                    "engagement_rate_pct": (100 * monthly["rated_engagements_count"] / monthly["rated_impressions_count"].where(monthly["rated_impressions_count"] > 0)).pipe(round_half_up_column, 1),
                }
            ).astype({"month": "datetime64[ns]"})),
            columns={
                "month": Column("Month", "month"),
                "posts": Column("Posts", "count", unit="posts"),
                "impressions": Column("Impressions", "count", unit="impressions"),
                "engagements": Column("Engagements", "count", unit="engagements"),
                "engagement_rate_pct": ENGAGEMENT_RATE,
            },
        ),
        _top_posts(p),
        _content_mix(posts, themes),
    ]
    # account_id too: a national review's accounts share names across forces (size L)
    reach_per_account = per_account[per_account["is_open"]][["name", "impressions_count", "posts_count", "account_id"]].sort_values(
        ["impressions_count", "name"], ascending=[False, True], kind="stable"
    )
    return ClauseResult(
        values=values,
        tables=tables,
        series={"p1_monthly": monthly[["month", "impressions_count", "engagements_count", "posts_count"]],
                "p1_reach_per_account": reach_per_account,
                "p1_themes": tables[-1].frame[["theme", "posts"]]},
    )


ENGAGEMENT_RATE = Column("Engagement rate (%)", "pct", places=1, unit="% of impressions")


def _every_month(p: PeriodData, frame: pd.DataFrame) -> pd.DataFrame:
    """The table by month with every month of the period, in order: a month without posts has 0
    posts, and 0 impressions and engagements where any post of the period reports them (else
    they are not measured), and no engagement rate."""
    months = pd.date_range(p.start, p.last_day, freq="MS", name="month", unit="ns")
    out = frame.set_index("month").reindex(months).reset_index()
    out["posts"] = out["posts"].fillna(0).astype("int64")
    for column in ("impressions", "engagements"):
        out[column] = out[column].mask(out["posts"].eq(0) & frame[column].notna().any(), 0).astype("Int64")
    return out


def _month_start(start: pd.Timestamp, month: int) -> pd.Timestamp:
    """The first day of calendar month `month` (1-12) within the period that begins at `start`."""
    return pd.Timestamp(start.year if month >= start.month else start.year + 1, month, 1)


def _channel_view(p: PeriodData, by_month: pd.DataFrame, followers: pd.DataFrame) -> pd.DataFrame:
    """One row per account: platform, purpose, open or not, dormant or not, posts, reach, followers.

    Accounts with posts or follower figures but missing from the account register are rows too
    (platform from their export's id, purpose "Not in the account register"), so every breakdown
    adds up to its headline. A sum over posts none of which reports the figure is missing, not 0."""
    sums = by_month.groupby("account_id", as_index=False)[
        ["posts_count", "impressions_count", "reach_count", "engagements_count", "rated_impressions_count", "rated_engagements_count"]
    ].sum(min_count=1)
    registered = p.accounts[["account_id", "platform", "purpose"]].assign(name=account_labels(p.accounts))
    extra = pd.Index(sums["account_id"]).union(pd.Index(followers["account_id"])).difference(registered["account_id"])
    if len(extra):
        ids = pd.Series(extra, dtype=object)
        registered = pd.concat([registered, pd.DataFrame({
            "account_id": ids, "platform": platform_of(ids, p.accounts), "purpose": UNREGISTERED.lower(),
            "name": label_accounts(ids, p.accounts)})], ignore_index=True)
    accounts = registered
    dormant_before = p.end - pd.Timedelta(days=p.config.targets.dormant_days)
    out = (
        accounts.merge(sums, on="account_id", how="left", validate="1:1")
        .merge(followers, on="account_id", how="left", validate="1:1")
    )
    out["posts_count"] = out["posts_count"].fillna(0)
    # An account that posted nothing has 0 impressions; one whose posts report none has no figure.
    for column in ("impressions_count", "reach_count", "engagements_count", "rated_impressions_count", "rated_engagements_count"):
        out[column] = out[column].mask(out["posts_count"].eq(0) & out[column].isna(), 0)
    out["is_open"] = out["account_id"].isin(p.open_accounts["account_id"])
    last = last_post_at(p, out["account_id"])
    out["is_dormant"] = out["is_open"] & (last.isna() | (last < dormant_before))
    return out


def _by_platform(per_account: pd.DataFrame) -> MetricTable:
    columns = {"posts_count": "posts", "impressions_count": "impressions", "reach_count": "reach",
               "engagements_count": "engagements", "rated_impressions_count": "rated_i",
               "rated_engagements_count": "rated_e", "followers": "followers"}
    grouped = per_account.groupby("platform")
    # A platform's figure sums its accounts with posts: where none of those posts reports it, it is
    # missing, although the platform's accounts that posted nothing count 0 (a platform with no
    # post at all has 0).
    sums = grouped[list(columns)].sum(min_count=1)
    from_posts = [c for c in columns if c not in ("posts_count", "followers")]
    posted = per_account[per_account["posts_count"] > 0].groupby("platform")[from_posts].sum(min_count=1)
    sums.loc[posted.index, from_posts] = posted
    by_platform = (
        sums.rename(columns=columns)
        .assign(accounts=grouped.size(), posts=lambda d: d["posts"].fillna(0))
        .reset_index()
        .assign(rate=lambda d: (100 * d["rated_e"] / d["rated_i"].where(d["rated_i"] > 0)).pipe(round_half_up_column, 1))
        .sort_values(["impressions", "platform"], ascending=[False, True], kind="stable", na_position="last")
    )
    frame = pd.DataFrame(
        {
            "platform": by_platform["platform"],
            "accounts": by_platform["accounts"].astype("int64"),
            "posts": by_platform["posts"].astype("int64"),
            "impressions": by_platform["impressions"].astype("Int64"),
            "reach": by_platform["reach"].where(by_platform["reach"] > 0).pipe(round_half_up_column).astype("Int64"),
            "engagements": by_platform["engagements"].astype("Int64"),
            "engagement_rate_pct": by_platform["rate"],
            "followers_end": by_platform["followers"].pipe(round_half_up_column).astype("Int64"),
        }
    ).reset_index(drop=True)
    unregistered = per_account["purpose"].eq(UNREGISTERED.lower())
    no_reach = frame.loc[frame["reach"].isna(), "platform"].tolist()
    note = "Engagement rate is engagements divided by impressions, over posts that report both. " + (
        f"{names(no_reach)} {'does' if len(no_reach) == 1 else 'do'} not report reach per post, so reach shows "
        "as not measured there, as does any figure no export of that platform reports. " if no_reach else "") + (
        "Reach is each post's reach added up, so one person reached by two posts counts twice.")
    if unregistered.any():
        note += (f" {int(unregistered.sum())} of the accounts are not in the account register; their posts are "
                 "counted under the platform of their export (see What this review covers).")
    return MetricTable(
        "p1_by_platform", CLAUSE, "Reach and engagement by platform", frame,
        note=note,
        columns={
            "platform": Column("Platform"),
            "accounts": Column("Accounts", "count", unit="accounts"),
            "posts": Column("Posts", "count", unit="posts"),
            "impressions": Column("Impressions", "count", unit="impressions"),
            "reach": Column("Reach, summed over posts", "count", unit="post reach, as each platform estimates"),
            "engagements": Column("Engagements", "count", unit="engagements"),
            "engagement_rate_pct": ENGAGEMENT_RATE,
            "followers_end": Column("Followers at period end", "count", unit="followers"),
        },
    )


def _by_platform_purpose(p: PeriodData) -> MetricTable:
    counts = (
        p.open_accounts.groupby(["platform", "purpose"]).size().unstack("purpose", fill_value=0)
        .reindex(columns=PURPOSES, fill_value=0)
    )
    counts.columns.name = None
    frame = counts.assign(total=counts.sum(axis=1)).reset_index().astype({c: "int64" for c in [*PURPOSES, "total"]})
    columns = {"platform": Column("Platform"), **{c: Column(c.capitalize(), "count", unit="accounts") for c in PURPOSES},
               "total": Column("Total", "count", unit="accounts")}
    return MetricTable("p1_accounts_mix", CLAUSE, "Open accounts by platform and purpose", frame, columns=columns)


def _top_posts(p: PeriodData, n: int = 10) -> MetricTable:
    impressions = p.posts["impressions"].dropna()
    if len(impressions) > n:  # only the rows that can be in the top n (ties kept) are sorted or copied
        impressions = impressions[impressions >= impressions.nlargest(n).iloc[-1]]
    rated = p.posts.loc[impressions.index]
    posts = rated.sort_values(["impressions", "post_id"], ascending=[False, True], kind="stable").head(n)
    # A post with no words (a photo or video alone) says so, rather than leaving a blank cell.
    text = withhold_texts(posts["text"], p.config.content).fillna("").str.strip().replace("", "(no text: image or video only)")
    frame = pd.DataFrame(
        {
            # A date, not text: the report prints it as "3 July 2025", the workbook as a date cell.
            "published": posts["published_local"].dt.date,
            "account": label_accounts(posts["account_id"], p.accounts),
            "post": text.where(text.str.len() <= 90, text.str.slice(0, 89) + "…"),
            "impressions": posts["impressions"].astype("int64"),
            "engagements": posts["engagements"].astype("Int64"),
        }
    ).reset_index(drop=True)
    columns = {"published": Column("Published", "date"), "account": Column("Account"), "post": Column("Post"),
               "impressions": Column("Impressions", "count", unit="impressions"),
               "engagements": Column("Engagements", "count", unit="engagements")}
    withheld = list(p.config.content.withhold_text)
    note = (f"We do not reprint the words of posts about {' or '.join(t.lower() for t in withheld)}: they name people, "
            "and are taken down once the person is found." if withheld else None)
    return MetricTable("p1_top_posts", CLAUSE, f"The {n} posts shown most often", frame, columns=columns, note=note)


def _content_mix(posts: pd.DataFrame, themes: pd.Series) -> MetricTable:
    frame = posts[["post_id", "impressions", "engagements"]].assign(theme=themes)
    both = frame["impressions"].notna() & frame["engagements"].notna()
    grouped = frame.assign(
        ri=frame["impressions"].where(both), re=frame["engagements"].where(both)
    ).groupby("theme").agg(posts=("post_id", "size"), impressions=("impressions", lambda v: v.sum(min_count=1)),
                           ri=("ri", "sum"), re=("re", "sum"))
    grouped = grouped.sort_values(["posts"], ascending=False, kind="stable")
    table = pd.DataFrame(
        {
            "theme": grouped.index.astype(str),
            "posts": grouped["posts"].astype("int64"),
            "share_pct": (100 * grouped["posts"] / max(len(frame), 1)).pipe(round_half_up_column, 1),
            "impressions": grouped["impressions"].astype("Int64"),
            "engagement_rate_pct": (100 * grouped["re"] / grouped["ri"].where(grouped["ri"] > 0)).astype("float64").pipe(round_half_up_column, 1),
        }
    ).reset_index(drop=True)
    return MetricTable(
        "p1_content_mix", CLAUSE, "Content mix by theme", table,
        note="Themes come from keywords and hashtags set in the year's config; "
        "a post takes the first theme whose words it contains.",
        columns={"theme": Column("Theme"), "posts": Column("Posts", "count", unit="posts"),
                 "share_pct": Column("Share of posts (%)", "pct", places=1, unit="% of posts"),
                 "impressions": Column("Impressions", "count", unit="impressions"),
                 "engagement_rate_pct": ENGAGEMENT_RATE},
    )


def _followers_at(p: PeriodData, last: bool) -> pd.DataFrame:
    """Each account's last (or first) follower count in the period, when it is dated within
    `coverage.follower_edge_days` of the period's last (or first) day; accounts without one are
    left out (their followers at that end are not known)."""
    edge = pd.Timedelta(days=p.config.coverage.follower_edge_days)
    audience = p.audience.sort_values(["account_id", "date"], kind="stable").groupby("account_id", as_index=False)
    rows = audience.tail(1) if last else audience.head(1)
    near = rows["date"] > p.last_day - edge if last else rows["date"] < p.start + edge
    return rows.loc[near, ["account_id", "followers"]].astype({"followers": "float64"}).reset_index(drop=True)


def withhold_texts(texts: pd.Series, content: ContentThemes) -> pd.Series:
    """`texts` with each text of a withheld theme (`content.withhold_text`: by default missing-person
    appeals) replaced by the words the config gives for it. A text is withheld when it has any
    keyword of the theme, whichever theme the content mix counts it under (an appeal with "cctv"
    in it is still an appeal for a missing person)."""
    withheld = {theme: content.themes[theme] for theme in content.withhold_text}
    theme = classify_themes(texts, withheld, "")
    return texts.mask(theme != "", theme.map(content.withhold_text))


def classify_themes(texts: pd.Series, themes: dict[str, tuple[str, ...]], other: str) -> pd.Series:
    """Each text's theme: the first theme with a keyword or hashtag in it (whole words, any case)."""
    out = pd.Series(other, index=texts.index, dtype="str")
    unassigned = np.ones(len(texts), dtype=bool)
    for theme, words in themes.items():
        pattern = "|".join(
            (re.escape(w.lower()) + r"\b") if w.startswith("#") else (r"\b" + re.escape(w.lower()) + r"\b")
            for w in words
        )
        hit = unassigned & lower_matches(texts, pattern)
        out[hit] = theme
        unassigned &= ~hit
    return out
