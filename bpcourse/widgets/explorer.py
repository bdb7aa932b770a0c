"""Interactive explorers whose logic is plain Python: state you can set and read, a ``run()`` you can test.

:class:`TrainingExplorer` trains a small network on a small data set with a chosen learning rate η, optimiser,
batch size, number of epochs and seed, and returns the loss history. Its :meth:`~TrainingExplorer.build_ui`
wraps it in ipywidgets (sliders and drop-downs that retrain and redraw the loss curve); that method is the only
place ipywidgets is imported, so ``import bpcourse.widgets`` needs neither ipywidgets nor matplotlib and the
logic is tested without a browser.

Example
-------
>>> ex = TrainingExplorer(optimizer="adam", eta=0.01, epochs=20)
>>> history = ex.run()
>>> print(ex.summary())          # doctest: +SKIP
adam, η = 0.01, batch 32, 20 epochs, seed 0: final loss 0.0562, training accuracy 0.987
"""
from __future__ import annotations

import math
import re
from typing import Any, Sequence

import numpy as np

from ..validate import as_float_array, as_labels, as_rng, check_int
from ..optimizers import OPTIMIZERS, make_optimizer

__all__ = ["TrainingExplorer", "DIVERGED_LOSS", "BATCH_CHOICES", "ETA_CHOICES", "eta_text"]

#: A training loss above this (or inf/NaN) counts as diverged: run() stops there instead of computing on
#: overflowing numbers. For C classes a network that predicts uniformly scores ln C (ln 3 ≈ 1.1), so 1e6 is
#: far beyond anything a working run produces.
DIVERGED_LOSS = 1e6

#: Batch sizes offered by the widget; ``None`` means the whole data set (full-batch gradient descent).
BATCH_CHOICES: tuple[int | None, ...] = (1, 4, 16, 32, 64, 128, None)


#: The figure's size in inches: the widget scales it to its width, keeping this aspect ratio.
FIGSIZE = (7.0, 3.6)

#: η values the slider offers: 1, 2, 3, 5 × 10^k from 1e-4 to 10 (the explorer's own η is added if missing).
ETA_CHOICES: tuple[float, ...] = tuple(float(f"{m}e{k}") for k in range(-4, 1) for m in (1, 2, 3, 5)) + (10.0,)


def eta_text(eta: float) -> str:
    """η as the explorer writes it: at most 3 significant digits (``0.126``, not ``0.125893``)."""
    text = f"{eta:.3g}"
    return f"{eta:g}" if "e" in text else text


class TrainingExplorer:
    """Train a small classifier with chosen hyper-parameters and report its loss curve.

    Parameters
    ----------
    eta : float
        Learning rate η > 0.
    optimizer : {"sgd", "momentum", "rmsprop", "adam"}
        The update rule (:mod:`bpcourse.optimizers`, default hyper-parameters apart from η).
    batch_size : int or None
        Samples per gradient step; ``None`` (or any size ≥ the number of samples) is full-batch descent.
    epochs : int
        Passes over the data.
    seed : int
        Seeds both the initial weights and the shuffling, so equal settings give equal runs.
    data : (X, t), optional
        Inputs (n, d) and integer target labels (n,), kept as the attributes ``X`` and ``t``. Default: three spirals of 100 points each
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
        eta: float = 0.3,
        optimizer: str = "sgd",
        batch_size: int | None = 32,
        epochs: int = 100,
        seed: int = 0,
        data: tuple[np.ndarray, np.ndarray] | None = None,
        hidden: Sequence[int] = (32, 32),
        activation: str = "relu",
    ) -> None:
        if data is None:
            from ..datasets import spirals

            data = spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0)
        X = as_float_array(data[0], "data X", ndim=2)
        t = as_labels(data[1], "data t (the target labels)", n=X.shape[0])
        if t.min() < 0:
            raise ValueError(f"data t must be class indices >= 0, got {t.min()}")
        self.X, self.t = X, t
        self.n_classes = int(t.max()) + 1
        hidden = tuple(hidden)
        for h in hidden:
            check_int(h, "each hidden width")
        self.hidden = hidden
        from ..activations import get_activation

        self.activation = get_activation(activation).name
        self.eta = eta
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
    def eta(self) -> float:
        return self._eta

    @eta.setter
    def eta(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (
            math.isfinite(value) and value > 0
        ):
            raise ValueError(f"eta (the learning rate η) must be a finite number > 0, got {value!r}")
        self._eta = float(value)

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
        self._batch_size = None if value is None else check_int(value, "batch_size (or None for full batch)")

    @property
    def epochs(self) -> int:
        return self._epochs

    @epochs.setter
    def epochs(self, value: int) -> None:
        self._epochs = check_int(value, "epochs")

    @property
    def seed(self) -> int:
        return self._seed

    @seed.setter
    def seed(self, value: int) -> None:
        self._seed = check_int(value, "seed", minimum=0)

    @property
    def sizes(self) -> list[int]:
        """Layer sizes of the network trained: inputs, hidden widths, classes."""
        return [self.X.shape[1], *self.hidden, self.n_classes]

    def settings(self) -> dict[str, Any]:
        """The current settings as a dict (what :meth:`run` will use)."""
        return {"eta": self.eta, "optimizer": self.optimizer, "batch_size": self.batch_size,
                "epochs": self.epochs, "seed": self.seed}

    def label(self) -> str:
        """A one-line description of the current settings, e.g. ``"sgd, η = 0.3, batch 32, 100 epochs, seed 0"``."""
        batch = "full batch" if self._effective_batch() == self.X.shape[0] else f"batch {self.batch_size}"
        epochs = "1 epoch" if self.epochs == 1 else f"{self.epochs} epochs"
        return f"{self.optimizer}, η = {eta_text(self.eta)}, {batch}, {epochs}, seed {self.seed}"

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
        from ..networks import mlp

        net = mlp(self.sizes, activation=self.activation, loss="softmax_cross_entropy", seed=self.seed)
        opt = make_optimizer(self.optimizer, self.eta)
        # one generator for the whole run: epoch-by-epoch fit() calls then shuffle exactly as one
        # fit(epochs=self.epochs, seed=self.seed) call would
        rng = as_rng(self.seed)
        history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        diverged_at = None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for epoch in range(1, self.epochs + 1):
                h = net.fit(self.X, self.t, epochs=1, batch_size=self._effective_batch(), optimizer=opt, seed=rng)
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
    def figure(self, log: bool = True, note: str | None = None) -> Any:
        """A Matplotlib ``Figure`` (not shown) of the last run's loss curve, with the run before it dashed.

        Uses :class:`matplotlib.figure.Figure` directly, not pyplot, so it never opens a window or draws
        into a notebook by itself. ``note`` adds a line of text under the plot (the static picture's "run this
        notebook" line).
        """
        if self.history is None:
            raise RuntimeError("nothing to draw yet: call run() first")
        from matplotlib.figure import Figure

        # constrained layout: the y tick labels' width varies with the run (a loss within one decade gets labelled
        # minor ticks such as 9x10^-1), and fixed margins cut the axis label off for some of them
        fig = Figure(figsize=FIGSIZE, layout="constrained")
        ax = fig.add_subplot()
        runs = [(self.previous, f"previous: {self._previous_label}", dict(color="0.55", linestyle="--", lw=1.6)),
                (self.history, f"this run: {self._label}", dict(color="#0072B2", lw=2.0))]
        for hist, label, style in runs:
            if hist is None:
                continue
            loss = np.asarray(hist["loss"], dtype=np.float64)
            shown = np.where(np.isfinite(loss), loss, np.nan)
            marker = "o" if loss.size == 1 else None  # a one-epoch run is a single point: a line would not show
            ax.plot(np.arange(1, loss.size + 1), shown, label=label, marker=marker, **style)
        if log:
            ax.set_yscale("log")
        ax.set_xlim(1, max(self.epochs, 2))
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss E")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        ax.set_title(f"this run: {self._outcome()}", fontsize="medium")
        if note:
            fig.supxlabel(note, fontsize="small", style="italic")
        return fig

    def png(self, dpi: int = 200, note: str | None = None) -> bytes:
        """The :meth:`figure` as PNG bytes, at ``dpi`` (200: sharp on a HiDPI screen at its natural size)."""
        import io

        buf = io.BytesIO()
        self.figure(note=note).savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()

    def svg(self) -> str:
        """The :meth:`figure` as an inline SVG element that keeps its aspect ratio at any width (what the
        widget shows: sharp when projected, never stretched)."""
        import io

        import matplotlib

        buf = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "bpcourse-explorer", "svg.fonttype": "path"}):
            self.figure().savefig(buf, format="svg", metadata={"Date": None})
        text = buf.getvalue()
        text = text[text.index("<svg"):]
        # Matplotlib writes width/height in pt; let the browser scale the viewBox to the box instead.
        head, rest = text.split(">", 1)
        head = re.sub(r'\s(width|height)="[^"]*"', "", head)
        return head + ' style="width:100%;height:auto;display:block">' + rest

    # ------------------------------------------------------------------ the widget
    def build_ui(self) -> Any:
        """Sliders and drop-downs for η, optimiser, batch size, epochs and seed, above the loss curve.

        Every change sets the matching attribute, calls :meth:`run` and redraws. The plot is an SVG in an
        ``ipywidgets.HTML`` (fixed aspect ratio, sharp at any size) and the summary a ``Label``, so no output
        escapes into the notebook cell. η moves over 1, 2, 3, 5 × 10^k (plus the starting value), so its
        readout is always a short number. Returns the widget box (display it, or leave it as a cell's last
        expression); its controls are reachable as ``box.controls`` (a dict by setting name). Displayed, the
        box also carries a static PNG of the curve for pages without a kernel (see :mod:`bpcourse.widgets`).
        """
        from .explorer_view import build_explorer_ui

        return build_explorer_ui(self)

    def __repr__(self) -> str:
        s = self.settings()
        return "TrainingExplorer(" + ", ".join(f"{k}={v!r}" for k, v in s.items()) + f", sizes={self.sizes})"
