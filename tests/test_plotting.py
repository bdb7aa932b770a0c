"""Tests of bpcourse.plotting: what each helper draws (counted from the artists), what it returns, and its errors."""
import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection, QuadMesh  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from bpcourse import plotting  # noqa: E402
from bpcourse.plotting import (  # noqa: E402
    draw_network,
    plot_confusion_matrix,
    plot_decision_regions,
    plot_loss_curves,
    show_images,
)


pytestmark = pytest.mark.usefixtures("close_figures")


def test_import_bpcourse_does_not_import_matplotlib_until_plotting_is_used():
    code = (
        "import sys, bpcourse\n"
        "before = 'matplotlib' in sys.modules\n"
        "bpcourse.plotting\n"
        "print(before, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_no_function_calls_plt_show(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("plotting helpers must not call plt.show()")

    monkeypatch.setattr(plt, "show", fail)
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    plot_decision_regions(lambda P: (P[:, 0] > 0.5).astype(int), X, np.array([0, 1]), resolution=5)
    plot_loss_curves({"train": [1.0, 0.5]})
    draw_network([2, 1])
    show_images(np.zeros((2, 4)), shape=(2, 2))
    plot_confusion_matrix(np.eye(2, dtype=int))


# ------------------------------------------------------------------------------------------ decision regions


def _half_plane(P):
    return (P[:, 0] + 2 * P[:, 1] > 0.3).astype(np.int64)


def test_decision_regions_grid_matches_predict_at_every_grid_point():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = _half_plane(X)
    res = plot_decision_regions(_half_plane, X, y, resolution=31)
    assert res.xx.shape == res.yy.shape == res.labels.shape == (31, 31)
    # independent recomputation at each grid point, one point at a time
    expected = np.array([[_half_plane(np.array([[a, b]]))[0] for a, b in zip(ra, rb)] for ra, rb in zip(res.xx, res.yy)])
    assert np.array_equal(res.labels, expected)
    # the grid covers the data with a margin
    assert res.xx.min() < X[:, 0].min() and res.xx.max() > X[:, 0].max()
    assert res.yy.min() < X[:, 1].min() and res.yy.max() > X[:, 1].max()
    # the drawn mesh holds the same labels, and one scatter per class
    meshes = [c for c in res.ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1
    assert np.array_equal(np.asarray(meshes[0].get_array()).reshape(31, 31), expected)
    scatters = [c for c in res.ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2
    assert sorted(len(s.get_offsets()) for s in scatters) == sorted([int((y == 0).sum()), int((y == 1).sum())])


def test_decision_regions_accepts_scores_and_probabilities():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 1, 2])

    def scores(P):  # three classes: argmax of these scores
        return np.column_stack([-P[:, 0] - P[:, 1], P[:, 0] - P[:, 1], P[:, 1] - P[:, 0]])

    res = plot_decision_regions(scores, X, y, resolution=9)
    assert set(np.unique(res.labels)) == {0, 1, 2}
    assert np.array_equal(res.labels.ravel(), scores(np.column_stack([res.xx.ravel(), res.yy.ravel()])).argmax(1))

    def prob(P):  # one sigmoid output (m, 1): class 1 where p > 0.5
        return 1 / (1 + np.exp(-(P[:, :1] - 0.5) * 8))

    res = plot_decision_regions(prob, X[:2], np.array([0, 1]), resolution=11)
    assert np.array_equal(res.labels, (res.xx > 0.5).astype(int))


def test_decision_regions_uses_the_given_axes():
    fig, ax = plt.subplots()
    res = plot_decision_regions(_half_plane, np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]), ax=ax, resolution=4)
    assert res.ax is ax


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(X=np.zeros((3, 3))), ValueError, r"X has shape \(3, 3\), expected \(any, 2\)"),
        (dict(y=np.array([0, 1])), ValueError, "expected 3"),
        (dict(y=np.array([0.5, 1.0, 0.0])), TypeError, "integer class labels"),
        (dict(resolution=1), ValueError, "resolution must be an integer >= 2, got 1"),
        (dict(resolution=5.0), ValueError, "resolution must be an integer >= 2, got 5.0"),
        (dict(predict=lambda P: np.zeros(3)), ValueError, "predict returned shape"),
        (dict(predict=lambda P: np.full(len(P), np.nan)), ValueError, "NaN"),
        (dict(predict="not callable"), TypeError, "callable"),
        (dict(X=np.array([[0.0, np.nan], [1.0, 1.0], [2.0, 2.0]])), ValueError, "NaN"),
    ],
)
def test_decision_regions_bad_input(kwargs, err, match):
    args = dict(predict=_half_plane, X=np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]]), y=np.array([0, 1, 1]),
                resolution=5)
    args.update(kwargs)
    with pytest.raises(err, match=match):
        plot_decision_regions(**args)


# ------------------------------------------------------------------------------------------ loss curves


def test_loss_curves_one_line_per_history_with_the_data():
    h = {"train": [1.0, 0.5, 0.25], "validation": [1.2, 0.7, 0.6]}
    ax = plot_loss_curves(h, log=True)
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["train", "validation"]
    for line, values in zip(lines, h.values()):
        assert np.array_equal(line.get_xdata(), [1, 2, 3])  # epochs counted from 1
        assert np.allclose(line.get_ydata(), values)
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "validation"]


def test_loss_curves_linear_axis_by_default_and_numpy_input():
    ax = plot_loss_curves({"E": np.linspace(1, 0, 5)})
    assert ax.get_yscale() == "linear"
    assert len(ax.get_lines()) == 1


@pytest.mark.parametrize(
    "histories, kwargs, err, match",
    [
        ({}, {}, ValueError, "non-empty dict"),
        ([1.0, 2.0], {}, ValueError, "non-empty dict"),
        ({"a": []}, {}, ValueError, "empty"),
        ({"a": [1.0, float("nan")]}, {}, ValueError, "NaN"),
        ({"a": [1.0, 0.0]}, {"log": True}, ValueError, "log axis"),
        ({"a": [[1.0, 2.0]]}, {}, ValueError, "dimension"),
    ],
)
def test_loss_curves_bad_input(histories, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_loss_curves(histories, **kwargs)


# ------------------------------------------------------------------------------------------ network diagrams


def test_draw_network_counts_nodes_and_edges():
    d = draw_network([3, 2, 2], labels=[1, 2, 3, 4, 5, 6, 7])
    assert len(d.nodes) == 7 and len(d.ax.patches) == 7
    assert len(d.edges) == 3 * 2 + 2 * 2 and len(d.ax.get_lines()) == 10
    assert set(d.edges) == {(i, j) for i in (1, 2, 3) for j in (4, 5)} | {(j, k) for j in (4, 5) for k in (6, 7)}
    # node labels written inside the nodes
    assert sorted(t.get_text() for t in d.ax.texts) == [str(k) for k in range(1, 8)]
    # columns: inputs left of hidden left of outputs
    assert d.positions[1][0] < d.positions[4][0] < d.positions[6][0]


def test_draw_network_edge_labels_use_w_ji_later_index_first():
    d = draw_network([3, 2, 2], labels=[1, 2, 3, 4, 5, 6, 7], edge_labels="w_ji")
    assert len(d.edge_texts) == 10
    assert d.edge_texts[(1, 4)].get_text() == "$w_{41}$"  # from node 1 into node 4
    assert d.edge_texts[(5, 7)].get_text() == "$w_{75}$"
    # each label lies on its edge
    for (a, b), text in d.edge_texts.items():
        (x0, y0), (x1, y1) = d.positions[a], d.positions[b]
        xt, yt = text.get_position()
        assert abs((x1 - x0) * (yt - y0) - (y1 - y0) * (xt - x0)) < 1e-9
        assert min(x0, x1) < xt < max(x0, x1)


@pytest.mark.parametrize("bias", [False, True])
def test_draw_network_edge_labels_sit_at_midpoints_and_never_overlap(bias):
    d = draw_network([3, 2, 2], labels=[1, 2, 3, 4, 5, 6, 7], edge_labels="w_ji", bias=bias)
    assert len(d.edge_texts) == (14 if bias else 10)
    where = {e: np.array(t.get_position()) for e, t in d.edge_texts.items()}
    mid = {e: (np.array(d.positions[e[0]]) + np.array(d.positions[e[1]])) / 2 for e in where}
    # an edge whose midpoint no other edge shares is labelled exactly there: 1 -> 4, for instance
    alone = [e for e in where if not any(f != e and np.allclose(mid[f], mid[e]) for f in where)]
    assert {(1, 4), ("b0", 5) if bias else (3, 5)} <= set(alone)
    for e in alone:
        assert np.allclose(where[e], mid[e])
    # edges that cross at their midpoints (2 -> 4 and 1 -> 5) get their labels moved apart along themselves,
    # staying in the middle 30 % of the edge
    assert not np.allclose(where[(2, 4)], where[(1, 5)])
    for (a, b), p in where.items():
        p0, p1 = np.array(d.positions[a]), np.array(d.positions[b])
        frac = (p[0] - p0[0]) / (p1[0] - p0[0])
        assert 0.35 - 1e-9 <= frac <= 0.65 + 1e-9
        assert np.allclose(p, p0 + frac * (p1 - p0))      # on the edge
    labels = list(where.values())
    closest = min(np.linalg.norm(p - q) for i, p in enumerate(labels) for q in labels[i + 1:])
    assert closest > 0.3


def test_draw_network_bias_nodes_and_highlighted_paths():
    d = draw_network([3, 2, 2], labels=[1, 2, 3, 4, 5, 6, 7], bias=True, edge_labels="w_ji",
                     highlight=[(4, 6), (4, 7)], layer_names=["input", "hidden", "output"])
    assert len(d.nodes) == 9 and {"b0", "b1"} <= set(d.nodes)
    assert len(d.edges) == 4 * 2 + 3 * 2
    assert d.edge_texts[("b0", 4)].get_text() == "$w_{b4}$"
    assert d.edges[("b0", 4)].get_linestyle() == "--"
    # 14 edges plus one thick line per highlighted edge
    assert len(d.ax.get_lines()) == 14 + 2
    thick = [l for l in d.ax.get_lines() if l.get_linewidth() > 2]
    ends = sorted((tuple(l.get_xdata()), tuple(l.get_ydata())) for l in thick)
    want = sorted(((d.positions[4][0], d.positions[k][0]), (d.positions[4][1], d.positions[k][1])) for k in (6, 7))
    assert ends == want
    assert len({l.get_color() for l in thick}) == 2  # one colour per path
    texts = [t.get_text() for t in d.ax.texts]
    assert texts.count("+1") == 2 and {"input", "hidden", "output"} <= set(texts)


def test_draw_network_default_keys_and_per_layer_labels():
    d = draw_network([2, 3, 1])
    assert set(d.nodes) == {1, 2, 3, 4, 5, 6}
    d = draw_network([2, 1], labels=[["x1", "x2"], ["y"]], edge_labels={("x1", "y"): "a"})
    assert set(d.nodes) == {"x1", "x2", "y"} and list(d.edge_texts) == [("x1", "y")]


@pytest.mark.parametrize(
    "args, kwargs, err, match",
    [
        (([3],), {}, ValueError, "at least two"),
        (([3, 0],), {}, ValueError, r"layer_sizes\[1\] must be a positive integer, got 0"),
        (([3, True],), {}, ValueError, r"layer_sizes\[1\] must be a positive integer, got True"),
        (([3, 2],), {"labels": [1, 2, 3]}, ValueError, "expected 5"),
        (([2, 1],), {"labels": [1, 1, 2]}, ValueError, "distinct"),
        (([2, 1],), {"highlight": [(1, 3, 2)]}, ValueError, "no edge from node 3 into node 2"),
        (([2, 1],), {"highlight": [(3, 1)]}, ValueError, "no edge"),
        (([2, 1],), {"edge_labels": "w_ij"}, ValueError, "w_ji"),
        (([2, 1],), {"edge_labels": {(3, 1): "x"}}, ValueError, "not drawn"),
        (([2, 1],), {"layer_names": ["a"]}, ValueError, "one per layer"),
        (([2, 1],), {"ax": "axes"}, TypeError, "Axes"),
    ],
)
def test_draw_network_bad_input(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_network(*args, **kwargs)


# ------------------------------------------------------------------------------------------ images


def test_show_images_draws_one_image_per_row_and_switches_off_the_rest():
    rng = np.random.default_rng(1)
    imgs = rng.uniform(0, 16, size=(10, 64))
    fig, axes = show_images(imgs, titles=[f"t={k}" for k in range(10)], ncols=4)
    assert axes.shape == (3, 4)
    drawn = [ax for ax in axes.ravel() if ax.images]
    assert len(drawn) == 10 and all(len(ax.images) == 1 for ax in drawn)
    for k, ax in enumerate(drawn):
        assert np.array_equal(ax.images[0].get_array(), imgs[k].reshape(8, 8))
        assert ax.get_title() == f"t={k}"
    assert sum(not ax.axison for ax in axes.ravel()) == 2


def test_show_images_symmetric_colour_scale_for_weights():
    w = np.array([[1.0, -3.0, 0.5, 2.0]])
    fig, axes = show_images(w, shape=(2, 2), symmetric=True)
    im = axes[0, 0].images[0]
    assert isinstance(im, AxesImage)
    assert im.get_clim() == (-3.0, 3.0)
    assert axes.shape == (1, 1)


def test_show_images_accepts_3d_and_integer_images():
    fig, axes = show_images(np.arange(2 * 3 * 5).reshape(2, 3, 5))
    assert axes.shape == (1, 2) and sum(len(ax.images) for ax in axes.ravel()) == 2


@pytest.mark.parametrize(
    "images, kwargs, err, match",
    [
        (np.zeros((2, 10)), {}, ValueError, "expected 8×8 = 64"),
        (np.zeros((2, 64)), {"titles": ["a"]}, ValueError, "one per image"),
        (np.zeros((0, 64)), {}, ValueError, "empty"),
        (np.zeros(64), {}, ValueError, "dimension"),
        (np.zeros((1, 64)), {"ncols": 0}, ValueError, "ncols"),
        (np.array([["a"] * 64]), {}, TypeError, "numbers"),
    ],
)
def test_show_images_bad_input(images, kwargs, err, match):
    with pytest.raises(err, match=match):
        show_images(images, **kwargs)


# ------------------------------------------------------------------------------------------ confusion matrix


def test_confusion_matrix_annotations_equal_the_counts():
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    ax = plot_confusion_matrix(cm, class_names=["a", "b", "c"])
    assert len(ax.images) == 1 and np.array_equal(ax.images[0].get_array(), cm)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert len(texts) == 9
    for i in range(3):
        for j in range(3):
            assert texts[(i, j)] == str(cm[i, j])  # row i = true class, column j = predicted
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_confusion_matrix_whole_float_counts_are_accepted():
    ax = plot_confusion_matrix(np.array([[1.0, 0.0], [3.0, 2.0]]))
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "2", "3"]


def test_confusion_matrix_mask_diagonal_scales_colours_to_the_errors():
    cm = np.array([[45, 2, 0], [1, 44, 3], [0, 0, 46]])
    ax = plot_confusion_matrix(cm, mask_diagonal=True)
    img = ax.images[0]
    shown = img.get_array()
    assert np.array_equal(np.ma.getmaskarray(shown), np.eye(3, dtype=bool))      # the diagonal is masked out
    assert np.array_equal(shown.data, cm)
    assert img.norm.vmin == 0 and img.norm.vmax == 3                              # the largest error, not 46
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert all(texts[(i, j)] == str(cm[i, j]) for i in range(3) for j in range(3))  # counts still written
    unmasked = plot_confusion_matrix(cm).images[0]
    assert unmasked.norm.vmax == 46 and not np.ma.is_masked(unmasked.get_array())


@pytest.mark.parametrize(
    "cm, kwargs, err, match",
    [
        (np.zeros((2, 3), dtype=int), {}, ValueError, "square"),
        (np.array([[1, -1], [0, 2]]), {}, ValueError, ">= 0"),
        (np.array([[0.5, 1.0], [0.0, 2.0]]), {}, ValueError, "whole counts"),
        (np.array([["a", "b"], ["c", "d"]]), {}, TypeError, "counts"),
        (np.eye(2, dtype=int), {"class_names": ["a"]}, ValueError, "expected 2"),
    ],
)
def test_confusion_matrix_bad_input(cm, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_confusion_matrix(cm, **kwargs)


def test_public_names():
    assert set(plotting.__all__) >= {"plot_decision_regions", "plot_loss_curves", "draw_network", "show_images",
                                      "plot_confusion_matrix"}
