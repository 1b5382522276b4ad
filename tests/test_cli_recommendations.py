"""`review recommendations` as the team uses it: ids whole on one line, ready to copy into the
decisions file, and a "did you mean" for a decision whose id matches nothing."""

import re
import shutil

import pytest
from typer.testing import CliRunner

from review.cli import app
from review.evidence.register import closest_ids, unmatched_words
from review.inputs.sample import build_sample

YEAR = 2025


@pytest.fixture(scope="module")
def listed(tmp_path_factory, repo_root):
    root = tmp_path_factory.mktemp("recs")
    build_sample("S", YEAR, root / "data", seed=11)
    shutil.copy(repo_root / "config" / f"{YEAR}.yml", root / f"{YEAR}.yml")
    (root / f"decisions-{YEAR}.yml").write_text(
        "R2025-P1-dormant-acounts:\n  decision: accept\n"  # a typing slip
        "R2025-P9-nothing-like-it:\n  decision: accept\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["recommendations", "--data", str(root / "data"), "--year", str(YEAR),
                                      "--config", str(root / f"{YEAR}.yml"), "--out", str(root / "out")],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


def test_every_id_is_whole_on_one_line_in_80_columns(listed):
    in_panels = re.findall(r"╭─ (\S+) ─", listed)  # each recommendation's panel, titled by its id
    table = listed[: listed.index("╭─")]
    in_table = re.findall(r"^  (R\d{4}-\S+)", table, flags=re.M)
    assert len(in_panels) >= 5 and in_table == in_panels
    assert "R2025-P3-out-of-hours-response" in in_table  # the longest: it was folded as "R2025-P3-out-of / -hours-response"
    assert all(re.fullmatch(r"R2025-P[1-7]-[a-z-]+", rec_id) for rec_id in in_table)
    assert max(len(line) for line in table.splitlines()) <= 80


def test_a_decision_matching_nothing_gets_the_closest_id(listed):
    assert "  R2025-P1-dormant-acounts (did you mean R2025-P1-dormant-accounts?)" in listed
    assert re.search(r"^  R2025-P9-nothing-like-it$", listed, flags=re.M)  # nothing close: no guess


def test_closest_ids_guesses_only_near_misses():
    known = ["R2025-P1-dormant-accounts", "R2025-P5-mfa", "R2024-01"]
    found = closest_ids(["R2025-P1-dormant-acounts", "R2025-P5-mfa2", "R2024-P9-other", "r2024-01"], known)
    assert found == {"R2025-P1-dormant-acounts": "R2025-P1-dormant-accounts", "R2025-P5-mfa2": "R2025-P5-mfa",
                     "r2024-01": "R2024-01"}
    assert unmatched_words(["R2024-P9-other", "R2025-P5-mfa2"], found) == [
        "R2024-P9-other", "R2025-P5-mfa2 (did you mean R2025-P5-mfa?)"]


def test_the_notebook_lists_the_closest_id_too(tmp_path):
    """The run's record (artifacts/decisions.json) carries the guesses to the P6 notebook and the report."""
    import json

    from review.evidence.pipeline import register_files_frame
    from review.evidence.register import OUTCOME_FILE

    (tmp_path / OUTCOME_FILE).parent.mkdir(parents=True)
    (tmp_path / OUTCOME_FILE).write_text(json.dumps({
        "decisions_file": "decisions-2025.yml", "previous_register_file": None, "register_file": "recommendations-2025.yml",
        "unmatched_decisions": ["R2025-P1-dormant-acounts", "R2025-P9-gone"],
        "did_you_mean": {"R2025-P1-dormant-acounts": "R2025-P1-dormant-accounts"}}))
    frame = register_files_frame(str(tmp_path)).set_index("file")
    assert frame.loc["decisions that match no recommendation", "path"] == (
        "R2025-P1-dormant-acounts (did you mean R2025-P1-dormant-accounts?), R2025-P9-gone")
