"""Platform adapters: detect an export by its headers, map it onto a canonical table.

    reader.py     bytes -> header, records and physical lines (encodings, `sep=`, re-wraps, ...)
    base.py       what a layout is; the column rules layouts are written in
    x.py, meta.py, youtube.py, tiktok.py, linkedin.py   the layouts, one module per platform family

Detection scores every layout *and* every canonical table against a file's header and picks
the best fit (the most specific fingerprint that is fully present); never the file name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from review.inputs.adapters import linkedin, meta, tiktok, x, youtube
from review.inputs.adapters.base import MISSING_TOKENS, Cells, Context, Layout, handle_from_cell, norm, parse_month_day
from review.inputs.adapters.reader import Sheet
from review.inputs.contracts import TABLES

LAYOUTS: dict[str, Layout] = {
    layout.layout_id: layout
    for module in (x, meta, youtube, tiktok, linkedin)
    for layout in module.LAYOUTS
}
FAMILIES = ["X", "Meta Business Suite", "Facebook Insights (legacy)", "YouTube Studio", "TikTok Studio", "LinkedIn"]


def canonical_key(name: object) -> str:
    """`Account ID`, ` account-id ` and `ACCOUNT_ID` all become `account_id`."""
    text = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    return re.sub(r"_+", "_", text)


@dataclass
class Detection:
    """What a header was recognised as: a canonical table or a platform layout."""

    table: str | None
    layout: Layout | None = None
    missing: list[str] = field(default_factory=list)
    label: str = ""
    present: int = 0  # of the headers (or block titles) that identify it, how many the file has
    needed: int = 1

    @property
    def is_close(self) -> bool:
        """Most of what identifies it is there: worth offering as the closest format."""
        return self.present * 2 > self.needed

    @property
    def is_canonical(self) -> bool:
        return self.layout is None


# A block layout whose titles are all present beats any header fingerprint: the first block's
# header of a Meta Audience file (`Gender`, `Distribution`) would otherwise pass for a one-table export.
_BLOCK_WEIGHT = 100


def _layout_missing(layout: Layout, header: list[str], preamble: list[str], titles: list[str]) -> tuple[list[str], int, int]:
    """(what the file lacks for this layout, in words; how many identifying parts it has; of how many)."""
    if layout.blocks:
        missing = [f"(a block titled like '{pattern}')" for pattern in layout.blocks
                   if not any(re.search(pattern, t, re.IGNORECASE) for t in titles)]
        return missing, len(layout.blocks) - len(missing), len(layout.blocks)
    names = {norm(h) for h in header}
    missing = [h for h in layout.fingerprint if norm(h) not in names]
    shared = len(layout.fingerprint) - len(missing)
    if layout.title_line is not None and not any(re.fullmatch(layout.title_line, p) for p in preamble):
        missing.append("(a title line above the header naming the metric)")
    if layout.header_check is not None:
        problem = layout.header_check(header)
        if problem:
            missing.append(problem)
    return missing, shared, len(layout.fingerprint)


def candidates(header: list[str], preamble: list[str], titles: list[str] | None = None) -> list[tuple[tuple, Detection]]:
    """Every canonical table and layout with (sort key, detection); fits first, best first."""
    out = []
    keys = {canonical_key(h) for h in header}
    for table in TABLES.values():
        required = [c for c in table.columns if not table.field(c)["nullable"]]
        missing = [c for c in required if c not in keys]
        shared = len(set(table.columns) & keys)
        score = (len(missing) / len(required), -len(required), -shared, 0, table.name)
        out.append((score, Detection(table.name, None, missing, f"canonical {table.name}",
                                     len(required) - len(missing), len(required))))
    for layout in LAYOUTS.values():
        missing, shared, needed = _layout_missing(layout, header, preamble, titles or [])
        weight = needed + (_BLOCK_WEIGHT if layout.blocks else 0)
        score = (len(missing) / needed, -weight, -shared, 1, layout.layout_id)
        out.append((score, Detection(layout.table, layout, missing, layout.title, shared, needed)))
    return sorted(out, key=lambda t: t[0])


def detect(header: list[str], preamble: list[str] | None = None,
           titles: list[str] | None = None) -> tuple[Detection | None, Detection]:
    """(the fit, or None; the closest candidate). A fit has every fingerprint header (a block
    layout: every block title); of several fits, the one with the most specific fingerprint wins
    (Chart data over Table data, the legacy video export over the post export)."""
    ranked = candidates(header, preamble or [], titles)
    best = ranked[0][1]
    return (best if not best.missing else None), best


# --- reading a sheet through a layout ---------------------------------------------------------------


def raw_frame(sheet: Sheet) -> pd.DataFrame:
    return pd.DataFrame(sheet.rows, columns=sheet.header, dtype=object) if sheet.rows else pd.DataFrame(
        {h: pd.Series(dtype=object) for h in sheet.header}
    )


def blank_tokens(frame: pd.DataFrame) -> pd.DataFrame:
    """`undefined`, `NAN`, `--`, `-`, `N/A` and cells of only spaces become empty."""
    out = {}
    for column in frame.columns:
        values = frame[column].astype(str)
        stripped = values.str.strip()
        out[column] = values.mask(stripped.str.lower().isin(MISSING_TOKENS) | stripped.eq(""), "")
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def account_hints(layout: Layout, frame: pd.DataFrame) -> tuple[str | None, str | None]:
    """(handle, display name) the export shows most often, as written; None where it shows none."""
    cells = Cells(frame)
    handles: Counter = Counter()
    for column in layout.handle_columns:
        for value in cells.get(column):
            found = handle_from_cell(value)
            if found:
                handles[found] += 1
    names: Counter = Counter()
    for column in layout.name_columns:
        for value in cells.get(column):
            if str(value).strip() and str(value).strip().lower() not in MISSING_TOKENS:
                names[str(value).strip()] += 1
    return (handles.most_common(1)[0][0] if handles else None, names.most_common(1)[0][0] if names else None)


def month_days(layout: Layout, frame: pd.DataFrame) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """(the export date's month and day, every month-day in the date columns) for layouts whose
    dates have no year. The export date is the `export_date_column` value, else the last row's
    date (TikTok writes daily files oldest first)."""
    cells = Cells(frame)
    values = [parse_month_day(v) for col in layout.month_day_columns for v in cells.get(col)]
    values = [v for v in values if v]
    if layout.export_date_column:
        stamps = [parse_month_day(v) for v in cells.get(layout.export_date_column)]
        stamps = [s for s in stamps if s]
        return (Counter(stamps).most_common(1)[0][0] if stamps else None), values
    column = layout.month_day_columns[0]
    last = next((parse_month_day(v) for v in reversed(list(cells.get(column))) if parse_month_day(v)), None)
    return last, values


@dataclass
class Adapted:
    """A sheet mapped onto its canonical table: text cells, ready for validation."""

    frame: pd.DataFrame  # canonical columns; rows that stay
    lines: list[int]  # physical line of each kept row
    dropped: list[dict]  # rows not kept: line, column, value, reason, is_junk
    column_sources: dict[str, str]  # canonical column -> platform column(s), for the rejected log


def adapt(sheet: Sheet, layout: Layout, ctx: Context) -> Adapted:
    """Map a sheet through its layout. Summary and placeholder rows (`Total`, `undefined`, the
    X `/status/undefined` rows) and rows longer than the header are dropped with a reason;
    every other row goes on to validation as text."""
    table = TABLES[layout.table]
    raw = raw_frame(sheet)
    reasons = layout.junk(Cells(raw)) if layout.junk else pd.Series("", index=raw.index, dtype=object)
    is_junk = reasons.ne("")
    overlong = pd.Series(False, index=raw.index)
    overlong.iloc[sheet.overlong] = True
    clean = Cells(blank_tokens(raw))
    columns = {}
    for name in table.columns:
        spec = layout.columns.get(name)
        if spec is None:
            columns[name] = pd.Series(pd.NA, index=raw.index, dtype=object)
            continue
        values = spec.fn(clean, ctx).astype(object)
        columns[name] = values.mask(values.astype(str).str.strip().eq(""), pd.NA)
    frame = pd.DataFrame(columns, index=raw.index)
    rounded = _rounded_ids(sheet, layout, table, raw, frame)
    dropped = []
    junk_column = _junk_column(layout, raw, reasons)
    for i in np.flatnonzero((is_junk | overlong | rounded.notna()).to_numpy()):
        if rounded.notna().iloc[i] and not is_junk.iloc[i]:
            column = rounded.iloc[i]
            value = raw.iat[i, raw.columns.get_loc(column)]
            dropped.append({"record": int(i), "line": sheet.lines[i], "column": column, "value": value,
                            "reason": f"the id was saved in the workbook as a number ({value}); Excel keeps only 15 digits, "
                            "so it may have lost its last ones. Use the export as downloaded (CSV), or format the "
                            "column as text before saving the workbook", "is_junk": False})
        elif is_junk.iloc[i]:
            dropped.append({"record": int(i), "line": sheet.lines[i], "column": junk_column, "value": raw.iat[i, raw.columns.get_loc(junk_column)] if junk_column in raw else "",
                            "reason": reasons.iloc[i], "is_junk": True})
        else:
            dropped.append({"record": int(i), "line": sheet.lines[i], "column": "(row)", "value": "",
                            "reason": f"the row has more cells than the header's {len(sheet.header)}: a field with an unquoted delimiter?",
                            "is_junk": False})
    keep = ~(is_junk | overlong | rounded.notna())
    lines = [line for line, k in zip(sheet.lines, keep) if k]
    sources = {name: " + ".join(spec.sources) for name, spec in layout.columns.items() if spec.sources}
    return Adapted(frame.loc[keep].reset_index(drop=True), lines, dropped, sources)


def _rounded_ids(sheet: Sheet, layout: Layout, table, raw: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    """Per row, the platform column whose number became the row's key although it may have been
    rounded by Excel (see `reader._is_long_number`); NA for rows whose key can be trusted. A layout
    that can read the id from a link instead (X) is not affected."""
    out = pd.Series(pd.NA, index=raw.index, dtype=object)
    if not sheet.long_numbers:
        return out
    by_line: dict[int, list[str]] = {}
    for line, header in sheet.long_numbers:
        by_line.setdefault(line, []).append(header)
    for name in table.key:
        spec = layout.columns.get(name)
        if spec is None:
            continue
        sources = {norm(s) for s in spec.sources}
        for i, line in enumerate(sheet.lines):
            for header in by_line.get(line, []):
                if norm(header) in sources and str(frame.at[i, name]).strip() == str(raw.at[i, header]).strip():
                    out.iloc[i] = header
    return out


def _junk_column(layout: Layout, raw: pd.DataFrame, reasons: pd.Series) -> str:
    """The platform column a junk rule looked at, for the rejected log."""
    if not reasons.ne("").any():
        return ""
    cells = Cells(raw)
    for candidate in ("Post Link", "Content", "Video", "Followers", "Date"):
        if cells.has(candidate):
            return cells.keys[norm(candidate)]
    return raw.columns[0]
