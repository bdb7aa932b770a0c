"""The exercise notebooks (sources ``instructor/source/exNN/exNN_*.ipynb``) and their spec table (``bpcourse.grading.tasks``).

What is checked here, per exercise: the nbgrader metadata (schema 3, unique grade ids, the points of each test
cell equal to ``Task.points``); that the source notebook's solutions, run as they stand, pass the self-check
of every task and do not lean on ``bpcourse``; that each task's reference passes its own check and its cases
are deterministic and plain (floats, ints, float64 arrays); that the released student version runs up to the
first task and stops there with the stub's NotImplementedError. The slips and their diagnoses are the slip
corpus's (``tests/slip_corpus.py``, run by ``tests/test_slip_table.py``).
"""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest

from bpcourse.grading import check
from bpcourse.grading.layout import source_notebooks, source_path
from bpcourse.grading.tasks import EXERCISES, TASKS, tasks_for

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
NBGRADER_KEYS = {"grade", "grade_id", "locked", "schema_version", "solution", "task"}


def _read(exercise: str):
    return nbformat.read(source_path(ROOT, exercise), as_version=4)


def _nbg(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _run_check(fn, task_id: str, seed: int = 0, n_cases: int = 3) -> tuple[bool, str]:
    buf = io.StringIO()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a wrong answer may overflow; that is what the diagnosis reports
        ok = check(fn, task=task_id, seed=seed, n_cases=n_cases, file=buf)
    return ok, buf.getvalue()


def _solution_namespace(exercise: str) -> dict:
    """Run the notebook's setup, solution and other non-test, non-demo code cells, in order."""
    ns: dict = {}
    for cell in _read(exercise).cells:
        meta = _nbg(cell)
        if cell.cell_type != "code" or meta.get("grade") or meta.get("grade_id") == "demo":
            continue
        exec(compile(cell.source, f"<{exercise}:{meta.get('grade_id')}>", "exec"), ns)
    return ns


# ------------------------------------------------------------------------------------------- the spec table
def test_every_exercise_has_a_notebook_and_ten_points():
    assert [p.stem for p in source_notebooks(ROOT)] == sorted(EXERCISES)
    assert len(EXERCISES) == 9
    for ex in EXERCISES:
        tasks = tasks_for(ex)
        assert 2 <= len(tasks) <= 5, ex
        assert sum(t.points for t in tasks) == 10, ex
        assert all(t.id.startswith(ex[:4] + "_") for t in tasks), ex


def test_task_ids_and_function_names_are_unique():
    assert len({t.id for t in TASKS.values()}) == len(TASKS)
    # check(fn) finds a task by the function's name, so no two tasks may grade the same name
    assert len({t.function for t in TASKS.values()}) == len(TASKS)


def test_tasks_for_rejects_an_unknown_exercise():
    with pytest.raises(ValueError, match="unknown exercise '10_capstone'; expected one of ex01_single_neuron"):
        tasks_for("10_capstone")


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_make_case_is_deterministic_and_plain(task_id):
    task = TASKS[task_id]
    for seed in range(5):
        a = task.make_case(np.random.default_rng(seed))
        b = task.make_case(np.random.default_rng(seed))
        assert a.keys() == b.keys()
        for k, v in a.items():
            assert type(v) is type(b[k]), (k, type(v), type(b[k]))
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float64, (k, v.dtype)
                assert np.array_equal(v, b[k]) and np.all(np.isfinite(v)), k
            else:
                assert type(v) in (float, int), (k, type(v))  # no callables, no numpy scalars
                assert v == b[k], k
    # fresh generators give fresh cases: an answer cannot be hard-coded
    c1, c2 = (task.make_case(np.random.default_rng(s)) for s in (1, 2))
    assert any(not np.array_equal(np.asarray(c1[k]), np.asarray(c2.get(k))) for k in c1)


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_reference_passes_its_own_check(task_id):
    task = TASKS[task_id]
    for seed in (0, 1):
        ok, out = _run_check(task.reference, task_id, seed=seed, n_cases=5)
        assert ok, out
        edges = len(task.edge_cases)
        said = f"5 random cases, {edges} fixed edge case{'s' if edges != 1 else ''}" if edges else "5 random cases"
        assert out.strip() == f"{task.function}: public checks passed ({said})"


@pytest.mark.parametrize("task_id, n_cases, said", [
    ("ex04_rel_error", 3, "3 random cases, 4 fixed edge cases"),
    ("ex04_central_difference", 1, "1 random case, 2 fixed edge cases"),
    ("ex04_quadratic_gradient", 3, "3 random cases"),  # no edge cases: none mentioned
])
def test_the_pass_message_counts_the_random_and_the_fixed_edge_cases(task_id, n_cases, said):
    ok, out = _run_check(TASKS[task_id].reference, task_id, seed=4, n_cases=n_cases)
    assert ok and out.strip() == f"{TASKS[task_id].function}: public checks passed ({said})", out


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_reference_outputs_and_factors_fit_the_declared_outputs(task_id):
    task = TASKS[task_id]
    case = task.make_case(np.random.default_rng(3))
    out = task.reference(**case)
    outs = out if len(task.outputs) > 1 else (out,)
    assert isinstance(outs, tuple) and len(outs) == len(task.outputs)
    shapes = dict(zip(task.outputs, (np.shape(o) for o in outs)))
    from bpcourse.grading.diagnose import Slip

    for name, factor in task.factors.items():
        value = factor(case)
        if isinstance(value, Slip) or (isinstance(value, list) and all(isinstance(v, Slip) for v in value)):
            for slip in value if isinstance(value, list) else [value]:  # a known wrong answer, output by output
                assert slip.message and set(slip.outputs) <= set(task.outputs) | ({"out"} if len(outs) == 1 else set())
                for o, v in slip.outputs.items():
                    assert np.shape(v) == shapes.get(o, np.shape(outs[0])), (name, o)
            continue
        per_output = value if isinstance(value, dict) else {o: value for o in task.outputs}
        assert set(per_output) <= set(task.outputs), (name, set(per_output))
        for o, v in per_output.items():
            v = np.asarray(v, dtype=np.float64)
            assert np.broadcast_shapes(v.shape, shapes[o]) == shapes[o], (name, o)
            assert np.all(np.isfinite(v)) and np.all(v != 0), (name, o)  # a factor of 0 could not be diagnosed


# ------------------------------------------------------------------------------------------- the notebooks
@pytest.mark.parametrize("exercise", EXERCISES)
def test_nbgrader_metadata(exercise):
    nb = _read(exercise)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    ids = []
    for cell in nb.cells:
        meta = _nbg(cell)
        assert set(meta) >= NBGRADER_KEYS, f"{exercise}: a cell without full nbgrader metadata: {cell.source[:60]!r}"
        assert meta["schema_version"] == 3 and meta["task"] is False
        ids.append(meta["grade_id"])
        if meta["solution"]:
            assert cell.cell_type == "code" and not meta["grade"] and not meta["locked"]
            assert meta["grade_id"].endswith("_solution")
            assert cell.source.count("### BEGIN SOLUTION") == 1 and cell.source.count("### END SOLUTION") == 1
        elif meta["grade"]:
            assert cell.cell_type == "code" and meta["locked"] and meta["grade_id"] in TASKS
            assert meta["points"] == TASKS[meta["grade_id"]].points
            assert cell.source.count("### BEGIN HIDDEN TESTS") == 1 and cell.source.count("### END HIDDEN TESTS") == 1
            assert f"check({TASKS[meta['grade_id']].function})" in cell.source
        else:
            assert meta["locked"], f"{exercise}: instructions and setup cells are locked ({meta['grade_id']})"
            assert "### BEGIN" not in cell.source
    assert len(ids) == len(set(ids)), f"{exercise}: duplicate grade_id"
    graded = [c for c in nb.cells if _nbg(c)["grade"]]
    assert [_nbg(c)["grade_id"] for c in graded] == [t.id for t in tasks_for(exercise)]
    assert sum(_nbg(c)["points"] for c in graded) == 10


@pytest.mark.parametrize("exercise", EXERCISES)
def test_solutions_are_written_from_the_math(exercise):
    for cell in _read(exercise).cells:
        if _nbg(cell)["solution"]:
            assert "bpcourse" not in cell.source, f"{exercise}: {_nbg(cell)['grade_id']} uses bpcourse"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_notebook_solutions_pass_check(exercise):
    ns = _solution_namespace(exercise)
    for task in tasks_for(exercise):
        assert task.function in ns, f"{exercise} defines no function {task.function}"
        for seed in (0, 1, 2):
            ok, out = _run_check(ns[task.function], task.id, seed=seed, n_cases=5)
            assert ok, out


@pytest.mark.parametrize("exercise", EXERCISES)
def test_released_notebook_stops_at_the_first_task(exercise, tmp_path):
    nbclient = pytest.importorskip("nbclient")
    from bpcourse.grading.release import release_notebook

    released = release_notebook(_read(exercise))
    text = nbformat.writes(released)
    assert "### BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    for cell in released.cells:
        if _nbg(cell).get("solution"):
            assert "raise NotImplementedError()" in cell.source
            compile(cell.source, "<stub>", "exec")  # the def line and docstring survive, the stub parses
        if cell.cell_type == "code":
            assert not cell.outputs
    client = nbclient.NotebookClient(released, timeout=60, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [(i, o) for i, c in enumerate(released.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors, f"{exercise}: the released notebook ran without any error"
    index, first = errors[0]
    first_test = next(i for i, c in enumerate(released.cells) if _nbg(c).get("grade"))
    assert first.ename == "NotImplementedError", f"{exercise}: first error {first.ename}: {first.evalue}"
    assert index == first_test, f"{exercise}: the first error is in cell {index}, not in the first test cell"
    # the self-check ran before the error and said what to do
    printed = "".join(o.get("text", "") for o in released.cells[first_test].outputs if o.output_type == "stream")
    assert "NotImplementedError" in printed and "replace it with your code" in printed


# ------------------------------------------------------------------------------- wrong answers, diagnosed
# The slips and their diagnoses live in one corpus, tests/slip_corpus.py, run by tests/test_slip_table.py.
def test_article_update_order_is_rejected():
    # Article C's order: w3 updated first, then the new w3 used for dw2 (and the new w2 for dw1)
    def chain_sgd_step(w1, w2, w3, x, t, eta):
        y = w1 * x
        z = w2 * y
        r3 = w3 * z - t
        w3 = w3 - eta * r3 * z
        r2 = r3 * w3
        w2 = w2 - eta * r2 * y
        return w1 - eta * r2 * w2 * x, w2, w3

    ok, out = _run_check(chain_sgd_step, "ex03_chain_sgd_step")
    assert not ok, out
    # named as the article's order, for w1 and w2: dL/dw3 is the one gradient the article's order gets right
    assert "w1 and w2: your answer is the article's order" in out, out


@pytest.mark.parametrize("exercise", EXERCISES)
def test_batch_grader_gives_the_source_full_marks(exercise, tmp_path):
    """The whole contract at once: table, notebook and the real `bpcourse grade` pipeline agree."""
    import csv

    from bpcourse.grading.batch import grade_folder

    import nbformat

    from bpcourse.grading.release import release_with_solutions

    subs = tmp_path / "submitted"
    subs.mkdir()
    source = source_path(ROOT, exercise)
    # the released notebook with the solutions typed in (a byte copy of the source is refused as the source)
    nbformat.write(release_with_solutions(nbformat.read(str(source), as_version=4)), str(subs / "solution.ipynb"))
    grade_folder(source, subs, tmp_path / "out", seed=2024, jobs=1, log=lambda s: None)
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["status"] == "ok", row
    assert float(row["total"]) == 10.0
    for task in tasks_for(exercise):
        assert float(row[task.id]) == task.points


SOFTMAX_SHIFTS = {
    "the row mean": "net.mean(axis=1, keepdims=True)",
    "the row minimum": "net.min(axis=1, keepdims=True)",
    "the row's first entry": "net[:, :1]",
    "the batch maximum": "net.max()",
    "each column's maximum": "net.max(axis=0, keepdims=True)",
}


@pytest.mark.parametrize("what", sorted(SOFTMAX_SHIFTS))
def test_a_softmax_shifted_by_anything_but_the_row_max_fails_on_every_draw(what):
    ns = {"np": np}
    exec(f"def softmax(net):\n    E = np.exp(net - {SOFTMAX_SHIFTS[what]})\n    return E / E.sum(axis=1, keepdims=True)\n", ns)
    for seed in range(20):
        ok, out = _run_check(ns["softmax"], "ex08_softmax", seed=seed, n_cases=1)
        assert not ok and ("NaN" in out or "inf" in out), (what, seed, out)


def test_softmax_ce_backward_needs_a_stable_softmax_too():
    def softmax_ce_backward(net, T):
        E = np.exp(net)
        return (E / E.sum(axis=1, keepdims=True) - T) / net.shape[0]

    for seed in range(10):
        ok, out = _run_check(softmax_ce_backward, "ex08_softmax_ce_backward", seed=seed, n_cases=1)
        assert not ok and "NaN" in out, out


def test_transpose_hint_names_the_output_not_always_dW():
    from bpcourse.grading.diagnose import diagnose_case
    from bpcourse.grading.returned import normalize

    ref = normalize(np.arange(6.0).reshape(2, 3), ("dx",))
    got = normalize(np.arange(6.0).reshape(2, 3).T, ("dx",))
    (msg,) = diagnose_case(got, ref, ("dx",), {}, rtol=1e-6)
    assert "dx is shaped like x" in msg and "dW" not in msg, msg


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_every_task_has_guards_solution_and_a_hint_without_the_formula(task_id):
    task = TASKS[task_id]
    assert task.solution, task_id
    assert task.description and task.description != task.solution
    # the default feedback's one-liner teaches; the formula itself is in `solution` (--feedback full)
    assert task.solution not in task.description
    if task_id != "ex04_quadratic_gradient":  # no bpcourse function computes ½(A + Aᵀ)x + b
        assert task.guards, task_id


CHAPTER_FILES = {
    "01": "01_single_neuron.ipynb", "02": "02_chain_rule_and_graphs.ipynb", "03": "03_three_layer_chain.ipynb",
    "04": "04_gradient_checking.ipynb", "05": "05_two_hidden_neurons.ipynb", "06": "06_fully_connected_layer.ipynb",
    "07": "07_matrix_form.ipynb", "08": "08_softmax_cross_entropy_relu.ipynb", "09": "09_training_in_practice.ipynb",
}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_exercise_starts_with_its_chapter_and_says_where_it_lives(exercise):
    intro = _read(exercise).cells[0]
    chapter = CHAPTER_FILES[exercise[2:4]]
    assert (ROOT / "notebooks" / chapter).exists()
    assert f"](../notebooks/{chapter})" in intro.source  # a working link from exercises/ ...
    assert f"`notebooks/{chapter}`" in intro.source and "JupyterHub" in intro.source  # ... and where it lives


@pytest.mark.parametrize("exercise", EXERCISES)
def test_each_test_cell_calls_only_its_own_task_and_keeps_warnings_quiet(exercise):
    import ast
    import re

    nb = _read(exercise)
    learner = {m for c in nb.cells if _nbg(c).get("solution") for m in re.findall(r"^def (\w+)\(", c.source, re.M)}
    for cell in nb.cells:
        meta = _nbg(cell)
        if not meta.get("grade"):
            continue
        task = TASKS[meta["grade_id"]]
        own = {task.function} | ({"central_difference"} if task.function == "probe_central_difference" else set())
        called = {n.func.id for n in ast.walk(ast.parse(cell.source))
                  if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not (called & learner) - own, f"{task.id}'s test cell calls {sorted((called & learner) - own)}"
        tree = ast.parse(cell.source)
        # every call of the learner's function sits inside `with quiet():` (visible part and hidden part)
        quiet_blocks = [n for n in tree.body if isinstance(n, ast.With)
                        and ast.unparse(n.items[0].context_expr) == "quiet()"]
        inside = {id(n) for b in quiet_blocks for n in ast.walk(b)}
        outside = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                   and n.func.id in own | {"check"} and id(n) not in inside]
        assert not outside, f"{task.id}: a call outside `with quiet():` at line {outside[0].lineno}"
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
        assert re.search(rf"check\({task.function}, seed=\d+, n_cases=10\)", hidden), task.id
