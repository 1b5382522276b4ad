"""Two consecutive reviews through `review run`: the register carried from one year to the next.

The first year's run writes reports/2024/recommendations-2024.yml. The team then writes a
decisions file for 2025 that updates some of 2024's recommendations, rejects one of 2025's with
a reason, accepts and reassigns another, and names one recommendation that does not fire. The
second year's run must show the first year's recommendations with their new status and overdue
flag (register YAML, report HTML, the P6 figures), the rejection's reason, and the decision that
matched nothing; a re-run must give the same register.

Expected values are worked out here from the first year's YAML, the decisions written here and
the sample CSV, with plain Python (yaml, csv, datetime), not with review.evidence.register.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import html5lib
import pytest
import yaml

pytestmark = pytest.mark.e2e
REVIEW = [sys.executable, "-m", "review.cli"]
FIRST, SECOND = 2024, 2025
SECOND_END = dt.date(SECOND + 1, 1, 1)  # the day after the second review period
LIVE = {"open", "in_progress"}
NS = "{http://www.w3.org/1999/xhtml}"
REASON = "The contact centre review already covers this, funded in the 2025 budget."
NEW_OWNER = "Chief Digital Officer"
GONE = f"R{SECOND}-P9-no-longer-fires"


@dataclass
class Years:
    base: Path
    config: dict[int, Path]
    data: dict[int, Path]
    out: dict[int, Path]
    first: dict  # the first year's register YAML as written
    decisions: dict  # the decisions file written for the second year
    updated: dict[str, str]  # first-year id -> the status the decisions give it
    rejected: str  # second-year id rejected with REASON
    accepted: str  # second-year id accepted with NEW_OWNER


def run_review(data: Path, year: int, out: Path, config: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*REVIEW, "run", "--data", str(data), "--year", str(year), "--out", str(out), "--config", str(config)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def years(tmp_path_factory, repo_root) -> Years:
    base = tmp_path_factory.mktemp("years")
    template = yaml.safe_load((repo_root / "config" / f"{SECOND}.yml").read_text(encoding="utf-8"))
    config, data, out = {}, {}, {}
    for year in (FIRST, SECOND):
        raw = {**template, "year": year, "report": {**template["report"], "report_date": dt.date(year + 1, 1, 28),
                                                         "meeting_date": dt.date(year + 1, 2, 10)}}
        config[year] = base / "config" / f"{year}.yml"
        config[year].parent.mkdir(exist_ok=True)
        config[year].write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        data[year], out[year] = base / f"data-{year}", base / "reports" / str(year)
        subprocess.run([*REVIEW, "sample", "--size", "S", "--year", str(year), "--out", str(data[year])],
                       check=True, capture_output=True)  # fmt: skip

    run_review(data[FIRST], FIRST, out[FIRST], config[FIRST])
    first = yaml.safe_load((out[FIRST] / f"recommendations-{FIRST}.yml").read_text(encoding="utf-8"))
    raised = sorted((e for e in first["recommendations"] if e["year_raised"] == FIRST), key=lambda e: e["rec_id"])
    assert len(raised) >= 5, "the sample's first year raises enough recommendations to decide on"
    overdue_by_now = [e for e in raised if e["due_date"] and dt.date.fromisoformat(e["due_date"]) < SECOND_END]
    assert len(overdue_by_now) >= 3
    updated = {overdue_by_now[0]["rec_id"]: "implemented", overdue_by_now[1]["rec_id"]: "in_progress",
               overdue_by_now[2]["rec_id"]: "superseded"}  # fmt: skip
    # The same rules fire on the seeded second year: reject one, accept and reassign another.
    keys = [e["rec_id"].removeprefix(f"R{FIRST}-") for e in raised]
    rejected, accepted = f"R{SECOND}-{keys[-1]}", f"R{SECOND}-{keys[-2]}"
    decisions = {
        **{rec_id: {"status": status, "status_note": f"Updated by the team: {status}."} for rec_id, status in updated.items()},
        rejected: {"decision": "reject", "reason": REASON},
        accepted: {"decision": "accept", "owner": NEW_OWNER, "due_date": dt.date(SECOND + 1, 3, 31)},
        GONE: {"decision": "accept"},
    }
    # The default place: decisions-YEAR.yml beside the year's config.
    (base / "config" / f"decisions-{SECOND}.yml").write_text(yaml.safe_dump(decisions, sort_keys=False), encoding="utf-8")
    run_review(data[SECOND], SECOND, out[SECOND], config[SECOND])
    return Years(base, config, data, out, first, decisions, updated, rejected, accepted)


def second_register(years: Years) -> dict:
    return yaml.safe_load((years.out[SECOND] / f"recommendations-{SECOND}.yml").read_text(encoding="utf-8"))


def by_id(register: dict) -> dict[str, dict]:
    return {e["rec_id"]: e for e in register["recommendations"]}


def first_year_raised(years: Years) -> list[dict]:
    return [e for e in years.first["recommendations"] if e["year_raised"] == FIRST]


def expected_status(years: Years, entry: dict) -> str:
    """Where a first-year recommendation stood at the second period's end: the team's update."""
    return years.updated.get(entry["rec_id"], entry["status"])


def raised_again(years: Years, entry: dict) -> bool:
    """The second year's rules raised it again (the same rule key) and the team did not reject that."""
    again = by_id(second_register(years)).get(entry["rec_id"].replace(f"R{FIRST}-", f"R{SECOND}-", 1))
    return again is not None and again["status"] != "rejected"


def status_next_year(years: Years, entry: dict) -> str:
    """In the register for the year after: an open one raised again is superseded by the new one."""
    status = expected_status(years, entry)
    return "superseded" if status in LIVE and raised_again(years, entry) else status


def is_overdue(status: str, due: str | None) -> bool:
    return status in LIVE and due is not None and dt.date.fromisoformat(due) < SECOND_END


@pytest.fixture(scope="module")
def document(years):
    html = (years.out[SECOND] / f"annual-review-{SECOND}.html").read_text(encoding="utf-8")
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def register_rows(document) -> dict[str, tuple[str, str]]:
    """Register table rows by recommendation id: (the row header's text, the status cell's text)."""
    rows = {}
    for tr in document.iterfind(f".//{NS}table[@class='data register-table']/{NS}tbody/{NS}tr"):
        ref = tr.find(f".//{NS}span[@class='ref']").text.strip()
        rows[ref] = (text(tr.find(f"{NS}th")), text(tr.findall(f"{NS}td")[-1]))
    return rows


def test_the_second_register_carries_the_first_years_recommendations_with_new_statuses(years):
    second = by_id(second_register(years))
    raised = first_year_raised(years)
    for entry in raised:
        carried = second[entry["rec_id"]]
        assert carried["status"] == status_next_year(years, entry), entry["rec_id"]
        assert (carried["title"], carried["owner"], carried["due_date"]) == (entry["title"], entry["owner"], entry["due_date"])
        assert carried["evidence"] == entry["evidence"], "the evidence travels with the recommendation"
        if carried["status"] == "superseded" and expected_status(years, entry) in LIVE:
            new_id = entry["rec_id"].replace(f"R{FIRST}-", f"R{SECOND}-", 1)
            assert f"raised again in the {SECOND} review as {new_id}" in carried["status_note"]
            assert second[new_id]["supersedes"] == entry["rec_id"]
        elif entry["rec_id"] in years.updated:
            assert carried["status_note"] == years.decisions[entry["rec_id"]]["status_note"]
    # Every recommendation in the first register is still there: nothing is dropped in the carry.
    assert {e["rec_id"] for e in years.first["recommendations"]} <= set(second)


def test_overdue_flags_are_worked_out_at_the_second_period_end(years, document):
    second = by_id(second_register(years))
    rows = register_rows(document)
    flagged = 0
    for entry in first_year_raised(years):
        want = is_overdue(expected_status(years, entry), entry["due_date"])
        flagged += want
        assert second[entry["rec_id"]]["is_overdue"] is want, entry["rec_id"]
        status_words = expected_status(years, entry).replace("_", " ").capitalize()
        # marked implemented while the second year's evidence raises it again: flagged
        check = expected_status(years, entry) == "implemented" and raised_again(years, entry)
        assert rows[entry["rec_id"]][1] == status_words + (" Overdue" if want else "") + (" Check" if check else ""), entry["rec_id"]
    assert flagged >= 2, "the sample leaves some of the first year's recommendations overdue"
    implemented = next(i for i, s in years.updated.items() if s == "implemented")
    assert "Overdue" not in rows[implemented][1], "an implemented recommendation is no longer overdue"


def test_p6_figures_count_the_updated_statuses(years):
    """P6 is computed from the register so far: the data folder's table, last year's register laid
    over it, then the team's status updates. Worked out here from the CSV and the YAML."""
    register = {}
    with (years.data[SECOND] / "recommendations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            register[row["rec_id"]] = {"year_raised": int(row["year_raised"]), "status": row["status"],
                                       "due_date": row["due_date"] or None}  # fmt: skip
    for e in years.first["recommendations"]:
        register[e["rec_id"]] = {"year_raised": e["year_raised"], "status": e["status"], "due_date": e["due_date"]}
    for rec_id, status in years.updated.items():
        register[rec_id]["status"] = status
    earlier = [r for r in register.values() if r["year_raised"] < SECOND]
    counted = [r for r in earlier if r["status"] not in ("rejected", "superseded")]
    p6 = json.loads((years.out[SECOND] / "artifacts" / "clauses" / "P6.json").read_text())["values"]
    assert p6["p6_prior_recommendations"] == len(earlier)
    assert p6["p6_overdue"] == sum(is_overdue(r["status"], r["due_date"]) for r in earlier)
    assert p6["p6_implemented_pct"] == pytest.approx(
        100 * sum(r["status"] == "implemented" for r in counted) / len(counted))


def test_a_rejected_recommendation_shows_the_teams_reason(years, document):
    entry = by_id(second_register(years))[years.rejected]
    assert entry["status"] == "rejected" and REASON in entry["status_note"]
    board = document.find(f".//{NS}section[@id='recommendations']")
    assert board.find(f".//{NS}li[@id='rec-{years.rejected}']") is None, "not put to the Board"
    row = document.find(f".//{NS}tr[@id='rejected-{years.rejected}']")
    assert row is not None and REASON in text(row)
    assert "The team chose not to put 1 more recommendation to the Board" in text(board)


def test_an_accepted_decision_is_applied(years, document):
    entry = by_id(second_register(years))[years.accepted]
    assert (entry["owner"], entry["due_date"], entry["status"]) == (NEW_OWNER, f"{SECOND + 1}-03-31", "open")
    item = document.find(f".//*[@id='rec-{years.accepted}']")  # a list item for decision, a table row for noting
    assert NEW_OWNER in text(item) and f"31 March {SECOND + 1}" in text(item)


def test_a_decision_for_a_recommendation_that_does_not_fire_is_reported(years, document):
    register = second_register(years)
    assert GONE not in by_id(register)
    assert register["unmatched_decisions"] == [GONE]
    outcome = json.loads((years.out[SECOND] / "artifacts" / "decisions.json").read_text())
    assert outcome["unmatched_decisions"] == [GONE]
    assert {d["rec_id"]: d["applied_to"] for d in outcome["decisions"]}[GONE] == "none"
    note = document.find(f".//{NS}p[@class='note unmatched-decisions']")
    assert note is not None and GONE in text(note)
    p6 = (years.out[SECOND] / "notebooks" / "30-p6-recommendations.ipynb").read_text(encoding="utf-8")
    assert GONE in p6, "the executed notebook shows it too"


def test_the_run_records_the_register_files_it_used(years):
    ingest = json.loads((years.out[SECOND] / "artifacts" / "ingest.json").read_text())["register"]
    decisions_file = years.base / "config" / f"decisions-{SECOND}.yml"
    previous = years.out[FIRST] / f"recommendations-{FIRST}.yml"
    assert ingest["decisions_file"]["sha256"] == hashlib.sha256(decisions_file.read_bytes()).hexdigest()
    assert ingest["previous_register_file"]["sha256"] == hashlib.sha256(previous.read_bytes()).hexdigest()
    assert ingest["decisions"] == len(years.decisions)
    manifest = json.loads((years.out[SECOND] / "manifest.json").read_text())
    assert f"recommendations-{SECOND}.yml" in manifest["outputs"]


def test_a_rerun_keeps_every_decision(years):
    """Run the second year's stages again, as the notebooks call them, into a fresh folder beside
    the first run (where last year's register is looked for): the same register, byte for byte.
    In process rather than a third `review run`: the stages are what a re-run repeats."""
    from review.evidence import pipeline
    from review.evidence.metrics import CLAUSE_MODULES

    again = years.base / "reports" / f"{SECOND}-again"
    config = str(years.config[SECOND])
    pipeline.ingest_stage(str(years.data[SECOND]), SECOND, config, str(again))
    for clause in CLAUSE_MODULES:
        pipeline.clause_stage(clause, SECOND, config, str(again))
    pipeline.recommend_stage(SECOND, config, str(again))
    name = f"recommendations-{SECOND}.yml"
    assert (again / name).read_bytes() == (years.out[SECOND] / name).read_bytes()
    after = by_id(yaml.safe_load((again / name).read_text(encoding="utf-8")))
    for entry in first_year_raised(years):
        assert after[entry["rec_id"]]["status"] == status_next_year(years, entry)
    assert after[years.rejected]["status"] == "rejected" and after[years.accepted]["owner"] == NEW_OWNER
    decided = pipeline.decisions_frame(str(again)).set_index("id")["applied to"].to_dict()
    assert set(decided) == set(years.decisions), "every decision in the file is accounted for"
    assert decided[GONE].startswith("nothing this year")
