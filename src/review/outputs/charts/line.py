"""Line charts: a measure by month, one line per series, labelled directly."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator

from review.context import Chart
from review.outputs.charts.common import (
    HEIGHT_CM, NO_DATA, WIDTH_CM, _MONTHS, _Meta, _UnitFormatter, _chart, _check_common,
    _check_palette, _check_unit, _checked_frame, _list_words, _nice_limit, _no_data_chart,
    _sentence, _text_colour, _value_axis_label, format_value,
)


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
