"""Metrics: the evidence for each policy clause, for the review year and the year before.

`compute_metrics` slices the canonical tables to the period and to the period before, runs each
clause module on both, and rates every registered metric against its target. Each clause module
(reach, incidents, availability, quality, conduct, register, equality) is plain functions from
frames to frames.

A run computes the same thing one clause at a time, one notebook per clause:
`slice_periods` once, `compute_clause` per clause (its artifacts are written by that clause's
notebook), then `assemble_metrics` over every clause. `compute_metrics` is exactly those three
steps in one process, so the notebooks and `review.load` give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from review.config import ReviewConfig
from review.context import Headline, MetricTable
from review.metrics import availability, conduct, equality, incidents, quality, reach, register
from review.metrics.period import ClauseResult, PeriodData, read_periods_from, slice_period
from review.metrics.registry import METRICS, rate

CLAUSE_MODULES = {
    "P1": reach,
    "P2": incidents,
    "P3": availability,
    "P4": quality,
    "P5": conduct,
    "P6": register,
    "P7": equality,
}


# The tables (and columns) each clause reads, from its module's TABLES_NEEDED: a stage reads only
# these (review.metrics.period.read_period).
CLAUSE_TABLES: dict[str, dict] = {clause: module.TABLES_NEEDED for clause, module in CLAUSE_MODULES.items()}
# The recommendation rules and the assembled headlines (review.recommend, assemble_metrics).
RECOMMEND_TABLES = {"accounts": None, "posts": ["account_id", "published_at"], "training": None, "recommendations": None}


def tables_needed(clause: str, engine: str = "duckdb") -> dict:
    """What `clause` reads, for `read_period`. A table left in Parquet is read as a frame on
    the Spark engine (Spark reads frames; the Parquet slice is a DuckDB query)."""
    from review.metrics.period import IN_PARQUET

    return {t: (None if c == IN_PARQUET and engine != "duckdb" else c) for t, c in CLAUSE_TABLES[clause].items()}


@dataclass
class MetricsResult:
    headlines: list[Headline]  # every registered metric, rated, with the year before
    tables: list[MetricTable]  # the review year's metric tables, clause order
    series: dict[str, pd.DataFrame]  # chart data for the review year; "<id>_prior" for the year before
    current: PeriodData
    has_prior: bool

    def value(self, metric_id: str) -> float | None:
        return next(h.value for h in self.headlines if h.metric_id == metric_id)

    def headline(self, metric_id: str) -> Headline:
        return next(h for h in self.headlines if h.metric_id == metric_id)


@dataclass
class ClauseMetrics:
    """One clause, computed for the review year and the year before."""

    clause: str
    current: ClauseResult
    prior: ClauseResult | None  # None when the data hold nothing for the year before
    headlines: list[Headline]  # the clause's registered metrics, rated, registry order
    threshold: int = 5  # the small-count threshold (config.report.small_count_threshold)

    def protected(self) -> tuple[list[Headline], list[MetricTable]]:
        """The clause's headlines and tables with small counts decided (review.disclosure), as
        the report decides them: an executed notebook prints what the paper prints."""
        from review.disclosure import protect

        return protect(self.headlines, self.current.tables, self.threshold)

    def frame(self, table_id: str) -> pd.DataFrame:
        """One of the clause's metric tables for the review year: the typed frame, true numbers."""
        return self._find(table_id).frame

    def table(self, table_id: str) -> pd.DataFrame:
        """One of the clause's metric tables for the review year, as the report shows it: labelled
        columns, cells as printed ("<5" for a suppressed count)."""
        self._find(table_id)
        return next(t for t in self.protected()[1] if t.table_id == table_id).display()

    def _find(self, table_id: str) -> MetricTable:
        found = {t.table_id: t for t in self.current.tables}
        if table_id not in found:
            raise KeyError(f"{self.clause} has no table {table_id!r}; it has: {', '.join(found)}")
        return found[table_id]

    @property
    def series(self) -> dict[str, pd.DataFrame]:
        """Chart data for the review year; "<id>_prior" for the year before."""
        prior = self.prior.series if self.prior else {}
        return {**self.current.series, **{f"{k}_prior": v for k, v in prior.items()}}


def slice_periods(tables: dict[str, pd.DataFrame], config: ReviewConfig) -> tuple[PeriodData, PeriodData]:
    """The review period and the period before, from the same tables."""
    prior_config = config.model_copy(update={"year": config.year - 1})
    return slice_period(tables, config), slice_period(tables, prior_config)


def read_periods(folder, config: ReviewConfig, needs: dict | None = None) -> tuple[PeriodData, PeriodData]:
    """The review period and the period before, from a run's canonical Parquet tables, reading
    only `needs` (see review.metrics.period.read_period)."""
    prior_config = config.model_copy(update={"year": config.year - 1})
    current, prior = read_periods_from(folder, [config, prior_config], needs)
    return current, prior


def _checked(clause: str, result: ClauseResult) -> ClauseResult:
    unknown = set(result.values) - set(METRICS)
    if unknown:
        raise KeyError(f"{clause} computed unregistered metrics: {sorted(unknown)}")
    return result


def compute_period(period: PeriodData) -> dict[str, ClauseResult]:
    return {clause: _checked(clause, module.compute(period)) for clause, module in CLAUSE_MODULES.items()}


def compute_clause(clause: str, current: PeriodData, prior: PeriodData) -> ClauseMetrics:
    """One clause for both periods (the year before only when it has data), with its headlines."""
    if clause not in CLAUSE_MODULES:
        raise KeyError(f"no clause {clause!r}; the clauses are {', '.join(CLAUSE_MODULES)}")
    module = CLAUSE_MODULES[clause]
    now = _checked(clause, module.compute(current))
    before = _checked(clause, module.compute(prior)) if prior.has_data else None
    return ClauseMetrics(
        clause=clause,
        current=now,
        prior=before,
        headlines=_headlines({clause: now}, {clause: before} if before else {}, current, clause),
        threshold=current.config.report.small_count_threshold,
    )


def assemble_metrics(clauses: dict[str, ClauseMetrics], current: PeriodData) -> MetricsResult:
    """Every clause's results as one MetricsResult: headlines in registry order, tables in
    clause order. Each clause must be present; `has_prior` holds when any clause had a year before."""
    missing = [c for c in CLAUSE_MODULES if c not in clauses]
    if missing:
        raise KeyError(f"clauses not computed: {', '.join(missing)}")
    ordered = [clauses[c] for c in CLAUSE_MODULES]
    now = {c.clause: c.current for c in ordered}
    before = {c.clause: c.prior for c in ordered if c.prior is not None}
    series = {k: v for r in now.values() for k, v in r.series.items()}
    series.update({f"{k}_prior": v for r in before.values() for k, v in r.series.items()})
    return MetricsResult(
        headlines=_headlines(now, before, current),
        tables=[t for r in now.values() for t in r.tables],
        series=series,
        current=current,
        has_prior=bool(before),
    )


def compute_metrics(tables: dict[str, pd.DataFrame], config: ReviewConfig) -> MetricsResult:
    current, prior = slice_periods(tables, config)
    return assemble_metrics({c: compute_clause(c, current, prior) for c in CLAUSE_MODULES}, current)


def _headlines(now: dict[str, ClauseResult], before: dict[str, ClauseResult], current: PeriodData,
               clause: str | None = None) -> list[Headline]:
    values = {k: v for r in now.values() for k, v in r.values.items()}
    prior_values = {k: v for r in before.values() for k, v in r.values.items()}
    # A metric's caveat applies when a platform it names has posts in the period.
    accounts = current.accounts
    platforms = set(accounts.loc[accounts["account_id"].isin(current.posts["account_id"].unique()), "platform"])
    return [
        _headline(metric, _clean(values.get(metric_id)), _clean(prior_values.get(metric_id)), current.config, platforms)
        for metric_id, metric in METRICS.items()
        if clause is None or metric.clause == clause
    ]


def _clean(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _headline(metric, value, prior, config, platforms: set[str]) -> Headline:
    change = None
    if value is not None and prior not in (None, 0):
        change = 100 * (value - prior) / abs(prior)
    return Headline(
        metric_id=metric.metric_id,
        clause=metric.clause,
        title=metric.title,
        unit=metric.unit,
        value=value,
        prior_value=prior,
        change_pct=change,
        target=metric.target_value(config),
        rag=rate(metric, value, config),
        higher_is_better=metric.higher_is_better,
        definition=metric.definition,
        formula=metric.formula,
        caveat=metric.caveat if platforms & set(metric.caveat_platforms) else None,
    )
