"""Computational graphs: any scalar autodiff graph drawn from its output back, values and gradients on it.

The layout needs no hand-placed coordinates. Columns count operations back from the output (the output is
the rightmost column, and every node sits one column left of the *leftmost* node that uses it, so a
constant appears next to the operation that consumes it); rows come from a depth-first walk, leaves one row
apart and each operation level with the mean of its operands, then spread so no two nodes of a column meet.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from matplotlib.patches import FancyArrowPatch

from ..autodiff import topological_order
from ..validate import check_int
from ._common import _new_axes

FORWARD_COLOR = "#1a7f37"  # green: the value computed by the forward pass
GRADIENT_COLOR = "#c62828"  # red: d(output)/d(node), filled in by the backward pass
# numbers sit on a white patch, so an arrow passing behind them does not cross them out
_BEHIND = dict(boxstyle="square,pad=0.05", fc="white", ec="none")
ROW_GAP = 1.3  # rows apart, in units of the column spacing: room for a node and its two numbers

# How an operation is written inside its circle; anything else is shown as the op string itself.
OP_SYMBOLS = {"+": "+", "*": "×", "-": "−", "/": "÷", "neg": "−x", "sigmoid": "σ", "tanh": "tanh", "exp": "exp",
              "log": "log", "relu": "relu", "**2": "x²", "**3": "x³", "**-1": "1/x", "**0.5": "√x"}


class GraphDrawing(NamedTuple):
    """What :func:`draw_graph` drew.

    ``order`` lists the graph's nodes, each once, parents before children (the output last); every dict is
    keyed by a node's index in ``order``. ``positions`` gives each node's (x, y); ``markers`` its box or
    circle; ``value_texts`` and ``grad_texts`` the two numbers written under it (``grad_texts`` is empty when
    gradients are not shown); ``edges`` maps (parent index, child index, k) to its arrow, k counting repeated
    operands (``a * a`` has two edges from ``a``).
    """

    ax: Any
    order: list
    positions: dict
    markers: dict
    value_texts: dict
    grad_texts: dict
    edges: dict


def _check_node(node: object, what: str) -> None:
    missing = [a for a in ("data", "grad", "parents", "op", "label") if not hasattr(node, a)]
    if missing:
        raise TypeError(
            f"{what} must be a graph node with data, grad, parents, op and label (e.g. bpcourse.autodiff.Value), "
            f"got {type(node).__name__} without {', '.join(missing)}"
        )


def _topological(root: Any, max_nodes: int) -> list:
    """The graph's nodes, parents first, first operands first (so they are placed first), each checked."""
    try:
        order = topological_order(root, first_operand_first=True, max_nodes=max_nodes)
    except ValueError as exc:
        raise ValueError(f"{exc}; draw_graph is for small graphs (pass max_nodes to raise the limit)") from None
    for node in order:
        _check_node(node, "every node of the graph")
    return order


def _layout(order: list) -> dict[int, tuple[float, float]]:
    index = {id(n): i for i, n in enumerate(order)}
    n = len(order)
    # column: the number of operations between the node and the output, counted along the longest path
    level = [0] * n
    for i in range(n - 1, -1, -1):
        for p in order[i].parents:
            level[index[id(p)]] = max(level[index[id(p)]], level[i] + 1)
    depth = max(level)
    # rows: leaves one apart in depth-first order (``order`` is a post-order walk, first operand first), each
    # operation level with the mean of its operands
    row: dict[int, float] = {}
    next_leaf = 0.0
    for i, node in enumerate(order):
        parents = [index[id(p)] for p in node.parents]
        if parents:
            row[i] = sum(row[p] for p in parents) / len(parents)
        else:
            row[i], next_leaf = next_leaf, next_leaf + 1.0
    # spread nodes that share a column so they are at least one row apart, keeping their order
    for col in range(depth + 1):
        last = None
        for _, i in sorted((row[i], i) for i in range(n) if level[i] == col):
            if last is not None and row[i] < last + 1.0:
                row[i] = last + 1.0
            last = row[i]
    return {i: (float(depth - level[i]), -ROW_GAP * row[i]) for i in range(n)}


def _name(node: Any) -> str:
    if node.label:
        return str(node.label)
    return f"{node.data:g}" if not node.parents else ""


def draw_graph(
    root: Any,
    ax: Any = None,
    grads: bool = True,
    fmt: str | Callable[[float], str] = "{:.4g}",
    max_nodes: int = 60,
) -> GraphDrawing:
    """Draw the computational graph of ``root``: every node once, each arrow from an operand to its result.

    An input or constant is a box with its label (a constant without a label shows its value); an operation
    is a circle with its symbol (× for ``*``, σ for ``sigmoid``, ...) and its label, if it has one, above it.
    Under every node: its forward value in green and, if ``grads``, its gradient ∂root/∂node in red.

    Parameters
    ----------
    root : Value
        The output node, e.g. a loss. Any object with ``data``, ``grad``, ``parents``, ``op`` and ``label``
        works, so a ``Value`` class written in a notebook can be drawn too.
    ax : Axes, optional
        Drawn on a new figure sized to the graph when omitted.
    grads : bool
        Write each node's ``grad`` (call ``root.backward()`` first); ``False`` draws the forward pass only.
    fmt : str or callable
        How numbers are written: a format string such as ``"{:.4g}"`` or a function float -> str.
    max_nodes : int
        Refuse larger graphs (a drawing of hundreds of nodes is unreadable).

    Returns
    -------
    GraphDrawing
        ``(ax, order, positions, markers, value_texts, grad_texts, edges)``.
    """
    _check_node(root, "root")
    max_nodes = check_int(max_nodes, "max_nodes")
    fmt = _formatter(fmt)
    order = _topological(root, max_nodes)
    positions = _layout(order)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    width, height = max(xs) - min(xs) + 1.0, max(ys) - min(ys) + 1.0
    ax = _new_axes(ax, (min(max(1.45 * width + 0.6, 3.5), 16.0), min(1.1 * height + 0.9, 12.0)))
    markers, value_texts, grad_texts = _draw_nodes(ax, order, positions, fmt, grads)
    edges = _draw_edges(ax, order, positions)
    _finish(ax, xs, ys, grads)
    return GraphDrawing(ax, order, positions, markers, value_texts, grad_texts, edges)


def _formatter(fmt: str | Callable[[float], str]) -> Callable[[float], str]:
    """``fmt`` as a function float -> str, refusing a format string that cannot format one number."""
    if isinstance(fmt, str):
        pattern = fmt
        try:
            pattern.format(1.5)
        except (ValueError, IndexError, KeyError) as exc:
            raise ValueError(f"fmt must be a format string for one number such as '{{:.4g}}', got {fmt!r}") from exc
        return pattern.format
    if not callable(fmt):
        raise TypeError(f"fmt must be a format string or a function float -> str, got {type(fmt).__name__}")
    return fmt


def _draw_nodes(ax: Any, order: list, positions: dict, fmt: Callable[[float], str],
                grads: bool) -> tuple[dict, dict, dict]:
    """Inputs as boxes, operations as circles with their symbol; the value (and gradient) under each."""
    markers: dict[int, Any] = {}
    value_texts: dict[int, Any] = {}
    grad_texts: dict[int, Any] = {}
    for i, node in enumerate(order):
        x, y = positions[i]
        if node.parents:
            symbol = OP_SYMBOLS.get(node.op, node.op or "?")
            markers[i] = ax.text(x, y, symbol, ha="center", va="center", fontsize=12 if len(symbol) < 3 else 9,
                                 zorder=4, bbox=dict(boxstyle="circle,pad=0.3", fc="#fff4e5", ec="#e8710a"))
            if node.label:
                ax.text(x, y + 0.3, str(node.label), ha="center", va="bottom", fontsize=11, zorder=4)
        else:
            markers[i] = ax.text(x, y, _name(node), ha="center", va="center", fontsize=11, zorder=4,
                                 bbox=dict(boxstyle="round,pad=0.35", fc="#e8f0fe", ec="#3367d6"))
        value_texts[i] = ax.text(x, y - 0.3, fmt(node.data + 0.0), ha="center", va="top", fontsize=10,
                                 color=FORWARD_COLOR, zorder=4, bbox=_BEHIND)
        if grads:
            grad_texts[i] = ax.text(x, y - 0.55, fmt(node.grad + 0.0), ha="center", va="top", fontsize=10,
                                    color=GRADIENT_COLOR, zorder=4, bbox=_BEHIND)
    return markers, value_texts, grad_texts


def _draw_edges(ax: Any, order: list, positions: dict) -> dict[tuple[int, int, int], Any]:
    """An arrow from each operand to its result; a repeated operand (a * a) gets one arc per use."""
    index = {id(n): i for i, n in enumerate(order)}
    edges: dict[tuple[int, int, int], Any] = {}
    for c, node in enumerate(order):
        counts: dict[int, int] = {}
        for p in node.parents:
            i = index[id(p)]
            k = counts.get(i, 0)
            counts[i] = k + 1
            repeated = sum(1 for q in node.parents if q is p) > 1
            # the arcs of a repeated operand bend to opposite sides so both show
            rad = (0.25 if k % 2 == 0 else -0.25) * (1 + k // 2) if repeated else 0.0
            arrow = FancyArrowPatch(positions[i], positions[c], arrowstyle="-|>", mutation_scale=12,
                                    color="0.45", lw=1.2, shrinkA=16, shrinkB=16, zorder=2,
                                    connectionstyle=f"arc3,rad={rad}")
            ax.add_patch(arrow)
            edges[(i, c, k)] = arrow
    return edges


def _finish(ax: Any, xs: list[float], ys: list[float], grads: bool) -> None:
    """Limits that fit the drawing, no axes, and the colour key under it."""
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.95, max(ys) + 0.6)
    ax.axis("off")
    captions = [("green: forward value", FORWARD_COLOR)]
    if grads:
        captions.append(("red: gradient ∂(output)/∂(node)", GRADIENT_COLOR))
    for k, (text, colour) in enumerate(captions):  # one line each, under the drawing
        ax.annotate(text, xy=(0.0, 0.0), xycoords="axes fraction", xytext=(0.0, -12.0 * k),
                    textcoords="offset points", ha="left", va="top", fontsize=9, color=colour)
