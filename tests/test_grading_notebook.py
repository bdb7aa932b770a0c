"""bpcourse.grading.notebook: which cells of a submission the grader runs."""
from __future__ import annotations

import nbformat

from bpcourse.grading.notebook import DEMO_GRADE_ID, read_notebook


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    c = nbformat.v4.new_code_cell(source)
    if nbgrader:
        c.metadata["nbgrader"] = dict({"schema_version": 3, "locked": False, "task": False}, **nbgrader)
    return c


def test_test_cells_and_the_ungraded_demo_are_not_run():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("import numpy as np"),
        _cell("def f(x):\n    return x", grade=False, solution=True, grade_id="f_solution"),
        _cell("assert f(1) == 1", grade=True, solution=False, grade_id="ex_f", points=1),
        nbformat.v4.new_markdown_cell("## Putting it together"),
        _cell("print(f(2))", grade=False, solution=False, grade_id=DEMO_GRADE_ID, locked=True),
        _cell("print('a cell of my own')", grade=False, solution=False, grade_id="demo_mine"),
    ]
    cells, notes = read_notebook(nbformat.writes(nb).encode())
    assert [(c["index"], c["skip"]) for c in cells] == [(1, False), (2, False), (3, True), (5, True), (6, False)]
    assert notes == []
