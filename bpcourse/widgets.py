"""Interactive explorers whose logic is plain Python: state you can set and read, a ``run()`` you can test.

:class:`TrainingExplorer` trains a small network on a small data set with a chosen learning rate η, optimiser,
batch size, number of epochs and seed, and returns the loss history. Its :meth:`~TrainingExplorer.build_ui`
wraps it in ipywidgets (sliders and drop-downs that retrain and redraw the loss curve); that method is the only
place ipywidgets is imported, so ``import bpcourse.widgets`` needs neither ipywidgets nor matplotlib and the
logic is tested without a browser.

Example
-------
>>> ex = TrainingExplorer(optimizer="adam", lr=0.01, epochs=20)
>>> history = ex.run()
>>> print(ex.summary())          # doctest: +SKIP
adam, η = 0.01, batch 32, 20 epochs, seed 0: final loss 0.2120, training accuracy 0.927
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ._validate import as_float_array, as_labels
from .optimizers import OPTIMIZERS, make_optimizer

__all__ = ["TrainingExplorer", "DIVERGED_LOSS"]

#: A training loss above this (or inf/NaN) counts as diverged: run() stops there instead of computing on
#: overflowing numbers. For C classes a network that predicts uniformly scores ln C (ln 3 ≈ 1.1), so 1e6 is
#: far beyond anything a working run produces.
DIVERGED_LOSS = 1e6

#: Batch sizes offered by the widget; ``None`` means the whole data set (full-batch gradient descent).
BATCH_CHOICES: tuple[int | None, ...] = (1, 4, 16, 32, 64, 128, None)


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class TrainingExplorer:
    """Train a small classifier with chosen hyper-parameters and report its loss curve.

    Parameters
    ----------
    lr : float
        Learning rate η > 0.
    optimizer : {"sgd", "momentum", "adam"}
        The update rule (:mod:`bpcourse.optimizers`, default hyper-parameters apart from η).
    batch_size : int or None
        Samples per gradient step; ``None`` (or any size ≥ the number of samples) is full-batch descent.
    epochs : int
        Passes over the data.
    seed : int
        Seeds both the initial weights and the shuffling, so equal settings give equal runs.
    data : (X, y), optional
        Inputs (n, d) and integer labels (n,). Default: three spirals of 100 points each
        (:func:`bpcourse.datasets.spirals` with noise 0.2 and seed 0).
    hidden : sequence of int
        Hidden layer widths (default two layers of 32).
    activation : str
        Hidden activation (default "relu").

    Every parameter is also an attribute that can be set later; setting it validates it. :meth:`run` trains a
    fresh network from the current settings and returns the history; the two most recent runs are kept in
    :attr:`history` and :attr:`previous` (what the widget draws).
    """

    def __init__(
        self,
        lr: float = 0.3,
        optimizer: str = "sgd",
        batch_size: int | None = 32,
        epochs: int = 100,
        seed: int = 0,
        data: tuple[np.ndarray, np.ndarray] | None = None,
        hidden: Sequence[int] = (32, 32),
        activation: str = "relu",
    ) -> None:
        if data is None:
            from .datasets import spirals

            data = spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0)
        X = as_float_array(data[0], "data X", ndim=2)
        y = as_labels(data[1], "data y", n=X.shape[0])
        if y.min() < 0:
            raise ValueError(f"data y must be class indices >= 0, got {y.min()}")
        self.X, self.y = X, y
        self.n_classes = int(y.max()) + 1
        hidden = tuple(hidden)
        for h in hidden:
            _positive_int(h, "each hidden width")
        self.hidden = hidden
        from .activations import get_activation

        self.activation = get_activation(activation).name
        self.lr = lr
        self.optimizer = optimizer
        self.batch_size = batch_size
        self.epochs = epochs
        self.seed = seed
        self.history: dict[str, list[float]] | None = None
        self.previous: dict[str, list[float]] | None = None
        self.diverged_at: int | None = None
        self.network = None
        self._label: str | None = None
        self._previous_label: str | None = None

    # ------------------------------------------------------------------ validated settings
    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
            math.isfinite(value) and value > 0
        ):
            raise ValueError(f"lr (the learning rate η) must be a finite number > 0, got {value!r}")
        self._lr = float(value)

    @property
    def optimizer(self) -> str:
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value: str) -> None:
        if value not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {value!r}; expected one of {', '.join(map(repr, OPTIMIZERS))}")
        self._optimizer = value

    @property
    def batch_size(self) -> int | None:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int | None) -> None:
        self._batch_size = None if value is None else _positive_int(value, "batch_size (or None for full batch)")

    @property
    def epochs(self) -> int:
        return self._epochs

    @epochs.setter
    def epochs(self, value: int) -> None:
        self._epochs = _positive_int(value, "epochs")

    @property
    def seed(self) -> int:
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"seed must be an integer >= 0, got {value!r}")
        self._seed = int(value)

    @property
    def sizes(self) -> list[int]:
        """Layer sizes of the network trained: inputs, hidden widths, classes."""
        return [self.X.shape[1], *self.hidden, self.n_classes]

    def settings(self) -> dict[str, Any]:
        """The current settings as a dict (what :meth:`run` will use)."""
        return {"lr": self.lr, "optimizer": self.optimizer, "batch_size": self.batch_size,
                "epochs": self.epochs, "seed": self.seed}

    def label(self) -> str:
        """A one-line description of the current settings, e.g. ``"sgd, η = 0.3, batch 32, 100 epochs, seed 0"``."""
        batch = "full batch" if self._effective_batch() == self.X.shape[0] else f"batch {self.batch_size}"
        return f"{self.optimizer}, η = {self.lr:g}, {batch}, {self.epochs} epochs, seed {self.seed}"

    def _effective_batch(self) -> int:
        n = self.X.shape[0]
        return n if self.batch_size is None else min(self.batch_size, n)

    # ------------------------------------------------------------------ the logic
    def run(self) -> dict[str, list[float]]:
        """Train a fresh network from the current settings; return the history.

        Returns
        -------
        dict
            ``"loss"`` and ``"accuracy"``: the training loss and accuracy of each epoch (as
            :meth:`bpcourse.networks.Sequential.fit` reports them). If the loss overflows or exceeds
            :data:`DIVERGED_LOSS`, training stops after that epoch: the lists are shorter than ``epochs`` and
            :attr:`diverged_at` is the (1-based) epoch. Floating-point overflow inside such a run is expected
            and silenced, so no warning leaks out.
        """
        from .networks import mlp

        net = mlp(self.sizes, activation=self.activation, loss="softmax_cross_entropy", seed=self.seed)
        opt = make_optimizer(self.optimizer, self.lr)
        # one generator for the whole run: epoch-by-epoch fit() calls then shuffle exactly as one
        # fit(epochs=self.epochs, seed=self.seed) call would
        rng = np.random.default_rng(self.seed)
        history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        diverged_at = None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for epoch in range(1, self.epochs + 1):
                h = net.fit(self.X, self.y, epochs=1, batch_size=self._effective_batch(), optimizer=opt, seed=rng)
                history["loss"].append(h["loss"][0])
                history["accuracy"].append(h["accuracy"][0])
                if not (math.isfinite(h["loss"][0]) and h["loss"][0] <= DIVERGED_LOSS):
                    diverged_at = epoch
                    break
        self.previous, self._previous_label = self.history, self._label
        self.history, self._label = history, self.label()
        self.diverged_at = diverged_at
        self.network = net
        return history

    def summary(self) -> str:
        """One line on the last run: its settings and final loss and accuracy, or where it diverged."""
        if self.history is None:
            return f"{self.label()}: not run yet (call run())"
        return f"{self._label}: {self._outcome()}"

    def _outcome(self) -> str:
        if self.diverged_at is not None:
            return f"diverged in epoch {self.diverged_at} (loss {self.history['loss'][-1]:.3g}), training stopped"
        return f"final loss {self.history['loss'][-1]:.4f}, training accuracy {self.history['accuracy'][-1]:.3f}"

    # ------------------------------------------------------------------ pictures
    def figure(self, log: bool = True) -> Any:
        """A Matplotlib ``Figure`` (not shown) of the last run's loss curve, with the run before it dashed.

        Uses :class:`matplotlib.figure.Figure` directly, not pyplot, so it never opens a window or draws
        into a notebook by itself.
        """
        if self.history is None:
            raise RuntimeError("nothing to draw yet: call run() first")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.0, 3.4), layout="constrained")
        ax = fig.add_subplot()
        runs = [(self.previous, f"previous: {self._previous_label}", dict(color="0.6", linestyle="--")),
                (self.history, f"this run: {self._label}", dict(color="C0"))]
        for hist, label, style in runs:
            if hist is None:
                continue
            loss = np.asarray(hist["loss"], dtype=np.float64)
            shown = np.where(np.isfinite(loss), loss, np.nan)
            ax.plot(np.arange(1, loss.size + 1), shown, label=label, **style)
        if log:
            ax.set_yscale("log")
        ax.set_xlim(1, max(self.epochs, 2))
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss E")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        ax.set_title(f"this run: {self._outcome()}", fontsize="small")
        return fig

    def png(self) -> bytes:
        """The :meth:`figure` as PNG bytes (what the widget's image shows)."""
        import io

        buf = io.BytesIO()
        self.figure().savefig(buf, format="png", dpi=90)
        return buf.getvalue()

    # ------------------------------------------------------------------ the widget
    def build_ui(self) -> Any:
        """Sliders and drop-downs for η, optimiser, batch size, epochs and seed, above the loss curve.

        Every change sets the matching attribute, calls :meth:`run` and redraws. The plot is a PNG in an
        ``ipywidgets.Image`` and the summary a ``Label``, so no output escapes into the notebook cell.
        Returns the widget box (display it, or leave it as a cell's last expression); its controls are
        reachable as ``box.controls`` (a dict by setting name) for scripting and tests.
        """
        import ipywidgets as widgets

        explorer = self

        class ExplorerBox(widgets.VBox):
            # The widget's text/plain form is what nbval compares: keep it fixed and readable, not the
            # ipywidgets-version-dependent repr of every child.
            def __repr__(self) -> str:
                return "TrainingExplorer controls (η, optimiser, batch size, epochs, seed) and loss curve"

        style = {"description_width": "90px"}
        lr = widgets.FloatLogSlider(value=self.lr, base=10, min=-4, max=1, step=0.1, description="η (lr)",
                                    readout_format=".3g", continuous_update=False, style=style)
        optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=self.optimizer, description="optimiser",
                                     style=style)
        batch_options = [(("full" if b is None else str(b)), b) for b in BATCH_CHOICES]
        if self.batch_size not in BATCH_CHOICES:
            batch_options.insert(-1, (str(self.batch_size), self.batch_size))
        batch = widgets.Dropdown(options=batch_options, value=self.batch_size, description="batch size",
                                 style=style)
        epochs = widgets.IntSlider(value=self.epochs, min=1, max=max(300, self.epochs), description="epochs",
                                   continuous_update=False, style=style)
        seed = widgets.BoundedIntText(value=self.seed, min=0, max=10**6, description="seed", style=style)
        image = widgets.Image(format="png")
        status = widgets.Label()
        controls = {"lr": lr, "optimizer": optimizer, "batch_size": batch, "epochs": epochs, "seed": seed}

        def redraw() -> None:
            explorer.run()
            image.value = explorer.png()
            status.value = explorer.summary()

        def on_change(change: dict) -> None:
            name = change["owner"]._explorer_setting
            setattr(explorer, name, change["new"])
            redraw()

        for name, control in controls.items():
            control._explorer_setting = name
            control.observe(on_change, names="value")
        redraw()
        box = ExplorerBox([widgets.HBox([lr, optimizer, batch]), widgets.HBox([epochs, seed]), status, image])
        box.controls = controls
        box.image = image
        box.status = status
        return box

    def __repr__(self) -> str:
        s = self.settings()
        return "TrainingExplorer(" + ", ".join(f"{k}={v!r}" for k, v in s.items()) + f", sizes={self.sizes})"
