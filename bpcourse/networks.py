"""A Sequential network: layers applied in order, a loss on top, backprop through them in reverse.

The forward pass keeps every layer's cache; ``backward`` walks the layers from last to first, each turning
dE/d(its output) into dE/d(its input) — the δ recursion of the matrix form, one layer at a time.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._validate import as_float_array, as_labels, check_choice, check_positive
from .layers import ActivationLayer, Dense, Layer, SoftmaxCrossEntropy, _rng
from .losses import LOSSES
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
    when the network has a single output.
    """

    def __init__(self, layers: Sequence[Layer], loss: str = "half_sse") -> None:
        layers = list(layers)
        if not layers or not all(isinstance(l, Layer) for l in layers):
            raise TypeError(f"layers must be a non-empty list of Layer objects, got {[type(l).__name__ for l in layers]}")
        self.layers = layers
        self.loss_name = check_choice(loss, "loss", list(LOSSES))
        self._loss_fn = LOSSES[loss]
        self._head = SoftmaxCrossEntropy() if loss == "softmax_cross_entropy" else None
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

    # ------------------------------------------------------------------ passes
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
        return t

    def _forward(self, X: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Network output for a batch X (n, n_in): (n, n_out) (logits for softmax cross-entropy)."""
        return self._forward(self._check_X(X))

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Backpropagate dE/d(output) (n, n_out) through every layer, last to first; returns dE/dX."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def _loss_and_grad(self, X: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
        out = self._forward(X)
        if self._head is not None:
            value = self._head._forward_labels(out, t)
            dout = self._head._dnet  # fresh array each forward; backward() would copy it
        else:
            value, dout = self._loss_fn(out, t)
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            # the first layer's dE/dX is never needed in training: skip that matmul
            dout = self.layers[i]._backward(dout, i > 0)
        return value, out

    def loss_and_grad(self, X: np.ndarray, t: np.ndarray) -> float:
        """Forward, loss and backward on one batch; returns the loss, leaves gradients in :meth:`gradients`."""
        X = self._check_X(X)
        return self._loss_and_grad(X, self._check_t(t, X.shape[0]))[0]

    def loss(self, X: np.ndarray, t: np.ndarray) -> float:
        """The loss on a batch (forward only)."""
        X = self._check_X(X)
        return self._loss_value(X, self._check_t(t, X.shape[0]))

    def _loss_value(self, X: np.ndarray, t: np.ndarray) -> float:
        return self._loss_value_out(self._forward(X), t)

    def _loss_value_out(self, out: np.ndarray, t: np.ndarray) -> float:
        return self._head._forward_labels(out, t) if self._head is not None else self._loss_fn(out, t)[0]

    # ------------------------------------------------------------------ using it
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, C) for softmax cross-entropy; the outputs themselves otherwise."""
        out = self.forward(X)
        if self.loss_name == "softmax_cross_entropy":
            from .activations import softmax

            return softmax(out)
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (n,) for classifiers (argmax, or p > 0.5 for one sigmoid output); outputs otherwise."""
        out = self.forward(X)
        return self._labels(out)

    def _labels(self, out: np.ndarray) -> np.ndarray:
        if self.loss_name == "softmax_cross_entropy":
            return out.argmax(axis=1)
        if self.loss_name == "binary_cross_entropy" and out.shape[1] == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return out

    def evaluate(self, X: np.ndarray, t: np.ndarray) -> dict[str, float]:
        """``{"loss": …}``, plus ``"accuracy"`` for classifiers."""
        X = self._check_X(X)
        t = self._check_t(t, X.shape[0])
        out = self._forward(X)
        result = {"loss": self._loss_value_out(out, t)}
        if self.loss_name in CLASSIFIERS:
            truth = t if t.ndim == 1 else (t[:, 0] > 0.5).astype(np.int64)
            result["accuracy"] = float(np.mean(self._labels(out) == truth))
        return result

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
        ``validation_data``. Shuffling uses ``seed``, so a seed gives the same run every time.
        ``progress=True`` draws a text progress bar; the default is silent.
        """
        X = self._check_X(X)
        t = self._check_t(t, X.shape[0])
        check_positive(epochs, "epochs", integer=True)
        check_positive(batch_size, "batch_size", integer=True)
        optimizer = optimizer if optimizer is not None else SGD(0.1)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"optimizer must be an Optimizer (SGD, Momentum, Adam), got {type(optimizer).__name__}")
        if validation_data is not None:
            Xv = self._check_X(validation_data[0])
            tv = self._check_t(validation_data[1], Xv.shape[0])
        rng = _rng(seed)
        # (layer, key, name, array) once: the per-batch loop then touches no dicts it does not need
        slots = [(l, k, f"{i}.{k}", p) for i, l in enumerate(self.layers) for k, p in l.params.items()]
        update = optimizer._update
        n = X.shape[0]
        classifier = self.loss_name in CLASSIFIERS
        truth = t if (not classifier or t.ndim == 1) else (t[:, 0] > 0.5).astype(np.int64)
        history: dict[str, list[float]] = {"loss": []}
        bar = ProgressBar(epochs) if progress else None
        for epoch in range(epochs):
            order = rng.permutation(n) if shuffle else np.arange(n)
            total, correct = 0.0, 0
            for start in range(0, n, batch_size):
                idx = order[start : start + batch_size]
                xb, tb = X[idx], t[idx]
                value, out = self._loss_and_grad(xb, tb)
                total += value * idx.shape[0]
                if classifier:
                    correct += int(np.count_nonzero(self._labels(out) == truth[idx]))
                for layer, key, name, p in slots:
                    update(name, p, layer.grads[key])  # shapes are right by construction: skip step()'s checks
            history["loss"].append(total / n)
            if classifier:
                history.setdefault("accuracy", []).append(correct / n)
            if validation_data is not None:
                for k, v in self.evaluate(Xv, tv).items():
                    history.setdefault("val_" + k, []).append(v)
            if bar is not None:
                bar.update(epoch + 1, **{k: v[-1] for k, v in history.items()})
        return history

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(map(repr, self.layers))}], loss={self.loss_name!r})"


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
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output size, got {sizes}")
    rng = _rng(seed)
    init = init or ("he" if activation == "relu" else "xavier")
    layers: list[Layer] = []
    for k, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(Dense(a, b, init=init, rng=rng))
        if k < len(sizes) - 2:
            layers.append(ActivationLayer(activation))
    if output is not None:
        layers.append(ActivationLayer(output))
    return Sequential(layers, loss=loss)
