"""Shares against a reference: the audience against the population (P7)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from review.context import Chart
from review.outputs.charts.common import (
    NO_DATA, WIDTH_CM, _MUTED, _Meta, _TEXT, _chart, _check_common, _checked_frame, _no_data_chart,
    _plural, _sentence, format_value,
)


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
        ax.barh(positions, np.nan_to_num(values), height=0.6, color=palette[0], zorder=2, label=_sentence(value_words))
        ax.scatter(refs, positions, marker="|", s=160, linewidths=2.2, color=_TEXT, zorder=3,
                   label=_sentence(reference_words))
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
