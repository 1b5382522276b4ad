"""Recommend: rules that turn the evidence into recommendations to the Executive Board.

Each rule is a small function tied to one clause. It reads rated metrics (and, where it must
name accounts or units, the period's tables), and returns a recommendation whose text cites the
numbers that triggered it, or None. Thresholds are the year's config targets.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from review.context import Recommendation
from review.disclosure import protect
from review.errors import ReviewError
from review.evidence.metrics import MetricsResult
from review.evidence.metrics.registry import METRICS
from review.evidence.metrics.conduct import training_status
from review.evidence.metrics.period import account_labels
from review.evidence.metrics.register import earlier
from review.values import WITHHELD, fmt_change, fmt_date, fmt_pct, fmt_share, fmt_value, round_half_up

# Evidence that is not a registered metric (counts a rule makes from a table): what the report
# calls it. Registered metrics are titled from the registry.
EVIDENCE_TITLES: dict[str, str] = {
    "accounts_falling": "Accounts whose reach fell",
    "worst_change_pct": "Largest change in impressions on last year (per cent)",
    "accounts_below_target": "Accounts below the plain-English target",
    "p5_personal_cases_prior": "Personal-use conduct cases the year before",
    "accounts_with_gaps": "Accounts with a governance gap",
    "policy_age_years": "Age of the policy at the Board meeting (years)",
}


# The measure behind each evidence key that is not a registered metric: a rule whose evidence
# rests on a measure that is not measured does not fire (`rests_on_missing`).
EVIDENCE_MEASURES: dict[str, str] = {
    "accounts_falling": "p1_impressions",
    "worst_change_pct": "p1_impressions",
    "accounts_below_target": "p4_plain_english_pct",
    "p5_personal_cases_prior": "p5_personal_cases",
    "accounts_with_gaps": "p5_review_overdue_accounts",
}


# What can make a recommendation need the Board, in the words the paper gives as the reason.
NEEDS_BOARD: dict[str, str] = {
    "resources": "it needs money or staff that only the Board can give",
    "authority": "it needs the Board's authority",
    "risk": "it is high priority, and the Board carries the risk until it is done, so the Board agrees the action or accepts the risk",
}


# Every rule, in the order they run; RULE_KEYS: rule key (P5-mfa) to what needs the Board.
RULES: list[Callable[[MetricsResult], Recommendation | None]] = []
RULE_KEYS: dict[str, tuple[str, ...]] = {}


def rule(key: str, needs: tuple[str, ...] = ()) -> Callable:
    """Register a rule under its key, with what its recommendation needs of the Board
    ("resources", "authority"; none: the owner can act alone). The key is the rule's id in the
    register, in the config's rules.for_decision and in the data dictionary's list of rules."""
    unknown = set(needs) - set(NEEDS_BOARD)
    if unknown or key in RULE_KEYS:
        raise ValueError(f"rule {key}: unknown needs {sorted(unknown)} or a key used twice")

    def register(fn: Callable[[MetricsResult], Recommendation | None]) -> Callable:
        @functools.wraps(fn)
        def run(m: MetricsResult) -> Recommendation | None:
            rec = fn(m)
            if rec is not None and rec.rec_id != key:
                raise ValueError(f"rule {fn.__name__} is registered as {key} but raised {rec.rec_id}")
            return None if rec is None else replace(rec, needs_board=needs)

        run.key, run.needs = key, needs
        RULES.append(run)
        RULE_KEYS[key] = needs
        return run

    return register


def rests_on_missing(rec: Recommendation, metrics: MetricsResult) -> bool:
    """True when any figure a recommendation cites is not measured (review.evidence.metrics.coverage):
    missing data never makes a recommendation. One guard for every rule."""
    missing = {h.metric_id for h in metrics.headlines if h.not_measured_reason}
    return any(EVIDENCE_MEASURES.get(key, key).removesuffix("_prior") in missing for key in rec.evidence)


def _due(metrics: MetricsResult, months: int) -> dt.date:
    """The last day of the month `months` after the period, or of the first month that ends at
    least rules.due_after_meeting_days after the Board meeting, whichever is later: an owner
    cannot act on a decision the Board has not yet taken."""
    planned = (metrics.current.end + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date()
    earliest = metrics.current.config.earliest_due_date
    return planned if planned >= earliest else (pd.Timestamp(earliest) + pd.offsets.MonthEnd(0)).date()


def judge(rec: Recommendation, team: bool | None = None) -> Recommendation:
    """For decision or for noting, with the reason in a sentence. A recommendation goes to the
    Board when its rule says it needs resources or authority only the Board has, or when it is
    high priority (the Board accepts the risk until it is done). `team` (the config's
    rules.for_decision, or the decisions file) overrides the rule's judgement either way."""
    needs = [NEEDS_BOARD[n] for n in rec.needs_board]
    if team is None and not needs and rec.priority == "high":
        needs = [NEEDS_BOARD["risk"]]
    if team is False:
        basis = "For noting: the team judges that it needs no decision of the Board" + (
            ", although it is high priority." if rec.priority == "high" else ".")
        return replace(rec, for_decision=False, decision_basis=basis)
    if team is True and not needs:
        return replace(rec, for_decision=True, decision_basis="For decision: the team asks the Board to decide it.")
    if needs:
        return replace(rec, for_decision=True, decision_basis=f"For decision: {'; and '.join(needs)}.")
    return replace(rec, for_decision=False,
                   decision_basis="For noting: the owner can act within current budgets and authority.")


def _names(values: list[str], most: int = 4) -> str:
    values = sorted(values)
    if len(values) <= most:
        return ", ".join(values[:-1]) + (" and " if len(values) > 1 else "") + values[-1]
    return ", ".join(values[:most]) + f" and {len(values) - most:,} more"


@rule("P3-out-of-hours-response", needs=("resources",))
def out_of_hours_response(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p3_out_of_hours_median_minutes")
    if h.rag in ("Green", "Not rated"):
        return None
    staffed = m.current.config.staffed_hours
    return Recommendation(
        rec_id="P3-out-of-hours-response",
        clause="P3",
        title="Cover inbound messages outside staffed hours",
        text=(
            f"Messages that arrive when the desk is closed wait {h.figure.text()} for a first reply "
            f"(median), against a {h.target:g}-minute target. The desk is staffed from "
            f"{staffed.start_hour:02d}:00 to {staffed.end_hour:02d}:00. We recommend the Board agrees "
            "to extend cover, or to route these messages to the Force Control Room overnight."
        ),
        priority="high" if h.rag == "Red" else "medium",
        owner="Head of Contact",
        evidence={"p3_out_of_hours_median_minutes": h.value},
        due_date=_due(m, 6),
    )


@rule("P3-answered-in-time")
def answered_in_time(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p3_answered_within_target_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    return Recommendation(
        rec_id="P3-answered-in-time",
        clause="P3",
        title="Answer more messages within the target time",
        text=(
            f"{h.figure.text()} of messages that needed a reply got one within the target time, "
            f"against a target of {fmt_value(h.target, h.unit)}. We recommend the digital desk reviews its staffing "
            "against the busiest hours shown in this report."
        ),
        priority="medium",
        owner="Digital Desk Manager",
        evidence={"p3_answered_within_target_pct": h.value},
        due_date=_due(m, 6),
    )


@rule("P1-dormant-accounts")
def dormant_accounts(m: MetricsResult) -> Recommendation | None:
    n = m.value("p5_dormant_accounts")
    if not n:
        return None
    p = m.current
    last_post = p.posts.groupby("account_id")["published_local"].max()
    cutoff = p.end - pd.Timedelta(days=p.config.targets.dormant_days)
    accounts = p.open_accounts
    dormant = accounts[accounts["account_id"].map(last_post).pipe(lambda s: s.isna() | (s < cutoff))]
    return Recommendation(
        rec_id="P1-dormant-accounts",
        clause="P1",
        title="Close or merge dormant accounts",
        text=(
            f"{int(n):,} open account{'s have' if n != 1 else ' has'} not posted in the last "
            f"{p.config.targets.dormant_days} days: {_names(account_labels(dormant, p.accounts).tolist())}. A dormant account "
            "still carries the force's name and can be taken over. We recommend closing each one or "
            "merging it into a corporate account."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"p5_dormant_accounts": int(n)},
        due_date=_due(m, 3),
    )


@rule("P5-mfa")
def accounts_without_mfa(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p5_mfa_pct")
    if h.rag == "Green" or h.value is None:
        return None
    accounts = m.current.open_accounts
    missing = accounts[~accounts["has_mfa"].fillna(False)]
    return Recommendation(
        rec_id="P5-mfa",
        clause="P5",
        title="Turn on multi-factor authentication for every account",
        text=(
            f"{len(missing):,} of {len(accounts):,} open accounts ({fmt_share(len(missing), len(accounts))}) "
            f"{'does' if len(missing) == 1 else 'do'} not have multi-factor authentication: {_names(account_labels(missing, m.current.accounts).tolist())}. A hijacked police account "
            "can spread false information fast. We recommend MFA on every account within a month of the Board's decision."
        ),
        priority="high",
        owner="Information Security Officer",
        evidence={"p5_mfa_pct": h.value},
        due_date=_due(m, 1),
    )


@rule("P5-training")
def training_expired(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p5_training_in_date_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    status = training_status(m.current)
    # The units with the most people out of date, each way: expired, or never trained (a year
    # when training began can be short of the target with no one expired).
    named = []
    for state, words in (("Expired", "Most expired"), ("Never", "Never trained")):
        by_unit = status.assign(out=status["status"] == state).groupby("unit")["out"].sum()
        worst = by_unit[by_unit > 0].sort_values(ascending=False, kind="stable").head(3)
        if not worst.empty:
            named.append(f"{words}: {_names([f'{u} ({n:,})' for u, n in worst.items()])}. ")
    return Recommendation(
        rec_id="P5-training",
        clause="P5",
        title="Bring social media training up to date",
        text=(
            f"{h.figure.text()} of people who use force accounts have training in date, against a target "
            f"of {fmt_value(h.target, h.unit)}. {''.join(named)}"
            "We recommend unit leads book training (a refresher where it has expired) this quarter."
        ),
        priority="medium",
        owner="Head of Learning and Development",
        evidence={"p5_training_in_date_pct": h.value},
        due_date=_due(m, 3),
    )


@rule("P4-plain-english")
def plain_english(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p4_plain_english_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    jargon = m.headline("p4_jargon_per_100_posts").figure
    return Recommendation(
        rec_id="P4-plain-english",
        clause="P4",
        title="Write posts in plainer English",
        text=(
            f"{h.figure.text()} of posts met the plain-English test, against a target of {fmt_value(h.target, h.unit)}"
            + (f", and posts used police jargon {jargon.text()} times per 100 posts" if jargon.is_shown else "")
            + ". We recommend a short "
            "writing guide with the plain words in this report, and a check in the approval step."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"p4_plain_english_pct": h.value} | ({"p4_jargon_per_100_posts": jargon.value} if jargon.is_shown else {}),
        due_date=_due(m, 6),
    )


@rule("P7-alt-text")
def alt_text(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p7_alt_text_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    return Recommendation(
        rec_id="P7-alt-text",
        clause="P7",
        title="Add alt text to every image",
        text=(
            f"{h.figure.text()} of image posts had alt text, against a target of {fmt_value(h.target, h.unit)}. People who "
            "use screen readers miss appeals without it. We recommend making alt text a required field "
            "in the publishing tool."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"p7_alt_text_pct": h.value},
        due_date=_due(m, 3),
    )


@rule("P2-first-post", needs=("authority",))
def critical_incident_first_post(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p2_first_post_median_minutes")
    if h.rag in ("Green", "Not rated"):
        return None
    return Recommendation(
        rec_id="P2-first-post",
        clause="P2",
        title="Post sooner when a critical incident is declared",
        text=(
            f"The first public post came a median of {h.figure.text()} after a critical incident "
            f"was declared, against a {h.target:g}-minute target. We recommend pre-approved holding "
            "statements that the duty press officer can post at once."
        ),
        priority="high",
        owner="Head of Media",
        evidence={"p2_first_post_median_minutes": h.value},
        due_date=_due(m, 3),
    )


@rule("P6-overdue", needs=("authority",))
def overdue_recommendations(m: MetricsResult) -> Recommendation | None:
    recs = earlier(m.current)
    overdue = recs[recs["is_overdue"]]
    if overdue.empty:
        return None
    return Recommendation(
        rec_id="P6-overdue",
        clause="P6",
        title="Complete overdue recommendations from earlier reviews",
        text=(
            f"{len(overdue):,} recommendation{'s' if len(overdue) != 1 else ''} from earlier reviews "
            f"{'are' if len(overdue) != 1 else 'is'} past due and not done: {_names(overdue['rec_id'].tolist())}. "
            "We recommend each owner reports a new date to the Board, or asks to close it."
        ),
        priority="medium",
        owner="Director of Strategic Corporate Communications",
        evidence={"p6_overdue": len(overdue)},
        due_date=_due(m, 3),
    )


@rule("P1-falling-reach")
def falling_reach(m: MetricsResult) -> Recommendation | None:
    """Open accounts whose impressions fell by more than the configured share on last year."""
    rules = m.current.config.rules
    now = m.series.get("p1_reach_per_account")
    before = m.series.get("p1_reach_per_account_prior")
    if now is None or before is None:
        return None
    # by account, not by name: accounts of different forces can share a name (a national review)
    joined = now.merge(before.drop(columns=["name"]), on="account_id", suffixes=("", "_prior"), validate="1:1")
    joined = joined[joined["impressions_count_prior"] >= max(rules.falling_reach_min_impressions, 1)]
    change = 100 * (joined["impressions_count"] - joined["impressions_count_prior"]) / joined["impressions_count_prior"]
    falling = joined.assign(change=change)[change < -rules.falling_reach_pct].sort_values("change", kind="stable")
    if falling.empty:
        return None
    named = [f"{r.name} ({fmt_change(r.change)})" for r in falling.itertuples()]
    return Recommendation(
        rec_id="P1-falling-reach",
        clause="P1",
        title="Review channels whose reach is falling",
        text=(
            f"{len(falling):,} account{'s' if len(falling) != 1 else ''} lost more than "
            f"{rules.falling_reach_pct:g}% of impressions on last year: {_names(named)}. We recommend the "
            "owners check what changed (posting, audience, platform) and agree a plan or a merger."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"accounts_falling": len(falling), "worst_change_pct": round_half_up(float(falling["change"].iloc[0]), 1)},
        due_date=_due(m, 6),
    )


@rule("P1-small-accounts", needs=("authority",))
def small_accounts(m: MetricsResult) -> Recommendation | None:
    n = m.value("p1_small_accounts")
    if not n:
        return None
    limit = m.current.config.rules.small_account_followers
    return Recommendation(
        rec_id="P1-small-accounts",
        clause="P1",
        title="Merge small accounts into larger ones",
        text=(
            f"{int(n):,} open account{'s have' if n != 1 else ' has'} fewer than {limit:,} followers. Small "
            "accounts reach few people but still need cover, checks and training. We recommend merging "
            "them into the local or corporate accounts, as national guidance suggests."
        ),
        priority="low",
        owner="Head of Digital",
        evidence={"p1_small_accounts": int(n)},
        due_date=_due(m, 6),
    )


@rule("P3-unanswered")
def unanswered_messages(m: MetricsResult) -> Recommendation | None:
    n = m.value("p3_unanswered") or 0
    limit = m.current.config.rules.unanswered_max
    if n <= limit:
        return None
    return Recommendation(
        rec_id="P3-unanswered",
        clause="P3",
        title="Clear messages still waiting for a reply",
        text=(
            f"{n:,.0f} messages that needed a reply had none at the end of the period (more than "
            f"{limit:,}). Some may be from people at risk. We recommend the desk checks them now and "
            "sets an alert for messages unanswered after a day."
        ),
        priority="high",
        owner="Digital Desk Manager",
        evidence={"p3_unanswered": int(n)},
        due_date=_due(m, 1),
    )


@rule("P4-accounts-plain-english")
def accounts_missing_plain_english(m: MetricsResult) -> Recommendation | None:
    """Name the accounts whose posts miss the plain-English target (enough posts to judge)."""
    cfg = m.current.config
    table = next((t.frame for t in m.tables if t.table_id == "p4_by_account"), None)
    if table is None:
        return None
    missing = table[(table["posts_scored"] >= cfg.rules.account_plain_english_min_posts)
                    & (table["plain_english_pct"] < cfg.targets.plain_english_pct)]
    if missing.empty:
        return None
    named = [f"{r['account']} ({fmt_pct(r['plain_english_pct'])})" for _, r in missing.iterrows()]
    return Recommendation(
        rec_id="P4-accounts-plain-english",
        clause="P4",
        title="Help named accounts write in plain English",
        text=(
            f"{len(missing):,} account{'s' if len(missing) != 1 else ''} had fewer than "
            f"{fmt_pct(cfg.targets.plain_english_pct)} of posts in plain English: {_names(named)}. We recommend "
            "the digital team reviews a sample of their posts with the owners."
        ),
        priority="low",
        owner="Head of Digital",
        evidence={"accounts_below_target": len(missing)},
        due_date=_due(m, 6),
    )


@rule("P4-audits")
def audits_failing(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p4_audit_pass_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    return Recommendation(
        rec_id="P4-audits",
        clause="P4",
        title="Act on failed quality audits",
        text=(
            f"{h.figure.text()} of quality and compliance checks passed, against a target of {fmt_value(h.target, h.unit)}. "
            "We recommend each failed check gets an owner and a date, and a repeat check."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"p4_audit_pass_pct": h.value},
        due_date=_due(m, 3),
    )


@rule("P5-personal-use")
def rising_personal_cases(m: MetricsResult) -> Recommendation | None:
    rules = m.current.config.rules
    h = m.headline("p5_personal_cases")
    if h.value is None or h.prior_value is None or h.value < rules.rising_personal_cases_min:
        return None
    if h.prior_value > 0 and 100 * (h.value - h.prior_value) / h.prior_value <= rules.rising_personal_cases_pct:
        return None
    # The counts print as every output prints them: "<5" when small, never the number.
    now, before = h.figure, h.prior_figure
    if now.state == WITHHELD:
        rose = "rose on last year (the figures are withheld so that small counts cannot be worked out)"
    elif before.state == WITHHELD:
        rose = (f"rose to {now.text(prose=True)} (last year's figure is withheld so that small counts cannot be "
                "worked out)")
    else:
        rose = f"rose from {before.text(prose=True)} to {now.text(prose=True)}"
    return Recommendation(
        rec_id="P5-personal-use",
        clause="P5",
        title="Remind officers and staff of the rules on personal use",
        text=(
            f"Conduct cases from personal use of social media {rose}. We recommend a force-wide reminder "
            "of the policy and the standards of professional behaviour, with examples."
        ),
        priority="medium",
        owner="Head of Professional Standards",
        evidence={"p5_personal_cases": int(h.value), "p5_personal_cases_prior": int(h.prior_value)},
        due_date=_due(m, 3),
    )


@rule("P5-account-governance")
def governance_gaps(m: MetricsResult) -> Recommendation | None:
    """Open accounts with no approved owner or an overdue review."""
    accounts = m.current.open_accounts
    review_before = m.current.end - pd.Timedelta(days=m.current.config.targets.review_interval_days)
    gaps = accounts[~accounts["is_approved"].fillna(False)
                    | accounts["last_reviewed_date"].isna() | (accounts["last_reviewed_date"] < review_before)]
    if gaps.empty:
        return None
    return Recommendation(
        rec_id="P5-account-governance",
        clause="P5",
        title="Name an owner for every account and review it each year",
        text=(
            f"{len(gaps):,} open account{'s lack' if len(gaps) != 1 else ' lacks'} an approved owner or a "
            f"review in the last year: {_names(account_labels(gaps, m.current.accounts).tolist())}. We recommend Corporate "
            "Communications confirms an owner for each and reviews it."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"accounts_with_gaps": len(gaps)},
        due_date=_due(m, 3),
    )


@rule("P7-captions")
def captions(m: MetricsResult) -> Recommendation | None:
    h = m.headline("p7_captions_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    return Recommendation(
        rec_id="P7-captions",
        clause="P7",
        title="Caption every video",
        text=(
            f"{h.figure.text()} of video posts had captions, against a target of {fmt_value(h.target, h.unit)}. Deaf people, "
            "and people watching with the sound off, miss uncaptioned videos. We recommend captions are "
            "checked before a video is approved."
        ),
        priority="medium",
        owner="Head of Digital",
        evidence={"p7_captions_pct": h.value},
        due_date=_due(m, 3),
    )


@rule("P7-audience-reach")
def audience_reach(m: MetricsResult) -> Recommendation | None:
    """A group of the force area under-reached by the channels beyond the tolerance (the
    representation target): name it, with its share of the area and of the channel that reaches
    it least."""
    h = m.headline("p7_lowest_representation_pct")
    if h.rag in ("Green", "Not rated"):
        return None
    from review.evidence.metrics.representation import ALL_CHANNELS, parse_band, people_words

    table = next(t.frame for t in m.tables if t.table_id == "p7_representation")
    measured = table[table["representation"].notna()]
    overall = measured[measured["platform"] == ALL_CHANNELS]
    if overall.empty:
        overall = measured
    worst = overall.loc[overall["representation"].idxmin()]
    channels = measured[(measured["group"] == worst["group"]) & (measured["platform"] != ALL_CHANNELS)]
    where = channels.loc[channels["representation"].idxmin()] if not channels.empty else worst
    words = worst["group"].split()
    sex = {"Women": "female", "Men": "male"}.get(words[0]) if len(words) > 1 else None
    who = people_words(parse_band(words[-1]), sex)
    channel = "audience across all our channels" if where["platform"] == ALL_CHANNELS else f"{where['platform']} audience"
    youngest = min(parse_band(g.split()[-1])[0] for g in table["group"])
    area = f"{m.current.config.force.short_name}'s residents aged {youngest} and over"
    under = int(m.value("p7_underreached_groups") or 0)

    def pct(value: float) -> str:
        return fmt_pct(value, 0 if value >= 10 else 1)

    return Recommendation(
        rec_id="P7-audience-reach",
        clause="P7",
        title="Reach the groups our channels miss",
        text=(
            f"{who.capitalize()} are {pct(worst['population_pct'])} of {area} and {pct(where['audience_pct'])} of "
            f"our {channel}. {under} group{'s' if under != 1 else ''} of the area {'are' if under != 1 else 'is'} "
            f"reached at less than {fmt_value(h.target, h.unit)} of {'their' if under != 1 else 'its'} share of the population. We "
            "recommend a plan, with the force's equality lead, for the channels, content and partners that "
            "reach them, and checking the audience figures again next year."
        ),
        priority="low",
        owner="Head of Corporate Communications",
        evidence={"p7_lowest_representation_pct": h.value, "p7_underreached_groups": under},
        due_date=_due(m, 12),
    )


@rule("P6-policy-refresh", needs=("authority",))
def policy_out_of_date(m: MetricsResult) -> Recommendation | None:
    """The policy under review is older than the force allows (config: policy.dated,
    policy.refresh_after_years, measured at the Board meeting), naming what it cites that has
    since been replaced."""
    config = m.current.config
    policy = config.policy
    if policy.dated is None:
        return None
    meeting = config.meeting_date
    years = meeting.year - policy.dated.year - ((meeting.month, meeting.day) < (policy.dated.month, policy.dated.day))
    if meeting <= _add_years(policy.dated, policy.refresh_after_years):
        return None
    replaced = [f"{old}, now {new}" for old, new in policy.outdated_references.items()]
    cites = f" It cites {_names(replaced)}." if replaced else ""
    return Recommendation(
        rec_id="P6-policy-refresh",
        clause="P6",
        title="Refresh the social media policy",
        text=(
            f"The policy this review checks against is dated {fmt_date(policy.dated)}: {years} year"
            f"{'s' if years != 1 else ''} old at this meeting, against a refresh every "
            f"{policy.refresh_after_years} year{'s' if policy.refresh_after_years != 1 else ''}.{cites} "
            "Platforms, national guidance and the risks in this report have changed since. We recommend "
            "the E-Communications Team redrafts the policy against current national guidance and brings "
            "it to the Board for approval."
        ),
        priority="medium",
        owner="E-Communications Team Leader",
        evidence={"policy_age_years": years},
        due_date=_due(m, 6),
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)






PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def recommend(metrics: MetricsResult) -> list[Recommendation]:
    """Every rule that fires, for decision first, then by priority and clause.

    A rule's key (P3-out-of-hours-response) becomes an id with the review year
    (R2025-P3-out-of-hours-response), unique across years in the register: the same rule can
    fire again next year while this year's recommendation is still open.
    """
    config = metrics.current.config
    year = config.year
    unknown = sorted(set(config.rules.for_decision) - set(RULE_KEYS))
    if unknown:
        raise ReviewError(f"config: rules.for_decision names no rule: {', '.join(unknown)}; the rules are "
                          f"{', '.join(sorted(RULE_KEYS))}")
    # Small counts are decided for the whole paper first (review.disclosure), so that a rule's
    # text and evidence print a count exactly as the report and the register do.
    headlines, tables = protect(metrics.headlines, metrics.tables, config.report.small_count_threshold)
    protected = dataclasses.replace(metrics, headlines=headlines, tables=tables)
    # One guard for every rule: a recommendation that cites a figure not measured is dropped.
    fired = [judge(replace(rec, rec_id=f"R{year}-{rec.rec_id}", rule=rec.rec_id, evidence=_printable(rec.evidence, protected)),
                   config.rules.for_decision.get(rec.rec_id))
             for rule in RULES if (rec := rule(protected)) is not None and not rests_on_missing(rec, protected)]
    return in_board_order(fired)


def in_board_order(recs: list[Recommendation]) -> list[Recommendation]:
    """For decision first, then by priority and clause."""
    return sorted(recs, key=lambda r: (not r.for_decision, PRIORITY_ORDER[r.priority], r.clause, r.rec_id))


def _printable(evidence: dict, m: MetricsResult) -> dict:
    """Evidence as the register and the report print it: a headline's figure (a metric id, or
    "<id>_prior" for last year's) rounded as its headline prints it (79.96 for a share just short
    of its target of 80%, never 80.0, which the paper then printed as "80.0%" under the
    recommendation it fired; a time to the whole minute), a hidden one as its marker ("<5",
    "withheld"), never the number. The rules record the true values; this is the one place they
    are rounded."""
    out = {}
    for key, value in evidence.items():
        metric_id, prior = (key[: -len("_prior")], True) if key.endswith("_prior") and key[: -len("_prior")] in METRICS else (key, False)
        if metric_id in METRICS:
            h = m.headline(metric_id)
            figure = h.prior_figure if prior else h.figure
            if figure.is_hidden:
                value = figure.data()
            elif isinstance(value, float) and figure.places is not None:
                value = round_half_up(value, figure.places)
        out[key] = value
    return out
