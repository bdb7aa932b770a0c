"""Stand-ins: a task's grade never depends on another graded function (bpcourse.grading.standins).

A later task's function calls an earlier one (``mlp_backward`` calls ``output_delta``). These tests show, in the
self-check and through the real ``bpcourse grade``, that with the earlier function a stub or wrong, the later
one keeps its points, and the feedback says why; and that a stand-in answers only its table's calls.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from grading_cli import grade_one

from bpcourse.grading import alone, check
from bpcourse.grading.judge import case_seed
from bpcourse.grading.layout import source_path
from bpcourse.grading.release import release_with_solutions
from bpcourse.grading.standin_tables import dependency, tables_for
from bpcourse.grading.standins import StandIn, decode_tables, encode_tables, installed, own_calls
from bpcourse.grading.tasks import TASKS

ROOT = Path(__file__).resolve().parents[1]
USERS = {tid: t for tid, t in TASKS.items() if t.uses}


def _source(exercise: str) -> Path:
    return source_path(ROOT, exercise)


# ------------------------------------------------------------------------------------------- the stand-in
def _standin(own=None) -> StandIn:
    calls = [({"x": 2.0, "y": np.array([1.0, -3.0])}, (5.0, np.array([0.5, 0.25])))]
    return StandIn("g", ("x", "y"), calls, own)


def test_a_standin_answers_its_calls_by_position_or_keyword_within_rounding():
    s = _standin()
    for args, kwargs in [((2.0, np.array([1.0, -3.0])), {}), ((), {"y": [1.0, -3.0], "x": 2.0}),
                         ((2.0 * (1 + 1e-13),), {"y": np.array([1.0, -3.0 + 1e-14])})]:
        out = s(*args, **kwargs)
        assert out[0] == 5.0 and np.array_equal(out[1], [0.5, 0.25])
    assert s.used_own == 0
    s(2.0, np.array([1.0, -3.0]))[1][0] = 99.0  # the caller gets a copy: the table cannot be changed
    assert s(2.0, np.array([1.0, -3.0]))[1][0] == 0.5


def test_any_other_call_goes_to_the_learners_own_function_and_is_counted():
    s = _standin(own=lambda *args, **kwargs: "own")
    assert s(2.001, np.array([1.0, -3.0])) == "own"
    assert s(2.0, np.array([1.0, -3.0, 0.0])) == "own"      # another shape
    assert s(2.0) == "own"                                   # too few arguments
    assert s.used_own == 3
    with pytest.raises(NameError, match="'g' is not defined"):
        _standin(own=None)(0.0, 0.0)


def test_installed_puts_standins_in_the_namespace_and_restores_the_learners_names():
    ns = {"g": "learner's g"}
    tables = [("g", ("x",), [({"x": 1.0}, 2.0)]), ("h", ("x",), [({"x": 1.0}, 3.0)])]
    with pytest.raises(RuntimeError):
        with installed(ns, tables) as used:
            assert ns["g"](1.0) == 2.0 and ns["h"](x=1.0) == 3.0
            raise RuntimeError
    assert ns == {"g": "learner's g"}
    with installed(ns, tables) as used:
        with pytest.raises(NameError):
            ns["h"](5.0)  # no learner's h to hand the call to
    assert own_calls(used) == ["h"]


def test_tables_cross_the_process_boundary_unchanged():
    case = TASKS["ex07_mlp_backward"].make_case(np.random.default_rng(0))
    tables = tables_for(TASKS["ex07_mlp_backward"], case, TASKS)
    back = decode_tables(encode_tables(tables))
    assert [(n, p) for n, p, _ in back] == [(n, p) for n, p, _ in tables]
    for (_, _, calls), (_, _, calls2) in zip(tables, back):
        for (a, out), (a2, out2) in zip(calls, calls2):
            assert a.keys() == a2.keys() and all(np.array_equal(a[k], a2[k]) for k in a)
            assert np.array_equal(out, out2)


# ---------------------------------------------------------------------------------------- the spec's uses
@pytest.mark.parametrize("tid", sorted(USERS))
def test_each_use_passes_the_earlier_functions_own_parameters_in_order(tid):
    task = TASKS[tid]
    case = task.make_case(np.random.default_rng(1))
    for name, calls_of in task.uses.items():
        dep = dependency(task, name, TASKS)
        params = list(dep.make_case(np.random.default_rng(1)))
        for kwargs in calls_of(case):
            assert list(kwargs) == params, (name, list(kwargs), params)


@pytest.mark.parametrize("tid", sorted(USERS))
def test_a_table_never_holds_the_earlier_tasks_own_cases(tid):
    """A stand-in gives away nothing the earlier task is graded on: on the cases the grader draws (random and
    fixed edge cases alike), its arguments are never one of the earlier task's own cases."""
    task = TASKS[tid]
    for seed in range(5):
        for case in task.draw_cases(np.random.default_rng(case_seed(seed, tid)), 5):
            for name, _, calls in tables_for(task, case, TASKS):
                dep = dependency(task, name, TASKS)
                own_cases = dep.draw_cases(np.random.default_rng(case_seed(seed, dep.id)), 5)
                for kwargs, _ in calls:
                    for c in own_cases:
                        same = all(np.array_equal(np.asarray(kwargs[k]), np.asarray(c[k])) for k in c)
                        assert not same, f"{tid}'s table for {name} holds a case of {dep.id}: {c}"


# ------------------------------------------------------------------------- the exercise's own solutions
def _solutions(exercise: str) -> dict[str, str]:
    """The source notebook's code cells that define a function, by function name (solutions included)."""
    nb = release_with_solutions(nbformat.read(str(_source(exercise)), as_version=4))
    return {m.group(1): c.source for c in nb.cells
            if c.cell_type == "code" and (m := re.match(r"def (\w+)\(", c.source))}


def _broken(name: str, how: str) -> str:
    if how == "stub":
        return f"def {name}(*args, **kwargs):\n    raise NotImplementedError()\n"
    return f"def {name}(*args, **kwargs):\n    return 0.0\n"  # wrong: the learner's slip of any kind


@pytest.mark.parametrize("how", ["stub", "wrong"])
@pytest.mark.parametrize("tid", sorted(USERS))
def test_the_self_check_passes_a_right_function_whose_earlier_functions_are_broken(tid, how):
    task = TASKS[tid]
    ns: dict = {"np": np}
    for src in _solutions(task.exercise).values():
        exec(compile(src, f"<{task.exercise}>", "exec"), ns)
    for name in task.uses:
        exec(_broken(name, how), ns)
    out = io.StringIO()
    assert check(ns[task.function], tid, seed=3, file=out), out.getvalue()
    for name in task.uses:
        assert f"checked with the right values of `{name}` in its place" in out.getvalue()


USED = sorted({(t.exercise, name) for t in USERS.values() for name in t.uses})


@pytest.mark.parametrize("how", ["stub", "wrong"])
@pytest.mark.parametrize("exercise,used", USED, ids=[f"{e[:2]}-{n}" for e, n in USED])
def test_the_cli_gives_every_other_function_its_points_when_one_it_uses_is_broken(exercise, used, how, tmp_path):
    """One function that other tasks use is broken; every other task, those that call it included, keeps all
    its points, and the feedback of each that calls it says its grade did not depend on it."""
    source = _source(exercise)
    nb = release_with_solutions(nbformat.read(str(source), as_version=4))
    cells = [c for c in nb.cells if c.cell_type == "code" and re.match(rf"def {used}\(", c.source)]
    assert len(cells) == 1
    cells[0].source = _broken(used, how)
    row, feedback = grade_one(source, nb, tmp_path, seed=7)
    for t in TASKS.values():
        if t.exercise == exercise:
            assert float(row[t.id]) == (0.0 if t.function == used else t.points), feedback
    for t in USERS.values():
        if used in t.uses:
            assert f"{t.function} was graded with the right values of `{used}` in its place" in feedback, feedback


# --------------------------------------------------------------------------------- alone(), for the asserts
def test_alone_runs_the_exercises_own_asserts_with_the_earlier_functions_standing_in():
    ns: dict = {"np": np}
    for src in _solutions("ex07_matrix_form").values():
        exec(compile(src, "<ex07>", "exec"), ns)
    exec(_broken("output_delta", "stub"), ns)
    X, T = np.array([[1.0, -1.0]]), np.array([[1.0]])
    W1, b1, W2, b2 = np.zeros((3, 2)), np.zeros(3), np.zeros((1, 3)), np.zeros(1)
    with pytest.raises(NotImplementedError):
        ns["mlp_backward"](X, T, W1, b1, W2, b2)
    dW1, db1, dW2, db2 = alone(ns["mlp_backward"])(X, T, W1=W1, b1=b1, W2=W2, b2=b2)
    assert np.allclose(dW2, [[-0.0625] * 3]) and np.allclose(db2, [-0.125])  # (0.5 − 1)·σ'(0) = −0.125
    assert ns["output_delta"].__name__ == "output_delta"  # the learner's own name is back afterwards
    with pytest.raises(TypeError, match=r"mlp_backward takes \(X, T, W1, b1, W2, b2\)"):
        alone(ns["mlp_backward"])(X, T)


def test_alone_calls_a_function_that_uses_nothing_as_it_is():
    def dense_forward(x, W, b):
        return x @ W.T + b
    assert alone(dense_forward)(np.ones((1, 2)), np.ones((3, 2)), np.zeros(3)).tolist() == [[2.0, 2.0, 2.0]]
