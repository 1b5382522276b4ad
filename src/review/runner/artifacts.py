"""Artifacts: what one stage hands the next, as files in the run's output folder.

Stages talk through Parquet (frames) and JSON (everything else), never through notebook JSON,
so the report can always be rebuilt from the artifacts alone. Layout under the output folder:

    canonical/<table>.parquet    the validated tables (both years)
    artifacts/ingest.json        per-file row accounting and folder metadata
    artifacts/clauses/<P1..P7>.json   one clause: its values for both years, rated headlines,
                                 and the index of its tables and series
    artifacts/tables/<id>.parquet, artifacts/series/<id>.parquet (<id>_prior: the year before)
    artifacts/charts/<P1..P7>.json   one clause's charts as drawn (SVG, alt text, captions), in
                                 report order; artifacts/charts/<chart id>.parquet: the data each draws
    artifacts/metrics.json       every clause together: headlines, table and series index,
                                 recommendations (written by the recommendations stage)
    artifacts/register.parquet   earlier recommendations and where they stand
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pandas as pd

from review.context import Chart, Headline, MetricTable, Recommendation
from review.inputs.contracts import TABLES
from review.evidence.metrics import ClauseMetrics
from review.evidence.metrics.compare import Comparison
from review.evidence.metrics.period import ClauseResult


def _default(value):
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_json(path: Path, payload) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, default=_default, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def write_table(path: Path, table) -> None:
    """A validated table as Parquet: a frame is written; a table validation already wrote to
    Parquet (`review.inputs.validate.ParquetTable`, a large input) is moved there."""
    if isinstance(table, pd.DataFrame):
        write_frame(path, table)
        return
    path = Path(path)
    if Path(table.path).resolve() != path.resolve():
        path.parent.mkdir(parents=True, exist_ok=True)
        Path(table.path).replace(path)
        table.path = path


def write_canonical(out: Path, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        write_table(out / "canonical" / f"{name}.parquet", frame)


def read_canonical(out: Path, validate: bool = True) -> dict[str, pd.DataFrame]:
    """The validated tables, typed as their contracts say.

    validate=False skips the contract check: for the stages of a run, which read what this
    run's data-quality stage wrote from validated frames (the Parquet round trip keeps every
    type; tests/test_run.py checks it). Checking again would cost each clause notebook ~0.4 s.
    """
    tables = {}
    for name, table in TABLES.items():
        frame = pd.read_parquet(Path(out) / "canonical" / f"{name}.parquet")
        tables[name] = table.model.validate(frame) if validate else frame
    return tables


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _table_index(tables: list[MetricTable]) -> list[dict]:
    """Each table's id, title, note and column metadata; its frame is a Parquet file of its own.
    What is hidden is decided when a table is printed (review.disclosure), so it is not stored."""
    return [{k: v for k, v in dataclasses.asdict(t).items() if k not in ("frame", "hidden", "threshold")} for t in tables]


def write_frames(out: Path, tables: list[MetricTable], series: dict[str, pd.DataFrame]) -> None:
    base = Path(out) / "artifacts"
    for table in tables:
        write_frame(base / "tables" / f"{table.table_id}.parquet", table.frame)
    for series_id, frame in series.items():
        write_frame(base / "series" / f"{series_id}.parquet", frame)


def write_clause(out: Path, result: ClauseMetrics, config_digest: str | None = None) -> Path:
    """One clause's artifacts: clauses/<clause>.json and its tables and series as Parquet.

    Only the review year's tables are kept (the report shows no table for the year before);
    both years' values and chart series are. `config_digest`: the config they were computed
    (and the clause's charts drawn) under (ReviewConfig.digest; check_config_digests).
    """
    prior = result.prior
    write_frames(out, result.current.tables, result.series)
    path = Path(out) / "artifacts" / "clauses" / f"{result.clause}.json"
    write_json(
        path,
        {
            "clause": result.clause,
            "config_digest": config_digest,
            "has_prior": prior is not None,
            "values": {k: _number(v) for k, v in result.current.values.items()},
            "prior_values": None if prior is None else {k: _number(v) for k, v in prior.values.items()},
            "not_measured_reasons": result.current.not_measured_reasons,
            "tables_left_out": result.current.tables_left_out,
            "prior_not_measured_reasons": None if prior is None else prior.not_measured_reasons,
            "comparison": None if result.comparison is None else {
                "values": {k: _number(v) for k, v in result.comparison.values.items()},
                "prior_values": {k: _number(v) for k, v in result.comparison.prior_values.items()},
                "notes": result.comparison.notes,
                "not_comparable": result.comparison.not_comparable,
            },
            "headlines": result.headlines,
            "tables": _table_index(result.current.tables),
            "series": sorted(result.current.series),
            "prior_series": [] if prior is None else sorted(prior.series),
        },
    )
    return path


def read_clause(out: Path, clause: str) -> ClauseMetrics:
    """A clause as its stage computed it, from its artifacts."""
    base = Path(out) / "artifacts"
    path = base / "clauses" / f"{clause}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: clause {clause} has not been computed in this run")
    raw = read_json(path)

    def series(ids, suffix=""):
        return {s: pd.read_parquet(base / "series" / f"{s}{suffix}.parquet") for s in ids}

    tables = [MetricTable(frame=pd.read_parquet(base / "tables" / f"{t['table_id']}.parquet"), **t) for t in raw["tables"]]
    current = ClauseResult(values=raw["values"], tables=tables, series=series(raw["series"]),
                           not_measured_reasons=raw.get("not_measured_reasons") or {},
                           tables_left_out=raw.get("tables_left_out") or {})
    prior = None
    if raw["has_prior"]:
        prior = ClauseResult(values=raw["prior_values"], tables=[], series=series(raw["prior_series"], "_prior"),
                             not_measured_reasons=raw.get("prior_not_measured_reasons") or {})
    comparison = Comparison(**raw["comparison"]) if raw.get("comparison") else None
    return ClauseMetrics(clause=clause, current=current, prior=prior,
                         headlines=[Headline(**h) for h in raw["headlines"]], comparison=comparison)


def write_charts(out: Path, clause: str, charts: list[Chart]) -> Path:
    """One clause's charts: charts/<clause>.json (every field, the data's table index as the
    tables' are) and each chart's data as charts/<chart id>.parquet. A clause without charts
    writes an empty list, so that the report can tell it from a clause not computed."""
    base = Path(out) / "artifacts" / "charts"
    for chart in charts:
        if chart.data is not None:
            write_frame(base / f"{chart.chart_id}.parquet", chart.data.frame)
    path = base / f"{clause}.json"
    write_json(path, [{**{f.name: getattr(c, f.name) for f in dataclasses.fields(c) if f.name != "data"},
                       "data": None if c.data is None else _table_index([c.data])[0]} for c in charts])
    return path


def check_config_digests(out: Path, config, clauses, metrics: bool = False) -> None:
    """Stop with a clear error unless every clause in `clauses` was computed, and its charts
    drawn, under `config` (ReviewConfig.digest, recorded by write_clause), and with `metrics`
    the recommendations too (metrics.json): a stage run by hand with another config file or
    year than the stages before it would otherwise put their figures, charts and
    recommendations in a paper that names the new settings."""
    from review.errors import ReviewError

    base = Path(out) / "artifacts"
    paths = [base / "clauses" / f"{clause}.json" for clause in clauses] + ([base / "metrics.json"] if metrics else [])
    stale = [path for path in paths if path.exists() and read_json(path).get("config_digest") != config.digest]
    if stale:
        names = ", ".join(str(path.relative_to(base)) for path in stale)
        raise ReviewError(
            f"{base}: {names} {'was' if len(stale) == 1 else 'were'} made under another config than this "
            f"stage's (year {config.year}; the config file or a setting has changed since): run the notebooks "
            "before this one again with the same year and config, or run the whole review (review run)"
        )


def read_charts(out: Path, clause: str) -> list[Chart]:
    """A clause's charts as its stage drew them, from its artifacts."""
    base = Path(out) / "artifacts" / "charts"
    path = base / f"{clause}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: clause {clause}'s charts have not been drawn in this run")
    return [
        Chart(**{**c, "data": None if c["data"] is None else
                 MetricTable(frame=pd.read_parquet(base / f"{c['chart_id']}.parquet"), **c["data"])})
        for c in read_json(path)
    ]


def write_metrics(out: Path, headlines: list[Headline], tables: list[MetricTable],
                  series: dict[str, pd.DataFrame], recommendations: list[Recommendation],
                  register: pd.DataFrame, has_prior: bool, frames: bool = True,
                  config_digest: str | None = None) -> None:
    """Everything the report reads. The clause stages have written the tables and series
    already; frames=False writes only the index, the recommendations and the register.
    `config_digest`: the config the recommendations were made under (check_config_digests)."""
    base = Path(out) / "artifacts"
    if frames:
        write_frames(out, tables, series)
    write_frame(base / "register.parquet", register)
    write_json(
        base / "metrics.json",
        {
            "config_digest": config_digest,
            "headlines": headlines,
            "tables": _table_index(tables),
            "series": sorted(series),
            "recommendations": recommendations,
            "has_prior": has_prior,
        },
    )


def read_metrics(out: Path) -> dict:
    """headlines, tables, series, recommendations, register and has_prior, as typed objects."""
    base = Path(out) / "artifacts"
    raw = read_json(base / "metrics.json")
    return {
        "headlines": [Headline(**h) for h in raw["headlines"]],
        "tables": [
            MetricTable(frame=pd.read_parquet(base / "tables" / f"{t['table_id']}.parquet"), **t)
            for t in raw["tables"]
        ],
        "series": {s: pd.read_parquet(base / "series" / f"{s}.parquet") for s in raw["series"]},
        "recommendations": [
            Recommendation(**{**r, "due_date": dt.date.fromisoformat(r["due_date"]) if r["due_date"] else None})
            for r in raw["recommendations"]
        ],
        "register": pd.read_parquet(base / "register.parquet"),
        "has_prior": raw["has_prior"],
    }
