"""A re-run with nothing changed reuses the published outputs whole (review.runner.cache.unchanged):
no kernel, no pandas, not a byte or a timestamp of the output folder touched. Anything changed
since (a published file edited, deleted or added to; the decisions, the config, a data file, a
library, the code) runs for real, and the run says what changed.

One real run of size S for the module, then quick checks: most of the "changed" cases stop the
run at the point where it would start its kernels (run._run_into) and read the reason it gives;
one edited published file is run for real to the end.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from review.config import load_config, previous_register_path
from review.errors import ReviewError
from review.inputs import pseudonym_key
from review.runner import cache, run
from review.runner.run import STAGES, run_review

YEAR = 2025
ROOT = Path(__file__).resolve().parents[1]
DECISIONS = "R2025-P3-unanswered:\n  decision: accept\n  owner: Head of Digital Desk\n"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time (ns): a folder reused whole has the same."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(tmp_path_factory, sample_s, frozen_code):
    base = tmp_path_factory.mktemp("rerun")
    folders = sample_s.copy_to(base)  # this module's own: its tests edit them (`copy` puts them back)
    data, config, config_dir = folders.data, folders.config, folders.config.parent
    (config_dir / f"decisions-{YEAR}.yml").write_text(DECISIONS, encoding="utf-8")
    out = base / "reports" / str(YEAR)
    result = run_review(data, YEAR, out, config)
    backup = tmp_path_factory.mktemp("backup")
    for folder in (data, config_dir, out):
        shutil.copytree(folder, backup / folder.name)  # copy2: the modification times too
    return {"base": base, "data": data, "config": config, "out": out, "result": result,
            "snapshot": snapshot(out), "backup": backup}


class Ran(Exception):
    """Raised where the run would start its kernels: it did not reuse the outputs."""


@pytest.fixture
def stop_before_kernels(monkeypatch):
    """Stop a run where it would start its first kernel, with the reason it gives for running."""
    def run_into(*args):
        inputs = args[-1]
        raise Ran(inputs.why if inputs else "no inputs")

    monkeypatch.setattr(run, "_run_into", run_into)


@pytest.fixture
def copy(first):
    """The first run's data, config and outputs, to change: put back as they were afterwards
    (paths are part of what a run depends on, so a copy elsewhere would not be reused)."""
    yield {"out": first["out"], "data": first["data"], "config": first["config"]}
    for folder in (first["data"], first["config"].parent, first["out"]):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(first["backup"] / folder.name, folder)
    assert snapshot(first["out"]) == first["snapshot"]


def reason(copy, **kwargs) -> str:
    with pytest.raises(Ran) as ran:
        run_review(copy["data"], YEAR, copy["out"], copy["config"], **kwargs)
    return str(ran.value)


# --- the reuse ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_manifest_records_the_digest_and_every_published_file(first):
    out = first["out"]
    manifest = json.loads((out / "manifest.json").read_text())
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted(manifest["outputs"]) == [f for f in files if f not in {"manifest.json", ".policy-review.json"}]
    assert "notebooks/10-data-quality.html" in manifest["outputs"] and "canonical/posts.parquet" in manifest["outputs"]
    for name, sha in manifest["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha, name
    parts = dict(p.split("=") for p in manifest["run_digest"].split(".")[1:])
    assert set(parts) == set(cache.RUN_PARTS) >= {"decisions", "templates", "libraries", "data", "code"}


@pytest.mark.e2e
def test_a_second_run_with_nothing_changed_reuses_the_outputs_whole(first, monkeypatch):
    def no_kernels(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(run, "Kernels", no_kernels)
    out = first["out"]
    inode = out.stat().st_ino
    result = run_review(first["data"], YEAR, out, first["config"])
    assert result.cache["status"] == cache.UNCHANGED == "unchanged"
    assert "nothing changed since the last run" in result.cache["outputs"]
    assert sorted(result.cache["reused_notebooks"]) == sorted(STAGES)
    assert result.outputs["pdf"] == out / f"annual-review-{YEAR}.pdf" and result.outputs["pdf"].is_file()
    assert result.timings["total"] < 30
    assert snapshot(out) == first["snapshot"], "not a byte nor a timestamp changed"
    assert out.stat().st_ino == inode, "the folder itself was not replaced"
    assert not (out.parent / f".{out.name}.staging").exists()


DRIVER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from review.runner import cache
    from review.runner.run import run_review

    data, out, config, code = sys.argv[1:5]
    cache.code_digest = lambda notebook_dir: code  # the module's frozen code checksum
    result = run_review(Path(data), 2025, Path(out), Path(config))
    heavy = ["pandas", "papermill", "pandera", "duckdb", "weasyprint", "pyarrow", "nbconvert", "jupyter_client"]
    print(json.dumps({"status": result.cache["status"], "imported": [m for m in heavy if m in sys.modules]}))
    """
)


@pytest.mark.e2e
def test_the_reuse_imports_no_heavy_library(first, frozen_code):
    """In a fresh process, as `review run` does: the check imports neither pandas nor papermill."""
    done = subprocess.run([sys.executable, "-c", DRIVER, str(first["data"]), str(first["out"]), str(first["config"]),
                           frozen_code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == {"status": "unchanged", "imported": []}
    assert snapshot(first["out"]) == first["snapshot"]


@pytest.mark.e2e
def test_the_command_says_the_outputs_were_reused_and_why(first, frozen_code, monkeypatch):
    from typer.testing import CliRunner

    from review import cli

    monkeypatch.setattr(cli.console, "width", 400)
    result = CliRunner().invoke(cli.app, ["run", "--data", str(first["data"]), "--year", str(YEAR),
                                          "--out", str(first["out"]), "--config", str(first["config"])])
    assert result.exit_code == 0, result.output
    assert f"Outputs reused whole from the last run into {first['out']}" in result.output
    assert "nothing changed since the last run (data, config, decisions" in result.output
    assert "Time per notebook" not in result.output


# --- anything changed runs, and says what -------------------------------------------------------


@pytest.mark.e2e
def test_the_copy_itself_is_reused(copy, monkeypatch):
    """The checks below start from outputs that would be reused: each change is what makes them run."""
    monkeypatch.setattr(run, "Kernels", None)
    assert run_review(copy["data"], YEAR, copy["out"], copy["config"]).cache["status"] == "unchanged"


@pytest.mark.e2e
def test_an_edited_published_file_runs(copy, stop_before_kernels):
    pdf = copy["out"] / f"annual-review-{YEAR}.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-10] + b"0123456789")  # same size, other bytes
    assert reason(copy) == f"a published file was changed: annual-review-{YEAR}.pdf"


@pytest.mark.e2e
def test_a_deleted_published_file_runs(copy, stop_before_kernels):
    (copy["out"] / "notebooks" / "10-data-quality.html").unlink()
    assert reason(copy) == "a published file is missing: notebooks/10-data-quality.html"


@pytest.mark.e2e
def test_an_added_file_runs_or_is_refused(copy, stop_before_kernels):
    (copy["out"] / "artifacts" / ".DS_Store").write_bytes(b"\0")  # desktop litter: replaced with the folder
    assert reason(copy) == "a file was added to the outputs: artifacts/.DS_Store"
    (copy["out"] / "notes.txt").write_text("mine", encoding="utf-8")  # anything else: never replaced (outdir)
    with pytest.raises(ReviewError, match="also file.*policy-review did not write: notes.txt"):
        run_review(copy["data"], YEAR, copy["out"], copy["config"])


@pytest.mark.e2e
def test_edited_decisions_run(copy, stop_before_kernels):
    decisions = copy["config"].parent / f"decisions-{YEAR}.yml"
    decisions.write_text(DECISIONS.replace("Head of Digital Desk", "Digital Desk Manager"), encoding="utf-8")
    assert reason(copy) == "changed since the last run: decisions"


@pytest.fixture
def first_kernels(monkeypatch):
    """Stop a run where it plans its first kernels, with the notebooks they are for."""
    class Kernels:
        kernel_name = "python3"

        def __init__(self, *args, **kwargs):
            pass

        def plan(self, names):
            raise Ran(" ".join(names))

        def close(self):
            pass

    monkeypatch.setattr(run, "Kernels", Kernels)


@pytest.mark.e2e
@pytest.mark.parametrize("edit, planned", [
    ("decisions", "30-p6-recommendations 90-board-report"),  # the evidence will come from the cache
    ("config", "10-data-quality"),
    ("data", "10-data-quality"),
])
def test_the_first_kernels_started_are_for_the_notebooks_that_will_run_first(copy, first_kernels, edit, planned):
    """Kernels start before the cache is looked up (review.runner.run._run_into): after an edit of
    the decisions only, the recommendations' and the report's, as the evidence will be reused;
    after anything else, the data-quality check's."""
    if edit == "decisions":
        (copy["config"].parent / f"decisions-{YEAR}.yml").write_text(DECISIONS + "# edited\n", encoding="utf-8")
    elif edit == "config":
        copy["config"].write_text(copy["config"].read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    else:
        with (copy["data"] / "incidents.csv").open("a", encoding="utf-8") as handle:
            handle.write("\n")
    assert reason(copy) == planned


@pytest.mark.e2e
def test_an_edited_config_runs(copy, stop_before_kernels):
    copy["config"].write_text(copy["config"].read_text(encoding="utf-8") + "\n# a comment is a change\n",
                              encoding="utf-8")
    assert reason(copy) == "changed since the last run: config"


@pytest.mark.e2e
def test_a_changed_data_file_runs(copy, stop_before_kernels):
    with (copy["data"] / "incidents.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert reason(copy) == "changed since the last run: data"


@pytest.mark.e2e
def test_an_upgraded_library_runs(copy, stop_before_kernels, monkeypatch):
    versions = cache.library_versions()
    monkeypatch.setattr(cache, "library_versions", lambda: versions | {"pandas": versions["pandas"] + ".post1"})
    assert reason(copy) == "changed since the last run: libraries"


@pytest.mark.e2e
def test_no_cache_always_runs(copy, stop_before_kernels):
    assert reason(copy, use_cache=False) == "no inputs"  # not even read: nothing to reuse, nothing to record


@pytest.mark.e2e
def test_a_run_after_an_edit_publishes_the_same_outputs_and_is_reused_after(first, copy):
    """For real, to the end: an edited published file is made again (the clause stages from the
    cache), byte for byte as the first run made it, and the next run reuses it whole."""
    workbook = copy["out"] / f"metrics-{YEAR}.xlsx"
    workbook.write_bytes(b"edited")
    result = run_review(copy["data"], YEAR, copy["out"], copy["config"])
    assert result.cache["status"] == "hit"  # the inputs did not change: only P6 and the report ran
    assert result.cache["outputs"] == f"a published file was changed: metrics-{YEAR}.xlsx"
    manifest = json.loads((copy["out"] / "manifest.json").read_text())
    assert manifest["cache"]["outputs"] == result.cache["outputs"]
    assert workbook.read_bytes() == (first["out"] / workbook.name).read_bytes()
    again = run_review(copy["data"], YEAR, copy["out"], copy["config"])
    assert again.cache["status"] == "unchanged"


# --- the lookups the check for unchanged inputs makes before pandas is imported ----------------


def test_a_named_register_that_is_missing_is_left_for_the_run_to_report(tmp_path):
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    config_path = config_dir / f"{YEAR}.yml"
    config_path.write_text(f"year: {YEAR}\nprevious_register: last.yml\n", encoding="utf-8")
    config = load_config(config_path, YEAR)
    out = tmp_path / "reports" / str(YEAR)
    assert previous_register_path(config, config_path, out, must_exist=False) == config_dir / "last.yml"
    with pytest.raises(ReviewError, match=r"last\.yml: previous register .* not found"):
        previous_register_path(config, config_path, out)


def test_the_key_digest_follows_the_key_the_data_quality_stage_would_use(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pseudonym_key, "PROJECT_DIR", tmp_path / "project")
    monkeypatch.delenv(pseudonym_key.KEY_ENV, raising=False)
    assert cache.pseudonym_key_digest() is None
    (tmp_path / pseudonym_key.KEY_FILE).write_text("a key from a file in the working folder\n", encoding="utf-8")
    from_file = cache.pseudonym_key_digest()
    monkeypatch.setenv(pseudonym_key.KEY_ENV, "  a key of at least sixteen characters ")
    from_env = cache.pseudonym_key_digest()
    monkeypatch.setenv(pseudonym_key.KEY_ENV, "short")  # refused by the stage, still a change here
    short = cache.pseudonym_key_digest()
    assert len({from_file, from_env, short} - {None}) == 3
    assert "sixteen" not in from_env and from_env == hashlib.sha256(
        b"policy-review cache key|a key of at least sixteen characters").hexdigest()
