"""Write the metrics workbook: every metric table on its own sheet, for analysts.

Decisions:

- XlsxWriter with `strings_to_formulas`, `strings_to_urls` and `strings_to_numbers` off, so text
  from data stays text.
- Defence in depth against formula (CSV/XLSX) injection, as OWASP ASVS 5.0 1.2.10 and CWE-1236
  ask: any text cell that starts with `=`, `+`, `-`, `@`, tab, carriage return or NUL is written
  with a leading apostrophe character (`'`), e.g. `=cmd()` becomes `'=cmd()`. Excel shows the
  apostrophe as part of the text; analysts who need the original strip one leading `'`. Numbers
  are written as numbers, so `-5` is unaffected.
- Reproducible bytes: the document properties (created date) are fixed from `report_date`,
  never the clock, and sheets, columns and rows are written in their given order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from review.context import MetricDefinition, MetricTable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEETS = {"contents", "definitions", "history"}

HEADER_ROW = 2  # zero-based: title in row 0, note in row 1, header in row 2, data after


def neutralise(value: str) -> str:
    """Prefix `'` to text that a spreadsheet would otherwise run as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _sheet_name(table: MetricTable, used: set[str]) -> str:
    """A valid, unique sheet name (≤31 characters, no []:*?/\\, case-insensitively unique)."""
    base = _SHEET_FORBIDDEN.sub("_", table.table_id).strip("'") or "table"
    base = base[:SHEET_NAME_MAX]
    name, counter = base, 1
    while name.lower() in used or name.lower() in _RESERVED_SHEETS:
        counter += 1
        suffix = f"_{counter}"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(name.lower())
    return name


def _column_kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        label = str(series.name).lower()
        if "%" in label or label.endswith("pct") or "per cent" in label:
            return "pct"
        return "float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    values = series.dropna()
    if len(values) and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values):
        return "date"
    if len(values) and all(isinstance(v, dt.datetime) for v in values):
        return "datetime"
    return "text"


def _width(label: str, texts: list[str]) -> float:
    longest = max([len(label), *(len(t) for t in texts)], default=8)
    return float(min(max(longest + 2, 8), 60))


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def write_workbook(
    path: Path,
    tables: list[MetricTable],
    definitions: list[MetricDefinition],
    *,
    title: str,
    report_date: dt.date,
) -> None:
    """Write `path`: a Contents sheet, one formatted sheet per table, and a Definitions sheet.

    Each table sheet has a title row, an optional note, a frozen header row, an autofilter,
    column widths from the content and number formats by column type (whole numbers with
    thousands separators, decimals, percentages on the 0-100 scale shown with "%"-suffixed
    numbers, dates as "31 Dec 2025"). Missing values are blank cells.
    """
    path = Path(path)
    created = dt.datetime(report_date.year, report_date.month, report_date.day)
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "d mmm yyyy",
            "remove_timezone": True,
        },
    )
    try:
        workbook.set_properties(
            {
                "title": title,
                "subject": "Metric tables behind the annual social media review",
                "author": "policy-review",
                "company": "",
                "comments": "Text cells starting with = + - @ tab or CR are prefixed with ' (formula guard).",
                "created": created,
            }
        )
        fmt = {
            "title": workbook.add_format({"bold": True, "font_size": 14, "font_color": "#1d3557"}),
            "note": workbook.add_format({"italic": True, "font_color": "#505a5f"}),
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#f3f2f1", "bottom": 2, "text_wrap": True, "valign": "bottom"}
            ),
            "text": workbook.add_format({"valign": "top"}),
            "wrap": workbook.add_format({"valign": "top", "text_wrap": True}),
            "int": workbook.add_format({"num_format": "#,##0", "valign": "top"}),
            "float": workbook.add_format({"num_format": "#,##0.0##", "valign": "top"}),
            "pct": workbook.add_format({"num_format": '0.0"%"', "valign": "top"}),
            "date": workbook.add_format({"num_format": "d mmm yyyy", "valign": "top"}),
            "datetime": workbook.add_format({"num_format": "d mmm yyyy hh:mm", "valign": "top"}),
            "link": workbook.add_format({"font_color": "#1d70b8", "underline": 1}),
        }

        used: set[str] = set()
        names = [_sheet_name(table, used) for table in tables]

        contents = workbook.add_worksheet("Contents")
        contents.write_string(0, 0, neutralise(title), fmt["title"])
        contents.write_string(
            1, 0, f"Report date {report_date.day} {report_date:%B %Y}. One sheet per table; "
            "definitions of every measure are on the Definitions sheet.", fmt["note"]
        )
        headers = ["Sheet", "Table", "Clause", "Rows"]
        for col, label in enumerate(headers):
            contents.write_string(3, col, label, fmt["header"])
        for row, (name, table) in enumerate(zip(names, tables, strict=True), start=4):
            contents.write_url(row, 0, f"internal:'{name}'!A1", fmt["link"], string=name)
            contents.write_string(row, 1, neutralise(table.title), fmt["text"])
            contents.write_string(row, 2, neutralise(table.clause), fmt["text"])
            contents.write_number(row, 3, len(table.frame), fmt["int"])
        last = 4 + len(tables)
        contents.write_url(last, 0, "internal:'Definitions'!A1", fmt["link"], string="Definitions")
        contents.write_string(last, 1, "What each measure means and how it is worked out", fmt["text"])
        contents.freeze_panes(4, 0)
        contents.set_column(0, 0, max(12, *(len(n) + 2 for n in names)) if names else 14)
        contents.set_column(1, 1, _width("Table", [t.title for t in tables]))
        contents.set_column(2, 3, 9)

        for name, table in zip(names, tables, strict=True):
            _write_table_sheet(workbook.add_worksheet(name), table, fmt)

        _write_definitions(workbook.add_worksheet("Definitions"), definitions, fmt)
        contents.activate()
    finally:
        workbook.close()


def _write_table_sheet(sheet, table: MetricTable, fmt: dict) -> None:
    frame = table.frame
    sheet.write_string(0, 0, neutralise(f"{table.clause} {table.title}"), fmt["title"])
    if table.note:
        sheet.write_string(1, 0, neutralise(table.note), fmt["note"])
    kinds = [_column_kind(frame[c]) for c in frame.columns]
    for col, label in enumerate(frame.columns):
        sheet.write_string(HEADER_ROW, col, neutralise(str(label)), fmt["header"])
    for r, row in enumerate(frame.itertuples(index=False, name=None), start=HEADER_ROW + 1):
        for c, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            _write_cell(sheet, r, c, value, kind, fmt)
    for col, (label, kind) in enumerate(zip(frame.columns, kinds, strict=True)):
        texts = [str(v) for v in frame.iloc[:, col].tolist()]
        width = 14 if kind in ("date", "datetime") else _width(str(label), texts)
        sheet.set_column(col, col, min(width, 45 if kind == "text" else 18))
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    if len(frame.columns):
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(frame), 1), len(frame.columns) - 1)


def _write_cell(sheet, row: int, col: int, value: object, kind: str, fmt: dict) -> None:
    if _is_missing(value):
        sheet.write_blank(row, col, None, fmt["text"])
    elif isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, col, bool(value), fmt["text"])
    elif isinstance(value, dt.datetime | pd.Timestamp):
        stamp = pd.Timestamp(value).tz_localize(None) if pd.Timestamp(value).tzinfo else pd.Timestamp(value)
        sheet.write_datetime(row, col, stamp.to_pydatetime(), fmt["datetime" if kind == "datetime" else "date"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt["date"])
    elif isinstance(value, int | float) or pd.api.types.is_number(value):
        number = float(value)  # type: ignore[arg-type]
        style = kind if kind in ("int", "float", "pct") else ("int" if number.is_integer() else "float")
        sheet.write_number(row, col, number, fmt[style])
    else:
        sheet.write_string(row, col, neutralise(str(value)), fmt["wrap"])


def _write_definitions(sheet, definitions: list[MetricDefinition], fmt: dict) -> None:
    sheet.write_string(0, 0, "Metric definitions", fmt["title"])
    headers = ["Metric id", "Clause", "Measure", "What it means", "Formula", "Unit"]
    for col, label in enumerate(headers):
        sheet.write_string(HEADER_ROW, col, label, fmt["header"])
    for row, d in enumerate(definitions, start=HEADER_ROW + 1):
        for col, value in enumerate([d.metric_id, d.clause, d.title, d.definition, d.formula, d.unit]):
            sheet.write_string(row, col, neutralise(value), fmt["wrap"])
    for col, width in enumerate([28, 8, 30, 55, 45, 10]):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(definitions), 1), len(headers) - 1)
