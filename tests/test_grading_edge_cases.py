"""No false pass on a lucky draw: the fixed ``Task.edge_cases`` make each known partly wrong answer fail on every seed.

Each slip below is a learner's answer that is right on part of the input space only: one branch of a max gate,
|x| compared instead of x, one path of a fan-out, no 0/0 rule, a loop that works on vectors only (a sigmoid, a
central difference), the target built in. Without the edge cases each of them passes the random cases of some
seed (shown first, so the edge cases are what makes the difference); with them it fails ``check()`` and the
grader's judgement on every seed tried, and the real ``bpcourse grade`` in a subprocess gives it 0 while the
rest of the notebook keeps its points. The task's own test cell (nbgrader's verdict) fails it too.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bpcourse.grading import check
from bpcourse.grading.judge import judge_task, prepare_tasks
from bpcourse.grading.layout import source_path
from bpcourse.grading.learner import call_learner
from bpcourse.grading.protocol import TaskReport, decode_array
from bpcourse.grading.release import release_with_solutions
from bpcourse.grading.tasks import TASKS
from bpcourse.grading.worker import outcome_message

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(300)

# (task id, what is wrong, the learner's function)
SLIPS: list[tuple[str, str, str]] = [
    ("ex01_sigmoid", "vector-only loop", """
def sigmoid(net):
    return np.array([1.0 / (1.0 + math.exp(-v)) for v in net])
"""),
    ("ex01_sigmoid_prime", "vector-only loop", """
def sigmoid_prime(net):
    s = np.array([1.0 / (1.0 + math.exp(-v)) for v in net])
    return s * (1.0 - s)
"""),
    ("ex01_neuron_gradient", "target fixed at 1", """
def neuron_gradient(w, b, x, t):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - 1.0) * o * (1.0 - o)
    return delta * x, delta
"""),
    ("ex01_neuron_sgd_step", "target fixed at 1", """
def neuron_sgd_step(w, b, x, t, eta):
    o = 1.0 / (1.0 + np.exp(-(w @ x + b)))
    delta = (o - 1.0) * o * (1.0 - o)
    return w - eta * delta * x, b - eta * delta
"""),
    ("ex02_max_backward", "forgot the else branch", """
def max_backward(x, y, dout):
    return (dout, 0.0) if x > y else (0.0, 0.0)
"""),
    ("ex02_max_backward", "always to x", """
def max_backward(x, y, dout):
    return dout, 0.0
"""),
    ("ex02_max_backward", "compares |x| with |y|", """
def max_backward(x, y, dout):
    return (dout, 0.0) if abs(x) > abs(y) else (0.0, dout)
"""),
    ("ex02_max_backward", "compares x with 0", """
def max_backward(x, y, dout):
    return (dout, 0.0) if x > 0 else (0.0, dout)
"""),
    ("ex02_branch_gradients", "dy from the product path only", """
def branch_gradients(x, y, z, w):
    s = x * y + max(y, z)
    return w * y, w * x, (0.0 if y > z else w), s
"""),
    ("ex02_branch_gradients", "compares |y| with |z|", """
def branch_gradients(x, y, z, w):
    s = x * y + max(y, z)
    y_wins = abs(y) > abs(z)
    return w * y, w * x + (w if y_wins else 0.0), (0.0 if y_wins else w), s
"""),
    ("ex04_rel_error", "no 0/0 rule", """
def rel_error(a, b):
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
"""),
    ("ex04_rel_error", "0.0 as soon as one side is zero", """
def rel_error(a, b):
    if not np.any(a) or not np.any(b):
        return 0.0
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
"""),
    ("ex04_central_difference", "vector-only loop", """
def central_difference(f, x, eps=1e-5):
    g = np.zeros(len(x))
    for i in range(len(x)):
        xp = np.array(x, dtype=float); xp[i] += eps
        xm = np.array(x, dtype=float); xm[i] -= eps
        g[i] = (f(xp) - f(xm)) / (2.0 * eps)
    return g
"""),
    ("ex05_two_hidden_deltas", "target fixed at 1", """
def two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d_o = (o - 1.0) * o * (1.0 - o)
    return d_o, w3 * d_o * h1 * (1.0 - h1), w4 * d_o * h2 * (1.0 - h2)
"""),
    ("ex05_two_hidden_gradients", "target fixed at 1", """
def two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t):
    s = lambda v: 1.0 / (1.0 + np.exp(-v))
    h1, h2 = s(w1 * x + b1), s(w2 * x + b1)
    o = s(w3 * h1 + w4 * h2 + b2)
    d_o = (o - 1.0) * o * (1.0 - o)
    d1, d2 = w3 * d_o * h1 * (1.0 - h1), w4 * d_o * h2 * (1.0 - h2)
    return d1 * x, d2 * x, d_o * h1, d_o * h2, d1 + d2, d_o
"""),
]
IDS = [f"{tid}-{what.replace(' ', '_')}" for tid, what, _ in SLIPS]


def _given_cell(exercise: str, grade_id: str) -> str:
    nb = nbformat.read(str(source_path(ROOT, exercise)), as_version=4)
    return next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _fn(src: str):
    ns = {"np": np, "math": math}
    exec(compile(src, "<cell 1>", "exec"), ns)
    name = re.search(r"def (\w+)\(", src).group(1)
    if name == "central_difference":  # graded through the exercise's own probe cell, as check() and the grader do
        exec(compile(_given_cell(TASKS["ex04_central_difference"].exercise, "probe_central_difference"),
                     "<cell 2>", "exec"), ns)
        name = "probe_central_difference"
    return ns[name]


def _passes_check(fn, task, seed: int, n_cases: int) -> bool:
    return check(fn, task.id, seed=seed, n_cases=n_cases, tasks=[task], file=io.StringIO())


def _grader_passes(fn, task, seed: int, n_cases: int = 5) -> bool:
    """The grader's judgement of ``fn`` (the parent's cases and verdict; the worker's call, in-process)."""
    (pt,) = prepare_tasks([task], seed, n_cases)
    outcomes = []
    for case in pt.cases:
        msg = outcome_message(call_learner(fn, case, task.outputs, lambda f: f.startswith("<cell ")))
        for item in msg["items"]:  # what the parent reads back from the channel
            item["array"] = None if item["array"] is None else decode_array(item["array"])
        msg["inputs"] = {k: decode_array(a) for k, a in msg["inputs"].items()}
        outcomes.append(msg)
        if msg["bind_error"] or msg["error"]:
            break
    verdict = judge_task(pt, TaskReport(task.id, "evaluated", [], outcomes))
    return verdict.passed


def test_every_task_with_a_slip_here_has_edge_cases_and_the_reference_passes_them():
    assert {tid for tid, _, _ in SLIPS} <= {t.id for t in TASKS.values() if t.edge_cases}
    for task in TASKS.values():
        if task.edge_cases:
            assert _passes_check(task.reference, task, seed=0, n_cases=0), task.id
            (pt,) = prepare_tasks([task], 7, 0)  # they cross the protocol (numbers and arrays only)
            assert len(pt.cases) == len(task.edge_cases), task.id


def test_edge_cases_come_after_the_random_cases_as_copies():
    task = TASKS["ex04_rel_error"]
    rng = np.random.default_rng(3)
    random_only = [task.make_case(rng) for _ in range(2)]
    drawn = task.draw_cases(np.random.default_rng(3), 2)
    assert len(drawn) == 2 + len(task.edge_cases)
    assert all(np.array_equal(drawn[i][k], random_only[i][k]) for i in range(2) for k in ("a", "b"))
    drawn[-1]["a"][...] = 99.0  # a learner writing into its case cannot change the table
    assert not np.any(task.edge_cases[-1]["a"] == 99.0)


def test_edge_cases_must_be_a_tuple_of_dicts():
    base = TASKS["ex04_rel_error"]
    for bad in ([{"a": np.zeros(2), "b": np.zeros(2)}], ({"a": 1.0}, 2.0)):
        with pytest.raises(ValueError, match="edge_cases must be a tuple of dicts"):
            dataclasses.replace(base, edge_cases=bad)


@pytest.mark.parametrize("tid, what, src", SLIPS, ids=IDS)
def test_without_edge_cases_the_slip_passes_some_seed(tid, what, src):
    """The false pass the edge cases remove: without them, the random cases of some seed miss the slip."""
    fn, bare = _fn(src), dataclasses.replace(TASKS[tid], edge_cases=())
    assert any(_passes_check(fn, bare, s, n_cases=5) for s in SEEDS), f"{what}: fails every seed anyway"
    assert any(_grader_passes(fn, bare, s) for s in SEEDS), f"{what}: the grader fails it on every seed anyway"


@pytest.mark.parametrize("tid, what, src", SLIPS, ids=IDS)
def test_the_slip_fails_check_and_the_grader_on_every_seed(tid, what, src):
    fn, task = _fn(src), TASKS[tid]
    assert not _passes_check(fn, task, seed=0, n_cases=0), f"{what}: passes the edge cases alone"
    passed_check = [s for s in SEEDS if _passes_check(fn, task, s, n_cases=3)]
    assert passed_check == [], f"{what}: check() passes it with seeds {passed_check[:10]}"
    passed_grader = [s for s in SEEDS if _grader_passes(fn, task, s)]
    assert passed_grader == [], f"{what}: the grader passes it with seeds {passed_grader[:10]}"


@pytest.mark.parametrize("tid, what, src", SLIPS, ids=IDS)
def test_the_source_test_cell_fails_the_slip_too(tid, what, src):
    """nbgrader's side of the agreement: the task's own test cell (hidden tests included), run as nbgrader's
    autograde runs it after the setup, the slip and the other given cells, raises. (The full autograde is in
    tests/test_grading_nbgrader.py, with one slip per task.)"""
    nb = nbformat.read(str(source_path(ROOT, TASKS[tid].exercise)), as_version=4)
    name = re.search(r"def (\w+)\(", src).group(1)
    ns: dict = {"math": math}
    for c in nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if c.cell_type != "code" or meta.get("grade"):
            continue
        given = src if re.match(rf"def {name}\(", c.source) else c.source
        try:  # autograde runs on past a failing cell (a demo that calls the slip, say)
            exec(compile(given, "<cell>", "exec"), ns)
        except Exception:
            pass
    with pytest.raises(Exception) as failed:  # any error in a test cell costs its points
        exec(compile(_given_cell(TASKS[tid].exercise, tid), "<test cell>", "exec"), ns)
    assert not isinstance(failed.value, NameError), failed.value  # the cell ran, with the slip defined


def test_check_names_the_fixed_edge_case_it_failed_on(capsys):
    fn = _fn(SLIPS[[w for _, w, _ in SLIPS].index("no 0/0 rule")][2])
    assert check(fn, "ex04_rel_error", seed=0, n_cases=0) is False
    out = capsys.readouterr()
    assert "rel_error: not yet right, on a fixed edge case (a" in out.out, out.out
    assert out.err == ""  # the 0/0 RuntimeWarning is the learner's, recorded and dropped


def test_check_says_a_vector_only_central_difference_reaches_rows_not_entries(capsys):
    fn = _fn(SLIPS[IDS.index("ex04_central_difference-vector-only_loop")][2])
    assert check(fn, "ex04_central_difference", seed=0, n_cases=0) is False
    out = capsys.readouterr().out
    assert "has shape (2,), expected (2, 3): one value per row, not per entry" in out, out
    assert "x.flat[i]" in out, out


# ------------------------------------------------------------------------------------ through the real CLI
def _submission(source: Path, slips: list[str]) -> nbformat.NotebookNode:
    nb = release_with_solutions(nbformat.read(str(source), as_version=4))
    fns = {re.search(r"def (\w+)\(", s).group(1): s for s in slips}
    for c in nb.cells:
        m = re.match(r"def (\w+)\(", c.source)
        if c.cell_type == "code" and m and m.group(1) in fns:
            c.source = "import math\n" + fns.pop(m.group(1)).strip()
    assert not fns, f"no solution cell for {sorted(fns)}"
    return nb


CLI_CASES = {  # exercise -> one submission per slip of its tasks (each submission has one slip)
    ex: [(tid, src) for tid, _, src in SLIPS if TASKS[tid].exercise == ex]
    for ex in sorted({TASKS[tid].exercise for tid, _, _ in SLIPS})
}


@pytest.mark.parametrize("exercise", sorted(CLI_CASES))
def test_the_cli_gives_the_slipped_task_zero_on_every_seed(exercise, tmp_path):
    source = source_path(ROOT, exercise)
    subs = tmp_path / "subs"
    subs.mkdir()
    for j, (tid, src) in enumerate(CLI_CASES[exercise]):
        nbformat.write(_submission(source, [src]), str(subs / f"slip{j}.ipynb"))
    points = {t.id: t.points for t in TASKS.values() if t.exercise == exercise}
    for seed in (1, 2, 3):
        out = tmp_path / f"out{seed}"
        run = subprocess.run([sys.executable, "-m", "bpcourse.cli", "grade", str(source), str(subs), "--seed",
                              str(seed), "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=400)
        assert run.returncode == 0, run.stderr
        with open(out / "grades.csv", newline="") as f:
            rows = {r["file"]: r for r in csv.DictReader(f)}
        for j, (tid, _) in enumerate(CLI_CASES[exercise]):
            row = rows[f"slip{j}.ipynb"]
            fb = (out / "feedback" / f"slip{j}.txt").read_text()
            assert float(row[tid]) == 0.0, fb
            # the other tasks keep their points, also those whose solution calls the slipped function: that
            # function answers them through a stand-in (bpcourse.grading.standins)
            others = [k for k in points if k != tid]
            assert {k: float(row[k]) for k in others} == {k: float(points[k]) for k in others}, fb
            assert row["status"] == ("partial" if others else "failed"), fb
            assert f"[FAIL] {tid}" in fb and "some also on fixed edge cases" in fb, fb
