"""The rendering stage: filters, the HTML report's structure and safety, the tagged PDF.

The PDF is rendered once per module (about 3 seconds) and reused; the reproducibility test
renders it a second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import shutil
from pathlib import Path

import html5lib
import jinja2
import pandas as pd
import pytest
from pypdf import PdfReader

from context_fixture import make_context
from review.outputs import render
from review.context import MetricTable
from review.values import Column
from review.errors import ReviewError

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NS = "{http://www.w3.org/1999/xhtml}"
HOSTILE = ('<script>alert(1)</script>', '<img src="file:///etc/passwd">', "</style>")


def parse(html: str):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)


def visible_text(document) -> str:
    """Text a reader could see: everything except <style>, <script> and <head>."""
    skip = {f"{NS}style", f"{NS}script", f"{NS}head"}

    def walk(element):
        if element.tag in skip:
            return
        if element.text:
            yield element.text
        for child in element:
            yield from walk(child)
            if child.tail:
                yield child.tail

    return " ".join(walk(document))


@pytest.fixture(scope="module")
def ctx():
    return make_context()


@pytest.fixture(scope="module")
def html(ctx):
    return render.render_html(ctx, TEMPLATES)


@pytest.fixture(scope="module")
def document(html):
    return parse(html)


@pytest.fixture(scope="module")
def pdf_path(ctx, html, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    render.render_pdf(html, path, TEMPLATES, ctx)
    return path


@pytest.fixture(scope="module")
def reader(pdf_path):
    return PdfReader(pdf_path)


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12345, "12,345"), (999_999, "999,999"), (1_234_567, "1.2 million"), (14_820_000, "14.8 million"),
     (2.5e9, "2.5 billion"), (0, "0"), (None, "not available"), (float("nan"), "not available")],
)
def test_fmt_count(value, expected):
    assert render.fmt_count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.3, "up 12.3%"), (-4, "down 4.0%"), (0.04, "no change"), (-0.04, "no change"),
     (12.25, "up 12.3%"), (None, "not available"), (pd.NA, "not available")],
)
def test_fmt_change(value, expected):
    assert render.fmt_change(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(45, "45 minutes"), (1, "1 minute"), (200, "3 h 20 min"), (60, "1 hour"), (120, "2 hours"),
     (0.2, "less than 1 minute"), (0, "0 minutes"), (None, "not available")],
)
def test_fmt_minutes(value, expected):
    assert render.fmt_minutes(value) == expected


def test_fmt_pct_date_value_and_cells():
    assert render.fmt_pct(12.345) == "12.3%"
    assert render.fmt_pct(None) == "not available"
    assert render.fmt_date(dt.date(2025, 12, 31)) == "31 December 2025"
    assert render.fmt_date(dt.date(2025, 3, 1)) == "1 March 2025"
    assert render.fmt_date(pd.Timestamp("2025-06-03")) == "3 June 2025"
    assert render.fmt_value(14_820_000, "count") == "14.8 million"
    assert render.fmt_value(71.5, "pct") == "71.5%"
    assert render.fmt_value(200, "minutes") == "3 h 20 min"
    assert render.fmt_value(64.2, "rate") == "64.2"
    with pytest.raises(ValueError, match="unknown unit"):
        render.fmt_value(1, "furlongs")
    assert render.fmt_cell(1234) == "1,234"
    assert render.fmt_cell(None) == "not measured"
    cells = render.table_cells(pd.DataFrame({"Share (%)": [61.0, 48.25, None], "Name": ["a", "b", "c"]}))
    assert [text for text, _ in (row[0] for row in cells["rows"])] == ["61.00", "48.25", "not measured"]
    assert cells["columns"] == [("Share (%)", True), ("Name", False)]


def test_environment_is_strict_and_autoescaped(tmp_path):
    (tmp_path / "t.html.j2").write_text("{{ value }}|{{ missing }}")
    env = render.make_environment(tmp_path)
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    assert {"fmt_count", "fmt_pct", "fmt_change", "fmt_minutes", "fmt_date", "fmt_value"} <= set(env.filters)
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("t.html.j2").render(value="<b>")
    assert env.from_string("{{ value }}").render(value="<b>") == "&lt;b&gt;"


def test_a_reason_keeps_the_capitals_of_the_names_it_gives(ctx):
    """Jinja's capitalize lowers all but the first letter: the headline table printed a reason
    as "...(posts from facebook, instagram, tiktok and x)" (a year from the shared exports)."""
    reason = "no post in the period records whether its images have alt text (posts from Facebook, TikTok and X)"
    headlines = [dataclasses.replace(h, value=None, not_measured_reason=reason) if h.metric_id == "p7_alt_text_pct" else h
                 for h in ctx.headlines]
    text = visible_text(parse(render.render_html(dataclasses.replace(ctx, headlines=headlines), TEMPLATES)))
    assert "No post in the period records whether its images have alt text (posts from Facebook, TikTok and X)" in text
    env = render.make_environment(TEMPLATES)
    assert env.from_string("{{ 'in progress'|capitalize }} {{ 'high'|capitalize }}").render() == "In progress High"


def test_trusted_svg_refuses_active_or_external_content():
    good = render.trusted_svg('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "Alt <text>")
    assert "<title>Alt &lt;text&gt;</title>" in good and 'role="img"' in good
    for bad in ['<svg><script>alert(1)</script></svg>', '<svg onload="x()"></svg>',
                '<svg><image href="file:///etc/passwd"/></svg>', '<svg style="background:url(http://x)"></svg>',
                '<?xml version="1.0"?><svg></svg>', "<div></div>"]:
        with pytest.raises(ReviewError):
            render.trusted_svg(bad, "alt")
    # matplotlib's in-document references stay allowed.
    render.trusted_svg('<svg><use xlink:href="#g1"/><path clip-path="url(#p1)"/></svg>', "alt")


def test_brand_colour_must_be_a_hex_colour():
    with pytest.raises(ReviewError, match="brand colour"):
        render.render_html(make_context(brand_colour="red;}</style><script>x()</script>"), TEMPLATES)
    with pytest.raises(ReviewError, match="contrast"):
        render.render_html(make_context(brand_colour="#f0e442"), TEMPLATES)


# --- HTML ----------------------------------------------------------------------------------------


def test_html_language_title_landmarks(document):
    root = document
    assert root.get("lang") == "en-GB"
    title = root.find(f"{NS}head/{NS}title")
    assert title is not None and "Annual review of social media use" in title.text
    assert len(root.findall(f".//{NS}main")) == 1
    assert root.find(f".//{NS}nav") is not None
    assert root.find(f".//{NS}header") is not None


def test_headings_one_h1_and_in_order(document):
    levels = [int(el.tag[-1]) for el in document.iter() if re.fullmatch(rf"{re.escape(NS)}h[1-6]", str(el.tag))]
    assert levels.count(1) == 1 and levels[0] == 1
    for previous, current in zip(levels, levels[1:]):
        assert current <= previous + 1, f"heading jumps from h{previous} to h{current}"


def test_every_section_is_present(document, ctx):
    ids = {el.get("id") for el in document.iter() if el.get("id")}
    expected = {"purpose", "recommendations", "summary", "matrix", "register", "implications",
                "appendix-a", "appendix-b", "appendix-c", "appendix-d", "appendix-f"}
    expected |= {f"clause-{s.clause.lower()}" for s in ctx.sections}
    assert expected <= ids
    text = visible_text(document)
    for phrase in ["For decision", "For noting", "Executive summary", "Metric definitions",
                   "Data sources and quality", "Methodology", "Glossary", "Finance", "Legal",
                   "Equality", "Risk", "Overdue"]:
        assert phrase in text
    for sha in (s.sha256 for s in ctx.sources):
        assert sha in text
    # Every contents link points at an element that exists.
    for link in document.iter(f"{NS}a"):
        href = link.get("href")
        assert href.startswith("#") and href[1:] in ids


def test_headline_cards_show_the_rag_word(document, ctx):
    cards = [el for el in document.iter(f"{NS}li") if "card" in (el.get("class") or "").split()]
    assert len(cards) >= len(ctx.headlines)
    for card in cards:
        assert re.search(r"\b(Green|Amber|Red|Not rated)\b", visible_text(card))


def test_tables_have_real_headers(document):
    for table in document.iter(f"{NS}table"):
        assert table.find(f"{NS}caption") is not None
        headers = table.findall(f"{NS}thead/{NS}tr/{NS}th")
        assert headers and all(th.get("scope") == "col" for th in headers)


def test_charts_are_inline_svg_figures_with_captions(document, ctx):
    figures = list(document.iter(f"{NS}figure"))
    assert len(figures) == sum(len(s.charts) for s in ctx.sections)
    for figure in figures:
        assert figure.find(f"{NS}figcaption") is not None
        svg = figure.find(".//{http://www.w3.org/2000/svg}svg")
        assert svg is not None and svg.get("role") == "img"
        assert svg.find("{http://www.w3.org/2000/svg}title").text
        assert "Source:" in visible_text(figure)


def test_html_is_self_contained(html, document):
    assert "<link" not in html and "@import" not in html and "url(" not in html
    for element in document.iter():
        assert element.get("src") is None
        href = element.get("href")
        assert href is None or href.startswith("#")


def test_sample_mark_only_for_sample_data(document):
    assert "SAMPLE DATA" in visible_text(document)
    not_sample = parse(render.render_html(make_context(is_sample=False), TEMPLATES))
    assert "SAMPLE DATA" not in visible_text(not_sample)


def test_hostile_text_is_escaped_everywhere():
    base = make_context()
    hostile_table = MetricTable(
        table_id="p1_posts", clause="P1", title="Top posts " + HOSTILE[2],
        frame=pd.DataFrame({"Post": list(HOSTILE), "Impressions": [1, 2, 3]}),
    )
    sections = list(base.sections)
    sections[0] = dataclasses.replace(
        sections[0], finding="Finding " + HOSTILE[2], tables=[*sections[0].tables, hostile_table]
    )
    recs = list(base.recommendations)
    recs[0] = dataclasses.replace(recs[0], title=HOSTILE[0], text=HOSTILE[1])
    ctx = dataclasses.replace(base, sections=sections, recommendations=recs,
                              force_name='Northshire "Police" <b>')
    html = render.render_html(ctx, TEMPLATES)
    document = parse(html)
    assert not list(document.iter(f"{NS}script"))
    assert not list(document.iter(f"{NS}img"))
    assert len(list(document.iter(f"{NS}style"))) == 2  # ours only; "</style>" did not end one early
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    text = visible_text(document)
    for value in HOSTILE:
        assert value in text


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_metadata_language_and_tags(reader, ctx):
    assert reader.metadata.title.startswith(ctx.title)
    assert reader.metadata.author == ctx.author
    assert ctx.meeting in reader.metadata.subject
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert reader.metadata.get("/CreationDate", "").startswith("D:20260120")


def _titles(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _titles(item)
        else:
            yield item.title


def test_pdf_bookmarks_include_every_clause(reader, ctx):
    titles = list(_titles(reader.outline))
    for section in ctx.sections:
        assert f"{section.clause} {section.title}" in titles
    for title in ["Contents", "Executive summary", "Recommendations to the Board", "Appendix D: Glossary"]:
        assert title in titles


def test_pdf_pages_carry_marking_sample_flag_and_page_numbers(reader, ctx):
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert 10 <= total <= 40
    for number, text in enumerate(pages, start=1):
        assert ctx.marking in text, f"page {number} has no protective marking"
        assert "SAMPLE DATA" in text, f"page {number} has no SAMPLE DATA mark"
        if number > 1:  # the cover has no footer
            assert f"Page {number} of {total}" in text


def test_pdf_is_reproducible(pdf_path, html, ctx, tmp_path):
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    again = tmp_path / "again.pdf"
    render.render_pdf(html, again, TEMPLATES, ctx)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(pdf_path.read_bytes()).digest()
    assert "SOURCE_DATE_EPOCH" not in os.environ  # restored after rendering
    assert [p.name for p in tmp_path.iterdir()] == ["again.pdf"]  # no temporary file left behind


@pytest.fixture()
def template_copy(tmp_path):
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    return copy


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.png"])
def test_pdf_fetching_outside_templates_is_fatal(template_copy, tmp_path, url):
    from weasyprint.urls import FatalURLFetchingError

    purpose = template_copy / "sections" / "purpose.html.j2"
    purpose.write_text(purpose.read_text().replace("</h2>", f'</h2><img src="{url}" alt="x">', 1))
    ctx = make_context()
    html = render.render_html(ctx, template_copy)
    out = tmp_path / "out.pdf"
    out.write_bytes(b"previous report")
    with pytest.raises(FatalURLFetchingError):
        render.render_pdf(html, out, template_copy, ctx)
    assert out.read_bytes() == b"previous report"  # atomic: the old file survives


@pytest.mark.parametrize(
    "markup",
    ['<link rel="attachment" href="https://example.com/a.txt">',
     '<link rel="stylesheet" href="../outside.css">',
     '<p style="background: url(file:///etc/hostname)">x</p>'],
)
def test_fetcher_blocks_other_routes(tmp_path, markup):
    from weasyprint.urls import FatalURLFetchingError

    (tmp_path / "outside.css").write_text("p { color: red }")
    inside = tmp_path / "templates"
    inside.mkdir()
    html = f'<!DOCTYPE html><html lang="en-GB"><head><title>t</title>{markup}</head><body><p>x</p></body></html>'
    with pytest.raises(FatalURLFetchingError):
        render.render_pdf(html, tmp_path / "x.pdf", inside, make_context())


def test_fetcher_allows_data_urls_and_template_files(tmp_path):
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    html = ('<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head><body>'
            '<img src="logo.svg" alt="logo"><img alt="dot" src="data:image/svg+xml,'
            '%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%221%22 height=%221%22/%3E"></body></html>')
    out = tmp_path / "ok.pdf"
    render.render_pdf(html, out, tmp_path, make_context())
    assert out.read_bytes().startswith(b"%PDF-1.7")


def test_pdf_is_readable_by_others_like_any_new_file(tmp_path):
    """A board paper on a shared drive must not come out private (mkstemp's 0600)."""
    import os

    from review.outputs.render import render_html, render_pdf

    ctx = make_context()
    out = tmp_path / "paper.pdf"
    render_pdf(render_html(ctx, TEMPLATES), out, TEMPLATES, ctx)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


# --- print policy, register wording, logo -------------------------------------------------------


def _long_table(rows: int, print_rows: int | None = None) -> MetricTable:
    frame = pd.DataFrame({"Account": [f"Account {i:02d}" for i in range(rows)], "Posts": range(rows)})
    return MetricTable(table_id="p4_long", clause="P4", title="Every account", frame=frame, note="All accounts.",
                       print_rows=print_rows)  # fmt: skip


@pytest.mark.parametrize(("rows", "print_rows", "printed"),
                         [(40, None, 12), (16, None, 12), (15, None, 15), (3, None, 3), (40, 20, 20), (5, 20, 5)])
def test_long_tables_show_their_first_rows_in_print_and_all_on_screen(rows, print_rows, printed):
    base = make_context()
    sections = [dataclasses.replace(s, tables=[*s.tables, _long_table(rows, print_rows)]) if s.clause == "P4" else s
                for s in base.sections]  # fmt: skip
    document = parse(render.render_html(dataclasses.replace(base, sections=sections), TEMPLATES))
    table = document.find(f".//{NS}div[@id='table-p4_long']")
    body_rows = table.findall(f".//{NS}tbody/{NS}tr")
    assert len(body_rows) == rows  # the HTML keeps every row
    omitted = [r for r in body_rows if r.get("class") == "print-omit"]
    assert len(body_rows) - len(omitted) == printed
    notes = [p for p in table.iter(f"{NS}p") if "print-only" in (p.get("class") or "")]
    if printed < rows:
        assert len(notes) == 1 and f"first {printed} of {rows} rows" in visible_text(notes[0])
        assert "metrics workbook" in visible_text(notes[0])
    else:
        assert not notes


def _with_long_tables(base):
    sections = [dataclasses.replace(s, tables=[*s.tables, _long_table(40), _long_table(72, print_rows=0)
                                               ]) if s.clause == "P4" else s for s in base.sections]  # fmt: skip
    return dataclasses.replace(base, sections=sections)


def test_the_print_document_leaves_out_only_what_print_hides():
    ctx = _with_long_tables(make_context())
    printed = parse(render.render_html(ctx, TEMPLATES, for_print=True))
    screen = parse(render.render_html(ctx, TEMPLATES))
    tables = printed.findall(f".//{NS}div[@id='table-p4_long']")
    assert len(tables) == 2
    assert len(tables[0].findall(f".//{NS}tbody/{NS}tr")) == 12  # the first rows, no hidden rest
    assert tables[1].find(f".//{NS}table") is None  # a table kept out of print is not there at all
    assert "Not printed: 72 rows of detail for analysts" in visible_text(tables[1])
    assert not [e for e in printed.iter() if "print-omit" in (e.get("class") or "").split()]
    # everything else is the same document
    def shown(doc):
        return [visible_text(e) for e in doc.iter(f"{NS}h2")] + [visible_text(e) for e in doc.iter(f"{NS}figcaption")]
    assert shown(printed) == shown(screen)


def test_the_print_document_gives_the_pdf_the_whole_document_would(tmp_path):
    """The PDF is made from the print document; it must be the very PDF the whole page prints as."""
    ctx = _with_long_tables(make_context())
    whole, printed = tmp_path / "whole.pdf", tmp_path / "printed.pdf"
    render.render_pdf(render.render_html(ctx, TEMPLATES), whole, TEMPLATES, ctx)
    render.render_pdf(render.render_html(ctx, TEMPLATES, for_print=True), printed, TEMPLATES, ctx)
    assert whole.read_bytes() == printed.read_bytes()


def test_a_very_long_table_shows_its_first_rows_on_screen_and_points_to_the_workbook(monkeypatch):
    monkeypatch.setattr(render, "SCREEN_ROWS", 20)
    base = make_context()
    sections = [dataclasses.replace(s, tables=[*s.tables, _long_table(30)]) if s.clause == "P4" else s
                for s in base.sections]  # fmt: skip
    ctx = dataclasses.replace(base, sections=sections)
    table = parse(render.render_html(ctx, TEMPLATES)).find(f".//{NS}div[@id='table-p4_long']")
    assert len(table.findall(f".//{NS}tbody/{NS}tr")) == 20
    notes = {p.get("class"): visible_text(p) for p in table.iter(f"{NS}p")}
    assert "first 20 of 30 rows. The metrics workbook has all of them" in notes["table-note screen-only"]
    assert "first 12 of 30 rows. The metrics workbook has all of them" in notes["table-note print-only"]
    printed = parse(render.render_html(ctx, TEMPLATES, for_print=True)).find(f".//{NS}div[@id='table-p4_long']")
    assert not [p for p in printed.iter(f"{NS}p") if "screen-only" in p.get("class", "")]


def test_stylesheet_hides_omitted_rows_in_print_only():
    css = (TEMPLATES / "report.css").read_text()
    print_block = css[css.index("@media print") : css.index("@media screen")]
    screen_block = css[css.index("@media screen") :]
    assert ".print-omit, .screen-only { display: none; }" in print_block
    assert ".print-only { display: none; }" in screen_block


def test_a_table_can_be_kept_out_of_print_entirely():
    base = make_context()
    sections = [dataclasses.replace(s, tables=[*s.tables, _long_table(72, print_rows=0)]) if s.clause == "P4" else s
                for s in base.sections]  # fmt: skip
    document = parse(render.render_html(dataclasses.replace(base, sections=sections), TEMPLATES))
    block = document.find(f".//{NS}div[@id='table-p4_long']")
    assert len(block.findall(f".//{NS}tbody/{NS}tr")) == 72  # on screen, all of it
    wrap = block.find(f"{NS}div")
    assert "print-omit" in wrap.get("class").split()
    stub = block.find(f"{NS}p")
    assert "print-only" in stub.get("class") and "Not printed: 72 rows of detail for analysts" in visible_text(stub)
    assert "Every account" in visible_text(stub)  # the caption stays, so table numbers run on


def test_register_status_reads_as_words(document):
    statuses = [visible_text(tr.findall(f"{NS}td")[-1]) for tr in document.iterfind(f".//{NS}table[@class='data register-table']/{NS}tbody/{NS}tr")]
    assert statuses and not any("_" in s for s in statuses)
    assert any(s.startswith("In progress") for s in statuses)


def test_shipped_crest_inlines_on_the_cover():
    crest = (TEMPLATES / "assets" / "crest.svg").read_text(encoding="utf-8")
    html = render.render_html(make_context(logo_svg=crest), TEMPLATES)
    cover = parse(html).find(f".//{NS}header[@id='cover']")
    svg = cover.find(".//{http://www.w3.org/2000/svg}svg")
    assert svg is not None and svg.get("role") == "img"
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Northshire Police crest"
    no_logo = parse(render.render_html(make_context(logo_svg=None), TEMPLATES))
    assert no_logo.find(f".//{NS}header[@id='cover']").find(".//{http://www.w3.org/2000/svg}svg") is None


# --- year-on-year change of a percentage, and percentage columns -------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.0, "up 2.0 percentage points"), (-12.5, "down 12.5 percentage points"), (1.0, "up 1.0 percentage point"),
     (0.04, "no change"), (None, "not available")],
)
def test_fmt_points(value, expected):
    assert render.fmt_points(value) == expected


def test_a_share_changes_in_percentage_points_and_a_count_in_per_cent(document):
    """53.9% against 51.9% last year is up 2.0 points; "up 3.9%" would read as the gap and mislead."""
    share = dataclasses.replace(make_context().headlines[0], unit="pct", value=53.9, prior_value=51.9, change_pct=3.85)
    assert render.fmt_headline_change(share) == "up 2.0 percentage points"
    count = dataclasses.replace(share, unit="count", value=14_820_000, prior_value=13_150_000, change_pct=12.7)
    assert render.fmt_headline_change(count) == "up 12.7%"
    assert render.fmt_headline_change(dataclasses.replace(share, prior_value=None)) == "not available"
    # A small count: 1 case last year and 11 now is "up 10", not "up 1,000.0%".
    few = dataclasses.replace(share, unit="count", value=11, prior_value=1, change_pct=1000.0)
    assert render.fmt_headline_change(few) == "up 10"
    assert render.fmt_headline_change(dataclasses.replace(few, value=1)) == "no change"
    assert render.fmt_headline_change(dataclasses.replace(few, value=3, prior_value=19, change_pct=-84.2)) == "down 16"
    assert render.fmt_headline_change(dataclasses.replace(few, value=30, prior_value=20, change_pct=50.0)) == "up 50.0%"
    # In the rendered cards: the fixture's shares, worked out by hand from its values.
    cards = {visible_text(li.find(f"{NS}p")): visible_text(li) for li in document.iter(f"{NS}li")
             if "card" in (li.get("class") or "").split()}  # fmt: skip
    assert "Down 0.5 percentage points on last year (3.9%)" in cards["Engagement rate"]  # 3.4 against 3.9
    assert "Up 17.3 percentage points on last year (41.0%)" in cards["Images with alt text"]  # 58.3 against 41.0
    assert "Up 12.7% on last year (13.2 million)" in cards["Impressions"]  # 14.82 against 13.15 million


def test_percentage_columns_always_show_a_decimal():
    cells = render.table_cells(pd.DataFrame({"Unit": ["A", "B"], "In date (%)": [82.0, 90.0], "Minutes": [26.0, 78.0]}))
    assert [row[1][0] for row in cells["rows"]] == ["82.0", "90.0"]
    assert [row[2][0] for row in cells["rows"]] == ["26", "78"]  # not a share: whole numbers stay whole


# --- the renderer's safety contract ----------------------------------------------------------

# Text from posts, messages and notes that must arrive on the page as text, never as markup.
UNTRUSTED = [
    "<script>alert('x')</script>",
    "<style>body { display: none }</style>",
    '<p style="background: url(file:///etc/passwd)">styled</p>',
    '<a href="javascript:alert(1)">click</a>',
    '<img src="https://example.com/track.png">',
    "<link rel=stylesheet href=file:///etc/hostname>",
    "<iframe src=file:///etc/passwd></iframe>",
    '"><svg onload=alert(1)>',
]


def _hostile_context():
    """The fixture context with untrusted text in every kind of field the data can reach."""
    base = make_context()
    bad = " ".join(UNTRUSTED)
    table = MetricTable(
        table_id="p1_top_posts", clause="P1", title="Top posts",
        frame=pd.DataFrame({"Post": UNTRUSTED, "Impressions": range(len(UNTRUSTED)), bad[:40]: ["x"] * len(UNTRUSTED)}),
    )  # fmt: skip
    sections = list(base.sections)
    charts = [dataclasses.replace(c, title=bad, caption=bad, alt=bad, source=bad) for c in sections[0].charts]
    assert charts, "the fixture's P1 has a chart"
    sections[0] = dataclasses.replace(sections[0], finding=bad, charts=charts, tables=[*sections[0].tables, table])
    recs = [dataclasses.replace(r, title=bad, text=bad, owner=bad) for r in base.recommendations]
    register = [dataclasses.replace(e, title=bad, status_note=bad) for e in base.register]
    sources = [dataclasses.replace(s, path=bad) for s in base.sources]
    return dataclasses.replace(
        base, sections=sections, recommendations=recs, register=register, sources=sources,
        implications={k: bad for k in base.implications}, methodology=[bad], glossary={bad: bad},
        force_name="Northshire <b>Police</b>",
    )  # fmt: skip


def test_untrusted_text_in_every_field_stays_text():
    html = render.render_html(_hostile_context(), TEMPLATES)
    document = parse(html)
    tags = {el.tag.removeprefix(NS) for el in document.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "iframe", "img", "link", "b"}, tags & {"script", "iframe", "img", "link", "b"}
    assert len(list(document.iter(f"{NS}style"))) == 2  # the two of ours
    assert not any(el.get("onload") for el in document.iter())
    assert not [a.get("href") for a in document.iter(f"{NS}a") if not a.get("href", "").startswith("#")]
    styled = [el for el in document.iter() if el.get("style")]
    assert not styled, "an untrusted style attribute became markup"
    text = visible_text(document)
    for value in UNTRUSTED:
        assert value in text, f"{value!r} should show as text"


def test_untrusted_text_renders_to_pdf_without_fetching_anything(tmp_path):
    """Escaped text is not markup, so WeasyPrint never sees a URL to fetch: the build succeeds."""
    ctx = _hostile_context()
    out = tmp_path / "hostile.pdf"
    render.render_pdf(render.render_html(ctx, TEMPLATES), out, TEMPLATES, ctx)
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "file:///etc/passwd" in text and "javascript:alert(1)" in text


def test_fetcher_refuses_traversal_symlinks_and_remote_hosts(tmp_path):
    """Only real files under the template folder: not via "..", not via a link that points out."""
    from weasyprint.urls import FatalURLFetchingError

    templates = tmp_path / "templates"
    (templates / "assets").mkdir(parents=True)
    (templates / "assets" / "ok.css").write_text("p { color: black }")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the report")
    (templates / "assets" / "link.txt").symlink_to(secret)
    fetcher = render.make_url_fetcher(templates)
    assert fetcher.fetch((templates / "assets" / "ok.css").as_uri()) is not None
    for url in [(templates / "assets" / "link.txt").as_uri(),
                templates.as_uri() + "/../secret.txt",
                "file://fileserver/share/logo.svg",
                "ftp://example.com/x.css",
                (templates / "missing.css").as_uri(),
                "//example.com/x.css"]:  # fmt: skip
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


def test_suppressed_counts_line_up_as_numbers():
    """A small-count column holds true integers; what is hidden is the table's `hidden` (decided
    by review.disclosure), and the cells print "<5" and "[c]" in a numeric, right-aligned column."""
    frame = pd.DataFrame({"category": ["other", "harassment_or_abuse", "misuse"], "cases": pd.array([3, 12, None], "Int64"),
                          "note": ["<5", "x", "y"]})  # fmt: skip
    table = MetricTable("p5_x", "P5", "Cases", frame, columns={
        "category": Column("Category", "category"), "cases": Column("Cases", "count", small_count=True),
        "note": Column("Note")}, hidden={(0, "cases"): "suppressed"})  # fmt: skip
    cells = render.table_cells(table)
    assert cells["columns"] == [("Category", False), ("Cases", True), ("Note", False)]
    assert [row[1][0] for row in cells["rows"]] == ["<5", "12", "not measured"]
    assert [row[0][0] for row in cells["rows"]] == ["Other", "Harassment or abuse", "Misuse"]
    withheld = dataclasses.replace(table, hidden={(0, "cases"): "suppressed", (1, "cases"): "withheld"})
    assert [row[1][0] for row in render.table_cells(withheld)["rows"]] == ["<5", "[c]", "not measured"]


def test_a_date_in_a_table_does_not_wrap_inside_itself():
    frame = pd.DataFrame({"Declared": pd.to_datetime(["2025-06-04 20:29"]), "Day": [dt.date(2025, 7, 3)]})
    row = render.table_cells(frame)["rows"][0]
    assert row[0][0] == "4\u00a0June\u00a02025 20:29"  # may break before the time only
    assert row[1][0] == "3\u00a0July\u00a02025"


def test_a_long_table_repeats_its_header_on_every_page(tmp_path):
    """Forty register rows run over several pages; each page starts with the column headings."""
    base = make_context()
    entry = base.register[0]
    register = [dataclasses.replace(entry, rec_id=f"R2024-{i:02d}", title=f"Recommendation number {i}")
                for i in range(1, 41)]  # fmt: skip
    ctx = dataclasses.replace(base, register=register)
    out = tmp_path / "long.pdf"
    render.render_pdf(render.render_html(ctx, TEMPLATES), out, TEMPLATES, ctx)
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(out).pages]
    holding = [text for text in pages if re.search(r"Recommendation number \d+", text)]
    assert len(holding) >= 2, "the test needs a table that spans pages"
    for text in holding:
        assert "Recommendation Clause Raised Owner Priority Due Status" in text
    found = sorted(int(n) for text in holding for n in re.findall(r"Recommendation number (\d+)", text))
    assert found == list(range(1, 41)), "every row printed once"


# --- the PDF rendered in a child process beside other work (review.outputs.render.PdfAlongside) ----


def test_pdf_alongside_writes_the_same_bytes_while_other_work_runs(pdf_path, html, ctx, tmp_path):
    beside = tmp_path / "beside.pdf"
    with render.PdfAlongside(html, beside, TEMPLATES, ctx) as pdf:
        assert pdf.job.process is not None and pdf.job.process.pid != os.getpid()  # really another process
        (tmp_path / "other.txt").write_text("written while the PDF renders")
    assert beside.read_bytes() == pdf_path.read_bytes()
    assert pdf.seconds > 0  # the child's own rendering time, for the pdf stage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beside.pdf", "other.txt"]


def test_pdf_alongside_raises_the_renderers_error_and_keeps_the_old_file(template_copy, tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    purpose = template_copy / "sections" / "purpose.html.j2"
    purpose.write_text(purpose.read_text().replace("</h2>", '</h2><img src="file:///etc/passwd" alt="x">', 1))
    ctx = make_context()
    html = render.render_html(ctx, template_copy)
    out = tmp_path / "out.pdf"
    out.write_bytes(b"previous report")
    with pytest.raises(FatalURLFetchingError):
        with render.PdfAlongside(html, out, template_copy, ctx):
            pass
    assert out.read_bytes() == b"previous report"


def test_pdf_alongside_shows_the_error_of_the_work_beside_it(html, ctx, tmp_path):
    with pytest.raises(ZeroDivisionError):
        with render.PdfAlongside(html, tmp_path / "r.pdf", TEMPLATES, ctx):
            1 / 0
    assert (tmp_path / "r.pdf").exists()  # the child finished its file; nothing half-written is left
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_pdf_alongside_says_when_the_renderer_dies(html, ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(render, "render_pdf", lambda *args: os._exit(3))
    with pytest.raises(ReviewError, match=r"the PDF renderer, writing r\.pdf: .*exit code 3"):
        with render.PdfAlongside(html, tmp_path / "r.pdf", TEMPLATES, ctx):
            pass


def test_column_figures_are_the_cells_figure_gives_one_by_one():
    """MetricTable.column_figures, which the report, the paper and the workbook print from, gives
    each cell exactly as MetricTable.figure does, for every kind of column and hidden cell."""
    frame = pd.DataFrame({
        "name": ["A", None, "C", "D"],
        "cases": pd.array([3, None, 12, 0], dtype="Int64"),
        "share": [61.0, float("nan"), 48.25, 0.0],
        "when": pd.to_datetime(["2025-06-04 10:00", None, "2025-01-01 00:00", "2025-12-31 23:59"]).tz_localize("UTC"),
        "day": [dt.date(2025, 6, 4), None, dt.date(2025, 1, 1), dt.date(2025, 2, 2)],
        "kind": pd.Categorical(["x", "y", None, "x"]),
        "flag": [True, False, True, False],
        "count": [1, 2, 3, 4],
    })
    table = MetricTable("p5_mixed", "P5", "Mixed", frame, columns={"cases": Column("Cases", "count"),
                        "share": Column("Share (%)", "pct")},
                        hidden={(0, "cases"): "suppressed", (3, "cases"): "withheld", (2, "count"): "suppressed"})
    for name in frame.columns:
        whole = table.column_figures(name)
        assert len(whole) == len(frame) and len(table.column_figures(name, 2)) == 2
        for i, figure in enumerate(whole):
            one = table.figure(i, name)
            assert type(figure.value) is type(one.value), (name, i)
            assert (figure.cell(), figure.sheet(), figure.is_shown, figure.places, figure.column) == \
                   (one.cell(), one.sheet(), one.is_shown, one.places, one.column), (name, i)
