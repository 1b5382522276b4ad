"""Ingest: find the input files, work out which canonical table each one holds, read it raw.

Files are matched to tables by their header row, never by file name: a register saved as
`Copy of accounts (final).xlsx` still lands in `accounts`. Headers are compared case- and
space-insensitively. Reading is raw (every cell as text or as Excel gave it); typing and checks
happen in `review.validate`, which records every cell it cannot accept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from review.contracts import TABLES, Table
from review.errors import ReviewError

# Files in a data folder that are not tables, and what they are.
KNOWN_NON_TABLES = {"readme.md": "notes", "synthetic.json": "synthetic-data marker"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".parquet"}


@dataclass
class RawFile:
    """One input file, read raw, with what is needed to point back at its lines."""

    path: Path
    table: str
    format: str
    sha256: str
    frame: pd.DataFrame  # canonical column names; cells as read
    header_row: int  # file line of the header (1-based)
    ignored_columns: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)  # optional columns the file lacked
    _line_numbers: list[int] | None = None

    @property
    def rows_read(self) -> int:
        return len(self.frame)

    def line_of(self, record: int) -> int:
        """The file line a data record (0-based) starts on.

        CSV records can span lines (quoted text with newlines), so the line is found by
        re-reading the file with the csv module; that only happens when a row is rejected.
        """
        if self.format != "canonical CSV":
            return self.header_row + 1 + record
        if self._line_numbers is None:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                next(reader, None)
                starts = []
                previous_end = reader.line_num
                for _ in reader:
                    starts.append(previous_end + 1)
                    previous_end = reader.line_num
            self._line_numbers = starts
        return self._line_numbers[record]


def normalise_header(name: object) -> str:
    """`Account ID`, ` account-id ` and `ACCOUNT_ID` all become `account_id`."""
    text = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    while "__" in text:
        text = text.replace("__", "_")
    return text


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def list_input_files(data_dir: Path) -> tuple[list[Path], list[Path]]:
    """Return (table files, other files) under `data_dir`, sorted so runs are repeatable."""
    if not data_dir.is_dir():
        raise ReviewError(f"{data_dir}: data folder not found")
    tables, others = [], []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(data_dir).parts):
            continue
        if path.suffix.lower() in TABLE_SUFFIXES:
            tables.append(path)
        else:
            others.append(path)
    return tables, others


def read_header(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                return next(csv.reader(handle), [])
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ReviewError(f"{path}: line 1: cannot read the header row: {exc}") from None
    if suffix == ".xlsx":
        frame = pd.read_excel(path, nrows=0, engine="openpyxl")
        return [str(c) for c in frame.columns]
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    raise ReviewError(f"{path}: not a CSV, XLSX or Parquet file")


def detect_table(path: Path, header: list[str]) -> Table:
    """The canonical table whose required columns the header holds; else a clear error.

    Required means non-nullable: a file may leave out columns that may be empty. Where several
    tables fit, the one sharing most columns with the header wins.
    """
    names = {normalise_header(h) for h in header}
    fits, near = [], []
    for table in TABLES.values():
        required = [c for c in table.columns if not table.field(c)["nullable"]]
        missing = [c for c in required if c not in names]
        shared = len(set(table.columns) & names)
        (near if missing else fits).append((-shared, len(missing), table.name, table, missing))
    if fits:
        return min(fits)[3]
    _, _, name, _, missing = min(near, key=lambda t: (t[1], t[0], t[2]))
    raise ReviewError(
        f"{path}: line 1: the header does not match any canonical table; closest is "
        f"'{name}', which also needs column(s) {', '.join(missing)}"
    )


def read_raw(path: Path, data_dir: Path) -> RawFile:
    """Read one file raw and match it to a canonical table."""
    header = read_header(path)
    table = detect_table(path.relative_to(data_dir), header)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
            )
            fmt = "canonical CSV"
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=object, engine="openpyxl")
            fmt = "canonical XLSX"
        else:
            frame = pd.read_parquet(path)
            fmt = "canonical Parquet"
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ReviewError(f"{path}: cannot be read as {suffix[1:].upper()}: {exc}") from None
    frame.columns = [normalise_header(c) for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise ReviewError(f"{path}: line 1: column(s) {', '.join(duplicated)} appear more than once")
    ignored = [c for c in frame.columns if c not in table.columns]
    added = [c for c in table.columns if c not in frame.columns]
    for column in added:  # detect_table guarantees these are nullable
        frame[column] = pd.NA
    frame = frame[table.columns].reset_index(drop=True)
    return RawFile(
        path=path,
        table=table.name,
        format=fmt,
        sha256=sha256_of(path),
        frame=frame,
        header_row=1,
        ignored_columns=ignored,
        added_columns=added,
    )


def read_folder(data_dir: Path) -> tuple[list[RawFile], dict]:
    """Read every table file in `data_dir`; return the raw files and the folder's metadata.

    Metadata says whether the folder is synthetic (it holds the generator's SYNTHETIC.json)
    and lists other files, which are reported, never silently passed over.
    """
    data_dir = Path(data_dir)
    table_files, other_files = list_input_files(data_dir)
    if not table_files:
        raise ReviewError(f"{data_dir}: no CSV, XLSX or Parquet files found")
    raw = [read_raw(p, data_dir) for p in table_files]
    synthetic = None
    marker = data_dir / "SYNTHETIC.json"
    if marker.exists():
        synthetic = json.loads(marker.read_text(encoding="utf-8"))
    others = [
        {"path": str(p.relative_to(data_dir)), "kind": KNOWN_NON_TABLES.get(p.name.lower(), "not a table: ignored")}
        for p in other_files
    ]
    return raw, {"synthetic": synthetic, "other_files": others}


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")
