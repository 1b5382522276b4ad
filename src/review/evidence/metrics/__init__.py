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

from dataclasses import dataclass, replace

import pandas as pd

from review.config import ReviewConfig
from review.context import Headline, MetricTable
from review.evidence.metrics import availability, conduct, equality, incidents, quality, reach, register
from review.evidence.metrics.compare import Comparison, compared_table, scope
from review.evidence.metrics.coverage import missing_input, tables_with_rows
from review.evidence.metrics.period import ClauseResult, PeriodData, read_periods_from, slice_period
from review.evidence.metrics.registry import METRICS, SERIES_NEEDS, TABLE_NEEDS, rate

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
# these (review.evidence.metrics.period.read_period).
CLAUSE_TABLES: dict[str, dict] = {clause: module.TABLES_NEEDED for clause, module in CLAUSE_MODULES.items()}
# The recommendation rules and the assembled headlines (review.evidence.recommend, assemble_metrics).
RECOMMEND_TABLES = {"accounts": None, "posts": ["account_id", "published_at"], "training": None, "recommendations": None}


def tables_needed(clause: str, engine: str = "duckdb") -> dict:
    """What `clause` reads, for `read_period`. A table left in Parquet is read as a frame on
    the Spark engine (Spark reads frames; the Parquet slice is a DuckDB query)."""
    from review.evidence.metrics.period import IN_PARQUET

    return {t: (None if c == IN_PARQUET and engine != "duckdb" else c) for t, c in CLAUSE_TABLES[clause].items()}


@dataclass(repr=False)
class MetricsResult:
    """Every metric of a review year: what the report is built from (and `review.load(...).metrics`)."""

    headlines: list[Headline]  # every registered metric, rated, with the year before
    tables: list[MetricTable]  # the review year's metric tables, clause order
    series: dict[str, pd.DataFrame]  # chart data for the review year; "<id>_prior" for the year before
    current: PeriodData
    has_prior: bool

    def __repr__(self) -> str:
        return (f"<MetricsResult {self.current.config.period_label}: {len(self.headlines)} metrics, "
                f"{len(self.tables)} tables, {len(self.series)} chart series, year before: {'yes' if self.has_prior else 'no'}>")

    def value(self, metric_id: str) -> float | None:
        """The metric's value for the review year; None when not measured."""
        return next(h.value for h in self.headlines if h.metric_id == metric_id)

    def headline(self, metric_id: str) -> Headline:
        """The metric's headline: value, the year before, target, rating, definition."""
        return next(h for h in self.headlines if h.metric_id == metric_id)


@dataclass
class ClauseMetrics:
    """One clause, computed for the review year and the year before."""

    clause: str
    current: ClauseResult
    prior: ClauseResult | None  # None when the data hold nothing for the year before
    headlines: list[Headline]  # the clause's registered metrics, rated, registry order
    threshold: int = 5  # the small-count threshold (config.report.small_count_threshold)
    comparison: Comparison | None = None  # what each year-on-year change compares (review.evidence.metrics.compare)

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
        if table_id in self.current.tables_left_out:  # its inputs are missing: say so, as the report does
            return pd.DataFrame({"Not measured": [self.current.tables_left_out[table_id]]})
        self._find(table_id)
        return next(t for t in self.protected()[1] if t.table_id == table_id).display()

    def _find(self, table_id: str) -> MetricTable:
        found = {t.table_id: t for t in self.current.tables}
        if table_id in self.current.tables_left_out:
            raise KeyError(f"{self.clause}'s table {table_id!r} is not measured: {self.current.tables_left_out[table_id]}")
        if table_id not in found:
            raise KeyError(f"{self.clause} has no table {table_id!r}; it has: {', '.join(found)}")
        return found[table_id]

    @property
    def series(self) -> dict[str, pd.DataFrame]:
        """Chart data for the review year; "<id>_prior" for the year before."""
        prior = self.prior.series if self.prior else {}
        return {**self.current.series, **{f"{k}_prior": v for k, v in prior.items()}}


def slice_periods(tables: dict[str, pd.DataFrame], config: ReviewConfig,
                  supplied: frozenset[str] | None = None) -> tuple[PeriodData, PeriodData]:
    """The review period and the period before, from the same tables. `supplied`: the tables an
    input fed (review.evidence.metrics.coverage.supplied_tables); by default those with any row."""
    supplied = tables_with_rows(tables) if supplied is None else frozenset(supplied)
    prior_config = config.model_copy(update={"year": config.year - 1})
    return slice_period(tables, config, supplied), slice_period(tables, prior_config, supplied)


def read_periods(folder, config: ReviewConfig, needs: dict | None = None,
                 supplied: frozenset[str] | None = None) -> tuple[PeriodData, PeriodData]:
    """The review period and the period before, from a run's canonical Parquet tables, reading
    only `needs` (see review.evidence.metrics.period.read_period)."""
    prior_config = config.model_copy(update={"year": config.year - 1})
    current, prior = read_periods_from(folder, [config, prior_config], needs, supplied)
    return current, prior


def _checked(clause: str, result: ClauseResult) -> ClauseResult:
    unknown = set(result.values) - set(METRICS)
    if unknown:
        raise KeyError(f"{clause} computed unregistered metrics: {sorted(unknown)}")
    return result


def compute_period(period: PeriodData) -> dict[str, ClauseResult]:
    return {clause: _checked(clause, module.compute(period)) for clause, module in CLAUSE_MODULES.items()}


def measure(clause: str, period: PeriodData, values_only: bool = False) -> ClauseResult:
    """One clause computed for `period`, with its coverage applied: a metric whose inputs are
    missing (review.evidence.metrics.coverage), or that has nothing to measure, has no value and a
    reason; a table or chart series whose inputs are missing is left out. `values_only`: only the
    values are wanted (the like-for-like comparison); a clause module with VALUES_ONLY then
    leaves out its tables and series rather than computing them."""
    module = CLAUSE_MODULES[clause]
    if values_only and getattr(module, "VALUES_ONLY", False):
        result = _checked(clause, module.compute(period, values_only=True))
    else:
        result = _checked(clause, module.compute(period))
    reasons = {}
    for metric_id, metric in METRICS.items():
        if metric.clause != clause:
            continue
        reason = missing_input(metric.needs, period)
        if reason is None and _clean(result.values.get(metric_id)) is None:
            reason = metric.none_reason
        if reason:
            reasons[metric_id] = reason
    left_out = {t.table_id: why for t in result.tables if (why := missing_input(TABLE_NEEDS.get(t.table_id, ()), period))}
    return replace(
        result,
        values={k: (None if k in reasons else v) for k, v in result.values.items()},
        tables=[t for t in result.tables if t.table_id not in left_out],
        series={k: v for k, v in result.series.items() if missing_input(SERIES_NEEDS.get(k, ()), period) is None},
        not_measured_reasons=reasons,
        tables_left_out=left_out,
    )


def compute_clause(clause: str, current: PeriodData, prior: PeriodData, release: bool = False) -> ClauseMetrics:
    """One clause for both periods (the year before only when it has data), with its headlines.

    Year-on-year changes compare like with like (review.evidence.metrics.compare): when the two years'
    posts, messages or follower figures come from different accounts, both years are computed
    again over the accounts they share. `release`: let go of the year before's tables once it is
    measured (PeriodData.release), for a caller that reads the periods for this clause alone."""
    if clause not in CLAUSE_MODULES:
        raise KeyError(f"no clause {clause!r}; the clauses are {', '.join(CLAUSE_MODULES)}")
    now = measure(clause, current)
    before = measure(clause, prior) if prior.has_data else None
    comparison = _compare(clause, current, prior, now, before, release) if before else None
    if release:
        prior.release()
    return ClauseMetrics(
        clause=clause,
        current=now,
        prior=before,
        headlines=_headlines({clause: now}, {clause: before} if before else {}, current, clause,
                             {clause: comparison} if comparison else {}),
        threshold=current.config.report.small_count_threshold,
        comparison=comparison,
    )


def _all_shared(scopes: dict, restricted: dict, year: str) -> bool:
    """Whether every account with rows in `year` ("now" or "before") of each restricted table is
    one of the shared accounts, so that restricting that year to them removes nothing."""
    return all(getattr(scopes[table], year) <= shared for table, shared in restricted.items())


def _compare(clause: str, current: PeriodData, prior: PeriodData, now: ClauseResult, before: ClauseResult,
             release: bool = False) -> Comparison:
    """What each of the clause's year-on-year changes compares (see review.evidence.metrics.compare)."""
    metrics = [m for m in METRICS.values() if m.clause == clause]
    read = {compared_table(m) for m in metrics} - {None}
    scopes = {t: scope(t, current, prior) for t in read if current.is_supplied(t)}
    restricted = {t: s.shared for t, s in scopes.items() if s.note is not None}
    # Computed again over the shared accounts only when there are some (else: not comparable).
    if restricted and any(restricted.values()):
        # A year with no account beyond the shared ones is the same data restricted: not measured again.
        if _all_shared(scopes, restricted, "before"):
            before_c = before
        else:
            # With release, the year before's tables are let go as they are cut (the cut takes its
            # rows of what was derived from them).
            cut = prior.restricted(restricted, release=release)
            before_c = measure(clause, cut, values_only=True)
            del cut
        if release:  # the year before is measured: not held while the review year is cut and measured again
            prior.release()
        now_c = now if _all_shared(scopes, restricted, "now") else measure(clause, current.restricted(restricted),
                                                                            values_only=True)
    else:
        now_c, before_c = now, before
    out = Comparison()
    minimum = current.config.coverage.min_rows_for_change
    for metric_id, metric in METRICS.items():
        if metric.clause != clause:
            continue
        table = compared_table(metric)
        s = scopes.get(table) if table else None
        if s is None or s.note is None:
            out.values[metric_id], out.prior_values[metric_id] = now.values.get(metric_id), before.values.get(metric_id)
        else:
            out.values[metric_id], out.prior_values[metric_id] = now_c.values.get(metric_id), before_c.values.get(metric_id)
            out.notes[metric_id] = s.note
        if s is not None and s.note is not None and not s.shared:
            out.not_comparable[metric_id] = s.note
        elif s is not None and s.rows_before < minimum:
            out.not_comparable[metric_id] = (
                f"last year's figure rests on {s.rows_before:,} {NOUN_OF[s.table] if s.rows_before != 1 else ONE_OF[s.table]}, fewer than the "
                f"{minimum:,} a change needs"
            )
    return out


NOUN_OF = {"posts": "posts", "contacts": "messages", "audience": "follower figures"}
ONE_OF = {"posts": "post", "contacts": "message", "audience": "follower figure"}


def note_is_final(note: str | None) -> bool:
    """A 'not comparable' note stands without a figure for last year; any other note needs one."""
    return bool(note) and note.startswith("not comparable")


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
        headlines=_headlines(now, before, current, None, {c.clause: c.comparison for c in ordered if c.comparison}),
        tables=[t for r in now.values() for t in r.tables],
        series=series,
        current=current,
        has_prior=bool(before),
    )


def compute_metrics(tables: dict[str, pd.DataFrame], config: ReviewConfig,
                    supplied: frozenset[str] | None = None) -> MetricsResult:
    """Every metric for the review year and the year before. `supplied`: the tables an input fed
    (review.evidence.metrics.coverage); by default the tables with any row."""
    current, prior = slice_periods(tables, config, supplied)
    return assemble_metrics({c: compute_clause(c, current, prior) for c in CLAUSE_MODULES}, current)


def _headlines(now: dict[str, ClauseResult], before: dict[str, ClauseResult], current: PeriodData,
               clause: str | None = None, comparisons: dict[str, Comparison] | None = None) -> list[Headline]:
    values = {k: v for r in now.values() for k, v in r.values.items()}
    reasons = {k: v for r in now.values() for k, v in r.not_measured_reasons.items()}
    compared = Comparison()
    for c in (comparisons or {}).values():
        for part in ("values", "prior_values", "notes", "not_comparable"):
            getattr(compared, part).update(getattr(c, part))
    for r in before.values():  # a clause without a comparison record: the whole of both years
        for k, v in r.values.items():
            if k not in compared.prior_values:
                compared.values[k], compared.prior_values[k] = values.get(k), v
    # A metric's caveat applies when a platform it names has posts in the period.
    accounts = current.accounts
    platforms = set(accounts.loc[accounts["account_id"].isin(current.posts["account_id"].unique()), "platform"])
    return [
        _headline(metric, _clean(values.get(metric_id)), reasons.get(metric_id), compared, current.config, platforms)
        for metric_id, metric in METRICS.items()
        if clause is None or metric.clause == clause
    ]


def _clean(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _headline(metric, value, reason, compared: Comparison, config, platforms: set[str]) -> Headline:
    """One metric's headline. Not measured: no value, Not rated, no change. Otherwise the change
    compares like with like (`compared`), or says why it cannot."""
    metric_id = metric.metric_id
    prior = _clean(compared.prior_values.get(metric_id))
    now = _clean(compared.values.get(metric_id))
    note = compared.notes.get(metric_id)
    if metric_id in compared.not_comparable:
        prior, now, note = None, None, "not comparable: " + compared.not_comparable[metric_id]
    if value is None or (prior is None and not note_is_final(note)):
        prior, now, note = None, None, None
    change = None
    if now is not None and prior not in (None, 0):
        change = 100 * (now - prior) / abs(prior)
    return Headline(
        metric_id=metric_id,
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
        not_measured_reason=reason,
        compared_value=now if note and now is not None and not note_is_final(note) else None,
        comparison=note,
    )
