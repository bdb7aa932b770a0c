"""Exercise 07, multilayer backprop in matrix form: a two-layer sigmoid MLP with the ½-squared error averaged
over the batch (``exercises/07_matrix_form``).

The cases are decisive on their own: batches of 2 to 6 samples (a missing 1/n is not a constant factor across
cases), n_in, n_hidden and n_out all different (a transposed weight gradient has the wrong shape), net in
[−3, 3], where σ'(net), σ'(σ(net)) and net·(1 − net) differ clearly, and targets drawn apart from the outputs.
"""
from __future__ import annotations

import numpy as np

from bpcourse.activations import sigmoid, sigmoid_prime
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import ALONE, DENSE, GRADCHECK, SETUP, SIGMOID_LAYER, Case, one_over_n, sizes
from bpcourse.deltas import hidden_delta, mlp_backward, output_delta

EXERCISE = "ex07_matrix_form"


# ------------------------------------------------------------------------------------------------------ cases
def _targets(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.uniform(0.0, 1.0, size=shape)


def _output_delta_case(rng: np.random.Generator) -> Case:
    n, _, n_out = sizes(rng)
    return {"net": rng.uniform(-3.0, 3.0, size=(n, n_out)), "T": _targets(rng, (n, n_out))}


def _hidden_delta_case(rng: np.random.Generator) -> Case:
    n, n_hidden, n_next = sizes(rng)
    return {
        "delta_next": rng.standard_normal((n, n_next)),
        "W_next": rng.standard_normal((n_next, n_hidden)),
        "net": rng.uniform(-3.0, 3.0, size=(n, n_hidden)),
    }


def _mlp_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 7))
    n_in, n_hidden, n_out = (int(v) for v in rng.choice(np.arange(1, 6), size=3, replace=False))
    return {
        "X": rng.standard_normal((n, n_in)),
        "T": _targets(rng, (n, n_out)),
        "W1": rng.standard_normal((n_hidden, n_in)),
        "b1": rng.standard_normal(n_hidden),
        "W2": rng.standard_normal((n_out, n_hidden)),
        "b2": rng.standard_normal(n_out),
    }


# ------------------------------------------------------------------------------------------- factors and slips
def _mlp_nets(case: Case) -> tuple[np.ndarray, np.ndarray]:
    """net1 and net2 of mlp_backward's forward pass."""
    net1 = case["X"] @ case["W1"].T + case["b1"]
    return net1, sigmoid(net1) @ case["W2"].T + case["b2"]


def _uses_output_delta(case: Case) -> list[Case]:
    """The call mlp_backward makes of output_delta: δ2 at the output's net."""
    return [{"net": _mlp_nets(case)[1], "T": case["T"]}]


def _uses_hidden_delta(case: Case) -> list[Case]:
    """The call mlp_backward makes of hidden_delta: δ1 from the right δ2, W2 and the hidden layer's net."""
    net1, net2 = _mlp_nets(case)
    return [{"delta_next": output_delta(net2, case["T"]), "W_next": case["W2"], "net": net1}]


def _output_delta_slips(case: Case) -> list[Slip]:
    net, T = case["net"], case["T"]
    A, n = sigmoid(net), net.shape[0]
    return [
        Slip((A - T) * net * (1.0 - net) / n, "uses net·(1 − net): the shortcut a·(1 − a) holds for the "
                                              "*output* A = σ(net), so it needs σ(net)·(1 − σ(net))"),
        Slip((A - T) * sigmoid_prime(A) / n, "uses σ'(A), the slope of σ at the output; the chain rule needs "
                                             "σ'(net) = A·(1 − A), the slope at the pre-activation"),
    ]


def _hidden_delta_slips(case: Case) -> list[Slip]:
    back, net = case["delta_next"] @ case["W_next"], case["net"]
    return [
        Slip(back * net * (1.0 - net), "uses net·(1 − net): the shortcut a·(1 − a) holds for the *activation* "
                                       "A = σ(net), so it needs σ(net)·(1 − σ(net))"),
        Slip(back * sigmoid_prime(sigmoid(net)), "uses σ'(A), the slope of σ at the activation; the chain rule needs "
                                               "σ'(net) = A·(1 − A), the slope at the pre-activation"),
    ]


def _mlp_sigma_prime_of_a1(case: Case) -> Slip:
    """The hidden δ through σ'(A1), the slope at the activation, instead of σ'(net1) = A1·(1 − A1)."""
    X, T, W2 = case["X"], case["T"], case["W2"]
    net1, net2 = _mlp_nets(case)
    A1 = sigmoid(net1)
    d2 = output_delta(net2, T)
    d1 = (d2 @ W2) * sigmoid_prime(A1)
    return Slip({"dW1": d1.T @ X, "db1": d1.sum(axis=0)},
                "uses σ'(A1), the slope of σ at the hidden activation; the hidden δ needs the slope at the "
                "pre-activation, σ'(net1) = A1·(1 − A1)")


def _mlp_article_delta(case: Case) -> Slip:
    """Article D's δ = o − t at the output (no σ'(net2)), averaged: the slip chapter 7 proves wrong."""
    X, T, W1, b1, W2, b2 = (case[k] for k in ("X", "T", "W1", "b1", "W2", "b2"))
    A1 = sigmoid(X @ W1.T + b1)
    A2 = sigmoid(A1 @ W2.T + b2)
    d2 = (A2 - T) / X.shape[0]
    d1 = (d2 @ W2) * A1 * (1.0 - A1)
    return Slip({"dW1": d1.T @ X, "db1": d1.sum(axis=0), "dW2": d2.T @ A1, "db2": d2.sum(axis=0)},
                "uses Article D's δ_out = A − T: with a sigmoid output and the ½-squared error the output δ also "
                "carries σ'(net2) (A − T alone is right for cross-entropy, chapter 8)")


# ------------------------------------------------------------------------------------------------------ table
_DELTAS = ("bpcourse.deltas.output_delta", "bpcourse.deltas.hidden_delta", "bpcourse.deltas.mlp_backward")
_SEQUENTIAL = ("bpcourse.networks.Sequential.loss_and_grad", "bpcourse.networks.Sequential.backward",
               "bpcourse.networks.Sequential.fit", "bpcourse.gradcheck.check_network")

TASKS: tuple[Task, ...] = (
    Task("ex07_output_delta", EXERCISE, "output_delta", 2, output_delta, _output_delta_case,
         factors={"σ'(net)": lambda c: sigmoid_prime(c["net"]), "1/n": one_over_n("net"),
                  # both at once: Article D's δ = o − t
                  "σ'(net)/n": lambda c: sigmoid_prime(c["net"]) / c["net"].shape[0],
                  "σ'(net) forms": _output_delta_slips},
         guards=_DELTAS + SIGMOID_LAYER + ("bpcourse.activations.sigmoid_prime",),
         solution="A = σ(net); δ = (A − T)·A·(1 − A) / n",
         description="δ of a sigmoid output for the ½-squared error averaged over the batch: the loss's "
                     "gradient, the sigmoid's slope at net, and the 1/n of the mean"),
    Task("ex07_hidden_delta", EXERCISE, "hidden_delta", 3, hidden_delta, _hidden_delta_case,
         factors={"σ'(net)": lambda c: sigmoid_prime(c["net"]), "(1 − σ(net))": lambda c: 1.0 - sigmoid(c["net"]),
                  "σ'(net) forms": _hidden_delta_slips},
         guards=_DELTAS + SIGMOID_LAYER + DENSE + ("bpcourse.activations.sigmoid_prime",),
         solution="A = σ(net); δ = (delta_next @ W_next) · A·(1 − A)",
         description="one step of the δ recursion: back through the next layer's weights (shapes say how), "
                     "then through this layer's sigmoid"),
    Task("ex07_mlp_backward", EXERCISE, "mlp_backward", 5, mlp_backward, _mlp_case,
         outputs=("dW1", "db1", "dW2", "db2"),
         factors={"1/n": one_over_n("X"), "Article D's δ": _mlp_article_delta, "σ'(A1)": _mlp_sigma_prime_of_a1},
         guards=_DELTAS + _SEQUENTIAL + DENSE + SIGMOID_LAYER,
         uses={"output_delta": _uses_output_delta, "hidden_delta": _uses_hidden_delta},
         solution="δ2 = (A2 − T)·A2·(1 − A2)/n, dW2 = δ2ᵀA1, db2 = Σ_s δ2; δ1 = (δ2 W2)·A1·(1 − A1), "
                  "dW1 = δ1ᵀX, db1 = Σ_s δ1",
         description="forward keeping net1, A1, net2, A2; then the output δ, the hidden δ, and each layer's "
                     "gradients from its δ and its input"),
)

#: What the grading sandbox hands out: the setup cell's names and the gradient checks.
ALLOWLIST: tuple[str, ...] = SETUP + ALONE + GRADCHECK
