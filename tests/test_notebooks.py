"""Notebook hygiene and contracts: thin, parameterised, no outputs, paired with jupytext."""

import ast
import json
import shutil

import jupytext
import nbformat
import papermill as pm
import pytest

from review.errors import ReviewError
from review.runner.run import NOTEBOOK_DIR, STAGES, check_parameters

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CLAUSE = {"year": "int", "config_path": "str", "output_dir": "str"}
# The clauses whose figures come from the rollups also take the engine that runs them.
ROLLUP_CLAUSE = CLAUSE | {"engine": "str"}
EXPECTED_PARAMETERS = {
    "10-data-quality": {"year": "int", "data_dir": "str", "config_path": "str", "output_dir": "str", "skip_unknown": "bool"},
    "21-p1-reach-and-engagement": ROLLUP_CLAUSE,
    "22-p2-critical-incidents": ROLLUP_CLAUSE,
    "23-p3-availability-and-response": ROLLUP_CLAUSE,
    "24-p4-quality-and-plain-english": CLAUSE,
    "25-p5-conduct-and-governance": CLAUSE,
    "27-p7-equality-and-accessibility": CLAUSE,
    "30-p6-recommendations": CLAUSE,
    "90-board-report": CLAUSE,
    "explore": {"year": "int", "data": "str", "config_path": "str"},
}
RUN_PARAMETERS = {"year": 2025, "data_dir": "/data", "config_path": "", "output_dir": "/out", "engine": "", "skip_unknown": False}


def test_every_stage_has_a_notebook():
    assert {n.stem for n in NOTEBOOKS} == set(STAGES) | {"explore"}
    assert set(EXPECTED_PARAMETERS) == {n.stem for n in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_outputs_committed(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{path.name} has outputs"
            assert cell.get("execution_count") is None
    assert "papermill" not in nb["metadata"], f"{path.name} is an executed copy"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_paired_script_matches(path):
    """The reviewable .py and the .ipynb hold the same cells."""
    script = jupytext.read(path.with_suffix(".py"))
    notebook = jupytext.read(path)
    assert [c.source for c in script.cells] == [c.source for c in notebook.cells]
    assert [c.metadata.get("tags", []) for c in script.cells] == [c.metadata.get("tags", []) for c in notebook.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_with_the_project_kernel(path):
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "policy-review"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_function_definitions(path):
    nb = jupytext.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tree = ast.parse(cell.source)
            assert not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
                           for n in ast.walk(tree))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_typed_literals_then_imports(path):
    """Parameters are annotated literals (papermill cannot recompute derived values); the next
    code cell only imports, so a run can time the imports apart from the work."""
    code = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "the first code cell holds the parameters"
    for statement in ast.parse(code[0].source).body:
        assert isinstance(statement, ast.AnnAssign) and isinstance(statement.value, ast.Constant), ast.unparse(statement)
    assert all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in ast.parse(code[1].source).body)


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_parameters_contract(name):
    params = pm.inspect_notebook(str(NOTEBOOK_DIR / f"{name}.ipynb"))
    assert {k: v["inferred_type_name"] for k, v in params.items()} == EXPECTED_PARAMETERS[name]
    for value in params.values():
        assert value["help"], "each parameter has a comment saying what it is"


def test_a_run_passes_every_stage_exactly_its_parameters():
    passed = check_parameters(RUN_PARAMETERS)
    assert list(passed) == STAGES
    for name, values in passed.items():
        assert set(values) == set(EXPECTED_PARAMETERS[name])


def test_a_wrong_parameter_type_stops_before_any_kernel_starts():
    with pytest.raises(ReviewError, match=r"parameter year of 10-data-quality.ipynb: expected int, got str '2025'"):
        check_parameters(RUN_PARAMETERS | {"year": "2025"})


def test_a_parameter_the_run_does_not_pass_is_an_error(tmp_path):
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path / path.name)
    target = tmp_path / "24-p4-quality-and-plain-english.ipynb"
    nb = nbformat.read(target, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source += '\nreading_ease_min: int = 60  # a threshold that belongs in the config'
    nbformat.write(nb, target)
    with pytest.raises(ReviewError, match="24-p4-quality-and-plain-english.ipynb declares parameters a run does not pass: reading_ease_min"):
        check_parameters(RUN_PARAMETERS, tmp_path)
