"""docs/platform-exports.md, written from the layouts themselves (`review docs`)."""

from __future__ import annotations

from review.inputs.adapters import FAMILIES, LAYOUTS
from review.inputs.adapters.base import MISSING_TOKENS
from review.inputs.contracts import TABLES

METRICS = ["impressions", "reach", "engagements", "reactions", "comments", "shares", "link_clicks", "video_views"]

INTRO = """\
How `review ingest` (and `review run --data`) reads the exports the E-Communications team downloads
from each platform, and what each platform column becomes. The mapping and the definitions below
are the adapters' own data (`src/review/inputs/adapters/`), so this page cannot drift from the code.

## How a file is recognised

Never by its name. What a file is comes from its first bytes (text, an XLSX, a binary XLS, an Excel
2003 XML workbook, or something else, said in one line); then each file's (or sheet's) header is
compared with every layout's **fingerprint** (headers that must all be present, case and spacing
ignored) and with every canonical table (its required columns). A block-style file (several titled
tables, such as Meta's Audience export) is recognised by its block titles instead. Of the
candidates that fit, the most specific fingerprint wins (YouTube Chart data over Table data; the
legacy Facebook video export over the post export).

Files that fit nothing, or cannot be read, are all named at once, each with what it looks like
(encoding, delimiter, columns, rows) and, when most of a known format's header is there, that
format and the headers it lacks. They stop the ingest; `--skip-unknown` goes on without them and
lists each as skipped, with the reason, in `ingest-report.json` (`skipped`) and in the report's
data-sources appendix. Table files in hidden folders (`.exports/`, `.ipynb_checkpoints/`) are never
read and are always listed as skipped. Nothing is skipped without being reported.

## What the reader repairs

* file kinds whatever the name says: an `.xls` that is really SpreadsheetML 2003 XML (Facebook
  Insights' "Excel" download, 2014-2020), an XLSX, or tab-separated text; an XLSX named `.csv`;
* encodings: UTF-16 with a BOM, UTF-8 with or without a BOM, else cp1251 (Cyrillic Windows, told
  apart by its runs of high bytes) or cp1252 (Western Windows);
* an Excel `sep=,` first line; the delimiter (`,`, `;` or tab) sniffed from the header;
* title or description lines above the header (Meta daily metrics, LinkedIn); the legacy Facebook
  description row below it (`Lifetime: The total number of ...`);
* Excel re-wraps, where every physical line was saved as one quoted cell (and multi-line captions
  were left as bare lines): each line is decoded as a one-cell CSV line and the result parsed again;
* duplicate header names, told apart by the description row (`(Unique Users)`, `(Total Count)`)
  or numbered `(2)`;
* block-style files: titled tables separated by blank lines, read one table per block;
* whole-cell tokens {tokens} and cells of only spaces read as empty;
* ids with a leading space (YouTube writes ` -GhQQTIylYY`), multi-line quoted text;
* XLSX copies of any export, and XLS workbooks (LinkedIn's downloads, old Facebook Insights), every non-empty sheet;
  the legacy Facebook post workbook's breakdown sheets are joined onto its Key Metrics sheet by Post ID.
  Excel keeps only 15 significant digits of a number, so an id column it stored as numbers may have
  lost its last digits: X ids are read from the post's link instead; a row whose id could only come
  from such a number (Meta's 16-17 digit ids) is rejected, saying so, rather than kept under a wrong id.

Line numbers in `rejected-rows.csv` are physical lines of the original file (for a workbook, the
sheet's row number), so a rejected row can be found in a text editor.

## What becomes of every row

Each row read ends in exactly one place, and the ingest report (`ingest-report.json`, and the
run's `manifest.json`) counts them per file:
`rows_read = rows_accepted + rows_rejected + rows_merged + rows_unused`.

* **accepted**: a row of a canonical table;
* **rejected**: logged in `rejected-rows.csv` with file, line, column, value and reason. This
  includes the export's own summary and placeholder rows (YouTube's `Total`, TikTok's `undefined`
  days, X's `/status/undefined` rows), also counted as `rows_junk`; those are expected and do not
  count against the reject-rate limit;
* **merged**: a copy of a post (or account-day) that a later export also holds, or a row of a
  workbook's breakdown sheet joined onto its post;
* **unused**: every row of a file recognised as a platform export the review does not use (daily
  account totals, demographics, ads). The file is listed with its row count and the reason.

## Overlapping exports

The classic X export covers at most 91 days, so a year arrives as several overlapping files, and
any platform can be downloaded twice. Rows are de-duplicated by the table's key (`post_id`; for
`audience`, account and day). The copy kept is the one from the file whose latest date is latest
(lifetime figures only grow, so the later export has the later figures); between files with the
same latest date, the later file in folder order. Registers without dates count as oldest. Each
file's `rows_merged` says how many of its rows gave way.

## Which account an export belongs to

Exports rarely say. The rules, in order; the decision is reported per file (`account_id`,
`account_rule`):

1. the **handle** the export shows (in a permalink, post link or username column; or, for an
   export with none, the one handle shown by other exports of the same platform in the same
   folder) matched to `accounts.handle` of that platform, when an accounts register is in the input;
2. the **page or account name** the export shows matched to `accounts.name`;
3. a **folder** in the file's path named after an `account_id` of that platform in the register
   (`data/2025/exports/NSP-004/Table data.csv`);
4. otherwise a **synthetic id** `<platform>:<handle>` (`x:rOpenSci`), or `<platform>:unattributed`
   when the export names no handle. Add the account to the register (or use a folder) to fix it.

## Dates without a year

TikTok Studio writes `February 27` and `July 16`. Each date is placed on the latest day with that
month and day on or before the export's own date (`Time` in Content.csv, else the last row of a
daily file, which TikTok writes oldest first), so a 365-day file that crosses New Year comes out in
order. The export date's year is the one that makes the file's span overlap the review period most
(`review run`, or `review ingest --year`); without a period, a year folder in the path
(`data/2025/...`) stands for the period; failing that the file's modified date is used and the
report says it is a guess.

## Times

Times with an offset (X classic `2016-12-23 18:50 +0000`) are taken as given. Times without one
(Meta, legacy Facebook, TikTok) are taken as UK local time, the time zone the force's pages are
set to. A date without a time (YouTube, LinkedIn, TikTok Studio, X 2024+ when the id cannot give
the time) is midnight UK time. Everything is stored in UTC.
"""


def _recognised_by(layout) -> str:
    if layout.blocks:
        return "block titles matching " + ", ".join(f"`{b}`" for b in layout.blocks)
    words = ", ".join(f"`{h}`" for h in layout.fingerprint)
    if layout.title_line:
        words += " and a title line above the header"
    if layout.header_check is not None:
        words += " and the check in the notes"
    return words


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def platform_exports() -> str:
    lines = [
        "# Platform exports",
        "",
        "<!-- Generated by `review docs` from src/review/inputs/adapters/. Do not edit by hand. -->",
        "",
        INTRO.format(tokens=", ".join(f"`{t}`" for t in sorted(MISSING_TOKENS))),
        "## Built from documentation only",
        "",
        "No real export was available for these layouts: they follow the platforms' documentation, "
        "`shared/reference/domain.md` section 3, or the description of real files kept outside the project "
        "(issue 13), and have been tested only on fixtures written from that. Check them against a real "
        "file before their figures are relied on.",
        "",
    ]
    for layout in LAYOUTS.values():
        if layout.is_documentation_only:
            lines.append(f"* `{layout.layout_id}` ({layout.vintage}): {layout.title}. Source: {layout.source}")
    lines += ["", "## Layouts", "",
              "| layout | platform | vintage | feeds | recognised by | checked against a real file |",
              "|---|---|---|---|---|---|"]
    for layout in LAYOUTS.values():
        evidence = f"yes: `{layout.sample}`" if layout.sample else "**no: documentation only**"
        lines.append(
            f"| `{layout.layout_id}` | {layout.platform} | {_cell(layout.vintage)} | "
            f"{f'`{layout.table}`' if layout.table else ('joined to its posts' if layout.joins else 'not used')} | "
            f"{_cell(_recognised_by(layout))} | {evidence} |"
        )
    lines.append("")
    lines += ["## Metric dictionary", "",
              "Platforms define the same words differently. What each platform's figure means, per canonical column "
              "of `posts` (the contract's own definition is in docs/data-dictionary.md), and at the end `followers` "
              "of `audience`. Compare a platform with itself across years; across platforms, compare shares and "
              "trends rather than totals.", ""]
    post_layouts = [l for l in LAYOUTS.values() if l.table == "posts"]
    lines += ["### At a glance: which platform column becomes impressions, reach and engagements", "",
              "| export | impressions | reach | engagements |", "|---|---|---|---|"]
    for layout in post_layouts:
        cells = []
        for metric in ("impressions", "reach", "engagements"):
            spec = layout.columns.get(metric)
            cells.append(spec.joiner.join(f"`{s}`" for s in spec.sources) if spec and spec.sources else "not reported")
        lines.append(f"| {layout.title} | " + " | ".join(_cell(c) for c in cells) + " |")
    lines.append("")
    for metric in METRICS:
        field = TABLES["posts"].field(metric)
        lines += [f"### `{metric}`: {field['title']}", "", f"Contract: {field['description']}", ""]
        for layout in post_layouts:
            words = layout.definitions.get(metric, "Not in this export.")
            lines.append(f"* **{layout.title}**: {_cell(words)}")
        lines.append("")
    field = TABLES["audience"].field("followers")
    lines += [f"### `followers` (audience): {field['title']}", "", f"Contract: {field['description']}", ""]
    for layout in (l for l in LAYOUTS.values() if l.table == "audience"):
        lines.append(f"* **{layout.title}**: {_cell(layout.definitions.get('followers', 'Not in this export.'))}")
    lines += ["* **Every other export**: not a follower total. X, Meta, YouTube, LinkedIn and the TikTok business "
              "layout give the day's new follows and unfollows (or net change), which do not add up to a total "
              "without a starting figure; keep follower totals in the `audience` register.", ""]
    for family in FAMILIES:
        lines += [f"## {family}", ""]
        for layout in (l for l in LAYOUTS.values() if l.family == family):
            lines += [f"### {layout.title}", ""]
            lines.append(f"Layout id `{layout.layout_id}`; platform {layout.platform}; "
                         + (f"feeds `{layout.table}`." if layout.table else "recognised, **not used** by the review."))
            lines.append(f"Vintage: {layout.vintage}. Source: {layout.source}. Checked against a real file: "
                         + (f"yes (`{layout.sample}`)." if layout.sample else "**no, built from documentation only.**"))
            lines += ["", "Recognised by: " + _recognised_by(layout), ""]
            if layout.block_specs:
                lines += ["Blocks mapped (other blocks are counted as unused; each figure is one row, so an Age & "
                          "gender line with figures for women and men counts as two rows read):", ""]
                lines += [f"* {spec.describe()}" for spec in layout.block_specs]
                lines.append("")
            elif layout.table:
                lines += ["| canonical column | made from | what the platform means |", "|---|---|---|"]
                for column in TABLES[layout.table].columns:
                    spec = layout.columns.get(column)
                    made = spec.rule if spec else "not in this export (empty)"
                    lines.append(f"| `{column}` | {_cell(made)} | {_cell(layout.definitions.get(column, ''))} |")
                lines.append("")
            if layout.why_not_used:
                lines += [f"Not used: {layout.why_not_used}", ""]
            if layout.notes:
                lines += [f"Notes: {layout.notes}", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
