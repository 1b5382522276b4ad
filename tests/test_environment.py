"""environment.yml (for conda users) must list exactly pyproject's dependencies."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _spec(requirement: str) -> tuple[str, str]:
    name = requirement
    for i, ch in enumerate(requirement):
        if ch in "<>=!~ ":
            name = requirement[:i]
            break
    return name.lower().replace("_", "-"), requirement[len(name):].replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    # dev and spark (the test suite runs both engines); lab is Jupyter for analysts, not listed.
    wanted = dict(_spec(r) for r in project["dependencies"] + extras["dev"] + extras["spark"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = dict(_spec(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert listed == wanted


def test_environment_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.removeprefix("python") == project["requires-python"]
