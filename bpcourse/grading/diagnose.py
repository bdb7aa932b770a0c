"""Compare a learner's outputs with the reference and say *what* is wrong: the judge's rules.

Used by the notebook self-check (:mod:`bpcourse.grading.selfcheck`, in the learner's kernel) and by the
batch grader (in the trusted parent, on outputs sent back by the sandbox). Both first turn whatever the
learner's function returned into plain :class:`~bpcourse.grading.returned.Item` records
(:func:`~bpcourse.grading.returned.normalize`, the one part the sandbox holds), so the same diagnosis runs
on a live return value and on one that crossed a process boundary as arrays.

The diagnoses, in the order they are tried: wrong structure (None, wrong number of values, outputs in the
wrong order); a known slip of the task (:class:`Slip`: σ'(o) instead of σ'(net), a step uphill, Adam's m̂
returned as its state, ...), named by what the learner did; then per output: wrong type, a float32 result
(one message, "compute in float64", whenever the values are right to float32's precision), NaN/inf, wrong
shape (the transpose; one row per sample instead of a sum over the batch; keepdims; a sum over the other
axis; the same entries laid out differently), sign flipped, the transpose of a square matrix, a missing or
extra named factor (``Task.factors``, e.g. σ'(net)), off by a constant factor, off by the same row for every
sample (a forgotten bias). What none of these explains goes to the general reasoning of
:mod:`bpcourse.grading.explain`: the reference re-run with one change (an input zeroed, swapped, transposed,
negated, off by one), a stale value, a term counted twice; and only when nothing explains it, the first
differing entry and what it depends on. A function that changed one of its input arrays in place fails too.
Every comparison uses :func:`bpcourse.gradcheck.rel_error`. No message gives the full solution formula: that
is ``Task.solution``'s job, shown only when the instructor asks for it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from bpcourse.gradcheck import rel_error
from bpcourse.grading.explain import close as _close
from bpcourse.grading.explain import depends_on, explain
from bpcourse.grading.returned import NUMERIC_KINDS, Item, Returned, normalize, shape_text

__all__ = ["Slip", "diagnose_case", "format_value", "describe_case", "FLOAT_POLICY"]

_NUMERIC_KINDS = NUMERIC_KINDS
_shape = shape_text
#: The one float policy: the exercises compute in float64; a narrower float is answered with this, once.
FLOAT_POLICY = "compute in float64"


class _Verdict:
    """What the per-output rules made of one output, when it is not a message: passed, float, unexplained."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


PASSED, NARROW_FLOAT, UNEXPLAINED = _Verdict("passed"), _Verdict("narrow float"), _Verdict("unexplained")


class Slip:
    """A known wrong answer of a task, and what to tell the learner who gave it.

    A task's factor function (``Task.factors``) may return a Slip (or a list of them) instead of a factor:
    ``Slip({"w": w + eta * g}, "steps in the wrong direction: ...")``. When the learner's outputs named in
    ``outputs`` all equal the slip's values (and differ from the reference), the diagnosis of those outputs is
    ``message``, e.g. "w and b: your answer steps in the wrong direction: ...".

    Parameters
    ----------
    outputs : mapping of output name to value, or one value
        The slip's value for some of the task's outputs; a bare value stands for a single-output task's
        result.
    message : str
        Completes the sentence "your answer ..." (lower case, no full stop), e.g. "steps in the wrong
        direction: ..."; it names the slip and the idea that fixes it, without the full solution formula.
    """

    __slots__ = ("outputs", "message")

    def __init__(self, outputs: Mapping[str, Any] | Any, message: str) -> None:
        self.outputs = dict(outputs) if isinstance(outputs, Mapping) else {"out": outputs}
        self.message = message

    def __repr__(self) -> str:
        return f"Slip({sorted(self.outputs)}, {self.message[:40]!r})"


def format_value(x: float) -> str:
    """A number at 4 significant digits, for messages."""
    return f"{x:.4g}"


def describe_case(case: Mapping[str, Any]) -> str:
    """``x: shape (4, 3), W: shape (2, 3), lr: 0.1`` — the shapes of a case's arrays and its scalars' values.

    A shape is always written "shape (2, 2)", so it cannot be read as a value next to "b: -0.49".
    """
    parts = []
    for k, v in case.items():
        arr = np.asarray(v)
        if arr.ndim:
            parts.append(f"{k}: shape {_shape(arr.shape)}")
        elif arr.dtype.kind in _NUMERIC_KINDS:
            parts.append(f"{k}: {format_value(float(arr.real))}")
        else:
            parts.append(f"{k}: {v!r}")
    return ", ".join(parts)


def _batch_sizes(case: Mapping[str, Any], all_sizes: bool = False) -> set[int]:
    """Candidate batch sizes n: the first axis of every 2-D array in the case (of more than one sample,
    unless ``all_sizes``)."""
    return {int(np.shape(v)[0]) for v in case.values()
            if np.ndim(v) == 2 and (all_sizes or np.shape(v)[0] > 1)}


def _simple_fraction(c: float) -> tuple[Fraction, bool]:
    """|c| as p/q with q ≤ 32, and whether that is exact (to 1e-6 relative) and simple: one of p, q at most 4.

    Fractions such as 64/21 lie within 1e-6 of a few percent of all ratios of random numbers; only a small
    numerator or denominator (2, ½, 1/n, n/2, ...) is a likely slip.
    """
    a = abs(c)
    frac = Fraction(a).limit_denominator(32)
    simple = min(frac.numerator, frac.denominator) <= 4
    return frac, simple and abs(float(frac) - a) <= 1e-6 * a


def _factor_text(c: float, case: Mapping[str, Any]) -> str:
    """Explain "your value is c × the expected one" with the likely cause."""
    sign = "−" if c < 0 else ""
    a = abs(c)
    frac, exact = _simple_fraction(c)
    if exact and frac.denominator == 1:
        how = f"{sign}{frac.numerator} × the expected value"
    elif exact and frac.numerator == 1:
        how = f"{sign}1/{frac.denominator} of the expected value"
    elif exact:
        how = f"{sign}{frac.numerator}/{frac.denominator} × the expected value"
    else:
        how = f"{format_value(c)} × the expected value"
    hints = []
    ns = _batch_sizes(case)
    if exact and a in (2.0, 0.5) and any(k in case for k in ("eps", "h")):
        hints.append("a central difference divides by the whole step between its two points, 2ε: is the 2 "
                     "missing (or doubled)?")
    elif exact and frac.denominator == 1 and frac.numerator in ns:
        hints.append(f"the batch has n = {frac.numerator} samples: did you sum over the batch where the loss "
                     f"takes the mean (divide by n)?")
    elif exact and frac.numerator == 1 and frac.denominator in ns:
        hints.append(f"the batch has n = {frac.denominator} samples: did you divide by n where the expected "
                     f"value is a sum (or divide twice)?")
    elif exact and a in (2.0, 0.5):
        hints.append("a factor 2 comes from a term counted twice, or from the ½ in E = ½ Σ (y − t)² (its "
                     "derivative is (y − t), not 2 (y − t))")
    if c < 0:
        hints.append("the sign is flipped too")
    tail = f": {'; '.join(hints)}" if hints else ": look for a constant you multiply or divide by"
    return f"is {how}{tail}"


def _first_index(got: np.ndarray, ref: np.ndarray) -> tuple[int, ...]:
    """The first entry (in C order) where ``got`` and ``ref`` differ beyond rounding."""
    with np.errstate(all="ignore"):
        diff = np.abs(got - ref)
        scale = np.abs(ref) + np.abs(got)
        bad = diff > 1e-8 * np.maximum(scale, 1e-300)
    if got.ndim == 0:
        return ()
    return tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else tuple(0 for _ in got.shape)


def _first_difference(got: np.ndarray, ref: np.ndarray, name: str) -> str:
    idx = _first_index(got, ref)
    if got.ndim == 0:
        return f"{name} = {format_value(float(got.real))}, expected {format_value(float(ref.real))}"
    where = ", ".join(str(i) for i in idx)
    name = name[4:] if name.startswith("the ") else name
    return (f"first difference at {name}[{where}]: {format_value(float(got[idx].real))}, "
            f"expected {format_value(float(ref[idx].real))}")


def _is_slip(value: Any) -> bool:
    return isinstance(value, Slip) or (isinstance(value, (list, tuple)) and bool(value)
                                       and all(isinstance(v, Slip) for v in value))


def _slips(factors: Mapping[str, Any]) -> list[Slip]:
    out: list[Slip] = []
    for value in factors.values():
        if isinstance(value, Slip):
            out.append(value)
        elif _is_slip(value):
            out.extend(value)
    return out


def _factor_arrays(factors: Mapping[str, Any], name: str) -> list[tuple[str, np.ndarray]]:
    out = []
    for fname, value in factors.items():
        if _is_slip(value):
            continue
        if isinstance(value, Mapping):  # per-output factors: {"dW": ..., "db": ...}
            if name not in value:
                continue
            value = value[name]
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        out.append((fname, arr))
    return out


def _nonfinite(name: str, got: np.ndarray) -> str | None:
    n_nan, n_inf = int(np.isnan(got).sum()), int(np.isinf(got).sum())
    if not (n_nan or n_inf):
        return None
    what = " and ".join(p for p in (f"{n_nan} NaN" if n_nan else "", f"{n_inf} inf" if n_inf else "") if p)
    first = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0]) if got.ndim else ()
    bare = name[4:] if name.startswith("the ") else name
    at = f" (first at {bare}[{', '.join(map(str, first))}])" if first else ""
    return (f"{name} contains {what} value{'s' if n_nan + n_inf > 1 else ''}{at}: look for 0/0, log(0), "
            f"exp overflow (use a stable formula), or an array made with np.empty and never filled")


def _shape_problem(name: str, got: np.ndarray, ref: np.ndarray, tol: float, case: Mapping[str, Any]) -> str:
    """Why an output has the wrong shape: transposed, a kept axis, reduced over the other axis, laid out anew."""
    head = f"{name} has shape {_shape(got.shape)}, expected {_shape(ref.shape)}"
    if got.ndim == 2 and ref.ndim == 2 and got.shape == ref.shape[::-1]:
        if _close(got.T, ref, tol):
            return f"{head}: it is the transpose of the right answer. {_transpose_hint(name)}"
        return f"{head}: did you transpose? (even transposed, the values differ)"
    if got.size == ref.size and 1 in got.shape and _close(got.reshape(ref.shape), ref, tol) \
            and tuple(s for s in got.shape if s != 1) == tuple(s for s in ref.shape if s != 1):
        return (f"{head}: the values are right, but the summed axis was kept (keepdims=True, or a (k, 1) column): "
                f"{name} has the shape {_shape(ref.shape)} of what it belongs to; sum without keepdims")
    if got.ndim == ref.ndim + 1 and got.shape[1:] == ref.shape:
        if _close(got.sum(axis=0), ref, tol):
            return (f"{head}: you kept one row per sample; sum over the batch axis "
                    f"(`.sum(axis=0)`) to get the expected value")
        if _close(got.mean(axis=0), ref, tol):
            return (f"{head}: you kept one row per sample; average over the batch axis "
                    f"(`.mean(axis=0)`) to get the expected value")
        return f"{head}: you kept an extra leading axis (one row per sample?); reduce over axis 0"
    if got.ndim == 1 and ref.ndim == 1 and got.shape[0] in _batch_sizes(case, all_sizes=True):
        return (f"{head}: one value per sample (n = {got.shape[0]}), where {name} has one value per unit: "
                f"you summed over the wrong axis (axis=1, the units); sum over the samples, axis=0")
    if got.ndim == 1 and ref.ndim == 2 and got.shape[0] == ref.shape[0]:  # a vector-only loop on a matrix
        return (f"{head}: one value per row, not per entry; a loop over range(len(x)) with x[i] reaches "
                f"the rows of a matrix, while x.size and x.flat[i] reach every entry of any shape")
    if got.size == ref.size:
        if _close(got.reshape(ref.shape), ref, tol):
            return (f"{head}: the values are right but laid out differently; reshape to "
                    f"{_shape(ref.shape)} (watch for an accidental ravel/flatten or a (n, 1) column)")
        return f"{head}: the same number of entries, in a different layout (check reshape/ravel/keepdims)"
    return (f"{head}: an output has the shape the docstring gives ({_shape(ref.shape)}); print the shapes of "
            f"what you combine to see where the {_shape(got.shape)} comes from")


def _diagnose_values(name: str, got: np.ndarray, ref: np.ndarray, tol: float, case: Mapping[str, Any],
                     factors: Sequence[tuple[str, np.ndarray]]) -> str | _Verdict:
    """The value rules for a float64 array of the right type: a message, PASSED, or UNEXPLAINED (wrong values
    none of these rules explains: left to :mod:`bpcourse.grading.explain`)."""
    bad = _nonfinite(name, got)
    if bad:
        return bad
    if got.shape != ref.shape:
        return _shape_problem(name, got, ref, tol, case)
    if _close(got, ref, tol):
        return PASSED
    if _close(-got, ref, tol):
        return (f"{name} has the wrong sign (it equals −1 × the expected value): check (o − t) against "
                f"(t − o), or a `-=` that should be `+=`")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 and _close(got.T, ref, tol):
        return f"{name} is the transpose of the right answer (square, so the shape could not tell): did you transpose?"
    for fname, f in factors:
        try:
            if np.broadcast_shapes(f.shape, ref.shape) != ref.shape:
                continue
        except ValueError:
            continue
        with np.errstate(all="ignore"):
            if _close(got * f, ref, tol):
                return (f"{name} is missing the {fname} factor: multiplying your value by {fname} gives the "
                        f"expected one (the chain rule passes through {fname})")
            if _close(got, ref * f, tol):
                return f"{name} has an extra {fname} factor: your value equals the expected one times {fname}"
    with np.errstate(all="ignore"):
        rr = float(np.vdot(ref, ref).real)
        c = float(np.vdot(ref, got).real) / rr if rr > 0 else math.nan
    # A single number is always *some* multiple of the right one: only a simple factor (2, ½, 1/n, …) says
    # something there; for arrays, one factor shared by every entry is itself the clue.
    # (an arbitrary factor such as 0.2833 is left to the general reasoning first: a dropped bias scales every
    # dw_j by the same factor, and "the bias b was left out" says more than "0.2833 × the expected value")
    if (math.isfinite(c) and c != 0 and abs(c - 1) > 1e-6 and _close(got, c * ref, max(tol, 1e-9))
            and _simple_fraction(c)[1]):
        return f"{name} {_factor_text(c, case)}"
    return _missing_term(name, got, ref, tol, case) or UNEXPLAINED


def _constant_factor(got: np.ndarray, ref: np.ndarray, tol: float) -> float | None:
    """c when ``got`` is c × ``ref`` for one c shared by more than one entry (c ≠ 1), else None."""
    with np.errstate(all="ignore"):
        rr = float(np.vdot(ref, ref).real)
        c = float(np.vdot(ref, got).real) / rr if rr > 0 else math.nan
    if got.size > 1 and math.isfinite(c) and c != 0 and abs(c - 1) > 1e-6 and _close(got, c * ref, max(tol, 1e-9)):
        return c
    return None


def _unexplained(name: str, got: np.ndarray, ref: np.ndarray, tol: float, depends: str = "") -> str:
    """The last resort: the relative error, the first entry that differs, and what that entry depends on."""
    with np.errstate(all="ignore"):
        err = rel_error(got, ref)
    text = (f"{name} has wrong values: relative error {format_value(err)} (allowed {tol:.0e}); "
            f"{_first_difference(got, ref, name)}")
    if depends:
        text += f"; that entry depends on {depends}: check how your code combines exactly these"
    return text


def _transpose_hint(name: str) -> str:
    """Why a 2-D output came out transposed, in terms of that output (not always dW)."""
    if name.startswith("d") and len(name) > 1 and name[1:2].isalpha():
        return (f"A gradient has the shape of what it is the gradient of, so {name} is shaped like "
                f"{name[1:]}: swap the factors of your product (and transpose them) to get that shape")
    return "Check the order of the factors in your matrix product against the shapes in the docstring"


def _missing_term(name: str, got: np.ndarray, ref: np.ndarray, tol: float, case: Mapping[str, Any]) -> str | None:
    """A (n, k) result off by the same row for every sample: a forgotten (or doubled) bias-like term."""
    if got.ndim != 2 or got.shape[0] < 2:
        return None
    with np.errstate(all="ignore"):
        d = ref - got
    if not _close(np.broadcast_to(d[0], d.shape).copy(), d, 1e-9) or _close(d[0], np.zeros_like(d[0]), 1e-12):
        return None
    for arg, v in case.items():
        if isinstance(v, np.ndarray) and v.shape == d[0].shape:
            if _close(d[0], v, max(tol, 1e-9)):
                return f"{name} is missing the term `+ {arg}` (every row is off by exactly {arg})"
            if _close(-d[0], v, max(tol, 1e-9)):
                return f"{name} adds `{arg}` once too often (every row is off by exactly {arg})"
    return (f"{name} is off by the same row for every sample: a term that does not depend on the sample "
            f"(a bias?) is missing or wrong")


def _diagnose_item(name: str, got: Item, ref: Item, tol: float, case: Mapping[str, Any],
                   factors: Sequence[tuple[str, np.ndarray]]) -> str | _Verdict:
    """A message, or PASSED / NARROW_FLOAT (right to a float32's precision) / UNEXPLAINED."""
    assert ref.array is not None, "reference outputs are numbers or arrays"
    if got.kind == "none":
        return f"{name} is None: did you forget the `return` statement (or return the result of an in-place method)?"
    if got.kind == "other" or got.array is None:
        return f"{name} is a {got.type_name} ({got.text}), expected {_expected(ref)}"
    prefix = ""
    dt = got.array.dtype
    if ref.kind == "array" and got.kind != "array":
        prefix = (f"{name} is a {got.type_name}, expected {_expected(ref)}: build it with numpy operations "
                  f"(or wrap it in np.array(...))")
    elif ref.kind == "scalar" and got.array.ndim != 0:
        prefix = (f"{name} is a {got.type_name} of shape {_shape(got.array.shape)}, expected a single number: "
                  f"sum/index it down to a scalar (e.g. `.item()` or `float(...)`)")
        if got.array.size == 1:
            return prefix + " (its one value is " + (
                "right)" if _close(got.array.reshape(()).astype(np.float64), ref.array.astype(np.float64), tol)
                else "wrong too)")
        return prefix
    elif dt.kind == "f" and dt.itemsize < 8 and ref.array.dtype.kind == "f":
        return _narrow_float(name, got.array, ref.array, tol, case, factors)
    elif dt != ref.array.dtype and not _exact_form(got.array, ref.array, tol, case, factors, name):
        want = ref.array.dtype
        if dt.kind in "biu":
            why = ("integer arithmetic: an array made with dtype=int or np.zeros_like of an integer array, "
                   "or Python ints")
        elif dt.kind == "c":
            why = "complex numbers: a square root or power of a negative number?"
        else:
            why = "a different number type"
        prefix = f"{name} has dtype {dt}, expected {want}: {why}"
    if prefix:
        with np.errstate(all="ignore"):
            cast = got.array.real.astype(np.float64) if dt.kind == "c" else got.array.astype(np.float64)
        rest = _diagnose_values(name, cast, ref.array.astype(np.float64), tol, case, factors)
        if rest is PASSED:
            return prefix + ". Apart from that the values are right."
        if rest is UNEXPLAINED:
            rest = _unexplained(name, cast, ref.array.astype(np.float64), tol)
        return f"{prefix}. Also: {rest}"
    ref_arr = ref.array
    got_arr = got.array.real if dt.kind == "c" and ref_arr.dtype.kind != "c" else got.array
    if ref.kind == "scalar":
        got_arr = got_arr.reshape(())
    return _diagnose_values(name, got_arr.astype(ref_arr.dtype, copy=False), ref_arr, tol, case, factors)


def _narrow_float(name: str, got: np.ndarray, ref: np.ndarray, tol: float, case: Mapping[str, Any],
                  factors: Sequence[tuple[str, np.ndarray]]) -> str | _Verdict:
    """float32/float16: NARROW_FLOAT when the values are right to that type's precision (the one float
    message), else the float message and what is wrong besides."""
    with np.errstate(all="ignore"):
        cast = got.astype(np.float64)
    # rel_error is a norm ratio: rounding each entry to the narrow type moves it by at most eps/2 relative,
    # and the arithmetic before it by a few eps more
    narrow_tol = max(tol, 64 * float(np.finfo(got.dtype).eps))
    if _close(cast, ref.astype(np.float64), narrow_tol):
        return NARROW_FLOAT
    rest = _diagnose_values(name, cast, ref.astype(np.float64), tol, case, factors)
    if rest is UNEXPLAINED:
        rest = _unexplained(name, cast, ref.astype(np.float64), tol)
    return f"{FLOAT_POLICY}: got {got.dtype} for {name}, which keeps fewer digits. Also: {rest}"


def _float_message(labels: Sequence[str], dtypes: Sequence[str]) -> str:
    names = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    kinds = " and ".join(dict.fromkeys(dtypes))
    return (f"{FLOAT_POLICY}: got {kinds} for {names}, which keeps only about "
            f"{'7' if 'float32' in dtypes else '3'} significant digits (the values are right to that precision); "
            f"the exercises compute in float64 throughout: look for float32 in a dtype=, an .astype or np.float32")


def _exact_form(got: np.ndarray, ref: np.ndarray, tol: float, case: Mapping[str, Any],
                factors: Sequence[tuple[str, np.ndarray]], name: str) -> bool:
    """Whether a dtype other than the reference's holds the right float64 values exactly.

    Any byte order (``>f8``) or a wider float is float64 arithmetic; a complex array with every imaginary
    part 0, or an integer array, holds float64 values exactly when those values are right (which then
    decides). float32 and float16 never get here: they answer to the float policy.
    """
    dt = got.dtype
    if dt.kind == "f" and dt.itemsize >= 8:
        return True
    if dt.kind == "c" and dt.itemsize >= 16:
        exact = bool(np.all(got.imag == 0))
    elif dt.kind in "biu":
        with np.errstate(all="ignore"):
            exact = bool(np.all(got.astype(np.float64).astype(dt) == got))
    else:
        return False
    if not exact or ref.dtype.kind != "f":
        return False
    with np.errstate(all="ignore"):
        cast = got.real.astype(np.float64) if dt.kind == "c" else got.astype(np.float64)
    return _diagnose_values(name, cast, ref.astype(np.float64), tol, case, factors) is PASSED


def _expected(ref: Item) -> str:
    if ref.kind == "scalar":
        return "a number (float)"
    return f"a numpy array of shape {_shape(ref.array.shape)} and dtype {ref.array.dtype}"


def _swapped_order(got: Returned, ref: Returned, outputs: Sequence[str], tol: float) -> str | None:
    """Detect outputs returned in the wrong order, e.g. (dW, dx, db) for (dx, dW, db)."""
    n = len(outputs)
    if n < 2 or any(g.array is None for g in got.items):
        return None
    match: list[int | None] = []
    for g in got.items:
        found = None
        for j, r in enumerate(ref.items):
            if g.array.shape == r.array.shape and _close(g.array.astype(np.float64), r.array.astype(np.float64), tol):
                found = j
                break
        match.append(found)
    if all(m is not None for m in match) and match != list(range(n)) and len(set(match)) == n:
        order = ", ".join(outputs[m] for m in match)  # type: ignore[index]
        return f"returned ({order}) in the wrong order: `return {', '.join(outputs)}`"
    return None


def _as_float(item: Item, ref: Item) -> np.ndarray | None:
    if item.array is None or item.array.dtype.kind not in "biuf":
        return None
    arr = item.array.astype(np.float64)
    if ref.kind == "scalar" and arr.size == 1:
        arr = arr.reshape(())
    return arr


def _named_slips(got: Returned, ref: Returned, outputs: Sequence[str], tol: float,
                 slips: Sequence[Slip]) -> dict[tuple[str, ...], str]:
    """The first known slip the learner's outputs match: ``{(output names): "names message"}``, or ``{}``.

    A slip matches when every output it names equals the slip's value and at least one of them differs from
    the reference (beyond ``tol``, or beyond float64 rounding while a thousand times closer to the slip);
    the message is given for the outputs that differ.
    """
    index = {name: i for i, name in enumerate(outputs)}
    for slip in slips:
        keys = [k for k in slip.outputs if k in index]
        if not keys or len(keys) != len(slip.outputs):
            continue
        wrong = []
        matched = True
        for k in keys:
            g, r = got.items[index[k]], ref.items[index[k]]
            g_arr, r_arr = _as_float(g, r), r.array.astype(np.float64)
            try:
                s_arr = np.asarray(slip.outputs[k], dtype=np.float64).reshape(r_arr.shape)
            except (TypeError, ValueError):
                matched = False
                break
            if g_arr is None or g_arr.shape != s_arr.shape:
                matched = False
                break
            with np.errstate(all="ignore"):
                d_gs, d_sr = float(rel_error(g_arr, s_arr)), float(rel_error(s_arr, r_arr))
            if not d_gs <= max(tol, 1e-9):
                matched = False
                break
            # a slip within tol of the reference still names what was done when the learner's value is far
            # closer to the slip than the slip is to the reference (ε inside a square root, with ε = 1e-8)
            if not d_sr <= tol or (d_sr > 1e-12 and d_gs <= 1e-3 * d_sr):
                wrong.append(k)
        if matched and wrong:
            labels = ["the result" if len(outputs) == 1 and k == "out" else k for k in wrong]
            return {tuple(keys): f"{' and '.join(labels)}: your answer {slip.message}"}
    return {}


def _general(got: Returned, ref: Returned, outputs: Sequence[str], case: Mapping[str, Any], rtol: float,
             wrong: Sequence[int], reference: Callable[..., Any] | None) -> list[str]:
    """The wrong outputs no rule explained: the reference's own computation explains them, or the first
    differing entry and what it depends on is named."""
    got_arrs = [_as_float(g, r) for g, r in zip(got.items, ref.items)]
    ref_arrs = [r.array.astype(np.float64) for r in ref.items]
    found = explain(reference, case, outputs, got_arrs, ref_arrs, wrong, rtol)
    problems = list(found.values())
    explained = {j for group in found for j in group}
    for j in wrong:
        if j in explained:
            continue
        label = "the result" if len(outputs) == 1 and outputs[j] == "out" else outputs[j]
        g, r = got_arrs[j], ref_arrs[j]
        if g is None or g.shape != r.shape:  # cannot happen for UNEXPLAINED, which has the reference's shape
            problems.append(f"{label} has wrong values")
            continue
        c = _constant_factor(g, r, rtol)
        if c is not None:  # one factor shared by every entry is itself the clue
            problems.append(f"{label} {_factor_text(c, case)}")
            continue
        deps = depends_on(reference, case, len(outputs), j, _first_index(g, r)) if reference is not None else ""
        problems.append(_unexplained(label, g, r, rtol, deps))
    return problems


def diagnose_case(
    got: Returned,
    ref: Returned,
    outputs: Sequence[str],
    case: Mapping[str, Any],
    *,
    rtol: float,
    factors: Mapping[str, Any] | None = None,
    modified: Sequence[str] = (),
    reference: Callable[..., Any] | None = None,
) -> list[str]:
    """All problems with one call of the learner's function; an empty list means it passed.

    Parameters
    ----------
    got, ref : Returned
        The learner's and the reference's normalized return values (see :func:`normalize`).
    outputs : sequence of str
        ``Task.outputs`` (a single ``"out"`` is called "the result" in messages).
    case : mapping
        The keyword arguments of the call (the pristine copy, for hints such as the batch size).
    rtol : float
        Allowed relative error per output.
    factors : mapping of str to value, optional
        ``{name: factor(case)}`` already evaluated (a value, or a dict keyed by output name).
    modified : sequence of str
        Names of input arrays the learner's function changed in place.
    reference : callable, optional
        ``Task.reference``: re-run with one change of the case to explain a wrong value no rule explains
        (:mod:`bpcourse.grading.explain`). Without it, such a value gets the relative error and first
        differing entry only.

    Returns
    -------
    list of str
        One teaching sentence per problem.
    """
    factors = factors or {}
    problems: list[str] = []
    if got.structure_error:
        problems.append(got.structure_error)
    else:
        named = _named_slips(got, ref, outputs, rtol, _slips(factors))
        swapped = None if named else _swapped_order(got, ref, outputs, rtol)
        if swapped:
            problems.append(swapped)
        else:
            problems.extend(named.values())
            narrow: list[tuple[str, str]] = []
            unexplained: list[int] = []
            for j, (key, g, r) in enumerate(zip(outputs, got.items, ref.items)):
                if any(key in k for k in named):
                    continue
                label = "the result" if len(outputs) == 1 and key == "out" else key
                verdict = _diagnose_item(label, g, r, rtol, case, _factor_arrays(factors, key))
                if verdict is NARROW_FLOAT:
                    narrow.append((label, str(g.array.dtype)))
                elif verdict is UNEXPLAINED:
                    unexplained.append(j)
                elif verdict is not PASSED:
                    problems.append(str(verdict))
            if narrow:  # one float message for every output it concerns
                problems.append(_float_message([n for n, _ in narrow], [d for _, d in narrow]))
            if unexplained:
                problems.extend(_general(got, ref, outputs, case, rtol, unexplained, reference))
    for arg in modified:
        problems.append(f"it modified its input `{arg}` in place, so the caller's array changed (e.g. `{arg} *= ...` "
                        f"or `{arg}[...] = ...`): compute into a new array instead (`{arg} = {arg} * ...` makes one)")
    return problems
