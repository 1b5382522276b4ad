"""Report: from the run's artifacts to the board paper (HTML and PDF) and the metrics workbook.

This module decides what the Board reads: which figures lead, the one-line finding per clause,
the charts, and the surrounding text. Formatting of numbers goes through the same filters the
templates use (review.render), so text and tables always agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from review import artifacts, charts
from review.config import ReviewConfig
from review.context import (
    Chart,
    ClauseSection,
    Headline,
    MetricDefinition,
    RegisterEntry,
    ReportContext,
    SourceFile,
)
from review.metrics.registry import METRICS
from review.policy import CLAUSES
from review.render import fmt_change, fmt_count, fmt_value, render_html, render_pdf
from review.workbook import write_workbook

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def build_report(config: ReviewConfig, out: Path) -> dict[str, Path]:
    """Write annual-review-YEAR.html, .pdf and metrics-YEAR.xlsx into `out`; return their paths."""
    m = artifacts.read_metrics(out)
    ingest = artifacts.read_json(out / "artifacts" / "ingest.json")
    ctx = build_context(config, m, ingest)
    html = render_html(ctx, TEMPLATE_DIR)
    paths = {
        "html": out / f"annual-review-{config.year}.html",
        "pdf": out / f"annual-review-{config.year}.pdf",
        "workbook": out / f"metrics-{config.year}.xlsx",
    }
    paths["html"].write_text(html, encoding="utf-8")
    render_pdf(html, paths["pdf"], TEMPLATE_DIR, ctx)
    write_workbook(
        paths["workbook"], m["tables"], ctx.definitions, title=f"{ctx.title} {ctx.period_label}", report_date=ctx.report_date
    )
    return paths


def build_context(config: ReviewConfig, m: dict, ingest: dict) -> ReportContext:
    headlines: list[Headline] = m["headlines"]
    by_id = {h.metric_id: h for h in headlines}
    chart_map = draw_charts(config, m["series"], m["has_prior"])
    sections = [
        ClauseSection(
            clause=clause,
            title=title,
            policy_text=words,
            rag=worst_rag([h for h in headlines if h.clause == clause]),
            finding=FINDINGS[clause](by_id, config),
            headlines=[h for h in headlines if h.clause == clause],
            charts=[c for c in chart_map if c.clause == clause],
            tables=[t for t in m["tables"] if t.clause == clause],
        )
        for clause, (title, words) in CLAUSES.items()
    ]
    period_end = config.period_end - dt.timedelta(days=1)
    logo = None
    if config.force.logo:
        logo = (TEMPLATE_DIR / "assets" / config.force.logo).read_text(encoding="utf-8")
    return ReportContext(
        force_name=config.force.name,
        title=config.report.title,
        period_label=config.period_label,
        period_start=config.period_start,
        period_end=period_end,
        marking=config.report.marking,
        version=config.report.version,
        report_date=config.report_date,
        author=config.report.author,
        presenter=config.report.presenter,
        meeting=config.report.meeting,
        is_sample=bool(ingest.get("synthetic")),
        brand_colour=config.force.brand_colour,
        logo_svg=logo,
        purpose=(
            f"This paper reports the annual review of {config.force.name}'s use of social media for "
            f"{config.period_label}, as the Force's policy asks. It sets out the evidence against each "
            "part of the policy and makes recommendations for the Board to decide or note."
        ),
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
            )
            for f in ingest["files"]
        ],
        rows_rejected=ingest["rows_rejected"],
        definitions=[
            MetricDefinition(x.metric_id, x.clause, x.title, x.definition, x.formula, x.unit) for x in METRICS.values()
        ],
        methodology=methodology(config),
        glossary=GLOSSARY,
    )


RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2, "Not rated": 3}


def worst_rag(headlines: list[Headline]) -> str:
    rated = [h.rag for h in headlines if h.rag != "Not rated"]
    return min(rated, key=RAG_ORDER.__getitem__) if rated else "Not rated"


def _v(by_id: dict[str, Headline], metric_id: str) -> str:
    h = by_id[metric_id]
    return fmt_value(h.value, h.unit)


def _yoy(h: Headline) -> str:
    if h.change_pct is None:
        return ""
    return f" ({fmt_change(h.change_pct)} on last year)"


def _p1(by_id, config) -> str:
    return (
        f"{_v(by_id, 'p1_accounts_open')} open accounts published {_v(by_id, 'p1_posts')} posts, shown "
        f"{_v(by_id, 'p1_impressions')} times{_yoy(by_id['p1_impressions'])}. Engagement rate was "
        f"{_v(by_id, 'p1_engagement_rate_pct')}."
    )


def _p2(by_id, config) -> str:
    n = by_id["p2_critical_incidents"].value or 0
    if not n:
        return "No critical incidents were declared in the period."
    return (
        f"{fmt_count(n)} critical incidents were declared. The first public post came a median of "
        f"{_v(by_id, 'p2_first_post_median_minutes')} after declaration, against a target of "
        f"{config.targets.critical_incident_first_post_minutes:g} minutes."
    )


def _p3(by_id, config) -> str:
    return (
        f"The public sent {_v(by_id, 'p3_contacts')} messages. Replies took a median of "
        f"{_v(by_id, 'p3_first_response_median_minutes')}, and {_v(by_id, 'p3_out_of_hours_median_minutes')} "
        f"out of hours. {_v(by_id, 'p3_answered_within_target_pct')} were answered in time."
    )


def _p4(by_id, config) -> str:
    return (
        f"{_v(by_id, 'p4_plain_english_pct')} of posts met the plain-English test (target "
        f"{config.targets.plain_english_pct:g}%). Audits passed: {_v(by_id, 'p4_audit_pass_pct')}."
    )


def _p5(by_id, config) -> str:
    return (
        f"{_v(by_id, 'p5_conduct_cases')} conduct cases were opened. {_v(by_id, 'p5_training_in_date_pct')} "
        f"of account users have training in date, and {_v(by_id, 'p5_mfa_pct')} of accounts use MFA."
    )


def _p6(by_id, config) -> str:
    return (
        f"Of {_v(by_id, 'p6_prior_recommendations')} earlier recommendations, "
        f"{_v(by_id, 'p6_implemented_pct')} are done and {_v(by_id, 'p6_overdue')} are overdue."
    )


def _p7(by_id, config) -> str:
    return (
        f"{_v(by_id, 'p7_alt_text_pct')} of image posts had alt text and {_v(by_id, 'p7_captions_pct')} "
        f"of videos had captions. {_v(by_id, 'p7_discrimination_cases')} cases were about discriminatory content."
    )


FINDINGS = {"P1": _p1, "P2": _p2, "P3": _p3, "P4": _p4, "P5": _p5, "P6": _p6, "P7": _p7}


def executive_summary(by_id, recommendations, config, has_prior: bool) -> list[str]:
    rated = [h for h in by_id.values() if h.rag != "Not rated"]
    red = [h.title.lower() for h in rated if h.rag == "Red"]
    green = sum(1 for h in rated if h.rag == "Green")
    paragraphs = [
        f"We rated {len(rated)} measures against their targets: {green} met the target, "
        f"{sum(1 for h in rated if h.rag == 'Amber')} were close and {len(red)} fell short."
        + (f" Furthest from target: {', '.join(red[:4])}." if red else ""),
        _p1(by_id, config) + " " + _p3(by_id, config),
    ]
    decide = sum(1 for r in recommendations if r.for_decision)
    paragraphs.append(
        f"We make {len(recommendations)} recommendations: {decide} for the Board to decide and "
        f"{len(recommendations) - decide} to note."
    )
    if not has_prior:
        paragraphs.append("There is no data for the year before, so there are no year-on-year changes.")
    return paragraphs


def register_entries(register: pd.DataFrame) -> list[RegisterEntry]:
    return [
        RegisterEntry(
            rec_id=r.rec_id,
            year_raised=int(r.year_raised),
            clause=r.clause,
            title=r.title,
            owner=r.owner,
            priority=r.priority,
            status=r.status,
            due_date=None if pd.isna(r.due_date) else r.due_date.date(),
            status_note=None if pd.isna(r.status_note) else r.status_note,
            is_overdue=bool(r.is_overdue),
        )
        for r in register.itertuples(index=False)
    ]


def implications(recommendations, by_id) -> dict[str, str]:
    clauses = {r.clause for r in recommendations}
    return {
        "Finance": (
            "Extending the digital desk's hours would need staff funding; the other recommendations "
            "can be met within current budgets."
            if "P3" in clauses
            else "The recommendations can be met within current budgets."
        ),
        "Legal": (
            "Force accounts hold personal data in messages from the public. UK GDPR and the Data "
            "Protection Act 2018 apply, and records follow the national retention schedule."
        ),
        "Equality": (
            f"Alt text and captions make posts usable by disabled people; alt text coverage was "
            f"{fmt_value(by_id['p7_alt_text_pct'].value, 'pct')}. An equality impact assessment of the "
            "policy is complete."
        ),
        "Risk": (
            "Accounts without MFA or with no clear owner can be taken over and used to mislead the "
            "public. Slow replies out of hours risk missing people in crisis who contact us online."
        ),
    }


def methodology(config: ReviewConfig) -> list[str]:
    s = config.staffed_hours
    return [
        f"The review covers {config.period_label}: {config.period_start:%d %B %Y} to "
        f"{config.period_end - dt.timedelta(days=1):%d %B %Y}, UK time. Year-on-year figures compare "
        "it with the same period a year earlier.",
        "Every input row is either used or listed in rejected-rows.csv with its file, line, column and "
        "the reason. Rows seen twice are merged, keeping the later copy.",
        f"Staffed hours are {s.start_hour:02d}:00 to {s.end_hour:02d}:00. Response times run from when a "
        "message arrived to the first reply, for messages that needed one.",
        "Plain-English scores use the Flesch reading ease formula after links, @mentions and hashtags "
        "are taken out. Scores of short posts vary a lot, so we show the spread as well as the share.",
        "Each platform counts impressions, reach and engagement in its own way, so totals across "
        "platforms are a guide, not an exact count of people.",
        f"A measure is Green when it meets its target, Amber when it is short by no more than "
        f"{config.targets.amber_margin_pct:g}% of the target, and Red otherwise.",
    ]


GLOSSARY = {
    "Alt text": "A short description of an image that screen readers read aloud.",
    "Camel case": "Writing each word of a hashtag with a capital letter, as in #MissingPerson.",
    "Critical incident": "An incident where the police response may affect public confidence a lot.",
    "Engagement": "A reaction, comment, share or click on a post.",
    "Impression": "One showing of a post on someone's screen.",
    "MFA": "Multi-factor authentication: a second check, such as a code on a phone, at login.",
    "Median": "The middle value: half are lower and half are higher.",
    "90th percentile": "The value that nine in ten are below.",
    "RAG": "Red, Amber, Green: how a measure compares with its target.",
    "Reach": "The number of different people who saw a post, as the platform estimates it.",
    "Staffed hours": "The hours when the digital desk is working.",
}


def draw_charts(config: ReviewConfig, series: dict[str, pd.DataFrame], has_prior: bool) -> list[Chart]:
    palette = config.force.palette
    label = config.period_label
    prior_label = config.period.label(config.year - 1)
    src = f"Source: {config.force.name} data, {label}."
    out: list[Chart] = []

    monthly = _months(series["p1_monthly"], config).assign(year=label)
    if has_prior and "p1_monthly_prior" in series:
        monthly = pd.concat([monthly, _months(series["p1_monthly_prior"], config).assign(year=prior_label)])
    out.append(
        charts.line_chart(
            monthly, x="month", y="impressions_count", series="year", chart_id="p1-monthly-impressions",
            clause="P1", title="Impressions by month", caption=f"Impressions of all posts each month, {label} against {prior_label}.",
            source=src, y_label="Impressions", unit="count", palette=palette,
        )
    )
    per_account = series["p1_reach_per_account"].head(15)
    out.append(
        charts.bar_chart(
            per_account, category="name", value="impressions_count", chart_id="p1-reach-per-account", clause="P1",
            title="Impressions by account", caption="Impressions per account; small accounts reach few people.",
            source=src, value_label="Impressions", unit="count", palette=palette, noun="accounts",
        )
    )
    timeline = series["p2_timeline"]
    out.append(
        charts.timeline_chart(
            timeline, incident="name", minutes="minutes_after",
            target_minutes=config.targets.critical_incident_first_post_minutes, chart_id="p2-timeline", clause="P2",
            title="Posts in the first six hours of each critical incident",
            caption="Each dot is a post; the first post is filled. The dashed line is the target.",
            source=src, palette=palette,
        )
    )
    heat = series["p3_weekday_hour"]
    out.append(
        charts.heatmap(
            heat, row="weekday", col="hour", value="contacts_count", chart_id="p3-weekday-hour", clause="P3",
            title="When the public contacts us", caption="Inbound messages by day of week and hour, UK time.",
            source=src, value_label="Messages", palette=palette,
        )
    )
    p4 = series["p4_by_account"]
    out.append(
        charts.bar_chart(
            p4.head(15), category="name", value="meets", chart_id="p4-plain-english", clause="P4",
            title="Posts in plain English by account",
            caption=f"Share of each account's posts with reading ease of {config.targets.reading_ease_min:g} or more.",
            source=src, value_label="Posts in plain English", unit="pct", palette=palette, noun="accounts",
        )
    )
    training = series["p5_training_by_unit"].head(15)
    out.append(
        charts.bar_chart(
            training, category="Unit", value="In date (%)", chart_id="p5-training", clause="P5",
            title="Training in date by unit", caption="Share of each unit's account users whose training is in date.",
            source=src, value_label="Training in date", unit="pct", palette=palette, noun="units",
        )
    )
    alt = series["p7_alt_text_by_platform"]
    out.append(
        charts.bar_chart(
            alt, category="Platform", value="With alt text (%)", chart_id="p7-alt-text", clause="P7",
            title="Image posts with alt text by platform", caption="Share of image posts with alt text on each platform.",
            source=src, value_label="With alt text", unit="pct", palette=palette, noun="platforms",
        )
    )
    return out


def _months(frame: pd.DataFrame, config: ReviewConfig) -> pd.DataFrame:
    """Monthly totals in period order (April first for a financial year), every month present."""
    order = list(range(1, 13)) if config.period.kind == "calendar" else list(range(4, 13)) + [1, 2, 3]
    full = frame.set_index("month").reindex(order).reset_index()
    return full.assign(month=[MONTHS[i - 1] for i in full["month"]])
