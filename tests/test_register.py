"""The register across years: decisions kept, earlier statuses carried, nothing dropped."""

import datetime as dt

import pytest

from review.config import ReviewConfig
from review.context import Recommendation
from review.errors import ReviewError
from review.evidence.register import (
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
    with pytest.raises(ReviewError, match=r"decisions-2025\.yml: R2025-P3-x \(line 1\): .*needs a reason"):
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


def test_a_decisions_file_changed_during_the_run_is_an_error(tmp_path):
    """The data-quality stage and the recommendations stage must apply the same decisions."""
    from review.evidence.register import RegisterInputs, read_decisions_used

    path = tmp_path / "decisions-2025.yml"
    path.write_text("R2025-a:\n  decision: accept\n")
    used = RegisterInputs(read_decisions(path), path, None).as_record()
    assert read_decisions_used(used) == {"R2025-a": Decision(decision="accept")}
    path.write_text("R2025-a:\n  decision: reject\n  reason: No.\n")
    with pytest.raises(ReviewError, match=r"decisions-2025\.yml: the decisions file changed during the run"):
        read_decisions_used(used)
    assert read_decisions_used(RegisterInputs({}, None, None).as_record()) == {}


def test_outcome_record_says_what_each_decision_did(tmp_path):
    from review.evidence.register import outcome_record

    decisions = {
        "R2024-01": Decision(status="implemented"),
        "R2025-a": Decision(decision="accept", owner="Director"),
        "R2025-b": Decision(decision="reject", reason="No budget."),
        "R2025-gone": Decision(decision="accept"),
    }
    result = decide([rec("R2025-a"), rec("R2025-b", title="Bee")], carry_forward(earlier_table(), None, decisions),
                    CONFIG, decisions=decisions, period_end=END)
    record = outcome_record(result, decisions, None, tmp_path / "recommendations-2025.yml")
    assert {d["rec_id"]: d["applied_to"] for d in record["decisions"]} == {
        "R2024-01": "earlier", "R2025-a": "new", "R2025-b": "new", "R2025-gone": "none"}
    assert record["rejected"] == [{"rec_id": "R2025-b", "clause": "P3", "title": "Bee", "reason": "No budget."}]
    assert record["unmatched_decisions"] == ["R2025-gone"]
    assert record["register_file"] == "recommendations-2025.yml"
    assert record["decisions_file"] is None


def test_written_register_flags_overdue_and_keeps_evidence(tmp_path):
    result = decide([rec("R2025-a")], carry_forward(earlier_table(), None, {}), CONFIG, decisions={}, period_end=END)
    path = tmp_path / "recommendations-2025.yml"
    write_register(path, result, CONFIG, {"R2025-a": {"m": 1.0}, "R2024-01": {"old": 2.0}})
    import yaml

    entries = {e["rec_id"]: e for e in yaml.safe_load(path.read_text())["recommendations"]}
    # R2024-01 is open and was due 2025-06-30, before the period end; R2024-02 is due in 2026.
    assert {k: e["is_overdue"] for k, e in entries.items()} == {"R2024-01": True, "R2024-02": False, "R2025-a": False}
    assert entries["R2024-01"]["evidence"] == {"old": 2.0} and "evidence" not in entries["R2024-02"]
