"""Every metric, defined once: what it means, how it is computed, which clause it serves.

The report's definitions appendix, the workbook's definitions sheet and docs/metrics.md all
read this list. A clause module may only return values for ids registered here (a test checks
both directions), so a figure cannot reach the Board without a definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from review.config import ReviewConfig
from review.evidence.metrics.coverage import INCIDENT_LINK


@dataclass(frozen=True)
class Metric:
    metric_id: str
    clause: str
    title: str
    definition: str  # plain English
    formula: str
    unit: str  # count | pct | minutes | days | people | rate
    higher_is_better: bool | None  # None: neither direction is better (volume measures)
    target: str | None = None  # name of the field in config.targets that holds the target
    headline: bool = False  # shown among the executive summary's headline figures
    # Shown as a card in its clause's section; False for a figure the section's finding and table
    # already give (P7's companions of the least-reached group), so the paper stays short.
    card: bool = True
    # A change in what a platform counts under this metric; shown when that platform's posts are in.
    caveat: str | None = None
    caveat_platforms: tuple[str, ...] = ()
    # Privacy, declared here once for every output (review.disclosure): `small_count` marks a
    # count of people or cases (conduct cases) that is printed "<5" below the threshold;
    # `part_of` names the small count this one is a part of (the rest can be worked out by
    # subtraction, so it is protected with it); `derived_from` names the small count this figure
    # is worked out from (a rate per 1,000 people gives the count back), hidden whenever it is.
    small_count: bool = False
    part_of: str | None = None
    derived_from: str | None = None
    # The inputs the metric needs: tables ("contacts") and columns ("posts.has_alt_text"), or
    # coverage.INCIDENT_LINK. Without one the metric is not measured (review.evidence.metrics.coverage).
    needs: tuple[str, ...] = ()
    # Why there is no value when every input is there but there is nothing to measure.
    none_reason: str = "there was nothing to measure in the period"

    def target_value(self, config: ReviewConfig) -> float | None:
        return None if self.target is None else float(getattr(config.targets, self.target))


# Canonical tables whose rows are people's cases: any count of their rows is a small count
# (review.values), wherever it is printed (the data-quality notebook counts rows per period).
SMALL_COUNT_TABLES = ("incidents",)

METRICS: dict[str, Metric] = {
    m.metric_id: m
    for m in [
        # P1 reach and engagement
        Metric("p1_accounts_open", "P1", "Open accounts", "Official accounts open at the end of the period.",
               "count of accounts opened before the period end and not closed by then", "count", None,
               needs=("accounts",)),
        Metric("p1_posts", "P1", "Posts", "Posts published by official accounts in the period.",
               "count of posts", "count", None,
               needs=("posts",)),
        Metric("p1_impressions", "P1", "Impressions",
               "Times posts were shown on screen. X calls these views since 2023.",
               "sum of impressions over posts", "count", True, headline=True,
               caveat="X replaced impressions with views in 2023 and counts views more widely, so X "
               "figures across that change are not like for like.",
               caveat_platforms=("X",),
               needs=("posts.impressions",)),
        Metric("p1_engagements", "P1", "Engagements",
               "Reactions, comments, shares and clicks on posts, as each platform counts them.",
               "sum of engagements over posts", "count", True,
               caveat="Platforms count engagement differently (X counts profile clicks and expands; "
               "Facebook counts reactions, comments, shares and clicks), so compare a platform with itself.",
               caveat_platforms=("X", "Facebook"),
               needs=("posts.engagements",)),
        Metric("p1_engagement_rate_pct", "P1", "Engagement rate",
               "Engagements as a share of impressions, over posts that report both.",
               "sum of engagements / sum of impressions × 100", "pct", True,
               target="engagement_rate_pct", headline=True,
               needs=("posts.impressions", "posts.engagements"),
               none_reason="no post reports both impressions and engagements"),
        Metric("p1_reach", "P1", "Reach, summed over posts",
               "Each post's reach (the people it reached, as its platform estimates it), added up over the posts "
               "whose platform reports it. It is not a count of people: one person reached by two posts counts "
               "twice. The report names the platforms it covers; posts from the others are left out.",
               "sum of reach over posts that report it", "count", True,
               needs=("posts.reach",)),
        Metric("p1_followers_start", "P1", "Followers at the start",
               "Followers of the accounts open at the end of the period, at the start of the period: each "
               "account's first figure, when it is dated in the period's first month.",
               "sum over open accounts of the first follower count, if dated within the follower-edge setting (days) of the start", "people", None,
               needs=("audience", "accounts"),
               none_reason="no open account has a follower figure near the start of the period"),
        Metric("p1_follower_growth_pct", "P1", "Follower growth",
               "Change in followers of open accounts from the start to the end of the period, over the accounts "
               "with a figure near both ends (see followers at the start and followers).",
               "(followers at end − followers at start) / followers at start × 100", "pct", True,
               needs=("audience", "accounts"),
               none_reason="no open account has follower figures near both the start and the end of the period"),
        Metric("p1_small_accounts", "P1", "Small accounts",
               "Open accounts with fewer followers than the small-account setting: candidates to merge.",
               "count of open accounts with followers at period end below the small-account setting",
               "count", False,
               needs=("accounts", "audience")),
        Metric("p1_followers_end", "P1", "Followers",
               "Followers of all open accounts at the end of the period: each account's last figure, when it "
               "is dated in the period's last month. One person who follows two accounts counts twice.",
               "sum over open accounts of the last follower count, if dated within the follower-edge setting (days) of the end", "people", True,
               needs=("audience", "accounts"),
               none_reason="no open account has a follower figure near the end of the period"),
        # P2 critical incidents
        Metric("p2_critical_incidents", "P2", "Critical incidents", "Critical incidents declared in the period.",
               "count of critical incidents", "count", None,
               needs=("critical_incidents",)),
        Metric("p2_first_post_median_minutes", "P2", "Time to first post",
               "The typical time from declaring a critical incident to the first public post about it.",
               "median over incidents of (first post time − declaration time), in minutes", "minutes", False,
               target="critical_incident_first_post_minutes", headline=True,
               needs=("critical_incidents", "posts", INCIDENT_LINK),
               none_reason="no critical incident in the period had a post after it was declared"),
        Metric("p2_missed_target", "P2", "Incidents with a late first post",
               "Critical incidents whose first public post came later than the target, or never.",
               "count of incidents with (first post − declaration) > target, or no post", "count", False,
               target="late_first_posts",
               needs=("critical_incidents", "posts", INCIDENT_LINK)),
        Metric("p2_rumour_corrections", "P2", "Rumour corrections",
               "Posts about a critical incident that correct rumour or false reports.",
               "count of incident posts mentioning rumour, speculation, misinformation or false reports",
               "count", None,
               needs=("critical_incidents", "posts.text", INCIDENT_LINK)),
        # P3 availability
        Metric("p3_contacts", "P3", "Inbound messages",
               "Comments, mentions, direct messages and forum posts sent to official accounts.",
               "count of contacts", "count", None,
               needs=("contacts",)),
        Metric("p3_first_response_median_minutes", "P3", "Time to first response",
               "The typical time to the first reply, over messages that needed one and got one.",
               "median of (first response − received), in minutes", "minutes", False,
               target="first_response_minutes", headline=True,
               needs=("contacts",),
               none_reason="no message that needed a reply got one in the period"),
        Metric("p3_first_response_p90_minutes", "P3", "Time to first response (slowest tenth)",
               "Nine in ten replies came faster than this.",
               "90th percentile of (first response − received), in minutes", "minutes", False,
               needs=("contacts",),
               none_reason="no message that needed a reply got one in the period"),
        Metric("p3_in_hours_median_minutes", "P3", "Time to first response in staffed hours",
               "The typical time to the first reply for messages that arrived while the desk was staffed.",
               "median of response minutes over messages received in staffed hours", "minutes", False,
               target="first_response_minutes",
               needs=("contacts",),
               none_reason="no message that arrived in staffed hours got a reply"),
        Metric("p3_in_hours_p90_minutes", "P3", "Time to first response in staffed hours (slowest tenth)",
               "Nine in ten replies to messages sent in staffed hours came faster than this.",
               "90th percentile of response minutes in staffed hours", "minutes", False,
               needs=("contacts",),
               none_reason="no message that arrived in staffed hours got a reply"),
        Metric("p3_out_of_hours_p90_minutes", "P3", "Time to first response out of hours (slowest tenth)",
               "Nine in ten replies to messages sent out of hours came faster than this.",
               "90th percentile of response minutes out of staffed hours", "minutes", False,
               needs=("contacts",),
               none_reason="no message that arrived out of hours got a reply"),
        Metric("p3_out_of_hours_median_minutes", "P3", "Time to first response out of hours",
               "The typical time to the first reply for messages that arrived when the desk was not staffed.",
               "median of response minutes over messages received outside staffed hours", "minutes", False,
               target="first_response_minutes",
               needs=("contacts",),
               none_reason="no message that arrived out of hours got a reply"),
        Metric("p3_answered_within_target_pct", "P3", "Answered in time",
               "Share of messages needing a reply that got one within the target time.",
               "messages answered within the target / messages needing a response × 100", "pct", True,
               target="answered_within_target_pct", headline=True,
               needs=("contacts",),
               none_reason="no message in the period needed a reply"),
        Metric("p3_unanswered", "P3", "Still unanswered",
               "Messages that needed a reply and had none at the end of the period.",
               "count of contacts needing a response with no first response", "count", False,
               needs=("contacts",)),
        # P4 quality and plain English
        Metric("p4_plain_english_pct", "P4", "Posts in plain English",
               "Share of posts with text whose Flesch reading ease meets the target, after taking out "
               "links, @mentions and hashtags.",
               "posts with reading ease ≥ target / posts with text × 100", "pct", True,
               target="plain_english_pct", headline=True,
               needs=("posts.text",),
               none_reason="no post in the period has words to score"),
        Metric("p4_jargon_per_100_posts", "P4", "Police jargon per 100 posts",
               "Uses of words from the police jargon list per 100 posts.",
               "jargon matches / posts with text × 100", "rate", False,
               needs=("posts.text",),
               none_reason="no post in the period has words to score"),
        Metric("p4_audit_pass_pct", "P4", "Audits passed", "Share of quality and compliance checks passed.",
               "checks passed / checks × 100", "pct", True, target="audit_pass_pct",
               needs=("compliance_checks",),
               none_reason="no audit checks were made in the period"),
        Metric("p4_approval_pct", "P4", "Posts approved before publishing",
               "Share of posts that went through the approval step.",
               "approved posts / posts with a recorded approval status × 100", "pct", True,
               needs=("posts.was_approved",)),
        # P5 conduct and governance
        Metric("p5_conduct_cases", "P5", "Conduct cases",
               "Social-media related incidents and conduct cases opened in the period.",
               "count of incidents opened", "count", False, small_count=True,
               needs=("incidents",)),
        Metric("p5_personal_cases", "P5", "Conduct cases from personal use",
               "Conduct cases about officers' and staff's personal use of social media.",
               "count of incidents opened with capacity personal", "count", False, small_count=True,
               part_of="p5_conduct_cases",
               needs=("incidents",)),
        Metric("p5_cases_per_1000_staff", "P5", "Conduct cases per 1,000 people",
               "Conduct cases for every 1,000 officers and staff.",
               "cases / headcount × 1,000", "rate", False, derived_from="p5_conduct_cases",
               needs=("incidents",)),
        Metric("p5_days_to_close_median", "P5", "Days to close a case",
               "The typical time from opening a conduct case to closing it, over cases closed in the period.",
               "median of (closed date − opened date) in days, over closed cases", "days", False,
               needs=("incidents",),
               none_reason="no conduct case opened in the period has been closed"),
        Metric("p5_open_cases", "P5", "Cases still open", "Conduct cases opened in the period and not yet closed.",
               "count of incidents opened with no closed date", "count", None, small_count=True,
               part_of="p5_conduct_cases",
               needs=("incidents",)),
        Metric("p5_never_trained", "P5", "Account users never trained",
               "People listed as using a force account who have never done the social media course.",
               "count of people whose only training rows have no completion date", "people", False,
               needs=("training",)),
        Metric("p5_training_in_date_pct", "P5", "Training in date",
               "Share of the people listed as using a force account whose latest social media course is still in "
               "date at the end of the period. People never trained count as not in date.",
               "people in date / people listed in the training register × 100", "pct", True,
               target="training_in_date_pct", headline=True,
               needs=("training",),
               none_reason="the training register lists no one"),
        Metric("p5_mfa_pct", "P5", "Accounts with MFA",
               "Share of open accounts protected by multi-factor authentication.",
               "open accounts with MFA / open accounts × 100", "pct", True, target="mfa_pct",
               needs=("accounts",),
               none_reason="no account was open at the end of the period"),
        Metric("p5_dormant_accounts", "P5", "Dormant accounts",
               "Open accounts with no post in the last part of the period (the dormant-days setting).",
               "count of open accounts whose last post is older than the dormant-days limit", "count", False,
               needs=("accounts", "posts")),
        Metric("p5_review_overdue_accounts", "P5", "Account reviews overdue",
               "Open accounts not reviewed within the review interval.",
               "count of open accounts whose last review is older than the interval, or never", "count", False,
               needs=("accounts",)),
        # P6 recommendations
        Metric("p6_prior_recommendations", "P6", "Earlier recommendations tracked",
               "Recommendations from earlier reviews in the register.", "count of register entries",
               "count", None,
               needs=("recommendations",)),
        Metric("p6_implemented_pct", "P6", "Earlier recommendations implemented",
               "Share of earlier recommendations implemented, of those not rejected or superseded.",
               "implemented / (all − rejected − superseded) × 100", "pct", True,
               needs=("recommendations",),
               none_reason="there are no earlier recommendations to follow up"),
        Metric("p6_overdue", "P6", "Recommendations overdue",
               "Earlier recommendations past their due date and not yet implemented.",
               "count with due date before period end and status open or in progress", "count", False,
               needs=("recommendations",)),
        # P7 equality and accessibility
        Metric("p7_alt_text_pct", "P7", "Images with alt text",
               "Share of image posts whose images all have alt text, so screen reader users get them; over the "
               "image posts whose export or register records alt text.",
               "image posts with alt text / image posts recording alt text × 100", "pct", True, target="alt_text_pct",
               headline=True,
               needs=("posts.has_alt_text",),
               none_reason="no image post in the period records whether it has alt text"),
        Metric("p7_captions_pct", "P7", "Videos with captions",
               "Share of video posts with captions, over the video posts whose export or register records captions.",
               "video posts with captions / video posts recording captions × 100", "pct", True, target="captions_pct",
               needs=("posts.has_captions",),
               none_reason="no video post in the period records whether it has captions"),
        Metric("p7_discrimination_cases", "P7", "Discrimination cases",
               "Conduct cases about discriminatory content.", "count of incidents in that category",
               "count", False, small_count=True, part_of="p5_conduct_cases",
               needs=("incidents",)),
        Metric("p7_camel_case_hashtags_pct", "P7", "Hashtags in camel case",
               "Share of long hashtags (8 letters or more, so most are several words) written in camel case "
               "(#MissingPerson), which screen readers read as separate words.",
               "camel-case hashtags / hashtags of 8 or more letters × 100", "pct", True,
               needs=("posts.text",),
               none_reason="no post in the period uses a hashtag of 8 letters or more"),
        Metric("p7_lowest_representation_pct", "P7", "Least-reached group",
               "The representation of the group (an age band, by sex where the exports split it) least reached by "
               "the force's channels together: its share of the followers as a percentage of its share of the force "
               "area's residents of those ages. 100 means the audience mirrors the area; 25 that the group is a "
               "quarter as large a part of the audience as of the area. Groups with too few followers are not measured.",
               "min over groups of (group's share of followers / group's share of the population) × 100", "pct", True,
               target="representation_min_pct",
               needs=("audience_demographics", "population", "audience"),
               none_reason="no account has both age figures and a follower figure in the period, or every group has "
               "too few followers"),
        Metric("p7_underreached_groups", "P7", "Under-reached groups",
               "Groups (age bands, by sex where split) whose representation in the audience of all channels together "
               "is below the tolerance (the representation target). Rated through the least-reached group, so the "
               "same shortfall is not counted twice.",
               "count of measured groups with representation below targets.representation_min_pct", "count", None,
               card=False,
               needs=("audience_demographics", "population", "audience"),
               none_reason="no account has both age figures and a follower figure in the period, or every group has "
               "too few followers"),
        Metric("p7_audience_gap_pts", "P7", "Audience gap from the population",
               "How far the age (and sex) make-up of the audience of all channels together is from the area's: half "
               "the sum of the gaps between each group's share of followers and its share of residents, in percentage "
               "points (0 = the audience mirrors the area; 100 = no overlap). The index of dissimilarity.",
               "½ × Σ over groups |share of followers − share of population| × 100", "rate", False,
               card=False,
               needs=("audience_demographics", "population", "audience"),
               none_reason="no account has both age figures and a follower figure in the period"),
        Metric("p7_best_channel_gap_pts", "P7", "Gap of the closest single channel",
               "The audience gap (as above) of the one channel whose audience is closest to the area, on the same "
               "groups: when it is smaller than the gap of all channels together, one channel alone covers the "
               "population better than the mix.",
               "min over channels of the audience gap on the combined groups", "rate", False,
               card=False,
               needs=("audience_demographics", "population", "audience"),
               none_reason="fewer than two channels have age figures and a follower figure, so there is no mix to compare"),
    ]
}


def rate(metric: Metric, value: float | None, config: ReviewConfig) -> str:
    """Green, Amber or Red against the metric's target; 'Not rated' without one.

    Amber means short of the target by no more than the configured margin (a share of the target),
    and only that: a measure getting worse on last year is not Amber for it.
    """
    target = metric.target_value(config)
    if target is None or value is None or metric.higher_is_better is None:
        return "Not rated"
    margin = config.targets.amber_margin_pct / 100
    if metric.higher_is_better:
        if value >= target:
            return "Green"
        return "Amber" if value >= target * (1 - margin) else "Red"
    if value <= target:
        return "Green"
    return "Amber" if value <= target * (1 + margin) else "Red"


# The inputs behind each metric table and chart series, as `Metric.needs`: a table or chart whose
# inputs are missing is left out (the coverage section says what was not measured), so no
# breakdown of zeros stands in for data that was never supplied.
TABLE_NEEDS: dict[str, tuple[str, ...]] = {
    "p1_by_platform": ("posts",),
    "p1_accounts_mix": ("accounts",),
    "p1_channels": ("posts",),
    "p1_by_month": ("posts",),
    "p1_top_posts": ("posts.impressions",),
    "p1_content_mix": ("posts.text",),
    "p2_incidents": ("critical_incidents",),
    "p3_staffed_hours": ("contacts",),
    "p3_by_channel": ("contacts",),
    "p3_by_platform": ("contacts",),
    "p3_outcomes": ("contacts",),
    "p4_by_account": ("posts.text",),
    "p4_jargon": ("posts.text",),
    "p4_account_month": ("posts.text",),
    "p4_audits": ("compliance_checks",),
    "p5_cases": ("incidents",),
    "p5_account_gaps": ("accounts",),
    "p5_cases_by_severity": ("incidents",),
    "p5_cases_by_outcome": ("incidents",),
    "p5_training_by_unit": ("training",),
    "p5_training_by_role": ("training",),
    "p6_status": ("recommendations",),
    "p7_accessibility": ("posts",),
    "p7_representation": ("audience_demographics", "population", "audience"),
}
SERIES_NEEDS: dict[str, tuple[str, ...]] = {
    "p1_monthly": ("posts.impressions",),
    "p1_reach_per_account": ("posts.impressions",),
    "p1_themes": ("posts.text",),
    "p2_timeline": ("critical_incidents", "posts", INCIDENT_LINK),
    "p2_incidents": ("critical_incidents",),
    "p3_weekday_hour": ("contacts",),
    "p3_per_account": ("contacts",),
    "p4_by_account": ("posts.text",),
    "p5_training_by_unit": ("training",),
    "p7_alt_text_by_platform": ("posts.has_alt_text",),
    "p7_representation": ("audience_demographics", "population", "audience"),
}
