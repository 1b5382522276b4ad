import textwrap

import pytest

from review.config import load_config
from review.errors import ReviewError


def write(tmp_path, text):
    path = tmp_path / "c.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_committed_config_loads(repo_root):
    config = load_config(repo_root / "config" / "2025.yml", 2025)
    assert config.period_label == "2025"
    assert str(config.period_start) == "2025-01-01" and str(config.period_end) == "2026-01-01"


def test_unknown_key_is_an_error_naming_it(tmp_path):
    with pytest.raises(ReviewError, match=r"targets\.first_respnse_minutes"):
        load_config(write(tmp_path, "targets:\n  first_respnse_minutes: 30\n"), 2025)


def test_year_mismatch_is_an_error(tmp_path):
    with pytest.raises(ReviewError, match="for year 2024"):
        load_config(write(tmp_path, "year: 2024\n"), 2025)


def test_bad_yaml_names_line_and_column(tmp_path):
    with pytest.raises(ReviewError, match=r"line 2, column"):
        load_config(write(tmp_path, "force:\n  name: [unclosed\n"), 2025)


def test_yaml_is_loaded_safely(tmp_path):
    with pytest.raises(ReviewError):
        load_config(write(tmp_path, "force: !!python/object/apply:os.system ['true']\n"), 2025)


def test_financial_year_bounds():
    config = load_config(None, 2025).__class__.model_validate({"year": 2025, "period": {"kind": "financial"}})
    assert config.period_label == "2025/26"
    assert str(config.period_start) == "2025-04-01" and str(config.period_end) == "2026-04-01"


def test_config_is_frozen():
    config = load_config(None, 2025)
    with pytest.raises(Exception):
        config.year = 2030
