"""Coverage on a real year: the shared platform exports, alone and with registers written here.

Exports only: every measure without input says not measured (no 0, no Red, no recommendation from
missing data), in the PDF (pdftotext), the metrics and the workbook. With registers: the figures
match counts made here from the files with the csv module and plain Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT.parent / "shared" / "exports"
YEAR = 2025
REVIEW = [sys.executable, "-m", "review.cli"]
X_CONTENT = EXPORTS / "x_account_analytics_content_2025_reconstructed.csv"


def review_run(data: Path, out: Path) -> Path:
    done = subprocess.run([*REVIEW, "run", "--data", str(data), "--year", str(YEAR), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def pdf_text(out: Path) -> str:
    pdf = out / f"annual-review-{YEAR}.pdf"
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def headlines(out: Path) -> dict[str, dict]:
    raw = json.loads((out / "artifacts" / "metrics.json").read_text(encoding="utf-8"))
    return {h["metric_id"]: h for h in raw["headlines"]}


def sheet(out: Path, name: str) -> list[dict]:
    book = openpyxl.load_workbook(out / f"metrics-{YEAR}.xlsx", read_only=True)
    rows = list(book[name].iter_rows(min_row=2, values_only=True))  # row 1 is the title
    # The table ends at its first blank row; the note follows it.
    end = next((i for i, r in enumerate(rows) if all(v is None for v in r)), len(rows))
    return [dict(zip(rows[0], r)) for r in rows[1:end]]


def x_posts_in_year() -> list[dict]:
    """The X content export's real posts of the year (its junk rows have no id), read here."""
    with open(X_CONTENT, encoding="utf-8-sig", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["Post id"].strip() and str(YEAR) in r["Date"]]


def snowflake_time(post_id: str) -> dt.datetime:
    """When an X post was made, from its id (Twitter's snowflake: milliseconds since 2010-11-04)."""
    return dt.datetime.fromtimestamp(((int(post_id) >> 22) + 1288834974657) / 1000, tz=dt.UTC)


@pytest.fixture(scope="module")
def exports_only(tmp_path_factory):
    return review_run(EXPORTS, tmp_path_factory.mktemp("exports-only") / str(YEAR))


def test_exports_only_every_measure_without_input_is_not_measured(exports_only):
    h = headlines(exports_only)
    missing = {k: v for k, v in h.items() if v["not_measured_reason"]}
    # The inputs the exports cannot give: registers, messages, and what no export records.
    for metric_id in ("p1_accounts_open", "p3_contacts", "p5_conduct_cases", "p2_missed_target",
                      "p7_alt_text_pct", "p7_captions_pct", "p4_approval_pct", "p1_follower_growth_pct"):
        assert metric_id in missing, metric_id
    for v in missing.values():
        assert v["value"] is None and v["rag"] == "Not rated" and v["change_pct"] is None and v["prior_value"] is None
    recs = json.loads((exports_only / "artifacts" / "metrics.json").read_text(encoding="utf-8"))["recommendations"]
    assert not [r for r in recs if set(r["evidence"]) & set(missing)]
    # Impressions and posts are measured from the exports; last year's one YouTube channel shares
    # no account with this year's, so there is no change on last year.
    assert h["p1_posts"]["value"] == 39 and h["p1_impressions"]["change_pct"] is None
    assert h["p1_impressions"]["comparison"].startswith("not comparable: no account has posts in both years")


def test_exports_only_paper_prints_no_zero_and_no_red_for_missing_data(exports_only):
    text = " ".join(pdf_text(exports_only).split())
    for wrong in ("0 open accounts", "The public sent 0", "Videos with captions 0.0%", "Inbound messages: 0",
                  "Conduct cases: 0", "Incidents with a late first post: 0", "up 31,"):
        assert wrong not in text, wrong
    assert "What this review covers" in text
    assert "Not measured No inbound messages were supplied" in text.replace(".", "")
    assert "Time to first response: not measured" in text  # the policy matrix's P3 evidence
    assert "Images with alt text: not measured" in text
    # The matrix rates no clause from missing data: P3, P5 and P6 have no input at all.
    for clause in ("P3 Availability and response", "P5 Conduct and governance", "P6 Review and"):
        row = text[text.index(clause, text.index("Policy matrix")):][:400]
        assert "Red" not in row and "Amber" not in row and "Green" not in row, row


def test_exports_only_workbook_says_what_is_covered(exports_only):
    measures = {r["Measure"]: r for r in sheet(exports_only, "coverage_measures")}
    assert measures["Inbound messages"]["Measured"] is False
    assert measures["Inbound messages"]["Why not measured, or how the change compares"] == "no inbound messages were supplied"
    assert measures["Posts"]["Measured"] is True
    inputs = {r["Input"]: r for r in sheet(exports_only, "coverage_inputs")}
    assert inputs["Inbound messages"]["Supplied"] is False and inputs["Inbound messages"]["Rows this year"] is None
    # No sheet of zeros for what was never supplied.
    names = openpyxl.load_workbook(exports_only / f"metrics-{YEAR}.xlsx", read_only=True).sheetnames
    assert not [n for n in names if n.startswith(("p3_", "p5_cases", "p6_"))]
    platforms = {r["Platform"]: r for r in sheet(exports_only, "coverage_platforms")}
    assert platforms["X"]["Posts this year"] == len(x_posts_in_year())
    assert platforms["YouTube"]["Posts this year"] == 0 and platforms["YouTube"]["Posts last year"] == 15


# --- the exports with registers written here ------------------------------------------------------

ACCOUNTS = [  # the X export's handle is newsnoteworthy; TikTok's Studio content is unmatched on purpose
    {"account_id": "NSP-001", "platform": "X", "handle": "@newsnoteworthy", "name": "Northshire Police",
     "owner_unit": "Corporate Communications", "purpose": "corporate", "opened_date": "2015-01-01",
     "closed_date": "", "is_approved": "true", "has_mfa": "true", "admin_count": "2", "last_reviewed_date": "2025-06-01"},
    {"account_id": "NSP-002", "platform": "Facebook", "handle": "northshirepolice", "name": "Northshire Police",
     "owner_unit": "Corporate Communications", "purpose": "corporate", "opened_date": "2015-01-01",
     "closed_date": "", "is_approved": "true", "has_mfa": "false", "admin_count": "3", "last_reviewed_date": "2024-01-01"},
]
CONTACTS = [  # (id, account, received, minutes to reply or None)
    ("c1", "NSP-001", "2025-03-03T09:00:00Z", 30), ("c2", "NSP-001", "2025-03-03T10:00:00Z", 90),
    ("c3", "NSP-002", "2025-03-04T23:00:00Z", 400), ("c4", "NSP-002", "2025-05-05T12:00:00Z", None),
    ("c5", "NSP-001", "2024-06-01T12:00:00Z", 10),  # last year
    ("c6", "NSP-OO1", "2025-07-01T12:00:00Z", 20),  # a typing slip: letter O for zero
]
INCIDENTS = [
    ("INC-1", "2025-02-01", "2025-03-01", "inappropriate_content", "personal", "low", "officer", "management_action"),
    ("INC-2", "2025-06-01", "", "harassment_or_abuse", "work", "medium", "staff", "open"),
    ("INC-3", "2024-06-01", "2024-07-01", "other", "work", "low", "officer", "no_further_action"),  # last year
]
LINKED_POST = "1987267297799544836"  # an X post in the export, tied to the incident below
DECLARED = "2025-11-08T20:43:40Z"


def write_csv(path: Path, header: list[str], rows: list) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def with_registers(tmp_path_factory):
    data = tmp_path_factory.mktemp("real-year") / "data"
    (data / "exports").mkdir(parents=True)
    for export in EXPORTS.glob("*.csv"):  # linked, not copied: the exports stay read-only
        (data / "exports" / export.name).symlink_to(export)
    write_csv(data / "accounts.csv", list(ACCOUNTS[0]), [list(a.values()) for a in ACCOUNTS])
    contacts = []
    for cid, acc, received, minutes in CONTACTS:
        at = dt.datetime.fromisoformat(received.replace("Z", "+00:00"))
        first = "" if minutes is None else (at + dt.timedelta(minutes=minutes)).isoformat()
        contacts.append([cid, acc, received, "comment", "true", first, "answered" if first else ""])
    write_csv(data / "contacts.csv", ["contact_id", "account_id", "received_at", "kind", "needs_response",
                                      "first_response_at", "outcome"], contacts)
    write_csv(data / "incidents.csv", ["incident_id", "opened_date", "closed_date", "category", "capacity",
                                       "severity", "role", "outcome"], INCIDENTS)
    write_csv(data / "critical_incidents.csv", ["critical_incident_id", "name", "declared_at", "stood_down_at"],
              [["CI-1", "Helicopter crash", DECLARED, ""]])
    write_csv(data / "incident_posts.csv", ["post_id", "critical_incident_id"], [[LINKED_POST, "CI-1"]])
    write_csv(data / "training.csv", ["person_ref", "role", "unit", "course", "completed_date", "expires_date"], [])
    out = review_run(data, tmp_path_factory.mktemp("real-out") / str(YEAR))
    return data, out


def test_registers_give_figures_that_match_counts_made_here(with_registers):
    data, out = with_registers
    h = headlines(out)
    this_year = [c for c in CONTACTS if c[2].startswith(str(YEAR))]
    assert h["p3_contacts"]["value"] == len(this_year)
    replies = [c[3] for c in this_year if c[3] is not None]
    assert h["p3_first_response_median_minutes"]["value"] == pytest.approx(statistics.median(replies))
    assert h["p3_unanswered"]["value"] == sum(1 for c in this_year if c[3] is None)
    assert h["p5_conduct_cases"]["value"] == sum(1 for i in INCIDENTS if i[1].startswith(str(YEAR)))
    assert h["p5_personal_cases"]["value"] == sum(1 for i in INCIDENTS if i[1].startswith(str(YEAR)) and i[4] == "personal")
    assert h["p1_accounts_open"]["value"] == len(ACCOUNTS)
    assert h["p5_mfa_pct"]["value"] == pytest.approx(50)
    minutes = (snowflake_time(LINKED_POST) - dt.datetime.fromisoformat(DECLARED.replace("Z", "+00:00"))).total_seconds() / 60
    assert h["p2_first_post_median_minutes"]["value"] == pytest.approx(minutes, abs=1 / 60)
    # The training register came with its header only: a real zero, not "not measured".
    assert h["p5_never_trained"]["value"] == 0 and not h["p5_never_trained"]["not_measured_reason"]
    # Still no input for these.
    assert h["p4_audit_pass_pct"]["not_measured_reason"] == "no register of audit checks was supplied"


def test_totals_reconcile_and_unregistered_ids_are_reported(with_registers):
    data, out = with_registers
    h = headlines(out)
    by_platform = sheet(out, "p1_by_platform")
    assert sum(r["Posts"] for r in by_platform) == h["p1_posts"]["value"]
    x_row = next(r for r in by_platform if r["Platform"] == "X")
    assert x_row["Posts"] == len(x_posts_in_year())
    # The year's Facebook posts come from the Meta video export, which reports reach, not
    # impressions: the platform's impressions are missing, not 0.
    facebook = next(r for r in by_platform if r["Platform"] == "Facebook")
    assert facebook["Impressions"] is None and facebook["Reach, summed over posts"] > 0
    assert sum(r["Total"] for r in sheet(out, "p3_by_channel")) == h["p3_contacts"]["value"]
    accounts = {r["Account id"]: r for r in sheet(out, "coverage_accounts")}
    assert accounts["NSP-OO1"]["In the account register"] is False
    assert accounts["NSP-OO1"]["Looks like registered id"] == "NSP-001"
    text = " ".join(pdf_text(out).split())
    assert re.search(r'The id "NSP-OO1" is not in the account register but looks like "NSP-001"', text)
