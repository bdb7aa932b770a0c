"""Layers with an explicit forward/backward pair, in the style of CS231n's ``layers.py``.

Every layer has ``params`` and ``grads`` (dicts of float64 arrays, keyed "W", "b"; empty for activations),
``forward(x)`` that caches what ``backward`` needs, and ``backward(dout)`` that returns dE/dx and stores
dE/dparam in ``grads``. ``backward`` never modifies ``dout``.

Shapes: a batch x is (n_samples, n_in); a dense layer's W is (n_out, n_in), so ``W[j, i]`` is w_ji, the weight
from unit i into unit j, and net = x @ W.T + b.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_choice
from .activations import get_activation, softmax
from .losses import _softmax_ce_labels, softmax_cross_entropy

INITS = ("xavier", "he", "normal", "zeros")


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _check_input(x: object, name: str, n_in: int | None) -> np.ndarray:
    # Cheap type/shape checks on the hot path; full finiteness checks happen at the network's entry.
    if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 2 and (n_in is None or x.shape[1] == n_in):
        return x
    arr = as_float_array(x, name, finite=False)
    if arr.ndim != 2 or (n_in is not None and arr.shape[1] != n_in):
        want = f"(n_samples, {n_in})" if n_in is not None else "(n_samples, n_features)"
        hint = "; for one sample use x.reshape(1, -1)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} has shape {arr.shape}, expected {want}{hint}")
    return arr


class Layer:
    """Base class: a layer with no parameters."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}
        self._cache: object = None

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dE/dx from dE/dout; parameter gradients go to ``self.grads``."""
        if self._cache is None:
            raise RuntimeError(f"{self!r}.backward called before forward")
        dout = _check_input(dout, "dout", None)
        return self._backward(dout, True)

    def _backward(self, dout: np.ndarray, need_dx: bool) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer net = x @ W.T + b.

    Parameters
    ----------
    n_in, n_out : int
        Sizes of the input and the output.
    init : {"xavier", "he", "normal", "zeros"}
        Weight initialisation: N(0, 2/(n_in + n_out)) (Glorot/Xavier, for sigmoid/tanh), N(0, 2/n_in)
        (He, for ReLU), N(0, 0.01²), or zeros. Biases start at 0.
    rng : int, Generator or None
        Seed or generator for the initial weights.
    W : array (n_out, n_in), optional
        Given weights (copied), e.g. an article's numbers.
    b : array (n_out,), optional
        Given biases (copied).

    Shapes: forward x (n, n_in) → net (n, n_out); backward dout (n, n_out) → dx (n, n_in),
    grads["W"] (n_out, n_in) = doutᵀ x, grads["b"] (n_out,) = Σ_rows dout.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        init: str = "xavier",
        rng: int | np.random.Generator | None = None,
        W: np.ndarray | None = None,
        b: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        for name, v in (("n_in", n_in), ("n_out", n_out)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        self.n_in, self.n_out = int(n_in), int(n_out)
        check_choice(init, "init", INITS)
        if W is None:
            std = {"xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in), "normal": 0.01, "zeros": 0.0}
            W = _rng(rng).standard_normal((n_out, n_in)) * std[init]
        else:
            W = np.array(as_float_array(W, "W", shape=(n_out, n_in)))
        b = np.zeros(n_out) if b is None else np.array(as_float_array(b, "b", shape=(n_out,)))
        self.params = {"W": np.ascontiguousarray(W), "b": b}

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (n, n_in) → net (n, n_out)."""
        x = _check_input(x, "x", self.n_in)
        self._cache = x
        net = x @ self.params["W"].T
        net += self.params["b"]  # in place: no second (n, n_out) temporary
        return net

    def _backward(self, dout: np.ndarray, need_dx: bool) -> np.ndarray:
        x = self._cache
        if dout.shape != (x.shape[0], self.n_out):
            raise ValueError(f"dout has shape {dout.shape}, expected {(x.shape[0], self.n_out)} (the output's shape)")
        self.grads = {"W": dout.T @ x, "b": dout.sum(axis=0)}
        return dout @ self.params["W"] if need_dx else None

    def __repr__(self) -> str:
        return f"Dense({self.n_in}→{self.n_out})"


class ActivationLayer(Layer):
    """Element-wise activation y = f(net) as a layer; backward multiplies by f'(net).

    Shapes: forward net (n, m) → y (n, m); backward dout (n, m) → dnet (n, m).
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.activation = get_activation(name)
        self.name = name

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_input(x, "net", None)
        y = self.activation.f(x)
        # sigmoid and tanh have derivatives cheapest written in terms of their output
        self._cache = y if self.name in ("sigmoid", "tanh") else x
        return y

    def _backward(self, dout: np.ndarray, need_dx: bool) -> np.ndarray:
        c = self._cache
        if dout.shape != c.shape:
            raise ValueError(f"dout has shape {dout.shape}, expected {c.shape} (the output's shape)")
        if self.name == "sigmoid":
            return dout * c * (1.0 - c)
        if self.name == "tanh":
            return dout * (1.0 - c * c)
        if self.name == "relu":
            return dout * (c > 0)
        return dout * self.activation.f_prime(c)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()" if type(self) is not ActivationLayer else f"ActivationLayer({self.name!r})"


class Sigmoid(ActivationLayer):
    """σ as a layer."""

    def __init__(self) -> None:
        super().__init__("sigmoid")


class Tanh(ActivationLayer):
    """tanh as a layer."""

    def __init__(self) -> None:
        super().__init__("tanh")


class ReLU(ActivationLayer):
    """ReLU as a layer."""

    def __init__(self) -> None:
        super().__init__("relu")


class Identity(ActivationLayer):
    """The identity as a layer (a linear output)."""

    def __init__(self) -> None:
        super().__init__("identity")


class SoftmaxCrossEntropy:
    """Fused softmax output and cross-entropy loss: the backward pass is simply δ = (p − T) / n.

    ``forward(net, t)`` takes logits (n, C) and labels (n,) or one-hot targets (n, C) and returns the mean
    loss (log-sum-exp, finite for any finite logits); ``backward()`` returns dE/dnet of shape (n, C);
    ``probs`` is softmax(net) of the last forward.
    """

    def __init__(self) -> None:
        self._net: np.ndarray | None = None
        self._dnet: np.ndarray | None = None

    def forward(self, net: np.ndarray, t: np.ndarray) -> float:
        value, self._dnet = softmax_cross_entropy(net, t)
        self._net = net
        return value

    def _forward_labels(self, net: np.ndarray, labels: np.ndarray) -> float:
        # labels already validated by the caller (the network): skip the checks on the hot path
        value, self._dnet = _softmax_ce_labels(net, labels)
        self._net = net
        return value

    @property
    def probs(self) -> np.ndarray | None:
        return None if self._net is None else softmax(self._net)

    def backward(self) -> np.ndarray:
        if self._dnet is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward called before forward")
        return self._dnet.copy()

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"
