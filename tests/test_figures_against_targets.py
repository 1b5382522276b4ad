"""A figure rated short of its target never prints as the target itself, and a recommendation
prints its figure as the report does.

The rating is made on the true value; the report prints it rounded. A median reply of 60.07
minutes against a 60-minute target is Amber, and printed "1 hour" it read "1 hour against a
target of 1 hour (Amber)" (size L's paper). Such a figure is printed with the decimals that
tell it from its target, everywhere the report prints it. And the rules wrote their figures with
Python's rounding (halves to even: 79.25 -> "79.2%") where the report rounds halves up
("79.3%"), so a recommendation could quote a different number from the headline it rests on.
"""

from __future__ import annotations

import dataclasses
import random

import pytest

from review.config import ReviewConfig
from review.context import Headline
from review.evidence import recommend as rules
from review.evidence.metrics import compute_metrics
from review.evidence.metrics.registry import METRICS, rate
from review.values import fmt_value, round_half_up
from tables_fixture import account, post, tables

CONFIG = ReviewConfig(year=2025)
RATED = [m for m in METRICS.values() if m.target_value(CONFIG) is not None and m.higher_is_better is not None]


def headline(metric, value: float) -> Headline:
    return Headline(metric.metric_id, metric.clause, metric.title, metric.unit, value, None, None,
                    metric.target_value(CONFIG), rate(metric, value, CONFIG), metric.higher_is_better, "", "")


def near(target: float, rng: random.Random) -> list[float]:
    """Values either side of `target` by less than any rounding the report uses, and a few further."""
    steps = [1e-6, 1e-4, 0.004, 0.01, 0.04, 0.05, 0.049999, 0.3, 0.4999, 0.5, 0.51]
    values = [target + s for s in steps] + [target - s for s in steps] + [target]
    values += [target + rng.uniform(-2, 2) for _ in range(200)]
    return [v for v in values if v >= 0]


@pytest.mark.parametrize("metric", RATED, ids=lambda m: m.metric_id)
def test_a_figure_short_of_its_target_never_prints_as_the_target(metric):
    target = metric.target_value(CONFIG)
    target_text = fmt_value(target, metric.unit)
    values = near(target, random.Random(metric.metric_id))
    if metric.unit in ("count", "people"):  # whole numbers
        values = sorted({float(round(v)) for v in values})
    for value in values:
        h = headline(metric, value)
        if h.rag == "Green":
            # A figure that meets its target prints as it always has.
            assert h.figure.text() == fmt_value(value, metric.unit)
            continue
        assert h.figure.text() != target_text, (value, h.rag)
        assert h.figure.text(prose=True) != target_text
        # and on the side of the target the rating says, read back from what is printed
        shown = printed_number(h.figure.text())
        if shown is not None:
            assert (shown < target) if metric.higher_is_better else (shown > target), (value, h.figure.text())


def printed_number(text: str) -> float | None:
    """The number in "79.96%", "12.5", "60.1 minutes", "3 days"; None for "1 h 6 min"."""
    words = text.replace("%", "").replace(",", "").split()
    if len(words) > 2:
        return None
    try:
        return float(words[0])
    except ValueError:
        return None


def test_more_decimals_only_where_they_are_needed():
    first_response = METRICS["p3_first_response_median_minutes"]
    assert headline(first_response, 60.07).figure.text() == "60.1 minutes"  # Amber: 1 hour would be the target
    assert headline(first_response, 66.4).figure.text() == "1 h 6 min"
    assert headline(first_response, 59.9).figure.text() == "1 hour"  # Green
    answered = METRICS["p3_answered_within_target_pct"]
    assert headline(answered, 79.96).figure.text() == "79.96%"
    assert headline(answered, 79.9996).figure.text() == "79.9996%"  # as many as it takes, never "80.000%"
    assert headline(answered, 79.94).figure.text() == "79.9%"
    # the workbook and the register keep those decimals too
    assert headline(answered, 79.96).figure.sheet() == (pytest.approx(0.7996), "pct:2")
    assert headline(first_response, 60.07).figure.data() == 60.1


@pytest.fixture(scope="module")
def quiet():
    t = tables(accounts=[account("a1", name="Northshire Police")], posts=[post("p1", "a1", "2025-12-20T10:00:00Z")])
    return compute_metrics(t, CONFIG)


def with_value(m, metric_id, value):
    metric = METRICS[metric_id]
    headlines = [dataclasses.replace(h, value=value, rag=rate(metric, value, CONFIG)) if h.metric_id == metric_id else h
                 for h in m.headlines]
    return dataclasses.replace(m, headlines=headlines)


PERCENT_RULES = [
    (rules.answered_in_time, "p3_answered_within_target_pct"),
    (rules.plain_english, "p4_plain_english_pct"),
    (rules.audits_failing, "p4_audit_pass_pct"),
    (rules.alt_text, "p7_alt_text_pct"),
    (rules.captions, "p7_captions_pct"),
    (rules.training_expired, "p5_training_in_date_pct"),
]


@pytest.mark.parametrize(("rule", "metric_id"), PERCENT_RULES, ids=[r[1] for r in PERCENT_RULES])
@pytest.mark.parametrize("value", [79.25, 74.85, 60.45, 2.25])  # halves that Python rounds down
def test_a_rule_quotes_its_percentage_as_the_report_prints_it(quiet, rule, metric_id, value):
    m = with_value(quiet, metric_id, value)
    rec = rule(m)
    if rec is None:  # the value meets this rule's target
        return
    printed = m.headline(metric_id).figure.text()
    assert printed == f"{round_half_up(value, 1):.1f}%"
    assert printed in rec.text
    assert rec.evidence[metric_id] == round_half_up(value, 1)


@pytest.mark.parametrize(("rule", "metric_id", "value"), [
    (rules.out_of_hours_response, "p3_out_of_hours_median_minutes", 60.4),
    (rules.critical_incident_first_post, "p2_first_post_median_minutes", 60.2),
])
def test_a_rule_quotes_a_time_just_over_its_target_as_over_it(quiet, rule, metric_id, value):
    m = with_value(quiet, metric_id, value)
    rec = rule(m)
    assert rec is not None
    assert "60.4 minutes" in rec.text or "60.2 minutes" in rec.text
    assert "1 hour" not in rec.text


def test_the_national_paper_prints_a_force_short_of_its_target_the_same_way():
    from review.outputs.national import ComparedRow

    assert ComparedRow("Northshire", 60.07, 3, 60.0, "Amber", "minutes").figure.text() == "60.1 minutes"
    assert ComparedRow("Southshire", 59.97, 2, 60.0, "Green", "minutes").figure.text() == "1 hour"
    assert ComparedRow("Westshire", 79.96, 9, 80.0, "Amber", "pct").figure.text() == "79.96%"
