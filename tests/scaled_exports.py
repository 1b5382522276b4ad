"""Real exports (and the synthetic ones of tests/export_fixtures.py) scaled to any number of records,
keeping every byte-level quirk: encoding and BOM, `sep=` and title lines, the description row,
line endings, a missing final newline, multi-line quoted cells, Excel's re-wrapped lines.

The file is cut here, without `review`, into its head (the physical lines above the first data
record) and its records (each the physical lines one record spans, found with the csv module, or
for Excel's re-wrap with bare caption lines by the line that starts a record); the scaled file is
the head and then the records taken in turn until there are `n`. So a scaled file holds exactly
`n` records by construction: the count the ingest must report, worked out independently of it.

A block-style file (titled tables separated by blank lines) keeps every block's title and header;
its `n` rows are shared out over the blocks (each block first gets as many as it had, the last
block the rest), so every block title the layout needs is still there.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from export_fixtures import FIXTURES

EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "exports"


@dataclass(frozen=True)
class Source:
    """How to cut one file: the physical lines above its first record, its delimiter and encoding,
    and (for Excel's re-wrap with bare caption lines) the pattern of a line that starts a record."""

    path: Path
    head_lines: int = 1
    delimiter: str = ","
    encoding: str | None = None  # None: from the BOM, else UTF-8, else cp1252
    record_start: str | None = None
    blocks: bool = False


def _encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _split(text: str, source: Source) -> tuple[list[str], list[list[str]]]:
    """(head lines, records as lists of physical lines) of a one-table file."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    head, body = lines[: source.head_lines], lines[source.head_lines:]
    records: list[list[str]] = []
    if source.record_start:
        for line in body:
            if re.match(source.record_start, line) or not records:
                records.append([line])
            else:
                records[-1].append(line)
        return head, records
    reader = csv.reader(io.StringIO("\n".join(body), newline=""), delimiter=source.delimiter)
    previous = 0
    for cells in reader:
        span = body[previous: reader.line_num]
        previous = reader.line_num
        if any(c.strip() for c in cells):
            records.append(span)
    return head, records


def _blocks(text: str) -> list[tuple[list[str], list[str]]]:
    """(title and header lines, row lines) of each block; blocks are separated by blank lines
    (a line of only delimiters and quotes is blank too, as Excel writes them)."""
    out, current = [], []
    for line in text.split("\n") + [""]:
        if line.strip(" ;,\r\"") == "":
            if current:
                out.append(current[1:] if current[0].startswith("sep=") else current)
            current = []
            continue
        current.append(line)
    return [(lines[:2], lines[2:]) for lines in out]  # title line, header line: every fixture block has both


def scale(source: Source, n: int) -> bytes:
    """The file with exactly `n` records (see the module docstring)."""
    data = source.path.read_bytes()
    encoding = source.encoding or _encoding(data)
    text = data.decode(encoding)
    if encoding == "utf-16":
        text = text.lstrip("\ufeff")
    final_newline = text.endswith("\n")
    if source.blocks:
        return _scale_blocks(text, encoding, n)
    head, records = _split(text, source)
    assert records, source.path
    chosen = [records[i % len(records)] for i in range(n)]
    out = "\n".join(head + [line for record in chosen for line in record])
    if final_newline or n == 0:
        out += "\n"
    return out.encode(encoding)


def _scale_blocks(text: str, encoding: str, n: int) -> bytes:
    prefix = "sep=,\n" if text.startswith("sep=") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    blocks = _blocks(text.replace("\r\n", "\n"))
    left, parts = n, []
    for i, (top, rows) in enumerate(blocks):
        take = left if i == len(blocks) - 1 else min(len(rows), left)
        chosen = [rows[j % len(rows)] for j in range(take)] if rows else []
        left -= take
        parts.append(newline.join(top + chosen) + newline)
    return (prefix.replace("\n", newline) + newline.join(parts)).encode(encoding)


def _legacy(name: str) -> Source:
    return Source(EXPORTS / name, head_lines=2)  # header, then the description row


SHARED = {
    "meta_business_suite_daily_follows_excel_resaved_semicolon.csv": Source(
        EXPORTS / "meta_business_suite_daily_follows_excel_resaved_semicolon.csv", head_lines=2, delimiter=";"),
    "meta_business_suite_daily_follows_utf16.csv": Source(EXPORTS / "meta_business_suite_daily_follows_utf16.csv", head_lines=3),
    "meta_business_suite_daily_views_utf16.csv": Source(EXPORTS / "meta_business_suite_daily_views_utf16.csv", head_lines=3),
    "meta_business_suite_instagram_posts_excel_resaved.csv": Source(
        EXPORTS / "meta_business_suite_instagram_posts_excel_resaved.csv", record_start=r'^"\d{15,},'),
    **{name: _legacy(name) for name in ("facebook_insights_post_level_legacy_2016.csv", "facebook_insights_post_level_legacy_2017.csv",
                                        "facebook_insights_video_posts_legacy_2015.csv", "facebook_insights_page_level_legacy_2014.csv")},
}


def shared_sources() -> dict[str, Source]:
    """Every real sample, with how to cut it (the default: one header line, commas)."""
    if not EXPORTS.is_dir():
        return {}
    return {p.name: SHARED.get(p.name, Source(p)) for p in sorted(EXPORTS.glob("*.csv"))}


def fixture_sources() -> dict[str, Source]:
    """Every text fixture of tests/export_fixtures.py (the workbooks are scaled by their builders)."""
    blocks = {"tiktok_business_audience.csv", "mbs_audience_utf16.csv", "mbs_audience_cp1251_semicolon.csv",
              "mbs_top_content_formats.csv"}
    out = {}
    for path in sorted(FIXTURES.glob("*.csv")):
        encoding = "cp1251" if "cp1251" in path.name else None
        out[path.name] = Source(path, blocks=path.name in blocks, encoding=encoding)
    return out
