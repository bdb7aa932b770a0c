"""The graded-task specification shared by the exercises and the grading engine.

A :class:`Task` names the learner's function, the trusted reference, a generator
of fresh random cases and the named factors the engine uses to diagnose
"missing σ'(net) factor"-type mistakes. The spec table itself lives in
``bpcourse.grading.tasks`` (``TASKS`` and ``tasks_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["Task"]


@dataclass(frozen=True)
class Task:
    """One graded task: a learner function checked against a trusted reference.

    Attributes
    ----------
    id : str
        Unique id, also the nbgrader ``grade_id`` of the task's autograded test
        cell, e.g. ``"ex06_dense_backward"``.
    exercise : str
        Notebook stem in ``exercises/``, e.g. ``"06_fully_connected_layer"``.
    function : str
        Name of the learner's function, e.g. ``"dense_backward"``.
    points : int
        Equals the nbgrader ``points`` of the task's test cell.
    reference : callable
        Trusted implementation: ``reference(**case) -> output``.
    make_case : callable
        ``make_case(rng) -> dict`` of keyword arguments for the function (floats,
        ints and arrays only, so a case can cross a process boundary).
    outputs : tuple of str
        Names of the outputs, e.g. ``("dx", "dW", "db")`` when the function
        returns a tuple; ``("out",)`` for a single output.
    factors : mapping of str to callable
        Named factors ``factor(case) -> float or array`` for "missing/extra
        factor" diagnoses: a learner output equal to ``reference / factor``
        (or ``reference * factor``) is diagnosed "missing <name> factor" (or
        "extra <name> factor"). The factor must broadcast to the output's shape;
        for a task with several outputs it may instead return a dict keyed by
        output name (``{"delta": σ'(net)}``) to apply to those outputs only.
    rtol : float
        Relative error (``bpcourse.gradcheck.rel_error``) allowed per output.
    description : str
        One line shown in feedback.
    """

    id: str               # unique, also the nbgrader grade_id of the task's autograded test cell, e.g. "ex06_dense_backward"
    exercise: str         # notebook stem in exercises/, e.g. "06_fully_connected_layer"
    function: str         # name of the learner's function, e.g. "dense_backward"
    points: int           # equals the nbgrader "points" of the task's test cell
    reference: Callable[..., Any]              # trusted implementation: reference(**case) -> output
    make_case: Callable[[np.random.Generator], dict[str, Any]]   # a fresh random case: keyword args for the function
    outputs: tuple[str, ...] = ("out",)        # names of the outputs, e.g. ("dx", "dW", "db") when it returns a tuple
    factors: Mapping[str, Callable[[dict[str, Any]], Any]] = field(default_factory=dict)
    rtol: float = 1e-6    # relative error (bpcourse.gradcheck.rel_error) allowed per output
    description: str = ""  # one line shown in feedback
