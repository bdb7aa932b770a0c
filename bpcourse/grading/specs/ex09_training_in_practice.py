"""Exercise 09, training in practice: the SGD, momentum and Adam steps as pure functions (new arrays out,
inputs untouched) (``exercises/09_training_in_practice``).

The references are the package's own pure steps (:func:`bpcourse.optimizers.sgd_step`, ``momentum_step``,
``adam_step``), which the optimiser classes call too. The cases are decisive on their own: parameters as vectors
and matrices, learning rates large enough that a sign or a missing η shows, and Adam step numbers from 1, where
the bias correction (and an off-by-one t) changes the step most; ε from 1e-8 up to 1e-2 and gradients down to
1e-3, so that ε inside the square root moves w far from the right step.
"""
from __future__ import annotations

import numpy as np

from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import SETUP, Case
from bpcourse.optimizers import adam_step, momentum_step, sgd_step

EXERCISE = "ex09_training_in_practice"


# ------------------------------------------------------------------------------------------------------ cases
def _shape(rng: np.random.Generator) -> tuple[int, ...]:
    return (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))


def _sgd_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {"w": rng.standard_normal(s), "g": rng.standard_normal(s), "eta": float(rng.uniform(0.01, 0.5))}


def _momentum_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {
        "w": rng.standard_normal(s),
        "v": 0.1 * rng.standard_normal(s),
        "g": rng.standard_normal(s),
        "eta": float(rng.uniform(0.01, 0.5)),
        "beta": float(rng.uniform(0.5, 0.95)),
    }


def _adam_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    scale = 10.0 ** rng.uniform(-3.0, 0.0)  # gradients down to 1e-3, with state to match
    return {
        "w": rng.standard_normal(s),
        "m": 0.1 * scale * rng.standard_normal(s),
        "v": 0.1 * scale**2 * rng.uniform(0.0, 1.0, size=s),
        "g": scale * rng.standard_normal(s),
        "t": int(rng.integers(1, 8)),  # early steps, where the bias correction (and an off-by-one t) matters
        "eta": float(rng.uniform(0.01, 0.2)),
        "beta1": float(rng.uniform(0.8, 0.95)),
        "beta2": float(rng.uniform(0.9, 0.999)),
        # ε up to 1e-2, comparable to √v̂ for small gradients: ε inside the square root then moves w visibly
        "eps": float(10.0 ** rng.uniform(-8.0, -2.0)),
    }


# ------------------------------------------------------------------------------------------- factors and slips
_UPHILL = "steps in the wrong direction: adding η·g climbs the loss; a descent step moves against the gradient"


def _sgd_uphill(case: Case) -> Slip:
    return Slip(case["w"] + case["eta"] * case["g"], _UPHILL)


def _momentum_slips(case: Case) -> list[Slip]:
    w, v, g, eta, beta = (case[k] for k in ("w", "v", "g", "eta", "beta"))
    v_up = beta * v + eta * g
    return [
        Slip({"w": w + v_up, "v": v_up}, _UPHILL),
        Slip({"w": w - v_up, "v": v_up}, "stores the velocity with the other sign (v ← β·v + η·g, w ← w − v, "
                                         "as some books do): here v points the way w moves, v ← β·v − η·g, "
                                         "w ← w + v"),
    ]


def _adam_parts(case: Case, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(w_new, m, v, m̂, v̂) of Adam's step with step number ``t`` (a slip's t may be off by one)."""
    w, m, v = adam_step(**dict(case, t=t))
    return w, m, v, m / (1.0 - case["beta1"] ** t), v / (1.0 - case["beta2"] ** t)


def _adam_slips(case: Case) -> list[Slip]:
    t = case["t"]
    w, m, v, m_hat, v_hat = _adam_parts(case, t)
    slips = [
        Slip({"m": m_hat, "v": v_hat}, "returns the bias-corrected m̂ and v̂ as the new state: return the running "
                                       "means m and v themselves; m̂ = m/(1 − β1^t) and v̂ are recomputed at every "
                                       "step and used only to move w"),
        Slip({"m": m_hat}, "returns the bias-corrected m̂ as the new m: return the running mean m itself"),
        Slip({"v": v_hat}, "returns the bias-corrected v̂ as the new v: return the running mean v itself"),
        Slip({"w": _adam_parts(case, t + 1)[0]}, f"corrects with β^(t+1): step t = {t} divides m by 1 − β1^t "
                                                 f"(and v by 1 − β2^t); is t off by one?"),
    ]
    if t > 1:
        slips.append(Slip({"w": _adam_parts(case, t - 1)[0]}, f"corrects with β^(t−1): step t = {t} divides m by "
                                                              f"1 − β1^t (and v by 1 − β2^t); is t off by one?"))
    eta, eps = case["eta"], case["eps"]
    slips.append(Slip({"w": case["w"] + eta * m_hat / (np.sqrt(v_hat) + eps)}, _UPHILL))
    slips.append(Slip({"w": case["w"] - eta * m_hat / (np.sqrt(v) + eps)},
                      "corrects m but leaves v uncorrected: v starts at zero too, so v̂ = v/(1 − β2^t) is what "
                      "moves w, or the steps come out too large early on"))
    slips.append(Slip({"w": case["w"] - eta * m_hat / np.sqrt(v_hat + eps)},
                      "puts ε inside the square root: ε is added to √v̂, outside the root; inside, it changes the "
                      "step wherever v̂ is small"))
    slips.append(Slip({"w": case["w"] - eta * m / (np.sqrt(v) + eps)},
                      "skips the bias correction: m and v start at zero, so divide them by 1 − β1^t and 1 − β2^t "
                      "before they move w, or the first steps come out too small"))
    return slips


# ------------------------------------------------------------------------------------------------------ table
_OPTIMIZER = ("bpcourse.optimizers.Optimizer.step",)

TASKS: tuple[Task, ...] = (
    Task("ex09_sgd_step", EXERCISE, "sgd_step", 2, sgd_step, _sgd_case,
         factors={"uphill": _sgd_uphill},
         guards=_OPTIMIZER + ("bpcourse.optimizers.SGD.update", "bpcourse.optimizers.sgd_step"),
         solution="w − η·g, as a new array",
         description="one gradient-descent step of size η against the gradient, returned as a new array"),
    Task("ex09_momentum_step", EXERCISE, "momentum_step", 3, momentum_step, _momentum_case,
         outputs=("w", "v"),
         factors={"momentum slips": _momentum_slips},
         guards=_OPTIMIZER + ("bpcourse.optimizers.Momentum.update", "bpcourse.optimizers.momentum_step"),
         solution="v_new = β·v − η·g; w_new = w + v_new",
         description="heavy ball: the velocity remembers past steps and points the way w moves; new arrays, "
                     "inputs untouched"),
    Task("ex09_adam_step", EXERCISE, "adam_step", 5, adam_step, _adam_case,
         outputs=("w", "m", "v"),
         factors={"Adam slips": _adam_slips},
         guards=_OPTIMIZER + ("bpcourse.optimizers.Adam.update", "bpcourse.optimizers.adam_step"),
         solution="m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g²; m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t); "
                  "w − η·m̂/(√v̂ + ε); return (w, m, v)",
         description="Adam's step number t (1 first): running means of g and g², corrected for starting at "
                     "zero before they move w; the state returned is the uncorrected means"),
)

#: What the grading sandbox hands out: the setup cell's names only (the update rules are the exercise).
ALLOWLIST: tuple[str, ...] = SETUP
