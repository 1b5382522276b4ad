"""Recommendation rules fire at their thresholds and cite the numbers that fired them."""

import copy
import datetime as dt

from review.config import ReviewConfig
from review.errors import ReviewError
from review.evidence.metrics import compute_metrics
from review.evidence.recommend import recommend
from tables_fixture import account, contact, post, tables

CONFIG = ReviewConfig(year=2025)


def fired(t):
    """Recommendations by rule key (the id without its R2025- year prefix)."""
    return {r.rec_id.removeprefix("R2025-"): r for r in recommend(compute_metrics(t, CONFIG))}


def base(**kw):
    return dict(accounts=[account("a1", name="Northshire Police")], posts=[post("p1", "a1", "2025-12-20T10:00:00Z")], **kw)


def test_mfa_rule_fires_for_one_account_and_names_it():
    t = tables(**{**base(), "accounts": [account("a1", name="Northshire Police"), account("a2", "Facebook", "Northshire Police", has_mfa=False)],
                  "posts": [post("p1", "a1", "2025-12-20T10:00:00Z"), post("p2", "a2", "2025-12-20T10:00:00Z")]})
    rec = fired(t)["P5-mfa"]
    assert "1 of 2 open accounts (50%) does not have" in rec.text
    assert "Northshire Police (Facebook)" in rec.text
    assert rec.evidence == {"p5_mfa_pct": 50.0}


def test_counts_in_rule_text_have_thousands_separators():
    # Size L's paper read "215 of 2405 open accounts (9%)" beside "2,405" everywhere else.
    accounts = [account(f"a{i}", name=f"Team {i}") for i in range(1, 1200)] + [account("b1", "Facebook", "Riverside", has_mfa=False)]
    t = tables(accounts=accounts, posts=[post("p1", "a1", "2025-12-20T10:00:00Z")])
    # and 1 of 1,200 is not "0%"
    assert "1 of 1,200 open accounts (less than 1%) does not have" in fired(t)["P5-mfa"].text


def test_a_share_in_words_reads_0_or_100_per_cent_only_when_it_is():
    from review.values import fmt_share

    assert [fmt_share(n, 1200) for n in (0, 1, 5, 6, 1193, 1194, 1199, 1200)] == [
        "0%", "less than 1%", "less than 1%", "1%", "99%", "more than 99%", "more than 99%", "100%"]


def test_mfa_rule_silent_when_all_have_mfa():
    assert "P5-mfa" not in fired(tables(**base()))


def test_out_of_hours_rule_boundary():
    # One out-of-hours message answered in exactly the target (60 min): Green, no rule.
    at_target = tables(**base(contacts=[contact("c1", "2025-01-06T22:00:00Z", 60)]))
    assert "P3-out-of-hours-response" not in fired(at_target)
    slow = tables(**base(contacts=[contact("c1", "2025-01-06T22:00:00Z", 600)]))
    rec = fired(slow)["P3-out-of-hours-response"]
    assert "wait 10 hours for a first reply" in rec.text and rec.priority == "high" and rec.for_decision


def test_dormant_rule_names_the_account():
    t = tables(accounts=[account("a1", name="Northshire Police"), account("a2", "Nextdoor", "Riverside Team")],
               posts=[post("p1", "a1", "2025-12-20T10:00:00Z"), post("p2", "a2", "2025-03-01T10:00:00Z")])
    rec = fired(t)["P1-dormant-accounts"]
    assert "Riverside Team (Nextdoor)" in rec.text and rec.evidence == {"p5_dormant_accounts": 1}


def test_decisions_come_first():
    t = tables(**{**base(contacts=[contact("c1", "2025-01-06T22:00:00Z", 600)]),
                  "accounts": [account("a1", has_mfa=False)]})
    recs = recommend(compute_metrics(t, CONFIG))
    flags = [r.for_decision for r in recs]
    assert flags == sorted(flags, reverse=True)


# --- each rule at its boundary -------------------------------------------------------------------

import dataclasses  # noqa: E402

import pytest  # noqa: E402

from review.evidence import recommend as rules  # noqa: E402
from review.evidence.metrics.registry import METRICS, rate  # noqa: E402


def with_value(m, metric_id, value, prior=None):
    """The same metrics with one headline set to `value` (and rated as the registry rates it)."""
    metric = METRICS[metric_id]
    headlines = [
        dataclasses.replace(h, value=value, prior_value=prior, rag=rate(metric, value, CONFIG))
        if h.metric_id == metric_id else h
        for h in m.headlines
    ]
    return dataclasses.replace(m, headlines=headlines)


@pytest.fixture(scope="module")
def quiet():
    """Metrics for a tidy little year where no rule fires."""
    return compute_metrics(tables(**base()), CONFIG)


def test_the_tidy_year_fires_nothing(quiet):
    assert rules.recommend(quiet) == []


RATED = [
    (rules.critical_incident_first_post, "p2_first_post_median_minutes", 60.0, 66.1),
    (rules.out_of_hours_response, "p3_out_of_hours_median_minutes", 60.0, 60.5),
    (rules.answered_in_time, "p3_answered_within_target_pct", 80.0, 79.9),
    (rules.plain_english, "p4_plain_english_pct", 75.0, 74.9),
    (rules.audits_failing, "p4_audit_pass_pct", 90.0, 89.9),
    (rules.alt_text, "p7_alt_text_pct", 95.0, 94.9),
    (rules.captions, "p7_captions_pct", 95.0, 94.9),
    (rules.unanswered_messages, "p3_unanswered", 100, 101),
]


@pytest.mark.parametrize(("rule", "metric_id", "silent", "fires"), RATED)
def test_rated_rules_at_their_target(quiet, rule, metric_id, silent, fires):
    assert rule(with_value(quiet, metric_id, silent)) is None
    rec = rule(with_value(quiet, metric_id, fires))
    assert rec is not None and rec.clause == METRICS[metric_id].clause
    assert metric_id in rec.evidence or rec.rec_id == "P5-training"


@pytest.mark.parametrize(("value", "fires"), [(100, False), (101, True)])
def test_unanswered_boundary(quiet, value, fires):
    assert (rules.unanswered_messages(with_value(quiet, "p3_unanswered", value)) is not None) == fires


@pytest.mark.parametrize(("now", "before", "fires"), [(3, 2, True), (2, 1, False), (5, 4, False), (6, 4, True)])
def test_rising_personal_cases_boundary(quiet, now, before, fires):
    # fires when this year has at least 3 and the rise is more than 25%
    m = with_value(quiet, "p5_personal_cases", float(now), float(before))
    assert (rules.rising_personal_cases(m) is not None) == fires


@pytest.mark.parametrize(("followers", "fires"), [(999, True), (1000, False)])
def test_small_accounts_boundary(followers, fires):
    t = tables(**base(audience=[{"account_id": "a1", "date": "2025-12-31", "followers": followers}]))
    assert ("P1-small-accounts" in fired(t)) == fires


@pytest.mark.parametrize(("after", "fires"), [(8000, False), (7999, True)])
def test_falling_reach_boundary(after, fires):
    # 10,000 impressions last year; a fall of exactly 20% does not fire, more does
    t = tables(accounts=[account("a1", name="Northshire Police")],
               posts=[post("p0", "a1", "2024-12-20T10:00:00Z", impressions=10000),
                      post("p1", "a1", "2025-12-20T10:00:00Z", impressions=after)])
    assert ("P1-falling-reach" in fired(t)) == fires


@pytest.mark.parametrize(("posts", "fires"), [(19, False), (20, True)])
def test_account_plain_english_needs_enough_posts(posts, fires):
    jargon = "Officers were in attendance and proceeded to the vehicle where the male was conveyed to custody."
    t = tables(accounts=[account("a1", name="Northshire Police")],
               posts=[post(f"p{i}", "a1", f"2025-12-{1 + i % 28:02d}T10:00:00Z", text=jargon) for i in range(posts)])
    assert ("P4-accounts-plain-english" in fired(t)) == fires


@pytest.mark.parametrize(("reviewed", "fires"), [("2025-01-01", False), ("2024-12-31", True)])
def test_governance_review_boundary(reviewed, fires):
    # the review interval is 365 days before the period end (1 Jan 2026): 1 Jan 2025 is in time
    t = tables(accounts=[account("a1", last_reviewed_date=reviewed)], posts=[post("p1", "a1", "2025-12-20T10:00:00Z")])
    assert ("P5-account-governance" in fired(t)) == fires


@pytest.mark.parametrize(("due", "fires"), [("2026-01-01", False), ("2025-12-31", True)])
def test_overdue_recommendation_boundary(due, fires):
    t = tables(**base(recommendations=[{"rec_id": "R2024-01", "year_raised": 2024, "clause": "P3", "title": "T",
                                        "owner": "O", "priority": "high", "status": "open", "due_date": due,
                                        "status_note": None}]))
    assert ("P6-overdue" in fired(t)) == fires


def test_at_least_twelve_rules_across_every_clause_but_p6_and_p6_too():
    assert len(rules.RULES) >= 12


def test_ids_carry_the_review_year():
    t = tables(**{**base(), "accounts": [account("a1", has_mfa=False)]})
    assert [r.rec_id for r in recommend(compute_metrics(t, CONFIG))] == ["R2025-P5-mfa"]


def person(ref, expires, unit="Response North"):
    return {"person_ref": ref, "role": "officer", "unit": unit, "course": "Social media user",
            "completed_date": "2024-01-10", "expires_date": expires}


@pytest.mark.parametrize(("expired", "fires"), [(1, False), (2, True)])
def test_training_boundary(expired, fires):
    # 10 people: 1 expired is 90% in date (the target); 2 expired is 80%
    people = [person(f"p{i}", "2026-06-01") for i in range(10 - expired)]
    people += [person(f"x{i}", "2025-06-01", unit="Roads Policing") for i in range(expired)]
    rec = fired(tables(**base(training=people))).get("P5-training")
    assert (rec is not None) == fires
    if fires:
        assert "Roads Policing (2)" in rec.text


def test_training_short_only_of_people_never_trained():
    # A year when training began: 6 of 10 in date, 4 never trained, no one expired. The rule
    # named the units with expired training, found none and failed the run (IndexError).
    people = [person(f"p{i}", "2026-06-01") for i in range(6)]
    people += [{**person(f"n{i}", None, unit="Roads Policing"), "completed_date": None} for i in range(4)]
    rec = fired(tables(**base(training=people)))["P5-training"]
    assert "60.0% of people" in rec.text and "Never trained: Roads Policing (4)" in rec.text
    assert "Most expired" not in rec.text


def test_every_evidence_key_has_a_title_readers_see():
    """The report names each piece of evidence: a registered metric's title, or EVIDENCE_TITLES."""
    import ast
    import inspect

    keys = set()
    for node in ast.walk(ast.parse(inspect.getsource(rules))):
        if isinstance(node, ast.keyword) and node.arg == "evidence" and isinstance(node.value, ast.Dict):
            keys |= {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
    assert len(keys) >= 17
    untitled = sorted(k for k in keys if k not in METRICS and k not in rules.EVIDENCE_TITLES)
    assert untitled == []


# --- for decision or for noting, and when it falls due ----------------------------------------------------


def with_config(m, cfg):
    """The same metrics read under another config (the rules read targets and dates from it)."""
    current = copy.copy(m.current)
    current.config = cfg
    return dataclasses.replace(m, current=current)


def test_for_decision_is_what_needs_the_board_and_high_priority_is_never_only_noted():
    t = tables(accounts=[account("a1", name="Northshire Police", has_mfa=False), account("a2", "Nextdoor", "Riverside Team")],
               posts=[post("p1", "a1", "2025-12-20T10:00:00Z"), post("p2", "a2", "2025-03-01T10:00:00Z")],
               contacts=[contact("c1", "2025-01-06T22:00:00Z", 600)])
    recs = fired(t)
    # the owner can close a dormant account alone: for noting
    dormant = recs["P1-dormant-accounts"]
    assert (dormant.for_decision, dormant.needs_board) == (False, ())
    assert dormant.decision_basis == "For noting: the owner can act within current budgets and authority."
    # longer desk hours need money: for decision, saying why
    desk = recs["P3-out-of-hours-response"]
    assert desk.for_decision and desk.decision_basis == "For decision: it needs money or staff that only the Board can give."
    # MFA needs nothing the Board alone has, but it is high priority: the Board carries the risk
    mfa = recs["P5-mfa"]
    assert mfa.priority == "high" and mfa.for_decision and "the Board carries the risk" in mfa.decision_basis
    for rec in recs.values():
        assert rec.for_decision or rec.priority != "high", rec.rec_id


def test_the_config_overrides_a_rules_judgement(tmp_path):
    t = tables(accounts=[account("a1", name="Northshire Police", has_mfa=False), account("a2", "Nextdoor", "Riverside Team")],
               posts=[post("p1", "a1", "2025-12-20T10:00:00Z"), post("p2", "a2", "2025-03-01T10:00:00Z")])
    cfg = ReviewConfig(year=2025, rules={"for_decision": {"P5-mfa": False, "P1-dormant-accounts": True}})
    recs = {r.rule: r for r in recommend(compute_metrics(t, cfg))}
    assert not recs["P5-mfa"].for_decision and "although it is high priority" in recs["P5-mfa"].decision_basis
    assert recs["P1-dormant-accounts"].for_decision
    bad = ReviewConfig(year=2025, rules={"for_decision": {"P5-mfaa": False}})
    with pytest.raises(ReviewError, match=r"rules.for_decision names no rule: P5-mfaa"):
        recommend(compute_metrics(t, bad))


@pytest.mark.parametrize(("meeting", "days", "due"), [
    # the MFA rule plans a month after the period (31 January 2026)
    (None, 0, dt.date(2026, 1, 31)),  # meeting = paper date = 1 January 2026
    (dt.date(2026, 1, 28), 3, dt.date(2026, 1, 31)),  # 31 January is 3 days after: in time
    (dt.date(2026, 1, 28), 4, dt.date(2026, 2, 28)),  # 1 February is the soonest: the end of that month
    (dt.date(2026, 2, 10), 30, dt.date(2026, 3, 31)),
])
def test_due_dates_fall_at_least_the_set_time_after_the_meeting(meeting, days, due):
    cfg = ReviewConfig(year=2025, report={"meeting_date": meeting}, rules={"due_after_meeting_days": days})
    t = tables(**{**base(), "accounts": [account("a1", has_mfa=False)]})
    (mfa,) = recommend(compute_metrics(t, cfg))
    assert mfa.due_date == due


@pytest.mark.parametrize(("rule", "metric_id", "silent", "fires"), RATED)
def test_no_recommendation_falls_due_before_the_meeting_and_its_lead_time(quiet, rule, metric_id, silent, fires):
    # the unanswered rule plans a month after the period (31 January 2026), the others 3 or 6 months
    cfg = ReviewConfig(year=2025, report={"meeting_date": dt.date(2026, 4, 10)}, rules={"due_after_meeting_days": 30})
    rec = rule(with_value(with_config(quiet, cfg), metric_id, fires))
    assert rec.due_date >= dt.date(2026, 5, 10)
    assert (rec.due_date + dt.timedelta(days=1)).day == 1  # the end of a month


# --- the policy itself -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("dated", "fires"), [(dt.date(2023, 2, 10), False), (dt.date(2023, 2, 9), True),
                                              (None, False)])
def test_policy_refresh_fires_when_the_policy_is_older_than_the_set_age(quiet, dated, fires):
    cfg = ReviewConfig(year=2025, report={"meeting_date": dt.date(2026, 2, 10)},
                       policy={"dated": dated, "refresh_after_years": 3,
                               "outdated_references": {"ACPO": "the National Police Chiefs' Council (NPCC)"}})
    m = with_config(quiet, cfg)
    rec = rules.policy_out_of_date(m)
    assert (rec is not None) == fires
    if fires:
        assert rec.evidence == {"policy_age_years": 3} and rec.needs_board == ("authority",)
        assert "dated 9 February 2023: 3 years old at this meeting, against a refresh every 3 years." in rec.text
        assert "It cites ACPO, now the National Police Chiefs' Council (NPCC)." in rec.text


def test_the_2016_policy_gets_a_refresh_recommendation(repo_root, quiet):
    from review.config import load_config

    cfg = load_config(repo_root / "config" / "2025.yml", 2025)
    m = with_config(quiet, cfg)
    rec = rules.policy_out_of_date(m)
    # 25 March 2016 to the meeting of 10 February 2026: 9 whole years
    assert rec.evidence == {"policy_age_years": 9} and "ACPO" in rec.text and "NPCC" in rec.text
