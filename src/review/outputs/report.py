"""Report: from the run's artifacts to the board paper (HTML and PDF) and the metrics workbook.

This module decides what the Board reads: which figures lead, the one-line finding per clause,
the charts, and the surrounding text. Formatting of numbers goes through the same filters the
templates use (review.outputs.render), so text and tables always agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from review.runner import artifacts, timings
from review.config import ReviewConfig, logo_path
from review.context import (
    Chart,
    ClauseSection,
    Headline,
    IngestRun,
    MetricDefinition,
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
from review.outputs.workbook import write_workbook

PRINT_HTML = Path("artifacts") / "report-print.html"  # the HTML the PDF is rendered from


def build_report(config: ReviewConfig, out: Path) -> dict[str, Path]:
    """Write annual-review-YEAR.html, .pdf and metrics-YEAR.xlsx into `out`; return their paths."""
    # The evidence, charts and recommendations read here were made by the stages before this one:
    # under this config (its palette, targets, rules and year), or the paper would mix two.
    artifacts.check_config_digests(out, config, CLAUSES, metrics=True)
    m = protected(artifacts.read_metrics(out), config)
    ingest = artifacts.read_json(out / "artifacts" / "ingest.json")
    outcome_path = out / OUTCOME_FILE  # written by the recommendations stage
    coverage_path = out / "artifacts" / "coverage.json"
    # Drawn by the clause stages (review.outputs.charts.clauses): read back, not drawn again.
    charts = [c for clause in CLAUSES for c in artifacts.read_charts(out, clause)]
    ctx = build_context(config, m, charts, ingest, artifacts.read_json(outcome_path) if outcome_path.exists() else None,
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


def build_context(config: ReviewConfig, m: dict, charts: list[Chart], ingest: dict, outcome: dict | None = None,
                  covered: dict | None = None) -> ReportContext:
    """The template's whole input. `charts`: every clause's, as its stage drew them
    (review.runner.artifacts.read_charts). `outcome` is artifacts/decisions.json
    (review.evidence.register): what the team's decisions did; None leaves the rejected and
    unmatched notes out. `covered` is artifacts/coverage.json (review.evidence.metrics.coverage):
    None leaves the coverage section out."""
    headlines: list[Headline] = m["headlines"]
    by_id = {h.metric_id: h for h in headlines}
    sections = [
        ClauseSection(
            clause=clause,
            title=title,
            policy_text=words,
            rag=worst_rag([h for h in headlines if h.clause == clause]),
            finding=finding(clause, by_id, config),
            headlines=[h for h in headlines if h.clause == clause and METRICS[h.metric_id].card],
            charts=[c for c in charts if c.clause == clause],
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
        implications=implications(m["recommendations"], by_id, config.policy),
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
