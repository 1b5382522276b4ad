"""The board paper's charts, clause by clause: what each clause stage draws from its own series.

Each clause notebook draws its charts as soon as its series are computed (review.evidence.pipeline.
clause_stage) and writes them as artifacts (review.runner.artifacts.write_charts); the report
stage reads them back. So the charts are drawn in the parallel wave of clause notebooks, and a
re-run that reuses the clause stages (review.runner.cache) reuses their charts too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd

from review.config import ReviewConfig
from review.context import Chart, MetricTable
from review.outputs import charts
from review.values import Column

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CHART_BARS = 8  # a bar chart shows at most this many bars (a Board page holds three); the tables and workbook have the rest
LINE_HEIGHT_CM = 5.5  # twelve months read clearly at this height, and the P1 page keeps room for the next clause
# The critical-incident timeline draws a row for each incident up to this many (half a page); a
# national year's hundreds would not read, so it draws the slowest and the table lists them all.
TIMELINE_ROWS = 20
MIN_BARS = 2  # one bar is not a chart: with a single account, unit or platform the table says it all


def draw_charts(clause: str, config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool) -> list[Chart]:
    """The charts of `clause` from its series ("<id>_prior": the year before), in the order the
    report prints them; a clause without charts (P6) gives none. `has_prior`: the data hold a
    year before (the same for every clause: review.evidence.metrics.compute_clause)."""
    draw = _DRAWERS.get(clause)
    if draw is None:
        return []
    # A series whose inputs were not supplied is absent (review.evidence.metrics.registry.SERIES_NEEDS):
    # no chart of zeros stands in for it.
    return draw(config, series, has_prior, f"Source: {config.force.name} data, {config.period_label}.")


def _p1(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool, src: str) -> list[Chart]:
    palette = config.force.palette
    label = config.period_label
    prior_label = config.period.label(config.year - 1)
    out: list[Chart] = []
    if "p1_monthly" in series:
        monthly = _months(series["p1_monthly"], config).assign(year=label)
        # The caption names the year before only when the chart draws it.
        caption = f"Impressions of all posts each month, {label}. There is no data for {prior_label}."
        if has_prior and "p1_monthly_prior" in series:
            monthly = pd.concat([monthly, _months(series["p1_monthly_prior"], config).assign(year=prior_label)])
            caption = f"Impressions of all posts each month, {label} against {prior_label}."
        out.append(
            _with_data(charts.line_chart(
                monthly, x="month", y="impressions_count", series="year", chart_id="p1-monthly-impressions",
                clause="P1", title="Impressions by month",
                caption=caption,
                source=src, y_label="Impressions", unit="count", palette=palette,
                height_cm=LINE_HEIGHT_CM,
            ), *_by_period(monthly, [label, prior_label]))
        )
    out += _ranked_bars(
        config, series.get("p1_reach_per_account", pd.DataFrame()), category="name", value="impressions_count",
        chart_id="p1-reach-per-account", clause="P1", title="Impressions by account",
        caption="Impressions of each open account's posts in the period.", which="accounts with the most impressions",
        source=src, value_label="Impressions", unit="count", noun="accounts",
        columns={"name": Column("Account"), "impressions_count": Column("Impressions", "count")},
    )
    return out


def _p2(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool, src: str) -> list[Chart]:
    if "p2_timeline" not in series:
        return []
    timeline = series["p2_timeline"]
    incidents = timeline["name"].nunique()
    shown, drawn = "", timeline
    if incidents > TIMELINE_ROWS:  # a row each would not read: the slowest, and the table has them all
        shown = (f" The {TIMELINE_ROWS} incidents with the slowest first posts, of {incidents:,}, are shown; "
                 "the table lists every one.")
        drawn = timeline[timeline["name"].isin(
            charts.slowest_incidents(timeline, incident="name", minutes="minutes_after", count=TIMELINE_ROWS))]
    return [
        _with_data(charts.timeline_chart(
            timeline, incident="name", minutes="minutes_after",
            target_minutes=config.targets.critical_incident_first_post_minutes, chart_id="p2-timeline", clause="P2",
            title="Posts in the first six hours of each critical incident",
            caption="Each dot is a post; the first post is filled. The dashed line is the target." + shown,
            source=src, palette=config.force.palette, max_rows=TIMELINE_ROWS,
        ), drawn[["name", "minutes_after"]],
            {"name": Column("Incident"),
             # an incident with no post at all is a row without minutes: it says so, never 0
             "minutes_after": Column("Minutes after declaration", "number", places=0, missing="no post")})
    ]


def _p3(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool, src: str) -> list[Chart]:
    if "p3_weekday_hour" not in series:
        return []
    heat = series["p3_weekday_hour"]
    return [
        _with_data(charts.heatmap(
            heat, row="weekday", col="hour", value="contacts_count", chart_id="p3-weekday-hour", clause="P3",
            title="When the public contacts us", caption="Inbound messages by day of week and hour, UK time.",
            source=src, value_label="Messages", palette=config.force.palette,
        ), heat[["weekday", "hour", "contacts_count"]],
            {"weekday": Column("Day of week (0 is Monday)", "count"), "hour": Column("Hour, UK time", "count"),
             "contacts_count": Column("Messages", "count")})
    ]


def _p4(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool, src: str) -> list[Chart]:
    return _ranked_bars(
        config, series.get("p4_by_account", pd.DataFrame()), category="name", value="meets",
        chart_id="p4-plain-english", clause="P4", title="Posts in plain English by account",
        caption=f"Share of each account's posts with reading ease of {config.targets.reading_ease_min:g} or more.",
        which="accounts with the lowest share", source=src, value_label="Posts in plain English", unit="pct",
        noun="accounts", columns={"name": Column("Account"), "meets": Column("Posts in plain English (%)", "pct", places=1)},
    )


def _p5(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool, src: str) -> list[Chart]:
    return _ranked_bars(
        config, series.get("p5_training_by_unit", pd.DataFrame()), category="unit", value="in_date_pct",
        chart_id="p5-training", clause="P5", title="Training in date by unit",
        caption="Share of each unit's account users whose training is in date.", which="units with the lowest share",
        source=src, value_label="Training in date", unit="pct", noun="units",
        columns={"unit": Column("Unit"), "in_date_pct": Column("Training in date (%)", "pct", places=1)},
    )


def _p7(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool, src: str) -> list[Chart]:
    palette = config.force.palette
    out: list[Chart] = []
    alt = series.get("p7_alt_text_by_platform", pd.DataFrame())
    if len(alt) >= MIN_BARS:
        out.append(
            _with_data(charts.bar_chart(
                alt, category="platform", value="alt_text_pct", chart_id="p7-alt-text", clause="P7",
                title="Image posts with alt text by platform", caption="Share of image posts with alt text on each platform.",
                source=src, value_label="With alt text", unit="pct", palette=palette, noun="platforms",
            ), alt[["platform", "alt_text_pct"]],
                {"platform": Column("Platform"), "alt_text_pct": Column("Image posts with alt text (%)", "pct", places=1)})
        )
    shares = series.get("p7_representation", pd.DataFrame())
    if len(shares):
        out.append(
            _with_data(charts.share_chart(
                shares, category="group", value="audience_pct", reference="population_pct",
                chart_id="p7-representation", clause="P7",
                title="Our audience against the people we serve",
                caption=f"Share of our followers (bar; all channels together) against share of {config.force.short_name}'s "
                "residents of those ages (mark).",
                source=f"Source: platform audience exports; census population register, {config.period_label}.",
                value_words="followers", reference_words="residents", palette=palette,
            ), shares[["group", "audience_pct", "population_pct", "representation"]],
                {"group": Column("Group"), "audience_pct": Column("Followers (%)", "pct", places=1),
                 "population_pct": Column("Residents (%)", "pct", places=1),
                 "representation": Column("Representation", "number", places=0, missing="too few followers")})
        )
    return out


_DRAWERS: dict[str, Callable[[ReviewConfig, dict[str, pd.DataFrame], bool, str], list[Chart]]] = {
    "P1": _p1, "P2": _p2, "P3": _p3, "P4": _p4, "P5": _p5, "P7": _p7,
}


def _ranked_bars(config: ReviewConfig, frame: pd.DataFrame, *, category: str, value: str, chart_id: str, clause: str,
                 title: str, caption: str, which: str, source: str, value_label: str, unit: str, noun: str,
                 columns: dict[str, Column]) -> list[Chart]:
    """A bar chart of a ranked frame's first CHART_BARS rows (the caption says so when there are
    more), or none when it would have fewer than MIN_BARS bars."""
    if len(frame) < MIN_BARS:
        return []
    top = frame.head(CHART_BARS)
    return [
        _with_data(charts.bar_chart(
            top, category=category, value=value, chart_id=chart_id, clause=clause, title=title,
            caption=caption + _shown(frame, which), source=source, value_label=value_label, unit=unit,
            palette=config.force.palette, noun=noun,
        ), top[[category, value]], columns)
    ]


def _by_period(monthly: pd.DataFrame, periods: list[str]) -> tuple[pd.DataFrame, dict[str, Column]]:
    """The line chart's data as the chart reads it: a row per month, a column per period."""
    # A month with no figure stays missing (not measured), never 0.
    wide = monthly.pivot(index="month", columns="year", values="impressions_count").reindex(monthly["month"].unique())
    shown = [p for p in periods if p in wide.columns]
    frame = pd.DataFrame({"month": wide.index.astype(str),
                          **{f"impressions_{i}": wide[p].round().astype("Int64").reset_index(drop=True) for i, p in enumerate(shown)}})
    columns = {"month": Column("Month"), **{f"impressions_{i}": Column(f"Impressions, {p}", "count") for i, p in enumerate(shown)}}
    return frame, columns


def _with_data(chart: Chart, frame: pd.DataFrame, columns: dict[str, Column]) -> Chart:
    """The chart with the data it draws, as a table for the workbook's "Figure N" sheet."""
    data = MetricTable(chart.chart_id, chart.clause, chart.title, frame.reset_index(drop=True), columns=columns)
    return dataclasses.replace(chart, data=data)


def _shown(frame: pd.DataFrame, which: str) -> str:
    """The caption's note when a chart shows only its first CHART_BARS rows (frames arrive ranked)."""
    return f" The {CHART_BARS} {which} of {len(frame):,} are shown." if len(frame) > CHART_BARS else ""


def _months(frame: pd.DataFrame, config: ReviewConfig) -> pd.DataFrame:
    """Monthly totals in period order (April first for a financial year), every month present."""
    order = list(range(1, 13)) if config.period.kind == "calendar" else list(range(4, 13)) + [1, 2, 3]
    full = frame.set_index("month").reindex(order).reset_index()
    return full.assign(month=[MONTHS[i - 1] for i in full["month"]])
