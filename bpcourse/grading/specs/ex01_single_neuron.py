"""Exercise 01, the single neuron: σ, σ', the neuron's gradient and one SGD step (``exercises/01_single_neuron``).

The cases are decisive on their own: net spans [−8, 8] as a vector or a matrix (a loop over entries with
``math.exp`` fails on the matrix); the neuron's inputs stay away from 0 (|x_j| ≥ 0.2), so every dw_j shows all
its factors; learning rates from 0.5 to 4 make a missing η or a step uphill plain. The fixed edge cases hold
both array ranks for σ and σ', |net| = 800 for σ (e^net / (1 + e^net) is NaN past 709), and t = 0 and t = 1 for
the neuron (an answer with the AND row's t = 1 built in fails on one).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from bpcourse.activations import sigmoid, sigmoid_prime
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import ALONE, GRADCHECK, SETUP, SIGMOID_LAYER, Case, arr, sign
from bpcourse.models.neuron import gradient, sgd_step

EXERCISE = "ex01_single_neuron"


# ------------------------------------------------------------------------------------------------------ cases
def _net_case(rng: np.random.Generator) -> Case:
    shape = (int(rng.integers(3, 8)),) if rng.random() < 0.5 else (2, int(rng.integers(2, 5)))
    return {"net": rng.uniform(-8.0, 8.0, size=shape)}


def _neuron_case(rng: np.random.Generator) -> Case:
    n_in = int(rng.integers(2, 5))
    case = {
        "w": rng.uniform(-2.0, 2.0, size=n_in),
        "b": float(rng.uniform(-1.0, 1.0)),
        "x": sign(rng) * rng.uniform(0.2, 1.0, size=n_in),  # no x_j ≈ 0: every dw_j shows its factors
        "t": float(rng.integers(0, 2)),
    }
    return case


def _neuron_step_case(rng: np.random.Generator) -> Case:
    case = _neuron_case(rng)
    case["eta"] = float(rng.uniform(0.5, 4.0))
    return case


# both array ranks: a loop over net's entries with math.exp works on a vector, fails on a matrix; and |net| past
# 709, where e^net overflows: σ written as e^net / (1 + e^net) gives inf/inf = NaN there
NET_EDGES = ({"net": arr(-800.0, -6.0, -1.5, 0.0, 0.5, 3.0, 800.0)},
             {"net": arr([-4.0, 0.25, 2.0], [1.0, -0.75, 6.0])})

# t = 0 and t = 1: an answer with the target built in (t = 1, the AND row's or the example's) fails on one;
# x has entries of both signs
NEURON_EDGES = tuple({"w": arr(0.8, -1.2, 0.5), "b": 0.3, "x": arr(0.6, -0.9, 0.4), "t": t} for t in (0.0, 1.0))
# a step's edge cases are not the gradient's: neuron_gradient stands in for the step on them (Task.uses), and
# a stand-in must never hold the earlier task's own cases
NEURON_STEP_EDGES = tuple({"w": arr(-0.4, 0.9, 1.1), "b": -0.2, "x": arr(-0.5, 0.7, 0.3), "t": t, "eta": 2.0}
                          for t in (0.0, 1.0))
# sigmoid_prime's own edge nets, apart from sigmoid's for the same reason
NET_PRIME_EDGES = ({"net": arr(-5.5, -2.0, 0.0, 0.75, 2.5)}, {"net": arr([-3.0, 0.5, 1.5], [1.25, -0.25, 5.0])})


def _uses_sigmoid_of_net(case: Case) -> list[Case]:
    """The calls sigmoid_prime makes of sigmoid: σ(net), or σ(−net) for 1 − σ(net)."""
    return [{"net": case["net"]}, {"net": -case["net"]}]


def _uses_sigmoid_of_neuron(case: Case) -> list[Case]:
    """The call neuron_gradient makes of sigmoid: o = σ(w·x + b)."""
    return [{"net": float(case["w"] @ case["x"] + case["b"])}]


def _uses_gradient(case: Case) -> list[Case]:
    """The call neuron_sgd_step makes of neuron_gradient: the gradient at the step's (w, b, x, t)."""
    return [{k: case[k] for k in ("w", "b", "x", "t")}]


# ------------------------------------------------------------------------------------------- factors and slips
def _neuron_parts(case: Case) -> tuple[float, float, float]:
    """(o, t, net) of the single neuron for a case."""
    net = float(case["w"] @ case["x"] + case["b"])
    return float(sigmoid(net)), float(case["t"]), net


def _neuron_sigma_prime(case: Case) -> float:
    return float(sigmoid_prime(case["w"] @ case["x"] + case["b"]))


def _neuron_sigma_prime_of_o(case: Case) -> Slip:
    o, t, _ = _neuron_parts(case)
    delta = (o - t) * float(sigmoid_prime(o))
    return Slip({"dw": delta * case["x"], "db": delta},
                "uses σ'(o) = σ(o)·(1 − σ(o)), the slope of σ at the output o; the chain rule needs the slope "
                "where the neuron was evaluated, σ'(net) = o·(1 − o)")


def _neuron_uphill(case: Case) -> Slip:
    dw, db = gradient(case["w"], case["b"], case["x"], case["t"])
    return Slip({"w": case["w"] + case["eta"] * dw, "b": case["b"] + case["eta"] * db},
                "steps in the wrong direction: w + η·∂L/∂w climbs the loss; gradient descent moves against "
                "the gradient")


def _neuron_step_no_eta(case: Case) -> Slip:
    dw, db = gradient(case["w"], case["b"], case["x"], case["t"])
    return Slip({"w": case["w"] - dw, "b": case["b"] - db}, "leaves out the learning rate η: the step is η × the gradient")


def _z_one_minus_z(key: str) -> Callable[[Case], Any]:
    def slip(case: Case) -> Slip:
        z = case[key]
        return Slip(z * (1.0 - z), f"is {key}·(1 − {key}): the shortcut o·(1 − o) holds for the *output* "
                                   f"o = σ({key}), so it needs σ({key})·(1 − σ({key}))")

    return slip


# ------------------------------------------------------------------------------------------------------ table
_SIGMOID = ("bpcourse.activations.sigmoid", "bpcourse.activations.sigmoid_scalar", "bpcourse.autodiff.Value.sigmoid")
_NEURON = ("bpcourse.models.neuron.gradient", "bpcourse.models.neuron.sgd_step", "bpcourse.models.neuron.delta",
           "bpcourse.models.neuron.SigmoidNeuron.gradient", "bpcourse.models.neuron.SigmoidNeuron.sgd_step",
           "bpcourse.models.neuron.SigmoidNeuron.fit", "bpcourse.models.neuron.train_and")

TASKS: tuple[Task, ...] = (
    Task("ex01_sigmoid", EXERCISE, "sigmoid", 2, sigmoid, _net_case,
         factors={"σ(−net)": lambda c: Slip(sigmoid(-c["net"]), "is σ(−net) = 1 − σ(net): check the sign of the "
                                                                "exponent (σ(net) grows with net)")},
         guards=_SIGMOID + SIGMOID_LAYER,
         solution="σ(net) = 1 / (1 + np.exp(−net)), element-wise",
         edge_cases=NET_EDGES,
         description="the logistic function, element-wise on an array of any shape (np.exp works on arrays)"),
    Task("ex01_sigmoid_prime", EXERCISE, "sigmoid_prime", 2, sigmoid_prime, _net_case,
         factors={"σ(net)": lambda c: sigmoid(c["net"]), "(1 − σ(net))": lambda c: 1.0 - sigmoid(c["net"]),
                  "net·(1 − net)": _z_one_minus_z("net"),
                  "σ'(σ(net))": lambda c: Slip(sigmoid_prime(sigmoid(c["net"])),
                                               "is σ'(σ(net)): the slope of σ at the output o = σ(net); the "
                                               "shortcut o·(1 − o) uses o itself, not σ(o)")},
         guards=("bpcourse.activations.sigmoid_prime",) + SIGMOID_LAYER,
         solution="s = σ(net); σ'(net) = s·(1 − s)",
         edge_cases=NET_PRIME_EDGES, uses={"sigmoid": _uses_sigmoid_of_net},
         description="σ' written through σ itself: the shortcut o·(1 − o) is in terms of the output o = σ(net)"),
    Task("ex01_neuron_gradient", EXERCISE, "neuron_gradient", 4, gradient, _neuron_case,
         outputs=("dw", "db"),
         factors={"σ'(net)": _neuron_sigma_prime, "σ'(o)": _neuron_sigma_prime_of_o},
         guards=_NEURON,
         solution="o = σ(w·x + b); δ = (o − t)·o·(1 − o); dw = δ·x, db = δ",
         edge_cases=NEURON_EDGES, uses={"sigmoid": _uses_sigmoid_of_neuron},
         description="one link of the chain rule per factor: ∂L/∂o, then ∂o/∂net, then ∂net/∂w_j (or ∂net/∂b)"),
    Task("ex01_neuron_sgd_step", EXERCISE, "neuron_sgd_step", 2, sgd_step, _neuron_step_case,
         outputs=("w", "b"),
         factors={"uphill": _neuron_uphill, "no η": _neuron_step_no_eta},
         guards=_NEURON,
         solution="dw, db = the gradient at (w, b); w_new = w − η·dw, b_new = b − η·db",
         edge_cases=NEURON_STEP_EDGES, uses={"neuron_gradient": _uses_gradient},
         description="one gradient-descent step: the gradient at the current (w, b), then a step of size η "
                     "against it; new values out, inputs untouched"),
)

#: What the grading sandbox hands out: the setup cell's names and the gradient checks the learner tests with.
ALLOWLIST: tuple[str, ...] = SETUP + ALONE + GRADCHECK
