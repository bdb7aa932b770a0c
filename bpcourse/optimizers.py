"""Optimisers: pure update steps, and stateful classes that wrap them.

The pure steps, as CS231n's ``optim.py`` has them, take the parameter, its gradient and the optimiser's
state as arrays and return new arrays; they never modify their inputs:

* ``sgd_step(w, g, eta)``: w − η·g;
* ``momentum_step(w, v, g, eta, beta)``: v ← β·v − η·g, w ← w + v;
* ``rmsprop_step(w, s, g, eta, rho, eps)``: s ← ρ·s + (1 − ρ)·g², w ← w − η·g / (√s + ε);
* ``adam_step(w, m, v, g, t, eta, beta1, beta2, eps)``: Adam's step number t.

Each checks its arguments, then applies its rule, written once in a private function beside it (``_sgd``,
``_momentum``, ``_rmsprop``, ``_adam``): the one home of that rule. The exercises' references and the chapters
call the public steps; the classes below, which check η, β, ρ and ε whenever they are set (when built, or by a
schedule later), call the rules directly, so a training loop pays for no check per step.

A class keeps the state per parameter name: ``step(params, grads)`` takes two dicts with the same keys (parameter
name → array), checks them (the same names, float parameter arrays, matching shapes), and calls
``update(name, p, g)`` for each, which writes the new values into the parameter array in place. A training loop
that knows its shapes are right (a network's own ``fit``) calls ``update`` directly; a new optimiser overrides
``update``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .validate import check_int, check_positive

__all__ = ["sgd_step", "momentum_step", "rmsprop_step", "adam_step", "Optimizer", "SGD", "Momentum", "RMSProp",
           "Adam", "OPTIMIZERS", "make_optimizer"]


def _same_shape(w: np.ndarray, **others: np.ndarray) -> None:
    """Refuse a gradient or state whose shape differs from the parameter's, instead of broadcasting it."""
    for name, a in others.items():
        if np.shape(a) != np.shape(w):
            raise ValueError(f"{name} has shape {np.shape(a)}, expected the shape of w, {np.shape(w)}")


def _beta(value: float, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r} ({type(value).__name__})")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def sgd_step(w: np.ndarray, g: np.ndarray, eta: float) -> np.ndarray:
    """One gradient-descent step, w − η·g, as a new array.

    Parameters
    ----------
    w, g : ndarray, same shape
        The parameter and ∂E/∂w.
    eta : float
        The learning rate η > 0.
    """
    _same_shape(w, g=g)
    return _sgd(w, g, check_positive(eta, "eta (the learning rate η)"))


def _sgd(w: np.ndarray, g: np.ndarray, eta: float, out: np.ndarray | None = None) -> np.ndarray:
    # the formula, on checked arguments (the classes check η whenever it is set); ``out=w`` updates w in place,
    # with the same numbers as w - eta * g and no new array
    return np.subtract(w, eta * g, out=out)


def momentum_step(w: np.ndarray, v: np.ndarray, g: np.ndarray, eta: float,
                  beta: float) -> tuple[np.ndarray, np.ndarray]:
    """One heavy-ball momentum step: v ← β·v − η·g, w ← w + v. β = 0 is plain SGD.

    Parameters
    ----------
    w, v, g : ndarray, same shape
        The parameter, its velocity (zeros before the first step) and ∂E/∂w.
    eta : float
        The learning rate η > 0.
    beta : float
        The momentum coefficient β in [0, 1).

    Returns
    -------
    (w_new, v_new) : new arrays of w's shape.
    """
    _same_shape(w, v=v, g=g)
    return _momentum(w, v, g, check_positive(eta, "eta (the learning rate η)"), _beta(beta, "beta"))


def _momentum(w: np.ndarray, v: np.ndarray, g: np.ndarray, eta: float, beta: float,
              out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    v_new = beta * v - eta * g
    return np.add(w, v_new, out=out), v_new


def rmsprop_step(w: np.ndarray, s: np.ndarray, g: np.ndarray, eta: float, rho: float = 0.9,
                 eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """One RMSProp step (Hinton's lecture 6e, 2012): divide by a running root mean square of the gradient.

    s ← ρ·s + (1 − ρ)·g²;  w ← w − η·g / (√s + ε). Each coordinate's step is about η·g/rms(g), so a
    coordinate with steadily large gradients takes no larger steps than one with small gradients. Adam is
    RMSProp plus a running mean of g in place of g, and bias correction of both means.

    Parameters
    ----------
    w, s, g : ndarray, same shape
        The parameter, the running mean of g² (zeros before the first step) and ∂E/∂w.
    eta : float
        The learning rate η > 0.
    rho : float
        The decay rate ρ in [0, 1) of the running mean (0.9 as in Hinton's lecture; PyTorch's ``alpha``
        defaults to 0.99).
    eps : float
        ε > 0, added to √s so that a zero gradient history does not divide by zero.

    Returns
    -------
    (w_new, s_new) : new arrays of w's shape.
    """
    _same_shape(w, s=s, g=g)
    rho = _beta(rho, "rho")
    eta, eps = check_positive(eta, "eta (the learning rate η)"), check_positive(eps, "eps")
    return _rmsprop(w, s, g, eta, rho, eps)


def _rmsprop(w: np.ndarray, s: np.ndarray, g: np.ndarray, eta: float, rho: float, eps: float,
             out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    s_new = rho * s + (1.0 - rho) * (g * g)
    return np.subtract(w, eta * g / (np.sqrt(s_new) + eps), out=out), s_new


def adam_step(w: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, t: int, eta: float,
              beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> tuple[np.ndarray, np.ndarray,
                                                                                     np.ndarray]:
    """Adam's step number ``t`` (Kingma & Ba, 2015): bias-corrected running means of g and g².

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  w ← w − η·m̂ / (√v̂ + ε),
    with m̂ = m / (1 − β1^t) and v̂ = v / (1 − β2^t).

    Parameters
    ----------
    w, m, v, g : ndarray, same shape
        The parameter, the running means of g and of g² (zeros before step 1), and ∂E/∂w.
    t : int
        This step's number, 1 for the first.
    eta, beta1, beta2, eps : float
        The learning rate η > 0, the decay rates β1, β2 in [0, 1), and ε > 0.

    Returns
    -------
    (w_new, m_new, v_new) : new arrays of w's shape; m_new and v_new are the running means, not m̂ and v̂.
    """
    _same_shape(w, m=m, v=v, g=g)
    t = check_int(t, "t (Adam's step number, 1 for the first step)")
    b1, b2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    eta, eps = check_positive(eta, "eta (the learning rate η)"), check_positive(eps, "eps")
    return _adam(w, m, v, g, t, eta, b1, b2, eps)


def _adam(w: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, t: int, eta: float, b1: float, b2: float,
          eps: float, out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m_new = b1 * m + (1.0 - b1) * g
    v_new = b2 * v + (1.0 - b2) * (g * g)
    m_hat = m_new / (1.0 - b1**t)
    v_hat = v_new / (1.0 - b2**t)
    return np.subtract(w, eta * m_hat / (np.sqrt(v_hat) + eps), out=out), m_new, v_new


class _Checked:
    """A hyperparameter attribute validated on every assignment, in ``__init__`` and after it alike.

    A schedule sets ``optimizer.eta = schedule(k)`` before each step; since the steps themselves no longer check
    (see the module docstring), an η of 0, below 0 or NaN must be refused here, where it is set.
    """

    def __init__(self, check: Callable[[float, str], float], name: str) -> None:
        self.check, self.label = check, name

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = "_" + attr

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return self if obj is None else getattr(obj, self.attr)

    def __set__(self, obj: object, value: float) -> None:
        setattr(obj, self.attr, self.check(value, self.label))


class Optimizer:
    """Base class: holds the learning rate η and per-parameter state.

    η and the other hyperparameters (β, ρ, ε) are checked whenever they are set, also after construction.
    """

    eta = _Checked(check_positive, "eta (the learning rate η)")

    def __init__(self, eta: float) -> None:
        self.eta = eta
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        if params.keys() != grads.keys():
            missing = sorted(set(params) ^ set(grads))
            raise ValueError(f"params and grads must have the same names; these are in only one: {missing}")
        for name, p in params.items():  # every pair checked before any parameter (or state) changes
            if not (isinstance(p, np.ndarray) and p.dtype.kind == "f"):
                got = f"an array of dtype {p.dtype}" if isinstance(p, np.ndarray) else f"a {type(p).__name__}"
                raise TypeError(f"parameter {name} must be a float NumPy array (it is updated in place), got {got}")
            if grads[name].shape != p.shape:
                raise ValueError(f"gradient of {name} has shape {grads[name].shape}, expected {p.shape}")
        for name, p in params.items():
            self.update(name, p, grads[name])

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:  # pragma: no cover - interface
        """Update one parameter ``p`` in place from its gradient ``g`` (same shape, not checked).

        ``name`` keys the optimiser's state for that parameter (velocities, moments, step count).
        """
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all state (velocities, moment estimates, step counts)."""
        self.state = {}

    def _state(self, name: str, p: np.ndarray, *arrays: str, **scalars: int) -> dict:
        # the parameter's state, made on its first step: zeros of p's shape for each named array, then the scalars
        st = self.state.get(name)
        if st is None:
            st = self.state[name] = {**{key: np.zeros_like(p) for key in arrays}, **scalars}
        return st


class SGD(Optimizer):
    """Plain gradient descent: w ← w − η·∂E/∂w."""

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        _sgd(p, g, self.eta, out=p)

    def __repr__(self) -> str:
        return f"SGD(eta={self.eta:g})"


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← β·v − η·g, w ← w + v. β = 0 is plain SGD."""

    beta = _Checked(_beta, "beta")

    def __init__(self, eta: float = 0.01, beta: float = 0.9) -> None:
        super().__init__(eta)
        self.beta = beta

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        st = self._state(name, p, "v")
        _, st["v"] = _momentum(p, st["v"], g, self.eta, self.beta, out=p)

    def __repr__(self) -> str:
        return f"Momentum(eta={self.eta:g}, beta={self.beta:g})"


class RMSProp(Optimizer):
    """RMSProp: s ← ρ·s + (1 − ρ)·g², w ← w − η·g / (√s + ε), with s kept per parameter."""

    rho = _Checked(_beta, "rho")
    eps = _Checked(check_positive, "eps")

    def __init__(self, eta: float = 0.001, rho: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__(eta)
        self.rho, self.eps = rho, eps

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        st = self._state(name, p, "s")
        _, st["s"] = _rmsprop(p, st["s"], g, self.eta, self.rho, self.eps, out=p)

    def __repr__(self) -> str:
        return f"RMSProp(eta={self.eta:g}, rho={self.rho:g})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): bias-corrected running means of g and g².

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  w ← w − η·m̂ / (√v̂ + ε),
    with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t) and t the step count of that parameter.
    """

    beta1 = _Checked(_beta, "beta1")
    beta2 = _Checked(_beta, "beta2")
    eps = _Checked(check_positive, "eps")

    def __init__(self, eta: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(eta)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps

    def update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        st = self._state(name, p, "m", "v", t=0)
        st["t"] += 1
        _, st["m"], st["v"] = _adam(p, st["m"], st["v"], g, st["t"], self.eta, self.beta1, self.beta2, self.eps,
                                    out=p)

    def __repr__(self) -> str:
        return f"Adam(eta={self.eta:g}, beta1={self.beta1:g}, beta2={self.beta2:g})"


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "rmsprop": RMSProp, "adam": Adam}


def make_optimizer(name: str, eta: float, **kwargs: float) -> Optimizer:
    """Build an optimiser by name ("sgd", "momentum", "rmsprop", "adam")."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {', '.join(map(repr, OPTIMIZERS))}")
    return OPTIMIZERS[name](eta, **kwargs)
