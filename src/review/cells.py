"""One formula guard for every spreadsheet cell the toolkit writes, CSV or XLSX.

A CSV or workbook opened in Excel or LibreOffice runs a cell that starts with `=` (and, by the
spreadsheets' own rules, `+`, `-` and `@`) as a formula: a post or a force name reading
`=HYPERLINK("http://…")` would become a live link, `=cmd|…` a prompt to run a program. OWASP ASVS
5.0 1.2.10 and CWE-1236 ask for every such text cell to be written with a leading apostrophe, so
`=cmd()` becomes `'=cmd()`; tab, carriage return and NUL lead the same way (a spreadsheet trims
them, then reads the formula behind), and so do the full-width forms of the four signs, which
spreadsheets in East Asian locales read as the signs themselves.

Decisions:

- Text only. Numbers are written as numbers, so `-5` stays a number; a number held as text
  (`"-5"`) is guarded like any text, because a spreadsheet cannot tell it from a formula.
- Header cells too: a column name can come from a file.
- Everyone who writes a CSV or XLSX goes through here: `write_csv` for CSV files, `guard` for each
  text cell of a workbook (review.outputs.workbook, the templates of review.inputs.init). Excel shows the
  apostrophe as part of the text; analysts who need the original strip one leading `'`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def guard(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would otherwise run it as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are guarded; other cells as they were."""
    safe = frame.rename(columns=lambda c: guard(c) if isinstance(c, str) else c)
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: guard(v) if isinstance(v, str) else v)
    return safe


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as a CSV for people to open in a spreadsheet: no cell can start a formula.

    Every text cell is quoted: with "\\n" line ends the csv module leaves a bare carriage return
    in a value unquoted, and Excel (and any CSV reader) would split the row there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(frame), encoding="utf-8")


def csv_text(frame: pd.DataFrame, date_format: str | None = None) -> str:
    """`frame` as the text of a guarded CSV (as `write_csv` writes it), e.g. for standard output."""
    return guard_frame(frame).to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC,
                                     date_format=date_format)
