"""The command line: `review sample`, `review run`, `review docs`.

Errors the user can fix come out as one clear message (file, line, column, what was expected),
never a traceback. Set REVIEW_DEBUG=1 to see the traceback as well.
"""

from __future__ import annotations

import os
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from review.errors import ReviewError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The annual review of a force's social media.")
console = Console(stderr=True)


class Size(str, Enum):
    S = "S"
    M = "M"
    L = "L"


def _fail(exc: Exception) -> None:
    if os.environ.get("REVIEW_DEBUG"):
        raise exc
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def sample(
    size: Annotated[Size, typer.Option(help="S: a small force; M: a large force; L: a national review.")] = Size.S,
    year: Annotated[int, typer.Option(help="The review year; the year before is written too.")] = 2025,
    out: Annotated[Path, typer.Option(help="Folder to write one CSV per table into.")] = Path("data/sample"),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes.")] = 2025,
) -> None:
    """Write a synthetic year (and the year before) of canonical data for a fictional force."""
    from review.sample import build_sample

    started = time.perf_counter()
    with console.status(f"Generating size {size.value} sample data for {year - 1} and {year}"):
        paths = build_sample(size.value, year, out, seed=seed)  # streams: size L fits in memory
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    console.print(f"Wrote {len(paths)} files ({size_mb:,.1f} MB) to {out} in {time.perf_counter() - started:.1f} s")


@app.command()
def run(
    data: Annotated[Path, typer.Option(help="Folder of input files (canonical CSV, XLSX or Parquet).")],
    year: Annotated[int, typer.Option(help="The review year.")],
    out: Annotated[Optional[Path], typer.Option(help="Output folder [default: reports/YEAR].")] = None,
    config: Annotated[Optional[Path], typer.Option(help="The year's YAML config [default: config/YEAR.yml if present].")] = None,
) -> None:
    """Run the whole review: check the data, compute the evidence, write the board report."""
    from review.config import default_config_path
    from review.run import run_review

    config = config or default_config_path(year)
    try:
        with console.status("Starting") as status:
            result = run_review(data, year, out, config, progress=lambda title: status.update(title))
    except ReviewError as exc:
        _fail(exc)
    _print_summary(result)


def _print_summary(result) -> None:
    import json

    manifest = json.loads(result.outputs["manifest"].read_text())
    table = Table(title="Input files", title_justify="left")
    for column in ["file", "table", "rows read", "accepted", "rejected", "merged"]:
        table.add_column(column, justify="left" if column in ("file", "table") else "right")
    for f in manifest["inputs"]:
        table.add_row(f["path"], f["table"], *(f"{f[k]:,}" for k in ["rows_read", "rows_accepted", "rows_rejected", "rows_merged"]))
    console.print(table)
    for stage, seconds in result.timings.items():
        console.print(f"  {stage:<18} {seconds:6.1f} s")
    console.print(f"[bold green]Done.[/] The board report is {result.outputs['pdf']}")


@app.command()
def docs(
    out: Annotated[Path, typer.Option(help="Where to write the generated documents.")] = Path("docs"),
) -> None:
    """Write docs/data-dictionary.md and docs/metrics.md from the contracts and the metric registry."""
    from review.docs import write_docs

    for path in write_docs(out):
        console.print(f"Wrote {path}")


if __name__ == "__main__":
    app()
