"""The public self-check a learner runs inside an exercise notebook.

>>> from bpcourse.grading import check
>>> check(dense_backward)            # doctest: +SKIP
dense_backward: public checks passed (3 random cases)

It runs the learner's function on a few fresh random cases (a new seed on every call, so hard-coding an
answer does not help) against the task's reference, and prints either "public checks passed" or one short
teaching paragraph per problem (see :mod:`bpcourse.grading.diagnose`). The batch grader runs the same
diagnosis on cases drawn from the instructor's seed, outside the learner's kernel.
"""

from __future__ import annotations

import copy
import difflib
import io
import os
import sys
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from bpcourse.grading.diagnose import describe_case, diagnose_case
from bpcourse.grading.returned import normalize
from bpcourse.grading.exactness import exact_bounds, inexact_outputs
from bpcourse.grading.raised import format_exception
from bpcourse.grading.learner import bind_call, call_learner
from bpcourse.grading.spec import Task
from bpcourse.grading.standin_tables import dependency, own_note, tables_for
from bpcourse.grading.standins import installed, own_calls

__all__ = ["check", "alone", "find_task", "bind_call", "evaluate_factors", "run_case"]

def _all_tasks() -> dict[str, Task]:
    from bpcourse.grading.tasks import TASKS  # the spec table, imported only when a check runs

    return dict(TASKS)


def _task_table(tasks: Iterable[Task] | None) -> dict[str, Task]:
    """The built-in task table with ``tasks`` laid over it: a given task overrides its id, and the earlier tasks
    a task uses still come from the built-in table."""
    return {**_all_tasks(), **{x.id: x for x in tasks or ()}}


def find_task(fn: Callable[..., Any] | str, task: str | None = None,
              tasks: Iterable[Task] | None = None) -> Task:
    """The task a function is checked against: by ``task`` id, else by the function's ``__name__``.

    Raises
    ------
    LookupError
        With the known task ids or function names closest to what was given.
    """
    table = {t.id: t for t in tasks} if tasks is not None else _all_tasks()
    if task is not None:
        if task in table:
            return table[task]
        close = difflib.get_close_matches(task, list(table), n=3)
        raise LookupError(f"no task with id {task!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    name = fn if isinstance(fn, str) else getattr(fn, "__name__", "")
    matches = [t for t in table.values() if t.function == name]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(sorted(t.id for t in matches))
        raise LookupError(f"several tasks grade a function named {name!r} ({ids}): say which, "
                          f"e.g. check({name}, task={sorted(t.id for t in matches)[0]!r})")
    close = difflib.get_close_matches(name, sorted({t.function for t in table.values()}), n=3)
    hint = f" The exercises grade functions named {', '.join(close)}: did you rename it?" if close else ""
    raise LookupError(f"no exercise task grades a function named {name!r}.{hint}")


def evaluate_factors(task: Task, case: dict[str, Any]) -> dict[str, Any]:
    """``{name: factor(case)}`` for the task's named factors; a factor that fails is skipped."""
    out = {}
    for name, f in task.factors.items():
        try:
            out[name] = f(copy.deepcopy(case))
        except Exception:  # a factor that does not apply to this case just cannot be diagnosed
            continue
    return out


def _ours(filename: str) -> bool:
    """Frames of bpcourse, numpy and the standard library: not the learner's code."""
    if filename.startswith("<frozen") or filename.startswith("<__array_function__"):
        return True
    roots = {os.path.dirname(os.path.dirname(os.path.abspath(__file__))), sys.prefix, sys.base_prefix,
             sys.exec_prefix}
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return any(path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def learner_namespace(fn: Callable[..., Any]) -> dict[str, Any] | None:
    """The globals a learner's function looks its earlier functions up in; None for bpcourse's own functions
    (a reference checked against itself) and for callables without globals."""
    code = getattr(fn, "__code__", None)
    namespace = getattr(fn, "__globals__", None)
    if code is None or namespace is None or _ours(code.co_filename):
        return None
    return namespace


def run_case(fn: Callable[..., Any], task: Task, case: dict[str, Any],
             table: Mapping[str, Task] | None = None) -> tuple[list[str], str]:
    """Call the learner's function on one case and diagnose it: (problems, note).

    The earlier graded functions ``task`` uses answer, on this case, with their right values
    (:mod:`bpcourse.grading.standins`), as in ``bpcourse grade``; ``table`` is the task table they come from.
    """
    ref = normalize(task.reference(**copy.deepcopy(case)), task.outputs)
    namespace = learner_namespace(fn)
    tables = tables_for(task, case, table if table is not None else _all_tasks()) if namespace is not None else []
    with installed(namespace if namespace is not None else {}, tables) as used:
        o = call_learner(fn, case, task.outputs, lambda f: not _ours(f), catch=(Exception,))
    if own_calls(used):
        o.note = "; ".join(filter(None, [o.note, own_note(task.function, own_calls(used))]))
    if o.bind_error:
        return [o.bind_error], ""
    if o.error is not None:  # the learner's bug, reported by the learner's own line
        return [format_exception(task.function, o.error)], o.note
    problems = diagnose_case(o.returned, ref, task.outputs, case, rtol=task.rtol,
                             factors=evaluate_factors(task, case), modified=o.modified, reference=task.reference)
    if not problems:  # within rtol: also as close as an exact formula lands, as bpcourse grade requires
        bounds = exact_bounds(task.reference, case, task.outputs, ref)
        if bounds is not None:
            problems = list(inexact_outputs(task.outputs, o.returned, ref, bounds).values())
    return problems, o.note


def _cases_run(n_random: int, n_edge: int) -> str:
    """"3 random cases", or "3 random cases, 2 fixed edge cases" when the task has edge cases."""
    said = f"{n_random} random case{'s' if n_random != 1 else ''}"
    return said + (f", {n_edge} fixed edge case{'s' if n_edge != 1 else ''}" if n_edge else "")


def check(fn: Callable[..., Any], task: str | None = None, *, n_cases: int = 3, seed: int | None = None,
          tasks: Iterable[Task] | None = None, file: Any = None) -> bool:
    """Check a learner's function against its task's reference on fresh random cases.

    Parameters
    ----------
    fn : callable
        The learner's function, e.g. ``dense_backward``.
    task : str, optional
        Task id (``"ex06_dense_backward"``); by default the task whose ``function`` is ``fn.__name__``.
    n_cases : int
        Number of random cases (3); the task's fixed ``edge_cases`` are checked after them. The first
        failing case is reported.
    seed : int, optional
        Seed of the cases; by default a fresh one on every call.
    tasks : iterable of Task, optional
        The task table (default: ``bpcourse.grading.tasks.TASKS``).
    file : file-like, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    bool
        True when every case passed. Prints "public checks passed" or the diagnosis.

    Notes
    -----
    Inside the grading sandbox this ``check`` is absent: the exercise's facade of ``bpcourse`` holds a
    ``check`` that does nothing and says so (``bpcourse/grading/facade_src``), and the grade comes from the
    grader.
    """
    out = file if file is not None else sys.stdout
    try:
        t = find_task(fn, task, tasks)
    except LookupError as exc:
        print(f"cannot check: {exc}", file=out)
        return False
    if not callable(fn):
        print(f"cannot check: expected a function, got a {type(fn).__name__}", file=out)
        return False
    table = _task_table(tasks)
    rng = np.random.default_rng(seed)
    note = ""
    for j, case in enumerate(t.draw_cases(rng, n_cases)):  # the random cases, then the fixed edge cases
        problems, note = run_case(fn, t, case, table)
        if problems:
            kind = "a random case" if j < n_cases else "a fixed edge case"
            lines = [f"{t.function}: not yet right, on {kind} ({describe_case(case)}):"]
            lines += [f"  - {p}" for p in problems]
            if note:
                lines.append(f"  ({note})")
            print("\n".join(lines), file=out)
            return False
    print(f"{t.function}: public checks passed ({_cases_run(n_cases, len(t.edge_cases))})"
          + (f"\n  ({note})" if note else "")
          + "".join(f"\n  ({n})" for n in _dependency_notes(fn, t, table, n_cases)), file=out)
    return True


def _dependency_notes(fn: Callable[..., Any], t: Task, table: Mapping[str, Task], n_cases: int) -> list[str]:
    """For each earlier graded function ``t`` uses that is not yet right: a sentence saying this check did not
    depend on it (it was checked with the right values in its place)."""
    namespace = learner_namespace(fn)
    if namespace is None:
        return []
    notes = []
    for name in t.uses:
        own = namespace.get(name)
        dep = dependency(t, name, table)
        right = callable(own) and check(own, dep.id, n_cases=n_cases, tasks=table.values(), file=io.StringIO())
        if not right:
            notes.append(f"checked with the right values of `{name}` in its place: your `{name}` is "
                         f"{'not yet right' if callable(own) else 'not defined yet'} (check({name}) says why), "
                         f"and this check does not depend on it")
    return notes


def alone(fn: Callable[..., Any], task: str | None = None, *,
          tasks: Iterable[Task] | None = None) -> Callable[..., Any]:
    """``fn`` as its task is judged: the earlier graded functions it calls answer with their right values.

    ``alone(mlp_backward)(X, T, W1, b1, W2, b2)`` calls the learner's ``mlp_backward`` with stand-ins for the
    ``output_delta`` and ``hidden_delta`` it calls (:mod:`bpcourse.grading.standins`), as ``check`` and
    ``bpcourse grade`` do; so an exercise's own asserts, too, judge a task alone. A function whose task uses
    no earlier function is called as it is.

    Parameters
    ----------
    fn : callable
        The learner's function.
    task : str, optional
        Its task id; by default the task whose ``function`` is ``fn.__name__``.
    tasks : iterable of Task, optional
        The task table (default: ``bpcourse.grading.tasks.TASKS``).

    Returns
    -------
    callable
        Takes the task's arguments, by position or keyword, and returns what ``fn`` returns.
    """
    t = find_task(fn, task, tasks)
    table = _task_table(tasks)
    params = list(t.make_case(np.random.default_rng(0)))  # the exercise's parameter names, in order

    def call(*args: Any, **kwargs: Any) -> Any:
        if len(args) > len(params):
            raise TypeError(f"{t.function} takes {len(params)} arguments ({', '.join(params)}), got {len(args)}")
        case = dict(zip(params, args), **kwargs)
        missing = [p for p in params if p not in case]
        if missing or set(case) - set(params):
            raise TypeError(f"{t.function} takes ({', '.join(params)}); got ({', '.join(case)})")
        namespace = learner_namespace(fn)
        if namespace is None or not t.uses:
            return fn(*args, **kwargs)
        with installed(namespace, tables_for(t, case, table)):
            return fn(*args, **kwargs)

    call.__name__ = f"alone({t.function})"
    return call
