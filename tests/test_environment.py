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
    # dev and spark (the test suite runs both engines) and lab (JupyterLab: setup installs it,
    # so that `make lab` needs no download).
    wanted = dict(_spec(r) for r in project["dependencies"] + extras["dev"] + extras["spark"] + extras["lab"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = dict(_spec(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert listed == wanted


def test_environment_python_matches_requires_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.removeprefix("python") == project["requires-python"]


def test_setup_installs_every_extra_make_lab_needs():
    """`make lab` starts JupyterLab from .venv and installs nothing: setup installs the lab extra."""
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    extras = next(line for line in setup.splitlines() if line.startswith("extras="))
    assert set(extras.split("=", 1)[1].strip('"').split(",")) == {"dev", "spark", "lab"}
    makefile = (ROOT / "Makefile").read_text()
    lab = makefile.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "pip install" not in lab and ".venv/bin/jupyter lab" in lab
