"""Privacy: person identifiers are pseudonymised at ingest, and no name or note reaches any output.

The end-to-end test plants distinctive names in a person column, in incident notes and in contact
messages (tests/planted_run.py), runs the real `review run`, and reads every file the run wrote -
PDF text, HTML, the workbook's cells, executed notebooks and their HTML copies, CSV, JSON and
Parquet - looking for them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import TEST_KEY
from planted_run import APPEAL, APPEAL_AGE, APPEAL_NAME, PLANTED_NAMES, YEAR, pdf_text, planted_run
from review.inputs import pseudonym, pseudonym_key
from review.errors import ReviewError
from review.inputs.ingest import read_folder
from review.config import load_config

TRAINING_HEADER = "person_ref,role,unit,course,completed_date,expires_date\n"


def _keyed(value: str, key: bytes) -> str:
    """The documented pseudonym, computed here from the standard library, not from review."""
    return "ps-" + hmac.new(key, value.strip().casefold().encode(), hashlib.sha256).hexdigest()[:16]


# --- the key -------------------------------------------------------------------------------------


@pytest.fixture
def no_key(monkeypatch, tmp_path):
    """No key anywhere: not in the environment, the current folder or the project folder."""
    monkeypatch.delenv(pseudonym.KEY_ENV, raising=False)
    monkeypatch.setattr(pseudonym_key, "PROJECT_DIR", tmp_path / "project")
    monkeypatch.chdir(tmp_path)


def _training_folder(tmp_path: Path, *refs: str, synthetic: bool = False) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    rows = "".join(f"{r},officer,Response,Social media user,2025-01-02,2027-01-02\n" for r in refs)
    (data / "training.csv").write_text(TRAINING_HEADER + rows, encoding="utf-8")
    if synthetic:
        (data / "SYNTHETIC.json").write_text('{"synthetic": true}', encoding="utf-8")
    return data


def test_real_data_without_a_key_is_refused_naming_the_file(no_key, tmp_path):
    data = _training_folder(tmp_path, "PC 1234 Jane Example")
    with pytest.raises(ReviewError, match=r"training\.csv: column\(s\) person_ref identify people .*REVIEW_PSEUDONYM_KEY"):
        read_folder(data)


def test_key_from_environment_gives_the_documented_keyed_hash(no_key, tmp_path, monkeypatch):
    key = "a-test-key-of-enough-length-0123456789"
    monkeypatch.setenv(pseudonym.KEY_ENV, key)
    data = _training_folder(tmp_path, "PC 1234 Jane Example", " pc 1234 jane example ", "4471")
    raw, _ = read_folder(data)
    refs = raw[0].frame["person_ref"].tolist()
    assert refs[0] == refs[1] == _keyed("PC 1234 Jane Example", key.encode()), "stable, case and space insensitive"
    assert refs[2] == _keyed("4471", key.encode()) and refs[2] != refs[0]
    assert "pseudonymised: person_ref (keyed hash)" in raw[0].notes


def test_key_file_in_the_project_folder_is_used(no_key, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / pseudonym.KEY_FILE).write_text("file-key-0123456789abcdef\n", encoding="utf-8")
    raw, _ = read_folder(_training_folder(tmp_path, "4471"))
    assert raw[0].frame["person_ref"].tolist() == [_keyed("4471", b"file-key-0123456789abcdef")]


def test_a_run_hands_the_key_from_the_users_folder_to_its_kernels(no_key, tmp_path):
    """The kernels start in notebooks/, away from the folder the user ran `review` in: the
    driver finds `.review-key` there and hands it on. Checked in a real kernel of a run's pool."""
    from review.runner.kernels import Kernels, stop_kernel
    from review.runner.run import NOTEBOOK_DIR, kernel_name

    (tmp_path / pseudonym.KEY_FILE).write_text("users-folder-key-0123456789\n", encoding="utf-8")
    kernels = Kernels(kernel_name(), NOTEBOOK_DIR, tmp_path, ahead=0, starting=1)
    from jupyter_client import BlockingKernelClient

    manager = kernels.take("10-data-quality")
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels()
    try:
        client.wait_for_ready(timeout=600)  # a loaded machine starts kernels slowly
        seen = []
        client.execute_interactive(
            "import os; from review.inputs.pseudonym import find_key; print(os.getcwd(), find_key()[0].decode())",
            output_hook=lambda msg: seen.append(msg["content"].get("text", "")), timeout=600)
    finally:
        client.stop_channels()
        stop_kernel(manager)
        kernels.close()
    cwd, key = "".join(seen).split()
    assert Path(cwd) == NOTEBOOK_DIR.resolve() and key == "users-folder-key-0123456789"


def test_a_relative_pythonpath_reaches_the_kernels_as_the_folder_it_named(no_key, tmp_path, monkeypatch):
    """`PYTHONPATH=src review run ...`: the kernels start in notebooks/, where `src` names nothing."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", "src:/opt/lib")
    assert pseudonym.kernel_environment()["PYTHONPATH"] == f"{tmp_path.resolve() / 'src'}:/opt/lib"


def test_a_short_key_is_refused(no_key, tmp_path, monkeypatch):
    monkeypatch.setenv(pseudonym.KEY_ENV, "short")
    with pytest.raises(ReviewError, match=r"REVIEW_PSEUDONYM_KEY environment variable: .* at least 16"):
        read_folder(_training_folder(tmp_path, "4471"))


def test_different_keys_give_different_pseudonyms(no_key, tmp_path, monkeypatch):
    data = _training_folder(tmp_path, "4471")
    monkeypatch.setenv(pseudonym.KEY_ENV, "first-key-0123456789")
    first = read_folder(data)[0][0].frame["person_ref"].iloc[0]
    monkeypatch.setenv(pseudonym.KEY_ENV, "second-key-0123456789")
    second = read_folder(data)[0][0].frame["person_ref"].iloc[0]
    assert first != second


def test_keyed_pseudonyms_are_kept_and_look_alikes_are_hashed(no_key, tmp_path, monkeypatch):
    """Re-ingesting the toolkit's own tables does not hash twice; anything not exactly in the
    keyed format (upper case, too short, the sample's p- ids) is hashed."""
    monkeypatch.setenv(pseudonym.KEY_ENV, "a-test-key-of-enough-length")
    kept = "ps-0123456789abcdef"
    others = ["PS-0123456789ABCDEF", "ps-0123", "p-0badc0de", "ps-0123456789abcdefg"]
    raw, _ = read_folder(_training_folder(tmp_path, kept, *others))
    refs = raw[0].frame["person_ref"].tolist()
    assert refs[0] == kept
    assert refs[1:] == [_keyed(o, b"a-test-key-of-enough-length") for o in others]


def test_already_pseudonymised_real_data_needs_no_key(no_key, tmp_path):
    raw, _ = read_folder(_training_folder(tmp_path, "ps-0123456789abcdef"))
    assert raw[0].frame["person_ref"].tolist() == ["ps-0123456789abcdef"]


# --- the sample key: only for the generator's sample, proven by checksums --------------------------


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    """The size S sample as `review sample` writes it (read-only for the tests: copy to edit)."""
    from review.inputs.sample import build_sample

    folder = tmp_path_factory.mktemp("genuine") / "sample"
    build_sample("S", YEAR, folder)
    return folder


def _person_refs(folder: Path) -> list[str]:
    with (folder / "training.csv").open(encoding="utf-8", newline="") as handle:
        return [row["person_ref"] for row in csv.DictReader(handle)]


def test_the_genuine_sample_uses_the_published_sample_key(no_key, genuine):
    raw, meta = read_folder(genuine)
    [training] = [r for r in raw if r.table == "training"]
    assert training.frame["person_ref"].tolist() == [_keyed(v, pseudonym.SAMPLE_KEY) for v in _person_refs(genuine)]
    assert meta["synthetic"]["generator"] == "review.sample" and meta["synthetic"]["size"] == "S"


def _copy(genuine: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(genuine, tmp_path / "data"))


def _empty_marker(data: Path) -> None:
    (data / "SYNTHETIC.json").write_text("", encoding="utf-8")


def _false_marker(data: Path) -> None:
    (data / "SYNTHETIC.json").write_text("false", encoding="utf-8")


def _unproven_marker(data: Path) -> None:  # what the generator wrote before it listed checksums
    (data / "SYNTHETIC.json").write_text('{"synthetic": true, "generator": "review.sample"}', encoding="utf-8")


def _edited_file(data: Path) -> None:  # one person's reference changed, the marker left as it was
    text = (data / "training.csv").read_text(encoding="utf-8")
    first = _person_refs(data)[0]
    (data / "training.csv").write_text(text.replace(first, "PC 4471 Jane Example", 1), encoding="utf-8")


def _wrong_checksum(data: Path) -> None:  # the files untouched, the marker's checksum not theirs
    marker = json.loads((data / "SYNTHETIC.json").read_text(encoding="utf-8"))
    marker["files"]["training.csv"] = "0" * 64
    (data / "SYNTHETIC.json").write_text(json.dumps(marker), encoding="utf-8")


def _added_file(data: Path) -> None:  # real records dropped into the sample folder
    (data / "more-training.csv").write_text(TRAINING_HEADER + "PC 4471 Jane Example,officer,Response,"
                                            "Social media user,2025-01-02,2027-01-02\n", encoding="utf-8")


@pytest.mark.parametrize("spoil", [_empty_marker, _false_marker, _unproven_marker, _edited_file, _wrong_checksum, _added_file])
def test_a_marker_that_does_not_prove_the_sample_means_real_data(no_key, genuine, tmp_path, monkeypatch, spoil):
    """Real data with a marker beside it: no sample key, a key required, and why the marker failed."""
    data = _copy(genuine, tmp_path)
    spoil(data)
    with pytest.raises(ReviewError, match=r"training\.csv: column\(s\) person_ref identify people .*no key is set up"
                       r"(.|\n)*SYNTHETIC\.json: .*taken as real"):
        read_folder(data)
    key = "a-test-key-of-enough-length-0123456789"
    monkeypatch.setenv(pseudonym.KEY_ENV, key)
    raw, meta = read_folder(data)
    assert meta["synthetic"] is None, "the paper carries no SAMPLE DATA mark only when this is None"
    [refs] = [r.frame["person_ref"].tolist() for r in raw if r.rel == "training.csv"]
    assert refs == [_keyed(v, key.encode()) for v in _person_refs(data)]


def test_the_genuine_marker_copied_beside_real_data_proves_nothing(no_key, genuine, tmp_path):
    import shutil

    data = _training_folder(tmp_path, "PC 4471 Jane Example")
    shutil.copyfile(genuine / "SYNTHETIC.json", data / "SYNTHETIC.json")
    with pytest.raises(ReviewError, match=r"no key is set up(.|\n)*SYNTHETIC\.json: lists accounts\.csv, which is not in the folder"):
        read_folder(data)


def test_a_single_file_is_never_the_sample(no_key, genuine):
    """Read as a file, not as the sample's folder, training.csv is real data."""
    from review.inputs.ingest import read_inputs

    with pytest.raises(ReviewError, match="no key is set up"):
        read_inputs([genuine / "training.csv"])


def test_the_key_file_is_git_ignored(repo_root):
    ignored = (repo_root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert pseudonym.KEY_FILE in ignored


# --- small counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1,234")])
def test_small_counts_are_suppressed_below_the_threshold(count, shown):
    from review.disclosure import protect
    from review.evidence.metrics.registry import METRICS
    from review.context import Headline

    m = METRICS["p5_conduct_cases"]
    h = Headline(m.metric_id, m.clause, m.title, m.unit, float(count), None, None, None, "Not rated", False, "", "")
    [printed], _ = protect([h], [], 5)
    assert printed.figure.text() == shown
    assert printed.value == count, "the true number stays for the rules"


def test_the_default_threshold_is_five():
    assert load_config(None, YEAR).report.small_count_threshold == 5


# --- end to end: planted names reach no output -------------------------------------------------------


@pytest.fixture(scope="module")
def run():
    return planted_run()


def _texts(out: Path):
    """(file, text) for every file the run wrote, read the way a person would read it."""
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            yield path, pdf_text(path)
        elif suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            yield path, "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                                  for v in row if v is not None)
            book.close()
        elif suffix == ".parquet":
            yield path, pd.read_parquet(path).astype(str).to_csv(index=False)
        else:
            yield path, path.read_bytes().decode("utf-8", errors="replace")


def test_planted_names_appear_in_no_output(run):
    files = list(_texts(run.out))
    kinds = {p.suffix for p, _ in files}
    assert {".pdf", ".html", ".xlsx", ".ipynb", ".csv", ".json", ".parquet"} <= kinds, kinds
    assert any(p.parent.name == "notebooks" and p.suffix == ".html" for p, _ in files)
    leaks = [(str(p.relative_to(run.out)), name) for p, text in files for name in PLANTED_NAMES
             if name.lower() in text.lower()]
    assert leaks == []


# --- missing-person appeals ------------------------------------------------------------------------


def test_a_missing_person_appeal_is_reprinted_in_no_output(run):
    """The appeal (a child's name and age) is the post shown most often: the top posts table says
    its text is withheld, and no file the run wrote holds its words, except the validated copy of
    the inputs (canonical/posts.parquet), which the team's own queries read as they read the export."""
    files = list(_texts(run.out))
    assert len(files) > 50
    kept = [str(p.relative_to(run.out)) for p, text in files for words in (APPEAL_NAME, f"{APPEAL_AGE}?")
            if words.lower() in text.lower()]
    assert kept == ["canonical/posts.parquet", "canonical/posts.parquet"]
    top = pd.read_parquet(run.out / "artifacts" / "tables" / "p1_top_posts.parquet")
    assert top["post"].iloc[0] == "missing person appeal: text withheld"
    assert top["impressions"].iloc[0] == 95_000_000
    assert "missing person appeal: text withheld" in " ".join(pdf_text(run.pdf).split())  # the cell wraps
    book = openpyxl.load_workbook(run.workbook, read_only=True)
    assert next(book["p1_top_posts"].iter_rows(min_row=3, values_only=True))[2] == "missing person appeal: text withheld"


def test_withheld_themes_come_from_the_config(tmp_path):
    """withhold_text: {} prints the appeal; a theme it names must be one of the themes."""
    from review.config import ContentThemes
    from review.evidence.metrics.reach import withhold_texts

    texts = pd.Series([APPEAL, "Road closed: the A1 at Northtown", None, "CCTV appeal: concern for a man last seen",
                       "Leah has been found. Thank you to everyone who shared our appeal."])
    withheld = "missing person appeal: text withheld"
    assert withhold_texts(texts, load_config(None, YEAR).content).tolist()[:2] == [withheld, texts[1]]
    assert withhold_texts(texts, load_config(None, YEAR).content).iloc[3] == withheld, "whichever theme counts it"
    assert withhold_texts(texts, load_config(None, YEAR).content).iloc[4] == withheld, "the update names the person too"
    assert withhold_texts(texts, ContentThemes(withhold_text={})).tolist()[:2] == texts.tolist()[:2]
    config = tmp_path / "2025.yml"
    config.write_text("year: 2025\ncontent:\n  themes:\n    Missing persons: [missing]\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"content \(line \d+\): withhold_text names 'Missing people', which is not a theme"):
        load_config(config, YEAR)


def test_person_column_holds_the_keyed_pseudonym(run):
    """The planted names make the sample real data: hashed with the force's key (the tests'
    key, tests/conftest.py), never the published sample key."""
    training = pd.read_parquet(run.out / "canonical" / "training.parquet")
    written = _person_refs(run.data)
    expected = [_keyed(v, TEST_KEY.encode()) for v in written]
    assert sorted(training["person_ref"]) == sorted(expected)
    assert training["person_ref"].str.fullmatch(r"ps-[0-9a-f]{16}").all()
    # The same person written twice (different case) is one pseudonym.
    assert expected[0] == expected[2]


def test_an_edited_sample_is_not_marked_sample_data(run):
    """The planted sample's marker no longer proves it: the run takes it as real data."""
    ingest = json.loads((run.out / "artifacts" / "ingest.json").read_text(encoding="utf-8"))
    assert ingest["synthetic"] is None
    html = run.html.read_text(encoding="utf-8")
    assert 'class="is-sample"' not in html and "sample-inline" not in html.split("<body", 1)[1]
    assert "SAMPLE DATA" not in pdf_text(run.pdf)


def test_the_manifest_lists_dropped_columns_by_name_only(run):
    manifest = json.loads((run.out / "manifest.json").read_text(encoding="utf-8"))
    ignored = {f["path"]: f["ignored_columns"] for f in manifest["inputs"]}
    assert ignored["incidents.csv"] == ["officer_name", "notes"]
    assert ignored["contacts.csv"] == ["sender", "message"]


def test_conduct_tables_suppress_small_counts(run):
    """Counted here from incidents.csv: the table artifact holds the true count of every category
    x capacity cell of the review year (typed, for analysts), and the HTML prints "<5" for 1-4."""
    with (run.data / "incidents.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["opened_date"].startswith(str(YEAR))]
    table = pd.read_parquet(run.out / "artifacts" / "tables" / "p5_cases.parquet")
    assert list(table.columns) == ["category", "work", "personal"]
    small = 0
    for record in table.to_dict("records"):
        for capacity in ("work", "personal"):
            n = sum(1 for r in rows if r["category"] == record["category"] and r["capacity"] == capacity)
            assert record[capacity] == n, (record["category"], capacity)
            small += 0 < n < 5
    assert small, "the sample has small counts to suppress"
    html = run.html.read_text(encoding="utf-8")
    assert "&lt;5" in html
