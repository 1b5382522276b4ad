"""The README's "A real year", command by command, on the shared real exports and registers filled in here.

    review init data/2025 --year 2025
    (fill in data/2025/inputs/registers/*.xlsx; the exports are the shared ones, read in place)
    review ingest data/2025/inputs EXPORTS --out data/2025/checked --year 2025 --config data/2025/config.yml
    review run --data data/2025/checked --year 2025 --config data/2025/config.yml

Every figure checked here is counted independently in this file: the export files with the csv
module (records, and the posts of 2025 by their own date columns), the registers from the rows
written into the templates. The outputs read are the manifest, rejected-rows.csv, the metrics
JSON, the workbook (openpyxl) and the PDF's data-sources appendix (pdftotext).
"""

import csv
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT.parent / "shared" / "exports"
YEAR = 2025
REVIEW = [sys.executable, "-m", "review.cli"]
KEY = "a-test-key-for-the-real-year-0123456789"

# The exports' own handles, registered as the force's accounts, so their posts are attributed.
ACCOUNTS = [
    ["NSP-X1", "X", "newsnoteworthy", "News Noteworthy", "Corporate Communications", "corporate", dt.date(2019, 5, 1), None, "true", "true", 3, dt.date(2025, 2, 1)],
    ["NSP-IG1", "Instagram", "vintagerest.bg", "Vintage", "Corporate Communications", "corporate", dt.date(2020, 1, 9), None, "true", "false", 2, None],
    ["NSP-TT1", "TikTok", "vintagerest.bg", "Vintage", "Neighbourhood North", "neighbourhood", dt.date(2021, 3, 1), None, "true", "true", 2, dt.date(2025, 6, 30)],
    ["NSP-TT2", "TikTok", "haileytupy2.0", "Hailey", "Recruitment", "recruitment", dt.date(2022, 7, 1), None, "false", "true", 1, None],
    ["NSP-FB9", "Facebook", "oldpage", "Old page", "Neighbourhood South", "neighbourhood", dt.date(2012, 1, 1), dt.date(2024, 12, 31), "true", "false", 4, None],
]
KINDS = ["comment", "mention", "direct_message"]
OUTCOMES = ["answered", "signposted_101", "no_response_needed", "answered"]


def _contacts(rng: random.Random) -> list[list]:
    rows = []
    for i in range(58):
        received = dt.datetime(YEAR, 1, 1, 7) + dt.timedelta(hours=rng.randrange(0, 24 * 360))
        account = "NSP-X1" if i % 3 else "NSP-IG1"
        needs = i % 4 != 2
        first = received + dt.timedelta(minutes=rng.randrange(5, 300)) if needs and i % 7 else None
        rows.append([f"C{i:03}", account, received, KINDS[i % 3], "true" if needs else "false", first,
                     OUTCOMES[i % 4] if needs else "no_response_needed"])
    rows.append(["C900", "NSP-X1", dt.datetime(YEAR - 1, 6, 1, 12), "comment", "false", None, "no_response_needed"])
    rows.append(["C999", "NSP-X1", dt.datetime(YEAR, 6, 1, 12), "email", "false", None, "no_response_needed"])  # not a kind
    return rows


def _incidents() -> list[list]:
    categories = ["inappropriate_content", "harassment_or_abuse", "disclosure_of_information"]
    return [[f"INC-{i}", dt.date(YEAR, 1 + i % 12, 3), dt.date(YEAR, 1 + i % 12, 20) if i % 3 else None,
             categories[i % 3], "personal" if i % 2 else "work", "low", "officer", "open" if i % 3 == 0 else "management_action"]
            for i in range(9)]


CRITICAL = [["CI-1", "Flooding in the valley", dt.datetime(YEAR, 2, 1, 9), dt.datetime(YEAR, 2, 3, 18)],
            ["CI-2", "Missing child", dt.datetime(YEAR, 8, 14, 21, 30), dt.datetime(YEAR, 8, 15, 6)]]
CHECKS = [[f"CHK-{i}", dt.date(YEAR, 1 + i, 10), "NSP-X1" if i % 2 else "NSP-TT1",
           ["post_quality", "approval", "security"][i % 3], "fail" if i % 4 == 0 else "pass"] for i in range(8)]
TRAINING = [[f"{40000 + i}", "officer" if i % 2 else "staff", "Neighbourhood North", "Social media for officers",
             dt.date(YEAR - 1, 3, 1 + i), dt.date(YEAR + 1, 3, 1 + i) if i % 3 else dt.date(YEAR, 3, 1)] for i in range(7)]


def _fill(path: Path, rows: list[list]) -> None:
    book = load_workbook(path)
    sheet = book.active
    for offset, row in enumerate(rows):
        line = 3 + offset + offset // 10  # a blank row after every ten, as people leave them
        for i, value in enumerate(row, start=1):
            sheet.cell(row=line, column=i, value=value)
    book.save(path)


def _review(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("REVIEW_PSEUDONYM_KEY", None)  # the key is the README's `.review-key` in the user's folder
    done = subprocess.run([*REVIEW, *args], cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"review {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    base = tmp_path_factory.mktemp("real-year")
    (base / ".review-key").write_text(KEY + "\n", encoding="utf-8")
    (base / "config").mkdir()  # last year's config, where init looks for it
    (base / "config" / f"{YEAR - 1}.yml").write_text(
        (ROOT / "config" / f"{YEAR}.yml").read_text().replace(f"year: {YEAR}", f"year: {YEAR - 1}"))
    _review("init", "data/2025", "--year", str(YEAR), cwd=base)
    registers = base / "data" / "2025" / "inputs" / "registers"
    filled = {"accounts": ACCOUNTS, "contacts": _contacts(random.Random(14)), "incidents": _incidents(),
              "critical_incidents": CRITICAL, "compliance_checks": CHECKS, "training": TRAINING}
    for name, rows in filled.items():
        _fill(registers / f"{name}.xlsx", rows)
    # recommendations.xlsx is left as init wrote it: no register of earlier recommendations
    config = "data/2025/config.yml"
    _review("ingest", "data/2025/inputs", str(EXPORTS), "--out", "data/2025/checked", "--year", str(YEAR),
            "--config", config, cwd=base)
    _review("run", "--data", "data/2025/checked", "--year", str(YEAR), "--config", config, "--out", "reports/2025", cwd=base)
    return base, filled


# --- independent counts -------------------------------------------------------------------------


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\xff\xfe"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _unwrapped(text: str) -> str:
    """An Excel re-save that wrapped every physical line in one quoted cell, undone line by line."""
    return "\n".join(next(csv.reader([line]))[0] if line.startswith('"') else line for line in text.split("\n"))


def _records(name: str) -> list[dict]:
    text = _decoded(EXPORTS / name)
    if "excel_resaved" in name and name.startswith("meta_business_suite_") and "daily" not in name:
        text = _unwrapped(text)
    return list(csv.DictReader(io.StringIO(text)))


def posts_in_year() -> dict[str, int]:
    """Posts published in the review year, per export file, from each file's own date column."""
    x = [r for r in _records("x_account_analytics_content_2025_reconstructed.csv") if r["Post id"].strip()]
    counts = {"x_account_analytics_content_2025_reconstructed.csv":
              sum(dt.datetime.strptime(r["Date"], "%a, %b %d, %Y").year == YEAR for r in x)}
    for name in ["meta_business_suite_instagram_posts_excel_resaved.csv", "meta_business_suite_facebook_videos_excel_resaved.csv"]:
        counts[name] = sum(dt.datetime.strptime(r["Publish time"], "%m/%d/%Y %H:%M").year == YEAR for r in _records(name))
    tiktok = _records("tiktok_business_videos_resaved.csv")
    counts["tiktok_business_videos_resaved.csv"] = sum(r["Post time"].startswith(f"{YEAR}/") for r in tiktok)
    # TikTok Studio writes no year: the export (its `Time`, 28 February) closes a year of posts, so
    # posts dated after 28 February are the year before the export's, which is the review year.
    content = _records("tiktok_studio_content.csv")
    export_day = max(dt.datetime.strptime(r["Time"], "%B %d").timetuple()[1:3] for r in content)
    counts["tiktok_studio_content.csv"] = sum(
        dt.datetime.strptime(r["Post time"], "%B %d").timetuple()[1:3] > export_day for r in content)
    return counts


def _in_year(value) -> bool:
    return value is not None and value.year == YEAR


# --- the checks -----------------------------------------------------------------------------------


def _manifest(base: Path) -> dict:
    return json.loads((base / "reports" / "2025" / "manifest.json").read_text())


def _headline(base: Path, metric_id: str):
    metrics = json.loads((base / "reports" / "2025" / "artifacts" / "metrics.json").read_text())
    return next(h for h in metrics["headlines"] if h["metric_id"] == metric_id)["value"]


def test_the_manifest_lists_the_original_files_with_independent_row_counts(year):
    base, filled = year
    inputs = {Path(f["path"]).name: f for f in _manifest(base)["inputs"]}
    assert set(inputs) == {p.name for p in EXPORTS.glob("*.csv")} | {f"{t}.xlsx" for t in [*filled, "recommendations", "incident_posts", "population"]}
    assert not any(name.endswith(".parquet") for name in inputs), "the ingest's own tables are not inputs"
    for name, rows in filled.items():  # a register's rows read are the rows filled in: not its description row
        f = inputs[f"{name}.xlsx"]
        assert f["rows_read"] == len(rows), name
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"], name
    assert inputs["contacts.xlsx"]["rows_rejected"] == 1
    empty = inputs["recommendations.xlsx"]
    assert (empty["table"], empty["rows_read"], empty["rows_rejected"]) == (None, 0, 0)
    # Exports a csv reader reads as they are: one row read per record (YouTube's Total row included).
    for name in ["x_twitter_tweet_activity_metrics_2016.csv", "x_twitter_tweet_activity_metrics_2017_full.csv",
                 "x_twitter_tweet_activity_metrics_2021_multiline.csv", "x_account_analytics_content_2025_reconstructed.csv",
                 "youtube_studio_table_data.csv", "tiktok_studio_content.csv", "tiktok_business_videos_resaved.csv",
                 "meta_business_suite_instagram_posts_excel_resaved.csv", "meta_business_suite_facebook_videos_excel_resaved.csv",
                 "facebook_ads_manager_2017.csv"]:
        assert inputs[name]["rows_read"] == len(_records(name)), name
    for f in inputs.values():
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"] + f["rows_merged"] + f["rows_unused"], f["path"]
    assert inputs["x_account_analytics_content_2025_reconstructed.csv"]["account_id"] == "NSP-X1"
    assert inputs["tiktok_studio_content.csv"]["account_id"] == "NSP-TT2"


def test_rejected_rows_carry_through_from_ingest_to_the_run(year):
    base, _ = year
    run_log = (base / "reports" / "2025" / "rejected-rows.csv").read_bytes()
    assert run_log == (base / "data" / "2025" / "checked" / "rejected-rows.csv").read_bytes()
    with io.StringIO(run_log.decode()) as handle:
        logged = list(csv.DictReader(handle))
    per_file: dict[str, set] = {}
    for row in logged:
        per_file.setdefault(Path(row["file"]).name, set()).add(row["line"])
    manifest = _manifest(base)
    for f in manifest["inputs"]:
        assert len(per_file.get(Path(f["path"]).name, ())) == f["rows_rejected"], f["path"]
    assert manifest["rows_rejected"] == sum(map(len, per_file.values()))
    contacts = [r for r in logged if r["file"].endswith("contacts.xlsx")]
    # C999 is the 60th row filled: line 3 + 59 + 5 blank rows before it
    assert [(r["line"], r["column"], r["value"]) for r in contacts] == [("67", "kind", "email")]
    youtube = [r for r in logged if r["file"].endswith("youtube_studio_table_data.csv")]
    assert [(r["line"], r["value"]) for r in youtube] == [("2", "Total")]


def test_headline_figures_equal_independent_counts(year):
    base, filled = year
    assert _headline(base, "p1_posts") == sum(posts_in_year().values())
    accepted_contacts = [r for r in filled["contacts"] if r[3] in KINDS]
    assert _headline(base, "p3_contacts") == sum(_in_year(r[2]) for r in accepted_contacts)
    assert _headline(base, "p5_conduct_cases") == sum(_in_year(r[1]) for r in filled["incidents"])
    assert _headline(base, "p2_critical_incidents") == len(CRITICAL)
    open_accounts = [a for a in ACCOUNTS if a[7] is None]
    assert _headline(base, "p5_mfa_pct") == pytest.approx(100 * sum(a[9] == "true" for a in open_accounts) / len(open_accounts))


def test_the_workbook_has_the_same_figures(year):
    base, filled = year
    book = load_workbook(base / "reports" / "2025" / f"metrics-{YEAR}.xlsx", read_only=True)
    rows = list(book["p3_by_platform"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Platform")
    messages = next(i for i, c in enumerate(rows[header]) if c and "essages" in str(c))
    by_platform = {r[0]: r[messages] for r in rows[header + 1:] if r and r[0]}
    platform_of = {a[0]: a[1] for a in ACCOUNTS}
    expected: dict[str, int] = {}
    for r in filled["contacts"]:
        if r[3] in KINDS and _in_year(r[2]):
            expected[platform_of[r[1]]] = expected.get(platform_of[r[1]], 0) + 1
    assert {k: int(v) for k, v in by_platform.items() if k in expected} == expected


def test_the_appendix_shows_each_original_file_with_its_counts(year):
    base, filled = year
    pdf = base / "reports" / "2025" / f"annual-review-{YEAR}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    start = text.index("Every file we read")  # the appendix's first words (the contents page names it too)
    appendix = text[start:text.index("Appendix C: Methodology", start)]
    manifest = _manifest(base)
    total = sum(f["rows_rejected"] for f in manifest["inputs"])
    assert re.search(rf"We\s+rejected\s+{total}\s+rows\s+in\s+total", appendix)
    assert "checked before this run by the ingest command" in " ".join(appendix.split())
    # One line per file carries its counts (the path may wrap after a "/" onto the next lines), all
    # five of them: a column pushed off the page by a long name would lose its figures here.
    row = re.compile(r"^\s*(\S+)\s+(not used|[a-z_]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", re.M)
    printed = row.findall(appendix)
    assert len(printed) == len(manifest["inputs"])
    for (start, table, *counts), f in zip(printed, manifest["inputs"]):
        assert f["path"].startswith(start.rstrip("/")), (start, f["path"])
        # A long table name may wrap after a "_" (audience_ / demographics): its first part is on the row.
        assert table == (f["table"] or "not used") or (table.endswith("_") and f["table"].startswith(table)), table
        assert [int(c) for c in counts] == [f["rows_read"], f["rows_accepted"], f["rows_rejected"],
                                            f["rows_merged"], f["rows_unused"]], f["path"]
    registers = {Path(f["path"]).name: f for f in manifest["inputs"]}
    for name, rows in filled.items():
        assert registers[f"{name}.xlsx"]["rows_read"] == len(rows)
    assert "parquet" not in appendix
