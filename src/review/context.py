"""The typed contract between the computing stages and the report templates.

The templates see only a `ReportContext`: every figure is already computed and every chart
already drawn. Nothing in `templates/` computes. Tests build contexts directly from these
classes, so a template variable without a field here fails under StrictUndefined.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from review.values import HIDDEN, NOT_AVAILABLE, SHOWN, Column, Figure, fmt_headline_change, headline_places, infer_column

RAG = str  # "Green" | "Amber" | "Red" | "Not rated"


@dataclass(frozen=True)
class Headline:
    """One headline figure with its year-on-year change and rating."""

    metric_id: str  # e.g. "p1_impressions"
    clause: str  # "P1".."P7"
    title: str  # "Impressions"
    unit: str  # "count" | "pct" | "minutes" | "days" | "people" | "rate"
    value: float | None
    prior_value: float | None  # same metric, the year before; None when not available
    change_pct: float | None  # (value - prior) / prior * 100
    target: float | None
    rag: RAG
    higher_is_better: bool | None  # None: neither direction is better
    definition: str  # plain English
    formula: str  # e.g. "engagements / impressions × 100"
    caveat: str | None = None  # e.g. "X renamed impressions to views in 2023"
    # Why there is no figure, in plain words ("no inbound messages were supplied"): the input it
    # needs is missing, or there was nothing to measure (review.evidence.metrics.coverage). value is None.
    not_measured_reason: str | None = None
    # This year's figure over only what last year also covers, when that is less than this year
    # (the change is like for like: change_pct compares compared_value with prior_value).
    compared_value: float | None = None
    # How the change was made when it is not the whole of both years ("last year covers 1 of the
    # 5 platforms; the change compares YouTube only"), or why there is none ("not comparable: ...").
    comparison: str | None = None
    # How the value and last year's value may be printed (review.values: "shown", "suppressed",
    # "withheld"), decided for the whole publication by review.disclosure.protect; the numbers
    # above stay true, for the rules. `threshold` is the small-count threshold they were decided with.
    value_state: str = SHOWN
    prior_state: str = SHOWN
    threshold: int = 5

    def __repr__(self) -> str:
        shown = "not measured" if self.value is None else f"{self.value:,.6g} {self.unit}"
        return f"<Headline {self.metric_id} ({self.clause}) {self.title!r}: {shown}, {self.rag}>"

    @property
    def figure(self) -> Figure:
        """This year's figure as every output prints it (review.values.Figure): with more
        decimals than usual where it would print as its target while rated short of it, or as
        last year's figure beside a change (review.values.headline_places)."""
        places = headline_places(self.unit, self.value, target=self.target, rag=self.rag, prior=self._set_against())
        return Figure(self.value, self.unit, self.value_state, self.threshold, self.not_measured_reason, places=places)

    @property
    def prior_figure(self) -> Figure:
        """Last year's figure as every output prints it (with this year's decimals, beside a change)."""
        against = self.value if self._set_against() is not None else None
        return Figure(self.prior_value, self.unit, self.prior_state, self.threshold,
                      places=headline_places(self.unit, self.prior_value, prior=against))

    def _set_against(self) -> float | None:
        """Last year's figure when the paper prints a change between it and this year's in per
        cent (a share's change is the difference of the printed figures: points_change), so the
        two must not print the same: None otherwise."""
        if self.unit == "pct" or self.compared_value is not None or not self.change_shown:
            return None
        if fmt_headline_change(self) in (NOT_AVAILABLE, "no change"):
            return None
        return self.prior_value

    @property
    def change_shown(self) -> bool:
        """A change can be printed only when neither year's figure is hidden."""
        return self.value_state not in HIDDEN and self.prior_state not in HIDDEN


@dataclass(frozen=True)
class Chart:
    """One chart, drawn as inline SVG, with everything a reader needs without seeing it."""

    chart_id: str
    clause: str
    title: str
    caption: str  # what the chart shows, one sentence
    alt: str  # generated from the data: "Impressions rose from 1.2 million in January to ..."
    source: str  # "Source: platform exports, posts table, 2025"
    svg: str  # the <svg> element, without an XML declaration
    data: MetricTable | None = None  # what the chart draws, for the workbook's "Figure N" sheet


@dataclass(frozen=True)
class TableTotal:
    """A headline figure that is the sum of some of a table's cells: `columns` of every row, or
    of the rows whose `where` column holds the given value. Declared with the table so that
    secondary suppression (review.disclosure) knows which totals sit over which cells."""

    metric_id: str
    columns: tuple[str, ...]
    where: tuple[str, str] | None = None


@dataclass(frozen=True)
class MetricTable:
    """A small table shown in a clause section (and a sheet in the workbook).

    `frame` is typed and tidy: snake_case column names, integers for counts, floats (rounded as
    the report prints them), dates and timestamps (months as the first day of the month),
    booleans for yes/no, category codes as in the canonical tables. `columns` says how each
    column reads (review.values.Column: label, kind, unit, decimals, small count); a column
    without an entry reads by its name and dtype. Nothing in the frame is suppressed: small
    counts are hidden when a table is printed, from `hidden`, which
    review.disclosure.protect fills for a whole publication.
    """

    table_id: str
    clause: str
    title: str
    frame: pd.DataFrame
    note: str | None = None
    # Rows the PDF prints, in frame order: None follows the template's rule for long tables
    # (the first 12 of more than 15); 0 prints only the caption and where to find the table
    # (for analyst detail such as account-by-month). The HTML and the workbook keep every row.
    print_rows: int | None = None
    columns: dict[str, Column] = field(default_factory=dict)
    totals: tuple[TableTotal, ...] = ()
    # (row position, column name) -> "suppressed" | "withheld"; empty until protected.
    hidden: dict[tuple[int, str], str] = field(default_factory=dict, compare=False)
    threshold: int = 5

    def __post_init__(self) -> None:
        # Read back from JSON (review.runner.artifacts), the metadata arrive as plain dicts.
        columns = {k: v if isinstance(v, Column) else Column(**v) for k, v in self.columns.items()}
        totals = tuple(t if isinstance(t, TableTotal) else TableTotal(t["metric_id"], tuple(t["columns"]),
                                                                       tuple(t["where"]) if t.get("where") else None)
                       for t in self.totals)
        unknown = set(columns) - {str(c) for c in self.frame.columns}
        if unknown:
            raise ValueError(f"table {self.table_id}: metadata for columns not in the frame: {sorted(unknown)}")
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "totals", totals)

    def __repr__(self) -> str:
        rows, cols = self.frame.shape
        return f"<MetricTable {self.table_id} ({self.clause}) {self.title!r}: {rows:,} rows, columns {', '.join(map(str, self.frame.columns))}>"

    def column(self, name) -> Column:
        """How column `name` reads: its declared metadata, else inferred from its name and dtype."""
        found = self.columns.get(str(name))
        return found if found is not None else infer_column(name, self.frame[name])

    def label(self, name) -> str:
        """The label the report prints over column `name` ("Median, out of hours")."""
        return self.column(name).label

    def figure(self, row: int, name) -> Figure:
        """The cell at row position `row`, column `name`, as every output prints it."""
        column = self.column(name)
        value = self.frame[name].iat[row]
        return Figure(value, column.kind, self.hidden.get((row, str(name)), SHOWN), self.threshold,
                      places=column.places, column=column)

    def column_figures(self, name, rows: int | None = None) -> list[Figure]:
        """The cells of column `name` (its first `rows`), each as `figure` gives it: the column
        is looked up once, not once a cell (a 500-row table printed cell by cell spent most of
        its time finding the column again)."""
        column = self.column(name)
        values = self.frame[name].array  # the same values `.iat` gives, one by one
        key = str(name)
        count = len(values) if rows is None else min(rows, len(values))
        return [Figure(values[i], column.kind, self.hidden.get((i, key), SHOWN), self.threshold,
                       places=column.places, column=column) for i in range(count)]

    def display(self) -> pd.DataFrame:
        """The table as readers see it: labelled columns, every cell as printed text ("<5"
        where suppressed). For executed notebooks and terminals; the report lays tables out
        with review.outputs.render.table_cells."""
        return pd.DataFrame(
            {self.label(name): [figure.cell() for figure in self.column_figures(name)] for name in self.frame.columns}
        )


@dataclass(frozen=True)
class ClauseSection:
    clause: str  # "P1"
    title: str  # "Reach and engagement"
    policy_text: str  # the clause's words from the policy
    rag: RAG  # worst rating among its headline metrics
    finding: str  # one plain-English line generated from the numbers
    headlines: list[Headline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[MetricTable] = field(default_factory=list)


@dataclass(frozen=True)
class BoardOption:
    """One option the team puts to the Board for a recommendation (the decisions file's `options`)."""

    option: str  # what the Board would agree to
    cost: str | None = None  # money, in the team's words ("£46,000 a year"); None: not yet known
    resources: str | None = None  # staff and time it needs
    trade_off: str | None = None  # what the Board gives up or risks by choosing it


@dataclass(frozen=True)
class Recommendation:
    rec_id: str  # stable, e.g. "P3-out-of-hours-response"
    clause: str
    title: str
    text: str  # plain English, cites the numbers that triggered it
    priority: str  # "high" | "medium" | "low"
    owner: str
    for_decision: bool = False  # True: the Board decides; False: for noting (review.evidence.recommend.judge)
    evidence: dict[str, float | str] = field(default_factory=dict)  # metric id -> value
    status: str = "open"
    due_date: dt.date | None = None
    # What needs the Board, as the rule declares it: "resources", "authority", "risk" (review.evidence.recommend).
    needs_board: tuple[str, ...] = ()
    decision_basis: str = ""  # one sentence: why it is for decision, or for noting
    rule: str | None = None  # the rule that raised it ("P5-mfa")
    # An earlier recommendation this one repeats (still open, or marked implemented while the
    # evidence does not show it), its first year and a sentence saying so (review.evidence.register).
    supersedes: str | None = None
    first_raised: int | None = None
    history: str | None = None
    # The team's options, cost and resource notes from the decisions file; None: not yet known.
    options: tuple[BoardOption, ...] = ()
    cost: str | None = None
    resources: str | None = None

    def __post_init__(self) -> None:
        # Read back from JSON (review.runner.artifacts), options and needs arrive as lists of dicts.
        object.__setattr__(self, "needs_board", tuple(self.needs_board))
        object.__setattr__(self, "options", tuple(o if isinstance(o, BoardOption) else BoardOption(**o)
                                                  for o in self.options))

    @property
    def is_costed(self) -> bool:
        """True when the team has given a cost, for the recommendation or for any of its options."""
        return bool(self.cost) or any(o.cost for o in self.options)


@dataclass(frozen=True)
class RegisterEntry:
    """Last year's (or earlier) recommendation and where it stands now."""

    rec_id: str
    year_raised: int
    clause: str
    title: str
    owner: str
    priority: str
    status: str
    due_date: dt.date | None
    status_note: str | None
    is_overdue: bool
    # Where the register and this year's evidence disagree, in words ("Marked implemented; the
    # evidence does not show it yet."); None when they agree (review.evidence.register.CHECKS).
    check: str | None = None
    raised_again_as: str | None = None  # this year's recommendation that repeats it, for the Board


@dataclass(frozen=True)
class RejectedRecommendation:
    """One of this year's recommendations the team chose not to put to the Board, and why
    (from the decisions file; the report shows the reason, so nothing is rejected unseen)."""

    rec_id: str
    clause: str
    title: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """One original input file and what became of its rows: read = accepted + rejected + merged
    + unused (review.inputs.validate.FileReport). From a `review ingest` output folder, these are the
    files ingest read, from its report, not the Parquet it wrote."""

    path: str  # relative to the data folder (or as given to review ingest)
    table: str | None  # None: a recognised export the review does not use
    format: str  # "canonical CSV", "X tweet activity export (CSV)", ...: the layout recognised
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_merged: int = 0  # the same key in a later file (or later in this one), whose figures were kept
    rows_unused: int = 0  # every row of a recognised export the review does not use
    account_id: str | None = None  # the account a platform export was decided to belong to
    account_rule: str | None = None  # how that was decided, in words


@dataclass(frozen=True)
class IngestRun:
    """The `review ingest` whose output folder a run read (review.inputs.ingest.read_ingested)."""

    folder: str  # the ingest output folder given as --data
    sources: list[str]  # the folders and files ingest read


@dataclass(frozen=True)
class SkippedFile:
    """An input file the run did not read (hidden folder, or unknown with --skip-unknown)."""

    path: str  # relative to the data folder
    reason: str


@dataclass(frozen=True)
class MetricDefinition:
    metric_id: str
    clause: str
    title: str
    definition: str
    formula: str
    unit: str


@dataclass(frozen=True)
class Coverage:
    """What this review covers (review.evidence.metrics.coverage): the inputs supplied, the accounts and
    platforms each year, the measures not measured and why. The report's early section shows the
    summary, the not-measured list and the first two tables; the workbook has every table."""

    summary: list[str]  # short paragraphs
    not_measured: list[tuple[str, list[str]]]  # (why, the measures it leaves out), reasons in clause order
    notes: list[str]  # figures only some posts record; ids missing from the account register
    tables: list[MetricTable]  # inputs, platforms by year, then (workbook only) accounts and measures


@dataclass(frozen=True)
class CoverReport:
    """The paper's first pages (review.outputs.narrative.cover_report), worked out from the measures: what
    went well and what did not (the sharpest findings, each naming its figure), the decisions asked
    of the Board and the risks. Each line is a plain-English sentence."""

    went_well: list[str]
    not_well: list[str]
    decisions: list[str]
    risks: list[str]


@dataclass(frozen=True)
class ReportContext:
    force_name: str
    title: str
    period_label: str  # "2025" or "2025/26"
    period_start: dt.date
    period_end: dt.date  # last day of the period
    marking: str  # "OFFICIAL"
    version: str
    report_date: dt.date
    author: str
    presenter: str
    meeting: str
    is_sample: bool  # print the SAMPLE DATA mark
    brand_colour: str
    logo_svg: str | None  # inline SVG of the force's logo, or None
    purpose: str
    executive_summary: list[str]  # short paragraphs
    headlines: list[Headline]  # 6-8 for the summary page
    sections: list[ClauseSection]  # P1..P7 in order
    recommendations: list[Recommendation]
    register: list[RegisterEntry]
    implications: dict[str, str]  # "Finance" -> text, "Legal", "Equality", "Risk"
    sources: list[SourceFile]
    rows_rejected: int
    definitions: list[MetricDefinition]
    methodology: list[str]  # paragraphs
    glossary: dict[str, str]
    coverage: Coverage | None = None  # "What this review covers"; None outside a run (older artifacts)
    cover: CoverReport | None = None  # the cover report; None: the executive summary's paragraphs only
    amber_margin_pct: float = 10.0  # Amber: short of the target by no more than this share of it (config.targets)
    # The team's decisions (review.evidence.register): rejected recommendations with the reason,
    # decisions naming a recommendation the review did not raise (reported, not applied), and
    # the register file written for next year ("recommendations-2025.yml"; None outside a run).
    rejected: list[RejectedRecommendation] = field(default_factory=list)
    unmatched_decisions: list[str] = field(default_factory=list)
    register_file: str | None = None
    # The data came through `review ingest` (its output folder was --data): the sources appendix
    # says so; `sources` are still the original files. None: a folder of input files.
    ingest: IngestRun | None = None
    skipped: list[SkippedFile] = field(default_factory=list)  # files not read, with the reason
