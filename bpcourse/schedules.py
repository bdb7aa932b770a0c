"""Learning-rate schedules: η as a pure function of the step (or epoch) number k = 0, 1, 2, ...

* ``step_decay(eta0, k, drop, every)``: η0 · drop^⌊k/every⌋ (drop by a factor every few epochs);
* ``exponential_decay(eta0, k, rate)``: η0 · e^(−rate·k);
* ``inverse_time_decay(eta0, k, rate)``: η0 / (1 + rate·k) (the "1/t" schedule);
* ``cosine_decay(eta0, k, total, eta_min)``: from η0 at k = 0 down to η_min at k = total along half a cosine.

Each returns a float and keeps no state, so a training loop sets ``optimizer.eta = schedule(k)`` before step k.
An optimiser refuses η ≤ 0 when it is set (a step of size 0 is more often a slip than a plan), so a loop over
``k in range(total)`` never sets cosine decay's end value η_min = 0, reached at k = total; chapter 9's loops are
written that way.
"""
from __future__ import annotations

import math

import numpy as np

from .validate import check_int, check_positive

__all__ = ["step_decay", "exponential_decay", "inverse_time_decay", "cosine_decay"]


def _step(k: int) -> int:
    return check_int(k, "k (the step number, 0 for the first)", minimum=0)


def _non_negative(value: float, name: str) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not ok or not 0.0 <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def step_decay(eta0: float, k: int, drop: float = 0.5, every: int = 10) -> float:
    """η0 · drop^⌊k/every⌋: constant for ``every`` steps, then multiplied by ``drop``.

    Parameters
    ----------
    eta0 : float
        The initial learning rate η0 > 0.
    k : int
        The step number, >= 0.
    drop : float
        The factor in (0, 1] applied every ``every`` steps.
    every : int
        Steps between drops, >= 1.
    """
    eta0, k = check_positive(eta0, "eta0 (the initial learning rate)"), _step(k)
    if not (isinstance(drop, (int, float, np.integer, np.floating)) and not isinstance(drop, bool)
            and 0.0 < drop <= 1.0):
        raise ValueError(f"drop (the factor applied at each drop) must be in (0, 1], got {drop!r}")
    every = check_int(every, "every (steps between drops)")
    return eta0 * float(drop) ** (k // every)


def exponential_decay(eta0: float, k: int, rate: float) -> float:
    """η0 · e^(−rate·k).

    Parameters
    ----------
    eta0 : float
        The initial learning rate η0 > 0.
    k : int
        The step number, >= 0.
    rate : float
        The decay rate >= 0 (0 keeps η constant).
    """
    eta0, k = check_positive(eta0, "eta0 (the initial learning rate)"), _step(k)
    return eta0 * math.exp(-_non_negative(rate, "rate (the decay rate)") * k)


def inverse_time_decay(eta0: float, k: int, rate: float) -> float:
    """η0 / (1 + rate·k), the "1/t" schedule: its sum over k diverges, its sum of squares converges.

    Parameters
    ----------
    eta0 : float
        The initial learning rate η0 > 0.
    k : int
        The step number, >= 0.
    rate : float
        The decay rate >= 0 (0 keeps η constant).
    """
    eta0, k = check_positive(eta0, "eta0 (the initial learning rate)"), _step(k)
    return eta0 / (1.0 + _non_negative(rate, "rate (the decay rate)") * k)


def cosine_decay(eta0: float, k: int, total: int, eta_min: float = 0.0) -> float:
    """η_min + (η0 − η_min) · (1 + cos(π·k/total)) / 2 for k <= total, and η_min after.

    Parameters
    ----------
    eta0 : float
        The initial learning rate η0 > 0.
    k : int
        The step number, >= 0.
    total : int
        The step at which η reaches η_min, >= 1.
    eta_min : float
        The final learning rate, in [0, η0].
    """
    eta0, k = check_positive(eta0, "eta0 (the initial learning rate)"), _step(k)
    total = check_int(total, "total (the step at which the schedule ends)")
    eta_min = _non_negative(eta_min, "eta_min (the final learning rate)")
    if eta_min > eta0:
        raise ValueError(f"eta_min ({eta_min:g}) must not exceed eta0 ({eta0:g})")
    frac = min(k, total) / total
    return eta_min + (eta0 - eta_min) * 0.5 * (1.0 + math.cos(math.pi * frac))
