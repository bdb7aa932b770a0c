"""What the learner's function raised, said in the course's words: the exception, the learner's own line, a hint.

:func:`format_exception` turns an :func:`~bpcourse.grading.returned.exception_report` (made where the function
ran: the learner's kernel or the grading sandbox) into the feedback's sentence, with a hint for the exceptions
learners meet most (the stub, shapes that do not fit a product or a broadcast, a reduction without keepdims, a
name used before it is defined).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

__all__ = ["format_exception"]


def format_exception(fn_name: str, report: Mapping[str, Any], where: str = "") -> str:
    """``dense_backward raised ValueError: ... — at line 4: `dW = x @ dy``` with a hint when we have one."""
    kind, msg = report.get("type", "Exception"), report.get("message", "")
    text = f"{fn_name} raised {kind}" + (f": {msg}" if msg else "")
    if report.get("lineno"):
        text += f"\n    at {where or 'line ' + str(report['lineno'])}: `{report.get('line', '')}`"
    hint = _exception_hint(kind, msg)
    return text + (f"\n    hint: {hint}" if hint else "")


def _exception_hint(kind: str, msg: str) -> str:
    if kind == "NotImplementedError":
        return "the stub `raise NotImplementedError()` is still there: replace it with your code"
    if "could not be broadcast" in msg and re.search(r"\(\d+,1\)", msg):
        return ("a (k, 1) column broadcasts along the wrong axis: b[:, None] (or keepdims on the wrong axis) puts "
                "one value per row, i.e. per sample, where one value per column (per unit) belongs")
    if "could not be broadcast" in msg and re.search(r"\(\d+,\)", msg) and re.search(r"\(\d+,\d+\)", msg):
        return ("two arrays' shapes do not fit: a reduction such as .max(axis=1) or .sum(axis=1) without "
                "keepdims=True drops the axis, so its (n,) no longer lines up with the rows of an (n, C) array; "
                "use keepdims=True")
    if "matmul" in msg or "shapes" in msg and "not aligned" in msg:
        return ("two arrays' shapes do not fit in a matrix product: print their .shape just before this line; "
                "W has shape (n_out, n_in) (W[j, i] = w_ji, from unit i into unit j), so the forward pass "
                "multiplies by W.T and the backward pass by W")
    if "could not be broadcast" in msg:
        return "two arrays' shapes do not fit: print their .shape just before this line"
    if kind == "NameError":
        return "a name is used before it is defined (or misspelled); run the cells above first"
    if kind == "MemoryError":
        return "the function tried to allocate more memory than allowed: look for an array built from a huge shape"
    if kind in ("KeyboardInterrupt", "SystemExit"):
        return "the function stopped the program instead of returning a value"
    return ""
