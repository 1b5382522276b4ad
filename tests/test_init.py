"""`review init`: a year's folder, and ingest reading its filled templates as they are.

Templates are checked against the contracts; filled ones are read back through the real ingest,
and the counts compared with the rows written here.
"""

import csv
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from review.cli import app
from review.config import ReviewConfig, load_config
from review.inputs.contracts import TABLES
from review.errors import ReviewError
from review.inputs.ingest import read_checked, read_folder
from review.inputs.init import decisions_text, default_config_text, init_year, register_tables
from review.evidence.register import carry_forward, read_decisions, read_register_yaml

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025


@pytest.fixture(scope="module")
def year_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("init") / str(YEAR)
    init_year(folder, YEAR, root=tmp_path_factory.mktemp("empty-project"))
    return folder


def _registers(folder: Path) -> Path:
    return folder / "inputs" / "registers"


def test_the_folder_has_a_template_per_register_and_the_year_files(year_folder):
    names = sorted(p.name for p in _registers(year_folder).iterdir())
    assert names == sorted(f"{t.name}.xlsx" for t in register_tables())
    expected = {"accounts", "contacts", "incidents", "critical_incidents", "compliance_checks", "training", "recommendations"}
    assert expected <= {t.name for t in register_tables()}
    assert not {"posts", "audience"} & {t.name for t in register_tables()}, "the platform exports fill these"
    assert (year_folder / "inputs" / "exports").is_dir()
    assert {p.name for p in year_folder.iterdir()} == {"README.md", "config.yml", f"decisions-{YEAR}.yml", "inputs"}
    assert not list(year_folder.parent.glob(".*init*")), "no staging folder left behind"


@pytest.mark.parametrize("table", [t.name for t in register_tables()])
def test_each_template_has_the_contract_headers_descriptions_and_drop_downs(year_folder, table):
    sheet = load_workbook(_registers(year_folder) / f"{table}.xlsx").active
    contract = TABLES[table]
    assert [c.value for c in sheet[1]] == contract.columns
    assert [c.value for c in sheet[2]] == [contract.field(c)["description"] for c in contract.columns]
    lists = {}
    for rule in sheet.data_validations.dataValidation:
        for column in str(rule.sqref).split():
            if rule.type == "list":
                lists[column.split(":")[0].rstrip("0123456789")] = rule.formula1.strip('"').split(",")
    for i, column in enumerate(contract.columns):
        letter = sheet.cell(row=1, column=i + 1).column_letter
        allowed = contract.field(column)["allowed"]
        if allowed:
            assert lists.get(letter) == allowed, column
        elif contract.field(column)["dtype"] == "boolean":
            assert lists.get(letter) == ["true", "false"], column
        else:
            assert letter not in lists, column


def _fill(path: Path, rows: list[list], blank_between: bool = True) -> None:
    book = load_workbook(path)
    sheet = book.active
    line = 3
    for row in rows:
        for i, value in enumerate(row, start=1):
            sheet.cell(row=line, column=i, value=value)
        line += 2 if blank_between else 1  # a blank row between filled ones, as people leave them
    book.save(path)


def test_filled_templates_are_read_as_they_are(year_folder, tmp_path):
    folder = tmp_path / "y"
    shutil.copytree(year_folder, folder)
    registers = _registers(folder)
    accounts = [
        ["NSP-001", "X", "@northshire", "Northshire Police", "Digital", "corporate", dt.date(2019, 5, 1), None, "true", "true", 3, dt.date(2025, 2, 1)],
        ["NSP-002", "Facebook", "northshirepolice", "Northshire Police", "Digital", "corporate", dt.date(2018, 1, 9), None, "true", "false", 4, None],
        ["NSP-003", "Myspace", "nsp", "Old page", "Digital", "corporate", dt.date(2010, 1, 1), None, "false", "false", 1, None],  # not a platform
    ]
    _fill(registers / "accounts.xlsx", accounts)
    incidents = [["INC-1", dt.date(2025, 3, 2), None, "harassment_or_abuse", "personal", "low", "officer", "open"]]
    _fill(registers / "incidents.xlsx", incidents, blank_between=False)
    validated, _ = read_checked(folder / "inputs", (dt.date(2025, 1, 1), dt.date(2026, 1, 1)))
    by_file = {Path(f.path).name: f for f in validated.files}

    acc = by_file["accounts.xlsx"]
    assert (acc.rows_read, acc.rows_accepted, acc.rows_rejected) == (3, 2, 1)  # description and blank rows are not rows
    assert any("description row (line 2) was skipped" in n for n in acc.notes)
    rejected = validated.rejected[validated.rejected["file"].str.endswith("accounts.xlsx")]
    assert rejected[["line", "column", "value"]].values.tolist() == [[7, "platform", "Myspace"]]  # rows 3, 5, 7
    assert sorted(validated.tables["accounts"]["account_id"]) == ["NSP-001", "NSP-002"]
    assert by_file["incidents.xlsx"].rows_accepted == 1 and len(validated.tables["incidents"]) == 1

    # Templates left as they were: reported, not supplied, not counted, nothing rejected.
    for name in ["contacts", "critical_incidents", "training"]:
        f = by_file[f"{name}.xlsx"]
        assert f.table is None and f.rows_read == 0 and f.rows_rejected == 0, name
        assert any("counts as not supplied" in n for n in f.notes)
        assert validated.tables[name].empty


CRITICAL = TABLES["critical_incidents"]


def _critical_csv(folder: Path, *rows: list) -> None:
    """A critical-incidents register saved as CSV: the contract's header, then `rows`."""
    with (folder / "critical.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([CRITICAL.columns, *rows])


def test_a_template_saved_as_csv_is_read_the_same_way(tmp_path):
    _critical_csv(tmp_path, [CRITICAL.field(c)["description"] for c in CRITICAL.columns],
                  ["CI-1", "Flood", "2025-02-01T09:00:00Z", "2025-02-03T18:00:00Z"], ["CI-2", "Fire", "not a date", ""])
    raw, _ = read_folder(tmp_path)
    assert raw[0].rows_read == 2 and raw[0].line_of(1) == 4
    validated, _ = read_checked(tmp_path)
    assert validated.files[0].rows_accepted == 1
    assert validated.rejected[["line", "column"]].values.tolist() == [[4, "declared_at"]]


def test_a_row_that_only_looks_like_descriptions_in_part_is_data(tmp_path):
    # One cell equal to its description is not enough: the row is data (and is checked as data).
    _critical_csv(tmp_path, ["CI-1", CRITICAL.field("name")["description"], "2025-02-01T09:00:00Z", ""])
    validated, _ = read_checked(tmp_path)
    assert validated.files[0].rows_read == 1 and validated.files[0].rows_accepted == 1


def test_init_never_writes_into_a_folder_that_holds_anything(tmp_path):
    folder = tmp_path / "2025"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(ReviewError, match="already exists and is not empty"):
        init_year(folder, YEAR, root=tmp_path)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    result = CliRunner().invoke(app, ["init", str(folder), "--year", str(YEAR)])
    assert result.exit_code == 1 and "not empty" in result.output and "Traceback" not in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    init_year(empty, YEAR, root=tmp_path)
    assert (empty / "config.yml").exists()


def test_the_default_config_loads_as_the_defaults_and_names_every_setting(tmp_path):
    path = tmp_path / "config.yml"
    text = default_config_text(YEAR)
    path.write_text(text)
    assert load_config(path, YEAR) == ReviewConfig(year=YEAR)
    for name in ReviewConfig.model_fields:
        assert f"{name}:" in text, name


def test_last_years_config_is_copied_for_this_year(tmp_path):
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "2025.yml", tmp_path / "config" / "2025.yml")
    result = init_year(tmp_path / "data" / "2026", 2026, root=tmp_path)
    assert result.config_from == tmp_path / "config" / "2025.yml"
    copied = load_config(tmp_path / "data" / "2026" / "config.yml", 2026)
    last = load_config(ROOT / "config" / "2025.yml", 2025)
    assert copied.targets == last.targets and copied.force == last.force
    assert last.report.report_date == dt.date(2026, 1, 28) and copied.report.report_date is None  # last year's date not kept
    # next year, init finds this year's folder's config beside it
    result = init_year(tmp_path / "data" / "2027", 2027, root=tmp_path)
    assert result.config_from == tmp_path / "data" / "2026" / "config.yml"


def test_the_decisions_file_lists_last_years_open_recommendations_and_changes_nothing(tmp_path):
    register = tmp_path / "recommendations-2024.yml"
    entries = [
        {"rec_id": "R2023-P5-mfa", "year_raised": 2023, "clause": "P5", "title": "Turn on MFA", "owner": "Digital",
         "priority": "high", "status": "in_progress", "due_date": "2024-06-30", "status_note": "Half done: 'really'"},
        {"rec_id": "R2024-P3-night", "year_raised": 2024, "clause": "P3", "title": "Answer at night", "owner": "Contact",
         "priority": "medium", "status": "open", "due_date": None, "status_note": None},
        {"rec_id": "R2024-P7-alt", "year_raised": 2024, "clause": "P7", "title": "Alt text", "owner": "Digital",
         "priority": "low", "status": "implemented", "due_date": "2024-12-31", "status_note": "Done."},
    ]
    register.write_text(yaml.safe_dump({"recommendations": entries}))
    path = tmp_path / "decisions-2025.yml"
    path.write_text(decisions_text(2025, register))
    decisions = read_decisions(path)
    assert sorted(decisions) == ["R2023-P5-mfa", "R2024-P3-night"]  # the implemented one is closed
    assert decisions["R2023-P5-mfa"].status_note == "Half done: 'really'"
    before = read_register_yaml(register)
    pd.testing.assert_frame_equal(carry_forward(before.iloc[:0], before, decisions), carry_forward(before.iloc[:0], before, {}))


def test_the_year_folder_itself_as_data_says_which_folder_to_give(tmp_path):
    """`--data data/2025` (the year's folder, not its inputs/ or checked/) failed inside the first
    notebook, on ingest's own rejected-rows.csv as an unknown table."""
    from review.runner.run import run_review

    folder = tmp_path / "2025"
    init_year(folder, 2025)
    expected = f"{folder}: this is a year's folder, not a folder of data files; give the files {folder / 'inputs'} (as they came)"
    result = CliRunner().invoke(app, ["ingest", str(folder), "--out", str(tmp_path / "checked")])
    assert result.exit_code == 1 and " ".join(result.output.split()) == f"error: {expected}"
    (folder / "checked").mkdir()
    (folder / "checked" / "ingest-report.json").write_text("{}")
    with pytest.raises(ReviewError) as caught:
        run_review(folder, 2025, tmp_path / "out", folder / "config.yml")  # before any kernel starts
    assert str(caught.value) == (f"{folder}: this is a year's folder, not a folder of data files; give the files "
                                 f"{folder / 'checked'} (as review ingest checked them) or {folder / 'inputs'} (as they came)")


def test_a_first_year_is_told_to_set_the_forces_name(tmp_path, monkeypatch):
    """With no config from last year every setting is the sample force's, name on the cover included."""
    monkeypatch.chdir(tmp_path)  # no config/2024.yml here
    result = CliRunner().invoke(app, ["init", str(tmp_path / "2025"), "--year", "2025"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert ("Set your force's name in it: force.name and force.short_name are the sample force's (Northshire Police) "
            "until you do, and they go on the cover.") in said
