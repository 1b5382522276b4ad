"""Write the metrics workbook: every headline measure, metric table and chart's data, for analysts.

Decisions:

- Every value is written through review.values.Figure, the type every output prints through:
  counts as whole numbers, shares as fractions under a % format (4.22% is 0.0422), dates and
  months as dates, zeros as numbers, missing values (not measured) as blank cells, never 0, and
  a suppressed or withheld small count as its mark ("<5", "[c]"), never the number.
- Each sheet is a title, then an Excel Table (ListObject) with its header on the next row, then
  the note under it: analysts can sort, filter and refer to it by name.

- XlsxWriter with `strings_to_formulas`, `strings_to_urls` and `strings_to_numbers` off, so text
  from data stays text.
- Defence in depth against formula (CSV/XLSX) injection: every text cell, titles, headers and
  notes too, goes through the one guard of every CSV and XLSX the toolkit writes
  (`review.cells.guard`: `=cmd()` becomes `'=cmd()`). Numbers are written as numbers, so `-5`
  is unaffected.
- Reproducible bytes: the document properties (created date) are fixed from `report_date`,
  never the clock, and sheets, columns and rows are written in their given order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import xlsxwriter

from review.cells import guard
from review.context import Chart, Headline, MetricDefinition, MetricTable
from review.values import NOT_MEASURED, SMALL_BASE, Figure, column_places, fmt_headline_change, points_change

SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEETS = {"contents", "definitions", "history"}

HEADER_ROW = 1  # zero-based: title in row 0, the table's header in row 1, data after, the note below


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


def write_workbook(
    path: Path,
    tables: list[MetricTable],
    definitions: list[MetricDefinition],
    *,
    title: str,
    report_date: dt.date,
    marking: str,
    headlines: list[Headline] | None = None,
    charts: list[Chart] | None = None,
) -> None:
    """Write `path`: a Contents sheet, the Headline measures (when `headlines` are given: every
    measure with this year's and last year's figure, change, unit, target, rating and whether it
    was measured), one sheet per table, one per chart with the data it draws ("Figure 1", in the
    report's order; `charts` with their `data`), and the Definitions.

    The protective `marking` (the paper's) is in every sheet's printed header and footer and in
    the document properties (category, keywords, a custom property "Protective marking"), so a
    copy of the workbook or a printed sheet carries it as the paper does.

    Headlines and tables arrive protected (review.disclosure): what the report hides, the
    workbook hides. Widths follow the content.
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
                "title": f"{marking}: {title}",
                "subject": "Metric tables behind the annual social media review",
                "author": "policy-review",
                "company": "",
                "category": marking,
                "keywords": marking,
                "comments": f"{marking}. Text cells starting with = + - @ tab or CR are prefixed with ' (formula guard).",
                "created": created,
            }
        )
        workbook.set_custom_property("Protective marking", marking)
        fmt = {
            "title": workbook.add_format({"bold": True, "font_size": 14, "font_color": "#1d3557"}),
            "note": workbook.add_format({"italic": True, "font_color": "#505a5f"}),
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#f3f2f1", "bottom": 2, "text_wrap": True, "valign": "bottom"}
            ),
            "text": workbook.add_format({"valign": "top"}),
            "wrap": workbook.add_format({"valign": "top", "text_wrap": True}),
            "int": workbook.add_format({"num_format": "#,##0", "valign": "top"}),
            "date": workbook.add_format({"num_format": "d mmm yyyy", "valign": "top"}),
            "datetime": workbook.add_format({"num_format": "d mmm yyyy hh:mm", "valign": "top"}),
            "month": workbook.add_format({"num_format": "mmmm yyyy", "valign": "top"}),
            "link": workbook.add_format({"font_color": "#1d70b8", "underline": 1}),
        }

        used: set[str] = {HEADLINE_SHEET.lower()} if headlines is not None else set()
        names = [_sheet_name(table, used) for table in tables]
        drawn = [c for c in (charts or []) if c.data is not None]
        figures = [(f"Figure {n}", c) for n, c in enumerate(drawn, start=1)]
        used |= {name.lower() for name, _ in figures}

        # Contents: where everything is, as a table of its own.
        entries = []
        if headlines is not None:
            entries.append((HEADLINE_SHEET, "Every measure: value, last year, change, target and rating", ""))
        entries += [(name, table.title, table.clause) for name, table in zip(names, tables, strict=True)]
        entries += [(name, f"{name}: {chart.title} (the chart's data)", chart.clause) for name, chart in figures]
        entries.append(("Definitions", "What each measure means and how it is worked out", ""))
        contents = workbook.add_worksheet("Contents")
        rows = [[(name, "link"), (what, "text"), (clause or None, "text")] for name, what, clause in entries]
        _write_grid(workbook, contents, fmt, title, ["Sheet", "What it holds", "Clause"], rows,
                    note=f"Report date {report_date.day} {report_date:%B %Y}. Sheet names link to the sheets. "
                    "A blank cell in a table is a figure that is not measured (the report prints \"not measured\" "
                    "or the reason), never a zero.",
                    table_name="contents", kinds=["text", "text", "text"])

        if headlines is not None:
            _write_headlines(workbook, workbook.add_worksheet(HEADLINE_SHEET), headlines, fmt)
        for name, table in zip(names, tables, strict=True):
            # "P3 Response times by platform"; a table about the whole review (What this review
            # covers, clause "All") is titled by itself.
            heading = f"{table.clause} {table.title}" if table.clause.startswith("P") else table.title
            _write_table_sheet(workbook, workbook.add_worksheet(name), table, fmt, heading)
        for name, chart in figures:
            data = chart.data
            _write_table_sheet(workbook, workbook.add_worksheet(name), data, fmt, f"{name}: {chart.title}",
                               note=" ".join(x for x in [chart.caption, data.note, chart.source] if x))
        _write_definitions(workbook, workbook.add_worksheet("Definitions"), definitions, fmt)
        for sheet in workbook.worksheets():
            mark_sheet(sheet, marking)
        contents.activate()
    finally:
        workbook.close()


def mark_sheet(sheet, marking: str) -> None:
    """The marking centred, bold, in the sheet's printed header and footer (with the page number
    in the footer), as on every page of the paper. `&` is the header's control character: doubled."""
    shown = marking.replace("&", "&&")
    sheet.set_header(f'&C&"-,Bold"{shown}')
    sheet.set_footer(f'&C&"-,Bold"{shown}&RPage &P of &N')


HEADLINE_SHEET = "Headline measures"
# The unit of a headline as the report's definitions appendix words it.
UNIT_WORDS = {"count": "number", "people": "people", "pct": "per cent", "minutes": "minutes", "days": "days",
              "rate": "score or rate"}


def _style(workbook, fmt: dict, style: str):
    """The cell format for a review.values.Figure.sheet style ("int", "float:2", "pct:1", ...),
    or a change: "points:1" (percentage points), "change:1" (per cent), "diff" (a difference)."""
    if style not in fmt:
        kind, _, places = style.partition(":")
        decimals = "." + "0" * int(places) if places and int(places) > 0 else ""
        number_format = {
            "float": f"#,##0{decimals}",
            "pct": f"0{decimals}%",
            "points": f'+0{decimals}" pp";-0{decimals}" pp";0{decimals}" pp"',
            "change": f"+0{decimals}%;-0{decimals}%;0{decimals}%",
            "diff": "+#,##0;-#,##0;0",
        }[kind]
        fmt[style] = workbook.add_format({"num_format": number_format, "valign": "top"})
    return fmt[style]


def _table_name(label: str) -> str:
    """An Excel Table name: letters, digits and underscores, not starting with a digit."""
    return "T_" + re.sub(r"[^A-Za-z0-9_]", "_", label)


def _write_grid(workbook, sheet, fmt: dict, title: str, labels: list[str], rows: list[list[tuple]], *,
                note: str | None, table_name: str, kinds: list[str]) -> None:
    """A title, an Excel Table (header on the next row, `rows` of (value, style) cells under it)
    and the note below it."""
    sheet.write_string(0, 0, guard(title), fmt["title"])
    headers, seen = [], set()
    for label in labels:
        header, n = guard(label) or "Column", 1
        while header.lower() in seen:  # Excel needs each header once in a table
            n += 1
            header = f"{guard(label)} ({n})"
        seen.add(header.lower())
        headers.append(header)
    widths = [float(len(h)) for h in headers]
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for c, (value, style) in enumerate(row):
            _write_value(workbook, sheet, r, c, value, style, fmt)
            if style in ("text", "link") and value is not None:
                widths[c] = max(widths[c], len(str(value)))
            elif isinstance(value, int | float) and style not in ("flag",):
                widths[c] = max(widths[c], len(f"{value:,.2f}"))
    last_row = HEADER_ROW + max(len(rows), 1)  # a table needs a row under its header, even an empty one
    if headers:
        sheet.add_table(HEADER_ROW, 0, last_row, len(headers) - 1, {
            "name": _table_name(table_name), "style": "Table Style Light 1",
            "columns": [{"header": h, "header_format": fmt["header"]} for h in headers],
        })
    if note:
        sheet.write_string(last_row + 2, 0, guard(note), fmt["note"])
    for col, (width, kind) in enumerate(zip(widths, kinds, strict=True)):
        wide = 14 if kind in ("date", "datetime", "month") else min(max(width + 2, 8), 60)
        sheet.set_column(col, col, min(wide, 50 if kind in ("text", "category") else 18))
    sheet.freeze_panes(HEADER_ROW + 1, 0)


def _write_table_sheet(workbook, sheet, table: MetricTable, fmt: dict, title: str, note: str | None = None) -> None:
    """(The Excel Table is named after the sheet, which is unique in the workbook.)"""
    """One metric table: every cell through review.values.Figure.sheet, so numbers stay numbers
    (percentages as fractions under a % format), dates dates, and a hidden count its marker."""
    frame = table.frame
    names = list(frame.columns)
    places = [column_places(table.column(name), frame[name]) for name in names]
    rows = []
    figures = [table.column_figures(name) for name in names]
    for r in range(len(frame)):
        row = []
        for c, name in enumerate(names):
            figure = figures[c][r]
            if places[c] is not None:
                figure = dataclasses.replace(figure, places=places[c])
            row.append(figure.sheet())
        rows.append(row)
    _write_grid(workbook, sheet, fmt, title, [table.label(n) for n in names], rows,
                note=note if note is not None else table.note, table_name=sheet.get_name(),
                kinds=[table.column(n).kind for n in names])


def _change(h: Headline) -> tuple[object, str]:
    """The year-on-year change as the report reckons it (review.values.fmt_headline_change), as a
    number: percentage points for a share, the difference for a count that was small last year,
    else the change in per cent (a fraction). A like-for-like change compares this year's figure
    over what last year covers too (`Headline.compared_value`). Blank when either year is missing
    or hidden, or the years are not comparable."""
    if not h.change_shown or h.value is None or h.prior_value is None or h.not_measured_reason:
        return None, "text"
    value = h.value if h.compared_value is None else h.compared_value
    if h.unit == "pct":
        return points_change(h), "points:1"
    if h.unit in ("count", "people") and abs(h.prior_value) < SMALL_BASE:
        return value - h.prior_value, "diff"
    if h.change_pct is None:
        return None, "text"
    return h.change_pct / 100, "change:1"


def _write_headlines(workbook, sheet, headlines: list[Headline], fmt: dict) -> None:
    """Every measure: id, clause, measure, this year's value, last year's, the change (a number and
    the report's words), how the change compares (like for like, or why not comparable), unit,
    target, rating and whether it was measured (with why not)."""
    labels = ["Metric id", "Clause", "Measure", "Value", "Last year", "Change", "Change, in the report's words",
              "How the change compares", "Unit", "Target", "Rating", "Measured", "Why not measured"]
    rows = []
    for h in headlines:
        target = Figure(h.target, h.unit).sheet() if h.target is not None else (None, "text")
        rows.append([
            (h.metric_id, "text"), (h.clause, "text"), (h.title, "text"), h.figure.sheet(), h.prior_figure.sheet(),
            _change(h), (fmt_headline_change(h), "text"), (h.comparison, "text"), (UNIT_WORDS.get(h.unit, h.unit), "text"),
            target, (h.rag, "text"), (h.figure.state != NOT_MEASURED, "flag"),
            (h.not_measured_reason or "not measured" if h.figure.state == NOT_MEASURED else None, "text"),
        ])
    kinds = ["text", "text", "text", "number", "number", "number", "text", "text", "text", "number", "text", "flag", "text"]
    _write_grid(workbook, sheet, fmt, "Headline measures", labels, rows, table_name="headline_measures", kinds=kinds,
                note="Shares are stored as fractions and shown as per cent; a change in a share is in percentage "
                "points (pp). A blank value is not measured (the next columns say why), never a zero. A count below the small-count threshold shows as <5, and [c] or withheld marks a count "
                "withheld so that a small count cannot be worked out from a total.")


def _write_value(workbook, sheet, row: int, col: int, value: object, style: str, fmt: dict) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt["text"])
    elif style == "link":
        sheet.write_url(row, col, f"internal:'{value}'!A1", fmt["link"], string=guard(str(value)))
    elif style == "flag":
        sheet.write_boolean(row, col, bool(value), fmt["text"])
    elif style in ("date", "datetime", "month"):
        sheet.write_datetime(row, col, value, fmt[style])
    elif style == "text":
        sheet.write_string(row, col, guard(str(value)), fmt["wrap"])
    else:
        sheet.write_number(row, col, value, _style(workbook, fmt, style))


def _write_definitions(workbook, sheet, definitions: list[MetricDefinition], fmt: dict) -> None:
    labels = ["Metric id", "Clause", "Measure", "What it means", "Formula", "Unit"]
    rows = [[(v, "text") for v in (d.metric_id, d.clause, d.title, d.definition, d.formula, UNIT_WORDS.get(d.unit, d.unit))]
            for d in definitions]
    _write_grid(workbook, sheet, fmt, "Metric definitions", labels, rows, note=None, table_name="definitions",
                kinds=["text"] * len(labels))
