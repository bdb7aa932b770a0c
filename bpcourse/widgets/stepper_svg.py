"""The stepper's drawing, built as SVG text directly (no matplotlib).

Why SVG, and why by hand: the drawing is redrawn on every click, must stay sharp when a lesson is projected,
and its numbers should be real text a browser test can read. An SVG string in an ``ipywidgets.HTML`` costs
well under a millisecond to build, scales to any width without blur, and its ``<text>`` elements carry the
numbers. It is also deterministic, so the static copy stored in a notebook's output is compared by nbval like
any printed line.

Colours are Okabe–Ito's colour-blind-safe set: given parameters dark grey, forward values blue (#0072B2),
gradients vermillion (#D55E00), updated weights bluish green (#009E73), the current step on a yellow (#F0E442)
highlight. Colour is never the only cue: gradients read ∂ or δ, updates ←.
"""
from __future__ import annotations

import math
import re
from html import escape
from typing import TYPE_CHECKING

from .stepper_labels import RADIUS, RING, SUB_RAISE, Box, has_subscript, node_half_size, place, text_width
from .stepper_steps import Edge, Layout, Node, Table, num

if TYPE_CHECKING:  # pragma: no cover
    from .stepper import BackpropStepper

COLORS = {"given": "#333333", "forward": "#0072B2", "loss": "#0072B2", "backward": "#D55E00",
          "update": "#009E73", "highlight": "#F0E442", "edge": "#8c8c8c", "node": "#ffffff"}
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
ARROW = (16.0, 6.5)  #: an arrowhead's length and half width, in drawing pixels
TEXT_SIZE = 19
_SUB = re.compile(r"([A-Za-zδ∂Σ]+)_([A-Za-z0-9]+)")


def rich(text: str) -> str:
    """Escape ``text`` for SVG and turn ``name_sub`` into a real subscript (a shifted, smaller tspan)."""
    return _SUB.sub(lambda m: f'{m.group(1)}<tspan baseline-shift="sub" font-size="72%">{m.group(2)}</tspan>',
                    escape(text, quote=False))


def html_rich(text: str) -> str:
    """The same for HTML: ``name_sub`` → ``name<sub>sub</sub>``."""
    return _SUB.sub(lambda m: f"{m.group(1)}<sub>{m.group(2)}</sub>", escape(text, quote=False))


def _text(x: float, y: float, content: str, role: str, current: bool = False, anchor: str = "middle",
          size: float = TEXT_SIZE, extra: str = "") -> str:
    weight = "bold" if current or role == "loss" else "normal"
    mark = ""
    if current:  # the current step's number sits on a highlighter stroke
        w = text_width(content, size) + 14
        left = {"middle": x - w / 2, "start": x - 7, "end": x - w + 7}[anchor]
        mark = (f'<rect x="{left:.1f}" y="{y - size * 0.75:.1f}" width="{w:.1f}" height="{size * 1.5:.1f}" rx="6" '
                f'fill="{COLORS["highlight"]}" class="bp-current"/>')
    return (f'{mark}<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle" '
            f'font-size="{size}" font-weight="{weight}" fill="{COLORS[role]}" '
            f'stroke="{"none" if current else "#ffffff"}" '
            f'stroke-width="5" stroke-linejoin="round" paint-order="stroke" '
            f'data-role="{role}"{extra}>{rich(content)}</text>')


def _node_shape(n: Node, current: bool) -> str:
    stroke = "#222222"
    parts = []
    if n.shape == "circle":
        if current:
            parts.append(f'<circle cx="{n.x}" cy="{n.y}" r="{RADIUS + RING}" fill="{COLORS["highlight"]}"/>')
        parts.append(f'<circle cx="{n.x}" cy="{n.y}" r="{RADIUS}" fill="#ffffff" stroke="{stroke}" stroke-width="2" '
                     f'class="bp-node" data-node="{n.id}"/>')
    else:
        hw, hh = node_half_size(n)
        w, h = 2 * hw, 2 * hh
        fill = "#fff2cc" if n.shape == "bias" else "#eef3fb"
        if current:
            parts.append(f'<rect x="{n.x - w / 2 - RING}" y="{n.y - h / 2 - RING}" width="{w + 2 * RING}" '
                         f'height="{h + 2 * RING}" rx="12" fill="{COLORS["highlight"]}"/>')
        parts.append(f'<rect x="{n.x - w / 2}" y="{n.y - h / 2}" width="{w}" height="{h}" rx="8" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="2" class="bp-node" data-node="{n.id}"/>')
    parts.append(f'<text x="{n.x}" y="{n.y + 1}" text-anchor="middle" dominant-baseline="middle" font-size="24" '
                 f'fill="#111111">{rich(n.label)}</text>')
    return "".join(parts)


def _clip(a: Node, b: Node) -> tuple[float, float, float, float]:
    """The segment from a to b, shortened so it starts and ends at the shapes' borders."""
    dx, dy = b.x - a.x, b.y - a.y
    d = math.hypot(dx, dy) or 1.0
    ra = RADIUS + 2 if a.shape == "circle" else 30
    rb = RADIUS + 6 if b.shape == "circle" else 34
    return a.x + dx * ra / d, a.y + dy * ra / d, b.x - dx * rb / d, b.y - dy * rb / d


def _edge(e: Edge, L: Layout, current: bool) -> str:
    x0, y0, x1, y1 = _clip(L.node(e.src), L.node(e.dst))
    dash = ' stroke-dasharray="8 6"' if e.dashed else ""
    parts = []
    if current:
        parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{COLORS["highlight"]}" '
                     f'stroke-width="14" stroke-linecap="round"/>')
    # the line stops where the arrowhead starts, so a dashed line never pokes through the head
    d = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    bx, by = x1 - ARROW[0] * ux, y1 - ARROW[0] * uy
    parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{bx:.1f}" y2="{by:.1f}" stroke="{COLORS["edge"]}" '
                 f'stroke-width="2.2"{dash} class="bp-edge" data-edge="{e.id}" data-src="{e.src}" data-dst="{e.dst}"/>')
    # the arrowhead is a polygon, not an SVG marker: a marker is found by its id in the whole page, and two
    # drawings on a page (two steppers, or a chapter open in a hidden tab) would share the first one's, which
    # a hidden tab does not paint
    w = ARROW[1]
    head = ((x1, y1), (bx - w * uy, by + w * ux), (bx + w * uy, by - w * ux))
    parts.append(f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in head)}" fill="{COLORS["edge"]}" '
                 f'class="bp-arrowhead" data-edge="{e.id}"/>')
    return "".join(parts)


def render(stepper: "BackpropStepper", index: int, highlight: bool = True) -> str:
    """The drawing of ``stepper`` after ``index`` steps, as a standalone SVG document string; ``highlight``
    marks the last step done (the current one)."""
    ex = stepper.example
    L = ex.layout(stepper.options)
    steps = stepper.steps
    if not 0 <= index <= len(steps):
        raise ValueError(f"index must be from 0 to {len(steps)}, got {index}")
    current = index - 1 if index and highlight else None
    boxes, corner = label_boxes(stepper)
    target = steps[current].target if current is not None else None
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {L.width} {L.height}" width="{L.width}" '
           f'height="{L.height}" font-family="{FONT}" class="bp-svg" data-example="{ex.key}" data-index="{index}" '
           f'style="max-width:100%;height:auto">',
           f'<rect width="{L.width}" height="{L.height}" fill="#ffffff"/>']
    out += [_edge(e, L, e.id == target) for e in L.edges]
    out += [_node_shape(n, n.id == target) for n in L.nodes]
    out += [_label(b, L.text_size, current is not None and b.step == current)
            for b in boxes if b.step is None or b.step < index]
    line = round(L.text_size * 1.45)  # a table's rows: a subscript reaches 0.86 em below its line's centre
    for table in L.tables:
        out.append(_table(table, stepper, index, steps[current] if current is not None else None, L.text_size, line))
    out.append(_legend(L, ex, corner, L.text_size))
    out.append("</svg>")
    return "".join(out)


def label_boxes(stepper: "BackpropStepper") -> tuple[list[Box], list[tuple[str, str, bool]]]:
    """The boxes of every label of the whole pass (see :mod:`~bpcourse.widgets.stepper_labels`), and the
    parameters written in the drawing's corner (those with no anchor: η)."""
    ex = stepper.example
    L = ex.layout(stepper.options)
    names = {"t": "t", "E": "E"} | ex.labels
    in_tables = {e for t in L.tables for e in t.edges}
    entries: dict[str, list[tuple[str, str, int | None]]] = {}
    corner = []
    for name, value in stepper.params.items():
        shown = names.get(name, name)
        shown = f"{shown[0]}_{shown[1:]}" if re.fullmatch(r"[a-z]\d+", shown) else shown
        content = f"{'η' if name == 'eta' else shown} = {num(value)}"
        if name in L.anchors:
            entries.setdefault(L.anchors[name], []).append((content, "given", None))
        else:
            corner.append((content, "given", False))
    for i, s in enumerate(stepper.steps):
        entries.setdefault(s.target, []).append((s.short, s.kind, i))
    entries = {t: labels for t, labels in entries.items() if t not in in_tables}
    return place(L, entries, L.text_size), corner


def _label(b: Box, size: float, current: bool) -> str:
    """A label on its opaque rounded background; the current step's is the highlighter's yellow, in bold."""
    fill = COLORS["highlight"] if current else "#ffffff"
    cls = "bp-label bp-current" if current else "bp-label"
    y = b.y - (SUB_RAISE * size if has_subscript(b.content) else 0.0)
    return (f'<rect x="{b.left:.1f}" y="{b.top:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="{b.h / 3:.1f}" '
            f'fill="{fill}" stroke="{COLORS[b.role]}" stroke-opacity="0.35" stroke-width="1" class="{cls}" '
            f'data-anchor="{b.target}"/>'
            f'<text x="{b.x:.1f}" y="{y:.1f}" text-anchor="middle" dominant-baseline="central" font-size="{size}" '
            f'font-weight="{"bold" if current or b.role == "loss" else "normal"}" fill="{COLORS[b.role]}" '
            f'data-role="{b.role}" data-anchor="{b.target}">{rich(b.content)}</text>')


def _table(table: Table, stepper: "BackpropStepper", index: int, current, size: float, line: float) -> str:
    """One row per edge: its name, its weight (given), ∂E/∂w and the updated weight once they are computed."""
    done = {s.name: s for s in stepper.steps[:index]}
    params = stepper.params
    cols = tuple(size * c for c in (0, 3.6, 9.0, 14.4))  # a name, then three 4-decimal numbers (≤ 4.7 em)
    out = [f'<g class="bp-table" data-title="{escape(table.title)}">']
    if table.title:
        out.append(f'<text x="{table.x}" y="{table.y - line}" font-size="{size}" font-style="italic" fill="#555555" '
                   f'dominant-baseline="middle">{escape(table.title)}</text>')
    heads = ("weight", "value", "∂E/∂w", "new")
    for c, head in zip(cols, heads):
        out.append(f'<text x="{table.x + c:.1f}" y="{table.y}" font-size="{0.85 * size:.1f}" fill="#555555" '
                   f'dominant-baseline="middle">{escape(head)}</text>')
    for r, edge in enumerate(table.edges, start=1):
        y = table.y + r * line
        hot = current is not None and current.target == edge
        out.append(_text(table.x + cols[0], y, edge, "given", False, "start", size, f' data-anchor="{edge}"'))
        out.append(_text(table.x + cols[1], y, num(params[edge]), "given", False, "start", size,
                         f' data-anchor="{edge}"'))
        for c, (key, role) in zip(cols[2:], ((f"dE/d{edge}", "backward"), (f"{edge}_new", "update"))):
            if key in done:
                cur = hot and current.name == key
                out.append(_text(table.x + c, y, num(done[key].value), role, cur, "start", size,
                                 f' data-anchor="{edge}" data-name="{escape(key)}"'))
    out.append("</g>")
    return "".join(out)


def _legend(L: Layout, ex, corner, size: float) -> str:
    y = L.height - 18
    x = 14.0
    out = []
    small = round(0.9 * size)
    for content, role, _ in corner:
        out.append(_text(x, y, content, role, anchor="start", size=size))
        x += text_width(content, size) + 40
    kinds = {s for s in ex.kinds.values()}
    legend = [("given", "given"), ("forward", "forward value"), ("backward", "gradient (∂, δ)")]
    if "eta" in kinds:
        legend.append(("update", "updated (←)"))
    for role, label in legend:
        text = f"■ {label}"
        out.append(f'<text x="{x:.1f}" y="{y}" dominant-baseline="middle" font-size="{small}" '
                   f'fill="{COLORS[role]}">{escape(text)}</text>')
        x += text_width(text, small) + 26
    return "".join(out)
