"""Chapter 7's δ recursion in matrix form, for sigmoid layers and the ½-squared error averaged over the batch.

A batch is one sample per row; δ = ∂E/∂net has one row per sample. For the two-layer network
net1 = X W1ᵀ + b1, A1 = σ(net1), net2 = A1 W2ᵀ + b2, A2 = σ(net2), E = (1/n) Σ_s ½‖A2_s − T_s‖²::

    δ2 = (A2 − T) ⊙ σ'(net2) / n                (output_delta)
    δ1 = (δ2 W2) ⊙ σ'(net1)                     (hidden_delta)
    dW = δᵀ (the layer's input), db = Σ_s δ     (bpcourse.layers.dense_backward)

Each formula has its one home: the loss's gradient in :func:`bpcourse.losses.half_sse`, σ' in
:func:`bpcourse.activations.sigmoid_prime`, the dense layer's products in :mod:`bpcourse.layers`.
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .layers import dense_backward, dense_forward
from .losses import half_sse
from .validate import as_float_array

__all__ = ["output_delta", "hidden_delta", "mlp_backward"]


def output_delta(net: np.ndarray, T: np.ndarray) -> np.ndarray:
    """δ of a sigmoid output layer for E = (1/n) Σ_s ½‖σ(net_s) − T_s‖²: (σ(net) − T) ⊙ σ'(net) / n.

    Parameters
    ----------
    net : ndarray, shape (n, n_out)
        The output layer's pre-activations, one sample per row.
    T : ndarray, shape (n, n_out)
        The targets.

    Returns
    -------
    ndarray, shape (n, n_out)
    """
    net = as_float_array(net, "net", ndim=2)
    T = as_float_array(T, "T", shape=net.shape)
    return half_sse(sigmoid(net), T)[1] * sigmoid_prime(net)


def hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, net: np.ndarray) -> np.ndarray:
    """One step of the recursion: δ = (δ_next W_next) ⊙ σ'(net), for a sigmoid hidden layer.

    Parameters
    ----------
    delta_next : ndarray, shape (n, n_next)
        The next layer's δ.
    W_next : ndarray, shape (n_next, n_hidden)
        The next layer's weights.
    net : ndarray, shape (n, n_hidden)
        This layer's pre-activations.

    Returns
    -------
    ndarray, shape (n, n_hidden)
    """
    net = as_float_array(net, "net", ndim=2)
    delta_next = as_float_array(delta_next, "delta_next", shape=(net.shape[0], None))
    W_next = as_float_array(W_next, "W_next", shape=(delta_next.shape[1], net.shape[1]))
    return (delta_next @ W_next) * sigmoid_prime(net)


def mlp_backward(X: np.ndarray, T: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray,
                 b2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of E = (1/n) Σ_s ½‖A2_s − T_s‖² for the two-layer sigmoid network, in matrix form.

    Parameters
    ----------
    X : ndarray, shape (n, n_in)
    T : ndarray, shape (n, n_out)
    W1 : ndarray, shape (n_hidden, n_in)
    b1 : ndarray, shape (n_hidden,)
    W2 : ndarray, shape (n_out, n_hidden)
    b2 : ndarray, shape (n_out,)

    Returns
    -------
    dW1, db1, dW2, db2 : ndarrays with the shapes of W1, b1, W2, b2
    """
    net1 = dense_forward(X, W1, b1)
    A1 = sigmoid(net1)
    net2 = dense_forward(A1, W2, b2)
    delta2 = output_delta(net2, as_float_array(T, "T", shape=net2.shape))
    _, dW2, db2 = dense_backward(delta2, A1, W2, need_dx=False)
    _, dW1, db1 = dense_backward(hidden_delta(delta2, W2, net1), X, W1, need_dx=False)
    return dW1, db1, dW2, db2
