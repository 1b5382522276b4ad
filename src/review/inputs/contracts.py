"""The canonical tables: each table's contract, defined exactly once.

Every column has a title, a plain-English description and (where one applies) a unit. Validation,
the data dictionary (`review docs`), the report's appendix and the sample generator all read
these models; nothing else restates a column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

PLATFORMS = ["X", "Facebook", "Instagram", "YouTube", "Nextdoor", "LinkedIn", "TikTok", "Other"]
PURPOSES = ["corporate", "neighbourhood", "specialist", "recruitment"]
MEDIA_TYPES = ["text", "image", "video", "link"]
CONTACT_KINDS = ["comment", "mention", "direct_message", "forum_post", "blog_comment"]
CONTACT_OUTCOMES = [
    "answered",
    "signposted_101",
    "signposted_999",
    "incident_created",
    "crime_reported",
    "no_response_needed",
]
INCIDENT_CATEGORIES = [
    "inappropriate_content",
    "disclosure_of_information",
    "harassment_or_abuse",
    "discriminatory_content",
    "political_activity",
    "misuse_of_force_account",
    "other",
]
CAPACITIES = ["work", "personal"]
SEVERITIES = ["low", "medium", "high"]
ROLES = ["officer", "staff", "special_constable", "volunteer"]
INCIDENT_OUTCOMES = [
    "open",
    "no_further_action",
    "management_action",
    "reflective_practice",
    "written_warning",
    "final_written_warning",
    "dismissal",
    "resigned_or_retired",
]
CHECK_TYPES = ["post_quality", "approval", "brand_and_bio", "accessibility", "security"]
CHECK_RESULTS = ["pass", "fail"]
CLAUSES = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
PRIORITIES = ["high", "medium", "low"]
REC_STATUSES = ["open", "in_progress", "implemented", "rejected", "superseded"]
AUDIENCE_DIMENSIONS = ["age", "sex", "country", "town"]
POPULATION_DIMENSIONS = ["age", "ethnicity", "language"]
SEXES = ["female", "male", "other"]

UTC = pd.DatetimeTZDtype(unit="ns", tz="UTC")


def _f(title: str, description: str, unit: str | None = None, personal: bool = False, **checks) -> object:
    """A contract field: title and description are required, the unit where one applies.

    `personal` marks a column that identifies a person: ingest replaces its values with a keyed
    pseudonym before validation (review.inputs.pseudonym)."""
    metadata = {"unit": unit} | ({"personal": True} if personal else {})
    return pa.Field(title=title, description=description, metadata=metadata, **checks)


class _Contract(pa.DataFrameModel):
    class Config:
        strict = "filter"  # extra input columns are dropped, and reported by ingest
        coerce = False  # typing happens in validate.coerce, which records each bad cell


class Accounts(_Contract):
    """One official social media account the force runs, open or closed."""

    account_id: Series[str] = _f(
        "Account id", "The force's own stable identifier for the account.", unique=True
    )
    platform: Series[str] = _f("Platform", "The social network the account is on.", isin=PLATFORMS)
    handle: Series[str] = _f("Handle", "The account's public handle or page address.")
    name: Series[str] = _f("Account name", "The account's display name.")
    owner_unit: Series[str] = _f("Owning unit", "The team or area accountable for the account.")
    purpose: Series[str] = _f(
        "Purpose",
        "What the account is for: corporate, neighbourhood, specialist or recruitment.",
        isin=PURPOSES,
    )
    opened_date: Series[pd.Timestamp] = _f("Opened", "Date the account was opened.", "date")
    closed_date: Series[pd.Timestamp] = _f(
        "Closed", "Date the account was closed; empty while it is open.", "date", nullable=True
    )
    is_approved: Series[pd.BooleanDtype] = _f(
        "Approved owner",
        "True when the account has a named owner approved by Corporate Communications.",
    )
    has_mfa: Series[pd.BooleanDtype] = _f(
        "MFA on", "True when multi-factor authentication protects the account's login."
    )
    admin_count: Series[pd.Int64Dtype] = _f(
        "Administrators", "People who can publish on the account.", "people", ge=0
    )
    last_reviewed_date: Series[pd.Timestamp] = _f(
        "Last reviewed",
        "Date of the last governance review of the account; empty if never reviewed.",
        "date",
        nullable=True,
    )


class Posts(_Contract):
    """One post published by an official account, with its lifetime performance."""

    post_id: Series[str] = _f("Post id", "The platform's identifier for the post.", unique=True)
    account_id: Series[str] = _f("Account id", "The account that published the post.")
    published_at: Series[UTC] = _f("Published", "When the post went live.")
    text: Series[str] = _f("Text", "The words of the post, as published.", nullable=True)
    media_type: Series[str] = _f(
        "Media", "What the post carries: text only, an image, a video or a link.", isin=MEDIA_TYPES
    )
    has_alt_text: Series[pd.BooleanDtype] = _f(
        "Alt text", "For image posts, true when every image has alt text.", nullable=True
    )
    has_captions: Series[pd.BooleanDtype] = _f(
        "Captions", "For video posts, true when the video has captions.", nullable=True
    )
    was_approved: Series[pd.BooleanDtype] = _f(
        "Approved before publishing",
        "True when the post went through the approval step before it was published.",
        nullable=True,
    )
    critical_incident_id: Series[str] = _f(
        "Critical incident", "The critical incident the post is about, if any.", nullable=True
    )
    impressions: Series[pd.Int64Dtype] = _f(
        "Impressions", "Times the post was shown on screen (X: impressions, later views).", "count", ge=0, nullable=True
    )
    reach: Series[pd.Int64Dtype] = _f(
        "Reach", "Distinct people the post was shown to, as the platform estimates it.", "people", ge=0, nullable=True
    )
    engagements: Series[pd.Int64Dtype] = _f(
        "Engagements",
        "Interactions with the post: reactions, comments, shares and clicks, as the platform counts them.",
        "count",
        ge=0,
        nullable=True,
    )
    reactions: Series[pd.Int64Dtype] = _f("Reactions", "Likes and other reactions.", "count", ge=0, nullable=True)
    comments: Series[pd.Int64Dtype] = _f("Comments", "Comments and replies.", "count", ge=0, nullable=True)
    shares: Series[pd.Int64Dtype] = _f("Shares", "Shares, reposts and retweets.", "count", ge=0, nullable=True)
    link_clicks: Series[pd.Int64Dtype] = _f("Link clicks", "Clicks on a link in the post.", "count", ge=0, nullable=True)
    video_views: Series[pd.Int64Dtype] = _f(
        "Video views", "Video plays as the platform counts them.", "count", ge=0, nullable=True
    )


class Audience(_Contract):
    """Followers of one account on one day."""

    account_id: Series[str] = _f("Account id", "The account followed.")
    date: Series[pd.Timestamp] = _f("Date", "The day the count was taken.", "date")
    followers: Series[pd.Int64Dtype] = _f(
        "Followers", "People following the account at the end of the day.", "people", ge=0
    )

    class Config:
        unique = ["account_id", "date"]


class AudienceDemographics(_Contract):
    """Who follows one account: its followers' shares (or counts) by age band, sex, country or town,
    as the platform's audience export gives them."""

    account_id: Series[str] = _f("Account id", "The account whose followers are described.")
    as_of: Series[pd.Timestamp] = _f(
        "As of", "The day the figures describe. TikTok Studio and Meta's Audience export carry no date: ingest "
        "takes them as the followers at the end of the review period (--year); without one it stays empty and "
        "no period uses the row.", "date", nullable=True)
    dimension: Series[str] = _f(
        "Dimension", "What the followers are divided by: age (an age band, for one sex when `sex` is filled), "
        "sex, country or town.", isin=AUDIENCE_DIMENSIONS)
    band: Series[str] = _f(
        "Band", "The group, as the platform names it: an age band (`18-24`, `65+`), a sex (`female`), a country "
        "(`GB`, `United Kingdom`) or a town (`Northshire, England`).")
    sex: Series[str] = _f(
        "Sex", "For an age band split by sex (Meta's Age & gender table): the sex the figure is for; empty "
        "otherwise.", isin=SEXES, nullable=True)
    share: Series[float] = _f(
        "Share", "The band's share of the account's followers, as a fraction (0.041 for 4.1%).", "fraction",
        ge=0, le=1, nullable=True)
    count: Series[pd.Int64Dtype] = _f(
        "Followers in band", "Followers in the band, when the export gives a count rather than a share.",
        "people", ge=0, nullable=True)

    class Config:
        unique = ["account_id", "as_of", "dimension", "band", "sex"]

    @pa.dataframe_check(error="share (or count) is required: a row needs one of them")
    def share_or_count(cls, df: pd.DataFrame) -> Series[bool]:
        return df["share"].notna() | df["count"].notna()


class Population(_Contract):
    """The people of the force area by age band and sex (and, optionally, by ethnic group or main
    language), from the census: a small register the team supplies once (see docs/population.md)."""

    area: Series[str] = _f("Area", "The force area, or the part of it (a local authority) the figure is for.")
    dimension: Series[str] = _f(
        "Dimension", "What the people are divided by: age (an age band for one sex), ethnicity or language.",
        isin=POPULATION_DIMENSIONS)
    band: Series[str] = _f(
        "Band", "The group: an age band in years (`15-19`, `85+`), an ethnic group or a main language, as the "
        "census table names it.")
    sex: Series[str] = _f("Sex", "For an age band: female or male; empty otherwise.", isin=SEXES, nullable=True)
    people: Series[pd.Int64Dtype] = _f("People", "Usual residents in the band.", "people", ge=0)
    source: Series[str] = _f(
        "Source", "The census table the figure comes from (ONS Census 2021: TS009 sex by single year of age, "
        "TS021 ethnic group, TS024 main language).", nullable=True)

    class Config:
        unique = ["area", "dimension", "band", "sex"]

    @pa.dataframe_check(error="band must be an age band in years (15-19, 85+) when dimension is age")
    def age_band_in_years(cls, df: pd.DataFrame) -> Series[bool]:
        return df["dimension"].ne("age") | df["band"].astype(str).str.fullmatch(r"\s*\d+\s*(-\s*\d+|\+)\s*")


class Contacts(_Contract):
    """One inbound public message: a comment, mention, direct message, forum or blog post."""

    contact_id: Series[str] = _f("Contact id", "The identifier of the message.", unique=True)
    account_id: Series[str] = _f("Account id", "The account the message was sent to.")
    received_at: Series[UTC] = _f("Received", "When the message arrived.")
    kind: Series[str] = _f(
        "Kind", "Comment, mention, direct message, forum post or blog comment.", isin=CONTACT_KINDS
    )
    needs_response: Series[pd.BooleanDtype] = _f(
        "Needs a response", "True when the message asked for or needed a reply from the force."
    )
    first_response_at: Series[UTC] = _f(
        "First response",
        "When the force first replied; empty if it has not.",
        nullable=True,
    )
    outcome: Series[str] = _f(
        "Outcome",
        "What came of the message; empty while it is still open.",
        isin=CONTACT_OUTCOMES,
        nullable=True,
    )

    @pa.dataframe_check(error="first_response_at must not be before received_at")
    def response_after_receipt(cls, df: pd.DataFrame) -> Series[bool]:
        return df["first_response_at"].isna() | (df["first_response_at"] >= df["received_at"])


class Incidents(_Contract):
    """One social-media related incident or conduct case involving officers or staff."""

    incident_id: Series[str] = _f("Incident id", "The professional standards reference.", unique=True)
    opened_date: Series[pd.Timestamp] = _f("Opened", "Date the case was opened.", "date")
    closed_date: Series[pd.Timestamp] = _f(
        "Closed", "Date the case was closed; empty while open.", "date", nullable=True
    )
    category: Series[str] = _f("Category", "What the case was about.", isin=INCIDENT_CATEGORIES)
    capacity: Series[str] = _f(
        "Capacity", "Whether the use was in a work or a personal capacity.", isin=CAPACITIES
    )
    severity: Series[str] = _f("Severity", "Low, medium or high.", isin=SEVERITIES)
    role: Series[str] = _f("Role", "The role of the person involved.", isin=ROLES)
    outcome: Series[str] = _f("Outcome", "How the case ended, or open.", isin=INCIDENT_OUTCOMES)

    @pa.dataframe_check(error="closed_date must not be before opened_date")
    def closed_after_opened(cls, df: pd.DataFrame) -> Series[bool]:
        return df["closed_date"].isna() | (df["closed_date"] >= df["opened_date"])


class CriticalIncidents(_Contract):
    """One critical incident the force declared."""

    critical_incident_id: Series[str] = _f(
        "Critical incident id", "The force's reference for the incident.", unique=True
    )
    name: Series[str] = _f("Name", "A short public name for the incident.")
    declared_at: Series[UTC] = _f("Declared", "When the incident was declared.")
    stood_down_at: Series[UTC] = _f(
        "Stood down", "When it was stood down; empty if still running.", nullable=True
    )


class IncidentPosts(_Contract):
    """One link between a published post and the critical incident it is about.

    Platform exports carry no incident id: this small register (or a linking rule in the year's
    config, `incident_links`) says which exported posts answered which incident."""

    post_id: Series[str] = _f("Post id", "The platform's identifier for the post, as in the posts table.", unique=True)
    critical_incident_id: Series[str] = _f(
        "Critical incident", "The critical incident the post is about, as in the critical incidents register."
    )


class ComplianceChecks(_Contract):
    """One quality or compliance audit check of an account or its posts."""

    check_id: Series[str] = _f("Check id", "The audit's reference.", unique=True)
    check_date: Series[pd.Timestamp] = _f("Checked", "Date of the check.", "date")
    account_id: Series[str] = _f("Account id", "The account checked.")
    check_type: Series[str] = _f("Check", "What was checked.", isin=CHECK_TYPES)
    result: Series[str] = _f("Result", "Pass or fail.", isin=CHECK_RESULTS)


class Training(_Contract):
    """One completion of a social media course by a person who uses a force account."""

    person_ref: Series[str] = _f(
        "Person",
        "Who completed the course, as the register names them: a warrant or payroll number, or a name.",
        personal=True,
    )
    role: Series[str] = _f("Role", "The person's role.", isin=ROLES)
    unit: Series[str] = _f("Unit", "The person's team or area.")
    course: Series[str] = _f("Course", "The course completed.")
    completed_date: Series[pd.Timestamp] = _f(
        "Completed",
        "Date the course was completed; empty for a person who uses a force account but never did it.",
        "date",
        nullable=True,
    )
    expires_date: Series[pd.Timestamp] = _f(
        "Expires", "Date the completion lapses; empty if it does not.", "date", nullable=True
    )


class Recommendations(_Contract):
    """One recommendation made to the Executive Board, tracked across years."""

    rec_id: Series[str] = _f("Recommendation id", "Stable identifier, kept from year to year.", unique=True)
    year_raised: Series[pd.Int64Dtype] = _f("Year raised", "The review year that raised it.", "year", ge=2000)
    clause: Series[str] = _f("Clause", "The policy clause it serves (P1 to P7).", isin=CLAUSES)
    title: Series[str] = _f("Title", "What is recommended, in a line.")
    owner: Series[str] = _f("Owner", "Who is accountable for it.")
    priority: Series[str] = _f("Priority", "High, medium or low.", isin=PRIORITIES)
    status: Series[str] = _f("Status", "Where it stands.", isin=REC_STATUSES)
    due_date: Series[pd.Timestamp] = _f("Due", "Date it is due.", "date", nullable=True)
    status_note: Series[str] = _f("Status note", "A line on progress.", nullable=True)
    rule: Series[str] = _f(
        "Rule", "The review's rule it answers (such as P5-mfa; see the data dictionary's list of rules): when "
        "that rule fires again, the review reports it as this one, and checks a status of implemented against "
        "this year's evidence.", nullable=True)
    supersedes: Series[str] = _f(
        "Supersedes", "The id of an earlier recommendation this one repeats: still open when this one was "
        "raised (it is then marked superseded), or marked implemented while the evidence did not show it.",
        nullable=True)


@dataclass(frozen=True)
class Table:
    name: str
    model: type[_Contract]
    grain: str
    period_column: str | None  # the column that places a row in a review period

    @property
    def description(self) -> str:
        return (self.model.__doc__ or "").strip()

    @property
    def columns(self) -> list[str]:
        return list(self.model.to_schema().columns)

    @property
    def key(self) -> list[str]:
        schema = self.model.to_schema()
        unique = [name for name, col in schema.columns.items() if col.unique]
        return unique or list(schema.unique or [])

    def field(self, column: str) -> dict:
        """Title, description, unit, dtype and nullability of one column."""
        col = self.model.to_schema().columns[column]
        return {
            "title": col.title,
            "description": col.description,
            "unit": (col.metadata or {}).get("unit"),
            "dtype": str(col.dtype),
            "nullable": col.nullable,
            "personal": bool((col.metadata or {}).get("personal")),
            "allowed": next(
                (c.statistics.get("allowed_values") for c in col.checks if "allowed_values" in c.statistics),
                None,
            ),
        }


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("accounts", Accounts, "one official account", None),
        Table("posts", Posts, "one published post", "published_at"),
        Table("audience", Audience, "account × day", "date"),
        Table("audience_demographics", AudienceDemographics, "account × day × dimension × band (× sex)", "as_of"),
        Table("population", Population, "area × dimension × band (× sex)", None),
        Table("contacts", Contacts, "one inbound public message", "received_at"),
        Table("incidents", Incidents, "one social-media related incident or conduct case", "opened_date"),
        Table("critical_incidents", CriticalIncidents, "one declared critical incident", "declared_at"),
        Table("incident_posts", IncidentPosts, "one post linked to a critical incident", None),
        Table("compliance_checks", ComplianceChecks, "one audit check", "check_date"),
        Table("training", Training, "one course completion", None),
        Table("recommendations", Recommendations, "one recommendation, across years", None),
    ]
}
