"""Tests of bpcourse.plotting.draw_graph: what it draws for a Value graph, read back from the artists."""
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bpcourse import plotting  # noqa: E402
from bpcourse.autodiff import Value, count_nodes, topological_order  # noqa: E402
from bpcourse.plotting import GraphDrawing, draw_graph  # noqa: E402


pytestmark = pytest.mark.usefixtures("close_figures")


def _xyz():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return x, y, z, q, f


def _neuron():
    w1, w2, b = Value(0.5, label="w1"), Value(-0.3, label="w2"), Value(0.1, label="b")
    x1, x2 = Value(1.0, label="x1"), Value(0.5, label="x2")
    net = w1 * x1 + w2 * x2 + b
    o = net.sigmoid()
    E = 0.5 * (o - 1.0) ** 2
    E.backward()
    return E


def _check_layout(d: GraphDrawing):
    index = {id(n): i for i, n in enumerate(d.order)}
    # every operand is drawn left of the node that uses it, and no two nodes share a place
    for c, node in enumerate(d.order):
        for p in node.parents:
            assert d.positions[index[id(p)]][0] < d.positions[c][0]
    assert len(set(d.positions.values())) == len(d.order)
    # the output is the only node in the rightmost column
    right = max(x for x, _ in d.positions.values())
    assert [i for i, (x, _) in d.positions.items() if x == right] == [len(d.order) - 1]


def test_xyz_graph_shows_every_value_and_gradient():
    x, y, z, q, f = _xyz()
    d = draw_graph(f)
    # the same nodes as the package's topological order, each once, the output last
    assert {id(n) for n in d.order} == {id(n) for n in topological_order(f)} and d.order[-1] is f
    assert len(d.order) == 5 and len(d.edges) == 4
    by_label = {n.label: i for i, n in enumerate(d.order)}
    expected = {"x": ("-2", "-4"), "y": ("5", "-4"), "z": ("-4", "3"), "q": ("3", "-4"), "f": ("-12", "1")}
    for label, (value, grad) in expected.items():
        i = by_label[label]
        assert d.value_texts[i].get_text() == value
        assert d.grad_texts[i].get_text() == grad
    # inputs are boxes with their label, operations circles with their symbol
    assert d.markers[by_label["x"]].get_text() == "x"
    assert d.markers[by_label["q"]].get_text() == "+"
    assert d.markers[by_label["f"]].get_text() == "×"
    _check_layout(d)
    # x, y one column left of q, q and z one column left of f
    col = {label: d.positions[i][0] for label, i in by_label.items()}
    assert col["x"] == col["y"] == col["q"] - 1 and col["z"] == col["q"] == col["f"] - 1


def test_neuron_graph_has_fifteen_nodes_with_its_gradients():
    E = _neuron()
    d = draw_graph(E, fmt="{:+.6f}")
    assert len(d.order) == count_nodes(E) == 15
    assert sum(len(n.parents) for n in d.order) == len(d.edges)
    for i, node in enumerate(d.order):
        assert d.value_texts[i].get_text() == f"{node.data:+.6f}"
        assert d.grad_texts[i].get_text() == f"{node.grad:+.6f}"
    symbols = sorted(d.markers[i].get_text() for i, n in enumerate(d.order) if n.parents)
    assert symbols == sorted(["×", "×", "+", "+", "σ", "−", "x²", "×"])
    _check_layout(d)
    # a constant sits one column left of the operation that uses it: the 0.5 of E = 0.5 * (...)**2
    half = next(i for i, n in enumerate(d.order) if not n.parents and n.data == 0.5 and not n.label)
    assert d.markers[half].get_text() == "0.5"
    assert d.positions[half][0] == d.positions[len(d.order) - 1][0] - 1


def test_a_times_a_draws_two_arrows_and_the_gradient_two_a():
    a = Value(3.0, label="a")
    s = a * a
    s.backward()
    d = draw_graph(s)
    assert sorted(d.edges) == [(0, 1, 0), (0, 1, 1)]
    rads = {e.get_connectionstyle().rad for e in d.edges.values()}
    assert rads == {0.25, -0.25}  # bent apart, so both uses can be seen
    assert d.grad_texts[0].get_text() == "6"


def test_forward_only_and_custom_format():
    *_, f = _xyz()
    d = draw_graph(f, grads=False, fmt=lambda v: f"<{v:.1f}>")
    assert d.grad_texts == {}
    assert [t.get_text() for t in d.value_texts.values()] == [f"<{n.data:.1f}>" for n in d.order]
    texts = [t.get_text() for t in d.ax.texts]
    assert not any("red: gradient" in t for t in texts)


def test_negative_zero_is_written_as_zero():
    a, b = Value(0.0, label="a"), Value(-1.0, label="b")
    s = a * b          # data -0.0
    s.backward()
    d = draw_graph(s)
    assert d.value_texts[2].get_text() == "0"


def test_any_object_with_the_node_attributes_is_drawn():
    class Node:
        def __init__(self, data, parents=(), op="", label=""):
            self.data, self.grad, self.parents, self.op, self.label = data, 0.0, parents, op, label

    a, b = Node(2.0, label="a"), Node(3.0, label="b")
    out = Node(6.0, (a, b), "*", "out")
    d = draw_graph(out, grads=False)
    assert len(d.order) == 3 and d.markers[2].get_text() == "×"


def test_uses_the_given_axes():
    *_, f = _xyz()
    fig, ax = plt.subplots()
    assert draw_graph(f, ax=ax).ax is ax


def test_a_deep_graph_is_refused_unless_allowed():
    v = Value(1.0)
    for _ in range(70):
        v = v * 1.0
    with pytest.raises(ValueError, match="more than 60 nodes"):
        draw_graph(v)
    assert len(draw_graph(v, grads=False, max_nodes=200).order) == count_nodes(v)


@pytest.mark.parametrize(
    "root, kwargs, err, match",
    [
        (3.0, {}, TypeError, "graph node with data, grad"),
        (Value(1.0), {"fmt": "{:q}"}, ValueError, "format string"),
        (Value(1.0), {"fmt": 3}, TypeError, "format string or a function"),
        (Value(1.0), {"max_nodes": 0}, ValueError, "max_nodes must be a positive integer, got 0"),
        (Value(1.0), {"ax": "axes"}, TypeError, "Axes"),
    ],
)
def test_bad_input(root, kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_graph(root, **kwargs)


def test_public_names():
    assert {"draw_graph", "GraphDrawing"} <= set(plotting.__all__)
