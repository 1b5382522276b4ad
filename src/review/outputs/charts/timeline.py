"""The critical-incident timeline: minutes to the first post, against the target (P2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator

from review.context import Chart
from review.outputs.charts.common import (
    NO_DATA, WIDTH_CM, _GRID, _HALO, _MUTED, _Meta, _TEXT, _UnitFormatter, _chart, _check_common,
    _check_palette, _checked_frame, _list_words, _no_data_chart, _plural, _sentence, _text_colour,
    _trim, format_value,
)


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


def _slowest(items: list[_Incident], count: int) -> list[_Incident]:
    """The `count` incidents whose first post came latest (those with no post first; the earlier
    in frame order first among equals), kept in frame order."""
    lateness = sorted(range(len(items)), key=lambda i: (-(items[i].first if items[i].first is not None else np.inf), i))
    return [items[i] for i in sorted(lateness[:count])]


def slowest_incidents(frame: pd.DataFrame, *, incident: str, minutes: str, count: int) -> list[str]:
    """The labels of the rows `timeline_chart(..., max_rows=count)` draws, in its order."""
    return [item.label for item in _slowest(_prepare_timeline(frame, incident, minutes), count)]


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
        parts.append(f"{missed:,} of {_plural(len(items), noun)} missed the {target_text}")
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
    max_rows: int | None = None,
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
    beyond it at the row end ("+3 later"), for years with one very long incident. `max_rows`:
    with more incidents than that, only the `max_rows` whose first post came latest (those with
    none first) are drawn, in frame order; the alt text describes them all and says so.
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
    if max_rows is not None and len(items) > max_rows:
        items = _slowest(items, max_rows)
        alt += f" The chart shows the {len(items)} with the slowest first posts."
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
