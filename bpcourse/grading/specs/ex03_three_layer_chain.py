"""Exercise 03, Article C's three-layer chain: forward, gradients and one SGD step (``exercises/03_three_layer_chain``).

The cases are decisive on their own: |w| ≥ 0.3 and |x| ≥ 0.5 keep every factor away from 0, so a forgotten
factor always shows; the error e − t is at least 0.2, so the gradients are never all ≈ 0; learning rates from
0.1 to 0.5 are large enough that the article's update order (w3 updated first and the *new* w3 used for the
others) differs visibly from all three gradients at the old weights.
"""
from __future__ import annotations

import numpy as np

from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import ALONE, SETUP, Case, sign
from bpcourse.models import chain

EXERCISE = "ex03_three_layer_chain"


# ------------------------------------------------------------------------------------------------------ cases
def _chain_weights(rng: np.random.Generator) -> Case:
    # |w| ≥ 0.3 keeps every factor away from 0, so a forgotten factor always shows
    return {f"w{i}": sign(rng) * float(rng.uniform(0.3, 1.5)) for i in (1, 2, 3)}


def _chain_forward_case(rng: np.random.Generator) -> Case:
    case = _chain_weights(rng)
    case["x"] = sign(rng) * float(rng.uniform(0.5, 2.0))
    return case


def _chain_case(rng: np.random.Generator) -> Case:
    case = _chain_forward_case(rng)
    case["t"] = float(rng.uniform(-2.0, 2.0))
    e = case["w1"] * case["w2"] * case["w3"] * case["x"]
    while abs(e - case["t"]) < 0.2:  # a clear error e − t, so the gradients are not all ≈ 0
        case["t"] = float(rng.uniform(-2.0, 2.0))
    return case


def _chain_step_case(rng: np.random.Generator) -> Case:
    case = _chain_case(rng)
    case["eta"] = float(rng.uniform(0.1, 0.5))  # large enough that the article's update order shows
    return case


# ------------------------------------------------------------------------------------------- factors and slips
def _uses_forward(case: Case) -> list[Case]:
    """The call chain_gradients makes of chain_forward: the forward pass at its weights."""
    return [{k: case[k] for k in ("w1", "w2", "w3", "x")}]


def _uses_gradients(case: Case) -> list[Case]:
    """The call chain_sgd_step makes of chain_gradients: every gradient at the old weights."""
    return [{k: case[k] for k in ("w1", "w2", "w3", "x", "t")}]


def _chain_article_order(case: Case) -> Slip:
    w1n, w2n, w3n = chain.sgd_step(tuple(case[k] for k in ("w1", "w2", "w3")), case["x"], case["t"], case["eta"],
                                   order="article")[0]
    return Slip({"w1": w1n, "w2": w2n, "w3": w3n},
                "is the article's order: w3 was updated first and the *new* w3 (and w2) used for the other "
                "gradients; compute all three gradients at the old weights before updating any")


def _chain_uphill(case: Case) -> Slip:
    g = chain.weight_gradients(*(case[k] for k in ("w1", "w2", "w3", "x", "t")))
    return Slip({f"w{i + 1}": case[f"w{i + 1}"] + case["eta"] * gi for i, gi in enumerate(g)},
                "steps in the wrong direction: w + η·∂L/∂w climbs the loss; gradient descent moves against "
                "the gradient")


# ------------------------------------------------------------------------------------------------------ table
_CHAIN = ("bpcourse.models.chain.layer_outputs", "bpcourse.models.chain.weight_gradients",
          "bpcourse.models.chain.updated_weights", "bpcourse.models.chain.forward", "bpcourse.models.chain.gradients",
          "bpcourse.models.chain.train", "bpcourse.models.chain.numeric_gradients", "bpcourse.models.chain.sgd_step",
          "bpcourse.models.chain._step")

TASKS: tuple[Task, ...] = (
    Task("ex03_chain_forward", EXERCISE, "chain_forward", 2, chain.layer_outputs, _chain_forward_case,
         outputs=("y", "z", "e"),
         guards=_CHAIN,
         solution="y = w1·x, z = w2·y, e = w3·z",
         description="three one-weight layers in a row: each multiplies what it receives by its weight"),
    Task("ex03_chain_gradients", EXERCISE, "chain_gradients", 5, chain.weight_gradients, _chain_case,
         outputs=("dw1", "dw2", "dw3"),
         factors={"w3": lambda c: {"dw1": c["w3"], "dw2": c["w3"]}, "w2": lambda c: {"dw1": c["w2"]}},
         guards=_CHAIN, uses={"chain_forward": _uses_forward},
         solution="dw3 = (e − t)·z, dw2 = (e − t)·w3·y, dw1 = (e − t)·w3·w2·x, all at the given weights",
         description="carry ∂L/∂e = e − t backwards; it picks up one weight per layer it passes"),
    Task("ex03_chain_sgd_step", EXERCISE, "chain_sgd_step", 3, chain.updated_weights, _chain_step_case,
         outputs=("w1", "w2", "w3"),
         factors={"article order": _chain_article_order, "uphill": _chain_uphill},
         guards=_CHAIN, uses={"chain_gradients": _uses_gradients},
         solution="dw1, dw2, dw3 = the gradients at (w1, w2, w3); then w_k − η·dw_k for k = 1, 2, 3",
         description="one SGD step: every gradient at one point (the old weights), and only then the updates"),
)

#: What the grading sandbox hands out: the setup cell's names and the chain's numeric gradients (a check tool).
ALLOWLIST: tuple[str, ...] = SETUP + ALONE + ("bpcourse.models.chain.numeric_gradients",)
