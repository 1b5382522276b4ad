import os
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
