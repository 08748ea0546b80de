"""The report notebooks: committed clean, thin, and runnable top to bottom (nbval)."""

from __future__ import annotations

import ast
import subprocess
import sys

import nbformat
import papermill
import pytest

from okr_scenarios.report import CHECKIN, NOTEBOOKS, PACK

from .conftest import ROOT

NAMES = [p.name for p in (*PACK, CHECKIN)] + ["what_if"]


def _load(name: str):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    for cell in _load(name).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source


@pytest.mark.parametrize("name", NAMES)
def test_one_parameters_cell_of_plain_literals(name):
    cells = [c for c in _load(name).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    names = []
    for statement in tree.body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        ast.literal_eval(statement.value)  # raises unless a plain literal
        names.append(statement.targets[0].id)
    assert names[:3] == ["plan_dir", "draws", "seed"]
    assert all("#" in line for line in cells[0].source.splitlines())  # each one explained


@pytest.mark.parametrize("name", NAMES)
def test_code_cells_only_call_the_package(name):
    book = _load(name)
    code = [c for c in book.cells
            if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    for cell in code:
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        assert len(lines) <= 2, cell.source
        assert not any(ln.lstrip().startswith(("for ", "if ", "def ", "class ", "while "))
                       for ln in lines), cell.source
    assert sum(c.cell_type == "markdown" for c in book.cells) >= 2  # narrative between steps


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_under_papermill_then_nbval(tmp_path, name):
    executed = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"), str(executed), kernel_name="python3",
        parameters={"plan_dir": str(ROOT / "data" / "example"), "draws": 300, "seed": 1},
        cwd=str(tmp_path), progress_bar=False)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", str(executed)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
