"""The spec table: every graded task of the exercise notebooks ``exercises/01_*.ipynb`` … ``09_*.ipynb``.

Each :class:`~bpcourse.grading.spec.Task` names the learner's function, a trusted reference (a small wrapper
around the :mod:`bpcourse` implementation with the exercise's signature), a generator of fresh random cases
(keyword arguments of floats, ints and float64 arrays only) and the named factors behind "missing σ'(net)
factor"-type diagnoses. ``Task.id`` is also the nbgrader ``grade_id`` of the task's test cell and
``Task.points`` its points; ``tests/test_exercises.py`` checks that the notebooks and this table agree.

Cases are drawn so that the diagnoses are unambiguous: no ties in a max, n_in ≠ n_out (a transposed dW has
the wrong shape), batches of 2 to 6 samples (a missing 1/n is not a constant factor across cases), learning
rates and steps large enough that a wrong update order shows. Nothing here runs at ``import bpcourse``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.grading.spec import Task

Case = dict[str, Any]


def _sig(net: Any) -> Any:
    from bpcourse.activations import sigmoid

    return sigmoid(net)


def _sig_prime(net: Any) -> Any:
    from bpcourse.activations import sigmoid_prime

    return sigmoid_prime(net)


# ---------------------------------------------------------------------------------------------------------------
# 01 The single neuron
# ---------------------------------------------------------------------------------------------------------------
EX01 = "01_single_neuron"


def _net_case(rng: np.random.Generator) -> Case:
    shape = (int(rng.integers(3, 8)),) if rng.random() < 0.5 else (2, int(rng.integers(2, 5)))
    return {"net": rng.uniform(-8.0, 8.0, size=shape)}


def _ref_sigmoid(net: np.ndarray) -> np.ndarray:
    return _sig(net)


def _ref_sigmoid_prime(net: np.ndarray) -> np.ndarray:
    return _sig_prime(net)


def _neuron_case(rng: np.random.Generator) -> Case:
    n_in = int(rng.integers(2, 5))
    return {
        "w": rng.uniform(-2.0, 2.0, size=n_in),
        "b": float(rng.uniform(-1.0, 1.0)),
        "x": rng.uniform(-1.0, 1.0, size=n_in),
        "t": float(rng.integers(0, 2)),
    }


def _ref_neuron_gradient(w: np.ndarray, b: float, x: np.ndarray, t: float) -> tuple[np.ndarray, float]:
    from bpcourse.models.neuron import SigmoidNeuron

    dw, db = SigmoidNeuron(w, b).gradient(x, t)
    return dw, float(db)


def _neuron_sigma_prime(case: Case) -> float:
    return float(_sig_prime(case["w"] @ case["x"] + case["b"]))


# ---------------------------------------------------------------------------------------------------------------
# 02 Chain rule and computational graphs
# ---------------------------------------------------------------------------------------------------------------
EX02 = "02_chain_rule"


def _gate_case(rng: np.random.Generator) -> Case:
    x = float(rng.uniform(-3.0, 3.0))
    y = float(rng.uniform(-3.0, 3.0))
    while abs(x - y) < 0.2:  # no near-ties: the max gate must have a clear winner
        y = float(rng.uniform(-3.0, 3.0))
    return {"x": x, "y": y, "dout": float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3.0))}


def _grads_of(build, *values: float) -> tuple[float, ...]:
    """Gradients of the scalar graph ``build(*Value inputs)`` by the package's reverse-mode autodiff."""
    from bpcourse.autodiff import Value

    leaves = [Value(v) for v in values]
    build(*leaves).backward()
    return tuple(leaf.grad for leaf in leaves)


def _vmax(a, b):
    # max(a, b) = a + relu(b − a): the same local gradients as a max gate (1 to the winner, 0 to the other)
    return a + (b - a).relu()


def _ref_mul_backward(x: float, y: float, dout: float) -> tuple[float, float]:
    dx, dy, _ = _grads_of(lambda a, b, d: a * b * d, x, y, dout)
    return dx, dy


def _ref_max_backward(x: float, y: float, dout: float) -> tuple[float, float]:
    dx, dy, _ = _grads_of(lambda a, b, d: _vmax(a, b) * d, x, y, dout)
    return dx, dy


def _xyz_case(rng: np.random.Generator) -> Case:
    return {k: float(rng.uniform(-5.0, 5.0)) for k in ("x", "y", "z")}


def _ref_add_mul_gradients(x: float, y: float, z: float) -> tuple[float, float, float]:
    return _grads_of(lambda a, b, c: (a + b) * c, x, y, z)


def _branch_case(rng: np.random.Generator) -> Case:
    case = _xyz_case(rng)
    while abs(case["y"] - case["z"]) < 0.2:
        case["z"] = float(rng.uniform(-5.0, 5.0))
    case["w"] = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3.0))
    return case


def _ref_branch_gradients(x: float, y: float, z: float, w: float) -> tuple[float, float, float, float]:
    return _grads_of(lambda a, b, c, d: (a * b + _vmax(b, c)) * d, x, y, z, w)


# ---------------------------------------------------------------------------------------------------------------
# 03 The three-layer chain (Article C)
# ---------------------------------------------------------------------------------------------------------------
EX03 = "03_three_layer_chain"


def _chain_weights(rng: np.random.Generator) -> Case:
    # |w| ≥ 0.3 keeps every factor away from 0, so a forgotten factor always shows
    return {f"w{i}": float(rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 1.5)) for i in (1, 2, 3)}


def _chain_forward_case(rng: np.random.Generator) -> Case:
    case = _chain_weights(rng)
    case["x"] = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0))
    return case


def _chain_case(rng: np.random.Generator) -> Case:
    case = _chain_forward_case(rng)
    case["t"] = float(rng.uniform(-2.0, 2.0))
    e = case["w1"] * case["w2"] * case["w3"] * case["x"]
    while abs(e - case["t"]) < 0.2:  # a clear error e − t, so the gradients are not all ≈ 0
        case["t"] = float(rng.uniform(-2.0, 2.0))
    return case


def _ref_chain_forward(w1: float, w2: float, w3: float, x: float) -> tuple[float, float, float]:
    from bpcourse.models.chain import forward

    return forward((w1, w2, w3), x)


def _ref_chain_gradients(w1: float, w2: float, w3: float, x: float, t: float) -> tuple[float, float, float]:
    from bpcourse.models.chain import gradients

    return tuple(gradients((w1, w2, w3), x, t))  # (dw1, dw2, dw3)


def _chain_step_case(rng: np.random.Generator) -> Case:
    case = _chain_case(rng)
    case["lr"] = float(rng.uniform(0.1, 0.5))  # large enough that the article's update order shows
    return case


def _ref_chain_sgd_step(w1: float, w2: float, w3: float, x: float, t: float, lr: float) -> tuple[float, float, float]:
    from bpcourse.models.chain import train

    return tuple(train("correct", (w1, w2, w3), (x,), (t,), lr=lr, epochs=1).weights)


# ---------------------------------------------------------------------------------------------------------------
# 04 Gradient checking
# ---------------------------------------------------------------------------------------------------------------
EX04 = "04_gradient_checking"


def _rel_error_case(rng: np.random.Generator) -> Case:
    shape = (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
    a = rng.standard_normal(shape)
    return {"a": a, "b": a + 10.0 ** rng.uniform(-3, 0) * rng.standard_normal(shape)}


def _ref_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    from bpcourse.gradcheck import rel_error

    return rel_error(a, b)


def _cubic(c3: np.ndarray, A: np.ndarray, b: np.ndarray):
    """f(x) = Σ_i c3_i·x_i³ + ½·xᵀAx + bᵀx, the test-function family of the central-difference probe."""

    def f(v: np.ndarray) -> float:
        return float(np.sum(c3 * v**3) + 0.5 * (v @ A @ v) + b @ v)

    return f


def _cubic_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 6))
    return {
        "c3": rng.uniform(-1.0, 1.0, size=n),
        "A": rng.standard_normal((n, n)),
        "b": rng.standard_normal(n),
        "x": rng.uniform(-1.5, 1.5, size=n),
        # a large ε: the central difference is then still within ~1e-6 of the exact gradient, but a
        # one-sided difference (f(x + ε) − f(x))/ε is off by ~ε, which the comparison sees
        "eps": float(10.0 ** rng.uniform(-4, -3)),
    }


def _ref_probe_central_difference(c3: np.ndarray, A: np.ndarray, b: np.ndarray, x: np.ndarray, eps: float) -> np.ndarray:
    from bpcourse.gradcheck import numeric_gradient

    return numeric_gradient(_cubic(c3, A, b), np.array(x, dtype=np.float64), eps)


def _quadratic_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 6))
    return {"A": rng.standard_normal((n, n)), "b": rng.standard_normal(n), "x": rng.standard_normal(n)}


def _ref_quadratic_gradient(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    # ∇(½ xᵀAx + bᵀx) = ½(A + Aᵀ)x + b; it is Ax + b only when A is symmetric
    return 0.5 * (A + A.T) @ x + b


# ---------------------------------------------------------------------------------------------------------------
# 05 A network with two hidden neurons (Article A, shared-bias reading)
# ---------------------------------------------------------------------------------------------------------------
EX05 = "05_two_hidden_neurons"
_PARAMS = ("w1", "w2", "w3", "w4", "b1", "b2")


def _two_hidden_forward_case(rng: np.random.Generator) -> Case:
    case = {name: float(rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 1.5)) for name in _PARAMS}
    case["x"] = float(rng.choice([-1.0, 1.0]) * rng.uniform(0.2, 2.0))
    return case


def _two_hidden_case(rng: np.random.Generator) -> Case:
    case = _two_hidden_forward_case(rng)
    case["t"] = float(rng.integers(0, 2))
    return case


def _params(case: Case) -> tuple[float, ...]:
    return tuple(case[k] for k in _PARAMS)


def _ref_two_hidden_forward(w1, w2, w3, w4, b1, b2, x) -> tuple[float, float, float]:
    from bpcourse.models.two_hidden import forward

    v = forward((w1, w2, w3, w4, b1, b2), x, 0.0, bias="shared")
    return v["out_h1"], v["out_h2"], v["out_o"]


def _ref_two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t) -> tuple[float, float, float]:
    from bpcourse.models.two_hidden import forward

    v = forward((w1, w2, w3, w4, b1, b2), x, t, bias="shared")
    return v["delta_o"], v["delta_h1"], v["delta_h2"]


def _ref_two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t) -> tuple[float, ...]:
    from bpcourse.models.two_hidden import gradients

    return tuple(gradients((w1, w2, w3, w4, b1, b2), x, t, bias="shared"))


def _two_hidden_sigma_prime(which: str, only: tuple[str, ...] = ()):
    """σ'(net_<which>) = out·(1 − out) as a named factor; restricted to the outputs ``only`` if given."""

    def factor(case: Case) -> float | dict[str, float]:
        from bpcourse.models.two_hidden import forward

        v = forward(_params(case), case["x"], case.get("t", 0.0), bias="shared")
        out = v["out_" + which]
        value = out * (1.0 - out)
        return {name: value for name in only} if only else value

    return factor


# ---------------------------------------------------------------------------------------------------------------
# 06 The fully connected layer
# ---------------------------------------------------------------------------------------------------------------
EX06 = "06_fully_connected_layer"


def _sizes(rng: np.random.Generator) -> tuple[int, int, int]:
    n = int(rng.integers(2, 7))
    n_in = int(rng.integers(2, 6))
    n_out = int(rng.integers(2, 6))
    while n_out == n_in:  # a transposed W or dW must have the wrong shape, so it is diagnosed as such
        n_out = int(rng.integers(2, 6))
    return n, n_in, n_out


def _dense_forward_case(rng: np.random.Generator) -> Case:
    n, n_in, n_out = _sizes(rng)
    return {"x": rng.standard_normal((n, n_in)), "W": rng.standard_normal((n_out, n_in)), "b": rng.standard_normal(n_out)}


def _dense_backward_case(rng: np.random.Generator) -> Case:
    n, n_in, n_out = _sizes(rng)
    return {"dout": rng.standard_normal((n, n_out)), "x": rng.standard_normal((n, n_in)), "W": rng.standard_normal((n_out, n_in))}


def _ref_dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    from bpcourse.layers import Dense

    return Dense(W.shape[1], W.shape[0], W=W, b=b).forward(x)


def _ref_dense_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from bpcourse.layers import Dense

    layer = Dense(W.shape[1], W.shape[0], W=W)
    layer.forward(x)
    dx = layer.backward(dout)
    return dx, layer.grads["W"], layer.grads["b"]


# ---------------------------------------------------------------------------------------------------------------
# 07 Multilayer backprop in matrix form (two-layer sigmoid MLP, ½-SSE averaged over the batch)
# ---------------------------------------------------------------------------------------------------------------
EX07 = "07_matrix_form"


def _output_delta_case(rng: np.random.Generator) -> Case:
    n, _, n_out = _sizes(rng)
    return {"Z": rng.uniform(-3.0, 3.0, size=(n, n_out)), "Y": rng.uniform(0.0, 1.0, size=(n, n_out))}


def _ref_output_delta(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    from bpcourse.losses import half_sse

    return half_sse(_sig(Z), Y)[1] * _sig_prime(Z)


def _hidden_delta_case(rng: np.random.Generator) -> Case:
    n, n_hidden, n_next = _sizes(rng)
    return {
        "delta_next": rng.standard_normal((n, n_next)),
        "W_next": rng.standard_normal((n_next, n_hidden)),
        "Z": rng.uniform(-3.0, 3.0, size=(n, n_hidden)),
    }


def _ref_hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, Z: np.ndarray) -> np.ndarray:
    from bpcourse.layers import Dense, Sigmoid

    # δ = (δ_next W_next) ⊙ σ'(Z): back through the next layer's weights, then through the sigmoid
    act = Sigmoid()
    act.forward(Z)
    dense = Dense(W_next.shape[1], W_next.shape[0], W=W_next)
    dense.forward(np.zeros((delta_next.shape[0], W_next.shape[1])))
    return act.backward(dense.backward(delta_next))


def _mlp_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 7))
    n_in, n_hidden, n_out = (int(v) for v in rng.choice(np.arange(1, 6), size=3, replace=False))
    return {
        "X": rng.standard_normal((n, n_in)),
        "Y": rng.uniform(0.0, 1.0, size=(n, n_out)),
        "W1": rng.standard_normal((n_hidden, n_in)),
        "b1": rng.standard_normal(n_hidden),
        "W2": rng.standard_normal((n_out, n_hidden)),
        "b2": rng.standard_normal(n_out),
    }


def _ref_mlp_backward(X, Y, W1, b1, W2, b2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from bpcourse.layers import Dense, Sigmoid
    from bpcourse.networks import Sequential

    net = Sequential(
        [Dense(W1.shape[1], W1.shape[0], W=W1, b=b1), Sigmoid(), Dense(W2.shape[1], W2.shape[0], W=W2, b=b2), Sigmoid()],
        loss="half_sse",
    )
    net.loss_and_grad(X, Y)
    g = net.gradients()
    return g["0.W"], g["0.b"], g["2.W"], g["2.b"]


def _one_over_n(key: str):
    def factor(case: Case) -> float:
        return 1.0 / case[key].shape[0]

    return factor


# ---------------------------------------------------------------------------------------------------------------
# 08 Softmax, cross-entropy
# ---------------------------------------------------------------------------------------------------------------
EX08 = "08_softmax_cross_entropy"


def _logits(rng: np.random.Generator, big: bool) -> np.ndarray:
    n = int(rng.integers(2, 7))
    c = int(rng.integers(2, 6))
    Z = rng.uniform(-4.0, 4.0, size=(n, c))
    if big:  # e^750 overflows float64 and e^(−750) underflows to 0: only a stable softmax survives both
        up, down = rng.choice(n, size=2, replace=False)  # two different rows, or the shifts could cancel
        Z[up] += float(rng.uniform(750.0, 1000.0))
        Z[down] -= float(rng.uniform(750.0, 1000.0))
    return Z


def _one_hot(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    Y = np.zeros((n, c))
    Y[np.arange(n), rng.integers(0, c, size=n)] = 1.0
    return Y


def _softmax_case(rng: np.random.Generator) -> Case:
    return {"Z": _logits(rng, big=True)}


def _ref_softmax(Z: np.ndarray) -> np.ndarray:
    from bpcourse.activations import softmax

    return softmax(Z)


def _cross_entropy_case(rng: np.random.Generator) -> Case:
    Z = _logits(rng, big=False)
    from bpcourse.activations import softmax

    return {"P": softmax(Z), "Y": _one_hot(rng, *Z.shape)}


def _ref_cross_entropy(P: np.ndarray, Y: np.ndarray) -> float:
    # E = −(1/n) Σ_i Σ_c Y_ic log P_ic; with a one-hot Y this is the mean of −log(probability of the true class)
    return -float(np.sum(Y * np.log(P))) / P.shape[0]


def _softmax_ce_case(rng: np.random.Generator) -> Case:
    Z = _logits(rng, big=False)
    return {"Z": Z, "Y": _one_hot(rng, *Z.shape)}


def _ref_softmax_ce_backward(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    from bpcourse.losses import softmax_cross_entropy

    return softmax_cross_entropy(Z, Y)[1]


# ---------------------------------------------------------------------------------------------------------------
# 09 Training in practice: optimiser steps (pure functions: new arrays out, inputs untouched)
# ---------------------------------------------------------------------------------------------------------------
EX09 = "09_training_in_practice"


def _shape(rng: np.random.Generator) -> tuple[int, ...]:
    return (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))


def _sgd_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {"w": rng.standard_normal(s), "g": rng.standard_normal(s), "lr": float(rng.uniform(0.01, 0.5))}


def _ref_sgd_step(w: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
    from bpcourse.optimizers import SGD

    w = w.copy()
    SGD(lr).step({"w": w}, {"w": g})
    return w


def _momentum_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {
        "w": rng.standard_normal(s),
        "v": 0.1 * rng.standard_normal(s),
        "g": rng.standard_normal(s),
        "lr": float(rng.uniform(0.01, 0.5)),
        "beta": float(rng.uniform(0.5, 0.95)),
    }


def _ref_momentum_step(w, v, g, lr, beta) -> tuple[np.ndarray, np.ndarray]:
    from bpcourse.optimizers import Momentum

    w, v = w.copy(), v.copy()
    opt = Momentum(lr, beta)
    opt.state["w"] = {"v": v}
    opt.step({"w": w}, {"w": g})
    return w, v


def _adam_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {
        "w": rng.standard_normal(s),
        "m": 0.1 * rng.standard_normal(s),
        "v": 0.1 * rng.uniform(0.0, 1.0, size=s),
        "g": rng.standard_normal(s),
        "t": int(rng.integers(1, 20)),
        "lr": float(rng.uniform(0.01, 0.2)),
        "beta1": float(rng.uniform(0.8, 0.95)),
        "beta2": float(rng.uniform(0.9, 0.999)),
        "eps": 1e-8,
    }


def _ref_adam_step(w, m, v, g, t, lr, beta1, beta2, eps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from bpcourse.optimizers import Adam

    w, m, v = w.copy(), m.copy(), v.copy()
    opt = Adam(lr, beta1, beta2, eps)
    opt.state["w"] = {"m": m, "v": v, "t": int(t) - 1}  # the optimiser counts this step as step t
    opt.step({"w": w}, {"w": g})
    return w, m, v


# ---------------------------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------------------------
_ALL: list[Task] = [
    # 01 -----------------------------------------------------------------------------------------------
    Task("ex01_sigmoid", EX01, "sigmoid", 2, _ref_sigmoid, _net_case,
         description="σ(net) = 1 / (1 + e^(−net)), element-wise on an array"),
    Task("ex01_sigmoid_prime", EX01, "sigmoid_prime", 3, _ref_sigmoid_prime, _net_case,
         factors={"σ(net)": lambda c: _sig(c["net"]), "(1 − σ(net))": lambda c: 1.0 - _sig(c["net"])},
         description="σ'(net) = σ(net)·(1 − σ(net)), element-wise"),
    Task("ex01_neuron_gradient", EX01, "neuron_gradient", 5, _ref_neuron_gradient, _neuron_case,
         outputs=("dw", "db"),
         factors={"σ'(net)": _neuron_sigma_prime},
         description="∂L/∂w_j = (o − t)·o·(1 − o)·x_j and ∂L/∂b = (o − t)·o·(1 − o) for L = ½(o − t)²"),
    # 02 -----------------------------------------------------------------------------------------------
    Task("ex02_mul_backward", EX02, "mul_backward", 2, _ref_mul_backward, _gate_case,
         outputs=("dx", "dy"), factors={"upstream gradient dout": lambda c: c["dout"]},
         description="multiply gate f = x·y: dx = dout·y, dy = dout·x"),
    Task("ex02_max_backward", EX02, "max_backward", 2, _ref_max_backward, _gate_case,
         outputs=("dx", "dy"), factors={"upstream gradient dout": lambda c: c["dout"]},
         description="max gate f = max(x, y): dout goes to the larger input, 0 to the other"),
    Task("ex02_add_mul_gradients", EX02, "add_mul_gradients", 3, _ref_add_mul_gradients, _xyz_case,
         outputs=("dx", "dy", "dz"),
         description="f = (x + y)·z: ∂f/∂x, ∂f/∂y, ∂f/∂z by backprop through q = x + y"),
    Task("ex02_branch_gradients", EX02, "branch_gradients", 3, _ref_branch_gradients, _branch_case,
         outputs=("dx", "dy", "dz", "dw"),
         factors={"upstream gradient w": lambda c: {"dx": c["w"], "dy": c["w"], "dz": c["w"]}},
         description="g = (x·y + max(y, z))·w: y feeds two nodes, so its two gradients add up"),
    # 03 -----------------------------------------------------------------------------------------------
    Task("ex03_chain_forward", EX03, "chain_forward", 2, _ref_chain_forward, _chain_forward_case,
         outputs=("y", "z", "e"), description="y = w1·x, z = w2·y, e = w3·z"),
    Task("ex03_chain_gradients", EX03, "chain_gradients", 5, _ref_chain_gradients, _chain_case,
         outputs=("dw1", "dw2", "dw3"),
         factors={"w3": lambda c: {"dw1": c["w3"], "dw2": c["w3"]}, "w2": lambda c: {"dw1": c["w2"]}},
         description="dL/dw1 = (e − t)·w3·w2·x, dL/dw2 = (e − t)·w3·y, dL/dw3 = (e − t)·z, all at one point"),
    Task("ex03_chain_sgd_step", EX03, "chain_sgd_step", 3, _ref_chain_sgd_step, _chain_step_case,
         outputs=("w1", "w2", "w3"),
         description="one SGD step: all three gradients at the old weights first, then all three updates"),
    # 04 -----------------------------------------------------------------------------------------------
    Task("ex04_rel_error", EX04, "rel_error", 3, _ref_rel_error, _rel_error_case,
         description="relative error ‖a − b‖ / (‖a‖ + ‖b‖)"),
    Task("ex04_central_difference", EX04, "probe_central_difference", 4, _ref_probe_central_difference,
         _cubic_case, rtol=1e-8,
         description="your central_difference(f, x, eps) on f(x) = Σ c3_i·x_i³ + ½xᵀAx + bᵀx: "
                     "(f(x + ε e_i) − f(x − ε e_i)) / (2ε) for every i"),
    Task("ex04_quadratic_gradient", EX04, "quadratic_gradient", 3, _ref_quadratic_gradient, _quadratic_case,
         description="∇(½xᵀAx + bᵀx) = ½(A + Aᵀ)x + b for a matrix A that need not be symmetric"),
    # 05 -----------------------------------------------------------------------------------------------
    Task("ex05_two_hidden_forward", EX05, "two_hidden_forward", 2, _ref_two_hidden_forward,
         _two_hidden_forward_case, outputs=("out_h1", "out_h2", "out_o"),
         description="forward pass, shared bias: net_h1 = w1·x + b1, net_h2 = w2·x + b1, net_o = w3·out_h1 + w4·out_h2 + b2"),
    Task("ex05_two_hidden_deltas", EX05, "two_hidden_deltas", 3, _ref_two_hidden_deltas, _two_hidden_case,
         outputs=("delta_o", "delta_h1", "delta_h2"),
         factors={"σ'(net_o)": _two_hidden_sigma_prime("o"),
                  "σ'(net_h1)": _two_hidden_sigma_prime("h1", ("delta_h1",)),
                  "σ'(net_h2)": _two_hidden_sigma_prime("h2", ("delta_h2",))},
         description="δ_o = (out_o − t)·σ'(net_o), δ_h1 = w3·δ_o·σ'(net_h1), δ_h2 = w4·δ_o·σ'(net_h2)"),
    Task("ex05_two_hidden_gradients", EX05, "two_hidden_gradients", 5, _ref_two_hidden_gradients,
         _two_hidden_case, outputs=("dw1", "dw2", "dw3", "dw4", "db1", "db2"),
         factors={"σ'(net_o)": _two_hidden_sigma_prime("o"),
                  "σ'(net_h1)": _two_hidden_sigma_prime("h1", ("dw1",)),
                  "σ'(net_h2)": _two_hidden_sigma_prime("h2", ("dw2",))},
         description="the six gradients; b1 feeds both hidden neurons, so db1 = δ_h1 + δ_h2"),
    # 06 -----------------------------------------------------------------------------------------------
    Task("ex06_dense_forward", EX06, "dense_forward", 2, _ref_dense_forward, _dense_forward_case,
         description="net = x @ W.T + b with x (n, n_in), W (n_out, n_in), b (n_out,)"),
    Task("ex06_dense_backward_loops", EX06, "dense_backward_loops", 4, _ref_dense_backward, _dense_backward_case,
         outputs=("dx", "dW", "db"),
         description="dx = dout·W, dW_ji = Σ_samples dout_j·x_i, db = Σ_samples dout, with explicit loops"),
    Task("ex06_dense_backward", EX06, "dense_backward", 4, _ref_dense_backward, _dense_backward_case,
         outputs=("dx", "dW", "db"),
         description="dx = dout @ W, dW = dout.T @ x, db = dout.sum(axis=0)"),
    # 07 -----------------------------------------------------------------------------------------------
    Task("ex07_output_delta", EX07, "output_delta", 2, _ref_output_delta, _output_delta_case,
         factors={"σ'(Z)": lambda c: _sig_prime(c["Z"]), "1/n": _one_over_n("Z"),
                  # both at once: Article D's δ = o − y
                  "σ'(Z)/n": lambda c: _sig_prime(c["Z"]) / c["Z"].shape[0]},
         description="δ_out = (σ(Z) − Y) ⊙ σ'(Z) / n for a sigmoid output and E = (1/n) Σ ½‖a − y‖²"),
    Task("ex07_hidden_delta", EX07, "hidden_delta", 3, _ref_hidden_delta, _hidden_delta_case,
         factors={"σ'(Z)": lambda c: _sig_prime(c["Z"])},
         description="δ = (δ_next @ W_next) ⊙ σ'(Z)"),
    Task("ex07_mlp_backward", EX07, "mlp_backward", 5, _ref_mlp_backward, _mlp_case,
         outputs=("dW1", "db1", "dW2", "db2"),
         factors={"1/n": _one_over_n("X")},
         description="all four gradients of a two-layer sigmoid MLP, E = (1/n) Σ ½‖a2 − y‖²"),
    # 08 -----------------------------------------------------------------------------------------------
    Task("ex08_softmax", EX08, "softmax", 3, _ref_softmax, _softmax_case,
         description="stable softmax of each row: subtract the row maximum before exponentiating"),
    Task("ex08_cross_entropy", EX08, "cross_entropy", 3, _ref_cross_entropy, _cross_entropy_case,
         factors={"1/n": _one_over_n("P")},
         description="E = −(1/n) Σ_i Σ_c Y_ic·log P_ic"),
    Task("ex08_softmax_ce_backward", EX08, "softmax_ce_backward", 4, _ref_softmax_ce_backward, _softmax_ce_case,
         factors={"1/n": _one_over_n("Z")},
         description="∂E/∂Z = (softmax(Z) − Y) / n"),
    # 09 -----------------------------------------------------------------------------------------------
    Task("ex09_sgd_step", EX09, "sgd_step", 2, _ref_sgd_step, _sgd_case,
         description="w ← w − η·g, returned as a new array"),
    Task("ex09_momentum_step", EX09, "momentum_step", 3, _ref_momentum_step, _momentum_case,
         outputs=("w", "v"),
         description="v ← β·v − η·g, then w ← w + v; new arrays, inputs untouched"),
    Task("ex09_adam_step", EX09, "adam_step", 5, _ref_adam_step, _adam_case,
         outputs=("w", "m", "v"),
         description="Adam step t: m, v running means of g and g², bias-corrected by 1 − β^t"),
]

TASKS: dict[str, Task] = {task.id: task for task in _ALL}
if len(TASKS) != len(_ALL):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate Task.id in bpcourse.grading.tasks")

EXERCISES: tuple[str, ...] = tuple(dict.fromkeys(task.exercise for task in _ALL))


def tasks_for(exercise: str) -> list[Task]:
    """The tasks of one exercise notebook, in notebook order, e.g. ``tasks_for("06_fully_connected_layer")``."""
    tasks = [task for task in _ALL if task.exercise == exercise]
    if not tasks:
        raise ValueError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISES)}")
    return tasks


__all__ = ["TASKS", "EXERCISES", "tasks_for"]
