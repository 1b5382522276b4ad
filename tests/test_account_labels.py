"""Every account has a label of its own, the same wherever the paper names it: a national
register holds many neighbourhood teams of one name on one platform, and a chart that drew two
under one label summed them into one bar (two plain-English shares of 50% drew as 100%)."""

from __future__ import annotations

import pandas as pd

from review.config import ReviewConfig
from review.evidence.metrics import compute_metrics
from review.evidence.metrics.period import account_labels
from review.outputs.charts.clauses import draw_charts
from tables_fixture import account, post, tables


def register() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": ["a1", "a2", "a3", "a4", "a5", "a6"],
        "name": ["Northshire Police", "Northshire Police", "Ashby Team", "Ashby Team", "Ashby Team", "Foxley Team"],
        "platform": ["X", "Facebook", "X", "X", "X", "X"],
        "handle": ["@np", "fb.com/np", "@ashby", "@ashby", "@ashby2", "@foxley"],
    })


def test_a_label_adds_the_handle_then_the_id_only_where_the_name_repeats_on_a_platform():
    labels = account_labels(register()).tolist()
    assert labels == ["Northshire Police (X)", "Northshire Police (Facebook)", "Ashby Team (X, a3)", "Ashby Team (X, a4)",
                      "Ashby Team (X, @ashby2)", "Foxley Team (X)"]
    # A subset named against the register reads as in the register: the same account, the same words.
    subset = register().iloc[[4, 2]]
    assert account_labels(subset, register()).tolist() == ["Ashby Team (X, @ashby2)", "Ashby Team (X, a3)"]


def test_two_accounts_of_one_name_on_one_platform_are_two_bars():
    """P4's chart of the accounts with the lowest plain-English share, and P1's of impressions:
    each account its own bar with its own figure, never the two summed."""
    config = ReviewConfig(year=2025)
    accounts = [account("a1", name="Ashby Team", handle="@ashby"), account("a2", name="Ashby Team", handle="@ashby_npt")]
    plain = "We are out on patrol in the town today. Come and say hello to us."
    hard = "Notwithstanding aforementioned considerations, unprecedented organisational transformation necessitates comprehensive consultation."
    posts = [post(f"p{i}", "a1" if i < 10 else "a2", f"2025-03-{i + 1:02d}T10:00:00Z", text=plain if i % 2 else hard,
                  impressions=100 * (i + 1)) for i in range(20)]
    m = compute_metrics(tables(accounts=accounts, posts=posts), config)
    drawn = {c.chart_id: c for clause in ("P1", "P4") for c in draw_charts(clause, config, m.series, False)}
    for chart_id in ("p4-plain-english", "p1-reach-per-account"):
        data = drawn[chart_id].data.frame
        assert sorted(data["name"]) == ["Ashby Team (X, @ashby)", "Ashby Team (X, @ashby_npt)"], chart_id
        assert "2 accounts" in drawn[chart_id].alt, chart_id  # two bars, as the alt text says
    shares = drawn["p4-plain-english"].data.frame.set_index("name")["meets"]
    assert shares.max() <= 100 and shares.tolist() == [50.0, 50.0]
    impressions = drawn["p1-reach-per-account"].data.frame.set_index("name")["impressions_count"]
    assert impressions["Ashby Team (X, @ashby)"] == sum(100 * (i + 1) for i in range(10))


def test_a_bar_chart_of_shares_refuses_two_bars_of_one_label():
    """The guard behind the labels: counts under one label add up, nothing else does."""
    import pytest

    from review.outputs import charts

    frame = pd.DataFrame({"name": ["Ashby Team (X)", "Ashby Team (X)"], "value": [50.0, 50.0]})
    args = dict(category="name", value="value", chart_id="c", clause="P4", title="t", caption="c", source="s",
                value_label="v", palette=["#000000", "#111111"])
    for unit in ("pct", "minutes", "rate"):  # shares, median times, rates: none add up
        with pytest.raises(ValueError, match=f"two bars of {unit} figures"):
            charts.bar_chart(frame, unit=unit, **args)
    assert "100" in charts.bar_chart(frame, unit="count", **args).alt  # counts are summed, as documented
