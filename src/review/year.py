"""For analysts: the validated year as pandas frames, in one call.

    import review
    y = review.load("data/sample", 2025)   # or a run's output folder: reports/2025
    y                                      # <Year 2025, Northshire Police: 7,720 posts, ...>
    y.headlines                            # every metric: value, unit, target, rating, definition
    y.value("p3_out_of_hours_median_minutes")
    y.posts                                # one row per post in the period, with its scores
    y.messages                             # one row per inbound message, with response minutes
    y.posts_by_month("platform")           # every month of the period, zero months included
    y.table("p3_by_platform")              # a metric table of the report, typed
    y.sql("SELECT platform, count(*) FROM accounts GROUP BY ALL")   # DuckDB, the same tables

`data` may be a folder of input files (read and validated here, as a run does), a `review ingest`
output folder (its tables as ingest validated them) or a run's output folder (`reports/2025`,
whose canonical Parquet is read as is). The numbers are the report's: the same functions and the
same definitions (staffed hours, the review period, themes, the jargon list: the year's config)
compute both. `docs/analyst.md` answers twenty everyday questions with these calls.

Frames are tidy, with snake_case columns and real types: integers for counts (pandas' nullable
`Int64` where a platform may not report a figure: missing is not 0), timestamps for times (local,
Europe/London, in `*_local` columns; UTC in the canonical `*_at` columns) and months as the
timestamp of their first day.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from review.runner import artifacts
from review.config import ReviewConfig, default_config_path, load_config
from review.context import Headline, MetricTable
from review.errors import ReviewError
from review.evidence.metrics import CLAUSE_MODULES, MetricsResult, assemble_metrics, compute_clause, slice_periods
from review.evidence.metrics.coverage import platform_of, supplied_tables
from review.evidence.metrics.period import PeriodData, label_accounts
from review.evidence.metrics.reach import ENGAGEMENT_RATE

# The columns of Year.headlines, in order.
HEADLINE_COLUMNS = ["metric_id", "clause", "title", "value", "unit", "prior_value", "change_pct", "target", "rag",
                    "higher_is_better", "definition", "formula", "caveat", "not_measured_reason", "comparison"]
# Post figures summed by posts_by_month, as the report sums them: over the posts that report them.
POST_FIGURES = ["impressions", "reach", "engagements"]
BREAKDOWNS = ("platform", "account", "theme", "media_type")


@dataclass(repr=False)
class Year:
    """One review year, validated, with every metric: what `review.load` returns.

    Attributes: `config` (the year's ReviewConfig: period, staffed hours, targets, themes),
    `tables` (the canonical tables by name, every year in the data, UTC), `metrics` (what the
    report is built from) and `rejected` (rows not accepted, when read from input files; else None).
    """

    config: ReviewConfig
    tables: dict[str, pd.DataFrame]
    metrics: MetricsResult
    rejected: pd.DataFrame | None

    def __repr__(self) -> str:
        p = self.period
        return (f"<Year {self.config.period_label}, {self.config.force.name}: {len(p.posts):,} posts and "
                f"{len(p.contacts):,} messages from {p.start.date()} to {p.last_day.date()}; "
                f"{len(self.metrics.headlines)} metrics, {len(self.metrics.tables)} metric tables>")

    @property
    def period(self) -> PeriodData:
        """The review period's canonical tables (`y.period.posts`, ...): event rows inside the
        period only, registers whole, with the local-time columns the report uses added
        (`published_local`; for contacts `received_local`, `response_minutes`, `is_staffed`)."""
        return self.metrics.current

    @property
    def headlines(self) -> pd.DataFrame:
        """Every metric of the report, one row each: `metric_id`, `clause`, `title`, `value` (None
        when not measured: `not_measured_reason` says why), `unit`, `prior_value` and `change_pct`
        (the year before, like for like: `comparison` says how), `target`, `rag` (the rating:
        Green, Amber, Red or Not rated), `higher_is_better`, `definition`, `formula`, `caveat`."""
        frame = pd.DataFrame([h.__dict__ for h in self.metrics.headlines], columns=[*Headline.__dataclass_fields__])
        return frame[HEADLINE_COLUMNS]

    def metric(self, metric_id: str) -> Headline:
        """One metric's headline (value, target, rating, definition), by id."""
        found = {h.metric_id: h for h in self.metrics.headlines}
        if metric_id not in found:
            raise KeyError(f"no metric {metric_id!r}; the metrics are listed in y.headlines and docs/metrics.md")
        return found[metric_id]

    def value(self, metric_id: str) -> float | None:
        """One metric's value for the review year, as the report states it; None when not measured."""
        return self.metric(metric_id).value

    @property
    def table_ids(self) -> list[str]:
        """The ids of the report's metric tables, in report order (for `table`)."""
        return [t.table_id for t in self.metrics.tables]

    @property
    def metric_tables(self) -> list[MetricTable]:
        """The report's metric tables with their metadata: title, note and, per column, the label
        and unit the report prints (`MetricTable.columns`)."""
        return self.metrics.tables

    def table(self, table_id: str) -> pd.DataFrame:
        """A metric table as a typed frame: snake_case columns, integers for counts, dates and
        months as timestamps, true numbers (nothing suppressed: the report hides small counts
        when it prints them). `frame.attrs` holds the title, note and each column's label and unit."""
        found = {t.table_id: t for t in self.metrics.tables}
        if table_id not in found:
            raise KeyError(f"no metric table {table_id!r}; there are: {', '.join(self.table_ids)}")
        t = found[table_id]
        frame = t.frame.copy()
        frame.attrs = {"table_id": t.table_id, "title": t.title, "note": t.note,
                       "labels": {str(c): t.label(c) for c in frame.columns},
                       "units": {str(c): t.column(c).unit for c in frame.columns}}
        return frame

    @functools.cached_property
    def posts(self) -> pd.DataFrame:
        """One row per post in the review period with its scores, as the report computes them:
        account label and platform, `published_local`, `month`, the platform's figures
        (impressions, reach, engagements, ...; missing where the platform does not report them),
        `engagement_rate_pct`, `theme` (the config's themes), `words`, `sentences`,
        `words_per_sentence`, `reading_ease`, `reading_grade` (none for a post without words),
        `is_plain_english` (reading ease at or above the target), `jargon_hits` (how many uses of
        the jargon list) and `jargon_terms` (which, comma-separated), `media_type`,
        `has_alt_text`, `has_captions`. Computed on first use (scoring takes a few seconds)."""
        return post_frame(self.period)

    @functools.cached_property
    def messages(self) -> pd.DataFrame:
        """One row per inbound message in the review period: the canonical columns with the
        account label and platform, `received_local`, `month`, `response_minutes` (to the first
        reply, for messages that needed one) and `is_staffed` (arrived in the config's staffed hours)."""
        return message_frame(self.period)

    def posts_by_month(self, by: str | None = None) -> pd.DataFrame:
        """Posts, impressions, reach, engagements and engagement rate for every month of the
        period, by `by` ("platform", "account", "theme" or "media_type"; None: the whole force).
        A month without posts is a row with 0 posts; its figures are 0 where the group reports
        that figure at all in the period, else missing (not measured)."""
        return posts_by_month(self.posts, self.period, by)

    def messages_by_month(self, by: str | None = None) -> pd.DataFrame:
        """Inbound messages for every month of the period, by `by` ("platform" or "account";
        None: the whole force): messages, needing a reply, replied to, and median minutes to the
        first reply, in and out of staffed hours. A month without messages has 0 messages and no
        median."""
        return messages_by_month(self.messages, self.period, by)

    def sql(self, query: str) -> pd.DataFrame:
        """Run one SQL query (DuckDB) over the review period's tables, by name: the canonical
        tables (with their local-time columns, as `period` has them), `post_scores` (the `posts`
        frame) and `messages` (the `messages` frame). `review sql` runs the same tables. Integers
        stay integers (nullable Int64 where some are missing)."""
        from review.evidence.rollup import run_sql

        return run_sql(query, sql_views(self.period, query, self), engine="duckdb", typed=True)


def load(data: str | Path, year: int, config: str | Path | None = None) -> Year:
    """Load and validate one review year and compute every metric: a `Year`.

    `data`: a folder of input files, a `review ingest` output folder or a run's output folder.
    `year`: the review year (a financial year by the year it starts in). `config`: the year's YAML
    [default: config/YEAR.yml, else every setting at its default]. Raises ReviewError (one line,
    as the command line prints it) for a bad folder or config, and when no post or message falls
    in the period."""
    data = Path(data)
    cfg = load_config(Path(config) if config else default_config_path(year), year)
    tables, rejected, supplied = _read(data)
    current, prior = slice_periods(tables, cfg, supplied)
    current.require_data()
    metrics = assemble_metrics({c: compute_clause(c, current, prior) for c in CLAUSE_MODULES}, current)
    return Year(config=cfg, tables=tables, metrics=metrics, rejected=rejected)


def _read(data: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None, frozenset[str] | None]:
    """The canonical tables, the rejected rows (from input files) and the tables an input fed."""
    if (data / "canonical").is_dir():
        record = data / "artifacts" / "ingest.json"
        supplied = supplied_tables(artifacts.read_json(record)) if record.exists() else None
        return artifacts.read_canonical(data), None, supplied
    if data.is_dir():
        from review.inputs.ingest import read_checked

        validated, _ = read_checked(data)
        supplied = supplied_tables({"files": [f.as_dict() for f in validated.files]})
        return validated.tables, validated.rejected, supplied
    raise ReviewError(f"{data}: not a data folder or a run's output folder")


def read_tables(data: str | Path) -> dict[str, pd.DataFrame]:
    """Canonical tables from a run's output folder, a `review ingest` output folder or, validated,
    from a folder of input files."""
    return _read(Path(data))[0]


# --- the analyst's frames, from one period --------------------------------------------------------

def _labelled(frame: pd.DataFrame, p: PeriodData) -> pd.DataFrame:
    """`frame` with the account's label and platform beside its account_id (an account missing
    from the register keeps its id as label and its export's platform)."""
    ids = frame["account_id"]
    return frame.assign(account=label_accounts(ids, p.accounts).astype(str),
                        platform=platform_of(ids, p.accounts).astype(str))


def post_frame(p: PeriodData) -> pd.DataFrame:
    """The per-post frame of `Year.posts`, from a period."""
    from review.evidence.metrics.reach import classify_themes
    from review.evidence.plain_english import jargon_hits, jargon_list, score_texts

    cfg = p.config
    jargon = jargon_list(cfg.plain_english.jargon_extra, cfg.plain_english.jargon_ignore)
    posts = _labelled(p.posts, p)
    scores = score_texts(posts["text"], jargon)
    both = posts["impressions"].notna() & posts["engagements"].notna() & posts["impressions"].gt(0)
    rate = (100 * posts["engagements"].astype("float64") / posts["impressions"].astype("float64")).where(both)
    scored = scores["reading_ease"].notna()
    out = posts.assign(
        month=_month(posts["published_local"]),
        engagement_rate_pct=rate.astype("float64"),
        theme=classify_themes(posts["text"], cfg.content.themes, cfg.content.other_label),
        words=scores["words"].astype("int64"),
        sentences=scores["sentences"].astype("int64"),
        words_per_sentence=scores["words_per_sentence"].astype("float64"),
        reading_ease=scores["reading_ease"],
        reading_grade=scores["reading_grade"],
        is_plain_english=pd.array((scores["reading_ease"] >= cfg.targets.reading_ease_min).where(scored), dtype="boolean"),
        jargon_hits=scores["jargon"].astype("int64"),
        jargon_terms=jargon_hits(posts["text"], jargon).str.join(", ").astype(str),
    )
    first = ["post_id", "account_id", "account", "platform", "published_local", "month"]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


def message_frame(p: PeriodData) -> pd.DataFrame:
    """The per-message frame of `Year.messages`, from a period."""
    contacts = _labelled(p.contacts, p)
    out = contacts.assign(month=_month(contacts["received_local"]))
    first = ["contact_id", "account_id", "account", "platform", "received_local", "month"]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


def _month(times: pd.Series) -> pd.Series:
    """Each time's month, as the timestamp of its first day (as the metric tables have months)."""
    return times.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")


def _months(p: PeriodData) -> pd.DatetimeIndex:
    return pd.date_range(p.start, p.last_day, freq="MS", name="month", unit="ns")


def _groups(frame: pd.DataFrame, p: PeriodData, by: str | None) -> list:
    """Every group a breakdown shows: those in the frame, and for platforms and accounts every
    open account's, so that one that was silent all year shows its zero months too."""
    if by is None:
        return []
    if by not in BREAKDOWNS:
        raise ReviewError(f"by: expected one of {', '.join(BREAKDOWNS)} or None, got {by!r}")
    seen = set(frame[by].dropna())
    if by in ("platform", "account"):
        open_ = _labelled(p.open_accounts[["account_id"]], p)
        seen |= set(open_[by])
    return sorted(seen, key=str)


def _full_grid(sums: pd.DataFrame, frame: pd.DataFrame, p: PeriodData, by: str | None) -> pd.DataFrame:
    keys = ([by] if by else []) + ["month"]
    months = _months(p)
    if by:
        index = pd.MultiIndex.from_product([_groups(frame, p, by), months], names=keys)
    else:
        index = months
    return sums.reindex(index).reset_index()


def posts_by_month(posts: pd.DataFrame, p: PeriodData, by: str | None = None) -> pd.DataFrame:
    """`Year.posts_by_month`: from the per-post frame."""
    keys = ([by] if by else []) + ["month"]
    _groups(posts, p, by)  # checks `by`
    both = posts["impressions"].notna() & posts["engagements"].notna()
    work = posts.assign(rated_i=posts["impressions"].where(both), rated_e=posts["engagements"].where(both))
    grouped = work.groupby(keys, observed=True)
    sums = grouped[[*POST_FIGURES, "rated_i", "rated_e"]].sum(min_count=1).assign(posts=grouped.size())
    out = _full_grid(sums, posts, p, by)
    out["posts"] = out["posts"].fillna(0).astype("int64")
    for column in POST_FIGURES:
        # 0 in a silent month where the group reports the figure at all; else not measured
        reports = posts.groupby(by)[column].count().gt(0) if by else pd.Series({None: posts[column].notna().any()})
        known = out[by].map(reports).fillna(False).astype(bool) if by else pd.Series(bool(reports.iloc[0]), index=out.index)
        out[column] = out[column].mask(out["posts"].eq(0) & known, 0).round().astype("Int64")
    rated_i = out["rated_i"].astype("float64")
    out["engagement_rate_pct"] = (100 * out["rated_e"].astype("float64") / rated_i.where(rated_i > 0)).round(ENGAGEMENT_RATE.places)
    return out[[*keys, "posts", *POST_FIGURES, "engagement_rate_pct"]]


def messages_by_month(messages: pd.DataFrame, p: PeriodData, by: str | None = None) -> pd.DataFrame:
    """`Year.messages_by_month`: from the per-message frame."""
    if by not in (None, "platform", "account"):
        raise ReviewError(f"by: expected platform, account or None, got {by!r}")
    keys = ([by] if by else []) + ["month"]
    minutes = messages["response_minutes"]
    work = messages.assign(
        needing_reply=messages["needs_response"].fillna(False).astype(bool),
        replied=minutes.notna(),
        staffed_minutes=minutes.where(messages["is_staffed"]),
        out_of_hours_minutes=minutes.where(~messages["is_staffed"]),
    )
    grouped = work.groupby(keys, observed=True)
    sums = grouped[["needing_reply", "replied"]].sum().assign(
        messages=grouped.size(),
        median_minutes=grouped["response_minutes"].median(),
        median_staffed_minutes=grouped["staffed_minutes"].median(),
        median_out_of_hours_minutes=grouped["out_of_hours_minutes"].median(),
    )
    out = _full_grid(sums, messages, p, by)
    for column in ("messages", "needing_reply", "replied"):
        out[column] = out[column].fillna(0).astype("int64")
    return out[[*keys, "messages", "needing_reply", "replied", "median_minutes", "median_staffed_minutes",
                "median_out_of_hours_minutes"]]


# The analyst's frames as SQL tables, built only when a query names them.
VIEWS = {"post_scores": ("posts", post_frame), "messages": ("messages", message_frame)}


def sql_views(p: PeriodData, query: str, year: Year | None = None) -> dict[str, pd.DataFrame]:
    """The tables a query over one period can use: the canonical tables of the period, and the
    analyst's frames (`post_scores`, `messages`) when the query names them (a Year's cached ones)."""
    from review.inputs.contracts import TABLES

    tables = {name: p.source(name) for name in TABLES}  # a frame, or a Parquet slice DuckDB reads in place
    lowered = query.lower()
    for view, (attribute, make) in VIEWS.items():
        if view in lowered:
            tables[view] = getattr(year, attribute) if year is not None else make(p)
    return tables
