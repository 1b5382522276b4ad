"""Security: hostile text stays text, the renderer fetches nothing, cells cannot run, YAML is data,
notebook parameters are checked before any kernel starts.

The end-to-end tests read the outputs of one real run over the size S sample with posts whose
text is HTML, a script, CSS, `file://` and `http://` references and a spreadsheet formula
(tests/planted_run.py), with the most impressions of the year so the report quotes them.
"""

from __future__ import annotations

import csv
import shutil
import socket
from pathlib import Path

import html5lib
import openpyxl
import pytest
from markupsafe import escape

from planted_run import FORMULA_VALUE, HOSTILE_POSTS, YEAR, pdf_text, planted_run
from review import pipeline, render
from review.config import load_config
from review.errors import ReviewError
from review.register import read_decisions, read_register_yaml
from review.run import check_parameters
from review.workbook import FORMULA_TRIGGERS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
RUN_PARAMETERS = {"year": 2025, "data_dir": "/data", "config_path": "", "output_dir": "/out", "engine": "", "skip_unknown": False}


@pytest.fixture(scope="module")
def run():
    return planted_run()


def _elements(html: str):
    return html5lib.parse(html, namespaceHTMLElements=False).iter()


# --- escaped in the HTML and the PDF --------------------------------------------------------------


def test_hostile_post_text_is_shown_escaped_in_the_html(run):
    html = run.html.read_text(encoding="utf-8")
    for post_id, text in HOSTILE_POSTS.items():
        assert str(escape(text)) in html, f"{post_id} is quoted, escaped"
        assert text not in html, f"{post_id} appears unescaped"


def test_hostile_post_text_adds_no_element_or_attribute(run):
    for element in _elements(run.html.read_text(encoding="utf-8")):
        attributes = " ".join(f"{k}={v}" for k, v in element.attrib.items())
        assert "onmouseover" not in element.attrib and "data-planted" not in element.attrib, element.tag
        assert "planted" not in attributes and "127.0.0.1" not in attributes and "/etc/passwd" not in attributes
        if element.tag in ("script", "style", "link", "img"):
            assert "planted" not in (element.text or "") and "127.0.0.1" not in (element.text or ""), element.tag


def test_hostile_post_text_is_printed_as_text_in_the_pdf(run):
    text = "".join(pdf_text(run.pdf).split())
    assert "<script>alert('planted-script')</script>" in text
    assert '<imgsrc="file:///etc/passwd"' in text


def test_executed_notebooks_show_hostile_text_inert(run):
    """The HTML copies of the executed notebooks are sanitised: no planted script or handler runs."""
    for path in sorted((run.out / "notebooks").glob("*.html")):
        for element in _elements(path.read_text(encoding="utf-8")):
            assert "onmouseover" not in element.attrib, path.name
            if element.tag == "script":
                assert "planted" not in (element.text or ""), path.name
            if element.tag in ("img", "link"):
                assert "127.0.0.1" not in str(element.attrib) and "/etc/passwd" not in str(element.attrib), path.name


def test_rendering_the_report_fetches_only_template_files(run, tmp_path, monkeypatch):
    """Render the planted run's report again, in this process, with a spy on every URL WeasyPrint
    asks for and on every network connection."""
    out = tmp_path / "out"
    shutil.copytree(run.out, out)
    fetched, connections = [], []
    real = render.make_url_fetcher

    def spying(template_dir):
        fetcher = real(template_dir)
        original = fetcher.fetch

        def fetch(url, headers=None):
            fetched.append(url)
            return original(url, headers)

        fetcher.fetch = fetch
        return fetcher

    def connect(self, address):
        connections.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(render, "make_url_fetcher", spying)
    monkeypatch.setattr(socket.socket, "connect", connect)
    pipeline.report_stage(YEAR, str(run.config), str(out))
    assert fetched, "the spy saw the renderer's requests"
    templates = TEMPLATES.resolve().as_uri()
    outside = [u for u in fetched if not (u.startswith("data:") or u.startswith(templates + "/"))]
    assert outside == []
    assert connections == []
    assert (out / f"annual-review-{YEAR}.pdf").read_bytes() == run.pdf.read_bytes(), "the same paper again"


# --- spreadsheets ------------------------------------------------------------------------------------


def test_no_workbook_cell_can_start_a_formula(run):
    book = openpyxl.load_workbook(run.workbook)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(FORMULA_TRIGGERS), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
    assert "'" + HOSTILE_POSTS["hostile-formula"] in texts, "the planted formula is there, as text"


def test_rejected_rows_csv_neutralises_formulas(run):
    with (run.out / "rejected-rows.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    planted = [r for r in rows if "cmd|" in r["value"]]
    assert [r["value"] for r in planted] == ["'" + FORMULA_VALUE]
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_TRIGGERS), row


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_write_safe_csv_neutralises_each_trigger(tmp_path, value):
    import pandas as pd

    path = tmp_path / "x.csv"
    pipeline.write_safe_csv(pd.DataFrame({"value": [value]}), path)
    with path.open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["value"] == "'" + value


# --- YAML --------------------------------------------------------------------------------------------

PAYLOAD = "!!python/object/apply:os.system ['touch {marker}']"


@pytest.mark.parametrize(
    ("name", "text", "read", "match"),
    [
        ("2025.yml", "year: 2025\nforce:\n  name: {payload}\n", lambda path: load_config(path, 2025), None),
        ("decisions.yml", "P1-example:\n  decision: {payload}\n", read_decisions, "decisions.yml"),
        ("recommendations-2024.yml", "recommendations:\n  - {payload}\n", read_register_yaml, "recommendations-2024.yml"),
    ],
    ids=["config", "decisions", "register"],
)
def test_yaml_with_a_python_tag_is_refused(tmp_path, name, text, read, match):
    marker = tmp_path / "ran"
    path = tmp_path / name
    path.write_text(text.format(payload=PAYLOAD.format(marker=marker)), encoding="utf-8")
    with pytest.raises(ReviewError, match=match):
        read(path)
    assert not marker.exists()


# --- notebook parameters --------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"year": 2025.0}, r"parameter year of 10-data-quality.ipynb: expected int, got float 2025.0"),
    ({"year": True}, r"parameter year of 10-data-quality.ipynb: expected int, got bool True"),
    ({"output_dir": Path("/out")}, r"parameter output_dir of .*: expected str, got PosixPath"),
    ({"ouput_dir": "/elsewhere"}, r"parameter\(s\) ouput_dir: no notebook declares them"),
])
def test_notebook_parameters_are_checked_before_any_kernel_starts(change, message):
    with pytest.raises(ReviewError, match=message):
        check_parameters(RUN_PARAMETERS | change)
