"""Narrative: the words the report generates from the numbers.

Findings per clause, the executive summary, implications, methodology and glossary. Every
sentence here is written for a Board member: plain English, short sentences, numbers formatted
by the same filters the templates use. tests check this text against the project's own
plain-English measures.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from review.config import PolicyDocument, ReviewConfig
from review.context import Coverage, CoverReport, Headline, MetricTable, RegisterEntry
from review.values import (
    HIDDEN,
    NOT_AVAILABLE,
    NOT_MEASURED,
    WITHHELD,
    Column,
    fmt_count,
    fmt_date,
    fmt_headline_change,
    fmt_value,
)


def purpose(config: ReviewConfig) -> str:
    return (
        f"This paper reports our yearly review of how {config.force.name} used social media in "
        f"{config.period_label}, as the Force's policy asks. It sets out the evidence for each part of "
        "the policy. It makes recommendations for the Board to decide on or to note."
    )


RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2, "Not rated": 3}


def worst_rag(headlines: list[Headline]) -> str:
    rated = [h.rag for h in headlines if h.rag != "Not rated"]
    return min(rated, key=RAG_ORDER.__getitem__) if rated else "Not rated"


def _v(by_id: dict[str, Headline], metric_id: str) -> str:
    """A figure inside a sentence, as review.values.Figure prints it ("fewer than 5" when suppressed)."""
    return by_id[metric_id].figure.text(prose=True)


def _how_many(h: Headline, sentence: str, withheld: str, one: str | None = None) -> str:
    """A sentence that starts with a count ("{n} conduct cases were opened."; `one` when the count
    is a shown 1: "1 conduct case was opened."), or, when the count is withheld, a sentence that
    says so instead of printing it."""
    if h.figure.state == WITHHELD:
        return f"{withheld} is withheld, so that small counts cannot be worked out."
    if one is not None and h.value == 1 and h.figure.state not in HIDDEN:
        sentence = one
    text = sentence.format(n=h.figure.text(prose=True))
    return text[:1].upper() + text[1:]


def _has(by_id: dict[str, Headline], *metric_ids: str) -> bool:
    """True when every one of the figures is measured: a sentence about a figure that is not
    measured is left out, never written with a 0 (review.evidence.metrics.coverage)."""
    return all(by_id[m].figure.state != NOT_MEASURED for m in metric_ids)


def _yoy(h: Headline) -> str:
    if not h.change_shown or (h.change_pct is None and not (h.unit == "pct" and h.prior_value is not None)):
        return ""
    change = fmt_headline_change(h)
    if change == "not available":
        return ""
    how = f"; {h.comparison}" if h.comparison else ""
    return f" ({change} on last year{how})"


def _not_measured(by_id: dict[str, Headline], clause: str, said: str) -> str:
    """The finding's closing words on the clause's figures that are not measured."""
    missing = [h for h in by_id.values() if h.clause == clause and h.figure.state == NOT_MEASURED]
    if not missing:
        return said
    if not said:
        reasons = list(dict.fromkeys(h.not_measured_reason or "the data cannot support it" for h in missing))
        first = reasons[0][:1].upper() + reasons[0][1:]
        return f"Not measured: {first}." + (" Other inputs are missing too; see What this review covers." if len(reasons) > 1 else "")
    count = len(missing)
    return f"{said} {count} {'measure is' if count == 1 else 'measures are'} not measured; see What this review covers."


def _p1(by_id, config) -> str:
    parts = []
    if _has(by_id, "p1_posts"):
        who = f" by {_v(by_id, 'p1_accounts_open')} open accounts" if _has(by_id, "p1_accounts_open") else ""
        shown = (f", shown {_v(by_id, 'p1_impressions')} times{_yoy(by_id['p1_impressions'])}"
                 if _has(by_id, "p1_impressions") else "")
        parts.append(f"{_v(by_id, 'p1_posts')} posts were published{who}{shown}.")
    if _has(by_id, "p1_engagement_rate_pct"):
        parts.append(f"Engagement rate was {_v(by_id, 'p1_engagement_rate_pct')}.")
    return " ".join(parts)


def _p2(by_id, config) -> str:
    if not _has(by_id, "p2_critical_incidents"):
        return ""
    if not by_id["p2_critical_incidents"].value:
        return "No critical incidents were declared in the period."
    said = _how_many(by_id["p2_critical_incidents"], "{n} critical incidents were declared.", "",
                     one="{n} critical incident was declared.")
    if _has(by_id, "p2_first_post_median_minutes"):
        said += (
            f" The first public post came a median of {_v(by_id, 'p2_first_post_median_minutes')} after "
            f"declaration, against a target of {fmt_value(config.targets.critical_incident_first_post_minutes, 'minutes')}."
        )
    if _has(by_id, "p2_missed_target") and by_id["p2_missed_target"].value:
        late = by_id["p2_missed_target"]
        said += " " + _how_many(late, "{n} incidents had a first post later than the target, or none.", "",
                                one="{n} incident had a first post later than the target, or none.")
    return said


def _p3(by_id, config) -> str:
    if not _has(by_id, "p3_contacts"):
        return ""
    said = f"The public sent {_v(by_id, 'p3_contacts')} messages."
    if _has(by_id, "p3_first_response_median_minutes"):
        said += f" Replies took a median of {_v(by_id, 'p3_first_response_median_minutes')}"
        if _has(by_id, "p3_out_of_hours_median_minutes"):
            said += f", and {_v(by_id, 'p3_out_of_hours_median_minutes')} out of hours"
        said += "."
    if _has(by_id, "p3_answered_within_target_pct"):
        said += f" {_v(by_id, 'p3_answered_within_target_pct')} were answered in time."
    return said


def _p4(by_id, config) -> str:
    parts = []
    if _has(by_id, "p4_plain_english_pct"):
        parts.append(f"{_v(by_id, 'p4_plain_english_pct')} of posts met the plain-English test (target "
                     f"{fmt_value(config.targets.plain_english_pct, 'pct')}).")
    if _has(by_id, "p4_audit_pass_pct"):
        parts.append(f"Audits passed: {_v(by_id, 'p4_audit_pass_pct')}.")
    return " ".join(parts)


def _p5(by_id, config) -> str:
    parts = []
    if _has(by_id, "p5_conduct_cases"):
        parts.append(_how_many(by_id["p5_conduct_cases"], "{n} conduct cases were opened.",
                               "The number of conduct cases opened", one="{n} conduct case was opened."))
    if _has(by_id, "p5_training_in_date_pct"):
        parts.append(f"{_v(by_id, 'p5_training_in_date_pct')} of account users have training in date.")
    if _has(by_id, "p5_mfa_pct"):
        parts.append(f"{_v(by_id, 'p5_mfa_pct')} of accounts use MFA.")
    return " ".join(parts)


def _p6(by_id, config) -> str:
    if not _has(by_id, "p6_prior_recommendations"):
        return ""
    if _has(by_id, "p6_implemented_pct"):
        overdue = by_id["p6_overdue"]
        return (f"Of {_how_many(by_id['p6_prior_recommendations'], '{n} earlier recommendations', '', one='{n} earlier recommendation')}, "
                f"{_v(by_id, 'p6_implemented_pct')} are done and "
                + _how_many(overdue, "{n} are overdue.", "", one="{n} is overdue.").lower())
    return f"We tracked {_v(by_id, 'p6_prior_recommendations')} earlier recommendations."


def _p7(by_id, config) -> str:
    parts = []
    if _has(by_id, "p7_alt_text_pct"):
        parts.append(f"{_v(by_id, 'p7_alt_text_pct')} of image posts had alt text.")
    if _has(by_id, "p7_captions_pct"):
        parts.append(f"{_v(by_id, 'p7_captions_pct')} of videos had captions.")
    if _has(by_id, "p7_lowest_representation_pct", "p7_underreached_groups"):
        under = by_id["p7_underreached_groups"].value
        said = f"{under:.0f} age group{'s are' if under != 1 else ' is'} under-reached"
        if _has(by_id, "p7_audience_gap_pts", "p7_best_channel_gap_pts"):
            better = by_id["p7_audience_gap_pts"].value < by_id["p7_best_channel_gap_pts"].value
            said += f"; our channels together mirror the area {'better' if better else 'no better'} than any one"
        parts.append(said + ".")
    if _has(by_id, "p7_discrimination_cases"):
        parts.append(_how_many(by_id["p7_discrimination_cases"], "{n} cases were about discriminatory content.",
                               "The number of cases about discriminatory content",
                               one="{n} case was about discriminatory content."))
    return " ".join(parts)


def finding(clause: str, by_id: dict[str, Headline], config: ReviewConfig) -> str:
    """The clause's one-line finding: its measured figures, then what is not measured."""
    return _not_measured(by_id, clause, FINDINGS[clause](by_id, config))


FINDINGS = {"P1": _p1, "P2": _p2, "P3": _p3, "P4": _p4, "P5": _p5, "P6": _p6, "P7": _p7}


def executive_summary(by_id, recommendations, config, has_prior: bool) -> list[str]:
    rated = [h for h in by_id.values() if h.rag != "Not rated"]
    red = [_lower_first(h.title) for h in rated if h.rag == "Red"]
    green = sum(1 for h in rated if h.rag == "Green")
    missing = sum(1 for h in by_id.values() if h.figure.state == NOT_MEASURED)
    paragraphs = [
        f"We rated {_count(len(rated), 'measure', 'measures')} against their targets: {_count(green, 'met', 'met')} the target, "
        f"{_count(sum(1 for h in rated if h.rag == 'Amber'), 'was', 'were')} close (Amber) and {_count(len(red), 'fell', 'fell')} "
        "further short (Red).",
    ]
    if missing:
        paragraphs.append(
            f"{missing} of {len(by_id)} measures {'is' if missing == 1 else 'are'} not measured: the data "
            "needed was not supplied, or does not record them. What this review covers lists them, with the reasons."
        )
    decide = sum(1 for r in recommendations if r.for_decision)
    paragraphs.append(
        f"We make {len(recommendations)} recommendations: {decide} for the Board to decide and "
        f"{len(recommendations) - decide} to note."
    )
    if not has_prior:
        paragraphs.append("There is no data for the year before, so there are no year-on-year changes.")
    return paragraphs


# --- The cover report ----------------------------------------------------------------------------

COVER_LINES = 7  # at most this many lines under "went well" and "did not": the cover stays within two pages
SHARP_CHANGE_PCT = 10  # a change on last year this large (per cent, or percentage points) is a finding

# What goes wrong for the public or the Force when a measure falls short: a risk is listed when
# one of its measures is rated Red or Amber, or (a count of things that should not happen) is above 0.
RISKS: dict[str, tuple[str, ...]] = {
    "People who contact us online, some of them at risk, may wait too long for a reply or get none.":
        ("p3_answered_within_target_pct", "p3_first_response_median_minutes", "p3_out_of_hours_median_minutes",
         "p3_unanswered"),
    "An account without MFA can be taken over and used to mislead the public.": ("p5_mfa_pct",),
    "Staff who post without in-date training are more likely to breach the policy.":
        ("p5_training_in_date_pct", "p5_never_trained"),
    "A late first post in a critical incident leaves room for rumour.":
        ("p2_first_post_median_minutes", "p2_missed_target"),
    "Known weaknesses stay open while earlier recommendations are overdue.": ("p6_overdue",),
    "Posts without alt text or captions shut out disabled people, against our equality duty.":
        ("p7_alt_text_pct", "p7_captions_pct"),
    "Posts that are hard to read or fail audit weaken trust in what we say.":
        ("p4_plain_english_pct", "p4_audit_pass_pct"),
    "Dormant or unreviewed accounts can be hijacked or give out-of-date advice.":
        ("p5_dormant_accounts", "p5_review_overdue_accounts"),
}


def _shown(h: Headline) -> bool:
    return h.figure.state not in (NOT_MEASURED, *HIDDEN)


def _change_words(h: Headline) -> str:
    """"up 7.9% on last year", or "" when there is no change to give."""
    if not h.change_shown:
        return ""
    change = fmt_headline_change(h)
    return "" if change in (NOT_AVAILABLE, "no change") else f"{change} on last year"


def _change_size(h: Headline) -> float:
    """How large the change on last year is: percentage points for a share, per cent otherwise."""
    if not h.change_shown or h.prior_value is None or h.value is None:
        return 0.0
    if h.unit == "pct":
        return float(h.value) - float(h.prior_value)
    return float(h.change_pct) if h.change_pct is not None else 0.0


def _is_better(h: Headline, size: float) -> bool | None:
    """True when the change is for the better, False for the worse, None when neither."""
    if h.higher_is_better is None or not size:
        return None
    return (size > 0) == h.higher_is_better


def _gap(h: Headline) -> float:
    """How far from its target a rated measure is, as a share of the target (or of 1 for a target of 0)."""
    return abs(float(h.value) - float(h.target)) / max(abs(float(h.target)), 1.0)


def _against_target(h: Headline) -> str:
    change = _change_words(h)
    return (f"{h.title}: {h.figure.text(prose=True)} against a target of {fmt_value(h.target, h.unit)} ({h.rag})"
            + (f"; {change}" if change else "") + ".")


def _changed(h: Headline) -> str:
    return f"{h.title}: {h.figure.text(prose=True)}, {_change_words(h)}."


def cover_report(by_id: dict[str, Headline], recommendations, register: list[RegisterEntry]) -> CoverReport:
    """The cover report's lines, worked out from the measures: short of target first (furthest
    first), then the largest changes for the worse, then counts of things that should not happen;
    and the mirror for what went well. Nothing here names a figure the measures do not hold."""
    from review.evidence.metrics.registry import METRICS  # here: the metrics package imports this module's neighbours

    shown = [h for h in by_id.values() if _shown(h) and h.value is not None]
    rated = [h for h in shown if h.rag in ("Green", "Amber", "Red") and h.target is not None]
    not_well: list[str] = []
    used: set[str] = set()

    def add(lines: list[str], h: Headline, line: str, cap: int = COVER_LINES) -> None:
        if h.metric_id not in used and len(lines) < cap:
            lines.append(line)
            used.add(h.metric_id)

    # A mix of the sharpest kinds, so one kind cannot crowd out the rest: the measures furthest short
    # of target, the largest changes for the worse, overdue recommendations, counts of things that
    # should not happen; then the rest of the measures short of target.
    short = sorted((h for h in rated if h.rag == "Red"), key=_gap, reverse=True) + sorted(
        (h for h in rated if h.rag == "Amber"), key=_gap, reverse=True)
    for h in short[:3]:
        add(not_well, h, _against_target(h))
    overdue = [r for r in register if r.is_overdue]
    if overdue:
        used.add("p6_overdue")  # said once, from the register, below
    # A figure worked out from another (cases per 1,000 people from cases) would say the same thing twice.
    worse = [h for h in shown if _is_better(h, _change_size(h)) is False and abs(_change_size(h)) >= SHARP_CHANGE_PCT
             and not getattr(METRICS.get(h.metric_id), "derived_from", None)]
    for h in sorted(worse, key=lambda h: abs(_change_size(h)), reverse=True)[:2]:
        add(not_well, h, _changed(h))
    if overdue:
        not_well.append(f"{_count(len(overdue), 'earlier recommendation is', 'earlier recommendations are')} "
                        "overdue (see Last year's recommendations).")
    for h in shown:
        if (h.higher_is_better is False and h.target is None and h.unit in ("count", "people") and h.value > 0
                and _change_size(h) >= 0):
            add(not_well, h, f"{h.title}: {h.figure.text(prose=True)}" + (f", {_change_words(h)}" if _change_words(h) else "") + ".",
                cap=COVER_LINES - 1)
    for h in short:
        add(not_well, h, _against_target(h))

    went_well: list[str] = []
    for h in sorted((h for h in rated if h.rag == "Green"), key=_gap, reverse=True):
        add(went_well, h, _against_target(h), cap=5)
    better = [h for h in shown if _is_better(h, _change_size(h)) and abs(_change_size(h)) >= SHARP_CHANGE_PCT
              and not getattr(METRICS.get(h.metric_id), "derived_from", None)]
    for h in sorted(better, key=lambda h: abs(_change_size(h)), reverse=True):
        add(went_well, h, _changed(h), cap=5)
    if not went_well:
        went_well.append("No measure met its target or improved markedly on last year.")

    decide = [r for r in recommendations if r.for_decision]
    decisions = [f"{r.title} (owner: {r.owner})." for r in decide] or [
        "None this year: every recommendation is for noting."]
    risks = []
    for risk, metric_ids in RISKS.items():
        behind = [by_id[m] for m in metric_ids if m in by_id and _shown(by_id[m]) and by_id[m].value is not None and (
            by_id[m].rag in ("Red", "Amber")
            or (by_id[m].target is None and by_id[m].higher_is_better is False and by_id[m].value > 0))]
        if behind:
            risks.append(f"{risk[:-1]} ({'; '.join(f'{_lower_first(h.title)}: {h.figure.text(prose=True)}' for h in behind)}).")
    return CoverReport(went_well=went_well, not_well=not_well or ["Every rated measure met its target."],
                       decisions=decisions, risks=risks or ["No rated measure fell short, so no new risk is raised."])


def _count(n: int, one: str, many: str) -> str:
    """"1 case", "2 cases": the count and the words that agree with it."""
    return f"{fmt_count(n)} {one if n == 1 else many}"


def _lower_first(title: str) -> str:
    """A title inside a sentence: "Accounts with MFA" -> "accounts with MFA"; "MFA on" stays."""
    first = title.split(" ", 1)[0]
    return title if first.isupper() and len(first) > 1 else title[:1].lower() + title[1:]


def register_entries(register: pd.DataFrame) -> list[RegisterEntry]:
    return [
        RegisterEntry(
            rec_id=r.rec_id,
            year_raised=int(r.year_raised),
            clause=r.clause,
            title=r.title,
            owner=r.owner,
            priority=r.priority,
            status=r.status,
            due_date=None if pd.isna(r.due_date) else r.due_date.date(),
            status_note=None if pd.isna(r.status_note) else r.status_note,
            is_overdue=bool(r.is_overdue),
            # review.evidence.register.decide adds these two; a register straight from the metrics has neither
            check=_text(getattr(r, "check", None)),
            raised_again_as=_text(getattr(r, "raised_again_as", None)),
        )
        for r in register.itertuples(index=False)
    ]


def finance(recommendations) -> str:
    """The finance implications from the team's costings in the decisions file: what is costed,
    what needs money or staff and is not yet costed, and that the rest fall within budgets."""
    def cost(r) -> str:
        if r.cost:
            return r.cost
        return "; ".join(f"{o.option}: {o.cost or 'cost not yet known'}" for o in r.options)

    costed = [f"“{r.title}” ({cost(r)})" for r in recommendations if r.is_costed]
    uncosted = [f"“{r.title}”" for r in recommendations if not r.is_costed and ("resources" in r.needs_board or r.resources)]
    rest = len(recommendations) - len(costed) - len(uncosted)
    parts = []
    if costed:
        parts.append(f"The team's costings: {'; '.join(costed)}.")
    if uncosted:
        parts.append(f"The cost of {_and(uncosted)} is not yet known. The team will bring a costed plan "
                     "to the Board before any money is committed.")
    if rest:
        parts.append(f"{'The other' if costed or uncosted else 'The'} {rest} recommendation{'s' if rest != 1 else ''} "
                     f"{'are' if rest != 1 else 'is'} for the owners to carry out within current budgets.")
    return " ".join(parts) or "This review makes no recommendation that needs money."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def implications(recommendations, by_id, policy: PolicyDocument) -> dict[str, str]:
    """The paper's implications, each stated only as far as an input backs it: the equality
    impact assessment's date comes from the config (policy.equality_impact_assessment)."""
    assessed = policy.equality_impact_assessment
    return {
        "Finance": finance(recommendations),
        "Legal": (
            "Messages from the public to our accounts hold personal data. UK GDPR and the Data "
            "Protection Act 2018 apply. We keep records only as long as the national schedule says."
        ),
        "Equality": (
            "Alt text and captions help disabled people use our posts. "
            + (f"This year {_v(by_id, 'p7_alt_text_pct')} of image posts had alt text. "
               if _has(by_id, "p7_alt_text_pct") else "This year's data does not record alt text. ")
            + (f"The policy's equality impact assessment was last done on {fmt_date(assessed)}."
               if assessed else "No equality impact assessment of the policy is recorded for this review.")
        ),
        "Risk": (
            "Accounts without MFA or with no clear owner can be taken over and used to mislead the "
            "public. Slow replies out of hours risk missing people in crisis who contact us online."
        ),
    }


def methodology(config: ReviewConfig) -> list[str]:
    s = config.staffed_hours
    return [
        f"The review covers {config.period_label}: {fmt_date(config.period_start)} to "
        f"{fmt_date(config.period_end - dt.timedelta(days=1))}, UK time. Year-on-year figures compare "
        "it with the same period a year earlier.",
        "Every input row is either used or listed in rejected-rows.csv with its file, line, column and "
        "the reason. Rows seen twice are merged, keeping the later copy.",
        f"Staffed hours are {s.start_hour:02d}:00 to {s.end_hour:02d}:00. Response times run from when a "
        "message arrived to the first reply, for messages that needed one.",
        "Plain-English scores use the Flesch reading ease formula after links, @mentions and hashtags "
        "are taken out. Scores of short posts vary a lot, so we show the spread as well as the share.",
        "Each platform counts impressions, reach and engagement in its own way, so totals across "
        "platforms are a guide, not an exact count of people.",
        f"A measure is Green when it meets its target, Amber when it is short by no more than "
        f"{config.targets.amber_margin_pct:g}% of the target, and Red otherwise.",
        "Ratings and changes in per cent use the figures before rounding. Figures are printed rounded, "
        "halves up. A figure short of its target that would print as the target gets more decimals. So "
        "does one that would print as last year's beside a change. A change in a percentage is the "
        "difference of the two percentages as printed.",
    ]


GLOSSARY = {
    "Alt text": "A short description of an image that screen readers read aloud.",
    "Camel case": "Writing each word of a hashtag with a capital letter, as in #MissingPerson.",
    "Critical incident": "An event where how the police respond could do much to raise or lower public trust.",
    "Engagement": "A reaction, comment, share or click on a post.",
    "Impression": "One showing of a post on someone's screen.",
    "MFA": "Multi-factor authentication: a second check when you log in, such as a code sent to a phone.",
    "Median": "The middle value: half are lower and half are higher.",
    "90th percentile": "The value that nine in ten are below.",
    "Not measured": "There is no figure: the data it needs was not supplied, or does not record it. It is never "
    "a zero, and has no rating and no change on last year.",
    "Not rated": "A measure with no target, or one that is not measured, shown for context.",
    "Percentage point": "The gap between two percentages: from 50% to 55% is up 5 percentage points.",
    "RAG": "Red, Amber, Green: how a measure compares with its target.",
    "Reach": "The number of different people who saw one post, as the platform estimates it. Added up over "
    "posts, one person reached by two posts counts twice, so the total is not a count of people.",
    "Small counts (<5)": "Counts of conduct cases below the set threshold, usually five, show as \"<5\", so no one can be identified.",
    "[c]": "A count withheld so that a small count cannot be worked out by taking the other counts from a total.",
    "Staffed hours": "The hours when the digital desk is working.",
}


# --- What this review covers ---------------------------------------------------------------------


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{fmt_count(n)} {one if n == 1 else (many or one + 's')}"


def coverage(record: dict) -> Coverage:
    """The words and tables of "What this review covers" from artifacts/coverage.json
    (review.evidence.metrics.coverage.summarise): what was supplied, which accounts and platforms have
    posts each year, what is not measured and why, and the rule that keeps zero apart from
    not measured."""
    from review.evidence.metrics.coverage import names

    inputs = record["inputs"]
    supplied = [i["title"] for i in inputs if i["supplied"]]
    missing = [i["title"] for i in inputs if not i["supplied"]]
    # The table below lists every input; the words name only what is missing, in short sentences.
    summary = [
        f"This review draws on all {len(inputs)} kinds of input." if not missing else
        f"This review draws on {len(supplied)} of the {len(inputs)} kinds of input. We did not get these: "
        + "; ".join(t[:1].lower() + t[1:] for t in missing) + "."
    ]
    accounts = record["accounts"]
    now = [a for a in accounts if a["posts_now"]]
    before = [a for a in accounts if a["posts_prior"]]
    if now or before:
        def where(rows):
            return (f"{_plural(len(rows), 'account')} on {_plural(len({a['platform'] for a in rows}), 'platform')} "
                    f"({names({a['platform'] for a in rows})})" if rows else "no account")
        last_year = f"Last year's come from {where(before)}." if record.get("has_prior", True) else \
            "There is no data for last year."
        summary.append(f"This year's posts come from {where(now)}. {last_year}")
        shared = {a["account_id"] for a in now} & {a["account_id"] for a in before}
        if before and now and len(shared) < max(len(now), len(before)):
            summary.append(
                "Changes on last year compare only the accounts with posts in both years"
                + (f": {_plural(len(shared), 'account')}." if shared else ". No account has posts in both years, "
                   "so figures from posts have no change on last year.")
            )
    summary.append(
        "A zero in this report is a count of things we looked for and did not find. A register sent with "
        "no rows for the year gives 0. A measure whose data we did not get says not measured, with the "
        "reason. It has no rating and no change on last year. No recommendation rests on it."
    )
    grouped: dict[str, list[str]] = {}
    for m in record["measures"]:
        if m["reason"]:
            grouped.setdefault(m["reason"], []).append(f"{m['title']} ({m['clause']})")
    notes = []
    for p in record["partial"]:
        without = f" No post from {names(p['platforms_without'], 'or')} records it." if p["platforms_without"] else ""
        notes.append(f"{p['words']}: recorded by {fmt_count(p['recorded'])} of {fmt_count(p['of'])} posts.{without} "
                     "Figures from it cover those posts only.")
    outside = [a for a in accounts if not a["registered"]]
    if not record["has_register"] and outside:
        notes.append(
            "No account register was supplied, so accounts are known only by the ids their exports give "
            f"(such as {outside[0]['account_id']}). Measures that need the register are not measured."
        )
    elif outside:
        # Only the inputs that were supplied are counted: a missing one is not "0 messages".
        held = [_plural(sum(a[f"{table}_now"] for a in outside), noun)
                for table, noun in (("posts", "post"), ("contacts", "message")) if outside[0][f"{table}_now"] is not None]
        notes.append(
            f"{_plural(len(outside), 'account')} with data this year or last {'is' if len(outside) == 1 else 'are'} "
            f"not in the account register: {', '.join(a['account_id'] for a in outside[:6])}"
            + (f" and {len(outside) - 6} more" if len(outside) > 6 else "")
            + (f". This year they hold {' and '.join(held)}" if held else "")
            + ". They count in every total and breakdown, under the platform of their export where it is known."
        )
    for a in accounts:
        if a["resembles"]:
            notes.append(f"The id \"{a['account_id']}\" is not in the account register but looks like "
                         f"\"{a['resembles']}\", which is. Check the id in the source file.")
    return Coverage(summary=summary, not_measured=list(grouped.items()), notes=notes, tables=_coverage_tables(record))


def _lower_list(titles: list[str]) -> str:
    words = [t[:1].lower() + t[1:] for t in titles]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]


def _coverage_tables(record: dict) -> list[MetricTable]:
    """The coverage section's tables, typed as every metric table is (snake_case columns, counts
    as integers, yes/no as booleans, labels and units as column metadata): the report prints the
    first two, the workbook all four. A count of an input that was not supplied is missing (it
    prints "not supplied"), never 0."""
    rows = Column("Rows this year", "count", unit="rows", missing="not supplied")
    inputs = pd.DataFrame(
        {
            "input": [i["title"] for i in record["inputs"]],
            "supplied": [bool(i["supplied"]) for i in record["inputs"]],
            "files": pd.array([i["files"] for i in record["inputs"]], dtype="int64"),
            "rows": pd.array([i["rows"] for i in record["inputs"]], dtype="Int64"),
            "rows_prior": pd.array([i["rows_prior"] for i in record["inputs"]], dtype="Int64"),
        }
    )
    accounts = pd.DataFrame(record["accounts"], columns=[
        "account_id", "platform", "registered", "resembles", "posts_now", "posts_prior", "contacts_now",
        "contacts_prior", "audience_now", "audience_prior"])
    # No data for the year before (no post or message in it): its counts were never taken, and
    # the accounts' counts for it are missing in the record (review.evidence.metrics.coverage).
    has_prior = record.get("has_prior", True)
    no_prior = "no data"

    def counted(series: pd.Series) -> pd.Series:
        """A count of the year before, missing when it has no data."""
        return series.astype("Int64") if has_prior else pd.Series(pd.NA, index=series.index, dtype="Int64")
    # Platforms with posts in either year (no posts supplied: no rows, never a row of zeros).
    posted = accounts.fillna({"posts_now": 0, "posts_prior": 0}).astype({"posts_now": "int64", "posts_prior": "int64"})
    by_platform = (
        posted.assign(has_now=posted["posts_now"] > 0, has_prior=posted["posts_prior"] > 0)
        .groupby("platform")
        .agg(now=("has_now", "sum"), posts_now=("posts_now", "sum"), prior=("has_prior", "sum"), posts_prior=("posts_prior", "sum"))
        .reset_index()
    )
    by_platform = by_platform[(by_platform["posts_now"] > 0) | (by_platform["posts_prior"] > 0)]
    platforms = pd.DataFrame(
        {
            "platform": by_platform["platform"].astype(str),
            "accounts_with_posts": by_platform["now"].astype("int64"),
            "posts": by_platform["posts_now"].astype("int64"),
            "accounts_with_posts_prior": counted(by_platform["prior"]),
            "posts_prior": counted(by_platform["posts_prior"]),
        }
    ).reset_index(drop=True)
    account_table = pd.DataFrame(
        {
            "account_id": accounts["account_id"].astype(str),
            "platform": accounts["platform"].astype(str),
            "is_registered": accounts["registered"].astype(bool),
            "resembles": accounts["resembles"].astype(object),
            **{f"{what}_{year}": accounts[f"{what}_{year}"].astype("Int64")
               for what in ("posts", "contacts", "audience") for year in ("now", "prior")},
        }
    )
    measures = pd.DataFrame(
        {
            "clause": [m["clause"] for m in record["measures"]],
            "measure": [m["title"] for m in record["measures"]],
            "is_measured": [not m["reason"] for m in record["measures"]],
            "why": [m["reason"] or m["comparison"] for m in record["measures"]],
        }
    )
    supplied = Column("Supplied", "flag")
    input_columns = {
        "input": Column("Input"), "supplied": supplied, "files": Column("Files", "count", unit="files"),
        "rows": rows, "rows_prior": Column("Rows last year", "count", unit="rows",
                                           missing="not applicable"),
    }
    platform_columns = {
        "platform": Column("Platform"),
        "accounts_with_posts": Column("Accounts with posts this year", "count", unit="accounts"),
        "posts": Column("Posts this year", "count", unit="posts"),
        "accounts_with_posts_prior": Column("Accounts with posts last year", "count", unit="accounts", missing=no_prior),
        "posts_prior": Column("Posts last year", "count", unit="posts", missing=no_prior),
    }
    not_supplied = "not supplied"
    account_columns = {
        "account_id": Column("Account id"), "platform": Column("Platform"),
        "is_registered": Column("In the account register", "flag"),
        "resembles": Column("Looks like registered id", missing=""),
        "posts_now": Column("Posts this year", "count", unit="posts", missing=not_supplied),
        "posts_prior": Column("Posts last year", "count", unit="posts", missing=not_supplied if has_prior else no_prior),
        "contacts_now": Column("Messages this year", "count", unit="messages", missing=not_supplied),
        "contacts_prior": Column("Messages last year", "count", unit="messages", missing=not_supplied if has_prior else no_prior),
        "audience_now": Column("Follower figures this year", "count", unit="follower figures", missing=not_supplied),
        "audience_prior": Column("Follower figures last year", "count", unit="follower figures", missing=not_supplied if has_prior else no_prior),
    }
    measure_columns = {
        "clause": Column("Clause"), "measure": Column("Measure"), "is_measured": Column("Measured", "flag"),
        "why": Column("Why not measured, or how the change compares", missing=""),
    }
    return [
        MetricTable("coverage_inputs", "All", "Inputs supplied", inputs, columns=input_columns,
                    note="Registers (accounts, training, earlier recommendations, links to incidents) are counted whole, "
                    "so they have no count for last year; other inputs count the rows in each year."),
        MetricTable("coverage_platforms", "All", "Accounts and posts by platform, each year", platforms,
                    columns=platform_columns),
        MetricTable("coverage_accounts", "All", "Every account with posts, messages or follower figures", account_table,
                    columns=account_columns),
        MetricTable("coverage_measures", "All", "Every measure: measured or not, and why", measures,
                    columns=measure_columns),
    ]
