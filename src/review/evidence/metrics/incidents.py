"""P2: social media as a key tool for critical incident management."""

from __future__ import annotations

import re

import pandas as pd

from review.context import MetricTable
from review.evidence.metrics.period import ClauseResult, PeriodData, median
from review.evidence.plain_english import lower_matches
from review.evidence.rollup import run_rollup
from review.values import Column, round_half_up_column

CLAUSE = "P2"
# What P2 reads (review.evidence.metrics.period.read_period): table -> columns (None: all).
TABLES_NEEDED = {"accounts": None, "critical_incidents": None, "incident_posts": None,
                 "posts": ["post_id", "account_id", "critical_incident_id", "published_at", "text", "impressions", "reach"]}
FIRST_HOURS = 6
# Words that mark a post correcting rumour or misinformation during an incident.
RUMOUR_WORDS = r"\b(?:rumou?rs?|speculat\w*|misinformation|not true|untrue|false reports?|please don't share|fake)\b"


def link_posts(p: PeriodData) -> pd.Series:
    """Each post's critical incident: its own incident id (a posts file may carry one); else the
    register of posts by incident (`incident_posts`); else a hashtag the config names for an
    incident, in a post published after it was declared; else, when the config sets a window,
    the latest incident declared within that many minutes before the post. None: no incident."""
    posts, incidents = p.posts, p.critical_incidents
    linked = posts["critical_incident_id"].astype(object)
    if p.is_supplied("incident_posts") and len(p.incident_posts):
        register = p.incident_posts.drop_duplicates("post_id").set_index("post_id")["critical_incident_id"]
        linked = linked.fillna(posts["post_id"].map(register))
    rules = p.config.incident_links
    declared = incidents.set_index("critical_incident_id")["declared_at"]
    for incident_id, tags in rules.hashtags.items():
        if incident_id not in declared.index:
            continue
        pattern = "|".join(re.escape(t.lower()) + r"\b" for t in tags)
        hit = lower_matches(posts["text"], pattern) & (posts["published_at"] >= declared[incident_id])
        linked = linked.where(linked.notna() | ~hit, incident_id)
    if rules.window_minutes and len(incidents):
        order = incidents.sort_values("declared_at", kind="stable")
        nearest = pd.merge_asof(
            posts[["published_at"]].reset_index().sort_values("published_at", kind="stable"),
            order[["declared_at", "critical_incident_id"]], left_on="published_at", right_on="declared_at",
            direction="backward", tolerance=pd.Timedelta(minutes=rules.window_minutes),
        ).set_index("index")["critical_incident_id"]
        linked = linked.fillna(nearest.reindex(posts.index))
    return linked


def compute(p: PeriodData) -> ClauseResult:
    incidents = p.critical_incidents.sort_values("declared_at", kind="stable")
    linked = link_posts(p)
    # Only the linked posts are copied whole (a national year's posts are over 1 GB as a frame).
    posts = p.posts[linked.notna()].assign(critical_incident_id=linked[linked.notna()])
    posts = posts.merge(
        incidents[["critical_incident_id", "declared_at"]], on="critical_incident_id", how="inner", validate="m:1"
    )
    posts = posts.assign(
        minutes_after=(posts["published_at"] - posts["declared_at"]).dt.total_seconds() / 60,
        is_rumour_correction=posts["text"].fillna("").str.contains(RUMOUR_WORDS, case=False, regex=True),
    )
    # A post before the declaration (a routine post later tagged to the incident) is not a response.
    posts = posts[posts["minutes_after"] >= 0]
    # The counts and sums are the critical_incident_timeline rollup (review.evidence.rollup, on the
    # config's engine); spotting a rumour correction needs the text, so it stays in pandas.
    timeline_rollup = run_rollup(
        "critical_incident_timeline",
        {"first_hours": FIRST_HOURS},
        engine=p.config.engine,
        spark=p.config.spark,
        posts=p.posts[["published_at", "impressions", "reach"]].assign(critical_incident_id=linked)[
            ["critical_incident_id", "published_at", "impressions", "reach"]],
        critical_incidents=incidents[["critical_incident_id", "declared_at"]],
    )
    per_incident = timeline_rollup.rename(
        columns={"posts_first_hours_count": "posts_first_hours", "posts_count": "posts_all",
                 "impressions_count": "impressions", "reach_count": "reach"}
    ).set_index("critical_incident_id").assign(
        rumour_corrections=posts.groupby("critical_incident_id")["is_rumour_correction"].sum()
    )
    target = p.config.targets.critical_incident_first_post_minutes
    table_frame = incidents[["critical_incident_id", "name", "declared_at"]].merge(
        per_incident, left_on="critical_incident_id", right_index=True, how="left", validate="1:1"
    )
    values = {
        "p2_critical_incidents": len(incidents),
        "p2_first_post_median_minutes": median(table_frame["first_post_minutes"]),
        # An incident with no post at all missed the target too.
        "p2_missed_target": int((table_frame["first_post_minutes"].isna() | (table_frame["first_post_minutes"] > target)).sum()),
        "p2_rumour_corrections": int(table_frame["rumour_corrections"].fillna(0).sum()),
    }
    local = table_frame["declared_at"].dt.tz_convert(p.config.timezone)
    shown = pd.DataFrame(
        {
            "incident": table_frame["name"],
            # UK local time without the zone: the report prints "4 June 2025 20:29", the workbook a date cell.
            "declared": local.dt.tz_localize(None),
            "first_post_minutes": table_frame["first_post_minutes"].pipe(round_half_up_column, 0),
            "updates_per_hour_first_hours": (table_frame["posts_first_hours"] / FIRST_HOURS).pipe(round_half_up_column, 1),
            "posts": table_frame["posts_all"].fillna(0).astype("int64"),
            # 0 for an incident with no post; missing when its posts report no impressions
            "impressions": table_frame["impressions"].astype("Float64").mask(table_frame["posts_all"].fillna(0).eq(0), 0)
            .pipe(round_half_up_column).astype("Int64"),
            "reach": table_frame["reach"].astype("float64").where(table_frame["reach"].fillna(0) > 0).pipe(round_half_up_column).astype("Int64"),
            "rumour_corrections": table_frame["rumour_corrections"].fillna(0).astype("int64"),
        }
    ).reset_index(drop=True)
    columns = {
        "incident": Column("Incident"),
        "declared": Column("Declared", "datetime"),
        # An incident with no post at all has no time to a first post: it says so, never 0.
        "first_post_minutes": Column("Minutes to first post", "number", places=0, unit="minutes", missing="no post"),
        "updates_per_hour_first_hours": Column(f"Updates per hour, first {FIRST_HOURS} hours", "number", places=1,
                                               unit="posts per hour", missing="no post"),
        "posts": Column("Posts", "count", unit="posts"),
        "impressions": Column("Impressions", "count", unit="impressions"),
        "reach": Column("Reach", "count", unit="people, as each platform estimates"),
        "rumour_corrections": Column("Rumour corrections", "count", unit="posts"),
    }
    timeline = _timeline(posts, incidents, p.config.timezone)
    return ClauseResult(
        values=values,
        tables=[
            MetricTable(
                table_id="p2_incidents",
                clause=CLAUSE,
                title="Critical incidents: first post and updates",
                frame=shown,
                note=f"Target: first post within {target:g} minutes of declaration. Times are UK local time.",
                columns=columns,
            )
        ],
        series={"p2_timeline": timeline, "p2_incidents": table_frame[["name", "first_post_minutes"]]},
    )


def _timeline(posts: pd.DataFrame, incidents: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """The timeline chart's series, every incident of the year in declaration order (`incidents`
    are sorted so): a row per post in its first FIRST_HOURS hours; for an incident with none in
    that time its first post, later; for one with no post at all, a row without minutes. The
    chart's first post for each incident is then the table's. `name` tells the incidents apart
    (incident_labels)."""
    early = posts[posts["minutes_after"] <= FIRST_HOURS * 60]
    first = posts.sort_values("minutes_after", kind="stable").drop_duplicates("critical_incident_id")
    later_first = first[~first["critical_incident_id"].isin(early["critical_incident_id"])]
    silent = incidents.loc[~incidents["critical_incident_id"].isin(posts["critical_incident_id"]), ["critical_incident_id"]]
    rows = pd.concat([early[["critical_incident_id", "minutes_after"]], later_first[["critical_incident_id", "minutes_after"]],
                      silent.assign(minutes_after=float("nan"))], ignore_index=True)
    order = pd.Series(range(len(incidents)), index=incidents["critical_incident_id"].to_numpy())
    rows = rows.iloc[order.reindex(rows["critical_incident_id"]).to_numpy().argsort(kind="stable")]
    labels = incident_labels(incidents, timezone)
    return pd.DataFrame({"name": labels.reindex(rows["critical_incident_id"]).to_numpy(),
                         "minutes_after": rows["minutes_after"].to_numpy(dtype="float64")})


def incident_labels(incidents: pd.DataFrame, timezone: str) -> pd.Series:
    """Each incident's label, by id: its name, with the day it was declared where the year has
    two of that name ("Serious collision on the A57, 3 Feb"), and the time where that is the
    same too; a number after that, so no two incidents ever share a row of the chart."""
    names = pd.Series(incidents["name"].astype(str).to_numpy())
    local = pd.Series(pd.DatetimeIndex(incidents["declared_at"]).tz_convert(timezone))
    labels = names.where(~names.duplicated(keep=False), names + ", " + local.dt.day.astype(str) + local.dt.strftime(" %b"))
    labels = labels.where(~labels.duplicated(keep=False), labels + local.dt.strftime(" %H:%M"))
    number = labels.groupby(labels).cumcount().add(1).astype(str)
    labels = labels.where(~labels.duplicated(keep=False), labels + " (" + number + ")")
    return pd.Series(labels.to_numpy(), index=incidents["critical_incident_id"].to_numpy())
