"""What a platform layout is, and the small column rules adapters are built from.

A `Layout` is data: its fingerprint (the headers that identify it), the canonical table it
feeds (or none: recognised, not used by the review), one `Col` rule per canonical column, and
the platform's own definition of each metric. `docs/platform-exports.md` is generated from these
objects, so the mapping and its documentation cannot drift apart.

Rules turn platform cells into canonical *text* (ISO dates, plain numbers). Typing and checks
stay in `review.inputs.validate`: a cell a rule cannot read is passed on unchanged, so validation
rejects it with the original value, file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

# Whole-cell tokens platforms write for "no figure".
MISSING_TOKENS = {"undefined", "nan", "--", "-", "n/a"}


def norm(name: str) -> str:
    """Header key for matching platform columns: case, spacing and a trailing space ignored."""
    return re.sub(r"\s+", " ", str(name)).strip().lower()


class Cells:
    """A raw platform frame (text cells) looked up by header, case- and space-insensitively."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.keys = {norm(c): c for c in frame.columns}

    def has(self, name: str) -> bool:
        return norm(name) in self.keys

    def __getitem__(self, name: str) -> pd.Series:
        return self.frame[self.keys[norm(name)]]

    def get(self, name: str) -> pd.Series:
        """The column, or an all-empty one when this export does not have it."""
        if self.has(name):
            return self[name]
        return pd.Series("", index=self.frame.index, dtype=object)

    def __len__(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class Col:
    """How one canonical column is made from the platform's columns."""

    sources: tuple[str, ...]  # platform headers read (for the docs and the rejected log)
    rule: str  # the rule in words, for the docs
    fn: Callable[[Cells, "Context"], pd.Series]
    joiner: str = " + "  # how the sources combine, for the docs: summed, or " or " (the first present)


@dataclass
class Context:
    """What a rule may need beyond the cells: the account decided for the file, the anchor
    for dates written without a year."""

    account_id: str
    reference_date: dt.date | None = None  # latest date a month-day date can be (export date)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    layout_id: str
    title: str
    family: str  # X, Meta Business Suite, Facebook Insights (legacy), YouTube Studio, TikTok Studio, LinkedIn
    platform: str  # a contracts.PLATFORMS value
    table: str | None  # canonical table fed; None = recognised, not used by the review
    fingerprint: tuple[str, ...]  # headers that must all be present (as the platform writes them)
    columns: dict[str, Col] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)  # canonical metric -> platform's meaning
    sample: str | None = None  # file in shared/exports; None = built from documentation only
    source: str = ""  # where the layout was learned
    title_line: str | None = None  # regex a title line above the header must match
    junk: Callable[[Cells], pd.Series] | None = None  # reason per row ("" = a real row)
    handle_columns: tuple[str, ...] = ()  # columns holding a handle or a URL with one
    name_columns: tuple[str, ...] = ()  # columns holding the account's display name
    month_day_columns: tuple[str, ...] = ()  # dates written without a year
    export_date_column: str | None = None  # column holding the export date, if any
    why_not_used: str = ""  # for table None: what the file holds and why the review skips it
    notes: str = ""
    vintage: str = ""  # the years this layout was downloaded in, as far as known
    # A block-style file (several titled tables, Meta's Audience export): regexes that the block
    # titles must all match, one each. Block layouts are recognised by titles, not by a header.
    blocks: tuple[str, ...] = ()
    # For a block layout that feeds a table (audience_demographics): how each block maps (BlockSpec).
    block_specs: tuple = ()
    # A check of the whole header beyond the fingerprint (YouTube Totals: every other column a
    # YouTube metric): what is missing, in words, or None when the header fits.
    header_check: Callable[[list[str]], str | None] | None = None
    # A breakdown sheet of a workbook whose rows join, by `join_key`, onto the rows of the sheet
    # of layout `joins` in the same workbook (legacy Facebook: "Lifetime Post Stories by action type").
    joins: str | None = None
    join_key: str = ""

    @property
    def is_documentation_only(self) -> bool:
        return self.sample is None

    def key_headers(self) -> set[str]:
        return {norm(h) for h in self.fingerprint}

    def needed_headers(self) -> set[str]:
        """Every header (normalised) a mapping reads: a whole file is read keeping only these."""
        names = set(self.fingerprint) | set(self.handle_columns) | set(self.name_columns)
        names |= set(self.month_day_columns) | {self.export_date_column or "", self.join_key, "Date"}
        for spec in self.columns.values():
            names |= set(spec.sources)
        return {norm(n) for n in names if n}


# --- rules -----------------------------------------------------------------------------------------


def _blank(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().isin(["", "None", "nan"]) | series.isna()


def take(name: str, note: str = "", blank: str | None = None) -> Col:
    """Copy a column; `blank` fills empty cells (exports that write nothing for zero)."""

    def fn(c: Cells, ctx: Context) -> pd.Series:
        values = c.get(name)
        return values if blank is None else values.mask(_blank(values), blank)

    words = f"`{name}`" + (f" ({note})" if note else "") + (f"; empty means {blank}" if blank is not None else "")
    return Col((name,), words, fn)


def first_of(*names: str) -> Col:
    """The first of several spellings the export has (headers drift between years)."""

    def fn(c: Cells, ctx: Context) -> pd.Series:
        for name in names:
            if c.has(name):
                return c[name]
        return c.get(names[0])

    return Col(tuple(names), " or ".join(f"`{n}`" for n in names) + " (whichever the export has)", fn, joiner=" or ")


def _numbers(series: pd.Series) -> pd.Series:
    text = series.astype(str).str.strip().str.replace(",", "", regex=False)
    return pd.to_numeric(text.mask(text.eq("")), errors="coerce")


def total(*names: str, note: str = "") -> Col:
    """Sum of columns; blank when every part is blank. A part that is not a number is passed on
    as it is, so validation rejects the row with the bad value."""

    def fn(c: Cells, ctx: Context) -> pd.Series:
        present = [n for n in names if c.has(n)]
        if not present:
            return pd.Series("", index=c.frame.index, dtype=object)
        parts = [c[n] for n in present]
        values = [_numbers(p) for p in parts]
        out = pd.Series(np.nansum(np.vstack([v.to_numpy(dtype=float) for v in values]), axis=0), index=c.frame.index)
        all_blank = np.logical_and.reduce([_blank(p).to_numpy() for p in parts])
        text = out.map(lambda v: str(int(v)) if float(v).is_integer() else str(v)).astype(object)
        text[all_blank] = ""
        for part, value in zip(parts, values):  # keep a bad cell visible to validation
            bad = ~_blank(part) & value.isna()
            text[bad] = part[bad]
        return text

    rule = " + ".join(f"`{n}`" for n in names) + (f" ({note})" if note else "")
    return Col(tuple(names), rule, fn)


def const(value: str, note: str) -> Col:
    return Col((), note, lambda c, ctx: pd.Series(value, index=c.frame.index, dtype=object))


def account() -> Col:
    return Col((), "the account decided for the file (see *Which account*)", lambda c, ctx: pd.Series(ctx.account_id, index=c.frame.index, dtype=object))


def when(name: str, formats: tuple[str, ...], what: str, offset: str | None = None, date_only: bool = False) -> Col:
    """Parse a platform date or time with its known formats (ISO also accepted: an XLSX copy
    stores real dates). Naive times are UK local time; `offset` marks them UTC instead."""

    def fn(c: Cells, ctx: Context) -> pd.Series:
        return parse_times(c.get(name), formats, date_only=date_only, utc=offset == "UTC")

    return Col((name,), f"`{name}`, {what}", fn)


def _plausible(parsed: pd.Series) -> pd.Series:
    """Dates outside 1900-2100 made missing: the cell then stays as written and validation
    rejects it (pandas parses a damaged `1115-01-01` that nanosecond timestamps cannot hold)."""
    return parsed.where(parsed.isna() | ((parsed >= "1900-01-01") & (parsed <= "2100-12-31 23:59:59")))


def parse_times(series: pd.Series, formats: tuple[str, ...], date_only: bool = False, utc: bool = False) -> pd.Series:
    text = series.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    for fmt in formats:
        rest = out.isna() & ~_blank(text)
        if not rest.any():
            break
        parsed = pd.to_datetime(text[rest], format=fmt, errors="coerce", utc="%z" in fmt)
        if "%z" in fmt:
            parsed = parsed.dt.tz_localize(None)  # now UTC wall time
        out[rest] = _plausible(parsed)
    rest = out.isna() & ~_blank(text)
    if rest.any():  # an XLSX copy holds real dates: ISO text
        iso = pd.to_datetime(text[rest], format="ISO8601", errors="coerce", utc=True)
        out[rest] = _plausible(iso.dt.tz_localize(None))
    if date_only:
        shown = out.dt.strftime("%Y-%m-%d")
    else:
        shown = out.dt.strftime("%Y-%m-%dT%H:%M:%S") + ("+00:00" if utc else "")
    result = text.astype(object).where(out.isna(), shown)
    return result.mask(_blank(text), "")


MONTH_DAY = ("%B %d", "%b %d")

# Month names TikTok Studio writes when the account's language is not English (`8 de marzo`,
# `8 mars`, `8. März`): Spanish, Portuguese, French, German, Italian and Dutch, full names and
# their first three letters where those name one month only (`jui` could be juin or juillet).
_MONTHS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
def _month_names() -> dict[str, int]:
    full = {"setiembre": 9, "févr": 2, "janv": 1, "avr": 4, "juil": 7, "sept": 9, "déc": 12, "mrt": 3}
    short: dict[str, set[int]] = {}
    for names in _MONTHS.values():
        for number, name in enumerate(names.split(), start=1):
            full[name] = number
            short.setdefault(name[:3], set()).add(number)
    return {**{k: next(iter(v)) for k, v in short.items() if len(v) == 1}, **full}


MONTH_NAMES = _month_names()
_DAY_MONTH = re.compile(r"^(\d{1,2})\.?\s*(?:de\s+)?([^\W\d_]+)\.?(?:\s+de)?$", re.IGNORECASE)
_MONTH_DAY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})$", re.IGNORECASE)


def month_day_dates(name: str) -> Col:
    def fn(c: Cells, ctx: Context) -> pd.Series:
        return with_year(c.get(name), ctx.reference_date)

    return Col((name,), f"`{name}` (month and day, in English or as TikTok writes them in Spanish, Portuguese, "
                       "French, German, Italian or Dutch; the year is inferred, see *Dates without a year*)", fn)


def parse_month_day(text: str) -> tuple[int, int] | None:
    """(month, day) of `February 27`, `Feb 27`, `8 de marzo`, `8 mars` or `8. März`; None when the
    text is not a month and a day (validation then rejects the row, naming the value)."""
    text = str(text).strip()
    for fmt in MONTH_DAY:
        try:
            d = dt.datetime.strptime(f"2000 {text}", f"%Y {fmt}")  # 2000 is a leap year: Feb 29 reads
            return d.month, d.day
        except ValueError:
            continue
    match = _DAY_MONTH.match(text)
    day, month = (match.group(1), match.group(2)) if match else (None, None)
    if match is None:
        match = _MONTH_DAY.match(text)
        day, month = (match.group(2), match.group(1)) if match else (None, None)
    number = MONTH_NAMES.get(str(month).lower()) if match else None
    if number is None:
        return None
    try:
        dt.date(2000, number, int(day))
    except ValueError:
        return None
    return number, int(day)


def place(month_day: tuple[int, int], reference: dt.date) -> dt.date:
    """The latest date on or before `reference` with this month and day."""
    month, day = month_day
    year = reference.year
    while True:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # Feb 29 in a common year
            year -= 1
            continue
        if candidate <= reference:
            return candidate
        year -= 1


def with_year(series: pd.Series, reference: dt.date | None) -> pd.Series:
    def one(value):
        parsed = parse_month_day(value)
        if parsed is None or reference is None:
            return value  # validation rejects it, naming the value
        return place(parsed, reference).isoformat()

    return series.map(one).astype(object)


def map_values(name: str, mapping: dict[str, str], default: str | None, what: str) -> Col:
    def fn(c: Cells, ctx: Context) -> pd.Series:
        keys = c.get(name).astype(str).str.strip().str.lower()
        out = keys.map({k.lower(): v for k, v in mapping.items()})
        if default is not None:
            out = out.fillna(default)
        return out.fillna(c.get(name)).astype(object)

    pairs = ", ".join(f"`{k}` → {v}" for k, v in mapping.items())
    return Col((name,), f"`{name}`: {pairs}" + (f"; otherwise {default}" if default else "") + (f" ({what})" if what else ""), fn)


def rule(sources: tuple[str, ...], words: str, fn: Callable[[Cells, Context], pd.Series]) -> Col:
    return Col(sources, words, fn)


# --- junk rows ------------------------------------------------------------------------------------


def junk_when(column: str, values: dict[str, str]) -> Callable[[Cells], pd.Series]:
    """Rows whose `column` holds one of `values` (case-insensitive) are the export's own
    summaries or placeholders: reason per row, "" for real rows."""

    def fn(c: Cells) -> pd.Series:
        cell = c.get(column).astype(str).str.strip().str.lower()
        return cell.map({k.lower(): v for k, v in values.items()}).fillna("").astype(object)

    return fn


def combine_junk(*rules: Callable[[Cells], pd.Series]) -> Callable[[Cells], pd.Series]:
    def fn(c: Cells) -> pd.Series:
        out = pd.Series("", index=c.frame.index, dtype=object)
        for r in rules:
            reason = r(c)
            out = out.where(out.ne(""), reason)
        return out

    return fn


# --- account handles --------------------------------------------------------------------------------

_URL_HANDLE = [
    re.compile(r"(?:twitter|x)\.com/(?!i/)([A-Za-z0-9_]+)/status", re.I),
    re.compile(r"tiktok\.com/@([^/?#]+)", re.I),
    re.compile(r"facebook\.com/(?!reel/|watch|permalink|groups/|story\.php|photo|video\.php)([^/?#]+)", re.I),
    re.compile(r"instagram\.com/(?!p/|reel/|tv/|stories/)([^/?#]+)", re.I),
    re.compile(r"youtube\.com/(@[^/?#]+|c/[^/?#]+|channel/[^/?#]+)", re.I),
    re.compile(r"linkedin\.com/company/([^/?#]+)", re.I),
]


def handle_key(value: str) -> str:
    """`@NorthshirePolice`, `https://x.com/NorthshirePolice/status/1` and
    `facebook.com/NorthshirePolice` all become `northshirepolice`."""
    text = str(value).strip()
    for pattern in _URL_HANDLE:
        match = pattern.search(text)
        if match:
            text = match.group(1)
            break
    else:
        text = re.sub(r"^(https?://)?(www\.)?[a-z0-9.-]+\.[a-z]{2,}/", "", text, flags=re.I)
    text = text.strip("/ ").lstrip("@")
    text = re.sub(r"^(c/|channel/)", "", text)
    return text.lower()


def handle_from_cell(value: str) -> str | None:
    """The handle a cell shows (a URL with one, or a bare handle), as written; None if none."""
    text = str(value).strip()
    if not text or text.lower() in MISSING_TOKENS:
        return None
    for pattern in _URL_HANDLE:
        match = pattern.search(text)
        if match:
            found = match.group(1).lstrip("@")
            return None if found.lower() in {"undefined", "i"} else found
    if "/" in text or " " in text:
        return None
    return text.lstrip("@")


# --- block-style audience exports: several titled tables mapped onto `audience_demographics` ----------


@dataclass(frozen=True)
class BlockSpec:
    """How one titled block of an audience export becomes rows of `audience_demographics`. The
    block's first column is the band; its figures are in the second column, or, for a table split by
    sex (Meta's Age & gender: `Age;Women;Men`), one column per sex, each figure one row."""

    title: str  # regex the block's title matches (case-insensitive)
    dimension: str  # a contracts.AUDIENCE_DIMENSIONS value
    sexes: tuple[tuple[str, str], ...] = ()  # (header regex, sex) of the columns split by sex
    percent: bool = False  # shares written as percentages (41.2) rather than fractions (0.412)
    bands: tuple[tuple[str, str], ...] = ()  # band names as written -> canonical (Female -> female)

    def describe(self) -> str:
        split = f"one row per {', '.join(s for _, s in self.sexes)} column" if self.sexes else "the second column"
        unit = "a percentage, divided by 100" if self.percent else "a fraction"
        return f"block titled like `{self.title}` → dimension {self.dimension}: the first column is the band; {split}, {unit}"


# A share a non-English Excel turned into a date on re-saving (`04.янв` for 4.1, `12.июн` for 12.6).
_DATE_SHARE = re.compile(r"^\d{1,2}[./-]\s*[^\W\d_]+\.?$")
DATE_SHARE_REASON = ("the share was turned into a date by Excel in another language ({value}); it cannot be read back "
                     "reliably: download the export again and use it without opening and saving it in Excel")


def share_text(value: str, percent: bool) -> str:
    """A share cell as a fraction in text (`41,2` with percent → `0.412`); a cell that is not a
    number is passed on as written, so validation rejects it naming the value."""
    text = str(value).strip().rstrip("%").strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return str(value).strip()
    return repr(round(number / 100 if percent else number, 10))


def map_blocks(blocks: list, specs: tuple[BlockSpec, ...], ctx: Context) -> tuple[pd.DataFrame, list[int], list[dict], int, list[str]]:
    """Blocks of an audience export as `audience_demographics` rows (text cells): (frame, the line of
    each row, rows dropped with their reason, rows of blocks no spec maps (unused), notes)."""
    rows, lines, dropped, unused, notes = [], [], [], 0, []
    for block in blocks:
        spec = next((s for s in specs if re.search(s.title, block.title, re.IGNORECASE)), None)
        if spec is None or len(block.header) < 2:
            unused += len(block.rows)
            notes.append(f"block '{block.title or '(untitled)'}' ({len(block.rows)} rows): not used")
            continue
        if spec.sexes:
            columns = [(i, sex) for pattern, sex in spec.sexes
                       for i, h in enumerate(block.header) if re.fullmatch(pattern, h.strip(), re.IGNORECASE)]
        else:
            columns = [(1, None)]
        bands = {k.lower(): v for k, v in spec.bands}
        used = 0
        for line, cells in zip(block.lines, block.rows):
            cells = cells + [""] * len(block.header)
            band = cells[0].strip()
            dated = [(block.header[i], cells[i].strip()) for i, _ in columns if _DATE_SHARE.match(cells[i].strip())]
            if dated:  # the line is one record: rejected whole, naming each damaged cell
                dropped.append({"record": None, "line": line, "column": "share (from " + ", ".join(h for h, _ in dated) + ")",
                                "value": "; ".join(v for _, v in dated),
                                "reason": DATE_SHARE_REASON.format(value="; ".join(v for _, v in dated)), "is_junk": False})
                continue
            for i, sex in columns:
                value = cells[i].strip()
                rows.append({"account_id": ctx.account_id, "as_of": pd.NA, "dimension": spec.dimension,
                             "band": bands.get(band.lower(), band), "sex": sex,
                             "share": share_text(value, spec.percent) if value else pd.NA, "count": pd.NA})
                lines.append(line)
                used += 1
        split = f", {len(columns)} figures a row, one table row each" if len(columns) > 1 else ""
        notes.append(f"block '{block.title}' ({len(block.rows)} rows{split}): {spec.dimension}")
    frame = pd.DataFrame(rows, columns=["account_id", "as_of", "dimension", "band", "sex", "share", "count"], dtype=object)
    return frame, lines, dropped, unused, notes
