"""Chapter 2's gates and circuits on plain floats: each gate's backward, and two small circuits' gradients.

A gate's backward takes its inputs and ``dout``, the gradient arriving from above, and returns the gradient
of each input: the local derivative times ``dout`` (the chain rule, one link). The three patterns, as
CS231n's notes name them: **add distributes** ``dout`` to both inputs, **mul swaps** (each input gets the
*other* input times ``dout``), **max routes** ``dout`` to the input that won the forward pass.

The circuits:

* ``f = (x + y)·z``: ∂f/∂x = ∂f/∂y = z, ∂f/∂z = x + y;
* ``g = (x·y + max(y, z))·w``: y feeds two nodes, so its gradient adds one term per path:
  ∂g/∂y = w·x + (w if y wins the max else 0).

At a tie, ``max(x, y)`` routes to ``x``, as ``x + relu(y − x)`` does (ReLU' (0) = 0).
"""
from __future__ import annotations

from .validate import as_real

__all__ = ["mul_backward", "max_backward", "add_mul_gradients", "branch_gradients"]


def mul_backward(x: float, y: float, dout: float) -> tuple[float, float]:
    """Backward of the multiply gate out = x·y: ``(dx, dy) = (dout·y, dout·x)``.

    Parameters
    ----------
    x, y : float
        The gate's inputs in the forward pass.
    dout : float
        ∂E/∂out, the gradient arriving from above.

    Returns
    -------
    dx, dy : float
        ∂E/∂x and ∂E/∂y.
    """
    x, y, dout = as_real(x, "x"), as_real(y, "y"), as_real(dout, "dout")
    return dout * y, dout * x


def max_backward(x: float, y: float, dout: float) -> tuple[float, float]:
    """Backward of the max gate out = max(x, y): ``dout`` to the winner, 0 to the other (x wins a tie).

    Parameters
    ----------
    x, y : float
        The gate's inputs in the forward pass.
    dout : float
        ∂E/∂out.

    Returns
    -------
    dx, dy : float
    """
    x, y, dout = as_real(x, "x"), as_real(y, "y"), as_real(dout, "dout")
    return (dout, 0.0) if x >= y else (0.0, dout)


def add_mul_gradients(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Gradients of the circuit f = (x + y)·z: ``(df/dx, df/dy, df/dz) = (z, z, x + y)``.

    The multiply gate (q = x + y times z) swaps: dq = z, dz = q; the add gate distributes dq to x and y.

    Parameters
    ----------
    x, y, z : float

    Returns
    -------
    dx, dy, dz : float
    """
    x, y, z = as_real(x, "x"), as_real(y, "y"), as_real(z, "z")
    dq, dz = mul_backward(x + y, z, 1.0)
    return dq, dq, dz


def branch_gradients(x: float, y: float, z: float, w: float) -> tuple[float, float, float, float]:
    """Gradients of the circuit g = (x·y + max(y, z))·w, where y feeds two nodes.

    s = p + m with p = x·y and m = max(y, z); g = s·w. Backward: ds = w, dw = s; the add gate passes ds to p
    and m; y's gradient is the sum of its two paths' terms.

    Parameters
    ----------
    x, y, z, w : float

    Returns
    -------
    dx, dy, dz, dw : float
    """
    x, y, z, w = as_real(x, "x"), as_real(y, "y"), as_real(z, "z"), as_real(w, "w")
    s = x * y + max(y, z)
    ds, dw = mul_backward(s, w, 1.0)
    dx, dy_from_p = mul_backward(x, y, ds)
    dy_from_m, dz = max_backward(y, z, ds)
    return dx, dy_from_p + dy_from_m, dz, dw
