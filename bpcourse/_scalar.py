"""σ, σ' and tanh' of one Python float: the formulas of :mod:`bpcourse.activations`, without NumPy.

Standard library only, so :mod:`bpcourse.autodiff` (chapter 2) imports no NumPy; the public names are
re-exported by :mod:`bpcourse.activations`. The derivatives are computed from net, never from the output:
σ(1 − σ) and 1 − tanh² lose every digit once the output rounds to ±1.
"""
from __future__ import annotations

import math


def sigmoid_scalar(net: float) -> float:
    """σ(net), the same numbers as :func:`bpcourse.activations.sigmoid`; never overflows."""
    if net >= 0.0:
        return 1.0 / (1.0 + math.exp(-net))
    e = math.exp(net)  # net < 0: the exponent is never positive, so nothing overflows
    return e / (1.0 + e)


def sigmoid_prime_scalar(net: float) -> float:
    """σ'(net) = e^(−|net|) / (1 + e^(−|net|))², as :func:`bpcourse.activations.sigmoid_prime`."""
    e = math.exp(-abs(net))
    return e / ((1.0 + e) * (1.0 + e))


def tanh_prime_scalar(net: float) -> float:
    """tanh'(net) = 4 e^(−2|net|) / (1 + e^(−2|net|))², as :func:`bpcourse.activations.tanh_prime`."""
    e = math.exp(-2.0 * abs(net))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))
