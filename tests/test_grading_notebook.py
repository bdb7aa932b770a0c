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


def _source_and_submission():
    from bpcourse.grading.notebook import source_cells

    src = nbformat.v4.new_notebook()
    src.cells = [
        _cell("import numpy as np", grade=False, solution=False, grade_id="setup", locked=True),
        _cell("def f(x):\n    return 2 * x", grade=False, solution=True, grade_id="f_solution"),
        _cell("def probe(x):\n    return f(x) + 1", grade=False, solution=False, grade_id="probe", locked=True),
        _cell("assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS",
              grade=True, solution=False, grade_id="ex_f", points=1),
        nbformat.v4.new_markdown_cell("Explain."),
    ]
    src.cells[4].metadata["nbgrader"] = {"grade": False, "solution": False, "grade_id": "md", "locked": True,
                                         "schema_version": 3}
    return source_cells(nbformat.writes(src).encode()), src


def test_locked_cells_are_restored_from_the_source_and_the_feedback_says_so():
    from bpcourse.grading.notebook import given_definitions

    source, src = _source_and_submission()
    sub = nbformat.v4.new_notebook()
    sub.cells = [nbformat.from_dict(dict(c)) for c in src.cells]
    sub.cells[1].source = "def f(x):\n    raise NotImplementedError()"           # a stub: the learner's cell
    sub.cells[2].source = "def probe(x):\n    return 2 * x + 1  # closed form"    # a locked cell, rewritten
    del sub.cells[3].metadata["nbgrader"]["grade"]                                # a test cell, un-marked
    sub.cells[3].source = "probe = lambda x: 2 * x + 1"
    sub.cells[4] = _cell("def probe(x):\n    return 2 * x + 1", grade=False, solution=False, grade_id="md",
                         locked=True)                                             # markdown turned code
    sub.cells.append(_cell("def probe(x):\n    return 2 * x + 1"))                 # a later redefinition
    sub.cells[1].cell_type = "raw"                                                # an answer cell retyped
    given = given_definitions(source, ["probe", "f"])
    assert [g.grade_id for g in given] == ["probe"]  # f is the learner's to write, probe is handed out
    cells, notes = read_notebook(nbformat.writes(sub).encode(), source, given)
    by_index = {c["index"]: c for c in cells}
    assert by_index[2]["source"].endswith("raise NotImplementedError()")          # answers stay, as code
    assert by_index[3]["source"] == src.cells[2].source                            # the locked cell is back
    assert by_index[4]["skip"] and by_index[4]["source"] == src.cells[3].source    # a test cell is one again
    assert 5 not in by_index                                                       # a markdown cell again
    assert cells[-1] == {"index": 7, "source": src.cells[2].source, "skip": False}  # probe defined last
    assert notes == [
        "cell 2 (grade id `f_solution`) is an answer cell of the exercise: its type (raw → code) was restored "
        "from the exercise before grading",
        "cell 3 (grade id `probe`) is a locked cell of the exercise and was edited: its content was restored "
        "from the exercise before grading",
        "cell 5 (grade id `md`) is a locked cell of the exercise and was edited: its type (code → markdown) "
        "and its content were restored from the exercise before grading"]


def test_a_faithful_copy_of_the_release_gets_no_note():
    source, src = _source_and_submission()
    cells, notes = read_notebook(nbformat.writes(src).encode(), source)
    assert notes == [] and [c["index"] for c in cells] == [1, 2, 3, 4]


def test_a_notebook_over_the_size_cap_is_refused_with_the_option_that_raises_it(tmp_path):
    import pytest

    from bpcourse.grading.notebook import NotebookTooLarge, read_submission

    p = tmp_path / "big.ipynb"
    p.write_bytes(b" " * 2048)
    assert read_submission(p, 4096) == b" " * 2048
    with pytest.raises(NotebookTooLarge, match="--max-notebook-mb"):
        read_submission(p, 1024)
