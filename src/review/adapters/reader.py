"""The robust reader: a file as a platform (or Excel) left it -> header, records and their lines.

Everything here is about bytes and layout, nothing about meaning:

* encoding: UTF-16 (BOM), UTF-8 with or without BOM, else cp1252 (legacy Facebook);
* an Excel `sep=,` first line, and the delimiter sniffed from the header (`,`, `;` or tab);
* title and description lines above the header (Meta daily metrics, LinkedIn), and the
  legacy Facebook description row *below* it (`Lifetime: The total number of ...`);
* Excel re-wraps: every physical line saved as one quoted cell. Each physical line is decoded
  as a one-cell CSV line and the result is parsed again, so multi-line captions left bare by
  Excel come back together and each record still knows its physical line;
* duplicate header names, made unique (`Lifetime Organic Video Views (Unique Users)` /
  `(Total Count)` where the description row tells them apart, else `name (2)`);
* XLSX (and XLS with xlrd) sheets, read to the same shape, line = the sheet's row number.

Line numbers always point at physical lines of the original file, so a rejected row can be found
in a text editor.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import ReviewError

_SEP_LINE = re.compile(r"^\s*\"?sep=(.)\"?\s*$", re.IGNORECASE)
_DESCRIPTION = re.compile(r"^(Lifetime|Daily|Weekly|28 Days|Monthly|Total):", re.IGNORECASE)
_DELIMITERS = [",", ";", "\t"]
SNIFF_BYTES = 1 << 20
HEAD_RECORDS = 50  # records parsed to recognise a file; the rest is read once it is known

csv.field_size_limit(1 << 28)


@dataclass
class Sheet:
    """One table as read from a file (or one sheet of a workbook), every cell as text."""

    path: Path
    kind: str  # "CSV", "XLSX" or "XLS"
    sheet: str | None = None  # worksheet name for workbooks
    encoding: str | None = None
    delimiter: str | None = None
    preamble: list[str] = field(default_factory=list)  # title/description lines above the header
    header: list[str] = field(default_factory=list)  # as written (stripped), made unique
    header_line: int = 1
    description: dict[str, str] = field(default_factory=dict)  # column -> description row text
    rows: list[list[str]] = field(default_factory=list)  # data records, padded to the header
    lines: list[int] = field(default_factory=list)  # physical line each record starts on
    overlong: list[int] = field(default_factory=list)  # records with more cells than the header
    # (line, column) of workbook cells holding a number of 16 or more digits: Excel keeps only 15
    # significant digits, so an id stored that way may have lost its last digits
    long_numbers: set[tuple[int, str]] = field(default_factory=set)
    quirks: list[str] = field(default_factory=list)  # what the reader had to repair, in words
    complete: bool = True  # False when only the head of a large file was read

    @property
    def is_plain_csv(self) -> bool:
        """A CSV pandas can read as it stands: UTF-8, commas, header on line 1, no repairs."""
        return (
            self.kind == "CSV"
            and self.encoding in ("utf-8", "utf-8-sig")
            and self.delimiter == ","
            and self.header_line == 1
            and not self.quirks
        )


# --- bytes to text --------------------------------------------------------------------------------


def detect_encoding(head: bytes, whole: bool) -> str:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _decode(data: bytes, encoding: str, whole: bool) -> str:
    if whole:
        return data.decode(encoding)
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)


# --- records with their physical lines ------------------------------------------------------------


def _records(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """(physical start line, cells) for every CSV record in `text` (the first `limit`)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, previous_end = [], 0
    try:
        for cells in reader:
            out.append((previous_end + 1, cells))
            previous_end = reader.line_num
            if limit is not None and len(out) >= limit:
                break
    except csv.Error as exc:
        raise ReviewError(f"line {previous_end + 1}: cannot be read as CSV: {exc}") from None
    return out


def _unwrap(text: str) -> str:
    """Undo an Excel re-wrap: each physical line is one quoted cell holding the real line."""
    lines = re.split(r"\r\n|\r|\n", text)
    inner = []
    for line in lines:
        cells = next(csv.reader([line]), [""]) if line else [""]
        inner.append(cells[0] if cells else "")
    return "\n".join(inner)


def _nonempty(cells: list[str]) -> int:
    return sum(1 for c in cells if str(c).strip())


def _is_rewrapped(records: list[tuple[int, list[str]]], delimiter: str) -> bool:
    for _, cells in records[:3]:
        if _nonempty(cells) == 0:
            continue
        if _nonempty(cells) == 1 and delimiter in cells[0]:
            inner = next(csv.reader([cells[0]], delimiter=delimiter), [])
            if _nonempty(inner) >= 3:
                return True
        if _nonempty(cells) >= 2:
            return False
    return False


def _choose_delimiter(text: str) -> str:
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        try:
            records = _records(text, delimiter, limit=10)
        except ReviewError:
            continue
        count = max((_nonempty(cells) for _, cells in records), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


def read_csv_sheet(path: Path, head_only: bool = False) -> Sheet:
    """Read a CSV as the platform (or Excel) wrote it. `head_only` reads the first 1 MB: enough
    to sniff and detect, and cheap on a 60 MB register."""
    with path.open("rb") as handle:
        data = handle.read(SNIFF_BYTES if head_only else -1)
        whole = not head_only or len(data) < SNIFF_BYTES or not handle.read(1)
    encoding = detect_encoding(data, whole)
    # Fall back from a failed guess to cp1252, then to Latin-1, which decodes any bytes: a damaged
    # file (cut mid-character, a stray byte cp1252 leaves undefined) reads as text with odd
    # characters, whose cells validation then rejects or keeps, never as a crash.
    for fallback in ("cp1252", "latin-1"):
        try:
            text = _decode(data, encoding, whole)
            break
        except UnicodeDecodeError:
            encoding = fallback
    else:
        text = _decode(data, encoding, whole)
    if not whole:  # drop a possibly cut last line
        text = text[: max(text.rfind("\n"), 0)]
    sheet = Sheet(path=path, kind="CSV", encoding=encoding, complete=whole)
    if encoding == "utf-16":
        sheet.quirks.append("UTF-16 text")
    elif encoding == "cp1252":
        sheet.quirks.append("cp1252 (Windows) text")
    elif encoding == "latin-1":
        sheet.quirks.append("not valid UTF-8 or cp1252: read as Latin-1, check the characters")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    sep = _SEP_LINE.match(first_line)
    delimiter = sep.group(1) if sep else _choose_delimiter(text[:200_000])
    if sep:
        sheet.quirks.append(f"Excel 'sep={delimiter}' first line")
    elif delimiter != ",":
        sheet.quirks.append(f"'{delimiter}' delimiter (an Excel re-save)")
    sheet.delimiter = delimiter
    limit = HEAD_RECORDS if head_only else None
    records = _records(text, delimiter, limit)
    if sep:
        records = records[1:]
    if _is_rewrapped(records, delimiter):
        sheet.quirks.append("every line re-wrapped as one quoted cell by Excel")
        records = _records(_unwrap(text), delimiter, limit)
        if sep:
            records = records[1:]
    return _shape(sheet, records)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_long_number(value) -> bool:
    """A number cell of 16 or more digits. Excel keeps 15 significant digits, so when it opened
    an export and saved it as a workbook, such a number (an X, Instagram or Facebook id) was
    rounded: `1471178246792388616` comes back as `1471178246792390000`."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 1e15


def read_workbook_sheets(path: Path) -> list[Sheet]:
    """Every non-empty worksheet of an XLSX (or XLS) workbook."""
    suffix = path.suffix.lower()
    sheets = []
    if suffix == ".xls":
        try:
            import xlrd  # only needed for old LinkedIn/Facebook .xls downloads
        except ImportError:
            raise ReviewError(
                f"{path}: an .xls workbook needs the xlrd package (pip install xlrd), or save it as .xlsx"
            ) from None
        book = xlrd.open_workbook(str(path))
        for ws in book.sheets():
            rows, long_numbers = [], []
            for r in range(ws.nrows):
                row = []
                for c in range(ws.ncols):
                    cell = ws.cell(r, c)
                    value = cell.value
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    elif cell.ctype == xlrd.XL_CELL_NUMBER and _is_long_number(value):
                        long_numbers.append((r + 1, c))
                    row.append(_cell_text(value))
                rows.append((r + 1, row))
            if any(_nonempty(cells) for _, cells in rows):
                sheet = _shape(Sheet(path=path, kind="XLS", sheet=ws.name), rows)
                sheet.long_numbers = {(line, sheet.header[i]) for line, i in long_numbers if i < len(sheet.header)}
                sheets.append(sheet)
        return sheets
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise ReviewError(f"{path}: cannot be read as XLSX: {exc}") from None
    try:
        for ws in book.worksheets:
            rows, long_numbers = [], []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                rows.append((number, [_cell_text(v) for v in values]))
                long_numbers += [(number, i) for i, v in enumerate(values) if _is_long_number(v)]
            if any(_nonempty(cells) for _, cells in rows):
                sheet = _shape(Sheet(path=path, kind="XLSX", sheet=ws.title), rows)
                sheet.long_numbers = {(line, sheet.header[i]) for line, i in long_numbers if i < len(sheet.header)}
                sheets.append(sheet)
    except Exception as exc:  # a sheet damaged inside a readable zip: zlib, XML and key errors
        raise ReviewError(f"{path}: cannot be read as XLSX: {type(exc).__name__}: {exc}") from None
    finally:
        book.close()
    return sheets


# --- records to header + rows ---------------------------------------------------------------------


def _shape(sheet: Sheet, records: list[tuple[int, list[str]]]) -> Sheet:
    """Find the header (the first record with two or more cells), the lines above it, the
    description row below it; make names unique; pad rows. Blank records are not rows."""
    records = [(line, cells) for line, cells in records if _nonempty(cells)]
    start = next((i for i, (_, cells) in enumerate(records) if _nonempty(cells) >= 2), None)
    if start is None:
        sheet.header = [c.strip() for c in records[0][1]] if records else []
        sheet.header_line = records[0][0] if records else 1
        return sheet
    sheet.preamble = [" ".join(c.strip() for c in cells if c.strip()) for _, cells in records[:start]]
    if sheet.preamble:
        sheet.quirks.append(f"{len(sheet.preamble)} title line(s) above the header")
    sheet.header_line, header = records[start]
    header = [c.strip() for c in header]
    while header and not header[-1]:
        header.pop()
    if any(not h for h in header):
        header = [h or f"column {i + 1}" for i, h in enumerate(header)]
    body = records[start + 1 :]
    description: list[str] | None = None
    if body:
        first = body[0][1]
        described = [c for c in first if _DESCRIPTION.match(c.strip())]
        if described and not first[0].strip():
            description = first
            body = body[1:]
            sheet.quirks.append("description row under the header")
    sheet.header = _unique(header, description)
    if description:
        sheet.description = {
            name: description[i].strip() for i, name in enumerate(sheet.header) if i < len(description)
        }
    width = len(sheet.header)
    for line, cells in body:
        if len(cells) > width and _nonempty(cells[width:]):
            sheet.overlong.append(len(sheet.rows))
        cells = (cells + [""] * width)[:width]
        sheet.rows.append(cells)
        sheet.lines.append(line)
    if len(header) != len(set(header)):
        sheet.quirks.append("duplicate column names")
    return sheet


def _unique(header: list[str], description: list[str] | None) -> list[str]:
    counts: dict[str, int] = {}
    for name in header:
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out, seen = [], set()
    for i, name in enumerate(header):
        candidate = name
        if counts[name.lower()] > 1 and description and i < len(description):
            tail = re.search(r"\((Unique Users|Total Count)\)\s*$", description[i] or "")
            if tail:
                candidate = f"{name} ({tail.group(1)})"
        n = 2
        base = candidate
        while candidate.lower() in seen:
            candidate = f"{base} ({n})"
            n += 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def read_sheets(path: Path, head_only: bool = False) -> list[Sheet]:
    """The table(s) in one file: one for a CSV, one per non-empty worksheet for a workbook."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            return [read_csv_sheet(path, head_only=head_only)]
        except ReviewError as exc:
            raise ReviewError(f"{path}: {exc}") from None
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_workbook_sheets(path)
    raise ReviewError(f"{path}: not a CSV or Excel file")
