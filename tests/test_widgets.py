"""Tests of bpcourse.widgets' TrainingExplorer: its settings, its run() against Sequential.fit, divergence
handling, its figure, and the ipywidgets UI driven without a browser (issue 11's fixes: the "full" batch, the
η readout, the sharp unstretched plot, the static picture). The stepper's tests are in test_widgets_stepper*.py."""
import xml.etree.ElementTree as ET
import math
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pytest

from bpcourse.datasets import moons, spirals
from bpcourse.networks import mlp
from bpcourse.optimizers import make_optimizer
from bpcourse.widgets import DIVERGED_LOSS, TrainingExplorer

# matplotlib and ipywidgets are dependencies of the course: the tests import them, never skip without them
matplotlib.use("Agg")


def test_import_and_run_need_neither_ipywidgets_nor_matplotlib():
    code = (
        "import sys\n"
        "from bpcourse.widgets import TrainingExplorer\n"
        "ex = TrainingExplorer(epochs=2); ex.run(); ex.summary()\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'matplotlib', 'IPython')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"TrainingExplorer pulled in: {out}"


def test_defaults_settings_and_sizes():
    ex = TrainingExplorer()
    assert ex.settings() == {"eta": 0.3, "optimizer": "sgd", "batch_size": 32, "epochs": 100, "seed": 0}
    assert ex.X.shape == (300, 2) and ex.n_classes == 3
    assert ex.sizes == [2, 32, 32, 3]
    ex.eta, ex.optimizer, ex.batch_size, ex.epochs, ex.seed = 0.05, "adam", None, 7, 3
    assert ex.settings() == {"eta": 0.05, "optimizer": "adam", "batch_size": None, "epochs": 7, "seed": 3}
    assert ex.label() == "adam, η = 0.05, full batch, 7 epochs, seed 3"
    ex.batch_size = 10_000  # larger than the data set: also full batch
    assert "full batch" in ex.label()
    assert repr(ex).startswith("TrainingExplorer(eta=0.05, optimizer='adam'")


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("eta", 0.0, "learning rate"),
        ("eta", -0.1, "> 0"),
        ("eta", float("nan"), "finite"),
        ("eta", float("inf"), "finite"),
        ("eta", "0.1", "'0.1'"),
        ("eta", True, "True"),
        ("optimizer", "adamw", "'sgd', 'momentum', 'rmsprop', 'adam'"),
        ("batch_size", 0, "positive integer"),
        ("batch_size", 2.5, "2.5"),
        ("batch_size", True, "True"),
        ("epochs", 0, "epochs"),
        ("epochs", 3.0, "3.0"),
        ("seed", -1, "seed"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(name, value, words):
    ex = TrainingExplorer()
    before = ex.settings()
    with pytest.raises(ValueError) as info:
        setattr(ex, name, value)
    assert words in str(info.value)
    assert ex.settings() == before  # a refused value leaves the old one in place
    with pytest.raises(ValueError):
        TrainingExplorer(**{name: value})


def test_bad_construction_arguments():
    X, y = moons(20, seed=0)
    with pytest.raises(ValueError, match="one label per sample|expected 20"):
        TrainingExplorer(data=(X, y[:-1]))
    with pytest.raises(TypeError, match="float"):
        TrainingExplorer(data=(y.reshape(-1, 1), y))
    with pytest.raises(ValueError, match="hidden width"):
        TrainingExplorer(data=(X, y), hidden=(4, 0))
    with pytest.raises(ValueError, match="unknown activation"):
        TrainingExplorer(data=(X, y), activation="swish")


@pytest.mark.parametrize("optimizer, eta, batch_size", [("sgd", 0.3, 32), ("momentum", 0.03, 8), ("adam", 0.01, None)])
def test_run_is_exactly_sequential_fit_with_the_same_settings(optimizer, eta, batch_size):
    """The explorer trains epoch by epoch (to stop on divergence); that must not change the run."""
    ex = TrainingExplorer(eta=eta, optimizer=optimizer, batch_size=batch_size, epochs=6, seed=4)
    history = ex.run()

    X, y = spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0)
    net = mlp([2, 32, 32, 3], activation="relu", seed=4)
    expected = net.fit(X, y, epochs=6, batch_size=batch_size or X.shape[0],
                       optimizer=make_optimizer(optimizer, eta), seed=4)
    assert history["loss"] == expected["loss"]
    assert history["accuracy"] == expected["accuracy"]
    assert ex.diverged_at is None
    for name, p in net.parameters().items():
        np.testing.assert_array_equal(ex.network.parameters()[name], p)


def test_run_is_deterministic_and_the_seed_matters():
    ex = TrainingExplorer(epochs=5)
    first = ex.run()
    assert ex.run() == first
    ex.seed = 1
    assert ex.run()["loss"] != first["loss"]


def test_history_has_one_finite_entry_per_epoch_and_a_good_setting_learns():
    ex = TrainingExplorer(optimizer="adam", eta=0.01, epochs=60)
    h = ex.run()
    assert set(h) == {"loss", "accuracy"} and len(h["loss"]) == len(h["accuracy"]) == 60
    assert all(math.isfinite(v) for v in h["loss"])
    # three spirals start at about ln 3 ≈ 1.10 (uniform guesses); a working run gets far below
    assert h["loss"][0] > 0.5 and h["loss"][-1] < 0.15
    assert h["accuracy"][-1] > 0.9


def test_a_tiny_learning_rate_is_slow():
    slow = TrainingExplorer(eta=1e-3, epochs=30).run()
    good = TrainingExplorer(eta=0.3, epochs=30).run()
    assert slow["loss"][-1] > 0.9 > 0.4 > good["loss"][-1]


def test_divergence_stops_the_run_without_leaking_warnings():
    ex = TrainingExplorer(eta=1e4, epochs=50)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = ex.run()
    assert caught == []
    assert ex.diverged_at == len(h["loss"]) < 50
    last = h["loss"][-1]
    assert not (math.isfinite(last) and last <= DIVERGED_LOSS)
    assert f"diverged in epoch {ex.diverged_at}" in ex.summary()
    # a sane setting afterwards clears the flag
    ex.eta = 0.3
    ex.epochs = 3
    ex.run()
    assert ex.diverged_at is None and "final loss" in ex.summary()


def test_summary_and_previous_run():
    ex = TrainingExplorer(epochs=4)
    assert ex.summary() == "sgd, η = 0.3, batch 32, 4 epochs, seed 0: not run yet (call run())"
    first = ex.run()
    assert ex.previous is None
    ex.optimizer = "adam"
    ex.eta = 0.01
    second = ex.run()
    assert ex.previous is first and ex.history is second
    assert ex.summary() == (
        f"adam, η = 0.01, batch 32, 4 epochs, seed 0: final loss {second['loss'][-1]:.4f}, "
        f"training accuracy {second['accuracy'][-1]:.3f}"
    )
    # the summary describes the run, not settings changed since
    ex.eta = 0.5
    assert ex.summary().startswith("adam, η = 0.01,")


def test_custom_data_and_architecture():
    X, y = moons(60, noise=0.1, seed=1)
    ex = TrainingExplorer(data=(X, y), hidden=(8,), activation="tanh", optimizer="adam", eta=0.05, epochs=40)
    assert ex.sizes == [2, 8, 2]
    h = ex.run()
    assert len(ex.network.layers) == 3  # Dense, Tanh, Dense
    assert ex.network.layers[1].name == "tanh"
    assert h["loss"][-1] < h["loss"][0]


def test_figure_draws_this_run_and_the_previous_one():
    ex = TrainingExplorer(epochs=5)
    with pytest.raises(RuntimeError, match="run"):
        ex.figure()
    first = ex.run()
    ax = ex.figure().axes[0]
    assert len(ax.lines) == 1
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), first["loss"])
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, 6))
    ex.eta = 0.05
    second = ex.run()
    ax = ex.figure().axes[0]
    assert [line.get_label() for line in ax.lines] == [
        "previous: sgd, η = 0.3, batch 32, 5 epochs, seed 0",
        "this run: sgd, η = 0.05, batch 32, 5 epochs, seed 0",
    ]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), second["loss"])
    assert ax.get_yscale() == "log"
    assert ex.png().startswith(b"\x89PNG")


def test_figure_of_a_diverged_run_draws_without_error():
    ex = TrainingExplorer(eta=1e4, epochs=5)
    ex.run()
    assert "diverged" in ex.figure().axes[0].get_title()


def test_build_ui_drives_the_explorer():
    ex = TrainingExplorer(epochs=5)
    box = ex.build_ui()
    assert repr(box) == "TrainingExplorer controls (η, optimiser, batch size, epochs, seed) and loss curve"
    assert set(box.controls) == {"eta", "optimizer", "batch_size", "epochs", "seed"}
    assert box.plot.value.startswith("<svg")
    assert box.status.value == ex.summary() and ex.history is not None

    first, first_svg = ex.history, box.plot.value
    box.controls["optimizer"].value = "adam"
    assert ex.optimizer == "adam" and ex.previous is first
    assert box.plot.value != first_svg  # redrawn
    box.controls["eta"].value = 0.01
    box.controls["batch_size"].value = "full"
    box.controls["epochs"].value = 3
    box.controls["seed"].value = 2
    assert ex.settings() == {"eta": 0.01, "optimizer": "adam", "batch_size": None, "epochs": 3, "seed": 2}
    assert len(ex.history["loss"]) == 3
    assert box.status.value == ex.summary() and "adam, η = 0.01, full batch" in box.status.value
    # the same settings set directly give the same history: the widget only forwards to run()
    direct = TrainingExplorer(eta=0.01, optimizer="adam", batch_size=None, epochs=3, seed=2).run()
    assert ex.history == direct


def test_build_ui_offers_a_batch_size_outside_the_usual_choices():
    ex = TrainingExplorer(batch_size=50, epochs=2)
    box = ex.build_ui()
    options = dict(box.controls["batch_size"].options)
    assert options["50"] == 50 and options["full"] == "full"
    assert box.controls["batch_size"].value == 50
    assert list(options) == ["1", "4", "16", "32", "50", "64", "128", "full"]


def test_build_ui_carries_dom_hooks_for_the_browser_tests():
    box = TrainingExplorer(epochs=2).build_ui()
    assert "bp-explorer" in box._dom_classes
    for name, css in (("eta", "bp-explorer-eta"), ("optimizer", "bp-explorer-optimizer"),
                      ("batch_size", "bp-explorer-batch-size"), ("epochs", "bp-explorer-epochs"),
                      ("seed", "bp-explorer-seed")):
        assert css in box.controls[name]._dom_classes
    assert "bp-explorer-plot" in box.plot._dom_classes and "bp-explorer-status" in box.status._dom_classes


def test_full_batch_keeps_the_dropdown_showing_full():
    """ipywidgets reads a None value as "nothing selected" (a blank drop-down): "full" is stored instead."""
    ex = TrainingExplorer(epochs=2)
    box = ex.build_ui()
    batch = box.controls["batch_size"]
    batch.value = "full"
    assert ex.batch_size is None and "full batch" in box.status.value
    assert batch.index is not None and batch.label == "full"
    batch.value = 16
    assert ex.batch_size == 16 and batch.label == "16"
    # an explorer that starts with full batch shows "full" from the start
    box2 = TrainingExplorer(epochs=2, batch_size=None).build_ui()
    assert box2.controls["batch_size"].label == "full" and box2.controls["batch_size"].index is not None


def test_eta_moves_over_short_numbers_and_is_written_short():
    from bpcourse.widgets.explorer import ETA_CHOICES, eta_text

    assert eta_text(0.125893) == "0.126" and eta_text(0.3) == "0.3" and eta_text(1000.0) == "1000"
    assert TrainingExplorer(eta=0.125893).label().startswith("sgd, η = 0.126,")
    ex = TrainingExplorer(epochs=2, eta=0.125893)
    eta = ex.build_ui().controls["eta"]
    labels = [label for label, _ in eta.options]
    assert all(len(label) <= 6 for label in labels), labels
    assert eta.label == "0.126"  # the start value is kept, written short
    assert {0.001, 0.01, 0.03, 0.3, 1.0, 3.0} <= set(ETA_CHOICES)
    eta.value = 0.05
    assert ex.eta == 0.05 and eta.label == "0.05"


def test_plot_is_an_svg_that_keeps_its_aspect_ratio():
    from bpcourse.widgets.explorer import FIGSIZE

    ex = TrainingExplorer(epochs=3)
    box = ex.build_ui()
    root = ET.fromstring(box.plot.value)
    assert root.tag.endswith("svg") and "width" not in root.attrib and "height" not in root.attrib
    _, _, w, h = (float(v) for v in root.attrib["viewBox"].split())
    assert abs(w / h - FIGSIZE[0] / FIGSIZE[1]) < 1e-6  # the browser scales it, never stretches it
    assert "width:100%;height:auto" in root.attrib["style"]
    assert ex.svg() == ex.svg()  # deterministic (no date, fixed ids)


@pytest.mark.parametrize("settings", [dict(eta=0.01), dict(), dict(eta=1000.0), dict(optimizer="adam", eta=0.0005)],
                         ids=["loss within one decade", "default", "diverged", "adam"])
def test_the_curve_keeps_every_label_inside_the_picture(settings):
    # a loss within one decade gets labelled minor ticks (9x10^-1, ...), wider than a decade's labels: the axis
    # label must move right with them, not off the picture's edge
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bpcourse.widgets.explorer_view import STATIC_NOTE

    ex = TrainingExplorer(**settings)
    ex.run()
    for note in (None, STATIC_NOTE):
        fig = ex.figure(note=note)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        inside = [fig.axes[0].get_tightbbox(renderer)]
        inside += [text.get_window_extent(renderer) for text in fig.texts if text.get_text() == note]
        assert len(inside) == (2 if note else 1), "the note line should be drawn once"
        for box in inside:
            assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1, (settings, note, box)


def test_display_carries_a_static_picture_for_pages_without_a_kernel():
    import base64

    box = TrainingExplorer(epochs=3).build_ui()
    data = box._repr_mimebundle_()
    assert set(data) == {"text/plain", "application/vnd.jupyter.widget-view+json", "image/png"}
    assert data["text/plain"] == repr(box)
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert width >= 700  # sharp enough to read on a static page


def test_a_one_epoch_run_is_drawn_and_labelled_in_the_singular():
    ex = TrainingExplorer(epochs=1)
    ex.run()
    assert "1 epoch," in ex.label() and "1 epochs" not in ex.label()
    (line,) = [ln for ln in ex.figure().axes[0].get_lines() if ln.get_label().startswith("this run")]
    assert line.get_marker() == "o" and len(line.get_xdata()) == 1
