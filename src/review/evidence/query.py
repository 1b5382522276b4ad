"""Ad hoc SQL over a year's canonical tables: what `review sql` runs.

The tables come from a run's output folder (its canonical Parquet) or from a folder of input
files (read and validated as a run does). By default the query sees one review year, as
`review.load(...).sql` does: that period's rows with the local-time columns the rollups use
(`published_local`, `received_local`, `response_minutes`, `is_staffed`), plus `post_scores` and
`messages` (review.year); the year is `--year`, else the run's year, else the latest year in the
data. With `all_years`, every row as the canonical contract types it (read in place from a run's
Parquet), without those columns.

The SQL is DuckDB's dialect; with the spark engine it is translated by sqlglot (see review.evidence.rollup).
Integers stay integers in the result (nullable Int64 where some are missing).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from review.cells import csv_text
from review.config import ReviewConfig, default_config_path, load_config
from review.inputs.contracts import TABLES
from review.controls import show_controls
from review.errors import ReviewError
from review.evidence.metrics.period import LOCAL_COLUMNS
from review.evidence.rollup import DEFAULT_ENGINE, Source, check_engine, run_sql

FORMATS = ("table", "csv", "json", "parquet")


@dataclass(frozen=True)
class QueryResult:
    """A query's result: the frame, the engine that ran it, the tables it could use, and the
    review year it saw (None: every year)."""

    frame: pd.DataFrame
    engine: str
    tables: list[str]
    year: int | None = None
    year_chosen: str = ""  # how the year was chosen, when not given: "the run's year", ...

    def __repr__(self) -> str:
        return f"<QueryResult {len(self.frame):,} rows × {self.frame.shape[1]} columns ({self.engine}, year {self.year or 'all'})>"


def sql_tables(data: Path, config: ReviewConfig | None = None, query: str = "",
               tables: dict[str, pd.DataFrame] | None = None) -> dict[str, Source]:
    """The tables a query can use, by name. Without a config: every row, Parquet paths from a
    run's output folder, else frames read and validated from a folder of input files. With one:
    its review period's slice (ReviewError when nothing falls in it), and the analyst's frames
    the query names (review.year.sql_views). `tables`: the canonical tables, when already read."""
    from review.year import read_tables, sql_views

    data = Path(data)
    canonical = data / "canonical"
    if config is None and tables is None and canonical.is_dir():
        missing = [name for name in TABLES if not (canonical / f"{name}.parquet").exists()]
        if missing:
            raise ReviewError(f"{canonical}: no Parquet for table(s) {', '.join(missing)}; is this a finished run?")
        return {name: canonical / f"{name}.parquet" for name in TABLES}
    if config is not None and tables is None and canonical.is_dir():
        # A run's Parquet: the period's rows, read as they are sliced; the messages stay in
        # Parquet, where DuckDB reads them in place, unless the query names the messages frame.
        from review.evidence.metrics.period import IN_PARQUET, read_period

        in_place = "messages" not in query.lower()
        period = read_period(canonical, config, {name: (IN_PARQUET if name == "contacts" and in_place else None)
                                                 for name in TABLES})
    else:
        tables = read_tables(data) if tables is None else tables
        if config is None:
            return tables
        from review.evidence.metrics.period import slice_period

        period = slice_period(tables, config)
    period.require_data()
    return sql_views(period, query)


def latest_year(data: Path, tables: dict[str, pd.DataFrame] | None) -> tuple[int, str]:
    """The year `review sql` queries when none is given, and how it was chosen: a run's own
    year (its manifest), else the latest calendar year of any post or message in the data."""
    manifest = Path(data) / "manifest.json"
    if manifest.is_file():
        try:
            return int(json.loads(manifest.read_text(encoding="utf-8"))["year"]), "the run's year"
        except (ValueError, KeyError, TypeError):
            pass
    years = [frame[column].dt.year.max() for name, column in (("posts", "published_at"), ("contacts", "received_at"))
             if (frame := (tables or {}).get(name)) is not None and len(frame)]
    years = [int(y) for y in years if pd.notna(y)]
    if not years:
        raise ReviewError(f"{data}: no posts or contacts in the data, so no year to query; give --year")
    return max(years), "the latest year in the data"


def run_query(
    sql: str,
    data: Path,
    engine: str | None = None,
    year: int | None = None,
    config_path: Path | None = None,
    all_years: bool = False,
) -> QueryResult:
    """Run one query over the tables in `data`, for one review year (`year`, else the data's
    latest: see latest_year) or, with `all_years`, over every row. The engine is `engine`, else
    the year's config's, else DuckDB; Spark's master comes from the config (`local[*]` without one)."""
    data = Path(data)
    if all_years:
        if year is not None or config_path is not None:
            raise ReviewError("--all-years queries every year's rows: leave out --year and --config")
        engine = check_engine(engine or DEFAULT_ENGINE)
        tables = sql_tables(data)
        try:
            frame = run_sql(sql, tables, engine=engine, typed=True)
        except ReviewError as exc:
            raise _with_year_hint(exc, sql) from None
        return QueryResult(frame=frame, engine=engine, tables=list(tables))
    chosen, read = "", None
    if year is None:
        if config_path is not None:
            raise ReviewError("--config needs --year: the config belongs to a review year")
        from review.year import read_tables

        read = None if (data / "manifest.json").is_file() else read_tables(data)
        year, chosen = latest_year(data, read)
    config = load_config(config_path or default_config_path(year), year)
    engine = check_engine(engine or config.engine)
    tables = sql_tables(data, config, sql, read)
    frame = run_sql(sql, tables, engine=engine, spark=config.spark, typed=True)
    return QueryResult(frame=frame, engine=engine, tables=list(tables), year=year, year_chosen=chosen)


def _with_year_hint(exc: ReviewError, sql: str) -> ReviewError:
    """A query over every year that names a column only a review year's tables have: say so."""
    named = [c for columns in LOCAL_COLUMNS.values() for c in columns if c in str(exc) and c in sql]
    if not named:
        return exc
    return ReviewError(f"{exc}\nhint: only a review year's tables have {', '.join(named)} (the local-time columns): "
                       "leave out --all-years, or give --year")


def write_result(frame: pd.DataFrame, fmt: str, output: Path | None, data: Path | None = None) -> None:
    """Write a result as CSV, JSON (an array of records, ISO dates) or Parquet, to `output` or
    (CSV and JSON) to standard output. The file is never inside the data folder."""
    if fmt not in FORMATS[1:]:
        raise ReviewError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if output is None and fmt == "parquet":
        raise ReviewError("--format parquet needs --output FILE")
    if output is not None and data is not None and Path(output).resolve().is_relative_to(Path(data).resolve()):
        raise ReviewError(f"--output {output}: inside the data folder {data}; write the result somewhere else")
    if fmt == "parquet":
        frame.to_parquet(output, index=False)
        return
    if fmt == "csv":
        text = csv_text(frame, date_format="%Y-%m-%dT%H:%M:%S")  # opened in a spreadsheet: guarded
    else:
        text = frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=1) + "\n"
    if output is None:
        # Read on a terminal, a control character in the data would act (an escape sequence can
        # clear or recolour it): show it by name there (review.controls); a pipe gets the data as is.
        sys.stdout.write(show_controls(text) if sys.stdout.isatty() else text)
    else:
        Path(output).write_text(text, encoding="utf-8")


def format_of(fmt: str | None, output: Path | None) -> str:
    """The output format: as given, else from the output file's suffix, else a table."""
    if fmt:
        return fmt
    if output is not None and Path(output).suffix.lstrip(".").lower() in FORMATS[1:]:
        return Path(output).suffix.lstrip(".").lower()
    if output is not None:
        raise ReviewError(f"--output {output}: give --format csv, json or parquet (or a file ending .csv, .json or .parquet)")
    return "table"
