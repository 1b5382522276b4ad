"""The stages the notebooks call, each reading and writing artifacts in the output folder.

    ingest_stage   data folder -> canonical tables, rejected-rows.csv, ingest.json
    metrics_stage  canonical tables -> headlines, metric tables, chart series, recommendations
    report_stage   artifacts -> charts, HTML, PDF, workbook

Notebooks hold parameters, one call each and the narrative; everything computes here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from review import artifacts
from review.config import ReviewConfig, load_config
from review.errors import ReviewError
from review.ingest import read_folder
from review.metrics import MetricsResult, compute_metrics
from review.metrics.register import earlier
from review.recommend import recommend
from review.validate import check_reject_rate, validate_files
from review.workbook import neutralise

def write_safe_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV for people to open in Excel: no cell can start a formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe.to_csv(path, index=False, lineterminator="\n")


def parse_params(year: int, config_path: str | None) -> ReviewConfig:
    """Check notebook parameters before any work: a wrong type fails with a clear message."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise ReviewError(f"parameter year: expected a whole number, got {year!r}")
    return load_config(Path(config_path) if config_path else None, year)


def ingest_stage(data_dir: str, year: int, config_path: str | None, output_dir: str) -> pd.DataFrame:
    """Read, type and check every input file; write the canonical tables and the rejected rows.

    Returns the per-file summary (rows read, accepted, rejected, merged). Stops with a clear
    error when a file's rejected share is above the config's limit, after writing the log.
    """
    config = parse_params(year, config_path)
    data, out = Path(data_dir), Path(output_dir)
    started = time.perf_counter()
    raw, meta = read_folder(data)
    validated = validate_files(raw, data)
    write_safe_csv(validated.rejected, out / "rejected-rows.csv")
    artifacts.write_canonical(out, validated.tables)
    artifacts.write_json(
        out / "artifacts" / "ingest.json",
        {
            "data_dir": str(data),
            "files": [f.as_dict() for f in validated.files],
            "synthetic": meta["synthetic"],
            "other_files": meta["other_files"],
            "rows_rejected": len(validated.rejected.drop_duplicates(["file", "line"])),
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
            }
            for f in files
        ]
    )


def metrics_stage(year: int, config_path: str | None, output_dir: str) -> MetricsResult:
    """Compute every metric for the year and the year before, and the recommendations."""
    config = parse_params(year, config_path)
    out = Path(output_dir)
    tables = artifacts.read_canonical(out)
    metrics = compute_metrics(tables, config)
    if not metrics.current.has_data:
        raise ReviewError(
            f"no posts or contacts fall in the review period {config.period_label} "
            f"({config.period_start} to {config.period_end}); check --year and the data folder"
        )
    recs = recommend(metrics)
    artifacts.write_metrics(
        out,
        headlines=metrics.headlines,
        tables=metrics.tables,
        series=metrics.series,
        recommendations=recs,
        register=earlier(metrics.current),
        has_prior=metrics.has_prior,
    )
    return metrics


def report_stage(year: int, config_path: str | None, output_dir: str) -> dict[str, Path]:
    """Draw the charts, build the report context and write HTML, PDF and the workbook."""
    from review.report import build_report  # heavy imports (WeasyPrint) only for this stage

    config = parse_params(year, config_path)
    return build_report(config, Path(output_dir))


# --- views for the notebooks: small frames that read well in an executed notebook ---------------


def read_rejected(output_dir: str) -> pd.DataFrame:
    return pd.read_csv(Path(output_dir) / "rejected-rows.csv", dtype=str, keep_default_na=False)


def headline_frame(metrics: MetricsResult) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "clause": h.clause,
                "metric": h.title,
                "value": None if h.value is None else round(h.value, 2),
                "prior": None if h.prior_value is None else round(h.prior_value, 2),
                "change %": None if h.change_pct is None else round(h.change_pct, 1),
                "target": h.target,
                "rag": h.rag,
            }
            for h in metrics.headlines
        ]
    )


def recommendation_frame(output_dir: str) -> pd.DataFrame:
    recs = artifacts.read_metrics(Path(output_dir))["recommendations"]
    return pd.DataFrame(
        [{"id": r.rec_id, "clause": r.clause, "for decision": r.for_decision, "priority": r.priority, "text": r.text} for r in recs],
        columns=["id", "clause", "for decision", "priority", "text"],
    )


def files_frame(outputs: dict[str, Path]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"output": label, "file": path.name, "bytes": path.stat().st_size} for label, path in outputs.items()]
    )
