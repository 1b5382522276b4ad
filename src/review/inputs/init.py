"""`review init DIR --year YEAR`: a year's folder, ready for the team to fill in.

    DIR/README.md                       what goes where, and the commands to run next
    DIR/config.yml                      the year's config: last year's with the year moved on, or
                                        every setting commented out at its default
    DIR/decisions-YEAR.yml              last year's open recommendations, to say where each stands
    DIR/inputs/registers/<table>.xlsx   one template per register (every canonical table the
                                        platform exports do not fill), headers from the contract
    DIR/inputs/exports/                 for the platform exports, as downloaded

Each template has the contract's column names in row 1, their plain-English descriptions in
row 2 (ingest skips that row: review.inputs.ingest.is_template_description) and drop-down lists for
every column with a fixed set of values. The inputs sit in their own folder so that `review
ingest DIR/inputs` reads only data, and editing the config or the decisions never changes what
a run's cache keys on.

Nothing is overwritten: DIR must not exist or be empty. The folder is built beside DIR and
renamed into place only when complete.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel

from review.runner import outdir
from review.config import ReviewConfig, load_config
from review.inputs.contracts import TABLES, Table
from review.errors import ReviewError
from review.evidence.register import LIVE, read_register_yaml
from review.yamlfile import read_yaml

CONFIG_NAME = "config.yml"
INPUTS = Path("inputs")
TEMPLATE_ROWS = 2000  # rows below the descriptions that get the drop-down lists
# Keys of a copied config that belong to the year they were written for; commented out in the copy.
YEAR_BOUND_KEYS = ("report_date", "decisions_file", "previous_register")


def register_tables() -> list[Table]:
    """The canonical tables the team keeps itself: every table no platform export fills
    (review.inputs.adapters.LAYOUTS), in contract order. A table added to the contracts is included."""
    from review.inputs.adapters import LAYOUTS

    from_exports = {layout.table for layout in LAYOUTS.values() if layout.table}
    return [table for name, table in TABLES.items() if name not in from_exports]


@dataclass
class InitResult:
    folder: Path
    written: list[Path] = field(default_factory=list)
    config_from: Path | None = None  # last year's config, when one was found and copied
    register_from: Path | None = None  # last year's register, when found
    open_recommendations: int = 0
    looked_for: dict[str, list[Path]] = field(default_factory=dict)  # what was searched, when not found


def init_year(folder: Path, year: int, *, from_config: Path | None = None,
              previous_register: Path | None = None, root: Path = Path(".")) -> InitResult:
    """Create the year's folder (see the module docstring); return what was written and decided.

    Last year's config is `from_config`, else `<DIR's parent>/<year-1>/config.yml` (last year's
    init folder), else `config/<year-1>.yml`. Last year's register is `previous_register`, else
    where this year's run will look for it (the config's previous_register, else
    reports/<year-1>/recommendations-<year-1>.yml)."""
    given = Path(folder)
    # The one rule for outputs (review.runner.outdir), without a marker: the folder is the team's to fill in.
    folder = outdir.claim(given, "init", empty_only=True, option="the year's folder",
                          inputs=[("the config file (--from-config)", from_config),
                                  ("last year's register (--previous-register)", previous_register)])
    result = InitResult(folder=given)
    with outdir.write_errors(folder):
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = outdir.new_folder(folder.parent, f".{folder.name}.init-")
    try:
        with outdir.write_errors(folder):
            config_text = _config_text(given, year, from_config, root, result)
            (staging / CONFIG_NAME).write_text(config_text, encoding="utf-8")
            config = load_config(staging / CONFIG_NAME, year)  # the copy must load as this year's config
            register = _previous_register(config, staging / CONFIG_NAME, year, previous_register, root, result)
            decisions = staging / f"decisions-{year}.yml"
            decisions.write_text(decisions_text(year, register, result), encoding="utf-8")
            for table in register_tables():
                write_template(staging / INPUTS / "registers" / f"{table.name}.xlsx", table)
            (staging / INPUTS / "exports").mkdir(parents=True)
            (staging / "README.md").write_text(readme_text(given, year), encoding="utf-8")
            if folder.exists():
                folder.rmdir()  # empty, checked above
            staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.written = sorted(p for p in given.rglob("*"))
    return result


# --- the config ------------------------------------------------------------------------------------


def _config_text(folder: Path, year: int, from_config: Path | None, root: Path, result: InitResult) -> str:
    candidates = [from_config] if from_config else [folder.parent / str(year - 1) / CONFIG_NAME,
                                                    root / "config" / f"{year - 1}.yml"]
    found = next((c for c in candidates if c.is_file()), None)
    if from_config and found is None:
        raise ReviewError(f"{from_config}: config file not found")
    if found is None:
        result.looked_for["config"] = candidates
        return default_config_text(year)
    result.config_from = found
    return copied_config_text(found, year)


def copied_config_text(path: Path, year: int) -> str:
    """Last year's config for `year`: the same text and comments, the `year:` line moved on, and
    the settings that belong to last year (YEAR_BOUND_KEYS) commented out with a note."""
    text = path.read_text(encoding="utf-8")
    raw = read_yaml(path, text) or {}
    previous = raw.get("year") if isinstance(raw, dict) else None
    if re.search(r"^year:", text, flags=re.M):
        text = re.sub(r"^year:.*$", f"year: {year}", text, count=1, flags=re.M)
    else:
        text = f"year: {year}\n" + text
    keys = "|".join(YEAR_BOUND_KEYS)
    text = re.sub(rf"^(\s*)({keys}):(.*)$",
                  lambda m: f"{m.group(1)}# {m.group(2)}:{m.group(3)}   # {previous or 'last year'}'s; set it for {year} or leave it out",
                  text, flags=re.M)
    return f"# Copied by review init from {path} for the {year} review: check the targets and the report details.\n" + text


def default_config_text(year: int) -> str:
    """Every setting of the config model, commented out at its default, with its description:
    the file loads as the defaults for `year` and shows what can be set."""
    lines = [
        f"# The {year} review. Every setting below is shown at its default, commented out: remove the",
        "# '# ' in front of a setting to change it. Unknown keys are an error. What each setting means:",
        "# docs/configuration.md; the steps of the year: docs/guide.md.",
        f"year: {year}",
        "",
    ]
    return "\n".join(lines + _commented(ReviewConfig, 0, skip={"year"})) + "\n"


def _commented(model: type[BaseModel], indent: int, skip: set[str] = frozenset()) -> list[str]:
    pad, lines = " " * indent, []
    for name, spec in model.model_fields.items():
        if name in skip:
            continue
        default = spec.get_default(call_default_factory=True)
        about = spec.description or (type(default).__doc__ if isinstance(default, BaseModel) else None)
        if about:
            lines.append(f"{pad}# ({' '.join(about.split())})")
        if isinstance(default, BaseModel):
            lines.append(f"{pad}# {name}:")
            lines += _commented(type(default), indent + 2)
            lines.append("")
        else:
            lines.append(f"{pad}# {name}: {_flow(default)}")
    return lines


def _flow(value) -> str:
    if isinstance(value, tuple):
        value = list(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


# --- the decisions file ------------------------------------------------------------------------------


def _previous_register(config: ReviewConfig, config_path: Path, year: int, given: Path | None, root: Path,
                       result: InitResult) -> Path | None:
    if given is not None:
        if not Path(given).is_file():
            raise ReviewError(f"{given}: last year's register not found")
        return Path(given)
    candidates = []
    if config.previous_register:
        candidates.append(config_path.parent / config.previous_register)
    candidates.append(root / "reports" / str(year - 1) / f"recommendations-{year - 1}.yml")
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        result.looked_for["register"] = candidates
    return found


def decisions_text(year: int, register: Path | None, result: InitResult | None = None) -> str:
    """The decisions file for `year`: every recommendation still open or in progress in last
    year's register, with its current status and note to update. Left as it is, the file
    changes nothing."""
    head = [
        f"# The team's decisions for the {year} review. review run reads this file (decisions-{year}.yml",
        "# beside the config). See docs/guide.md, \"The team's decisions and the register across years\".",
        "#",
    ]
    if register is None:
        head += ["# No register from last year was found, so there is nothing to carry forward. When this",
                 f"# year's review first runs, add the team's decision on each new recommendation here."]
        return "\n".join(head) + "\n"
    frame = read_register_yaml(register)
    live = frame[frame["status"].isin(LIVE)]
    if result is not None:
        result.register_from, result.open_recommendations = register, len(live)
    head += [
        "# Last year's open recommendations, from",
        f"#   {register}",
        "# For each, say where it stands now: status is open, in_progress, implemented, rejected or",
        "# superseded; status_note is a line on progress. Add the team's decisions on this year's new",
        "# recommendations below them once the review has run (decision: accept, or reject with a reason;",
        "# for those put to the Board, the options with their cost: see the data dictionary's \"The decisions",
        "# file\").",
    ]
    if live.empty:
        head += ["#", "# (Every recommendation in last year's register is closed: nothing to update.)"]
    body = []
    for row in live.itertuples(index=False):
        due = "no due date" if pd.isna(row.due_date) else f"due {row.due_date:%d %B %Y}"
        about = f"{' '.join(str(row.title).split())} ({row.clause}, {row.priority} priority, owner {row.owner}, {due})"
        entry = {"status": row.status, "status_note": None if pd.isna(row.status_note) else str(row.status_note)}
        dumped = yaml.safe_dump({row.rec_id: entry}, sort_keys=False, allow_unicode=True, width=100).splitlines()
        body += ["", dumped[0], f"  # {about}", *dumped[1:]]
    return "\n".join(head + body) + "\n"


# --- the register templates --------------------------------------------------------------------------


def write_template(path: Path, table: Table) -> Path:
    """An XLSX template for one register: the contract's column names in row 1, their
    descriptions in row 2 (skipped by ingest), drop-down lists for columns with a fixed set of
    values (and true/false columns), whole numbers checked, an input message on every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from review.cells import guard
    from review.inputs.validate import column_kind

    book = Workbook()
    sheet = book.active
    sheet.title = table.name
    last = TEMPLATE_ROWS + 2
    for i, column in enumerate(table.columns, start=1):
        spec = table.field(column)
        letter = get_column_letter(i)
        head = sheet.cell(row=1, column=i, value=guard(column))
        head.font = Font(bold=True)
        about = sheet.cell(row=2, column=i, value=guard(spec["description"]))
        about.font = Font(italic=True, color="444444")
        about.alignment = Alignment(wrap_text=True, vertical="top")
        about.fill = PatternFill("solid", fgColor="EEEEEE")
        sheet.column_dimensions[letter].width = max(14, min(40, len(column) + 4))
        kind = column_kind(spec["dtype"])
        allowed = spec["allowed"] or (["true", "false"] if kind == "bool" else None)
        required = "Required." if not spec["nullable"] else "May be left empty."
        hint = {"date": "A date, e.g. 2025-03-31.", "timestamp": "A date and time, e.g. 2025-03-31 14:05 (UK time).",
                "int": "A whole number.", "bool": "true or false.",
                "float": "A number; a share as a fraction (0.041 for 4.1%)."}.get(kind, "")
        if allowed:
            rule = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=spec["nullable"])
            rule.error = "Choose one of: " + ", ".join(allowed)
            rule.showErrorMessage = True
        elif kind == "int":
            checks = table.model.to_schema().columns[column].checks
            low = next((c.statistics["min_value"] for c in checks if "min_value" in (c.statistics or {})), -(10**9))
            rule = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(low), allow_blank=True)
            rule.error, rule.showErrorMessage = f"A whole number, at least {low}.", True
        else:
            rule = DataValidation(allow_blank=True)  # no check: only the message below
        rule.promptTitle = (spec["title"] or column)[:32]
        rule.prompt = " ".join(x for x in [required, hint, "One of: " + ", ".join(allowed) + "." if allowed else ""] if x)[:255]
        rule.showInputMessage = True
        sheet.add_data_validation(rule)
        rule.add(f"{letter}3:{letter}{last}")
    sheet.freeze_panes = "A3"
    sheet.row_dimensions[2].height = 60
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# --- the folder's own README -------------------------------------------------------------------------


def readme_text(folder: Path, year: int) -> str:
    """What each file is, and the exact commands for the rest of the year (paths as given)."""
    d = folder.as_posix()
    registers = ", ".join(t.name for t in register_tables())
    return f"""# The {year} review

Made by `review init`. Fill in, then run the commands below from the project folder.

| file | what to do |
|---|---|
| `config.yml` | the year's settings: force, period, targets, marking. Check them. |
| `decisions-{year}.yml` | where last year's open recommendations stand; later, the team's decisions on this year's |
| `inputs/registers/*.xlsx` | one template per register ({registers}). Row 2 describes each column: leave it, ingest skips it. Empty rows are ignored. A template left empty counts as not supplied, so what needs it is *not measured*; delete it if you do not keep that register |
| `inputs/exports/` | the platform exports, as downloaded (X, Meta Business Suite, YouTube Studio, TikTok Studio, LinkedIn). Put an account's exports in a folder named after its `account_id` when the export does not show the handle |

```bash
.venv/bin/review ingest {d}/inputs --out {d}/checked --year {year} --config {d}/config.yml   # check every file
.venv/bin/review run --data {d}/checked --year {year} --config {d}/config.yml                 # the review
```

`{d}/checked/ingest-report.json` and `rejected-rows.csv` say what became of every row; fix the
files in `inputs/` and ingest again. The run reports on the original files.
"""
