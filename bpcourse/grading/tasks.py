"""The spec table: every graded task of the exercise notebooks ``exercises/01_*.ipynb`` … ``09_*.ipynb``.

Each :class:`~bpcourse.grading.spec.Task` names the learner's function, a trusted reference (a small wrapper
around the :mod:`bpcourse` implementation with the exercise's signature), a generator of fresh random cases
(keyword arguments of floats, ints and float64 arrays only), the named factors and known slips behind
"missing σ'(net) factor" / "σ'(o) instead of σ'(net)" diagnoses, the ``guards`` (the public ``bpcourse``
callables whose result *is* the answer, which raise inside the grading sandbox), the full ``solution`` (shown
only with ``bpcourse grade --feedback full``) and a ``description`` that teaches without giving it away.
``Task.id`` is also the nbgrader ``grade_id`` of the task's test cell and ``Task.points`` its points;
``tests/test_exercises.py`` checks that the notebooks and this table agree.

Every case is decisive on its own: a partly wrong answer fails on *every* draw, not on lucky ones. So the
cases hold what separates right from almost right: a softmax row spread by ~2000 (the row mean or minimum in
place of the row maximum overflows), n ≠ C and n_in ≠ n_out (a 1/C or a transposed dW cannot pass for the
right thing), batches of 2 to 6 samples (a missing 1/n is not a constant factor across cases), no ties in a
max, targets away from the outputs, learning rates large enough that a wrong update order shows, Adam step
numbers from 1 (where an off-by-one t changes the correction most). What one draw can still miss is in each
task's fixed ``edge_cases``, graded on every run besides the random ones: both branches of each scalar max gate
(each input winning once with either sign), 0/0 and one-sided zeros for ``rel_error``, t = 0 and t = 1 for the
0/1 targets, a vector and a matrix for the element-wise sigmoid. Nothing here runs at ``import bpcourse``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from bpcourse.grading.diagnose import Slip
from bpcourse.grading.spec import Task
from bpcourse.optimizers import adam_step, momentum_step, sgd_step

Case = dict[str, Any]

def _sig(net: Any) -> Any:
    from bpcourse.activations import sigmoid

    return sigmoid(net)


def _sig_prime(net: Any) -> Any:
    from bpcourse.activations import sigmoid_prime

    return sigmoid_prime(net)


def _sign(rng: np.random.Generator) -> float:
    return float(rng.choice([-1.0, 1.0]))


# ---------------------------------------------------------------------------------------------------------------
# 01 The single neuron
# ---------------------------------------------------------------------------------------------------------------
EX01 = "ex01_single_neuron"


def _net_case(rng: np.random.Generator) -> Case:
    shape = (int(rng.integers(3, 8)),) if rng.random() < 0.5 else (2, int(rng.integers(2, 5)))
    return {"net": rng.uniform(-8.0, 8.0, size=shape)}


def _ref_sigmoid(net: np.ndarray) -> np.ndarray:
    return _sig(net)


def _ref_sigmoid_prime(net: np.ndarray) -> np.ndarray:
    return _sig_prime(net)


def _neuron_case(rng: np.random.Generator) -> Case:
    n_in = int(rng.integers(2, 5))
    case = {
        "w": rng.uniform(-2.0, 2.0, size=n_in),
        "b": float(rng.uniform(-1.0, 1.0)),
        "x": _sign(rng) * rng.uniform(0.2, 1.0, size=n_in),  # no x_j ≈ 0: every dw_j shows its factors
        "t": float(rng.integers(0, 2)),
    }
    return case


def _neuron_step_case(rng: np.random.Generator) -> Case:
    case = _neuron_case(rng)
    case["eta"] = float(rng.uniform(0.5, 4.0))
    return case


def _neuron_parts(case: Case) -> tuple[float, float, float]:
    """(o, t, net) of the single neuron for a case."""
    net = float(case["w"] @ case["x"] + case["b"])
    return float(_sig(net)), float(case["t"]), net


def _ref_neuron_gradient(w: np.ndarray, b: float, x: np.ndarray, t: float) -> tuple[np.ndarray, float]:
    from bpcourse.models.neuron import SigmoidNeuron

    dw, db = SigmoidNeuron(w, b).gradient(x, t)
    return dw, float(db)


def _ref_neuron_sgd_step(w: np.ndarray, b: float, x: np.ndarray, t: float, eta: float) -> tuple[np.ndarray, float]:
    from bpcourse.models.neuron import SigmoidNeuron

    neuron = SigmoidNeuron(w, b)
    neuron.sgd_step(x, t, eta)
    return np.array(neuron.w, dtype=np.float64), float(neuron.b)


def _neuron_sigma_prime(case: Case) -> float:
    return float(_sig_prime(case["w"] @ case["x"] + case["b"]))


def _neuron_sigma_prime_of_o(case: Case) -> Slip:
    o, t, _ = _neuron_parts(case)
    delta = (o - t) * float(_sig_prime(o))
    return Slip({"dw": delta * case["x"], "db": delta},
                "uses σ'(o) = σ(o)·(1 − σ(o)), the slope of σ at the output o; the chain rule needs the slope "
                "where the neuron was evaluated, σ'(net) = o·(1 − o)")


def _neuron_uphill(case: Case) -> Slip:
    dw, db = _ref_neuron_gradient(case["w"], case["b"], case["x"], case["t"])
    return Slip({"w": case["w"] + case["eta"] * dw, "b": case["b"] + case["eta"] * db},
                "steps in the wrong direction: w + η·∂L/∂w climbs the loss; gradient descent moves against "
                "the gradient")


def _neuron_step_no_eta(case: Case) -> Slip:
    dw, db = _ref_neuron_gradient(case["w"], case["b"], case["x"], case["t"])
    return Slip({"w": case["w"] - dw, "b": case["b"] - db}, "leaves out the learning rate η: the step is η × the gradient")


def _z_one_minus_z(key: str) -> Any:
    def slip(case: Case) -> Slip:
        z = case[key]
        return Slip(z * (1.0 - z), f"is {key}·(1 − {key}): the shortcut o·(1 − o) holds for the *output* "
                                   f"o = σ({key}), so it needs σ({key})·(1 − σ({key}))")

    return slip


# ---------------------------------------------------------------------------------------------------------------
# 02 Chain rule and computational graphs
# ---------------------------------------------------------------------------------------------------------------
EX02 = "ex02_chain_rule"


def _gate_case(rng: np.random.Generator) -> Case:
    x = float(rng.uniform(-3.0, 3.0))
    y = float(rng.uniform(-3.0, 3.0))
    while abs(x - y) < 0.2:  # no near-ties: the max gate must have a clear winner
        y = float(rng.uniform(-3.0, 3.0))
    return {"x": x, "y": y, "dout": _sign(rng) * float(rng.uniform(0.5, 3.0))}


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


def _max_to_loser(case: Case) -> Slip:
    dx, dy = _ref_max_backward(case["x"], case["y"], case["dout"])
    return Slip({"dx": dy, "dy": dx}, "sends dout to the smaller input: the max gate routes it to the input that "
                                      "won the forward pass (moving the loser does not change the max)")


def _xyz_case(rng: np.random.Generator) -> Case:
    # |values| ≥ 0.5: x + y, z and their products stay away from 0, so no slip can hide behind a zero
    return {k: _sign(rng) * float(rng.uniform(0.5, 5.0)) for k in ("x", "y", "z")}


def _ref_add_mul_gradients(x: float, y: float, z: float) -> tuple[float, float, float]:
    return _grads_of(lambda a, b, c: (a + b) * c, x, y, z)


def _branch_case(rng: np.random.Generator) -> Case:
    case = _xyz_case(rng)
    while abs(case["y"] - case["z"]) < 0.2:
        case["z"] = _sign(rng) * float(rng.uniform(0.5, 5.0))
    case["w"] = _sign(rng) * float(rng.uniform(0.5, 3.0))
    return case


def _ref_branch_gradients(x: float, y: float, z: float, w: float) -> tuple[float, float, float, float]:
    return _grads_of(lambda a, b, c, d: (a * b + _vmax(b, c)) * d, x, y, z, w)


def _branch_one_path(case: Case) -> list[Slip]:
    x, y, z, w = (case[k] for k in ("x", "y", "z", "w"))
    from_p, from_m = w * x, (w if y > z else 0.0)
    why = ("y feeds two nodes (the product and the max), so its gradient is the sum over both paths: "
           "dy_from_p + dy_from_m (`+=`, not `=`, when you collect it)")
    slips = [Slip({"dy": from_p}, "keeps only the product path's gradient: " + why)]
    if from_m != 0.0:
        slips.append(Slip({"dy": from_m}, "keeps only the max path's gradient: " + why))
    return slips


# ---------------------------------------------------------------------------------------------------------------
# 03 The three-layer chain (Article C)
# ---------------------------------------------------------------------------------------------------------------
EX03 = "ex03_three_layer_chain"


def _chain_weights(rng: np.random.Generator) -> Case:
    # |w| ≥ 0.3 keeps every factor away from 0, so a forgotten factor always shows
    return {f"w{i}": _sign(rng) * float(rng.uniform(0.3, 1.5)) for i in (1, 2, 3)}


def _chain_forward_case(rng: np.random.Generator) -> Case:
    case = _chain_weights(rng)
    case["x"] = _sign(rng) * float(rng.uniform(0.5, 2.0))
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

    return tuple(float(g) for g in gradients((w1, w2, w3), x, t))  # (dw1, dw2, dw3)


def _chain_step_case(rng: np.random.Generator) -> Case:
    case = _chain_case(rng)
    case["eta"] = float(rng.uniform(0.1, 0.5))  # large enough that the article's update order shows
    return case


def _ref_chain_sgd_step(w1: float, w2: float, w3: float, x: float, t: float, eta: float) -> tuple[float, float, float]:
    from bpcourse.models.chain import sgd_step

    return tuple(sgd_step((w1, w2, w3), x, t, eta)[0])  # all three gradients at the old weights, then the updates


def _chain_article_order(case: Case) -> Slip:
    from bpcourse.models.chain import sgd_step

    w1n, w2n, w3n = sgd_step(tuple(case[k] for k in ("w1", "w2", "w3")), case["x"], case["t"], case["eta"],
                             order="article")[0]
    return Slip({"w1": w1n, "w2": w2n, "w3": w3n},
                "is the article's order: w3 was updated first and the *new* w3 (and w2) used for the other "
                "gradients; compute all three gradients at the old weights before updating any")


def _chain_uphill(case: Case) -> Slip:
    g = _ref_chain_gradients(*(case[k] for k in ("w1", "w2", "w3", "x", "t")))
    return Slip({f"w{i + 1}": case[f"w{i + 1}"] + case["eta"] * gi for i, gi in enumerate(g)},
                "steps in the wrong direction: w + η·∂L/∂w climbs the loss; gradient descent moves against "
                "the gradient")


# ---------------------------------------------------------------------------------------------------------------
# 04 Gradient checking
# ---------------------------------------------------------------------------------------------------------------
EX04 = "ex04_gradient_checking"


def _rel_error_case(rng: np.random.Generator) -> Case:
    shape = (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
    if rng.random() < 0.4:  # both zero: the 0/0 the exercise says to return as 0.0 (also in _REL_ERROR_EDGES,
        return {"a": np.zeros(shape), "b": np.zeros(shape)}  # so that no seed misses it)
    a = rng.standard_normal(shape)
    return {"a": a, "b": a + 10.0 ** rng.uniform(-3, 0) * rng.standard_normal(shape)}


def _ref_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    from bpcourse.gradcheck import rel_error

    return rel_error(a, b)


def _cubic(c3: np.ndarray, A: np.ndarray, b: np.ndarray):
    """f(x) = Σ_i c3_i·u_i³ + ½·uᵀAu + bᵀu, u = x.ravel(): the test functions of the central-difference probe.

    x may be a vector or a matrix (c3, b shape (x.size,), A shape (x.size, x.size)), as in the exercise's probe
    cell: a central_difference that works on vectors only then fails on the matrix cases.
    """

    def f(v: np.ndarray) -> float:
        u = np.ravel(v)
        return float(np.sum(c3 * u**3) + 0.5 * (u @ A @ u) + b @ u)

    return f


def _cubic_case(rng: np.random.Generator) -> Case:
    # half the cases a vector, half a matrix (as the hidden test's 2-D x): x.flat[i], not x[i]
    shape = (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))
    n = int(np.prod(shape))
    return {
        "c3": rng.uniform(-1.0, 1.0, size=n),
        "A": rng.standard_normal((n, n)),
        "b": rng.standard_normal(n),
        "x": rng.uniform(-1.5, 1.5, size=shape),
        # a large ε: the central difference is then still within ~1e-6 of the exact gradient, but a
        # one-sided difference (f(x + ε) − f(x))/ε is off by ~ε, which the comparison sees
        "eps": float(10.0 ** rng.uniform(-4, -3)),
    }


def _ref_probe_central_difference(c3: np.ndarray, A: np.ndarray, b: np.ndarray, x: np.ndarray, eps: float) -> np.ndarray:
    from bpcourse.gradcheck import numeric_gradient

    return numeric_gradient(_cubic(c3, A, b), np.array(x, dtype=np.float64), eps)


def _one_sided(case: Case) -> Slip:
    f = _cubic(case["c3"], case["A"], case["b"])
    x, eps = np.array(case["x"], dtype=np.float64), case["eps"]
    g = np.array([(f(x + eps * e.reshape(x.shape)) - f(x)) / eps for e in np.eye(x.size)]).reshape(x.shape)
    return Slip(g, "is the one-sided difference (f(x + ε) − f(x))/ε, whose error is O(ε); the central "
                   "difference steps both ways, so its error is O(ε²)")


def _quadratic_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 6))
    return {"A": rng.standard_normal((n, n)), "b": rng.standard_normal(n), "x": rng.standard_normal(n)}


def _ref_quadratic_gradient(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    # ∇(½ xᵀAx + bᵀx) = ½(A + Aᵀ)x + b; it is Ax + b only when A is symmetric
    return 0.5 * (A + A.T) @ x + b


def _quadratic_symmetric(case: Case) -> Slip:
    return Slip(case["A"] @ case["x"] + case["b"],
                "is Ax + b, the gradient only for a symmetric A: x_k appears in ½xᵀAx both as x_i and as x_j, "
                "so both A's row k and its column k contribute")


# ---------------------------------------------------------------------------------------------------------------
# 05 A network with two hidden neurons (Article A, shared-bias reading)
# ---------------------------------------------------------------------------------------------------------------
EX05 = "ex05_two_hidden_neurons"
_PARAMS = ("w1", "w2", "w3", "w4", "b1", "b2")


def _two_hidden_forward_case(rng: np.random.Generator) -> Case:
    case = {name: _sign(rng) * float(rng.uniform(0.1, 1.5)) for name in _PARAMS}
    case["x"] = _sign(rng) * float(rng.uniform(0.2, 2.0))
    return case


def _two_hidden_case(rng: np.random.Generator) -> Case:
    case = _two_hidden_forward_case(rng)
    case["t"] = float(rng.integers(0, 2))
    return case


def _params(case: Case) -> tuple[float, ...]:
    return tuple(case[k] for k in _PARAMS)


def _two_hidden_pass(case: Case) -> dict[str, float]:
    from bpcourse.models.two_hidden import forward

    return forward(_params(case), case["x"], case.get("t", 0.0), "shared")


def _ref_two_hidden_forward(w1, w2, w3, w4, b1, b2, x) -> tuple[float, float, float]:
    v = _two_hidden_pass({"w1": w1, "w2": w2, "w3": w3, "w4": w4, "b1": b1, "b2": b2, "x": x})
    return v["out_h1"], v["out_h2"], v["out_o"]


def _ref_two_hidden_deltas(w1, w2, w3, w4, b1, b2, x, t) -> tuple[float, float, float]:
    v = _two_hidden_pass({"w1": w1, "w2": w2, "w3": w3, "w4": w4, "b1": b1, "b2": b2, "x": x, "t": t})
    return v["delta_o"], v["delta_h1"], v["delta_h2"]


def _ref_two_hidden_gradients(w1, w2, w3, w4, b1, b2, x, t) -> tuple[float, ...]:
    from bpcourse.models.two_hidden import gradients

    return tuple(float(g) for g in gradients((w1, w2, w3, w4, b1, b2), x, t, "shared"))


def _two_hidden_sigma_prime(which: str, only: tuple[str, ...] = ()):
    """σ'(net_<which>) = out·(1 − out) as a named factor; restricted to the outputs ``only`` if given."""

    def factor(case: Case) -> float | dict[str, float]:
        out = _two_hidden_pass(case)["out_" + which]
        value = out * (1.0 - out)
        return {name: value for name in only} if only else value

    return factor


def _two_hidden_literal_bias(case: Case) -> Slip:
    h1 = float(_sig(case["w1"] * case["x"] + case["b1"]))
    h2 = float(_sig(case["w2"] * case["x"] + case["b2"]))
    o = float(_sig(case["w3"] * h1 + case["w4"] * h2 + case["b2"]))
    return Slip({"out_h2": h2, "out_o": o}, "puts b2 into net_h2 (the article's literal text); in the shared-bias reading "
                                "both hidden neurons use b1 and b2 feeds only the output")


def _two_hidden_sigma_prime_of_out(case: Case) -> Slip:
    v = _two_hidden_pass(case)
    sp = {k: float(_sig_prime(v["out_" + k])) for k in ("o", "h1", "h2")}
    d_o = (v["out_o"] - case["t"]) * sp["o"]
    return Slip({"delta_o": d_o, "delta_h1": case["w3"] * d_o * sp["h1"], "delta_h2": case["w4"] * d_o * sp["h2"]},
                "uses σ'(out) = σ(out)·(1 − σ(out)), the slope of σ at the neuron's output; the chain rule needs "
                "σ'(net) = out·(1 − out)")


def _two_hidden_db1_one(case: Case) -> list[Slip]:
    v = _two_hidden_pass(case)
    why = "b1 feeds both hidden neurons, so db1 = δ_h1 + δ_h2 (one term per path from b1 to the loss)"
    return [Slip({"db1": v["delta_h1"]}, "is δ_h1 alone: " + why), Slip({"db1": v["delta_h2"]}, "is δ_h2 alone: " + why)]


# ---------------------------------------------------------------------------------------------------------------
# 06 The fully connected layer, and chapter 6's 3-2-2 network node by node
# ---------------------------------------------------------------------------------------------------------------
EX06 = "ex06_fully_connected_layer"


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


def _net322_case(rng: np.random.Generator) -> Case:
    return {
        "x": rng.uniform(-1.0, 1.0, size=3),
        "t": rng.uniform(0.05, 0.95, size=2),
        "W_hidden": rng.uniform(0.2, 1.5, size=(2, 4)) * rng.choice([-1.0, 1.0], size=(2, 4)),
        "W_out": rng.uniform(0.2, 1.5, size=(2, 3)) * rng.choice([-1.0, 1.0], size=(2, 3)),
    }


def _ref_net322_backward_loops(x: np.ndarray, t: np.ndarray, W_hidden: np.ndarray,
                               W_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from bpcourse.models.net322 import backward_loops

    g = backward_loops(W_hidden, W_out, x, t)
    return g.dW_hidden, g.dW_out


def _net322_parts(case: Case) -> dict[str, np.ndarray]:
    from bpcourse.models.net322 import backward_matrix, forward

    v = forward(case["W_hidden"], case["W_out"], case["x"])
    g = backward_matrix(case["W_hidden"], case["W_out"], case["x"], case["t"])
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
    return slips


def _net322_sigma_prime_of_y(case: Case) -> Slip:
    v = _net322_parts(case)
    d_out = (v["y_out"] - case["t"]) * _sig_prime(v["y_out"])
    d_hid = (d_out @ case["W_out"][:, :2]) * _sig_prime(v["y_hidden"])
    return Slip({"dW_hidden": np.outer(d_hid, v["x_aug"]), "dW_out": np.outer(d_out, v["y_hidden_aug"])},
                "uses f'(y) = σ(y)·(1 − σ(y)), the slope at the node's output; the chain rule needs "
                "f'(net) = y·(1 − y)")


def _dense_loop_overwrites(case: Case) -> list[Slip]:
    """Gradients that kept only the last sample (or last unit): `=` where a loop should add up with `+=`."""
    dout, x, W = case["dout"], case["x"], case["W"]
    why = "look for `=` where `+=` belongs in a loop: each term of the sum must be added, not overwrite the last"
    return [Slip({"dW": np.outer(dout[-1], x[-1]), "db": dout[-1]}, "keeps only the last sample's term: " + why),
            Slip({"dx": np.outer(dout[:, -1], W[-1])}, "keeps only the last unit's term: " + why)]


# ---------------------------------------------------------------------------------------------------------------
# 07 Multilayer backprop in matrix form (two-layer sigmoid MLP, ½-SSE averaged over the batch)
# ---------------------------------------------------------------------------------------------------------------
EX07 = "ex07_matrix_form"


def _targets(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.uniform(0.0, 1.0, size=shape)


def _output_delta_case(rng: np.random.Generator) -> Case:
    n, _, n_out = _sizes(rng)
    return {"Z": rng.uniform(-3.0, 3.0, size=(n, n_out)), "T": _targets(rng, (n, n_out))}


def _ref_output_delta(Z: np.ndarray, T: np.ndarray) -> np.ndarray:
    from bpcourse.losses import half_sse

    return half_sse(_sig(Z), T)[1] * _sig_prime(Z)


def _output_delta_slips(case: Case) -> list[Slip]:
    Z, T = case["Z"], case["T"]
    A, n = _sig(Z), Z.shape[0]
    return [
        Slip((A - T) * Z * (1.0 - Z) / n, "uses Z·(1 − Z): the shortcut a·(1 − a) holds for the *output* "
                                          "A = σ(Z), so it needs σ(Z)·(1 − σ(Z))"),
        Slip((A - T) * _sig_prime(A) / n, "uses σ'(A), the slope of σ at the output; the chain rule needs "
                                          "σ'(Z) = A·(1 − A), the slope at the pre-activation"),
    ]


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


def _hidden_delta_slips(case: Case) -> list[Slip]:
    back, Z = case["delta_next"] @ case["W_next"], case["Z"]
    return [
        Slip(back * Z * (1.0 - Z), "uses Z·(1 − Z): the shortcut a·(1 − a) holds for the *activation* "
                                   "A = σ(Z), so it needs σ(Z)·(1 − σ(Z))"),
        Slip(back * _sig_prime(_sig(Z)), "uses σ'(A), the slope of σ at the activation; the chain rule needs "
                                         "σ'(Z) = A·(1 − A), the slope at the pre-activation"),
    ]


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


def _ref_mlp_backward(X, T, W1, b1, W2, b2) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from bpcourse.layers import Dense, Sigmoid
    from bpcourse.networks import Sequential

    net = Sequential(
        [Dense(W1.shape[1], W1.shape[0], W=W1, b=b1), Sigmoid(), Dense(W2.shape[1], W2.shape[0], W=W2, b=b2), Sigmoid()],
        loss="half_sse",
    )
    net.loss_and_grad(X, T)
    g = net.gradients()
    return g["0.W"], g["0.b"], g["2.W"], g["2.b"]


def _mlp_article_delta(case: Case) -> Slip:
    """Article D's δ = o − t at the output (no σ'(Z2)), averaged: the slip chapter 7 proves wrong."""
    X, T, W1, b1, W2, b2 = (case[k] for k in ("X", "T", "W1", "b1", "W2", "b2"))
    A1 = _sig(X @ W1.T + b1)
    A2 = _sig(A1 @ W2.T + b2)
    d2 = (A2 - T) / X.shape[0]
    d1 = (d2 @ W2) * A1 * (1.0 - A1)
    return Slip({"dW1": d1.T @ X, "db1": d1.sum(axis=0), "dW2": d2.T @ A1, "db2": d2.sum(axis=0)},
                "uses Article D's δ_out = A − T: with a sigmoid output and the ½-squared error the output δ also "
                "carries σ'(Z2) (A − T alone is right for cross-entropy, chapter 8)")


def _one_over_n(key: str):
    def factor(case: Case) -> float:
        return 1.0 / case[key].shape[0]

    return factor


# ---------------------------------------------------------------------------------------------------------------
# 08 Softmax, cross-entropy
# ---------------------------------------------------------------------------------------------------------------
EX08 = "ex08_softmax_cross_entropy"


def _logits(rng: np.random.Generator) -> np.ndarray:
    """A batch of logits (n, C), n ≠ C, that only a softmax shifted by each row's own maximum survives.

    One row is spread wide: its largest logit, never in column 0, is 1500 to 2500 above the rest, so
    subtracting the row's mean, minimum or first entry still leaves an exponent past e^709 (overflow: inf/inf).
    Another row sits 750 to 1000 below every other row, so subtracting the batch's (or a column's) maximum
    leaves only exponents below e^(−745), which underflow to 0 (0/0). Every other entry is in [−4, 4].
    """
    n = int(rng.integers(3, 7))
    c = int(rng.integers(2, 6))
    while c == n:  # a mean over the n·C entries must not look like a mean over the n samples
        c = int(rng.integers(2, 6))
    Z = rng.uniform(-4.0, 4.0, size=(n, c))
    wide, low = rng.choice(n, size=2, replace=False)
    Z[wide, int(rng.integers(1, c))] += float(rng.uniform(1500.0, 2500.0))
    Z[low] -= float(rng.uniform(750.0, 1000.0))
    return Z


def _one_hot(rng: np.random.Generator, n: int, c: int) -> np.ndarray:
    T = np.zeros((n, c))
    T[np.arange(n), rng.integers(0, c, size=n)] = 1.0
    return T


def _softmax_case(rng: np.random.Generator) -> Case:
    return {"NET": _logits(rng)}


def _ref_softmax(NET: np.ndarray) -> np.ndarray:
    from bpcourse.activations import softmax

    return softmax(NET)


def _cross_entropy_case(rng: np.random.Generator) -> Case:
    n = int(rng.integers(2, 7))
    c = int(rng.integers(2, 6))
    while c == n:
        c = int(rng.integers(2, 6))
    P = rng.uniform(0.05, 1.0, size=(n, c))
    return {"P": P / P.sum(axis=1, keepdims=True), "T": _one_hot(rng, n, c)}


def _ref_cross_entropy(P: np.ndarray, T: np.ndarray) -> float:
    # E = −(1/n) Σ_s Σ_c T_sc log P_sc; with a one-hot T this is the mean of −log(probability of the true class)
    return -float(np.sum(T * np.log(P))) / P.shape[0]


def _cross_entropy_over_classes(case: Case) -> Slip:
    c = case["P"].shape[1]
    return Slip(_ref_cross_entropy(case["P"], case["T"]) / c,
                f"is 1/C = 1/{c} of the expected value: np.mean over the whole (n, C) array divides by n·C; "
                f"the loss averages over the n samples only, after summing over the C classes")


def _softmax_ce_case(rng: np.random.Generator) -> Case:
    NET = _logits(rng)
    return {"NET": NET, "T": _one_hot(rng, *NET.shape)}


def _ref_softmax_ce_backward(NET: np.ndarray, T: np.ndarray) -> np.ndarray:
    from bpcourse.losses import softmax_cross_entropy

    return softmax_cross_entropy(NET, T)[1]


def _softmax_ce_over_classes(case: Case) -> Slip:
    n, c = case["NET"].shape
    return Slip(_ref_softmax_ce_backward(case["NET"], case["T"]) / c,
                f"is 1/C = 1/{c} of the expected value: divide by the n = {n} samples only (np.mean over "
                f"the whole array would divide by n·C)")


# ---------------------------------------------------------------------------------------------------------------
# 09 Training in practice: optimiser steps (pure functions: new arrays out, inputs untouched)
# ---------------------------------------------------------------------------------------------------------------
EX09 = "ex09_training_in_practice"


def _shape(rng: np.random.Generator) -> tuple[int, ...]:
    return (int(rng.integers(2, 6)),) if rng.random() < 0.5 else (int(rng.integers(2, 4)), int(rng.integers(2, 4)))


def _sgd_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {"w": rng.standard_normal(s), "g": rng.standard_normal(s), "eta": float(rng.uniform(0.01, 0.5))}


_UPHILL = "steps in the wrong direction: adding η·g climbs the loss; a descent step moves against the gradient"


def _sgd_uphill(case: Case) -> Slip:
    return Slip(case["w"] + case["eta"] * case["g"], _UPHILL)


def _momentum_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {
        "w": rng.standard_normal(s),
        "v": 0.1 * rng.standard_normal(s),
        "g": rng.standard_normal(s),
        "eta": float(rng.uniform(0.01, 0.5)),
        "beta": float(rng.uniform(0.5, 0.95)),
    }


def _momentum_slips(case: Case) -> list[Slip]:
    w, v, g, eta, beta = (case[k] for k in ("w", "v", "g", "eta", "beta"))
    v_up = beta * v + eta * g
    return [
        Slip({"w": w + v_up, "v": v_up}, _UPHILL),
        Slip({"w": w - v_up, "v": v_up}, "stores the velocity with the other sign (v ← β·v + η·g, w ← w − v, "
                                         "as some books do): here v points the way w moves, v ← β·v − η·g, "
                                         "w ← w + v"),
    ]


def _adam_case(rng: np.random.Generator) -> Case:
    s = _shape(rng)
    return {
        "w": rng.standard_normal(s),
        "m": 0.1 * rng.standard_normal(s),
        "v": 0.1 * rng.uniform(0.0, 1.0, size=s),
        "g": rng.standard_normal(s),
        "t": int(rng.integers(1, 8)),  # early steps, where the bias correction (and an off-by-one t) matters
        "eta": float(rng.uniform(0.01, 0.2)),
        "beta1": float(rng.uniform(0.8, 0.95)),
        "beta2": float(rng.uniform(0.9, 0.999)),
        "eps": 1e-8,
    }


def _adam_parts(case: Case, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(w_new, m, v, m̂, v̂) of the step with step number ``t``, by the formulas."""
    w, m, v, g, eta, b1, b2, eps = (case[k] for k in ("w", "m", "v", "g", "eta", "beta1", "beta2", "eps"))
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * g * g
    m_hat, v_hat = m / (1.0 - b1**t), v / (1.0 - b2**t)
    return w - eta * m_hat / (np.sqrt(v_hat) + eps), m, v, m_hat, v_hat


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
    slips.append(Slip({"w": case["w"] - eta * m / (np.sqrt(v) + eps)},
                      "skips the bias correction: m and v start at zero, so divide them by 1 − β1^t and 1 − β2^t "
                      "before they move w, or the first steps come out too small"))
    return slips


# ---------------------------------------------------------------------------------------------------------------
# Fixed edge cases (Task.edge_cases): graded on every run after the random cases, because a random draw can miss
# them. Each is chosen so that a known partly wrong answer fails on it whatever the seed.
# ---------------------------------------------------------------------------------------------------------------
def _arr(*rows: Any) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


# both array ranks: a loop over net's entries with math.exp works on a vector, fails on a matrix
_NET_EDGES = ({"net": _arr(-6.0, -1.5, 0.0, 0.5, 3.0)}, {"net": _arr([-4.0, 0.25, 2.0], [1.0, -0.75, 6.0])})

# t = 0 and t = 1: an answer with the target built in (t = 1, the AND row's or the example's) fails on one;
# x has entries of both signs
_NEURON_EDGES = tuple({"w": _arr(0.8, -1.2, 0.5), "b": 0.3, "x": _arr(0.6, -0.9, 0.4), "t": t} for t in (0.0, 1.0))
_NEURON_STEP_EDGES = tuple(dict(c, eta=2.0) for c in _NEURON_EDGES)

# a max gate, each input winning once with either sign; the loser always has the larger |value| or the winner
# a negative one, so comparing |x| with |y| (or x with 0) instead of x with y fails on some of them
_MAX_EDGES = (
    {"x": 1.0, "y": -2.5, "dout": 1.5},    # x wins, |x| < |y|
    {"x": -2.5, "y": 1.0, "dout": -0.75},  # y wins, |x| > |y|
    {"x": -0.5, "y": -2.0, "dout": 2.0},   # x wins, x < 0
    {"x": 0.5, "y": 2.0, "dout": -1.25},   # y wins, x > 0
)

# g = (x·y + max(y, z))·w with y winning twice (its gradient then has both paths) and z winning twice
_BRANCH_EDGES = (
    {"x": 1.5, "y": 2.0, "z": -3.0, "w": -1.2},   # y wins, |y| < |z|
    {"x": -0.8, "y": -3.0, "z": 2.0, "w": 2.0},   # z wins, |y| > |z|
    {"x": 2.0, "y": -1.0, "z": -2.5, "w": 0.7},   # y wins, y < 0
    {"x": -1.5, "y": 1.0, "z": 2.5, "w": -0.6},   # z wins, y > 0
)

# 0/0 (both zero, as a vector and as a matrix): the exercise's rule returns 0.0; one side zero: exactly 1,
# from either side (an answer returning 0.0 as soon as *one* of them is zero fails)
_REL_ERROR_EDGES = (
    {"a": np.zeros(3), "b": np.zeros(3)},
    {"a": np.zeros((2, 2)), "b": np.zeros((2, 2))},
    {"a": np.zeros(3), "b": _arr(1.0, -2.0, 2.0)},
    {"a": _arr([3.0, 0.0], [0.0, 4.0]), "b": np.zeros((2, 2))},
)

# x a 2 × 3 matrix (and a vector): a central_difference that indexes x[i] for i < len(x) nudges whole rows and
# returns len(x) entries, so it fails here on every seed, as in the hidden test's 2-D x
_CUBIC_EDGES = (
    {"c3": _arr(0.5, -0.25, 1.0), "A": _arr([1.0, 2.0, 0.0], [-1.0, 0.5, 1.5], [0.0, -2.0, 1.0]),
     "b": _arr(0.3, -0.6, 0.9), "x": _arr(0.8, -1.1, 0.4), "eps": 5e-4},
    {"c3": _arr(0.5, -0.25, 1.0, -0.75, 0.25, 0.6),
     "A": np.array([[(-1.0) ** (i + j) * (1 + (2 * i + 3 * j) % 5) / 4 for j in range(6)] for i in range(6)]),
     "b": _arr(0.3, -0.6, 0.9, -1.2, 0.45, 0.15), "x": _arr([0.8, -1.1, 0.4], [1.3, -0.2, -0.9]), "eps": 5e-4},
)

# t = 0 and t = 1 (the chapter's example has t = 1): a target built into the answer fails on one
_TWO_HIDDEN_EDGES = tuple({"w1": 0.6, "w2": -0.9, "w3": 1.1, "w4": -0.7, "b1": 0.35, "b2": -0.4, "x": 1.2, "t": t}
                          for t in (0.0, 1.0))


# ---------------------------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------------------------
_SIGMOID = ("bpcourse.activations.sigmoid", "bpcourse.activations.sigmoid_scalar", "bpcourse.autodiff.Value.sigmoid")
_SIGMOID_LAYER = ("bpcourse.layers.ActivationLayer.forward", "bpcourse.layers.ActivationLayer.backward")
_NEURON = ("bpcourse.models.neuron.SigmoidNeuron.gradient", "bpcourse.models.neuron.SigmoidNeuron.sgd_step",
           "bpcourse.models.neuron.SigmoidNeuron.fit", "bpcourse.models.neuron.train_and",
           "bpcourse.models.neuron.delta", "bpcourse.models.neuron.SigmoidNeuron._step")
_AUTODIFF = ("bpcourse.autodiff.Value.backward",)
_CHAIN = ("bpcourse.models.chain.forward", "bpcourse.models.chain.gradients", "bpcourse.models.chain.train",
          "bpcourse.models.chain.numeric_gradients", "bpcourse.models.chain.sgd_step", "bpcourse.models.chain._step")
_TWO_HIDDEN = ("bpcourse.models.two_hidden.forward", "bpcourse.models.two_hidden.gradients",
               "bpcourse.models.two_hidden.numeric_gradients", "bpcourse.models.two_hidden.train")
_DENSE = ("bpcourse.layers.Dense.forward", "bpcourse.layers.Dense.backward")
_NET322 = ("bpcourse.models.net322.backward_loops", "bpcourse.models.net322.backward_matrix",
           "bpcourse.models.net322.numeric_gradients", "bpcourse.models.net322.train")
_SEQUENTIAL = ("bpcourse.networks.Sequential.loss_and_grad", "bpcourse.networks.Sequential.backward",
               "bpcourse.networks.Sequential.fit", "bpcourse.gradcheck.check_network")
_SOFTMAX = ("bpcourse.activations.softmax", "bpcourse.activations.softmax_jacobian")
_SOFTMAX_CE = ("bpcourse.losses.softmax_cross_entropy", "bpcourse.layers.SoftmaxCrossEntropy.forward",
               "bpcourse.layers.SoftmaxCrossEntropy.backward")
_OPTIMIZER = ("bpcourse.optimizers.Optimizer.step",)

_ALL: list[Task] = [
    # 01 -----------------------------------------------------------------------------------------------
    Task("ex01_sigmoid", EX01, "sigmoid", 2, _ref_sigmoid, _net_case,
          factors={"σ(−net)": lambda c: Slip(_sig(-c["net"]), "is σ(−net) = 1 − σ(net): check the sign of the "
                                                               "exponent (σ(net) grows with net)")},
          guards=_SIGMOID + _SIGMOID_LAYER,
          solution="σ(net) = 1 / (1 + np.exp(−net)), element-wise",
          edge_cases=_NET_EDGES,
          description="the logistic function, element-wise on an array of any shape (np.exp works on arrays)"),
    Task("ex01_sigmoid_prime", EX01, "sigmoid_prime", 2, _ref_sigmoid_prime, _net_case,
          factors={"σ(net)": lambda c: _sig(c["net"]), "(1 − σ(net))": lambda c: 1.0 - _sig(c["net"]),
                   "net·(1 − net)": _z_one_minus_z("net")},
          guards=("bpcourse.activations.sigmoid_prime",) + _SIGMOID_LAYER,
          solution="s = σ(net); σ'(net) = s·(1 − s)",
          edge_cases=_NET_EDGES,
          description="σ' written through σ itself: the shortcut o·(1 − o) is in terms of the output o = σ(net)"),
    Task("ex01_neuron_gradient", EX01, "neuron_gradient", 4, _ref_neuron_gradient, _neuron_case,
          outputs=("dw", "db"),
          factors={"σ'(net)": _neuron_sigma_prime, "σ'(o)": _neuron_sigma_prime_of_o},
          guards=_NEURON,
          solution="o = σ(w·x + b); δ = (o − t)·o·(1 − o); dw = δ·x, db = δ",
          edge_cases=_NEURON_EDGES,
          description="one link of the chain rule per factor: ∂L/∂o, then ∂o/∂net, then ∂net/∂w_j (or ∂net/∂b)"),
    Task("ex01_neuron_sgd_step", EX01, "neuron_sgd_step", 2, _ref_neuron_sgd_step, _neuron_step_case,
          outputs=("w", "b"),
          factors={"uphill": _neuron_uphill, "no η": _neuron_step_no_eta},
          guards=_NEURON,
          solution="dw, db = the gradient at (w, b); w_new = w − η·dw, b_new = b − η·db",
          edge_cases=_NEURON_STEP_EDGES,
          description="one gradient-descent step: the gradient at the current (w, b), then a step of size η "
                      "against it; new values out, inputs untouched"),
    # 02 -----------------------------------------------------------------------------------------------
    Task("ex02_mul_backward", EX02, "mul_backward", 2, _ref_mul_backward, _gate_case,
          outputs=("dx", "dy"), factors={"upstream gradient dout": lambda c: c["dout"]},
          guards=_AUTODIFF,
          solution="dx = dout·y, dy = dout·x",
          description="multiply gate: each input's local derivative is the *other* input, times the gradient "
                      "arriving from above"),
    Task("ex02_max_backward", EX02, "max_backward", 2, _ref_max_backward, _gate_case,
          outputs=("dx", "dy"), factors={"upstream gradient dout": lambda c: c["dout"], "to the loser": _max_to_loser},
          guards=_AUTODIFF,
          solution="(dout, 0) if x > y else (0, dout)",
          edge_cases=_MAX_EDGES,
          description="max gate: the gradient is routed, not scaled; only the input that won the forward pass "
                      "can change the output"),
    Task("ex02_add_mul_gradients", EX02, "add_mul_gradients", 3, _ref_add_mul_gradients, _xyz_case,
          outputs=("dx", "dy", "dz"),
          guards=_AUTODIFF,
          solution="dx = dy = z (the add gate passes ∂f/∂q = z on), dz = x + y",
          description="f = (x + y)·z: start from ∂f/∂f = 1 at the multiply node, then the add node passes its "
                      "gradient on unchanged"),
    Task("ex02_branch_gradients", EX02, "branch_gradients", 3, _ref_branch_gradients, _branch_case,
          outputs=("dx", "dy", "dz", "dw"),
          factors={"upstream gradient w": lambda c: {"dx": c["w"], "dy": c["w"], "dz": c["w"]},
                   "one path": _branch_one_path},
          guards=_AUTODIFF,
          solution="s = x·y + max(y, z); dw = s, ds = w; dx = w·y; dy = w·x + (w if y > z else 0); "
                   "dz = (0 if y > z else w)",
          edge_cases=_BRANCH_EDGES,
          description="g = (x·y + max(y, z))·w: y feeds two nodes, and the gradients along both paths add up"),
    # 03 -----------------------------------------------------------------------------------------------
    Task("ex03_chain_forward", EX03, "chain_forward", 2, _ref_chain_forward, _chain_forward_case,
          outputs=("y", "z", "e"),
          guards=_CHAIN,
          solution="y = w1·x, z = w2·y, e = w3·z",
          description="three one-weight layers in a row: each multiplies what it receives by its weight"),
    Task("ex03_chain_gradients", EX03, "chain_gradients", 5, _ref_chain_gradients, _chain_case,
          outputs=("dw1", "dw2", "dw3"),
          factors={"w3": lambda c: {"dw1": c["w3"], "dw2": c["w3"]}, "w2": lambda c: {"dw1": c["w2"]}},
          guards=_CHAIN,
          solution="dw3 = (e − t)·z, dw2 = (e − t)·w3·y, dw1 = (e − t)·w3·w2·x, all at the given weights",
          description="carry ∂L/∂e = e − t backwards; it picks up one weight per layer it passes"),
    Task("ex03_chain_sgd_step", EX03, "chain_sgd_step", 3, _ref_chain_sgd_step, _chain_step_case,
          outputs=("w1", "w2", "w3"),
          factors={"article order": _chain_article_order, "uphill": _chain_uphill},
          guards=_CHAIN,
          solution="dw1, dw2, dw3 = the gradients at (w1, w2, w3); then w_k − η·dw_k for k = 1, 2, 3",
          description="one SGD step: every gradient at one point (the old weights), and only then the updates"),
    # 04 -----------------------------------------------------------------------------------------------
    Task("ex04_rel_error", EX04, "rel_error", 3, _ref_rel_error, _rel_error_case,
          guards=("bpcourse.gradcheck.rel_error",),
          solution="‖a − b‖ / (‖a‖ + ‖b‖) with np.linalg.norm, and 0.0 when both are zero",
          edge_cases=_REL_ERROR_EDGES,
          description="a relative error that is symmetric in a and b and scale-free: a norm of the difference "
                      "over the size of both"),
    Task("ex04_central_difference", EX04, "probe_central_difference", 4, _ref_probe_central_difference,
          _cubic_case, rtol=1e-8,
          factors={"one-sided": _one_sided},
          edge_cases=_CUBIC_EDGES,
          guards=("bpcourse.gradcheck.numeric_gradient",),
          solution="g_i = (f(x + ε e_i) − f(x − ε e_i)) / (2ε) for every entry i, on copies of x",
          description="your central_difference on a cubic: nudge one entry at a time, both ways, and leave the "
                      "caller's x unchanged"),
    Task("ex04_quadratic_gradient", EX04, "quadratic_gradient", 3, _ref_quadratic_gradient, _quadratic_case,
          factors={"Ax + b": _quadratic_symmetric},
          solution="½(A + Aᵀ)x + b",
          description="the gradient of ½xᵀAx + bᵀx for a square A that need not be symmetric: x_k appears in the "
                      "double sum as x_i and as x_j"),
    # 05 -----------------------------------------------------------------------------------------------
    Task("ex05_two_hidden_forward", EX05, "two_hidden_forward", 2, _ref_two_hidden_forward,
          _two_hidden_forward_case, outputs=("out_h1", "out_h2", "out_o"),
          factors={"literal bias": _two_hidden_literal_bias},
          guards=_TWO_HIDDEN,
          solution="out_h1 = σ(w1·x + b1), out_h2 = σ(w2·x + b1), out_o = σ(w3·out_h1 + w4·out_h2 + b2)",
          description="forward pass, shared-bias reading: b1 feeds both hidden neurons, b2 only the output"),
    Task("ex05_two_hidden_deltas", EX05, "two_hidden_deltas", 3, _ref_two_hidden_deltas, _two_hidden_case,
          outputs=("delta_o", "delta_h1", "delta_h2"),
          factors={"σ'(net_o)": _two_hidden_sigma_prime("o"),
                   "σ'(net_h1)": _two_hidden_sigma_prime("h1", ("delta_h1",)),
                   "σ'(net_h2)": _two_hidden_sigma_prime("h2", ("delta_h2",)),
                   "σ'(out)": _two_hidden_sigma_prime_of_out},
          guards=_TWO_HIDDEN,
          solution="δ_o = (out_o − t)·out_o·(1 − out_o), δ_h1 = w3·δ_o·out_h1·(1 − out_h1), "
                   "δ_h2 = w4·δ_o·out_h2·(1 − out_h2)",
          edge_cases=_TWO_HIDDEN_EDGES,
          description="δ = ∂L/∂net: the output's from the loss, each hidden neuron's from δ_o through the weight "
                      "it feeds, each times σ' at its own net"),
    Task("ex05_two_hidden_gradients", EX05, "two_hidden_gradients", 5, _ref_two_hidden_gradients,
          _two_hidden_case, outputs=("dw1", "dw2", "dw3", "dw4", "db1", "db2"),
          factors={"σ'(net_o)": _two_hidden_sigma_prime("o"),
                   "σ'(net_h1)": _two_hidden_sigma_prime("h1", ("dw1",)),
                   "σ'(net_h2)": _two_hidden_sigma_prime("h2", ("dw2",)),
                   "db1 one path": _two_hidden_db1_one},
          guards=_TWO_HIDDEN,
          solution="dw1 = δ_h1·x, dw2 = δ_h2·x, dw3 = δ_o·out_h1, dw4 = δ_o·out_h2, db1 = δ_h1 + δ_h2, db2 = δ_o",
          edge_cases=_TWO_HIDDEN_EDGES,
          description="each weight: the δ of the neuron it feeds times the value it carries in; a bias: the δ's of "
                      "every neuron it feeds"),
    # 06 -----------------------------------------------------------------------------------------------
    Task("ex06_dense_forward", EX06, "dense_forward", 2, _ref_dense_forward, _dense_forward_case,
          guards=_DENSE,
          solution="net = x @ W.T + b",
          description="net for a batch, one sample per row: W is (n_out, n_in), so the shapes tell where the "
                      "transpose goes"),
    Task("ex06_net322_backward_loops", EX06, "net322_backward_loops", 4, _ref_net322_backward_loops,
          _net322_case, outputs=("dW_hidden", "dW_out"),
          factors={"one output": _net322_one_output, "f'(y)": _net322_sigma_prime_of_y},
          guards=_NET322,
          solution="δ_k = (y_k − t_k)·y_k·(1 − y_k); δ_j = Σ_k δ_k·w_kj·y_j·(1 − y_j); "
                   "dE/dw_kj = δ_k·y_j, dE/dw_ji = δ_j·x_i (bias inputs 1)",
          description="the 3-2-2 network node by node: the outputs' δ first, then each hidden δ_j as the total "
                      "derivative over the outputs it feeds, then each weight's δ × the value it carries"),
    Task("ex06_dense_backward", EX06, "dense_backward", 4, _ref_dense_backward, _dense_backward_case,
          outputs=("dx", "dW", "db"),
          factors={"overwritten sum": _dense_loop_overwrites},
          guards=_DENSE,
          solution="dx = dout @ W, dW = dout.T @ x, db = dout.sum(axis=0)",
          description="one matrix product or sum per gradient; every gradient has the shape of what it is the "
                      "gradient of, and the sums over samples are what the products add up"),
    # 07 -----------------------------------------------------------------------------------------------
    Task("ex07_output_delta", EX07, "output_delta", 2, _ref_output_delta, _output_delta_case,
          factors={"σ'(Z)": lambda c: _sig_prime(c["Z"]), "1/n": _one_over_n("Z"),
                   # both at once: Article D's δ = o − t
                   "σ'(Z)/n": lambda c: _sig_prime(c["Z"]) / c["Z"].shape[0],
                   "σ'(Z) forms": _output_delta_slips},
          guards=_SIGMOID_LAYER + ("bpcourse.activations.sigmoid_prime",),
          solution="A = σ(Z); δ = (A − T)·A·(1 − A) / n",
          description="δ of a sigmoid output for the ½-squared error averaged over the batch: the loss's "
                      "gradient, the sigmoid's slope at Z, and the 1/n of the mean"),
    Task("ex07_hidden_delta", EX07, "hidden_delta", 3, _ref_hidden_delta, _hidden_delta_case,
          factors={"σ'(Z)": lambda c: _sig_prime(c["Z"]), "σ'(Z) forms": _hidden_delta_slips},
          guards=_SIGMOID_LAYER + _DENSE + ("bpcourse.activations.sigmoid_prime",),
          solution="A = σ(Z); δ = (delta_next @ W_next) · A·(1 − A)",
          description="one step of the δ recursion: back through the next layer's weights (shapes say how), "
                      "then through this layer's sigmoid"),
    Task("ex07_mlp_backward", EX07, "mlp_backward", 5, _ref_mlp_backward, _mlp_case,
          outputs=("dW1", "db1", "dW2", "db2"),
          factors={"1/n": _one_over_n("X"), "Article D's δ": _mlp_article_delta},
          guards=_SEQUENTIAL + _DENSE + _SIGMOID_LAYER,
          solution="δ2 = (A2 − T)·A2·(1 − A2)/n, dW2 = δ2ᵀA1, db2 = Σ_s δ2; δ1 = (δ2 W2)·A1·(1 − A1), "
                   "dW1 = δ1ᵀX, db1 = Σ_s δ1",
          description="forward keeping Z1, A1, Z2, A2; then the output δ, the hidden δ, and each layer's "
                      "gradients from its δ and its input"),
    # 08 -----------------------------------------------------------------------------------------------
    Task("ex08_softmax", EX08, "softmax", 3, _ref_softmax, _softmax_case,
          guards=_SOFTMAX + _SOFTMAX_CE,
          solution="E = np.exp(NET − NET.max(axis=1, keepdims=True)); P = E / E.sum(axis=1, keepdims=True)",
          description="softmax of each row, stable for any finite logits: shift each row by its own largest "
                      "entry first (the cases include rows spread by ~2000)"),
    Task("ex08_cross_entropy", EX08, "cross_entropy", 3, _ref_cross_entropy, _cross_entropy_case,
          factors={"1/n": _one_over_n("P"), "1/C": _cross_entropy_over_classes},
          guards=_SOFTMAX_CE + ("bpcourse.losses.binary_cross_entropy",),
          solution="E = −np.sum(T·log P) / n",
          description="the mean over the n samples of −log(probability given to the true class)"),
    Task("ex08_softmax_ce_backward", EX08, "softmax_ce_backward", 4, _ref_softmax_ce_backward, _softmax_ce_case,
          factors={"1/n": _one_over_n("NET"), "1/C": _softmax_ce_over_classes},
          guards=_SOFTMAX + _SOFTMAX_CE,
          solution="(softmax(NET) − T) / n, with a stable softmax",
          description="∂E/∂NET for softmax followed by the mean cross-entropy: the chain rule collapses to a "
                      "difference, divided by the batch size"),
    # 09 -----------------------------------------------------------------------------------------------
    Task("ex09_sgd_step", EX09, "sgd_step", 2, sgd_step, _sgd_case,
          factors={"uphill": _sgd_uphill},
          guards=_OPTIMIZER + ("bpcourse.optimizers.SGD.update", "bpcourse.optimizers.sgd_step"),
          solution="w − η·g, as a new array",
          description="one gradient-descent step of size η against the gradient, returned as a new array"),
    Task("ex09_momentum_step", EX09, "momentum_step", 3, momentum_step, _momentum_case,
          outputs=("w", "v"),
          factors={"momentum slips": _momentum_slips},
          guards=_OPTIMIZER + ("bpcourse.optimizers.Momentum.update", "bpcourse.optimizers.momentum_step"),
          solution="v_new = β·v − η·g; w_new = w + v_new",
          description="heavy ball: the velocity remembers past steps and points the way w moves; new arrays, "
                      "inputs untouched"),
    Task("ex09_adam_step", EX09, "adam_step", 5, adam_step, _adam_case,
          outputs=("w", "m", "v"),
          factors={"Adam slips": _adam_slips},
          guards=_OPTIMIZER + ("bpcourse.optimizers.Adam.update", "bpcourse.optimizers.adam_step"),
          solution="m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g²; m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t); "
                   "w − η·m̂/(√v̂ + ε); return (w, m, v)",
          description="Adam's step number t (1 first): running means of g and g², corrected for starting at "
                      "zero before they move w; the state returned is the uncorrected means"),
]

from dataclasses import replace as _replace  # noqa: E402  TEMPORARY until the spec split

from bpcourse.grading._uses import USES as _USES  # noqa: E402

_ALL = [_replace(t, uses=_USES[t.id]) if t.id in _USES else t for t in _ALL]
TASKS: dict[str, Task] = {task.id: task for task in _ALL}
if len(TASKS) != len(_ALL):  # pragma: no cover - guards the table itself
    raise RuntimeError("duplicate Task.id in bpcourse.grading.tasks")

EXERCISES: tuple[str, ...] = tuple(dict.fromkeys(task.exercise for task in _ALL))


# ------------------------------------------------------------------------------------- the sandbox's world
# What each exercise hands out inside the grading sandbox: the bpcourse names its cells import, and nothing
# else (bpcourse.grading.facade builds the learner's facade of bpcourse from exactly these; every other
# bpcourse name, and every library but the standard library, numpy and matplotlib, raises ImportError there).
# tests/test_grading_allowlist.py checks each list against the notebook's own imports.
_GRADCHECK = ("bpcourse.gradcheck.numeric_gradient", "bpcourse.gradcheck.rel_error")
_SETUP = ("bpcourse.grading.check", "bpcourse.grading.cells.quiet")
_ALONE = ("bpcourse.grading.alone",)  # exercises whose tasks call earlier graded functions
ALLOWLISTS: dict[str, tuple[str, ...]] = {
    "ex01_single_neuron": _SETUP + _ALONE + _GRADCHECK,
    "ex02_chain_rule": _SETUP + _ALONE,
    "ex03_three_layer_chain": _SETUP + _ALONE + ("bpcourse.models.chain.numeric_gradients",),
    "ex04_gradient_checking": _SETUP,
    "ex05_two_hidden_neurons": _SETUP + _ALONE + ("bpcourse.models.two_hidden.numeric_gradients",),
    "ex06_fully_connected_layer": _SETUP + _GRADCHECK + ("bpcourse.models.net322.numeric_gradients",),
    "ex07_matrix_form": _SETUP + _GRADCHECK,
    "ex08_softmax_cross_entropy": _SETUP + _GRADCHECK,
    "ex09_training_in_practice": _SETUP,
}
# Names an exercise's cells import but its sandbox withholds, and why. Each may appear only in cells the
# grader never runs (hidden tests), so the source still earns full marks.
WITHHELD: dict[str, dict[str, str]] = {
    "ex04_gradient_checking": {
        "bpcourse.gradcheck.numeric_gradient": "the answer of ex04_central_difference",
        "bpcourse.gradcheck.rel_error": "the answer of ex04_rel_error",
    },
}


def allowlist_for(exercise: str) -> tuple[str, ...]:
    """The bpcourse names the grading sandbox hands out for ``exercise`` (raises LookupError if unknown)."""
    if exercise not in ALLOWLISTS:
        raise LookupError(f"no allowlist for exercise {exercise!r}; expected one of {', '.join(ALLOWLISTS)}")
    return ALLOWLISTS[exercise]


def tasks_for(exercise: str) -> list[Task]:
    """The tasks of one exercise notebook, in notebook order, e.g. ``tasks_for("ex06_fully_connected_layer")``."""
    tasks = [task for task in _ALL if task.exercise == exercise]
    if not tasks:
        raise ValueError(f"unknown exercise {exercise!r}; expected one of {', '.join(EXERCISES)}")
    return tasks


__all__ = ["TASKS", "EXERCISES", "tasks_for", "ALLOWLISTS", "WITHHELD", "allowlist_for"]
