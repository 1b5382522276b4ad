"""Ingest: find the input files, recognise each one by its header, read it raw.

Two kinds of input land in the same canonical tables:

* **registers** (accounts, contacts, incidents, ...) as CSV, XLSX or Parquet with canonical headers,
  compared case- and space-insensitively (`Account ID` = `account_id`);
* **platform exports** as X, Meta, YouTube, TikTok and LinkedIn write them, recognised by
  `review.inputs.adapters` and mapped onto `posts` or `audience`, or reported as "recognised, not used
  by the review" with their row count.

Files are matched by their header row, never by file name. Reading is raw (every cell as text);
typing and checks happen in `review.inputs.validate`, which records every cell it cannot accept. Files
that match nothing, or cannot be read, are all named at once, each with what it looks like (and
the closest known format when most of that format's header is there); they stop the ingest unless
`skip_unknown`, which goes on without them and lists them as skipped. Table files in hidden
folders (`.exports/`, `.ipynb_checkpoints/`) are never read and always listed as skipped.

Decisions recorded per file (and documented in docs/platform-exports.md):

* **which account** a platform export belongs to: its handle (from a URL or username column, or
  from another export of the same platform in the same folder) matched to `accounts.handle`;
  else its page or account name matched to `accounts.name`; else a folder in its path named after
  an `account_id` of that platform; else a synthetic id `<platform>:<handle>` (or
  `<platform>:unattributed`), reported so it can be fixed;
* **the year** of dates written without one (TikTok): the export date (or last day) is placed in
  the year that makes the file overlap the review period most; without a period, a year folder in
  the path (`data/2025/...`) stands for it; failing that the file's modified date, reported as a guess.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from review.inputs.adapters import LAYOUTS, Detection, account_hints, adapt, canonical_key, detect, month_days, raw_frame
from review.inputs.adapters.base import Context, Layout, handle_key, map_blocks, norm, place
from review.inputs.adapters.meta import POST_COLUMNS, engagement_breakdown
from review.inputs.adapters.reader import EXPECTED, Sheet, read_blocks, read_sheets
from review.inputs.contracts import TABLES, Table
from review.inputs.folders import INGEST_REPORT, refuse_year_folder
from review.errors import ReviewError
from review.inputs.pseudonym import pseudonymise_files
from review.checksums import remembered
from review.inputs.raw import CsvStream, RawFile, csv_names, csv_record_lines, sha256_of
from review.inputs.sample import proven_sample

# Files in a data folder that are not tables, and what they are.
KNOWN_NON_TABLES = {"readme.md": "notes", "synthetic.json": "synthetic-data marker"}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls", ".parquet"}
# A plain canonical CSV at least this big is read in chunks when the caller can take its table as
# Parquet (`read_inputs(..., stream=True)`, then `validate_files(..., spool=...)`): never whole.
STREAM_MIN_BYTES = 8 << 20

Period = tuple[dt.date, dt.date]  # first day, first day after


def normalise_header(name: object) -> str:
    """`Account ID`, ` account-id ` and `ACCOUNT_ID` all become `account_id`."""
    return canonical_key(name)


HIDDEN_REASON = ("in a hidden folder or hidden file ('{part}'): not read. Hidden folders hold copies "
                 "(.ipynb_checkpoints) and tools' files; move the file out of it to include it")


def list_input_files(data_dir: Path) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """Return (table files, other files, hidden table files with the reason) under `data_dir`,
    sorted so runs are repeatable. Hidden files of other kinds (`.DS_Store`, `.git/`) are passed
    over; a table file in a hidden folder is reported, never silently left out."""
    if not data_dir.is_dir():
        raise ReviewError(f"{data_dir}: data folder not found")
    tables, others, hidden = [], [], []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        dotted = next((part for part in path.relative_to(data_dir).parts if part.startswith(".")), None)
        if dotted is not None:
            if path.suffix.lower() in TABLE_SUFFIXES:
                hidden.append((path, HIDDEN_REASON.format(part=dotted)))
            continue
        if path.suffix.lower() in TABLE_SUFFIXES:
            tables.append(path)
        else:
            others.append(path)
    return tables, others, hidden


# --- one file: sheets and what each one is ----------------------------------------------------------


@dataclass
class _Found:
    path: Path
    rel: str
    sheet: Sheet | None  # None for Parquet
    detection: Detection
    parquet_columns: list[str] | None = None


def _parquet_header(path: Path, rel: str) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError, ValueError) as exc:  # empty, cut short or not Parquet at all
        raise ReviewError(f"{rel}: cannot be read as Parquet: {exc}") from None


def _recognise(path: Path, rel: str) -> tuple[list[_Found], list[tuple[str, str]]]:
    """The sheets of one file with what each is; (shown name, message) for those that match nothing."""
    if path.suffix.lower() == ".parquet":
        header = _parquet_header(path, rel)
        fit, closest = detect(header)
        if fit is None or not fit.is_canonical:
            looks = f"a Parquet file with {len(header)} column(s){_names(header)}"
            return [], [(rel, _unknown_message(rel, 1, closest, looks))]
        return [_Found(path, rel, None, fit, header)], []
    sheets = read_sheets(path, head_only=True)
    if not sheets or (len(sheets) == 1 and not any(h.strip() for h in sheets[0].header)):
        return [], [(rel, f"{rel}: the file is empty (no header row)")]
    found, problems = [], []
    for sheet in sheets:
        shown = f"{rel} [{sheet.sheet}]" if len(sheets) > 1 else rel
        fit, closest = detect(sheet.header, sheet.preamble, sheet.block_titles)
        if fit is None:
            problems.append((shown, _unknown_message(shown, sheet.header_line, closest, _looks_like(sheet))))
        else:
            found.append(_Found(path, shown, sheet, fit))
    return found, problems


def _names(header: list[str], shown: int = 6) -> str:
    names = [h for h in header if h.strip()]
    if not names:
        return ""
    more = f", ... ({len(names) - shown} more)" if len(names) > shown else ""
    return ": " + ", ".join(names[:shown]) + more


def _looks_like(sheet: Sheet) -> str:
    """What a file nobody recognised looks like, in a few words, so its owner can tell which export it is."""
    if sheet.kind == "CSV":
        what = f"text ({sheet.encoding}, '{'tab' if sheet.delimiter == chr(9) else sheet.delimiter}'-separated)"
    else:
        what = f"{sheet.kind} sheet '{sheet.sheet}'"
    rows = f"{len(sheet.rows)}{'' if sheet.complete else '+'} row(s)"
    titles = f"; {len(sheet.block_titles)} titled blocks ({', '.join(sheet.block_titles[:4])})" if len(sheet.block_titles) > 1 else ""
    above = f"; title line '{sheet.preamble[0][:60]}'" if sheet.preamble and not titles else ""
    return f"{what} with {len(sheet.full_header or sheet.header)} column(s){_names(sheet.full_header or sheet.header)}{above}{titles}; {rows}"


def _unknown_message(rel: str, line: int, closest: Detection, looks: str) -> str:
    """One line for a file that matches nothing: what it looks like, and the closest format only
    when most of that format's header is present (a hint built on two shared names misleads)."""
    start = (f"{rel}: line {line}: the header does not match any canonical table or known platform export. "
             f"It looks like {looks}.")
    if not closest.is_close:
        return f"{start} No known format has most of these headers (docs/platform-exports.md lists them)."
    if closest.is_canonical:
        name, what = closest.table, "column(s)"
    else:
        name, what = closest.layout.title, "header(s)"
    return f"{start} The closest is '{name}', which also needs {what} {', '.join(closest.missing)}"


# --- canonical files -----------------------------------------------------------------------------


def _streams(found: _Found) -> bool:
    from review.inputs.pseudonym import PERSON_COLUMNS

    sheet = found.sheet
    return (sheet is not None and sheet.is_plain_csv and found.detection.table not in PERSON_COLUMNS
            and found.path.stat().st_size >= STREAM_MIN_BYTES)


def _stream_canonical(found: _Found) -> RawFile:
    """A large plain canonical CSV: its header now, its records in chunks during validation."""
    path, table = found.path, TABLES[found.detection.table]
    try:
        names = csv_names(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReviewError(f"{found.rel}: cannot be read as CSV: {exc}") from None
    canonical = [normalise_header(n) for n in names]
    duplicated = sorted({c for c in canonical if canonical.count(c) > 1}, key=canonical.index)
    if duplicated:
        raise ReviewError(f"{found.rel}: line 1: column(s) {', '.join(duplicated)} appear more than once")
    ignored = [c for c in canonical if c not in table.columns]
    added = [c for c in table.columns if c not in canonical]
    columns = {n: c for n, c in zip(names, canonical) if c in table.columns}
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in table.columns})
    return RawFile(
        path=path, table=table.name, format="canonical CSV", sha256=sha256_of(path), frame=frame, header_row=1,
        ignored_columns=ignored, added_columns=added, rel=found.rel, notes=[],
        stream=CsvStream(path, names, columns, table.columns),
    )


def _read_canonical(found: _Found, stream: bool = False) -> RawFile:
    if stream and _streams(found):
        return _stream_canonical(found)
    path, table = found.path, TABLES[found.detection.table]
    sheet = found.sheet
    lines = None
    try:
        if sheet is None:
            frame, fmt, header_row = pd.read_parquet(path), "canonical Parquet", 1
        elif sheet.is_plain_csv:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
            fmt, header_row = "canonical CSV", 1
        else:
            if sheet.kind == "CSV" and not sheet.complete:
                sheet = read_sheets(path)[0]
            frame = raw_frame(sheet)
            frame = frame.mask(frame.apply(lambda s: s.astype(str).str.strip().eq("")), pd.NA)
            fmt, header_row, lines = f"canonical {sheet.kind}", sheet.header_line, list(sheet.lines)
    except (ValueError, OSError, TypeError, NotImplementedError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        # (pyarrow's errors for a damaged Parquet file are ValueError, OSError, TypeError and
        # NotImplementedError subclasses)
        raise ReviewError(f"{found.rel}: cannot be read as {path.suffix[1:].upper()}: {exc}") from None
    frame.columns = [normalise_header(c) for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise ReviewError(f"{found.rel}: line {header_row}: column(s) {', '.join(duplicated)} appear more than once")
    ignored = [c for c in frame.columns if c not in table.columns]
    added = [c for c in table.columns if c not in frame.columns]
    notes = [f"repaired: {q}" for q in (sheet.quirks if sheet is not None else [])]
    if sheet is not None and len(frame) and is_template_description(frame.iloc[0], table):
        # A `review init` template: the row of descriptions under the header is not a record
        # (not counted in rows read). Blank rows never are (review.inputs.adapters.reader).
        lines = lines if lines is not None else csv_record_lines(path)
        notes.append(f"review init template: the description row (line {lines[0]}) was skipped")
        frame, lines = frame.iloc[1:].reset_index(drop=True), lines[1:]
        if frame.empty:
            # Nothing filled in: the register was not supplied, which is not the same as a
            # register with nothing in it (its measures are then not measured, never zero).
            notes.append("the template was left empty, so this register counts as not supplied; to say "
                         "there was nothing this year, keep the header and delete the description row")
            return RawFile(path=path, table=None, format=f"{fmt} (empty template)", sha256=sha256_of(path),
                           frame=pd.DataFrame(), header_row=header_row, rel=found.rel,
                           sheet=sheet.sheet if sheet else None, notes=notes)
    for column in added:  # detection guarantees these are nullable
        frame[column] = pd.NA
    frame = frame[table.columns].reset_index(drop=True)
    dropped = []
    if sheet is not None and sheet.long_numbers and lines is not None:
        frame, lines, dropped = _drop_rounded_ids(frame, lines, sheet.long_numbers)
    return RawFile(
        path=path, table=table.name, format=fmt, sha256=sha256_of(path), frame=frame, header_row=header_row,
        ignored_columns=ignored, added_columns=added, rel=found.rel, sheet=sheet.sheet if sheet else None,
        lines=lines, notes=notes, dropped=dropped,
    )


def _words(value: object) -> str:
    return " ".join(str(value).split()).casefold()


def is_template_description(row: pd.Series, table: Table) -> bool:
    """True when `row` (canonical column names) is the description row of a `review init`
    template: every filled cell is its column's description from the contract, word for word
    (spacing and case aside), and at least two are filled. Data never reads like that."""
    filled = {c: v for c, v in row.items() if c in table.columns and not pd.isna(v) and str(v).strip()}
    return len(filled) >= 2 and all(_words(v) == _words(table.field(c)["description"]) for c, v in filled.items())


def _drop_rounded_ids(frame: pd.DataFrame, lines: list[int], long_numbers: set[tuple[int, str]]):
    """Rows of a workbook register whose id (`*_id` column) was stored as a number of 16 or more
    digits: Excel keeps 15, so the id may be wrong and could even merge two different rows.
    They are logged as rejected rather than kept (see `reader._is_long_number`)."""
    suspect = {(line, normalise_header(h)) for line, h in long_numbers if normalise_header(h).endswith("_id")}
    keep, dropped = [], []
    for i, line in enumerate(lines):
        columns = [c for c in frame.columns if (line, c) in suspect]
        keep.append(not columns)
        if columns:
            dropped.append({"record": i, "line": line, "column": columns[0], "value": frame.at[i, columns[0]],
                            "reason": "the id was saved in the workbook as a number; Excel keeps only 15 digits, so it "
                            "may have lost its last ones. Format the column as text and type or paste the ids again",
                            "is_junk": False})
    kept = [line for line, k in zip(lines, keep) if k]
    return frame.loc[keep].reset_index(drop=True), kept, dropped


# --- platform exports ---------------------------------------------------------------------------------


@dataclass
class _Register:
    """The accounts register as read (raw text), for deciding which account an export is."""

    rows: list[dict]

    def by_handle(self, platform: str, handle: str) -> str | None:
        key = handle_key(handle)
        hits = {r["account_id"] for r in self.rows if r["platform"] == platform.lower() and handle_key(r["handle"]) == key}
        return hits.pop() if len(hits) == 1 else None

    def by_name(self, platform: str, name: str) -> str | None:
        hits = {r["account_id"] for r in self.rows if r["platform"] == platform.lower() and r["name"] == name.strip().lower()}
        return hits.pop() if len(hits) == 1 else None

    def platform_of(self, account_id: str) -> str | None:
        return next((r["platform"] for r in self.rows if r["account_id"] == account_id), None)


def _register(raw_files: list[RawFile]) -> _Register | None:
    frames = [r.frame for r in raw_files if r.table == "accounts"]
    if not frames:
        return None
    rows = []
    for frame in frames:
        for rec in frame[["account_id", "platform", "handle", "name"]].astype("string").fillna("").to_dict("records"):
            rows.append({k: str(v).strip() for k, v in rec.items()} | {
                "platform": str(rec["platform"]).strip().lower(), "name": str(rec["name"]).strip().lower()})
    return _Register(rows)


def decide_account(layout: Layout, handle: str | None, name: str | None, sibling: str | None,
                   folders: list[str], register: _Register | None) -> tuple[str, str]:
    """(account_id, how it was decided). See the module docstring for the order of rules."""
    platform = layout.platform
    used_handle, whence = handle, "in the export"
    if used_handle is None and sibling:
        used_handle, whence = sibling, "from another export of the same platform in the same folder"
    if register is not None:
        if used_handle:
            found = register.by_handle(platform, used_handle)
            if found:
                return found, f"handle @{used_handle} ({whence}) matched accounts.handle"
        if name:
            found = register.by_name(platform, name)
            if found:
                return found, f"name '{name}' in the export matched accounts.name"
        for folder in reversed(folders):
            registered = register.platform_of(folder)
            if registered == platform.lower():
                return folder, f"folder '{folder}' is a {platform} account_id in the accounts register"
    synthetic = f"{platform.lower()}:{used_handle or 'unattributed'}"
    why = "no accounts register in the input" if register is None else "no match in the accounts register"
    shown = f"handle @{used_handle} ({whence})" if used_handle else "the export names no handle"
    return synthetic, f"synthetic id: {shown}; {why}. Add the account to the register to attribute it."


def decide_reference(layout: Layout, frame: pd.DataFrame, path: Path, folders: list[str],
                     period: Period | None) -> tuple[dt.date | None, str | None]:
    """The export date for layouts whose dates have no year, and how its year was chosen."""
    if not layout.month_day_columns:
        return None, None
    export_md, values = month_days(layout, frame)
    if export_md is None:
        return None, "no readable month-and-day dates"
    how = "the review period"
    if period is None:
        year = next((int(f) for f in reversed(folders) if re.fullmatch(r"20\d\d", f)), None)
        if year is not None:
            period, how = (dt.date(year, 1, 1), dt.date(year + 1, 1, 1)), f"the year folder '{year}'"
    if period is None:
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime).date()
        reference = place(export_md, modified)
        return reference, (f"dates have no year: the export date {reference:%d %B %Y} is the latest "
                           f"{reference:%d %B} on or before the file's modified date (a guess: pass --year)")
    start, end = period
    best = None
    for year in range(start.year - 1, end.year + 2):
        try:
            reference = dt.date(year, *export_md)
        except ValueError:
            continue
        earliest = min((place(md, reference) for md in values), default=reference)
        overlap = (min(reference + dt.timedelta(days=1), end) - max(earliest, start)).days
        key = (max(overlap, 0), -abs((reference - end).days))
        if best is None or key > best[0]:
            best = (key, reference, earliest)
    _, reference, earliest = best
    return reference, (f"dates have no year: placed {earliest:%d %b %Y} to {reference:%d %b %Y}, "
                       f"the span that overlaps {how} most")


def _whole_sheet(f: _Found) -> Sheet:
    """The sheet read whole: a CSV whose head was not all of it is read again, keeping only the
    columns its layout reads (a 2,325-column legacy Facebook export keeps two)."""
    sheet = f.sheet
    if sheet.kind == "CSV" and not sheet.complete:
        needed = f.detection.layout.needed_headers()
        sheet = read_sheets(f.path, keep=lambda name: norm(name) in needed)[0]
    return sheet


def _unused(f: _Found, base: dict, notes: list[str]) -> RawFile:
    """A recognised export the review does not use: every record counted, none kept. A block-style
    file counts the rows of every block (titles and block headers are not rows)."""
    layout = f.detection.layout
    if layout.blocks:
        blocks = read_blocks(f.path)
        rows = sum(len(b.rows) for b in blocks)
        notes.append("blocks: " + "; ".join(f"{b.title or '(untitled)'} ({len(b.rows)} rows)" for b in blocks))
    else:
        rows = len(_whole_sheet(f).rows)
    notes.append(f"recognised, not used by the review: {layout.why_not_used}")
    return RawFile(table=None, frame=pd.DataFrame(), rows_unused=rows, notes=notes, **base)


def _dated(raw: RawFile, period: Period | None) -> RawFile:
    """Audience demographics carry no date (TikTok Studio, Meta's Audience export): they describe the
    followers when the file was downloaded, which is taken as the end of the review period. Without
    a review year the date stays empty, and no period's measures use the rows."""
    if raw.frame.empty or raw.frame["as_of"].notna().all():
        return raw
    if period is None:
        raw.notes.append("the file carries no date and no review year was given (--year): its figures are kept "
                         "undated, and no period's measures use them")
        return raw
    last = (period[1] - dt.timedelta(days=1)).isoformat()
    raw.frame["as_of"] = raw.frame["as_of"].fillna(last)
    raw.notes.append(f"the file carries no date: its figures are taken as the followers at the end of the review "
                     f"period ({last})")
    return raw


def _read_blocks(f: _Found, layout: Layout, account_id: str, rule: str, notes: list[str], base: dict) -> RawFile:
    """A block-style audience export (Meta's Audience, TikTok's business audience file) mapped onto
    `audience_demographics`, block by block. Each figure is a table row: an Age & gender line with
    figures for women and men gives two, and stays one record in the accounting (rows read = lines).
    Blocks the layout does not map are counted as unused."""
    frame, lines, dropped, unused, block_notes = map_blocks(read_blocks(f.path), layout.block_specs,
                                                            Context(account_id=account_id))
    return RawFile(table=layout.table, frame=frame, lines=lines, dropped=dropped, rows_unused=unused, split_records=True,
                   column_sources={"band": "the first column of each block", "share": "the figures of each block"},
                   account_id=account_id, account_rule=rule, notes=notes + block_notes, **base)


def _join_breakdowns(found: list[_Found], sheets: dict[str, Sheet]) -> dict[str, dict]:
    """Join a workbook's breakdown sheets onto its main sheet (legacy Facebook post workbook):
    the columns of a breakdown that carries engagement figures are added to the main sheet's rows
    as `<breakdown> - <value>`, matched by Post ID. Returns, per breakdown sheet, what became of its
    rows: joined (merged into their post), dropped (no such post: rejected, logged) or unused."""
    outcome: dict[str, dict] = {}
    for f in found:
        layout = f.detection.layout
        if layout is None or not layout.joins:
            continue
        sheet = sheets[f.rel]
        main = next((g for g in found if g.path == f.path and g.detection.layout is not None
                     and g.detection.layout.layout_id == layout.joins), None)
        breakdown = engagement_breakdown(sheet.sheet)
        if main is None or breakdown is None:
            why = (f"no {LAYOUTS[layout.joins].title} sheet in the same workbook to join to" if main is None else
                   f"the breakdown '{sheet.sheet}' holds no figure the review uses")
            outcome[f.rel] = {"unused": len(sheet.rows), "note": f"not joined: {why}"}
            continue
        target = sheets[main.rel]
        key_at = {norm(h): i for i, h in enumerate(sheet.header)}.get(norm(layout.join_key))
        posts = {norm(h): i for i, h in enumerate(target.header)}.get(norm(layout.join_key))
        values = [i for i, h in enumerate(sheet.header) if h not in POST_COLUMNS]
        names = [f"{breakdown} - {sheet.header[i]}" for i in values]
        present = {norm(h) for h in target.header}
        fresh = [(i, n) for i, n in zip(values, names) if norm(n) not in present]
        by_post: dict[str, list[str]] = {}
        dropped, joined = [], 0
        known = {row[posts].strip() for row in target.rows}
        for record, (line, row) in enumerate(zip(sheet.lines, sheet.rows)):
            post = row[key_at].strip()
            if post in known and post not in by_post:
                by_post[post] = [row[i] for i, _ in fresh]
                joined += 1
            else:
                reason = (f"no post with this Post ID on the sheet '{target.sheet}'" if post not in known
                          else "this Post ID appears twice on the breakdown sheet; the first row was joined")
                dropped.append({"record": record, "line": line, "column": layout.join_key, "value": post,
                                "reason": reason, "is_junk": False})
        target.header = target.header + [n for _, n in fresh]
        target.rows = [row + by_post.get(row[posts].strip(), [""] * len(fresh)) for row in target.rows]
        outcome[f.rel] = {"joined": joined, "dropped": dropped,
                          "note": f"joined to '{target.sheet}' by Post ID as {', '.join(n for _, n in fresh) or '(no new columns)'}"}
    return outcome


def _read_exports(found: list[_Found], register: _Register | None, period: Period | None) -> list[RawFile]:
    used = [f for f in found if f.detection.layout.table is not None or f.detection.layout.joins]
    sheets = {f.rel: _whole_sheet(f) for f in used}
    joins = _join_breakdowns(used, sheets)
    frames = {rel: raw_frame(sheet) for rel, sheet in sheets.items()}
    hints = {f.rel: account_hints(f.detection.layout, frames[f.rel]) for f in used}
    out = []
    for f in found:
        layout = f.detection.layout
        sheet = sheets.get(f.rel, f.sheet)
        folders = list(Path(f.rel.split(" [")[0]).parent.parts)
        notes = [f"repaired: {q}" for q in sheet.quirks]
        if sheet.preamble:
            notes.append("title line(s): " + " | ".join(sheet.preamble))
        fmt = f"{layout.title} ({sheet.kind})"
        base = dict(path=f.path, format=fmt, sha256=sha256_of(f.path), header_row=sheet.header_line, rel=f.rel,
                    sheet=sheet.sheet, layout=layout.layout_id, platform=layout.platform)
        if f.rel in joins:
            joined = joins[f.rel]
            notes.append(joined["note"])
            out.append(RawFile(table=None, frame=pd.DataFrame(), rows_unused=joined.get("unused", 0),
                               rows_joined=joined.get("joined", 0), dropped=joined.get("dropped", []), notes=notes, **base))
            continue
        if layout.table is None:
            out.append(_unused(f, base, notes))
            continue
        frame = frames[f.rel]
        handle, name = hints[f.rel]
        siblings = {hints[g.rel][0] for g in used if g is not f and g.detection.layout.platform == layout.platform
                    and Path(g.rel).parent == Path(f.rel).parent and hints[g.rel][0]}
        sibling = siblings.pop() if len(siblings) == 1 else None
        account_id, rule = decide_account(layout, handle, name, sibling, folders, register)
        reference, year_note = decide_reference(layout, frame, f.path, folders, period)
        if year_note:
            notes.append(year_note)
        if layout.block_specs:
            out.append(_dated(_read_blocks(f, layout, account_id, rule, notes, base), period))
            continue
        adapted = adapt(sheet, layout, Context(account_id=account_id, reference_date=reference))
        if layout.table == "audience_demographics":
            raw = RawFile(table=layout.table, frame=adapted.frame, lines=adapted.lines, dropped=adapted.dropped,
                          column_sources=adapted.column_sources, account_id=account_id, account_rule=rule,
                          notes=notes, **base)
            out.append(_dated(raw, period))
            continue
        table = TABLES[layout.table]
        stamps = pd.Series(dtype=object) if table.period_column is None else pd.to_datetime(
            adapted.frame[table.period_column], errors="coerce", utc=True, format="ISO8601")
        out.append(RawFile(
            table=layout.table, frame=adapted.frame, lines=adapted.lines, dropped=adapted.dropped,
            column_sources=adapted.column_sources, account_id=account_id, account_rule=rule,
            as_of=stamps.max() if stamps.notna().any() else None, notes=notes, **base,
        ))
    return out


# --- the folder -----------------------------------------------------------------------------------------


SKIP_HINT = ("Fix or remove these files, or run again with --skip-unknown to go on without them "
             "(they are then listed as skipped in the ingest report and the report's data-sources appendix).")


def read_inputs(sources: list[Path], period: Period | None = None, stream: bool = False,
                skip_unknown: bool = False) -> tuple[list[RawFile], dict]:
    """Read every table file under `sources` (folders or files); return raw files and metadata.

    stream=True leaves large plain canonical CSVs (STREAM_MIN_BYTES) unread: validation reads
    them in chunks and writes their tables to Parquet (`validate_files(..., spool=...)`).

    Files (or workbook sheets) that match nothing or cannot be read are all named in one
    ReviewError, each with what it looks like; with `skip_unknown` the ingest goes on without
    them. Metadata says whether the input is synthetic (one folder, the generator's sample with a
    SYNTHETIC.json that proves it: `review.inputs.sample.proven_sample`), lists other files, and lists every file `skipped` (file and reason: hidden
    folders always, unknown or unreadable files with `skip_unknown`): never silently passed over.
    """
    with remembered():  # each file hashed once: for the sample's proof, then as it is read
        return _read_inputs(sources, period, stream, skip_unknown)


def _read_inputs(sources: list[Path], period: Period | None, stream: bool, skip_unknown: bool) -> tuple[list[RawFile], dict]:
    entries: list[tuple[Path, str]] = []
    others, skipped, proofs, doubts = [], [], [], []
    for source in map(Path, sources):
        if source.is_file():
            entries.append((source, source.name if len(sources) == 1 else str(source)))
            proofs.append(None)
            continue
        refuse_year_folder(source)
        table_files, other_files, hidden = list_input_files(source)
        prefix = "" if len(sources) == 1 else f"{source}/"
        entries += [(p, prefix + str(p.relative_to(source))) for p in table_files]
        others += [
            {"path": prefix + str(p.relative_to(source)), "kind": KNOWN_NON_TABLES.get(p.name.lower(), "not a table: ignored")}
            for p in other_files
        ]
        skipped += [{"file": prefix + str(p.relative_to(source)), "reason": reason} for p, reason in hidden]
        marker, why_not = proven_sample(source, table_files)
        proofs.append(marker)
        if why_not:
            doubts.append(why_not)
    if not entries:
        where = ", ".join(map(str, sources))
        hidden_note = f" ({len(skipped)} in hidden folders are not read: {skipped[0]['file']}...)" if skipped else ""
        raise ReviewError(f"{where}: no CSV, XLSX or Parquet files found{hidden_note}")
    found, problems = [], []
    for path, rel in entries:
        try:
            f, p = _recognise(path, rel)
        except ReviewError as exc:
            problems.append((rel, str(exc).replace(str(path), rel)))
            continue
        except Exception as exc:  # a reader's own failure on bytes nobody foresaw: still one line, naming the file
            if os.environ.get("REVIEW_DEBUG"):
                raise
            problems.append((rel, f"{rel}: cannot be read ({type(exc).__name__}: {exc}); {EXPECTED}"))
            continue
        found += f
        problems += p
    if problems and not skip_unknown:
        raise ReviewError("\n".join([message for _, message in problems] + [SKIP_HINT]))
    skipped += [{"file": shown, "reason": message.split(": ", 1)[1] if message.startswith(shown + ": ") else message}
                for shown, message in problems]
    if not found:
        raise ReviewError(f"{', '.join(map(str, sources))}: every table file was skipped; nothing to ingest")
    canonical = [_read_canonical(f, stream) for f in found if f.detection.is_canonical]
    exports = _read_exports([f for f in found if not f.detection.is_canonical], _register(canonical), period)
    order = {f.rel: i for i, f in enumerate(found)}
    raw = sorted(canonical + exports, key=lambda r: order[r.rel])
    # Synthetic only when every source is the generator's untouched sample; anything else is real.
    synthetic = proofs[0] if len(proofs) == 1 else None
    # Before validation, so no person identifier reaches a table, the rejected-rows log or a report.
    pseudonymise_files(raw, synthetic=synthetic is not None, doubts=doubts)
    return raw, {"synthetic": synthetic, "other_files": others, "skipped": skipped}


def read_folder(data_dir: Path, period: Period | None = None, stream: bool = False,
                skip_unknown: bool = False) -> tuple[list[RawFile], dict]:
    """Read every table file in `data_dir`; see `read_inputs`."""
    return read_inputs([Path(data_dir)], period, stream, skip_unknown)


# --- the ingest output folder ------------------------------------------------------------------------
#
# `review ingest SRC --out DIR` writes one Parquet file per canonical table, rejected-rows.csv and
# ingest-report.json into DIR. DIR is then a valid `--data` for `review run` (and `review
# recommendations`, `review sql`, `review.load`): it is recognised by its ingest report (the
# `written_by` mark inside), never by file names, and read as ingest validated it. The per-file
# accounting and the rejected rows that reach the report are those of the ORIGINAL files.

INGEST_REJECTED = "rejected-rows.csv"
INGEST_MARK = "review ingest"  # `written_by` in the report: this folder is an ingest output
INGEST_FORMAT = 1  # bumped when what ingest writes changes shape


def write_ingest(sources: list[Path], out: Path, period: Period | None = None, skip_unknown: bool = False,
                 config_path: Path | None = None):
    """`review ingest`: read and validate `sources`; write one Parquet file per canonical table,
    `rejected-rows.csv` and `ingest-report.json` into `out`. Returns the `Validated` result
    (the caller applies the reject-rate limit, after the log is written); the files skipped, with
    their reasons, are in the report under `skipped`.

    The report names every file it wrote with its checksum (`outputs`), so a later run on `out`
    knows the folder is an ingest output and that nothing in it changed since. `out` follows the
    one rule for outputs (review.runner.outdir): built beside and swapped in, never a source or the
    config (`config_path`), never a folder that is not an ingest's output."""
    from review.runner import outdir

    inputs = [("the input (SRC)", Path(s)) for s in sources] + [("the config file (--config)", config_path)]
    validated = outdir.build(out, "ingest", lambda staging: _write_ingest(sources, staging, period, skip_unknown),
                             inputs=inputs)
    for name, table in validated.tables.items():
        if not isinstance(table, pd.DataFrame):  # a large table, written as it was read: now in `out`
            table.path = outdir.resolve(out) / f"{name}.parquet"
    return validated


def _write_ingest(sources: list[Path], out: Path, period: Period | None, skip_unknown: bool):
    from review import __version__
    from review.runner import artifacts
    from review.cells import write_csv
    from review.inputs.validate import validate_files

    raw, meta = read_inputs(sources, period, stream=True, skip_unknown=skip_unknown)
    validated = validate_files(raw, spool=out)  # large tables are written to out as they are read
    outputs = {}
    for name, frame in validated.tables.items():
        artifacts.write_table(out / f"{name}.parquet", frame)
        outputs[f"{name}.parquet"] = {"table": name, "rows": len(frame), "sha256": sha256_of(out / f"{name}.parquet")}
    write_csv(validated.rejected, out / INGEST_REJECTED)
    outputs[INGEST_REJECTED] = {"table": None, "rows": len(validated.rejected), "sha256": sha256_of(out / INGEST_REJECTED)}
    artifacts.write_json(
        out / INGEST_REPORT,
        {
            "written_by": INGEST_MARK,
            "format": INGEST_FORMAT,
            "review_version": __version__,
            "sources": [str(s) for s in sources],
            "period": [period[0].isoformat(), period[1].isoformat()] if period else None,
            "files": [f.as_dict() for f in validated.files],
            "tables": {name: len(frame) for name, frame in validated.tables.items()},
            "outputs": outputs,
            "rows_rejected": len(validated.rejected.drop_duplicates(["file", "line"])),
            "synthetic": meta["synthetic"],
            "other_files": meta["other_files"],
            "skipped": meta["skipped"],  # file and reason: hidden folders, and unknown files with --skip-unknown
        },
    )
    return validated


def ingest_report_of(folder: Path) -> dict | None:
    """The ingest report when `folder` is a `review ingest` output folder, else None.

    A folder holding an `ingest-report.json` without the mark (an older ingest, or a file
    edited by hand) is neither: that is an error asking for the ingest to be run again."""
    path = Path(folder) / INGEST_REPORT
    if not path.is_file():
        return None
    again = "run review ingest again to rebuild the folder"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path}: the ingest report cannot be read ({exc}); {again}") from None
    if not isinstance(report, dict) or report.get("written_by") != INGEST_MARK:
        raise ReviewError(f"{path}: not an ingest report written by this version of review ingest; {again}")
    if report.get("format") != INGEST_FORMAT:
        raise ReviewError(f"{path}: written by another version of review ingest (format {report.get('format')}, "
                          f"this version reads {INGEST_FORMAT}); {again}")
    return report


def _yearless_files(report: dict) -> list[str]:
    """Files of the report whose dates were written without a year (placed by the period)."""
    yearless = {layout_id for layout_id, layout in LAYOUTS.items() if layout.month_day_columns}
    return [f["path"] for f in report["files"] if f.get("layout") in yearless]


def read_ingested(folder: Path, period: Period | None = None, spool: Path | None = None):
    """An ingest output folder as ingest validated it: returns (`Validated`, metadata).

    The tables are its Parquet files, each checked against the checksum the ingest recorded
    (a file changed or added since is an error: the folder would no longer say what became
    of every original row) and against its contract. The file reports and rejected rows are
    the ingest's, about the original files. `spool` (a folder): a large table is copied there
    and handed on as a `ParquetTable`, never read whole. With `period`, the ingest must have
    placed dates written without a year (TikTok) for the same period, or it is an error.
    Metadata: synthetic, other_files, skipped (as for a folder of input files) and `ingest`, what
    the ingest read and when it ran for which period.
    """
    import shutil

    import pandera.errors

    from review.inputs.validate import REJECTED_COLUMNS, FileReport, ParquetTable, Validated

    folder = Path(folder)
    report = ingest_report_of(folder)
    again = f"run review ingest again into {folder}"
    outputs = report.get("outputs") or {}
    written = set(outputs) | {INGEST_REPORT}
    extra = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                   and str(p.relative_to(folder)) not in written)
    if extra:
        raise ReviewError(
            f"{folder}: a review ingest output folder, but it also holds file(s) ingest did not write: "
            f"{', '.join(extra)}. Put new inputs with the originals ({', '.join(report['sources'])}) and {again}"
        )
    for rel, entry in outputs.items():
        path = folder / rel
        if not path.is_file():
            raise ReviewError(f"{path}: missing from the ingest output folder; {again}")
        if sha256_of(path) != entry["sha256"]:
            raise ReviewError(f"{path}: changed since review ingest wrote it (its checksum differs from "
                              f"{INGEST_REPORT}); fix the original file instead and {again}")
    if period is not None:
        placed = report.get("period")
        wanted = [period[0].isoformat(), period[1].isoformat()]
        yearless = _yearless_files(report)
        if yearless and placed != wanted:
            when = f"{placed[0]} to {placed[1]}" if placed else "no review year (--year not given)"
            raise ReviewError(
                f"{folder}: review ingest placed the dates without a year in {', '.join(yearless)} for {when}, "
                f"but this review is {wanted[0]} to {wanted[1]}; {again} with this --year"
            )
    tables = {}
    for name, table in TABLES.items():
        entry = outputs.get(f"{name}.parquet")
        if entry is None:
            raise ReviewError(f"{folder}: has no {name}.parquet (a table this version of review knows); {again}")
        path = folder / f"{name}.parquet"
        if spool is not None and path.stat().st_size >= STREAM_MIN_BYTES:
            Path(spool).mkdir(parents=True, exist_ok=True)
            copy = Path(spool) / f"{name}.parquet"
            shutil.copyfile(path, copy)
            tables[name] = ParquetTable(copy, entry["rows"])
            continue
        try:
            tables[name] = table.model.validate(pd.read_parquet(path))
        except (pandera.errors.SchemaError, pandera.errors.SchemaErrors, ValueError, OSError) as exc:
            raise ReviewError(f"{path}: does not match the {name} contract of this version of review "
                              f"({type(exc).__name__}); {again}") from None
    rejected = pd.read_csv(folder / INGEST_REJECTED, dtype=str, keep_default_na=False)
    if list(rejected.columns) != REJECTED_COLUMNS:
        raise ReviewError(f"{folder / INGEST_REJECTED}: expected the columns {', '.join(REJECTED_COLUMNS)}; {again}")
    rejected["line"] = rejected["line"].astype(int)
    known = set(FileReport.__dataclass_fields__)
    files = [FileReport(**{k: v for k, v in f.items() if k in known}) for f in report["files"]]
    meta = {
        "synthetic": report.get("synthetic"),
        "other_files": report.get("other_files", []),
        "skipped": report.get("skipped", []),
        "ingest": {"folder": str(folder), "sources": report["sources"], "period": report.get("period"),
                   "review_version": report.get("review_version")},
    }
    return Validated(tables=tables, rejected=rejected, files=files), meta


def read_checked(data_dir: Path, period: Period | None = None, spool: Path | None = None):
    """The validated tables of `data_dir` with the per-file accounting: returns (`Validated`,
    metadata). `data_dir` is a folder of input files (read and validated now, see `read_inputs`;
    large CSVs go through `spool`) or a `review ingest` output folder (`read_ingested`).
    Metadata: synthetic, other_files, and `ingest` (None for a folder of input files)."""
    from review.inputs.validate import validate_files

    data_dir = Path(data_dir)
    if data_dir.is_dir() and ingest_report_of(data_dir) is not None:
        return read_ingested(data_dir, period, spool)
    raw, meta = read_folder(data_dir, period, stream=spool is not None)
    return validate_files(raw, data_dir, spool), {**meta, "ingest": None}
