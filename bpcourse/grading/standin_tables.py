"""The stand-ins' tables, computed on the trusted side from the task table (see :mod:`bpcourse.grading.standins`).

For one case of a task, each function the task ``uses`` gets a table: the calls the reference's own composition
makes on that case (``Task.uses[name](case)``) and, for each, the earlier task's reference output. The grader's
parent computes them once per case and sends them with the case; the self-check computes them in the kernel.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

from bpcourse.grading.spec import Task
from bpcourse.grading.standins import Table

__all__ = ["tables_for", "dependency", "own_note"]


def dependency(task: Task, name: str, tasks: Mapping[str, Task]) -> Task:
    """The task of ``task``'s exercise that grades the function ``name`` (LookupError if there is none)."""
    for other in tasks.values():
        if other.exercise == task.exercise and other.function == name:
            return other
    raise LookupError(f"task {task.id} uses {name!r}, but no task of exercise {task.exercise} grades a function "
                      f"of that name; fix Task.uses")


def tables_for(task: Task, case: dict[str, Any], tasks: Mapping[str, Task]) -> list[Table]:
    """The stand-in tables of one case of ``task``: per function it uses, the calls and their reference values.

    Parameters
    ----------
    task : Task
        The later task, e.g. ``ex07_mlp_backward``.
    case : dict
        One of its cases (not modified).
    tasks : mapping of str to Task
        The task table, to find each used function's own task and reference.

    Returns
    -------
    list of (name, params, [(kwargs, output)])
        ``params`` are the keyword names in the order ``Task.uses`` lists them (the exercise's signature).
    """
    tables: list[Table] = []
    for name, calls_of in task.uses.items():
        dep = dependency(task, name, tasks)
        calls = [(kwargs, dep.reference(**copy.deepcopy(kwargs))) for kwargs in calls_of(copy.deepcopy(case))]
        params = tuple(calls[0][0]) if calls else ()
        tables.append((name, params, calls))
    return tables


def own_note(function: str, own: Sequence[str]) -> str:
    """Why a result depended on the learner's own earlier functions: their stand-ins were called otherwise."""
    names = ", ".join(f"`{n}`" for n in own)
    return (f"{function} called your own {names} with arguments other than the ones this case gives it, so "
            f"this result also depends on your {names}")
