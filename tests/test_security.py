"""Security: hostile text stays text, the renderer fetches nothing, cells cannot run, YAML is data,
notebook parameters are checked before any kernel starts.

The end-to-end tests read the outputs of one real run over the size S sample with posts whose
text is HTML, a script, CSS, `file://` and `http://` references and a spreadsheet formula
(tests/planted_run.py), with the most impressions of the year so the report quotes them.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import socket
from pathlib import Path

import html5lib
import openpyxl
import pytest
from markupsafe import escape

from planted_run import FORMULA_NAMES, FORMULA_VALUE, HOSTILE_POSTS, YEAR, pdf_text, planted_run
from review.evidence import pipeline
from review.outputs import render
from review.cells import FORMULA_TRIGGERS, write_csv
from review.config import load_config
from review.errors import ReviewError
from review.evidence.register import read_decisions, read_register_yaml
from review.runner.run import check_parameters

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
    asks for and on every network connection. The PDF is made in a forked child
    (review.outputs.render.PdfAlongside): the spies write to a file, which both processes share."""
    out = tmp_path / "out"
    shutil.copytree(run.out, out)
    log = tmp_path / "spied.txt"
    real = render.make_url_fetcher

    def note(kind, what):
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\t{kind}\t{what}\n")

    def spying(template_dir):
        fetcher = real(template_dir)
        original = fetcher.fetch

        def fetch(url, headers=None):
            note("fetch", url)
            return original(url, headers)

        fetcher.fetch = fetch
        return fetcher

    def connect(self, address):
        note("connect", address)
        raise OSError("no network in this test")

    monkeypatch.setattr(render, "make_url_fetcher", spying)
    monkeypatch.setattr(socket.socket, "connect", connect)
    pipeline.report_stage(YEAR, str(run.config), str(out))
    seen = [line.split("\t", 2) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    fetched = [what for _, kind, what in seen if kind == "fetch"]
    connections = [what for _, kind, what in seen if kind == "connect"]
    assert fetched, "the spy saw the renderer's requests"
    assert {pid for pid, kind, _ in seen if kind == "fetch"} != {str(os.getpid())}  # the PDF's, from its child
    templates = TEMPLATES.resolve().as_uri()
    outside = [u for u in fetched if not (u.startswith("data:") or u.startswith(templates + "/"))]
    assert outside == []
    assert connections == []
    assert (out / f"annual-review-{YEAR}.pdf").read_bytes() == run.pdf.read_bytes(), "the same paper again"


# --- spreadsheets ------------------------------------------------------------------------------------


def _workbook_strings(path: Path) -> list[str]:
    """Every text cell of every sheet, read back with openpyxl; no cell may be a formula."""
    book = openpyxl.load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def test_no_workbook_cell_can_start_a_formula(run):
    texts = _workbook_strings(run.workbook)
    assert [t for t in texts if t.startswith(FORMULA_TRIGGERS)] == []
    assert "'" + HOSTILE_POSTS["hostile-formula"] in texts, "the planted formula is there, as text"
    for name in FORMULA_NAMES:  # account and incident names: each trigger is there, guarded
        assert any(t.startswith("'" + name.strip()) for t in texts), repr(name)


def test_rejected_rows_csv_neutralises_formulas(run):
    with (run.out / "rejected-rows.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    planted = [r for r in rows if "cmd|" in r["value"]]
    assert [r["value"] for r in planted] == ["'" + FORMULA_VALUE]
    for row in rows:
        for value in row.values():
            assert not value.startswith(FORMULA_TRIGGERS), row


TRIGGERED = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0x", "\uff1dSUM(A1)"]


@pytest.mark.parametrize("value", TRIGGERED)
def test_write_csv_guards_each_trigger(tmp_path, value):
    """In a cell and as a column name; a number stays a number, and text in the middle is left alone."""
    import pandas as pd

    path = tmp_path / "x.csv"
    write_csv(pd.DataFrame({"value": [value], value: ["a=b"], "number": [-1.5]}), path)
    with path.open(encoding="utf-8", newline="") as handle:
        [header, row] = list(csv.reader(handle))
    assert header == ["value", "'" + value, "number"]
    assert row == ["'" + value, "a=b", "-1.5"]


SRC = Path(__file__).resolve().parents[1] / "src" / "review"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
WRITERS = re.compile(r"\.to_csv\(|\.to_excel\(|csv\.writer|csv\.DictWriter|xlsxwriter\.Workbook\(|\bWorkbook\(|ExcelWriter")


def test_every_csv_and_xlsx_writer_goes_through_the_one_guard():
    """grep the package and the notebooks: a CSV or workbook is written only by review.cells
    (`write_csv`), review.outputs.workbook and review.inputs.init's register templates, whose every text cell goes
    through `guard`; and review.inputs.sample, whose CSVs are the toolkit's own generated inputs (handles
    such as "@NorthshirePolice" are data there, read back by ingest, and no other text starts a formula)."""
    found = {str(path.relative_to(SRC.parent.parent)) for path in [*SRC.rglob("*.py"), *NOTEBOOKS.glob("*.py")]
             if WRITERS.search(path.read_text(encoding="utf-8"))}
    assert found == {"src/review/cells.py", "src/review/outputs/workbook.py", "src/review/inputs/init.py", "src/review/inputs/sample/__init__.py"}
    for name in ("outputs/workbook.py", "inputs/init.py"):
        lines = (SRC / name).read_text(encoding="utf-8").splitlines()
        writes = [line for line in lines if re.search(r"write_string\(|write_url\(|\.cell\(.*value=", line)]
        assert writes and all("guard(" in line for line in writes), [w for w in writes if "guard(" not in w]


def test_the_national_comparison_csv_and_workbook_guard_force_names(tmp_path):
    """Three small forces named to start a formula (the CSV wrote =HYPERLINK( unguarded): every
    cell of the national CSV and workbook is read back; none starts a formula, and each name is
    there behind its apostrophe."""
    import yaml

    from review.outputs.national import build_national_sample, force_dir, run_national

    store = tmp_path / "store"
    ids = build_national_sample(store, 3, YEAR, size="S", seed=11, scale=0.02)
    names = ['=HYPERLINK("http://127.0.0.1:9/x","Click")', "+44 Constabulary", "@Force"]
    for force_id, name in zip(ids, names, strict=True):
        (force_dir(store, force_id, YEAR) / "config.yml").write_text(
            yaml.safe_dump({"year": YEAR, "force": {"name": name, "short_name": name}}), encoding="utf-8")
    _, paths = run_national(store, YEAR, tmp_path / "national", load_config(None, YEAR))
    with paths["csv"].open(encoding="utf-8", newline="") as handle:
        cells = [value for row in csv.reader(handle) for value in row] + _workbook_strings(paths["workbook"])
    assert [c for c in cells if c.startswith(FORMULA_TRIGGERS)] == []
    for name in names:
        assert any(c.startswith("'" + name) for c in cells), name


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


def test_a_runs_kernels_listen_on_unix_sockets_in_a_private_folder(tmp_path, monkeypatch):
    """A run's kernels talk over Unix sockets in a folder of the run's own (mode 0700), not TCP
    ports on localhost, which another process can take first and another user can connect to
    (ipykernel warns that its TCP is unencrypted); the folder goes when the run's kernels stop. Where the
    temporary folder's path is too long for a socket's, TCP as before. Checked on real kernels."""
    import stat

    from review.runner import kernels as kernels_module
    from review.runner.kernels import Kernels, stop_kernel
    from review.runner.run import NOTEBOOK_DIR, kernel_name

    pool = Kernels(kernel_name(), NOTEBOOK_DIR, tmp_path, ahead=0, starting=1)
    folder = Path(pool.sockets)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    manager = pool.take("30-p6-recommendations")
    try:
        info = manager.get_connection_info()
        assert info["transport"] == "ipc" and Path(info["ip"]).parent == folder
        from jupyter_client import BlockingKernelClient

        client = BlockingKernelClient()
        client.load_connection_info(info)
        client.start_channels()
        try:
            client.wait_for_ready(timeout=600)  # it answers over them
        finally:
            client.stop_channels()
        sockets = sorted(p.name for p in folder.iterdir())
        assert len(sockets) == 5 and all(stat.S_ISSOCK((folder / s).stat().st_mode) for s in sockets)
        assert "without encryption" not in (tmp_path / "30-p6-recommendations.kernel.log").read_text()
    finally:
        stop_kernel(manager)
        pool.close()
    assert not folder.exists()

    monkeypatch.setattr(kernels_module, "SOCKET_FOLDER_MAX", 5)
    pool = Kernels(kernel_name(), NOTEBOOK_DIR, tmp_path, ahead=0, starting=1)
    assert pool.sockets is None
    pool.close()


def test_socket_folders_of_killed_runs_are_swept_and_no_others(tmp_path):
    """A run killed outright (SIGKILL) leaves its socket folder; a later run removes it once its
    process has gone and it has lain untouched STALE_AFTER_S, and never a running process's, a
    recent one's, a folder named otherwise, a file or a link."""
    import os
    import subprocess
    import sys

    from review.runner.kernels import SOCKET_PREFIX, STALE_AFTER_S, sweep_socket_folders

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    old = tmp_path.stat().st_mtime - STALE_AFTER_S - 60

    def made(name, *, when=old, folder=True):
        path = tmp_path / name
        if folder:
            path.mkdir()
            (path / "kernel-1-5").write_text("")  # what a killed run leaves (a socket, here a file)
        else:
            path.write_text("")
        os.utime(path, (when, when))
        return path

    killed = made(f"{SOCKET_PREFIX}{gone}-abc123")
    kept = [
        made(f"{SOCKET_PREFIX}{os.getpid()}-running"),  # this process: running
        made(f"{SOCKET_PREFIX}{gone}-recent", when=tmp_path.stat().st_mtime),  # its run may still be ending
        made(f"{SOCKET_PREFIX}oldname"),  # no process in the name
        made(f"{SOCKET_PREFIX}{gone}-file", folder=False),
    ]
    link = tmp_path / f"{SOCKET_PREFIX}{gone}-link"
    link.symlink_to(kept[0])
    assert sweep_socket_folders(str(tmp_path), now=tmp_path.stat().st_mtime) == [str(killed)]
    assert not killed.exists() and all(p.exists() for p in kept) and link.is_symlink()
