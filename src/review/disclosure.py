"""Small-count suppression for a whole publication: primary and secondary, decided in one place.

`protect(headlines, tables, threshold)` decides, for everything one output prints, which small
counts are suppressed and which other counts must be withheld so that the suppressed ones
cannot be worked out; every output then prints through review.values.Figure, which obeys the
decision. The frames and headline values stay true (the recommendation rules need them).

What is sensitive is declared once, where the figures are defined: `Metric.small_count`,
`Metric.part_of` and `Metric.derived_from` in the metric registry, `Column.small_count` and
`MetricTable.totals` on the conduct tables. Nothing here names a metric.

How it decides:

1. *Primary suppression.* A small count from 1 to threshold - 1 is suppressed ("<5"). Zero is
   shown: it is a count of no one.
2. *The relations a reader can use.* Each declared total is the sum of its cells (conduct cases
   = the severity column = the outcome column = every category and capacity cell; personal-use
   cases = the personal column; discrimination cases = that category's row; open cases = the
   "open" outcome row). A figure that is part of another (`part_of`) leaves a rest that is not
   printed but can be worked out by subtraction (work-capacity cases = all cases - personal
   use); the rest is a count of people too, so it must not be worked out exactly when it is small.
   A total that this output does not print itself (the discrimination headline, seen from the
   P5 notebook) is treated as printed, so every view of the same data decides the same way.
3. *The audit.* What a reader knows of each figure: a shown one exactly, a suppressed one is 1
   to threshold - 1, a withheld one at least the threshold (only shown counts, so at least the
   threshold, are ever withheld), a rest anything from 0. The relations narrow these ranges
   (interval propagation to a fixed point). A suppressed count, or a small rest, whose range
   narrows to one value can be recovered.
4. *Secondary suppression.* While something can be recovered, withhold one more count in a
   relation that holds it: a table cell before a headline total, the smallest first. Then audit
   again. Each step hides one more figure, so it ends.

A rate worked out from a small count (cases per 1,000 people) is withheld whenever its count is
hidden. A year-on-year change is never printed when either year's figure is hidden
(`Headline.change_shown`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from review.context import Headline, MetricTable
from review.evidence.metrics.registry import METRICS
from review.values import HIDDEN, SHOWN, SUPPRESSED, WITHHELD, WITHHELD_CELL, is_missing

INF = 10**15  # no upper bound: a withheld count or a rest could be any size
VIRTUAL = "virtual"  # a rest that no output prints but a reader can work out
YEARS = ("now", "prior")


@dataclass
class _Cell:
    value: int
    state: str  # SHOWN | SUPPRESSED | WITHHELD, or VIRTUAL for a rest nobody prints
    is_table: bool = False  # a table cell: withheld before a headline total


@dataclass(frozen=True)
class Decision:
    """What `protect` decided: the state of every small count it looked at (for tests and notes)."""

    states: dict[tuple, str]
    threshold: int

    def hidden(self) -> dict[tuple, str]:
        return {k: v for k, v in self.states.items() if v in HIDDEN}


def protect(headlines: list[Headline], tables: list[MetricTable], threshold: int
            ) -> tuple[list[Headline], list[MetricTable]]:
    """The same headlines and tables with what may be printed decided (`Headline.value_state`,
    `prior_state`; `MetricTable.hidden`). See the module docstring for the rules."""
    headlines, tables, _ = protect_with_decision(headlines, tables, threshold)
    return headlines, tables


def protect_with_decision(headlines: list[Headline], tables: list[MetricTable], threshold: int
                          ) -> tuple[list[Headline], list[MetricTable], Decision]:
    """`protect`, also returning the decision itself."""
    if threshold < 1:
        raise ValueError(f"the small-count threshold must be at least 1, not {threshold}")
    cells, relations = _model(headlines, tables)
    for cell in cells.values():
        if cell.state == SHOWN and 0 < cell.value < threshold:
            cell.state = SUPPRESSED
    while exposed := _exposed(cells, relations, threshold):
        key = _complement(exposed[0], cells, relations, threshold)
        cells[key].state = WITHHELD
    states = {k: c.state for k, c in cells.items() if c.state != VIRTUAL}
    # A figure worked out from a hidden count (a rate per 1,000 people) is withheld with it.
    for h in headlines:
        base = METRICS[h.metric_id].derived_from if h.metric_id in METRICS else None
        for year in YEARS:
            if base and states.get(("h", base, year)) in HIDDEN:
                states[("h", h.metric_id, year)] = WITHHELD
    return ([_apply_headline(h, states, threshold) for h in headlines],
            [_apply_table(t, states, threshold) for t in tables],
            Decision(states, threshold))


# --- the model: small counts and the sums that tie them -------------------------------------------


def _model(headlines: list[Headline], tables: list[MetricTable]) -> tuple[dict[tuple, _Cell], list[tuple]]:
    """Every small count printed (headline values of both years, cells of small-count columns),
    the rests a reader can work out, and the sums that tie them: (total key, [part keys])."""
    cells: dict[tuple, _Cell] = {}
    relations: list[tuple[tuple, list[tuple]]] = []
    at_hand = {h.metric_id: h for h in headlines}
    for h in headlines:
        metric = METRICS.get(h.metric_id)
        if metric is None or not metric.small_count:
            continue
        for year, value in zip(YEARS, (h.value, h.prior_value), strict=True):
            if not is_missing(value):
                cells[("h", h.metric_id, year)] = _Cell(_whole(value), SHOWN)
    for table in tables:
        for name in table.frame.columns:
            if table.column(name).small_count:
                for row, value in enumerate(table.frame[name]):
                    if not is_missing(value):
                        cells[("t", table.table_id, row, str(name))] = _Cell(_whole(value), SHOWN, is_table=True)
        for total in table.totals:
            rows = range(len(table.frame))
            if total.where is not None:
                where_column, where_value = total.where
                rows = [i for i, v in enumerate(table.frame[where_column]) if str(v) == where_value]
            parts = [("t", table.table_id, i, c) for i in rows for c in total.columns if ("t", table.table_id, i, c) in cells]
            key = ("h", total.metric_id, "now")
            added = sum(cells[p].value for p in parts)
            if key not in cells:
                if total.metric_id in at_hand:
                    continue  # the headline is not measured: nothing to subtract from
                # Printed elsewhere in the same publication: decide as if it were printed here.
                cells[key] = _Cell(added, SHOWN)
            if cells[key].value != added:
                continue  # the data disagree with themselves, so a reader cannot equate the two
            relations.append((key, parts))
        _margins(table, cells, relations)
    for metric in METRICS.values():
        if not metric.small_count or metric.part_of is None:
            continue
        for year in YEARS:
            part, whole = ("h", metric.metric_id, year), ("h", metric.part_of, year)
            if part in cells and whole in cells and cells[whole].value >= cells[part].value:
                rest = ("v", metric.metric_id, year)
                cells[rest] = _Cell(cells[whole].value - cells[part].value, VIRTUAL)
                relations.append((whole, [part, rest]))
    return cells, relations


def _margins(table: MetricTable, cells: dict[tuple, _Cell], relations: list[tuple]) -> None:
    """A table with two or more small-count columns has a total for each column and each row,
    printed (a declared headline) or not (a reader can still add the cells up). Adding them as
    figures lets the audit subtract one sum from another, as a reader would: all cases minus
    personal-use cases is the work column's total."""
    small = [str(c) for c in table.frame.columns if table.column(c).small_count]
    if len(small) < 2:
        return
    rows = range(len(table.frame))
    declared = {(t.columns, t.where): ("h", t.metric_id, "now") for t in table.totals}

    def total(key: tuple, fallback: tuple, parts: list[tuple]) -> tuple:
        """The declared headline for this margin, when it is the sum of the parts, else a
        figure no one prints."""
        added = sum(cells[p].value for p in parts)
        if key in declared and declared[key] in cells and cells[declared[key]].value == added:
            return declared[key]
        cells[fallback] = _Cell(added, VIRTUAL)
        return fallback

    column_totals, row_totals = [], []
    for name in small:
        parts = [("t", table.table_id, i, name) for i in rows if ("t", table.table_id, i, name) in cells]
        key = total(((name,), None), ("c", table.table_id, name), parts)
        relations.append((key, parts))
        column_totals.append(key)
    for i in rows:
        parts = [("t", table.table_id, i, name) for name in small if ("t", table.table_id, i, name) in cells]
        where = next((w for (cols, w) in declared if w and cols == tuple(small) and str(table.frame[w[0]].iat[i]) == w[1]),
                     None)
        key = total((tuple(small), where), ("r", table.table_id, i), parts)
        relations.append((key, parts))
        row_totals.append(key)
    grand = total((tuple(small), None), ("g", table.table_id), column_totals)
    relations.append((grand, column_totals))
    relations.append((grand, row_totals))


def _whole(value) -> int:
    return int(round(float(value)))


# --- the audit ---------------------------------------------------------------------------------


def _ranges(cells: dict[tuple, _Cell], relations: list[tuple], threshold: int) -> dict[tuple, list[int]]:
    """What a reader can know of each count: [lowest, highest], narrowed by every sum until
    nothing changes."""
    known = {}
    for key, cell in cells.items():
        if cell.state == SHOWN:
            known[key] = [cell.value, cell.value]
        elif cell.state == SUPPRESSED:
            known[key] = [1, threshold - 1]
        elif cell.state == WITHHELD:
            known[key] = [threshold, INF]
        else:
            known[key] = [0, INF]
    for _ in range(10_000):
        changed = False
        for total, parts in relations:
            changed |= _narrow(known[total], sum(known[p][0] for p in parts),
                               min(INF, sum(known[p][1] for p in parts)))
            for p in parts:
                others_low = sum(known[q][0] for q in parts if q != p)
                others_high = min(INF, sum(known[q][1] for q in parts if q != p))
                low = known[total][0] - others_high if others_high < INF else 0
                high = INF if known[total][1] >= INF else known[total][1] - others_low
                changed |= _narrow(known[p], low, high)
        if not changed:
            return known
    raise RuntimeError("small-count audit did not settle; report this as a bug")


def _narrow(bounds: list[int], low: int, high: int) -> bool:
    changed = False
    if low > bounds[0]:
        bounds[0], changed = low, True
    if high < bounds[1]:
        bounds[1], changed = high, True
    return changed


def _exposed(cells: dict[tuple, _Cell], relations: list[tuple], threshold: int) -> list[tuple]:
    """Suppressed counts, and small rests, that a reader can work out exactly."""
    known = _ranges(cells, relations, threshold)
    at_risk = [k for k, c in cells.items()
               if c.state == SUPPRESSED or (c.state == VIRTUAL and 0 < c.value < threshold)]
    return sorted((k for k in at_risk if known[k][0] == known[k][1]), key=str)


def _complement(key: tuple, cells: dict[tuple, _Cell], relations: list[tuple], threshold: int) -> tuple:
    """The count to withhold next so that `key` cannot be worked out: a shown, non-zero count in a
    sum that holds `key` (then in a sum next to one), table cells first, the smallest first."""
    near = [r for r in relations if key == r[0] or key in r[1]]
    hidden = {m for r in near for m in (r[0], *r[1]) if cells[m].state != SHOWN}
    nearby = [r for r in relations if r[0] in hidden or hidden & set(r[1])]
    for group in (near, nearby, relations):
        candidates = {m for r in group for m in (r[0], *r[1])
                      if cells[m].state == SHOWN and cells[m].value >= threshold}
        if candidates:
            return min(candidates, key=lambda m: (not cells[m].is_table, cells[m].value, str(m)))
    raise RuntimeError(f"small-count suppression found nothing more to withhold for {key}; report this as a bug")


# --- applying the decision ------------------------------------------------------------------------


def _apply_headline(h: Headline, states: dict[tuple, str], threshold: int) -> Headline:
    return dataclasses.replace(
        h,
        value_state=states.get(("h", h.metric_id, "now"), h.value_state if h.value_state not in HIDDEN else SHOWN),
        prior_state=states.get(("h", h.metric_id, "prior"), h.prior_state if h.prior_state not in HIDDEN else SHOWN),
        threshold=threshold,
    )


def _apply_table(table: MetricTable, states: dict[tuple, str], threshold: int) -> MetricTable:
    hidden = {(k[2], k[3]): v for k, v in states.items() if k[0] == "t" and k[1] == table.table_id and v in HIDDEN}
    note = table.note
    if WITHHELD in hidden.values():
        extra = (f"{WITHHELD_CELL}: withheld so that a count below {threshold} cannot be worked out from a total.")
        note = f"{note} {extra}" if note else extra
    return dataclasses.replace(table, hidden=hidden, threshold=threshold, note=note)
