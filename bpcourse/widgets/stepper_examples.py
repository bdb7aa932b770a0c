"""The stepper's five graphs: their parameters, their steps with live numbers, their loss (for the check) and
their drawing.

Each example computes its own numbers in plain floats, in the order and with the formula it displays, so that
what the learner reads is what was computed; the tests hold those numbers against :mod:`bpcourse.models` and
:mod:`bpcourse.autodiff`. The loss used by :meth:`BackpropStepper.check` comes from the models, not from the
steps, so the check is independent of the arithmetic it checks.

============  ======  ===========================================================================
key           ch.     graph
============  ======  ===========================================================================
xyz           2       f = (x + y)·z at x = −2, y = 5, z = −4 (no loss, no update: only ∂f)
neuron        2 (1)   o = σ(w1·x1 + w2·x2 + b), E = ½(o − t)², chapter 2's numbers, η = 2 (ch 1)
chain         3       Article C: y = w1·x, z = w2·y, e = w3·z, L = ½(e − ê)², its start weights
two_hidden    5       Article A's 1-2-1 network with the course's numbers, both bias readings
net322        6       Article B's 3-2-2 network, nodes 1..7, w_ji, chapter 6's worked numbers
============  ======  ===========================================================================
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..activations import sigmoid_prime_scalar as _sigma_prime
from ..activations import sigmoid_scalar as _sigma
from .stepper_steps import Edge, Layout, Node, Recorder, Step, Table, num, pn


@dataclass(frozen=True)
class Example:
    """One graph the stepper can walk through.

    ``defaults`` lists the editable parameters in display order (inputs, weights, targets, η);
    ``kinds`` says which is which; ``checked`` are the parameters whose gradients :meth:`check` compares;
    ``options`` maps an option name to its allowed values (the first is the default).
    """

    key: str
    title: str
    defaults: dict[str, float]
    kinds: dict[str, str]
    checked: tuple[str, ...]
    grad_prefix: str
    options: dict[str, tuple[str, ...]]
    build: Callable[[dict[str, float], dict[str, str]], list[Step]]
    loss: Callable[[dict[str, float], dict[str, str]], float]
    layout: Callable[[dict[str, str]], Layout]
    labels: dict[str, str]

    def grad_name(self, param: str) -> str:
        """The key of a parameter's gradient in ``known``: ``"dE/dw1"`` (``"df/dx"`` for xyz)."""
        return f"{self.grad_prefix}{param}"


def _kinds(inputs, weights, targets, eta=True) -> dict[str, str]:
    k = {n: "input" for n in inputs} | {n: "weight" for n in weights} | {n: "target" for n in targets}
    return k | ({"eta": "eta"} if eta else {})


def _sub(name: str) -> str:
    """A parameter key as written in a formula: ``w1`` → ``w_1`` (a subscript), ``w_41`` and ``b`` unchanged."""
    return f"{name[0]}_{name[1:]}" if re.fullmatch(r"[a-z]\d+", name) else name


def _update(r: Recorder, p: dict[str, float], names, loss: str = "E") -> None:
    eta = p["eta"]
    for n in names:
        g = r.v[f"dE/d{n}"]
        s = _sub(n)
        r.add("update", n, f"{n}_new", f"{s} ← {s} − η·∂{loss}/∂{s}", f"{num(p[n])} − {num(eta)}·{pn(g)}",
              p[n] - eta * g)


# ---------------------------------------------------------------------------------------------- xyz (ch 2)
def _xyz_steps(p: dict[str, float], o: dict[str, str]) -> list[Step]:
    r = Recorder(p)
    x, y, z = p["x"], p["y"], p["z"]
    q = r.add("forward", "q", "q", "q = x + y", f"{num(x)} + {pn(y)}", x + y)
    f = r.add("forward", "f", "f", "f = q·z", f"{pn(q)}·{pn(z)}", q * z)
    g = r.add("backward", "f", "df/df", "∂f/∂f = 1", "", 1.0)
    r.add("backward", "z", "df/dz", "∂f/∂z = ∂f/∂f·q", f"{num(g)}·{pn(q)}", g * q)
    gq = r.add("backward", "q", "df/dq", "∂f/∂q = ∂f/∂f·z", f"{num(g)}·{pn(z)}", g * z)
    r.add("backward", "x", "df/dx", "∂f/∂x = ∂f/∂q·∂q/∂x", f"{pn(gq)}·1", gq * 1.0)
    r.add("backward", "y", "df/dy", "∂f/∂y = ∂f/∂q·∂q/∂y", f"{pn(gq)}·1", gq * 1.0)
    del f
    return r.steps


def _xyz_loss(p: dict[str, float], o: dict[str, str]) -> float:
    from ..autodiff import Value

    return ((Value(p["x"]) + Value(p["y"])) * Value(p["z"])).data


def _xyz_layout(o: dict[str, str]) -> Layout:
    nodes = (Node("in_x", 80, 90, "x", "box"), Node("in_y", 80, 330, "y", "box"), Node("in_z", 80, 520, "z", "box"),
             Node("add", 430, 210, "+"), Node("mul", 760, 370, "×"), Node("out", 1060, 370, "f", "box"))
    edges = (Edge("x", "in_x", "add"), Edge("y", "in_y", "add", side="below"), Edge("q", "add", "mul"),
             Edge("z", "in_z", "mul", side="below"), Edge("f", "mul", "out"))
    return Layout(1140, 600, nodes, edges, {"x": "x", "y": "y", "z": "z"}, text_size=22)


XYZ = Example(
    "xyz", "f = (x + y)·z", {"x": -2.0, "y": 5.0, "z": -4.0}, _kinds(("x", "y", "z"), (), (), eta=False),
    ("x", "y", "z"), "df/d", {}, _xyz_steps, _xyz_loss, _xyz_layout, {},
)


# ------------------------------------------------------------------------------------------- neuron (ch 2)
def _neuron_steps(p: dict[str, float], o: dict[str, str]) -> list[Step]:
    r = Recorder(p)
    x1, x2, w1, w2, b, t = (p[k] for k in ("x1", "x2", "w1", "w2", "b", "t"))
    net = r.add("forward", "net", "net", "net = w_1·x_1 + w_2·x_2 + b",
                f"{pn(w1)}·{pn(x1)} + {pn(w2)}·{pn(x2)} + {pn(b)}", w1 * x1 + w2 * x2 + b)
    out = r.add("forward", "o", "o", "o = σ(net)", f"σ({num(net)})", _sigma(net))
    r.add("loss", "E", "E", "E = ½(o − t)²", f"½({num(out)} − {pn(t)})²", 0.5 * (out - t) ** 2)
    de = r.add("backward", "o", "dE/do", "∂E/∂o = o − t", f"{num(out)} − {pn(t)}", out - t)
    d = r.add("backward", "net", "delta", "δ = ∂E/∂net = ∂E/∂o·o·(1 − o)",
              f"{pn(de)}·{num(out)}·{num(1.0 - out)}",
              de * out * (1.0 - out))
    r.add("backward", "w1", "dE/dw1", "∂E/∂w_1 = δ·x_1", f"{pn(d)}·{pn(x1)}", d * x1)
    r.add("backward", "w2", "dE/dw2", "∂E/∂w_2 = δ·x_2", f"{pn(d)}·{pn(x2)}", d * x2)
    r.add("backward", "b", "dE/db", "∂E/∂b = δ", "", d)
    _update(r, p, ("w1", "w2", "b"))
    return r.steps


def _neuron_loss(p: dict[str, float], o: dict[str, str]) -> float:
    import numpy as np

    from ..models.neuron import SigmoidNeuron

    return SigmoidNeuron(np.array([p["w1"], p["w2"]]), p["b"]).loss(np.array([p["x1"], p["x2"]]), p["t"])


def _neuron_layout(o: dict[str, str]) -> Layout:
    # the inputs' values to their left; w1's labels above its edge, b's below its edge, w2's above its edge
    # where the wedge between the w1 and w2 edges is still wide enough
    nodes = (Node("x1", 225, 50, "x₁", "box", stack="left"), Node("x2", 225, 340, "x₂", "box", stack="left"),
             Node("one", 225, 630, "+1", "bias"), Node("net", 725, 340, "Σ", shift=40),
             Node("o", 965, 340, "σ"), Node("E", 1145, 340, "E", "box"))
    edges = (Edge("w1", "x1", "net", frac=0.4), Edge("w2", "x2", "net", frac=0.33),
             Edge("b", "one", "net", dashed=True, frac=0.4, side="below"), Edge("net-o", "net", "o"),
             Edge("o-E", "o", "E"))
    return Layout(1250, 720, nodes, edges, {"x1": "x1", "x2": "x2", "w1": "w1", "w2": "w2", "b": "b", "t": "E"},
                  text_size=21)


NEURON = Example(
    "neuron", "one sigmoid neuron, E = ½(o − t)²",
    {"x1": 1.0, "x2": 0.5, "w1": 0.5, "w2": -0.3, "b": 0.1, "t": 1.0, "eta": 2.0},
    _kinds(("x1", "x2"), ("w1", "w2", "b"), ("t",)), ("w1", "w2", "b"), "dE/d", {},
    _neuron_steps, _neuron_loss, _neuron_layout, {},
)


# -------------------------------------------------------------------------------------------- chain (ch 3)
def _chain_steps(p: dict[str, float], o: dict[str, str]) -> list[Step]:
    """Article C's chain; ``order="article"`` interleaves the updates exactly as the article's code does."""
    r = Recorder(p)
    x, w1, w2, w3, t, eta = (p[k] for k in ("x", "w1", "w2", "w3", "t", "eta"))
    y = r.add("forward", "y", "y", "y = w_1·x", f"{pn(w1)}·{pn(x)}", w1 * x)
    z = r.add("forward", "z", "z", "z = w_2·y", f"{pn(w2)}·{pn(y)}", w2 * y)
    e = r.add("forward", "e", "e", "e = w_3·z", f"{pn(w3)}·{pn(z)}", w3 * z)
    r.add("loss", "L", "E", "L = ½(e − ê)²", f"½({num(e)} − {pn(t)})²", 0.5 * (e - t) ** 2)
    r3 = r.add("backward", "e", "delta_e", "δ_e = ∂L/∂e = e − ê", f"{num(e)} − {pn(t)}", e - t)
    g3 = r.add("backward", "w3", "dE/dw3", "∂L/∂w_3 = δ_e·z", f"{pn(r3)}·{pn(z)}", r3 * z)

    def upd(name: str, w: float, g: float) -> float:
        s = _sub(name)
        return r.add("update", name, f"{name}_new", f"{s} ← {s} − η·∂L/∂{s}",
                     f"{num(w)} − {num(eta)}·{pn(g)}",
                     w - eta * g)

    article = o["order"] == "article"
    if article:  # the article: w3 is updated before r2 = r3·w3 uses it, w2 before ∂L/∂w1 uses it
        w3n = upd("w3", w3, g3)
        r2 = r.add("backward", "z", "delta_z", "δ_z = δ_e·w_3 (the article: w_3 already updated)",
                   f"{pn(r3)}·{pn(w3n)}", r3 * w3n)
        g2 = r.add("backward", "w2", "dE/dw2", "∂L/∂w_2 = δ_z·y", f"{pn(r2)}·{pn(y)}", r2 * y)
        w2n = upd("w2", w2, g2)
        d_y = r.add("backward", "y", "delta_y", "δ_y = δ_z·w_2 (the article: w_2 already updated)",
                    f"{pn(r2)}·{pn(w2n)}", r2 * w2n)
        g1 = r.add("backward", "w1", "dE/dw1", "∂L/∂w_1 = δ_y·x", f"{pn(d_y)}·{pn(x)}", d_y * x)
        upd("w1", w1, g1)
        return r.steps
    r2 = r.add("backward", "z", "delta_z", "δ_z = ∂L/∂z = δ_e·w_3", f"{pn(r3)}·{pn(w3)}", r3 * w3)
    g2 = r.add("backward", "w2", "dE/dw2", "∂L/∂w_2 = δ_z·y", f"{pn(r2)}·{pn(y)}", r2 * y)
    d_y = r.add("backward", "y", "delta_y", "δ_y = ∂L/∂y = δ_z·w_2", f"{pn(r2)}·{pn(w2)}", r2 * w2)
    g1 = r.add("backward", "w1", "dE/dw1", "∂L/∂w_1 = δ_y·x", f"{pn(d_y)}·{pn(x)}", d_y * x)
    upd("w3", w3, g3)
    upd("w2", w2, g2)
    upd("w1", w1, g1)
    return r.steps


def _chain_loss(p: dict[str, float], o: dict[str, str]) -> float:
    from ..models import chain

    return chain.loss((p["w1"], p["w2"], p["w3"]), p["x"], p["t"])


def _chain_layout(o: dict[str, str]) -> Layout:
    nodes = (Node("x", 100, 170, "x", "box", "above"), Node("y", 360, 170, "y", stack="above"),
             Node("z", 620, 170, "z", stack="above"), Node("e", 880, 170, "e", stack="above"),
             Node("L", 1070, 170, "L", "box", "above"))
    edges = (Edge("w1", "x", "y", side="below"), Edge("w2", "y", "z", side="below"),
             Edge("w3", "z", "e", side="below"), Edge("e-L", "e", "L", side="below"))
    return Layout(1160, 340, nodes, edges, {"x": "x", "w1": "w1", "w2": "w2", "w3": "w3", "t": "L"}, text_size=21)


CHAIN = Example(
    "chain", "Article C's chain, L = ½(e − ê)²",
    {"x": 1.0, "w1": 0.2333, "w2": -0.233, "w3": -0.52133, "t": -1.0, "eta": 0.05},
    _kinds(("x",), ("w1", "w2", "w3"), ("t",)), ("w1", "w2", "w3"), "dE/d", {"order": ("correct", "article")},
    _chain_steps, _chain_loss, _chain_layout, {"t": "ê", "E": "L"},
)


# ----------------------------------------------------------------------------------------- 1-2-1 (ch 5)
def _two_hidden_steps(p: dict[str, float], o: dict[str, str]) -> list[Step]:
    r = Recorder(p)
    x, w1, w2, w3, w4, b1, b2, t = (p[k] for k in ("x", "w1", "w2", "w3", "w4", "b1", "b2", "t"))
    shared = o["bias"] == "shared"
    n1 = r.add("forward", "h1", "net_h1", "net_h1 = w_1·x + b_1", f"{pn(w1)}·{pn(x)} + {pn(b1)}", w1 * x + b1)
    h1 = r.add("forward", "h1", "out_h1", "out_h1 = σ(net_h1)", f"σ({num(n1)})", _sigma(n1))
    bh2, bname = (b1, "b_1") if shared else (b2, "b_2")
    n2 = r.add("forward", "h2", "net_h2", f"net_h2 = w_2·x + {bname}", f"{pn(w2)}·{pn(x)} + {pn(bh2)}", w2 * x + bh2)
    h2 = r.add("forward", "h2", "out_h2", "out_h2 = σ(net_h2)", f"σ({num(n2)})", _sigma(n2))
    no = r.add("forward", "o", "net_o", "net_o = w_3·out_h1 + w_4·out_h2 + b_2",
               f"{pn(w3)}·{num(h1)} + {pn(w4)}·{num(h2)} + {pn(b2)}", w3 * h1 + w4 * h2 + b2)
    out = r.add("forward", "o", "out_o", "out_o = σ(net_o)", f"σ({num(no)})", _sigma(no))
    r.add("loss", "E", "E", "E = ½(t − out_o)²", f"½({pn(t)} − {num(out)})²", 0.5 * (t - out) ** 2)
    d_o = r.add("backward", "o", "delta_o", "δ_o = (out_o − t)·out_o·(1 − out_o)",
                f"({num(out)} − {pn(t)})·{num(out)}·{num(1.0 - out)}", (out - t) * out * (1.0 - out))
    r.add("backward", "w3", "dE/dw3", "∂E/∂w_3 = δ_o·out_h1", f"{pn(d_o)}·{num(h1)}", d_o * h1)
    r.add("backward", "w4", "dE/dw4", "∂E/∂w_4 = δ_o·out_h2", f"{pn(d_o)}·{num(h2)}", d_o * h2)
    d1 = r.add("backward", "h1", "delta_h1", "δ_h1 = w_3·δ_o·out_h1·(1 − out_h1)",
               f"{pn(w3)}·{pn(d_o)}·{num(h1)}·{num(1.0 - h1)}", w3 * d_o * h1 * (1.0 - h1))
    d2 = r.add("backward", "h2", "delta_h2", "δ_h2 = w_4·δ_o·out_h2·(1 − out_h2)",
               f"{pn(w4)}·{pn(d_o)}·{num(h2)}·{num(1.0 - h2)}", w4 * d_o * h2 * (1.0 - h2))
    r.add("backward", "w1", "dE/dw1", "∂E/∂w_1 = δ_h1·x", f"{pn(d1)}·{pn(x)}", d1 * x)
    r.add("backward", "w2", "dE/dw2", "∂E/∂w_2 = δ_h2·x", f"{pn(d2)}·{pn(x)}", d2 * x)
    if shared:  # b1 feeds h1 and h2, b2 only the output
        r.add("backward", "b1", "dE/db1", "∂E/∂b_1 = δ_h1 + δ_h2", f"{num(d1)} + {pn(d2)}", d1 + d2)
        r.add("backward", "b2", "dE/db2", "∂E/∂b_2 = δ_o", "", d_o)
    else:  # literal: b1 feeds h1 only, b2 feeds h2 and the output
        r.add("backward", "b1", "dE/db1", "∂E/∂b_1 = δ_h1", "", d1)
        r.add("backward", "b2", "dE/db2", "∂E/∂b_2 = δ_o + δ_h2", f"{num(d_o)} + {pn(d2)}", d_o + d2)
    _update(r, p, ("w1", "w2", "w3", "w4", "b1", "b2"))
    return r.steps


def _two_hidden_loss(p: dict[str, float], o: dict[str, str]) -> float:
    from ..models import two_hidden

    params = tuple(p[k] for k in two_hidden.PARAM_NAMES)
    return two_hidden.loss(params, p["x"], p["t"], o["bias"])


def _two_hidden_layout(o: dict[str, str]) -> Layout:
    # each hidden node's labels on the side its edges leave free (h1: above, h2: below), the output's above it,
    # b1 left of h1 with its labels above it, b2 under the output with its labels to its right
    shared = o["bias"] == "shared"
    nodes = (Node("x", 210, 420, "x", "box", "left"), Node("h1", 640, 230, "h1", stack="above", shift=30),
             Node("h2", 640, 610, "h2", stack="below", shift=-45), Node("o", 1020, 420, "o", stack="above", shift=50),
             Node("E", 1250, 420, "E", "box"), Node("b1", 430, 150, "b₁", "bias", "above"),
             Node("b2", 1020, 800, "b₂", "bias", "right"))
    bias_edges = ((Edge("b1-h1", "b1", "h1", True), Edge("b1-h2", "b1", "h2", True), Edge("b2-o", "b2", "o", True))
                  if shared else
                  (Edge("b1-h1", "b1", "h1", True), Edge("b2-h2", "b2", "h2", True), Edge("b2-o", "b2", "o", True)))
    edges = (Edge("w1", "x", "h1", frac=0.35), Edge("w2", "x", "h2", frac=0.4, side="below"),
             Edge("w3", "h1", "o", frac=0.48), Edge("w4", "h2", "o", frac=0.5, side="below"),
             Edge("o-E", "o", "E")) + bias_edges
    anchors = {"x": "x", "w1": "w1", "w2": "w2", "w3": "w3", "w4": "w4", "b1": "b1", "b2": "b2", "t": "E"}
    return Layout(1350, 900, nodes, edges, anchors, text_size=21)


TWO_HIDDEN = Example(
    "two_hidden", "Article A's 1-2-1 network, E = ½(t − outₒ)²",
    {"x": 0.5, "w1": 0.15, "w2": 0.25, "w3": 0.40, "w4": 0.45, "b1": 0.35, "b2": 0.60, "t": 1.0, "eta": 0.5},
    _kinds(("x",), ("w1", "w2", "w3", "w4", "b1", "b2"), ("t",)), ("w1", "w2", "w3", "w4", "b1", "b2"), "dE/d",
    {"bias": ("literal", "shared")}, _two_hidden_steps, _two_hidden_loss, _two_hidden_layout, {},
)


# ----------------------------------------------------------------------------------------- 3-2-2 (ch 6)
_IN, _HID, _OUT = (1, 2, 3), (4, 5), (6, 7)


def _w(j: int, i: int | str) -> str:
    return f"w_{j}{i}" if i != "b" else f"w_b{j}"


_NET322_WEIGHTS = ([_w(j, i) for j in _HID for i in (*_IN, "b")] + [_w(k, j) for k in _OUT for j in (*_HID, "b")])
#: Chapter 6's worked example (section 6.3): W_hidden, W_out, x and t as the chapter sets them.
_NET322_DEFAULTS = dict(zip(("x_1", "x_2", "x_3"), (1.0, 0.5, -1.0))) | dict(zip(
    _NET322_WEIGHTS, (0.1, -0.2, 0.3, 0.1, 0.4, 0.1, -0.3, -0.1, 0.5, -0.4, 0.2, -0.3, 0.6, 0.1))) | {
    "t_6": 1.0, "t_7": 0.0, "eta": 0.5}


def _net322_steps(p: dict[str, float], o: dict[str, str]) -> list[Step]:
    r = Recorder(p)
    y: dict[int | str, float] = {i: p[f"x_{i}"] for i in _IN} | {"b": 1.0}
    sym = {i: f"x_{i}" for i in _IN} | {j: f"y_{j}" for j in (*_HID, *_OUT)}
    for layer, prev in ((_HID, _IN), (_OUT, _HID)):
        for j in layer:
            terms = [f"{_w(j, i)}·{sym[i]}" for i in prev] + [_w(j, "b")]
            numbers = [f"{pn(p[_w(j, i)])}·{pn(y[i])}" for i in prev] + [pn(p[_w(j, 'b')])]
            net = 0.0
            for i in prev:
                net += p[_w(j, i)] * y[i]
            net += p[_w(j, "b")]
            r.add("forward", str(j), f"net_{j}", f"net_{j} = " + " + ".join(terms), " + ".join(numbers), net)
            y[j] = r.add("forward", str(j), f"y_{j}", f"y_{j} = σ(net_{j})", f"σ({num(net)})", _sigma(net))
    t6, t7 = p["t_6"], p["t_7"]
    r.add("loss", "E", "E", "E = ½[(t_6 − y_6)² + (t_7 − y_7)²]",
          f"½[({pn(t6)} − {num(y[6])})² + ({pn(t7)} − {num(y[7])})²]",
          0.5 * ((t6 - y[6]) ** 2 + (t7 - y[7]) ** 2))
    delta: dict[int, float] = {}
    # σ'(net) as chapter 6 and net322 compute it (bpcourse.activations, exact in saturation, where y·(1 − y)
    # loses digits to the cancellation in 1 − y)
    fp = {j: _sigma_prime(r.v[f"net_{j}"]) for j in (*_HID, *_OUT)}
    for k in _OUT:
        yk, tk = y[k], p[f"t_{k}"]
        delta[k] = r.add("backward", str(k), f"delta_{k}", f"δ_{k} = (y_{k} − t_{k})·σ'(net_{k})",
                         f"({num(yk)} − {pn(tk)})·{num(fp[k])}", (yk - tk) * fp[k])
        for j in (*_HID, "b"):
            name = _w(k, j)
            if j == "b":
                r.add("backward", name, f"dE/d{name}", f"∂E/∂{name} = δ_{k}", "", delta[k])
            else:
                r.add("backward", name, f"dE/d{name}", f"∂E/∂{name} = δ_{k}·y_{j}",
                      f"{pn(delta[k])}·{num(y[j])}",
                      delta[k] * y[j])
    for j in _HID:
        s = delta[6] * p[_w(6, j)] + delta[7] * p[_w(7, j)]
        delta[j] = r.add("backward", str(j), f"delta_{j}", f"δ_{j} = (δ_6·w_6{j} + δ_7·w_7{j})·σ'(net_{j})",
                         f"({num(delta[6])}·{pn(p[_w(6, j)])} + {pn(delta[7])}·{pn(p[_w(7, j)])})·{num(fp[j])}",
                         s * fp[j])
    for j in _HID:
        for i in (*_IN, "b"):
            name = _w(j, i)
            if i == "b":
                r.add("backward", name, f"dE/d{name}", f"∂E/∂{name} = δ_{j}", "", delta[j])
            else:
                r.add("backward", name, f"dE/d{name}", f"∂E/∂{name} = δ_{j}·x_{i}", f"{pn(delta[j])}·{pn(y[i])}",
                      delta[j] * y[i])
    _update(r, p, _NET322_WEIGHTS)
    return r.steps


def net322_matrices(p: dict[str, float]):
    """(W_hidden (2, 4), W_out (2, 3), x (3,), t (2,)) from the stepper's parameters, for the model's calls."""
    import numpy as np

    from ..models import net322

    W_hidden, W_out = net322.weights_from_names({n: p[n] for n in _NET322_WEIGHTS})
    return W_hidden, W_out, np.array([p["x_1"], p["x_2"], p["x_3"]]), np.array([p["t_6"], p["t_7"]])


def _net322_loss(p: dict[str, float], o: dict[str, str]) -> float:
    from ..models import net322

    return net322.loss(*net322_matrices(p))


def _net322_layout(o: dict[str, str]) -> Layout:
    # the inputs' values to their left, the hidden layer's bias under them; the upper nodes' labels above them,
    # the lower ones' below; the output layer's bias top left of node 6, whose labels are shifted right off its
    # edge; the 14 weights in two tables
    nodes = [Node(str(i), 240, y, str(i), stack="left") for i, y in zip(_IN, (230, 390, 550))]
    nodes += [Node("b0", 240, 710, "+1", "bias"), Node("b1", 840, 110, "+1", "bias")]
    nodes += [Node("4", 640, 230, "4", stack="above"), Node("5", 640, 550, "5", stack="below", shift=30)]
    nodes += [Node("6", 1040, 230, "6", stack="above", shift=60), Node("7", 1040, 550, "7", stack="below", shift=60)]
    nodes += [Node("E", 1200, 390, "E", "box", "right")]
    edges = []
    for j in _HID:
        edges += [Edge(_w(j, i), str(i), str(j)) for i in _IN] + [Edge(_w(j, "b"), "b0", str(j), True)]
    for k in _OUT:
        edges += [Edge(_w(k, j), str(j), str(k)) for j in _HID] + [Edge(_w(k, "b"), "b1", str(k), True)]
    edges += [Edge(f"{k}-E", str(k), "E") for k in _OUT]
    anchors = {f"x_{i}": str(i) for i in _IN} | {n: n for n in _NET322_WEIGHTS} | {"t_6": "6", "t_7": "7"}
    # 14 weights do not fit on their lines: each layer's weights are a table under the network
    tables = (Table(30, 860, tuple(_NET322_WEIGHTS[:8]), "input → hidden"),
              Table(720, 860, tuple(_NET322_WEIGHTS[8:]), "hidden → output"))
    return Layout(1420, 1190, tuple(nodes), tuple(edges), anchors, tables, text_size=23)


NET322 = Example(
    "net322", "Article B's 3-2-2 network, E = ½Σₖ(tₖ − yₖ)²", _NET322_DEFAULTS,
    _kinds(("x_1", "x_2", "x_3"), _NET322_WEIGHTS, ("t_6", "t_7")), tuple(_NET322_WEIGHTS), "dE/d", {},
    _net322_steps, _net322_loss, _net322_layout, {},
)

EXAMPLES: dict[str, Example] = {e.key: e for e in (XYZ, NEURON, CHAIN, TWO_HIDDEN, NET322)}
