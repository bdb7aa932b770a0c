"""The spec table: every graded task of the exercise notebooks ``exercises/01_*.ipynb`` … ``09_*.ipynb``.

An index: each exercise's tasks, sandbox allowlist and withheld names live in one module of
:mod:`bpcourse.grading.specs` (``ex01_single_neuron`` … ``ex09_training_in_practice``), which reads as a
declarative table; this module assembles them under the names the grader and the tests use.

Each :class:`~bpcourse.grading.spec.Task` names the learner's function, a trusted reference (the
:mod:`bpcourse` implementation with the exercise's signature), a generator of fresh random cases (keyword
arguments of floats, ints and float64 arrays only), the named factors and known slips behind
"missing σ'(net) factor" / "σ'(o) instead of σ'(net)" diagnoses, the ``guards`` (the public ``bpcourse``
callables whose result *is* the answer, which raise inside the grading sandbox), the full ``solution`` (shown
only with ``bpcourse grade --feedback full``) and a ``description`` that teaches without giving it away.
``Task.id`` is also the nbgrader ``grade_id`` of the task's test cell and ``Task.points`` its points;
``tests/test_exercises.py`` checks that the notebooks and this table agree.

Every case is decisive on its own: a partly wrong answer fails on *every* draw, not on lucky ones (each
exercise module's docstring says how). What one draw can still miss is in each task's fixed ``edge_cases``,
graded on every run besides the random ones. Nothing here runs at ``import bpcourse``.

The sandbox's world: ``ALLOWLISTS`` holds, per exercise, the bpcourse names its cells import and nothing else
(:mod:`bpcourse.grading.facade` builds the learner's facade of bpcourse from exactly these; every other
bpcourse name, and every library but the standard library, numpy and matplotlib, raises ImportError there).
``WITHHELD`` holds names an exercise's cells import but its sandbox withholds, and why; each may appear only in
cells the grader never runs (hidden tests). ``tests/test_grading_allowlist.py`` checks both against the
notebooks' own imports.
"""
from __future__ import annotations

from bpcourse.grading.spec import Task
from bpcourse.grading.specs import (ex01_single_neuron, ex02_chain_rule, ex03_three_layer_chain,
                                    ex04_gradient_checking, ex05_two_hidden_neurons, ex06_fully_connected_layer,
                                    ex07_matrix_form, ex08_softmax_cross_entropy, ex09_training_in_practice)

# in course order: EXERCISES, and each exercise's tasks, follow it
_MODULES = (ex01_single_neuron, ex02_chain_rule, ex03_three_layer_chain, ex04_gradient_checking,
            ex05_two_hidden_neurons, ex06_fully_connected_layer, ex07_matrix_form, ex08_softmax_cross_entropy,
            ex09_training_in_practice)
_ALL: list[Task] = [task for module in _MODULES for task in module.TASKS]

TASKS: dict[str, Task] = {task.id: task for task in _ALL}
if len(TASKS) != len(_ALL):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate Task.id in bpcourse.grading.specs")
for _module in _MODULES:
    if any(task.exercise != _module.EXERCISE for task in _module.TASKS):  # pragma: no cover - guards the tables
        raise RuntimeError(f"{_module.__name__}: every task's exercise must be {_module.EXERCISE!r}")

EXERCISES: tuple[str, ...] = tuple(module.EXERCISE for module in _MODULES)
ALLOWLISTS: dict[str, tuple[str, ...]] = {module.EXERCISE: module.ALLOWLIST for module in _MODULES}
WITHHELD: dict[str, dict[str, str]] = {module.EXERCISE: module.WITHHELD for module in _MODULES
                                       if hasattr(module, "WITHHELD")}


def allowlist_for(exercise: str) -> tuple[str, ...]:
    """The bpcourse names the grading sandbox hands out for ``exercise`` (raises LookupError if unknown)."""
    if exercise not in ALLOWLISTS:
        raise LookupError(f"no allowlist for exercise {exercise!r}; expected one of {', '.join(ALLOWLISTS)}")
    return ALLOWLISTS[exercise]


def tasks_for(exercise: str) -> list[Task]:
    """The tasks of one exercise notebook, in notebook order, e.g. ``tasks_for("06_fully_connected_layer")``."""
    tasks = [task for task in _ALL if task.exercise == exercise]
    if not tasks:
        raise ValueError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISES)}")
    return tasks


__all__ = ["TASKS", "EXERCISES", "tasks_for", "ALLOWLISTS", "WITHHELD", "allowlist_for"]
