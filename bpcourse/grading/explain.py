"""The general diagnosis: explain a wrong output by the reference's own computation.

When no known slip or named factor of the task explains a wrong output, :func:`explain` re-runs the trusted
``Task.reference`` on the case with one change and asks whether the learner's output is what the right
computation gives *then*: one input zeroed (a dropped bias or term: "as if b were 0"), two same-shaped
inputs swapped, a square input transposed (a transposed w_ji), an input negated (the sign of a subtraction's
backward, a step uphill), an integer input off by one (Adam's t). It also reads the outputs themselves: an
output equal to an input unchanged (a stale value: "returned v unchanged"), one computed with an input where
the reference uses that input's update, one term counted twice or with the wrong sign, all zeros, or the
value another output should have. Only when nothing explains it, :func:`depends_on` names what the first
differing entry depends on, found by nudging each input entry of the reference.

The reference runs only where the diagnosis runs: the learner's kernel for ``check()``, the trusted parent
for ``bpcourse grade``; never the grading sandbox (:mod:`bpcourse.grading.returned` is all it holds).
"""

from __future__ import annotations

import copy
import itertools
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

from bpcourse.gradcheck import rel_error

__all__ = ["explain", "depends_on", "Variant"]

Case = Mapping[str, Any]
#: Inputs larger than this are not nudged entry by entry (the fallback then names the inputs only).
MAX_PROBED_ENTRIES = 400


def close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Same shape and within ``tol`` by :func:`bpcourse.gradcheck.rel_error` (NaN never close)."""
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        err = rel_error(a, b)
    return bool(np.isfinite(err) and err <= tol)


class Variant:
    """One changed case: what was changed, in the course's words, and the reference's outputs on it."""

    __slots__ = ("message", "outputs", "zeroed")

    def __init__(self, message: str, outputs: list[np.ndarray], zeroed: str = "") -> None:
        self.message = message
        self.outputs = outputs
        self.zeroed = zeroed  # the input set to 0, for a zeroing variant


def _as_outputs(value: Any, n: int) -> list[np.ndarray] | None:
    values = value if n > 1 else (value,)
    if not isinstance(values, (tuple, list)) or len(values) != n:
        return None
    try:
        out = [np.asarray(v, dtype=np.float64) for v in values]
    except (TypeError, ValueError):
        return None
    return out if all(np.all(np.isfinite(o)) for o in out) else None


def _run(reference: Callable[..., Any], case: Mapping[str, Any], n: int) -> list[np.ndarray] | None:
    """The reference's outputs on ``case``, or None when it fails or is not finite there."""
    try:
        with np.errstate(all="ignore"):
            return _as_outputs(reference(**copy.deepcopy(dict(case))), n)
    except Exception:  # a changed case the reference cannot take (a transposed shape...) explains nothing
        return None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.ndarray)) and not isinstance(v, bool) and (
        not isinstance(v, np.ndarray) or v.dtype.kind in "iuf")


def _zeroed(k: str) -> str:
    if k.startswith("b") and len(k) <= 3:
        return f"is what the right computation gives with the bias {k} = 0: the bias {k} was left out"
    return (f"is what the right computation gives with {k} = 0 (as if {k} were 0): {k} never enters your "
            f"computation where it should (a dropped term, or a value that ignores {k})")


def _changes(case: Case) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(message, changed case, the input set to 0 or "") for every one-change variant of ``case``, most telling
    first (the zeroing variants first, one per input, in the case's order)."""
    keys = [k for k, v in case.items() if _is_number(v)]
    for k in keys:  # a dropped input
        v = case[k]
        if np.any(np.asarray(v) != 0):
            yield _zeroed(k), {**case, k: np.zeros_like(v) if isinstance(v, np.ndarray) else type(v)(0)}, k
    for a, b in itertools.combinations(keys, 2):  # two inputs used in each other's place
        va, vb = case[a], case[b]
        if np.shape(va) == np.shape(vb) and isinstance(va, np.ndarray) == isinstance(vb, np.ndarray):
            yield (f"is what the right computation gives with {a} and {b} swapped: each is used where the "
                   f"formula has the other", {**case, a: vb, b: va}, "")
    for k in keys:  # a transposed weight matrix (square only: otherwise the shapes differ anyway)
        v = case[k]
        if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == v.shape[1] > 1:
            if k[:1] in ("W", "w", "A"):
                why = (f"w_ji = {k}[j, i] is the weight from unit i into unit j (row j, column i), so check where "
                       f"you need {k} and where {k}.T")
            else:
                why = (f"a .T too many or too few, or a sum over the wrong axis (axis=1, where axis=0 sums over "
                       f"the samples)")
            yield f"is what the right computation gives with {k} transposed: {why}", {**case, k: v.T.copy()}, ""
    for k in keys:  # the sign with which an input enters
        v = case[k]
        if k in ("eta", "lr"):
            msg = (f"steps uphill (as if η were −η): gradient descent subtracts η·gradient, "
                   f"moving against the gradient")
        else:
            msg = (f"is what the right computation gives with −{k} in place of {k}: {k} enters with the wrong "
                   f"sign (the backward of a subtraction a − {k} passes −dout to {k})")
        yield msg, {**case, k: -v}, ""
    for k in keys:  # a scalar factor left out: η (or β) used as if it were 1
        v = case[k]
        if isinstance(v, float) and v not in (0.0, 1.0):
            yield (f"is what the right computation gives with {k} = 1: {k} is left out where it multiplies "
                   f"(a forgotten factor {k})", {**case, k: 1.0}, "")
    for k in keys:  # one sample's row broadcast to every sample (Z[0] where Z belongs)
        v = case[k]
        if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] > 1:
            yield (f"is what the right computation gives with every row of {k} equal to its row 0: {k}[0] was "
                   f"broadcast to every sample, where each sample (row) needs its own row of {k}",
                   {**case, k: np.broadcast_to(v[:1], v.shape).copy()}, "")
    for k in keys:  # an off-by-one count (Adam's step number t)
        v = case[k]
        if isinstance(v, int):
            for d in (1, -1):
                if v + d >= 1:
                    yield (f"is what the right computation gives with {k} = {v + d} instead of {v}: is {k} off by "
                           f"one?", {**case, k: v + d}, "")


def _variants(reference: Callable[..., Any], case: Case, n: int) -> Iterator[Variant]:
    for message, changed, zeroed in _changes(case):
        outs = _run(reference, changed, n)
        if outs is not None:
            yield Variant(message, outs, zeroed)


def _labels(names: Sequence[str], idx: Sequence[int]) -> str:
    labels = ["the result" if len(names) == 1 and names[i] == "out" else names[i] for i in idx]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _output_level(j: int, names: Sequence[str], got: np.ndarray, ref: list[np.ndarray], case: Case,
                  tol: float, zero_terms: Mapping[str, list[np.ndarray]]) -> str | None:
    """What one wrong output equals, read from the outputs and inputs themselves."""
    name, r = names[j], ref[j]
    if got.size > 1 and not np.any(got) and np.any(r):
        return (f"is all zeros: the array was created (np.zeros) but never filled in, or the loop that fills it "
                f"never runs")
    if got.size == 1 and not np.any(got) and np.any(r):
        return (f"is 0, where the expected value is not: the gradient along this path never arrives (a gate "
                f"that passes nothing on to this input, or a term that was dropped)")
    unfilled = _never_filled(name, got, r, tol)
    if unfilled:
        return unfilled
    across = _normalized_across(got, r, tol)
    if across:
        return across
    for k, v in case.items():  # a stale value: an input handed back unchanged
        if isinstance(v, np.ndarray) and v.shape == got.shape and close(got, v.astype(np.float64), tol) \
                and not close(r, v.astype(np.float64), tol):
            if k == name:
                return (f"is the input {k} unchanged: the new {k} was never computed (a stale value); "
                        f"compute the update and return it")
            return f"equals the input {k} unchanged (a stale value): {name} should be computed from it"
    for k, v in case.items():  # an accumulator that started from an input instead of from zeros
        if isinstance(v, np.ndarray) and v.shape == got.shape and np.any(v):
            with np.errstate(all="ignore"):
                if close(got - r, v.astype(np.float64), tol):
                    return (f"is the expected value plus the input {k}: the sum started from {k} instead of from "
                            f"zeros (an accumulator, or a gradient, that was not zeroed first)")
    for i, other in enumerate(ref):  # the value another output should have
        if i != j and other.shape == got.shape and close(got, other, tol) and not close(r, other, tol):
            return f"equals what {names[i]} should be: is one output computed twice, or returned in its place?"
    for i, k in enumerate(names):  # an input used where the reference uses its update (k both in and out)
        v = case.get(k)
        if i == j or not isinstance(v, np.ndarray) or v.shape != ref[i].shape or r.shape != got.shape:
            continue
        step = v.astype(np.float64) - ref[i]
        with np.errstate(all="ignore"):
            for sign in (1.0, -1.0):
                if np.any(step) and close(got - r, sign * step, tol):
                    return (f"uses the input {k} where the updated {k} belongs: compute the new {k} first, "
                            f"then use it for {name} (a stale value)")
    for k, terms in zero_terms.items():  # one term counted twice, or with the wrong sign
        term = terms[j]
        if term.shape != got.shape or not np.any(term):
            continue
        with np.errstate(all="ignore"):
            if close(got, r + term, tol):
                return f"counts the term with {k} twice (the expected value plus that term once more)"
            if close(got, r - 2.0 * term, tol):
                return f"has the term with {k} with the wrong sign: check the sign of the subtraction it comes from"
            if term.ndim == 2 and term.shape[0] == term.shape[1] and close(got, r - term + term.T, tol):
                return (f"adds the term with {k} along the wrong axis: each column (unit) gets its own entry of {k}, "
                        f"the same for every row (sample); {k}[:, None] gives each row its own entry instead")
    return None


def _never_filled(name: str, got: np.ndarray, r: np.ndarray, tol: float) -> str | None:
    """Entries left at 0 (the rest right): a loop that stops one short or starts one late."""
    if got.size < 2:
        return None
    flat_g, flat_r = got.ravel(), r.ravel()
    zero = (flat_g == 0) & (flat_r != 0)
    if not zero.any() or zero.all() or not close(flat_g[~zero], flat_r[~zero], tol):
        return None
    idx = np.flatnonzero(zero)
    if list(idx) == list(range(len(flat_g) - len(idx), len(flat_g))):
        where = "the last entry is" if len(idx) == 1 else f"the last {len(idx)} entries are"
        return (f"is right except that {where} 0, never filled: the loop over the entries stops short "
                f"(range(n − 1) instead of range(n), or x.size vs len(x)?)")
    if list(idx) == list(range(len(idx))):
        where = "the first entry is" if len(idx) == 1 else f"the first {len(idx)} entries are"
        return f"is right except that {where} 0, never filled: the loop over the entries starts late (range(1, n)?)"
    first = ", ".join(str(int(i)) for i in np.unravel_index(idx[0], got.shape))
    return (f"is right except for {len(idx)} entries left at 0 (the first at {name}[{first}]): some entries are "
            f"never computed; check the loop's range or the condition that skips them")


def _normalized_across(got: np.ndarray, r: np.ndarray, tol: float) -> str | None:
    """A (n, C) output whose columns sum like the reference's rows: normalized over axis 0, not axis 1."""
    if got.ndim != 2 or got.shape[0] < 2:
        return None
    row_sums = r.sum(axis=1)
    if not np.allclose(row_sums, row_sums[0]) or not np.allclose(got.sum(axis=0), row_sums[0]):
        return None
    return (f"sums to {row_sums[0]:g} down each column: it was normalized over axis=0 (the samples), where each row "
            f"(one sample) is a distribution over the classes: sum over axis=1, keepdims=True")


def explain(reference: Callable[..., Any] | None, case: Case, names: Sequence[str], got: Sequence[np.ndarray | None],
            ref: list[np.ndarray], wrong: Sequence[int], tol: float) -> dict[tuple[int, ...], str]:
    """Explanations of the ``wrong`` outputs: ``{(output indices): "message"}``; unexplained ones are left out.

    Parameters
    ----------
    reference : callable or None
        ``Task.reference`` (None: only the output-level reading runs).
    case : mapping
        The pristine case (keyword arguments of the call).
    names : sequence of str
        ``Task.outputs``.
    got : sequence of ndarray or None
        The learner's outputs as float64 arrays of the reference's shape (None where that is impossible).
    ref : list of ndarray
        The reference's outputs, float64.
    wrong : sequence of int
        Indices of the outputs to explain.
    tol : float
        Relative error within which two values are the same.

    Returns
    -------
    dict
        One sentence per group of outputs one change explains, e.g. ``{(1, 2): "dW and db: ..."}``.
    """
    todo = [j for j in wrong if got[j] is not None and got[j].shape == ref[j].shape]
    found: dict[tuple[int, ...], str] = {}
    zero_terms: dict[str, list[np.ndarray]] = {}  # input -> what its term adds to each output
    if reference is not None and todo:
        best: tuple[list[int], str] | None = None
        for var in _variants(reference, case, len(names)):
            if var.zeroed:
                zero_terms[var.zeroed] = [r - o for r, o in zip(ref, var.outputs)]
            # an output that is all zeros equals *any* product with one input zeroed: the output-level
            # reading says so plainly instead of picking one input to blame
            hits = [j for j in todo if close(got[j], var.outputs[j], tol) and not close(ref[j], var.outputs[j], tol)
                    and not (var.zeroed and not np.any(got[j]))]
            # a right output the change would break does not count against it; a wrong one it leaves right does
            if hits and (best is None or len(hits) > len(best[0])):
                best = (hits, var.message)
        if best is not None:
            verb = best[1]
            if len(best[0]) > 1 and verb.startswith("is "):
                verb = "are " + verb[3:]
            found[tuple(best[0])] = f"{_labels(names, best[0])} {verb}"
            todo = [j for j in todo if j not in best[0]]
    for j in todo:
        msg = _output_level(j, names, got[j], ref, case, tol, zero_terms)
        if msg:
            found[(j,)] = f"{_labels(names, [j])} {msg}"
    return found


# ------------------------------------------------------------------------------------------ the fallback
def _entries_text(k: str, shape: tuple[int, ...], hit: np.ndarray) -> str:
    """``x[:, 2]``, ``W[1, :]``, ``b[0]``, ``x`` (all of it) or ``dout[0, 1], dout[2, 1]``: the entries in ``hit``."""
    if hit.all():
        return k if hit.size > 1 else (f"{k}[{', '.join('0' for _ in shape)}]" if shape else k)
    if hit.ndim == 2:
        rows, cols = np.where(hit.any(axis=1))[0], np.where(hit.any(axis=0))[0]
        if len(cols) == 1 and hit[:, cols[0]].sum() == len(rows) and len(rows) == hit.shape[0]:
            return f"{k}[:, {cols[0]}]"
        if len(rows) == 1 and len(cols) == hit.shape[1]:
            return f"{k}[{rows[0]}, :]"
    idx = [", ".join(str(int(i)) for i in ix) for ix in np.argwhere(hit)]
    shown = ", ".join(f"{k}[{i}]" for i in idx[:4])
    return shown + (f" (and {len(idx) - 4} more entries of {k})" if len(idx) > 4 else "")


def depends_on(reference: Callable[..., Any], case: Case, n_outputs: int, j: int, entry: tuple[int, ...]) -> str:
    """What output ``j``'s ``entry`` depends on: ``"dout[:, 1] and x[:, 2]"``, found by nudging each input entry.

    Returns an empty string when the reference cannot be re-run on the case.
    """
    base = _run(reference, case, n_outputs)
    if base is None:
        return ""
    y0 = float(base[j][entry])
    parts = []
    for k, v in case.items():
        if not _is_number(v) or isinstance(v, int):
            continue
        arr = np.asarray(v, dtype=np.float64)
        if arr.size > MAX_PROBED_ENTRIES:
            parts.append(k)
            continue
        hit = np.zeros(arr.shape, dtype=bool)
        for ix in np.ndindex(arr.shape):
            h = 1e-4 * (1.0 + abs(float(arr[ix])))
            bumped = arr.copy()
            bumped[ix] += h
            outs = _run(reference, {**case, k: bumped if arr.ndim else float(bumped)}, n_outputs)
            if outs is not None and abs(float(outs[j][entry]) - y0) > 1e-9 * (1.0 + abs(y0)):
                hit[ix] = True
        if hit.any():
            parts.append(_entries_text(k, arr.shape, hit))
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
