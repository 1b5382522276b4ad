import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Data edited from the sample (a planted name, a broken row) is real data to the toolkit: its
# SYNTHETIC.json no longer proves it (review.inputs.sample.proven_sample), so it needs a key, as a
# force's data would. This one is for tests only; tests about a missing key remove it.
TEST_KEY = "policy-review tests: a key for edited sample data"
os.environ["REVIEW_PSEUDONYM_KEY"] = TEST_KEY


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@dataclass(frozen=True)
class SampleFolders:
    data: Path  # the sample's input files
    config: Path  # config/2025.yml, copied into a folder of its own: a decisions file goes beside it

    def copy_to(self, base: Path) -> "SampleFolders":
        """A copy in `base` (base/data, base/config), for a test that writes into either."""
        shutil.copytree(self.data, base / "data")
        shutil.copytree(self.config.parent, base / "config")
        return SampleFolders(base / "data", base / "config" / self.config.name)


@pytest.fixture(scope="session")
def sample_s(tmp_path_factory) -> SampleFolders:
    """Sample S (the generator's default seed) and the year's committed config, built
    once for the session. Read-only by convention: a test that writes into them works on a copy
    (`copy_to`), so that no test sees another's decisions file or edited data."""
    from review.inputs.sample import build_sample

    base = tmp_path_factory.mktemp("sample-s")
    build_sample("S", 2025, base / "data")
    (base / "config").mkdir()
    shutil.copy(ROOT / "config" / "2025.yml", base / "config" / "2025.yml")
    built = _contents(base)
    yield SampleFolders(base / "data", base / "config" / "2025.yml")
    assert _contents(base) == built, "a test wrote into the shared sample S: it must write into a copy (copy_to)"


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def frozen_code():
    """The code's checksum as at the start of the module, which every run in the module is then
    given: an edit saved elsewhere in the working tree during its minutes of runs is not a change
    between them. (The run's key does cover the code: tests/test_cache.py,
    test_key_changes_when_a_notebook_changes.) Yields the checksum."""
    from review.paths import NOTEBOOK_DIR
    from review.runner import cache

    digest_now = cache.code_digest(NOTEBOOK_DIR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "code_digest", lambda notebook_dir: digest_now)
        yield digest_now
