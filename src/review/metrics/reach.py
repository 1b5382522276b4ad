"""P1: communicate and engage via a range of social media — channels, audience, reach, engagement."""

from __future__ import annotations

import pandas as pd

from review.context import MetricTable
from review.metrics.period import ClauseResult, PeriodData, account_labels, pct
from review.rollup import run_rollup

CLAUSE = "P1"


def compute(p: PeriodData) -> ClauseResult:
    posts = p.posts
    by_month = run_rollup(
        "posts_by_account_month",
        posts=posts[["account_id", "published_local", "impressions", "reach", "engagements"]],
    )
    followers = _followers_at_end(p)
    open_accounts = p.open_accounts
    values = {
        "p1_accounts_open": len(open_accounts),
        "p1_posts": len(posts),
        "p1_impressions": float(by_month["impressions_count"].sum()),
        "p1_engagements": float(by_month["engagements_count"].sum()),
        "p1_engagement_rate_pct": pct(
            by_month["rated_engagements_count"].sum(), by_month["rated_impressions_count"].sum()
        ),
        "p1_followers_end": float(followers.loc[followers["account_id"].isin(open_accounts["account_id"]), "followers"].sum()),
    }
    accounts = p.accounts[["account_id", "platform", "purpose"]].assign(name=account_labels(p.accounts))
    per_account = (
        by_month.groupby("account_id", as_index=False)[
            ["posts_count", "impressions_count", "engagements_count", "rated_impressions_count", "rated_engagements_count"]
        ]
        .sum()
        .merge(accounts, on="account_id", how="right", validate="1:1")
        .merge(followers, on="account_id", how="left", validate="1:1")
        .fillna({"posts_count": 0, "impressions_count": 0, "engagements_count": 0})
    )
    by_platform = (
        per_account.groupby("platform", as_index=False)
        .agg(
            accounts=("account_id", "count"),
            posts=("posts_count", "sum"),
            impressions=("impressions_count", "sum"),
            engagements=("engagements_count", "sum"),
            rated_i=("rated_impressions_count", "sum"),
            rated_e=("rated_engagements_count", "sum"),
            followers=("followers", "sum"),
        )
        .assign(rate=lambda d: (100 * d["rated_e"] / d["rated_i"].where(d["rated_i"] > 0)).round(2))
        .sort_values("impressions", ascending=False, kind="stable")
    )
    table = MetricTable(
        table_id="p1_by_platform",
        clause=CLAUSE,
        title="Reach and engagement by platform",
        frame=by_platform.rename(
            columns={
                "platform": "Platform",
                "accounts": "Accounts",
                "posts": "Posts",
                "impressions": "Impressions",
                "engagements": "Engagements",
                "rate": "Engagement rate (%)",
                "followers": "Followers at period end",
            }
        )[["Platform", "Accounts", "Posts", "Impressions", "Engagements", "Engagement rate (%)", "Followers at period end"]]
        .reset_index(drop=True),
        note="Engagement rate is engagements divided by impressions, over posts that report both.",
    )
    monthly = (
        by_month.assign(month=lambda d: pd.to_datetime(d["month"]).dt.month)
        .groupby("month", as_index=False)[["impressions_count", "engagements_count", "posts_count"]]
        .sum()
    )
    reach_per_account = per_account[["name", "impressions_count", "posts_count"]].sort_values(
        ["impressions_count", "name"], ascending=[False, True], kind="stable"
    )
    return ClauseResult(
        values=values,
        tables=[table],
        series={"p1_monthly": monthly, "p1_reach_per_account": reach_per_account},
    )


def _followers_at_end(p: PeriodData) -> pd.DataFrame:
    """Each account's last follower count in the period."""
    audience = p.audience.sort_values(["account_id", "date"], kind="stable")
    last = audience.groupby("account_id", as_index=False).tail(1)
    return last[["account_id", "followers"]].astype({"followers": "float64"}).reset_index(drop=True)
