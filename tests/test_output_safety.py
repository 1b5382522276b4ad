"""Output safety: no command deletes what it did not write, and a full disk or a read-only folder
leaves the last outputs whole with one line saying what failed (review.runner.outdir).

The cases are issue 15's, tried as a careless user would: a `thesis.docx` in --out, --out equal to
--data, `--out .` in a project, a symbolic link as --out, an OUT-failed/ that is not ours, a
national --out over a national store, for every command that writes. Refusals are real CLI calls
(they stop before any kernel starts). Publishing is tried through `review.runner.run.run_review` with its
notebook waves replaced by a stub that writes the four outputs, and through the real `review
sample`, `review ingest` and `review national`. The OS errors are injected: as root, a folder's
mode does not stop a write, and a real full disk cannot be made in a test.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import review.outputs.national
import review.inputs.sample
from review.runner import artifacts, outdir, run
from review.cli import app
from review.config import ReviewConfig
from review.errors import ReviewError
from review.outputs.national import add_run, build_national_sample, read_force_year, run_national

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "2025.yml"
YEAR = 2025
OUTPUTS = (f"annual-review-{YEAR}.pdf", f"annual-review-{YEAR}.html", f"metrics-{YEAR}.xlsx", "rejected-rows.csv")
THESIS = b"PK\x03\x04 four years of work"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def one_line_error(code: int, output: str) -> str:
    assert code == 1, output
    assert "Traceback" not in output, output
    # the run's first line says which config it uses (issue 20); the error is the one line after it
    lines = [line for line in output.strip().splitlines() if not line.startswith("Config: ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


@pytest.fixture
def thesis(tmp_path) -> Path:
    """A folder of the user's: the one file they cannot lose."""
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(THESIS)
    return folder


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "accounts.csv").write_text("account_id,platform\nx,X\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A small national store of one invented force, as `review sample --forces 1` writes it."""
    path = tmp_path_factory.mktemp("national") / "store"
    build_national_sample(path, 1, YEAR, size="S", seed=11, scale=0.05)
    return path


# --- a folder that is not ours is refused, by every command that writes ----------------------------


def _commands(out: Path, data: Path, store: Path, run_out: Path) -> dict[str, list]:
    return {
        "run": ["run", "--data", data, "--year", YEAR, "--out", out, "--config", CONFIG],
        "ingest": ["ingest", data, "--out", out],
        "national": ["national", "--data", store, "--year", YEAR, "--out", out, "--config", CONFIG],
        "sample": ["sample", "--out", out],
        "sample --forces": ["sample", "--forces", 1, "--out", out],
        "partition": ["partition", run_out, "--store", out, "--force", "harbour"],
        "init": ["init", out, "--year", YEAR],
    }


COMMANDS = ["run", "ingest", "national", "sample", "sample --forces", "partition", "init"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_refuses_a_folder_that_is_not_ours_and_keeps_it(command, thesis, data, store, tmp_path):
    before = snapshot(thesis)
    line = one_line_error(*cli(*_commands(thesis, data, store, tmp_path / "run-out")[command]))
    assert str(thesis) in line and "already exists and is not empty" in line and "thesis.docx" in line, line
    assert snapshot(thesis) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], "no staging left beside it"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_refuses_a_link_to_a_folder_that_is_not_ours(command, thesis, data, store, tmp_path):
    link = tmp_path / "reports"
    link.symlink_to(thesis, target_is_directory=True)
    line = one_line_error(*cli(*_commands(link, data, store, tmp_path / "run-out")[command]))
    assert f"{link} (a link to {thesis})" in line and "thesis.docx" in line, line
    assert snapshot(thesis) == {"thesis.docx": THESIS} and link.is_symlink()


def test_out_equal_to_inside_or_around_the_data_is_refused(data):
    before = snapshot(data)
    for out, relation in [(data, "is the input folder"), (data / "reports", "is inside the input folder"),
                          (data.parent, "contains the input folder")]:
        line = one_line_error(*cli("run", "--data", data, "--year", YEAR, "--out", out, "--config", CONFIG))
        assert f"{relation} (--data) {data}" in line, line
    line = one_line_error(*cli("ingest", data, "--out", data / "checked"))
    assert f"is inside the input (SRC) {data}" in line, line
    assert snapshot(data) == before


def test_out_around_the_config_is_refused(data, tmp_path):
    config = tmp_path / "config" / "2025.yml"
    config.parent.mkdir()
    shutil.copy(CONFIG, config)
    for out, relation in [(config.parent, "contains"), (config, "is")]:
        line = one_line_error(*cli("run", "--data", data, "--year", YEAR, "--out", out, "--config", config))
        assert f"{relation} the config file (--config) {config}" in line, line
    assert config.read_bytes() == CONFIG.read_bytes()


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of a project as a team keeps it: config, data and the pseudonym key; the working folder."""
    folder = tmp_path / "project"
    (folder / "config").mkdir(parents=True)
    shutil.copy(CONFIG, folder / "config" / "2025.yml")
    (folder / "data" / "2025").mkdir(parents=True)
    (folder / "data" / "2025" / "accounts.csv").write_text("account_id,platform\nx,X\n", encoding="utf-8")
    (folder / ".review-key").write_text("the force's secret\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def test_out_dot_in_a_project_deletes_nothing(project, tmp_path):
    before = snapshot(project)
    line = one_line_error(*cli("run", "--data", "data/2025", "--year", YEAR, "--out", "."))
    assert "--out .: contains the input folder (--data)" in line, line
    elsewhere = tmp_path / "inputs"  # the data and config outside the project: the project itself is refused
    shutil.copytree(project / "data" / "2025", elsewhere)
    line = one_line_error(*cli("run", "--data", elsewhere, "--year", YEAR, "--out", ".", "--config", CONFIG))
    assert f"--out .: is the project folder (the working folder) {project}" in line, line
    line = one_line_error(*cli("run", "--data", elsewhere, "--year", YEAR, "--out", "..", "--config", CONFIG))
    assert "--out ..: contains the" in line, line
    for command in (["ingest", elsewhere, "--out", "."], ["sample", "--out", "."], ["init", ".", "--year", YEAR],
                    ["national", "--data", elsewhere, "--year", YEAR, "--out", ".", "--config", CONFIG]):
        assert "is the project folder" in one_line_error(*cli(*command)), command
    assert snapshot(project) == before


def test_national_out_never_replaces_a_national_store(store, data, tmp_path):
    before = snapshot(store)
    line = one_line_error(*cli("national", "--data", store, "--year", YEAR, "--out", store, "--config", CONFIG))
    assert "is the national store (--data)" in line, line
    line = one_line_error(*cli("national", "--data", store, "--year", YEAR, "--out", store / "reports"))
    assert "is inside the national store (--data)" in line, line
    other = tmp_path / "another-store"
    shutil.copytree(store, other)
    line = one_line_error(*cli("national", "--data", store, "--year", YEAR, "--out", other, "--config", CONFIG))
    assert "holds a national store, not a national review's outputs" in line, line
    line = one_line_error(*cli("run", "--data", data, "--year", YEAR, "--out", other, "--config", CONFIG))
    assert "holds a national store" in line, line
    assert snapshot(store) == before and snapshot(other) == before
    # A store written before the marker existed is not known to be a store: refused all the same.
    (other / outdir.MARKER).unlink()
    line = one_line_error(*cli("national", "--data", store, "--year", YEAR, "--out", other))
    assert f"no {outdir.MARKER} inside" in line, line


# --- a run publishes through the rule: stub notebook waves --------------------------------------------


class NoKernels:
    kernel_name = "python3"

    def __init__(self, *args, **kwargs):
        pass

    def plan(self, names):
        pass

    def wait_launched(self, timeout):
        pass

    def close(self):
        pass


@pytest.fixture
def stub_run(monkeypatch, data):
    """`run_review` with the notebook waves replaced: each wave writes the four outputs (or does
    `fail(staging)` first), so everything around them is real: the claim, the staging folder,
    the manifest, the swap."""
    state = {"fail": None, "text": b"first"}

    def wave(names, params, staging, *rest):
        if state["fail"]:
            result = state["fail"](staging, names)
            if result is not None:
                return result
        for name in OUTPUTS:
            (staging / name).write_bytes(state["text"] + name.encode())
        artifacts.write_json(staging / "artifacts" / "ingest.json",
                             {"files": [], "other_files": [], "synthetic": True, "rows_rejected": 0})
        return [run.NotebookRun(n) for n in names]

    monkeypatch.setattr(run, "_run_wave", wave)
    monkeypatch.setattr(run, "Kernels", NoKernels)

    def go(out: Path):
        return run.run_review(data, YEAR, out, CONFIG, use_cache=False)

    go.state = state
    return go


def test_a_run_marks_its_outputs_and_replaces_only_them(stub_run, tmp_path):
    out = tmp_path / "reports" / str(YEAR)
    stub_run(out)
    marker = json.loads((out / outdir.MARKER).read_text(encoding="utf-8"))
    assert marker["written_by"] == "policy-review" and marker["kind"] == "run"
    assert set(marker["files"]) == {p.relative_to(out).as_posix() for p in out.rglob("*")
                                    if p.is_file() and p.name != outdir.MARKER}
    assert set(OUTPUTS) | {"manifest.json"} <= set(marker["files"])

    (out / ".DS_Store").write_bytes(b"\0")  # a desktop's litter does not stop a re-run
    stub_run.state["text"] = b"second"
    stub_run(out)
    assert (out / OUTPUTS[0]).read_bytes() == b"second" + OUTPUTS[0].encode()

    (out / "notes").mkdir()
    (out / "notes" / "thesis.docx").write_bytes(THESIS)  # the team's own file, put among ours
    before = snapshot(out)
    with pytest.raises(ReviewError, match=r"holds a review run's outputs, but also file\(s\) policy-review did not "
                                          r"write: notes/thesis.docx\. Replacing the folder would delete them"):
        stub_run(out)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [f".{YEAR}.lock", str(YEAR)]


def test_a_run_through_a_link_replaces_our_folder_where_the_link_points(stub_run, tmp_path):
    real = tmp_path / "shared-drive" / str(YEAR)
    stub_run(real)
    link = tmp_path / str(YEAR)
    link.symlink_to(real, target_is_directory=True)
    stub_run.state["text"] = b"second"
    result = stub_run(link)
    assert result.out == real and link.is_symlink()
    assert (real / OUTPUTS[0]).read_bytes() == b"second" + OUTPUTS[0].encode()


def test_the_failed_run_folder_is_removed_only_when_ours(stub_run, tmp_path):
    out = tmp_path / "reports" / str(YEAR)
    failed = out.parent / f"{YEAR}-failed"

    def fail(staging, names):
        return [run.NotebookRun(names[0], error=f"{names[0]}.ipynb failed in cell 3 (`x`): ValueError: planted")]

    stub_run.state["fail"] = fail
    with pytest.raises(ReviewError, match="planted"):
        stub_run(out)
    assert outdir.read_marker(failed)["kind"] == "failed", "a failed run's folder is marked as ours"
    stub_run.state["fail"] = None
    stub_run(out)
    assert not failed.exists(), "ours: removed once a run succeeds"

    failed.mkdir()
    (failed / "thesis.docx").write_bytes(THESIS)
    code, output = cli("run", "--data", tmp_path / "data", "--year", YEAR, "--out", out, "--config", CONFIG)
    line = one_line_error(code, output)
    assert f"the failed-run folder {failed}: already exists and is not empty" in line and "thesis.docx" in line
    assert snapshot(failed) == {"thesis.docx": THESIS}

    # a link in OUT-failed's place is decided by where it points, and never followed to delete
    shutil.rmtree(failed)
    failed.symlink_to(tmp_path / "thesis-elsewhere", target_is_directory=True)
    (tmp_path / "thesis-elsewhere").mkdir()
    (tmp_path / "thesis-elsewhere" / "thesis.docx").write_bytes(THESIS)
    with pytest.raises(ReviewError, match="a link to .*thesis-elsewhere.*thesis.docx"):
        stub_run(out)
    assert snapshot(tmp_path / "thesis-elsewhere") == {"thesis.docx": THESIS}


def test_a_staging_folder_beside_the_output_is_removed_only_when_ours(stub_run, tmp_path):
    out = tmp_path / "reports" / str(YEAR)
    staging = out.parent / f".{YEAR}.staging"
    staging.mkdir(parents=True)
    (staging / "thesis.docx").write_bytes(THESIS)
    with pytest.raises(ReviewError, match="was not written by policy-review; move it away"):
        stub_run(out)
    assert snapshot(staging) == {"thesis.docx": THESIS}
    shutil.rmtree(staging)
    staging.mkdir()
    outdir.mark(staging, "run", listed=False)  # a killed run's: ours
    (staging / "half-written.parquet").write_bytes(b"PAR1")
    stub_run(out)
    assert not staging.exists() and (out / OUTPUTS[0]).exists()


def test_a_marker_must_be_ours_to_count(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(THESIS)
    real = tmp_path / "real-marker.json"
    real.write_text(json.dumps({"written_by": "policy-review", "kind": "run", "files": ["thesis.docx"]}))
    (folder / outdir.MARKER).symlink_to(real)  # a link is not a marker written here
    with pytest.raises(ReviewError, match="no .policy-review.json inside"):
        outdir.claim(folder, "run")
    (folder / outdir.MARKER).unlink()
    (folder / outdir.MARKER).write_text('{"written_by": "someone else", "kind": "run", "files": ["thesis.docx"]}')
    with pytest.raises(ReviewError, match="no .policy-review.json inside"):
        outdir.claim(folder, "run")
    assert (folder / "thesis.docx").read_bytes() == THESIS


def test_a_new_or_empty_folder_is_fine(tmp_path):
    assert outdir.claim(tmp_path / "new" / "2025", "run") == tmp_path / "new" / "2025"
    (tmp_path / "empty").mkdir()
    outdir.build(tmp_path / "empty", "sample", lambda folder: (folder / "a.csv").write_text("a\n"))
    assert outdir.read_marker(tmp_path / "empty")["files"] == ["a.csv"]


# --- a full disk and a read-only folder ----------------------------------------------------------------


def _enospc(path: Path) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def _needed_bytes(line: str) -> float:
    amount, unit = re.search(r"about ([\d.,]+) (kB|MB|GB) is needed", line).groups()
    return float(amount.replace(",", "")) * {"kB": 1e3, "MB": 1e6, "GB": 1e9}[unit]


def test_a_full_disk_during_a_run_says_how_much_is_needed_and_keeps_the_last_outputs(stub_run, tmp_path):
    out = tmp_path / "reports" / str(YEAR)
    stub_run.state["text"] = b"x" * 300_000  # last outputs of about 1.2 MB
    stub_run(out)
    before = snapshot(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())

    def fill_disk(staging, names):
        (staging / "canonical").mkdir()
        (staging / "canonical" / "posts.parquet").write_bytes(b"PAR1")
        raise _enospc(staging / "canonical" / "contacts.parquet")

    stub_run.state["fail"] = fill_disk
    with pytest.raises(ReviewError) as caught:
        stub_run(out)
    line = str(caught.value)
    assert "\n" not in line and line.startswith(f"{out}: the disk is full (No space left on device, writing "), line
    assert "contacts.parquet" in line and "is free" in line and "the last outputs are untouched" in line, line
    assert _needed_bytes(line) == pytest.approx(size, rel=0.05), "the size of the last outputs"
    assert snapshot(out) == before
    assert not (out.parent / f".{YEAR}.staging").exists()


def test_a_full_disk_inside_a_notebook_is_named_as_such(stub_run, tmp_path):
    """A notebook's OSError arrives as text: it is still one line about the disk, not a traceback."""
    out = tmp_path / "reports" / str(YEAR)

    def notebook_fails(staging, names):
        (staging / "canonical").mkdir()
        (staging / "canonical" / "posts.parquet").write_bytes(b"p" * 200_000)
        return [run.NotebookRun(names[0], error=f"{names[0]}.ipynb failed in cell 6 (`x`): OSError: [Errno 28] "
                                                 "Error writing bytes to file. Detail: [errno 28] No space left on device")]

    stub_run.state["fail"] = notebook_fails
    with pytest.raises(ReviewError) as caught:
        stub_run(out)
    line = str(caught.value)
    assert "the disk is full (No space left on device, in 10-data-quality.ipynb" in line, line
    assert "more than 0.2 MB is needed (written before the disk filled)" in line, line
    assert not out.exists()


def test_a_notebook_cut_short_by_a_full_disk_is_a_failure_not_a_crash(tmp_path, monkeypatch):
    """papermill writing the executed notebook hits the full disk: the notebook left is not JSON.
    _execute reports the error instead of failing to read it."""
    import papermill

    def execute(source, target, **kwargs):
        Path(target).write_text('{"cells": [{"cell_type": "code", "sou')
        raise _enospc(target)

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    (tmp_path / "notebooks").mkdir()

    class Kernels:
        kernel_name = "python3"

        def take(self, name):
            return None

    result = run._execute("10-data-quality", {}, tmp_path, Kernels(), run.NOTEBOOK_DIR)
    assert result.error and "[Errno 28] No space left on device" in result.error
    assert outdir.errno_in(result.error) == errno.ENOSPC


def test_a_full_disk_while_swapping_in_keeps_the_last_outputs(stub_run, tmp_path, monkeypatch):
    out = tmp_path / "reports" / str(YEAR)
    stub_run(out)
    before = snapshot(out)
    real_rename = Path.rename

    def rename(self, target):
        if self.name == f".{YEAR}.staging":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(ReviewError, match=r"cannot write there \(Read-only file system: .*\.2025\.staging\)"):
        stub_run(out)
    assert snapshot(out) == before, "the old outputs are put back when the new ones cannot go in"


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_output_folder_is_one_line(stub_run, tmp_path, monkeypatch, code):
    out = tmp_path / "reports" / str(YEAR)
    stub_run(out)
    before = snapshot(out)
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.name == f".{YEAR}.staging":
            raise OSError(code, os.strerror(code), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code_, output = cli("run", "--data", tmp_path / "data", "--year", YEAR, "--out", out, "--config", CONFIG)
    line = one_line_error(code_, output)
    assert f"{out}: cannot write there ({os.strerror(code)}: {out.parent / f'.{YEAR}.staging'})" in line, line
    assert snapshot(out) == before


def test_a_permission_error_on_an_input_is_not_called_a_read_only_output(tmp_path):
    out = tmp_path / "reports" / "2025"
    reading = OSError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "data" / "posts.csv"))
    assert outdir.write_error(reading, out) is None
    writing = OSError(errno.EACCES, os.strerror(errno.EACCES), str(tmp_path / "reports" / ".2025.lock"))
    assert "cannot write there" in str(outdir.write_error(writing, out))


def test_sample_full_disk_keeps_the_last_sample(tmp_path, monkeypatch):
    out = tmp_path / "sample"
    code, output = cli("sample", "--out", out)
    assert code == 0, output
    before = snapshot(out)
    assert outdir.read_marker(out)["kind"] == "sample"
    code, output = cli("sample", "--out", out, "--seed", 7)  # ours: replaced
    assert code == 0 and snapshot(out) != before, output
    before = snapshot(out)
    real = review.inputs.sample._write_csv

    def write_csv(frames, path, columns):
        if path.name == "posts.csv":
            path.write_bytes(b"post_id,acc")
            raise _enospc(path)
        return real(frames, path, columns)

    monkeypatch.setattr(review.inputs.sample, "_write_csv", write_csv)
    line = one_line_error(*cli("sample", "--out", out))
    assert f"{out}: the disk is full" in line and "posts.csv" in line, line
    assert _needed_bytes(line) == pytest.approx(sum(len(b) for b in before.values()), rel=0.05)
    assert snapshot(out) == before


def test_ingest_publishes_through_the_rule_and_keeps_the_last_output_on_a_full_disk(tmp_path, monkeypatch):
    exports = ROOT.parent / "shared" / "exports"
    source = tmp_path / "exports"
    source.mkdir()
    shutil.copy(next(exports.glob("*.csv")), source)  # one real export: a quick ingest
    out = tmp_path / "checked"
    code, output = cli("ingest", source, "--out", out)
    assert code == 0, output
    assert outdir.read_marker(out)["kind"] == "ingest" and (out / "ingest-report.json").exists()
    before = snapshot(out)

    import review.cells

    def full(frame, path):
        path.write_bytes(b"file,li")
        raise _enospc(path)

    monkeypatch.setattr(review.cells, "write_csv", full)  # ingest imports it as it writes
    line = one_line_error(*cli("ingest", source, "--out", out))
    assert f"{out}: the disk is full" in line and "rejected-rows.csv" in line, line
    assert snapshot(out) == before


def test_national_publishes_through_the_rule_and_keeps_the_last_output_on_a_full_disk(store, tmp_path, monkeypatch):
    from review.config import load_config

    config = load_config(None, YEAR)
    out = tmp_path / "national"

    def render(ctx, folder, year, tables):
        (folder / "national.html").write_text("<p>national</p>" * 1000)
        return {"html": folder / "national.html"}

    monkeypatch.setattr(review.outputs.national, "render_national", render)
    run_national(store, YEAR, out, config)
    assert outdir.read_marker(out)["kind"] == "national"
    before = snapshot(out)

    def full(ctx, folder, year, tables):
        raise _enospc(folder / "national.pdf")

    monkeypatch.setattr(review.outputs.national, "render_national", full)
    with pytest.raises(ReviewError, match=f"{out}: the disk is full .*national.pdf.*the last outputs are untouched"):
        run_national(store, YEAR, out, config)
    assert snapshot(out) == before


def test_partition_on_a_full_disk_is_one_line_and_the_store_stays_readable(store, tmp_path, monkeypatch):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    force = read_force_year(copy, "northshire", YEAR)
    run_out = tmp_path / "reports" / str(YEAR)
    artifacts.write_canonical(run_out, force)
    config = ReviewConfig(year=YEAR, force={"name": "Harbour Police", "short_name": "Harbour"})
    artifacts.write_json(run_out / "manifest.json", {"year": YEAR, "config": config.model_dump(mode="json")})
    canonical = sum(p.stat().st_size for p in (run_out / "canonical").iterdir())

    def full(folder, fill):
        raise _enospc(folder / "part-0.parquet")

    monkeypatch.setattr(review.outputs.national, "_swap_in", full)
    with pytest.raises(ReviewError, match=rf"{copy}: the disk is full .*part-0.parquet") as caught:
        add_run(copy, run_out, "harbour")
    assert "is needed (the size of the run's canonical tables)" in str(caught.value)
    assert _needed_bytes(str(caught.value)) == pytest.approx(canonical, rel=0.05)
    pd.testing.assert_frame_equal(read_force_year(copy, "northshire", YEAR)["posts"], force["posts"])

    # RUN_OUT inside the store, or the store inside RUN_OUT, is refused before anything is read
    with pytest.raises(ReviewError, match="contains the run output folder"):
        add_run(tmp_path, run_out, "harbour")


def test_init_on_a_read_only_folder_is_one_line(tmp_path, monkeypatch):
    real_mkdir = Path.mkdir
    target = tmp_path / "data" / "2025"

    def mkdir(self, *args, **kwargs):
        if self == target.parent:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    line = one_line_error(*cli("init", target, "--year", YEAR))
    assert f"{target}: cannot write there (Read-only file system: {target.parent})" in line, line
