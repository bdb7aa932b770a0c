"""A Sequential network: layers applied in order, a loss on top, backprop through them in reverse.

The forward pass keeps every layer's cache; ``backward`` walks the layers from last to first, each turning
dE/d(its output) into dE/d(its input) — the δ recursion of the matrix form, one layer at a time.
"""
from __future__ import annotations

import inspect
from typing import Sequence

import numpy as np

from .validate import as_float_array, as_labels, as_rng, check_choice, check_int
from .activations import softmax
from .layers import ActivationLayer, Dense, Layer
from .losses import LOSSES, check_probability_targets
from .optimizers import SGD, Optimizer
from .progress import ProgressBar

CLASSIFIERS = ("softmax_cross_entropy", "binary_cross_entropy")


class Sequential:
    """A feed-forward network.

    Parameters
    ----------
    layers : sequence of Layer
        Applied in order. With ``loss="softmax_cross_entropy"`` the last layer outputs logits and the softmax
        is fused into the loss (its backward is p − T).
    loss : {"half_sse", "mse", "binary_cross_entropy", "softmax_cross_entropy"}
        The loss E; every loss is averaged over the samples of a batch.

    Targets ``t``: integer labels (n,) for softmax cross-entropy; otherwise floats of shape (n, n_out), or (n,)
    when the network has a single output. Binary cross-entropy targets lie in [0, 1].

    Data is checked once, where it enters (``forward``, ``loss``, ``fit``, …, or :meth:`check_data`); the
    per-batch work after that runs unchecked. Methods that take ``check_input`` can skip the entry check for
    data that :meth:`check_data` returned.

    Accuracy (``evaluate``, ``fit``): for softmax cross-entropy, the fraction of samples whose argmax is the
    label. For binary cross-entropy, the fraction of outputs on the right side of 0.5 (p > 0.5 against
    t > 0.5): with one output, of samples; with k outputs (multi-label), of all n·k (sample, output) entries,
    i.e. 1 − the Hamming loss. (A sample-wise "all k right" score, subset accuracy, is stricter.)
    """

    def __init__(self, layers: Sequence[Layer], loss: str = "half_sse") -> None:
        layers = list(layers)
        if not layers or not all(isinstance(l, Layer) for l in layers):
            raise TypeError(f"layers must be a non-empty list of Layer objects, got {[type(l).__name__ for l in layers]}")
        for layer in layers:
            _check_backward_signature(layer)
        self.layers = layers
        self.loss_name = check_choice(loss, "loss", list(LOSSES))
        self._loss_fn = LOSSES[loss]
        dense = [l for l in layers if isinstance(l, Dense)]
        for a, b in zip(dense, dense[1:]):
            if a.n_out != b.n_in:
                raise ValueError(f"layer sizes do not chain: {a!r} outputs {a.n_out} but {b!r} takes {b.n_in}")
        self.n_in = dense[0].n_in if dense else None
        self.n_out = dense[-1].n_out if dense else None

    # ------------------------------------------------------------------ parameters
    def parameters(self) -> dict[str, np.ndarray]:
        """Live parameter arrays by name: ``"0.W"`` is layer 0's weight matrix (updating it updates the net)."""
        return {f"{i}.{k}": v for i, l in enumerate(self.layers) for k, v in l.params.items()}

    def gradients(self) -> dict[str, np.ndarray]:
        """Gradients from the last ``backward``, named as in :meth:`parameters`."""
        return {f"{i}.{k}": l.grads[k] for i, l in enumerate(self.layers) for k in l.params}

    def n_parameters(self) -> int:
        return sum(p.size for p in self.parameters().values())

    # ------------------------------------------------------------------ checks (where data enters)
    def _check_X(self, X: object) -> np.ndarray:
        X = as_float_array(X, "X", ndim=2)
        if self.n_in is not None and X.shape[1] != self.n_in:
            raise ValueError(f"X has {X.shape[1]} features per sample (shape {X.shape}), expected {self.n_in}")
        return X

    def _check_t(self, t: object, n: int) -> np.ndarray:
        if self.loss_name == "softmax_cross_entropy":
            return as_labels(t, "t (the labels)", n=n, n_classes=self.n_out)
        t = as_float_array(t, "t (the targets)", ndim=(1, 2))
        if t.ndim == 1 and self.n_out == 1:
            t = t.reshape(-1, 1)
        if t.shape != (n, self.n_out):
            raise ValueError(f"t has shape {t.shape}, expected {(n, self.n_out)} (one row of targets per sample)")
        if self.loss_name == "binary_cross_entropy":
            check_probability_targets(t, "t (the targets)")
        return t

    def check_data(self, X: object, t: object) -> tuple[np.ndarray, np.ndarray]:
        """Validate a data set once: X as float64 (n, n_in), finite; t as this loss's targets.

        Returns the arrays to pass to the methods below with ``check_input=False`` (what
        :func:`bpcourse.gradcheck.check_network` does, calling the loss thousands of times on one batch).
        Raises ValueError or TypeError naming what was expected and what was received.
        """
        X = self._check_X(X)
        return X, self._check_t(t, X.shape[0])

    # ------------------------------------------------------------------ passes
    def _forward(self, X: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Network output for a batch X (n, n_in): (n, n_out) (logits for softmax cross-entropy)."""
        return self._forward(self._check_X(X))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Backpropagate dE/d(output) (n, n_out) through every layer, last to first; returns dE/dX (n, n_in)."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def _loss_and_grad(self, X: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        # the training step on checked data: returns the loss and the output (fit counts accuracy from it)
        out = self._forward(X)
        value, dout = self._loss_fn(out, t, check_input=False)
        for i in range(len(self.layers) - 1, -1, -1):
            # the first layer's dE/dX is never needed in training: skip that matmul
            dout = self.layers[i].backward(dout, need_dx=i > 0)
        return value, out

    def loss_and_grad(self, X: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> float:
        """Forward, loss and backward on one batch; returns the loss, leaves gradients in :meth:`gradients`.

        ``check_input=False``: ``X, t`` come from :meth:`check_data`.
        """
        if check_input:
            X, t = self.check_data(X, t)
        return self._loss_and_grad(X, t)[0]

    def loss(self, X: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> float:
        """The loss on a batch (forward only). ``check_input=False``: ``X, t`` come from :meth:`check_data`."""
        if check_input:
            X, t = self.check_data(X, t)
        return self._loss_fn(self._forward(X), t, check_input=False)[0]

    # ------------------------------------------------------------------ using it
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, C) for softmax cross-entropy; the outputs themselves otherwise."""
        out = self.forward(X)
        if self.loss_name == "softmax_cross_entropy":
            return softmax(out)
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Labels for classifiers, the outputs otherwise.

        Softmax cross-entropy: the argmax, (n,). Binary cross-entropy: 1 where p > 0.5, else 0, as int64 of
        shape (n,) for one output and (n, k) for k outputs (one 0/1 label per output). Other losses: the
        outputs (n, n_out).
        """
        return self._labels(self.forward(X))

    def _labels(self, out: np.ndarray) -> np.ndarray:
        if self.loss_name == "softmax_cross_entropy":
            return out.argmax(axis=1)
        if self.loss_name == "binary_cross_entropy":
            labels = (out > 0.5).astype(np.int64)
            return labels[:, 0] if labels.shape[1] == 1 else labels
        return out

    def _truth(self, t: np.ndarray) -> np.ndarray:
        # checked targets as the labels _labels() is compared with: same shape, same encoding
        if self.loss_name == "binary_cross_entropy":
            truth = (t > 0.5).astype(np.int64)
            return truth[:, 0] if truth.shape[1] == 1 else truth
        return t

    def _evaluate(self, X: np.ndarray, t: np.ndarray) -> dict[str, float]:
        out = self._forward(X)
        result = {"loss": self._loss_fn(out, t, check_input=False)[0]}
        if self.loss_name in CLASSIFIERS:
            result["accuracy"] = float(np.mean(self._labels(out) == self._truth(t)))
        return result

    def evaluate(self, X: np.ndarray, t: np.ndarray) -> dict[str, float]:
        """``{"loss": …}``, plus ``"accuracy"`` for classifiers (defined in the class docstring)."""
        return self._evaluate(*self.check_data(X, t))

    def fit(
        self,
        X: np.ndarray,
        t: np.ndarray,
        epochs: int = 10,
        batch_size: int = 32,
        optimizer: Optimizer | None = None,
        seed: int | np.random.Generator | None = 0,
        shuffle: bool = True,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        progress: bool = False,
    ) -> dict[str, list[float]]:
        """Train with mini-batches; returns the history, one entry per epoch.

        History keys: ``"loss"`` (mean training loss over the epoch's batches), ``"accuracy"`` (training
        accuracy over the epoch's batches, classifiers only), ``"val_loss"``/``"val_accuracy"`` with
        ``validation_data``. Shuffling uses ``seed`` (an int or a Generator; see
        :func:`bpcourse.validate.as_rng`), so a seed gives the same run every time; it is not used when
        ``shuffle=False``. ``progress=True`` draws a text progress bar; the default is silent.
        """
        X, t = self.check_data(X, t)
        epochs = check_int(epochs, "epochs")
        batch_size = check_int(batch_size, "batch_size")
        optimizer = optimizer if optimizer is not None else SGD(0.1)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be an Optimizer (SGD, Momentum, Adam), got {type(optimizer).__name__}")
        if validation_data is not None:
            Xv, tv = self.check_data(*validation_data)
        rng = as_rng(seed) if shuffle else None
        # (layer, key, name, array) once: the per-batch loop then touches no dicts it does not need
        slots = [(l, k, f"{i}.{k}", p) for i, l in enumerate(self.layers) for k, p in l.params.items()]
        update = optimizer.update  # shapes are right by construction: skip step()'s checks
        n = X.shape[0]
        classifier = self.loss_name in CLASSIFIERS
        truth = self._truth(t)
        n_scored = truth.size  # samples, or (sample, output) entries for multi-label binary cross-entropy
        history: dict[str, list[float]] = {"loss": []}
        bar = ProgressBar(epochs) if progress else None
        for epoch in range(epochs):
            order = rng.permutation(n) if rng is not None else np.arange(n)
            total, correct = 0.0, 0
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                value, out = self._loss_and_grad(X[idx], t[idx])
                total += value * idx.shape[0]
                if classifier:
                    correct += int(np.count_nonzero(self._labels(out) == truth[idx]))
                for layer, key, name, p in slots:
                    update(name, p, layer.grads[key])
            history["loss"].append(total / n)
            if classifier:
                history.setdefault("accuracy", []).append(correct / n_scored)
            if validation_data is not None:
                for k, v in self._evaluate(Xv, tv).items():
                    history.setdefault("val_" + k, []).append(v)
            if bar is not None:
                bar.update(epoch + 1, **{k: v[-1] for k, v in history.items()})
        return history

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(map(repr, self.layers))}], loss={self.loss_name!r})"


def _check_backward_signature(layer: Layer) -> None:
    # A layer written by hand (chapter 4) must take the keyword the network passes; say so now, not as a
    # TypeError from deep inside fit()
    try:
        params = inspect.signature(layer.backward).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return
    if "need_dx" not in params and not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        raise TypeError(f"{type(layer).__name__}.backward{inspect.signature(layer.backward)} must accept the keyword "
                        "need_dx: write it as def backward(self, dout, *, need_dx=True)")


def mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    loss: str = "softmax_cross_entropy",
    output: str | None = None,
    init: str | None = None,
    seed: int | np.random.Generator | None = 0,
) -> Sequential:
    """Build a multilayer perceptron, e.g. ``mlp([64, 128, 64, 10])``: Dense layers with ``activation`` between.

    ``output`` is an activation after the last Dense layer (``None`` for logits or a linear output; use
    "sigmoid" with half_sse or binary_cross_entropy). ``init`` defaults to He for ReLU, Xavier otherwise.
    ``seed`` (an int or a Generator) draws every layer's initial weights, one generator for all of them.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
    rng = as_rng(seed)
    init = init or ("he" if activation == "relu" else "xavier")
    layers: list[Layer] = []
    for k, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(Dense(a, b, init=init, rng=rng))
        if k < len(sizes) - 2:
            layers.append(ActivationLayer(activation))
    if output is not None:
        layers.append(ActivationLayer(output))
    return Sequential(layers, loss=loss)
