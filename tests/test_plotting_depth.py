"""Tests of bpcourse.plotting.depth: what plot_by_layer draws (read back from the artists) and its errors."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bpcourse import plotting  # noqa: E402
from bpcourse.plotting.depth import plot_by_layer  # noqa: E402


pytestmark = pytest.mark.usefixtures("close_figures")


def test_plot_by_layer_draws_magnitudes_per_layer():
    deltas = {"w = 1": [-1e-6, 2e-5, -3e-4], "w = 3": [0.01, 0.02, 0.05]}
    ax = plot_by_layer(deltas, bound=[1e-3, 1e-2, 1e-1], bound_label="sigma' <= 1/4")
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["w = 1", "w = 3", "sigma' <= 1/4"]
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    assert np.array_equal(lines[0].get_ydata(), [1e-6, 2e-5, 3e-4])  # signs dropped
    assert lines[2].get_linestyle() == "--"
    assert ax.get_yscale() == "log"
    assert list(ax.get_xticks()) == [1, 2, 3]


def test_plot_by_layer_is_exported_and_uses_the_given_axes():
    assert plotting.plot_by_layer is plot_by_layer
    _, ax = plt.subplots()
    assert plot_by_layer({"a": [1.0, 2.0]}, ax=ax) is ax


@pytest.mark.parametrize(
    "values, bound, error, match",
    [
        ({}, None, ValueError, "non-empty dict"),
        ([1.0, 2.0], None, ValueError, "non-empty dict"),
        ({1: [1.0]}, None, TypeError, "names must be strings"),
        ({"a": []}, None, ValueError, "empty"),
        ({"a": [1.0, 0.0]}, None, ValueError, "contains 0"),
        ({"a": [1.0, np.nan]}, None, ValueError, "NaN"),
        ({"a": [1.0, 2.0], "b": [1.0]}, None, ValueError, "one value per layer"),
        ({"a": [1.0, 2.0]}, [1.0], ValueError, "one value per layer"),
        ({"a": [[1.0, 2.0]]}, None, ValueError, "dimension"),
    ],
)
def test_plot_by_layer_refuses_bad_input(values, bound, error, match):
    with pytest.raises(error, match=match):
        plot_by_layer(values, bound=bound)
