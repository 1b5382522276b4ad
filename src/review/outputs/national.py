"""National reviews: many forces' canonical tables in one partitioned store, compared force by force.

A national store is a folder of Parquet datasets, one per canonical table, partitioned the Hive
way by force and review year, so DuckDB (and Spark) read one force-year slice by its path:

    STORE/<table>/force=<id>/year=<yyyy>/part-0.parquet    the validated canonical table
    STORE/_forces/force=<id>/year=<yyyy>/config.yml        that force's config (name, targets)
    STORE/_forces/force=<id>/year=<yyyy>/partition.json    where it came from, row counts, synthetic?

Decisions worth knowing:

- `year` is the review year the force's data were validated for, not the calendar year of each
  row: a partition holds exactly what that force's review read (the review year and the year
  before, for year-on-year change). Registers such as accounts and training have no single
  date, so a row-date split would not work for them anyway. Across partitions, filter on one
  `year`, or the year before is counted twice.
- Every partition is checked against the same pandera contracts (review.inputs.contracts) when it is
  written and again when it is read; a missing or malformed partition stops the national run
  with its path in the message, never a silent gap in the comparison.
- The metrics are the registered ones (review.evidence.metrics.compute_metrics), computed per force with
  that force's own config, so each force is rated against its own targets. The review period
  (calendar or financial) is the national config's, the same for every force.
- Totals depend on the size of the force, so only rates, shares and medians are ranked; the
  size measures (accounts, posts, messages) are shown for context, unranked.
- `read_partition` is the one place the store is read, so another engine (Spark) can replace it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from review.runner import artifacts, outdir
from review.cells import write_csv
from review.config import ReviewConfig, load_config
from review.context import Chart, Headline, MetricDefinition, MetricTable
from review.inputs.contracts import TABLES
from review.disclosure import protect
from review.errors import ReviewError
from review.evidence.metrics import compute_metrics
from review.evidence.metrics.registry import METRICS
from review.values import HIDDEN, Column, Figure, headline_places

FORCES_DIR = "_forces"
PART_FILE = "part-0.parquet"
FORCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TEMPLATE_NAME = "national.html.j2"

# What the national report compares, in report order. Ranked measures are rates, shares and
# medians, which do not grow with the size of a force; the unranked ones are there for context.
RANKED = [
    "p1_engagement_rate_pct",
    "p1_follower_growth_pct",
    "p2_first_post_median_minutes",
    "p3_first_response_median_minutes",
    "p3_answered_within_target_pct",
    "p4_plain_english_pct",
    "p4_audit_pass_pct",
    "p5_training_in_date_pct",
    "p5_mfa_pct",
    "p5_cases_per_1000_staff",
    "p7_alt_text_pct",
    "p7_captions_pct",
]
CONTEXT = ["p1_accounts_open", "p1_posts", "p1_followers_end", "p3_contacts"]
CHARTED = ["p1_engagement_rate_pct", "p3_first_response_median_minutes"]


# --- the store ----------------------------------------------------------------------------------


def check_force_id(force_id: str) -> str:
    """A force id names a folder (force=<id>): lower-case letters, digits and hyphens."""
    if not FORCE_ID.fullmatch(force_id or ""):
        raise ReviewError(
            f"force id {force_id!r}: expected lower-case letters, digits and hyphens (e.g. 'northshire'), "
            "starting with a letter or digit"
        )
    return force_id


def partition_dir(store: Path, table: str, force_id: str, year: int) -> Path:
    return Path(store) / table / f"force={force_id}" / f"year={year}"


def force_dir(store: Path, force_id: str, year: int) -> Path:
    return Path(store) / FORCES_DIR / f"force={force_id}" / f"year={year}"


def check_tables(tables: dict[str, pd.DataFrame], where: str) -> None:
    """Every canonical table present and passing its contract; else one error listing what failed."""
    from review.inputs.validate import check_frame

    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise ReviewError(f"{where}: tables missing: {', '.join(missing)}")
    problems = []
    for name, table in TABLES.items():
        frame = tables[name]
        absent = [c for c in table.columns if c not in frame.columns]
        if absent:
            problems.append(f"{name}: columns missing: {', '.join(absent)}")
            continue
        try:
            found = check_frame(frame[table.columns], table)
        except ReviewError as exc:  # a wrong dtype: not tied to a row
            problems.append(str(exc))
            continue
        problems += [f"{name} row {i + 1}, column {col}: {value!r}: {reason}" for i, col, value, reason in found[:5]]
        if len(found) > 5:
            problems.append(f"{name}: and {len(found) - 5} more problems")
    if problems:
        raise ReviewError(f"{where}: does not meet the data contracts: " + "; ".join(problems))


def write_partition(
    store: Path, force_id: str, year: int, tables: dict[str, pd.DataFrame], config: ReviewConfig,
    *, synthetic: bool = False, source: str | None = None, inputs: list[tuple[str, Path]] = (),
    need: tuple[int, str] | None = None,
) -> list[Path]:
    """Write one force's validated tables for one review year into the store; return the files.

    The tables are checked first, so bad data never reaches the store. Each partition folder is
    written beside its final place and then swapped in, so a failed write leaves the previous
    partition readable. The force's config is kept beside the tables, for its name and targets.
    The store follows the one rule for outputs (review.runner.outdir): `inputs` (what it is, path) must
    lie apart from it; `need` (bytes, of what) is the space a full disk's message asks for.
    """
    check_force_id(force_id)
    store = outdir.claim(store, "store", inputs=inputs, option="national store")
    check_tables(tables, f"force {force_id}, year {year}")
    with outdir.write_errors(store, need=need):
        return _write_partition(store, force_id, year, tables, config, synthetic, source)


def _write_partition(store, force_id, year, tables, config, synthetic, source) -> list[Path]:
    store.mkdir(parents=True, exist_ok=True)
    if outdir.read_marker(store) is None:
        outdir.mark(store, "store")  # from now on the store is ours: it may grow, never be replaced
    written = []
    for name, table in TABLES.items():
        frame = tables[name][table.columns].reset_index(drop=True)
        folder = partition_dir(store, name, force_id, year)
        written.append(_swap_in(folder, lambda d, f=frame: f.to_parquet(d / PART_FILE, index=False)))
    meta = {
        "force_id": force_id,
        "year": year,
        "synthetic": synthetic,
        "source": source,
        "rows": {name: int(len(tables[name])) for name in TABLES},
    }
    config_doc = config.model_dump(mode="json", exclude={"year"})

    def write_meta(folder: Path) -> None:
        (folder / "config.yml").write_text(
            f"# {config.force.name}: the config its {year} review used.\nyear: {year}\n"
            + yaml.safe_dump(config_doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
        artifacts.write_json(folder / "partition.json", meta)

    _swap_in(force_dir(store, force_id, year), write_meta)
    return [p / PART_FILE for p in written]


def _swap_in(final: Path, fill) -> Path:
    """Fill a new folder beside `final`, then put it in `final`'s place (the old one removed after)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = outdir.new_folder(final.parent, f".{final.name}.")
    try:
        fill(staging)
        old = None
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            final.rename(old)
        staging.rename(final)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return final


def add_run(store: Path, run_out: Path, force_id: str) -> tuple[int, list[Path]]:
    """Add a force's review (a `review run` output folder) to the store; return its year and files.

    The year and config come from the run's manifest.json; the tables from its canonical/ folder,
    checked again against the contracts.
    """
    run_out = Path(run_out)
    inputs = [("the run output folder (RUN_OUT)", run_out)]
    outdir.claim(store, "store", inputs=inputs, option="national store")  # before reading the run
    manifest_path = run_out / "manifest.json"
    if not manifest_path.is_file() or not (run_out / "canonical").is_dir():
        raise ReviewError(f"{run_out}: not a review run's output folder (expected manifest.json and canonical/)")
    manifest = artifacts.read_json(manifest_path)
    year = int(manifest["year"])
    try:
        config = ReviewConfig.model_validate({**manifest["config"], "year": year})
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ReviewError(f"{manifest_path}: the run's config is not one this version reads: {exc}") from None
    try:
        tables = artifacts.read_canonical(run_out, validate=False)
    except FileNotFoundError as exc:
        raise ReviewError(f"{run_out / 'canonical'}: a canonical table is missing: {exc}") from None
    ingest = run_out / "artifacts" / "ingest.json"
    synthetic = bool(artifacts.read_json(ingest).get("synthetic")) if ingest.is_file() else False
    return year, write_partition(store, force_id, year, tables, config, synthetic=synthetic, source=str(run_out),
                                 inputs=inputs, need=(outdir.folder_bytes(run_out / "canonical"),
                                                      "the size of the run's canonical tables"))


def read_partition(store: Path, table: str, force_id: str, year: int) -> pd.DataFrame:
    """One canonical table for one force and year, as DuckDB reads the Hive-partitioned Parquet.

    The one place the store is read: swap this function to read with Spark. Returns the raw
    columns (untyped beyond what Parquet keeps); `read_force_year` types and checks them. Arrow,
    not `.df()`, carries the rows to pandas, because it keeps the UTC zone of the timestamps.
    """
    folder = partition_dir(store, table, force_id, year)
    if not any(folder.glob("*.parquet")):
        raise ReviewError(f"{folder}: missing partition: expected the {table} table of force {force_id} "
                          f"for {year} as Parquet files (review partition adds a force)")  # fmt: skip
    query = "SELECT * EXCLUDE (force, year) FROM read_parquet($files, hive_partitioning = true)"
    try:
        with duckdb.connect() as con:
            return con.sql(query, params={"files": str(folder / "*.parquet")}).to_arrow_table().to_pandas()
    except duckdb.Error as exc:
        raise ReviewError(f"{folder}: cannot read the {table} partition as Parquet: {exc}") from None


def read_force_year(store: Path, force_id: str, year: int) -> dict[str, pd.DataFrame]:
    """Every canonical table of one force-year, typed and checked against the contracts.

    A partition that is missing, unreadable, lacks a column or breaks the contract is an error
    naming its folder, the row and the column.
    """
    from review.inputs.validate import check_frame, coerce_frame

    tables = {}
    for name, table in TABLES.items():
        folder = partition_dir(store, name, force_id, year)
        raw = read_partition(store, name, force_id, year)
        absent = [c for c in table.columns if c not in raw.columns]
        if absent:
            raise ReviewError(f"{folder}: columns missing: {', '.join(absent)}; the {name} contract has "
                              f"{', '.join(table.columns)}")  # fmt: skip
        typed, problems = coerce_frame(raw[table.columns], table)
        if not problems:
            problems = check_frame(typed, table)
        if problems:
            shown = "; ".join(f"row {i + 1}, column {col}: {value!r}: {reason}" for i, col, value, reason in problems[:5])
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise ReviewError(f"{folder}: {len(problems)} value(s) break the {name} contract: {shown}{more}")
        tables[name] = typed
    return tables


def list_forces(store: Path, year: int) -> list[str]:
    """Force ids with any partition for `year`, sorted; an empty store is an error."""
    store = Path(store)
    if not store.is_dir():
        raise ReviewError(f"{store}: no such national store folder")
    found = {
        p.parent.name.removeprefix("force=")
        for name in [*TABLES, FORCES_DIR]
        for p in (store / name).glob(f"force=*/year={year}")
        if p.is_dir()
    }
    if not found:
        raise ReviewError(f"{store}: no force has data for {year} (expected folders like "
                          f"{partition_dir(store, 'posts', '<force>', year)})")  # fmt: skip
    return sorted(found)


def check_store(store: Path, year: int, forces: list[str]) -> None:
    """Every force has every table's partition for `year`: checked before any force is computed,
    so a gap stops a long national run at once, with every missing folder named."""
    missing = []
    for force_id in forces:
        check_force_id(force_id)
        missing += [partition_dir(store, name, force_id, year) for name in TABLES
                    if not any(partition_dir(store, name, force_id, year).glob("*.parquet"))]  # fmt: skip
    if missing:
        shown = ", ".join(str(p) for p in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise ReviewError(f"{store}: missing partition(s) for {year}: {shown}. Each force needs every canonical "
                          "table as Parquet (review partition adds a force).")  # fmt: skip


def read_force_config(store: Path, force_id: str, year: int, national: ReviewConfig) -> tuple[ReviewConfig, bool]:
    """The force's own config (name, headcount, targets) with the national review period; and
    whether its data are synthetic. A force without a config file gets the defaults, named by its id."""
    folder = force_dir(store, force_id, year)
    path = folder / "config.yml"
    if path.is_file():
        config = load_config(path, year)
    else:
        name = force_id.replace("-", " ").title()
        config = ReviewConfig(year=year, force={"name": name, "short_name": name})
    meta = folder / "partition.json"
    synthetic = bool(artifacts.read_json(meta).get("synthetic")) if meta.is_file() else False
    return config.model_copy(update={"period": national.period}), synthetic


# --- a synthetic national store -------------------------------------------------------------------


def build_national_sample(store: Path, forces: int, year: int, *, size: str = "S", seed: int = 2025,
                          scale: float = 1.0) -> list[str]:
    """Write `forces` invented forces (two years each) into a national store; return their ids.

    Each force is the sample generator's one-force recipe at `size`, with its own seed, name and
    volumes (0.5 to 1.6 times the size's posts and messages, times `scale`; a few more accounts
    for some), and its own config: headcount in step with its volumes and, for some forces,
    stricter targets, so the comparison shows forces rated against different targets.
    """
    import numpy as np

    from review.inputs.sample import SIZES, generate_sample
    from review.inputs.sample.world import _FORCES

    if size not in SIZES or SIZES[size].forces != 1:
        raise ReviewError(f"size {size!r}: a national sample is built from one-force sizes: "
                          f"{', '.join(k for k, v in SIZES.items() if v.forces == 1)}")  # fmt: skip
    if not 1 <= forces <= len(_FORCES):
        raise ReviewError(f"--forces {forces}: choose between 1 and {len(_FORCES)} (the invented forces)")
    outdir.claim(store, "store", option="national store")  # before generating: write_partition checks again
    base = SIZES[size]
    factors = np.random.default_rng([seed, 43]).uniform(0.5, 1.6, forces)
    ids = []
    for i in range(forces):
        f = float(factors[i])
        extra = (i % 3) * 2 if base.accounts < 20 else 0  # 6, 8 or 10 accounts at size S
        spec = dataclasses.replace(
            base, accounts=base.accounts + extra,
            posts_per_year=max(50, round(base.posts_per_year * f * scale)),
            contacts_per_year=max(200, round(base.contacts_per_year * f * scale)),
        )  # fmt: skip
        tables = generate_sample(spec, year, seed=seed + i, force=i)
        short = _FORCES[i]
        targets = {"first_response_minutes": 45, "engagement_rate_pct": 2.5} if i % 3 == 2 else {}
        config = ReviewConfig(
            year=year,
            force={"name": f"{short} Police", "short_name": short,
                   "headcount": int(round(2500 * f * (1 + extra / 10), -1))},
            targets=targets,
        )
        force_id = short.lower()
        write_partition(store, force_id, year, tables, config, synthetic=True,
                        source=f"review.sample {size} seed {seed + i}")
        ids.append(force_id)
    return ids


# --- the comparison -------------------------------------------------------------------------------


@dataclass
class ForceResult:
    force_id: str
    config: ReviewConfig
    headlines: dict[str, Headline]  # every registered metric, rated against the force's targets
    synthetic: bool
    rows: dict[str, int]
    seconds: float


@dataclass
class NationalResult:
    year: int
    config: ReviewConfig  # the national run's: period, marking, report labels
    forces: list[ForceResult]
    comparison: pd.DataFrame  # one row per force and compared metric; see comparison_table
    timings: dict[str, float] = field(default_factory=dict)


def compute_force(store: Path, force_id: str, year: int, national: ReviewConfig) -> ForceResult:
    """One force: its config, its checked tables and its rated headlines (the tables are dropped)."""
    started = time.perf_counter()
    config, synthetic = read_force_config(store, force_id, year, national)
    tables = read_force_year(store, force_id, year)
    metrics = compute_metrics(tables, config)
    # Small counts as the force's own paper decides them (review.disclosure): a rate worked out
    # from a suppressed or withheld count (conduct cases per 1,000 people) is withheld here too,
    # or the two papers together would give the count back.
    protected, _ = protect(metrics.headlines, metrics.tables, config.report.small_count_threshold)
    headlines = {h.metric_id: h for h in protected}
    return ForceResult(force_id, config, headlines, synthetic, {k: len(v) for k, v in tables.items()},
                       time.perf_counter() - started)


def compute_national(store: Path, year: int, config: ReviewConfig, forces: list[str] | None = None,
                     workers: int = 1) -> NationalResult:
    """Every force's registered metrics for `year`, and the force-by-force comparison.

    Forces are independent, so with `workers` > 1 they are computed in that many processes
    (spawned, not forked: forking a process that has run Arrow's thread pool can hang). Each
    worker pays about two seconds of imports once, so it pays off from about four forces.
    Only the headlines come back from a worker, not the tables, to keep memory flat.
    """
    started = time.perf_counter()
    ids = list(dict.fromkeys(forces)) if forces else list_forces(store, year)
    check_store(store, year, ids)
    if workers > 1 and len(ids) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        n = len(ids)
        with ProcessPoolExecutor(min(workers, n), mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(compute_force, [store] * n, ids, [year] * n, [config] * n))
    else:
        results = [compute_force(store, f, year, config) for f in ids]
    result = NationalResult(year, config, results, comparison_table(results))
    result.timings = {"metrics": time.perf_counter() - started}
    return result


def comparison_table(forces: list[ForceResult]) -> pd.DataFrame:
    """One row per force and compared metric: value, rank, forces ranked, national median,
    the force's target and its RAG against that target.

    Rank 1 is the best (highest, or lowest where lower is better); tied values share the better
    rank; a force without a figure is not ranked. The national median is the median of the
    forces' figures (the middle force), not a figure for the whole country's data pooled.
    Context measures (sizes) have no rank.
    """
    names = [f.config.force.name for f in forces]
    # Two forces' configs may carry the same name (a copied config): the id tells them apart.
    label = {f.force_id: f.config.force.name if names.count(f.config.force.name) == 1
             else f"{f.config.force.name} ({f.force_id})" for f in forces}  # fmt: skip
    rows = []
    for metric_id in [*RANKED, *CONTEXT]:
        metric = METRICS[metric_id]
        for f in forces:
            h = f.headlines[metric_id]
            # A hidden figure is neither ranked nor in the median: its rank would narrow it down.
            rows.append({
                "force_id": f.force_id, "force": label[f.force_id], "metric_id": metric_id,
                "clause": metric.clause, "metric": metric.title, "unit": metric.unit,
                "value": None if h.figure.is_hidden else h.value, "value_state": h.figure.state,
                "target": h.target, "rag": "Not rated" if h.figure.is_hidden else h.rag, "is_ranked": metric_id in RANKED,
            })  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["rank"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["forces_ranked"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["national_median"] = float("nan")
    for metric_id, group in frame.groupby("metric_id", sort=False):
        values = group["value"].astype("Float64")
        known = values.dropna()
        if not known.empty:
            frame.loc[group.index, "national_median"] = statistics.median(float(v) for v in known)
        if metric_id in RANKED and not known.empty:
            ascending = METRICS[metric_id].higher_is_better is False
            frame.loc[group.index, "rank"] = values.rank(method="min", ascending=ascending).astype("Int64")
            frame.loc[group.index, "forces_ranked"] = len(known)
    columns = ["force_id", "force", "clause", "metric_id", "metric", "unit", "value", "value_state", "rank",
               "forces_ranked", "national_median", "target", "rag", "is_ranked"]  # fmt: skip
    return frame[columns]


def comparison_csv(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison as the CSV prints it: each value through review.values.Figure, so a hidden
    figure reads "<5" or "withheld" and a missing one is empty, never a number or 0."""
    out = comparison.copy()
    out["value"] = [Figure(v, u, state).data() for v, u, state in zip(out["value"], out["unit"], out["value_state"])]
    return out


# --- the national report ------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedRow:
    force: str
    value: float | None
    rank: int | None
    target: float | None
    rag: str
    unit: str = "count"
    state: str = "shown"  # review.values: how the value may be printed

    @property
    def figure(self) -> Figure:
        """As a force's own paper prints it: never as its target when rated short of it."""
        return Figure(self.value, self.unit, self.state, places=headline_places(self.unit, self.value, target=self.target, rag=self.rag))


@dataclass(frozen=True)
class ComparedMetric:
    """One compared measure: each force's figure, rank and rating, and the national median."""

    metric_id: str
    clause: str
    title: str
    unit: str
    definition: str
    direction: str  # "Higher is better." / "Lower is better."
    national_median: float | None
    forces_ranked: int
    rows: list[ComparedRow]  # best first; forces with no figure last
    chart: Chart | None = None
    caveat: str | None = None


@dataclass(frozen=True)
class NationalContext:
    """All the national template sees. The cover partial is shared with the force report, so the
    cover's fields (force_name, title, marking, ...) have the same names and meaning here."""

    force_name: str  # the cover band: "10 police forces"
    title: str
    period_label: str
    period_start: dt.date
    period_end: dt.date  # last day of the period
    marking: str
    version: str
    report_date: dt.date
    author: str
    presenter: str
    meeting: str
    is_sample: bool
    brand_colour: str
    logo_svg: str | None
    summary: list[str]  # paragraphs
    scorecard: MetricTable  # force × measure RAG words
    metrics: list[ComparedMetric]
    sizes: MetricTable  # force sizes: context, not ranked
    caveats: list[str]
    definitions: list[MetricDefinition]


def _rows(frame: pd.DataFrame) -> list[ComparedRow]:
    ordered = frame.sort_values(["rank", "force"], na_position="last", kind="stable")
    return [
        ComparedRow(r.force, None if pd.isna(r.value) else float(r.value), None if pd.isna(r.rank) else int(r.rank),
                    None if pd.isna(r.target) else float(r.target), r.rag, r.unit, r.value_state)
        for r in ordered.itertuples(index=False)
    ]  # fmt: skip


def build_context(result: NationalResult) -> NationalContext:
    from review.outputs import charts
    from review.values import fmt_value
    from review.outputs.report import cover_fields

    config, comparison = result.config, result.comparison
    n = len(result.forces)
    label = config.period_label
    compared = []
    for metric_id in RANKED:
        metric = METRICS[metric_id]
        rows = comparison[comparison["metric_id"] == metric_id]
        median = rows["national_median"].iloc[0]
        chart = None
        if metric_id in CHARTED:
            better = "lower" if metric.higher_is_better is False else "higher"
            chart = charts.bar_chart(
                rows.rename(columns={"force": "Force"}), category="Force", value="value",
                chart_id=f"national-{metric_id.replace('_', '-')}", clause=metric.clause,
                title=f"{metric.title} by force",
                caption=f"{metric.title} of each force in {label}; {better} is better. "
                f"The national median is {fmt_value(median, metric.unit)}.",
                source=f"Source: each force's validated data, {label}.", value_label=metric.title,
                unit=metric.unit, palette=config.force.palette, noun="forces",
            )  # fmt: skip
        caveat = metric.caveat if metric.caveat_platforms else None
        compared.append(ComparedMetric(
            metric_id=metric_id, clause=metric.clause, title=metric.title, unit=metric.unit,
            definition=metric.definition,
            direction="Lower is better." if metric.higher_is_better is False else "Higher is better.",
            national_median=None if pd.isna(median) else float(median),
            forces_ranked=int(rows["forces_ranked"].iloc[0]) if rows["forces_ranked"].notna().any() else 0,
            rows=_rows(rows), chart=chart, caveat=caveat,
        ))  # fmt: skip
    rated = [m for m in RANKED if METRICS[m].target is not None]
    scorecard = comparison[comparison["metric_id"].isin(rated)].pivot(index="force", columns="metric", values="rag")
    scorecard = scorecard[[METRICS[m].title for m in rated]].reset_index().rename(columns={"force": "Force"})
    scorecard.columns.name = None
    sizes = comparison[comparison["metric_id"].isin(CONTEXT)].pivot(index="force", columns="metric", values="value")
    sizes = sizes[[METRICS[m].title for m in CONTEXT]]
    labels = comparison.drop_duplicates("force_id").set_index("force_id")["force"]
    sizes["People (headcount)"] = pd.Series({labels[f.force_id]: f.config.force.headcount for f in result.forces})
    sizes = sizes.reset_index().rename(columns={"force": "Force"})
    sizes.columns.name = None
    for column in sizes.columns[1:]:
        sizes[column] = sizes[column].astype("Int64")
    greens = {m.metric_id: sum(r.rag == "Green" for r in m.rows) for m in compared}
    with_target = [m for m in compared if METRICS[m.metric_id].target is not None]
    best = max(with_target, key=lambda m: greens[m.metric_id])
    worst = min(with_target, key=lambda m: greens[m.metric_id])
    summary = [
        f"This paper compares how {n} police forces used social media in {label}. Each force's figures "
        "come from its own checked data, worked out in the same way as its own yearly review.",
        "Forces differ in size, so we rank rates, shares and typical times, not totals. Each force is "
        "rated against its own targets, so two forces with the same figure can have different ratings.",
        f"{best.title}: {greens[best.metric_id]} of {n} forces met their target. "
        f"{worst.title}: {greens[worst.metric_id]} of {n} forces met their target.",
    ]
    caveats = [
        "Platforms count engagement, reach and views in their own ways, and change how they count "
        "over time. A force with more of its posts on one platform can look better or worse for that "
        "reason alone.",
        "Forces differ in size, in the number of accounts they run and in how busy their area is. "
        "Compare rates and shares, not totals. The sizes table is there for context only.",
        "The national median is the figure of the middle force. It is not worked out from all the "
        "forces' posts or messages pooled together.",
        "A force with no figure for a measure (for example, no critical incident in the year) is "
        "not ranked on it.",
    ]
    return NationalContext(
        force_name=f"{n} police forces",
        title="National review of police social media",
        period_label=label,
        **cover_fields(config),
        is_sample=any(f.synthetic for f in result.forces),
        logo_svg=None,
        summary=summary,
        scorecard=MetricTable("national_scorecard", "P6", "Each force's rating against its own targets", scorecard),
        metrics=compared,
        sizes=MetricTable("national_sizes", "P1", "Force sizes (for context, not ranked)", sizes),
        caveats=caveats,
        definitions=[MetricDefinition(m.metric_id, m.clause, m.title, m.definition, m.formula, m.unit)
                     for m in (METRICS[i] for i in [*RANKED, *CONTEXT])],  # fmt: skip
    )


def workbook_tables(result: NationalResult, ctx: NationalContext) -> list[MetricTable]:
    """The comparison for analysts: the long table (numbers, not words), the ratings and sizes."""
    long = result.comparison
    labels = {
        "force_id": "Force id", "force": "Force", "clause": "Clause", "metric_id": "Metric id", "metric": "Measure",
        "unit": "Unit", "value": "Value", "value_state": "Value shown", "rank": "Rank", "forces_ranked": "Forces ranked",
        "national_median": "National median", "target": "Force's target", "rag": "Rating", "is_ranked": "Ranked",
    }  # fmt: skip
    kinds = {"value": "number", "rank": "count", "forces_ranked": "count", "national_median": "number",
             "target": "number", "is_ranked": "flag"}
    hidden = {(i, "value"): state for i, state in enumerate(long["value_state"]) if state in HIDDEN}
    table = MetricTable("comparison", "P6", "Force-by-force comparison", long,
                        note="Rank 1 is best. Sizes are not ranked. Each force is rated against its own target. "
                        "A figure worked out from a small count is withheld, as in the force's own paper.",
                        columns={c: Column(label, kinds.get(c, "text")) for c, label in labels.items()}, hidden=hidden)
    return [table, ctx.scorecard, ctx.sizes]


def render_national(ctx: NationalContext, out: Path, year: int, tables: list[MetricTable]) -> dict[str, Path]:
    """Write the national HTML, PDF and workbook into `out`, with the force report's renderer and CSS."""
    from review.outputs.render import render_html, render_pdf
    from review.outputs.report import TEMPLATE_DIR
    from review.outputs.workbook import write_workbook

    paths = {
        "html": out / f"national-review-{year}.html",
        "pdf": out / f"national-review-{year}.pdf",
        "workbook": out / f"national-comparison-{year}.xlsx",
    }
    html = render_html(ctx, TEMPLATE_DIR, template_name=TEMPLATE_NAME)
    paths["html"].write_text(html, encoding="utf-8")
    render_pdf(render_html(ctx, TEMPLATE_DIR, template_name=TEMPLATE_NAME, for_print=True), paths["pdf"], TEMPLATE_DIR, ctx)
    write_workbook(paths["workbook"], tables, ctx.definitions, title=f"{ctx.title} {ctx.period_label}",
                   report_date=ctx.report_date, marking=ctx.marking)  # fmt: skip
    return paths


def run_national(store: Path, year: int, out: Path, config: ReviewConfig, forces: list[str] | None = None,
                 progress=lambda title: None, workers: int = 1,
                 config_path: Path | None = None) -> tuple[NationalResult, dict[str, Path]]:
    """The national review: compute every force, then write the report, the workbook and a
    manifest into `out` atomically (a failed run leaves the previous outputs as they were).
    `out` follows the one rule for outputs (review.runner.outdir): never the store or the config
    (`config_path`), never a folder that is not a national review's output."""
    started = time.perf_counter()
    inputs = [("the national store (--data)", Path(store)), ("the config file (--config)", config_path)]
    out = outdir.claim(out, "national", inputs=inputs)  # before minutes of computing
    progress("Reading and computing each force")
    result = compute_national(store, year, config, forces, workers)
    progress("Writing the national report")
    paths: dict[str, Path] = {}

    def fill(staging: Path) -> None:
        t = time.perf_counter()
        ctx = build_context(result)
        written = render_national(ctx, staging, year, workbook_tables(result, ctx))
        write_csv(comparison_csv(result.comparison), staging / f"national-comparison-{year}.csv")
        result.timings["report"] = time.perf_counter() - t
        result.timings["total"] = time.perf_counter() - started
        artifacts.write_json(staging / "manifest.json", {
            "year": year, "store": str(store), "period": config.period_label,
            "forces": [{"force_id": f.force_id, "name": f.config.force.name, "rows": f.rows,
                        "synthetic": f.synthetic, "seconds": round(f.seconds, 3)} for f in result.forces],
            "timings": {k: round(v, 3) for k, v in result.timings.items()},
        })  # fmt: skip
        paths.update({k: out / p.name for k, p in written.items()})
        paths["csv"] = out / f"national-comparison-{year}.csv"
        paths["manifest"] = out / "manifest.json"

    outdir.build(out, "national", fill, inputs=inputs)
    return result, paths
