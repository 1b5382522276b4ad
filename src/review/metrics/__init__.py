"""Metrics: the evidence for each policy clause, for the review year and the year before.

`compute_metrics` slices the canonical tables to the period and to the period before, runs each
clause module on both, and rates every registered metric against its target. Each clause module
(reach, incidents, availability, quality, conduct, register, equality) is plain functions from
frames to frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from review.config import ReviewConfig
from review.context import Headline, MetricTable
from review.metrics import availability, conduct, equality, incidents, quality, reach, register
from review.metrics.period import ClauseResult, PeriodData, slice_period
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


def compute_period(period: PeriodData) -> dict[str, ClauseResult]:
    results = {clause: module.compute(period) for clause, module in CLAUSE_MODULES.items()}
    for clause, result in results.items():
        unknown = set(result.values) - set(METRICS)
        if unknown:
            raise KeyError(f"{clause} computed unregistered metrics: {sorted(unknown)}")
    return results


def compute_metrics(tables: dict[str, pd.DataFrame], config: ReviewConfig) -> MetricsResult:
    current = slice_period(tables, config)
    prior_config = config.model_copy(update={"year": config.year - 1})
    prior = slice_period(tables, prior_config)
    now = compute_period(current)
    has_prior = prior.has_data
    before = compute_period(prior) if has_prior else {}
    values = {k: v for r in now.values() for k, v in r.values.items()}
    prior_values = {k: v for r in before.values() for k, v in r.values.items()}
    platforms = set(current.posts.merge(current.accounts[["account_id", "platform"]], on="account_id")["platform"])
    headlines = [
        _headline(metric, _clean(values.get(metric_id)), _clean(prior_values.get(metric_id)), config, platforms)
        for metric_id, metric in METRICS.items()
    ]
    series = {k: v for r in now.values() for k, v in r.series.items()}
    series.update({f"{k}_prior": v for r in before.values() for k, v in r.series.items()})
    return MetricsResult(
        headlines=headlines,
        tables=[t for r in now.values() for t in r.tables],
        series=series,
        current=current,
        has_prior=has_prior,
    )


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
