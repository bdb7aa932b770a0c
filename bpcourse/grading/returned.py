"""What a learner's function returned, as plain records that can cross a process boundary.

The one part of the diagnosis the grading sandbox needs: :func:`normalize` turns a return value into
:class:`Item` records (arrays, numbers, or a short text), :func:`modified_inputs` names the input arrays a call
changed, :func:`exception_report` describes an exception by the learner's own deepest frame. Nothing here
compares with a reference or judges: that is :mod:`bpcourse.grading.diagnose`, which runs only where the
reference does (the learner's kernel for ``check()``, the trusted parent for ``bpcourse grade``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["Item", "Returned", "normalize", "modified_inputs", "exception_report", "NUMERIC_KINDS", "type_name",
           "shape_text"]

NUMERIC_KINDS = "biufc"


@dataclass
class Item:
    """One returned value in a form that can cross a process boundary.

    Attributes
    ----------
    kind : str
        ``"array"`` (a numpy array), ``"scalar"`` (a Python or numpy number), ``"sequence"`` (a list or
        tuple of numbers, converted to ``array``), ``"none"`` or ``"other"`` (anything else).
    type_name : str
        What the learner returned, for messages: ``"numpy.ndarray"``, ``"float"``, ``"list"``, ``"dict"``…
    array : numpy.ndarray or None
        The numeric value (0-d for scalars), with the learner's dtype; None for ``"none"``/``"other"``.
    text : str
        A short repr for ``"other"`` values.
    """

    kind: str
    type_name: str
    array: np.ndarray | None = None
    text: str = ""


@dataclass
class Returned:
    """A learner's whole return value: one :class:`Item` per expected output, or a structure error."""

    items: list[Item] = field(default_factory=list)
    structure_error: str = ""


def type_name(value: object) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _normalize_item(value: object) -> Item:
    name = type_name(value)
    if value is None:
        return Item("none", "None")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in NUMERIC_KINDS:
            return Item("array", name, np.array(value, copy=True))
        return Item("other", f"numpy.ndarray of dtype {value.dtype}", text=_short_repr(value))
    if isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        return Item("scalar", name, np.asarray(value))
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.dtype.kind in NUMERIC_KINDS:
            return Item("sequence", name, arr)
        return Item("other", name, text=_short_repr(value))
    return Item("other", name, text=_short_repr(value))


def _short_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile or broken __repr__ must not break the diagnosis
        text = f"<{type_name(value)}>"
    return text if len(text) <= 80 else text[:77] + "..."


def normalize(value: object, outputs: Sequence[str]) -> Returned:
    """Turn a function's return value into one :class:`Item` per expected output.

    Parameters
    ----------
    value : object
        What the function returned.
    outputs : sequence of str
        ``Task.outputs``: one name means a single value is expected, several mean a tuple of that length.

    Returns
    -------
    Returned
        ``items`` (``len(outputs)`` of them) or a ``structure_error`` message.
    """
    n = len(outputs)
    if n == 1:
        return Returned([_normalize_item(value)])
    names = ", ".join(outputs)
    if value is None:
        return Returned(structure_error=f"returned None, expected the {n} values ({names}): "
                                        f"did you forget the `return` statement?")
    if not isinstance(value, (tuple, list)):
        return Returned(structure_error=f"returned a single {type_name(value)}, expected a tuple of {n} "
                                        f"values: `return {names}`")
    if len(value) != n:
        return Returned(structure_error=f"returned {len(value)} values, expected {n}: `return {names}`")
    return Returned([_normalize_item(v) for v in value])


def shape_text(shape: tuple[int, ...]) -> str:
    """``(2, 3)``, ``(4,)``, ``()``: a shape as Python writes it."""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def modified_inputs(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Names of the arrays in ``after`` whose contents differ from ``before`` (NaN equals NaN)."""
    changed = []
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            w = after.get(k)
            if (not isinstance(w, np.ndarray) or w.shape != v.shape or w.dtype != v.dtype
                    or not np.array_equal(w, v, equal_nan=v.dtype.kind in "fc")):
                changed.append(k)
    return changed


def exception_report(exc: BaseException, is_learner: Any, line_of: Any = None) -> dict[str, Any]:
    """Describe an exception by the learner's own deepest frame, not by ours or numpy's.

    Parameters
    ----------
    exc : BaseException
        The exception raised by the learner's function.
    is_learner : callable
        ``is_learner(filename) -> bool``: whether a traceback frame belongs to the learner's code.
    line_of : callable, optional
        ``line_of(filename, lineno) -> str``: the source line (default: :mod:`linecache`).

    Returns
    -------
    dict
        ``type``, ``message``, ``filename``, ``lineno`` (0 when no learner frame) and ``line``.
    """
    import linecache
    import traceback

    frames = [fs for fs in traceback.extract_tb(exc.__traceback__) if is_learner(fs.filename)]
    report: dict[str, Any] = {"type": type(exc).__name__, "message": _exc_message(exc)[:500],
                              "filename": "", "lineno": 0, "line": ""}
    if frames:
        fs = frames[-1]
        line = line_of(fs.filename, fs.lineno) if line_of else linecache.getline(fs.filename, fs.lineno or 0)
        report.update(filename=fs.filename, lineno=int(fs.lineno or 0), line=(line or "").strip()[:200])
    return report


def _exc_message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a broken __str__
        return ""
