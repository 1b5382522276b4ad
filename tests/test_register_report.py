"""The report's register section shows what the team's decisions did: rejected recommendations
with the team's reason, decisions that matched nothing, and the register file for next year."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest

from context_fixture import make_context
from review.outputs import render
from review.context import RejectedRecommendation

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NS = "{http://www.w3.org/1999/xhtml}"
REJECTED = [
    RejectedRecommendation("R2025-P3-answered-in-time", "P3", "Answer more messages within the target time",
                           "The out-of-hours recommendation covers it."),
    RejectedRecommendation("R2025-P7-captions", "P7", "Caption every video", "Captions <b>already</b> ordered."),
]


def parse(html: str):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.fixture(scope="module")
def document():
    ctx = make_context(rejected=REJECTED, unmatched_decisions=["R2025-P9-gone"], register_file="recommendations-2025.yml")
    return parse(render.render_html(ctx, TEMPLATES))


def test_rejected_recommendations_are_listed_with_the_teams_reason(document):
    rows = document.findall(f".//{NS}table[@class='data rejected-table']/{NS}tbody/{NS}tr")
    assert [r.get("id") for r in rows] == [f"rejected-{r.rec_id}" for r in REJECTED]
    for row, rec in zip(rows, REJECTED):
        assert text(row) == f"{rec.title}{rec.rec_id} {rec.clause} {rec.reason}"
    assert document.find(f".//{NS}b") is None, "the team's text is escaped"


def test_the_board_section_points_to_the_rejections(document):
    board = document.find(f".//{NS}section[@id='recommendations']")
    note = board.find(f".//{NS}p[@class='rec-rejected-note']")
    assert "The team chose not to put 2 more recommendations to the Board" in text(note)
    assert note.find(f"{NS}a").get("href") == "#register-rejected-heading"
    assert document.find(f".//{NS}h3[@id='register-rejected-heading']") is not None


def test_unmatched_decisions_and_the_register_file_are_noted(document):
    register = document.find(f".//{NS}section[@id='register']")
    note = register.find(f".//{NS}p[@class='note unmatched-decisions']")
    assert "names 1 recommendation the review did not raise" in text(note) and "R2025-P9-gone" in text(note)
    assert "recommendations-2025.yml" in text(register.find(f".//{NS}p[@class='register-file']"))


def test_without_decisions_nothing_extra_is_shown():
    document = parse(render.render_html(make_context(), TEMPLATES))
    assert document.find(f".//{NS}table[@class='data rejected-table']") is None
    assert document.find(f".//{NS}p[@class='note unmatched-decisions']") is None
    assert document.find(f".//{NS}p[@class='rec-rejected-note']") is None
