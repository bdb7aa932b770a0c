"""bpcourse.plotting.diagnostics: per-layer traces and activation histograms (chapter 10)."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from bpcourse import plotting  # noqa: E402
from bpcourse.plotting import plot_activation_histograms, plot_layer_traces  # noqa: E402


pytestmark = pytest.mark.usefixtures("close_figures")


# ------------------------------------------------------------------------------------------ layer traces


def test_layer_traces_one_line_per_layer_with_the_data_and_epoch_axis():
    traces = {"layer 1": [1.0, 0.5, 0.25, 0.125], "layer 2": np.array([2.0, 1.0, 0.5, 0.25])}
    ax = plot_layer_traces(traces, steps_per_epoch=2, reference=1e-3, reference_label="1e-3")
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["layer 1", "layer 2", "1e-3"]
    for ln, values in zip(lines, traces.values()):
        assert np.array_equal(ln.get_ydata(), values)
        assert np.array_equal(ln.get_xdata(), [0.5, 1.0, 1.5, 2.0])  # step k at k / steps_per_epoch
    assert np.all(np.asarray(lines[2].get_ydata()) == 1e-3)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_layer_traces_counts_steps_without_steps_per_epoch_and_linear_axis():
    ax = plot_layer_traces({"a": [3, 1, 2]}, log=False, ylabel="norm")
    (line,) = ax.get_lines()
    assert np.array_equal(line.get_xdata(), [1, 2, 3]) and np.array_equal(line.get_ydata(), [3.0, 1.0, 2.0])
    assert ax.get_yscale() == "linear" and ax.get_xlabel() == "training step" and ax.get_ylabel() == "norm"


def test_layer_traces_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_layer_traces({"a": [1.0]}, ax=ax) is ax


@pytest.mark.parametrize(
    "traces, kwargs, err, match",
    [
        ({}, {}, ValueError, "non-empty dict"),
        ([1.0, 2.0], {}, ValueError, "non-empty dict"),
        ({1: [1.0]}, {}, TypeError, "names must be strings"),
        ({"a": []}, {}, ValueError, "empty"),
        ({"a": [1.0, 0.0]}, {}, ValueError, "log axis"),
        ({"a": [1.0, np.nan]}, {"log": False}, ValueError, "a"),
        ({"a": [[1.0]]}, {}, ValueError, "a"),
        ({"a": [1.0]}, {"steps_per_epoch": 0}, ValueError, "steps_per_epoch"),
        ({"a": [1.0]}, {"reference": 0.0}, ValueError, "reference"),
        ({"a": [1.0]}, {"ax": "not an axes"}, TypeError, "Axes"),
    ],
)
def test_layer_traces_bad_input(traces, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_layer_traces(traces, **kwargs)


# ------------------------------------------------------------------------------------------ activation histograms


def test_activation_histograms_counts_equal_numpy_histogram_and_labels_state_std_and_zeros():
    rng = np.random.default_rng(0)
    a = np.maximum(rng.standard_normal((50, 4)), 0.0)        # ReLU outputs: about half exact zeros
    b = 2.0 * rng.standard_normal(300)
    ax = plot_activation_histograms({"relu": a, "wide": b}, bins=12)
    assert len(ax.patches) == 2
    edges = np.linspace(min(a.min(), b.min()), max(a.max(), b.max()), 13)
    for patch, values in zip(ax.patches, (a.ravel(), b)):
        counts, _ = np.histogram(values, bins=edges)
        # a step outline runs (e0, 0), (e0, c0), (e1, c0), (e1, c1), ..., (en, c_{n-1}), (en, 0)
        xy = patch.get_xy()
        assert np.allclose(xy[1:-1:2, 1], counts) and np.allclose(xy[2:-1:2, 1], counts)
        assert np.allclose(xy[1:-1:2, 0], edges[:-1]) and np.allclose(xy[2:-1:2, 0], edges[1:])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == f"relu: std {a.std():.3g}, zeros {np.mean(a == 0):.0%}"
    assert labels[1] == f"wide: std {b.std():.3g}, zeros 0%"


def test_activation_histograms_counts_with_explicit_range_and_log_axis():
    x = np.array([0.0, 0.0, 0.0, 0.5, 1.0])
    ax = plot_activation_histograms({"x": x}, bins=2, value_range=(0.0, 1.0), log=True)
    (patch,) = ax.patches
    assert ax.get_yscale() == "log"
    # bins [0, 0.5) and [0.5, 1]: counts 3 and 2
    assert np.allclose(patch.get_xy()[1:-1:2, 1], [3.0, 2.0])


def test_activation_histograms_constant_input_does_not_fail():
    ax = plot_activation_histograms({"zeros": np.zeros(10)})
    assert len(ax.patches) == 1


@pytest.mark.parametrize(
    "acts, kwargs, err, match",
    [
        ({}, {}, ValueError, "non-empty dict"),
        ({"a": np.array([])}, {}, ValueError, "empty"),
        ({"a": np.array([1.0, np.inf])}, {}, ValueError, "a"),
        ({"a": np.ones(3)}, {"bins": 0}, ValueError, "bins"),
        ({"a": np.ones(3)}, {"value_range": (1.0, 1.0)}, ValueError, "low < high"),
        ({"a": np.array(["x"])}, {}, (TypeError, ValueError), "a"),
    ],
)
def test_activation_histograms_bad_input(acts, kwargs, err, match):
    with pytest.raises(err, match=match):
        plot_activation_histograms(acts, **kwargs)


def test_public_names():
    assert {"plot_layer_traces", "plot_activation_histograms"} <= set(plotting.__all__)
