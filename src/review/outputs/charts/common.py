"""The house style every chart shares: units and number words, colours, rendering to SVG."""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Callable, Sequence
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
from matplotlib.ticker import Formatter, MaxNLocator

from review.context import Chart
from review.controls import show_controls
from review.values import fmt_pct, round_half_up


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
    """Format with at most `decimals` places, dropping a trailing ".0" ("2 million"); halves
    round up, as the report's tables and sentences round them (review.values)."""
    text = f"{round_half_up(value, decimals):,.{decimals}f}"
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
                return f"{round_half_up(v / 1e3):,.0f}k"
        if style == "words" and a >= 1e5:
            # three significant figures, as "1.2 million" has two: 941,084 reads "941,000"
            return f"{round_half_up(v, -int(math.floor(math.log10(a))) + 2):,.0f}"
        if a >= 100 or float(v).is_integer():
            return f"{round_half_up(v):,.0f}"
        return _trim(v, 1)
    if unit == "pct":
        return fmt_pct(v)
    if unit == "minutes":
        text = f"{round_half_up(v):,.0f}" if a >= 10 or float(v).is_integer() else _trim(v, 1)
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
