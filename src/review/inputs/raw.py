"""One input table as read, before any check: `RawFile` (what ingest reads and validation checks),
`CsvStream` (a large canonical CSV read in chunks) and the digest of a file.

Shared by review.inputs.ingest, which builds these, and review.inputs.validate, which checks them: neither
imports the other for them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from review.checksums import sha256_file
from review.errors import ReviewError

STREAM_BLOCK_BYTES = 4 << 20  # pyarrow's CSV block: bounds what the reader holds at once


@dataclass
class RawFile:
    """One input table (a file, or one sheet of a workbook), read raw, with what is needed to
    point back at its lines and to say what was decided about it."""

    path: Path
    table: str | None  # None: a recognised export the review does not use
    format: str
    sha256: str
    frame: pd.DataFrame  # canonical column names; cells as read (text for exports)
    header_row: int  # file line of the header (1-based)
    ignored_columns: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)  # optional columns the file lacked
    rel: str = ""  # path as reported (relative to the data folder, `[sheet]` for workbooks)
    sheet: str | None = None
    layout: str | None = None  # adapter layout id; None for canonical files
    platform: str | None = None
    account_id: str | None = None
    account_rule: str | None = None  # how account_id was decided, in words
    lines: list[int] | None = None  # physical line of each frame row, when known up front
    dropped: list[dict] = field(default_factory=list)  # rows dropped before validation, with reasons
    column_sources: dict[str, str] = field(default_factory=dict)  # canonical -> platform column
    rows_unused: int = 0  # rows of a recognised export the review does not use
    rows_joined: int = 0  # rows joined onto another sheet's rows (a workbook's breakdown sheet): merged
    as_of: pd.Timestamp | None = None  # latest date in the file: later exports win de-duplication
    notes: list[str] = field(default_factory=list)
    stream: CsvStream | None = None  # a large canonical CSV, read in chunks by validation
    # Frame rows from the same line are one record (Meta's Age & gender line gives a row for women
    # and one for men): counted once, accepted only when all its rows are (review.inputs.validate).
    split_records: bool = False
    _line_numbers: list[int] | None = None

    @property
    def rows_read(self) -> int:
        if self.stream is not None:
            return self.stream.rows
        frame_records = len(set(self.lines or [])) if self.split_records else len(self.frame)
        return frame_records + len(self.dropped) + self.rows_unused + self.rows_joined

    def line_of(self, record: int) -> int:
        """The file line a data record (0-based) starts on.

        CSV records can span lines (quoted text with newlines), so the line is found by
        re-reading the file with the csv module; that only happens when a row is rejected.
        """
        if self.lines is not None:
            return self.lines[record]
        if self.format != "canonical CSV":
            return self.header_row + 1 + record
        if self.stream is not None and self.stream.one_line_per_record():
            return record + 2
        if self._line_numbers is None:
            self._line_numbers = csv_record_lines(self.path)
        return self._line_numbers[record]

    def column_label(self, column: str) -> str:
        source = self.column_sources.get(column)
        return f"{column} (from {source})" if source else column


def _size_words(size: int) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} KB"


def csv_record_lines(path: Path) -> list[int]:
    """The line each data record of a plain CSV starts on (records can span lines: quoted text
    with newlines), found with the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        starts = []
        previous_end = reader.line_num
        for _ in reader:
            starts.append(previous_end + 1)
            previous_end = reader.line_num
    return starts


@dataclass
class CsvStream:
    """A large plain canonical CSV, read in chunks of text columns named as the contract names them.

    `columns` maps the file's column names (as pandas would name them: a repeated name gets `.1`)
    to canonical names, for the contract's columns the file has; `added` are the contract's
    columns it lacks (all empty). `rows` counts the records read so far."""

    path: Path
    names: list[str]  # every column of the file, in order
    columns: dict[str, str]  # file column -> canonical column
    table_columns: list[str]
    rows: int = 0
    _simple: bool | None = None
    _schema: object = None  # the reader's (set as it opens), for an empty file's one chunk

    def chunks(self, rows: int, nbytes: int = 64 << 20):
        """pyarrow Tables of about `rows` records or `nbytes` of text, whichever comes first:
        every contract column, text (or null)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        wanted = list(self.columns)
        options = dict(
            read_options=pacsv.ReadOptions(column_names=self.names, skip_rows=1, block_size=STREAM_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in wanted}, include_columns=wanted,
                strings_can_be_null=True, null_values=[""],
            ),
        )
        pending, count, size = [], 0, 0
        for batch in self._batches(options):
            pending.append(batch)
            count += batch.num_rows
            size += batch.nbytes
            if count >= rows or size >= nbytes:
                yield self._shape(pa.Table.from_batches(pending))
                pending, count, size = [], 0, 0
        if pending or self.rows == 0:
            yield self._shape(pa.Table.from_batches(pending, schema=self._schema))

    def _batches(self, options: dict):
        """The file's record batches; a record with more or fewer fields than the header stops
        the run with the file, the line and what was expected (found with the csv module:
        pyarrow's streaming reader does not know line numbers)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        try:
            reader = pacsv.open_csv(self.path, **options)
            self._schema = reader.schema
            yield from reader
        except pa.ArrowInvalid as exc:
            raise ReviewError(self._bad_record(exc)) from None

    def _bad_record(self, exc) -> str:
        if "straddl" in str(exc):
            return self._oversized_record()
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            for record in reader:
                if len(record) != len(self.names):
                    return (f"{self.path.name}: line {reader.line_num}: expected {len(self.names)} fields, as in the "
                            f"header, found {len(record)}; fix that row (a comma or quote out of place) and run again")
        return f"{self.path.name}: cannot be read as CSV: {exc}"

    def _oversized_record(self) -> str:
        """pyarrow's "straddling object ... (try to increase block size?)": a record longer than the
        reader's block, which only a quote left open (the rest of the file becomes one cell) or a
        cell pasted in by mistake makes. Say where it starts, how big it is and what to do."""
        limit = _size_words(STREAM_BLOCK_BYTES)
        why = (f"; the review reads a large file {limit} at a time, and a row must fit. A cell this long is "
               "almost always a quote (\") opened and not closed, which makes the rest of the file one cell: "
               "close it (or cut the cell) and run again")
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            start = 1
            try:
                for record in reader:
                    size = sum(len(cell.encode("utf-8")) for cell in record)
                    if size >= STREAM_BLOCK_BYTES:
                        longest = max(range(len(record)), key=lambda i: len(record[i]))
                        column = self.names[longest] if longest < len(self.names) else f"field {longest + 1}"
                        return (f"{self.path.name}: line {start}: the row is {_size_words(size)} long (column "
                                f"{column} holds {_size_words(len(record[longest].encode('utf-8')))}, running to "
                                f"line {reader.line_num})" + why)
                    start = reader.line_num + 1
            except csv.Error:
                pass  # a cell beyond even the csv module's limit
        return f"{self.path.name}: line {start}: a row longer than {limit} starts here" + why

    def _shape(self, chunk):
        import pyarrow as pa

        self.rows += chunk.num_rows
        named = chunk.rename_columns([self.columns[n] for n in chunk.column_names])
        arrays = [named.column(c) if c in named.column_names else pa.nulls(chunk.num_rows, pa.string())
                  for c in self.table_columns]
        return pa.Table.from_arrays(arrays, names=self.table_columns)

    def one_line_per_record(self) -> bool:
        """True when every record is one physical line (no line breaks inside quotes, no blank
        lines): then record i is on line i + 2, without re-reading the file with the csv module."""
        if self._simple is None:
            newlines, last = 0, b""
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    newlines += block.count(b"\n")
                    last = block[-1:]
            self._simple = newlines == self.rows + (1 if last == b"\n" else 0)
        return self._simple


def csv_names(path: Path) -> list[str]:
    """The header of a plain CSV with repeated names made unique as pandas makes them (`x`, `x.1`)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    counts: dict[str, int] = {}
    names = []
    for name in header:
        seen = counts.get(name, 0)
        names.append(name if not seen else f"{name}.{seen}")
        counts[name] = seen + 1
    return names


# The one checksum of a file (review.checksums), under the name ingest and the sample use.
sha256_of = sha256_file
