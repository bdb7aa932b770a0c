"""The stepper's vocabulary: one :class:`Step` per operation, numbers written the way the stepper shows them,
and the pieces an example's graph is drawn from (:class:`Node`, :class:`Edge`, :class:`Layout`).

Pure Python: nothing here imports NumPy, ipywidgets or matplotlib.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

#: The four kinds of step, in the order a pass visits them.
KINDS = ("forward", "loss", "backward", "update")

MINUS = "\u2212"  # the typographic minus, as in the chapters' formulas; num() writes it


#: Decimals of every number the stepper writes (drawing, formula, labels): one precision, so a column of values
#: lines up and −0.0280 never sits among numbers of another length.
DECIMALS = 4


def num(v: float) -> str:
    """A number as the stepper writes it: always :data:`DECIMALS` (4) decimals.

    ``−2.0000``, ``0.1500``, ``0.7586``, ``−0.0021``. One exception, so that a gradient that is small but not
    zero is never shown as zero: a non-zero number that rounds to ``0.0000`` is written in scientific notation
    with two significant digits (``3.1e−6``), no wider than ``−0.0000``. Zero is ``0.0000``, never
    ``−0.0000``. Negative numbers get a typographic minus (U+2212); ``float(s.replace("−", "-"))`` reads any of
    them back.
    """
    if not math.isfinite(v):
        return str(v)
    text = f"{v:.{DECIMALS}f}"
    if float(text) == 0.0:
        if v == 0.0:
            text = f"{0.0:.{DECIMALS}f}"
        else:
            mantissa, exponent = f"{v:.1e}".split("e")
            text = f"{mantissa}e{int(exponent)}"
    return text.replace("-", MINUS)


def pn(v: float) -> str:
    """:func:`num`, in parentheses when negative (for a factor in a product: ``0.4·(−0.0442)``)."""
    text = num(v)
    return f"({text})" if text.startswith(MINUS) else text


@dataclass(frozen=True)
class Step:
    """One operation of the pass.

    Attributes
    ----------
    kind : {"forward", "loss", "backward", "update"}
    target : str
        The id of the node or edge of the drawing that this step computes (highlighted while it is current;
        its value is written there).
    name : str
        The key of the computed quantity in :attr:`BackpropStepper.known`, e.g. ``"out_o"``, ``"E"``,
        ``"delta_o"``, ``"dE/dw1"``, ``"w1_new"``.
    formula : str
        The formula in symbols, e.g. ``"δ_o = (out_o − t)·out_o·(1 − out_o)"`` (``_x`` marks a subscript).
    substituted : str
        The same with the live numbers and the result, e.g. ``"(0.7586 − 1.0000)·0.7586·0.2414 = −0.0442"``.
    value : float
        The computed number (full precision).
    symbol : str
        How the quantity is written on the drawing, e.g. ``"δ_o"`` or ``"w1 ←"``.
    """

    kind: str
    target: str
    name: str
    formula: str
    substituted: str
    value: float
    symbol: str = ""

    @property
    def line(self) -> str:
        """Formula, numbers and result on one line:
        ``"δ_o = … = (0.7586 − 1.0000)·0.7586·0.2414 = −0.0442"``."""
        if self.formula.endswith(" = " + self.substituted):
            return self.formula
        return f"{self.formula} = {self.substituted}"

    @property
    def short(self) -> str:
        """The label drawn on the graph: ``"δ_o = −0.0442"``, ``"w1 ← 0.1511"``."""
        joiner = " " if self.symbol.endswith("←") else " = "
        return f"{self.symbol}{joiner}{num(self.value)}"


class Recorder:
    """Collects an example's steps in order; ``r.v`` holds every value computed so far by name."""

    def __init__(self, params: dict[str, float]) -> None:
        self.v: dict[str, float] = dict(params)
        self.steps: list[Step] = []

    def add(self, kind: str, target: str, name: str, formula: str, numbers: str, value: float) -> float:
        """Record one step; ``numbers`` is the substituted right-hand side without the result."""
        symbol = formula.split(" = ")[0]
        if " ← " in symbol:
            symbol = symbol.split(" ← ")[0] + " ←"
        substituted = f"{numbers} = {num(value)}" if numbers else num(value)
        self.steps.append(Step(kind, target, name, formula, substituted, float(value), symbol))
        self.v[name] = float(value)
        return float(value)


@dataclass(frozen=True)
class Node:
    """A node of the drawing at (x, y) in the drawing's pixel coordinates.

    ``shape`` is ``"circle"`` (a neuron or an operation), ``"box"`` (an input, the loss) or ``"bias"`` (a
    bias input fixed at 1).
    """

    id: str
    x: float
    y: float
    label: str
    shape: str = "circle"
    # where its labels go: "split" (values above, gradients and updates below), all "above", all "below", or in
    # one column to its "left" or "right" (see bpcourse.widgets.stepper_labels)
    stack: str = "split"
    shift: float = 0.0  # moves its vertical stacks right (> 0) or left, off edges that arrive at a slant


@dataclass(frozen=True)
class Edge:
    """An arrow from node ``src`` into node ``dst``. Its labels stack in a column beside it, at ``frac`` of its
    length, on its ``side`` ("above" or "below" the line; see :mod:`~bpcourse.widgets.stepper_labels`)."""

    id: str
    src: str
    dst: str
    dashed: bool = False
    frac: float = 0.5
    side: str = "above"


@dataclass(frozen=True)
class Table:
    """A table of edges drawn at (x, y): one row per edge with its weight, gradient and updated weight.

    Used where a layer has too many edges for their numbers to be written on the lines (Article B's 3-2-2).
    """

    x: float
    y: float
    edges: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class Layout:
    """The drawing of an example: its size, nodes and edges, and where each parameter is written.

    ``anchors`` maps a parameter name to the node or edge id it is written at; parameters without an anchor
    (η) are listed in the drawing's corner.
    """

    width: int
    height: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    anchors: dict[str, str] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()
    text_size: int = 19  # of the values' text, in drawing pixels (a wide drawing is shown smaller)

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def ids(self) -> set[str]:
        return {n.id for n in self.nodes} | {e.id for e in self.edges}
