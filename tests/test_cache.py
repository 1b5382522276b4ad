"""Incremental re-runs (review.runner.cache): a re-run after editing only the decisions reuses the
checked data and the clause evidence, and publishes exactly what a full run publishes; a
changed input, config or cache file is never trusted.

Three runs of size S for the module: full (writes the cache), re-run after editing the
decisions (reuses it), and a full run without the cache on the same decisions to compare with.
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from review.runner import cache
from review.config import load_config
from review.runner.run import REUSABLE_NOTEBOOKS, STAGES, run_review

YEAR = 2025
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CODE_DIGEST = cache.code_digest
PUBLISHED = [f"annual-review-{YEAR}.pdf", f"annual-review-{YEAR}.html", f"metrics-{YEAR}.xlsx",
             "rejected-rows.csv", f"recommendations-{YEAR}.yml"]
FIRST_DECISIONS = "R2025-P3-unanswered:\n  decision: accept\n  owner: Head of Digital Desk\n"
# The edit: one recommendation rejected (it leaves the Board's list) and one reworded owner.
SECOND_DECISIONS = (
    "R2025-P3-unanswered:\n  decision: accept\n  owner: Digital Desk Manager\n"
    "R2025-P1-dormant-accounts:\n  decision: reject\n  reason: The dormant pages are being merged already.\n"
)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(out):
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def reruns(sample_s, frozen_code, tmp_path_factory):
    base = tmp_path_factory.mktemp("cache")
    folders = sample_s.copy_to(base)  # this module's own: the decisions file is written beside its config
    data, config, out = folders.data, folders.config, base / "reports" / str(YEAR)
    decisions = config.parent / f"decisions-{YEAR}.yml"
    decisions.write_text(FIRST_DECISIONS, encoding="utf-8")
    first = run_review(data, YEAR, out, config)
    first_pdf = digest(out / PUBLISHED[0])
    saved_cache = tmp_path_factory.mktemp("saved") / "cache"
    shutil.copytree(cache.cache_dir(out), saved_cache)  # for the corruption test

    decisions.write_text(SECOND_DECISIONS, encoding="utf-8")
    second = run_review(data, YEAR, out, config)
    reused = {name: digest(out / name) for name in PUBLISHED}
    reused_manifest = manifest(out)
    board = json.loads((out / "artifacts" / "metrics.json").read_text())

    full = run_review(data, YEAR, out, config, use_cache=False)
    return {
        "first": first, "second": second, "full": full, "first_pdf": first_pdf, "reused": reused,
        "reused_manifest": reused_manifest, "full_manifest": manifest(out), "board": board,
        "saved_cache": saved_cache, "out": out,
    }


@pytest.mark.e2e
def test_first_run_computes_everything_and_keeps_a_cache(reruns):
    assert reruns["first"].cache["status"] == "saved"
    assert reruns["first"].cache["reused_notebooks"] == []
    entry = json.loads((reruns["saved_cache"] / cache.ENTRY).read_text())
    assert any(name.startswith("canonical/") and name.endswith(".parquet") for name in entry["files"])
    assert "artifacts/clauses/P4.json" in entry["files"]
    assert "artifacts/clauses/P6.json" not in entry["files"], "P6 reads the decisions: never cached"
    assert not [name for name in entry["files"] if name.startswith("artifacts/timings/")]


@pytest.mark.e2e
def test_rerun_after_editing_decisions_runs_only_p6_and_the_report(reruns):
    m = reruns["reused_manifest"]
    assert m["cache"]["status"] == "hit"
    assert sorted(m["cache"]["reused_notebooks"]) == sorted(REUSABLE_NOTEBOOKS)
    assert sorted(m["notebooks"]["timings"]) == ["30-p6-recommendations", "90-board-report"]
    # the audit trail is still complete: the reused notebooks are kept from the cached run
    out = reruns["out"]
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == sorted(STAGES)
    # the edit took effect: the rejected recommendation is not in front of the Board
    ids = [r["rec_id"] for r in reruns["board"]["recommendations"]]
    assert "R2025-P1-dormant-accounts" not in ids
    assert reruns["reused"][PUBLISHED[0]] != reruns["first_pdf"]


@pytest.mark.e2e
def test_rerun_after_editing_decisions_draws_no_chart(reruns):
    """The charts are drawn by the clause stages and come back with them from the cache: the
    re-run's charts stage is only P6's empty list written (a chart takes tens of milliseconds)."""
    entry = json.loads((reruns["saved_cache"] / cache.ENTRY).read_text())
    assert {"artifacts/charts/P1.json", "artifacts/charts/p1-monthly-impressions.parquet"} <= set(entry["files"])
    assert "artifacts/charts/P6.json" not in entry["files"]
    assert reruns["first"].stages["charts"] > 0.05
    assert reruns["reused_manifest"]["stage_seconds"]["charts"] < 0.05
    timed = json.loads((reruns["out"] / "artifacts" / "timings" / "report.json").read_text())
    assert "charts" not in timed  # the full run's report stage drew none either


@pytest.mark.e2e
def test_rerun_publishes_exactly_what_a_full_run_publishes(reruns):
    out = reruns["out"]
    assert reruns["full_manifest"]["cache"]["status"] == "off"
    # --no-cache records no digest for a re-run to reuse the outputs whole; a run with the cache does
    assert reruns["full_manifest"]["run_digest"] is None and reruns["reused_manifest"]["run_digest"]
    assert len(reruns["full_manifest"]["notebooks"]["timings"]) == len(STAGES)
    for name in PUBLISHED:
        assert reruns["reused"][name] == digest(out / name), f"{name} differs from a full run's"
    assert reruns["reused_manifest"]["inputs"] == reruns["full_manifest"]["inputs"]


@pytest.mark.e2e
def test_a_changed_cached_parquet_is_detected_and_not_used(reruns, tmp_path):
    out = tmp_path / "reports" / str(YEAR)
    shutil.copytree(reruns["saved_cache"], cache.cache_dir(out))
    key = json.loads((cache.cache_dir(out) / cache.ENTRY).read_text())["key"]
    posts = cache.cache_dir(out) / "files" / "canonical" / "posts.parquet"
    posts.write_bytes(posts.read_bytes()[:-100] + b"\0" * 100)  # same size, different bytes
    staging = tmp_path / "staging"
    state = cache.restore(out, key, staging)
    assert state.status == "miss" and "canonical/posts.parquet" in state.reason
    assert not cache.cache_dir(out).exists(), "a corrupt cache is removed, so the run rebuilds it"
    assert not staging.exists() or not any(staging.rglob("*.parquet")), "nothing copied from it"


@pytest.mark.e2e
def test_the_intact_cache_restores_every_file_it_lists(reruns, tmp_path):
    out = tmp_path / "reports" / str(YEAR)
    shutil.copytree(reruns["saved_cache"], cache.cache_dir(out))
    entry = json.loads((cache.cache_dir(out) / cache.ENTRY).read_text())
    state = cache.restore(out, entry["key"], tmp_path / "staging")
    assert state.status == "hit"
    for name, sha in entry["files"].items():
        assert digest(tmp_path / "staging" / name) == sha


# --- the key: cheap checks, no kernels ----------------------------------------------------------


def key_of(data, config_path, notebooks=NOTEBOOKS):
    config = load_config(config_path, YEAR)
    params = {"year": YEAR, "data_dir": str(data), "config_path": str(config_path)}
    return cache.compute_key(data, config, config_path, params, None, notebooks)


def test_key_is_stable_for_the_same_inputs(sample_s):
    data, config = sample_s.data, sample_s.config
    assert key_of(data, config) == key_of(data, config)


def test_key_changes_when_a_data_file_changes(sample_s, tmp_path):
    data, config = sample_s.data, sample_s.config
    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    before = key_of(copy, config)
    with (copy / "incidents.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert cache._changed_parts(before, key_of(copy, config)) == ["data"]
    (copy / "extra.csv").write_text("a\n1\n", encoding="utf-8")  # a new file counts too
    assert len({before, key_of(copy, config)}) == 2


def test_key_changes_when_the_config_changes(sample_s, tmp_path):
    data, config = sample_s.data, sample_s.config
    before = key_of(data, config)
    edited = tmp_path / f"{YEAR}.yml"
    edited.write_text(config.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    assert "config" in cache._changed_parts(before, key_of(data, edited))


def test_key_changes_when_a_notebook_changes(sample_s, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "code_digest", CODE_DIGEST)  # not the module's frozen one
    data, config = sample_s.data, sample_s.config
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    before = key_of(data, config, notebooks)
    page = notebooks / "24-p4-quality-and-plain-english.ipynb"
    page.write_text(page.read_text(encoding="utf-8").replace("P4", "P4 ", 1), encoding="utf-8")
    after = key_of(data, config, notebooks)
    assert after != before and after.split(".", 1)[1] != before.split(".", 1)[1]
    assert cache._changed_parts(before, after) == ["code"]


def test_key_changes_when_a_library_is_upgraded(sample_s, monkeypatch):
    """A new pandas or DuckDB could compute another figure from the same data: never answered
    from a cache of the old one."""
    data, config = sample_s.data, sample_s.config
    versions = cache.library_versions()
    assert versions["pandas"] and versions["duckdb"] and versions["weasyprint"] and versions["python"]
    assert set(cache.LIBRARIES) < set(versions)
    before = key_of(data, config)
    monkeypatch.setattr(cache, "library_versions", lambda: versions | {"duckdb": versions["duckdb"] + ".post1"})
    assert cache._changed_parts(before, key_of(data, config)) == ["libraries"]


def test_key_ignores_the_decisions_file(sample_s, tmp_path):
    config = tmp_path / sample_s.config.name  # a copy: the decisions file goes beside it
    shutil.copy(sample_s.config, config)
    before = key_of(sample_s.data, config)
    (tmp_path / f"decisions-{YEAR}.yml").write_text("R2025-P5-mfa:\n  decision: accept\n", encoding="utf-8")
    assert key_of(sample_s.data, config) == before


def test_restore_without_a_cache_is_a_miss(tmp_path):
    state = cache.restore(tmp_path / "out", "k", tmp_path / "staging")
    assert (state.status, state.reason) == ("miss", "no cache yet")


def test_restore_with_another_key_is_a_miss_and_copies_nothing(tmp_path):
    out, staging = tmp_path / "reports" / "2025", tmp_path / "staging"
    source = tmp_path / "source"
    (source / "canonical").mkdir(parents=True)
    (source / "canonical" / "posts.parquet").write_bytes(b"x")
    cache.save(source, out, "old-key", REUSABLE_NOTEBOOKS)
    state = cache.restore(out, "new-key", staging)
    assert state.status == "miss" and state.reason.startswith("changed since the cached run")
    assert not staging.exists()
    assert cache.restore(out, "old-key", staging).status == "hit"
    assert (staging / "canonical" / "posts.parquet").read_bytes() == b"x"


def test_key_changes_with_the_pseudonymisation_key_and_does_not_hold_it(sample_s, monkeypatch):
    data, config = sample_s.data, sample_s.config
    secret = "a key of at least sixteen characters"
    monkeypatch.setenv("REVIEW_PSEUDONYM_KEY", secret)
    before = key_of(data, config)
    monkeypatch.setenv("REVIEW_PSEUDONYM_KEY", secret + " rotated")
    after = key_of(data, config)
    assert cache._changed_parts(before, after) == ["pseudonym_key"]
    assert secret not in after


def test_the_run_says_why_nothing_was_reused(tmp_path, monkeypatch):
    """A re-run the team expects to be quick (only the decisions edited) says why it ran in full."""
    import json
    from types import SimpleNamespace

    from review import cli

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"inputs": []}), encoding="utf-8")
    done = SimpleNamespace(outputs={"manifest": manifest, "pdf": tmp_path / "report.pdf"}, timings={"total": 1.0},
                           cache={"status": "saved", "reason": "changed since the cached run: config", "reused_notebooks": []})
    monkeypatch.setattr(cli.console, "width", 200)
    with cli.console.capture() as captured:
        cli._print_summary(done)
    assert "  nothing reused from the last run: changed since the cached run: config\n" in captured.get()
