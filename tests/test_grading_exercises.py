"""The real exercises through the real grader: the released stub earns nothing, the solution everything.

For every exercise source ``instructor/source/exNN/exNN_*.ipynb`` with tasks in ``bpcourse.grading.tasks``: ``bpcourse release`` makes the
student version; a "student" who writes exactly the instructor's solution gets ``ok`` and full points, one
who submits the release unchanged gets ``unanswered``, and one who answers every task by calling the
``bpcourse`` reference gets no points for the tasks whose reference the solution does not use itself.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
import pytest

from bpcourse.grading.batch import grade_folder
from bpcourse.grading.layout import source_notebooks, source_path
from bpcourse.grading.release import release_notebook, release_with_solutions

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = source_notebooks(ROOT)


def _tasks(stem: str) -> list:
    from bpcourse.grading.tasks import tasks_for

    return list(tasks_for(stem))



def _demo_cells(nb) -> list[int]:
    """1-based indices of the ungraded demo cells (nbgrader grade_id "demo")."""
    return [i for i, c in enumerate(nb.cells, start=1)
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "demo"]



@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_exercise_release_and_grading(path, tmp_path):
    tasks = _tasks(path.stem)
    if not tasks:
        pytest.skip(f"no tasks for {path.stem} in bpcourse.grading.tasks yet")
    source = nbformat.read(str(path), as_version=4)
    sub = tmp_path / "subs"
    sub.mkdir()
    nbformat.write(release_with_solutions(source), str(sub / "solution.ipynb"))
    nbformat.write(release_notebook(source), str(sub / "stub.ipynb"))
    summary = grade_folder(path, sub, tmp_path / "out", seed=99, jobs=2, timeout=60, log=lambda s: None)
    by = {r.file: r for r in summary.rows}
    full = sum(t.points for t in tasks)
    fb = (tmp_path / "out" / "feedback" / "solution.txt").read_text()
    assert (by["solution.ipynb"].status, by["solution.ipynb"].total) == ("ok", full), fb
    fb = (tmp_path / "out" / "feedback" / "stub.txt").read_text()
    assert (by["stub.ipynb"].status, by["stub.ipynb"].total) == ("unanswered", 0), fb
    assert "the stub `raise NotImplementedError()` is still there" in fb
    for index in _demo_cells(source):  # the ungraded demo is not run, so its stub errors are no note
        assert f"cell {index}" not in fb, fb


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_answering_by_calling_the_reference_earns_nothing(path, tmp_path):
    """Every task answered by ``return TASKS[id].reference(...)``: right values, zero points, told why."""
    tasks = _tasks(path.stem)
    if not tasks:
        pytest.skip(f"no tasks for {path.stem} in bpcourse.grading.tasks yet")
    source = nbformat.read(str(path), as_version=4)
    good = release_with_solutions(source)
    sub = tmp_path / "subs"
    sub.mkdir()
    cheat = copy.deepcopy(good)
    by_fn = {t.function: t for t in tasks}
    for c in cheat.cells:
        m = re.match(r"def (\w+)\(([^)]*)\):", c.source)
        if c.cell_type == "code" and m and m.group(1) in by_fn:
            t = by_fn[m.group(1)]
            args = ", ".join(f"{a.split('=')[0].strip()}={a.split('=')[0].strip()}" for a in m.group(2).split(","))
            c.source = (f"def {t.function}({m.group(2)}):\n    from bpcourse.grading.tasks import TASKS as _T\n"
                        f"    return _T[{t.id!r}].reference({args})")
    nbformat.write(cheat, str(sub / "cheat.ipynb"))
    summary = grade_folder(path, sub, tmp_path / "out", seed=5, log=lambda s: None)
    row = summary.rows[0]
    fb = (tmp_path / "out" / "feedback" / "cheat.txt").read_text()
    # a function handed out in a locked cell (ex04's probe) is restored from the source before grading, so
    # rewriting it changes nothing: the learner's own (here the solution's) code behind it is graded
    given = [t for t in tasks if any(c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("locked")
                                     and c.source.startswith(f"def {t.function}(") for c in source.cells)]
    assert row.total == sum(t.points for t in given), fb
    # every other task: the sandbox holds no task table (issue 15: only the exercise's allowlist), and says so
    assert fb.count(f"raised ModuleNotFoundError: bpcourse.grading.tasks is not available while grading "
                    f"{path.stem}") == len(tasks) - len(given), fb
    assert all(f"(grade id `{t.function}`) is a locked cell of the exercise and was edited" in fb for t in given)


EX06 = source_path(ROOT, "ex06_fully_connected_layer")


@pytest.mark.skipif(not EX06.exists(), reason="exercise 06 not there yet")
def test_exercise_06_typical_mistakes_are_diagnosed(tmp_path):
    source = nbformat.read(str(EX06), as_version=4)
    wrong = release_with_solutions(source)
    for c in wrong.cells:
        c.source = c.source.replace("return dout @ W, dout.T @ x, dout.sum(axis=0)",
                                    "return dout @ W, x.T @ dout, dout")
        c.source = c.source.replace("return x @ W.T + b", "return x @ W.T")
        c.source = c.source.replace("total += delta[k] * w[(k, j)]", "total = delta[k] * w[(k, j)]")
    sub = tmp_path / "subs"
    sub.mkdir()
    nbformat.write(wrong, str(sub / "wrong.ipynb"))
    summary = grade_folder(EX06, sub, tmp_path / "out", seed=8, log=lambda s: None)
    fb = (tmp_path / "out" / "feedback" / "wrong.txt").read_text()
    assert (summary.rows[0].status, summary.rows[0].total) == ("failed", 0), fb
    assert re.search(r"dW has shape \((\d+), (\d+)\), expected \(\2, \1\): it is the transpose", fb), fb
    assert "db has shape" in fb and "you kept one row per sample; sum over the batch axis" in fb
    assert "dW_hidden: your answer uses δ_j from output 7 alone" in fb and "`=` where `+=` belongs" in fb
    assert "dense_forward: wrong on graded case 1 of 5" in fb
    assert "the result is missing the term `+ b` (every row is off by exactly b)" in fb
    assert _demo_cells(source) and not any(f"cell {i}" in fb for i in _demo_cells(source)), fb  # demo not run
