"""A scalar reverse-mode automatic-differentiation value type (chapter 2), in the spirit of micrograd.

Every arithmetic operation on :class:`Value` objects creates a new node that remembers its parents and a small
closure, ``_backward``, holding the operation's *local* derivative. :meth:`Value.backward` then visits the
graph once, from the output back to the inputs, and applies the chain rule node by node::

    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)

One deliberate difference from micrograd: ``backward()`` first sets every gradient in the graph to zero, so
calling it twice gives the same gradients as calling it once. Gradients still *add up* inside one call when a
node is used several times (``x * x`` gives ``2x``); to combine two losses, add them into one ``Value`` first.
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Callable

from ._scalar import sigmoid_prime_scalar, sigmoid_scalar, tanh_prime_scalar

__all__ = ["Value", "topological_order", "count_nodes"]


def _as_float(x: object, what: str, expected: str = "an int or float") -> float:
    # bool is an int subclass; refusing it keeps a flag from silently becoming an input.
    if isinstance(x, bool) or not isinstance(x, Real):
        hint = " (Value is a scalar; use an array of Values instead)" if hasattr(x, "shape") else ""
        raise TypeError(f"{what} must be {expected}, got {type(x).__name__} {x!r}{hint}")
    return float(x)


class Value:
    """A scalar that records how it was computed, so its gradient can be found by backpropagation.

    Parameters
    ----------
    data : int or float
        The number; must be finite.
    label : str, optional
        A name shown in drawings of the graph, e.g. ``"x"``.

    Attributes
    ----------
    data : float
        The forward value.
    grad : float
        ∂(output)/∂(this node) after the last :meth:`backward` on an output that depends on this node.
    label : str
        The name given by the user, or ``""``.
    op : str
        The operation that produced this node (``"+"``, ``"tanh"``, ...); ``""`` for an input.
    parents : tuple of Value
        The operands of ``op``; empty for an input.
    """

    # Slots keep a 100,000-node graph small; the closure is the only per-node code.
    __slots__ = ("data", "grad", "label", "op", "parents", "_backward")

    def __init__(self, data: float, label: str = "", _parents: tuple[Value, ...] = (), _op: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("data must be an int or float, got a Value: use that Value directly")
        data = _as_float(data, "data")
        if not math.isfinite(data):
            made_by = f" (produced by {_op})" if _op else ""
            raise ValueError(f"Value data must be a finite number, got {data}{made_by}")
        self.data: float = data
        self.grad: float = 0.0
        self.label: str = label
        self.op: str = _op
        self.parents: tuple[Value, ...] = _parents
        self._backward: Callable[[], None] = lambda: None

    @staticmethod
    def _lift(other: object) -> Value:
        if isinstance(other, Value):
            return other
        return Value(_as_float(other, "the other operand", "a Value, int or float"))

    # -- binary operations: each closure adds (local derivative × out.grad) to its parents' grads. --
    # "+=" rather than "=" is what makes a node used twice (x * x) collect both contributions.
    def __add__(self, other: Value | float) -> Value:
        other = Value._lift(other)
        out = Value(self.data + other.data, _parents=(self, other), _op="+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = Value._lift(other)
        out = Value(self.data * other.data, _parents=(self, other), _op="*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    # Subtraction and division get their own nodes (not a + (-b), a * b**-1) so that the graph drawn in
    # chapter 2 has one node per operation the learner wrote.
    def __sub__(self, other: Value | float) -> Value:
        other = Value._lift(other)
        out = Value(self.data - other.data, _parents=(self, other), _op="-")

        def _backward() -> None:
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        other = Value._lift(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by a Value with data 0.0 (numerator {self.data})")
        out = Value(self.data / other.data, _parents=(self, other), _op="/")

        def _backward() -> None:
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def __pow__(self, n: float) -> Value:
        if isinstance(n, Value):
            raise TypeError("the exponent must be a constant int or float, got a Value")
        n = _as_float(n, "the exponent")
        if self.data < 0.0 and not n.is_integer():
            raise ValueError(f"a negative base needs an integer exponent, got {self.data} ** {n}")
        if self.data == 0.0 and n < 0.0:
            raise ZeroDivisionError(f"0.0 cannot be raised to the negative power {n}")
        out = Value(self.data ** n, _parents=(self,), _op=f"**{n:g}")

        def _backward() -> None:
            if n == 0.0:
                return  # x**0 is constant; n * x**(n-1) would divide by zero at x = 0
            if self.data == 0.0 and n < 1.0:
                raise ValueError(f"x**{n:g} has no finite derivative at x = 0")
            self.grad += n * self.data ** (n - 1.0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self) -> Value:
        out = Value(-self.data, _parents=(self,), _op="neg")

        def _backward() -> None:
            self.grad -= out.grad
        out._backward = _backward
        return out

    # Python calls these for 2 + x, 2 * x, 2 - x, 2 / x (the float comes first).
    def __radd__(self, other: float) -> Value:
        return Value._lift(other) + self

    def __rmul__(self, other: float) -> Value:
        return Value._lift(other) * self

    def __rsub__(self, other: float) -> Value:
        return Value._lift(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return Value._lift(other) / self

    # -- functions of one variable: exp' = exp is read from the output; tanh' and σ' are computed from the
    # input, because their output forms 1 − tanh² and σ(1 − σ) lose every digit in saturation. --
    def exp(self) -> Value:
        """e ** self; derivative exp(x)."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"exp({self.data}) overflows float64 (inputs above about 709.78 do)") from None
        out = Value(e, _parents=(self,), _op="exp")

        def _backward() -> None:
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self) -> Value:
        """Natural logarithm; derivative 1/x. Raises ValueError for x ≤ 0."""
        if self.data <= 0.0:
            raise ValueError(f"log needs a positive number, got {self.data}")
        out = Value(math.log(self.data), _parents=(self,), _op="log")

        def _backward() -> None:
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """Hyperbolic tangent; derivative 1 − tanh²(x).

        The local derivative is computed from x (:func:`bpcourse.activations.tanh_prime_scalar`), not as
        1 − out², which is exactly 0 once tanh rounds to ±1 (|x| ≳ 19).
        """
        x = self.data
        out = Value(math.tanh(x), _parents=(self,), _op="tanh")

        def _backward() -> None:
            self.grad += tanh_prime_scalar(x) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """Logistic σ(x) = 1 / (1 + e^(−x)), one node; derivative σ(1 − σ).

        σ is :func:`bpcourse.activations.sigmoid_scalar` (never overflows); the local derivative is computed
        from x (:func:`~bpcourse.activations.sigmoid_prime_scalar`), because σ·(1 − σ) from the output is
        exactly 0 once σ rounds to 1 (x ≳ 37).
        """
        x = self.data
        out = Value(sigmoid_scalar(x), _parents=(self,), _op="sigmoid")

        def _backward() -> None:
            self.grad += sigmoid_prime_scalar(x) * out.grad
        out._backward = _backward
        return out

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0 and 0 otherwise (the kink at 0 gets 0 by convention)."""
        out = Value(max(0.0, self.data), _parents=(self,), _op="relu")

        def _backward() -> None:
            self.grad += (1.0 if self.data > 0.0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def backward(self) -> None:
        """Set ``grad`` of every node this one depends on to ∂self/∂node.

        All gradients in the graph are zeroed first, so a second call gives the same result as the first
        (micrograd instead accumulates across calls). Nodes outside this graph are not touched.
        """
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        # Reverse topological order: a node's grad is complete before it is passed on to its parents.
        for node in reversed(order):
            node._backward()

    def __repr__(self) -> str:
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"


def topological_order(root: Value, *, first_operand_first: bool = False,
                      max_nodes: int | None = None) -> list[Value]:
    """Every node ``root`` depends on, each once, parents before children (``root`` is last).

    An explicit stack replaces recursion, so a chain of 100,000 nodes does not hit Python's recursion limit.
    The one graph walk of the package: ``Value.backward`` and :func:`bpcourse.plotting.draw_graph` both use it.

    Parameters
    ----------
    root : Value
        The output node. Any object whose ``parents`` lists the nodes it was computed from can be walked,
        so a ``Value`` class written in a notebook works too.
    first_operand_first : bool
        Visit each node's first operand before its second, as a drawing reads left to right; the default
        visits the last first (the order ``backward`` has always accumulated gradients in).
    max_nodes : int, optional
        Refuse, with ValueError, a graph of more distinct nodes than this (a drawing's limit).

    Returns
    -------
    list of Value
        Length = number of distinct nodes in the graph.
    """
    if not hasattr(root, "parents"):
        raise TypeError(f"root must be a Value, got {type(root).__name__} (any graph node with parents will do)")
    order: list[Value] = []
    visited: set[int] = set()
    # (node, True) means "all its parents are done: emit it"; this is the post-order step of a DFS.
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        if max_nodes is not None and len(visited) > max_nodes:
            raise ValueError(f"the graph has more than {max_nodes} nodes")
        stack.append((node, True))
        parents = tuple(node.parents)
        # the stack pops the last pushed first: push reversed to visit the first operand first
        stack.extend((p, False) for p in (reversed(parents) if first_operand_first else parents)
                     if id(p) not in visited)
    return order


def count_nodes(root: Value) -> int:
    """Number of distinct nodes (inputs, constants and operations) in the graph of ``root``."""
    return len(topological_order(root))
