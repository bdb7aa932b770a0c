"""Layers with an explicit forward/backward pair, in the style of CS231n's ``layers.py``.

Every layer has ``params`` and ``grads`` (dicts of float64 arrays, keyed "W", "b"; empty for activations),
``forward(x)`` that keeps what ``backward`` needs (named attributes, listed in each class), and
``backward(dout, *, need_dx=True)`` that stores dE/dparam in ``grads`` and returns dE/dx (or ``None`` when
``need_dx=False``). ``backward`` never modifies ``dout``.

Shapes: a batch x is (n_samples, n_in); a dense layer's W is (n_out, n_in), so ``W[j, i]`` is w_ji, the weight
from unit i into unit j, and net = x @ W.T + b.

Checks: a layer checks only what costs O(1) (type, dtype, shape) at its own ``forward`` and ``backward``, so a
layer used on its own still fails with a clear message; the O(n) scans (NaN, infinity) happen once, where data
enters a :class:`~bpcourse.networks.Sequential`.

Writing a layer: subclass :class:`Layer` (or an existing layer) and override ``forward`` and ``backward``;
``backward`` is the one method the network calls on the way back.
"""
from __future__ import annotations

import numpy as np

from .validate import as_float_array, as_rng, check_choice, check_int
from .activations import get_activation, softmax
from .losses import softmax_cross_entropy

INITS = ("xavier", "he", "normal", "zeros")


def _check_input(x: object, name: str, n_in: int | None) -> np.ndarray:
    # O(1) on the hot path (an already-float64 2-D array passes straight through); finiteness is checked
    # where data enters the network
    if type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 2 and (n_in is None or x.shape[1] == n_in):
        return x
    arr = as_float_array(x, name, finite=False)
    if arr.ndim != 2 or (n_in is not None and arr.shape[1] != n_in):
        want = f"(n_samples, {n_in})" if n_in is not None else "(n_samples, n_features)"
        hint = "; for one sample use x.reshape(1, -1)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} has shape {arr.shape}, expected {want}{hint}")
    return arr


def _check_dout(layer: "Layer", dout: object, shape: tuple[int, ...] | None) -> np.ndarray:
    """dE/d(output) as a float64 array of the output's shape (O(1) when it already is one)."""
    if shape is None:
        raise RuntimeError(f"{layer!r}.backward called before forward")
    if type(dout) is np.ndarray and dout.dtype == np.float64 and dout.shape == shape:
        return dout
    arr = as_float_array(dout, "dout", finite=False)
    if arr.shape != shape:
        raise ValueError(f"dout has shape {arr.shape}, expected {shape} (the shape of the layer's output)")
    return arr


def _check_dense(W: object, b: object | None) -> tuple[np.ndarray, np.ndarray | None]:
    # O(1) for float64 arrays of the right rank, as the layers' own checks
    if not (type(W) is np.ndarray and W.dtype == np.float64 and W.ndim == 2):
        W = as_float_array(W, "W", ndim=2, finite=False)
    if b is not None and not (type(b) is np.ndarray and b.dtype == np.float64 and b.shape == (W.shape[0],)):
        b = as_float_array(b, "b", shape=(W.shape[0],), finite=False)
    return W, b


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The fully connected layer's forward pass, net = x @ W.T + b (one sample per row).

    As CS231n's ``affine_forward``: what the backward pass needs (its cache) is ``(x, W)``; :class:`Dense`
    keeps it between the two calls.

    Parameters
    ----------
    x : ndarray, shape (n, n_in)
        A batch, one sample per row.
    W : ndarray, shape (n_out, n_in)
        ``W[j, i]`` is w_ji, the weight from input i into unit j.
    b : ndarray, shape (n_out,)

    Returns
    -------
    net : ndarray, shape (n, n_out)
    """
    W, b = _check_dense(W, b)
    return _affine_forward(_check_input(x, "x", W.shape[1]), W, b)


def _affine_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    # the formula, on checked arrays (Dense checks once per call, not once here and once in dense_forward)
    net = x @ W.T
    net += b  # in place: no second (n, n_out) temporary
    return net


def dense_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, *,
                   need_dx: bool = True) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """The fully connected layer's backward pass from its cache ``(x, W)``: ``(dx, dW, db)``.

    dx = dout @ W, dW = doutᵀ x (the sum over samples of each sample's outer product), db = Σ_rows dout.
    ``dout`` is never modified.

    Parameters
    ----------
    dout : ndarray, shape (n, n_out)
        ∂E/∂net, the gradient arriving from above.
    x : ndarray, shape (n, n_in)
        The forward pass's input.
    W : ndarray, shape (n_out, n_in)
        The forward pass's weights.
    need_dx : bool
        Whether to compute dx (a network's first layer does not need it); ``None`` in its place if not.

    Returns
    -------
    dx : ndarray, shape (n, n_in), or None
    dW : ndarray, shape (n_out, n_in)
    db : ndarray, shape (n_out,)
    """
    W, _ = _check_dense(W, None)
    x = _check_input(x, "x", W.shape[1])
    if not (type(dout) is np.ndarray and dout.dtype == np.float64 and dout.shape == (x.shape[0], W.shape[0])):
        dout = as_float_array(dout, "dout", finite=False)
        if dout.shape != (x.shape[0], W.shape[0]):
            raise ValueError(f"dout has shape {dout.shape}, expected {(x.shape[0], W.shape[0])} (n samples of x, "
                             f"n_out rows of W)")
    return _affine_backward(dout, x, W, need_dx)


def _affine_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray,
                     need_dx: bool) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    # the formulas, on checked arrays
    return (dout @ W if need_dx else None), dout.T @ x, dout.sum(axis=0)


class Layer:
    """Base class of every layer.

    Subclasses set ``params`` (name → array) in ``__init__`` and override :meth:`forward` and
    :meth:`backward`. A layer without parameters leaves ``params`` and ``grads`` empty.
    """

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]

    def __init__(self) -> None:
        self.params = {}
        self.grads = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        # Older course code overrode ``_backward``; nothing calls it now, so such a layer would silently
        # backpropagate with its parent's formula. Say so when the class is defined.
        if "_backward" in cls.__dict__:
            raise TypeError(f"{cls.__name__} defines _backward, which nothing calls: override "
                            f"backward(self, dout, *, need_dx=True) instead")

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        """The layer's output for a batch ``x``; keeps what :meth:`backward` needs."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray, *, need_dx: bool = True) -> np.ndarray | None:  # pragma: no cover
        """Backpropagate through the last :meth:`forward`.

        Parameters
        ----------
        dout : ndarray, the shape of the last output
            dE/d(output), the gradient arriving from the layer above. Never modified.
        need_dx : bool
            Whether to compute dE/dx. A network passes ``False`` to its first layer, whose input gradient
            nobody uses (it saves that layer's largest matrix product).

        Returns
        -------
        ndarray, the shape of the last input, or None
            dE/dx; ``None`` when ``need_dx=False`` (a layer may also return dE/dx then; it is ignored).
            Parameter gradients go to ``self.grads``, shaped as ``self.params``.
        """
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
    rng : int or Generator
        Seed or generator for the initial weights; required unless ``W`` is given (the package draws nothing
        from an unstated seed).
    W : array (n_out, n_in), optional
        Given weights (copied), e.g. an article's numbers.
    b : array (n_out,), optional
        Given biases (copied).

    Shapes: forward x (n, n_in) → net (n, n_out); backward dout (n, n_out) → dx (n, n_in),
    grads["W"] (n_out, n_in) = doutᵀ x, grads["b"] (n_out,) = Σ_rows dout.

    Kept by ``forward`` for ``backward``: ``x``, the last input (n, n_in), ``None`` before the first call.
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
        self.n_in, self.n_out = check_int(n_in, "n_in"), check_int(n_out, "n_out")
        check_choice(init, "init", INITS)
        if W is None:
            if rng is None:
                raise TypeError("Dense needs rng (an int seed or a numpy.random.Generator) to draw its initial "
                                "weights, or the weights themselves as W=; got neither")
            std = {"xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in), "normal": 0.01, "zeros": 0.0}
            W = as_rng(rng, "rng").standard_normal((n_out, n_in)) * std[init]
        else:
            W = np.array(as_float_array(W, "W", shape=(n_out, n_in)))
        b = np.zeros(n_out) if b is None else np.array(as_float_array(b, "b", shape=(n_out,)))
        self.params = {"W": np.ascontiguousarray(W), "b": b}
        self.x: np.ndarray | None = None

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        return self.params["b"]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (n, n_in) → net (n, n_out)."""
        W, _ = _check_dense(self.params["W"], None)  # a learner may have replaced W or b: W first, then b against it
        if W.shape != (self.n_out, self.n_in):
            hint = "; did you transpose it?" if W.shape == (self.n_in, self.n_out) else ""
            raise ValueError(f"W has shape {W.shape}, expected (n_out, n_in) = {(self.n_out, self.n_in)} for "
                             f"{self!r}{hint}")
        _, b = _check_dense(W, self.params["b"])
        self.x = x = _check_input(x, "x", self.n_in)
        return _affine_forward(x, W, b)  # dense_forward, without checking x a second time

    def backward(self, dout: np.ndarray, *, need_dx: bool = True) -> np.ndarray | None:
        """dout (n, n_out) → dx (n, n_in), or None if not ``need_dx``; grads W = doutᵀ x, b = Σ_rows dout."""
        x = self.x
        dout = _check_dout(self, dout, None if x is None else (x.shape[0], self.n_out))
        W, _ = _check_dense(self.params["W"], None)
        # dense_backward, without checking x again (forward did) or dout twice
        dx, dW, db = _affine_backward(dout, x, W, need_dx)
        self.grads = {"W": dW, "b": db}
        return dx

    def __repr__(self) -> str:
        return f"Dense({self.n_in}→{self.n_out})"


class ActivationLayer(Layer):
    """Element-wise activation out = f(net) as a layer; backward multiplies by f'(net).

    Shapes: forward net (n, m) → out (n, m); backward dout (n, m) → dnet (n, m).

    Kept by ``forward``: ``net`` (its input) and ``out`` (its output), ``None`` before the first call.
    ``backward`` uses f'(net) from :mod:`bpcourse.activations`, not σ(1 − σ) or 1 − tanh² from the output:
    those lose every digit where the unit saturates (σ rounds to 1 from net ≈ 37, tanh from |net| ≈ 19), so a
    saturated unit would pass back exactly 0 instead of a tiny, correct gradient.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.activation = get_activation(name)
        self.name = name
        self.net: np.ndarray | None = None
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """net (n, m) → out = f(net) (n, m)."""
        self.net = _check_input(x, "net", None)
        self.out = self.activation.f(self.net)
        return self.out

    def backward(self, dout: np.ndarray, *, need_dx: bool = True) -> np.ndarray:
        """dout (n, m) → dE/dnet = dout ⊙ f'(net) (n, m)."""
        net = self.net
        dout = _check_dout(self, dout, None if net is None else net.shape)
        if self.name == "relu":
            return dout * (net > 0)  # the same numbers as dout * relu_prime(net), one temporary fewer
        return dout * self.activation.f_prime(net)

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
    loss (log-sum-exp, finite for any finite logits). After it, ``dnet`` is dE/dnet (n, C) (read-only: do
    not modify it), ``backward()`` returns a copy of it, and ``probs`` is softmax(net) (n, C).
    """

    def __init__(self) -> None:
        self.net: np.ndarray | None = None
        self.dnet: np.ndarray | None = None

    def forward(self, net: np.ndarray, t: np.ndarray, *, check_input: bool = True) -> float:
        """Mean cross-entropy of softmax(net) against ``t``; see :func:`bpcourse.losses.softmax_cross_entropy`.

        ``check_input=False`` skips the input checks, for callers that validated ``net`` (float64, 2-D) and
        ``t`` (int labels in range, or a target matrix) already.
        """
        value, self.dnet = softmax_cross_entropy(net, t, check_input=check_input)
        self.net = net
        return value

    @property
    def probs(self) -> np.ndarray | None:
        return None if self.net is None else softmax(self.net)

    def backward(self) -> np.ndarray:
        """dE/dnet (n, C) of the last forward, as a new array."""
        if self.dnet is None:
            raise RuntimeError("SoftmaxCrossEntropy.backward called before forward")
        return self.dnet.copy()

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"
