"""A `review ingest` output folder is a valid --data: read as ingest validated it, about the ORIGINAL files.

The folder is recognised by the ingest report written inside it (never by file names); the
per-file accounting and the rejected rows the run reports are those of the files ingest read.
Anything changed or added in the folder since ingest wrote it is an error naming the file.
"""

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from review.evidence import pipeline
from review.errors import ReviewError
from review.inputs.ingest import INGEST_REPORT, read_checked, write_ingest

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT.parent / "shared" / "exports"
PERIOD = (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
CONFIG = ROOT / "config" / "2025.yml"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest") / "2025"
    write_ingest([EXPORTS], out, PERIOD)
    return out


def _copy(ingested: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "checked"
    shutil.copytree(ingested, copy)
    return copy


def test_an_ingest_folder_reads_as_the_original_files(ingested):
    direct, _ = read_checked(EXPORTS, PERIOD)
    via, meta = read_checked(ingested, PERIOD)
    assert [f.as_dict() for f in via.files] == [f.as_dict() for f in direct.files]
    assert {f.path for f in via.files} == {p.name for p in EXPORTS.glob("*.csv")}
    for name, frame in direct.tables.items():
        pd.testing.assert_frame_equal(via.tables[name].reset_index(drop=True), frame.reset_index(drop=True),
                                      check_dtype=True, obj=name)
    assert via.rejected.astype(str).values.tolist() == direct.rejected.astype(str).values.tolist()
    assert meta["ingest"]["sources"] == [str(EXPORTS)]
    assert meta["ingest"]["period"] == ["2025-01-01", "2026-01-01"]


def test_rejected_rows_match_the_log_line_for_line(ingested):
    report = json.loads((ingested / INGEST_REPORT).read_text())
    with (ingested / "rejected-rows.csv").open(encoding="utf-8", newline="") as handle:
        logged = list(csv.DictReader(handle))
    per_file: dict[str, set] = {}
    for row in logged:
        per_file.setdefault(row["file"], set()).add(row["line"])
    for f in report["files"]:
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"] + f["rows_merged"] + f["rows_unused"], f["path"]
        assert len(per_file.get(f["path"], ())) == f["rows_rejected"], f["path"]
    assert report["rows_rejected"] == sum(len(lines) for lines in per_file.values()) > 0


def test_the_run_stage_reports_the_original_files_and_their_rejected_rows(ingested, tmp_path):
    out = tmp_path / "run"
    pipeline.ingest_stage(str(ingested), 2025, str(CONFIG), str(out))
    record = json.loads((out / "artifacts" / "ingest.json").read_text())
    report = json.loads((ingested / INGEST_REPORT).read_text())
    assert record["files"] == report["files"]
    assert record["rows_rejected"] == report["rows_rejected"]
    assert record["ingest"]["folder"] == str(ingested)
    assert (out / "rejected-rows.csv").read_bytes() == (ingested / "rejected-rows.csv").read_bytes()
    posts = pd.read_parquet(out / "canonical" / "posts.parquet")
    assert len(posts) == report["tables"]["posts"] == sum(f["rows_accepted"] for f in report["files"] if f["table"] == "posts")


def test_a_raw_folder_still_runs_as_before(tmp_path):
    out = tmp_path / "run"
    pipeline.ingest_stage(str(EXPORTS), 2025, str(CONFIG), str(out))
    record = json.loads((out / "artifacts" / "ingest.json").read_text())
    assert record["ingest"] is None
    assert {f["path"] for f in record["files"]} == {p.name for p in EXPORTS.glob("*.csv")}


def test_a_file_added_to_the_ingest_folder_is_named(ingested, tmp_path):
    copy = _copy(ingested, tmp_path)
    (copy / "accounts.csv").write_text("account_id,platform\nNSP-1,X\n")
    with pytest.raises(ReviewError, match=r"ingest did not write: accounts\.csv.*run review ingest again"):
        read_checked(copy, PERIOD)


def test_a_table_changed_after_ingest_is_named(ingested, tmp_path):
    copy = _copy(ingested, tmp_path)
    posts = pd.read_parquet(copy / "posts.parquet")
    posts.iloc[:-1].to_parquet(copy / "posts.parquet", index=False)
    with pytest.raises(ReviewError, match=r"posts\.parquet: changed since review ingest wrote it"):
        read_checked(copy, PERIOD)


def test_a_report_from_an_older_ingest_is_refused_in_words(ingested, tmp_path):
    copy = _copy(ingested, tmp_path)
    report = json.loads((copy / INGEST_REPORT).read_text())
    del report["written_by"]
    (copy / INGEST_REPORT).write_text(json.dumps(report))
    with pytest.raises(ReviewError, match="not an ingest report written by this version.*run review ingest again"):
        read_checked(copy, PERIOD)


def test_dates_without_a_year_placed_for_another_year_are_refused(ingested):
    # TikTok writes "July 16": ingest placed those dates for 2025; a 2024 review cannot use them.
    with pytest.raises(ReviewError, match=r"placed the dates without a year in .*tiktok_studio_content\.csv"
                                          r".*for 2025-01-01 to 2026-01-01.*with this --year"):
        read_checked(ingested, (dt.date(2024, 1, 1), dt.date(2025, 1, 1)))


def test_large_tables_are_copied_to_the_spool_not_read_whole(ingested, tmp_path, monkeypatch):
    import review.inputs.ingest

    from review.inputs.validate import ParquetTable

    monkeypatch.setattr(review.inputs.ingest, "STREAM_MIN_BYTES", 0)  # every table counts as large
    spool = tmp_path / "canonical"
    validated, _ = read_checked(ingested, PERIOD, spool)
    report = json.loads((ingested / INGEST_REPORT).read_text())
    for name, table in validated.tables.items():
        assert isinstance(table, ParquetTable) and table.path == spool / f"{name}.parquet"
        assert len(table) == report["tables"][name] == len(pd.read_parquet(table.path))
    assert (ingested / "posts.parquet").exists(), "the ingest output is copied, never moved"
