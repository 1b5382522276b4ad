"""The metrics workbook: structure, formats, formula-injection guard, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import openpyxl
import pandas as pd
import pytest

from context_fixture import make_context
from review.context import MetricTable
from review.cells import FORMULA_TRIGGERS, guard
from review.outputs.workbook import write_workbook


@pytest.fixture(scope="module")
def ctx():
    return make_context()


@pytest.fixture(scope="module")
def tables(ctx):
    return [t for s in ctx.sections for t in s.tables]


@pytest.fixture(scope="module")
def path(ctx, tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "metrics.xlsx"
    write_workbook(out, tables, ctx.definitions, title=ctx.title, report_date=ctx.report_date,
                   marking=ctx.marking)
    return out


@pytest.fixture(scope="module")
def book(path):
    return openpyxl.load_workbook(path)


def test_contents_first_definitions_last_one_sheet_per_table(book, tables):
    assert book.sheetnames[0] == "Contents"
    assert book.sheetnames[-1] == "Definitions"
    assert len(book.sheetnames) == len(tables) + 2
    contents = book["Contents"]
    links = {c.value: c.hyperlink.location for c in contents["A"] if c.hyperlink is not None}
    for name in book.sheetnames[1:]:
        assert links[name] == f"'{name}'!A1"
    titles = [c.value for c in contents["B"]]
    clauses = [c.value for c in contents["C"]]
    for table in tables:
        assert table.title in titles
        assert table.clause in clauses


def test_table_sheets_are_formatted(book, tables):
    """Title in row 1, then an Excel Table (ListObject) with its header on row 2, then the note."""
    for table in tables:
        sheet = book[table.table_id]
        assert sheet["A1"].value == f"{table.clause} {table.title}"
        assert sheet.freeze_panes == "A3"
        [(name, ref)] = sheet.tables.items()
        last = chr(ord("A") + len(table.frame.columns) - 1)
        assert ref == f"A2:{last}{2 + max(len(table.frame), 1)}", (table.table_id, ref)
        assert [c.value for c in sheet[2]][: len(table.frame.columns)] == [table.label(c) for c in table.frame.columns]
        if table.note:
            assert sheet.cell(2 + max(len(table.frame), 1) + 2, 1).value == table.note
        assert sheet.column_dimensions["A"].width > 8
    incidents = book["p2_incidents"]
    assert isinstance(incidents["B3"].value, dt.datetime) and "yy" in incidents["B3"].number_format
    assert incidents["E3"].number_format == "#,##0"
    assert incidents["D3"].number_format == "#,##0.0"
    # a share is a fraction under a % format: 50.9% is stored as 0.509
    assert book["p3_outcomes"]["C3"].number_format == "0.0%" and book["p3_outcomes"]["C3"].value == pytest.approx(0.509)
    assert book["p5_conduct"]["D6"].value is None  # missing stays blank


def test_cell_types(book):
    """Whole numbers without decimals, zeros as numbers, small counts as their mark, dates as dates."""
    conduct = book["p5_conduct"]
    # the fixture's conduct table: work [2, 3, 0, 1] (2, 3, 1 suppressed), personal [6 withheld, 4, 2, 0]
    assert [conduct.cell(r, 2).value for r in range(3, 7)] == ["<5", "<5", 0, "<5"]
    assert [conduct.cell(r, 3).value for r in range(3, 7)] == ["[c]", "<5", "<5", 0]
    zero = conduct.cell(5, 2)
    assert zero.data_type == "n" and zero.number_format == "#,##0"
    accounts = book["p1_accounts"]
    impressions = accounts.cell(3, 4)
    assert impressions.value == 6_120_400 and isinstance(impressions.value, int) and impressions.number_format == "#,##0"
    assert accounts.cell(3, 5).value == pytest.approx(0.029) and accounts.cell(3, 5).number_format == "0.0%"


def test_formula_from_data_is_text_not_formula(book):
    sheet = book["p4_plain_english"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "cmd()" in c.value]
    assert cells, "the hostile value should be in the sheet"
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.value == "'=cmd()|' /C calc'!A0"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert book["p4_plain_english"]["E6"].value == "'-ve (say negative)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-x", "'-x"), ("@handle", "'@handle"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b")],
)
def test_guard(value, expected):
    assert guard(value) == expected


# No NUL: XML cannot hold one, and a raw NUL in a cell makes the whole file unreadable (ingest's
# business to remove it from data text first).
TRIGGERED = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\uff1dSUM(A1)"]


def test_every_text_cell_title_header_and_note_is_guarded(tmp_path, ctx):
    """A table whose title, column names, note and text cells start with each trigger: every
    string cell read back starts with no trigger; the numbers stay numbers."""
    frame = pd.DataFrame({value: [value, "plain"] for value in TRIGGERED} | {"n": [-1, 2]})
    table = MetricTable("hostile", "P1", "=title()", frame, note="@note")
    out = tmp_path / "hostile.xlsx"
    write_workbook(out, [table], ctx.definitions, title="+t", report_date=dt.date(2026, 1, 20), marking="OFFICIAL")
    book = openpyxl.load_workbook(out)
    strings = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert [s for s in strings if s.startswith(FORMULA_TRIGGERS)] == []
    sheet = book["hostile"]
    assert sheet["A1"].value == "P1 =title()"  # the clause comes first: nothing to guard
    def read(cell):  # openpyxl leaves the file's escape of a carriage return as it is; Excel reads "\r"
        return cell.value.replace("_x000D_", "\r") if isinstance(cell.value, str) else cell.value

    assert [read(c) for c in sheet[2]][: len(TRIGGERED)] == ["'" + v for v in TRIGGERED]
    assert [read(c) for c in sheet[3]] == ["'" + v for v in TRIGGERED] + [-1]
    assert sheet.cell(sheet.max_row, 1).value == "'@note"


def test_every_sheet_and_the_properties_carry_the_marking(tmp_path, ctx, tables):
    """Read back with openpyxl: the marking in each sheet's printed header and footer (odd pages,
    the only kind the workbook sets), and in the document properties, core and custom."""
    out = tmp_path / "marked.xlsx"
    marking = "OFFICIAL-SENSITIVE & PERSONAL"
    write_workbook(out, tables, ctx.definitions, title=ctx.title, report_date=ctx.report_date, marking=marking)
    book = openpyxl.load_workbook(out)
    assert len(book.worksheets) == len(tables) + 2
    for sheet in book.worksheets:
        header, footer = sheet.oddHeader.center, sheet.oddFooter.center
        # "&" is the header's control character: the file holds "&&", which Excel prints as "&".
        assert header.text == footer.text == marking.replace("&", "&&"), sheet.title
        assert header.font == footer.font == "-,Bold"
        assert sheet.oddFooter.right.text == "Page &P of &N"
    props = book.properties
    assert props.category == props.keywords == marking
    assert props.title == f"{marking}: {ctx.title}" and props.description.startswith(marking)
    assert {p.name: p.value for p in book.custom_doc_props.props} == {"Protective marking": marking}


def test_same_input_same_bytes(ctx, tables, path, tmp_path):
    again = tmp_path / "again.xlsx"
    write_workbook(again, tables, ctx.definitions, title=ctx.title, report_date=ctx.report_date,
                   marking=ctx.marking)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
    assert openpyxl.load_workbook(again).properties.created == dt.datetime(2026, 1, 20)


def test_sheet_names_are_short_unique_and_valid(tmp_path, ctx):
    frame = pd.DataFrame({"A": [1]})
    long_id = "p3_response_times_by_channel_and_hour_of_week"
    tables = [
        MetricTable(table_id=long_id, clause="P3", title="One", frame=frame),
        MetricTable(table_id=long_id, clause="P3", title="Two", frame=frame),
        MetricTable(table_id="contents", clause="P1", title="Clash", frame=frame),
        MetricTable(table_id="a/b:c*d?[e]", clause="P1", title="Odd", frame=frame),
        MetricTable(table_id="empty", clause="P1", title="Empty", frame=frame.iloc[0:0]),
    ]
    out = tmp_path / "names.xlsx"
    write_workbook(out, tables, ctx.definitions, title="t", report_date=dt.date(2026, 1, 20), marking="OFFICIAL")
    names = openpyxl.load_workbook(out).sheetnames
    assert len(names) == len({n.lower() for n in names}) == len(tables) + 2
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


# --- the sample year's workbook, against its report and its data ----------------------------------

UNIT_WORDS = {"number", "people", "per cent", "minutes", "days", "score or rate"}


def _as_the_report_words_it(value, unit: str) -> str:
    """A headline sheet cell written out as the report's cards word it, by rules written here:
    counts with separators ("1.2 million" from a million), shares with one decimal, durations in
    minutes or hours and minutes, days, rates with one decimal; marks as they are."""
    if value is None:
        return "not measured"
    if isinstance(value, str):
        return "withheld" if value == "[c]" else value
    if unit in ("number", "people"):
        if abs(value) >= 1e6:
            return f"{value / 1e6:.1f} million"
        return f"{value:,.0f}"
    if unit == "per cent":
        return f"{100 * value:.1f}%"
    if unit == "minutes":
        total = round(value)
        if total < 60:
            return "1 minute" if total == 1 else f"{total} minutes"
        hours, minutes = divmod(total, 60)
        return (f"{hours} hour" + ("s" if hours != 1 else "")) if minutes == 0 else f"{hours} h {minutes} min"
    if unit == "days":
        return "1 day" if round(value) == 1 else f"{round(value):,} days"
    return f"{value:,.1f}"


@pytest.fixture(scope="module")
def sample():
    from sample_run import sample_run

    return sample_run()


@pytest.fixture(scope="module")
def sample_book(sample):
    return openpyxl.load_workbook(sample.workbook)


def _rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[2]]
    return [dict(zip(header, (c.value for c in row), strict=False)) for row in sheet.iter_rows(min_row=3)
            if any(c.value is not None for c in row) and row[0].row <= 2 + sheet.max_row]


def test_headline_sheet_equals_the_reports_figures(sample, sample_book):
    """Every card in the HTML report shows the figure the Headline measures sheet holds."""
    import html5lib

    sheet = sample_book["Headline measures"]
    [(_, ref)] = sheet.tables.items()
    rows = [r for r in _rows(sheet) if r.get("Metric id") and r["Clause"]]
    assert len(rows) == int(ref.split(":")[1][1:]) - 2, "every row is in the Excel Table"
    document = html5lib.parse(sample.html.read_text(encoding="utf-8"), namespaceHTMLElements=False)
    cards = {}
    for li in document.iter("li"):
        if "card" in (li.get("class") or "").split():
            paragraphs = {p.get("class"): "".join(p.itertext()).strip() for p in li.iter("p")}
            cards[paragraphs["card-title"]] = paragraphs["card-value"]
    assert len(cards) >= 20, "the report has a card for every measure"
    for r in rows:
        assert r["Unit"] in UNIT_WORDS, r
        if r["Measure"] in cards:
            assert _as_the_report_words_it(r["Value"], r["Unit"]) == cards[r["Measure"]], r
    assert {r["Measure"] for r in rows} >= set(cards)


def test_headline_sheet_against_the_data(sample, sample_book):
    """Posts and impressions of the year, counted here from posts.csv (review year, UK time)."""
    import csv
    from zoneinfo import ZoneInfo

    from sample_run import YEAR

    posts = impressions = 0
    with (sample.data / "posts.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            when = dt.datetime.fromisoformat(r["published_at"].replace("Z", "+00:00")).astimezone(ZoneInfo("Europe/London"))
            if when.year == YEAR:
                posts += 1
                impressions += int(float(r["impressions"])) if r["impressions"] else 0
    by_id = {r["Metric id"]: r for r in _rows(sample_book["Headline measures"])}
    assert by_id["p1_posts"]["Value"] == posts and isinstance(by_id["p1_posts"]["Value"], int)
    assert by_id["p1_impressions"]["Value"] == impressions
    share = by_id["p1_engagement_rate_pct"]
    assert 0 < share["Value"] < 1 and share["Unit"] == "per cent", "a share is a fraction"
    assert by_id["p1_posts"]["Measured"] is True


def test_sample_workbook_cell_types(sample_book):
    """Every table sheet is an Excel Table with typed cells: no number stored as text, no "77,024.0"."""
    for name in sample_book.sheetnames:
        sheet = sample_book[name]
        assert len(sheet.tables) == 1, name
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.fullmatch(r"-?[\d,]+(\.\d+)?%?", cell.value), (name, cell.coordinate, cell.value)
                if isinstance(cell.value, float) and cell.value.is_integer() and cell.number_format == "#,##0":
                    pass  # stored as a float by Excel itself; shown without decimals
                if cell.number_format.endswith("%") and isinstance(cell.value, int | float):
                    assert -1.5 <= cell.value <= 1.5, (name, cell.coordinate, cell.value)
    months = sample_book["p1_by_month"]
    assert isinstance(months["A3"].value, dt.datetime) and months["A3"].number_format == "mmmm yyyy"
    figures = [n for n in sample_book.sheetnames if n.startswith("Figure ")]
    assert len(figures) >= 6, "the data of every chart"
