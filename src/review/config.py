"""One YAML per review year, parsed into a frozen object.

No paths or thresholds live in code: every target, threshold and label the review uses is a
field here, with a default that suits a typical force. Unknown keys are an error, so a typo in
the YAML fails loudly instead of silently falling back to a default.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from review.controls import control_characters
from review.errors import ReviewError
from review.paths import TEMPLATE_DIR
from review.yamlfile import YamlDocument, read_yaml_document

ASSETS_DIR = TEMPLATE_DIR / "assets"
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def check_brand_colour(colour: str) -> str:
    """The colour, if it is #rrggbb and readable on white; else ValueError saying why."""
    if not HEX_COLOUR.fullmatch(colour):
        raise ValueError(f"{colour!r} must be a hex colour like #1d3557")
    if (ratio := contrast_on_white(colour)) < 4.5:
        # Headings, links and the cover band text use it: WCAG 2.2 AA needs 4.5:1.
        raise ValueError(f"{colour} has contrast {ratio:.1f}:1 on white; WCAG AA needs 4.5:1")
    return colour


def logo_path(name: str) -> Path:
    """The logo file a config names: an SVG in templates/assets/, nowhere else; else ValueError."""
    path = (ASSETS_DIR / name).resolve()
    if path.suffix.lower() != ".svg" or not path.is_relative_to(ASSETS_DIR.resolve()) or not path.is_file():
        raise ValueError(f"{name!r} must name an SVG file in {ASSETS_DIR}")
    return path


class _Frozen(BaseModel):
    # allow_inf_nan: `.inf` or `.nan` as a target would make every comparison false.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_false_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic reads `headcount: true` as 1; no setting is a yes/no, so true/false is a slip.
        items = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, bool) for v in items) and cls.model_fields[info.field_name].annotation is not bool:
            raise ValueError("expected a number or text, not true/false")
        return value


class Force(_Frozen):
    """The force the review is for: its name, size and look on the page."""

    name: str = Field("Northshire Police", description="The force's name as printed on the cover.")
    short_name: str = Field("Northshire", description="Short name used in running text.")
    headcount: int = Field(
        4200, gt=0, description="Officers and staff at year end, for rates per 1,000 people."
    )
    logo: str | None = Field(
        None, description="Logo file name under templates/assets/, or none for a text mark."
    )
    palette: tuple[str, ...] = Field(
        # Okabe-Ito: distinguishable with the common forms of colour blindness.
        ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"),
        description="Chart colours in order; keep them colour-blind safe.",
    )
    brand_colour: str = Field("#1d3557", description="Colour of the cover band and headings.")

    @field_validator("brand_colour")
    @classmethod
    def _readable_brand_colour(cls, colour: str) -> str:
        return check_brand_colour(colour)

    @field_validator("palette")
    @classmethod
    def _hex_palette(cls, palette: tuple[str, ...]) -> tuple[str, ...]:
        if bad := [c for c in palette if not HEX_COLOUR.fullmatch(c)]:
            raise ValueError(f"{', '.join(map(repr, bad))}: each colour must be hex like #0072B2")
        if len(palette) < 2:
            # A year-on-year chart draws this year and last in two colours.
            raise ValueError(f"has {len(palette)} colour(s); the charts need at least 2")
        return palette

    @field_validator("logo")
    @classmethod
    def _logo_in_assets(cls, name: str | None) -> str | None:
        if name is not None:
            logo_path(name)
        return name


class Period(_Frozen):
    """The review period: `year` and the kind of year give its first and last day."""

    kind: Literal["calendar", "financial"] = Field(
        "calendar", description="Calendar year (January to December) or financial year (April to March)."
    )

    def bounds(self, year: int) -> tuple[dt.date, dt.date]:
        """Return the first day of the period and the first day after it."""
        if self.kind == "calendar":
            return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        return dt.date(year, 4, 1), dt.date(year + 1, 4, 1)

    def label(self, year: int) -> str:
        if self.kind == "calendar":
            return str(year)
        return f"{year}/{str(year + 1)[-2:]}"


class StaffedHours(_Frozen):
    """When the digital desk is staffed, in local (Europe/London) time."""

    start_hour: int = Field(8, ge=0, le=23, description="First staffed hour, local time.")
    end_hour: int = Field(20, ge=1, le=24, description="Hour the desk closes, local time.")
    weekdays: tuple[Annotated[int, Field(ge=0, le=6)], ...] = Field(
        (0, 1, 2, 3, 4, 5, 6), description="Staffed weekdays, Monday = 0 to Sunday = 6."
    )


class Targets(_Frozen):
    """Targets the review rates each headline metric against."""

    first_response_minutes: float = Field(
        60, gt=0, description="A contact counts as answered in time within this many minutes."
    )
    answered_within_target_pct: float = Field(
        80, ge=0, le=100, description="Share of contacts to answer within the target time."
    )
    critical_incident_first_post_minutes: float = Field(
        60, gt=0, description="Minutes from declaring a critical incident to the first public post."
    )
    late_first_posts: int = Field(
        0, ge=0, description="Critical incidents whose first post may come later than the first-post target "
        "(P2 rates red above it, so one slow incident is not hidden by a quick median).",
    )
    reading_ease_min: float = Field(
        60, description="Flesch reading ease a post must reach to count as plain English."
    )
    plain_english_pct: float = Field(
        75, ge=0, le=100, description="Share of posts that should meet the plain-English test."
    )
    alt_text_pct: float = Field(95, ge=0, le=100, description="Share of image posts with alt text.")
    captions_pct: float = Field(95, ge=0, le=100, description="Share of video posts with captions.")
    mfa_pct: float = Field(100, ge=0, le=100, description="Share of open accounts with MFA on.")
    training_in_date_pct: float = Field(
        90, ge=0, le=100, description="Share of account users whose training is in date."
    )
    audit_pass_pct: float = Field(90, ge=0, le=100, description="Share of quality audits passed.")
    engagement_rate_pct: float = Field(
        2.0, ge=0, description="Engagements as a share of impressions."
    )
    representation_min_pct: float = Field(
        75, ge=0, le=100, description="The equality lens's tolerance (P7): a group (an age band, by sex where the "
        "exports split it) whose share of an audience is below this percentage of its share of the force area's "
        "population is under-reached; 100 means the audience mirrors the area.",
    )
    dormant_days: int = Field(90, gt=0, description="An open account with no post for this long is dormant.")
    review_interval_days: int = Field(
        365, gt=0, description="An account not reviewed for this long is overdue a review."
    )
    amber_margin_pct: float = Field(
        10,
        ge=0,
        description="How far short of target (as a share of the target) still rates amber, not red.",
    )


DEFAULT_THEMES: dict[str, tuple[str, ...]] = {
    # Matched as whole words or hashtags, case-insensitively; the first theme that matches wins,
    # so order runs from most to least specific.
    # "has been found": the update that closes an appeal names the person too.
    "Missing people": ("missing", "#missing", "#missingperson", "#findsam", "last seen", "concern for",
                       "has been found", "found safe"),
    "Appeals": ("appeal", "witness", "witnesses", "cctv", "information", "#appeal", "do you recognise", "dashcam"),
    "Road safety": ("road", "roads", "driving", "speeding", "crash", "collision", "rtc", "#roadsafety", "drink drive"),
    "Crime prevention": ("scam", "fraud", "lock", "burglary", "protect", "advice", "#crimeprevention", "safe", "secure"),
    "Recruitment": ("join", "recruit", "recruiting", "career", "careers", "apply", "vacancies", "#joinus", "specials"),
    "Events": ("event", "meet", "surgery", "drop-in", "open day", "community", "festival", "#event"),
    "Reassurance": ("patrol", "patrols", "reassure", "reassurance", "arrested", "charged", "officers", "#ontheBeat"),
}


# Missing-person appeals name people, children among them, with their age and where they were
# last seen; forces take them down once the person is found. No output reprints them.
DEFAULT_WITHHELD = {"Missing people": "missing person appeal: text withheld"}


class ContentThemes(_Frozen):
    """The keyword and hashtag classifier for the content mix (P1), and the themes whose post
    text no output prints."""

    themes: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_THEMES),
        description="Theme name to keywords and hashtags; the first theme whose words appear wins.",
    )
    other_label: str = Field("Other", description="Theme for posts that match no keyword.")
    withhold_text: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_WITHHELD),
        description="Themes (names from themes) whose posts' text no output prints (the top posts table in "
        "the paper, the workbook and the table files), each with the words printed instead. A post is "
        "withheld when it has any keyword of the theme, whichever theme it is counted under. By default "
        "missing-person appeals; {} prints every post's text.",
    )

    @model_validator(mode="after")
    def _withheld_themes_are_themes(self) -> "ContentThemes":
        # A renamed theme must not silently stop the withholding.
        unknown = [t for t in self.withhold_text if t not in self.themes]
        if unknown:
            raise ValueError(
                f"withhold_text names {', '.join(map(repr, unknown))}, which is not a theme in content.themes "
                f"({', '.join(map(repr, self.themes))}); name the theme whose posts must not be reprinted "
                "(missing-person appeals), or set withhold_text: {} to print every post's text"
            )
        blank = [t for t, shown in self.withhold_text.items() if not shown.strip()]
        if blank:
            raise ValueError(f"withhold_text: say what is printed instead of the text of {', '.join(map(repr, blank))}")
        return self


class PlainEnglish(_Frozen):
    """The jargon list the plain-English check (P4) flags, with plain alternatives."""

    jargon_extra: dict[str, str] = Field(
        default_factory=dict,
        description="More jargon to flag, word or phrase to plain alternative; added to the built-in list.",
    )
    jargon_ignore: tuple[str, ...] = Field(
        (), description="Words from the built-in list not to flag for this force."
    )


class Rules(_Frozen):
    """Thresholds of the recommendation rules that are not metric targets."""

    falling_reach_pct: float = Field(
        20, gt=0, description="Recommend a review of an account whose impressions fell by more than this share."
    )
    falling_reach_min_impressions: int = Field(
        10000, ge=0, description="Ignore accounts with fewer impressions than this last year (noise)."
    )
    rising_personal_cases_pct: float = Field(
        25, gt=0, description="Flag personal-capacity conduct cases rising by more than this share."
    )
    rising_personal_cases_min: int = Field(
        3, ge=1, description="...and only when this year has at least this many such cases."
    )
    unanswered_max: int = Field(
        100, ge=0, description="Flag more than this many messages still without a reply at period end."
    )
    account_plain_english_min_posts: int = Field(
        20, ge=1, description="Name an account for plain English only when it posted at least this much."
    )
    small_account_followers: int = Field(
        1000, ge=0, description="An open account with fewer followers than this is small (the rationalisation question)."
    )
    due_after_meeting_days: int = Field(
        30, ge=0, description="A recommendation falls due at least this many days after the Board meeting, "
        "so that its owner has time to act on the Board's decision; a decisions-file date sooner is an error.",
    )
    for_decision: dict[str, bool] = Field(
        default_factory=dict,
        description="Rule key (P1-dormant-accounts) to true (put it to the Board for decision) or false (for "
        "noting), over the rule's own judgement of whether it needs the Board; the decisions file can also "
        "say so for one year's recommendation.",
    )


class IncidentLinks(_Frozen):
    """How posts from platform exports are linked to the critical incident they are about (P2).

    Exports carry no incident id. Without a link (an incident id on the posts, a register of posts
    by incident, or one of these rules) P2's post-based measures are not measured."""

    hashtags: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Critical incident id to the hashtags the force used for it: a post carrying one, "
        "published after the incident was declared, is about that incident.",
    )
    window_minutes: int = Field(
        0, ge=0, description="Link every post published within this many minutes after an incident was "
        "declared to that incident (the latest declared); 0 turns the rule off.",
    )


class Coverage(_Frozen):
    """What the data must hold for a figure to be measured and compared (review.evidence.metrics.coverage)."""

    min_rows_for_change: int = Field(
        30, ge=1, description="A year-on-year change needs at least this many posts, messages or follower "
        "figures last year in the accounts both years cover; with fewer it shows as not comparable.",
    )
    follower_edge_days: int = Field(
        31, ge=1, le=183, description="An account's follower figure counts as its start (or end) of the period "
        "only when it is dated within this many days of the period's first (or last) day.",
    )
    min_band_followers: int = Field(
        50, ge=1, description="An audience group (an age band, by sex where split) with fewer followers than this "
        "is not measured against the population: a share of a handful of people says nothing about a group.",
    )


class Report(_Frozen):
    """What the board paper says about itself: title, marking, version, who wrote and presents it."""

    title: str = Field("Annual review of social media", description="Report title on the cover.")
    marking: str = Field("OFFICIAL", description="Protective marking printed on every page.")
    version: str = Field("1.0", description="Document version printed on the cover.")
    author: str = Field(
        "E-Communications Team, Strategic Corporate Communications",
        description="Who wrote the paper.",
    )
    presenter: str = Field(
        "Director of Strategic Corporate Communications", description="Who presents it to the Board."
    )
    meeting: str = Field("Executive Board", description="The meeting the paper goes to.")
    report_date: dt.date | None = Field(
        None,
        description="Date printed on the paper and stored in the PDF; defaults to the day after the period ends.",
    )
    meeting_date: dt.date | None = Field(
        None,
        description="Date of the Board meeting the paper goes to; recommendations fall due a set time after "
        "it (rules.due_after_meeting_days). Defaults to the paper's date.",
    )
    small_count_threshold: int = Field(
        5, ge=1, description="Counts below this in conduct tables are shown as '<N'."
    )

    @field_validator("marking")
    @classmethod
    def _printable_marking(cls, marking: str) -> str:
        # Printed on every page: blank would send the paper out unmarked, and an invisible
        # character (zero-width, bidirectional) could make it read as another marking.
        if not marking.strip():
            raise ValueError("the protective marking is required, for example OFFICIAL or OFFICIAL-SENSITIVE")
        if not marking.isprintable() or marking != marking.strip():
            raise ValueError(f"{marking!r} must be printable characters only, with no space at either end")
        return marking


class PolicyDocument(_Frozen):
    """The policy under review: how old it is, and the bodies it cites that have since been replaced."""

    title: str = Field(
        "On-line Communication and Engagement via Forums, Blogs and Social Media", description="The policy's title."
    )
    dated: dt.date | None = Field(
        None, description="The date the policy carries; none leaves its age unchecked."
    )
    refresh_after_years: int = Field(
        3, ge=1, description="Recommend a refresh when the policy is older than this at the Board meeting."
    )
    equality_impact_assessment: dt.date | None = Field(
        None, description="The date of the policy's latest equality impact assessment, which the paper's "
        "implications state; empty, the paper says none is recorded for this review.",
    )
    outdated_references: dict[str, str] = Field(
        default_factory=dict,
        description="What the policy cites that has been replaced, to what replaced it (ACPO: the National "
        "Police Chiefs' Council (NPCC)); named in the refresh recommendation.",
    )


class SparkSettings(_Frozen):
    """Where Apache Spark runs when `engine: spark` (or `review run --engine spark`)."""

    master: str = Field(
        "local[*]",
        description="Spark master URL: local[*] runs Spark inside this machine on every core; "
        "spark://HOST:7077, yarn or k8s://... point at a cluster.",
    )
    shuffle_partitions: int = Field(
        4, ge=1, description="Partitions after a group-by or join: few for one force, a few per core of a cluster."
    )
    conf: dict[str, str] = Field(
        default_factory=dict,
        description="Other Spark settings, name to value (for example spark.executor.memory: 4g).",
    )


class ReviewConfig(_Frozen):
    year: int = Field(..., ge=2000, le=2100, description="The review year (start year of a financial year).")
    force: Force = Force()
    period: Period = Period()
    staffed_hours: StaffedHours = StaffedHours()
    targets: Targets = Targets()
    report: Report = Report()
    content: ContentThemes = ContentThemes()
    plain_english: PlainEnglish = PlainEnglish()
    rules: Rules = Rules()
    incident_links: IncidentLinks = IncidentLinks()
    coverage: Coverage = Coverage()
    policy: PolicyDocument = PolicyDocument()
    decisions_file: str | None = Field(
        None,
        description="The team's decisions on this year's recommendations (YAML), relative to the config "
        "file's folder; default decisions-YEAR.yml there, if present.",
    )
    previous_register: str | None = Field(
        None,
        description="Last year's register (recommendations-YEAR.yml), relative to the config file's folder; "
        "default: the previous year's run output, reports/YEAR-1/recommendations-YEAR-1.yml, if present.",
    )
    reject_rate_max_pct: float = Field(
        5.0, ge=0, le=100, description="Stop the run if more than this share (per cent) of any input file's rows is rejected; the export's own Total and placeholder rows do not count."
    )
    timezone: str = Field(
        "Europe/London",
        description="Time zone the review works in: the period's first and last day, staffed hours, hours of the "
        "day and the times the report shows. Input times written without a zone are read as UK time "
        "(Europe/London) whatever this says; see the data dictionary.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb",
        description="What runs the heavy rollups (review.evidence.rollup): duckdb, embedded and the default; or spark, "
        "for data beyond one machine (a national review). Both give the same figures; "
        "`review run --engine` overrides it.",
    )
    spark: SparkSettings = Field(SparkSettings(), description="Where Spark runs, when the engine is spark.")

    @model_validator(mode="after")
    def _hours_in_order(self) -> "ReviewConfig":
        if self.staffed_hours.end_hour <= self.staffed_hours.start_hour:
            raise ValueError("staffed_hours.end_hour must be after start_hour")
        return self

    # Derived values: one place for the period arithmetic every stage needs.
    @property
    def period_start(self) -> dt.date:
        return self.period.bounds(self.year)[0]

    @property
    def period_end(self) -> dt.date:
        """First day after the period."""
        return self.period.bounds(self.year)[1]

    @property
    def period_label(self) -> str:
        return self.period.label(self.year)

    @property
    def report_date(self) -> dt.date:
        return self.report.report_date or self.period_end

    @property
    def meeting_date(self) -> dt.date:
        return self.report.meeting_date or self.report_date

    @property
    def earliest_due_date(self) -> dt.date:
        """The soonest a recommendation may fall due: rules.due_after_meeting_days after the meeting."""
        return self.meeting_date + dt.timedelta(days=self.rules.due_after_meeting_days)

    @property
    def digest(self) -> str:
        """Every setting that shapes the evidence and the paper, as one checksum: the clause
        stages record it with what they compute and draw, and the later stages check it, so that
        a paper is never made from evidence computed under another config. The engine and where
        Spark runs are left out: DuckDB and Spark give the same numbers."""
        import hashlib
        import json

        settings = self.model_dump(mode="json", exclude={"engine", "spark"})
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]


def load_config(path: Path | None, year: int) -> ReviewConfig:
    """Read a year's YAML (strictly, review.yamlfile) into a frozen config; with no file, the
    defaults for `year`. Every setting is checked here, before any notebook runs; an error names
    the file, the key and its line.

    A `year` in the file must match the year asked for: a 2024 config used for a 2025 run
    would silently mis-date every figure.
    """
    raw: dict = {}
    doc = YamlDocument(Path("default config"), None)
    if path is not None:
        try:
            doc = read_yaml_document(Path(path))
        except FileNotFoundError:
            raise ReviewError(f"{path}: config file not found") from None
        raw = doc.data or {}
        if not isinstance(raw, dict):
            raise ReviewError(f"{path}: expected a mapping of settings at the top level")
        _refuse_control_characters(raw, doc)
    if "year" in raw:
        if type(raw["year"]) is not int:
            raise ReviewError(f"{path}: {doc.where(['year'])}: expected a whole number like {year}, "
                              f"got {type(raw['year']).__name__} {raw['year']!r}")
        if raw["year"] != year:
            raise ReviewError(f"{path}: the config is for year {raw['year']}, but the run asked for {year}")
    raw = {**raw, "year": year}
    try:
        return ReviewConfig.model_validate(raw)
    except ValidationError as exc:
        raise ReviewError(f"{path or 'default config'}: {doc.problems(exc.errors())}") from None


def _refuse_control_characters(raw: Any, doc: YamlDocument) -> None:
    """Every text in the config (keys too) free of control characters: a NUL or an escape
    sequence has no place in a setting, and a bidirectional override can make the marking
    display as another. Line breaks are allowed in long texts; tabs are not needed anywhere."""
    seen: set[int] = set()
    stack: list[tuple[Any, tuple]] = [(raw, ())]
    while stack:
        value, at = stack.pop()
        if isinstance(value, str):
            if bad := control_characters(value, allowed="\n"):
                raise ReviewError(f"{doc.path}: {doc.where(at)}: contains control character(s) {', '.join(bad)}; "
                                  "settings must be plain text")
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))  # an alias repeats a value: check it once
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (bad := control_characters(key)):
                    raise ReviewError(f"{doc.path}: {doc.where(at)}: the key {key!r} contains control "
                                      f"character(s) {', '.join(bad)}")
                stack.append((item, at + (key,)))


def default_config_path(year: int, root: Path = Path("config")) -> Path | None:
    candidate = root / f"{year}.yml"
    return candidate if candidate.exists() else None


def config_used(path: Path | None, year: int, root: Path = Path("config")) -> str:
    """Which config a command runs with, in words, for its first line of output and the manifest:
    the file, or the built-in defaults and where a file was looked for (a run from another folder
    finds no config/YEAR.yml and would otherwise fall back without a word)."""
    if path is not None:
        return str(Path(path).resolve())
    return f"the built-in defaults (no --config given, and no {root / f'{year}.yml'} in {Path.cwd()})"


# --- the files beside the config that a run reads -------------------------------------------------


def decisions_path(config: ReviewConfig, config_path: Path | None) -> Path | None:
    """The team's decisions file: `decisions_file` in the config, else decisions-YEAR.yml beside
    the config (in config/ without one); None when that default does not exist yet."""
    base = Path(config_path).parent if config_path else Path("config")
    path = base / (config.decisions_file or f"decisions-{config.year}.yml")
    return path if path.exists() or config.decisions_file else None


def previous_register_path(config: ReviewConfig, config_path: Path | None, out: Path,
                           must_exist: bool = True) -> Path | None:
    """Last year's register: `previous_register` in the config (beside it), which must exist
    unless `must_exist` is False; else last year's run output beside this year's output folder
    `out` (reports/2024/recommendations-2024.yml), or None."""
    if config.previous_register:
        path = (Path(config_path).parent if config_path else Path(".")) / config.previous_register
        if must_exist and not path.exists():
            raise ReviewError(f"{path}: previous register (previous_register in the config) not found")
        return path
    # The staging folder of a run sits beside the final one, so look beside both.
    name = f"recommendations-{config.year - 1}.yml"
    for parent in dict.fromkeys([out.parent, out.resolve().parent]):
        candidate = parent / str(config.year - 1) / name
        if candidate.exists():
            return candidate
    return None
