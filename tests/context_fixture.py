"""A realistic `ReportContext` built by code, for the render and workbook tests.

`make_context(**overrides)` returns a full context for a fictional force's 2025 review: seven
clause sections (P1-P7) with headline figures, small hand-drawn SVG charts and tables, new
recommendations (for decision and for noting), last year's register with an overdue item,
implications, data sources with checksums, metric definitions, methodology and glossary.

Everything is deterministic (no randomness, no clock). Numbers are plausible for a small force
(size S in DESIGN.md section 9) but invented. Pass keyword overrides to change any top-level
field, e.g. `make_context(is_sample=False)`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence

import pandas as pd

from review.context import (
    Chart,
    ClauseSection,
    Headline,
    MetricDefinition,
    MetricTable,
    Recommendation,
    RegisterEntry,
    ReportContext,
    SourceFile,
)
from review.values import Column

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def bar_chart_svg(labels: Sequence[str], values: Sequence[float], *, colour: str = PALETTE[0]) -> str:
    """Draw a small bar chart as an `<svg>` element (no XML declaration), like the charts stage."""
    width, height, left, bottom, top = 560, 220, 46, 28, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    vmax = max(values) or 1
    step = plot_w / len(values)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="DejaVu Sans" font-size="11">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#505a5f"/>',
    ]
    for tick in (0, 0.5, 1):
        y = top + plot_h - tick * plot_h
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#0b0c0c">{vmax * tick:,.0f}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_h = value / vmax * plot_h
        x = left + i * step + step * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar_h:.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{height - 10}" text-anchor="middle" fill="#0b0c0c">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _headline(
    metric_id: str,
    clause: str,
    title: str,
    unit: str,
    value: float | None,
    prior: float | None,
    rag: str,
    *,
    target: float | None = None,
    higher_is_better: bool | None = True,
    definition: str = "",
    formula: str = "",
    caveat: str | None = None,
) -> Headline:
    change = None if value is None or not prior else round((value - prior) / prior * 100, 1)
    return Headline(
        metric_id=metric_id,
        clause=clause,
        title=title,
        unit=unit,
        value=value,
        prior_value=prior,
        change_pct=change,
        target=target,
        rag=rag,
        higher_is_better=higher_is_better,
        definition=definition or f"{title} in the year.",
        formula=formula or metric_id,
        caveat=caveat,
    )


HEADLINES = {
    h.metric_id: h
    for h in [
        _headline(
            "p1_impressions", "P1", "Impressions", "count", 14_820_000, 13_150_000, "Green",
            definition="Times our posts were shown on screen, across all official accounts.",
            formula="sum of impressions over all posts",
            caveat="X renamed impressions to views in 2023; we treat them as the same measure.",
        ),
        _headline(
            "p1_engagement_rate", "P1", "Engagement rate", "pct", 3.4, 3.9, "Amber", target=4.0,
            definition="Share of impressions that led to a reaction, comment, share or click.",
            formula="engagements / impressions × 100",
        ),
        _headline(
            "p1_followers", "P1", "Followers at year end", "count", 412_300, 389_900, "Green",
            definition="Followers across all official accounts on 31 December.",
            formula="sum of followers on the last day of the period",
        ),
        _headline(
            "p2_first_post_minutes", "P2", "Time to first post in a critical incident", "minutes",
            38, 52, "Green", target=60, higher_is_better=False,
            definition="Median time from declaring a critical incident to the first public post.",
            formula="median(first_post_at − declared_at)",
        ),
        _headline(
            "p3_contacts", "P3", "Messages from the public", "count", 61_240, 57_800, "Not rated",
            higher_is_better=None,
            definition="Comments, mentions and direct messages that reached our accounts.",
            formula="count of contacts",
        ),
        _headline(
            "p3_median_response_minutes", "P3", "Median first response", "minutes", 200, 170, "Red",
            target=60, higher_is_better=False,
            definition="Middle value of the time taken to first reply to a message that needed one.",
            formula="median(first_response_at − received_at)",
        ),
        _headline(
            "p3_answered_in_target_pct", "P3", "Answered within an hour", "pct", 71.5, 74.0, "Amber",
            target=80,
            definition="Share of messages needing a reply that got one within 60 minutes.",
            formula="answered within target / needing a reply × 100",
        ),
        _headline(
            "p4_reading_ease", "P4", "Reading ease of posts", "rate", 64.2, 61.0, "Green", target=60,
            definition="Flesch reading ease of post text; 60 or more is plain English.",
            formula="206.835 − 1.015 × words per sentence − 84.6 × syllables per word",
        ),
        _headline(
            "p5_incidents", "P5", "Social media conduct cases", "count", 14, 14, "Amber",
            higher_is_better=False,
            definition="Conduct cases and incidents linked to officers' or staff's social media use.",
            formula="count of incidents opened in the period",
        ),
        _headline(
            "p5_training_pct", "P5", "Staff trained in social media use", "pct", 86.0, 79.5, "Green",
            target=85,
            definition="Share of people in roles that need the course whose training is current.",
            formula="people with current training / people who need it × 100",
        ),
        _headline(
            "p6_recs_closed_pct", "P6", "Last year's recommendations completed", "pct", 60.0, None,
            "Amber", target=100,
            definition="Share of last year's recommendations marked complete.",
            formula="completed / raised last year × 100",
        ),
        _headline(
            "p7_alt_text_pct", "P7", "Images with alt text", "pct", 58.3, 41.0, "Red", target=90,
            definition="Share of posts with images where every image had a text description.",
            formula="posts with alt text on all images / posts with images × 100",
        ),
        _headline(
            "p7_captions_pct", "P7", "Videos with captions", "pct", 92.1, 88.4, "Green", target=90,
            definition="Share of video posts with captions.",
            formula="video posts with captions / video posts × 100",
        ),
    ]
}

SUMMARY_IDS = (
    "p1_impressions",
    "p1_engagement_rate",
    "p2_first_post_minutes",
    "p3_median_response_minutes",
    "p3_answered_in_target_pct",
    "p5_training_pct",
    "p6_recs_closed_pct",
    "p7_alt_text_pct",
)


def _table(table_id: str, clause: str, title: str, frame: pd.DataFrame, note: str | None = None) -> MetricTable:
    return MetricTable(table_id=table_id, clause=clause, title=title, frame=frame, note=note)


def _tables() -> dict[str, list[MetricTable]]:
    accounts = pd.DataFrame(
        {
            "Account": ["@NorthshirePolice", "Northshire Police (Facebook)", "@northshirepolice (Instagram)",
                        "Northshire Police (YouTube)", "@NorthshireRoads", "Northshire Police (LinkedIn)"],
            "Platform": ["X", "Facebook", "Instagram", "YouTube", "X", "LinkedIn"],
            "Posts": [1412, 1188, 402, 36, 655, 118],
            "Impressions": [6_120_400, 5_980_100, 1_502_300, 210_900, 880_200, 126_100],
            "Engagement rate (%)": [2.9, 4.1, 5.2, 1.8, 2.2, 3.6],
            "Followers at year end": [198_400, 142_900, 38_200, 6_100, 21_700, 5_000],
        }
    )
    monthly = pd.DataFrame(
        {
            "Month": [f"{dt.date(2025, m, 1):%B %Y}" for m in range(1, 13)],
            "Posts": [301, 288, 322, 315, 340, 298, 310, 276, 333, 351, 344, 333],
            "Impressions": [1_120_000, 1_040_500, 1_210_300, 1_180_000, 1_300_200, 1_150_800,
                            1_260_400, 1_050_100, 1_280_900, 1_420_700, 1_310_600, 1_296_500],
        }
    )
    incidents = pd.DataFrame(
        {
            "Incident": ["Flooding, River Wear", "Missing child, Hexley", "Disorder, Port Street"],
            "Declared": pd.to_datetime(["2025-02-11", "2025-06-03", "2025-08-30"]).date,
            "Minutes to first post": [38, 22, 71],
            "Updates per hour": [1.8, 2.5, 1.1],
            "Reach": [412_000, 689_500, 233_100],
            "Rumour corrections": [2, 0, 5],
        }
    )
    response = pd.DataFrame(
        {
            "Channel": ["X mentions", "Facebook comments", "Facebook messages", "Instagram messages"],
            "Messages": [21_400, 24_900, 11_300, 3_640],
            "Median minutes, staffed hours": [42, 55, 31, 64],
            "Median minutes, out of hours": [380, 512, 290, 610],
            "Answered within an hour (%)": [74.2, 66.0, 81.5, 58.9],
        }
    )
    outcomes = pd.DataFrame(
        {
            "Outcome": ["Answered", "Signposted to 101", "Signposted to 999", "Incident created",
                        "Crime reported", "No reply needed"],
            "Messages": [31_200, 9_800, 410, 1_260, 880, 17_690],
            "Share (%)": [50.9, 16.0, 0.7, 2.1, 1.4, 28.9],
        }
    )
    plain = pd.DataFrame(
        {
            "Account": ["@NorthshirePolice", "Northshire Police (Facebook)", "@NorthshireRoads",
                        # A hostile-looking value from data: must stay text everywhere.
                        "=cmd()|' /C calc'!A0"],
            "Words per sentence": [14.1, 16.8, 12.2, 19.5],
            "Reading ease": [66.0, 61.3, 70.4, 48.9],
            "Jargon hits": [23, 41, 12, 9],
            "Most common jargon": ["RTC (say crash)", "enquiries (say questions)", "RTC (say crash)",
                                   "-ve (say negative)"],
        }
    )
    # Typed, as the metrics stage builds it: true counts, with what is hidden decided for the
    # printed table (review.disclosure) and the labels as column metadata.
    conduct = pd.DataFrame(
        {
            "category": ["inappropriate_comment", "disclosure_of_information", "harassment", "other"],
            "work": [2, 3, 0, 1],
            "personal": [6, 4, 2, 0],
            "median_days_to_close": [41.0, 63.0, 88.0, None],
        }
    )
    conduct_columns = {
        "category": Column("Category", "category"),
        "work": Column("Work capacity", "count", small_count=True),
        "personal": Column("Personal capacity", "count", small_count=True),
        "median_days_to_close": Column("Median days to close", "number"),
    }
    conduct_hidden = {(0, "work"): "suppressed", (1, "work"): "suppressed", (3, "work"): "suppressed",
                      (1, "personal"): "suppressed", (2, "personal"): "suppressed", (0, "personal"): "withheld"}
    governance = pd.DataFrame(
        {
            "Check": ["Approved owner", "Multi-factor authentication", "Admins reviewed in year",
                      "No posts for 90 days (dormant)"],
            "Accounts passing": [6, 5, 4, 5],
            "Accounts checked": [6, 6, 6, 6],
        }
    )
    accessibility = pd.DataFrame(
        {
            "Platform": ["X", "Facebook", "Instagram", "YouTube", "LinkedIn"],
            "Posts with images": [820, 760, 402, 0, 60],
            "Alt text on all images (%)": [61.0, 48.2, 70.1, None, 55.0],
            "Videos with captions (%)": [90.5, 93.0, 95.2, 97.2, 80.0],
            "Hashtags in camel case (%)": [88.0, 91.4, 76.0, 100.0, 94.1],
        }
    )
    register_summary = pd.DataFrame(
        {"Status": ["Complete", "In progress", "Not started"], "Recommendations": [3, 1, 1]}
    )
    return {
        "P1": [
            _table("p1_accounts", "P1", "Reach and engagement by account", accounts,
                   "Impressions as reported by each platform; LinkedIn reports organic posts only."),
            _table("p1_monthly", "P1", "Posts and impressions by month", monthly),
        ],
        "P2": [_table("p2_incidents", "P2", "Critical incidents: speed and reach of updates", incidents)],
        "P3": [
            _table("p3_response", "P3", "Response times by channel", response,
                   "Staffed hours are 8am to 8pm, seven days a week."),
            _table("p3_outcomes", "P3", "What happened to messages", outcomes),
        ],
        "P4": [_table("p4_plain_english", "P4", "Plain English by account", plain)],
        "P5": [
            MetricTable("p5_conduct", "P5", "Conduct cases by category and capacity", conduct,
                        "Counts under 5 are shown as <5 to protect the people involved.",
                        columns=conduct_columns, hidden=conduct_hidden),
            _table("p5_governance", "P5", "Account governance checks", governance),
        ],
        "P6": [_table("p6_register_status", "P6", "Last year's recommendations by status", register_summary)],
        "P7": [_table("p7_accessibility", "P7", "Accessibility of posts by platform", accessibility)],
    }


SECTIONS = (
    ("P1", "Reach and engagement",
     "Northshire Police will communicate and engage with the general public and the communities it "
     "serves, via a range of social media, including message boards, blogs and social media networks.",
     ["p1_impressions", "p1_engagement_rate", "p1_followers"],
     "Impressions rose by 12.7% to 14.8 million, but the engagement rate fell to 3.4%, below the 4% target."),
    ("P2", "Critical incidents",
     "Social media is a key tool for communicating, for critical incident management and operational planning.",
     ["p2_first_post_minutes"],
     "In all three critical incidents we posted publicly within 75 minutes; the median was 38 minutes."),
    ("P3", "Public contact online",
     "At all times we will maximise the availability of on-line processes through which the public can "
     "engage with the Force.",
     ["p3_contacts", "p3_median_response_minutes", "p3_answered_in_target_pct"],
     "Messages rose by 6%, and replies out of hours were slow: the median first reply took 3 h 20 min."),
    ("P4", "Quality and plain English",
     "Quality control, consistency, corporacy and minimal risk to reputation, using simple, jargon-free "
     "language which is easily understood.",
     ["p4_reading_ease"],
     "Posts are easier to read than last year; police jargon still appears in one post in eight."),
    ("P5", "Conduct and account security",
     "Officers and staff must consider their use of social media whether in a work related or a personal "
     "capacity. These must not cause any reputational risk to the Force.",
     ["p5_incidents", "p5_training_pct"],
     "Conduct cases held steady at 14; one account still lacks multi-factor authentication."),
    ("P6", "Annual review and recommendations",
     "The E-Communications Team will regularly review the Force's approach and will make recommendations "
     "to the Executive Board on an annual basis.",
     ["p6_recs_closed_pct"],
     "Three of last year's five recommendations are complete; one is overdue."),
    ("P7", "Equality and accessibility",
     "This instruction is designed to avoid discrimination and in accordance with the Human Rights Act 1998.",
     ["p7_alt_text_pct", "p7_captions_pct"],
     "Most videos are captioned, but two in five images still have no text description."),
)


def _charts() -> dict[str, list[Chart]]:
    monthly = [1120, 1040, 1210, 1180, 1300, 1150, 1260, 1050, 1281, 1421, 1311, 1297]
    hours = ["00", "03", "06", "09", "12", "15", "18", "21"]
    contacts = [1900, 900, 2600, 9800, 12400, 11800, 12100, 9640]
    return {
        "P1": [Chart(
            chart_id="p1_impressions_by_month", clause="P1", title="Impressions by month, 2025",
            caption="Impressions in thousands for each month of 2025, all official accounts.",
            alt="Impressions ranged from 1.04 million in February to 1.42 million in October, "
                "with a rise in the autumn.",
            source="Source: platform exports, posts table, 2025.",
            svg=bar_chart_svg(MONTHS, monthly),
        )],
        "P3": [Chart(
            chart_id="p3_contacts_by_hour", clause="P3", title="Messages by time of day",
            caption="Messages received in each three-hour block of the day, 2025.",
            alt="Messages were lowest between 3am and 6am (900) and highest between noon and 3pm (12,400).",
            source="Source: contacts table, 2025. Times are UK local time.",
            svg=bar_chart_svg(hours, contacts, colour=PALETTE[2]),
        )],
        "P7": [Chart(
            chart_id="p7_alt_text_by_quarter", clause="P7", title="Images with alt text by quarter",
            caption="Share of image posts with a text description on every image, by quarter.",
            alt="The share of image posts with alt text rose from 44% in the first quarter to 71% in the fourth.",
            source="Source: posts table, 2025.",
            svg=bar_chart_svg(["Q1", "Q2", "Q3", "Q4"], [44, 52, 63, 71], colour=PALETTE[3]),
        )],
    }


def _sections() -> list[ClauseSection]:
    tables, charts = _tables(), _charts()
    order = {"Red": 0, "Amber": 1, "Green": 2, "Not rated": 3}
    sections = []
    for clause, title, policy_text, ids, finding in SECTIONS:
        headlines = [HEADLINES[i] for i in ids]
        rag = min((h.rag for h in headlines), key=order.__getitem__)
        sections.append(
            ClauseSection(
                clause=clause, title=title, policy_text=policy_text, rag=rag, finding=finding,
                headlines=headlines, charts=charts.get(clause, []), tables=tables.get(clause, []),
            )
        )
    return sections


def _recommendations() -> list[Recommendation]:
    return [
        Recommendation(
            rec_id="P3-out-of-hours-response", clause="P3",
            title="Extend digital desk cover to midnight",
            text="Out of hours, the median first reply took 8 h 30 min against a 60-minute target. "
                 "We recommend the Board funds a late shift on the digital desk until midnight.",
            priority="high", owner="Head of Contact Management", for_decision=True,
            evidence={"p3_median_response_minutes": 200, "p3_answered_in_target_pct": 71.5},
            due_date=dt.date(2026, 9, 30),
        ),
        Recommendation(
            rec_id="P7-alt-text-mandatory", clause="P7",
            title="Make alt text a required step before posting",
            text="Only 58.3% of image posts had alt text on every image (target 90%). We recommend the "
                 "Board approves making alt text a required field in our publishing tool.",
            priority="high", owner="E-Communications Team Leader", for_decision=True,
            evidence={"p7_alt_text_pct": 58.3},
            due_date=dt.date(2026, 6, 30),
        ),
        Recommendation(
            rec_id="P1-engagement-content-plan", clause="P1",
            title="Refresh the content plan to lift engagement",
            text="The engagement rate fell from 3.9% to 3.4%. The team will test more local and video "
                 "content and report back in the next review.",
            priority="medium", owner="E-Communications Team Leader", for_decision=False,
            evidence={"p1_engagement_rate": 3.4},
            due_date=dt.date(2026, 12, 31),
        ),
        Recommendation(
            rec_id="P5-mfa-all-accounts", clause="P5",
            title="Turn on multi-factor authentication for every account",
            text="One of six official accounts does not use multi-factor authentication. The team will "
                 "close this gap within a month.",
            priority="high", owner="Information Security Officer", for_decision=False,
            evidence={"p5_training_pct": 86.0},
            due_date=dt.date(2026, 3, 31),
        ),
    ]


def _register() -> list[RegisterEntry]:
    def entry(rec_id, clause, title, owner, priority, status, due, note, overdue, year=2024):
        return RegisterEntry(
            rec_id=rec_id, year_raised=year, clause=clause, title=title, owner=owner, priority=priority,
            status=status, due_date=due, status_note=note, is_overdue=overdue,
        )

    return [
        entry("P1-instagram-growth", "P1", "Grow the Instagram audience", "E-Communications Team Leader",
              "medium", "complete", dt.date(2025, 6, 30), "Followers up 31% in the year.", False),
        entry("P3-response-targets", "P3", "Publish response-time targets on every account bio",
              "Head of Contact Management", "high", "complete", dt.date(2025, 3, 31), None, False),
        entry("P4-jargon-guide", "P4", "Issue a plain English guide for neighbourhood teams",
              "E-Communications Team Leader", "medium", "complete", dt.date(2025, 9, 30),
              "Guide issued in May; used in training.", False),
        entry("P5-training-refresh", "P5", "Refresh the social media conduct course",
              "Head of Learning and Development", "high", "in_progress", dt.date(2026, 3, 31),
              "New course written; launch planned for February.", False),
        entry("P7-captions-tool", "P7", "Buy a captioning tool for video", "Head of Digital",
              "low", "not started", dt.date(2025, 10, 31),
              "Delayed by procurement; a quote is expected in January.", True, year=2023),
    ]


def _definitions() -> list[MetricDefinition]:
    return [
        MetricDefinition(
            metric_id=h.metric_id, clause=h.clause, title=h.title, definition=h.definition,
            formula=h.formula, unit=h.unit,
        )
        for h in HEADLINES.values()
    ]


def _sources() -> list[SourceFile]:
    def sha(name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()

    rows = [
        ("exports/x/tweet_activity_2025.csv", "posts", "X tweet activity", 2067, 2067, 0),
        ("exports/meta/facebook_posts_2025.csv", "posts", "Meta Business Suite (Facebook)", 1190, 1188, 2),
        ("exports/meta/instagram_posts_2025.csv", "posts", "Meta Business Suite (Instagram)", 402, 402, 0),
        ("exports/youtube/content_2025.csv", "posts", "YouTube Studio", 36, 36, 0),
        ("exports/linkedin/updates_2025.xlsx", "posts", "LinkedIn", 118, 118, 0),
        ("registers/accounts.csv", "accounts", "canonical CSV", 6, 6, 0),
        ("registers/audience.csv", "audience", "canonical CSV", 2190, 2190, 0),
        ("registers/contacts.parquet", "contacts", "canonical Parquet", 61_301, 61_240, 61),
        ("registers/incidents.csv", "incidents", "canonical CSV", 14, 14, 0),
        ("registers/critical_incidents.csv", "critical_incidents", "canonical CSV", 3, 3, 0),
        ("registers/compliance_checks.xlsx", "compliance_checks", "canonical XLSX", 96, 96, 0),
        ("registers/training.csv", "training", "canonical CSV", 3650, 3644, 6),
        ("registers/recommendations.csv", "recommendations", "canonical CSV", 5, 5, 0),
    ]
    return [
        SourceFile(path=p, table=t, format=f, sha256=sha(p), rows_read=r, rows_accepted=a, rows_rejected=x)
        for p, t, f, r, a, x in rows
    ]


LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
    '<path d="M32 4 L58 14 L54 42 Q48 54 32 60 Q16 54 10 42 L6 14 Z" fill="#ffffff"/>'
    '<path d="M32 12 L50 19 L47 40 Q43 49 32 53 Q21 49 17 40 L14 19 Z" fill="#1d3557"/>'
    "</svg>"
)


def make_context(**overrides) -> ReportContext:
    """Return a full, realistic context for the 2025 review; keyword arguments replace fields."""
    sections = _sections()
    ctx = ReportContext(
        force_name="Northshire Police",
        title="Annual review of social media use",
        period_label="2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        marking="OFFICIAL",
        version="1.0",
        report_date=dt.date(2026, 1, 20),
        author="E-Communications Team, Strategic Corporate Communications",
        presenter="Director of Strategic Corporate Communications",
        meeting="Executive Board, 3 February 2026",
        is_sample=True,
        brand_colour="#1d3557",
        logo_svg=LOGO_SVG,
        purpose=(
            "This paper reports the E-Communications Team's annual review of how the Force used social "
            "media in 2025, as the Force's policy on online communication requires. It asks the Board "
            "to make two decisions and to note two actions the team will take."
        ),
        executive_summary=[
            "Our posts were seen 14.8 million times in 2025, 12.7% more than in 2024, and followers grew "
            "to 412,300. Fewer people reacted to what they saw: the engagement rate fell to 3.4%.",
            "In the three critical incidents of the year we posted quickly, with a median of 38 minutes "
            "from declaration to the first public post.",
            "People sent us 61,240 messages. We answered 71.5% of those that needed a reply within an "
            "hour, short of the 80% target, mainly because replies outside staffed hours were slow.",
            "Two in five image posts had no alt text, so people who use screen readers missed them.",
        ],
        headlines=[HEADLINES[i] for i in SUMMARY_IDS],
        sections=sections,
        recommendations=_recommendations(),
        register=_register(),
        implications={
            "Finance": "A late shift on the digital desk costs about £96,000 a year (two posts at "
                       "scale 5). The other actions are met from existing budgets.",
            "Legal": "No new legal risks. Recommendation 2 helps meet the Public Sector Bodies "
                     "Accessibility Regulations 2018.",
            "Equality": "Making alt text a required step improves access for blind and partially "
                        "sighted people. An equality impact assessment will be updated.",
            "Risk": "Slow replies out of hours risk people using social media to report urgent matters "
                    "that go unseen. Every account bio tells people to call 999 in an emergency.",
        },
        sources=_sources(),
        rows_rejected=69,
        definitions=_definitions(),
        methodology=[
            "We loaded every platform export and internal register for 1 January to 31 December 2025, "
            "checked each row against the data rules, and kept a log of every row we could not use.",
            "Times are stored in UTC and reported in UK local time. Staffed hours are 8am to 8pm.",
            "Counts of fewer than 5 people are shown as <5 so that no one can be identified.",
            "Ratings: Green means the target was met; Amber means within 10% of the target or no "
            "target and getting worse; Red means more than 10% short of the target.",
        ],
        glossary={
            "Alt text": "A short text description of an image, read aloud by screen readers.",
            "Engagement": "A reaction, comment, share or link click on a post.",
            "Impression": "One time a post was shown on someone's screen.",
            "Median": "The middle value when all values are put in order.",
            "Not measured": "There is no figure: the data it needs was not supplied. It is never a zero.",
            "RAG": "Red, Amber, Green: our rating of each figure against its target.",
        },
    )
    return dataclasses.replace(ctx, **overrides)
