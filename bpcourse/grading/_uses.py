"""TEMPORARY: Task.uses per task id, until the spec split lands (then each moves into its exercise's module)."""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.activations import sigmoid

Case = dict[str, Any]

_W = ("w1", "w2", "w3", "w4", "b1", "b2")


def _pick(case: Case, *keys: str) -> Case:
    return {k: case[k] for k in keys}


def _branch_mul(c: Case) -> list[Case]:
    s = c["x"] * c["y"] + max(c["y"], c["z"])
    return [{"x": s, "y": c["w"], "dout": 1.0}, {"x": c["w"], "y": s, "dout": 1.0},
            {"x": c["x"], "y": c["y"], "dout": c["w"]}, {"x": c["y"], "y": c["x"], "dout": c["w"]}]


def _mlp_nets(c: Case) -> tuple[np.ndarray, np.ndarray]:
    net1 = c["X"] @ c["W1"].T + c["b1"]
    return net1, sigmoid(net1) @ c["W2"].T + c["b2"]


def _mlp_hidden(c: Case) -> list[Case]:
    from bpcourse.grading.tasks import TASKS
    net1, net2 = _mlp_nets(c)
    delta2 = TASKS["ex07_output_delta"].reference(Z=net2, T=c["T"])
    return [{"delta_next": delta2, "W_next": c["W2"], "Z": net1}]


USES = {
    "ex01_sigmoid_prime": {"sigmoid": lambda c: [{"net": c["net"]}, {"net": -c["net"]}]},
    "ex01_neuron_gradient": {"sigmoid": lambda c: [{"net": float(c["w"] @ c["x"] + c["b"])}]},
    "ex01_neuron_sgd_step": {"neuron_gradient": lambda c: [_pick(c, "w", "b", "x", "t")]},
    "ex02_add_mul_gradients": {"mul_backward": lambda c: [{"x": c["x"] + c["y"], "y": c["z"], "dout": 1.0},
                                                          {"x": c["z"], "y": c["x"] + c["y"], "dout": 1.0}]},
    "ex02_branch_gradients": {"mul_backward": _branch_mul,
                              "max_backward": lambda c: [{"x": c["y"], "y": c["z"], "dout": c["w"]},
                                                         {"x": c["z"], "y": c["y"], "dout": c["w"]}]},
    "ex03_chain_gradients": {"chain_forward": lambda c: [_pick(c, "w1", "w2", "w3", "x")]},
    "ex03_chain_sgd_step": {"chain_gradients": lambda c: [_pick(c, "w1", "w2", "w3", "x", "t")]},
    "ex05_two_hidden_deltas": {"two_hidden_forward": lambda c: [_pick(c, *_W, "x")]},
    "ex05_two_hidden_gradients": {"two_hidden_forward": lambda c: [_pick(c, *_W, "x")],
                                  "two_hidden_deltas": lambda c: [_pick(c, *_W, "x", "t")]},
    "ex07_mlp_backward": {"output_delta": lambda c: [{"Z": _mlp_nets(c)[1], "T": c["T"]}],
                          "hidden_delta": _mlp_hidden},
    "ex08_softmax_ce_backward": {"softmax": lambda c: [{"NET": c["NET"]}]},
}
