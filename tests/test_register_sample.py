"""The sample year's register is coherent with the sample year, and the paper shows it so.

Worked out here from the sample's recommendations.csv, the config and the run's list of this
year's recommendations, with plain Python: which entries the evidence contradicts (marked
implemented while their rule fires again; "22:00" desk cover marked implemented while the desk
closes earlier; overdue with a note saying "on track"), and which are repeated this year. The
sample must have no contradiction the paper does not flag (it has none at all), and every
repeat must be reported and superseded in the register for next year.
"""

from __future__ import annotations

import csv
import datetime as dt
import json

import html5lib
import pytest
import yaml

from sample_run import YEAR, sample_run

pytestmark = pytest.mark.e2e
NS = "{http://www.w3.org/1999/xhtml}"
LIVE = {"open", "in_progress"}
PERIOD_END = dt.date(YEAR + 1, 1, 1)


@pytest.fixture(scope="module")
def run():
    return sample_run()


@pytest.fixture(scope="module")
def register_rows(run) -> list[dict]:
    with (run.data / "recommendations.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def fired(run) -> set[str]:
    """Rule keys of this year's recommendations (for the Board, or rejected by the team)."""
    board = json.loads((run.out / "artifacts" / "metrics.json").read_text(encoding="utf-8"))["recommendations"]
    rejected = json.loads((run.out / "artifacts" / "decisions.json").read_text(encoding="utf-8"))["rejected"]
    return {r["rec_id"].removeprefix(f"R{YEAR}-") for r in board + rejected}


@pytest.fixture(scope="module")
def paper_rows(run) -> dict[str, tuple[str, bool]]:
    """The paper's register rows by id: (row text, has a Check flag)."""
    document = html5lib.parse(run.html.read_text(encoding="utf-8"), treebuilder="etree", namespaceHTMLElements=True)
    rows = {}
    for tr in document.iterfind(f".//{NS}table[@class='data register-table']/{NS}tbody/{NS}tr"):
        ref = tr.find(f".//{NS}span[@class='ref']").text.strip()
        rows[ref] = (" ".join("".join(tr.itertext()).split()), tr.find(f".//{NS}span[@class='flag-check']") is not None)
    return rows


def contradicted(row: dict, fired: set[str], desk_closes: int) -> bool:
    due = dt.date.fromisoformat(row["due_date"]) if row["due_date"] else None
    return (
        (row["status"] == "implemented" and row["rule"] in fired)
        or (row["status"] == "implemented" and "22:00" in row["title"] and desk_closes < 22)
        or (row["status"] in LIVE and due is not None and due < PERIOD_END and "on track" in row["status_note"].lower())
    )


def test_the_sample_register_agrees_with_the_sample_year(run, register_rows, fired, paper_rows):
    desk_closes = yaml.safe_load(run.config.read_text(encoding="utf-8"))["staffed_hours"]["end_hour"]
    earlier = [r for r in register_rows if int(r["year_raised"]) < YEAR]
    assert len(earlier) >= 7 and set(paper_rows) == {r["rec_id"] for r in earlier}
    expected = {r["rec_id"] for r in earlier if contradicted(r, fired, desk_closes)}
    flagged = {rec_id for rec_id, (_, check) in paper_rows.items() if check}
    assert expected == set(), "the sample register contradicts the sample year"
    assert flagged == expected  # and the paper flags nothing that is not there


def test_each_open_entry_the_review_raises_again_is_reported_and_superseded(run, register_rows, fired, paper_rows):
    repeated = {r["rec_id"]: r["rule"] for r in register_rows if r["status"] in LIVE and r["rule"] in fired}
    assert len(repeated) >= 2  # the sample shows the case
    written = {e["rec_id"]: e for e in yaml.safe_load(
        (run.out / f"recommendations-{YEAR}.yml").read_text(encoding="utf-8"))["recommendations"]}
    for old, rule in repeated.items():
        assert "Raised again this year as Recommendation" in paper_rows[old][0]
        assert written[old]["status"] == "superseded"
        assert written[f"R{YEAR}-{rule}"]["supersedes"] == old
    live_by_rule: dict[str, list[str]] = {}
    for e in written.values():
        if e["status"] in LIVE and e.get("rule"):
            live_by_rule.setdefault(e["rule"], []).append(e["rec_id"])
    assert {rule: ids for rule, ids in live_by_rule.items() if len(ids) > 1} == {}  # no duplicates next year
