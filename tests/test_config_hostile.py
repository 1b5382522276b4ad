"""Hostile and careless configuration, decisions and registers (issue 15): each case is refused
by load_config or the YAML reader with one line naming the file, the key and its line, before
any notebook runs; nothing is silently read as something else."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from review.config import load_config
from review.errors import ReviewError
from review.evidence.register import read_decisions, read_register_yaml
from review.yamlfile import MAX_DEPTH, read_yaml

YEAR = 2025


def write(tmp_path, text, name="2025.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(tmp_path, text, *patterns):
    """load_config refuses `text` with one line naming the file and matching every pattern."""
    path = write(tmp_path, text)
    with pytest.raises(ReviewError) as caught:
        load_config(path, YEAR)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    for pattern in patterns:
        assert pattern in message, message
    return message


# --- every setting checked before any kernel starts ---------------------------------------------

BAD_SETTINGS = [
    # (config text, what the message must say)
    ("force:\n  brand_colour: red\n", ["force.brand_colour (line 2)", "hex colour"]),
    ("force:\n  brand_colour: '#ffff00'\n", ["force.brand_colour (line 2)", "contrast 1.1:1"]),
    ("force:\n  palette: ['#0072B2', 'url(http://x)']\n", ["force.palette (line 2)", "url(http://x)"]),
    ("force:\n  palette: ['#0072B2']\n", ["force.palette (line 2)", "at least 2"]),
    ("force:\n  logo: ../../../etc/passwd\n", ["force.logo (line 2)", "SVG file in"]),
    ("force:\n  logo: missing.svg\n", ["force.logo (line 2)", "missing.svg"]),
    ("targets:\n  first_response_minutes: .inf\n", ["targets.first_response_minutes (line 2)", "finite"]),
    ("targets:\n  alt_text_pct: .nan\n", ["targets.alt_text_pct (line 2)", "finite"]),
    ("targets:\n  reading_ease_min: -.inf\n", ["targets.reading_ease_min (line 2)", "finite"]),
    ("force:\n  headcount: true\n", ["force.headcount (line 2)", "not true/false"]),
    ("staffed_hours:\n  weekdays: [0, true]\n", ["staffed_hours.weekdays (line 2)", "not true/false"]),
    ("rules:\n  unanswered_max: false\n", ["rules.unanswered_max (line 2)", "not true/false"]),
    ("staffed_hours:\n  weekdays: [0, 1, 7]\n", ["staffed_hours.weekdays.2 (line 2)", "less than or equal to 6"]),
    ("staffed_hours:\n  weekdays:\n    - 0\n    - -1\n", ["staffed_hours.weekdays.1 (line 4)", "greater than or equal to 0"]),
    ("year: '2025'\n", ["year (line 1)", "whole number", "str '2025'"]),
    ("year: 2025.0\n", ["year (line 1)", "whole number"]),
    ("year: true\n", ["year (line 1)", "whole number"]),
    ("report:\n  marking: ''\n", ["report.marking (line 2)", "marking is required"]),
    ("report:\n  marking: '   '\n", ["report.marking (line 2)", "marking is required"]),
    ("report:\n  marking: null\n", ["report.marking (line 2)", "valid string"]),
    ('report:\n  marking: "OFFICIAL\\u200b"\n', ["report.marking (line 2)", "printable"]),
    ("report:\n  marking: ' OFFICIAL'\n", ["report.marking (line 2)", "no space at either end"]),
    ("report:\n  marking: no\n", ["report.marking (line 2)", "not true/false"]),  # YAML 1.1 reads `no` as false
    ("report:\n  report_date: 2026-02-30\n", ["line 2, column 16", "'2026-02-30' is not a date"]),
    ("force:\n  ? [a, b]\n  : x\n", ["line 2", "unhashable"]),
    ("- year: 2025\n", ["expected a mapping of settings"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD_SETTINGS, ids=[t.strip().replace("\n", " ") for t, _ in BAD_SETTINGS])
def test_a_bad_setting_is_refused_naming_file_key_and_line(tmp_path, text, expected):
    refused(tmp_path, text, *expected)


def test_good_colours_palette_logo_and_weekdays_are_kept(tmp_path):
    path = write(tmp_path, """\
        year: 2025
        force:
          brand_colour: "#003366"
          palette: ["#123456", "#abcdef"]
          logo: crest.svg
        staffed_hours:
          weekdays: [0, 6]
        report:
          marking: OFFICIAL-SENSITIVE
        """)
    config = load_config(path, YEAR)
    assert config.force.palette == ("#123456", "#abcdef") and config.force.logo == "crest.svg"
    assert config.staffed_hours.weekdays == (0, 6) and config.report.marking == "OFFICIAL-SENSITIVE"


# --- control characters in config text -------------------------------------------------------------

CONTROLS = [
    ('report:\n  marking: "OFFICIAL\\0"\n', "U+0000"),
    ('force:\n  name: "North\\e[31mshire"\n', "U+001B"),
    ('report:\n  title: "Annual\\x07 review"\n', "U+0007"),
    ('report:\n  title: "Annual\\x7f review"\n', "U+007F"),
    ('report:\n  title: "Annual\\x85 review"\n', "U+0085"),
    ('report:\n  title: "Annual\\t review"\n', "U+0009"),
    ('report:\n  title: "Annual\\r review"\n', "U+000D"),
    # Shows as OFFICIAL-SENSITIVE in a bidi-aware viewer, is OFFICIAL plus a reversed tail.
    ('report:\n  marking: "OFFICIAL\\u202eEVITISNES-"\n', "U+202E"),
    ('report:\n  author: "E-Comms \\u2066team\\u2069"\n', "U+2066"),
    ('report:\n  meeting: "Board \\u202a"\n', "U+202A"),
    ('content:\n  themes:\n    Roads:\n      - "speed\\u2067ing"\n', "U+2067"),
    ('content:\n  themes:\n    "Ro\\u001bads": [road]\n', "U+001B"),
]


@pytest.mark.parametrize(("text", "code"), CONTROLS, ids=[c for _, c in CONTROLS])
def test_control_characters_in_config_text_are_refused(tmp_path, text, code):
    message = refused(tmp_path, text, code, "control character")
    assert "\x1b" not in message and "\u202e" not in message and "\0" not in message


def test_a_line_break_in_a_long_text_is_kept(tmp_path):
    config = load_config(write(tmp_path, 'report:\n  author: "E-Communications Team,\\nCorporate Communications"\n'), YEAR)
    assert config.report.author == "E-Communications Team,\nCorporate Communications"


# --- duplicate keys ------------------------------------------------------------------------------------


def test_a_marking_written_twice_is_refused_not_the_last_one_kept(tmp_path):
    refused(tmp_path, "report:\n  marking: OFFICIAL-SENSITIVE\n  title: Review\n  marking: OFFICIAL\n",
            "line 4", "'marking' appears twice", "first on line 2")


def test_a_top_level_section_written_twice_is_refused(tmp_path):
    refused(tmp_path, "force:\n  name: A\ntargets:\n  mfa_pct: 90\nforce:\n  name: B\n", "line 5", "'force' appears twice")


def test_a_merge_key_overridden_beside_it_is_not_a_duplicate(tmp_path):
    path = write(tmp_path, "base: &d {mfa_pct: 90, alt_text_pct: 80}\ntargets:\n  <<: *d\n  mfa_pct: 95\n", "anchors.yml")
    assert read_yaml(path)["targets"] == {"mfa_pct": 95, "alt_text_pct": 80}


def test_a_decision_written_twice_is_refused(tmp_path):
    path = write(tmp_path, """\
        R2025-P3-x:
          decision: reject
          reason: Already in hand
        R2025-P3-x:
          decision: accept
        """, "decisions-2025.yml")
    with pytest.raises(ReviewError, match=r"decisions-2025\.yml: line 4, column 1: .*'R2025-P3-x' appears twice \(first on line 1\)"):
        read_decisions(path)


@pytest.mark.parametrize(("body", "expected"), [
    ("  decision: yes\n", r"R2025-P3-x\.decision \(line 2\): Input should be 'accept' or 'reject'"),
    ("  due_date: 2026-02-30\n", r"line 2, column 13: .*'2026-02-30' is not a date"),
    ("  - accept\n", r"R2025-P3-x \(line 1\): Input should be a valid dictionary"),
])
def test_a_bad_decision_names_file_id_and_line(tmp_path, body, expected):
    path = write(tmp_path, "R2025-P3-x:\n" + body, "decisions-2025.yml")
    with pytest.raises(ReviewError, match=r"decisions-2025\.yml: " + expected):
        read_decisions(path)


def test_a_field_of_one_decision_written_twice_is_refused(tmp_path):
    path = write(tmp_path, "R2025-P3-x:\n  decision: reject\n  reason: x\n  decision: accept\n", "decisions-2025.yml")
    with pytest.raises(ReviewError, match=r"decisions-2025\.yml: line 4, .*'decision' appears twice"):
        read_decisions(path)


REGISTER_ENTRY = """\
  - rec_id: R2024-01
    year_raised: 2024
    clause: P3
    title: Old one
    owner: A
    priority: high
    status: {status}
    due_date: {due}
    status_note: null
"""


def register(tmp_path, *entries):
    return write(tmp_path, "recommendations:\n" + "".join(entries), "recommendations-2024.yml")


def test_a_register_entry_with_a_status_written_twice_is_refused(tmp_path):
    path = register(tmp_path, REGISTER_ENTRY.format(status="open", due="2025-06-30") + "    status: rejected\n")
    with pytest.raises(ReviewError, match=r"recommendations-2024\.yml: line 11, .*'status' appears twice \(first on line 8\)"):
        read_register_yaml(path)


# --- the previous register: errors name file, entry and field -----------------------------------------


def test_a_good_register_is_read(tmp_path):
    frame = read_register_yaml(register(tmp_path, REGISTER_ENTRY.format(status="open", due="2025-06-30")))
    assert frame["rec_id"].tolist() == ["R2024-01"] and frame["due_date"].iloc[0].date() == dt.date(2025, 6, 30)


@pytest.mark.parametrize(("due", "line"), [("'30/06/2025'", 9), ("'soon'", 9), ("'2025-13-01'", 9), ("[2025]", 9)])
def test_a_register_with_a_bad_date_names_file_entry_and_field(tmp_path, due, line):
    path = register(tmp_path, REGISTER_ENTRY.format(status="open", due=due))
    with pytest.raises(ReviewError) as caught:
        read_register_yaml(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: recommendations.0.due_date (line {line}) (recommendation 'R2024-01'): "
                              "expected a date like 2025-06-30"), message


def test_a_register_with_an_impossible_unquoted_date_names_file_and_line(tmp_path):
    path = register(tmp_path, REGISTER_ENTRY.format(status="open", due="2025-13-01"))
    with pytest.raises(ReviewError, match=r"recommendations-2024\.yml: line 9, column 15: .*'2025-13-01' is not a date"):
        read_register_yaml(path)


@pytest.mark.parametrize("entry", ["  - just a title\n", "  - [R2024-01, open]\n", "  - 42\n"])
def test_a_register_with_a_list_or_text_entry_names_file_and_entry(tmp_path, entry):
    path = register(tmp_path, REGISTER_ENTRY.format(status="open", due="2025-06-30"), entry)
    with pytest.raises(ReviewError, match=r"recommendations-2024\.yml: recommendations\.1 \(line 11\): expected a recommendation"):
        read_register_yaml(path)


def test_a_register_with_a_year_as_text_names_the_field(tmp_path):
    path = register(tmp_path, REGISTER_ENTRY.format(status="open", due="2025-06-30").replace("2024\n", "'last year'\n"))
    with pytest.raises(ReviewError, match=r"recommendations\.0\.year_raised \(line 3\) .*expected a year"):
        read_register_yaml(path)


# --- deep nesting and YAML bombs --------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_nesting_is_a_message_not_a_recursion_error(tmp_path, depth):
    refused(tmp_path, "force:\n  palette: " + "[" * depth + "]" * depth + "\n", "nested")


def test_deep_nesting_of_mappings_is_a_message(tmp_path):
    refused(tmp_path, "content:\n  themes: " + "{a: " * 2_000 + "1" + "}" * 2_000 + "\n", "nested")


def test_a_yaml_bomb_is_refused_quickly(tmp_path):
    # Nine levels of nine aliases: 9**9 strings if expanded.
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "content:\n  themes:\n" + "".join(f"    {line}\n" for line in lines)
    started = dt.datetime.now()
    refused(tmp_path, text, "content.themes")
    assert (dt.datetime.now() - started).total_seconds() < 5
