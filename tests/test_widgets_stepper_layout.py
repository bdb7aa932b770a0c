"""The stepper's drawing, measured: no label is struck through by a line or covers another label or a node.

Everything is read back from the SVG the stepper generates (lines, node shapes, label backgrounds, texts), not
from the layout code, and the texts are measured with the font file itself (matplotlib ships DejaVu Sans), so
a wrong width table in ``stepper_labels`` or a wrong placement fails here.
"""
from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse.widgets import EXAMPLES, BackpropStepper
from bpcourse.widgets.stepper_labels import SUB_SCALE, text_width
from bpcourse.widgets.stepper_steps import num

SVG = "{http://www.w3.org/2000/svg}"
GRAPHS = [("xyz", {}), ("neuron", {}), ("chain", {"order": "correct"}), ("chain", {"order": "article"}),
          ("two_hidden", {"bias": "literal"}), ("two_hidden", {"bias": "shared"}), ("net322", {})]
LINE_MARGIN = 7.0  # half the width of the current edge's highlight stroke (14 px)
LEGEND_BAND = 36.0  # the legend's row at the bottom of the drawing


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float
    what: str

    def grown(self, m: float) -> "Rect":
        return Rect(self.x0 - m, self.y0 - m, self.x1 + m, self.y1 + m, self.what)

    def overlaps(self, o: "Rect") -> bool:
        return self.x0 < o.x1 and o.x0 < self.x1 and self.y0 < o.y1 and o.y0 < self.y1

    def contains(self, o: "Rect") -> bool:
        return self.x0 <= o.x0 and self.y0 <= o.y0 and o.x1 <= self.x1 and o.y1 <= self.y1


def segment_hits(r: Rect, x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether the segment meets the rectangle (Liang–Barsky clipping)."""
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - r.x0), (dx, r.x1 - x0), (-dy, y0 - r.y0), (dy, r.y1 - y0)):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            if lo > hi:
                return False
    return True


def circle_hits(r: Rect, cx: float, cy: float, radius: float) -> bool:
    nx, ny = min(max(cx, r.x0), r.x1), min(max(cy, r.y0), r.y1)
    return math.hypot(cx - nx, cy - ny) < radius


def _segment_near(cx: float, cy: float, x0: float, y0: float, x1: float, y1: float) -> float:
    """The distance from a point to a segment."""
    dx, dy = x1 - x0, y1 - y0
    t = max(0.0, min(1.0, ((cx - x0) * dx + (cy - y0) * dy) / (dx * dx + dy * dy or 1.0)))
    return math.hypot(cx - x0 - t * dx, cy - y0 - t * dy)


# ---------------------------------------------------------------------------------------------- the font
def _font_file() -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans-Bold.ttf")


_FONTS: dict = {}


def measured(element: ET.Element, size: float) -> float:
    """The width of an SVG text element (its subscript tspans at their own size), measured with the font."""
    from PIL import ImageFont

    def length(text: str, px: float) -> float:
        key = round(px * 100)
        if key not in _FONTS:
            _FONTS[key] = ImageFont.truetype(_font_file(), size=1000)
        return _FONTS[key].getlength(text) * px / 1000

    width = length(element.text or "", size)
    for child in element:
        scale = float(child.get("font-size", "100%").rstrip("%")) / 100
        width += length(child.text or "", size * scale) + length(child.tail or "", size)
    return width


def text_rect(t: ET.Element) -> Rect:
    size = float(t.get("font-size"))
    w = measured(t, size)
    x, y = float(t.get("x")), float(t.get("y"))
    left = {"middle": x - w / 2, "start": x, "end": x - w}[t.get("text-anchor", "start")]
    return Rect(left, y - INK_ABOVE * size, left + w, y + ink_below(t) * size, "".join(t.itertext()))


# The ink of a DejaVu Sans line centred on y (dominant-baseline central), as Chromium measures it (getBBox):
# 0.57 em above and below, 0.86 em below when a subscript tspan (baseline-shift sub) is in it.
INK_ABOVE = 0.57


def ink_below(t: ET.Element) -> float:
    return 0.86 if any(c.get("baseline-shift") == "sub" for c in t) else 0.57


# ---------------------------------------------------------------------------------------------- reading
def read(svg: str):
    root = ET.fromstring(svg)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    lines, circles, shapes, labels, texts, heads = [], [], [], [], [], []
    previous = None
    for el in root.iter():
        cls = (el.get("class") or "").split()
        if el.tag == f"{SVG}line" and "bp-edge" in cls:
            lines.append((el.get("data-edge"), *(float(el.get(k)) for k in ("x1", "y1", "x2", "y2")),
                          el.get("data-src"), el.get("data-dst")))
        elif el.tag == f"{SVG}polygon" and "bp-arrowhead" in cls:  # its sides, as lines of its edge
            pts = [tuple(float(v) for v in p.split(",")) for p in el.get("points").split()]
            heads.append((el.get("data-edge"), pts))
        elif "bp-node" in cls and el.tag == f"{SVG}circle":
            circles.append((el.get("data-node"), float(el.get("cx")), float(el.get("cy")), float(el.get("r"))))
        elif "bp-node" in cls:
            x, y, w, h = (float(el.get(k)) for k in ("x", "y", "width", "height"))
            shapes.append(Rect(x, y, x + w, y + h, el.get("data-node")))
        elif "bp-label" in cls:
            x, y, w, h = (float(el.get(k)) for k in ("x", "y", "width", "height"))
            labels.append(Rect(x, y, x + w, y + h, el.get("data-anchor")))
        elif el.tag == f"{SVG}text" and el.get("data-role"):
            texts.append((el, previous if previous is not None and "bp-label" in (previous.get("class") or "")
                          else None))
        previous = el
    ends = {e: (src, dst) for e, *_, src, dst in lines}
    for e, pts in heads:
        lines += [(e, *a, *b, *ends[e]) for a, b in zip(pts, pts[1:] + pts[:1])]
    return width, height, lines, circles, shapes, labels, texts


def problems_of(svg: str) -> list[str]:
    width, height, lines, circles, shapes, labels, texts = read(svg)
    out = []
    named = [Rect(r.x0, r.y0, r.x1, r.y1, f"label at {r.what}") for r in labels]
    for el, background in texts:
        box = text_rect(el)
        if background is not None:
            bg = Rect(*(float(background.get(k)) for k in ("x", "y")), 0, 0, "")
            bg = Rect(bg.x0, bg.y0, bg.x0 + float(background.get("width")), bg.y0 + float(background.get("height")),
                      "")
            if not bg.contains(box):
                out.append(f"{box.what!r} does not fit its background ({box.x1 - box.x0:.1f} px wide, "
                           f"the box {bg.x1 - bg.x0:.1f})")
        elif el.get("data-anchor"):  # a table's cell: it has no background, so it must keep off everything
            named.append(Rect(box.x0, box.y0, box.x1, box.y1, f"table cell {box.what!r}"))
    for r in named:
        if r.x0 < 0 or r.y0 < 0 or r.x1 > width or r.y1 > height - LEGEND_BAND:
            out.append(f"{r.what} {r} leaves the drawing or covers the legend")
        grown = r.grown(LINE_MARGIN)
        out += [f"{r.what} is struck by edge {e}" for e, *seg, _, _ in lines if segment_hits(grown, *seg)]
        out += [f"{r.what} covers node {n}" for n, cx, cy, radius in circles if circle_hits(r, cx, cy, radius + 9)]
        out += [f"{r.what} covers node {s.what}" for s in shapes if r.overlaps(s.grown(9))]
    for e, x0, y0, x1, y1, src, dst in lines:  # an edge (and its head) passes only through the nodes it joins
        out += [f"edge {e} passes through node {n}" for n, cx, cy, radius in circles
                if n not in (src, dst) and _segment_near(cx, cy, x0, y0, x1, y1) < radius]
        out += [f"edge {e} passes through node {s.what}" for s in shapes
                if s.what not in (src, dst) and segment_hits(s, x0, y0, x1, y1)]
    for i, a in enumerate(named):
        out += [f"{a.what} overlaps {b.what}" for b in named[i + 1:] if a.overlaps(b)]
    return out


# ---------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("key, options", GRAPHS, ids=[f"{k}-{'-'.join(o.values()) or 'default'}" for k, o in GRAPHS])
def test_no_label_is_struck_through_or_covered_at_any_step(key, options):
    s = BackpropStepper(key, **options)
    found = {}
    for index in range(s.n_steps + 1):
        problems = problems_of(s.svg(index))
        if problems:
            found[index] = problems
    assert not found, f"{key} {options}: " + "; ".join(f"step {i}: {p}" for i, p in found.items())


def test_every_value_has_an_opaque_background_and_labels_never_move():
    s = BackpropStepper("neuron")
    first = {(r.what, r.x0, r.y0) for r in read(s.svg(3))[5]}
    last = {(r.what, r.x0, r.y0) for r in read(s.svg(s.n_steps))[5]}
    assert first < last, "stepping on adds labels and moves none"
    root = ET.fromstring(s.svg(s.n_steps))
    backgrounds = [r for r in root.iter(f"{SVG}rect") if "bp-label" in (r.get("class") or "")]
    assert len(backgrounds) == len(s.params) - 1 + s.n_steps  # every parameter but η (the corner), every step
    assert all(r.get("fill") in ("#ffffff", "#F0E442") and r.get("fill-opacity") is None for r in backgrounds)


def test_the_neuron_s_input_edges_carry_one_column_each_after_its_11_steps():
    """The issue: after the neuron's 11 steps, three labels piled up on each input edge."""
    s = BackpropStepper("neuron")
    labels = read(s.svg(11))[5]
    for edge in ("w1", "w2", "b"):
        column = sorted((r for r in labels if r.what == edge), key=lambda r: r.y0)
        assert len(column) == 3
        assert all(a.y1 <= b.y0 for a, b in zip(column, column[1:])), f"{edge}: its labels overlap"


def test_every_edge_has_its_arrowhead_drawn_without_an_id():
    """No SVG marker: a marker is looked up by id in the whole page, and two drawings would share one."""
    for key, options in GRAPHS:
        s = BackpropStepper(key, **options)
        svg = s.svg(s.n_steps)
        root = ET.fromstring(svg)
        edges = [el.get("data-edge") for el in root.iter(f"{SVG}line") if "bp-edge" in (el.get("class") or "")]
        heads = [el.get("data-edge") for el in root.iter(f"{SVG}polygon")]
        assert edges == heads == [e.id for e in s.example.layout(s.options).edges]
        assert "marker" not in svg and " id=" not in svg


def test_a_label_struck_by_a_line_is_caught():
    """The checker itself: a label moved onto its edge is reported."""
    svg = BackpropStepper("xyz").svg(0)
    root = ET.fromstring(svg)
    line = next(el for el in root.iter(f"{SVG}line") if el.get("data-edge") == "x")
    rect = next(el for el in root.iter(f"{SVG}rect") if el.get("data-anchor") == "x")
    mx = (float(line.get("x1")) + float(line.get("x2"))) / 2
    my = (float(line.get("y1")) + float(line.get("y2"))) / 2
    rect.set("x", f"{mx - 30}")
    rect.set("y", f"{my - 10}")
    assert any("struck by edge x" in p for p in problems_of(ET.tostring(root, encoding="unicode")))


def test_width_table_matches_the_font():
    """stepper_labels' advance widths (DejaVu Sans Bold) against the font file, for every text the five graphs
    write: the estimate is never narrower than the real text, and at most 2 % wider."""
    for key, options in GRAPHS:
        s = BackpropStepper(key, **options)
        root = ET.fromstring(s.svg(s.n_steps))
        for t in root.iter(f"{SVG}text"):
            if not t.get("data-role"):
                continue
            size = float(t.get("font-size"))
            content = (t.text or "") + "".join(f"_{c.text}{c.tail or ''}" for c in t)
            real = measured(t, size)
            assert real <= text_width(content, size) + 0.01 <= 1.02 * real + 0.5, (content, real)
    assert SUB_SCALE == 0.72


@settings(deadline=None, max_examples=40)
@given(data=st.data())
def test_edited_parameters_move_no_label_and_overlap_nothing(data):
    """A box is sized for the numbers −0.0000 and −0.0e−0 at least, so parameters a learner types (up to 4
    decimals, here in [−1, 1]) whose numbers all stay below 10 in magnitude, and above 1e−9 unless 0, leave every
    label where the default parameters put it (and so, off every line)."""
    key, options = data.draw(st.sampled_from(GRAPHS), label="graph")
    typed = st.integers(-10_000, 10_000).map(lambda k: k / 10_000)
    params = {n: data.draw(typed, label=n) for n in EXAMPLES[key].defaults if n != "eta"}
    if "eta" in EXAMPLES[key].defaults:
        params["eta"] = data.draw(st.integers(1, 200).map(lambda k: k / 100), label="eta")
    s = BackpropStepper(key, **options, **params)
    default = BackpropStepper(key, **options)
    assert problems_of(s.svg(s.n_steps)) == []
    # the rule's promise covers 4-decimal numbers below 10 and one-digit exponents; a wider number (≥ 10, as
    # xyz's f = −12.0000 by default, or below 1e−9) widens its own box, and then labels may sit elsewhere
    if all(_narrow(t) for t in _shown(s) + _shown(default)):
        assert read(s.svg(s.n_steps))[5] == read(default.svg(default.n_steps))[5]


def _shown(s: BackpropStepper) -> list[str]:
    return [num(v) for v in [*s.params.values(), *(step.value for step in s.steps)]]


def _narrow(text: str) -> bool:
    return len(text.lstrip("−")) == 6 and ("e" not in text or len(text.split("e")[1].lstrip("−")) == 1)
