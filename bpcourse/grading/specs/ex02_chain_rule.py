"""Exercise 02, chain rule and computational graphs: gate backwards and two small circuits (``exercises/02_chain_rule``).

The cases are decisive on their own: |values| ≥ 0.5 keep every sum and product away from 0, so no slip hides
behind a zero; the max gate's inputs never tie (|x − y| ≥ 0.2), and ``dout`` takes either sign. The fixed edge
cases make each input win the max gate once with either sign, the loser having the larger |value| or the
winner a negative one, so comparing |x| with |y| (or x with 0) instead of x with y fails on some of them; in
g = (x·y + max(y, z))·w, y wins twice (its gradient then has both paths) and z twice.
"""
from __future__ import annotations

import numpy as np

from bpcourse.gates import add_mul_gradients, branch_gradients, max_backward, mul_backward
from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.grading.specs._cases import ALONE, SETUP, Case, sign

EXERCISE = "ex02_chain_rule"


# ------------------------------------------------------------------------------------------------------ cases
def _gate_case(rng: np.random.Generator) -> Case:
    x = float(rng.uniform(-3.0, 3.0))
    y = float(rng.uniform(-3.0, 3.0))
    while abs(x - y) < 0.2:  # no near-ties: the max gate must have a clear winner
        y = float(rng.uniform(-3.0, 3.0))
    return {"x": x, "y": y, "dout": sign(rng) * float(rng.uniform(0.5, 3.0))}


def _xyz_case(rng: np.random.Generator) -> Case:
    # |values| ≥ 0.5: x + y, z and their products stay away from 0, so no slip can hide behind a zero
    return {k: sign(rng) * float(rng.uniform(0.5, 5.0)) for k in ("x", "y", "z")}


def _branch_case(rng: np.random.Generator) -> Case:
    case = _xyz_case(rng)
    while abs(case["y"] - case["z"]) < 0.2:
        case["z"] = sign(rng) * float(rng.uniform(0.5, 5.0))
    case["w"] = sign(rng) * float(rng.uniform(0.5, 3.0))
    return case


# a max gate, each input winning once with either sign; the loser always has the larger |value| or the winner
# a negative one, so comparing |x| with |y| (or x with 0) instead of x with y fails on some of them
MAX_EDGES = (
    {"x": 1.0, "y": -2.5, "dout": 1.5},    # x wins, |x| < |y|
    {"x": -2.5, "y": 1.0, "dout": -0.75},  # y wins, |x| > |y|
    {"x": -0.5, "y": -2.0, "dout": 2.0},   # x wins, x < 0
    {"x": 0.5, "y": 2.0, "dout": -1.25},   # y wins, x > 0
)

# g = (x·y + max(y, z))·w with y winning twice (its gradient then has both paths) and z winning twice
BRANCH_EDGES = (
    {"x": 1.5, "y": 2.0, "z": -3.0, "w": -1.2},   # y wins, |y| < |z|
    {"x": -0.8, "y": -3.0, "z": 2.0, "w": 2.0},   # z wins, |y| > |z|
    {"x": 2.0, "y": -1.0, "z": -2.5, "w": 0.7},   # y wins, y < 0
    {"x": -1.5, "y": 1.0, "z": 2.5, "w": -0.6},   # z wins, y > 0
)


# ------------------------------------------------------------------------------------------- factors and slips
def _uses_mul_add(case: Case) -> list[Case]:
    """The calls add_mul_gradients makes of mul_backward: the multiply node q·z with q = x + y, either order."""
    q = case["x"] + case["y"]
    return [{"x": q, "y": case["z"], "dout": 1.0}, {"x": case["z"], "y": q, "dout": 1.0}]


def _uses_mul_branch(case: Case) -> list[Case]:
    """The calls branch_gradients makes of mul_backward: s·w (s = x·y + max(y, z)) and x·y, either order."""
    x, y, z, w = case["x"], case["y"], case["z"], case["w"]
    s = x * y + max(y, z)
    return [{"x": s, "y": w, "dout": 1.0}, {"x": w, "y": s, "dout": 1.0},
            {"x": x, "y": y, "dout": w}, {"x": y, "y": x, "dout": w}]


def _uses_max_branch(case: Case) -> list[Case]:
    """The call branch_gradients makes of max_backward: max(y, z) with the gradient w arriving, either order."""
    return [{"x": case["y"], "y": case["z"], "dout": case["w"]}, {"x": case["z"], "y": case["y"], "dout": case["w"]}]


def _max_to_loser(case: Case) -> Slip:
    dx, dy = max_backward(case["x"], case["y"], case["dout"])
    return Slip({"dx": dy, "dy": dx}, "sends dout to the smaller input: the max gate routes it to the input that "
                                      "won the forward pass (moving the loser does not change the max)")


def _branch_one_path(case: Case) -> list[Slip]:
    x, y, z, w = (case[k] for k in ("x", "y", "z", "w"))
    from_p, from_m = w * x, (w if y > z else 0.0)
    why = ("y feeds two nodes (the product and the max), so its gradient is the sum over both paths: "
           "dy_from_p + dy_from_m (`+=`, not `=`, when you collect it)")
    slips = [Slip({"dy": from_p}, "keeps only the product path's gradient: " + why)]
    if from_m != 0.0:
        slips.append(Slip({"dy": from_m}, "keeps only the max path's gradient: " + why))
    return slips


# ------------------------------------------------------------------------------------------------------ table
_AUTODIFF = ("bpcourse.autodiff.Value.backward",)
_GATES = ("bpcourse.gates.mul_backward", "bpcourse.gates.max_backward", "bpcourse.gates.add_mul_gradients",
          "bpcourse.gates.branch_gradients")

TASKS: tuple[Task, ...] = (
    Task("ex02_mul_backward", EXERCISE, "mul_backward", 2, mul_backward, _gate_case,
         outputs=("dx", "dy"), factors={"upstream gradient dout": lambda c: c["dout"]},
         guards=_GATES + _AUTODIFF,
         solution="dx = dout·y, dy = dout·x",
         description="multiply gate: each input's local derivative is the *other* input, times the gradient "
                     "arriving from above"),
    Task("ex02_max_backward", EXERCISE, "max_backward", 2, max_backward, _gate_case,
         outputs=("dx", "dy"), factors={"upstream gradient dout": lambda c: c["dout"], "to the loser": _max_to_loser},
         guards=_GATES + _AUTODIFF,
         solution="(dout, 0) if x > y else (0, dout)",
         edge_cases=MAX_EDGES,
         description="max gate: the gradient is routed, not scaled; only the input that won the forward pass "
                     "can change the output"),
    Task("ex02_add_mul_gradients", EXERCISE, "add_mul_gradients", 3, add_mul_gradients, _xyz_case,
         outputs=("dx", "dy", "dz"),
         guards=_GATES + _AUTODIFF, uses={"mul_backward": _uses_mul_add},
         solution="dx = dy = z (the add gate passes ∂f/∂q = z on), dz = x + y",
         description="f = (x + y)·z: start from ∂f/∂f = 1 at the multiply node, then the add node passes its "
                     "gradient on unchanged"),
    Task("ex02_branch_gradients", EXERCISE, "branch_gradients", 3, branch_gradients, _branch_case,
         outputs=("dx", "dy", "dz", "dw"),
         factors={"upstream gradient w": lambda c: {"dx": c["w"], "dy": c["w"], "dz": c["w"]},
                  "one path": _branch_one_path},
         guards=_GATES + _AUTODIFF,
         solution="s = x·y + max(y, z); dw = s, ds = w; dx = w·y; dy = w·x + (w if y > z else 0); "
                  "dz = (0 if y > z else w)",
         edge_cases=BRANCH_EDGES, uses={"mul_backward": _uses_mul_branch, "max_backward": _uses_max_branch},
         description="g = (x·y + max(y, z))·w: y feeds two nodes, and the gradients along both paths add up"),
)

#: What the grading sandbox hands out: the setup cell's names only (the gates are the exercise).
ALLOWLIST: tuple[str, ...] = SETUP + ALONE
