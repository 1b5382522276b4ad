"""One review period's slice of the canonical tables, with the local-time columns stages need."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.config import ReviewConfig
from review.contracts import TABLES


@dataclass(frozen=True)
class PeriodData:
    """Tables for one period. Event tables hold only the period's rows; registers hold all rows."""

    config: ReviewConfig
    start: pd.Timestamp  # first day, naive local date
    end: pd.Timestamp  # first day after the period
    accounts: pd.DataFrame
    posts: pd.DataFrame
    audience: pd.DataFrame
    contacts: pd.DataFrame
    incidents: pd.DataFrame
    critical_incidents: pd.DataFrame
    compliance_checks: pd.DataFrame
    training: pd.DataFrame
    recommendations: pd.DataFrame

    @property
    def last_day(self) -> pd.Timestamp:
        return self.end - pd.Timedelta(days=1)

    @property
    def open_accounts(self) -> pd.DataFrame:
        """Accounts opened before the period ended and not closed by then."""
        a = self.accounts
        return a[(a["opened_date"] < self.end) & (a["closed_date"].isna() | (a["closed_date"] >= self.end))]

    @property
    def has_data(self) -> bool:
        return len(self.posts) > 0 or len(self.contacts) > 0


def to_local(series: pd.Series, tz: str) -> pd.Series:
    """UTC timestamps as naive local wall-clock time."""
    return series.dt.tz_convert(tz).dt.tz_localize(None)


def slice_period(tables: dict[str, pd.DataFrame], config: ReviewConfig) -> PeriodData:
    """The config's period: event rows inside it (by local time), registers whole."""
    start = pd.Timestamp(config.period_start)
    end = pd.Timestamp(config.period_end)
    tz = config.timezone
    sliced = {}
    for name, table in TABLES.items():
        frame = tables[name]
        column = table.period_column
        if column is None:
            sliced[name] = frame
            continue
        when = frame[column]
        local = to_local(when, tz) if isinstance(when.dtype, pd.DatetimeTZDtype) else when
        sliced[name] = frame[(local >= start) & (local < end)].copy()
    posts = sliced["posts"]
    posts["published_local"] = to_local(posts["published_at"], tz)
    contacts = sliced["contacts"]
    contacts["received_local"] = to_local(contacts["received_at"], tz)
    minutes = (contacts["first_response_at"] - contacts["received_at"]).dt.total_seconds() / 60
    contacts["response_minutes"] = minutes.where(contacts["needs_response"].fillna(False))
    hours = config.staffed_hours
    local = contacts["received_local"]
    contacts["is_staffed"] = (
        local.dt.hour.between(hours.start_hour, hours.end_hour - 1)
        & local.dt.day_of_week.isin(list(hours.weekdays))
    ).astype(bool)
    return PeriodData(config=config, start=start, end=end, **sliced)


def pct(part: float, whole: float) -> float | None:
    """part / whole × 100, or None when there is nothing to divide by."""
    return None if not whole else float(100 * part / whole)


def median(series: pd.Series) -> float | None:
    values = series.dropna()
    return None if values.empty else float(np.median(values.to_numpy(dtype=float)))


@dataclass
class ClauseResult:
    """What one clause module computes for one period."""

    values: dict[str, float | None]  # metric id -> value; ids must be in the registry
    tables: list  # list[review.context.MetricTable]
    series: dict[str, pd.DataFrame]  # chart data, by chart id


def account_labels(accounts: pd.DataFrame) -> pd.Series:
    """How an account is named in the report: its name and platform, since a force's accounts
    often share one display name ("Northshire Police" on X, Facebook and Instagram)."""
    return (accounts["name"] + " (" + accounts["platform"] + ")").rename("label")
