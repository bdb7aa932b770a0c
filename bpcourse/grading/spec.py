"""The graded-task specification shared by the exercises and the grading engine.

A :class:`Task` names the learner's function, the trusted reference, a generator
of fresh random cases and the named factors the engine uses to diagnose
"missing σ'(net) factor"-type mistakes. The spec table itself lives in
``bpcourse.grading.tasks`` (``TASKS`` and ``tasks_for``).
"""

from __future__ import annotations

import copy
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
        A factor function may instead return a :class:`bpcourse.grading.diagnose.Slip`
        (or a list of them): a known wrong answer and the sentence that names it.
    rtol : float
        Relative error (``bpcourse.gradcheck.rel_error``) allowed per output.
    description : str
        One line shown in feedback.
    guards : tuple of str
        Dotted names of the ``bpcourse`` callables that compute this task's reference, e.g.
        ``("bpcourse.activations.softmax", "bpcourse.layers.Dense.backward")`` (a module-level function, or
        ``Class.method``): documentation of where the answer lives, and part of a run's key. The grading
        sandbox does not rely on it: there, bpcourse holds only the exercise's allowlist
        (``bpcourse.grading.tasks.ALLOWLISTS``, :mod:`bpcourse.grading.facade`), so none of these exist.
    solution : str
        The full solution formula (e.g. ``"dW = doutᵀ x, db = Σ_s dout[s]"``), printed in the graded
        feedback only with ``bpcourse grade --feedback full`` (the default, ``hints``, leaves it out).
    edge_cases : tuple of dict
        Fixed cases (keyword arguments, as ``make_case`` returns them) graded on every run in addition to the
        random ones, by the batch grader (after the cases drawn from the seed) and by ``check()``. They hold
        what a random draw may miss (both branches of a max gate, 0/0, each value of a 0/1 target, each
        array rank), so that a partly wrong answer fails on every seed, not only on unlucky draws.
    uses : mapping of str to callable
        The earlier graded functions of the same exercise that this task's function calls, each with
        ``calls(case) -> list of dict``: the keyword arguments the reference's own composition passes to it on
        ``case`` (e.g. ``{"output_delta": lambda c: [{"net": ..., "T": c["T"]}]}``). While a case of this task
        runs, the learner's earlier function is replaced by a stand-in that answers exactly those calls with
        the earlier task's reference values (:mod:`bpcourse.grading.standins`), so a slip in the earlier
        function costs only the earlier task's points.
    weights : tuple of float
        Relative weight of each output for per-output partial credit (``bpcourse grade --partial-credit``),
        one per name in ``outputs``; empty means equal weights. Without ``--partial-credit`` a task earns
        all its points or none, as its nbgrader test cell does.
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
    guards: tuple[str, ...] = ()   # bpcourse callables computing the reference (absent from the sandbox)
    solution: str = ""    # full solution formula, shown only with --feedback full
    weights: tuple[float, ...] = ()  # per-output weights for --partial-credit; () = equal
    edge_cases: tuple[dict[str, Any], ...] = ()  # fixed cases graded on every run besides the random ones
    uses: Mapping[str, Callable[[dict[str, Any]], list[dict[str, Any]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.weights and len(self.weights) != len(self.outputs):
            raise ValueError(f"task {self.id}: weights has {len(self.weights)} entries, outputs "
                             f"{len(self.outputs)} ({', '.join(self.outputs)}); give one weight per output")
        if any(not isinstance(w, (int, float)) or w < 0 for w in self.weights):
            raise ValueError(f"task {self.id}: weights must be non-negative numbers, got {self.weights}")
        if not isinstance(self.edge_cases, tuple) or not all(isinstance(c, dict) for c in self.edge_cases):
            raise ValueError(f"task {self.id}: edge_cases must be a tuple of dicts (keyword arguments of the "
                             f"function), got {type(self.edge_cases).__name__}")
        if self.function in self.uses:
            raise ValueError(f"task {self.id}: a function cannot stand in for itself (uses names {self.function!r})")
        for g in self.guards:
            if not (isinstance(g, str) and g.startswith("bpcourse.") and g.count(".") >= 2):
                raise ValueError(f"task {self.id}: guard {g!r} must be a dotted name such as "
                                 f"'bpcourse.activations.softmax' or 'bpcourse.layers.Dense.backward'")

    def draw_cases(self, rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
        """The cases a task is graded on: ``n`` drawn by ``make_case(rng)``, then (copies of) ``edge_cases``.

        The one place the self-check and the batch grader get their cases from, so both grade the same kind.
        """
        return [self.make_case(rng) for _ in range(n)] + [copy.deepcopy(c) for c in self.edge_cases]

    def output_weights(self) -> tuple[float, ...]:
        """The weights of ``outputs``, normalised to sum 1 (equal when ``weights`` is empty)."""
        w = self.weights or (1.0,) * len(self.outputs)
        total = float(sum(w))
        return tuple(float(x) / total for x in w) if total > 0 else (1.0 / len(w),) * len(w)
