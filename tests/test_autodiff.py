"""Tests for bpcourse.autodiff: gradients against central differences, sympy, and hand-written NumPy backprop."""
from __future__ import annotations

import ast
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bpcourse.autodiff import Value, count_nodes, topological_order
from bpcourse.gradcheck import numeric_gradient, rel_error

TOL = 1e-7  # CONTRIBUTING: every derivative within 1e-7 of central differences in float64
EPS = 1e-6


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats with lo ≤ |x| ≤ hi, either sign."""
    return floats(lo, hi).flatmap(lambda m: st.sampled_from([m, -m]))


def autodiff_grad(fn, point) -> np.ndarray:
    leaves = [Value(float(p)) for p in point]
    fn(*leaves).backward()
    return np.array([v.grad for v in leaves])


def central_diff_grad(fn, point) -> np.ndarray:
    x = np.array(point, dtype=np.float64)
    return numeric_gradient(lambda a: fn(*(Value(float(v)) for v in a)).data, x, EPS)


def assert_gradcheck(fn, point) -> None:
    analytic, numeric = autodiff_grad(fn, point), central_diff_grad(fn, point)
    err = rel_error(analytic, numeric)
    assert err <= TOL, f"at {point}: autodiff {analytic} vs numeric {numeric}, rel. error {err:.2e}"


# ---------------------------------------------------------------------------------------------------------
# The chapter-2 example
# ---------------------------------------------------------------------------------------------------------

def test_classic_example_values_and_grads():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    f = q * z
    f.backward()
    assert f.data == -12.0
    assert (x.grad, y.grad, z.grad, q.grad, f.grad) == (-4.0, -4.0, 3.0, -4.0, 1.0)
    assert f.op == "*" and f.parents == (q, z)
    assert q.op == "+" and q.parents == (x, y)
    assert x.op == "" and x.parents == () and x.label == "x"


def test_repr():
    x = Value(2.0)
    x.grad = -4.0
    assert repr(x) == "Value(data=2.0000, grad=-4.0000)"


def test_topological_order_puts_parents_first_and_each_node_once():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    order = topological_order(f)
    assert len(order) == 5 == count_nodes(f)
    assert order[-1] is f
    assert {id(n) for n in order} == {id(n) for n in (x, y, z, q, f)}
    pos = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert pos[id(p)] < pos[id(node)]


def test_topological_order_of_a_diamond_lists_shared_node_once():
    x = Value(1.5)
    a = x * 2.0          # constant 2.0 becomes its own leaf
    f = a.tanh() + a.exp()
    order = topological_order(f)
    assert len(order) == 6  # x, 2.0, a, tanh, exp, +
    assert sum(n is a for n in order) == 1


# ---------------------------------------------------------------------------------------------------------
# Forward values agree with math
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fn, ref", [
    ("exp", Value.exp, math.exp),
    ("log", Value.log, math.log),
    ("tanh", Value.tanh, math.tanh),
    ("sigmoid", Value.sigmoid, lambda a: 1.0 / (1.0 + math.exp(-a))),
    ("relu", Value.relu, lambda a: max(0.0, a)),
    ("neg", lambda v: -v, lambda a: -a),
    ("pow", lambda v: v ** 1.5, lambda a: a ** 1.5),
])
@settings(deadline=None)
@given(x=floats(0.01, 5.0), sign=st.sampled_from([1.0, -1.0]))
def test_forward_matches_math(name, fn, ref, x, sign):
    if name not in ("log", "pow"):
        x = sign * x
    assert math.isclose(fn(Value(x)).data, ref(x), rel_tol=1e-14, abs_tol=1e-300)


def test_mixed_operand_orders_forward():
    x = Value(4.0)
    assert [(x + 2).data, (2 + x).data, (x - 1).data, (1 - x).data] == [6.0, 6.0, 3.0, -3.0]
    assert [(x * 3).data, (3 * x).data, (x / 8).data, (8 / x).data, (-x).data] == [12.0, 12.0, 0.5, 2.0, -4.0]
    assert isinstance((x + 2).data, float)


# ---------------------------------------------------------------------------------------------------------
# Every op against central differences
# ---------------------------------------------------------------------------------------------------------

UNARY = {
    # name: (function, strategy for x). Domains keep |f'| well above the O(1e-10) round-off of the check.
    "neg": (lambda a: -a, floats(-5.0, 5.0)),
    "exp": (lambda a: a.exp(), floats(-5.0, 5.0)),
    "log": (lambda a: a.log(), floats(0.05, 10.0)),
    "tanh": (lambda a: a.tanh(), floats(-3.0, 3.0)),
    "sigmoid": (lambda a: a.sigmoid(), floats(-4.0, 4.0)),
    "relu": (lambda a: a.relu(), away_from_zero(1e-3, 3.0)),  # not at the kink
    "x+c": (lambda a: a + 2.5, floats(-5.0, 5.0)),
    "c+x": (lambda a: 2.5 + a, floats(-5.0, 5.0)),
    "x-c": (lambda a: a - 2.5, floats(-5.0, 5.0)),
    "c-x": (lambda a: 3 - a, floats(-5.0, 5.0)),
    "x*c": (lambda a: a * -1.5, floats(-5.0, 5.0)),
    "c*x": (lambda a: 2 * a, floats(-5.0, 5.0)),
    "x/c": (lambda a: a / 3.0, floats(-5.0, 5.0)),
    "c/x": (lambda a: 3.0 / a, away_from_zero(0.5, 5.0)),
}

BINARY = {
    "+": (lambda a, b: a + b, floats(-5.0, 5.0), floats(-5.0, 5.0)),
    "-": (lambda a, b: a - b, floats(-5.0, 5.0), floats(-5.0, 5.0)),
    "*": (lambda a, b: a * b, floats(-5.0, 5.0), floats(-5.0, 5.0)),
    "/": (lambda a, b: a / b, floats(-5.0, 5.0), away_from_zero(0.5, 5.0)),
}


@pytest.mark.parametrize("name", list(UNARY))
@settings(deadline=None)
@given(data=st.data())
def test_unary_op_gradcheck(name, data):
    fn, strategy = UNARY[name]
    assert_gradcheck(fn, [data.draw(strategy, label="x")])


@pytest.mark.parametrize("name", list(BINARY))
@settings(deadline=None)
@given(data=st.data())
def test_binary_op_gradcheck(name, data):
    fn, sa, sb = BINARY[name]
    assert_gradcheck(fn, [data.draw(sa, label="a"), data.draw(sb, label="b")])


@settings(deadline=None)
@given(x=floats(0.1, 3.0), n=away_from_zero(0.5, 3.0))
def test_pow_real_exponent_positive_base_gradcheck(x, n):
    assert_gradcheck(lambda a: a ** n, [x])


@settings(deadline=None)
@given(x=away_from_zero(0.1, 3.0), n=st.sampled_from([-3, -2, -1, 0, 1, 2, 3, 2.0]))
def test_pow_integer_exponent_any_sign_gradcheck(x, n):
    assert_gradcheck(lambda a: a ** n, [x])


def composite(a, b, c):
    # Uses every op; a, b and c each appear several times, so accumulation is exercised too.
    return ((a * b + c).tanh() * a.sigmoid() - (b ** 2 + 1).log() / (c.exp() + 1)
            + (a - c).relu() + 2.0 / (1.5 + b * b) - (-a) * c + a ** 3)


@settings(deadline=None)
@given(a=floats(-2.0, 2.0), b=floats(-2.0, 2.0), c=floats(-2.0, 2.0))
def test_composite_gradcheck(a, b, c):
    assume(abs(a - c) > 1e-3)  # stay off the ReLU kink
    assert_gradcheck(composite, [a, b, c])


@settings(deadline=None)
@given(x=floats(-4.0, 4.0))
def test_sigmoid_equals_sigmoid_built_from_primitives(x):
    built = Value(x)
    s_built = 1 / (1 + (-built).exp())
    s_built.backward()
    fused = Value(x)
    s = fused.sigmoid()
    s.backward()
    assert math.isclose(s.data, s_built.data, rel_tol=1e-14)
    assert math.isclose(fused.grad, built.grad, rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# Symbolic checks (sympy)
# ---------------------------------------------------------------------------------------------------------

X = sp.Symbol("x", real=True)
SIGMA = 1 / (1 + sp.exp(-X))


def test_tanh_derivative_symbolic():
    assert sp.simplify(sp.diff(sp.tanh(X), X) - (1 - sp.tanh(X) ** 2)) == 0


def test_sigmoid_derivative_symbolic():
    assert sp.simplify(sp.diff(SIGMA, X) - SIGMA * (1 - SIGMA)) == 0


@pytest.mark.parametrize("name, sym, method, lo, hi", [
    ("tanh", sp.tanh(X), Value.tanh, -3.0, 3.0),
    ("sigmoid", SIGMA, Value.sigmoid, -6.0, 6.0),
    ("exp", sp.exp(X), Value.exp, -3.0, 3.0),
    ("log", sp.log(X), Value.log, 0.1, 5.0),
    ("pow", X ** sp.Rational(5, 2), lambda v: v ** 2.5, 0.1, 3.0),
])
def test_unary_grads_match_sympy_at_random_points(name, sym, method, lo, hi):
    d = sp.lambdify(X, sp.diff(sym, X), "math")
    rng = np.random.default_rng(2)
    for p in rng.uniform(lo, hi, size=20):
        v = Value(float(p))
        method(v).backward()
        assert math.isclose(v.grad, d(float(p)), rel_tol=1e-12), f"{name}' at {p}"


def test_composite_grads_match_sympy_at_random_points():
    a, b, c = sp.symbols("a b c", real=True)
    sym = (sp.tanh(a * b + c) * (1 / (1 + sp.exp(-a))) - sp.log(b ** 2 + 1) / (sp.exp(c) + 1)
           + 2 / (sp.Rational(3, 2) + b * b) + a * c + a ** 3)
    grads = [sp.lambdify((a, b, c), sp.diff(sym, s), "math") for s in (a, b, c)]
    rng = np.random.default_rng(3)
    for point in rng.uniform(-2.0, 2.0, size=(20, 3)):
        pa, pb, pc = map(float, point)
        if pa - pc <= 1e-3:
            pc = pa - 0.5  # keep the ReLU active, where it is just a - c (left out of sym above)
        expected = np.array([g(pa, pb, pc) for g in grads]) + np.array([1.0, 0.0, -1.0])  # + ∇(a - c)
        got = autodiff_grad(composite, [pa, pb, pc])
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------------------
# Backward semantics
# ---------------------------------------------------------------------------------------------------------

def test_backward_twice_gives_same_grads():
    x, y = Value(0.7), Value(-1.3)
    f = (x * y).tanh() + x * x
    f.backward()
    first = (x.grad, y.grad)
    f.backward()
    assert (x.grad, y.grad) == first
    assert x.grad == pytest.approx((1 - math.tanh(0.7 * -1.3) ** 2) * -1.3 + 2 * 0.7, rel=1e-14)


def test_backward_on_second_output_replaces_grads_of_shared_leaves():
    x = Value(3.0)
    f = x * 2.0
    g = x * x
    f.backward()
    assert x.grad == 2.0
    g.backward()
    assert x.grad == 6.0  # not 2 + 6


@pytest.mark.parametrize("fn, expected", [
    (lambda x: x * x, 2 * 3.0),
    (lambda x: x + x, 2.0),
    (lambda x: x + x + x, 3.0),
    (lambda x: x - x, 0.0),
    (lambda x: x / x, 0.0),
    (lambda x: (x * x) * (x * x), 4 * 3.0 ** 3),
])
def test_node_used_several_times_accumulates(fn, expected):
    x = Value(3.0)
    fn(x).backward()
    assert x.grad == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_intermediate_reused():
    x, y = Value(2.0), Value(-0.5)
    a = x * y
    f = a * a + a  # df/da = 2a + 1 = -1
    f.backward()
    assert a.grad == -1.0
    assert (x.grad, y.grad) == (-1.0 * -0.5, -1.0 * 2.0)


def test_sum_of_100000_nodes():
    n = 100_000
    leaves = [Value(float(i % 7)) for i in range(n)]
    total = Value(0.0)
    for v in leaves:
        total = total + v  # a chain 100,000 deep: recursion would fail long before
    total.backward()
    assert total.data == float(sum(i % 7 for i in range(n)))
    assert all(v.grad == 1.0 for v in leaves)
    assert count_nodes(total) == 2 * n + 1


def test_product_chain_of_100000_nodes_reusing_one_leaf():
    n = 100_000
    x = Value(1.000001)
    p = x
    for _ in range(n):
        p = p * x  # p = x**(n+1), dp/dx = (n+1) x**n
    p.backward()
    assert p.data == pytest.approx(1.000001 ** (n + 1), rel=1e-9)
    assert x.grad == pytest.approx((n + 1) * 1.000001 ** n, rel=1e-9)
    first = x.grad
    p.backward()
    assert x.grad == first


# ---------------------------------------------------------------------------------------------------------
# A 2-3-1 tanh network: Values against hand-written NumPy backprop
# ---------------------------------------------------------------------------------------------------------

def _network_params(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5, 2))
    T = rng.standard_normal((5, 1))
    W1, b1 = rng.standard_normal((3, 2)), rng.standard_normal(3)
    W2, b2 = rng.standard_normal((1, 3)), rng.standard_normal(1)
    return X, T, W1, b1, W2, b2


def numpy_network(X, T, W1, b1, W2, b2):
    """Loss 0.5·mean‖y − t‖² and its gradients by hand: net = X @ W.T + b."""
    n = X.shape[0]
    net1 = X @ W1.T + b1
    H = np.tanh(net1)
    Y = H @ W2.T + b2
    loss = 0.5 * np.sum((Y - T) ** 2) / n
    dY = (Y - T) / n
    dW2, db2 = dY.T @ H, dY.sum(axis=0)
    delta1 = (dY @ W2) * (1.0 - H ** 2)  # δ = ∂E/∂net
    dW1, db1 = delta1.T @ X, delta1.sum(axis=0)
    dX = delta1 @ W1
    return loss, {"X": dX, "W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def value_network(X, T, W1, b1, W2, b2):
    P = {k: np.vectorize(Value, otypes=[object])(v) for k, v in
         {"X": X, "W1": W1, "b1": b1, "W2": W2, "b2": b2}.items()}
    n = X.shape[0]
    loss = Value(0.0)
    for s in range(n):
        h = [sum((P["W1"][j, i] * P["X"][s, i] for i in range(2)), P["b1"][j]).tanh() for j in range(3)]
        y = sum((P["W2"][0, j] * h[j] for j in range(3)), P["b2"][0])
        loss = loss + 0.5 * (y - float(T[s, 0])) ** 2
    loss = loss / n
    loss.backward()
    grads = {k: np.vectorize(lambda v: v.grad, otypes=[np.float64])(v) for k, v in P.items()}
    return loss.data, grads


def test_numpy_reference_network_passes_gradcheck():
    # The hand-written backprop is itself checked, so agreement below is not two copies of one mistake.
    X, T, W1, b1, W2, b2 = _network_params()
    _, grads = numpy_network(X, T, W1, b1, W2, b2)
    params = {"X": X, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
    for name, p in params.items():
        num = numeric_gradient(lambda _: numpy_network(X, T, W1, b1, W2, b2)[0], p, EPS)
        assert rel_error(grads[name], num) <= TOL, name


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_value_network_matches_numpy_backprop(seed):
    args = _network_params(seed)
    loss_np, grads_np = numpy_network(*args)
    loss_v, grads_v = value_network(*args)
    assert loss_v == pytest.approx(loss_np, rel=1e-12)
    for name in grads_np:
        assert grads_v[name].shape == grads_np[name].shape
        np.testing.assert_allclose(grads_v[name], grads_np[name], rtol=1e-12, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_value_network_matches_bpcourse_layers(seed):
    from bpcourse.layers import Dense, Tanh  # imported here so a layers bug shows up as one failure

    X, T, W1, b1, W2, b2 = _network_params(seed)
    d1, act, d2 = Dense(2, 3, W=W1, b=b1), Tanh(), Dense(3, 1, W=W2, b=b2)
    Y = d2.forward(act.forward(d1.forward(X)))
    loss_layers = 0.5 * np.sum((Y - T) ** 2) / X.shape[0]
    dX = d1.backward(act.backward(d2.backward((Y - T) / X.shape[0])))
    grads_layers = {"X": dX, "W1": d1.grads["W"], "b1": d1.grads["b"], "W2": d2.grads["W"], "b2": d2.grads["b"]}
    loss_v, grads_v = value_network(X, T, W1, b1, W2, b2)
    assert loss_v == pytest.approx(loss_layers, rel=1e-12)
    for name, g in grads_layers.items():
        assert grads_v[name].shape == g.shape
        np.testing.assert_allclose(grads_v[name], g, rtol=1e-12, atol=1e-12, err_msg=name)


# ---------------------------------------------------------------------------------------------------------
# Stability and bad input
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, expected", [(1e4, 1.0), (-1e4, 0.0), (800.0, 1.0), (-800.0, 0.0)])
def test_sigmoid_is_stable_for_large_inputs(x, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(x)
        s = v.sigmoid()
        s.backward()
    assert s.data == expected
    assert v.grad == 0.0


def test_sigmoid_tiny_tail_is_not_rounded_to_zero():
    # The stable branch computes e^x / (1 + e^x) for x < 0, which keeps the tail's relative accuracy.
    assert Value(-30.0).sigmoid().data == pytest.approx(math.exp(-30.0) / (1 + math.exp(-30.0)), rel=1e-14)


@pytest.mark.parametrize("x, shown", [(-1.0, "-1.0"), (0.0, "0.0"), (-2.5, "-2.5")])
def test_log_of_non_positive_raises(x, shown):
    with pytest.raises(ValueError, match=rf"^log needs a positive number, got {shown}$"):
        Value(x).log()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_data_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


@pytest.mark.parametrize("bad, name", [("3", "str"), (None, "NoneType"), ([1.0], "list"), (True, "bool"),
                                       (1 + 2j, "complex")])
def test_non_numeric_data_refused(bad, name):
    with pytest.raises(TypeError, match=f"got {name}"):
        Value(bad)


def test_value_of_value_refused():
    with pytest.raises(TypeError, match="got a Value"):
        Value(Value(1.0))


@pytest.mark.parametrize("op", [
    lambda v, o: v + o, lambda v, o: o + v, lambda v, o: v * o, lambda v, o: o * v,
    lambda v, o: v - o, lambda v, o: o - v, lambda v, o: v / o, lambda v, o: o / v,
])
@pytest.mark.parametrize("other, name", [("a", "str"), (None, "NoneType"), ([2.0], "list"), (False, "bool")])
def test_non_numeric_operand_refused(op, other, name):
    with pytest.raises(TypeError, match=f"must be a Value, int or float, got {name}"):
        op(Value(2.0), other)


def test_array_operand_refused_with_hint():
    with pytest.raises(TypeError, match=r"got ndarray.*array of Values"):
        Value(1.0) + np.ones(3)


def test_numpy_float_operand_accepted():
    assert (Value(1.0) + np.float64(2.0)).data == 3.0


def test_pow_errors():
    with pytest.raises(TypeError, match="exponent must be a constant int or float, got a Value"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(TypeError, match="got str"):
        Value(2.0) ** "2"
    with pytest.raises(ValueError, match="negative base needs an integer exponent"):
        Value(-8.0) ** (1 / 3)
    with pytest.raises(ZeroDivisionError, match="negative power"):
        Value(0.0) ** -1
    root = Value(0.0) ** 0.5
    assert root.data == 0.0
    with pytest.raises(ValueError, match="no finite derivative at x = 0"):
        root.backward()


def test_zero_power_at_zero_has_zero_gradient():
    x = Value(0.0)
    (x ** 0).backward()
    assert x.grad == 0.0


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError, match="division by a Value with data 0.0"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError):
        1.0 / Value(0.0)


def test_overflow_is_a_clear_error_not_inf():
    with pytest.raises(ValueError, match=r"produced by \*"):
        Value(1e200) * Value(1e200)
    with pytest.raises(ValueError, match="overflows"):
        Value(1000.0).exp()


def test_topological_order_refuses_non_value():
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        topological_order(3.0)


def _imports(source: Path) -> set[str]:
    """Top-level modules imported by ``source``, following its relative imports into the package."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            imported |= _imports(source.parent / f"{node.module}.py")
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    return imported


def test_module_imports_only_the_standard_library():
    # Chapter 2 imports this module; it must not pull in numpy, sympy or plotting.
    imported = _imports(Path(__file__).resolve().parents[1] / "bpcourse" / "autodiff.py")
    assert imported, "found no imports at all: is the path right?"
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


@pytest.mark.parametrize("op, x", [("sigmoid", 40.0), ("sigmoid", -40.0), ("sigmoid", 30.0), ("tanh", 20.0),
                                   ("tanh", -25.0), ("tanh", 12.0)])
def test_sigmoid_and_tanh_gradients_in_saturation_match_high_precision(op, x):
    # σ(1 − σ) and 1 − tanh² from the output give exactly 0 here; the node's gradient must not
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    exact_f = {"sigmoid": lambda z: 1 / (1 + mpmath.exp(-z)), "tanh": mpmath.tanh}[op]
    v = Value(x)
    getattr(v, op)().backward()
    exact = float(mpmath.diff(exact_f, mpmath.mpf(x)))
    assert exact > 0 and abs(v.grad - exact) <= 1e-12 * exact, (op, x, v.grad, exact)
