"""Where the stepper writes its numbers: one box per label, placed by a fixed rule, off every line.

The rule
--------
* A node's values (given, forward, loss) stack above it and its gradients and updates below it, in the order
  the pass computes them. A node whose ``stack`` is "above" or "below" stacks them all on that side (where
  edges take the other side); one whose ``stack`` is "left" or "right" (an input, a bias, where the edges
  leave on one side) has them all in one column on that side, centred on it; ``shift`` moves a node's stacks
  sideways, off edges that arrive at a slant.
* An edge's labels (its weight, ∂E/∂w, w ←) stack in one column beside the edge, centred on the point at
  ``edge.frac`` of its length and pushed out along the edge's normal, on ``edge.side``, until the whole column
  clears the line by :data:`CLEARANCE` pixels.
* Places are computed for the whole pass, so a label never moves while the learner steps on or back: a step
  only shows or hides its own label.
* Every label sits on an opaque rounded background (drawn by :mod:`~bpcourse.widgets.stepper_svg`), sized from
  DejaVu Sans Bold's advance widths: the widest face the drawing asks for, so the current step, drawn bold,
  fits its box too. A box is never narrower than its label with the number ``−0.0000`` or ``−0.0e−0``
  (:data:`RESERVED`): every number below 10 in magnitude, or in scientific notation down to 1e−9, is that wide
  or narrower (the digits share one width), so editing a parameter moves no label unless a number reaches 10
  or falls below 1e−9.

The rule does not by itself keep a label off *another* edge or label: each example's layout (its node
positions, and its edges' ``frac`` and ``side``) is chosen so that it does, and
``tests/test_widgets_stepper_layout.py`` checks it geometrically for the five graphs at every step.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .stepper_steps import Edge, Layout, Node

RADIUS = 30  #: of a circle node, in drawing pixels
BOX = {"box": (56.0, 44.0), "bias": (50.0, 40.0)}  #: width and height of the other node shapes
RING = 9  #: how far the current node's highlight reaches beyond its shape
CLEARANCE = 14  #: the least distance from a label's box to the line it belongs to (an arrowhead is 6.5 wide)
PAD_X = 0.35  #: horizontal padding inside a label's box, in em
HEIGHT = 1.6  #: a label box's height, in em: DejaVu's 1.14 em of text, 0.29 em more below for a subscript
SUB_RAISE = 0.145  #: a label with a subscript is written this much (em) higher, so its ink is centred in the box
GAP = 4  #: between two stacked boxes, in pixels
SUB_SCALE = 0.72  #: a subscript's size relative to its text (the tspan's font-size)
RESERVED = ("−0.0000", "−0.0e−0")  #: the numbers a label's box is sized for at least (see the rule above)
_NUMBER = re.compile(r"[−-]?[0-9.]+(?:e[−-]?[0-9]+)?$")

_SUB = re.compile(r"([A-Za-zδ∂Σ]+)_([A-Za-z0-9]+)")

# DejaVu Sans Bold's advance widths in em (measured from the font file; tests/test_widgets_stepper_layout.py
# measures them again). A character not listed counts as 1 em, more than any listed one.
_ADVANCE = {c: 0.696 for c in "0123456789"} | {
    ".": 0.38, "·": 0.38, ",": 0.38, ":": 0.4, "/": 0.365, "−": 0.838, "-": 0.415, "=": 0.838, "←": 0.838,
    "+": 0.838, "(": 0.457, ")": 0.457, "[": 0.457, "]": 0.457, "½": 1.035, "²": 0.438, " ": 0.348,
    "σ": 0.779, "η": 0.712, "δ": 0.687, "∂": 0.544, "Σ": 0.683, "Δ": 0.774, "ê": 0.678, "ŷ": 0.652,
    "₁": 0.438, "₂": 0.438, "₃": 0.438,
    "a": 0.675, "b": 0.716, "c": 0.593, "d": 0.716, "e": 0.678, "f": 0.435, "g": 0.716, "h": 0.712, "i": 0.343,
    "j": 0.343, "k": 0.665, "l": 0.343, "m": 1.042, "n": 0.712, "o": 0.687, "p": 0.716, "q": 0.716, "r": 0.493,
    "s": 0.595, "t": 0.478, "u": 0.712, "v": 0.652, "w": 0.924, "x": 0.645, "y": 0.652, "z": 0.582,
    "A": 0.774, "B": 0.762, "C": 0.734, "D": 0.83, "E": 0.683, "F": 0.683, "G": 0.821, "H": 0.837, "I": 0.372,
    "J": 0.372, "K": 0.775, "L": 0.637, "M": 0.995, "N": 0.837, "O": 0.85, "P": 0.733, "Q": 0.85, "R": 0.77,
    "S": 0.72, "T": 0.682, "U": 0.812, "V": 0.774, "W": 1.103, "X": 0.771, "Y": 0.724, "Z": 0.725,
}


def text_width(content: str, size: float) -> float:
    """The width in pixels of ``content`` written at ``size`` px in DejaVu Sans Bold, ``name_sub`` drawn as a
    subscript at :data:`SUB_SCALE` of the size (as :func:`~bpcourse.widgets.stepper_svg.rich` draws it)."""
    width, pos = 0.0, 0
    for m in _SUB.finditer(content):
        width += _em(content[pos:m.start()]) * size + _em(m.group(1)) * size + _em(m.group(2)) * size * SUB_SCALE
        pos = m.end()
    return width + _em(content[pos:]) * size


def box_width(content: str, size: float) -> float:
    """The width of a label's box: its text's, at least that of the same label ending in :data:`RESERVED`,
    plus :data:`PAD_X` on each side."""
    widths = [text_width(_NUMBER.sub(number, content), size) for number in RESERVED]
    return max(text_width(content, size), *widths) + 2 * PAD_X * size


def has_subscript(content: str) -> bool:
    """Whether ``content`` has a ``name_sub`` subscript (drawn lower than the line, so raised in its box)."""
    return _SUB.search(content) is not None


def _em(text: str) -> float:
    return sum(_ADVANCE.get(c, 1.0) for c in text)


@dataclass(frozen=True)
class Box:
    """A label's background: centre (x, y), width and height, what it says and which step writes it.

    ``step`` is the index in the pass of the step that computes the value (``None`` for a given parameter,
    shown from the start).
    """

    x: float
    y: float
    w: float
    h: float
    content: str
    role: str
    target: str
    step: int | None

    @property
    def left(self) -> float:
        return self.x - self.w / 2

    @property
    def top(self) -> float:
        return self.y - self.h / 2


def node_half_size(n: Node) -> tuple[float, float]:
    """Half the width and half the height of a node's shape."""
    if n.shape == "circle":
        return float(RADIUS), float(RADIUS)
    w, h = BOX[n.shape]
    return w / 2, h / 2


def place(layout: Layout, entries: dict[str, list[tuple[str, str, int | None]]], size: float) -> list[Box]:
    """The boxes of every label of the whole pass.

    ``entries`` maps a node or edge id to its labels in the order they appear: ``(content, role, step)``.
    Targets drawn in a table (:class:`~bpcourse.widgets.stepper_steps.Table`) are the caller's to leave out.
    """
    h = HEIGHT * size
    edges = {e.id: e for e in layout.edges}
    boxes: list[Box] = []
    for target, labels in entries.items():
        sized = [(c, r, k, box_width(c, size)) for c, r, k in labels]
        if target in edges:
            boxes += _edge_column(edges[target], layout, sized, h)
        else:
            boxes += _node_stacks(layout.node(target), sized, h)
    return boxes


def _node_stacks(n: Node, sized: list, h: float) -> list[Box]:
    if n.stack in ("left", "right"):
        sign = -1 if n.stack == "left" else 1
        reach = node_half_size(n)[0] + RING + GAP  # from the node's centre to the column's near side
        top = n.y - (len(sized) * (h + GAP) - GAP) / 2 + h / 2
        return [Box(n.x + sign * (reach + w / 2), top + k * (h + GAP), w, h, c, r, n.id, s)
                for k, (c, r, s, w) in enumerate(sized)]
    top = {"above": True, "below": False}
    above = [s for s in sized if top.get(n.stack, s[1] in ("given", "forward", "loss"))]
    below = [s for s in sized if not top.get(n.stack, s[1] in ("given", "forward", "loss"))]
    reach = node_half_size(n)[1] + RING + GAP + h / 2  # from the node's centre to the nearest box's centre
    pitch = h + GAP
    out = [Box(n.x + n.shift, n.y - reach - (len(above) - 1 - k) * pitch, w, h, c, r, n.id, s)
           for k, (c, r, s, w) in enumerate(above)]  # in reading order, top down, the last one nearest
    out += [Box(n.x + n.shift, n.y + reach + k * pitch, w, h, c, r, n.id, s) for k, (c, r, s, w) in enumerate(below)]
    return out


def _edge_column(e: Edge, layout: Layout, sized: list, h: float) -> list[Box]:
    a, b = layout.node(e.src), layout.node(e.dst)
    dx, dy = b.x - a.x, b.y - a.y
    d = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / d, dx / d  # a unit normal; turned to point up (or left, for a vertical edge) ...
    if ny > 0 or (ny == 0 and nx > 0):
        nx, ny = -nx, -ny
    if e.side == "below":  # ... or down
        nx, ny = -nx, -ny
    width = max(w for *_, w in sized)
    height = len(sized) * (h + GAP) - GAP
    # the distance at which a width × height rectangle centred on the normal just touches the line
    push = (width * abs(nx) + height * abs(ny)) / 2 + CLEARANCE
    cx, cy = a.x + e.frac * dx + push * nx, a.y + e.frac * dy + push * ny
    top = cy - height / 2 + h / 2
    return [Box(cx, top + k * (h + GAP), w, h, c, r, e.id, s) for k, (c, r, s, w) in enumerate(sized)]
