"""Artifacts: what one stage hands the next, as files in the run's output folder.

Stages talk through Parquet (frames) and JSON (everything else), never through notebook JSON,
so the report can always be rebuilt from the artifacts alone. Layout under the output folder:

    canonical/<table>.parquet    the validated tables (both years)
    artifacts/ingest.json        per-file row accounting and folder metadata
    artifacts/metrics.json       headlines, table and series index, recommendations
    artifacts/tables/<id>.parquet, artifacts/series/<id>.parquet
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pandas as pd

from review.context import Headline, MetricTable, Recommendation
from review.contracts import TABLES


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


def write_canonical(out: Path, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        write_frame(out / "canonical" / f"{name}.parquet", frame)


def read_canonical(out: Path) -> dict[str, pd.DataFrame]:
    """The validated tables, typed as their contracts say."""
    tables = {}
    for name, table in TABLES.items():
        frame = pd.read_parquet(Path(out) / "canonical" / f"{name}.parquet")
        tables[name] = table.model.validate(frame)
    return tables


def write_metrics(out: Path, headlines: list[Headline], tables: list[MetricTable],
                  series: dict[str, pd.DataFrame], recommendations: list[Recommendation],
                  register: pd.DataFrame, has_prior: bool) -> None:
    base = Path(out) / "artifacts"
    for table in tables:
        write_frame(base / "tables" / f"{table.table_id}.parquet", table.frame)
    for series_id, frame in series.items():
        write_frame(base / "series" / f"{series_id}.parquet", frame)
    write_frame(base / "register.parquet", register)
    write_json(
        base / "metrics.json",
        {
            "headlines": headlines,
            "tables": [{k: v for k, v in dataclasses.asdict(t).items() if k != "frame"} for t in tables],
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
