"""The robust reader: a file as a platform (or Excel) left it -> header, records and their lines.

Everything here is about bytes and layout, nothing about meaning:

* what the file really is, from its first bytes, whatever its name says: text (CSV or
  tab-separated), an XLSX (zip), an old binary XLS, a SpreadsheetML 2003 XML workbook (Facebook
  Insights' "Excel" download), or something this tool cannot read (a web page, binary junk),
  which is one clear error naming the file and what was expected;
* encoding: UTF-16 (BOM), UTF-8 with or without BOM, else cp1251 (Cyrillic Windows, told apart by
  its runs of high bytes) or cp1252 (Western Windows, legacy Facebook);
* an Excel `sep=,` first line, and the delimiter sniffed from the header (`,`, `;` or tab);
* title and description lines above the header (Meta daily metrics, LinkedIn), and the
  legacy Facebook description row *below* it (`Lifetime: The total number of ...`);
* Excel re-wraps: every physical line saved as one quoted cell. Each physical line is decoded
  as a one-cell CSV line and the result is parsed again, so multi-line captions left bare by
  Excel come back together and each record still knows its physical line;
* duplicate header names, made unique (`Lifetime Organic Video Views (Unique Users)` /
  `(Total Count)` where the description row tells them apart, else `name (2)`);
* files of several titled blocks (Meta's Audience export: `Age & gender`, `Top towns/cities`),
  split into one table per block (`read_blocks`).

A whole CSV is streamed record by record and only the columns asked for are kept (`keep`), so a
legacy Facebook page export of 2,325 columns costs the two columns the review reads. Recognising
a file reads only its head (`head_only`); a sheet read that way says `complete=False` unless the
head held every record, and the ingest then reads the file again, whole.

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
from itertools import chain
from pathlib import Path
from typing import Callable, Iterable, Iterator

from review.errors import ReviewError

_SEP_LINE = re.compile(r"^\s*\"?sep=(.)\"?\s*$", re.IGNORECASE)
_DESCRIPTION = re.compile(r"^(Lifetime|Daily|Weekly|28 Days|Monthly|Total):", re.IGNORECASE)
_DELIMITERS = [",", ";", "\t"]
SNIFF_BYTES = 1 << 20
HEAD_RECORDS = 50  # records parsed to recognise a file; the rest is read once it is known
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of binary .xls (and .doc) files
_SPREADSHEETML = "urn:schemas-microsoft-com:office:spreadsheet"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
EXPECTED = "expected a CSV (or tab-separated text), an XLSX or XLS workbook, or Parquet"

csv.field_size_limit(1 << 28)

Keep = Callable[[str], bool]  # which header names to keep when reading a whole file


@dataclass
class Block:
    """One titled table of a block-style file: its title line(s), header and rows (text)."""

    title: str  # "" for a block without a title line
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # physical line each row starts on
    title_line: int  # physical line of the title (or of the header when untitled)
    subtitles: list[str] = field(default_factory=list)  # further one-cell lines above the header

    @property
    def frame(self):
        """The block as a frame of text cells, columns named by its header."""
        import pandas as pd

        header = _unique([h or f"column {i + 1}" for i, h in enumerate(self.header)], None)
        width = len(header)
        return pd.DataFrame([(r + [""] * width)[:width] for r in self.rows], columns=header, dtype=object)


@dataclass
class Sheet:
    """One table as read from a file (or one sheet of a workbook), every cell as text."""

    path: Path
    kind: str  # "CSV", "XLSX", "XLS" or "XLS (Excel 2003 XML)"
    sheet: str | None = None  # worksheet name for workbooks
    encoding: str | None = None
    delimiter: str | None = None
    preamble: list[str] = field(default_factory=list)  # title/description lines above the header
    header: list[str] = field(default_factory=list)  # as written (stripped), made unique; kept columns only
    header_line: int = 1
    description: dict[str, str] = field(default_factory=dict)  # column -> description row text
    rows: list[list[str]] = field(default_factory=list)  # data records, padded to the header
    lines: list[int] = field(default_factory=list)  # physical line each record starts on
    overlong: list[int] = field(default_factory=list)  # records with more cells than the header
    # (line, column) of workbook cells holding a number of 16 or more digits: Excel keeps only 15
    # significant digits, so an id stored that way may have lost its last digits
    long_numbers: set[tuple[int, str]] = field(default_factory=set)
    quirks: list[str] = field(default_factory=list)  # what the reader had to repair, in words
    complete: bool = True  # False when only the head of the file was read
    full_header: list[str] = field(default_factory=list)  # every column, before `keep`
    block_titles: list[str] = field(default_factory=list)  # titles of the blocks seen (block-style files)
    rewrapped: bool = False

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


# --- what a file is ---------------------------------------------------------------------------------


def sniff_kind(path: Path) -> str:
    """What the bytes say the file is: "empty", "zip" (XLSX), "ole2" (binary XLS),
    "spreadsheetml", "html", "text" or "binary". File names lie (`.xls` downloads that are XML,
    HTML or tab-separated text), so the content decides."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head.strip(b" \t\r\n\x00"):
        return "empty" if not head.strip() else "binary"
    if head.startswith(_ZIP):
        return "zip"
    if head.startswith(_OLE2):
        return "ole2"
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = head.decode("utf-16" if utf16 else "latin-1", errors="replace").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    lowered = text[:4096].lower()
    if lowered.startswith("<?xml") or lowered.startswith("<workbook"):
        if _SPREADSHEETML in lowered or "<workbook" in lowered:
            return "spreadsheetml"
        return "html" if "<html" in lowered else "binary"
    if lowered.startswith(("<!doctype html", "<html", "<table", "<head", "<meta")):
        return "html"
    if not utf16:
        controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
        if b"\x00" in head or controls > len(head) // 20:
            return "binary"
    return "text"


def _describe_bytes(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(8)
    return " ".join(f"{b:02x}" for b in head)


# --- bytes to text --------------------------------------------------------------------------------


def _looks_cyrillic(data: bytes) -> bool:
    """cp1251 against cp1252 for bytes that are not UTF-8. Cyrillic letters are all above 0xBF and
    come in runs (whole words); Western accented letters stand alone between ASCII letters
    (`Åkersberga`). Most high letters in runs of three or more: cp1251."""
    high = re.findall(rb"[\xc0-\xff]+", data)
    total = sum(len(run) for run in high)
    in_runs = sum(len(run) for run in high if len(run) >= 3)
    return total >= 6 and in_runs > total / 2


def detect_encoding(head: bytes, whole: bool) -> str:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1251" if _looks_cyrillic(head) else "cp1252"


def _decode(data: bytes, encoding: str, whole: bool) -> str:
    if whole:
        return data.decode(encoding)
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)


_ENCODING_QUIRKS = {
    "utf-16": "UTF-16 text",
    "cp1252": "cp1252 (Windows) text",
    "cp1251": "cp1251 (Cyrillic Windows) text",
    "latin-1": "not valid UTF-8, cp1251 or cp1252: read as Latin-1, check the characters",
}
_FALLBACKS = {"utf-8": "cp1252", "utf-8-sig": "cp1252", "cp1251": "cp1252", "cp1252": "latin-1"}


# --- records with their physical lines ------------------------------------------------------------


def _record_stream(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical start line, cells) for every CSV record in `lines`."""
    reader = csv.reader(lines, delimiter=delimiter)
    previous_end = 0
    try:
        for cells in reader:
            yield previous_end + 1, cells
            previous_end = reader.line_num
    except csv.Error as exc:
        raise ReviewError(f"line {previous_end + 1}: cannot be read as CSV: {exc}") from None


def _records(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """(physical start line, cells) for every CSV record in `text` (the first `limit`)."""
    out = []
    for record in _record_stream(io.StringIO(text, newline=""), delimiter):
        out.append(record)
        if limit is not None and len(out) >= limit:
            break
    return out


def _unwrap_line(line: str) -> str:
    """One physical line of an Excel re-wrap (the real line saved as one quoted cell), unwrapped."""
    body = line.rstrip("\r\n")
    cells = next(csv.reader([body]), [""]) if body else [""]
    return (cells[0] if cells else "") + "\n"


def _unwrap(text: str) -> str:
    """Undo an Excel re-wrap: each physical line is one quoted cell holding the real line."""
    return "".join(_unwrap_line(line) for line in re.split(r"\r\n|\r|\n", text))[:-1]


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


@dataclass
class _Sniffed:
    """How a text file is written, decided from its head and then used for the whole file."""

    encoding: str
    delimiter: str
    has_sep_line: bool
    rewrapped: bool
    quirks: list[str]


def _sniff_text(text: str, encoding: str) -> _Sniffed:
    quirks = [_ENCODING_QUIRKS[encoding]] if encoding in _ENCODING_QUIRKS else []
    first_line = text.split("\n", 1)[0].rstrip("\r")
    sep = _SEP_LINE.match(first_line)
    delimiter = sep.group(1) if sep else _choose_delimiter(text[:200_000])
    if sep:
        quirks.append(f"Excel 'sep={delimiter}' first line")
    elif delimiter == "\t":
        quirks.append("tab-separated text")
    elif delimiter != ",":
        quirks.append(f"'{delimiter}' delimiter (an Excel re-save)")
    head = _records(text[:200_000], delimiter, limit=4)
    rewrapped = _is_rewrapped(head[1:] if sep else head, delimiter)
    if rewrapped:
        quirks.append("every line re-wrapped as one quoted cell by Excel")
    return _Sniffed(encoding, delimiter, bool(sep), rewrapped, quirks)


def _head_text(path: Path) -> tuple[str, str, bool]:
    """(the first SNIFF_BYTES decoded, the encoding, whether that is the whole file)."""
    with path.open("rb") as handle:
        data = handle.read(SNIFF_BYTES)
        whole = len(data) < SNIFF_BYTES or not handle.read(1)
    encoding = detect_encoding(data, whole)
    # Fall back from a failed guess to cp1252, then to Latin-1, which decodes any bytes: a damaged
    # file (cut mid-character, a stray byte cp1252 leaves undefined) reads as text with odd
    # characters, whose cells validation then rejects or keeps, never as a crash.
    while True:
        try:
            text = _decode(data, encoding, whole) if encoding != "utf-16" else data.decode(encoding, errors="replace")
            break
        except UnicodeDecodeError:
            encoding = _FALLBACKS[encoding]
    if not whole:  # drop a possibly cut last line
        text = text[: max(text.rfind("\n"), 0)]
    return text, encoding, whole


def _text_records(path: Path, sniffed: _Sniffed) -> Iterator[tuple[int, list[str]]]:
    """Every record of a whole text file, streamed (the `sep=` line left out)."""
    with path.open("rb") as raw:
        # UTF-16 cut mid-character (a failed copy) keeps its good characters; any other encoding
        # that fails past the head is read again with the next guess (read_csv_sheet)
        errors = "replace" if sniffed.encoding == "utf-16" else "strict"
        lines: Iterable[str] = io.TextIOWrapper(raw, encoding=sniffed.encoding, errors=errors, newline="")
        if sniffed.rewrapped:
            lines = (_unwrap_line(line) for line in lines)
        records = _record_stream(lines, sniffed.delimiter)
        if sniffed.has_sep_line:
            next(records, None)
        yield from records


def read_csv_sheet(path: Path, head_only: bool = False, keep: Keep | None = None) -> Sheet:
    """Read a CSV (or other delimited text) as the platform (or Excel) wrote it. `head_only` reads
    the first HEAD_RECORDS records of the first 1 MB: enough to recognise the file, and cheap on a
    60 MB register; the sheet then says `complete=False` unless that was every record. A whole
    read streams the file and keeps only the columns `keep` accepts (all when None)."""
    text, encoding, whole = _head_text(path)
    sniffed = _sniff_text(text, encoding)
    if head_only:
        records = _records(_unwrap(text) if sniffed.rewrapped else text, sniffed.delimiter)
        every = records[1:] if sniffed.has_sep_line else records
        sheet = _sheet_of(path, sniffed, complete=whole and len(every) <= HEAD_RECORDS)
        sheet.block_titles = block_titles(every)
        return _shape(sheet, every[:HEAD_RECORDS], keep)
    while True:
        try:
            return _shape(_sheet_of(path, sniffed, complete=True), _text_records(path, sniffed), keep)
        except UnicodeDecodeError:  # a bad byte past the head: read it again, more forgivingly
            sniffed.quirks = [q for q in sniffed.quirks if q != _ENCODING_QUIRKS.get(sniffed.encoding)]
            sniffed.encoding = _FALLBACKS[sniffed.encoding]
            sniffed.quirks.insert(0, _ENCODING_QUIRKS[sniffed.encoding])


def _sheet_of(path: Path, sniffed: _Sniffed, complete: bool) -> Sheet:
    return Sheet(path=path, kind="CSV", encoding=sniffed.encoding, delimiter=sniffed.delimiter,
                 quirks=list(sniffed.quirks), complete=complete, rewrapped=sniffed.rewrapped)


# --- workbooks ----------------------------------------------------------------------------------------


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


def _sheet_from_rows(path: Path, kind: str, name: str, rows: list[tuple[int, list[str]]],
                     long_numbers: list[tuple[int, int]], keep: Keep | None) -> Sheet | None:
    if not any(_nonempty(cells) for _, cells in rows):
        return None
    sheet = _shape(Sheet(path=path, kind=kind, sheet=name), rows, keep)
    sheet.block_titles = block_titles(rows)
    kept = set(sheet.header)
    sheet.long_numbers = {(line, sheet.full_header[i]) for line, i in long_numbers
                          if i < len(sheet.full_header) and sheet.full_header[i] in kept}
    return sheet


RawSheet = tuple[str, list[tuple[int, list[str]]], list[tuple[int, int]]]  # name, (line, cells), long numbers


def _xls_rows(path: Path) -> Iterator[RawSheet]:
    try:
        import xlrd  # only needed for old LinkedIn/Facebook .xls downloads
    except ImportError:
        raise ReviewError(f"{path}: an .xls workbook needs the xlrd package (pip install xlrd), or save it as .xlsx") from None
    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd raises XLRDError, struct and index errors for a damaged file
        raise ReviewError(f"{path}: cannot be read as an XLS workbook ({type(exc).__name__}: {exc}); "
                          "open it in Excel and save it as .xlsx") from None
    for ws in book.sheets():
        rows, long_numbers = [], []
        for r in range(ws.nrows):
            row = []
            for c in range(ws.ncols):
                cell = ws.cell(r, c)
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    except Exception:  # a date cell holding a number no calendar has: keep the number
                        pass
                elif cell.ctype == xlrd.XL_CELL_NUMBER and _is_long_number(value):
                    long_numbers.append((r + 1, c))
                row.append(_cell_text(value))
            rows.append((r + 1, row))
        yield ws.name, rows, long_numbers


def _xlsx_rows(path: Path) -> Iterator[RawSheet]:
    from openpyxl import load_workbook

    handle = path.open("rb")  # a file object: openpyxl refuses a name not ending .xlsx (an XLSX saved as .xls)
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        handle.close()
        raise ReviewError(f"{path}: cannot be read as XLSX: {type(exc).__name__}: {exc}") from None
    try:
        for ws in book.worksheets:
            rows, long_numbers = [], []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                rows.append((number, [_cell_text(v) for v in values]))
                long_numbers += [(number, i) for i, v in enumerate(values) if _is_long_number(v)]
            yield ws.title, rows, long_numbers
    except ReviewError:
        raise
    except Exception as exc:  # a sheet damaged inside a readable zip: zlib, XML and key errors
        raise ReviewError(f"{path}: cannot be read as XLSX: {type(exc).__name__}: {exc}") from None
    finally:
        book.close()
        handle.close()


def _spreadsheetml_value(kind: str | None, text: str) -> str:
    """A SpreadsheetML `<Data ss:Type=...>` as canonical text. Numbers keep the digits written
    (XML stores them as text, so a long id is not rounded); dates lose `.000`."""
    text = text.strip() if kind in ("Number", "DateTime", "Boolean") else text
    if kind == "Number" and not re.fullmatch(r"-?\d+", text):
        try:
            return _cell_text(float(text))
        except ValueError:
            return text
    if kind == "DateTime":
        return re.sub(r"\.0+$", "", text)
    if kind == "Boolean":
        return {"1": "true", "0": "false"}.get(text, text)
    return text


def _spreadsheetml_rows(path: Path) -> Iterator[RawSheet]:
    """A SpreadsheetML 2003 workbook (XML; Facebook Insights' "Excel" download of 2014-2020, saved
    as `.xls`). Read with the standard library's streaming XML parser: its expat refuses entity
    expansion attacks and it fetches no external entities."""
    import xml.etree.ElementTree as ET

    ns = "{" + _SPREADSHEETML + "}"
    sheets: list[RawSheet] = []
    rows: list[tuple[int, list[str]]] = []
    row: list[str] = []
    row_number = column = 0
    name = ""
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == ns + "Worksheet":
                    name, rows, row_number = elem.get(ns + "Name", f"Sheet{len(sheets) + 1}"), [], 0
                elif tag == ns + "Row":
                    index = elem.get(ns + "Index")
                    row_number = int(index) if index else row_number + 1
                    row, column = [], 0
                elif tag == ns + "Cell":
                    index = elem.get(ns + "Index")
                    column = int(index) if index else column + 1
                continue
            if tag == ns + "Cell":
                data = elem.find(ns + "Data")
                value = "" if data is None else _spreadsheetml_value(data.get(ns + "Type"), "".join(data.itertext()))
                row += [""] * (column - 1 - len(row)) + [value]
                column += int(elem.get(ns + "MergeAcross") or 0)
                elem.clear()
            elif tag == ns + "Row":
                rows.append((row_number, row))
                elem.clear()
            elif tag == ns + "Worksheet":
                sheets.append((name, rows, []))
                elem.clear()
    except (ET.ParseError, ValueError) as exc:
        raise ReviewError(f"{path}: cannot be read as an Excel 2003 XML (SpreadsheetML) workbook: {exc}") from None
    yield from sheets


_WORKBOOKS = {"zip": ("XLSX", _xlsx_rows), "ole2": ("XLS", _xls_rows),
              "spreadsheetml": ("XLS (Excel 2003 XML)", _spreadsheetml_rows)}


def _raw_sheets(path: Path) -> tuple[str, Iterator[RawSheet]]:
    kind = sniff_kind(path)
    if kind not in _WORKBOOKS:
        raise ReviewError(_not_readable(path, kind))
    label, rows = _WORKBOOKS[kind]
    return label, rows(path)


def read_workbook_sheets(path: Path, keep: Keep | None = None) -> list[Sheet]:
    """Every non-empty worksheet of a workbook, whatever its suffix: XLSX (zip), binary XLS, or
    SpreadsheetML 2003 XML."""
    kind = sniff_kind(path)
    label, raw = _raw_sheets(path)
    sheets = [s for s in (_sheet_from_rows(path, label, *r, keep) for r in raw) if s]
    suffix = path.suffix.lower()
    named = {".xlsx": "zip", ".xlsm": "zip", ".xls": "ole2"}.get(suffix)
    if named and named != kind:
        what = {"zip": "an XLSX workbook", "ole2": "a binary XLS workbook", "spreadsheetml": "an Excel 2003 XML workbook"}[kind]
        for sheet in sheets:
            sheet.quirks.append(f"{what} saved with a {suffix} name")
    return sheets


def _not_readable(path: Path, kind: str) -> str:
    if kind == "html":
        return (f"{path}: is a web page (HTML) saved with a {path.suffix} name, not a table this tool reads; "
                f"open it in Excel and save it as .xlsx or CSV ({EXPECTED})")
    if kind == "empty":
        return f"{path}: the file is empty (no header row)"
    return (f"{path}: is not text or a workbook this tool reads (it starts with bytes {_describe_bytes(path)}); "
            f"{EXPECTED}. Is it damaged, or another kind of file?")


# --- records to header + rows ---------------------------------------------------------------------


def _shape(sheet: Sheet, records: Iterable[tuple[int, list[str]]], keep: Keep | None = None) -> Sheet:
    """Find the header (the first record with two or more cells), the lines above it, the
    description row below it; make names unique; keep the columns `keep` accepts; pad rows.
    Blank records are not rows. `records` is consumed once, so a whole file can stream through."""
    records = ((line, cells) for line, cells in records if _nonempty(cells))
    above = []
    for line, cells in records:
        if _nonempty(cells) >= 2:
            sheet.header_line, header = line, cells
            break
        above.append((line, cells))
    else:
        sheet.header = sheet.full_header = [c.strip() for c in above[0][1]] if above else []
        sheet.header_line = above[0][0] if above else 1
        return sheet
    sheet.preamble = [" ".join(c.strip() for c in cells if c.strip()) for _, cells in above]
    if sheet.preamble:
        sheet.quirks.append(f"{len(sheet.preamble)} title line(s) above the header")
    header = [c.strip() for c in header]
    while header and not header[-1]:
        header.pop()
    if any(not h for h in header):
        header = [h or f"column {i + 1}" for i, h in enumerate(header)]
    first = next(records, None)
    description: list[str] | None = None
    if first is not None:
        cells = first[1]
        if cells and not cells[0].strip() and any(_DESCRIPTION.match(c.strip()) for c in cells):
            description, first = cells, None
            sheet.quirks.append("description row under the header")
    sheet.full_header = _unique(header, description)
    width = len(sheet.full_header)
    indices = [i for i, name in enumerate(sheet.full_header) if keep is None or keep(name)]
    sheet.header = [sheet.full_header[i] for i in indices]
    if description:
        sheet.description = {sheet.full_header[i]: description[i].strip() for i in indices if i < len(description)}
    whole_row = len(indices) == width
    for line, cells in chain([first] if first else [], records):
        if len(cells) > width and _nonempty(cells[width:]):
            sheet.overlong.append(len(sheet.rows))
        if whole_row:
            sheet.rows.append((cells + [""] * width)[:width] if len(cells) != width else cells)
        else:
            sheet.rows.append([cells[i] if i < len(cells) else "" for i in indices])
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


# --- block-style files ----------------------------------------------------------------------------


def split_blocks(records: Iterable[tuple[int, list[str]]]) -> list[Block]:
    """A file of titled blocks (Meta's Audience export) as one `Block` per table. Blocks are
    separated by blank lines; a block's one-cell lines above its first line of two or more cells
    are its title (and subtitles), that line its header, the rest its rows. A block whose lines
    all have one cell is a one-column table under its title."""
    blocks, segment = [], []
    for line, cells in chain(records, [(0, [])]):
        if _nonempty(cells):
            segment.append((line, [c.strip() for c in cells]))
            continue
        if not segment:
            continue
        start = next((i for i, (_, c) in enumerate(segment) if _nonempty(c) >= 2), None)
        if start is None:  # one column: title, header, rows
            start = min(1, len(segment) - 1) if len(segment) > 1 else len(segment)
        titles = [" ".join(c for c in cells if c) for _, cells in segment[:start]]
        header = segment[start][1] if start < len(segment) else []
        while header and not header[-1]:
            header = header[:-1]
        body = segment[start + 1:]
        blocks.append(Block(
            title=titles[0] if titles else "", subtitles=titles[1:], header=header,
            rows=[cells for _, cells in body], lines=[line for line, _ in body], title_line=segment[0][0],
        ))
        segment = []
    return blocks


def block_titles(records: Iterable[tuple[int, list[str]]]) -> list[str]:
    """The titles of the blocks `split_blocks` finds in `records`, without building the blocks:
    what recognising a file needs from every record of its head (a register's 10,000 lines of
    one block). A block has a title when its first line has one non-empty cell (split_blocks:
    the one-cell lines above its header, or the first line of a one-column block)."""
    titles, starting = [], True
    for _, cells in records:
        if not any(str(c).strip() for c in cells):
            starting = True  # a blank line: the next non-blank line starts a block
            continue
        if starting:
            filled = [str(c).strip() for c in cells if str(c).strip()]
            if len(filled) == 1:
                titles.append(filled[0])
            starting = False
    return titles


def read_blocks(path: Path) -> list[Block]:
    """Every titled block of a block-style file (CSV, or each sheet of a workbook in turn)."""
    kind = sniff_kind(path)
    if kind == "text":
        text, encoding, _ = _head_text(path)
        return split_blocks(_text_records(path, _sniff_text(text, encoding)))
    _, raw = _raw_sheets(path)
    return [block for _, rows, _ in raw for block in split_blocks(rows)]


def read_sheets(path: Path, head_only: bool = False, keep: Keep | None = None) -> list[Sheet]:
    """The table(s) in one file: one for text, one per non-empty worksheet for a workbook. What
    the file is comes from its bytes (`sniff_kind`), not its name; a `.csv` holding a workbook or
    an `.xls` holding text is read as what it is, and said so. Anything else is one ReviewError
    naming the file and what was expected."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", *WORKBOOK_SUFFIXES):
        raise ReviewError(f"{path}: not a CSV or Excel file")
    kind = sniff_kind(path)
    try:
        if kind == "text":
            sheet = read_csv_sheet(path, head_only=head_only, keep=keep)
            if suffix != ".csv":
                sheet.quirks.append(f"a text file saved with a {suffix} name")
            return [sheet]
        if kind in ("zip", "ole2", "spreadsheetml"):
            sheets = read_workbook_sheets(path, keep)
            if suffix == ".csv":
                for sheet in sheets:
                    sheet.quirks.append("a workbook saved with a .csv name")
            return sheets
        if kind == "empty":
            return []
        raise ReviewError(_not_readable(path, kind))
    except ReviewError as exc:
        message = str(exc)
        raise ReviewError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    except (OSError, UnicodeError, csv.Error, MemoryError, ValueError) as exc:
        raise ReviewError(f"{path}: cannot be read ({type(exc).__name__}: {exc}); {EXPECTED}") from None
