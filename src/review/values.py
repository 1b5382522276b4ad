"""How every figure is printed: one value type for every output.

A `Figure` is one number (or date, word, flag) with what it measures (`kind`) and whether it may
be printed as it is (`state`). Every output prints figures through it: headline cards, the
policy matrix, narrative sentences, recommendation evidence, table cells, the workbook, the
register YAML and the national CSV. So a count that is suppressed in one place is suppressed in
all of them, and a figure the data cannot support reads "not measured", never 0.

States:

- ``shown``: the number is printed.
- ``not_measured``: there is no figure (the input it needs is missing); printed "not measured",
  with the reason where there is room. Never 0.
- ``suppressed``: a count of people or cases from 1 to threshold - 1 (default 1-4), printed
  "<5" ("fewer than 5" in a sentence), so no one can be identified.
- ``withheld``: a count that is not small but is hidden so that a suppressed count cannot be
  worked out by subtracting it from a total (secondary suppression); printed "[c]" in a table
  cell and "withheld" elsewhere.

Which figures are small counts is declared once: `Metric.small_count` in the metric registry and
`Column.small_count` on a metric table's column. Which of them are suppressed or withheld is
decided for a whole publication at once by `review.disclosure.protect`.

The number formatters (`fmt_count`, `fmt_pct`, ...) live here too; the report's Jinja filters
(review.outputs.render) are these functions.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from numbers import Number

SHOWN = "shown"
NOT_MEASURED = "not_measured"
SUPPRESSED = "suppressed"
WITHHELD = "withheld"
STATES = (SHOWN, NOT_MEASURED, SUPPRESSED, WITHHELD)
HIDDEN = (SUPPRESSED, WITHHELD)

NOT_AVAILABLE = "not available"  # a change or comparison that cannot be worked out
NOT_MEASURED_TEXT = "not measured"
WITHHELD_TEXT = "withheld"
WITHHELD_CELL = "[c]"  # the Government Statistical Service's mark for a confidential cell
# A table cell with no figure: the same words as a card, never "n/a" or a blank that reads as 0. A
# column whose empty cells mean something else says so (`Column.missing`: "not supplied", "").
MISSING_CELL = NOT_MEASURED_TEXT
SMALL_BASE = 20  # a count below this last year changes by its difference, not in per cent

# Kinds of value. A headline's unit is one of the first six; a table column's kind any of them.
HEADLINE_KINDS = ("count", "people", "pct", "minutes", "days", "rate")
NUMERIC_KINDS = ("count", "people", "pct", "minutes", "days", "rate", "number")
KINDS = (*HEADLINE_KINDS, "number", "text", "category", "date", "datetime", "month", "flag")
# The decimals a headline figure is stored with in a spreadsheet, as the report prints it.
HEADLINE_PLACES = {"pct": 1, "rate": 1, "minutes": 0, "days": 0}


# --- number formatters --------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def round_half_up(value: float, places: int = 0) -> float:
    """Round halves away from zero, as readers expect (Python rounds halves to even)."""
    factor = 10**places
    return math.copysign(math.floor(abs(value) * factor + 0.5) / factor, value)


def round_half_up_column(values, places: int = 0):
    """`round_half_up` over a column (a Series, or an array): halves away from zero, a missing
    value stays missing, as float64. The metric tables round their figures with it, as the report
    prints them: pandas' and numpy's round take a half to even, so a median of 60.5 minutes was
    60 in a table and "1 h 1 min" in the headline above it."""
    import numpy as np

    x = values.astype("float64") if hasattr(values, "astype") else np.asarray(values, dtype="float64")
    factor = 10.0**places
    return np.copysign(np.floor(np.abs(x) * factor + 0.5) / factor, x)


def fmt_count(value: object, places: int = 1) -> str:
    """12,345 for counts below a million; "1.2 million" / "3.4 billion" above (`places`: the
    decimals of those, "1.23 million")."""
    if is_missing(value):
        return NOT_AVAILABLE
    number = float(value)  # type: ignore[arg-type]
    size = abs(number)
    if size >= 1e9:
        return f"{round_half_up(number / 1e9, places):,.{places}f} billion"
    if size >= 1e6:
        return f"{round_half_up(number / 1e6, places):,.{places}f} million"
    return f"{round_half_up(number):,.0f}"


def fmt_pct(value: object, places: int = 1) -> str:
    """A percentage already on the 0-100 scale: 12.3 -> "12.3%"."""
    if is_missing(value):
        return NOT_AVAILABLE
    return f"{round_half_up(float(value), places):,.{places}f}%"  # type: ignore[arg-type]


def fmt_share(part: int, whole: int) -> str:
    """`part` of `whole` as a whole percentage for a sentence ("9%"), which reads "0%" or "100%"
    only when it is: 1 of 1,200 is "less than 1%", 1,199 of 1,200 "more than 99%"."""
    share = 100 * part / whole
    if 0 < share and round_half_up(share) < 1:
        return "less than 1%"
    if share < 100 and round_half_up(share) >= 100:
        return "more than 99%"
    return fmt_pct(share, 0)


def fmt_change(value: object, places: int = 1) -> str:
    """A year-on-year change in per cent: "up 12.3%", "down 4.0%", "no change", "not available"."""
    if is_missing(value):
        return NOT_AVAILABLE
    rounded = round_half_up(float(value), places)  # type: ignore[arg-type]
    if rounded == 0:
        return "no change"
    return f"{'up' if rounded > 0 else 'down'} {abs(rounded):,.{places}f}%"


def fmt_points(value: object, places: int = 1) -> str:
    """A change between two percentages: "up 2.0 percentage points", "down 0.5 percentage points".

    A share that goes from 50% to 55% is up 5 percentage points, not "up 10%": the relative
    change of a percentage reads as the difference and misleads.
    """
    if is_missing(value):
        return NOT_AVAILABLE
    rounded = round_half_up(float(value), places)  # type: ignore[arg-type]
    if rounded == 0:
        return "no change"
    unit = "percentage point" if abs(rounded) == 1 else "percentage points"
    return f"{'up' if rounded > 0 else 'down'} {abs(rounded):,.{places}f} {unit}"


def fmt_minutes(value: object, places: int = 0) -> str:
    """A duration in minutes: "45 minutes", "1 minute", "2 hours", "3 h 20 min"; with `places`,
    in minutes to that many decimals ("60.1 minutes": see `places_apart`)."""
    if is_missing(value):
        return NOT_AVAILABLE
    number = float(value)  # type: ignore[arg-type]
    if places:
        return f"{round_half_up(number, places):,.{places}f} minutes"
    if 0 < number < 0.5:
        return "less than 1 minute"
    total = int(round_half_up(number))
    if total < 60:
        return "1 minute" if total == 1 else f"{total:,} minutes"
    hours, minutes = divmod(total, 60)
    if minutes == 0:
        return "1 hour" if hours == 1 else f"{hours:,} hours"
    return f"{hours:,} h {minutes} min"


def fmt_days(value: object, places: int = 0) -> str:
    """A duration in whole days: "1 day", "83 days"; with `places`, to that many decimals."""
    if is_missing(value):
        return NOT_AVAILABLE
    if places:
        return f"{round_half_up(float(value), places):,.{places}f} days"  # type: ignore[arg-type]
    total = int(round_half_up(float(value)))  # type: ignore[arg-type]
    return "1 day" if total == 1 else f"{total:,} days"


def fmt_date(value: object) -> str:
    """A date as UK readers write it: "31 December 2025" (no leading zero)."""
    if is_missing(value):
        return NOT_AVAILABLE
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if not isinstance(value, dt.date):  # pandas Timestamp is a datetime, so a date
        raise TypeError(f"fmt_date needs a date, got {type(value).__name__}")
    return f"{value.day} {value:%B %Y}"


def fmt_month(value: object) -> str:
    """A month as readers write it: "January 2025" (never "2025-01")."""
    if is_missing(value):
        return NOT_AVAILABLE
    if hasattr(value, "to_timestamp"):  # a pandas Period
        value = value.to_timestamp()
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:7] + "-01")
    return f"{value:%B %Y}"


def fmt_number(value: object, places: int = 1) -> str:
    """A plain number with thousands separators and fixed decimals: 1,234.5."""
    if is_missing(value):
        return NOT_AVAILABLE
    return f"{round_half_up(float(value), places):,.{places}f}"  # type: ignore[arg-type]


_UNIT_FORMATTERS = {
    "count": fmt_count,
    "people": fmt_count,
    "pct": fmt_pct,
    "minutes": fmt_minutes,
    "days": fmt_days,
    "rate": fmt_number,
}


def fmt_value(value: object, unit: str) -> str:
    """Format a headline value by its unit (`Headline.unit`); an unknown unit is an error.
    A `Figure` prints as its state says (see `Figure.text`)."""
    if isinstance(value, Figure):
        return value.text()
    try:
        formatter = _UNIT_FORMATTERS[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}; expected one of {sorted(_UNIT_FORMATTERS)}") from None
    return formatter(value)


def fmt_recorded(value: object, unit: str) -> str:
    """A figure recorded with the decimals its headline printed it with (a recommendation's
    evidence: review.evidence.recommend._printable), printed with them again: 79.96 -> "79.96%"
    (a share just short of its target of 80%), 79.9 -> "79.9%", 60.1 -> "60.1 minutes",
    597.0 -> "9 h 57 min". A count, or a figure with no more decimals than its unit prints, as
    `fmt_value` prints it."""
    if unit in ("count", "people") or is_missing(value):
        return fmt_value(value, unit)
    places = decimals(float(value), most=9)  # type: ignore[arg-type]  (headline_places gives at most 9)
    if places <= (TEXT_PLACES.get(unit) or 0):
        return fmt_value(value, unit)
    return _UNIT_FORMATTERS[unit](value, places)


# The decimals each unit's figures print with in words (Figure.text, the formatters' defaults); a
# count's are those of its "1.2 million" form.
TEXT_PLACES = {**HEADLINE_PLACES, "count": 1, "people": 1}


def headline_places(unit: str, value: object, *, target: float | None = None, rag: str = "Not rated",
                    prior: object = None) -> int | None:
    """The decimals a headline figure prints with: its unit's (HEADLINE_PLACES), or more where
    it would print the same as a figure it is set against but is not that figure:

    - its target, when it is rated short of it (on its true value): not "1 hour against a target
      of 1 hour (Amber)" for 60.07 minutes, but "60.1 minutes";
    - `prior`, last year's figure, when a change in per cent is printed between them: not "34
      minutes, down 1.0% (from 34 minutes)", but "34.1 minutes ... (from 34.4 minutes)". Last
      year's figure prints with the same decimals (pass the two the other way round). (A share's
      change is the difference of the shares as printed, `points_change`, so it needs none.)
    """
    places, start = HEADLINE_PLACES.get(unit), TEXT_PLACES.get(unit)
    if start is None or is_missing(value):
        return places
    need = start
    if target is not None and rag in ("Amber", "Red"):
        need = max(need, places_apart(float(value), float(target), unit, start))  # type: ignore[arg-type]
    if not is_missing(prior):
        need = max(need, places_apart(float(value), float(prior), unit, start))  # type: ignore[arg-type]
    return places if need == start else need


def places_apart(value: float, other: float, unit: str, places: int, most: int = 9) -> int:
    """The fewest decimals, `places` or more (at most `most`), at which `value` and `other` print
    differently in `unit` ("60.1 minutes" and "60.0 minutes", "79.96%" and "80.00%"); `places`
    when they print the same however many there are (two whole counts, or equal figures)."""
    formatter = _UNIT_FORMATTERS[unit]
    for n in range(places, most + 1):
        if formatter(value, n) != formatter(other, n):
            return n
    return places


def decimals(number: float, most: int = 3) -> int:
    """Decimal places actually present (up to `most`), so 3.40 shows as 3.4 and 0.125 as 0.125."""
    text = f"{number:.{most}f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def fmt_cell(value: object) -> str:
    """One table cell of unknown kind: counts with separators, decimals as they are, dates in full.

    Missing values print as "not measured" (MISSING_CELL), never as 0.
    """
    if isinstance(value, Figure):
        return value.cell()
    if is_missing(value):
        return MISSING_CELL
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
        return f"{number:,.{max(1, decimals(number))}f}"
    return str(value)


def humanise(code: str) -> str:
    """A category code as words: "discriminatory_content" -> "Discriminatory content"."""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


# --- table columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """How one column of a metric table reads, declared where the table is built.

    `label` is what readers see in the report and the workbook ("Median, out of hours"); the
    frame's own column name is snake_case for analysts (`median_out_of_hours_minutes`).
    `kind` decides how each value prints (see KINDS): "count" whole numbers, "number" and
    "pct" (0-100 scale) with `places` decimals (None: as many as the column's values have, up
    to 3; a percentage at least one), "category" a code printed as words (`labels`, else
    "harassment_or_abuse" -> "Harassment or abuse"), "flag" Yes/No, "date", "datetime",
    "month" and "text". `unit` is the unit in words for the workbook ("minutes", "messages").
    `small_count`: a count of people or cases, suppressed below the threshold in every output.
    `group`: consecutive columns with the same group print in the report as one column headed
    by the group, "45 to 80" (a range); the workbook keeps them apart.
    `missing`: what an empty cell of the column prints in the report, when that is not "not
    measured" (MISSING_CELL): "not supplied", "still open", "" for an optional text. The
    workbook leaves every empty cell blank.
    """

    label: str
    kind: str = "text"
    places: int | None = None
    unit: str | None = None
    small_count: bool = False
    group: str | None = None
    labels: dict[str, str] | None = field(default=None, hash=False, compare=True)
    missing: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.label!r}: unknown kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.small_count and self.kind not in ("count", "people"):
            raise ValueError(f"column {self.label!r}: only a count can be a small count, not {self.kind!r}")

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def word(self, code: object) -> str:
        """A category value as printed."""
        if self.labels and code in self.labels:
            return self.labels[code]
        return humanise(str(code))


def column_places(column: Column, series) -> int | None:
    """The decimals every value of a number column prints with: the column's `places`, else the
    most any of its values has (up to 3; a percentage at least one), so 61.0 and 48.25 line up
    as 61.00 and 48.25. None for a column that is not a decimal number."""
    if not column.is_numeric or column.kind in ("count", "people"):
        return None
    if column.places is not None:
        return column.places
    found = max((decimals(float(v)) for v in series if not is_missing(v)), default=0)
    return max(found, 1) if column.kind == "pct" else found


def infer_column(name: str, series) -> Column:
    """The metadata of a column built without any (tables made outside the metric modules):
    the label is the column's name and the kind follows its dtype."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return Column(str(name), "flag")
    if pd.api.types.is_integer_dtype(series):
        return Column(str(name), "count")
    if pd.api.types.is_float_dtype(series):
        label = str(name).lower()
        return Column(str(name), "pct" if ("%" in label or label.endswith("pct")) else "number")
    if pd.api.types.is_datetime64_any_dtype(series):
        return Column(str(name), "datetime")
    values = [v for v in series if not is_missing(v)]
    if values and all(isinstance(v, dt.datetime) for v in values):
        return Column(str(name), "datetime")
    if values and all(isinstance(v, dt.date) for v in values):
        return Column(str(name), "date")
    if values and all(isinstance(v, bool) for v in values):
        return Column(str(name), "flag")
    if values and all(isinstance(v, Number) for v in values):
        return Column(str(name), "number")
    return Column(str(name), "text")


# --- the value type -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure and how it may be printed; see the module docstring for the states.

    `kind` is a headline unit or a column kind (KINDS). `threshold` is the small-count
    threshold a suppressed figure prints under ("<5"). `reason` says in plain words why a figure
    is not measured. `places` fixes the decimals of a table cell (None: as the value has them).
    """

    value: object
    kind: str = "count"
    state: str = SHOWN
    threshold: int = 5
    reason: str | None = None
    places: int | None = None
    column: Column | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}; expected one of {', '.join(STATES)}")
        if self.state == SHOWN and self.kind in HEADLINE_KINDS and is_missing(self.value):
            object.__setattr__(self, "state", NOT_MEASURED)

    @property
    def is_hidden(self) -> bool:
        """Suppressed or withheld: the number must not be printed."""
        return self.state in HIDDEN

    @property
    def is_shown(self) -> bool:
        return self.state == SHOWN

    @property
    def marker(self) -> str:
        """What a hidden figure prints as in a card, a list or a table: "<5" or "[c]"."""
        return f"<{self.threshold}" if self.state == SUPPRESSED else WITHHELD_CELL

    def text(self, prose: bool = False, reason: bool = False) -> str:
        """The figure in the report's words: "12", "1.2 million", "82.0%", "3 h 20 min".

        A suppressed count reads "<5" ("fewer than 5" in a sentence, `prose`), a withheld one
        "withheld", a missing one "not measured" (with its reason in brackets when `reason` is
        set and one is known).
        """
        if self.state == SUPPRESSED:
            return f"fewer than {self.threshold}" if prose else f"<{self.threshold}"
        if self.state == WITHHELD:
            return WITHHELD_TEXT
        if self.state == NOT_MEASURED or is_missing(self.value):
            return f"{NOT_MEASURED_TEXT} ({self.reason})" if reason and self.reason else NOT_MEASURED_TEXT
        if self.kind in _UNIT_FORMATTERS:
            if self.places is not None and self.kind in TEXT_PLACES:  # a headline's decimals
                return _UNIT_FORMATTERS[self.kind](self.value, self.places)
            return _UNIT_FORMATTERS[self.kind](self.value)
        return self.cell()

    def cell(self) -> str:
        """The figure as a table cell: whole counts ("77,024"), fixed decimals, dates in full,
        "not measured" when missing (or the column's own word, `Column.missing`), "<5"
        suppressed, "[c]" withheld."""
        if self.is_hidden:
            return self.marker
        value = self.value
        if is_missing(value):
            return self.column.missing if self.column is not None and self.column.missing is not None else MISSING_CELL
        kind = self.kind
        if kind in ("count", "people"):
            return f"{int(round_half_up(float(value))):,}"
        if kind in ("number", "pct", "rate", "minutes", "days"):
            number = float(value)
            places = self.places if self.places is not None else decimals(number)
            return f"{round_half_up(number, places):,.{places}f}"
        if kind == "category":
            return self.column.word(value) if self.column else humanise(str(value))
        if kind == "flag":
            return "Yes" if bool(value) else "No"
        if kind == "month":
            return fmt_month(value)
        if kind == "date":
            return fmt_date(value)
        if kind == "datetime":
            return fmt_cell(_as_datetime(value))
        return fmt_cell(value)

    def data(self) -> object:
        """The figure for a data file (register YAML, national CSV, JSON): the plain number when
        shown, None when not measured, the marker word when hidden ("<5", "withheld")."""
        if self.state == SUPPRESSED:
            return f"<{self.threshold}"
        if self.state == WITHHELD:
            return WITHHELD_TEXT
        if self.state == NOT_MEASURED or is_missing(self.value):
            return None
        value = self.value
        if self.kind in ("count", "people") and float(value).is_integer():
            return int(value)
        if isinstance(value, Number) and not isinstance(value, bool):
            return float(value) if self.places is None else round_half_up(float(value), self.places)
        return value

    def sheet(self) -> tuple[object, str]:
        """The figure as a spreadsheet cell: (value, style). Numbers stay numbers (a percentage
        as a fraction, 0.042 for 4.2%, under a % format), dates dates, hidden figures their
        marker as text, missing ones None. Styles: "int", "float:N", "pct:N", "date",
        "datetime", "month", "flag", "text" (see review.outputs.workbook)."""
        if self.is_hidden:
            return self.marker, "text"
        value = self.value
        if is_missing(value):
            return None, "text"
        kind = self.kind
        if kind in ("count", "people"):
            return int(round_half_up(float(value))), "int"
        if kind == "pct":
            places = self.places if self.places is not None else max(1, decimals(float(value)))
            return float(value) / 100, f"pct:{places}"
        if kind in ("number", "rate", "minutes", "days"):
            places = self.places if self.places is not None else (1 if kind == "rate" else decimals(float(value)))
            return float(value), ("int" if places == 0 else f"float:{places}")
        if kind == "flag":
            return bool(value), "flag"
        if kind == "category":
            return (self.column.word(value) if self.column else humanise(str(value))), "text"
        if kind in ("date", "datetime", "month"):
            stamp = _as_datetime(value)
            if kind == "date" or (kind == "datetime" and (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0)):
                return dt.datetime(stamp.year, stamp.month, stamp.day), "date"
            return stamp, kind
        return str(value), "text"


def _as_datetime(value) -> dt.datetime:
    if hasattr(value, "to_timestamp"):  # a pandas Period
        value = value.to_timestamp()
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        value = value.tz_localize(None) if value.tzinfo else value
        return value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.fromisoformat(str(value))


def fmt_headline_change(headline) -> str:
    """The year-on-year change of a `Headline`, as a phrase: "up 7.9%", "down 2.0 percentage points".

    Percentages change in percentage points (value minus last year's value). A count that was
    small last year (below SMALL_BASE) changes by its difference, "up 10", since "up 1,000.0%"
    from 1 to 11 says little. Everything else changes in per cent of last year's value
    (`Headline.change_pct`). A like-for-like change compares this year's figure over only what
    last year covers too (`Headline.compared_value`, review.evidence.metrics.compare). "not available"
    when there is no figure for last year, when this year's is not measured, or when either
    year's figure is hidden (a change would give the hidden figure away).
    """
    if getattr(headline, "value_state", SHOWN) in HIDDEN or getattr(headline, "prior_state", SHOWN) in HIDDEN:
        return NOT_AVAILABLE
    if getattr(headline, "not_measured_reason", None) or is_missing(headline.value):
        return NOT_AVAILABLE
    compared = getattr(headline, "compared_value", None)
    value, prior = (headline.value if compared is None else compared), headline.prior_value
    if headline.unit == "pct":
        points = points_change(headline)
        return NOT_AVAILABLE if points is None else fmt_points(points)
    if headline.unit in ("count", "people") and not is_missing(value) and not is_missing(prior) and (
        abs(float(prior)) < SMALL_BASE
    ):
        difference = float(value) - float(prior)
        if round_half_up(difference) == 0:
            return "no change"
        return f"{'up' if difference > 0 else 'down'} {fmt_count(abs(difference))}"
    return fmt_change(headline.change_pct)


def points_change(headline) -> float | None:
    """A share's change on last year in percentage points, as the paper prints it: the difference
    of the two shares as printed (each rounded to the decimals the figure prints with), so that
    the arithmetic on the page holds: "46.5%, up 2.2 percentage points (from 44.3%)", never "up
    2.3" from the unrounded 46.54 and 44.26, nor "91.1%, down 0.1 percentage points (from
    91.1%)". A like-for-like change (`compared_value`) is of the figure over what both years
    cover. None when either is missing."""
    compared = getattr(headline, "compared_value", None)
    value = headline.value if compared is None else compared
    if is_missing(value) or is_missing(headline.prior_value):
        return None

    def printed(figure_name: str, number: object) -> float:  # as that figure prints it
        figure = getattr(headline, figure_name, None)
        places = figure.places if figure is not None and figure.places is not None else TEXT_PLACES["pct"]
        return round_half_up(float(number), places)  # type: ignore[arg-type]

    now = printed("figure", value) if compared is None else round_half_up(float(value), TEXT_PLACES["pct"])
    return now - printed("prior_figure", headline.prior_value)

