"""The register across years: decisions kept, earlier statuses carried, nothing dropped."""

import datetime as dt

import pytest

from review.config import ReviewConfig
from review.context import Recommendation
from review.errors import ReviewError
from review.register import (
    Decision,
    carry_forward,
    decide,
    read_decisions,
    read_register_yaml,
    write_register,
)
from tables_fixture import typed

CONFIG = ReviewConfig(year=2025)
END = dt.date(2026, 1, 1)


def rec(rec_id, **kw):
    base = dict(rec_id=rec_id, clause="P3", title="T", text="Text with 623 minutes.", priority="high",
                owner="Head of Contact", for_decision=True, evidence={"m": 1.0}, due_date=dt.date(2026, 6, 30))
    return Recommendation(**{**base, **kw})


def earlier_table():
    return typed("recommendations", [
        {"rec_id": "R2024-01", "year_raised": 2024, "clause": "P3", "title": "Old one", "owner": "A",
         "priority": "high", "status": "open", "due_date": "2025-06-30", "status_note": None},
        {"rec_id": "R2024-02", "year_raised": 2024, "clause": "P5", "title": "Other", "owner": "B",
         "priority": "low", "status": "in_progress", "due_date": "2026-06-30", "status_note": None},
    ])


def test_decisions_file_is_validated_with_the_file_named(tmp_path):
    path = tmp_path / "decisions-2025.yml"
    path.write_text("R2025-P3-x:\n  decision: reject\n")
    with pytest.raises(ReviewError, match=r"decisions-2025\.yml: R2025-P3-x: .*needs a reason"):
        read_decisions(path)
    path.write_text("R2025-P3-x:\n  decison: accept\n")
    with pytest.raises(ReviewError, match=r"decison"):
        read_decisions(path)


def test_accept_reject_reword_and_status_updates():
    decisions = {
        "R2025-a": Decision(decision="accept", owner="Director", due_date=dt.date(2026, 3, 31), text="Reworded."),
        "R2025-b": Decision(decision="reject", reason="Already funded elsewhere."),
        "R2024-01": Decision(status="implemented", status_note="Done in May."),
    }
    so_far = carry_forward(earlier_table(), None, decisions)
    assert so_far.set_index("rec_id").loc["R2024-01", "status"] == "implemented"
    result = decide([rec("R2025-a"), rec("R2025-b"), rec("R2025-c")], so_far, CONFIG, decisions=decisions, period_end=END)
    assert [r.rec_id for r in result.for_board] == ["R2025-a", "R2025-c"]
    accepted = result.for_board[0]
    assert (accepted.owner, accepted.due_date, accepted.text) == ("Director", dt.date(2026, 3, 31), "Reworded.")
    register = result.register.set_index("rec_id")
    assert register.loc["R2025-b", "status"] == "rejected"
    assert register.loc["R2025-b", "status_note"] == "Rejected by the team: Already funded elsewhere."
    assert register.loc["R2025-c", "status_note"] == "Awaiting the team's decision."
    assert list(register.index) == ["R2024-01", "R2024-02", "R2025-a", "R2025-b", "R2025-c"]
    assert result.unmatched_decisions == []


def test_a_decision_that_matches_nothing_is_reported():
    decisions = {"R2025-gone": Decision(decision="accept")}
    result = decide([rec("R2025-a")], carry_forward(earlier_table(), None, decisions), CONFIG,
                    decisions=decisions, period_end=END)
    assert result.unmatched_decisions == ["R2025-gone"]


def test_overdue_is_flagged_at_the_period_end():
    result = decide([], carry_forward(earlier_table(), None, {}), CONFIG, decisions={}, period_end=END)
    overdue = result.register.set_index("rec_id")["is_overdue"]
    assert overdue.to_dict() == {"R2024-01": True, "R2024-02": False}


def test_register_round_trips_through_yaml(tmp_path):
    decisions = {"R2025-b": Decision(decision="reject", reason="No budget.")}
    result = decide([rec("R2025-a"), rec("R2025-b")], carry_forward(earlier_table(), None, {}), CONFIG,
                    decisions=decisions, period_end=END)
    path = tmp_path / "recommendations-2025.yml"
    write_register(path, result, CONFIG, {"R2025-a": {"m": 1.0}})
    back = read_register_yaml(path)
    assert back["rec_id"].tolist() == result.register["rec_id"].tolist()
    assert back.set_index("rec_id").loc["R2025-b", "status"] == "rejected"
    # next year: last year's file overlays the data's table
    later = carry_forward(earlier_table(), back, {"R2025-a": Decision(status="in_progress")})
    assert later.set_index("rec_id").loc["R2025-a", "status"] == "in_progress"
    assert len(later) == 4
