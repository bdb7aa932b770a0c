"""Gradient checking: one central-difference helper, one relative error, and whole-model checks.

Central differences approximate df/dx_i by (f(x + ε e_i) − f(x − ε e_i)) / (2ε); the error is O(ε²) from
truncation plus O(machine-ε / ε) from round-off, so ε ≈ 1e-5 is a good default in float64.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .validate import as_rng, check_int


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed in place one entry at a time and always restored, so ``f`` may read it through a
    closure (a layer's weight matrix, say) instead of taking it as an argument.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : ndarray of float64, any shape
        The point; must be writable and C-contiguous.
    eps : float
        Step ε.

    Returns
    -------
    ndarray, same shape as ``x``
        ∂f/∂x.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"x must be a float ndarray, got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    if not x.flags.c_contiguous or not x.flags.writeable:
        raise ValueError("x must be a writable C-contiguous array (it is perturbed in place)")
    flat = x.reshape(-1)
    grad = np.empty(flat.shape, dtype=np.float64)
    for i in range(flat.size):
        old = flat[i]
        try:
            flat[i] = old + eps
            f_plus = float(f(x))
            flat[i] = old - eps
            f_minus = float(f(x))
        finally:
            flat[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad.reshape(x.shape)


def rel_error(a: np.ndarray | float, b: np.ndarray | float) -> float:
    """Relative error ‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are zero.

    About 1e-7 or less in float64 means the two agree; 1e-2 or more means a bug.
    A shape mismatch is an error (with a transpose hint), never a broadcast.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        hint = ": did you transpose?" if a.ndim == 2 and a.shape == b.shape[::-1] else ""
        raise ValueError(f"cannot compare arrays of shape {a.shape} and {b.shape}{hint}")
    denom = float(np.linalg.norm(a) + np.linalg.norm(b))
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b)) / denom


def format_rel_error(err: float, floor: float = 1e-8) -> str:
    """A relative error as a chapter prints it: ``"3.6e-03"``, or ``"< 1e-8"`` at or below ``floor``.

    Below about 1e-8 a float64 gradient check measures round-off, whose digits change with the machine and the
    BLAS; printing a bound instead keeps a notebook's output the same everywhere.
    """
    if err < 0 or not np.isfinite(err):
        return f"{err:.1e}"
    if err < floor:
        mantissa, exponent = f"{floor:.0e}".split("e")
        return f"< {mantissa}e{int(exponent)}"
    return f"{err:.1e}"


@dataclass
class GradCheckReport:
    """Per-parameter relative errors of analytic against numeric gradients.

    ``str(report)`` prints one line per parameter and a verdict; errors below ``floor`` are printed as
    ``"< 1e-8"`` (see :func:`format_rel_error`), so the text is stable across machines.
    """

    errors: dict[str, float] = field(default_factory=dict)
    tol: float = 1e-7
    floor: float = 1e-8

    @property
    def worst(self) -> tuple[str, float]:
        """Name and relative error of the worst parameter."""
        name = max(self.errors, key=self.errors.__getitem__)
        return name, self.errors[name]

    @property
    def ok(self) -> bool:
        return all(e <= self.tol for e in self.errors.values())

    def __str__(self) -> str:
        lines = [f"{name:>12}  rel. error {format_rel_error(err, self.floor)}" for name, err in self.errors.items()]
        name, err = self.worst
        verdict = "OK" if self.ok else "FAILED"
        # which parameter is "worst" among round-off-sized errors depends on the machine: name none then
        worst = (f"every error {format_rel_error(err, self.floor)}" if err < self.floor
                 else f"worst: {name} ({format_rel_error(err, self.floor)})")
        lines.append(f"{worst} -> {verdict} at tol {self.tol:.0e}")
        return "\n".join(lines)


def check_layer(
    layer, x: np.ndarray, seed: int | np.random.Generator = 0, eps: float = 1e-5, tol: float = 1e-7
) -> GradCheckReport:
    """Check a layer's ``backward`` (input and every parameter) against central differences.

    Uses only the layer's public ``forward``, ``backward``, ``params`` and ``grads``, so it checks a learner's
    own subclass as it checks the package's layers.

    The scalar checked is ``sum(forward(x) * g)`` for a fixed random upstream gradient ``g``, so every
    output entry counts with a different weight.
    """
    x = np.array(x, dtype=np.float64)
    g = as_rng(seed).standard_normal(layer.forward(x).shape)

    def f(_=None) -> float:
        return float(np.sum(layer.forward(x) * g))

    layer.forward(x)
    dx = layer.backward(g)
    analytic = {"x": dx, **{k: v.copy() for k, v in layer.grads.items()}}
    report = GradCheckReport(tol=tol)
    report.errors["x"] = rel_error(analytic["x"], numeric_gradient(f, x, eps))
    for name, p in layer.params.items():
        report.errors[name] = rel_error(analytic[name], numeric_gradient(f, p, eps))
    return report


def check_network(model, X: np.ndarray, t: np.ndarray, eps: float = 1e-5, tol: float = 1e-7,
                  sample: int | None = None, seed: int | np.random.Generator = 0) -> GradCheckReport:
    """Check every parameter gradient of a :class:`~bpcourse.networks.Sequential` network.

    The report names each parameter as the network does (``"0.W"`` is the first layer's weight matrix), so
    ``report.worst`` points at the layer to look at.

    Parameters
    ----------
    model : Sequential
        The network, checked at its current parameters (restored afterwards).
    X, t : arrays
        A batch and its targets, as ``model.loss`` takes them.
    eps, tol : float
        Central-difference step ε and the relative error a parameter array may have.
    sample : int, optional
        Check at most this many entries of each parameter array, drawn at random without replacement (every
        entry of an array that has no more). Each entry costs two forward passes; a sample keeps a check of a
        large network fast. The error of an array is then the relative error over its sampled entries.
        ``None`` (the default) checks every entry.
    seed : int or Generator
        Draws the sample; unused when ``sample`` is None.
    """
    X, t = model.check_data(X, t)  # checked once: the loss below runs 2 × n_parameters times
    if sample is not None:
        sample = check_int(sample, "sample (entries checked per parameter array)")
        rng = as_rng(seed)
    model.loss_and_grad(X, t, check_input=False)
    # the first layer's input gradient is skipped in training; gradients() holds every parameter's
    analytic = {k: v.copy() for k, v in model.gradients().items()}
    report = GradCheckReport(tol=tol)

    def f(_=None) -> float:
        return model.loss(X, t, check_input=False)

    for name, p in model.parameters().items():
        if sample is None or sample >= p.size:
            report.errors[name] = rel_error(analytic[name], numeric_gradient(f, p, eps))
            continue
        entries = np.sort(rng.choice(p.size, size=sample, replace=False))
        report.errors[name] = rel_error(analytic[name].reshape(-1)[entries], _sampled_gradient(f, p, entries, eps))
    return report


def _sampled_gradient(f: Callable[[np.ndarray], float], p: np.ndarray, entries: np.ndarray,
                      eps: float) -> np.ndarray:
    # ∂f/∂p at the given flat entries of p, through numeric_gradient (the one central-difference loop): it
    # perturbs a copy of those entries, which f_sub writes back into p before every evaluation
    if not p.flags.c_contiguous or not p.flags.writeable:
        raise ValueError("a parameter array must be writable and C-contiguous (it is perturbed in place)")
    flat = p.reshape(-1)
    original = flat[entries].copy()
    sub = original.copy()

    def f_sub(_=None) -> float:
        flat[entries] = sub
        return f(p)

    try:
        return numeric_gradient(f_sub, sub, eps)
    finally:
        flat[entries] = original
