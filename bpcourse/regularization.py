"""Regularisation: L2 weight decay, inverted dropout and early stopping.

The first two are forward/backward pairs in the style of CS231n's ``layers.py``: ``*_forward`` returns
``(out, cache)`` and ``*_backward(dout, cache)`` returns the gradient of the loss with respect to the forward's
input, from ``dout``, the gradient with respect to its output. All functions are pure: they never modify their
arguments and keep no state, so a gradient check can call them again and again.

* ``l2_forward(W, lam)``: the penalty (λ/2)·Σ w², added to the loss; ``l2_backward`` gives λ·W.
* ``dropout_forward(x, keep, seed=..., train=True)``: inverted dropout, x·m/q with m_i ~ Bernoulli(q), so the
  expected output is x and nothing changes at test time; ``dropout_backward`` gives dout·m/q.
* ``early_stopping(val_losses, patience)``: the epoch whose weights to keep, and the epoch at which to stop.
"""
from __future__ import annotations

import math
from typing import NamedTuple, Sequence

import numpy as np

from .validate import as_float_array, as_rng, check_int

__all__ = ["l2_forward", "l2_backward", "dropout_forward", "dropout_backward", "EarlyStop", "early_stopping"]


def _check_lam(lam: float) -> float:
    ok = isinstance(lam, (int, float, np.integer, np.floating)) and not isinstance(lam, (bool, np.bool_))
    if not ok or not 0.0 <= lam < math.inf:
        raise ValueError(f"lam (the L2 strength λ) must be a finite number >= 0, got {lam!r}")
    return float(lam)


# ------------------------------------------------------------------------------------------------ L2
def l2_forward(W: np.ndarray, lam: float) -> tuple[float, tuple[np.ndarray, float]]:
    """The L2 penalty (λ/2)·Σ_ji w_ji² of one weight matrix.

    Parameters
    ----------
    W : ndarray of float64, any shape, e.g. (n_out, n_in)
        The weights. Biases are usually left out: they do not multiply an input, so they do not make the
        network's function steeper.
    lam : float
        The strength λ >= 0 (λ = 0 switches the penalty off).

    Returns
    -------
    penalty : float
        (λ/2)·Σ w², to be added to the data loss E.
    cache : (W, lam)
        What :func:`l2_backward` needs (W itself, not a copy: it is never modified).
    """
    W = as_float_array(W, "W")
    lam = _check_lam(lam)
    return 0.5 * lam * float(np.sum(W * W)), (W, lam)


def l2_backward(dout: float, cache: tuple[np.ndarray, float]) -> np.ndarray:
    """∂(penalty)/∂W times ``dout``: dout·λ·W, a new array of W's shape.

    Parameters
    ----------
    dout : float
        ∂E_total/∂penalty; 1 when the penalty is simply added to the loss.
    cache : (W, lam)
        From :func:`l2_forward`.
    """
    dout = float(as_float_array(dout, "dout (the gradient of the loss with respect to the penalty)", ndim=0))
    W, lam = cache
    return dout * lam * W


# ------------------------------------------------------------------------------------------- dropout
def dropout_forward(x: np.ndarray, keep: float, *, seed: int | np.random.Generator | None = None,
                    train: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Inverted dropout: keep each entry with probability q = ``keep`` and scale the kept ones by 1/q.

    out = x ⊙ m / q with m_i ~ Bernoulli(q) drawn independently, so E[out_i] = x_i: the next layer sees inputs
    of the same expected size in training and at test time, where dropout is the identity.

    Parameters
    ----------
    x : ndarray of float64, any shape, e.g. (n_samples, n_units)
        The activations to drop.
    keep : float
        The keep probability q, in (0, 1]. (PyTorch's ``p`` is the drop probability 1 − q.)
    seed : int or numpy.random.Generator
        Where the mask comes from; required when ``train``. The same int seed gives the same mask, which is
        what a gradient check needs.
    train : bool
        ``False`` at test time: out = x and no mask.

    Returns
    -------
    out : ndarray, shape of x
    cache : ndarray of float64, shape of x, or None
        The scaled mask m/q (entries 0 or 1/q); None when not training.
    """
    x = as_float_array(x, "x")
    ok = isinstance(keep, (int, float, np.integer, np.floating)) and not isinstance(keep, (bool, np.bool_))
    if not ok or not 0.0 < keep <= 1.0:
        raise ValueError(f"keep (the probability of keeping a unit) must be in (0, 1], got {keep!r}")
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False, got {type(train).__name__}")
    if not train:
        return x.copy(), None
    rng = as_rng(seed, "seed (dropout draws a random mask in training)")
    mask = (rng.random(x.shape) < keep) / float(keep)
    return x * mask, mask


def dropout_backward(dout: np.ndarray, cache: np.ndarray | None) -> np.ndarray:
    """dE/dx = dout ⊙ m/q (the identity's dout when the forward was not training), a new array.

    Parameters
    ----------
    dout : ndarray of float64, shape of the forward's x
        dE/d(out).
    cache : ndarray or None
        From :func:`dropout_forward`.
    """
    if cache is None:
        return as_float_array(dout, "dout", finite=False).copy()
    dout = as_float_array(dout, "dout", shape=cache.shape, finite=False)
    return dout * cache


# ------------------------------------------------------------------------------------ early stopping
class EarlyStop(NamedTuple):
    """What :func:`early_stopping` decides; epochs count from 1."""

    best_epoch: int          # the epoch with the lowest validation loss: keep its weights
    stop_epoch: int | None   # the epoch after which training stops; None if the rule never fired


def early_stopping(val_losses: Sequence[float], patience: int, min_delta: float = 0.0) -> EarlyStop:
    """Early stopping with patience, applied to a sequence of validation losses (one per epoch).

    The rule: an epoch *improves* if its validation loss is below the best so far by more than ``min_delta``.
    Stop after ``patience`` epochs in a row without improvement, and keep the weights of the best epoch.

    Parameters
    ----------
    val_losses : sequence of float
        The validation loss after epoch 1, 2, ...; at least one.
    patience : int
        How many epochs without improvement to wait, >= 1.
    min_delta : float
        The least decrease that counts as an improvement, >= 0.

    Returns
    -------
    EarlyStop
        ``best_epoch`` (1-based) among the epochs seen up to the stop, and ``stop_epoch``, the epoch at which
        the rule fired (``None`` if it never did within ``val_losses``).
    """
    losses = as_float_array(list(val_losses), "val_losses", ndim=1)
    if losses.size == 0:
        raise ValueError("val_losses is empty; expected the validation loss of at least one epoch")
    patience = check_int(patience, "patience (epochs to wait without improvement)")
    ok = isinstance(min_delta, (int, float, np.integer, np.floating)) and not isinstance(min_delta, bool)
    if not ok or not 0.0 <= min_delta < math.inf:
        raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
    best, best_epoch, waited = math.inf, 0, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best - min_delta:
            best, best_epoch, waited = float(loss), epoch, 0
        else:
            waited += 1
            if waited == patience:
                return EarlyStop(best_epoch, epoch)
    return EarlyStop(best_epoch, None)
