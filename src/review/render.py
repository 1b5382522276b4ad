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

import datetime as dt
import math
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

from review.context import ReportContext
from review.errors import ReviewError

TEMPLATE_NAME = "report.html.j2"
STYLESHEET_NAME = "report.css"

RAG_CLASSES = {"Green": "rag-green", "Amber": "rag-amber", "Red": "rag-red", "Not rated": "rag-none"}
NOT_AVAILABLE = "not available"
SMALL_BASE = 20  # a count below this last year changes by its difference, not in per cent

_BRAND_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
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


def _is_missing(value: object) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _round_half_up(value: float, places: int = 0) -> float:
    """Round halves away from zero, as readers expect (Python rounds halves to even)."""
    factor = 10**places
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)


def fmt_count(value: object) -> str:
    """12,345 for counts below a million; "1.2 million" / "3.4 billion" above."""
    if _is_missing(value):
        return NOT_AVAILABLE
    number = float(value)  # type: ignore[arg-type]
    size = abs(number)
    if size >= 1e9:
        return f"{_round_half_up(number / 1e9, 1):,.1f} billion"
    if size >= 1e6:
        return f"{_round_half_up(number / 1e6, 1):,.1f} million"
    return f"{_round_half_up(number):,.0f}"


def fmt_pct(value: object, places: int = 1) -> str:
    """A percentage already on the 0-100 scale: 12.3 -> "12.3%"."""
    if _is_missing(value):
        return NOT_AVAILABLE
    return f"{_round_half_up(float(value), places):,.{places}f}%"  # type: ignore[arg-type]


def fmt_change(value: object, places: int = 1) -> str:
    """A year-on-year change in per cent: "up 12.3%", "down 4.0%", "no change", "not available"."""
    if _is_missing(value):
        return NOT_AVAILABLE
    rounded = _round_half_up(float(value), places)  # type: ignore[arg-type]
    if rounded == 0:
        return "no change"
    return f"{'up' if rounded > 0 else 'down'} {abs(rounded):,.{places}f}%"


def fmt_points(value: object, places: int = 1) -> str:
    """A change between two percentages: "up 2.0 percentage points", "down 0.5 percentage points".

    A share that goes from 50% to 55% is up 5 percentage points, not "up 10%": the relative
    change of a percentage reads as the difference and misleads.
    """
    if _is_missing(value):
        return NOT_AVAILABLE
    rounded = _round_half_up(float(value), places)  # type: ignore[arg-type]
    if rounded == 0:
        return "no change"
    unit = "percentage point" if abs(rounded) == 1 else "percentage points"
    return f"{'up' if rounded > 0 else 'down'} {abs(rounded):,.{places}f} {unit}"


def fmt_headline_change(headline) -> str:
    """The year-on-year change of a `Headline`, as a phrase: "up 7.9%", "down 2.0 percentage points".

    Percentages change in percentage points (value minus last year's value). A count that was
    small last year (below SMALL_BASE) changes by its difference, "up 10", since "up 1,000.0%"
    from 1 to 11 says little. Everything else changes in per cent of last year's value
    (`Headline.change_pct`). "not available" when there is no figure for last year.
    """
    # A like-for-like change compares this year's figure over what last year covered too.
    value = headline.value if getattr(headline, "compared_value", None) is None else headline.compared_value
    prior = headline.prior_value
    if getattr(headline, "not_measured", None):
        return NOT_AVAILABLE
    if headline.unit == "pct":
        if _is_missing(value) or _is_missing(prior):
            return NOT_AVAILABLE
        return fmt_points(float(value) - float(prior))
    if headline.unit in ("count", "people") and not _is_missing(value) and not _is_missing(prior) and (
        abs(float(prior)) < SMALL_BASE
    ):
        difference = float(value) - float(prior)
        if _round_half_up(difference) == 0:
            return "no change"
        return f"{'up' if difference > 0 else 'down'} {fmt_count(abs(difference))}"
    return fmt_change(headline.change_pct)


NOT_MEASURED = "not measured"


def fmt_headline(headline) -> str:
    """A `Headline`'s figure by its unit, or "not measured" when the data cannot support it
    (`Headline.not_measured` says why): a missing figure is never printed as 0."""
    if getattr(headline, "not_measured", None):
        return NOT_MEASURED
    return fmt_value(headline.value, headline.unit)


def fmt_minutes(value: object) -> str:
    """A duration in minutes: "45 minutes", "1 minute", "2 hours", "3 h 20 min"."""
    if _is_missing(value):
        return NOT_AVAILABLE
    number = float(value)  # type: ignore[arg-type]
    if 0 < number < 0.5:
        return "less than 1 minute"
    total = int(_round_half_up(number))
    if total < 60:
        return "1 minute" if total == 1 else f"{total:,} minutes"
    hours, minutes = divmod(total, 60)
    if minutes == 0:
        return "1 hour" if hours == 1 else f"{hours:,} hours"
    return f"{hours:,} h {minutes} min"


def fmt_days(value: object) -> str:
    """A duration in whole days: "1 day", "83 days"."""
    if _is_missing(value):
        return NOT_AVAILABLE
    total = int(_round_half_up(float(value)))  # type: ignore[arg-type]
    return "1 day" if total == 1 else f"{total:,} days"


def fmt_date(value: object) -> str:
    """A date as UK readers write it: "31 December 2025" (no leading zero)."""
    if _is_missing(value):
        return NOT_AVAILABLE
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if not isinstance(value, dt.date):  # pandas Timestamp is a datetime, so a date
        raise TypeError(f"fmt_date needs a date, got {type(value).__name__}")
    return f"{value.day} {value:%B %Y}"


def fmt_number(value: object, places: int = 1) -> str:
    """A plain number with thousands separators and fixed decimals: 1,234.5."""
    if _is_missing(value):
        return NOT_AVAILABLE
    return f"{_round_half_up(float(value), places):,.{places}f}"  # type: ignore[arg-type]


_UNIT_FORMATTERS = {
    "count": fmt_count,
    "people": fmt_count,
    "pct": fmt_pct,
    "minutes": fmt_minutes,
    "days": fmt_days,
    "rate": fmt_number,
}


def fmt_value(value: object, unit: str) -> str:
    """Format a headline value by its unit (`Headline.unit`); an unknown unit is an error."""
    try:
        formatter = _UNIT_FORMATTERS[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(_UNIT_FORMATTERS)}") from None
    return formatter(value)


def fmt_cell(value: object) -> str:
    """One table cell: counts with separators, decimals kept as rounded upstream, dates in full.

    Missing values print as "n/a" (explained in the glossary) to keep columns narrow.
    """
    if _is_missing(value):
        return "n/a"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) == (0, 0, 0):
        return fmt_date(value)
    if isinstance(value, dt.datetime):
        return f"{fmt_date(value)} {value:%H:%M}"
    if isinstance(value, dt.date):
        return fmt_date(value)
    if isinstance(value, Number):
        number = float(value)  # type: ignore[arg-type]
        if number.is_integer():
            return f"{int(number):,}"
        return f"{number:,.{max(1, _decimals(number))}f}"
    return str(value)


def _decimals(number: float) -> int:
    """Decimal places actually present (up to 3), so 3.40 shows as 3.4 and 0.125 as 0.125."""
    text = f"{number:.3f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def table_cells(frame, limit: int | None = None) -> dict[str, list]:
    """Lay out a `MetricTable.frame` for display: header labels and formatted cell text.

    `limit`: lay out only the first so many rows (the printed document's), formatted as they
    are in the whole table: the decimals of a column come from all its values.

    Returns {"columns": [(label, is_numeric)], "rows": [[(text, is_numeric)]]}. A numeric
    column shows every value with the same number of decimals (the most any value in it has,
    up to 3), so 61.0 and 48.2 line up as "61.0" and "48.2"; a column whose label has "%" shows
    at least one decimal. A column of counts with small ones suppressed ("<5") is numeric too, so it
    lines up on the right. Missing values print as "n/a".
    """
    import pandas as pd

    columns, formatters = [], []
    for label in frame.columns:
        series = frame[label]
        numeric = (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)) or (
            _is_count_text(series)
        )
        if numeric and pd.api.types.is_float_dtype(series):
            places = max((_decimals(float(v)) for v in series.dropna()), default=0)
            if "%" in str(label):
                # Shares print with one decimal at least, like every percentage in the report:
                # 82.0 next to 16.7, never 82.
                places = max(places, 1)
            formatters.append(lambda v, p=places: "n/a" if _is_missing(v) else f"{float(v):,.{p}f}")
        else:
            formatters.append(fmt_cell)
        columns.append((str(label), numeric))
    rows = [
        [(_keep_date_together(fmt(value), value), numeric)
         for fmt, value, (_, numeric) in zip(formatters, row, columns, strict=True)]  # fmt: skip
        for row in (frame if limit is None else frame.head(limit)).itertuples(index=False, name=None)
    ]
    return {"columns": columns, "rows": rows}


def _keep_date_together(text: str, value: object) -> str:
    """Keep a date such as 4 June 2025 on one line (no-break spaces); a time after it may wrap."""
    if isinstance(value, dt.date) and not _is_missing(value):
        return text.replace(" ", "\u00a0", 2)
    return text


_COUNT_TEXT = re.compile(r"<\d+|\d{1,3}(?:,\d{3})*|\d+")


def _is_count_text(series) -> bool:
    """A column of counts where small ones may be replaced by "<5": it lines up as numbers do.

    The metrics stage stores such a column as text ("<5", "0", "12") whether or not any count
    was small, so a text column counts when every value reads as a count or a "<N" mark.
    """
    values = [v for v in series if not _is_missing(v)]
    has_text = any(isinstance(v, str) for v in values)
    return has_text and all(
        (isinstance(v, Number) and not isinstance(v, bool)) or (isinstance(v, str) and _COUNT_TEXT.fullmatch(v))
        for v in values
    )


def fmt_path(path: str) -> Markup:
    """A file path that may wrap after each "/" (escaped, with <wbr> break opportunities)."""
    return Markup("/<wbr>").join(escape(part) for part in str(path).split("/"))


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


def make_environment(template_dir: Path) -> jinja2.Environment:
    """Return the report's Jinja2 environment: autoescape on, StrictUndefined, `fmt_*` filters."""
    env = jinja2.Environment(
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
        fmt_headline=fmt_headline,
        fmt_minutes=fmt_minutes,
        fmt_date=fmt_date,
        fmt_number=fmt_number,
        fmt_value=fmt_value,
        fmt_cell=fmt_cell,
        fmt_path=fmt_path,
        table_cells=table_cells,
        rag_class=rag_class,
        trusted_svg=trusted_svg,
    )
    env.tests["numeric"] = is_numeric
    from review.recommend import EVIDENCE_TITLES  # here, not at the top: recommend formats with render

    env.globals["evidence_titles"] = EVIDENCE_TITLES
    env.globals["for_print"] = False  # render_html(for_print=True): the document WeasyPrint gets
    env.globals["screen_rows"] = SCREEN_ROWS
    return env


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


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
    `template_name` picks another base template for a report variant (review.national's).
    `for_print` leaves out what the print stylesheet hides (the rows of a long table after its
    first few): the same PDF from a document WeasyPrint parses and lays out much faster.
    """
    if not _BRAND_COLOUR.fullmatch(ctx.brand_colour):
        raise ReviewError(f"brand colour {ctx.brand_colour!r} must be a hex colour like #1d3557")
    if (ratio := contrast_on_white(ctx.brand_colour)) < 4.5:
        # Headings, links and the cover band text use it: WCAG 2.2 AA needs 4.5:1.
        raise ReviewError(
            f"brand colour {ctx.brand_colour} has contrast {ratio:.1f}:1 on white; WCAG AA needs 4.5:1"
        )
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


def _pdf_identifier(ctx: ReportContext) -> bytes:
    """A fixed file identifier from what the document is, so it does not vary between runs."""
    import hashlib

    key = "|".join([ctx.force_name, ctx.title, ctx.period_label, ctx.version, ctx.report_date.isoformat()])
    return hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii")
