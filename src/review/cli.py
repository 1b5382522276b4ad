"""The command line: `review init`, `review ingest`, `review run`, `review sample`, `review docs`, ...

Errors the user can fix come out as one clear message (file, line, column, what was expected),
never a traceback. Set REVIEW_DEBUG=1 to see the traceback as well.

The command line starts on typer and rich alone: pandas, papermill, DuckDB, WeasyPrint and the
review's own heavy modules are imported inside the commands that use them, so `review --help`
answers at once and a re-run with nothing changed stays quick (tests/test_cli_help.py).
"""

from __future__ import annotations

import json
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.text import Text

from review.controls import show_controls
from review.errors import ReviewError


class Terminal(Console):
    """A rich console for text from files and data: no markup (a post reading "[/]" is text, not
    a tag that ends in a traceback) and every control character shown (review.controls), so an
    escape sequence in an export or a query result cannot recolour, move or clear the terminal.
    Every string it prints, table cells and headers included, passes through `render_str`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)

    def render_str(self, text: str, **kwargs) -> Text:
        return super().render_str(show_controls(text), **kwargs)


def styled(lead: str, style: str, rest: str = "") -> Text:
    """`lead` in `style`, then `rest` as plain text with its control characters shown."""
    return Text.assemble((lead, style), show_controls(rest))

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The annual review of a force's social media.")
# A terminal gets its own width; a log file or CI gets 120 columns, not rich's default 80, so the
# input-file table keeps one line per file.
console = Terminal(stderr=True, width=None if sys.stderr.isatty() else 120)


# Typer's help reads "[...]" as markup and drops it: a default is given as show_default, never in the help text.
CONFIG_DEFAULT = "config/YEAR.yml if present, else the built-in defaults"
ConfigOption = Annotated[Optional[Path], typer.Option(help="The year's YAML config.", show_default=CONFIG_DEFAULT)]


class Size(str, Enum):
    S = "S"
    M = "M"
    L = "L"


class Engine(str, Enum):
    duckdb = "duckdb"
    spark = "spark"


def _version(value: bool) -> None:
    if value:
        from review import __version__

        print(f"policy-review {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version (as the run's manifest records it) and exit.")] = False,
) -> None:
    """The annual review of a force's social media."""


def _print_config(path: Path | None, year: int, note: str = "") -> None:
    """The first line of every command that reads a config: which one (review.config.config_used)."""
    from review.config import config_used

    console.print(f"Config: {config_used(path, year)}{note}", highlight=False, soft_wrap=True)


def _fail(exc: Exception) -> None:
    if os.environ.get("REVIEW_DEBUG"):
        raise exc
    console.print(styled("error:", "bold red", f" {exc}"), highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def sample(
    size: Annotated[Size, typer.Option(help="S: a small force; M: a large force; L: a national review.")] = Size.S,
    year: Annotated[int, typer.Option(help="The review year; the year before is written too.")] = 2025,
    out: Annotated[Path, typer.Option(help="Folder to write one CSV per table into.")] = Path("data/sample"),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 2025,
    forces: Annotated[int, typer.Option(help="Write this many invented forces of this size into a national store at OUT "
                                             "(Parquet partitioned by force and year) instead of one force's CSVs.")] = 0,
) -> None:
    """Write a synthetic year (and the year before) of canonical data for a fictional force."""
    from review.runner import outdir
    from review.inputs.sample import build_sample

    started = time.perf_counter()
    if forces:
        _national_sample(size.value, year, out, seed, forces, started)
        return
    try:
        with console.status(f"Generating size {size.value} sample data for {year - 1} and {year}"):
            # streams: size L fits in memory; built beside OUT and swapped in (review.runner.outdir)
            written = outdir.build(out, "sample", lambda staging: build_sample(size.value, year, staging, seed=seed))
    except ReviewError as exc:
        _fail(exc)
    size_mb = sum((out / p.name).stat().st_size for p in written) / 1e6
    console.print(f"Wrote {len(written)} files ({size_mb:,.1f} MB) to {out} in {time.perf_counter() - started:.1f} s")


@app.command()
def run(
    data: Annotated[Path, typer.Option(help="A `review ingest` output folder, or a folder of input files (registers as CSV, "
                                            "XLSX or Parquet, and platform exports) to read and check in one step.")],
    year: Annotated[int, typer.Option(help="The review year.")],
    out: Annotated[Optional[Path], typer.Option(help="Output folder.", show_default="reports/YEAR")] = None,
    config: ConfigOption = None,
    national: Annotated[bool, typer.Option(help="DATA is a national store: compare its forces (as `review national`).")] = False,
    cache: Annotated[bool, typer.Option(help="Reuse the last run into OUT: its outputs whole when nothing has changed, else its checked data and evidence when the data, config and code are unchanged (only the decisions edited).")] = True,
    engine: Annotated[Optional[Engine], typer.Option(help="What runs the rollups: duckdb or spark.", show_default="the config's engine, duckdb unless set")] = None,
    skip_unknown: Annotated[bool, typer.Option(help="Go on without files that match no known format or cannot be read; the report lists them as skipped.")] = False,
) -> None:
    """Run the whole review: check the data, compute the evidence, write the board report."""
    from review.config import default_config_path
    from review.runner.run import run_review

    if national:
        return national_review(data=data, year=year, out=out, config=config)
    config = config or default_config_path(year)
    _print_config(config, year, "; without a config file nothing is cached for a re-run" if config is None and cache else "")
    try:
        with console.status("Starting") as status:
            result = run_review(data, year, out, config, progress=lambda title: status.update(title), use_cache=cache,
                                engine=engine.value if engine else None, skip_unknown=skip_unknown)
    except ReviewError as exc:
        _fail(exc)
    _print_summary(result)


def _print_summary(result) -> None:
    manifest = json.loads(result.outputs["manifest"].read_text())
    _print_inputs(manifest["inputs"])
    if result.cache.get("status") == "unchanged":  # review.runner.cache.UNCHANGED: no notebook ran
        console.print(styled("Outputs reused whole", "bold", f" from the last run into {result.out} "
                             f"({result.timings['total']:.1f} s): {result.cache.get('outputs')}"),
                      highlight=False, soft_wrap=True)
        console.print(styled("Done.", "bold green", f" The board report is {result.outputs['pdf']}"))
        return
    console.print("Time per notebook", style="bold", highlight=False)
    width = max(map(len, result.timings), default=0)
    for stage, seconds in result.timings.items():
        console.print(f"  {stage:<{width}} {seconds:6.1f} s", highlight=False)
    if result.cache.get("status") == "hit":
        console.print(f"  reused from the last run: {len(result.cache['reused_notebooks'])} notebooks (inputs unchanged)")
    elif result.cache.get("reason"):  # a re-run expected to be quick says why it was not
        console.print(f"  nothing reused from the last run: {result.cache['reason']}", highlight=False)
    if result.cache.get("outputs"):  # and why the outputs were not reused whole
        console.print(f"  outputs made again: {result.cache['outputs']}", highlight=False)
    outcome = result.outputs["manifest"].parent / "artifacts" / "decisions.json"
    if outcome.exists():
        outcome = json.loads(outcome.read_text(encoding="utf-8"))
        _print_unmatched(outcome["unmatched_decisions"], outcome.get("did_you_mean", {}), outcome["decisions_file"])
    console.print(styled("Done.", "bold green", f" The board report is {result.outputs['pdf']}"))


@app.command()
def ingest(
    src: Annotated[list[Path], typer.Argument(metavar="SRC", help="Folders or files: platform exports and registers (CSV, XLSX, Parquet).")],
    out: Annotated[Path, typer.Option(help="Folder for one Parquet file per canonical table, ingest-report.json and rejected-rows.csv.")],
    year: Annotated[Optional[int], typer.Option(help="The review year: places dates written without a year (TikTok) and sets the config's period.", show_default="none: no config is read; dates without a year are placed by a 20YY folder name, else the file's date")] = None,
    config: ConfigOption = None,
    max_reject_pct: Annotated[Optional[float], typer.Option(help="Stop if more than this share (per cent) of a file's rows is rejected.", show_default="the config's reject_rate_max_pct, else 5")] = None,
    skip_unknown: Annotated[bool, typer.Option(help="Go on without files that match no known format or cannot be read; they are listed as skipped.")] = False,
) -> None:
    """Recognise, repair and validate input files; write the canonical tables and say what became of every row."""
    from review.config import default_config_path, load_config
    from review.inputs.ingest import write_ingest
    from review.inputs.validate import check_reject_rate

    try:
        period, limit = None, 5.0
        if year is not None:
            config = config or default_config_path(year)
            _print_config(config, year)
            cfg = load_config(config, year)
            period, limit = (cfg.period_start, cfg.period_end), cfg.reject_rate_max_pct
        elif config is not None:
            raise ReviewError(f"--config {config}: give --year too; without it no config is read")
        with console.status("Reading inputs"):
            validated = write_ingest(src, out, period, skip_unknown=skip_unknown,
                                     config_path=config or (default_config_path(year) if year is not None else None))
        _print_inputs([f.as_dict() for f in validated.files])
        _print_skipped(json.loads((Path(out) / "ingest-report.json").read_text(encoding="utf-8")).get("skipped", []))
        console.print(f"Wrote {len(validated.tables)} Parquet tables, ingest-report.json and rejected-rows.csv to {out}")
        check_reject_rate(validated.files, max_reject_pct if max_reject_pct is not None else limit)
        # the folder is a valid --data: the run reports on the original files (review.inputs.ingest.read_ingested)
        console.print(f"Next: {_program()} run --data {out} --year {year or 'YEAR'}" + (f" --config {config}" if config else ""),
                      highlight=False, soft_wrap=True)
    except ReviewError as exc:
        _fail(exc)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER", help="The year's folder to create, e.g. data/2025; it must not exist or be empty.")],
    year: Annotated[int, typer.Option(help="The review year.")],
    from_config: Annotated[Optional[Path], typer.Option(help="Last year's config to copy.", show_default="FOLDER/../YEAR-1/config.yml, else config/YEAR-1.yml, if present; else every setting at its default")] = None,
    previous_register: Annotated[Optional[Path], typer.Option(help="Last year's register, whose open recommendations go into the decisions file.", show_default="where the run looks: reports/YEAR-1/recommendations-YEAR-1.yml")] = None,
) -> None:
    """Create a year's folder: the config, a decisions file, one XLSX template per register, a place for the exports."""
    from review.inputs.init import init_year

    try:
        result = init_year(folder, year, from_config=from_config, previous_register=previous_register)
    except ReviewError as exc:
        _fail(exc)
    if result.config_from:
        console.print(f"config.yml: copied from {result.config_from}, for {year}", highlight=False, soft_wrap=True)
    else:
        looked = ", ".join(map(str, result.looked_for.get("config", [])))
        console.print(f"config.yml: every setting at its default (no config for {year - 1} found: looked for {looked})",
                      highlight=False, soft_wrap=True)
        from review.config import Force

        console.print(styled("  Set your force's name in it", "yellow", f": force.name and force.short_name are the sample "
                             f"force's ({Force().name}) until you do, and they go on the cover."), highlight=False, soft_wrap=True)
    if result.register_from:
        console.print(f"decisions-{year}.yml: {result.open_recommendations} open recommendation(s) from {result.register_from}",
                      highlight=False, soft_wrap=True)
    else:
        looked = ", ".join(map(str, result.looked_for.get("register", [])))
        console.print(f"decisions-{year}.yml: nothing to carry forward (no register for {year - 1} found: looked for {looked})",
                      highlight=False, soft_wrap=True)
    console.print(styled("Done.", "bold green", f" Wrote {folder}: fill in the templates in {folder}/inputs/registers, put the "
                         f"exports in {folder}/inputs/exports, then follow {folder}/README.md"), highlight=False, soft_wrap=True)


def _program() -> str:
    """The command as the user can type it again: `review` when that is on the PATH, else the path
    they ran (`.venv/bin/review` in a shell where the environment is not activated)."""
    import shutil

    typed = Path(sys.argv[0])
    if typed.name != "review":
        return "review"  # python -m review.cli, or a test
    found = shutil.which("review")
    return "review" if found and Path(found).resolve() == typed.resolve() else str(typed)


def _print_skipped(skipped: list[dict]) -> None:
    """Every file not read, one line each with the reason: skipped files are never silent."""
    if skipped:
        console.print(styled(f"Skipped {len(skipped)} file(s)", "bold yellow", ", not read:"), highlight=False)
        for s in skipped:
            console.print(f"  {s['file']}: {s['reason']}", highlight=False, soft_wrap=True)


def _print_inputs(files: list[dict]) -> None:
    """What became of every input file's rows (FileReport.as_dict, as the manifest stores them).

    A file name is never cut or folded: the counts stand in aligned columns at the right, beside
    each file or, when a name with its format is too long for that, on the line below every name."""
    counts = {"rows read": "rows_read", "accepted": "rows_accepted", "rejected": "rows_rejected",
              "merged": "rows_merged", "unused": "rows_unused"}
    rows = []
    for f in files:
        table = f["table"] or ("joined" if f.get("rows_merged") and not f.get("rows_unused") else "not used")
        what = f"{f.get('layout') or f['format']} → {table}" + (f", account {f['account_id']}" if f.get("account_id") else "")
        rows.append((f"  {f['path']}", what, [f"{f.get(k, 0):,}" for k in counts.values()]))
    widths = [max([len(h), *(len(r[2][i]) for r in rows)]) for i, h in enumerate(counts)]
    block = sum(w + 2 for w in widths)
    heading = "  file (format → table)"
    left = min(max([len(heading), *(len(f"{name}  ({what})") for name, what, _ in rows)]), max(console.width - block, 0))

    def numbers(values) -> str:
        return "".join(f"{v:>{w + 2}}" for v, w in zip(values, widths))

    def say(text: str) -> None:
        console.print(text, highlight=False, markup=False, soft_wrap=True)

    console.print("Input files", style="bold", highlight=False)
    say(f"{heading if len(heading) <= left else '':<{left}}{numbers(list(counts))}")
    if all(len(f"{name}  ({what})") <= left for name, what, _ in rows):
        for name, what, values in rows:
            say(f"{f'{name}  ({what})':<{left}}{numbers(values)}")
        return
    for name, what, values in rows:  # one layout for every file: the name on a line of its own
        say(name)
        if len(f"    {what}") > left:
            say(f"    {what}")
            what = ""
        say(f"{f'    {what}' if what else '':<{left}}{numbers(values)}")


@app.command()
def recommendations(
    data: Annotated[Path, typer.Option(help="A `review ingest` output folder, a folder of input files, or a run's output folder.")],
    year: Annotated[int, typer.Option(help="The review year.")],
    config: ConfigOption = None,
    out: Annotated[Optional[Path], typer.Option(help="Where this year's run writes; last year's register is looked for beside it.", show_default="reports/YEAR")] = None,
) -> None:
    """List the recommendations that fire for the year, why, and the team's decision on each."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    from review.config import default_config_path, load_config
    from review.evidence.metrics import compute_metrics
    from review.evidence.recommend import recommend
    from review.evidence.register import decide, prepare
    from review.year import read_tables

    config = config or default_config_path(year)
    _print_config(config, year)
    try:
        cfg = load_config(config, year)
        tables = read_tables(data)
        tables, inputs = prepare(tables, cfg, config, out or Path("reports") / str(year))
        metrics = compute_metrics(tables, cfg)
        result = decide(recommend(metrics), tables["recommendations"], cfg, decisions=inputs.decisions,
                        period_end=cfg.period_end)
    except ReviewError as exc:
        _fail(exc)
    out_console = Terminal()
    table = Table(title=f"Recommendations for {cfg.period_label}", title_justify="left", box=box.SIMPLE_HEAD)
    # An id is copied into the decisions file: it is never folded. The clause is in the id, and the
    # priority goes under the title, so the title has room to wrap beside it in 80 columns.
    table.add_column("id", no_wrap=True, min_width=max((len(r.rec_id) for r in result.for_board + result.rejected), default=2))
    table.add_column("decision", no_wrap=True)
    table.add_column("recommendation", ratio=1)
    for rec in result.for_board + result.rejected:
        decision = inputs.decisions.get(rec.rec_id)
        state = "rejected" if rec in result.rejected else (decision.decision + "ed" if decision and decision.decision else "to decide")
        table.add_row(rec.rec_id, state, Text.assemble(show_controls(rec.title), "\n", (
            f"{rec.priority} priority, for {'decision' if rec.for_decision else 'noting'}", "dim")))
    out_console.print(table)
    for rec in result.for_board + result.rejected:
        evidence = ", ".join(f"{k} = {v}" for k, v in rec.evidence.items())
        body = Text.assemble(show_controls(rec.text), "\n", (show_controls(f"Evidence: {evidence}"), "dim"))
        out_console.print(Panel(body, title=Text(show_controls(rec.rec_id)), title_align="left"))
    _print_unmatched(result.unmatched_decisions, result.did_you_mean, inputs.decisions_file)
    console.print(f"Decisions read from: {inputs.decisions_file or 'none yet'}; "
                  f"last year's register: {inputs.previous_register_file or 'none found'}")


def _print_unmatched(unmatched: list[str], did_you_mean: dict[str, str], decisions_file) -> None:
    """Decisions whose id matches no recommendation, one a line, with the closest id when one is near."""
    from review.evidence.register import unmatched_words

    if unmatched:
        console.print(styled("Decisions that match no recommendation this year", "yellow", f" ({decisions_file}):"),
                      highlight=False)
        for words in unmatched_words(unmatched, did_you_mean):
            console.print(f"  {words}", highlight=False, soft_wrap=True)


def _national_sample(size: str, year: int, out: Path, seed: int, forces: int, started: float) -> None:
    from review.outputs.national import build_national_sample

    try:
        with console.status(f"Generating {forces} size {size} forces for {year - 1} and {year}"):
            ids = build_national_sample(out, forces, year, size=size, seed=seed)
    except ReviewError as exc:
        _fail(exc)
    console.print(f"Wrote {len(ids)} forces ({', '.join(ids)}) to the national store {out} "
                  f"in {time.perf_counter() - started:.1f} s")


@app.command()
def partition(
    run_out: Annotated[Path, typer.Argument(metavar="RUN_OUT", help="A force's run output folder (with manifest.json and canonical/).")],
    store: Annotated[Path, typer.Option(help="The national store to add the force to.")],
    force: Annotated[str, typer.Option(help="The force's id in the store: lower-case letters, digits, hyphens.")],
) -> None:
    """Add one force's validated tables for its review year to a national store."""
    from review.outputs.national import add_run

    try:
        year, paths = add_run(store, run_out, force)
    except ReviewError as exc:
        _fail(exc)
    console.print(f"Added {force} for {year}: {len(paths)} tables under {store}")


@app.command("national")
def national_review(
    data: Annotated[Path, typer.Option(help="The national store (Parquet partitioned by force and year).")],
    year: Annotated[int, typer.Option(help="The review year.")],
    out: Annotated[Optional[Path], typer.Option(help="Output folder.", show_default="reports/national-YEAR")] = None,
    config: Annotated[Optional[Path], typer.Option(help="YAML config for the national paper: period, marking, labels.",
                                                   show_default=CONFIG_DEFAULT)] = None,
    forces: Annotated[Optional[str], typer.Option(help="Only these force ids, comma-separated.", show_default="all")] = None,
    workers: Annotated[int, typer.Option(help="Compute this many forces at a time, each in its own process "
                                              "(pays off on an idle machine from about four forces).")] = 1,
) -> None:
    """Compare forces: each force's metrics from the store, the national report, workbook and CSV."""
    from review.config import default_config_path, load_config
    from review.outputs.national import run_national

    started = time.perf_counter()
    config = config or default_config_path(year)
    _print_config(config, year)
    try:
        cfg = load_config(config, year)
        chosen = [f.strip() for f in forces.split(",") if f.strip()] if forces else None
        with console.status("Starting") as status:
            result, paths = run_national(data, year, out or Path("reports") / f"national-{year}", cfg, chosen,
                                         progress=lambda title: status.update(title), workers=workers,
                                         config_path=config)
    except ReviewError as exc:
        _fail(exc)
    for f in result.forces:
        console.print(f"  {f.config.force.name:<28} {sum(f.rows.values()):>10,} rows {f.seconds:6.1f} s")
    console.print(styled("Done.", "bold green", f" {len(result.forces)} forces in {time.perf_counter() - started:.1f} s; "
                         f"the national report is {paths['pdf']}"))


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


@app.command()
def sql(
    query: Annotated[str, typer.Argument(metavar="QUERY", help="One SQL query (DuckDB's dialect) over the tables, by name.")],
    data: Annotated[Path, typer.Option(help="A run's output folder (its canonical Parquet), or a folder of input files.")],
    engine: Annotated[Optional[Engine], typer.Option(help="duckdb or spark.", show_default="the year's config's engine, duckdb unless set")] = None,
    year: Annotated[Optional[int], typer.Option(help="Query that review period's rows, with the local-time columns the rollups use (published_local, received_local, response_minutes, is_staffed) and the post_scores and messages tables.", show_default="the run's year, else the latest year in the data")] = None,
    config: Annotated[Optional[Path], typer.Option(help="The year's YAML config; needs --year.", show_default=CONFIG_DEFAULT)] = None,
    all_years: Annotated[bool, typer.Option("--all-years", help="Query every row of every year, canonical columns only.", show_default="off: one review year")] = False,
    format: Annotated[Optional[Format], typer.Option("--format", help="table (printed), csv, json or parquet.", show_default="from --output's suffix, else table")] = None,
    output: Annotated[Optional[Path], typer.Option(help="Write the result to this file (csv, json or parquet) instead of printing it.", show_default="none: printed")] = None,
    max_rows: Annotated[int, typer.Option(help="Print at most this many rows (table format).", min=1)] = 50,
) -> None:
    """Run ad hoc SQL over one review year's tables (or every year's) and print or save the result."""
    from review.evidence.query import format_of, run_query, write_result

    try:
        fmt = format_of(format.value if format else None, output)
        with console.status("Running the query"):
            result = run_query(query, data, engine.value if engine else None, year, config, all_years)
        if fmt != "table":
            write_result(result.frame, fmt, output, data)
    except ReviewError as exc:
        _fail(exc)
    frame = result.frame
    where = f"year {result.year}" + (f", {result.year_chosen} (--year to choose)" if result.year_chosen else "") \
        if result.year else "every year"
    if fmt != "table":
        console.print(f"{len(frame):,} rows ({result.engine}); {where}" + (f"; written to {output}" if output else ""),
                      highlight=False)
        return
    from rich.table import Table

    table = Table(title_justify="left", show_lines=False)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if _is_numeric(frame[column]) else "left", overflow="fold")
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    Terminal().print(table)
    shown = f"; showing the first {max_rows:,}" if len(frame) > max_rows else ""
    console.print(f"{len(frame):,} rows ({result.engine}){shown}; {where}", highlight=False)


def _is_numeric(series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _cell(value) -> str:
    """A value as printed: blank when missing (integers stay integers: review.evidence.query)."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value) is True):
        return ""
    return str(value)


@app.command()
def docs(
    out: Annotated[Path, typer.Option(help="Where to write the generated documents.")] = Path("docs"),
) -> None:
    """Write the data dictionary, metric definitions, platform exports and configuration docs from the code."""
    from review.docs import write_docs

    for path in write_docs(out):
        console.print(f"Wrote {path}")


if __name__ == "__main__":
    app()
