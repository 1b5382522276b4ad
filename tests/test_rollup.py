"""The DuckDB rollups agree with the same sums computed in plain Python."""

import pandas as pd

from review.rollup import run_rollup


def test_posts_by_account_month():
    posts = pd.DataFrame(
        {
            "account_id": ["a", "a", "b", "a"],
            "published_local": pd.to_datetime(["2025-01-03", "2025-01-30", "2025-01-05", "2025-02-01"]),
            "impressions": pd.array([10, 20, None, 5], dtype="Int64"),
            "reach": pd.array([1, 2, 3, 4], dtype="Int64"),
            "engagements": pd.array([1, None, 2, 1], dtype="Int64"),
        }
    )
    out = run_rollup("posts_by_account_month", posts=posts)
    jan_a = out[(out["account_id"] == "a") & (out["month"] == pd.Timestamp("2025-01-01"))].iloc[0]
    assert jan_a["posts_count"] == 2 and jan_a["impressions_count"] == 30
    assert jan_a["rated_impressions_count"] == 10 and jan_a["rated_engagements_count"] == 1
    assert len(out) == 3


def test_response_grouping_sets():
    contacts = pd.DataFrame(
        {
            "account_id": ["a", "a", "a", "b"],
            "is_staffed": [True, True, False, True],
            "needs_response": pd.array([True, True, True, True], dtype="boolean"),
            "response_minutes": [10.0, 30.0, 600.0, 50.0],
        }
    )
    out = run_rollup("response_by_account", {"target": 60}, contacts=contacts)
    grand = out[out["account_id"].isna() & out["is_staffed"].isna()].iloc[0]
    assert grand["contacts_count"] == 4 and grand["response_median_minutes"] == 40
    assert grand["answered_in_target_count"] == 3
    a_staffed = out[(out["account_id"] == "a") & (out["is_staffed"] == True)].iloc[0]  # noqa: E712
    assert a_staffed["response_median_minutes"] == 20
