"""The stages the notebooks call, each reading and writing artifacts in the output folder.

    ingest_stage     data folder -> canonical tables, rejected-rows.csv, ingest.json
    period_stage     canonical tables -> rows in the review year and the year before (a check)
    clause_stage     canonical tables -> one clause's values, headlines, tables, chart series, charts
    recommend_stage  every clause's artifacts -> metrics.json, recommendations, register
    report_stage     artifacts -> HTML, PDF, workbook

Notebooks hold parameters, one call each and the narrative; everything computes here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from review.runner import artifacts, timings
from review.cells import write_csv
from review.config import ReviewConfig, load_config
from review.inputs.contracts import TABLES
from review.errors import ReviewError
from review.evidence.rollup import check_engine
from review.context import Headline
from review.evidence.metrics import (
    CLAUSE_MODULES,
    RECOMMEND_TABLES,
    ClauseMetrics,
    MetricsResult,
    assemble_metrics,
    compute_clause,
    read_periods,
    tables_needed,
)
from review.evidence.metrics.coverage import coverage_needs, summarise
from review.evidence.metrics.period import IN_PARQUET, PeriodData
from review.evidence.metrics.registry import SMALL_COUNT_TABLES
from review.values import SUPPRESSED, Figure
from review.evidence.recommend import recommend
from review.evidence.register import (
    APPLIED_TO,
    OUTCOME_FILE,
    decide,
    evidence_of,
    outcome_record,
    read_decisions_used,
    read_register_evidence,
    write_register,
)
from review.evidence.register import prepare as prepare_register

DATA_REGISTER = Path("artifacts") / "data-register.parquet"  # see ingest_stage

def parse_params(year: int, config_path: str | None) -> ReviewConfig:
    """Check notebook parameters before any work: a wrong type fails with a clear message."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise ReviewError(f"parameter year: expected a whole number, got {year!r}")
    return load_config(Path(config_path) if config_path else None, year)


@timings.records("10-ingest", rest="ingest")
def ingest_stage(data_dir: str, year: int, config_path: str | None, output_dir: str,
                 skip_unknown: bool = False) -> pd.DataFrame:
    """Read, type and check every input file; write the canonical tables and the rejected rows.

    Returns the per-file summary (rows read, accepted, rejected, merged). Stops with a clear
    error when a file's rejected share is above the config's limit, after writing the log.

    The canonical `recommendations` table is the register so far, not only the data folder's
    table: last year's register file (recommendations-<year-1>.yml) and the status updates in
    the team's decisions file are applied here (review.evidence.register.prepare), so every later stage,
    P6's overdue counts included, sees where earlier recommendations stand now. The files used
    are recorded under "register" in artifacts/ingest.json.
    """
    # Imported here, not at the top: only this stage reads input files, and the clause
    # notebooks start faster without the adapters (each notebook imports this module).
    from review.inputs.ingest import ingest_report_of, read_folder, read_ingested
    from review.inputs.validate import check_reject_rate, validate_files

    config = parse_params(year, config_path)
    data, out = Path(data_dir), Path(output_dir)
    started = time.perf_counter()
    period = (config.period_start, config.period_end)  # places TikTok's dates written without a year
    if data.is_dir() and ingest_report_of(data) is not None:
        # A `review ingest` output folder: its tables as ingest validated them, and the accounting
        # and rejected rows of the original files it read (review.inputs.ingest.read_ingested).
        validated, meta = timings.timed("ingest", read_ingested, data, period, out / "canonical")
    else:
        # Large canonical CSVs are read in chunks during validation, their tables written straight
        # into canonical/ (this run's staging folder): never held whole (review.inputs.ingest.STREAM_MIN_BYTES).
        raw, meta = timings.timed("ingest", read_folder, data, period, True, skip_unknown)
        validated = timings.timed("validate", validate_files, raw, data, out / "canonical")
        meta = {**meta, "ingest": None}
    # The data folder's own register, before the decisions: what a re-run that reuses this
    # run's tables (review.runner.cache) applies changed decisions to.
    artifacts.write_frame(out / DATA_REGISTER, validated.tables["recommendations"])
    write_csv(validated.rejected, out / "rejected-rows.csv")
    tables, register_inputs = prepare_register(validated.tables, config, Path(config_path) if config_path else None, out)
    timings.timed("ingest", artifacts.write_canonical, out, tables)
    artifacts.write_json(
        out / "artifacts" / "ingest.json",
        {
            "data_dir": str(data),
            "files": [f.as_dict() for f in validated.files],
            "synthetic": meta["synthetic"],
            "other_files": meta["other_files"],
            "skipped": meta["skipped"],  # file and reason: hidden folders, and unknown files with skip_unknown
            "rows_rejected": len(validated.rejected.drop_duplicates(["file", "line"])),
            "ingest": meta["ingest"],  # the `review ingest` run whose output this was, or None
            "register": register_inputs.as_record(),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    check_reject_rate(validated.files, config.reject_rate_max_pct)
    return summary_frame(validated.files)


def summary_frame(files) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "file": f.path,
                "table": f.table,
                "format": f.format,
                "rows read": f.rows_read,
                "accepted": f.rows_accepted,
                "rejected": f.rows_rejected,
                "merged": f.rows_merged,
                "unused": f.rows_unused,  # a recognised export the review does not use
            }
            for f in files
        ]
    )


def _periods(config: ReviewConfig, out: Path, needs: dict | None = None) -> tuple[PeriodData, PeriodData]:
    """The review period and the one before, from the canonical tables the data-quality stage
    wrote into this run's output folder (validated there, so not checked again). Only the
    tables and columns in `needs` are read (every table when None), each sliced as it is read."""
    from review.evidence.metrics.coverage import supplied_tables

    supplied = supplied_tables(artifacts.read_json(Path(out) / "artifacts" / "ingest.json"))
    with timings.measure("rollup"):
        current, prior = read_periods(Path(out) / "canonical", config, needs, supplied)
    current.require_data()
    return current, prior


@timings.records("10-period")
def period_stage(year: int, config_path: str | None, output_dir: str) -> pd.DataFrame:
    """Rows of each canonical table in the review period and in the period before.

    Stops with a clear error when nothing falls in the review period (a wrong year, or the
    wrong folder), before any clause is computed.
    """
    config = parse_params(year, config_path)
    # Only the rows are counted: large tables stay in Parquet, the rest read their period column.
    needs = {name: (IN_PARQUET if name == "contacts" else [table.period_column or TABLES[name].columns[0]])
             for name, table in TABLES.items()}
    current, prior = _periods(config, Path(output_dir), needs)
    threshold = config.report.small_count_threshold

    def count(name: str, n: int):
        # The rows of a table of people's cases in one period are a small count (as the
        # report's conduct cases are): 1-4 prints "<5" here too.
        if name in SMALL_COUNT_TABLES and 0 < n < threshold:
            return Figure(n, "count", SUPPRESSED, threshold).cell()
        return n

    rows = []
    for name, table in TABLES.items():
        if table.period_column is None:
            whole = current.rows(name)
            rows.append({"table": name, "placed by": "(a register: every row counts)",
                         "review period": whole, "period before": whole})
        else:
            rows.append({"table": name, "placed by": table.period_column,
                         "review period": count(name, current.rows(name)), "period before": count(name, prior.rows(name))})
    return pd.DataFrame(rows)


@timings.records("{clause}", rest="metrics")
def clause_stage(clause: str, year: int, config_path: str | None, output_dir: str, engine: str = "") -> ClauseMetrics:
    """Compute one policy clause for the year and the year before; write its artifacts.

    Writes artifacts/clauses/<clause>.json (values for both years, rated headlines, an index of
    tables and series) and the tables and series as Parquet, and draws the clause's charts into
    artifacts/charts/ (review.runner.artifacts.write_charts): here, not in the report stage, they
    are drawn in the parallel wave and reused with the clause by a re-run (review.runner.cache).
    Returns the clause's results. `engine` ("duckdb" or "spark"; empty for the config's) runs
    the clause's rollups.
    """
    if clause not in CLAUSE_MODULES:
        raise ReviewError(f"parameter clause: expected one of {', '.join(CLAUSE_MODULES)}, got {clause!r}")
    config = parse_params(year, config_path)
    if engine:
        config = config.model_copy(update={"engine": check_engine(engine)})
    out = Path(output_dir)
    # The periods are read for this clause alone: the year before is let go once measured.
    result = compute_clause(clause, *_periods(config, out, tables_needed(clause, config.engine)), release=True)
    artifacts.write_clause(out, result, config.digest)
    with timings.measure("charts"):
        charts = []
        if result.series:  # a chart draws a series: a clause without any (P6) never imports matplotlib
            # matplotlib only: the report's module (review.outputs.report) imports WeasyPrint.
            from review.outputs.charts.clauses import draw_charts

            # A clause's year before is there when the data hold one (PeriodData.has_data, the same
            # period for every clause): the metrics' has_prior (assemble_metrics) is the same thing.
            charts = draw_charts(clause, config, result.series, result.prior is not None)
        artifacts.write_charts(out, clause, charts)
    return result


@timings.records("recommend", rest="metrics")
def recommend_stage(year: int, config_path: str | None, output_dir: str) -> MetricsResult:
    """Read every clause's artifacts, rate them together, run the recommendation rules, apply
    the team's decisions and write what the report stage reads: artifacts/metrics.json (the
    recommendations for the Board, rejected ones left out), artifacts/decisions.json (what each
    decision did, the rejected recommendations with the reason, decisions that match nothing)
    and the new register, recommendations-<year>.yml, for next year's review."""
    config = parse_params(year, config_path)
    out = Path(output_dir)
    missing = [c for c in CLAUSE_MODULES if not (out / "artifacts" / "clauses" / f"{c}.json").exists()]
    if missing:
        raise ReviewError(f"clauses not computed in this run: {', '.join(missing)}; run their notebooks first")
    artifacts.check_config_digests(out, config, CLAUSE_MODULES)  # before any table is read
    current, prior = _periods(config, out, _union_needs(RECOMMEND_TABLES, coverage_needs()))
    metrics = assemble_metrics({c: artifacts.read_clause(out, c) for c in CLAUSE_MODULES}, current)
    # The same decisions file the data-quality stage applied to earlier recommendations.
    used = artifacts.read_json(out / "artifacts" / "ingest.json").get("register") or {}
    decisions = read_decisions_used(used)
    # current.recommendations is the register so far: the data-quality stage carried it forward.
    result = decide(recommend(metrics), current.recommendations, config, decisions=decisions,
                    period_end=config.period_end)
    register_file = out / f"recommendations-{config.year}.yml"
    evidence = read_register_evidence(used) | evidence_of(result.for_board + result.rejected)
    write_register(register_file, result, config, evidence)
    artifacts.write_json(out / OUTCOME_FILE, outcome_record(result, decisions, used, register_file))
    ingest = artifacts.read_json(out / "artifacts" / "ingest.json")
    artifacts.write_json(out / COVERAGE_FILE, summarise(current, prior, metrics.headlines, ingest))
    artifacts.write_metrics(
        out,
        headlines=metrics.headlines,
        tables=metrics.tables,
        series=metrics.series,
        recommendations=result.for_board,
        register=result.earlier,  # as they stood at the period end, with the evidence checks
        has_prior=metrics.has_prior,
        frames=False,  # the clause stages wrote them
        config_digest=config.digest,
    )
    return metrics


COVERAGE_FILE = Path("artifacts") / "coverage.json"  # what this review covers (review.evidence.metrics.coverage)


def _union_needs(*needs: dict) -> dict:
    """Tables and columns that several readers need, read once: all columns (None) if any reader
    reads all; left in Parquet (IN_PARQUET) only if every reader leaves it there; otherwise the
    columns joined."""
    out: dict = {}
    for need in needs:
        for table, columns in need.items():
            have = out.get(table, columns)
            if have is None or columns is None:
                out[table] = None
            elif have == IN_PARQUET and columns == IN_PARQUET:
                out[table] = IN_PARQUET
            else:
                listed = [c for c in (have, columns) if c != IN_PARQUET]
                out[table] = list(dict.fromkeys(c for cols in listed for c in cols))
    return out


@timings.records("report", rest="html")
def report_stage(year: int, config_path: str | None, output_dir: str) -> dict[str, Path]:
    """Build the report context (the charts as the clause stages drew them) and write HTML, PDF
    and the workbook."""
    from review.outputs.report import build_report  # heavy imports (WeasyPrint) only for this stage

    config = parse_params(year, config_path)
    return build_report(config, Path(output_dir))


# --- views for the notebooks: small frames that read well in an executed notebook ---------------


def read_rejected(output_dir: str) -> pd.DataFrame:
    return pd.read_csv(Path(output_dir) / "rejected-rows.csv", dtype=str, keep_default_na=False)


def headline_frame(headlines: list[Headline] | MetricsResult | ClauseMetrics, threshold: int = 5) -> pd.DataFrame:
    """Headline figures as one row each: value, the year before, change, target and rating.

    Small counts print as the report prints them ("<5", "withheld"; review.disclosure), since
    the executed notebooks are kept with the paper; `threshold` is used for a bare list."""
    from review.disclosure import protect

    if isinstance(headlines, ClauseMetrics):
        headlines = headlines.protected()[0]
    elif isinstance(headlines, MetricsResult):
        headlines = protect(headlines.headlines, headlines.tables, headlines.current.config.report.small_count_threshold)[0]
    else:
        headlines = protect(headlines, [], threshold)[0]

    def shown(figure):
        value = figure.data()
        return round(value, 2) if isinstance(value, float) else value

    return pd.DataFrame(
        [
            {
                "clause": h.clause,
                "metric": h.title,
                "value": shown(h.figure),
                "prior": shown(h.prior_figure),
                "change %": None if h.change_pct is None or not h.change_shown else round(h.change_pct, 1),
                "target": h.target,
                "rag": h.rag,
            }
            for h in headlines
        ]
    )


def table_index(result: ClauseMetrics | MetricsResult) -> pd.DataFrame:
    """Every metric table: its id, title, size and note. Each is a sheet in the workbook."""
    tables = result.current.tables if isinstance(result, ClauseMetrics) else result.tables
    return pd.DataFrame(
        [{"table": t.table_id, "clause": t.clause, "title": t.title, "rows": len(t.frame), "note": t.note or ""} for t in tables],
        columns=["table", "clause", "title", "rows", "note"],
    )


def register_frame(output_dir: str) -> pd.DataFrame:
    """Earlier recommendations and where they stand at the period end."""
    register = artifacts.read_metrics(Path(output_dir))["register"]
    columns = ["rec_id", "year_raised", "clause", "title", "owner", "status", "due_date", "is_overdue", "check",
               "raised_again_as"]
    return register[[c for c in columns if c in register.columns]]


def recommendation_frame(output_dir: str) -> pd.DataFrame:
    """The recommendations going to the Board (rejected ones are in rejected_frame), each with
    the team's decision so far: accepted, or still to decide."""
    recs = artifacts.read_metrics(Path(output_dir))["recommendations"]
    accepted = {d["rec_id"] for d in _outcome(output_dir)["decisions"] if d.get("decision") == "accept"}
    columns = ["id", "clause", "for decision", "why", "priority", "team's decision", "owner", "due date", "repeats",
               "costed", "text"]
    return pd.DataFrame(
        [
            {"id": r.rec_id, "clause": r.clause, "for decision": r.for_decision, "why": r.decision_basis,
             "priority": r.priority, "team's decision": "accepted" if r.rec_id in accepted else "to decide",
             "owner": r.owner, "due date": r.due_date, "repeats": r.supersedes, "costed": r.is_costed, "text": r.text}
            for r in recs
        ],
        columns=columns,
    )


def _outcome(output_dir: str) -> dict:
    return artifacts.read_json(Path(output_dir) / OUTCOME_FILE)


def decisions_frame(output_dir: str) -> pd.DataFrame:
    """Every decision in the team's file and what it was applied to. A decision for a
    recommendation that no longer fires stays here (and in the report), never dropped."""
    columns = ["id", "applied to", "decision", "status", "owner", "due date", "reason or note"]
    return pd.DataFrame(
        [
            {"id": d["rec_id"], "applied to": APPLIED_TO[d["applied_to"]], "decision": d.get("decision", ""),
             "status": d.get("status", ""), "owner": d.get("owner", ""), "due date": d.get("due_date", ""),
             "reason or note": d.get("reason") or d.get("status_note") or ""}
            for d in _outcome(output_dir)["decisions"]
        ],
        columns=columns,
    )


def rejected_frame(output_dir: str) -> pd.DataFrame:
    """This year's recommendations the team rejected, with its reason; the report lists them too."""
    rejected = _outcome(output_dir)["rejected"]
    return pd.DataFrame(rejected, columns=["rec_id", "clause", "title", "reason"]).rename(columns={"rec_id": "id"})


def register_files_frame(output_dir: str) -> pd.DataFrame:
    """The files the register came from and the one written for next year's review."""
    from review.evidence.register import unmatched_words

    outcome, out = _outcome(output_dir), Path(output_dir)
    return pd.DataFrame(
        [
            {"file": "the team's decisions (read)", "path": outcome["decisions_file"] or "none yet"},
            {"file": "last year's register (read)", "path": outcome["previous_register_file"] or "none found"},
            {"file": "the register for next year (written)", "path": outcome["register_file"]},
            {"file": "decisions that match no recommendation",
             "path": ", ".join(unmatched_words(outcome["unmatched_decisions"], outcome.get("did_you_mean", {}))) or "none"},
        ]
    )


def files_frame(outputs: dict[str, Path]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"output": label, "file": path.name, "bytes": path.stat().st_size} for label, path in outputs.items()]
    )
