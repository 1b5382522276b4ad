"""Bad input, property-based: whatever lands in the data folder, ingest never crashes and loses nothing.

Hypothesis writes garbled registers and platform exports (random cells, odd dates and numbers,
wrong encodings, missing and extra columns, empty files, huge fields, random bytes, damaged XLSX
and Parquet) and runs `review ingest`'s own function (`write_ingest`) over them. Every example
must end in one of two ways:

* a `ReviewError` whose message names the file (the only error the CLI shows without a traceback);
* a result where every file's rows add up (read = accepted + rejected + merged + unused), each
  rejected row is logged once with its file and a line inside the file, the number of rows read
  matches a count made here with the csv module, and every table meets its contract.

Example counts are modest so the file runs in about a minute; `CASES` counts what was tried
per category and the last test prints it (`pytest -s` shows it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from review.inputs.contracts import TABLES
from review.errors import ReviewError
from review.inputs.ingest import write_ingest
from review.inputs.pseudonym import KEY_ENV

EXPORTS = Path("/work/shared/exports")
PERIOD = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
CASES: Counter = Counter()
MESSAGES: dict[str, list[str]] = defaultdict(list)  # a sample of the errors, for the report
# The same examples on every run (derandomize), so CI never fails on a case no one has seen;
# REVIEW_EXPLORE=1 draws new ones each run, which is how the bugs fixed so far were found.
SETTINGS = dict(deadline=None, derandomize=not os.environ.get("REVIEW_EXPLORE"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

@pytest.fixture(autouse=True, scope="module")
def pseudonym_key():
    """A key for the training registers (no SYNTHETIC.json here: the data counts as real)."""
    old = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = "bad-input-test-key-0123456789"
    yield
    if old is None:
        os.environ.pop(KEY_ENV, None)
    else:
        os.environ[KEY_ENV] = old


# --- what a cell may hold -------------------------------------------------------------------------

ODD = [
    "", " ", "NaN", "nan", "None", "NULL", "N/A", "-", "--", "inf", "-inf", "1e308", "1e-5", "0x1F", "1,000",
    "1.000,5", "١٢٣", "99999999999999999999999999", "-1", "3.5", "TRUE", "Yes", "maybe",
    "31/02/2025", "2025-02-30", "2025-13-01", "0000-00-00", "9999-12-31", "1900-01-01", "25/12/2025",
    "12/25/2025", "2025-03-30T01:30:00", "2025-10-26T01:30:00", "2025-06-01T12:00:00+14:00",
    "2025-06-01T24:00:00Z", "2025-06-01 12:00", "1735689600", "45678", "Tue, 01 Apr 2025",
    "=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "\t", "a\nb", "\"quoted\"", "semi;colon", "tab\there",
    "\x00", "\u202e", "😀", "<script>alert(1)</script>",
]


def _valid(table: str, column: str) -> st.SearchStrategy[str]:
    """A value the contract accepts, as text (ids are made unique by the caller)."""
    field = TABLES[table].field(column)
    if field["allowed"]:
        return st.sampled_from(list(field["allowed"]))
    dtype = field["dtype"]
    if "UTC" in dtype:
        return st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31)).map(lambda d: d.isoformat() + "Z")
    if dtype.startswith("datetime64"):
        return st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat)
    if dtype.lower().startswith("int"):
        return st.integers(0, 10**9).map(str)
    if dtype == "boolean":
        return st.sampled_from(["true", "false", "yes", "no", "1", "0"])
    return st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=["Cs"]), min_size=1, max_size=12)


def _cell(table: str, column: str) -> st.SearchStrategy[str]:
    return st.one_of(
        _valid(table, column),
        _valid(table, column),
        st.sampled_from(ODD),
        st.text(max_size=20),
    )


REGISTERS = ["accounts", "contacts", "incidents", "training", "compliance_checks", "critical_incidents", "audience"]


@st.composite
def register(draw, encodable: str | None = None):
    """(table, header, rows): a canonical register with a mix of good and bad cells."""
    table = draw(st.sampled_from(REGISTERS))
    columns = TABLES[table].columns
    n = draw(st.integers(0, 12))
    rows = []
    for i in range(n):
        row = [draw(_cell(table, c)) for c in columns]
        if TABLES[table].key and TABLES[table].key[0] == columns[0] and draw(st.booleans()):
            row[0] = f"id-{i}"  # mostly unique keys, so more rows get through to the checks
        rows.append(row)
    if encodable:
        rows = [[c.encode(encodable, "replace").decode(encodable) for c in r] for r in rows]
    return table, list(columns), rows


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()


def _records_after_header(text: str) -> int:
    """Data records a person would count in the file: the csv module's records after the header
    that hold something other than spaces."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    return sum(1 for r in records[1:] if any(c.strip() for c in r))


# --- the property ------------------------------------------------------------------------------------


def check_ingest(files: dict[str, bytes], category: str, expected_rows: dict[str, int] | None = None):
    """Ingest `files` (name -> bytes) from a fresh folder; assert the property. Returns the result or None."""
    CASES[category] += 1
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "out"
        data.mkdir()
        for name, content in files.items():
            (data / name).write_bytes(content)
        try:
            validated = write_ingest([data], out, PERIOD)
        except ReviewError as exc:
            message = str(exc)
            assert message.strip(), "an error says what is wrong"
            assert any(name in message for name in files), f"the message names the file: {message!r}"
            assert "Traceback" not in message
            CASES[category + " (clear error)"] += 1
            MESSAGES[category].append(message.splitlines()[0][:160])
            return None
        for f in validated.files:
            assert f.rows_read == f.rows_accepted + f.rows_rejected + f.rows_merged + f.rows_unused, f
            assert min(f.rows_read, f.rows_accepted, f.rows_rejected, f.rows_merged, f.rows_unused) >= 0
            if expected_rows is not None and f.path in expected_rows:
                assert f.rows_read == expected_rows[f.path], (f.path, f.rows_read, expected_rows[f.path])
        log = validated.rejected
        per_file = log.drop_duplicates(["file", "line"]).groupby("file").size()
        for f in validated.files:
            assert int(per_file.get(f.path, 0)) == f.rows_rejected, "each rejected row is logged, once per line"
        assert log["file"].isin([f.path for f in validated.files]).all()
        assert (log["line"].astype(int) >= 1).all()
        for name, frame in validated.tables.items():
            if len(frame):  # (empty tables are built from the contract itself)
                TABLES[name].model.validate(frame)
                assert len(pd.read_parquet(out / f"{name}.parquet")) == len(frame)
        # The log can be read back as written.
        assert len(pd.read_csv(out / "rejected-rows.csv", dtype=str, keep_default_na=False)) == len(log)
        CASES[category + " (accepted)"] += 1
        return validated


# --- registers -----------------------------------------------------------------------------------------


@settings(max_examples=40, **SETTINGS)
@given(register())
def test_garbled_register_cells(reg):
    """Random good and bad cells: odd dates, numbers, booleans, quotes, newlines, delimiters."""
    table, header, rows = reg
    text = _csv_text(header, rows)
    check_ingest({"register.csv": text.encode("utf-8")}, "CSV register: garbled cells",
                 {"register.csv": _records_after_header(text)})


@settings(max_examples=30, **SETTINGS)
@given(st.sampled_from(["utf-8-sig", "utf-16", "cp1252", "latin-1", "utf-16-le", "utf-8"]).flatmap(
    lambda enc: st.tuples(st.just(enc), register(encodable="cp1252" if enc in ("cp1252", "latin-1") else None))))
def test_register_in_other_encodings(case):
    """The same registers saved as Excel and older systems save them. UTF-16 without a BOM is not
    recognised as text: it must fail with a message naming the file, never a traceback."""
    encoding, (table, header, rows) = case
    if encoding == "latin-1":
        rows = [[c.encode("cp1252", "replace").decode("cp1252").encode("latin-1", "replace").decode("latin-1")
                 for c in r] for r in rows]
    text = _csv_text(header, rows)
    check_ingest({"register.csv": text.encode(encoding)}, "CSV register: other encodings",
                 {"register.csv": _records_after_header(text)} if encoding != "utf-16-le" else None)


@settings(max_examples=40, **SETTINGS)
@given(st.sampled_from(REGISTERS), st.data())
def test_missing_extra_and_renamed_columns(table, data):
    """Columns dropped, added, repeated, reordered and re-cased."""
    columns = list(TABLES[table].columns)
    kept = data.draw(st.lists(st.sampled_from(columns), unique=True, min_size=0, max_size=len(columns)), "kept")
    extra = data.draw(st.lists(st.sampled_from(["notes", "Officer name", "", "Unnamed: 0", "account_id", "x" * 300,
                                                "kind", "Post id", "Date"]), max_size=3), "extra")
    header = [data.draw(st.sampled_from([c, c.upper(), c.replace("_", " ").title(), f" {c} "])) for c in kept] + extra
    header = data.draw(st.permutations(header), "order")
    rows = [[data.draw(_cell(table, c.strip().lower().replace(" ", "_"))
                       if c.strip().lower().replace(" ", "_") in columns else st.text(max_size=8)) for c in header]
            for _ in range(data.draw(st.integers(0, 5)))]
    assume(header)
    text = _csv_text(header, rows)
    check_ingest({"register.csv": text.encode("utf-8")}, "CSV register: missing/extra columns")


@settings(max_examples=40, **SETTINGS)
@given(st.sampled_from([b"", b"\n", b"\r\n\r\n", b"   \n\t\n", b"\xef\xbb\xbf", b"\xff\xfe", b",,,,\n,,,\n",
                        b"account_id\n", b"sep=,\n", b"\"unterminated", b"\x00\x00\x00"]) | st.binary(max_size=200),
       st.sampled_from(["empty.csv", "empty.xlsx", "empty.parquet"]))
def test_empty_and_random_bytes(content, name):
    """Empty files, a bare BOM, only separators, NUL bytes and random bytes, under every suffix."""
    check_ingest({name: content}, "empty files and random bytes")


@settings(max_examples=4, **SETTINGS)
@given(st.integers(1, 3), st.sampled_from(["incidents", "contacts", "training"]))
def test_huge_fields(megabytes, table):
    """A multi-megabyte cell (a pasted document) is read, and rejected or kept, without a crash."""
    columns = TABLES[table].columns
    row = [
        {"incidents": "i1", "contacts": "c1", "training": "x" * (megabytes << 20)}[table] if i == 0 else ""
        for i in range(len(columns))
    ]
    row[1] = "y" * (megabytes << 20) if table != "training" else row[1]
    text = _csv_text(columns, [row, ["z" * 1000] * len(columns)])
    check_ingest({"big.csv": text.encode("utf-8")}, "huge fields", {"big.csv": 2})


# --- XLSX --------------------------------------------------------------------------------------------


XL_CELL = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)), st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.sampled_from([o for o in ODD if "\x00" not in o]),
    st.text(st.characters(min_codepoint=32, max_codepoint=0xD7FF, exclude_categories=["Cs"]), max_size=20),
)


def _xl(value):
    """Control characters cannot be stored in a worksheet at all: Excel could not have written them."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@settings(max_examples=25, **SETTINGS)
@given(register(), st.data())
def test_garbled_xlsx_register(reg, data):
    """A register saved from Excel: typed cells (numbers, dates, booleans) mixed with text, on one
    or two sheets, sometimes with title rows above the header."""
    table, header, rows = reg
    book = openpyxl.Workbook()
    sheet = book.active
    for _ in range(data.draw(st.integers(0, 2), "titles")):
        sheet.append([f"Title of {table}"])
    sheet.append(header)
    for row in rows:
        sheet.append([_xl(data.draw(st.one_of(st.just(c), XL_CELL))) for c in row])
    if data.draw(st.booleans(), "second sheet"):
        book.create_sheet("notes").append(["just a note"])
    buffer = io.BytesIO()
    book.save(buffer)
    check_ingest({"register.xlsx": buffer.getvalue()}, "XLSX register: typed and garbled cells")


@settings(max_examples=25, **SETTINGS)
@given(st.integers(0, 4000), st.binary(min_size=1, max_size=64))
def test_damaged_xlsx_and_parquet(cut, junk):
    """A workbook or Parquet file cut short or overwritten in the middle (a failed copy)."""
    book = openpyxl.Workbook()
    book.active.append(TABLES["incidents"].columns)
    book.active.append(["i1", "2025-01-02", "", "other", "work", "low", "officer", "open"])
    buffer = io.BytesIO()
    book.save(buffer)
    whole = buffer.getvalue()
    damaged = whole[:cut] + junk + whole[cut + len(junk):] if cut < len(whole) else whole[: cut % len(whole)]
    check_ingest({"register.xlsx": damaged}, "damaged XLSX")
    frame = pd.DataFrame({c: ["x"] for c in TABLES["incidents"].columns})
    pbuffer = io.BytesIO()
    frame.to_parquet(pbuffer)
    pq = pbuffer.getvalue()
    check_ingest({"register.parquet": pq[: cut % len(pq)] + junk}, "damaged Parquet")


# --- platform exports ------------------------------------------------------------------------------


EXPORT_FILES = sorted(p.name for p in EXPORTS.glob("*.csv")) if EXPORTS.is_dir() else []


@pytest.mark.skipif(not EXPORT_FILES, reason="the real platform exports are not on this machine")
@settings(max_examples=40, **SETTINGS)
@given(st.sampled_from(EXPORT_FILES or ["none"]), st.data())
def test_mutated_platform_exports(name, data):
    """A real export, damaged: cut short, lines dropped or repeated, a cell replaced by garbage,
    columns dropped, or re-encoded."""
    content = (EXPORTS / name).read_bytes()
    mutation = data.draw(st.sampled_from(["cut", "drop line", "repeat line", "garbage cell", "drop column",
                                          "re-encode", "extra cells"]), "mutation")
    lines = content.split(b"\n")
    where = data.draw(st.integers(0, max(len(lines) - 1, 0)), "line")
    if mutation == "cut":
        content = content[: data.draw(st.integers(0, len(content)), "cut at")]
    elif mutation == "drop line":
        content = b"\n".join(lines[:where] + lines[where + 1:])
    elif mutation == "repeat line":
        content = b"\n".join(lines[: where + 1] + lines[where:])
    elif mutation == "garbage cell":
        garbage = data.draw(st.sampled_from(ODD) | st.text(max_size=15), "garbage").encode("utf-8")
        cells = lines[where].split(b",")
        cells[data.draw(st.integers(0, len(cells) - 1), "cell")] = garbage
        lines[where] = b",".join(cells)
        content = b"\n".join(lines)
    elif mutation == "drop column":
        column = data.draw(st.integers(0, 12), "column")
        content = b"\n".join(b",".join(c for i, c in enumerate(line.split(b",")) if i != column) for line in lines)
    elif mutation == "re-encode":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", "replace")
        content = text.encode(data.draw(st.sampled_from(["utf-16", "cp1252", "utf-8-sig"])), "replace")
    else:
        lines[where] = lines[where] + b",extra,cells"
        content = b"\n".join(lines)
    check_ingest({name: content}, f"platform exports: {mutation}")


def test_report_cases_tried():
    """Print the cases tried per category (run with -s); fails if a category never ran."""
    print("\nbad-input cases tried:", dict(sorted(CASES.items())))
    for category, messages in sorted(MESSAGES.items()):
        print(f"  {category}: e.g.", *sorted(set(messages))[:4], sep="\n    ")
    if CASES:
        assert CASES["CSV register: garbled cells"] > 0
