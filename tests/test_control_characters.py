"""Control characters in data text (issue 15): shown visibly in the paper, its charts and on the
terminal, never passed on raw. (Settings refuse them: tests/test_config_hostile.py.)"""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from context_fixture import make_context
from planted_run import CONTROL_POSTS, planted_run
from tables_fixture import account, post, tables
from review.outputs import charts, render
from review.runner.artifacts import write_canonical
from review.cli import app
from review.config import Force
from review.context import MetricTable
from review.controls import show_controls
from review.evidence.query import write_result

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Anything a terminal or a bidi-aware viewer acts on: C0 but tab/LF/CR, DEL, C1, bidi controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = "Appeal\x00\x00 \x1b[2J\x1b]0;pwned\x07 \u202eOFFICIAL\u202c [/] \x7f\x85 end"


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\x00b", "a[NUL]b"),
    ("\x1b[31m", "[ESC][31m"),
    ("bell\x07", "bell[BEL]"),
    ("del\x7f", "del[DEL]"),
    ("c1\x85\x9b", "c1[U+0085][U+009B]"),
    ("\u202eevil\u202c \u2066x\u2069 \u202a\u202b\u202d\u2067\u2068", "evil x "),
    ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
    ("Café ❤ دورية 👮", "Café ❤ دورية 👮"),
])
def test_show_controls_makes_each_control_visible_and_keeps_the_rest(raw, shown):
    assert show_controls(raw) == shown


def test_every_c0_control_but_layout_becomes_its_name():
    names = {code: show_controls(chr(code)) for code in set(range(0x20)) - {0x09, 0x0A, 0x0D}}
    assert all(re.fullmatch(r"\[[A-Z]{2,3}[0-9]?\]", name) for name in names.values()), names
    assert len(set(names.values())) == len(names) and names[0x1F] == "[US]" and names[0x10] == "[DLE]"


def test_a_chart_lays_out_and_prints_a_label_with_its_controls_named():
    chart = charts.bar_chart(
        pd.DataFrame({"account": ["Roads\x00\x1b[2J", "Appeals"], "reach_people": [1000, 500]}),
        category="account", value="reach_people", chart_id="p1_labels", value_label="Reach (people)",
        unit="people", palette=Force().palette, noun="accounts", clause="P1", title="Reach",
        caption="A caption.", source="Source: test", highlight="Roads\x00\x1b[2J",
    )
    assert not RAW_CONTROL.findall(chart.svg) and not RAW_CONTROL.findall(chart.alt)
    assert "Roads[NUL][ESC][2J</text>" in chart.svg and "Roads[NUL][ESC][2J" in chart.alt
    assert Force().palette[0].lower() in chart.svg.lower()  # the highlighted bar kept its colour


def test_control_characters_in_data_reach_neither_the_html_nor_its_chart_svg():
    ctx = make_context()
    chart = charts.bar_chart(
        pd.DataFrame({"account": [f"Police{HOSTILE}", "Roads"], "reach_people": [1000, 500]}),
        category="account", value="reach_people", chart_id="p1_hostile", value_label="Reach (people)",
        unit="people", palette=Force().palette, noun="accounts", clause="P1", title="Reach",
        caption="A caption.", source="Source: test",
    )
    table = MetricTable("hostile", "P1", "Top posts", pd.DataFrame({"Post": [HOSTILE], "Impressions": [10]}))
    first = ctx.sections[0]
    first = dataclasses.replace(first, charts=[*first.charts, chart], tables=[*first.tables, table])
    ctx = dataclasses.replace(ctx, sections=[first, *ctx.sections[1:]],
                              force_name="Northshire\x00 Police")  # context text, not only tables
    html = render.render_html(ctx, TEMPLATES)
    assert not RAW_CONTROL.findall(html), sorted({f"U+{ord(c):04X}" for c in RAW_CONTROL.findall(html)})
    svg = html[html.index('id="p1_hostile'):] if 'id="p1_hostile' in html else html
    assert "[NUL][NUL]" in html and "[ESC][2J" in html and "Northshire[NUL] Police" in html
    assert "PoliceAppeal[NUL][NUL]" in svg  # the chart's own label, inside its SVG


def _canonical_with_posts(folder: Path, texts: list[str]) -> None:
    rows = [post(f"p{i}", "a1", "2025-06-01T12:00:00Z", text=text) for i, text in enumerate(texts)]
    write_canonical(folder, tables(accounts=[account("a1")], posts=rows))


def test_review_sql_prints_control_sequences_visibly_and_markup_as_text(tmp_path):
    _canonical_with_posts(tmp_path, [HOSTILE])
    query = "SELECT text, chr(27) || '[31m' AS \"col\x1b[1m\" FROM posts"
    outcome = CliRunner().invoke(app, ["sql", query, "--data", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    assert not RAW_CONTROL.findall(outcome.output), repr(outcome.output)
    flat = "".join(outcome.output.split())
    assert "[ESC][2J" in flat and "[/]" in flat and "col[ESC][1m" in flat and "[ESC][31m" in flat


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_review_sql_csv_shows_controls_on_a_terminal_and_keeps_them_in_a_pipe(monkeypatch):
    frame = pd.DataFrame({"text": ["a\x1b[2Jb\x00"]})
    terminal, pipe = _Tty(), io.StringIO()
    for stream in (terminal, pipe):
        monkeypatch.setattr(sys, "stdout", stream)
        write_result(frame, "csv", None)
    assert "a[ESC][2Jb[NUL]" in terminal.getvalue() and not RAW_CONTROL.findall(terminal.getvalue())
    assert "a\x1b[2Jb\x00" in pipe.getvalue()  # the data, unchanged, for the next program


def test_review_sql_json_on_a_terminal_holds_no_raw_control(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _Tty())
    write_result(pd.DataFrame({"text": ["a\x1b[2Jb\x00 \x9b2J \u202e"]}), "json", None)
    printed = sys.stdout.getvalue()
    assert not RAW_CONTROL.findall(printed) and "[U+009B]2J" in printed, repr(printed)


@pytest.mark.parametrize(("text", "shown"), [
    ('"[/]": 1\n', "[/] (line 1): Extra inputs are not permitted"),  # rich markup in a message: text, not a tag
    ("report:\n  title: a\x1b[2Jb\n", "line 2, column 11: control character U+001B"),  # a raw escape in the file
])
def test_an_error_message_is_printed_as_text(tmp_path, text, shown):
    path = tmp_path / "2025.yml"
    path.write_text(text, encoding="utf-8")
    outcome = CliRunner().invoke(app, ["run", "--year", "2025", "--config", str(path), "--data", str(tmp_path),
                                       "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 1 and "Traceback" not in outcome.output
    assert not RAW_CONTROL.findall(outcome.output), repr(outcome.output)
    flat = " ".join(outcome.output.split())
    assert f"error: {path}: " in flat and shown in flat, flat


# --- a real run: the planted post reaches the paper shown, not raw -----------------------------------


def test_a_real_run_shows_post_text_control_characters_in_the_html_and_pdf():
    run = planted_run()
    html = run.html.read_text(encoding="utf-8")
    assert not RAW_CONTROL.findall(html), sorted({f"U+{ord(c):04X}" for c in RAW_CONTROL.findall(html)})
    shown = show_controls(CONTROL_POSTS["hostile-controls"])
    assert shown == "Road closure[NUL][NUL] on the A1 [ESC][2J[ESC][31m LAICIFFO diversion in place"
    assert shown in html, "the planted post is quoted in the top posts table, controls shown"
    # poppler's text (pypdf drops the row): the control pictures are printed, no control is
    printed = subprocess.run(["pdftotext", str(run.pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "".join(shown.split()) in "".join(printed.split())
    assert not RAW_CONTROL.findall(printed.replace("\f", "")), "only page breaks"
