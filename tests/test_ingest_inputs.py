"""Inputs as the team really has them (issue 3): overlapping exports, registers with the headers
people type, files nobody recognises, the reject-rate limit, and a data folder that mixes
registers with raw platform exports. Expected values are worked out here from the files."""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import io
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from review.cli import app
from review.inputs.contracts import TABLES
from review.errors import ReviewError
from review.inputs.ingest import read_folder, read_inputs
from review.inputs.sample import build_sample
from review.inputs.validate import validate_files

REPO = Path(__file__).resolve().parents[1]
SAMPLE = Path(tempfile.mkdtemp(prefix="ingest-inputs-sample-")) / "sample"  # built on first use
atexit.register(shutil.rmtree, SAMPLE.parent, True)


def _sample() -> Path:
    """The seeded size-S sample year, generated once per session (a clean clone has no data/)."""
    if not (SAMPLE / "SYNTHETIC.json").exists():
        build_sample("S", 2025, SAMPLE)
    return SAMPLE
EXPORTS = REPO.parent / "shared" / "exports"
needs_exports = pytest.mark.skipif(not EXPORTS.is_dir(), reason="../shared/exports is not beside the repo")
X_2016 = EXPORTS / "x_twitter_tweet_activity_metrics_2016.csv"
REGISTERS = ["accounts", "contacts", "incidents", "critical_incidents", "compliance_checks", "training", "recommendations"]


def ingest(folder, period=None):
    raw, _ = read_folder(folder, period)
    return validate_files(raw, folder)


def write_x(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """An X classic export as X writes it: every field quoted, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


# --- overlapping exports ---------------------------------------------------------------------------


@needs_exports
def test_overlapping_x_exports_keep_the_later_figures_and_count_the_merged(tmp_path):
    """Two classic X exports that overlap by five tweets: the later export (its latest tweet is
    later) has grown figures for those five, and wins whatever the files are called."""
    header, *rows = list(csv.reader(io.StringIO(X_2016.read_text(encoding="utf-8"), newline="")))
    impressions = header.index("impressions")
    likes = header.index("likes")
    # newest tweet first: rows[0:10] is the later export (Dec 20-23), rows[5:15] the earlier one (Dec 15-21)
    later = [list(r) for r in rows[:10]]
    for row in later[5:]:  # the five tweets both exports hold: the later one has grown figures
        row[impressions] = f"{float(row[impressions]) + 1000:.1f}"
        row[likes] = f"{float(row[likes]) + 1:.1f}"
    earlier = [list(r) for r in rows[5:]]
    write_x(tmp_path / "a_later.csv", header, later)  # named so that the earlier export sorts last
    write_x(tmp_path / "z_earlier.csv", header, earlier)

    out = tmp_path / "out"
    outcome = CliRunner().invoke(app, ["ingest", str(tmp_path / "a_later.csv"), str(tmp_path / "z_earlier.csv"),
                                       "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    report = {Path(f["path"]).name: f for f in json.loads((out / "ingest-report.json").read_text())["files"]}
    assert [report["a_later.csv"][k] for k in ("rows_read", "rows_accepted", "rows_merged")] == [10, 10, 0]
    assert [report["z_earlier.csv"][k] for k in ("rows_read", "rows_accepted", "rows_merged")] == [10, 5, 5]
    # the report says where the merged rows went
    assert f"5 row(s) merged: the same post_id appears in {tmp_path / 'a_later.csv'}, whose figures were kept" in (
        report["z_earlier.csv"]["notes"])

    posts = pd.read_parquet(out / "posts.parquet").set_index("post_id")
    assert len(posts) == 15
    expected = {r[0]: (int(float(r[impressions])), int(float(r[likes]))) for r in earlier + later}  # later last: wins
    assert {i: (posts.loc[i, "impressions"], posts.loc[i, "reactions"]) for i in expected} == expected
    shared = [r[0] for r in later[5:]]
    original = {r[0]: int(float(r[impressions])) for r in rows}
    assert all(posts.loc[i, "impressions"] == original[i] + 1000 for i in shared)


@needs_exports
def test_the_same_window_downloaded_twice_keeps_the_later_file_in_folder_order(tmp_path):
    """Two downloads of the same 91 days hold the same dates, so nothing in them says which is
    later: the later file in folder order wins (documented), and every row of the other is merged."""
    header, *rows = list(csv.reader(io.StringIO(X_2016.read_text(encoding="utf-8"), newline="")))
    impressions = header.index("impressions")
    again = [list(r) for r in rows]
    for row in again:
        row[impressions] = f"{float(row[impressions]) + 7:.1f}"
    write_x(tmp_path / "2017-01-02 download.csv", header, rows)
    write_x(tmp_path / "2017-01-09 download.csv", header, again)
    result = ingest(tmp_path)
    assert [(f.path, f.rows_accepted, f.rows_merged) for f in result.files] == [
        ("2017-01-02 download.csv", 0, 15), ("2017-01-09 download.csv", 15, 0)]
    assert result.tables["posts"]["impressions"].sum() == sum(int(float(r[impressions])) + 7 for r in rows)


def test_the_run_prints_every_count_and_the_format_per_file(tmp_path, monkeypatch):
    """`review run` prints the ingest summary from the run's manifest.json."""
    from types import SimpleNamespace

    from review import cli

    _accounts_with_one_bad_row_in_four(tmp_path)
    result = ingest(tmp_path)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"inputs": [f.as_dict() for f in result.files]}), encoding="utf-8")
    done = SimpleNamespace(outputs={"manifest": manifest, "pdf": tmp_path / "report.pdf"}, timings={}, cache={})
    monkeypatch.setattr(cli.console, "width", 200)  # one line per file
    with cli.console.capture() as captured:
        cli._print_summary(done)
    text = captured.get()
    for word in ("file", "format", "table", "rows read", "accepted", "rejected", "merged", "unused"):
        assert word in text
    assert "accounts.csv" in text and "canonical CSV" in text
    line = next(l for l in text.splitlines() if "accounts.csv" in l)
    assert line.split()[-5:] == ["4", "3", "1", "0", "0"]  # read, accepted, rejected, merged, unused


@pytest.mark.parametrize("width", [80, 120])
def test_a_long_file_name_is_printed_whole_on_one_line(monkeypatch, width):
    """The per-file table folded names at about 17 characters ("exports/NSP-004/Instag / ram Studio ...")."""
    from review import cli

    name = "exports/NSP-004/Instagram Studio content 2025-01-01 to 2025-12-31 (final copy).csv"
    files = [
        {"path": "accounts.csv", "format": "canonical CSV", "table": "accounts", "rows_read": 4, "rows_accepted": 3,
         "rows_rejected": 1, "rows_merged": 0, "rows_unused": 0},
        {"path": name, "format": "platform export", "layout": "instagram_studio_content", "table": "posts",
         "account_id": "NSP-004", "rows_read": 12_345, "rows_accepted": 12_000, "rows_rejected": 300,
         "rows_merged": 45, "rows_unused": 0},
    ]
    monkeypatch.setattr(cli.console, "width", width)
    with cli.console.capture() as captured:
        cli._print_inputs(files)
    lines = captured.get().splitlines()
    assert any(name in line for line in lines), "the name is whole on one line"
    at = next(i for i, line in enumerate(lines) if name in line)
    counts = next(line for line in lines[at:] if line.split()[-1].isdigit()).split()[-5:]
    assert counts == ["12,345", "12,000", "300", "45", "0"]
    assert lines[0] == "Input files" and lines[1].split()[-6:] == ["rows", "read", "accepted", "rejected", "merged", "unused"]
    assert max(len(line) for line in lines if name not in line) <= width


def test_a_linkedin_xls_workbook_is_read_sheet_by_sheet():
    """LinkedIn downloads page analytics as .xls, a description line above each sheet's header.
    tests/fixtures/linkedin_content_synthetic.xls is synthetic (written with xlwt 1.3.0 from the
    headers in shared/reference/domain.md 3.6, no real LinkedIn file being available): a Metrics
    sheet (recognised, not used) and an All posts sheet with one date as text and one as a date
    cell. Expected values are the ones written into it."""
    workbook = REPO / "tests" / "fixtures" / "linkedin_content_synthetic.xls"
    raw, _ = read_inputs([workbook], (dt.date(2025, 1, 1), dt.date(2026, 1, 1)))
    result = validate_files(raw)
    files = {f.path: f for f in result.files}
    metrics = files["linkedin_content_synthetic.xls [Metrics]"]
    assert (metrics.layout, metrics.rows_read, metrics.rows_unused) == ("linkedin_content_metrics", 3, 3)
    posts_sheet = files["linkedin_content_synthetic.xls [All posts]"]
    assert (posts_sheet.layout, posts_sheet.format) == ("linkedin_all_posts", "LinkedIn Page content export: All posts sheet (XLS)")
    assert (posts_sheet.rows_read, posts_sheet.rows_accepted, posts_sheet.rows_rejected) == (2, 2, 0)
    posts = result.tables["posts"].set_index("post_id")
    first, second = posts.loc["7302000000000000001"], posts.loc["7310000000000000002"]
    assert (first.impressions, first.engagements, first.link_clicks, first.media_type) == (2150, 61 + 40 + 3 + 5 + 2, 61, "image")
    assert (second.impressions, second.video_views, second.media_type) == (980, 410, "video")
    assert first.published_at == pd.Timestamp("2025-03-02T00:00:00Z")  # 03/02/2025 is 2 March, GMT
    assert second.published_at == pd.Timestamp("2025-03-24T00:00:00Z")  # a date cell; 24 March is still GMT


# --- registers ---------------------------------------------------------------------------------------


def _sample_row(table: str) -> tuple[list[str], list[str]]:
    header, row, *_ = list(csv.reader(io.StringIO((_sample() / f"{table}.csv").read_text(encoding="utf-8"), newline="")))
    return header, row


def _spoken(column: str) -> str:
    """`account_id` as a person types it in Excel: `Account ID`."""
    return " ".join("ID" if w == "id" else w.capitalize() for w in column.split("_"))


HEADER_VARIANTS = {
    "spoken": _spoken,  # Account ID
    "lower with spaces": lambda c: c.replace("_", " "),  # account id
    "upper, padded": lambda c: f" {c.upper()} ",  # " ACCOUNT_ID "
}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("table", REGISTERS)
def test_every_register_accepts_common_header_variants(tmp_path, monkeypatch, table, kind):
    from openpyxl import Workbook

    monkeypatch.setenv("REVIEW_PSEUDONYM_KEY", "a test key, not a real one")  # training.person_ref is hashed

    header, row = _sample_row(table)
    for n, (variant, spell) in enumerate(HEADER_VARIANTS.items()):
        folder = tmp_path / f"v{n}"
        folder.mkdir()
        names = [spell(c) for c in header]
        if kind == "csv":
            with (folder / "register.csv").open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerows([names, row])
        else:
            book = Workbook()
            book.active.append(names)
            book.active.append(row)
            book.save(folder / "register.xlsx")
        result = ingest(folder)
        (report,) = result.files
        assert (report.table, report.rows_accepted, report.rows_rejected) == (table, 1, 0), (variant, names)
        assert report.format == f"canonical {kind.upper()}"
        frame = result.tables[table]
        # the key (or, for training, the course) came through under its canonical name
        column = TABLES[table].key[0] if TABLES[table].key else "course"
        assert str(frame.loc[0, column]) == row[header.index(column)], variant


@pytest.mark.parametrize("table", REGISTERS)
def test_a_register_missing_a_required_column_names_the_file_and_the_column(tmp_path, table):
    header, row = _sample_row(table)
    required = [c for c in TABLES[table].columns if not TABLES[table].field(c)["nullable"]]
    assert required
    for column in required:
        folder = tmp_path / column
        folder.mkdir()
        keep = [i for i, c in enumerate(header) if c != column]
        with (folder / f"{table} register.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([[_spoken(header[i]) for i in keep], [row[i] for i in keep]])
        with pytest.raises(ReviewError) as caught:
            read_folder(folder)
        message = str(caught.value)
        assert message.startswith(f"{table} register.csv: line 1:"), message
        assert f"closest is '{table}', which also needs column(s) {column}" in message, message


def test_register_ids_rounded_by_excel_are_rejected_not_merged(tmp_path):
    """Contacts exported from the social media management platform carry the platform's message
    ids; saved from Excel as numbers they lose digits past the 15th, and two different messages
    could end up with one id and be merged. Such rows are rejected, saying why."""
    from openpyxl import Workbook

    header, row = _sample_row("contacts")
    book = Workbook()
    book.active.append(header)
    ids = ["C000000001", 1471178246792388616, 1471178246792388617, 123456789012345]  # text, 19, 19, 15 digits
    for n, contact_id in enumerate(ids):
        book.active.append([float(f"{contact_id:.15g}") if isinstance(contact_id, int) and contact_id >= 1e15 else contact_id,
                            *row[1:]])
    book.save(tmp_path / "contacts.xlsx")
    result = ingest(tmp_path)
    (report,) = result.files
    assert (report.rows_read, report.rows_accepted, report.rows_rejected, report.rows_merged) == (4, 2, 2, 0)
    assert sorted(result.tables["contacts"]["contact_id"]) == ["123456789012345", "C000000001"]
    log = result.rejected
    assert log["line"].tolist() == [3, 4] and (log["column"] == "contact_id").all()
    assert log["reason"].str.contains("Excel keeps only 15 digits").all()


# --- unknown files -----------------------------------------------------------------------------------


@needs_exports
def test_unknown_files_are_each_named_with_the_closest_format_and_nothing_is_skipped(tmp_path):
    from openpyxl import Workbook

    src, out = tmp_path / "inputs", tmp_path / "out"  # an output apart from its inputs, as the rule for outputs asks
    src.mkdir()

    content = (EXPORTS / "tiktok_studio_content.csv").read_text(encoding="utf-8-sig")
    (src / "Content.csv").write_text(content.replace('"Total views"', '"Views total"', 1), encoding="utf-8")
    (src / "empty.csv").write_text("", encoding="utf-8")
    book = Workbook()
    book.active.title = "Accounts"
    book.active.append(_sample_row("accounts")[0])
    book.active.append(_sample_row("accounts")[1])
    odd = book.create_sheet("Notes")
    odd.append(["Colour", "Shape"])
    odd.append(["red", "round"])
    book.save(src / "registers.xlsx")
    (src / "notes.txt").write_text("not a table", encoding="utf-8")

    outcome = CliRunner().invoke(app, ["ingest", str(src), "--out", str(out)])
    assert outcome.exit_code == 1
    message = " ".join(outcome.output.split())  # the console wraps long lines
    assert "Content.csv: line 1:" in message and "closest is 'TikTok Studio Content.csv'" in message
    assert "which also needs header(s) Total views" in message
    assert "empty.csv: the file is empty" in message
    assert "registers.xlsx [Notes]: line 1:" in message
    assert not (out / "ingest-report.json").exists()  # nothing half-written

    for path in (src / "Content.csv", src / "empty.csv"):
        path.unlink()
    book.remove(odd)
    book.save(src / "registers.xlsx")
    outcome = CliRunner().invoke(app, ["ingest", str(src), "--out", str(out)])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads((out / "ingest-report.json").read_text())
    assert report["other_files"] == [{"path": "notes.txt", "kind": "not a table: ignored"}]


# --- the reject-rate limit ------------------------------------------------------------------------------


def _accounts_with_one_bad_row_in_four(folder: Path) -> None:
    header, row = _sample_row("accounts")
    rows = [row]
    for n in range(2, 5):
        rows.append([f"NSP-10{n}", *row[1:]])
    rows[-1][header.index("platform")] = "Myspace"  # not a platform the contract allows
    with (folder / "accounts.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def test_the_reject_rate_limit_comes_from_the_config_and_stops_the_run(tmp_path):
    from review.evidence.pipeline import ingest_stage

    data = tmp_path / "data"
    data.mkdir()
    _accounts_with_one_bad_row_in_four(data)
    for limit, stops in ((30, False), (20, True)):
        config = tmp_path / f"limit-{limit}.yml"
        config.write_text(f"reject_rate_max_pct: {limit}\n", encoding="utf-8")
        out = tmp_path / f"out-{limit}"
        if stops:
            with pytest.raises(ReviewError) as caught:
                ingest_stage(str(data), 2025, str(config), str(out))
            assert str(caught.value) == (
                "accounts.csv: 1 of 4 rows were rejected (25.0%), more than the 20% allowed "
                "(reject_rate_max_pct in the config); see rejected-rows.csv")
        else:
            ingest_stage(str(data), 2025, str(config), str(out))
        # the log is written either way, so the team can see what to fix
        log = pd.read_csv(out / "rejected-rows.csv")
        assert log[["file", "line", "column", "value"]].values.tolist() == [["accounts.csv", 5, "platform", "Myspace"]]


def test_review_ingest_takes_the_limit_from_the_command_line(tmp_path):
    _accounts_with_one_bad_row_in_four(tmp_path)
    out = tmp_path / "out"
    outcome = CliRunner().invoke(app, ["ingest", str(tmp_path / "accounts.csv"), "--out", str(out), "--max-reject-pct", "10"])
    assert outcome.exit_code == 1
    assert "accounts.csv: 1 of 4 rows were rejected (25.0%), more than the 10% allowed" in " ".join(outcome.output.split())
    assert (out / "rejected-rows.csv").exists() and (out / "ingest-report.json").exists()
    outcome = CliRunner().invoke(app, ["ingest", str(tmp_path / "accounts.csv"), "--out", str(out), "--max-reject-pct", "25"])
    assert outcome.exit_code == 0, outcome.output


# --- review run over registers and raw exports together ---------------------------------------------


@needs_exports
def test_a_run_over_registers_mixed_with_raw_exports(tmp_path):
    """The sample year's registers plus three real 2025 exports: two in folders named after the
    register's accounts (NSP-001 is X, NSP-003 Instagram), one with no account in the register.
    The run's ingest stage reads them all; their posts count in the 2025 review period."""
    from review.runner.artifacts import read_json
    from review.evidence.pipeline import clause_stage, ingest_stage, period_stage

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(_sample(), data)
    (data / "NSP-001").mkdir()
    (data / "NSP-003").mkdir()
    shutil.copy(EXPORTS / "x_account_analytics_content_2025_reconstructed.csv", data / "NSP-001" / "content.csv")
    shutil.copy(EXPORTS / "meta_business_suite_instagram_posts_excel_resaved.csv", data / "NSP-003" / "posts.csv")
    shutil.copy(EXPORTS / "tiktok_business_videos_resaved.csv", data / "tiktok.csv")

    def rows_in(path: Path) -> int:
        return sum(1 for _ in csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))) - 1

    sample_posts = list(csv.DictReader(io.StringIO((_sample() / "posts.csv").read_text(encoding="utf-8"), newline="")))
    sample_2025 = sum(1 for p in sample_posts if p["published_at"].startswith("2025"))
    # from the files: X 9 rows of which 2 placeholders (Nov 2025); Instagram 5 posts (Dec 2025);
    # TikTok 8 videos (Oct-Dec 2025)
    summary = ingest_stage(str(data), 2025, None, str(out))
    by_file = summary.set_index("file")
    assert by_file.loc["NSP-001/content.csv", ["rows read", "accepted", "rejected"]].tolist() == [9, 7, 2]
    assert by_file.loc["NSP-003/posts.csv", ["rows read", "accepted"]].tolist() == [5, 5]
    assert by_file.loc["tiktok.csv", ["rows read", "accepted"]].tolist() == [8, 8]
    assert (by_file["rows read"] == by_file[["accepted", "rejected", "merged", "unused"]].sum(axis=1)).all()
    assert by_file.loc["posts.csv", "accepted"] == rows_in(_sample() / "posts.csv") == len(sample_posts)

    files = {f["path"]: f for f in read_json(out / "artifacts" / "ingest.json")["files"]}
    assert files["NSP-001/content.csv"]["account_id"] == "NSP-001"
    assert files["NSP-003/posts.csv"]["account_id"] == "NSP-003"
    assert files["tiktok.csv"]["account_id"] == "tiktok:vintagerest.bg"  # not in the register: says so
    assert "Add the account to the register" in files["tiktok.csv"]["account_rule"]

    periods = period_stage(2025, None, str(out)).set_index("table")
    assert periods.loc["posts", "review period"] == sample_2025 + 7 + 5 + 8
    p1 = clause_stage("P1", 2025, None, str(out))  # the evidence is computed over them
    assert p1 is not None
