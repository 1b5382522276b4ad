"""Notebook hygiene and contracts: thin, parameterised, no outputs, paired with jupytext."""

import ast
import json

import jupytext
import papermill as pm
import pytest

from review.run import NOTEBOOK_DIR, STAGES

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED_PARAMETERS = {
    "10-data-quality": {"year": "int", "data_dir": "str", "config_path": "str", "output_dir": "str"},
    "20-metrics": {"year": "int", "config_path": "str", "output_dir": "str"},
    "90-board-report": {"year": "int", "config_path": "str", "output_dir": "str"},
}


def test_every_stage_has_a_notebook():
    assert {n.stem for n in NOTEBOOKS} >= {name for name, _ in STAGES}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_committed(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} has outputs"
            assert cell.get("execution_count") is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_paired_script_matches(path):
    """The reviewable .py and the .ipynb hold the same cells."""
    script = jupytext.read(path.with_suffix(".py"))
    notebook = jupytext.read(path)
    assert [c.source for c in script.cells] == [c.source for c in notebook.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_definitions(path):
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree))


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_parameters_contract(name):
    params = pm.inspect_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb"))
    assert {k: v["inferred_type_name"] for k, v in params.items()} == EXPECTED_PARAMETERS[name]
    for value in params.values():
        assert value["help"], "each parameter has a comment saying what it is"
