"""Validate: type every cell against its contract, check every rule, reject rows, lose nothing.

Each raw file goes through three steps, all problems collected at once:
1. coerce each column to the contract's type; a cell that does not parse rejects its row;
2. de-duplicate by the table's key, keeping the copy with the latest figures: files are taken
   in order of the latest date they hold (an export of Jan-Mar beats one of Oct-Dec for a post
   in both: lifetime figures only grow), then in file order; registers without dates come first.
   Rows merged away are counted per file;
3. check the contract with pandera (`lazy=True`); each failure case rejects its row.

Every input row ends as exactly one of: accepted, rejected (logged with file, line, column,
value and reason), merged into a later copy of itself, or - for a recognised export the review
does not use - unused. `FileReport` carries the counts:
rows_read = rows_accepted + rows_rejected + rows_merged + rows_unused.
Rejected rows include the export's own summary and placeholder rows (`Total`, `undefined`),
counted again in `rows_junk`: they are logged, but do not count against the reject-rate limit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import pandera.errors

from review.inputs.contracts import TABLES, Table
from review.errors import ReviewError
from review.forked import Forked
from review.inputs.raw import RawFile
from review.prefetch import prefetched

LOCAL_TZ = "Europe/London"
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")

REJECTED_COLUMNS = ["file", "line", "table", "column", "value", "reason"]


@dataclass
class FileReport:
    """What became of one input file's rows."""

    path: str
    table: str
    format: str
    sha256: str
    rows_read: int
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_merged: int = 0
    rows_unused: int = 0  # a recognised export the review does not use: every row
    rows_junk: int = 0  # of rows_rejected: the export's own totals and placeholders
    layout: str | None = None  # platform layout id; None for canonical files
    platform: str | None = None
    account_id: str | None = None
    account_rule: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Validated:
    tables: dict[str, pd.DataFrame]  # canonical, typed, every table present (maybe empty)
    rejected: pd.DataFrame  # REJECTED_COLUMNS
    files: list[FileReport]


# --- coercion: one function per contract type --------------------------------------------------


def _blank(series: pd.Series) -> pd.Series:
    """True where a cell is empty (missing, or only spaces)."""
    as_text = series.astype("string")
    return series.isna() | as_text.str.strip().eq("").fillna(True)


def _coerce_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = series.astype("string").str.strip()
    out = out.mask(out.eq(""))
    return out.astype("str"), pd.Series(False, index=series.index)


def _coerce_int(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = series.astype("string").str.strip().str.replace(",", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    is_whole = numbers.isna() | (numbers == np.floor(numbers))
    bad = (~_blank(series) & numbers.isna()) | ~is_whole
    return numbers.where(~bad).astype("Float64").round().astype("Int64"), bad


def _coerce_float(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = series.astype("string").str.strip()
    numbers = pd.to_numeric(text.mask(text.eq("")), errors="coerce").astype("float64")
    return numbers, ~_blank(series) & numbers.isna()


def _coerce_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    bad = ~_blank(series) & out.isna()
    return out, bad


def _coerce_timestamp(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 8601 with an offset is taken as given; a time without one is UK local time,
    as registers kept in Excel record it. Stored in UTC. A local time the clock changes make
    ambiguous (it happens twice) or missing (it never happens) is refused, never guessed
    (`clock_change_reason` says why)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        ranged = _in_range(series)
        return ranged.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), series.notna() & ranged.isna()
    if pd.api.types.is_datetime64_dtype(series.dtype):
        local = _in_range(series).dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
        return local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), series.notna() & local.isna()
    text = series.astype("string").str.strip()
    has_offset = text.str.contains(_HAS_OFFSET, na=False)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    if has_offset.any():
        out[has_offset] = _in_range(pd.to_datetime(text[has_offset], utc=True, errors="coerce", format="ISO8601"))
    naive = ~has_offset & ~_blank(series)
    if naive.any():
        parsed = _parse_naive(text[naive])
        local = parsed.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="NaT")
        out[naive] = local.dt.tz_convert("UTC")
    bad = ~_blank(series) & out.isna()
    return out, bad


def clock_change_reason(value: object) -> str | None:
    """Why a time without a zone was refused when the UK clocks change, or None when that was not
    the trouble: in October 01:00-01:59 happens twice (BST, then GMT); in March it never happens."""
    if isinstance(value, (pd.Timestamp, np.datetime64, dt.datetime)):
        stamp = pd.Timestamp(value)
    else:
        text = "" if value is None or value is pd.NA else str(value).strip()
        if not text or _HAS_OFFSET.search(text):
            return None
        stamp = _parse_naive(pd.Series([text], dtype="string")).iloc[0]
    if pd.isna(stamp) or stamp.tzinfo is not None:
        return None
    when = f"{stamp:%H:%M} on {stamp.day} {stamp:%B %Y}"
    if pd.isna(stamp.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")):
        first, second = (_offset(stamp.tz_localize(LOCAL_TZ, ambiguous=dst)) for dst in (True, False))
        return f"{when} happens twice in UK time (the clocks go back); add {first} for the first or {second} for the second"
    if pd.isna(stamp.tz_localize(LOCAL_TZ, ambiguous="raise", nonexistent="NaT")):
        before = _offset(stamp.tz_localize(LOCAL_TZ, nonexistent="shift_backward"))
        after = _offset(stamp.tz_localize(LOCAL_TZ, nonexistent="shift_forward"))
        return (f"{when} does not happen in UK time (the clocks go forward); add {before} or {after}, "
                "the offset of the clock that recorded it")
    return None


def _offset(stamp: pd.Timestamp) -> str:
    text = stamp.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _parse_naive(text: pd.Series) -> pd.Series:
    """ISO 8601 first; what is left is read as a UK register writes it, day first (31/12/2025 14:05)."""
    parsed = _to_naive(text, format="ISO8601")
    rest = parsed.isna() & text.notna()
    if rest.any():
        parsed[rest] = _to_naive(text[rest], format="mixed", dayfirst=True)
    return parsed.astype("datetime64[ns]")


def _to_naive(text: pd.Series, **how) -> pd.Series:
    """`pd.to_datetime(text, **how)` for cells that should carry no time zone, never raising.

    pandas fails a whole column when some cells carry zones and others do not ("Mixed timezones")
    or a date is out of its range; then each cell is parsed alone. A cell with a zone, or outside
    EARLIEST..LATEST, becomes NaT, so it is rejected and logged like any unreadable date.
    """
    try:
        parsed = pd.to_datetime(text, errors="coerce", **how)
        if not isinstance(parsed.dtype, pd.DatetimeTZDtype):
            return _in_range(parsed)
    except (ValueError, OverflowError, TypeError):
        pass
    cells = []
    for value in text:
        try:
            stamp = pd.to_datetime(value, errors="coerce", **how)
        except (ValueError, OverflowError, TypeError):
            stamp = pd.NaT
        is_naive = isinstance(stamp, pd.Timestamp) and not pd.isna(stamp) and stamp.tzinfo is None
        cells.append(stamp if is_naive and EARLIEST <= stamp <= LATEST else pd.NaT)
    return pd.Series(cells, index=text.index, dtype="datetime64[ns]")


# Dates a register of this century can hold. pandas keeps far-off years (`1.000,5` reads as the
# year 1, `9999-12-31` parses) that the tables' nanosecond timestamps cannot, and that are
# always typing slips here: outside this range a date is rejected like any unreadable one.
EARLIEST, LATEST = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31 23:59:59")


def _in_range(parsed: pd.Series) -> pd.Series:
    """`parsed` with dates outside EARLIEST..LATEST made missing (so the cell is rejected)."""
    naive = parsed.dt.tz_localize(None) if isinstance(parsed.dtype, pd.DatetimeTZDtype) else parsed
    return parsed.where(naive.isna() | ((naive >= EARLIEST) & (naive <= LATEST)))


def _coerce_date(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        ranged = _in_range(out)
        return ranged.dt.normalize().astype("datetime64[ns]"), out.notna() & ranged.isna()
    text = series.astype("string").str.strip()
    out = _parse_naive(text.mask(text.eq(""))).dt.normalize()
    bad = ~_blank(series) & out.isna()
    return out, bad


_EXPECTED = {
    "text": ("text", _coerce_text),
    "int": ("a whole number", _coerce_int),
    "float": ("a number (0.041, not 4.1% or a date)", _coerce_float),
    "bool": ("true or false", _coerce_bool),
    "timestamp": ("a date and time (ISO 8601, 2025-03-04T17:05:00Z, or UK time, 04/03/2025 17:05)", _coerce_timestamp),
    "date": ("a date (YYYY-MM-DD or DD/MM/YYYY)", _coerce_date),
}


def column_kind(dtype: str) -> str:
    if "UTC" in dtype:
        return "timestamp"
    if dtype.startswith("datetime64"):
        return "date"
    if dtype.lower().startswith("int"):
        return "int"
    if dtype.startswith("float"):
        return "float"
    if dtype == "boolean":
        return "bool"
    return "text"


def coerce_frame(frame: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, list[tuple[int, str, object, str]]]:
    """Type every column; return the typed frame and (record, column, value, reason) per bad cell."""
    typed, problems = {}, []
    for column in table.columns:
        kind = column_kind(table.field(column)["dtype"])
        typed[column], bad = _EXPECTED[kind][1](frame[column])
        for record in np.flatnonzero(bad.to_numpy()):
            value = frame[column].iloc[record]
            problems.append((int(record), column, value, bad_cell_reason(kind, value)))
    return pd.DataFrame(typed, index=frame.index), problems


def bad_cell_reason(kind: str, value: object) -> str:
    """Why a cell of a column of `kind` could not be typed: what was expected, or, for a time at a
    clock change, what to add."""
    return (kind == "timestamp" and clock_change_reason(value)) or f"expected {_EXPECTED[kind][0]}"


# --- checks ------------------------------------------------------------------------------------


def check_frame(frame: pd.DataFrame, table: Table) -> list[tuple[int, str, object, str]]:
    """Run the pandera contract lazily; return (row index, column, value, reason) per failure."""
    try:
        table.model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        out, seen_row_checks = [], set()
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                # A failure not tied to a row (a wrong dtype, a missing column) is a bug in
                # coercion or detection, not bad data: say so instead of dropping rows.
                raise ReviewError(
                    f"table {table.name}: column {case.column}: {case.check} failed: {case.failure_case}"
                ) from None
            if case.schema_context == "DataFrameSchema":
                # A rule across columns: pandera lists every cell of the row; log it once,
                # against the column the rule's message names first.
                if (case.index, case.check) in seen_row_checks:
                    continue
                seen_row_checks.add((case.index, case.check))
                column = str(case.check).split()[0]
                value = frame.at[case.index, column] if column in frame else None
                out.append((int(case.index), column, value, str(case.check)))
                continue
            out.append((int(case.index), str(case.column), case.failure_case, _reason(case.check)))
        return out
    return []


def _reason(check: object) -> str:
    text = str(check)
    if text.startswith("isin("):
        return "expected one of " + text[len("isin(") : -1]
    if text == "not_nullable":
        return "a value is required"
    if text.startswith("greater_than_or_equal_to("):
        return "expected at least " + text[len("greater_than_or_equal_to(") : -1]
    if text.startswith("less_than_or_equal_to("):
        return "expected at most " + text[len("less_than_or_equal_to(") : -1]
    if text.startswith("field_uniqueness") or text.startswith("multiple_fields_uniqueness"):
        return "duplicate key"
    return text


# --- the stage ---------------------------------------------------------------------------------


def validate_files(raw_files: list[RawFile], data_dir=None, spool=None) -> Validated:
    """Type, de-duplicate and check every raw file; return canonical tables and the log.

    `data_dir` is only used for files read without a reported path (`RawFile.rel`). `spool`, a
    folder: a table with a large input (`RawFile.stream`) is validated in chunks and written there
    as <table>.parquet; its entry in `tables` is then a `ParquetTable`, not a frame."""
    reports: list[FileReport] = []
    rejected_rows: list[dict] = []
    chunked = {raw.table for raw in raw_files if raw.stream is not None}
    if chunked and spool is None:
        raise ValueError("validate_files: large inputs (RawFile.stream) need a spool folder")
    streamed: dict[str, list[tuple[tuple, int]]] = {name: [] for name in chunked}

    for order, raw in enumerate(raw_files):
        rel = raw.rel or str(raw.path.relative_to(data_dir))
        report = FileReport(
            path=rel,
            table=raw.table,
            format=raw.format,
            sha256=raw.sha256,
            rows_read=raw.rows_read,
            rows_unused=raw.rows_unused,
            rows_merged=raw.rows_joined,  # a breakdown sheet's rows joined onto their posts
            layout=raw.layout,
            platform=raw.platform,
            account_id=raw.account_id,
            account_rule=raw.account_rule,
            ignored_columns=raw.ignored_columns,
            added_columns=raw.added_columns,
            notes=raw.notes,
        )
        reports.append(report)
        for drop in raw.dropped:
            rejected_rows.append(_log(rel, drop["line"], raw.table, drop["column"], drop["value"], drop["reason"]))
            report.rows_rejected += 1
            report.rows_junk += int(drop["is_junk"])
        if raw.table in chunked:
            as_of = raw.as_of if raw.as_of is not None and not pd.isna(raw.as_of) else None
            streamed[raw.table].append(((as_of is not None, as_of or pd.Timestamp(0, tz="UTC"), order), order))

    # Each large table is read and checked in a forked child (review.forked) while this process
    # checks the small ones: on two cores the biggest part of the data-quality stage no longer
    # runs alone. Its rejected rows and file accounting come back with it (the rejected rows are
    # sorted by file and line below, as before).
    jobs = {name: Forked(_validate_chunked_apart, name, streamed[name], raw_files, reports, spool,
                         name=f"checking the {name} table") for name in TABLES if name in chunked}
    try:
        tables = _validate_tables(raw_files, reports, rejected_rows, jobs)
    finally:
        for job in jobs.values():
            job.stop()
    rejected = pd.DataFrame(rejected_rows, columns=REJECTED_COLUMNS)
    rejected = rejected.sort_values(["file", "line", "column"], kind="stable").reset_index(drop=True)
    return Validated(tables=tables, rejected=rejected, files=reports)


def _validate_tables(raw_files, reports, rejected_rows, jobs) -> dict[str, pd.DataFrame]:
    """Every table typed, de-duplicated and checked: the small ones here, the large ones'
    results from their `jobs`."""
    parts: dict[str, list[tuple[tuple, pd.DataFrame]]] = {name: [] for name in TABLES}
    for order, (raw, report) in enumerate(zip(raw_files, reports)):
        if raw.table is None or raw.table in jobs:
            continue
        rel = report.path
        table = TABLES[raw.table]
        typed, problems = coerce_frame(raw.frame, table)
        bad_records = {p[0] for p in problems}
        for record, column, value, reason in problems:
            rejected_rows.append(_log(rel, raw.line_of(record), raw.table, raw.column_label(column), value, reason))
        if raw.split_records:  # a line is one record: a bad figure rejects the line's other rows too
            bad_lines = {raw.lines[i] for i in bad_records}
            report.rows_rejected += len(bad_lines)
            bad_records = {i for i, line in enumerate(raw.lines) if line in bad_lines}
        else:
            report.rows_rejected += len(bad_records)
        typed = typed.drop(index=sorted(bad_records))
        typed["_file"] = order
        typed["_record"] = typed.index
        as_of = raw.as_of if raw.as_of is not None and not pd.isna(raw.as_of) else None
        parts[raw.table].append(((as_of is not None, as_of or pd.Timestamp(0, tz="UTC"), order), typed))

    tables: dict[str, pd.DataFrame] = {}
    for name, keyed in parts.items():
        table = TABLES[name]
        if name in jobs:
            tables[name], rejected, done = jobs[name].result()
            rejected_rows += rejected
            for order, report in done.items():
                vars(reports[order]).update(vars(report))
            continue
        if not keyed:
            tables[name] = _empty(table)
            continue
        frames = [frame for _, frame in sorted(keyed, key=lambda t: t[0])]
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        split = {order for order in combined["_file"].unique() if raw_files[order].split_records}
        before = combined[["_file", "_record"]]
        combined, merged = _deduplicate(combined, table)
        gone = before.loc[~before.index.isin(combined.index)]
        counted: set[int] = set()
        for (order, winner), count in sorted(merged.items()):
            if order in split:  # lines, counted once per file whichever files won
                count = 0 if order in counted else len(_lines_of(raw_files[order], gone, order))
                counted.add(order)
            reports[order].rows_merged += count
            where = "later in the same file" if winner == order else f"in {reports[winner].path}"
            reports[order].notes = [*reports[order].notes,  # a new list: the raw file's stays as read
                f"{count:,} row(s) merged: the same {' and '.join(table.key)} appears {where}, whose figures were kept"]
        checked = combined.drop(columns=["_file", "_record"])
        failures = check_frame(checked, table)
        failed_rows = sorted({f[0] for f in failures})
        for index, column, value, reason in failures:
            order, record = combined.at[index, "_file"], combined.at[index, "_record"]
            raw = raw_files[order]
            rejected_rows.append(
                _log(reports[order].path, raw.line_of(int(record)), name, raw.column_label(column), value, reason)
            )
        failed_lines = {order: _lines_of(raw_files[order], combined.loc[failed_rows], order) for order in split}
        for order, count in combined.loc[failed_rows, "_file"].value_counts().items():
            reports[int(order)].rows_rejected += len(failed_lines[order]) if order in split else int(count)
        if split:  # the other rows of a rejected line go with it
            siblings = combined.apply(lambda r: r["_file"] in split and raw_files[r["_file"]].lines[r["_record"]]
                                      in failed_lines[r["_file"]], axis=1)
            failed_rows = sorted(set(failed_rows) | set(combined.index[siblings]))
        kept = combined.drop(index=failed_rows)
        for order, count in kept["_file"].value_counts().items():
            reports[int(order)].rows_accepted += len(_lines_of(raw_files[order], kept, order)) if order in split else int(count)
        tables[name] = table.model.validate(
            kept.drop(columns=["_file", "_record"]).reset_index(drop=True)
        )
    return tables


def _validate_chunked_apart(name, entries, raw_files, reports, spool):
    """`_validate_chunked` in a child process: the table, its rejected rows and the reports of its files."""
    rejected: list[dict] = []
    table = _validate_chunked(name, entries, raw_files, reports, rejected, spool)
    return table, rejected, {order: reports[order] for _, order in entries}


def _lines_of(raw: RawFile, rows: pd.DataFrame, order: int) -> set[int]:
    """The source lines (records) of a split-records file's rows among `rows` (`_file`, `_record`)."""
    return {raw.lines[int(r)] for r in rows.loc[rows["_file"] == order, "_record"]}


def _deduplicate(frame: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, dict[tuple[int, int], int]]:
    """Keep the last copy of each key (later files carry later figures); count the rest per
    (file merged away, file kept), so the report can say where each merged row went."""
    key = table.key
    if not key:
        return frame, {}
    is_dup = frame.duplicated(subset=key, keep="last")
    if not is_dup.any():
        return frame, {}
    kept_in = frame.groupby(key, sort=False, dropna=False)["_file"].transform("last")
    pairs = pd.DataFrame({"merged": frame.loc[is_dup, "_file"], "kept": kept_in[is_dup]})
    merged = {(int(m), int(k)): int(n) for (m, k), n in pairs.value_counts().items()}
    return frame.loc[~is_dup], merged


def check_reject_rate(reports: list[FileReport], limit_pct: float) -> None:
    """Stop the run when any file's rejected share is above the configured limit. The export's
    own Total and placeholder rows are logged but not counted: they are expected."""
    for report in reports:
        counted = report.rows_read - report.rows_unused - report.rows_junk
        bad = report.rows_rejected - report.rows_junk
        if counted and 100 * bad / counted > limit_pct:
            raise ReviewError(
                f"{report.path}: {bad:,} of {counted:,} rows were rejected "
                f"({100 * bad / counted:.1f}%), more than the "
                f"{limit_pct:g}% allowed (reject_rate_max_pct in the config); see rejected-rows.csv"
            )


def _log(file: str, line: int, table: str | None, column: str, value: object, reason: str) -> dict:
    shown = "" if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)
    return {"file": file, "line": line, "table": table, "column": column, "value": shown[:200], "reason": reason}


def _empty(table: Table) -> pd.DataFrame:
    schema = table.model.to_schema()
    return pd.DataFrame({c: pd.Series(dtype=str(schema.columns[c].dtype)) for c in table.columns})


# --- large inputs: typed and checked in chunks, written straight to Parquet ------------------------
#
# A canonical CSV above ingest.STREAM_MIN_BYTES (size L's 2.5 GB of contacts) is never held whole:
# `validate_files(..., spool=folder)` reads it in chunks of CHUNK_ROWS records (pyarrow), types each
# chunk, checks it and appends it to <folder>/<table>.parquet. The rules are the ones above, to the
# cell: typing takes a fast Arrow path only for cells already in the canonical form (ISO 8601 UTC
# `...Z` times, `YYYY-MM-DD` dates, plain digits, `true`/`false`, text without edge spaces) and
# otherwise hands the column's chunk to the pandas coercion above; a chunk that a vectorised
# pre-check cannot clear goes through pandera (`check_frame`) as before. De-duplication is global:
# keys are hashed (DuckDB `hash`), and only rows whose hash repeats are compared exactly. Rows
# merged away are not checked, as in the in-memory path (every check but uniqueness is row by row).

CHUNK_ROWS = 1 << 20
_DIGITS = np.frombuffer(b"0123456789-", dtype=np.uint8)
_EARLIEST_NS, _LATEST_NS = EARLIEST.value, LATEST.value


@dataclass
class ParquetTable:
    """A validated table written to Parquet instead of held in memory (a large input)."""

    path: object  # pathlib.Path
    rows: int

    def __len__(self) -> int:
        return self.rows

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_parquet(self.path, columns=columns)


def arrow_schema(table: Table):
    """The Arrow schema (with pandas metadata) `DataFrame.to_parquet` writes for `table`."""
    import pyarrow as pa

    dtypes = {c: "str" if column_kind(table.field(c)["dtype"]) == "text" else table.field(c)["dtype"] for c in table.columns}
    empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})
    return pa.Schema.from_pandas(empty, preserve_index=False)


def parquet_options(table: Table, schema) -> dict:
    """How a large table's Parquet file is written (ParquetWriter's options). A key of one column
    (post_id, contact_id) is different on every row, and times nearly so: a dictionary of them is
    tried and given up on each row group, and the key's min and max prune nothing. The other
    columns keep their dictionaries, and every column but the key its min and max (the rollups
    skip the row groups outside a period by the dates'). Size L's contacts, 31 million rows in
    row groups of CHUNK_ROWS: written in 8.8 s with the defaults, 5.8 s so, a sixth smaller."""
    import pyarrow as pa

    unique = set(table.key) if len(table.key) == 1 else set()
    return {
        "use_dictionary": [f.name for f in schema if f.name not in unique and not pa.types.is_timestamp(f.type)],
        "write_statistics": [f.name for f in schema if f.name not in unique],
    }


def _string_buffers(array):
    """(offsets, data, valid) of a string array, as numpy views."""
    import pyarrow as pa

    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[array.offset : array.offset + len(array) + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    return offsets, data, valid


def _fast_text(array):
    off, data, valid = _string_buffers(array)
    lengths = np.diff(off)
    if (valid & (lengths == 0)).any():
        return None  # an empty cell: the pandas rule makes it missing
    nz = valid & (lengths > 0)
    first, last = data[off[:-1][nz]], data[off[1:][nz] - 1]
    # a space (or any Unicode space: multi-byte) at either end needs the pandas strip
    if (first <= 32).any() or (first >= 0xC2).any() or (last <= 32).any() or (last >= 0x80).any():
        return None
    return array


def _fast_int(array):
    import pyarrow as pa
    import pyarrow.compute as pc

    off, data, valid = _string_buffers(array)
    if len(off) > 1 and not np.isin(data[off[0] : off[-1]], _DIGITS).all():
        return None  # commas, spaces, decimals, signs, hex: the pandas rule
    try:
        numbers = pc.cast(array, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    low, high = pc.min_max(numbers).values()
    if low.is_valid and (abs(low.as_py()) > 2**53 or abs(high.as_py()) > 2**53):
        return None  # the pandas rule goes through floats
    return numbers


def _fast_bool(array):
    import pyarrow as pa

    encoded = array.dictionary_encode()
    words = encoded.dictionary.to_pylist()
    if not set(words) <= {"true", "false"}:
        return None
    return pa.array([w == "true" for w in words], pa.bool_()).take(encoded.indices)


def _fast_stamp(array, length: int, tz: str | None):
    import pyarrow as pa
    import pyarrow.compute as pc

    off, data, valid = _string_buffers(array)
    lengths = np.diff(off)
    if not (lengths[valid] == length).all():
        return None
    starts = off[:-1][valid]
    if length == 20 and ((data[starts + 19] != ord("Z")).any() or (data[starts + 10] != ord("T")).any()):
        return None
    if length == 10 and ((data[starts + 4] != ord("-")).any() or (data[starts + 7] != ord("-")).any()):
        return None
    try:
        stamps = pc.cast(array, pa.timestamp("ns", tz))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = stamps.cast(pa.int64()).to_numpy(zero_copy_only=False)
    values = values[valid]
    if len(values) and (values.min() < _EARLIEST_NS or values.max() > _LATEST_NS):
        return None
    return stamps


def _fast_coerce(array, kind: str):
    """`array` (text) typed the way the pandas coercion would, or None to use it."""
    if kind == "text":
        return _fast_text(array)
    if kind == "int":
        return _fast_int(array)
    if kind == "bool":
        return _fast_bool(array)
    if kind == "timestamp":
        return _fast_stamp(array, 20, "UTC")
    return _fast_stamp(array, 10, None)


def coerce_arrow(chunk, table: Table, schema, first_record: int):
    """Type a chunk of text columns (a pyarrow Table with the table's columns); return the typed
    chunk with its bad rows removed, the problems (record, column, value, reason) and the records
    kept. Records are numbered from `first_record`."""
    import pyarrow as pa

    columns, problems, bad = [], [], np.zeros(chunk.num_rows, dtype=bool)
    for column in table.columns:
        kind = column_kind(table.field(column)["dtype"])
        target = schema.field(column).type
        values = chunk.column(column).combine_chunks()
        typed = None if values.null_count == len(values) and len(values) else _fast_coerce(values, kind)
        if typed is None:
            text = pd.Series(values.to_pandas(), dtype="str") if len(values) else pd.Series([], dtype="str")
            series, is_bad = _EXPECTED[kind][1](text)
            is_bad = is_bad.to_numpy(dtype=bool)
            for record in np.flatnonzero(is_bad):
                problems.append((first_record + int(record), column, text.iloc[record], bad_cell_reason(kind, text.iloc[record])))
            bad |= is_bad
            typed = pa.Array.from_pandas(series, type=target)
        columns.append(typed.cast(target))
    typed = pa.Table.from_arrays(columns, schema=schema)
    records = np.arange(first_record, first_record + chunk.num_rows, dtype=np.int64)
    if bad.any():
        typed, records = typed.filter(pa.array(~bad)), records[~bad]
    return typed, problems, records


def _quick_check(typed, table: Table) -> bool:
    """True when the chunk surely passes the contract (uniqueness aside): nulls, allowed values,
    minimums and the table's row checks, vectorised. False means: ask pandera."""
    import pyarrow as pa
    import pyarrow.compute as pc

    schema = table.model.to_schema()
    for name, column in schema.columns.items():
        values = typed.column(name)
        if not column.nullable and values.null_count:
            return False
        for check in column.checks:
            stats = check.statistics or {}
            if "allowed_values" in stats:
                present = values.unique().drop_null().to_pylist()
                if not set(present) <= set(stats["allowed_values"]):
                    return False
            elif "min_value" in stats and check.name == "greater_than_or_equal_to":
                low = pc.min(values)
                if low.is_valid and low.as_py() < stats["min_value"]:
                    return False
            else:
                return False
    if schema.checks:
        # The row checks are pandas functions; most read only dates and numbers, which convert
        # without copying, so try those columns first.
        import pyarrow as pa

        cheap = [f.name for f in typed.schema if not pa.types.is_string(f.type) and not pa.types.is_large_string(f.type)]
        frames = [typed.select(cheap).to_pandas()]
        for check in schema.checks:
            try:
                result = check._check_fn(frames[0])
            except KeyError:
                frames[0] = typed.to_pandas()
                result = check._check_fn(frames[0])
            if not bool(np.asarray(result, dtype=bool).all()):
                return False
    return True


def _hash_keys(typed, key: list[str]) -> np.ndarray:
    import duckdb

    if not key:  # nothing to de-duplicate by: one placeholder per row
        return np.zeros(typed.num_rows, dtype=np.uint64)
    keys = typed.select(key)  # noqa: F841 (DuckDB reads the local by name)
    with duckdb.connect() as con:
        quoted = ", ".join(f'"{k}"' for k in key)
        return con.execute(f"SELECT hash({quoted}) AS h FROM keys").fetchnumpy()["h"].astype(np.uint64)


def _typed_chunks(raw: RawFile, table: Table, schema):
    """(typed Arrow chunk, coercion problems, records kept) for one input file, in record order."""
    import pyarrow as pa

    if raw.stream is None:
        typed, problems = coerce_frame(raw.frame, table)
        typed = typed.drop(index=sorted({p[0] for p in problems}))
        records = typed.index.to_numpy(dtype=np.int64)
        yield pa.Table.from_pandas(typed, schema=schema, preserve_index=False), problems, records
        return
    first = 0
    # read in a thread of its own while the chunk before is typed (the caller types in another)
    for chunk in prefetched(raw.stream.chunks(CHUNK_ROWS), name=f"reading {raw.path.name}"):
        yield coerce_arrow(chunk, table, schema, first)
        first += chunk.num_rows


def _check_chunk(typed, table: Table, records: np.ndarray) -> list[tuple[int, str, object, str]]:
    """The contract's failures in one chunk, by record; uniqueness is left to de-duplication."""
    if _quick_check(typed, table):
        return []
    frame = typed.to_pandas()
    frame.index = records
    return [f for f in check_frame(frame, table)
            if f[3] != "duplicate key" and not str(f[3]).startswith(("multiple_fields_uniqueness", "field_uniqueness"))]


def _validate_chunked(name: str, entries: list[tuple[tuple, int]], raw_files: list[RawFile],
                      reports: list[FileReport], rejected_rows: list[dict], spool) -> ParquetTable:
    """One table, some of whose inputs are large: the same steps as `validate_files`, in chunks.

    Each file's typed rows are appended to a part file; keys are hashed as they go. Then rows
    merged away (their key appears later) and rows failing the contract are dropped and the
    parts become <spool>/<name>.parquet, in the order the in-memory path keeps."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pathlib import Path

    spool = Path(spool)
    spool.mkdir(parents=True, exist_ok=True)
    table = TABLES[name]
    schema = arrow_schema(table)
    parts = []  # (order, path, records kept, hashes, failures)
    for _, order in sorted(entries, key=lambda e: e[0]):
        raw, report = raw_files[order], reports[order]
        path = spool / f".{name}-{order}.part.parquet"
        records, hashes, failures = [], [], []  # records: kept records per chunk (a range when all are)
        bad_cells = []
        with pq.ParquetWriter(path, schema, **parquet_options(table, schema)) as writer:
            # the next chunk read and typed in a thread while this one is checked, hashed and written
            for typed, problems, kept in prefetched(_typed_chunks(raw, table, schema), name=f"typing {name}"):
                bad_cells += problems
                report.rows_rejected += len({p[0] for p in problems})
                failures += _check_chunk(typed, table, kept)
                hashes.append(_hash_keys(typed, table.key))
                whole = len(kept) and kept[-1] - kept[0] + 1 == len(kept)
                records.append(range(int(kept[0]), int(kept[-1]) + 1) if whole else kept)
                writer.write_table(typed, row_group_size=CHUNK_ROWS)
        if raw.stream is not None:
            report.rows_read = raw.rows_read
        # Lines looked up once the file is read: only then does its stream know whether each record
        # is one line (RawFile.line_of), or a rejected cell in the first chunk sent the lookup of
        # every line through the csv module, over the whole file.
        for record, column, value, reason in bad_cells:
            rejected_rows.append(_log(report.path, raw.line_of(record), name, raw.column_label(column), value, reason))
        records = _Records(records)
        hashes = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
        parts.append((order, path, records, hashes, failures))

    # de-duplicate: only rows whose key hash repeats are compared exactly
    drop = [np.zeros(len(p[3]), dtype=bool) for p in parts]
    merged_pairs: dict[tuple[int, int], int] = {}
    every = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, np.uint64)
    if table.key and len(every) > 1:
        ordered = np.sort(every)
        repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        if len(repeated):
            candidates = []
            for i, (order, path, records, hashes, _) in enumerate(parts):
                rows = np.flatnonzero(np.isin(hashes, repeated))
                if len(rows):
                    keys = pq.read_table(path, columns=table.key).take(pa.array(rows)).to_pandas()
                    candidates.append(keys.assign(_file=order, _part=i, _row=rows))
            keys = pd.concat(candidates, ignore_index=True)
            is_dup = keys.duplicated(subset=table.key, keep="last")
            kept_in = keys.groupby(table.key, sort=False, dropna=False)["_file"].transform("last")
            for (m, k), n in pd.DataFrame({"merged": keys.loc[is_dup, "_file"], "kept": kept_in[is_dup]}).value_counts().items():
                merged_pairs[(int(m), int(k))] = int(n)
            for i, row in zip(keys.loc[is_dup, "_part"], keys.loc[is_dup, "_row"]):
                drop[int(i)][int(row)] = True
    for (order, winner), count in sorted(merged_pairs.items()):
        reports[order].rows_merged += count
        where = "later in the same file" if winner == order else f"in {reports[winner].path}"
        reports[order].notes = [*reports[order].notes,
            f"{count:,} row(s) merged: the same {' and '.join(table.key)} appears {where}, whose figures were kept"]

    # the contract's failures, of rows not merged away
    for i, (order, path, records, hashes, failures) in enumerate(parts):
        raw = raw_files[order]
        position = {}
        failed = set()
        for record, column, value, reason in failures:
            if record not in position:
                position[record] = records.position(record)
            if drop[i][position[record]] and record not in failed:
                continue  # merged away: not checked, as in the in-memory path
            failed.add(record)
            rejected_rows.append(_log(reports[order].path, raw.line_of(int(record)), name, raw.column_label(column), value, reason))
        for record in failed:
            drop[i][position[record]] = True
        reports[order].rows_rejected += len(failed)
        reports[order].rows_accepted += int((~drop[i]).sum())

    target = spool / f"{name}.parquet"
    rows = sum(int((~d).sum()) for d in drop)
    if len(parts) == 1 and not drop[0].any():
        parts[0][1].replace(target)
        return ParquetTable(target, rows)
    with pq.ParquetWriter(target, schema, **parquet_options(table, schema)) as writer:
        if not parts:
            writer.write_table(schema.empty_table())
        for i, (order, path, *_) in enumerate(parts):
            start = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS):
                keep = ~drop[i][start : start + batch.num_rows]
                start += batch.num_rows
                writer.write_table(pa.Table.from_batches([batch]).filter(pa.array(keep)), row_group_size=CHUNK_ROWS)
            path.unlink()
    return ParquetTable(target, rows)


class _Records:
    """The input records of a part file's rows, in order: ranges where every record was kept."""

    def __init__(self, pieces: list):
        self.pieces = pieces
        self.starts = np.cumsum([0] + [len(p) for p in pieces])

    def position(self, record: int) -> int:
        for start, piece in zip(self.starts, self.pieces):
            if isinstance(piece, range):
                if piece.start <= record < piece.stop:
                    return int(start + record - piece.start)
            else:
                i = int(np.searchsorted(piece, record))
                if i < len(piece) and piece[i] == record:
                    return int(start + i)
        raise KeyError(record)
