"""Ad hoc SQL over a year's canonical tables: what `review sql` runs.

The tables come from a run's output folder (its `canonical/*.parquet`, read by the engine
straight from disk) or from a folder of input files (read and validated as a run does). With a
review year, the tables are that period's rows with the local-time columns the rollups use
(`published_local`, `received_local`, `response_minutes`, `is_staffed`), as `review.load(...).sql`
gives them; without one, every row as the canonical contract types it.

The SQL is DuckDB's dialect; with the spark engine it is translated by sqlglot (see review.rollup).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from review.config import ReviewConfig, SparkSettings, default_config_path, load_config
from review.contracts import TABLES
from review.errors import ReviewError
from review.rollup import DEFAULT_ENGINE, Source, check_engine, run_sql


@dataclass(frozen=True)
class QueryResult:
    frame: pd.DataFrame
    engine: str
    tables: list[str]  # the table names the query could use


def sql_tables(data: Path, config: ReviewConfig | None = None) -> dict[str, Source]:
    """The canonical tables by name: Parquet paths from a run's output folder, else frames read
    and validated from a folder of input files; with a config, its review period's slice."""
    from review.year import read_tables

    data = Path(data)
    canonical = data / "canonical"
    if config is None and canonical.is_dir():
        missing = [name for name in TABLES if not (canonical / f"{name}.parquet").exists()]
        if missing:
            raise ReviewError(f"{canonical}: no Parquet for table(s) {', '.join(missing)}; is this a finished run?")
        return {name: canonical / f"{name}.parquet" for name in TABLES}
    tables = read_tables(data)
    if config is None:
        return tables
    from review.metrics.period import slice_period

    period = slice_period(tables, config)
    return {name: getattr(period, name) for name in TABLES}


def run_query(
    sql: str,
    data: Path,
    engine: str | None = None,
    year: int | None = None,
    config_path: Path | None = None,
) -> QueryResult:
    """Run one query over the tables in `data`. The engine is `engine`, else the year's config's,
    else DuckDB; Spark's master comes from the config (`local[*]` without one)."""
    config = None
    if year is not None:
        config = load_config(config_path or default_config_path(year), year)
    elif config_path is not None:
        raise ReviewError("--config needs --year: the config belongs to a review year")
    engine = check_engine(engine or (config.engine if config else DEFAULT_ENGINE))
    tables = sql_tables(data, config)
    frame = run_sql(sql, tables, engine=engine, spark=config.spark if config else SparkSettings())
    return QueryResult(frame=frame, engine=engine, tables=list(tables))
