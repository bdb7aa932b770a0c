"""Tests of bpcourse.plotting.wiring: the bias wiring of Article A's 1-2-1 network under both readings."""
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.patches import Circle, Rectangle  # noqa: E402

from bpcourse import plotting  # noqa: E402
from bpcourse.models import two_hidden  # noqa: E402
from bpcourse.plotting.wiring import draw_bias_wiring  # noqa: E402


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.mark.parametrize(
    "reading, feeds",
    [("literal", {"b1": ["h1"], "b2": ["h2", "o"]}), ("shared", {"b1": ["h1", "h2"], "b2": ["o"]})],
)
def test_draw_bias_wiring_draws_what_the_reading_says(reading, feeds):
    d = draw_bias_wiring(reading)
    assert d.feeds == feeds
    assert sorted(d.biases) == sorted((b, n) for b, ns in feeds.items() for n in ns)
    assert sorted(d.weights) == [("h1", "o"), ("h2", "o"), ("x", "h1"), ("x", "h2")]
    assert sum(isinstance(p, Circle) for p in d.nodes.values()) == 4
    assert sum(isinstance(p, Rectangle) for p in d.nodes.values()) == 2
    assert reading in d.ax.get_title()
    texts = {t.get_text() for t in d.ax.texts}
    assert {"w1", "w2", "w3", "w4", "x", "h1", "h2", "o", "b1", "b2"} <= texts


@pytest.mark.parametrize("reading", two_hidden.BIAS_READINGS)
def test_draw_bias_wiring_matches_the_model(reading):
    # A bias's exact gradient is the sum of δ over the neurons it feeds (the model's gradients are checked
    # against central differences in test_models_two_hidden.py): the drawing must name those neurons.
    p, x, t = two_hidden.EXAMPLE_PARAMS, two_hidden.EXAMPLE_X, two_hidden.EXAMPLE_T
    values = two_hidden.forward(p, x, t, bias=reading)
    grads = two_hidden.gradients(p, x, t, bias=reading)
    drawn = draw_bias_wiring(reading).feeds
    for b, g in (("b1", grads[4]), ("b2", grads[5])):
        assert g == pytest.approx(sum(values[f"delta_{n}"] for n in drawn[b]), rel=1e-14)


def test_draw_bias_wiring_is_exported_and_refuses_unknown_readings():
    assert plotting.draw_bias_wiring is draw_bias_wiring
    with pytest.raises(ValueError, match="unknown reading 'both'"):
        draw_bias_wiring("both")
    with pytest.raises(TypeError, match="Axes"):
        draw_bias_wiring("literal", ax="not an axes")
