"""Recommendation rules fire at their thresholds and cite the numbers that fired them."""

from review.config import ReviewConfig
from review.metrics import compute_metrics
from review.recommend import recommend
from tables_fixture import account, contact, post, tables

CONFIG = ReviewConfig(year=2025)


def fired(t):
    return {r.rec_id: r for r in recommend(compute_metrics(t, CONFIG))}


def base(**kw):
    return dict(accounts=[account("a1", name="Northshire Police")], posts=[post("p1", "a1", "2025-12-20T10:00:00Z")], **kw)


def test_mfa_rule_fires_for_one_account_and_names_it():
    t = tables(**{**base(), "accounts": [account("a1", name="Northshire Police"), account("a2", "Facebook", "Northshire Police", has_mfa=False)],
                  "posts": [post("p1", "a1", "2025-12-20T10:00:00Z"), post("p2", "a2", "2025-12-20T10:00:00Z")]})
    rec = fired(t)["P5-mfa"]
    assert "1 of 2 open accounts (50%) does not have" in rec.text
    assert "Northshire Police (Facebook)" in rec.text
    assert rec.evidence == {"p5_mfa_pct": 50.0}


def test_mfa_rule_silent_when_all_have_mfa():
    assert "P5-mfa" not in fired(tables(**base()))


def test_out_of_hours_rule_boundary():
    # One out-of-hours message answered in exactly the target (60 min): Green, no rule.
    at_target = tables(**base(contacts=[contact("c1", "2025-01-06T22:00:00Z", 60)]))
    assert "P3-out-of-hours-response" not in fired(at_target)
    slow = tables(**base(contacts=[contact("c1", "2025-01-06T22:00:00Z", 600)]))
    rec = fired(slow)["P3-out-of-hours-response"]
    assert "600 minutes" in rec.text and rec.priority == "high" and rec.for_decision


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
