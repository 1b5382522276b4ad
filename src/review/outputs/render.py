"""Render the report: a `ReportContext` into one self-contained HTML file and a tagged PDF.

Decisions:

- Templates see only the `ReportContext` (as `ctx`) plus the inlined stylesheet. Formatting
  happens only through the `fmt_*` filters registered once in `make_environment`.
- Autoescape is on for every template (`autoescape=True`, not `select_autoescape`, which would
  not match `*.html.j2`). The only markup that bypasses escaping is the stylesheet read from the
  template folder and chart/logo SVG, which passes through the `trusted_svg` filter: that filter
  is the one audited place where `Markup` is created from context data.
- The PDF renderer may read only `data:` URLs and files under the template folder
  (`TemplateAssetFetcher`); anything else stops the build with `FatalURLFetchingError`.
- Output is reproducible: no clock is read. The PDF dates come from `ctx.report_date` via
  `dcterms.created`/`dcterms.modified`, and `SOURCE_DATE_EPOCH` is set while WeasyPrint runs
  because, without libharfbuzz-subset, fonts are subset by fontTools, which stamps the font's
  `head.modified` with the current time unless that variable is set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from numbers import Number
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from markupsafe import Markup, escape

from review.config import check_brand_colour
from review.controls import show_controls
from review.context import MetricTable, ReportContext
from review.errors import ReviewError
from review.values import (  # noqa: F401  (re-exported: the formatters were defined here)
    NOT_AVAILABLE,
    SMALL_BASE,
    Figure,
    column_places,
    decimals,
    fmt_cell,
    fmt_change,
    fmt_count,
    fmt_date,
    fmt_days,
    fmt_headline_change,
    fmt_minutes,
    fmt_month,
    fmt_number,
    fmt_pct,
    fmt_points,
    fmt_recorded,
    fmt_value,
    is_missing,
)

TEMPLATE_NAME = "report.html.j2"
STYLESHEET_NAME = "report.css"

RAG_CLASSES = {"Green": "rag-green", "Amber": "rag-amber", "Red": "rag-red", "Not rated": "rag-none"}

# Things a chart or logo SVG from our own code never contains; seeing one means the SVG did not
# come from the charts stage (or was tampered with), so we refuse to inline it unescaped.
_SVG_FORBIDDEN = re.compile(
    r"<\s*(script|foreignObject|iframe|object|embed|a)\b"  # active or embedded content
    r"|\bon[a-z]+\s*="  # event handlers
    r"|javascript:|@import|<!ENTITY|<!DOCTYPE"
    r"|(?:href|src)\s*=\s*[\"'](?!#|data:image/(?:png|jpeg);base64,)"  # only in-document links
    r"|url\(\s*[\"']?(?!#)",  # only in-document references (matplotlib clip paths)
    re.IGNORECASE,
)


# --- formatting filters -------------------------------------------------------------------------
# The number formatters and the value type live in review.values (one place decides how every
# figure prints, in the report and in every other output); the filters below are those.


def table_cells(table, limit: int | None = None) -> dict[str, list]:
    """Lay out a `MetricTable` (or a bare frame) for display: header labels and cell text.

    `limit`: lay out only the first so many rows (the printed document's), formatted as they
    are in the whole table: the decimals of a column come from all its values.

    Returns {"columns": [(label, is_numeric)], "rows": [[(text, is_numeric)]]}. Labels, kinds and
    decimals come from the table's column metadata (review.values.Column); every cell prints
    through review.values.Figure, so a suppressed count shows "<5" and a withheld one "[c]". A
    numeric column without fixed decimals shows every value with the same number of decimals
    (the most any value in it has, up to 3; a percentage at least one), so 61.0 and 48.2 line
    up. Columns sharing a `group` print as one column, "45 to 80". Missing values print "not
    measured" (or the column's own word, `Column.missing`), never 0.
    """
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        table = MetricTable("table", "", "", table)
    frame = table.frame
    names = list(frame.columns)
    # (header label, numeric, [column names]) for each printed column
    printed: list[tuple[str, bool, list]] = []
    for name in names:
        column = table.column(name)
        if column.group and printed and printed[-1][0] == column.group and table.column(printed[-1][2][-1]).group == column.group:
            printed[-1][2].append(name)
            continue
        # A range ("45 to 80") reads as words, left-aligned, as before the columns were typed.
        printed.append((column.group or column.label, column.is_numeric and not column.group, [name]))
    places = {name: column_places(table.column(name), frame[name]) for name in names}
    rows = []
    count = len(frame) if limit is None else min(limit, len(frame))
    figures = {name: table.column_figures(name, count) for name in names}
    for i in range(count):
        row = []
        for _label, numeric, members in printed:
            texts = []
            for name in members:
                figure = figures[name][i]
                if places[name] is not None:
                    figure = dataclasses.replace(figure, places=places[name])
                texts.append(_keep_date_together(figure.cell(), figure.value, figure.is_shown))
            row.append((" to ".join(texts), numeric))
        rows.append(row)
    return {"columns": [(label, numeric) for label, numeric, _ in printed], "rows": rows}


def shared_comparisons(headlines) -> list[tuple[str, list[str]]]:
    """The like-for-like notes (`Headline.comparison`) that two or more of these cards share, each
    with the titles of its cards: printed once above the cards, not on every card."""
    by_note: dict[str, list[str]] = {}
    for h in headlines:
        if h.comparison and h.figure.state != "not_measured":
            by_note.setdefault(h.comparison, []).append(h.title)
    return [(note, titles) for note, titles in by_note.items() if len(titles) > 1]


def says_little(table) -> bool:
    """True when a table tells a reader no more than a sentence would, so the printed paper names it
    and leaves it to the HTML report and the workbook: a single value, or counts that are all 0 or
    1 or hidden (suppressed, withheld) with nothing else to read but labels and yes/no."""
    frame = table.frame
    numeric = [name for name in frame.columns if table.column(name).is_numeric]
    if not len(frame) or not numeric:
        return False
    if len(frame) == 1 and len(numeric) == 1:
        return True
    for name in numeric:
        column = table.column(name)
        if column.kind not in ("count", "number", "people"):
            return False
        for figure in table.column_figures(name):
            if figure.is_shown and not is_missing(figure.value) and float(figure.value) not in (0.0, 1.0):
                return False
    return True


def _keep_date_together(text: str, value: object, shown: bool = True) -> str:
    """Keep a date such as 4 June 2025 on one line (no-break spaces); a time after it may wrap."""
    if shown and isinstance(value, dt.date) and not is_missing(value):
        return text.replace(" ", "\u00a0", 2)
    return text


def fmt_path(path: str) -> Markup:
    """A file path that may wrap after each "/" (escaped, with <wbr> break opportunities)."""
    return Markup("/<wbr>").join(escape(part) for part in str(path).split("/"))


def fmt_id(name: str) -> Markup:
    """An identifier (a table or metric id) that may wrap after each "_", never mid-word:
    "audience_demographics" must not push a narrow column off the page."""
    return Markup("_<wbr>").join(escape(part) for part in str(name).split("_"))


def is_numeric(value: object) -> bool:
    """Jinja test: a number (not bool) or a missing value in a numeric column."""
    return isinstance(value, Number) and not isinstance(value, bool)


def rag_class(rag: str) -> str:
    """CSS class for a RAG word; an unknown rating is an error, not a blank badge."""
    try:
        return RAG_CLASSES[rag]
    except KeyError:
        raise ValueError(f"unknown RAG rating {rag!r}; expected one of {sorted(RAG_CLASSES)}") from None


def trusted_svg(svg: str, alt: str | None = None) -> Markup:
    """Return chart or logo SVG as markup, with `alt` as its accessible name.

    This is the one place context data becomes unescaped markup. The SVG must come from our own
    charts stage: a single `<svg>` element with no scripts, links, external references or
    embedded styles. `alt` (escaped) becomes the SVG's `<title>`, which WeasyPrint 70 uses as
    the PDF alternative text and browsers announce via `role="img"` and `aria-labelledby`.
    """
    text = svg.strip()
    if not text.lower().startswith("<svg") or not text.lower().endswith("</svg>"):
        raise ReviewError("a chart SVG must be a single <svg> element without an XML declaration")
    if _SVG_FORBIDDEN.search(text):
        raise ReviewError("a chart SVG contains scripts, links or external references; refusing to inline it")
    end_of_tag = text.index(">") + 1
    opening = text[:end_of_tag]
    if alt is None:
        opening = opening[:-1].rstrip("/") + ' aria-hidden="true" focusable="false">'
        return Markup(opening + text[end_of_tag:])
    # The charts stage already names its SVGs (role, aria-label, <title>); add only what is missing,
    # since a repeated attribute is invalid and a second <title> is read twice.
    if "role=" not in opening:
        opening = opening[:-1] + ' role="img">'
    body = text[end_of_tag:]
    if not body.lstrip().startswith("<title"):
        body = f"<title>{escape(alt)}</title>" + body
    return Markup(opening + body)


# The most rows one table shows in the HTML report; the metrics workbook has every row. A force's
# longest table (accounts by month, M: 788 rows) fits; a national review's (L: 2,500 accounts
# by month) would make a page of tens of thousands of rows.
SCREEN_ROWS = 1000


def show_text(value: object) -> object:
    """Jinja `finalize`: every value a template prints, with its control characters shown
    (review.controls). The one place data text (post text, names, notes) enters the paper, chart
    SVGs included: a NUL or an escape in an export never reaches the HTML or the PDF raw."""
    if isinstance(value, Markup):
        return Markup(show_controls(value))
    if isinstance(value, str):
        return show_controls(value)
    return value


def make_environment(template_dir: Path) -> jinja2.Environment:
    """Return the report's Jinja2 environment: autoescape on, StrictUndefined, `fmt_*` filters,
    control characters shown (`show_text`)."""
    env = jinja2.Environment(
        finalize=show_text,
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        fmt_count=fmt_count,
        fmt_pct=fmt_pct,
        fmt_change=fmt_change,
        fmt_points=fmt_points,
        fmt_headline_change=fmt_headline_change,
        fmt_minutes=fmt_minutes,
        fmt_date=fmt_date,
        fmt_number=fmt_number,
        fmt_value=fmt_value,
        fmt_recorded=fmt_recorded,
        fmt_cell=fmt_cell,
        fmt_path=fmt_path,
        fmt_id=fmt_id,
        table_cells=table_cells,
        says_little=says_little,
        shared_comparisons=shared_comparisons,
        rag_class=rag_class,
        trusted_svg=trusted_svg,
        # The first letter up, the rest as written: Jinja's own lowers the rest, and a reason
        # "no post ... (posts from Facebook and TikTok)" printed "(posts from facebook and tiktok)".
        capitalize=lambda text: str(text)[:1].upper() + str(text)[1:],
    )
    env.tests["numeric"] = is_numeric
    from review.evidence.recommend import EVIDENCE_TITLES  # here, not at the top: importing render stays light

    env.globals["evidence_titles"] = EVIDENCE_TITLES
    env.globals["for_print"] = False  # render_html(for_print=True): the document WeasyPrint gets
    env.globals["screen_rows"] = SCREEN_ROWS
    return env


# --- HTML ---------------------------------------------------------------------------------------


def _read_stylesheet(template_dir: Path) -> Markup:
    css = (template_dir / STYLESHEET_NAME).read_text(encoding="utf-8")
    if "</" in css:
        # It goes inside <style>; "</" could end the element early.
        raise ReviewError(f"{STYLESHEET_NAME} must not contain '</'")
    return Markup(css)


def render_html(ctx: ReportContext, template_dir: Path, template_name: str = TEMPLATE_NAME,
                for_print: bool = False) -> str:
    """Return the whole report as one self-contained HTML document (CSS and SVG inline).

    The document references nothing outside itself, so it can be emailed or archived as is.
    `template_name` picks another base template for a report variant (review.outputs.national's).
    `for_print` leaves out what the print stylesheet hides (the rows of a long table after its
    first few): the same PDF from a document WeasyPrint parses and lays out much faster.
    """
    try:  # checked with the config already; a context built otherwise is checked here
        check_brand_colour(ctx.brand_colour)
    except ValueError as exc:
        raise ReviewError(f"brand colour {exc}") from None
    env = make_environment(template_dir)
    env.globals["for_print"] = for_print
    template = env.get_template(template_name)
    html = template.render(ctx=ctx, stylesheet=_read_stylesheet(template_dir))
    return html.rstrip() + "\n"


# --- PDF ----------------------------------------------------------------------------------------


def _fetcher_class():
    # Imported lazily: WeasyPrint loads Pango at import time, which the HTML path does not need.
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class TemplateAssetFetcher(URLFetcher):
        """Allow only `data:` URLs and `file:` URLs under the template folder.

        Anything else (http, https, ftp, a file elsewhere) raises `FatalURLFetchingError`, which
        WeasyPrint does not swallow: the build fails instead of rendering without the resource.
        """

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=5)
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                if parts.netloc not in ("", "localhost"):
                    raise FatalURLFetchingError(f"blocked remote file URL: {url}")
                path = Path(url2pathname(parts.path)).resolve()
                if path.is_relative_to(self.root) and path.is_file():
                    return super().fetch(url, headers)
                raise FatalURLFetchingError(f"blocked file outside the template folder: {url}")
            raise FatalURLFetchingError(f"blocked URL (only data: and template files allowed): {url}")

    return TemplateAssetFetcher


def make_url_fetcher(template_dir: Path):
    """Return the restrictive URL fetcher used for every WeasyPrint resource."""
    return _fetcher_class()(template_dir)


@contextmanager
def _source_date_epoch(day: dt.date) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH to midnight UTC of `day` while WeasyPrint runs, then restore it."""
    epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def render_pdf(html: str, out_path: Path, template_dir: Path, ctx: ReportContext) -> None:
    """Write `html` as a tagged PDF/UA-1 file at `out_path`, atomically and reproducibly.

    Title, author, subject (description), language and dates come from the HTML `<head>`, which
    `render_html` fills from `ctx`; `ctx.report_date` also fixes SOURCE_DATE_EPOCH. The same
    input gives byte-identical output with the same WeasyPrint, Pango, HarfBuzz and fonts.
    A blocked resource raises `weasyprint.urls.FatalURLFetchingError` and leaves any previous
    file at `out_path` untouched.
    """
    from weasyprint import HTML

    template_dir = Path(template_dir).resolve()
    out_path = Path(out_path)
    fetcher = make_url_fetcher(template_dir)
    document = HTML(string=html, base_url=template_dir.as_uri() + "/", url_fetcher=fetcher)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp_path = Path(tmp_name)
    try:
        with _source_date_epoch(ctx.report_date):
            document.write_pdf(tmp_path, pdf_variant="pdf/ua-1", pdf_identifier=_pdf_identifier(ctx))
        # mkstemp makes the file private (0600); the paper is for sharing, so use the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        tmp_path.chmod(0o666 & ~umask)
        os.replace(tmp_path, out_path)
    finally:
        tmp_path.unlink(missing_ok=True)


class PdfAlongside:
    """`render_pdf` in a forked child process (review.forked) while this one goes on with other
    work: the screen HTML and the workbook are written on the second core while WeasyPrint (the
    longest step of a run, and single-threaded) makes the PDF on the first. A context manager: on
    the way out it waits for the PDF and raises what rendering raised (a blocked resource's
    FatalURLFetchingError, as `render_pdf` itself would), unless the work beside it failed, whose
    error is then the one shown. `seconds` is the render's own time.

    The child is forked before this process has used Pango or fontconfig, inherits WeasyPrint
    already imported and writes only the PDF (atomically, through `render_pdf`).
    """

    def __init__(self, html: str, out_path: Path, template_dir: Path, ctx: ReportContext):
        self.args = (html, out_path, template_dir, ctx)
        self.job = None
        self.seconds = 0.0

    def __enter__(self):
        import weasyprint  # noqa: F401  imported once, here, so the child need not
        from review.forked import Forked

        self.job = Forked(render_pdf, *self.args, name=f"the PDF renderer, writing {Path(self.args[1]).name}")
        return self

    def __exit__(self, kind, value, trace):
        try:
            self.job.result()
        except Exception:
            if kind is None:
                raise
        self.seconds = self.job.seconds
        return False


def _pdf_identifier(ctx: ReportContext) -> bytes:
    """A fixed file identifier from what the document is, so it does not vary between runs."""
    import hashlib

    key = "|".join([ctx.force_name, ctx.title, ctx.period_label, ctx.version, ctx.report_date.isoformat()])
    return hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii")
