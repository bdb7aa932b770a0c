"""Exercise 06, the fully connected layer and chapter 6's 3-2-2 network node by node
(``exercises/06_fully_connected_layer``).

The cases are decisive on their own: batches of 2 to 6 samples with n_in ≠ n_out, so a transposed W or dW has
the wrong shape and a sum over the wrong axis the wrong length; in the 3-2-2 network every weight has
|w| ≥ 0.2 and the targets sit in [0.05, 0.95], away from the outputs, so a hidden δ_j that misses one output's
term (``=`` for ``+=`` in the loop over k) differs on every draw.
"""
from __future__ import annotations

import numpy as np

from bpcourse.activations import sigmoid_prime
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import DENSE, GRADCHECK, SETUP, Case, sizes
from bpcourse.layers import dense_backward, dense_forward
from bpcourse.models import net322

EXERCISE = "ex06_fully_connected_layer"


# ------------------------------------------------------------------------------------------------------ cases
def _dense_forward_case(rng: np.random.Generator) -> Case:
    n, n_in, n_out = sizes(rng)
    return {"x": rng.standard_normal((n, n_in)), "W": rng.standard_normal((n_out, n_in)), "b": rng.standard_normal(n_out)}


def _dense_backward_case(rng: np.random.Generator) -> Case:
    n, n_in, n_out = sizes(rng)
    return {"dout": rng.standard_normal((n, n_out)), "x": rng.standard_normal((n, n_in)), "W": rng.standard_normal((n_out, n_in))}


def _net322_case(rng: np.random.Generator) -> Case:
    return {
        "x": rng.uniform(-1.0, 1.0, size=3),
        "t": rng.uniform(0.05, 0.95, size=2),
        "W_hidden": rng.uniform(0.2, 1.5, size=(2, 4)) * rng.choice([-1.0, 1.0], size=(2, 4)),
        "W_out": rng.uniform(0.2, 1.5, size=(2, 3)) * rng.choice([-1.0, 1.0], size=(2, 3)),
    }


# ------------------------------------------------------------------------------------------- factors and slips
def _net322_parts(case: Case) -> dict[str, np.ndarray]:
    v = net322.forward(case["W_hidden"], case["W_out"], case["x"])
    g = net322.backward_matrix(case["W_hidden"], case["W_out"], case["x"], case["t"])
    return {**v, "delta_out": g.delta_out, "delta_hidden": g.delta_hidden}


def _net322_one_output(case: Case) -> list[Slip]:
    """δ_j from a single output k: the loop over k overwrote (`=`) instead of adding up (`+=`)."""
    v = _net322_parts(case)
    fp = v["y_hidden"] * (1.0 - v["y_hidden"])
    slips = []
    for r, k in enumerate((6, 7)):
        delta_j = v["delta_out"][r] * case["W_out"][r, :2] * fp
        slips.append(Slip({"dW_hidden": np.outer(delta_j, v["x_aug"])},
                          f"uses δ_j from output {k} alone: y_j feeds both outputs 6 and 7, so δ_j adds up "
                          f"one term δ_k·w_kj per output k (the total derivative). In a loop over k, look for "
                          f"`=` where `+=` belongs"))
    delta_diag = v["delta_out"] * np.diag(case["W_out"][:, :2]) * fp  # δ_4 from output 6, δ_5 from output 7
    slips.append(Slip({"dW_hidden": np.outer(delta_diag, v["x_aug"])},
                      "uses one path per hidden node (4 → 6 only, 5 → 7 only): y_j feeds both outputs 6 and 7, so "
                      "δ_j adds up one term δ_k·w_kj per output k (the total derivative over both paths)"))
    return slips


def _net322_sigma_prime_of_y(case: Case) -> Slip:
    v = _net322_parts(case)
    d_out = (v["y_out"] - case["t"]) * sigmoid_prime(v["y_out"])
    d_hid = (d_out @ case["W_out"][:, :2]) * sigmoid_prime(v["y_hidden"])
    return Slip({"dW_hidden": np.outer(d_hid, v["x_aug"]), "dW_out": np.outer(d_out, v["y_hidden_aug"])},
                "uses f'(y) = σ(y)·(1 − σ(y)), the slope at the node's output; the chain rule needs "
                "f'(net) = y·(1 − y)")


def _dense_loop_overwrites(case: Case) -> list[Slip]:
    """Gradients that kept only the last sample (or last unit): `=` where a loop should add up with `+=`."""
    dout, x, W = case["dout"], case["x"], case["W"]
    why = "look for `=` where `+=` belongs in a loop: each term of the sum must be added, not overwrite the last"
    return [Slip({"dW": np.outer(dout[-1], x[-1]), "db": dout[-1]}, "keeps only the last sample's term: " + why),
            Slip({"dx": np.outer(dout[:, -1], W[-1])}, "keeps only the last unit's term: " + why)]


# ------------------------------------------------------------------------------------------------------ table
_NET322 = ("bpcourse.models.net322.loop_gradients", "bpcourse.models.net322.backward_loops",
           "bpcourse.models.net322.backward_matrix", "bpcourse.models.net322.numeric_gradients",
           "bpcourse.models.net322.train")

TASKS: tuple[Task, ...] = (
    Task("ex06_dense_forward", EXERCISE, "dense_forward", 2, dense_forward, _dense_forward_case,
         guards=DENSE,
         solution="net = x @ W.T + b",
         description="net for a batch, one sample per row: W is (n_out, n_in), so the shapes tell where the "
                     "transpose goes"),
    Task("ex06_net322_backward_loops", EXERCISE, "net322_backward_loops", 4, net322.loop_gradients,
         _net322_case, outputs=("dW_hidden", "dW_out"),
         factors={"one output": _net322_one_output, "f'(y)": _net322_sigma_prime_of_y},
         guards=_NET322,
         solution="δ_k = (y_k − t_k)·y_k·(1 − y_k); δ_j = Σ_k δ_k·w_kj·y_j·(1 − y_j); "
                  "dE/dw_kj = δ_k·y_j, dE/dw_ji = δ_j·x_i (bias inputs 1)",
         description="the 3-2-2 network node by node: the outputs' δ first, then each hidden δ_j as the total "
                     "derivative over the outputs it feeds, then each weight's δ × the value it carries"),
    Task("ex06_dense_backward", EXERCISE, "dense_backward", 4, dense_backward, _dense_backward_case,
         outputs=("dx", "dW", "db"),
         factors={"overwritten sum": _dense_loop_overwrites},
         guards=DENSE,
         solution="dx = dout @ W, dW = dout.T @ x, db = dout.sum(axis=0)",
         description="one matrix product or sum per gradient; every gradient has the shape of what it is the "
                     "gradient of, and the sums over samples are what the products add up"),
)

#: What the grading sandbox hands out: the setup cell's names, the gradient checks and the 3-2-2 network's
#: numeric gradients.
ALLOWLIST: tuple[str, ...] = SETUP + GRADCHECK + ("bpcourse.models.net322.numeric_gradients",)
