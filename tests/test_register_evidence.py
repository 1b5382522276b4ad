"""The register against this year's evidence, and a recommendation that repeats an open one.

A planted register (entries written here, not made by the code under test) meets this year's
recommendations: a status of implemented that the evidence contradicts, and an overdue entry
whose note says "on track", are flagged; a rule that fires again while its earlier entry is
open is reported as that entry, which the new one supersedes, so that the register keeps one
live entry per rule over two and three years. The team's options and costs print in the paper;
without them it says the cost is not yet known.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import html5lib
import pandas as pd
import pytest
import yaml

from context_fixture import make_context
from review.outputs import render
from review.config import ReviewConfig
from review.context import BoardOption, MetricDefinition, Recommendation
from review.evidence.metrics.registry import METRICS
from review.errors import ReviewError
from review.outputs.narrative import finance, register_entries
from review.evidence.register import (
    IMPLEMENTED_NOT_SHOWN,
    OVERDUE_ON_TRACK,
    Decision,
    carry_forward,
    decide,
    read_register_yaml,
    write_register,
)
from tables_fixture import typed

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NS = "{http://www.w3.org/1999/xhtml}"
LIVE = {"open", "in_progress"}


def config(year: int) -> ReviewConfig:
    return ReviewConfig(year=year, report={"report_date": dt.date(year + 1, 1, 28), "meeting_date": dt.date(year + 1, 2, 10)})


def rec(rule: str, year: int = 2025, **kw) -> Recommendation:
    """A recommendation as review.evidence.recommend makes it: id R<year>-<rule key>."""
    base = dict(rec_id=f"R{year}-{rule}", clause=rule[:2], title=f"Rule {rule} in {year}", text="Text.",
                priority="medium", owner="Rule owner", evidence={"p5_mfa_pct": 83.3}, rule=rule,
                due_date=dt.date(year + 1, 6, 30))
    return Recommendation(**{**base, **kw})


def entry(rec_id, status, due="2025-03-31", note=None, rule=None, year=2024, priority="high", clause="P5", title=None):
    return {"rec_id": rec_id, "year_raised": year, "clause": clause, "title": title or f"Team's {rec_id}", "owner": "Team owner",
            "priority": priority, "status": status, "due_date": due, "status_note": note, "rule": rule}


def run(year, register, recs, decisions=None):
    decisions = decisions or {}
    return decide(recs, carry_forward(register, None, decisions), config(year), decisions=decisions,
                  period_end=dt.date(year + 1, 1, 1))


def checks(result) -> dict[str, str | None]:
    return dict(zip(result.earlier["rec_id"], result.earlier["check"]))


# --- register against evidence ----------------------------------------------------------------------


def test_implemented_but_the_rule_fires_again_is_flagged():
    planted = typed("recommendations", [
        entry("R2024-01", "implemented", note="Done and checked in the quarterly audit.", rule="P5-mfa"),
        # no rule column: the id a rule gives links it
        entry("R2024-P3-out-of-hours-response", "implemented", note="Desk open to 22:00."),
        entry("R2024-03", "implemented", rule="P7-captions"),  # its rule is quiet this year
    ])
    result = run(2025, planted, [rec("P5-mfa"), rec("P3-out-of-hours-response")])
    assert checks(result) == {"R2024-01": IMPLEMENTED_NOT_SHOWN, "R2024-P3-out-of-hours-response": IMPLEMENTED_NOT_SHOWN,
                              "R2024-03": None}
    board = {r.rec_id: r for r in result.for_board}
    assert board["R2025-P5-mfa"].history == ("The register marks R2024-01 (raised in 2024) implemented; this year's "
                                             "evidence does not show it yet.")
    # The team's status stands in the register; the new recommendation links to it.
    register = result.register.set_index("rec_id")
    assert register.loc["R2024-01", "status"] == "implemented"
    assert register.loc["R2025-P5-mfa", "supersedes"] == "R2024-01"


def test_overdue_with_a_note_saying_on_track_is_flagged():
    planted = typed("recommendations", [
        entry("R2024-01", "in_progress", due="2025-06-30", note="About half done. On track to finish by the due date."),
        entry("R2024-02", "in_progress", due="2026-06-30", note="On track."),  # not overdue: agrees
        entry("R2024-03", "open", due="2025-06-30", note="Late: the supplier is behind."),  # overdue, and says so
        entry("R2024-04", "implemented", due="2025-06-30", note="Finished on schedule."),  # done, not overdue
    ])
    assert checks(run(2025, planted, [])) == {"R2024-01": OVERDUE_ON_TRACK, "R2024-02": None, "R2024-03": None,
                                              "R2024-04": None}


def test_desk_cover_marked_implemented_beyond_the_staffed_hours_is_flagged():
    # the config's desk closes at 20:00 (the default); no rule fires this year
    planted = typed("recommendations", [
        entry("R2024-01", "implemented", clause="P3", title="Extend digital desk cover to 22:00 on Fridays and Saturdays"),
        entry("R2024-02", "implemented", clause="P3", title="Keep the desk open to 20:00 every day"),
        entry("R2024-03", "in_progress", due="2026-06-30", clause="P3", title="Extend desk cover to 23:00"),
    ])
    assert checks(run(2025, planted, [])) == {
        "R2024-01": "Marked implemented; the evidence does not show it yet. The desk is staffed from 08:00 to 20:00 "
                    "in this review.",
        "R2024-02": None, "R2024-03": None}
    late = ReviewConfig(year=2025, staffed_hours={"start_hour": 8, "end_hour": 22})
    result = decide([], carry_forward(planted, None, {}), late, decisions={}, period_end=dt.date(2026, 1, 1))
    assert checks(result)["R2024-01"] is None


def test_the_paper_says_where_register_and_evidence_disagree():
    planted = typed("recommendations", [
        entry("R2024-01", "implemented", note="Done.", rule="P5-mfa"),
        entry("R2024-02", "open", due="2025-06-30", note="On track.", rule="P7-captions"),
    ])
    result = run(2025, planted, [rec("P5-mfa", priority="high")])
    ctx = make_context(register=register_entries(result.earlier), recommendations=result.for_board,
                       definitions=[MetricDefinition(x.metric_id, x.clause, x.title, x.definition, x.formula, x.unit)
                                    for x in METRICS.values()])
    document = html5lib.parse(render.render_html(ctx, TEMPLATES), treebuilder="etree", namespaceHTMLElements=True)
    rows = {r.find(f".//{NS}span[@class='ref']").text: r
            for r in document.iterfind(f".//{NS}table[@class='data register-table']/{NS}tbody/{NS}tr")}
    first, second = (" ".join("".join(rows[k].itertext()).split()) for k in ("R2024-01", "R2024-02"))
    assert "Marked implemented; the evidence does not show it yet." in first and "Check" in first
    assert "Raised again this year as Recommendation 1, on this year's evidence: Accounts with MFA 83.3%." in first
    assert "Marked overdue, though its note says it is on track." in second and "Overdue Check" in second
    intro = " ".join("".join(document.find(f".//{NS}section[@id='register']/{NS}p").itertext()).split())
    assert "For 2, the register and this year's evidence disagree" in intro
    # The body names each of them with its flag; the full table is in Appendix F.
    flags = [" ".join("".join(li.itertext()).split())
             for li in document.iterfind(f".//{NS}section[@id='register']/{NS}ul[@class='register-flags']/{NS}li")]
    assert len(flags) == 2, flags
    # The flags lead each line, so a badge never wraps onto a line of its own.
    assert flags[0].startswith("Overdue Check Team's R2024-02: open, due 30 June 2025. Marked overdue")
    assert flags[1].startswith("Check Team's R2024-01: implemented, due 31 March 2025.") and "Marked implemented; the evidence" in flags[1]
    assert document.find(f".//{NS}section[@id='appendix-f']//{NS}table[@class='data register-table']") is not None


# --- a new recommendation that repeats an open one ---------------------------------------------------


def test_a_repeat_of_an_open_recommendation_is_reported_as_that_one():
    planted = typed("recommendations", [entry("R2024-06", "open", note="Waiting for budget approval.", rule="P5-mfa")])
    result = run(2025, planted, [rec("P5-mfa", priority="medium", owner="Information Security Officer")])
    (mfa,) = result.for_board
    # the open one's title, owner and (higher) priority; this year's evidence, text and id
    assert (mfa.title, mfa.owner, mfa.priority) == ("Team's R2024-06", "Team owner", "high")
    assert (mfa.rec_id, mfa.evidence, mfa.supersedes, mfa.first_raised) == ("R2025-P5-mfa", {"p5_mfa_pct": 83.3}, "R2024-06", 2024)
    assert mfa.history == "First raised in 2024 as R2024-06, due 31 March 2025, and still open."
    # high priority makes it the Board's to decide
    assert mfa.for_decision
    # the paper's register shows it as it stood at the period end: open, overdue, raised again
    earlier = result.earlier.set_index("rec_id")
    assert (earlier.loc["R2024-06", "status"], earlier.loc["R2024-06", "raised_again_as"]) == ("open", "R2025-P5-mfa")
    assert earlier.loc["R2024-06", "is_overdue"]
    # the register for next year: the old one superseded, one live entry for the rule
    register = result.register.set_index("rec_id")
    assert register.loc["R2024-06", "status"] == "superseded"
    assert "raised again in the 2025 review as R2025-P5-mfa" in register.loc["R2024-06", "status_note"]


def test_a_rejected_repeat_leaves_the_open_one_open():
    planted = typed("recommendations", [entry("R2024-06", "open", rule="P5-mfa")])
    decisions = {"R2025-P5-mfa": Decision(decision="reject", reason="The 2024 one covers it.")}
    result = run(2025, planted, [rec("P5-mfa")], decisions)
    register = result.register.set_index("rec_id")
    assert register.loc["R2024-06", "status"] == "open"
    assert register.loc["R2025-P5-mfa", "status"] == "rejected" and pd.isna(register.loc["R2025-P5-mfa", "supersedes"])


def live_for(register: pd.DataFrame, rule: str) -> list[str]:
    raised = register["rec_id"].str.removeprefix("R").str[5:]
    mask = ((register["rule"] == rule) | (raised == rule)) & register["status"].isin(LIVE)
    return register.loc[mask, "rec_id"].tolist()


def next_year(tmp_path, year, result, recs, decisions=None):
    """Write `year - 1`'s register, read it back as next year's run does, and decide `year`."""
    path = tmp_path / f"recommendations-{year - 1}.yml"
    write_register(path, result, config(year - 1), {})
    previous = read_register_yaml(path)
    decisions = decisions or {}
    so_far = carry_forward(typed("recommendations", []), previous, decisions)
    return decide(recs, so_far, config(year), decisions=decisions, period_end=dt.date(year + 1, 1, 1))


@pytest.mark.parametrize("years", [2, 3])
def test_the_register_keeps_one_live_entry_per_rule_across_years(tmp_path, years):
    planted = typed("recommendations", [entry("R2023-01", "in_progress", due="2024-09-30", rule="P5-mfa", year=2023)])
    result = decide([rec("P5-mfa", 2024)], carry_forward(planted, None, {}), config(2024), decisions={},
                    period_end=dt.date(2025, 1, 1))
    for year in range(2025, 2024 + years):
        result = next_year(tmp_path, year, result, [rec("P5-mfa", year)])
    last = 2024 + years - 1
    (mfa,) = result.for_board
    assert mfa.first_raised == 2023
    assert mfa.supersedes == f"R{last - 1}-P5-mfa"
    assert mfa.history.startswith(f"First raised in 2023; last raised in {last - 1} as R{last - 1}-P5-mfa, due ")
    assert mfa.title == "Team's R2023-01"  # the open one's title, carried down the chain
    # Read as next year's run would: one live entry for the rule, every earlier one superseded.
    path = tmp_path / "final.yml"
    write_register(path, result, config(last), {})
    register = read_register_yaml(path)
    assert live_for(register, "P5-mfa") == [f"R{last}-P5-mfa"]
    chain = register.set_index("rec_id")
    assert chain.loc["R2023-01", "status"] == "superseded"
    for year in range(2024, last):
        assert chain.loc[f"R{year}-P5-mfa", "status"] == "superseded"
        assert chain.loc[f"R{year + 1}-P5-mfa", "supersedes"] == f"R{year}-P5-mfa"


def test_an_implemented_entry_answered_by_a_new_one_is_not_flagged_again_next_year(tmp_path):
    planted = typed("recommendations", [entry("R2024-01", "implemented", rule="P5-mfa")])
    first = run(2025, planted, [rec("P5-mfa")])
    second = next_year(tmp_path, 2026, first, [rec("P5-mfa", 2026)])
    assert checks(second)["R2024-01"] is None  # the 2025 recommendation took over from it
    assert second.for_board[0].supersedes == "R2025-P5-mfa"


# --- decisions the Board can take ------------------------------------------------------------------------


def test_options_cost_and_resources_from_the_decisions_file_reach_the_paper(tmp_path):
    path = tmp_path / "decisions-2025.yml"
    path.write_text(yaml.safe_dump({"R2025-P3-out-of-hours-response": {
        "decision": "accept",
        "options": [
            {"option": "Extend desk cover to 22:00 every day", "cost": "£46,000 a year",
             "resources": "1.2 more desk officers", "trade_off": "Messages after 22:00 still wait until 08:00."},
            {"option": "Route out-of-hours messages to the Force Control Room", "resources": "Control room time"},
        ]}}, sort_keys=False), encoding="utf-8")
    from review.evidence.register import read_decisions

    decisions = read_decisions(path)
    result = run(2025, typed("recommendations", []), [rec("P3-out-of-hours-response", needs_board=("resources",)),
                                                      rec("P1-dormant-accounts")], decisions)
    ctx = make_context(recommendations=result.for_board, register=[])
    html = render.render_html(ctx, TEMPLATES)
    document = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    items = {li.get("id"): " ".join("".join(li.itertext()).split())
             for li in document.iterfind(f".//{NS}li[@class='rec']")}
    # Actions for noting are one row each in a table: title, evidence, clause, priority, owner, due.
    rows = {tr.get("id"): " ".join("".join(tr.itertext()).split())
            for tr in document.iterfind(f".//{NS}table[@class='data noting-table']/{NS}tbody/{NS}tr")}
    desk, dormant = items["rec-R2025-P3-out-of-hours-response"], rows["rec-R2025-P1-dormant-accounts"]
    assert ("Options for the Board: Extend desk cover to 22:00 every day Cost: £46,000 a year. Staff and resources: "
            "1.2 more desk officers. Trade-off: Messages after 22:00 still wait until 08:00.") in desk
    assert ("Route out-of-hours messages to the Force Control Room Cost: not yet known. Staff and resources: "
            "Control room time.") in desk
    assert "For decision: it needs money or staff that only the Board can give." in desk
    assert "rec-R2025-P1-dormant-accounts" not in items  # not set out in full: it asks nothing of the Board
    noting = " ".join("".join(document.find(f".//{NS}section[@aria-labelledby='rec-noting-heading']").itertext()).split())
    assert "The owners will carry these out within their current budgets and authority" in noting
    assert dormant.startswith("2. Rule P1-dormant-accounts in 2025 ") and "83.3" in dormant  # title, then evidence
    assert "Rule owner" in dormant and "30 June 2026" in dormant
    assert finance(result.for_board) == (
        "The team's costings: “Rule P3-out-of-hours-response in 2025” (Extend desk cover to 22:00 every day: "
        "£46,000 a year; Route out-of-hours messages to the Force Control Room: cost not yet known). The other "
        "1 recommendation is for the owners to carry out within current budgets.")


def test_finance_says_plainly_what_is_not_yet_costed():
    needs_money = rec("P3-out-of-hours-response", needs_board=("resources",))
    assert finance([needs_money]) == ("The cost of “Rule P3-out-of-hours-response in 2025” is not yet known. The team "
                                      "will bring a costed plan to the Board before any money is committed.")
    costed = dataclasses.replace(needs_money, cost="£46,000 a year")
    assert finance([costed]).startswith("The team's costings: “Rule P3-out-of-hours-response in 2025” (£46,000 a year).")


def test_a_due_date_too_soon_after_the_meeting_is_an_error():
    # meeting 10 February 2026, 30 days: 12 March 2026 is the soonest
    too_soon = {"R2025-P5-mfa": Decision(decision="accept", due_date=dt.date(2026, 3, 11))}
    with pytest.raises(ReviewError, match=r"R2025-P5-mfa: due_date 2026-03-11 is less than 30 days after the Board "
                                          r"meeting on 2026-02-10 .*give 2026-03-12 or later"):
        run(2025, typed("recommendations", []), [rec("P5-mfa")], too_soon)
    ok = {"R2025-P5-mfa": Decision(decision="accept", due_date=dt.date(2026, 3, 12))}
    assert run(2025, typed("recommendations", []), [rec("P5-mfa")], ok).for_board[0].due_date == dt.date(2026, 3, 12)


def test_the_team_can_put_a_high_priority_item_for_noting_in_the_decisions_file():
    noted = {"R2025-P5-mfa": Decision(for_decision=False)}
    (mfa,) = run(2025, typed("recommendations", []), [rec("P5-mfa", priority="high")], noted).for_board
    assert not mfa.for_decision
    assert mfa.decision_basis == "For noting: the team judges that it needs no decision of the Board, although it is high priority."
    asked = {"R2025-P1-dormant-accounts": Decision(for_decision=True)}
    (dormant,) = run(2025, typed("recommendations", []), [rec("P1-dormant-accounts")], asked).for_board
    assert dormant.for_decision and dormant.decision_basis == "For decision: the team asks the Board to decide it."


def test_options_round_trip_through_the_artifacts(tmp_path):
    from review.runner import artifacts

    with_options = rec("P3-out-of-hours-response", options=(BoardOption("A", "£1"), BoardOption("B")), cost="£1",
                       needs_board=("resources",))
    artifacts.write_json(tmp_path / "r.json", {"recommendations": [with_options]})
    raw = artifacts.read_json(tmp_path / "r.json")["recommendations"][0]
    back = Recommendation(**{**raw, "due_date": dt.date.fromisoformat(raw["due_date"])})
    assert back == with_options



def test_every_decisions_file_key_is_described_in_the_data_dictionary():
    from review.docs import data_dictionary
    from review.evidence.register import Option

    text = data_dictionary()
    for model in (Decision, Option):
        for name, f in model.model_fields.items():
            assert f.description, f"{model.__name__}.{name} has no description"
            assert f"| `{name}` |" in text
