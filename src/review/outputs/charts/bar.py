"""Bar charts: one bar per category, highlighted bars, sorted or in the frame's order."""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from review.context import Chart
from review.controls import show_controls
from review.outputs.charts.common import (
    HEIGHT_CM, NO_DATA, WIDTH_CM, _BACKGROUND_BAR, _MUTED, _Meta, _TEXT, _chart, _check_common,
    _check_unit, _checked_frame, _list_words, _no_data_chart, _plural, _sentence, _value_axis_label,
    format_value,
)


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
                f"{_ordinal(ranked.index(name) + 1)} of {len(ranked):,}."
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
    return f"{n:,}{suffix}"


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
    Repeated categories are summed when the unit is a count; for any other unit they are an
    error: two shares, medians, times or rates never add up to one (label each bar apart
    upstream, as review.evidence.metrics.period.account_labels does). A category with no figure keeps its
    place with the label "no data". `noun` (plural, "accounts") is used in the alt text.
    Horizontal charts grow taller with the number of bars unless `height_cm` is given.
    """
    _check_unit(unit)
    meta = _Meta(chart_id, clause, title, caption, source)
    palette = _check_common(chart_id, palette)
    if frame.empty:
        return _no_data_chart(meta, width_cm)
    frame = _checked_frame(frame, [category, value])
    labels = frame[category].astype(str)
    repeated = labels[labels.duplicated()]
    if unit not in ("count", "people") and len(repeated):
        raise ValueError(f"chart {chart_id}: {repeated.iloc[0]!r} is two bars of {unit} figures, which cannot be summed into one")
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
