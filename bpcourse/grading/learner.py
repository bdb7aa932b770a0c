"""The one way a learner's function is called on a case: by the notebook self-check and by the sandbox worker.

:func:`call_learner` binds the case to the function's parameters (by keyword, else by position), calls it,
and turns whatever happened into an :class:`Outcome`: the exception (described by the learner's own
deepest frame), or the return value as plain :class:`~bpcourse.grading.returned.Returned` items, and the
input arrays as they are after the call. It never computes a reference and never judges: the self-check
compares the outcome with the reference in the learner's kernel, the batch grader in its trusted parent
process, which also decides itself whether an input was changed in place (from ``Outcome.after``: the
sandbox runs the submission's code, which could rewrite any verdict computed there).
The call runs under :func:`bpcourse.grading.cells.quiet`: the warnings it raises are recorded and dropped,
so ``check()`` prints none, wherever it is called.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from bpcourse.grading.cells import quiet
from bpcourse.grading.returned import Returned, exception_report, modified_inputs, normalize

__all__ = ["Outcome", "bind_call", "call_learner"]


@dataclass
class Outcome:
    """What one call of a learner's function did.

    Attributes
    ----------
    bind_error : str
        Non-empty when the function's signature does not fit the case (it was not called).
    error : dict or None
        :func:`~bpcourse.grading.returned.exception_report` of the exception it raised.
    note : str
        A sentence when the case was passed by position (parameters renamed).
    returned : Returned
        Its return value, normalised (empty when it raised).
    after : dict of str to ndarray
        The case's input arrays as they are after the call: what the batch grader's worker sends back, for
        its parent to compare with the pristine case.
    modified : list of str
        Input arrays it changed in place, for the self-check in the learner's own kernel (the batch grader
        never reads it: it decides from ``after``).
    """

    bind_error: str = ""
    error: dict[str, Any] | None = None
    note: str = ""
    returned: Returned = field(default_factory=Returned)
    after: dict[str, np.ndarray] = field(default_factory=dict)
    modified: list[str] = field(default_factory=list)


def bind_call(fn: Callable[..., Any], case: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any], str]:
    """How to call ``fn`` with a case: by keyword, else (parameters renamed) by position.

    Returns
    -------
    args, kwargs, note
        ``note`` is empty for a keyword call, a sentence when the call falls back to positions.

    Raises
    ------
    TypeError
        With the expected and the actual signature when neither way fits.
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins and odd callables: just try the keyword call
        return (), dict(case), ""
    try:
        sig.bind(**case)
        return (), dict(case), ""
    except TypeError:
        pass
    name = getattr(fn, "__name__", None) or type(fn).__name__
    expected = f"{name}({', '.join(case)})"
    try:
        sig.bind(*case.values())
    except TypeError:
        raise TypeError(f"wrong signature: the exercise calls {expected}, but yours is {name}{sig}. "
                        f"Keep the parameters of the given `def` line.") from None
    return tuple(case.values()), {}, (f"note: your parameters are named {name}{sig}, the exercise's are {expected}; "
                                      f"they were passed by position")


def call_learner(fn: Callable[..., Any], case: dict[str, Any], outputs: tuple[str, ...] | list[str],
                 is_learner: Callable[[str], bool], line_of: Callable[[str, int], str] | None = None,
                 catch: tuple[type[BaseException], ...] = (BaseException,)) -> Outcome:
    """Call ``fn`` on a copy of ``case`` and record what happened.

    Parameters
    ----------
    fn : callable
        The learner's function.
    case : dict
        Keyword arguments (left untouched: the function gets a deep copy).
    outputs : sequence of str
        ``Task.outputs``, to normalise the return value.
    is_learner : callable
        ``is_learner(filename)``: whether a traceback frame is the learner's code.
    line_of : callable, optional
        ``line_of(filename, lineno)``: a source line, for frames without a file.
    catch : tuple of exception types
        What counts as the learner's exception: everything in the sandbox; ``Exception`` in the
        self-check, so that interrupting the kernel still interrupts it.

    Returns
    -------
    Outcome
    """
    given = copy.deepcopy(case)
    try:
        args, kwargs, note = bind_call(fn, given)
    except TypeError as exc:
        return Outcome(bind_error=str(exc)[:500])
    try:
        with quiet():  # a RuntimeWarning from a right answer is no error: keep it off the learner's stderr
            value = fn(*args, **kwargs)
    except catch as exc:  # in the sandbox also SystemExit, KeyboardInterrupt: the learner's bug
        return Outcome(error=exception_report(exc, is_learner, line_of), note=note)
    if args:
        given = dict(zip(case, args))
    try:
        returned = normalize(value, outputs)
        after = {k: np.array(v, copy=True) for k, v in given.items() if isinstance(v, np.ndarray)}
    except BaseException as exc:  # noqa: BLE001  (a hostile __array__, __len__, __eq__ ...)
        err = {"type": type(exc).__name__, "message": f"its return value could not be read: {exc}"[:300],
               "filename": "", "lineno": 0, "line": ""}
        return Outcome(error=err, note=note)
    return Outcome(note=note, returned=returned, after=after, modified=modified_inputs(case, after))
