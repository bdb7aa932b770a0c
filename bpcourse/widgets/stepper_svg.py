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

from .stepper_steps import Edge, Layout, Node, Table, num

if TYPE_CHECKING:  # pragma: no cover
    from .stepper import BackpropStepper

COLORS = {"given": "#333333", "forward": "#0072B2", "loss": "#0072B2", "backward": "#D55E00",
          "update": "#009E73", "highlight": "#F0E442", "edge": "#8c8c8c", "node": "#ffffff"}
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
TEXT_SIZE = 19
RADIUS = 30
_SUB = re.compile(r"([A-Za-zδ∂Σ]+)_([A-Za-z0-9]+)")


def rich(text: str) -> str:
    """Escape ``text`` for SVG and turn ``name_sub`` into a real subscript (a shifted, smaller tspan)."""
    return _SUB.sub(lambda m: f'{m.group(1)}<tspan baseline-shift="sub" font-size="72%">{m.group(2)}</tspan>',
                    escape(text, quote=False))


def html_rich(text: str) -> str:
    """The same for HTML: ``name_sub`` → ``name<sub>sub</sub>``."""
    return _SUB.sub(lambda m: f"{m.group(1)}<sub>{m.group(2)}</sub>", escape(text, quote=False))


def _width(content: str, size: float) -> float:
    """Rough width of ``content`` at ``size`` px (DejaVu Sans averages about 0.6 em per glyph)."""
    plain = _SUB.sub(lambda m: m.group(1) + m.group(2), content)
    return 0.6 * size * len(plain)


def _text(x: float, y: float, content: str, role: str, current: bool = False, anchor: str = "middle",
          size: float = TEXT_SIZE, extra: str = "") -> str:
    weight = "bold" if current or role == "loss" else "normal"
    mark = ""
    if current:  # the current step's number sits on a highlighter stroke
        w = _width(content, size) + 14
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
            parts.append(f'<circle cx="{n.x}" cy="{n.y}" r="{RADIUS + 9}" fill="{COLORS["highlight"]}"/>')
        parts.append(f'<circle cx="{n.x}" cy="{n.y}" r="{RADIUS}" fill="#ffffff" stroke="{stroke}" stroke-width="2"/>')
    else:
        w, h = (56, 44) if n.shape == "box" else (50, 40)
        fill = "#fff2cc" if n.shape == "bias" else "#eef3fb"
        if current:
            parts.append(f'<rect x="{n.x - w / 2 - 9}" y="{n.y - h / 2 - 9}" width="{w + 18}" height="{h + 18}" '
                         f'rx="12" fill="{COLORS["highlight"]}"/>')
        parts.append(f'<rect x="{n.x - w / 2}" y="{n.y - h / 2}" width="{w}" height="{h}" rx="8" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="2"/>')
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
    x0, y0, x1, y1 = _clip(L.node(e.src), L.node(e.dst), )
    dash = ' stroke-dasharray="8 6"' if e.dashed else ""
    parts = []
    if current:
        parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{COLORS["highlight"]}" '
                     f'stroke-width="14" stroke-linecap="round"/>')
    parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{COLORS["edge"]}" '
                 f'stroke-width="2.2"{dash} marker-end="url(#bp-arrow)"/>')
    return "".join(parts)


def _edge_point(e: Edge, L: Layout) -> tuple[float, float]:
    a, b = L.node(e.src), L.node(e.dst)
    return a.x + e.frac * (b.x - a.x), a.y + e.frac * (b.y - a.y)


def render(stepper: "BackpropStepper", index: int, highlight: bool = True) -> str:
    """The drawing of ``stepper`` after ``index`` steps, as a standalone SVG document string; ``highlight``
    marks the last step done (the current one)."""
    ex = stepper.example
    L = ex.layout(stepper.options)
    steps = stepper.steps
    if not 0 <= index <= len(steps):
        raise ValueError(f"index must be from 0 to {len(steps)}, got {index}")
    current = steps[index - 1] if index and highlight else None
    labels = {"t": "t", "E": "E"} | ex.labels
    texts: dict[str, list[tuple[str, str, bool]]] = {}
    corner = []
    params = stepper.params
    for name, value in params.items():
        shown = labels.get(name, name)
        shown = f"{shown[0]}_{shown[1:]}" if re.fullmatch(r"[a-z]\d+", shown) else shown
        line = (f"{'η' if name == 'eta' else shown} = {num(value)}", "given", False)
        if name in L.anchors:
            texts.setdefault(L.anchors[name], []).append(line)
        else:
            corner.append(line)
    for i, s in enumerate(steps[:index]):
        texts.setdefault(s.target, []).append((s.short, s.kind, current is not None and i == index - 1))

    edge_ids = {e.id for e in L.edges}
    node_ids = {n.id for n in L.nodes}
    highlight = current.target if current else None
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {L.width} {L.height}" width="{L.width}" '
           f'height="{L.height}" font-family="{FONT}" class="bp-svg" data-example="{ex.key}" data-index="{index}" '
           f'style="max-width:100%;height:auto">',
           '<defs><marker id="bp-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c8c8c"/></marker></defs>',
           f'<rect width="{L.width}" height="{L.height}" fill="#ffffff"/>']
    out += [_edge(e, L, e.id == highlight) for e in L.edges]
    out += [_node_shape(n, n.id == highlight) for n in L.nodes]
    size, line = L.text_size, round(L.text_size * 1.22)
    in_tables = {e for t in L.tables for e in t.edges}
    for target, lines in texts.items():
        if target in in_tables:
            continue
        if target in edge_ids:
            e = next(e for e in L.edges if e.id == target)
            x, y = _edge_point(e, L)
            top = y + 26 if e.below else y - (len(lines) - 1) * line / 2
            for k, (content, role, cur) in enumerate(lines):
                out.append(_text(x, top + k * line, content, role, cur, size=size, extra=f' data-anchor="{target}"'))
        elif target in node_ids:
            n = L.node(target)
            above = [t for t in lines if n.all_above or t[1] in ("given", "forward", "loss")]
            below = [t for t in lines if not n.all_above and t[1] in ("backward", "update")]
            gap = RADIUS + 18 if n.shape == "circle" else 36
            for k, (content, role, cur) in enumerate(reversed(above)):
                out.append(_text(n.x, n.y - gap - k * line, content, role, cur, size=size,
                                 extra=f' data-anchor="{target}"'))
            for k, (content, role, cur) in enumerate(below):
                out.append(_text(n.x, n.y + gap + k * line, content, role, cur, size=size,
                                 extra=f' data-anchor="{target}"'))
    for table in L.tables:
        out.append(_table(table, stepper, index, current, size, line))
    out.append(_legend(L, ex, corner, size))
    out.append("</svg>")
    return "".join(out)


def _table(table: Table, stepper: "BackpropStepper", index: int, current, size: float, line: float) -> str:
    """One row per edge: its name, its weight (given), ∂E/∂w and the updated weight once they are computed."""
    done = {s.name: s for s in stepper.steps[:index]}
    params = stepper.params
    cols = tuple(size * c for c in (0, 4.4, 9.0, 14.8))
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
        x += _width(content, size) + 40
    kinds = {s for s in ex.kinds.values()}
    legend = [("given", "given"), ("forward", "forward value"), ("backward", "gradient (∂, δ)")]
    if "eta" in kinds:
        legend.append(("update", "updated (←)"))
    for role, label in legend:
        text = f"■ {label}"
        out.append(f'<text x="{x:.1f}" y="{y}" dominant-baseline="middle" font-size="{small}" '
                   f'fill="{COLORS[role]}">{escape(text)}</text>')
        x += _width(text, small) + 26
    return "".join(out)
