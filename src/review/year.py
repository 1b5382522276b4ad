"""For analysts: the validated year as pandas frames, in one call.

    import review
    year = review.load(data="data/sample", year=2025)
    year.tables["posts"]           # a canonical table (both years, typed)
    year.headlines                 # every metric: value, prior, change, target, RAG
    year.table("p3_by_platform")   # a metric table: typed, snake_case columns, true numbers
    year.sql("SELECT platform, count(*) FROM accounts GROUP BY ALL")   # DuckDB over the tables

`data` may be a folder of input files (read and validated here, as a run does), a `review ingest`
output folder (its tables as ingest validated them) or a run's output folder (`reports/2025`,
whose canonical Parquet is read as is). The numbers are the
report's: the same functions compute both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from review import artifacts
from review.config import ReviewConfig, default_config_path, load_config
from review.context import MetricTable
from review.errors import ReviewError
from review.metrics import MetricsResult, compute_metrics
from review.metrics.coverage import supplied_tables
from review.metrics.period import PeriodData


@dataclass
class Year:
    config: ReviewConfig
    tables: dict[str, pd.DataFrame]  # canonical tables, every year in the data
    metrics: MetricsResult
    rejected: pd.DataFrame | None  # rows not accepted, when read from input files

    @property
    def period(self) -> PeriodData:
        """The review period's slice, with local-time and response-minute columns added."""
        return self.metrics.current

    @property
    def headlines(self) -> pd.DataFrame:
        return pd.DataFrame([h.__dict__ for h in self.metrics.headlines])

    def table(self, table_id: str) -> pd.DataFrame:
        """A metric table as a typed frame: snake_case columns, integers for counts, dates and
        months as timestamps, true numbers (nothing suppressed: the report hides small counts
        when it prints them). Each column's label and unit: `metric_tables` (MetricTable.columns)."""
        found = {t.table_id: t for t in self.metrics.tables}
        if table_id not in found:
            raise KeyError(f"no metric table {table_id!r}; there are: {', '.join(sorted(found))}")
        return found[table_id].frame

    @property
    def metric_tables(self) -> list[MetricTable]:
        return self.metrics.tables

    def sql(self, query: str) -> pd.DataFrame:
        """Run SQL (DuckDB) over the canonical tables of the review period, by table name."""
        with duckdb.connect() as con:
            for name in self.tables:
                con.register(name, getattr(self.period, name))
            return con.execute(query).df()


def load(data: str | Path, year: int, config: str | Path | None = None) -> Year:
    """Load and validate a year; compute every metric. See the module docstring."""
    data = Path(data)
    config_path = Path(config) if config else default_config_path(year)
    cfg = load_config(config_path, year)
    rejected = None
    if (data / "canonical").is_dir():
        tables = artifacts.read_canonical(data)
        record = data / "artifacts" / "ingest.json"
        supplied = supplied_tables(artifacts.read_json(record)) if record.exists() else None
    elif data.is_dir():
        from review.ingest import read_checked

        validated, _ = read_checked(data)
        tables, rejected = validated.tables, validated.rejected
        supplied = supplied_tables({"files": [f.as_dict() for f in validated.files]})
    else:
        raise ReviewError(f"{data}: not a data folder or a run's output folder")
    return Year(config=cfg, tables=tables, metrics=compute_metrics(tables, cfg, supplied), rejected=rejected)


def read_tables(data: str | Path) -> dict[str, pd.DataFrame]:
    """Canonical tables from a run's output folder, a `review ingest` output folder or, validated,
    from a folder of input files."""
    data = Path(data)
    if (data / "canonical").is_dir():
        return artifacts.read_canonical(data)
    if data.is_dir():
        from review.ingest import read_checked

        return read_checked(data)[0].tables
    raise ReviewError(f"{data}: not a data folder or a run's output folder")
