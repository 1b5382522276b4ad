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

import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import pandera.errors

from review.contracts import TABLES, Table
from review.errors import ReviewError
from review.ingest import RawFile

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


def _coerce_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = series.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False)] = True
    out[text.isin(_FALSE).fillna(False)] = False
    bad = ~_blank(series) & out.isna()
    return out, bad


def _coerce_timestamp(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 8601 with an offset is taken as given; a time without one is UK local time,
    as registers kept in Excel record it. Stored in UTC."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        ranged = _in_range(series)
        return ranged.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), series.notna() & ranged.isna()
    if pd.api.types.is_datetime64_dtype(series.dtype):
        local = _in_range(series).dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")
        return local.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), series.notna() & local.isna()
    text = series.astype("string").str.strip()
    has_offset = text.str.contains(_HAS_OFFSET, na=False)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]")
    if has_offset.any():
        out[has_offset] = _in_range(pd.to_datetime(text[has_offset], utc=True, errors="coerce", format="ISO8601"))
    naive = ~has_offset & ~_blank(series)
    if naive.any():
        parsed = _parse_naive(text[naive])
        local = parsed.dt.tz_localize(LOCAL_TZ, ambiguous="NaT", nonexistent="shift_forward")
        out[naive] = local.dt.tz_convert("UTC")
    bad = ~_blank(series) & out.isna()
    return out, bad


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
    "bool": ("true or false", _coerce_bool),
    "timestamp": ("a date and time (ISO 8601, e.g. 2025-03-04T17:05:00Z)", _coerce_timestamp),
    "date": ("a date (YYYY-MM-DD or DD/MM/YYYY)", _coerce_date),
}


def column_kind(dtype: str) -> str:
    if "UTC" in dtype:
        return "timestamp"
    if dtype.startswith("datetime64"):
        return "date"
    if dtype.lower().startswith("int"):
        return "int"
    if dtype == "boolean":
        return "bool"
    return "text"


def coerce_frame(frame: pd.DataFrame, table: Table) -> tuple[pd.DataFrame, list[tuple[int, str, object, str]]]:
    """Type every column; return the typed frame and (record, column, value, reason) per bad cell."""
    typed, problems = {}, []
    for column in table.columns:
        kind = column_kind(table.field(column)["dtype"])
        expected, coerce = _EXPECTED[kind]
        typed[column], bad = coerce(frame[column])
        for record in np.flatnonzero(bad.to_numpy()):
            problems.append((int(record), column, frame[column].iloc[record], f"expected {expected}"))
    return pd.DataFrame(typed, index=frame.index), problems


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
    if text.startswith("field_uniqueness") or text.startswith("multiple_fields_uniqueness"):
        return "duplicate key"
    return text


# --- the stage ---------------------------------------------------------------------------------


def validate_files(raw_files: list[RawFile], data_dir=None) -> Validated:
    """Type, de-duplicate and check every raw file; return canonical tables and the log.

    `data_dir` is only used for files read without a reported path (`RawFile.rel`)."""
    reports: list[FileReport] = []
    rejected_rows: list[dict] = []
    parts: dict[str, list[tuple[tuple, pd.DataFrame]]] = {name: [] for name in TABLES}

    for order, raw in enumerate(raw_files):
        rel = raw.rel or str(raw.path.relative_to(data_dir))
        report = FileReport(
            path=rel,
            table=raw.table,
            format=raw.format,
            sha256=raw.sha256,
            rows_read=raw.rows_read,
            rows_unused=raw.rows_unused,
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
        if raw.table is None:
            continue
        table = TABLES[raw.table]
        typed, problems = coerce_frame(raw.frame, table)
        bad_records = {p[0] for p in problems}
        for record, column, value, reason in problems:
            rejected_rows.append(_log(rel, raw.line_of(record), raw.table, raw.column_label(column), value, reason))
        report.rows_rejected += len(bad_records)
        typed = typed.drop(index=sorted(bad_records))
        typed["_file"] = order
        typed["_record"] = typed.index
        as_of = raw.as_of if raw.as_of is not None and not pd.isna(raw.as_of) else None
        parts[raw.table].append(((as_of is not None, as_of or pd.Timestamp(0, tz="UTC"), order), typed))

    tables: dict[str, pd.DataFrame] = {}
    for name, keyed in parts.items():
        table = TABLES[name]
        if not keyed:
            tables[name] = _empty(table)
            continue
        frames = [frame for _, frame in sorted(keyed, key=lambda t: t[0])]
        combined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        combined, merged = _deduplicate(combined, table)
        for (order, winner), count in sorted(merged.items()):
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
        for order, count in combined.loc[failed_rows, "_file"].value_counts().items():
            reports[int(order)].rows_rejected += int(count)
        kept = combined.drop(index=failed_rows)
        for order, count in kept["_file"].value_counts().items():
            reports[int(order)].rows_accepted += int(count)
        tables[name] = table.model.validate(
            kept.drop(columns=["_file", "_record"]).reset_index(drop=True)
        )

    rejected = pd.DataFrame(rejected_rows, columns=REJECTED_COLUMNS)
    rejected = rejected.sort_values(["file", "line", "column"], kind="stable").reset_index(drop=True)
    return Validated(tables=tables, rejected=rejected, files=reports)


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
