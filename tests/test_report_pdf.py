"""The board paper from a real run: structure, tags, page furniture, logo and reproducibility.

One seeded sample run (size S, through `review run`, shared with the other report tests via
`sample_run`) gives the PDF, HTML and workbook checked here. The reproducibility tests run the
report stage again on a copy of the same artifacts, and the whole review again from the same
data, in fresh processes with another hash seed. Page furniture is read per page with poppler's
pdftotext as well as pypdf. The branding test re-renders with another force's config.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pandas as pd
import pytest
from pypdf import PdfReader

from sample_run import LOGO, YEAR, sample_run
from review.policy import CLAUSES

pytestmark = pytest.mark.e2e
NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
# The cover report (executive summary) comes first; the full recommendation register is the last appendix.
TOP_LEVEL = [
    "Contents", "Executive summary", "Purpose of this paper", "Recommendations to the Board",
    "The policy, clause by clause", "Findings by policy clause", "Last year's recommendations", "Implications",
    "Appendix A: Metric definitions", "Appendix B: Data sources and quality",
    "Appendix C: Methodology and assumptions", "Appendix D: Glossary", "Appendix E: Tables by clause",
    "Appendix F: Recommendation register",
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
    from review.evidence.metrics.registry import METRICS

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
    expected = ["cover", "summary", "purpose", "recommendations", "matrix",
                *[f"clause-{c.lower()}" for c in CLAUSES], "register", "implications",
                "appendix-a", "appendix-b", "appendix-c", "appendix-d", "appendix-e", "appendix-f"]  # fmt: skip
    assert [i for i in order if i in expected] == expected


def test_report_stage_gives_identical_bytes_in_a_fresh_process(run, tmp_path):
    """Same artifacts in, same PDF, HTML and workbook out: no clock, no hash order, no random ids."""
    copy = tmp_path / "out"
    shutil.copytree(run.out / "artifacts", copy / "artifacts")
    code = ("import sys; from review.evidence.pipeline import report_stage; "
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
    from review.outputs.report import read_logo

    assert read_logo(LOGO).lstrip().startswith("<svg")
    for bad in ["../report.css", "missing.svg", "../../pyproject.toml"]:
        with pytest.raises(ReviewError, match="force.logo"):
            read_logo(bad)


# --- page by page, through poppler's pdftotext (a second, independent text extractor) ---------


@pytest.fixture(scope="module")
def layout_pages(run, reader):
    """Each page's text laid out as printed (`pdftotext -layout`), one string per page."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: scripts/setup.sh installs poppler-utils"
    pages = []
    for number in range(1, len(reader.pages) + 1):
        done = subprocess.run([pdftotext, "-layout", "-f", str(number), "-l", str(number), str(run.pdf), "-"],
                              capture_output=True, text=True, check=True)  # fmt: skip
        pages.append(done.stdout)
    return pages


def _lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.splitlines() if line.strip()]


def _headings(document, *levels) -> list[str]:
    return [_text(el) for el in document.iter() if el.tag in {f"{NS}{level}" for level in levels}]


def test_every_page_has_the_marking_in_its_header_and_footer(layout_pages):
    total = len(layout_pages)
    cover = _lines(layout_pages[0])
    assert cover[0] == "OFFICIAL" and cover[-1] == "OFFICIAL", "the cover has the marking at top and bottom"
    for number, page in enumerate(layout_pages[1:], start=2):
        lines = _lines(page)
        header, footer = lines[0], lines[-1]
        assert "OFFICIAL" in header and header.endswith("SAMPLE DATA"), f"page {number} header: {header!r}"
        assert footer == f"Annual review of social media {YEAR} OFFICIAL Page {number} of {total}", (
            f"page {number} footer: {footer!r}")


def test_running_header_names_the_section_on_the_page(layout_pages, document):
    """The header shows the section the page starts in, or the one that starts at its top."""
    sections = _headings(document, "h2")
    current = None
    for number, page in enumerate(layout_pages[1:], start=2):
        lines = _lines(page)
        header = lines[0].split(" OFFICIAL")[0]
        body = lines[1:-1]
        starting = [line for line in body if line in sections]
        assert header in sections, f"page {number}: header {header!r} is not a section title"
        assert header == current or header in starting[:1], (
            f"page {number}: header says {header!r}, but the page continues {current!r} and starts {starting}")
        current = starting[-1] if starting else current


def test_no_page_ends_with_a_heading_or_a_caption(layout_pages, document):
    """A heading, figure title or table caption is never the last thing on a page."""
    headings = set(_headings(document, "h2", "h3", "caption")) | set(_headings(document, "figcaption"))
    titles = {_text(span) for span in document.iter(f"{NS}span") if (span.get("class") or "") == "figure-title"}
    for number, page in enumerate(layout_pages[1:-1], start=2):
        last = _lines(page)[-2]  # the line above the footer
        assert last not in headings | titles, f"page {number} ends with the heading {last!r}"
        assert not re.fullmatch(r"(Table|Figure) \d+: .*", last), f"page {number} ends with the caption {last!r}"


def test_bookmarks_follow_the_board_paper_order(reader):
    top = [title for depth, title in _outline(reader.outline) if depth == 0]
    expected = [t for t in TOP_LEVEL]
    assert [t for t in top if t in expected] == expected
    clauses = [title for depth, title in _outline(reader.outline) if depth == 1 and re.match(r"P[1-7] ", title)]
    assert clauses == [f"{c} {name}" for c, (name, _) in CLAUSES.items()]


def test_each_chart_has_its_title_caption_and_source_on_one_page(document, pages):
    figures = list(document.iter(f"{NS}figure"))
    assert figures
    for figure in figures:
        title = _text(figure.find(f".//{NS}span[@class='figure-title']"))
        caption = _text(figure.find(f".//{NS}span[@class='figure-caption']"))
        source = _text(figure.find(f".//{NS}p[@class='source']"))
        holding = [text for text in pages if title in text]
        assert len(holding) == 1, f"{title!r} is on {len(holding)} pages"
        assert caption[:60] in holding[0] and source in holding[0], f"{title!r}: caption or source on another page"
        alt = figure.find(f".//{SVG}svg/{SVG}title").text
        assert re.search(r"\d", alt), f"{title!r}: the alt text gives no figures: {alt!r}"


# --- determinism from the raw data: a second, independent run -------------------------------


def test_a_second_run_from_the_same_data_gives_identical_paper(run, tmp_path):
    """The whole review again (ingest to PDF, fresh processes, another hash seed): same bytes."""
    out = tmp_path / "reports" / str(YEAR)
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run(
        [sys.executable, "-m", "review.cli", "run", "--data", str(run.data), "--year", str(YEAR), "--out", str(out),
         "--config", str(run.config)],
        capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for name in [f"annual-review-{YEAR}.pdf", f"annual-review-{YEAR}.html"]:
        first, again = (run.out / name).read_bytes(), (out / name).read_bytes()
        assert hashlib.sha256(first).hexdigest() == hashlib.sha256(again).hexdigest(), f"{name} differs between runs"


# --- branding from config alone ------------------------------------------------------------


def test_another_force_name_colour_palette_and_logo_come_from_config_alone(run, tmp_path):
    """Rebrand by editing the YAML: the same templates and code give another force's paper."""
    import yaml

    raw = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    palette = ["#332288", "#117733", "#882255", "#44AA99", "#AA4499", "#999933", "#88CCEE", "#DDCC77"]
    raw["force"].update(name="Westmarch Constabulary", brand_colour="#5b2a86", palette=palette, logo=None)
    config = tmp_path / "rebrand.yml"
    config.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(run.out / "artifacts", out / "artifacts")
    shutil.copytree(run.out / "canonical", out / "canonical")
    # The charts are drawn in the config's palette by the clause stages (as a run with the edited
    # config does: the config is in the run cache's key), then the recommendations and the report.
    code = ("import sys; from review.evidence.pipeline import clause_stage, recommend_stage, report_stage; "
            f"[clause_stage(c, {YEAR}, sys.argv[1], sys.argv[2]) for c in {list(CLAUSES)!r}]; "
            f"recommend_stage({YEAR}, sys.argv[1], sys.argv[2]); report_stage({YEAR}, sys.argv[1], sys.argv[2])")  # fmt: skip
    subprocess.run([sys.executable, "-c", code, str(config), str(out)], check=True, capture_output=True)
    html = (out / f"annual-review-{YEAR}.html").read_text(encoding="utf-8")
    before = run.html.read_text(encoding="utf-8")
    rebranded = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    assert _text(rebranded.find(f".//{NS}p[@class='cover-force']")) == "Westmarch Constabulary"
    # The force's name from config: in the document title, on the cover and in the purpose. (The
    # data's account names, "Northshire Police (X)", are the data's own and stay as they are.)
    for where in (f"{NS}head/{NS}title", f".//{NS}header[@id='cover']", f".//{NS}section[@id='purpose']"):
        assert "Westmarch Constabulary" in _text(rebranded.find(where)), where
        assert "Northshire Police" not in _text(rebranded.find(where)), where
    assert "--brand: #5b2a86;" in html and "--brand: #1d3557;" in before
    chart_colours = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}", " ".join(
        ET.tostring(svg, encoding="unicode") for svg in rebranded.iter(f"{SVG}svg")))}  # fmt: skip
    assert palette[0].lower() in chart_colours and "#0072b2" not in chart_colours
    assert rebranded.find(f".//{NS}header[@id='cover']").find(f".//{SVG}svg") is None  # no logo configured
    meta = PdfReader(out / f"annual-review-{YEAR}.pdf").metadata
    assert meta.title == f"Annual review of social media {YEAR}: Westmarch Constabulary"


# --- fixes found by reading the printed pages --------------------------------------------------


def test_dates_in_tables_read_as_dates_and_are_date_cells_in_the_workbook(run, document):
    """Top posts and critical incidents once printed "03 Jul 2025" and "04 Jun 20:29" as text."""
    import datetime as dt

    from openpyxl import load_workbook

    def column(caption_start, index):
        # By title, not number: tables are numbered through the paper (the coverage section comes first).
        table = next(t for t in document.iter(f"{NS}table") if _text(t.find(f"{NS}caption")).split(": ", 1)[-1].startswith(caption_start))
        # Raw text: _text() would fold the no-break spaces that keep a date on one line.
        return ["".join(list(tr)[index].itertext()).strip() for tr in table.findall(f"{NS}tbody/{NS}tr")]

    month = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
    for text in column("The 10 posts shown most often", 0):
        assert re.fullmatch(rf"[1-9]\d?\u00a0{month}\u00a0{YEAR}", text), text
    for text in column("Critical incidents", 1):
        assert re.fullmatch(rf"[1-9]\d?\u00a0{month}\u00a0{YEAR} \d\d:\d\d", text), text
    assert all(text.strip() for text in column("The 10 posts shown most often", 2)), "a post cell is blank"
    book = load_workbook(run.workbook, read_only=True)
    assert isinstance(next(book["p1_top_posts"].iter_rows(min_row=4, values_only=True))[0], dt.datetime)
    assert isinstance(next(book["p2_incidents"].iter_rows(min_row=4, values_only=True))[1], dt.datetime)


def test_a_bar_chart_needs_at_least_two_bars(run):
    """One unit's training share is a table row, not a chart (size S has one unit)."""
    from review.runner import artifacts
    from review.config import load_config
    from review.outputs.charts.clauses import draw_charts

    config = load_config(run.config, YEAR)
    m = artifacts.read_metrics(run.out)
    training = m["series"]["p5_training_by_unit"]
    assert len(training) == 1  # the sample's only unit: Corporate Communications
    assert [c.chart_id for c in draw_charts("P5", config, m["series"], m["has_prior"])] == []
    assert "p1-reach-per-account" in [c.chart_id for c in draw_charts("P1", config, m["series"], m["has_prior"])]
    two = {**m["series"], "p5_training_by_unit": pd.concat([training, training.assign(unit="Another unit")])}
    assert [c.chart_id for c in draw_charts("P5", config, two, m["has_prior"])] == ["p5-training"]
