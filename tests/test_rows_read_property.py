"""Rows read = records in the file, for every accepted file of every layout (issue 13).

A CSV under 1 MB used to be kept as the 50-record head read to recognise it: a real 160-tweet
export became 49 posts without a word. Here every real sample in ../shared/exports and every
synthetic fixture of tests/export_fixtures.py is scaled (tests/scaled_exports.py) to 0, 1, 49, 50,
51, 500 and 5,000 records, quirks kept, and ingested alone: the rows read must equal the records
written, and read = accepted + rejected + merged + unused. The workbooks are built at each size by
their builders. The last test is issue 13's "done": one folder mixing every layout, files of
thousands of rows, through `review ingest`, every file's count equal to the one made here.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import export_fixtures as fx
from review.cli import app
from review.inputs.ingest import read_inputs
from review.inputs.validate import validate_files
from scaled_exports import fixture_sources, scale, shared_sources

PERIOD = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
SIZES = [1, 49, 50, 51, 500, 5000]
SOURCES = {**shared_sources(), **fixture_sources()}


def accounted(files) -> None:
    for f in files:
        assert f.rows_read == f.rows_accepted + f.rows_rejected + f.rows_merged + f.rows_unused, f.path


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_rows_read_equal_the_records_written_at_every_size(tmp_path, name):
    source = SOURCES[name]
    for n in [0, *SIZES]:
        path = tmp_path / name
        path.write_bytes(scale(source, n))
        result = validate_files(read_inputs([path], PERIOD)[0])
        (report,) = result.files
        assert report.rows_read == n, (name, n, report.rows_read)
        accounted(result.files)


def _linkedin_xlsx(path: Path, n: int) -> dict[str, int]:
    """LinkedIn's 2020 workbook with `n` updates, as XLSX (the .xls fixture needs xlwt to write);
    sheet -> records written (the line above each header is a description, not a record)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    counts = {}
    for name, rows in fx.linkedin_sheets(n).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        counts[name] = len(rows) - 2
    book.save(path)
    return counts


def _facebook_counts(n: int) -> dict[str, int]:
    """Records per sheet of facebook_post_workbook(n), counted from the posts it is built from."""
    posts = fx.facebook_posts(n)
    return {"Key Metrics": n, "Lifetime Post Stories by action": sum(p["stories"] is not None for p in posts) + 1,
            "Lifetime Post Consumptions by t": sum(p["clicks"] is not None for p in posts),
            "Lifetime Talking About This(Pos": n}


@pytest.mark.parametrize("n", SIZES)
def test_workbooks_read_every_row_of_every_sheet(tmp_path, n):
    (tmp_path / "fb.xls").write_text(fx.facebook_post_workbook(n), encoding="utf-8")
    expected = {f"fb.xls [{sheet}]": count for sheet, count in _facebook_counts(n).items()}
    expected |= {f"linkedin.xlsx [{sheet}]": count for sheet, count in _linkedin_xlsx(tmp_path / "linkedin.xlsx", n).items()}
    result = validate_files(read_inputs([tmp_path], PERIOD)[0], tmp_path)
    assert {f.path: f.rows_read for f in result.files} == expected
    accounted(result.files)
    reports = {f.path: f for f in result.files}
    assert reports["fb.xls [Key Metrics]"].rows_accepted == n
    # every breakdown row but the one whose post is not on Key Metrics was joined to its post
    stories = reports["fb.xls [Lifetime Post Stories by action]"]
    assert (stories.rows_merged, stories.rows_rejected) == (expected["fb.xls [Lifetime Post Stories by action]"] - 1, 1)
    assert reports["fb.xls [Lifetime Talking About This(Pos]"].rows_unused == n


def test_review_ingest_accounts_for_every_record_of_a_folder_mixing_every_layout(tmp_path):
    """Issue 13's "done": every layout in one folder, files of thousands of rows, a file nobody
    knows and one in a hidden folder; `review ingest --skip-unknown` gives no traceback, and each
    file's read = accepted + rejected + merged + unused equals the count made here."""
    n = 2000
    data, out = tmp_path / "exports", tmp_path / "out"
    data.mkdir()
    expected: dict[str, int] = {}
    for name, source in SOURCES.items():
        (data / name).write_bytes(scale(source, n))
        expected[name] = n
    (data / "fb posts.xls").write_text(fx.facebook_post_workbook(n), encoding="utf-8")
    expected |= {f"fb posts.xls [{sheet}]": count for sheet, count in _facebook_counts(n).items()}
    expected |= {f"linkedin.xlsx [{sheet}]": count for sheet, count in _linkedin_xlsx(data / "linkedin.xlsx", n).items()}
    shutil.copy(fx.FIXTURES / fx.LINKEDIN_XLS, data / fx.LINKEDIN_XLS)  # the binary .xls as Mac Excel saved it
    expected |= {f"{fx.LINKEDIN_XLS} [{sheet}]": len(rows) - 2 for sheet, rows in fx.linkedin_sheets().items()}
    (data / "colours.csv").write_text("Colour,Shape\nred,round\n", encoding="utf-8")
    (data / ".exports").mkdir()
    (data / ".exports" / "copy.csv").write_bytes((data / "x_content_late_2024.csv").read_bytes())

    outcome = CliRunner().invoke(app, ["ingest", str(data), "--out", str(out), "--year", "2025", "--skip-unknown",
                                       "--max-reject-pct", "100"])
    assert outcome.exit_code == 0, outcome.output
    assert "Traceback" not in outcome.output
    report = json.loads((out / "ingest-report.json").read_text())
    files = {f["path"]: f for f in report["files"]}
    assert {path: f["rows_read"] for path, f in files.items()} == expected
    for f in files.values():
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"] + f["rows_merged"] + f["rows_unused"], f["path"]
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == {"colours.csv", ".exports/copy.csv"}
    assert "hidden folder" in skipped[".exports/copy.csv"] and "Colour, Shape" in skipped["colours.csv"]
    assert "colours.csv" in outcome.output and ".exports/copy.csv" in outcome.output
