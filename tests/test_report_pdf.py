"""The board paper from a real run: structure, tags, page furniture, logo and reproducibility.

One seeded sample run (size S, through `review run`, shared with the other report tests via
`sample_run`) gives the PDF, HTML and workbook checked here. The reproducibility test runs the
report stage again, in a fresh process with another hash seed, on a copy of the same artifacts.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys

import html5lib
import pytest
from pypdf import PdfReader

from sample_run import LOGO, YEAR, sample_run
from review.policy import CLAUSES

pytestmark = pytest.mark.e2e
NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
TOP_LEVEL = [
    "Contents", "Purpose of this paper", "Recommendations to the Board", "Executive summary",
    "The policy, clause by clause", "Findings by policy clause", "Last year's recommendations",
    "Implications", "Appendix A: Metric definitions", "Appendix B: Data sources and quality",
    "Appendix C: Methodology and assumptions", "Appendix D: Glossary",
]


@pytest.fixture(scope="module")
def run():
    return sample_run("S")


@pytest.fixture(scope="module")
def reader(run):
    return PdfReader(run.pdf)


@pytest.fixture(scope="module")
def pages(reader):
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture(scope="module")
def document(run):
    return html5lib.parse(run.html.read_text(encoding="utf-8"), treebuilder="etree", namespaceHTMLElements=True)


def _outline(items, depth=0):
    for item in items:
        if isinstance(item, list):
            yield from _outline(item, depth + 1)
        else:
            yield depth, item.title


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_page_count_is_sane(pages):
    # Size S has 6 accounts: cover, contents, about 20 pages of findings, 5 of appendices.
    assert 18 <= len(pages) <= 40, len(pages)


def test_bookmarks_cover_every_section_and_clause(reader):
    outline = list(_outline(reader.outline))
    titles = [title for _, title in outline]
    for title in TOP_LEVEL:
        assert title in titles, f"no bookmark for {title!r}"
    clause_depths = {depth for depth, title in outline for clause, (name, _) in CLAUSES.items()
                     if title == f"{clause} {name}"}  # fmt: skip
    assert len([t for t in titles if re.match(r"P[1-7] ", t)]) == len(CLAUSES)
    assert clause_depths == {1}, "clauses sit under 'Findings by policy clause'"


def test_pdf_is_tagged_pdf_ua_with_language_and_metadata(reader):
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp
    meta = reader.metadata
    assert meta.title == f"Annual review of social media {YEAR}: Northshire Police"
    assert meta.author == "E-Communications Team, Strategic Corporate Communications"
    assert "Executive Board" in meta.subject and "SAMPLE DATA" in meta.subject
    assert meta["/CreationDate"] == "D:20260128"  # the config's report_date, not the clock


def _figures(node, found):
    node = node.get_object()
    if isinstance(node, dict):
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            _figures(kid, found)
    return found


def test_every_figure_has_alternative_text_and_charts_are_vector(reader, document):
    alts = _figures(reader.trailer["/Root"]["/StructTreeRoot"], [])
    charts = list(document.iter(f"{NS}figure"))
    assert len(alts) == len(charts) + 1  # the charts and the crest
    assert all(len(alt) > 20 for alt in alts if alt != "Northshire Police crest"), alts
    # Charts are drawn as vector paths. The only raster allowed is a colour-bar gradient.
    for page in reader.pages:
        for obj in (page["/Resources"].get("/XObject") or {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Image":
                assert min(obj["/Width"], obj["/Height"]) <= 32, "a chart was embedded as a bitmap"


def test_marking_sample_mark_and_page_numbers_on_every_page(pages):
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL" in text, f"page {number} has no protective marking"
        assert "SAMPLE DATA" in text, f"page {number} has no SAMPLE DATA mark"
        if number > 1:
            assert f"Page {number} of {total}" in text, f"page {number} has no 'Page X of Y'"
            assert f"Annual review of social media {YEAR}" in text  # the running footer
    assert "Page 1 of" not in pages[0]  # the cover is clean


def test_contents_lists_page_numbers_that_match_the_sections(pages):
    contents = next(i for i, text in enumerate(pages) if text.startswith("Contents") or " Contents " in text[:80])
    toc = pages[contents]
    for title in ["Executive summary", "Appendix D: Glossary"]:
        found = re.search(re.escape(title) + r"[ .]*?(\d+)", toc)
        assert found, f"{title!r} has no page number in the contents"
        page = int(found.group(1))
        assert title in pages[page - 1], f"contents says {title!r} is on page {page}"


def test_executive_summary_fits_on_one_page(run, pages):
    import json

    metrics = json.loads((run.out / "artifacts" / "metrics.json").read_text())
    from review.metrics.registry import METRICS

    titles = [h["title"] for h in metrics["headlines"] if METRICS[h["metric_id"]].headline]
    assert 6 <= len(titles) <= 8
    summary = [text for text in pages if "Executive summary Each figure" in text or "Headline figures Each figure" in text]
    assert len(summary) == 1, "the headline figures are on one page"
    page = summary[0]
    assert "Executive summary" in page
    for title in titles:
        assert " ".join(title.split()) in page, f"{title!r} is not on the summary page"
    assert re.search(r"\b(Green|Amber|Red)\b", page)


def test_policy_matrix_fits_on_one_page(pages):
    matrix = [text for text in pages if "Policy matrix: clauses P1 to P7" in text]
    assert len(matrix) == 1
    for clause, (name, _) in CLAUSES.items():
        assert f"{clause} {name}" in matrix[0] or (clause in matrix[0] and name.split()[0] in matrix[0])


def test_long_tables_are_cut_in_print_with_a_note(document, pages):
    text = " ".join(pages)
    metric_tables = [div.find(f".//{NS}table") for div in document.iter(f"{NS}div")
                     if "metric-table" in (div.get("class") or "").split()]  # fmt: skip
    assert metric_tables
    for table in metric_tables:
        rows = table.findall(f"{NS}tbody/{NS}tr")
        omitted = [r for r in rows if "print-omit" in (r.get("class") or "")]
        if omitted:
            kept = len(rows) - len(omitted)
            assert f"shows the first {kept} of {len(rows):,} rows" in text
        else:
            assert len(rows) <= 15 + 3


def test_configured_logo_is_on_the_cover(document):
    cover = document.find(f".//{NS}header[@id='cover']")
    svg = cover.find(f".//{SVG}svg")
    assert svg is not None, "no logo on the cover"
    assert svg.find(f"{SVG}title").text == "Northshire Police crest"
    assert svg.find(f"{SVG}desc") is not None  # it is the shipped crest.svg, inlined


def test_sections_are_in_the_board_paper_order(document):
    order = [el.get("id") for el in document.iter() if el.tag in (f"{NS}section", f"{NS}nav", f"{NS}header")
             and el.get("id")]  # fmt: skip
    expected = ["cover", "purpose", "recommendations", "summary", "matrix",
                *[f"clause-{c.lower()}" for c in CLAUSES], "register", "implications",
                "appendix-a", "appendix-b", "appendix-c", "appendix-d"]  # fmt: skip
    assert [i for i in order if i in expected] == expected


def test_report_stage_gives_identical_bytes_in_a_fresh_process(run, tmp_path):
    """Same artifacts in, same PDF, HTML and workbook out: no clock, no hash order, no random ids."""
    copy = tmp_path / "out"
    shutil.copytree(run.out / "artifacts", copy / "artifacts")
    code = ("import sys; from review.pipeline import report_stage; "
            f"report_stage({YEAR}, sys.argv[1], sys.argv[2])")  # fmt: skip
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    subprocess.run([sys.executable, "-c", code, str(run.config), str(copy)], check=True, env=env,
                   capture_output=True)  # fmt: skip
    for name in [f"annual-review-{YEAR}.pdf", f"annual-review-{YEAR}.html", f"metrics-{YEAR}.xlsx"]:
        first = hashlib.sha256((run.out / name).read_bytes()).hexdigest()
        again = hashlib.sha256((copy / name).read_bytes()).hexdigest()
        assert first == again, f"{name} differs between two renders of the same artifacts"


def test_logo_must_be_an_svg_in_the_assets_folder():
    from review.errors import ReviewError
    from review.report import read_logo

    assert read_logo(LOGO).lstrip().startswith("<svg")
    for bad in ["../report.css", "missing.svg", "../../pyproject.toml"]:
        with pytest.raises(ReviewError, match="force.logo"):
            read_logo(bad)
