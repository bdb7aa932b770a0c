"""Functions whose gradients are known exactly, to test a gradient check on (exercise 4 and its grader).

``quadratic_gradient`` is the closed form of ∇(½xᵀAx + bᵀx) for any square A, symmetric or not;
``cubic`` adds a separable cubic term, so that a central difference has a truncation error to find, and
``probe_central_difference`` is the central difference of it that exercise 4's probe asks for.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from bpcourse.gradcheck import numeric_gradient
from bpcourse.validate import as_float_array, check_positive

__all__ = ["quadratic", "quadratic_gradient", "cubic", "probe_central_difference"]


def _quadratic_parts(A: object, b: object, x: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = as_float_array(x, "x", ndim=1)
    n = x.shape[0]
    return as_float_array(A, "A", shape=(n, n)), as_float_array(b, "b", shape=(n,)), x


def quadratic(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> float:
    """f(x) = ½xᵀAx + bᵀx.

    Parameters
    ----------
    A : ndarray, shape (n, n)   any square matrix (not necessarily symmetric)
    b : ndarray, shape (n,)
    x : ndarray, shape (n,)
    """
    A, b, x = _quadratic_parts(A, b, x)
    return float(0.5 * (x @ A @ x) + b @ x)


def quadratic_gradient(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∇f(x) = ½(A + Aᵀ)x + b for f = ½xᵀAx + bᵀx; it is Ax + b only when A is symmetric.

    Parameters
    ----------
    A : ndarray, shape (n, n);  b : ndarray, shape (n,);  x : ndarray, shape (n,)

    Returns
    -------
    ndarray, shape (n,)
    """
    A, b, x = _quadratic_parts(A, b, x)
    # x_k appears in ½xᵀAx both as x_i and as x_j: row k and column k of A each contribute, with the ½
    return 0.5 * (A + A.T) @ x + b


def cubic(c3: np.ndarray, A: np.ndarray, b: np.ndarray) -> Callable[[np.ndarray], float]:
    """f(x) = Σ_i c3_i·u_i³ + ½·uᵀAu + bᵀu with u = x.ravel(), for x of any shape with m = x.size entries.

    Parameters
    ----------
    c3 : ndarray, shape (m,);  A : ndarray, shape (m, m);  b : ndarray, shape (m,)

    Returns
    -------
    callable
        ``f(x) -> float`` for any x with m entries (a vector or a matrix: a central difference that handles
        vectors only fails on the matrix ones).
    """
    c3 = as_float_array(c3, "c3", ndim=1)
    m = c3.shape[0]
    A, b = as_float_array(A, "A", shape=(m, m)), as_float_array(b, "b", shape=(m,))

    def f(v: np.ndarray) -> float:
        u = np.ravel(v)
        return float(np.sum(c3 * u**3) + 0.5 * (u @ A @ u) + b @ u)

    return f


def probe_central_difference(c3: np.ndarray, A: np.ndarray, b: np.ndarray, x: np.ndarray,
                             eps: float) -> np.ndarray:
    """The central difference of ``cubic(c3, A, b)`` at ``x`` with step ``eps``: exercise 4's probe.

    Returns
    -------
    ndarray, the shape of x
        (f(x + ε e_k) − f(x − ε e_k)) / (2ε) for every entry k, by :func:`bpcourse.gradcheck.numeric_gradient`.
    """
    x = as_float_array(x, "x")
    return numeric_gradient(cubic(c3, A, b), x.copy(), check_positive(eps, "eps (the step)"))
