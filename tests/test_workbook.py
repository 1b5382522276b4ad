"""The metrics workbook: structure, formats, formula-injection guard, reproducible bytes."""

from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pandas as pd
import pytest

from context_fixture import make_context
from review.context import MetricTable
from review.workbook import neutralise, write_workbook


@pytest.fixture(scope="module")
def ctx():
    return make_context()


@pytest.fixture(scope="module")
def tables(ctx):
    return [t for s in ctx.sections for t in s.tables]


@pytest.fixture(scope="module")
def path(ctx, tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "metrics.xlsx"
    write_workbook(out, tables, ctx.definitions, title=ctx.title, report_date=ctx.report_date)
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
    for table in tables:
        sheet = book[table.table_id]
        assert sheet["A1"].value == f"{table.clause} {table.title}"
        assert sheet.freeze_panes == "A4"
        assert sheet.auto_filter.ref.startswith("A3:")
        assert [c.value for c in sheet[3]][: len(table.frame.columns)] == list(table.frame.columns)
        assert sheet.column_dimensions["A"].width > 8
    incidents = book["p2_incidents"]
    assert isinstance(incidents["B4"].value, dt.datetime) and "yy" in incidents["B4"].number_format
    assert incidents["E4"].number_format == "#,##0"
    assert incidents["D4"].number_format == "#,##0.0##"
    assert book["p3_outcomes"]["C4"].number_format == '0.0"%"'
    assert book["p5_conduct"]["D7"].value is None  # missing stays blank


def test_formula_from_data_is_text_not_formula(book):
    sheet = book["p4_plain_english"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "cmd()" in c.value]
    assert cells, "the hostile value should be in the sheet"
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.value == "'=cmd()|' /C calc'!A0"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert book["p4_plain_english"]["E7"].value == "'-ve (say negative)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-x", "'-x"), ("@handle", "'@handle"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b")],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_same_input_same_bytes(ctx, tables, path, tmp_path):
    again = tmp_path / "again.xlsx"
    write_workbook(again, tables, ctx.definitions, title=ctx.title, report_date=ctx.report_date)
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
    write_workbook(out, tables, ctx.definitions, title="t", report_date=dt.date(2026, 1, 20))
    names = openpyxl.load_workbook(out).sheetnames
    assert len(names) == len({n.lower() for n in names}) == len(tables) + 2
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
