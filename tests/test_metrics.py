"""Metrics on hand-made tables: each expected value is worked out by hand in the test."""

import pandas as pd
import pytest

from review.config import ReviewConfig
from review.evidence.metrics import compute_metrics
from review.evidence.metrics.registry import METRICS, rate
from tables_fixture import account, contact, post, tables

CONFIG = ReviewConfig(year=2025)
# Hand-made years are small: let one row last year make a change (the default asks for 30).
SMALL = ReviewConfig(year=2025, coverage={"min_rows_for_change": 1})


def value(result, metric_id):
    return result.headline(metric_id).value


def test_reach_counts_only_the_period_in_uk_time():
    t = tables(
        accounts=[account("a1")],
        posts=[
            post("p1", "a1", "2025-03-01T10:00:00Z", impressions=1000, engagements=30),
            post("p2", "a1", "2025-12-31T23:30:00Z", impressions=500, engagements=20),  # 31 Dec, GMT
            post("p3", "a1", "2024-12-31T23:30:00Z", impressions=400, engagements=4),  # last year
            post("p4", "a1", "2025-06-30T23:30:00Z", impressions=None, engagements=7),  # 1 July BST, no impressions
        ],
    )
    m = compute_metrics(t, SMALL)
    assert value(m, "p1_posts") == 3
    assert value(m, "p1_impressions") == 1500
    assert value(m, "p1_engagements") == 57
    # rate over posts reporting both: (30 + 20) / (1000 + 500)
    assert value(m, "p1_engagement_rate_pct") == pytest.approx(100 * 50 / 1500)
    h = m.headline("p1_impressions")
    assert h.prior_value == 400 and h.change_pct == pytest.approx(275.0)


def test_response_times_and_staffed_hours():
    # Staffed 08:00-20:00 UK time. January is GMT, so UTC = local.
    t = tables(
        accounts=[account("a1")],
        contacts=[
            contact("c1", "2025-01-06T09:00:00Z", 10),  # staffed
            contact("c2", "2025-01-06T10:00:00Z", 30),  # staffed
            contact("c3", "2025-01-06T22:00:00Z", 600),  # out of hours
            contact("c4", "2025-01-07T02:00:00Z", 400),  # out of hours
            contact("c5", "2025-01-07T03:00:00Z", None),  # never answered
            contact("c6", "2025-01-07T12:00:00Z", None, needs_response=False),
        ],
        posts=[post("p1", "a1", "2025-01-01T10:00:00Z")],
    )
    m = compute_metrics(t, CONFIG)
    assert value(m, "p3_contacts") == 6
    assert value(m, "p3_first_response_median_minutes") == pytest.approx((30 + 400) / 2)
    assert value(m, "p3_out_of_hours_median_minutes") == pytest.approx(500)
    # answered within 60 minutes: c1, c2 of the 5 that needed a reply
    assert value(m, "p3_answered_within_target_pct") == pytest.approx(40)
    assert value(m, "p3_unanswered") == 1


def test_alt_text_and_captions():
    t = tables(
        accounts=[account("a1")],
        posts=[
            post("p1", "a1", "2025-02-01T10:00:00Z", media_type="image", has_alt_text=True),
            post("p2", "a1", "2025-02-01T11:00:00Z", media_type="image", has_alt_text=False),
            post("p3", "a1", "2025-02-01T12:00:00Z", media_type="image", has_alt_text=True),
            post("p4", "a1", "2025-02-01T13:00:00Z", media_type="video", has_captions=False),
        ],
    )
    m = compute_metrics(t, CONFIG)
    assert value(m, "p7_alt_text_pct") == pytest.approx(200 / 3)
    assert value(m, "p7_captions_pct") == 0
    assert m.headline("p7_alt_text_pct").rag == "Red"


def test_governance_dormant_and_mfa():
    t = tables(
        accounts=[
            account("a1"),
            account("a2", has_mfa=False),
            account("a3", closed_date="2025-05-01"),  # closed: not counted
            account("a4", last_reviewed_date=None),
        ],
        posts=[post("p1", "a1", "2025-12-01T10:00:00Z"), post("p2", "a2", "2025-09-01T10:00:00Z")],
    )
    m = compute_metrics(t, CONFIG)
    assert value(m, "p1_accounts_open") == 3
    assert value(m, "p5_mfa_pct") == pytest.approx(200 / 3)
    # dormant: no post in the last 90 days of 2025 (a2's last was 1 Sep; a4 never posted)
    assert value(m, "p5_dormant_accounts") == 2
    assert value(m, "p5_review_overdue_accounts") == 1


@pytest.mark.parametrize(
    ("metric_id", "value", "expected"),
    [
        ("p7_alt_text_pct", 95.0, "Green"),  # target 95, higher is better
        ("p7_alt_text_pct", 85.5, "Amber"),  # 95 × 0.9 = 85.5 is the amber floor
        ("p7_alt_text_pct", 85.4, "Red"),
        ("p3_first_response_median_minutes", 60.0, "Green"),  # target 60, lower is better
        ("p3_first_response_median_minutes", 66.0, "Amber"),  # 60 × 1.1
        ("p3_first_response_median_minutes", 66.1, "Red"),
        ("p1_impressions", 1e9, "Not rated"),  # no target
        ("p7_alt_text_pct", None, "Not rated"),
    ],
)
def test_rag_boundaries(metric_id, value, expected):
    assert rate(METRICS[metric_id], value, CONFIG) == expected


def test_no_prior_year_gives_no_change():
    t = tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-02-01T10:00:00Z")])
    m = compute_metrics(t, CONFIG)
    assert not m.has_prior
    assert all(h.change_pct is None for h in m.headlines)


def test_every_metric_is_computed():
    t = tables(accounts=[account("a1")], posts=[post("p1", "a1", "2025-02-01T10:00:00Z")])
    m = compute_metrics(t, CONFIG)
    assert {h.metric_id for h in m.headlines} == set(METRICS)


def test_a_restricted_period_measures_what_its_rows_measure():
    """P4's scores and P1's themes are computed once per period (PeriodData.per_row); the period
    cut to some accounts (the like-for-like comparison) takes its rows of them. What it measures
    equals the same rows measured from scratch."""
    from review.evidence.metrics import measure
    from review.evidence.metrics.period import slice_period

    texts = ["Officers attended the scene. The road is closed.", "We utilise #RoadSafety checks in relation to speed.",
             "Sam has been found. Thank you for sharing.", "", None]
    t = tables(
        accounts=[account("a1"), account("a2"), account("a3")],
        posts=[post(f"p{i}", f"a{1 + i % 3}", f"2025-0{1 + i % 9}-0{1 + i % 7}T10:00:00Z", text=texts[i % len(texts)],
                    impressions=100 + i) for i in range(40)],
    )
    parent = slice_period(t, SMALL)
    for clause in ("P4", "P1"):
        measure(clause, parent)  # fills the parent's per-row results
        keep = {"posts": frozenset({"a1", "a3"})}
        cut = parent.restricted(keep)
        fresh = slice_period({**t, "posts": t["posts"][t["posts"]["account_id"].isin(keep["posts"])]}, SMALL)
        got, expected = measure(clause, cut), measure(clause, fresh)
        assert got.values == expected.values and got.values[f"{clause.lower()}_" + ("plain_english_pct" if clause == "P4" else "posts")] is not None
        for a, b in zip(got.tables, expected.tables):
            pd.testing.assert_frame_equal(a.frame.reset_index(drop=True), b.frame.reset_index(drop=True))


@pytest.mark.parametrize("clause", ["P1", "P2", "P3", "P4", "P5", "P6", "P7"])
def test_a_clause_stage_letting_go_of_each_year_measures_the_same(clause):
    """A clause stage lets go of the year before once it is measured, and of its tables as they
    are cut to the shared accounts (compute_clause(release=True), PeriodData.release): the same
    results as holding everything, here where both years have an account the other lacks, so
    both are cut and measured again."""
    from review.evidence.metrics import compute_clause, slice_periods

    texts = ["Officers attended the scene. The road is closed.", "We utilise #RoadSafety checks in relation to speed.", None]
    posts = [post(f"p{i}", f"a{1 + i % 2}", f"2025-0{1 + i % 9}-1{i % 9}T10:00:00Z", text=texts[i % 3], impressions=100 + i)
             for i in range(30)]
    posts += [post(f"q{i}", f"a{2 + i % 2}", f"2024-0{1 + i % 9}-1{i % 9}T10:00:00Z", text=texts[i % 3], impressions=90 + i)
              for i in range(30)]
    contacts = [contact(f"c{i}", f"2025-02-0{1 + i % 9}T10:00:00Z", 30 + i, account_id=f"a{1 + i % 2}") for i in range(20)]
    contacts += [contact(f"d{i}", f"2024-02-0{1 + i % 9}T10:00:00Z", 40 + i, account_id=f"a{2 + i % 2}") for i in range(20)]
    t = tables(accounts=[account("a1"), account("a2"), account("a3")], posts=posts, contacts=contacts)
    held = compute_clause(clause, *slice_periods(t, SMALL))
    current, prior = slice_periods(t, SMALL)
    released = compute_clause(clause, current, prior, release=True)
    assert released.headlines == held.headlines
    assert released.comparison == held.comparison
    assert (released.current.values, released.prior.values) == (held.current.values, held.prior.values)
    if clause in ("P1", "P4"):
        assert released.comparison.notes, "both years were cut to the shared account"
    with pytest.raises(KeyError, match="released once its clause was measured"):
        prior.posts
    assert prior.rows("posts") == 30


@pytest.mark.parametrize("dtype", ["object", "str", "string[python]", "string[pyarrow]", "category"])
def test_group_quantiles_equal_series_quantile_to_the_last_bit(dtype):
    """P4's percentiles by account (quality.group_quantiles) are what Series.quantile gives for
    each account's values, bit for bit: groups of one, two and many values, ties, a key with no
    value (left out, as a groupby leaves it), keys out of order, and values that a groupby's own
    quantile rounds differently in the last bit."""
    import numpy as np

    from review.evidence.metrics.quality import group_quantiles

    rng = np.random.default_rng(7)
    keys = [f"acct-{k}" for k in rng.integers(0, 400, 20_000)] + ["solo", "pair", "pair", "ties", "ties", "ties", None]
    values = np.concatenate([rng.normal(60, 25, 20_000), [12.5, 3.0, 97.25, 50.0, 50.0, 50.0, 1.0]])
    keys_s, values_s = pd.Series(keys, dtype=dtype, name="account_id"), pd.Series(values)
    got = group_quantiles(values_s, keys_s, {"p10": 0.1, "p90": 0.9})
    grouped = values_s.groupby(keys_s, observed=True)
    for name, q in (("p10", 0.1), ("p90", 0.9)):
        expected = grouped.agg(lambda s: s.quantile(q))
        assert list(got.index) == list(expected.index) and "solo" in got.index
        assert np.array_equal(got[name].to_numpy(), expected.to_numpy()), name  # exact, not approx
    # the check can fail: a groupby's own quantile differs in the last bit for some accounts
    assert not np.array_equal(got["p10"].to_numpy(), grouped.quantile(0.1).to_numpy())
