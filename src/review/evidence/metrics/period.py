"""One review period's slice of the canonical tables, with the local-time columns stages need."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from review.config import ReviewConfig
from review.inputs.contracts import TABLES


class PeriodData:
    """Tables for one period. Event tables hold only the period's rows; registers hold all rows.

    A stage reads only the tables its clause needs (`TABLES_NEEDED` in each clause module); a
    table it did not read raises when used. A table can also stay in Parquet (`sources`): a
    `ParquetSlice` that the DuckDB rollups read in place, so P3 never loads contacts whole.
    """

    def __init__(self, config: ReviewConfig, start: pd.Timestamp, end: pd.Timestamp,
                 tables: dict[str, pd.DataFrame], sources: dict[str, ParquetSlice] | None = None,
                 folder: str | None = None, supplied: frozenset[str] | None = None):
        self.config = config
        self.start = start  # first day, naive local date
        self.end = end  # first day after the period
        self._tables = dict(tables)
        self.sources = dict(sources or {})
        self.folder = folder  # the canonical Parquet tables, when read from a run's folder
        # The tables an input file fed (review.evidence.metrics.coverage.supplied_tables); None: all of them.
        self.supplied = supplied
        self._rows: dict[str, int] = {}
        self._per_row: dict[str, pd.DataFrame | pd.Series] = {}
        self._parent: PeriodData | None = None  # the period a restricted one was cut from
        self._released = False  # its tables let go (release)

    def is_supplied(self, name: str) -> bool:
        """True when an input fed table `name` (even with no rows: then its counts are real zeros)."""
        return self.supplied is None or name in self.supplied

    def restricted(self, keep: dict[str, frozenset[str]], release: bool = False) -> PeriodData:
        """The same period with the tables in `keep` cut to the rows of the accounts listed for
        each (the like-for-like year-on-year comparison, review.evidence.metrics.compare).
        `release`: this period's tables are not used again (PeriodData.release follows), so each
        is cut a column at a time, letting go of this period's column as its cut is made."""
        tables = {name: (_cut(frame, frame["account_id"].isin(keep[name]).to_numpy(dtype=bool), release)
                         if name in keep else frame)
                  for name, frame in self._tables.items()}
        if release:
            self.release(per_row=False)
        sources = {name: (dataclasses.replace(src, accounts=tuple(sorted(keep[name]))) if name in keep else src)
                   for name, src in self.sources.items()}
        period = PeriodData(self.config, self.start, self.end, tables, sources, self.folder, self.supplied)
        period._parent = self
        return period

    def rows_of(self, name: str, accounts: frozenset[str]) -> int:
        """Rows of the table in the period from `accounts`: counted, not copied (a national
        year's posts copied to count them took ~250 MB)."""
        if name in self._tables:
            return int(self._tables[name]["account_id"].isin(accounts).sum())
        return self.restricted({name: accounts}).rows(name)  # left in Parquet: counted there

    def per_row(self, name: str, key: str, compute):
        """compute(table `name`): something derived from each of its rows (a frame or series on
        the table's index), computed once for the period. A restricted period takes its rows of
        what its parent computed rather than computing them again (P4's readability scores of a
        national year's posts take ~10 s)."""
        cache_key = f"{name}:{key}"
        if cache_key not in self._per_row:
            frame = self._table(name)
            if self._parent is not None and cache_key in self._parent._per_row:
                self._per_row[cache_key] = self._parent._per_row[cache_key].loc[frame.index]
            else:
                self._per_row[cache_key] = compute(frame)
        return self._per_row[cache_key]

    def release(self, per_row: bool = True) -> None:
        """Let go of the period's tables (their row counts are kept), and with `per_row` of what
        was derived from their rows: a clause stage does once it has measured the year before,
        so that a national year's two periods (and a cut of one) are not all held at once. A
        period cut from this one before (restricted) keeps its own rows, and takes its rows of
        what was derived while it is kept."""
        self._released = True
        if not self._tables and not (per_row and self._per_row):
            return  # let go already: nothing to collect
        for name, frame in self._tables.items():
            self._rows.setdefault(name, len(frame))
        self._tables.clear()
        if per_row:
            self._per_row.clear()
        import gc

        import pyarrow as pa

        gc.collect()  # frames in reference cycles (pandas keeps some) are freed now, not later
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed memory otherwise

    def account_ids(self, name: str) -> frozenset[str]:
        """The accounts with rows of table `name` in the period."""
        if name in self._tables:
            return frozenset(self._tables[name]["account_id"].dropna().unique())
        return self.sources[name].account_ids()

    def _table(self, name: str) -> pd.DataFrame:
        if name in self._tables:
            return self._tables[name]
        how = ("kept in Parquet: use PeriodData.source" if name in self.sources else
               "released once its clause was measured" if self._released else "not read for this stage")
        raise KeyError(f"table {name} is {how} (see TABLES_NEEDED in the clause's module)")

    def source(self, name: str) -> pd.DataFrame | ParquetSlice:
        """The table as a rollup can take it: the frame when it was read, else its Parquet slice."""
        if name in self._tables:
            return self._tables[name]
        if name in self.sources:
            return self.sources[name]
        return self._table(name)  # raises: not read for this stage

    def rows(self, name: str) -> int:
        """Rows of the table in the period, whether it was read or left in Parquet."""
        if name in self._tables:
            return len(self._tables[name])
        if name not in self._rows:
            if self._released:
                self._table(name)  # raises: released
            source = self.sources.get(name)
            if source is None:
                if self.folder is None:
                    self._table(name)  # raises: not read
                source = parquet_slice(self.folder, name, self.config)
            self._rows[name] = source.count()
        return self._rows[name]

    @property
    def last_day(self) -> pd.Timestamp:
        """The period's last day (`end` is the day after it)."""
        return self.end - pd.Timedelta(days=1)

    @property
    def open_accounts(self) -> pd.DataFrame:
        """Accounts opened before the period ended and not closed by then."""
        a = self.accounts
        return a[(a["opened_date"] < self.end) & (a["closed_date"].isna() | (a["closed_date"] >= self.end))]

    @property
    def has_data(self) -> bool:
        """True when any post or inbound message falls in the period."""
        return self.rows("posts") > 0 or self.rows("contacts") > 0

    def require_data(self) -> None:
        """Stop with a clear error when no post or message falls in the period (a wrong year,
        the wrong folder, or tables with only their headers): the one message that `review run`,
        `review sql` and `review.load` all give."""
        if not self.has_data:
            from review.errors import ReviewError

            raise ReviewError(
                f"no posts or contacts fall in the review period {self.config.period_label} "
                f"({self.config.period_start} to {self.config.period_end}); check --year and the data folder"
            )

    def __repr__(self) -> str:
        rows = ", ".join(f"{name} {len(frame):,}" for name, frame in self._tables.items())
        return f"<PeriodData {self.config.period_label} ({self.start.date()} to {self.last_day.date()}): rows {rows}>"


for _name in TABLES:
    setattr(PeriodData, _name, property(
        lambda self, _n=_name: self._table(_n),
        doc=f"The {_name} table: " + ("the period's rows, with its local-time columns" if TABLES[_name].period_column
                                       else "every row (a register)") + " (see docs/data-dictionary.md)."))


def _cut(frame: pd.DataFrame, rows: np.ndarray, release: bool) -> pd.DataFrame:
    """frame[rows]; with `release`, built a column at a time, each of `frame`'s columns let go as
    its cut is made (a national year's posts: one column's copy held at once, not the table's)."""
    if not release:
        return frame[rows]
    columns = {}
    for name in list(frame.columns):
        columns[name] = frame[name][rows]
        del frame[name]
    return pd.DataFrame(columns, index=frame.index[rows]) if columns else frame[rows]


def to_local(series: pd.Series, tz: str) -> pd.Series:
    """UTC timestamps as naive local wall-clock time."""
    return series.dt.tz_convert(tz).dt.tz_localize(None)


def _in_period(frame: pd.DataFrame, column: str, start: pd.Timestamp, end: pd.Timestamp, tz: str) -> pd.DataFrame:
    when = frame[column]
    local = to_local(when, tz) if isinstance(when.dtype, pd.DatetimeTZDtype) else when
    return frame[(local >= start) & (local < end)].copy()


# The columns a review year's tables have beside the canonical ones (added below).
LOCAL_COLUMNS = {"posts": ["published_local"], "contacts": ["received_local", "response_minutes", "is_staffed"]}


def _add_local_columns(name: str, frame: pd.DataFrame, config: ReviewConfig) -> None:
    """The columns the stages and rollups need beside the canonical ones (defined once, here;
    `ParquetSlice.sql` is the same definition in SQL)."""
    tz = config.timezone
    if name == "posts" and "published_at" in frame:
        frame["published_local"] = to_local(frame["published_at"], tz)
    if name == "contacts":
        frame["received_local"] = to_local(frame["received_at"], tz)
        minutes = (frame["first_response_at"] - frame["received_at"]).dt.total_seconds() / 60
        frame["response_minutes"] = minutes.where(frame["needs_response"].fillna(False))
        hours = config.staffed_hours
        local = frame["received_local"]
        frame["is_staffed"] = (
            local.dt.hour.between(hours.start_hour, hours.end_hour - 1)
            & local.dt.day_of_week.isin(list(hours.weekdays))
        ).astype(bool)


def slice_period(tables: dict[str, pd.DataFrame], config: ReviewConfig,
                 supplied: frozenset[str] | None = None) -> PeriodData:
    """The config's period: event rows inside it (by local time), registers whole. Tables
    missing from `tables` are not available in the result. `supplied`: the tables an input fed
    (PeriodData.supplied)."""
    start = pd.Timestamp(config.period_start)
    end = pd.Timestamp(config.period_end)
    sliced = {}
    for name, table in TABLES.items():
        if name not in tables:
            continue
        frame = tables[name]
        column = table.period_column
        if column is None:
            sliced[name] = frame
            continue
        sliced[name] = _in_period(frame, column, start, end, config.timezone)
        _add_local_columns(name, sliced[name], config)
    return PeriodData(config=config, start=start, end=end, tables=sliced, supplied=supplied)


# --- reading a run's canonical tables: only what a stage needs ----------------------------------

# A clause module's TABLES_NEEDED maps each table it reads to the columns it reads (None: all),
# or to IN_PARQUET: leave the table in Parquet and query it there (DuckDB rollups; the Spark
# engine reads it as a frame instead).
IN_PARQUET = "parquet"


@dataclass(frozen=True)
class ParquetSlice:
    """One period of a canonical Parquet table, with the local-time columns `slice_period` adds,
    as a DuckDB query: the rollups read it in place (review.evidence.rollup takes it as a table)."""

    path: str
    table: str
    start: pd.Timestamp
    end: pd.Timestamp
    timezone: str
    start_hour: int
    end_hour: int
    weekdays: tuple[int, ...]
    accounts: tuple[str, ...] | None = None  # only these accounts' rows (PeriodData.restricted)

    @functools.cached_property
    def sql(self) -> str:  # built once: the time zone's offsets take a minute-by-minute scan
        # Literals, not parameters: DuckDB views take none. Every value is ours or checked.
        path = str(self.path).replace("'", "''")
        column = TABLES[self.table].period_column
        # two days either side in UTC hold every row of the local period (and let DuckDB skip the
        # rest of the file); the exact cut is on local time
        lo, hi = self.start - pd.Timedelta(days=2), self.end + pd.Timedelta(days=2)
        local_us = f"(epoch_ns({column}) // 1000 + {_offset_case(f'epoch_ns({column})', self.timezone, lo, hi)})"
        start_us, end_us = self.start.value // 1000, self.end.value // 1000
        extra = ""
        if self.table == "contacts":
            # response_minutes as pandas computes it: nanoseconds as a double, / 1e9, / 60
            days = ", ".join(str(int(d)) for d in self.weekdays) or "NULL"
            extra = (
                ", make_timestamp(_local_us) AS received_local"
                ", CASE WHEN coalesce(needs_response, false) THEN "
                "CAST(epoch_ns(first_response_at) - epoch_ns(received_at) AS DOUBLE) / 1e9 / 60 END "
                "AS response_minutes"
                f", coalesce(hour(make_timestamp(_local_us)) BETWEEN {int(self.start_hour)} AND {int(self.end_hour) - 1} "
                f"AND isodow(make_timestamp(_local_us)) - 1 IN ({days}), false) AS is_staffed"
            )
        only = ""
        if self.accounts is not None:
            quoted = ", ".join("'" + str(a).replace("'", "''") + "'" for a in self.accounts) or "NULL"
            only = f" AND account_id IN ({quoted})"
        return (
            f"SELECT * EXCLUDE (_local_us){extra} FROM ("
            f"SELECT *, {local_us} AS _local_us FROM read_parquet('{path}') "
            f"WHERE {column} >= TIMESTAMPTZ '{lo}+00' AND {column} < TIMESTAMPTZ '{hi}+00'{only}) "
            f"WHERE _local_us >= {start_us} AND _local_us < {end_us}"
        )

    def count(self) -> int:
        import duckdb

        with duckdb.connect() as con:
            return int(con.execute(f"SELECT count(*) FROM ({self.sql})").fetchone()[0])

    def account_ids(self) -> frozenset[str]:
        import duckdb

        with duckdb.connect() as con:
            rows = con.execute(f"SELECT DISTINCT account_id FROM ({self.sql}) WHERE account_id IS NOT NULL").fetchall()
        return frozenset(r[0] for r in rows)

    def frame(self) -> pd.DataFrame:
        """The slice as pandas frames have it (for the Spark engine): read, sliced, derived here."""
        config_like = _HoursConfig(self.timezone, self.start_hour, self.end_hour, self.weekdays)
        frame = _in_period(pd.read_parquet(self.path), TABLES[self.table].period_column, self.start, self.end, self.timezone)
        if self.accounts is not None:
            frame = frame[frame["account_id"].isin(self.accounts)]
        _add_local_columns(self.table, frame, config_like)
        return frame


@dataclass(frozen=True)
class _Hours:
    start_hour: int
    end_hour: int
    weekdays: tuple[int, ...]


class _HoursConfig:
    def __init__(self, timezone, start_hour, end_hour, weekdays):
        self.timezone = timezone
        self.staffed_hours = _Hours(start_hour, end_hour, tuple(weekdays))


def _offset_case(epoch_ns: str, tz: str, lo: pd.Timestamp, hi: pd.Timestamp) -> str:
    """SQL for the UTC offset (microseconds) of `tz` at the instant `epoch_ns`, between lo and hi
    (UTC): the zone's changes in that span, found minute by minute with the same time zone data
    pandas uses, so local times match `to_local` exactly without a time zone library in SQL."""
    minutes = pd.date_range(lo, hi, freq="min", tz="UTC").as_unit("ns")
    offsets = (minutes.tz_convert(tz).tz_localize(None) - minutes.tz_localize(None)).as_unit("us").asi8
    changes = np.flatnonzero(np.diff(offsets)) + 1
    if not len(changes):
        return str(int(offsets[0]))
    whens = " ".join(f"WHEN {epoch_ns} < {minutes[i].value} THEN {int(offsets[i - 1])}" for i in changes)
    return f"CASE {whens} ELSE {int(offsets[-1])} END"


def parquet_slice(folder, name: str, config: ReviewConfig) -> ParquetSlice:
    from pathlib import Path

    hours = config.staffed_hours
    return ParquetSlice(str(Path(folder) / f"{name}.parquet"), name, pd.Timestamp(config.period_start),
                        pd.Timestamp(config.period_end), config.timezone, hours.start_hour, hours.end_hour,
                        tuple(hours.weekdays))


def read_period(folder, config: ReviewConfig, needs: dict[str, object] | None = None,
                supplied: frozenset[str] | None = None) -> PeriodData:
    """The config's period from a run's canonical Parquet tables (validated when written, so not
    checked again), reading only `needs` (table -> columns, None for all, or IN_PARQUET);
    every table when `needs` is None. Rows are filtered as they are read. `supplied`: the tables
    an input fed (PeriodData.supplied)."""
    return read_periods_from(folder, [config], needs, supplied)[0]


def read_periods_from(folder, configs: list[ReviewConfig], needs: dict[str, object] | None = None,
                      supplied: frozenset[str] | None = None) -> list[PeriodData]:
    """`read_period` for several periods at once: each table is read once, for all of them."""
    import pyarrow as pa
    import pyarrow.dataset as ds
    from pathlib import Path

    folder = Path(folder)
    needs = {name: None for name in TABLES} if needs is None else needs
    bounds = [(pd.Timestamp(c.period_start), pd.Timestamp(c.period_end)) for c in configs]
    tables: list[dict] = [{} for _ in configs]
    sources: list[dict] = [{} for _ in configs]
    for name, columns in needs.items():
        path = folder / f"{name}.parquet"
        period_column = TABLES[name].period_column
        if columns == IN_PARQUET:
            for i, config in enumerate(configs):
                sources[i][name] = parquet_slice(folder, name, config)
            continue
        if columns is not None and period_column is not None and period_column not in columns:
            columns = [*columns, period_column]
        if period_column is None:
            frame = pd.read_parquet(path, columns=columns)
            for i in range(len(configs)):
                tables[i][name] = frame
            continue
        # Two days either side in UTC hold every row of the local periods; the exact cut is local.
        dataset = ds.dataset(path, format="parquet")
        field = dataset.schema.field(period_column)
        lo = min(b[0] for b in bounds) - pd.Timedelta(days=2)
        hi = max(b[1] for b in bounds) + pd.Timedelta(days=2)
        if getattr(field.type, "tz", None):
            lo, hi = lo.tz_localize("UTC"), hi.tz_localize("UTC")
        # Read in batches, each cut to the periods as it comes: only the periods' rows are ever
        # held (posts' text is most of size L's memory), then handed to pandas without a copy.
        scanner = dataset.scanner(columns=columns, filter=(ds.field(period_column) >= lo) & (ds.field(period_column) < hi),
                                  batch_readahead=1, fragment_readahead=1)
        kept: list[list] = [[] for _ in configs]
        for batch in scanner.to_batches():
            when = batch.column(period_column).to_pandas()
            for i, (config, (start, end)) in enumerate(zip(configs, bounds)):
                local = to_local(when, config.timezone) if isinstance(when.dtype, pd.DatetimeTZDtype) else when
                inside = ((local >= start) & (local < end)).to_numpy(dtype=bool)
                if inside.all():  # most batches: the file is in time order
                    kept[i].append(batch)
                elif inside.any():
                    kept[i].append(batch.filter(inside))
        for i, config in enumerate(configs):
            tables[i][name] = pa.Table.from_batches(kept[i], schema=scanner.projected_schema).to_pandas()
            kept[i] = None
            if name == "posts" or (name == "contacts" and columns is None):
                _add_local_columns(name, tables[i][name], config)
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed memory otherwise
    return [PeriodData(config=c, start=b[0], end=b[1], tables=t, sources=s, folder=str(folder), supplied=supplied)
            for c, b, t, s in zip(configs, bounds, tables, sources)]


def last_post_at(p: PeriodData, account_ids: pd.Series) -> pd.Series:
    """Each account's last post in the period (local time), NaT for one that posted nothing;
    indexed as `account_ids`. (A lookup by reindex: Series.map with an empty lookup, a period
    without posts, casts the times to floats and fails.)"""
    last = p.posts.groupby("account_id")["published_local"].max()
    return pd.Series(pd.to_datetime(last.reindex(account_ids.astype(object)).to_numpy()), index=account_ids.index)


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
    # metric id -> why it has no value, in plain words (review.evidence.metrics.coverage); its value is None
    not_measured_reasons: dict[str, str] = dataclasses.field(default_factory=dict)
    # table id -> why the table is left out (its inputs are missing)
    tables_left_out: dict[str, str] = dataclasses.field(default_factory=dict)


def label_accounts(account_ids: pd.Series, accounts: pd.DataFrame) -> pd.Series:
    """How each account id is named in the report (`account_labels`); an id missing from the
    account register is shown as itself, marked so (it is counted, never dropped)."""
    labels = account_labels(accounts).set_axis(accounts["account_id"])
    labels = labels[~labels.index.duplicated()]
    return account_ids.map(labels).fillna(account_ids.astype(str) + " (not in the account register)")


def account_labels(accounts: pd.DataFrame, register: pd.DataFrame | None = None) -> pd.Series:
    """How each of `accounts` is named in the report: its name and platform, since a force's
    accounts often share one display name ("Northshire Police" on X, Facebook and Instagram).
    Where the `register` (the whole account register; `accounts` when not given) has two of one
    name on one platform (a national review's neighbourhood teams), the handle too, or where the
    handle repeats as well, the account id (the register's key). No two accounts share a label:
    a chart never draws two as one bar, nor a list names two alike. Pass the register with a
    subset of it, so that an account has the same label in every table, chart and sentence."""
    register = accounts if register is None else register
    name = register["name"].astype(str) + " (" + register["platform"].astype(str)
    labels = name + ")"
    twice = labels.duplicated(keep=False)
    labels = labels.where(~twice, name + ", " + register["handle"].astype(str) + ")")
    twice = labels.duplicated(keep=False)
    labels = labels.where(~twice, name + ", " + register["account_id"].astype(str) + ")")
    if register is accounts:
        return labels.rename("label")
    by_id = pd.Series(labels.to_numpy(), index=register["account_id"].to_numpy())
    by_id = by_id[~by_id.index.duplicated()]
    own = accounts["name"].astype(str) + " (" + accounts["platform"].astype(str) + ")"
    return accounts["account_id"].map(by_id).fillna(own).rename("label")
