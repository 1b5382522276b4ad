"""End to end: `review sample` then `review run` through real papermill kernels and WeasyPrint.

The figures are checked against numbers computed here from the sample CSVs with the standard
library only (csv, datetime, statistics), independently of the pandas, DuckDB and pandera code
under test.
"""

import csv
import datetime as dt
import hashlib
import json
import statistics
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import html5lib
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

pytestmark = pytest.mark.e2e
LONDON = ZoneInfo("Europe/London")
YEAR = 2025
REVIEW = [sys.executable, "-m", "review.cli"]


@pytest.fixture(scope="module")
def run(tmp_path_factory, repo_root):
    base = tmp_path_factory.mktemp("e2e")
    data, out = base / "data", base / "reports" / str(YEAR)
    subprocess.run([*REVIEW, "sample", "--size", "S", "--year", str(YEAR), "--out", str(data)], check=True)
    done = subprocess.run(
        [*REVIEW, "run", "--data", str(data), "--year", str(YEAR), "--out", str(out),
         "--config", str(repo_root / "config" / f"{YEAR}.yml")],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    return data, out


def rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def local_year(stamp: str) -> int:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(LONDON).year


def headline(out: Path, metric_id: str):
    metrics = json.loads((out / "artifacts" / "metrics.json").read_text())
    return next(h for h in metrics["headlines"] if h["metric_id"] == metric_id)


def test_all_outputs_are_written(run):
    _, out = run
    for name in [f"annual-review-{YEAR}.pdf", f"annual-review-{YEAR}.html", f"metrics-{YEAR}.xlsx",
                 "rejected-rows.csv", "manifest.json"]:
        assert (out / name).stat().st_size > 0, name
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == [
        "10-data-quality.ipynb", "21-p1-reach-and-engagement.ipynb", "22-p2-critical-incidents.ipynb",
        "23-p3-availability-and-response.ipynb", "24-p4-quality-and-plain-english.ipynb",
        "25-p5-conduct-and-governance.ipynb", "27-p7-equality-and-accessibility.ipynb",
        "30-p6-recommendations.ipynb", "90-board-report.ipynb"]


def test_posts_and_impressions_match_the_csv(run):
    data, out = run
    this_year = [r for r in rows(data / "posts.csv") if local_year(r["published_at"]) == YEAR]
    last_year = [r for r in rows(data / "posts.csv") if local_year(r["published_at"]) == YEAR - 1]
    impressions = sum(int(r["impressions"]) for r in this_year if r["impressions"])
    prior = sum(int(r["impressions"]) for r in last_year if r["impressions"])
    assert headline(out, "p1_posts")["value"] == len(this_year)
    h = headline(out, "p1_impressions")
    assert h["value"] == impressions and h["prior_value"] == prior
    assert h["change_pct"] == pytest.approx(100 * (impressions - prior) / prior)


def test_engagement_rate_matches_the_csv(run):
    data, out = run
    both = [r for r in rows(data / "posts.csv")
            if local_year(r["published_at"]) == YEAR and r["impressions"] and r["engagements"]]
    expected = 100 * sum(int(r["engagements"]) for r in both) / sum(int(r["impressions"]) for r in both)
    assert headline(out, "p1_engagement_rate_pct")["value"] == pytest.approx(expected)


def test_median_first_response_matches_the_csv(run):
    data, out = run
    minutes = []
    for r in rows(data / "contacts.csv"):
        if local_year(r["received_at"]) == YEAR and r["needs_response"] == "true" and r["first_response_at"]:
            received = dt.datetime.fromisoformat(r["received_at"].replace("Z", "+00:00"))
            replied = dt.datetime.fromisoformat(r["first_response_at"].replace("Z", "+00:00"))
            minutes.append((replied - received).total_seconds() / 60)
    assert headline(out, "p3_first_response_median_minutes")["value"] == pytest.approx(statistics.median(minutes))


def test_alt_text_share_matches_the_csv(run):
    data, out = run
    images = [r for r in rows(data / "posts.csv") if local_year(r["published_at"]) == YEAR and r["media_type"] == "image"]
    expected = 100 * sum(r["has_alt_text"] == "true" for r in images) / len(images)
    assert headline(out, "p7_alt_text_pct")["value"] == pytest.approx(expected)


def test_every_input_row_is_accounted_for(run):
    data, out = run
    manifest = json.loads((out / "manifest.json").read_text())
    for f in manifest["inputs"]:
        path = data / f["path"]
        with path.open(encoding="utf-8", newline="") as handle:
            assert f["rows_read"] == sum(1 for _ in csv.reader(handle)) - 1
        assert f["rows_read"] == f["rows_accepted"] + f["rows_rejected"] + f["rows_merged"]
        assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_pdf_has_the_board_paper_sections(run):
    _, out = run
    reader = PdfReader(out / f"annual-review-{YEAR}.pdf")
    assert len(reader.pages) >= 10
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ["SAMPLE DATA", "Recommendations to the Board", "Executive summary", "Reach and engagement",
                    "Critical incidents", "Availability and response", "Quality and plain English",
                    "Conduct and governance", "Review and recommendations", "Equality and accessibility",
                    "Metric definitions", "Glossary"]:
        assert heading.lower() in text.lower(), heading
    assert reader.outline, "the PDF has bookmarks"


def test_html_parses_and_is_self_contained(run):
    _, out = run
    html = (out / f"annual-review-{YEAR}.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=False).parse(html)
    assert '<html lang="en-GB"' in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "src=\"file:" not in html
    # Every chart is inline SVG. (Six for size S: a one-bar chart, P5's single unit, is left out.)
    charts = html.count('<figure class="chart"')
    assert charts >= 6 and html.count("<svg") >= charts


def test_workbook_totals_match_the_report(run):
    _, out = run
    book = load_workbook(out / f"metrics-{YEAR}.xlsx", read_only=True)
    assert book.sheetnames[0] == "Contents"
    assert len(book.sheetnames) > 5
