"""Exercise 05, a network with two hidden neurons (Article A, shared-bias reading): forward, δ's and gradients
(``exercises/05_two_hidden_neurons``).

The cases are decisive on their own: every weight and bias has |value| ≥ 0.1 and |x| ≥ 0.2, so no factor hides
behind a zero, and b1 ≠ b2 in general, so the article's literal bias (b2 in net_h2) differs from the shared
reading. The fixed edge cases hold t = 0 and t = 1 (the chapter's example has t = 1): a target built into the
answer fails on one.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from bpcourse.activations import sigmoid, sigmoid_prime
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import ALONE, SETUP, Case, sign
from bpcourse.models import two_hidden

EXERCISE = "ex05_two_hidden_neurons"
_PARAMS = ("w1", "w2", "w3", "w4", "b1", "b2")


# ------------------------------------------------------------------------------------------------------ cases
def _two_hidden_forward_case(rng: np.random.Generator) -> Case:
    case = {name: sign(rng) * float(rng.uniform(0.1, 1.5)) for name in _PARAMS}
    case["x"] = sign(rng) * float(rng.uniform(0.2, 2.0))
    return case


def _two_hidden_case(rng: np.random.Generator) -> Case:
    case = _two_hidden_forward_case(rng)
    case["t"] = float(rng.integers(0, 2))
    return case


# t = 0 and t = 1 (the chapter's example has t = 1): a target built into the answer fails on one
TWO_HIDDEN_EDGES = tuple({"w1": 0.6, "w2": -0.9, "w3": 1.1, "w4": -0.7, "b1": 0.35, "b2": -0.4, "x": 1.2, "t": t}
                         for t in (0.0, 1.0))


# ------------------------------------------------------------------------------- the pass the slips build on
# the gradients' edge cases are not the deltas': two_hidden_deltas stands in for two_hidden_gradients on them
# (Task.uses), and a stand-in must never hold the earlier task's own cases
GRADIENT_EDGES = tuple({"w1": -0.8, "w2": 0.5, "w3": -1.2, "w4": 0.9, "b1": -0.25, "b2": 0.45, "x": -0.7, "t": t}
                       for t in (0.0, 1.0))
_PARAMS_AND_X = ("w1", "w2", "w3", "w4", "b1", "b2", "x")


def _uses_forward(case: Case) -> list[Case]:
    """The call a later task makes of two_hidden_forward: the forward pass at its parameters and x."""
    return [{k: case[k] for k in _PARAMS_AND_X}]


def _uses_deltas(case: Case) -> list[Case]:
    """The call two_hidden_gradients makes of two_hidden_deltas: the three δ's at its parameters, x and t."""
    return [{k: case[k] for k in _PARAMS_AND_X + ("t",)}]


def _params(case: Case) -> tuple[float, ...]:
    return tuple(case[k] for k in _PARAMS)


def _two_hidden_pass(case: Case) -> dict[str, float]:
    return two_hidden.forward(_params(case), case["x"], case.get("t", 0.0), "shared")


# ------------------------------------------------------------------------------------------- factors and slips
def _two_hidden_sigma_prime(which: str, only: tuple[str, ...] = ()) -> Callable[[Case], float | dict[str, float]]:
    """σ'(net_<which>) = out·(1 − out) as a named factor; restricted to the outputs ``only`` if given."""

    def factor(case: Case) -> float | dict[str, float]:
        out = _two_hidden_pass(case)["out_" + which]
        value = out * (1.0 - out)
        return {name: value for name in only} if only else value

    return factor


def _two_hidden_literal_bias(case: Case) -> Slip:
    h1 = float(sigmoid(case["w1"] * case["x"] + case["b1"]))
    h2 = float(sigmoid(case["w2"] * case["x"] + case["b2"]))
    o = float(sigmoid(case["w3"] * h1 + case["w4"] * h2 + case["b2"]))
    return Slip({"out_h2": h2, "out_o": o}, "puts b2 into net_h2 (the article's literal text); in the shared-bias reading "
                "both hidden neurons use b1 and b2 feeds only the output")


def _two_hidden_sigma_prime_of_out(case: Case) -> Slip:
    v = _two_hidden_pass(case)
    sp = {k: float(sigmoid_prime(v["out_" + k])) for k in ("o", "h1", "h2")}
    d_o = (v["out_o"] - case["t"]) * sp["o"]
    return Slip({"delta_o": d_o, "delta_h1": case["w3"] * d_o * sp["h1"], "delta_h2": case["w4"] * d_o * sp["h2"]},
                "uses σ'(out) = σ(out)·(1 − σ(out)), the slope of σ at the neuron's output; the chain rule needs "
                "σ'(net) = out·(1 − out)")


def _two_hidden_db1_one(case: Case) -> list[Slip]:
    v = _two_hidden_pass(case)
    why = "b1 feeds both hidden neurons, so db1 = δ_h1 + δ_h2 (one term per path from b1 to the loss)"
    return [Slip({"db1": v["delta_h1"]}, "is δ_h1 alone: " + why), Slip({"db1": v["delta_h2"]}, "is δ_h2 alone: " + why)]


# ------------------------------------------------------------------------------------------------------ table
_TWO_HIDDEN = ("bpcourse.models.two_hidden.shared_outputs", "bpcourse.models.two_hidden.shared_deltas",
               "bpcourse.models.two_hidden.shared_gradients", "bpcourse.models.two_hidden.forward",
               "bpcourse.models.two_hidden.gradients", "bpcourse.models.two_hidden.numeric_gradients",
               "bpcourse.models.two_hidden.train")

TASKS: tuple[Task, ...] = (
    Task("ex05_two_hidden_forward", EXERCISE, "two_hidden_forward", 2, two_hidden.shared_outputs,
         _two_hidden_forward_case, outputs=("out_h1", "out_h2", "out_o"),
         factors={"literal bias": _two_hidden_literal_bias},
         guards=_TWO_HIDDEN,
         solution="out_h1 = σ(w1·x + b1), out_h2 = σ(w2·x + b1), out_o = σ(w3·out_h1 + w4·out_h2 + b2)",
         description="forward pass, shared-bias reading: b1 feeds both hidden neurons, b2 only the output"),
    Task("ex05_two_hidden_deltas", EXERCISE, "two_hidden_deltas", 3, two_hidden.shared_deltas, _two_hidden_case,
         outputs=("delta_o", "delta_h1", "delta_h2"),
         factors={"σ'(net_o)": _two_hidden_sigma_prime("o"),
                  "σ'(net_h1)": _two_hidden_sigma_prime("h1", ("delta_h1",)),
                  "σ'(net_h2)": _two_hidden_sigma_prime("h2", ("delta_h2",)),
                  "σ'(out)": _two_hidden_sigma_prime_of_out},
         guards=_TWO_HIDDEN,
         solution="δ_o = (out_o − t)·out_o·(1 − out_o), δ_h1 = w3·δ_o·out_h1·(1 − out_h1), "
                  "δ_h2 = w4·δ_o·out_h2·(1 − out_h2)",
         edge_cases=TWO_HIDDEN_EDGES, uses={"two_hidden_forward": _uses_forward},
         description="δ = ∂L/∂net: the output's from the loss, each hidden neuron's from δ_o through the weight "
                     "it feeds, each times σ' at its own net"),
    Task("ex05_two_hidden_gradients", EXERCISE, "two_hidden_gradients", 5, two_hidden.shared_gradients,
         _two_hidden_case, outputs=("dw1", "dw2", "dw3", "dw4", "db1", "db2"),
         factors={"σ'(net_o)": _two_hidden_sigma_prime("o"),
                  "σ'(net_h1)": _two_hidden_sigma_prime("h1", ("dw1",)),
                  "σ'(net_h2)": _two_hidden_sigma_prime("h2", ("dw2",)),
                  "db1 one path": _two_hidden_db1_one},
         guards=_TWO_HIDDEN,
         solution="dw1 = δ_h1·x, dw2 = δ_h2·x, dw3 = δ_o·out_h1, dw4 = δ_o·out_h2, db1 = δ_h1 + δ_h2, db2 = δ_o",
         edge_cases=GRADIENT_EDGES, uses={"two_hidden_forward": _uses_forward, "two_hidden_deltas": _uses_deltas},
         description="each weight: the δ of the neuron it feeds times the value it carries in; a bias: the δ's of "
                     "every neuron it feeds"),
)

#: What the grading sandbox hands out: the setup cell's names and the model's numeric gradients (a check tool).
ALLOWLIST: tuple[str, ...] = SETUP + ALONE + ("bpcourse.models.two_hidden.numeric_gradients",)
