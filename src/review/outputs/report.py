"""Report: from the run's artifacts to the board paper (HTML and PDF) and the metrics workbook.

This module decides what the Board reads: which figures lead, the one-line finding per clause,
the charts, and the surrounding text. Formatting of numbers goes through the same filters the
templates use (review.outputs.render), so text and tables always agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd

from review.runner import artifacts, timings
from review.outputs import charts
from review.config import ReviewConfig, logo_path
from review.context import (
    Chart,
    ClauseSection,
    Headline,
    IngestRun,
    MetricDefinition,
    MetricTable,
    RejectedRecommendation,
    ReportContext,
    SkippedFile,
    SourceFile,
)
from review.disclosure import protect
from review.errors import ReviewError
from review.evidence.metrics.registry import METRICS
from review.outputs.narrative import (
    GLOSSARY,
    cover_report,
    coverage,
    executive_summary,
    finding,
    implications,
    methodology,
    purpose,
    register_entries,
    worst_rag,
)
from review.paths import TEMPLATE_DIR
from review.policy import CLAUSES
from review.evidence.register import OUTCOME_FILE, unmatched_words
from review.outputs.render import PdfAlongside, render_html
from review.values import Column
from review.outputs.workbook import write_workbook

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PRINT_HTML = Path("artifacts") / "report-print.html"  # the HTML the PDF is rendered from
CHART_BARS = 8  # a bar chart shows at most this many bars (a Board page holds three); the tables and workbook have the rest
LINE_HEIGHT_CM = 5.5  # twelve months read clearly at this height, and the P1 page keeps room for the next clause
MIN_BARS = 2  # one bar is not a chart: with a single account, unit or platform the table says it all
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def build_report(config: ReviewConfig, out: Path) -> dict[str, Path]:
    """Write annual-review-YEAR.html, .pdf and metrics-YEAR.xlsx into `out`; return their paths."""
    m = protected(artifacts.read_metrics(out), config)
    ingest = artifacts.read_json(out / "artifacts" / "ingest.json")
    outcome_path = out / OUTCOME_FILE  # written by the recommendations stage
    coverage_path = out / "artifacts" / "coverage.json"
    ctx = build_context(config, m, ingest, artifacts.read_json(outcome_path) if outcome_path.exists() else None,
                        artifacts.read_json(coverage_path) if coverage_path.exists() else None)
    printed = timings.timed("html", render_html, ctx, TEMPLATE_DIR, for_print=True)
    paths = {
        "html": out / f"annual-review-{config.year}.html",
        "pdf": out / f"annual-review-{config.year}.pdf",
        "workbook": out / f"metrics-{config.year}.xlsx",
    }
    # The document the PDF is made from, kept for the benchmark's WeasyPrint floor and for anyone
    # checking the PDF against its source.
    (out / PRINT_HTML).parent.mkdir(parents=True, exist_ok=True)
    (out / PRINT_HTML).write_text(printed, encoding="utf-8")
    # WeasyPrint makes the PDF in a child process while this one writes the screen HTML and the
    # workbook: on two cores they are off the run's critical path.
    with PdfAlongside(printed, paths["pdf"], TEMPLATE_DIR, ctx) as pdf:
        html = timings.timed("html", render_html, ctx, TEMPLATE_DIR)
        paths["html"].write_text(html, encoding="utf-8")
        timings.timed(
            "workbook",
            write_workbook,
            paths["workbook"], (ctx.coverage.tables if ctx.coverage else []) + m["tables"], ctx.definitions,
            title=f"{ctx.title} {ctx.period_label}", report_date=ctx.report_date, marking=ctx.marking,
            headlines=m["headlines"], charts=[c for section in ctx.sections for c in section.charts],
        )
    timings.add("pdf", pdf.seconds)
    return paths


def protected(m: dict, config: ReviewConfig) -> dict:
    """The artifacts with small counts decided for the whole paper and workbook at once
    (review.disclosure.protect): every figure then prints through review.values.Figure."""
    headlines, tables = protect(m["headlines"], m["tables"], config.report.small_count_threshold)
    return {**m, "headlines": headlines, "tables": tables}


def build_context(config: ReviewConfig, m: dict, ingest: dict, outcome: dict | None = None,
                  covered: dict | None = None) -> ReportContext:
    """The template's whole input. `outcome` is artifacts/decisions.json (review.evidence.register):
    what the team's decisions did; None leaves the rejected and unmatched notes out. `covered`
    is artifacts/coverage.json (review.evidence.metrics.coverage): None leaves the coverage section out."""
    headlines: list[Headline] = m["headlines"]
    by_id = {h.metric_id: h for h in headlines}
    chart_map = timings.timed("charts", draw_charts, config, m["series"], m["has_prior"])
    sections = [
        ClauseSection(
            clause=clause,
            title=title,
            policy_text=words,
            rag=worst_rag([h for h in headlines if h.clause == clause]),
            finding=finding(clause, by_id, config),
            headlines=[h for h in headlines if h.clause == clause and METRICS[h.metric_id].card],
            charts=[c for c in chart_map if c.clause == clause],
            tables=[t for t in m["tables"] if t.clause == clause],
        )
        for clause, (title, words) in CLAUSES.items()
    ]
    logo = read_logo(config.force.logo) if config.force.logo else None
    return ReportContext(
        force_name=config.force.name,
        title=config.report.title,
        period_label=config.period_label,
        **cover_fields(config),
        is_sample=bool(ingest.get("synthetic")),
        logo_svg=logo,
        purpose=purpose(config),
        executive_summary=executive_summary(by_id, m["recommendations"], config, m["has_prior"]),
        headlines=[h for h in headlines if METRICS[h.metric_id].headline],
        sections=sections,
        recommendations=m["recommendations"],
        register=register_entries(m["register"]),
        implications=implications(m["recommendations"], by_id),
        sources=[
            SourceFile(
                path=f["path"], table=f["table"], format=f["format"], sha256=f["sha256"],
                rows_read=f["rows_read"], rows_accepted=f["rows_accepted"], rows_rejected=f["rows_rejected"],
                rows_merged=f["rows_merged"], rows_unused=f["rows_unused"], account_id=f.get("account_id"),
                account_rule=f.get("account_rule"),
            )
            for f in ingest["files"]
        ],
        rows_rejected=ingest["rows_rejected"],
        ingest=IngestRun(folder=ingest["ingest"]["folder"], sources=list(ingest["ingest"]["sources"]))
        if ingest.get("ingest") else None,
        definitions=[
            MetricDefinition(x.metric_id, x.clause, x.title, x.definition, x.formula, x.unit) for x in METRICS.values()
        ],
        methodology=methodology(config),
        glossary=GLOSSARY,
        coverage=coverage(covered) if covered else None,
        cover=cover_report(by_id, m["recommendations"], register_entries(m["register"])),
        amber_margin_pct=config.targets.amber_margin_pct,
        rejected=[RejectedRecommendation(**r) for r in (outcome or {}).get("rejected", [])],
        unmatched_decisions=unmatched_words((outcome or {}).get("unmatched_decisions", []),
                                            (outcome or {}).get("did_you_mean", {})),
        register_file=(outcome or {}).get("register_file"),
        skipped=[SkippedFile(path=s["file"], reason=s["reason"]) for s in ingest.get("skipped", [])],
    )


def cover_fields(config: ReviewConfig) -> dict:
    """What the cover and running headers show from the config, the same in every report
    (the force's and review.outputs.national's): the period's first and last day, marking, version,
    date, author, presenter, meeting and brand colour."""
    return {
        "period_start": config.period_start,
        "period_end": config.period_end - dt.timedelta(days=1),  # the config's end is exclusive
        "marking": config.report.marking,
        "version": config.report.version,
        "report_date": config.report_date,
        "author": config.report.author,
        "presenter": config.report.presenter,
        "meeting": config.report.meeting,
        "brand_colour": config.force.brand_colour,
    }


def read_logo(name: str) -> str:
    """The logo SVG named in the config, from templates/assets/ only; a missing file is an error."""
    try:
        return logo_path(name).read_text(encoding="utf-8")
    except ValueError as exc:
        raise ReviewError(f"force.logo {exc}") from None


def draw_charts(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool) -> list[Chart]:
    palette = config.force.palette
    label = config.period_label
    prior_label = config.period.label(config.year - 1)
    src = f"Source: {config.force.name} data, {label}."
    out: list[Chart] = []

    # A series whose inputs were not supplied is absent (review.evidence.metrics.registry.SERIES_NEEDS):
    # no chart of zeros stands in for it.
    empty = pd.DataFrame()
    if "p1_monthly" in series:
        monthly = _months(series["p1_monthly"], config).assign(year=label)
        if has_prior and "p1_monthly_prior" in series:
            monthly = pd.concat([monthly, _months(series["p1_monthly_prior"], config).assign(year=prior_label)])
        out.append(
            _with_data(charts.line_chart(
                monthly, x="month", y="impressions_count", series="year", chart_id="p1-monthly-impressions",
                clause="P1", title="Impressions by month",
                caption=f"Impressions of all posts each month, {label} against {prior_label}.",
                source=src, y_label="Impressions", unit="count", palette=palette,
                height_cm=LINE_HEIGHT_CM,
            ), *_by_period(monthly, [label, prior_label]))
        )
    per_account = series.get("p1_reach_per_account", empty)
    if len(per_account) >= MIN_BARS:
        out.append(
            _with_data(charts.bar_chart(
                per_account.head(CHART_BARS), category="name", value="impressions_count", chart_id="p1-reach-per-account",
                clause="P1", title="Impressions by account",
                caption="Impressions of each open account's posts in the period."
                + _shown(per_account, "accounts with the most impressions"),
                source=src, value_label="Impressions", unit="count", palette=palette, noun="accounts",
            ), per_account.head(CHART_BARS)[["name", "impressions_count"]],
                {"name": Column("Account"), "impressions_count": Column("Impressions", "count")})
        )
    if "p2_timeline" in series:
        timeline = series["p2_timeline"]
        out.append(
            _with_data(charts.timeline_chart(
                timeline, incident="name", minutes="minutes_after",
                target_minutes=config.targets.critical_incident_first_post_minutes, chart_id="p2-timeline", clause="P2",
                title="Posts in the first six hours of each critical incident",
                caption="Each dot is a post; the first post is filled. The dashed line is the target.",
                source=src, palette=palette,
            ), timeline[["name", "minutes_after"]],
                {"name": Column("Incident"), "minutes_after": Column("Minutes after declaration", "number", places=0)})
        )
    if "p3_weekday_hour" in series:
        heat = series["p3_weekday_hour"]
        out.append(
            _with_data(charts.heatmap(
                heat, row="weekday", col="hour", value="contacts_count", chart_id="p3-weekday-hour", clause="P3",
                title="When the public contacts us", caption="Inbound messages by day of week and hour, UK time.",
                source=src, value_label="Messages", palette=palette,
            ), heat[["weekday", "hour", "contacts_count"]],
                {"weekday": Column("Day of week (0 is Monday)", "count"), "hour": Column("Hour, UK time", "count"),
                 "contacts_count": Column("Messages", "count")})
        )
    p4 = series.get("p4_by_account", empty)
    if len(p4) >= MIN_BARS:
        out.append(
            _with_data(charts.bar_chart(
                p4.head(CHART_BARS), category="name", value="meets", chart_id="p4-plain-english", clause="P4",
                title="Posts in plain English by account",
                caption=f"Share of each account's posts with reading ease of {config.targets.reading_ease_min:g} or more."
                + _shown(p4, "accounts with the lowest share"),
                source=src, value_label="Posts in plain English", unit="pct", palette=palette, noun="accounts",
            ), p4.head(CHART_BARS)[["name", "meets"]],
                {"name": Column("Account"), "meets": Column("Posts in plain English (%)", "pct", places=1)})
        )
    training = series.get("p5_training_by_unit", empty)
    if len(training) >= MIN_BARS:
        out.append(
            _with_data(charts.bar_chart(
                training.head(CHART_BARS), category="unit", value="in_date_pct", chart_id="p5-training", clause="P5",
                title="Training in date by unit",
                caption="Share of each unit's account users whose training is in date."
                + _shown(training, "units with the lowest share"),
                source=src, value_label="Training in date", unit="pct", palette=palette, noun="units",
            ), training.head(CHART_BARS)[["unit", "in_date_pct"]],
                {"unit": Column("Unit"), "in_date_pct": Column("Training in date (%)", "pct", places=1)})
        )
    alt = series.get("p7_alt_text_by_platform", empty)
    if len(alt) >= MIN_BARS:
        out.append(
            _with_data(charts.bar_chart(
                alt, category="platform", value="alt_text_pct", chart_id="p7-alt-text", clause="P7",
                title="Image posts with alt text by platform", caption="Share of image posts with alt text on each platform.",
                source=src, value_label="With alt text", unit="pct", palette=palette, noun="platforms",
            ), alt[["platform", "alt_text_pct"]],
                {"platform": Column("Platform"), "alt_text_pct": Column("Image posts with alt text (%)", "pct", places=1)})
        )
    shares = series.get("p7_representation", empty)
    if len(shares):
        out.append(
            _with_data(charts.share_chart(
                shares, category="group", value="audience_pct", reference="population_pct",
                chart_id="p7-representation", clause="P7",
                title="Our audience against the people we serve",
                caption=f"Share of our followers (bar; all channels together) against share of {config.force.short_name}'s "
                "residents of those ages (mark).",
                source=f"Source: platform audience exports; census population register, {label}.",
                value_words="followers", reference_words="residents", palette=palette,
            ), shares[["group", "audience_pct", "population_pct", "representation"]],
                {"group": Column("Group"), "audience_pct": Column("Followers (%)", "pct", places=1),
                 "population_pct": Column("Residents (%)", "pct", places=1),
                 "representation": Column("Representation", "number", places=0, missing="too few followers")})
        )
    return out


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
    return f" The {CHART_BARS} {which} of {len(frame)} are shown." if len(frame) > CHART_BARS else ""


def _months(frame: pd.DataFrame, config: ReviewConfig) -> pd.DataFrame:
    """Monthly totals in period order (April first for a financial year), every month present."""
    order = list(range(1, 13)) if config.period.kind == "calendar" else list(range(4, 13)) + [1, 2, 3]
    full = frame.set_index("month").reindex(order).reset_index()
    return full.assign(month=[MONTHS[i - 1] for i in full["month"]])
