"""Charts for the board paper and the HTML report, drawn in one house style.

Each builder is a pure function from a tidy frame to a `review.context.Chart`: an inline
`<svg>` plus alt text written from the same numbers. The house style follows UK government
statistical publications: a colour-blind-safe palette passed in from the year config, DejaVu
Sans, no top or right spines, a light grid on the value axis only where there is a value axis,
direct labels instead of legends where possible, and compact "45k" / "1.2m" tick labels. Charts
are drawn at the true size of an A4 text column (16 cm wide) so 8-9 pt text stays 8-9 pt on
paper. Titles, captions and sources are not drawn: the template prints them as HTML text.

Decisions worth knowing:

* SVG, not PNG (stack.md section 2.4), with a fixed `svg.hashsalt` and no date, so the same
  input gives the same bytes (stack.md section 6.2; promised only for the same matplotlib
  version). Text stays text (`svg.fonttype="none"`) in DejaVu Sans, the report's own font, with
  Verdana (the same widths) and any sans-serif after it for a browser without DejaVu. Drawing
  every glyph as a path instead made the charts two to three times larger and cost WeasyPrint
  about a second per report (it parses a glyph's path again at each use); as text, the labels
  can also be selected and searched in the PDF.
* Every `id` in the SVG is prefixed with the chart id, so several charts inlined in one HTML
  page (or one PDF) never share an id; matplotlib otherwise repeats `figure_1`, glyph ids
  such as `DejaVuSans-30`, and clip-path ids. matplotlib's global `<style>*{...}</style>` is
  removed for the same reason: inline SVG styles are not scoped and would leak into the page.
* The root `<svg>` gets `role="img"`, `aria-label` (the alt text) and a `<title>` (WeasyPrint
  uses it as the alt text in tagged PDF), `width="100%"` and a `viewBox`, no height, so it
  scales with its container at its own aspect ratio.
* matplotlib's rcParams are process-global. Builders apply the house rcParams with
  `rc_context` under a module lock, so charts may be built from several threads; processes
  are independent anyway. No pyplot: figures are plain `Figure` objects with the SVG canvas.
* An empty frame, or one whose values are all missing, gives a chart that says
  "No data for this period" and alt text that says the same, never an exception.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, Formatter, MaxNLocator, MultipleLocator

from review.context import Chart
from review.controls import show_controls

__all__ = [
    "NO_DATA",
    "UNITS",
    "bar_chart",
    "describe_bar",
    "describe_heatmap",
    "describe_line",
    "describe_timeline",
    "format_tick_labels",
    "format_value",
    "heatmap",
    "line_chart",
    "timeline_chart",
]

UNITS = ("count", "pct", "minutes", "people", "rate")
NO_DATA = "No data for this period"

WIDTH_CM = 16.0  # an A4 text column with 2.5 cm margins
HEIGHT_CM = 7.0
_CM = 1 / 2.54

# GOV.UK design-system neutrals: text, secondary text, a light grid.
_TEXT = "#0b0c0c"
_MUTED = "#505a5f"
_GRID = "#dcdcdc"
_BACKGROUND_BAR = "#bfc1c3"  # bars that are not highlighted
_NO_DATA_FILL = "#f3f2f1"  # heatmap cells with no figure

_HASH_SALT = "policy-review"  # fixed, so clip-path ids are the same on every run
_CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "text.color": _TEXT,
    "axes.labelcolor": _TEXT,
    "axes.edgecolor": _MUTED,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "axes.facecolor": "white",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "grid.color": _GRID,
    "grid.linewidth": 0.6,
    "xtick.color": _MUTED,
    "ytick.color": _MUTED,
    "xtick.labelcolor": _TEXT,
    "ytick.labelcolor": _TEXT,
    "xtick.major.size": 3,
    "ytick.major.size": 0,
    "xtick.major.width": 0.8,
    "lines.solid_capstyle": "round",
    "svg.fonttype": "none",
    "svg.hashsalt": _HASH_SALT,
    "svg.id": None,
    "svg.image_inline": True,
}
_FONT_STACK = "font-family: 'DejaVu Sans', Verdana, sans-serif"  # the report's, for SVG text
_LOCK = threading.RLock()
_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]  # keeps labels off lines

_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April",
    "may": "May", "jun": "June", "jul": "July", "aug": "August",
    "sep": "September", "sept": "September", "oct": "October", "nov": "November",
    "dec": "December",
}  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --------------------------------------------------------------------------------------------
# Number formatting: one place for alt text, direct labels and tick labels.
# --------------------------------------------------------------------------------------------


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")


def _trim(value: float, decimals: int) -> str:
    """Format with at most `decimals` places, dropping a trailing ".0" ("2 million")."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_value(value: float, unit: str, *, style: str = "words") -> str:
    """Format one figure for people to read.

    `style="words"` is for alt text and sentences: "1.2 million", "12,000", "45.3%",
    "95 minutes", "3.4". `style="short"` is for labels on a chart: "1.2m", "456k", "9,876",
    "45.3%", "95 min", "3.4". Counts under 10,000 keep every digit either way.
    """
    _check_unit(unit)
    v = float(value)
    a = abs(v)
    if unit in ("count", "people"):
        if style == "words":
            if a >= 1e9:
                return f"{_trim(v / 1e9, 1)} billion"
            if a >= 1e6:
                return f"{_trim(v / 1e6, 1)} million"
        else:
            if a >= 1e9:
                return f"{_trim(v / 1e9, 1)}bn"
            if a >= 1e6:
                return f"{_trim(v / 1e6, 1 if a < 1e7 else 0)}m"
            if a >= 1e4:
                return f"{v / 1e3:,.0f}k"
        if style == "words" and a >= 1e5:
            # three significant figures, as "1.2 million" has two: 941,084 reads "941,000"
            return f"{round(v, -int(math.floor(math.log10(a))) + 2):,.0f}"
        if a >= 100 or float(v).is_integer():
            return f"{round(v):,}"
        return _trim(v, 1)
    if unit == "pct":
        return f"{v:.1f}%"
    if unit == "minutes":
        text = f"{round(v):,}" if a >= 10 or float(v).is_integer() else _trim(v, 1)
        if style == "short":
            return f"{text} min"
        return f"{text} minute" if text == "1" else f"{text} minutes"
    # rate: three significant figures reads well for "per 1,000 people" and "per post" rates
    if a >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def format_tick_labels(values: Sequence[float], unit: str) -> list[str]:
    """Label a whole axis consistently: one scale ("k" or "m") and one number of decimals.

    Counts and people switch to thousands ("45k") when the largest tick reaches 10,000 and
    to millions ("1.5m") at 1,000,000; below that they use thousands separators. Zero is
    always "0" (or "0%").
    """
    _check_unit(unit)
    vals = [float(v) for v in values]
    if not vals:
        return []
    scale, suffix = 1.0, ""
    if unit in ("count", "people"):
        top = max(abs(v) for v in vals)
        if top >= 1e9:
            scale, suffix = 1e9, "bn"
        elif top >= 1e6:
            scale, suffix = 1e6, "m"
        elif top >= 1e4:
            scale, suffix = 1e3, "k"
    elif unit == "pct":
        suffix = "%"
    scaled = [v / scale for v in vals]
    decimals = next(
        (d for d in range(3) if all(abs(s * 10**d - round(s * 10**d)) < 1e-6 for s in scaled)),
        2,
    )
    out = []
    for s in scaled:
        if abs(s) < 1e-12:
            out.append("0%" if unit == "pct" else "0")
        else:
            out.append(f"{s:,.{decimals}f}{suffix}")
    return out


class _UnitFormatter(Formatter):
    """A matplotlib formatter that labels all ticks of an axis together."""

    def __init__(self, unit: str) -> None:
        self.unit = unit

    def format_ticks(self, values):  # noqa: D102 - matplotlib API
        return format_tick_labels(list(values), self.unit)

    def __call__(self, x, pos=None):  # noqa: D102 - matplotlib API
        return format_tick_labels([x], self.unit)[0]


def _plural(n: int, noun: str) -> str:
    """'1 account', '6 accounts'; `noun` is given in the plural."""
    if n == 1:
        if noun.endswith("ies"):
            noun = noun[:-3] + "y"
        elif noun.endswith("s"):
            noun = noun[:-1]
    return f"{n:,} {noun}"


def _list_words(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


# --------------------------------------------------------------------------------------------
# Colour helpers.
# --------------------------------------------------------------------------------------------


def _check_palette(palette: Sequence[str], needed: int = 1) -> tuple[str, ...]:
    palette = tuple(palette)
    bad = [c for c in palette if not mcolors.is_color_like(c)]
    if bad:
        raise ValueError(f"palette has colours matplotlib cannot read: {bad}")
    if len(palette) < needed:
        raise ValueError(
            f"palette has {len(palette)} colours but the chart needs {needed}; "
            "add colours to force.palette rather than reuse one for two things"
        )
    return palette


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in mcolors.to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_colour(colour: str) -> str:
    """The series colour, darkened until text in it passes WCAG AA (4.5:1) on white.

    Okabe-Ito orange or sky blue are fine as lines but too pale for 8 pt text.
    """
    rgb = np.array(mcolors.to_rgb(colour))
    for _ in range(20):
        hexed = mcolors.to_hex(rgb)
        if 1.05 / (_luminance(hexed) + 0.05) >= 4.5:
            return hexed
        rgb = rgb * 0.85
    return _TEXT


# --------------------------------------------------------------------------------------------
# Rendering and SVG post-processing.
# --------------------------------------------------------------------------------------------


def _check_common(chart_id: str, palette: Sequence[str]) -> tuple[str, ...]:
    if not isinstance(chart_id, str) or not _CHART_ID.match(chart_id):
        raise ValueError(
            f"chart_id must start with a letter and use only letters, digits, '_' and '-' "
            f"(it prefixes the ids inside the SVG); got {chart_id!r}"
        )
    return _check_palette(palette)


def _checked_frame(frame: pd.DataFrame, columns: Sequence[str | None]) -> pd.DataFrame:
    """The chart's data: the columns it needs must be there, and their text (account names,
    incident names) shows any control character by name (review.controls), so the label is laid
    out as it will print and no raw NUL or escape reaches the SVG."""
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s) {missing}; it has {list(frame.columns)}")
    texts = [c for c in dict.fromkeys(columns) if c is not None
             and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    if not texts:
        return frame
    return frame.assign(**{c: frame[c].map(lambda v: show_controls(v) if isinstance(v, str) else v) for c in texts})


def _render(draw: Callable[[Figure], None], *, width_cm: float, height_cm: float) -> str:
    with _LOCK, mpl.rc_context(_RC):
        fig = Figure(figsize=(width_cm * _CM, height_cm * _CM), layout="constrained")
        FigureCanvasSVG(fig)
        fig.get_layout_engine().set(w_pad=2 / 72, h_pad=2 / 72, wspace=0.02, hspace=0.02)
        try:
            draw(fig)
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            fig.clear()
    return buffer.getvalue()


def _finish_svg(raw: str, chart_id: str, alt: str) -> str:
    """Make matplotlib's SVG document safe to inline in HTML and accessible."""
    svg = raw[raw.index("<svg") :]  # drops the XML declaration and DOCTYPE
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"\s*<style type=\"text/css\">.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r"\s*<defs>\s*</defs>", "", svg)
    svg = re.sub(r"\s*<!--.*?-->", "", svg, flags=re.S)

    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    prefix = f"{chart_id}-"

    def rename(match: re.Match[str]) -> str:
        head, name = match.group(1), match.group(2)
        return head + (prefix + name if name in ids else name)

    svg = re.sub(r'(\bid="|\bhref="#|url\(#)([^")]+)', rename, svg)
    svg = svg.replace("font-family: 'DejaVu Sans'", _FONT_STACK)

    root = re.match(r"<svg\b[^>]*>", svg)
    assert root is not None
    view_box = re.search(r'viewBox="([^"]+)"', root.group(0))
    assert view_box is not None
    new_root = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' version="1.1" width="100%" viewBox="{view_box.group(1)}"'
        f' role="img" aria-label={quoteattr(alt)}'
        # what matplotlib's removed <style>*{...}</style> set, as inherited attributes
        ' stroke-linejoin="round" stroke-linecap="butt">'
        f"\n <title>{escape(alt)}</title>"
    )
    return new_root + svg[root.end() :].rstrip() + "\n"


@dataclass(frozen=True)
class _Meta:
    chart_id: str
    clause: str
    title: str
    caption: str
    source: str


def _chart(meta: _Meta, alt: str, draw: Callable[[Figure], None], width_cm: float,
           height_cm: float) -> Chart:  # fmt: skip
    raw = _render(draw, width_cm=width_cm, height_cm=height_cm)
    return Chart(
        chart_id=meta.chart_id,
        clause=meta.clause,
        title=meta.title,
        caption=meta.caption,
        alt=alt,
        source=meta.source,
        svg=_finish_svg(raw, meta.chart_id, alt),
    )


def _no_data_chart(meta: _Meta, width_cm: float) -> Chart:
    def draw(fig: Figure) -> None:
        fig.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=10, color=_MUTED)

    return _chart(meta, f"{NO_DATA}.", draw, width_cm, 2.5)


def _value_axis_label(ax: Axes, text: str | None) -> None:
    """Put the value-axis label horizontally above the axis, where it is read first."""
    if text:
        ax.annotate(
            text, xy=(0, 1), xycoords="axes fraction", xytext=(0, 8), textcoords="offset points",
            ha="left", va="bottom", fontsize=8.5, color=_TEXT,
        )  # fmt: skip


def _nice_limit(top: float, *, integer: bool) -> tuple[float, np.ndarray]:
    """A rounded axis top at or above `top`, and the ticks from 0 to it."""
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer, min_n_ticks=3)
    ticks = locator.tick_values(0, top if top > 0 else 1)
    ticks = ticks[ticks >= 0]
    while ticks[-1] < top:  # tick_values may stop short of the data
        ticks = np.append(ticks, ticks[-1] + (ticks[1] - ticks[0]))
    return float(ticks[-1]), ticks


# --------------------------------------------------------------------------------------------
# Line chart.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LineData:
    xs: np.ndarray  # position of each point on the axis
    stamps: list[pd.Timestamp] | None  # the dates, when x holds dates
    labels: list[str]  # the points as tick labels ("Jan"), without the year
    words: list[str]  # the same points named for alt text ("January 2025")
    series: list[tuple[str, np.ndarray]]  # name -> y per point (NaN where missing)

    def ticks(self, most: int = 12) -> tuple[np.ndarray, list[str]]:
        """At most `most` ticks; dated labels gain the year where it changes ("Jan\n2026")."""
        step = max(1, math.ceil(len(self.labels) / most))
        shown = list(range(0, len(self.labels), step))
        labels = []
        for k, i in enumerate(shown):
            text = self.labels[i]
            if self.stamps is not None:
                years = {s.year for s in self.stamps}
                year = self.stamps[i].year
                if len(years) > 1 and (k == 0 or year != self.stamps[shown[k - 1]].year):
                    text += f"\n{year}"
            labels.append(text)
        return self.xs[shown], labels


def _month_word(label: str) -> str:
    return _MONTHS.get(label.strip().lower().rstrip("."), label)


def _prepare_line(frame: pd.DataFrame, x: str, y: str, series: str | None) -> _LineData:
    data = frame[[c for c in (x, y, series) if c is not None]].copy()
    data[y] = pd.to_numeric(data[y], errors="coerce")
    data = data[data[x].notna()]
    stamps = None
    if pd.api.types.is_datetime64_any_dtype(data[x]):
        keys = sorted(pd.unique(data[x]))
        stamps = [pd.Timestamp(k) for k in keys]
        monthly = all(s.day == 1 for s in stamps)
        multi_year = len({s.year for s in stamps}) > 1
        if monthly:  # months are equal steps on the axis, though not in days
            xs = np.array([12 * (s.year - stamps[0].year) + s.month - stamps[0].month
                           for s in stamps], dtype=float)  # fmt: skip
            labels = [f"{s:%b}" for s in stamps]
            words = [f"{s:%B %Y}" if multi_year else f"{s:%B}" for s in stamps]
        else:
            xs = np.array([(s - stamps[0]) / pd.Timedelta(days=1) for s in stamps], dtype=float)
            labels = [f"{s.day} {s:%b}" for s in stamps]
            words = [f"{s.day} {s:%B %Y}" for s in stamps]
    else:
        keys = list(pd.unique(data[x]))  # the frame's order: month labels must not be sorted
        xs = np.arange(len(keys), dtype=float)
        labels = [str(k) for k in keys]
        words = [_month_word(label) for label in labels]
    index = {k: i for i, k in enumerate(keys)}
    groups = [("", data)] if series is None else [
        (str(name), part) for name, part in data.groupby(series, sort=False, dropna=False)
    ]  # fmt: skip
    out = []
    for name, part in groups:
        values = np.full(len(keys), np.nan)
        # several rows for one x in one series are summed: the frame should be tidy already
        summed = part.groupby(x, sort=False)[y].sum(min_count=1)
        for key, value in summed.items():
            values[index[key]] = value
        out.append((name, values))
    return _LineData(xs, stamps, labels, words, out)


def _series_phrase(name: str) -> str:
    return f"in {name}" if re.fullmatch(r"\d{4}(/\d{2,4})?", name) else f"for {name}"


def _describe_series(values: np.ndarray, words: list[str], unit: str) -> str:
    """'rose from 1.2 million in January to 1.9 million in December, peaking at ...'."""
    valid = np.flatnonzero(~np.isnan(values))
    if len(valid) == 1:
        i = valid[0]
        return f": {format_value(values[i], unit)} in {words[i]}"
    first, last = valid[0], valid[-1]
    a, b = values[first], values[last]
    fa, fb = format_value(a, unit), format_value(b, unit)
    if b > a:
        text = f"rose from {fa} in {words[first]} to {fb} in {words[last]}"
    elif b < a:
        text = f"fell from {fa} in {words[first]} to {fb} in {words[last]}"
    else:
        text = f"stood at {fa} in both {words[first]} and {words[last]}"
    peak = valid[np.argmax(values[valid])]
    low = valid[np.argmin(values[valid])]
    if peak not in (first, last):
        text += f", peaking at {format_value(values[peak], unit)} in {words[peak]}"
    elif low not in (first, last):
        text += f", with a low of {format_value(values[low], unit)} in {words[low]}"
    gaps = [words[i] for i in range(first, last + 1) if np.isnan(values[i])]
    if gaps:
        text += (
            f" (no figure for {_list_words(gaps)})" if len(gaps) <= 3
            else f" (no figure for {len(gaps)} points)"
        )  # fmt: skip
    return text


def describe_line(frame: pd.DataFrame, *, x: str, y: str, series: str | None = None,
                  y_label: str, unit: str) -> str:  # fmt: skip
    """Alt text for `line_chart`, from the data.

    "Impressions in 2025 rose from 1.2 million in January to 1.9 million in December,
    peaking at 2.1 million in July; in 2024 it ran from 1.0 million in January to 1.5 million
    in December." The first series (in frame order) leads; up to four series are described.
    """
    _check_unit(unit)
    if frame.empty:
        return f"{NO_DATA}."
    frame = _checked_frame(frame, [x, y, series])
    data = _prepare_line(frame, x, y, series)
    described = [(n, v) for n, v in data.series if not np.isnan(v).all()]
    if not described:
        return f"{NO_DATA}."
    parts = []
    for i, (name, values) in enumerate(described[:4]):
        body = _describe_series(values, data.words, unit)
        if i == 0:
            subject = y_label if not name else f"{y_label} {_series_phrase(name)}"
            parts.append(f"{_sentence(subject)}{'' if body.startswith(':') else ' '}{body}")
        else:
            # "the figures", not "it" or "they": y_label may be singular or plural
            body = re.sub(r"^(rose|fell) from", "ran from", body)
            body = f"were{body[1:]}" if body.startswith(":") else body
            parts.append(f"{_series_phrase(name)} the figures {body}")
    text = "; ".join(parts)
    if len(described) > 4:
        text += f"; and {len(described) - 4} more series"
    return text + "."


def _spread_labels(ys: list[float], min_gap: float) -> list[float]:
    """Move end-of-line labels apart vertically so they don't overlap, keeping their order."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [ys[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + min_gap)
    # centre the block on the data so pushing up doesn't carry labels off the top
    shift = (sum(placed) - sum(ys[i] for i in order)) / len(placed)
    placed = [p - shift for p in placed]
    out = [0.0] * len(ys)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def line_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str | None = None,
    chart_id: str,
    clause: str,
    title: str,
    caption: str,
    source: str,
    y_label: str,
    unit: str,
    palette: Sequence[str],
    zero_baseline: bool = True,
    width_cm: float = WIDTH_CM,
    height_cm: float = HEIGHT_CM,
) -> Chart:
    """A line per series over `x`, labelled at its end instead of with a legend.

    `x` is either labels in the order they should appear ("Jan".."Dec", kept in frame order,
    never sorted) or dates (sorted; monthly dates are labelled "Jan", "Feb", with the year
    added when the range crosses a year). For this year against last year, pass month labels
    as `x` and the year as `series`, this year first: series take palette colours in frame
    order and the first series leads the alt text. The value axis starts at zero (or the
    lowest value, if negative) and ends on a rounded tick; `zero_baseline=False` fits it to
    the data instead, for rates whose change would be flattened against zero. Monthly dates
    are equal steps; other dates are placed by days, so uneven gaps show. Missing values
    break the line; a
    point with no neighbour is drawn as a dot so a single month still shows.
    """
    _check_unit(unit)
    meta = _Meta(chart_id, clause, title, caption, source)
    palette = _check_common(chart_id, palette)
    if frame.empty:
        return _no_data_chart(meta, width_cm)
    frame = _checked_frame(frame, [x, y, series])
    data = _prepare_line(frame, x, y, series)
    if all(np.isnan(v).all() for _, v in data.series):
        return _no_data_chart(meta, width_cm)
    _check_palette(palette, len(data.series))
    alt = describe_line(frame, x=x, y=y, series=series, y_label=y_label, unit=unit)

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        xs = data.xs
        all_values = np.concatenate([v for _, v in data.series])
        top = float(np.nanmax(all_values))
        least = float(np.nanmin(all_values))
        integer = unit in ("count", "people") and top >= 5
        if zero_baseline and least >= 0:
            upper, ticks = _nice_limit(top, integer=integer)
            bottom = 0.0
        else:
            low = min(least, 0.0) if zero_baseline else least
            if top - low < 1e-9:  # one value: give it some room
                low, top = low - (abs(low) * 0.1 or 1), top + (abs(top) * 0.1 or 1)
            ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer).tick_values(
                low, top
            )
            # tick_values may add a tick beyond either end: keep the ones that just enclose
            first, last = ticks[ticks <= low].max(), ticks[ticks >= top].min()
            ticks = ticks[(ticks >= first) & (ticks <= last)]
            bottom, upper = float(ticks[0]), float(ticks[-1])
        ax.set_ylim(bottom, upper)
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(_UnitFormatter(unit))
        ax.grid(axis="y")
        ax.spines["left"].set_visible(False)
        pad = 0.3 * (xs[1] - xs[0]) if len(xs) > 1 else 0.3
        ax.set_xlim(xs[0] - pad, xs[-1] + pad)
        tick_xs, tick_labels = data.ticks()
        ax.set_xticks(tick_xs, tick_labels)
        _value_axis_label(ax, y_label)

        ends = []
        for i, (name, values) in enumerate(data.series):
            colour = palette[i]
            ax.plot(xs, values, color=colour, linewidth=2.0, zorder=3)
            valid = ~np.isnan(values)
            before = np.concatenate([[False], valid[:-1]])
            after = np.concatenate([valid[1:], [False]])
            lonely = valid & ~before & ~after
            if lonely.any():
                ax.plot(xs[lonely], values[lonely], "o", color=colour, markersize=4, zorder=3)
            if valid.any():
                last = int(np.flatnonzero(valid)[-1])
                text = name if name else format_value(values[last], unit, style="short")
                ends.append((last, float(values[last]), text, colour))

        # about 11 pt between labels, converted to data units for this axis height
        axis_height_pt = fig.get_figheight() * 72 * 0.78
        gap = (upper - bottom) * 11 / axis_height_pt
        label_ys = _spread_labels([e[1] for e in ends], gap)
        for (last, _, text, colour), label_y in zip(ends, label_ys, strict=True):
            ax.annotate(
                text, xy=(xs[last], label_y), xytext=(6, 0), textcoords="offset points",
                ha="left", va="center", fontsize=8.5, fontweight="bold",
                color=_text_colour(colour), annotation_clip=False,
            )  # fmt: skip

    return _chart(meta, alt, draw, width_cm, height_cm)


# --------------------------------------------------------------------------------------------
# Bar chart.
# --------------------------------------------------------------------------------------------


def _prepare_bar(frame: pd.DataFrame, category: str, value: str, sort: bool) -> pd.DataFrame:
    data = frame[[category, value]].copy()
    data[value] = pd.to_numeric(data[value], errors="coerce")
    data[category] = data[category].astype(str)
    data = data.groupby(category, sort=False, as_index=False)[value].sum(min_count=1)
    if sort:
        # largest first, missing last, ties in frame order (stable)
        data = data.sort_values(value, ascending=False, na_position="last", kind="stable")
    return data.reset_index(drop=True)


def describe_bar(frame: pd.DataFrame, *, category: str, value: str, unit: str,
                 noun: str = "categories", highlight: str | Collection[str] | None = None
                 ) -> str:  # fmt: skip
    """Alt text for `bar_chart`, from the data.

    "Highest: Northshire Police Facebook with 2.3 million; lowest: Northshire Police TikTok
    with 12,000; 6 accounts in all." Ties keep frame order. Categories with
    no figure are named; highlighted categories get their rank.
    """
    _check_unit(unit)
    if frame.empty:
        return f"{NO_DATA}."
    frame = _checked_frame(frame, [category, value])
    data = _prepare_bar(frame, category, value, sort=True)
    known = data[data[value].notna()]
    if known.empty:
        return f"{NO_DATA}."
    hi, lo = known.iloc[0], known.iloc[-1]
    if len(known) == 1:
        text = f"{hi[category]}: {format_value(hi[value], unit)}"
    elif hi[value] == lo[value]:
        each = format_value(hi[value], unit)
        text = f"{_sentence(_plural(len(known), noun))} all stood at {each}"
    else:
        text = (
            f"Highest: {hi[category]} with {format_value(hi[value], unit)}; "
            f"lowest: {lo[category]} with {format_value(lo[value], unit)}"
        )
    if len(known) == 1 or hi[value] != lo[value] or len(known) < len(data):
        text += f"; {_plural(len(data), noun)} in all"
    text += "."
    missing = data.loc[data[value].isna(), category].tolist()
    if missing:
        text += f" No figure for {_list_words(missing)}."
    for name in _highlights(highlight):
        ranked = known[category].tolist()
        # the highest and lowest are already named; say where a highlighted one ranks
        if name in ranked and 0 < ranked.index(name) < len(ranked) - 1:
            v = known.loc[known[category] == name, value].iloc[0]
            text += (
                f" {name}: {format_value(v, unit)}, "
                f"{_ordinal(ranked.index(name) + 1)} of {len(ranked)}."
            )
    return text


def _highlights(highlight: str | Collection[str] | None) -> list[str]:
    if highlight is None:
        return []
    if isinstance(highlight, str):
        return [show_controls(highlight)]  # as the category names are (_checked_frame)
    return [show_controls(str(h)) for h in highlight]


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bar_chart(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    chart_id: str,
    clause: str,
    title: str,
    caption: str,
    source: str,
    value_label: str,
    unit: str,
    palette: Sequence[str],
    horizontal: bool = True,
    highlight: str | Collection[str] | None = None,
    sort: bool = True,
    noun: str = "categories",
    width_cm: float = WIDTH_CM,
    height_cm: float | None = None,
) -> Chart:
    """One bar per category, labelled with its value at the bar end; no value axis.

    Bars are sorted largest first (top, or left) unless `sort=False`, which keeps frame
    order for categories with a natural order. All bars take `palette[0]`; with `highlight`
    (one category or several) those bars take `palette[0]` and the rest a neutral grey.
    Repeated categories are summed. A category with no figure keeps its place with the
    label "no data". `noun` (plural, "accounts") is used in the alt text. Horizontal charts
    grow taller with the number of bars unless `height_cm` is given.
    """
    _check_unit(unit)
    meta = _Meta(chart_id, clause, title, caption, source)
    palette = _check_common(chart_id, palette)
    if frame.empty:
        return _no_data_chart(meta, width_cm)
    frame = _checked_frame(frame, [category, value])
    data = _prepare_bar(frame, category, value, sort)
    if data[value].isna().all():
        return _no_data_chart(meta, width_cm)
    alt = describe_bar(frame, category=category, value=value, unit=unit, noun=noun,
                       highlight=highlight)  # fmt: skip
    marked = set(_highlights(highlight))
    n = len(data)
    if height_cm is None:
        height_cm = min(24.0, max(3.2, 1.2 + 0.48 * n)) if horizontal else HEIGHT_CM

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        values = data[value].to_numpy(dtype=float)
        names = data[category].tolist()
        colours = [
            palette[0] if not marked or name in marked else _BACKGROUND_BAR for name in names
        ]
        plotted = np.nan_to_num(values, nan=0.0)
        top = max(0.0, float(np.nanmax(values)))
        low = min(0.0, float(np.nanmin(values)))
        span = (top - low) or 1.0
        positions = np.arange(n)
        if horizontal:
            ax.barh(positions, plotted, height=0.66, color=colours, zorder=2)
            ax.set_yticks(positions, names)
            ax.set_ylim(n - 0.5, -0.5)  # first row at the top
            ax.set_xlim(low - (0.12 * span if low < 0 else 0), top + 0.12 * span)
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)
            ax.tick_params(axis="y", length=0, pad=4)
        else:
            wrapped = [textwrap.fill(name, 14) for name in names]
            ax.bar(positions, plotted, width=0.66, color=colours, zorder=2)
            ax.set_xticks(positions, wrapped)
            ax.set_xlim(-0.5, n - 0.5)
            ax.set_ylim(low - (0.1 * span if low < 0 else 0), top + 0.1 * span)
            ax.yaxis.set_visible(False)
            ax.spines["left"].set_visible(False)
            ax.tick_params(axis="x", length=0, pad=4)
        for pos, v in zip(positions, values, strict=True):
            if np.isnan(v):
                text, v, colour = "no data", 0.0, _MUTED
            else:
                text, colour = format_value(v, unit, style="short"), _TEXT
            sign = -1 if v < 0 else 1
            if horizontal:
                ax.annotate(text, xy=(v, pos), xytext=(4 * sign, 0), textcoords="offset points",
                            ha="left" if sign > 0 else "right", va="center", color=colour,
                            fontsize=8)  # fmt: skip
            else:
                ax.annotate(text, xy=(pos, v), xytext=(0, 3 * sign), textcoords="offset points",
                            ha="center", va="bottom" if sign > 0 else "top", color=colour,
                            fontsize=8)  # fmt: skip
        _value_axis_label(ax, value_label)

    return _chart(meta, alt, draw, width_cm, height_cm)


# --------------------------------------------------------------------------------------------
# Shares against a reference: the audience against the population (P7).
# --------------------------------------------------------------------------------------------


def describe_shares(frame: pd.DataFrame, *, category: str, value: str, reference: str,
                    value_words: str, reference_words: str) -> str:
    """Alt text for `share_chart`, from the data: the groups furthest below and above their
    reference share. "Women 65+: 2.6% of followers against 13.3% of residents ..."."""
    frame = _checked_frame(frame, [category, value, reference]).dropna(subset=[value, reference])
    if frame.empty:
        return f"{NO_DATA}."
    gap = frame[value] - frame[reference]
    order = frame.assign(_gap=gap).sort_values("_gap", kind="stable")

    def one(row) -> str:
        return (f"{row[category]}, {format_value(row[value], 'pct')} of {value_words} against "
                f"{format_value(row[reference], 'pct')} of {reference_words}")

    under = [one(r) for _, r in order.head(2).iterrows() if r["_gap"] < 0]
    over = [one(r) for _, r in order.tail(1).iterrows() if r["_gap"] > 0]
    text = f"{_sentence(_plural(len(frame), 'groups'))} compared."
    if under:
        text += " Furthest below: " + "; ".join(under) + "."
    if over:
        text += " Furthest above: " + over[0] + "."
    return text


def share_chart(frame: pd.DataFrame, *, category: str, value: str, reference: str, chart_id: str, clause: str,
                title: str, caption: str, source: str, value_words: str, reference_words: str,
                palette: Sequence[str], width_cm: float = WIDTH_CM) -> Chart:
    """One row per group, in frame order: a bar for its share (`value`, per cent) and a dark tick
    for the share it is compared with (`reference`), each labelled. A group with no share keeps its
    row, marked "no data"."""
    meta = _Meta(chart_id, clause, title, caption, source)
    palette = _check_common(chart_id, palette)
    if frame.empty:
        return _no_data_chart(meta, width_cm)
    frame = _checked_frame(frame, [category, value, reference]).reset_index(drop=True)
    alt = describe_shares(frame, category=category, value=value, reference=reference,
                          value_words=value_words, reference_words=reference_words)
    n = len(frame)
    height_cm = min(12.0, max(3.0, 1.2 + 0.34 * n))

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        positions = np.arange(n)
        values = frame[value].to_numpy(dtype=float)
        refs = frame[reference].to_numpy(dtype=float)
        top = float(np.nanmax(np.concatenate([values, refs]))) or 1.0
        ax.barh(positions, np.nan_to_num(values), height=0.6, color=palette[0], zorder=2, label=value_words.capitalize())
        ax.scatter(refs, positions, marker="|", s=160, linewidths=2.2, color=_TEXT, zorder=3,
                   label=reference_words.capitalize())
        ax.set_yticks(positions, frame[category].tolist())
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, top * 1.3)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.tick_params(axis="y", length=0, pad=4)
        for pos, v, r in zip(positions, values, refs, strict=True):
            shown = "no data" if np.isnan(v) else f"{format_value(v, 'pct', style='short')}"
            if not np.isnan(r):
                shown += f" / {format_value(r, 'pct', style='short')}"
            ax.annotate(shown, xy=(max(np.nan_to_num(v), np.nan_to_num(r)), pos), xytext=(6, 0),
                        textcoords="offset points", ha="left", va="center", fontsize=7.5,
                        color=_MUTED if np.isnan(v) else _TEXT)  # fmt: skip
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False, fontsize=7.5, borderaxespad=0.2)

    return _chart(meta, alt, draw, width_cm, height_cm)


# --------------------------------------------------------------------------------------------
# Heatmap.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    rows: list[str]  # tick labels ("Mon")
    row_words: list[str]  # for alt text ("Monday")
    cols: list[str]
    col_words: list[str]  # "20:00"
    values: np.ndarray  # rows x cols, NaN where the frame gave NaN


def _weekday_index(v: object) -> int | None:
    if isinstance(v, int | np.integer) and 0 <= int(v) <= 6:
        return int(v)  # pandas' dayofweek: Monday is 0
    if isinstance(v, str):
        key = v.strip().lower()[:3]
        for i, day in enumerate(_WEEKDAYS):
            if day.lower().startswith(key) and len(key) == 3:
                return i
    return None


def _prepare_grid(frame: pd.DataFrame, row: str, col: str, value: str) -> _Grid:
    data = frame[[row, col, value]].copy()
    data[value] = pd.to_numeric(data[value], errors="coerce")
    data = data[data[row].notna() & data[col].notna()]

    row_keys = list(pd.unique(data[row]))
    weekday = [_weekday_index(k) for k in row_keys]
    if row_keys and all(w is not None for w in weekday):
        row_map = dict(zip(row_keys, weekday, strict=True))
        rows = [d[:3] for d in _WEEKDAYS]
        row_words = list(_WEEKDAYS)
    else:
        ordered = sorted(row_keys) if pd.api.types.is_numeric_dtype(data[row]) else row_keys
        row_map = {k: i for i, k in enumerate(ordered)}
        rows = row_words = [str(k) for k in ordered]

    col_keys = list(pd.unique(data[col]))
    is_hours = (
        pd.api.types.is_numeric_dtype(data[col])
        and all(float(k).is_integer() and 0 <= k <= 23 for k in col_keys)
    )  # fmt: skip
    if is_hours:
        col_map = {k: int(k) for k in col_keys}
        cols = [str(h) for h in range(24)]
        col_words = [f"{h:02d}:00" for h in range(24)]
    else:
        ordered = sorted(col_keys) if pd.api.types.is_numeric_dtype(data[col]) else col_keys
        col_map = {k: i for i, k in enumerate(ordered)}
        cols = col_words = [str(k) for k in ordered]

    # A cell missing from the frame had nothing in it: contact tables list only busy hours.
    # A cell present with NaN has no figure and is drawn blank.
    values = np.zeros((len(rows), len(cols)))
    given = np.zeros_like(values, dtype=bool)
    nan_cells = np.zeros_like(given)
    for r, c, v in data.itertuples(index=False):
        i, j = row_map[r], col_map[c]
        if pd.isna(v):
            nan_cells[i, j] = True
        else:
            values[i, j] += v  # repeated cells are summed
            given[i, j] = True
    values[nan_cells & ~given] = np.nan
    return _Grid(rows, row_words, cols, col_words, values)


def describe_heatmap(frame: pd.DataFrame, *, row: str, col: str, value: str, unit: str,
                     value_label: str) -> str:  # fmt: skip
    """Alt text for `heatmap`, from the data.

    "Busiest: Sunday 20:00 with 1,234 contacts; quietest: Wednesday 04:00 with 12." Ties go
    to the first cell in reading order (Monday 00:00 first) and are counted ("and 4 other
    hours with 0"). `value_label` is the plural noun for the value ("contacts").
    """
    _check_unit(unit)
    if frame.empty:
        return f"{NO_DATA}."
    frame = _checked_frame(frame, [row, col, value])
    grid = _prepare_grid(frame, row, col, value)
    v = grid.values
    if v.size == 0 or np.isnan(v).all():
        return f"{NO_DATA}."
    flat = np.where(np.isnan(v), np.nan, v).ravel()
    hi, lo = np.nanmax(flat), np.nanmin(flat)
    ncols = v.shape[1]
    slot = "hours" if grid.col_words[:1] == ["00:00"] else "cells"

    def name(k: int) -> str:
        return f"{grid.row_words[k // ncols]} {grid.col_words[k % ncols]}"

    def where(target: float) -> str:
        hits = np.flatnonzero(flat == target)
        text = name(int(hits[0]))
        if len(hits) > 1:
            text += f" and {_plural(len(hits) - 1, 'other ' + slot)}"
        return text

    unit_text = format_value(hi, unit)
    if unit in ("count", "people"):
        unit_text += f" {value_label}"
    text = f"Busiest: {where(hi)} with {unit_text}"
    if hi != lo:
        text += f"; quietest: {where(lo)} with {format_value(lo, unit)}"
    text += "."
    total = np.nansum(flat)
    if unit in ("count", "people"):
        text += f" {format_value(total, unit).capitalize()} {value_label} in all."
    blanks = int(np.isnan(flat).sum())
    if blanks:
        text += f" No figure for {_plural(blanks, slot)}."
    return text


def heatmap(
    frame: pd.DataFrame,
    *,
    row: str,
    col: str,
    value: str,
    chart_id: str,
    clause: str,
    title: str,
    caption: str,
    source: str,
    value_label: str,
    unit: str = "count",
    palette: Sequence[str],
    cmap: str = "cividis",
    col_label: str | None = "Hour of day",
    width_cm: float = WIDTH_CM,
    height_cm: float = HEIGHT_CM,
) -> Chart:
    """A grid of `row` by `col` shaded by `value` on a sequential colour-blind-safe colormap.

    Weekday rows (0 = Monday as in pandas' `dayofweek`, or names such as "Mon"/"Monday") are
    laid out Monday to Sunday top to bottom; integer hour columns 0..23 are all shown, so
    cells the frame leaves out count as zero. A cell given as NaN has no figure and is left
    pale grey. Other rows and columns keep frame order (sorted, if numeric). The busiest cell
    is outlined in `palette[0]`; `value_label` ("contacts") labels the colour bar and the alt
    text.
    """
    _check_unit(unit)
    meta = _Meta(chart_id, clause, title, caption, source)
    palette = _check_common(chart_id, palette)
    if frame.empty:
        return _no_data_chart(meta, width_cm)
    frame = _checked_frame(frame, [row, col, value])
    grid = _prepare_grid(frame, row, col, value)
    if grid.values.size == 0 or np.isnan(grid.values).all():
        return _no_data_chart(meta, width_cm)
    alt = describe_heatmap(frame, row=row, col=col, value=value, unit=unit,
                           value_label=value_label)  # fmt: skip

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        v = grid.values
        masked = np.ma.masked_invalid(v)
        top = float(np.nanmax(v))
        low = min(0.0, float(np.nanmin(v)))
        mesh = ax.pcolormesh(
            masked, cmap=cmap, vmin=low, vmax=top if top > low else low + 1,
            edgecolors="white", linewidth=0.6,
        )  # fmt: skip
        ax.set_facecolor(_NO_DATA_FILL)
        ax.set_xlim(0, v.shape[1])
        ax.set_ylim(v.shape[0], 0)  # first row at the top
        ax.set_xticks(np.arange(v.shape[1]) + 0.5, grid.cols)
        ax.set_yticks(np.arange(v.shape[0]) + 0.5, grid.rows)
        ax.tick_params(length=0, pad=3)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        if col_label:
            ax.set_xlabel(col_label, labelpad=4)
        peak = np.unravel_index(int(np.nanargmax(v)), v.shape)
        ax.add_patch(Rectangle((peak[1], peak[0]), 1, 1, fill=False, edgecolor=palette[0],
                               linewidth=1.6, zorder=3))  # fmt: skip
        bar = fig.colorbar(mesh, ax=ax, fraction=0.03, pad=0.015, aspect=16)
        bar.outline.set_visible(False)
        bar.ax.tick_params(length=0, labelsize=7.5)
        bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=unit in ("count", "people")))
        bar.ax.yaxis.set_major_formatter(_UnitFormatter(unit))
        # right-aligned: a thin colour bar's title would otherwise run off the figure
        bar.ax.set_title(_sentence(value_label), fontsize=8, loc="right", pad=5)

    return _chart(meta, alt, draw, width_cm, height_cm)


# --------------------------------------------------------------------------------------------
# Critical-incident timeline.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Incident:
    label: str
    posts: np.ndarray  # minutes after declaration, sorted; empty when nothing was posted

    @property
    def first(self) -> float | None:
        return float(self.posts[0]) if len(self.posts) else None


def _prepare_timeline(frame: pd.DataFrame, incident: str, minutes: str) -> list[_Incident]:
    data = frame[[incident, minutes]].copy()
    data[minutes] = pd.to_numeric(data[minutes], errors="coerce")
    data = data[data[incident].notna()]
    out = []
    for label, part in data.groupby(incident, sort=False):
        posts = np.sort(part[minutes].dropna().to_numpy(dtype=float))
        out.append(_Incident(str(label), posts))
    return out


def _missed(item: _Incident, target: float) -> bool:
    return item.first is None or item.first > target


def describe_timeline(frame: pd.DataFrame, *, incident: str, minutes: str,
                      target_minutes: float, noun: str = "incidents") -> str:  # fmt: skip
    """Alt text for `timeline_chart`, from the data.

    "First posts came 12 to 95 minutes after declaration; 2 of 5 incidents missed the
    60-minute target." An incident with no post counts as missing the target and is named.
    A first post exactly on the target meets it.
    """
    if frame.empty:
        return f"{NO_DATA}."
    frame = _checked_frame(frame, [incident, minutes])
    items = _prepare_timeline(frame, incident, minutes)
    if not items:
        return f"{NO_DATA}."
    target_text = f"{_trim(target_minutes, 1)}-minute target"
    firsts = [i.first for i in items if i.first is not None]
    missed = sum(_missed(i, target_minutes) for i in items)
    silent = [i.label for i in items if i.first is None]
    if len(items) == 1:
        item = items[0]
        if item.first is None:
            return f"No post was made for {item.label}, so it missed the {target_text}."
        verdict = "missing" if missed else "within"
        return (
            f"The first post came {format_value(item.first, 'minutes')} after declaration, "
            f"{verdict} the {target_text}."
        )
    parts = []
    if firsts:
        lo, hi = min(firsts), max(firsts)
        if len(firsts) == 1 or lo == hi:
            parts.append(f"First posts came {format_value(lo, 'minutes')} after declaration")
        else:
            parts.append(
                f"First posts came {_trim(lo, 1)} to {format_value(hi, 'minutes')} "
                "after declaration"
            )
    if missed:
        parts.append(f"{missed} of {_plural(len(items), noun)} missed the {target_text}")
    else:
        parts.append(f"all {_plural(len(items), noun)} met the {target_text}")
    text = "; ".join(parts)
    text = _sentence(text) + "."
    if silent:
        text += f" No post was made for {_list_words(silent)}."
    return text


def timeline_chart(
    frame: pd.DataFrame,
    *,
    incident: str,
    minutes: str,
    target_minutes: float,
    chart_id: str,
    clause: str,
    title: str,
    caption: str,
    source: str,
    palette: Sequence[str],
    noun: str = "incidents",
    window_minutes: float | None = None,
    width_cm: float = WIDTH_CM,
    height_cm: float | None = None,
) -> Chart:
    """One row per critical incident: declaration at 0, each post as a dot, and the target.

    The frame is tidy, one row per post: `incident` is the row label ("Flooding, 3 Feb") and
    `minutes` the minutes from declaration to that post (compute it upstream from the two
    timestamps). An incident with no post yet is one row with `minutes` NaN. Rows keep
    frame order, so sort by declaration time first. The first post is a filled dot, blue
    (`palette[0]`) when at or within `target_minutes` and orange (`palette[1]`) with a
    diamond when later, labelled with its minutes; later posts are hollow dots. A dashed
    line marks the target. `window_minutes` cuts the axis short and counts the posts
    beyond it at the row end ("+3 later"), for years with one very long incident.
    """
    meta = _Meta(chart_id, clause, title, caption, source)
    palette = _check_common(chart_id, palette)
    if frame.empty:
        return _no_data_chart(meta, width_cm)
    frame = _checked_frame(frame, [incident, minutes])
    items = _prepare_timeline(frame, incident, minutes)
    if not items:
        return _no_data_chart(meta, width_cm)
    palette = _check_palette(palette, 2)
    alt = describe_timeline(frame, incident=incident, minutes=minutes,
                            target_minutes=target_minutes, noun=noun)  # fmt: skip
    n = len(items)
    if height_cm is None:
        height_cm = min(24.0, max(4.5, 2.4 + 0.62 * n))
    met_colour, missed_colour = palette[0], palette[1]

    def draw(fig: Figure) -> None:
        ax = fig.add_subplot()
        every = np.concatenate([i.posts for i in items] + [np.array([0.0, target_minutes])])
        right = float(every.max()) if window_minutes is None else float(window_minutes)
        left = min(0.0, float(every.min()))
        span = right - left
        step = next((s for s in (5, 10, 15, 30, 60, 120, 240, 480) if span / s <= 8), 1440)
        ax.xaxis.set_major_locator(MultipleLocator(step))
        ax.xaxis.set_major_formatter(_UnitFormatter("minutes"))
        ax.set_xlim(left - 0.02 * span, right + 0.1 * span)
        ax.set_ylim(n - 0.4, -0.9)
        ax.set_yticks(np.arange(n), [i.label for i in items])
        ax.tick_params(axis="y", length=0, pad=6)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x")
        ax.set_xlabel("Minutes after declaration", labelpad=4)

        ax.axvline(target_minutes, color=_MUTED, linewidth=1.0, linestyle=(0, (4, 3)), zorder=1)
        ax.annotate(
            f"{_trim(target_minutes, 1)}-minute target", xy=(target_minutes, 1),
            xycoords=("data", "axes fraction"), xytext=(3, -1), textcoords="offset points",
            ha="left", va="top", fontsize=7.5, color=_MUTED, annotation_clip=False,
        )  # fmt: skip
        for row, item in enumerate(items):
            shown = item.posts[item.posts <= right]
            beyond = len(item.posts) - len(shown)
            end = right if beyond else float(shown.max()) if len(shown) else 0.0
            ax.plot([0, max(end, 0)], [row, row], color=_GRID, linewidth=2.2, zorder=1,
                    solid_capstyle="butt")  # fmt: skip
            ax.plot([0], [row], marker="|", markersize=9, markeredgewidth=1.6, color=_TEXT,
                    zorder=2)  # fmt: skip
            if item.first is None:
                ax.annotate("no post", xy=(0, row), xytext=(8, 0), textcoords="offset points",
                            va="center", fontsize=8, color=_MUTED, fontstyle="italic")  # fmt: skip
                continue
            missed = _missed(item, target_minutes)
            colour = missed_colour if missed else met_colour
            later = shown[1:] if item.first <= right else shown
            if len(later):
                ax.plot(later, np.full(len(later), row), "o", markersize=5, zorder=3,
                        markerfacecolor="white", markeredgecolor=colour,
                        markeredgewidth=1.2)  # fmt: skip
            if item.first <= right:
                ax.plot([item.first], [row], "D" if missed else "o", markersize=6.5 if missed
                        else 7, color=colour, markeredgecolor="white", markeredgewidth=0.6,
                        zorder=4)  # fmt: skip
                ax.annotate(
                    format_value(item.first, "minutes", style="short"),
                    xy=(item.first, row), xytext=(0, 6), textcoords="offset points",
                    ha="center", va="bottom", fontsize=7.5, color=_text_colour(colour),
                    fontweight="bold" if missed else "normal", path_effects=_HALO,
                )  # fmt: skip
            if beyond:
                ax.annotate(f"+{beyond} later", xy=(right, row), xytext=(6, 0),
                            textcoords="offset points", va="center", fontsize=7.5,
                            color=_MUTED)  # fmt: skip

        keys = [
            Line2D([], [], marker="|", linestyle="", color=_TEXT, markersize=9,
                   markeredgewidth=1.6, label="Declared"),
            Line2D([], [], marker="o", linestyle="", color=met_colour, markersize=7,
                   label="First post, within target"),
        ]  # fmt: skip
        if any(_missed(i, target_minutes) and i.first is not None for i in items):
            keys.append(Line2D([], [], marker="D", linestyle="", color=missed_colour,
                               markersize=6.5, label="First post, after target"))  # fmt: skip
        if any(len(i.posts) > 1 for i in items):
            keys.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                               markeredgecolor=_MUTED, markersize=5,
                               label="Later posts"))  # fmt: skip
        fig.legend(handles=keys, loc="outside upper left", ncols=len(keys), frameon=False,
                   handletextpad=0.3, columnspacing=1.4, borderaxespad=0.2)  # fmt: skip

    return _chart(meta, alt, draw, width_cm, height_cm)
