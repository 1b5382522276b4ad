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


def _as_printed(value: object, unit: str | None) -> str | None:
    """A recorded evidence value as the paper should print it, worked out here: None when this
    test does not know the form."""
    if isinstance(value, int):
        return f"{value:,}"
    if unit == "pct":
        return f"{value}%"  # recorded with the decimals the headline prints: 53.9, 99.95
    if unit == "minutes" and float(value).is_integer():
        hours, minutes = divmod(int(value), 60)
        if not hours:
            return f"{minutes} minute{'s' if minutes != 1 else ''}"
        return f"{hours} hour{'s' if hours != 1 else ''}" if not minutes else f"{hours} h {minutes} min"
    return None


def test_each_of_this_years_recommendations_reads_in_the_paper_as_in_the_register(run):
    """What the register records for each recommendation put to the Board this year (title, owner,
    priority, due date, evidence) is what the paper prints for it: a reader of one never finds
    another figure, owner or date in the other."""
    from review.evidence.metrics.registry import METRICS

    written = yaml.safe_load((run.out / f"recommendations-{YEAR}.yml").read_text(encoding="utf-8"))["recommendations"]
    document = html5lib.parse(run.html.read_text(encoding="utf-8"), treebuilder="etree", namespaceHTMLElements=True)
    shown = {el.get("id"): " ".join("".join(el.itertext()).split())
             for el in document.iter() if (el.get("id") or "").startswith(f"rec-R{YEAR}-")}
    this_year = [e for e in written if e["year_raised"] == YEAR and e["status"] != "rejected"]
    assert len(this_year) >= 8 and len(shown) == len(this_year)
    checked = 0
    for entry in this_year:
        text = shown[f"rec-{entry['rec_id']}"]
        due = dt.date.fromisoformat(str(entry["due_date"]))
        for field in (entry["title"], entry["owner"], entry["priority"].capitalize(), f"{due.day} {due:%B %Y}"):
            assert field in text, (entry["rec_id"], field, text)
        for key, value in (entry.get("evidence") or {}).items():
            printed = _as_printed(value, METRICS[key].unit if key in METRICS else None)
            if printed is not None:
                assert printed in text, (entry["rec_id"], key, value, text)
                checked += 1
    assert checked >= 8
