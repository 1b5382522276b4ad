"""The DuckDB rollups agree with the same sums computed in plain Python."""

import pandas as pd

from review.evidence.rollup import run_rollup


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
    staffed = out[out["account_id"].isna() & out["is_staffed"].eq(True)].iloc[0]
    assert staffed["contacts_count"] == 3 and staffed["response_median_minutes"] == 30  # 10, 30, 50
    a = out[out["account_id"].eq("a")]
    assert len(a) == 1 and a["is_staffed"].isna().all()  # each account's total, not split by hours
    assert a.iloc[0]["contacts_count"] == 3 and a.iloc[0]["response_median_minutes"] == 30  # 10, 30, 600
    # The desk as a whole alone (the like-for-like comparison): the same rows as the totals above.
    overall = run_rollup("response_overall", {"target": 60}, contacts=contacts)
    totals = out[out["account_id"].isna()].drop(columns="account_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(overall, totals)
    assert overall["is_staffed"].isna().tolist() == [True, False, False]  # the grand total first


def test_critical_incident_timeline():
    """Minutes from declaration to the first post, posts in the first 6 hours, all posts and
    their sums; a post before the declaration is not a response, an incident with no post has
    no row. Expected values worked out by hand below."""
    incidents = pd.DataFrame(
        {
            "critical_incident_id": ["ci1", "ci2"],
            "declared_at": pd.to_datetime(["2025-05-01T10:00:00Z", "2025-06-01T12:00:00Z"]),
        }
    )
    posts = pd.DataFrame(
        {
            "critical_incident_id": ["ci1", "ci1", "ci1", "ci1", None],
            "published_at": pd.to_datetime(
                ["2025-05-01T09:30:00Z", "2025-05-01T10:12:30Z", "2025-05-01T15:59:59Z", "2025-05-01T16:00:01Z",
                 "2025-05-01T10:01:00Z"]
            ),
            "impressions": pd.array([25, 100, None, 50, 7], dtype="Int64"),
            "reach": pd.array([1, 10, 20, None, 3], dtype="Int64"),
        }
    )
    out = run_rollup("critical_incident_timeline", {"first_hours": 6}, posts=posts, critical_incidents=incidents)
    assert out["critical_incident_id"].tolist() == ["ci1"]
    row = out.iloc[0]
    assert row["first_post_minutes"] == 12.5  # 10:00:00 -> 10:12:30
    assert row["posts_first_hours_count"] == 2  # 10:12:30 and 15:59:59; 16:00:01 is past 6 hours
    assert row["posts_count"] == 3
    assert row["impressions_count"] == 100 + 50
    assert row["reach_count"] == 10 + 20
