"""Heatmaps: a measure by weekday and hour (or any two categories)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from review.context import Chart
from review.outputs.charts.common import (
    HEIGHT_CM, NO_DATA, WIDTH_CM, _Meta, _NO_DATA_FILL, _UnitFormatter, _WEEKDAYS, _chart,
    _check_common, _check_unit, _checked_frame, _no_data_chart, _plural, _sentence, format_value,
)


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
