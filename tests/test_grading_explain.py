"""The general diagnosis (``bpcourse.grading.explain``): each rule provoked by a wrong output of a small reference.

Every expected message is written here by hand from the rule it tests; the wrong outputs are computed by the
slip itself (what a learner's code would return), never by the code under test.
"""
from __future__ import annotations

import numpy as np
import pytest

from bpcourse.grading.explain import depends_on, explain

RNG = np.random.default_rng(16)


def _dense(x, W, b):
    return x @ W.T + b


def _one(reference, case, got, names=("out",)):
    ref = reference(**case)
    refs = [np.asarray(r, dtype=np.float64) for r in (ref if len(names) > 1 else (ref,))]
    gots = [np.asarray(g, dtype=np.float64) for g in (got if len(names) > 1 else (got,))]
    wrong = [j for j, (g, r) in enumerate(zip(gots, refs)) if not np.allclose(g, r)]
    return explain(reference, case, names, gots, refs, wrong, 1e-9)


def test_a_dropped_bias_is_the_reference_with_that_input_zeroed():
    case = {"x": RNG.normal(size=(4, 3)), "W": RNG.normal(size=(2, 3)), "b": RNG.normal(size=2)}
    (msg,) = _one(_dense, case, case["x"] @ case["W"].T).values()
    assert msg == "the result is what the right computation gives with the bias b = 0: the bias b was left out"


def test_two_inputs_used_in_each_others_place():
    def ref(a, c):
        return a - 2.0 * c

    case = {"a": RNG.normal(size=3), "c": RNG.normal(size=3)}
    (msg,) = _one(ref, case, case["c"] - 2.0 * case["a"]).values()
    assert "with a and c swapped" in msg


def test_a_transposed_square_weight_matrix_is_named_as_w_ji():
    def ref(W, x):
        return W @ x

    case = {"W": RNG.normal(size=(3, 3)), "x": RNG.normal(size=3)}
    (msg,) = _one(ref, case, case["W"].T @ case["x"]).values()
    assert "with W transposed: w_ji = W[j, i] is the weight from unit i into unit j" in msg


def test_an_integer_input_off_by_one():
    def ref(g, t):
        return g / (1.0 - 0.9**t)

    case = {"g": RNG.normal(size=3), "t": 3}
    (msg,) = _one(ref, case, case["g"] / (1.0 - 0.9**4)).values()
    assert "with t = 4 instead of 3: is t off by one?" in msg


def test_a_stale_output_and_an_output_computed_from_the_old_input():
    def ref(w, v, g):
        v_new = 0.9 * v - 0.1 * g
        return w + v_new, v_new

    case = {"w": RNG.normal(size=3), "v": RNG.normal(size=3), "g": RNG.normal(size=3)}
    w, v, g = case["w"], case["v"], case["g"]
    v_new = 0.9 * v - 0.1 * g
    found = _one(ref, case, (w + v_new, v), names=("w", "v"))
    assert list(found.values()) == ["v is the input v unchanged: the new v was never computed (a stale value); "
                                    "compute the update and return it"]
    found = _one(ref, case, (w + v, v_new), names=("w", "v"))
    assert list(found.values()) == ["w uses the input v where the updated v belongs: compute the new v first, then "
                                    "use it for w (a stale value)"]


def test_an_accumulator_that_was_not_zeroed():
    def ref(dout, x):
        return dout.T @ x

    case = {"dout": RNG.normal(size=(3, 3)), "x": RNG.normal(size=(3, 3))}
    got = case["x"] + case["dout"].T @ case["x"]
    (msg,) = _one(ref, case, got).values()
    assert "is the expected value plus the input x: the sum started from x instead of from zeros" in msg


def test_entries_never_filled_by_a_loop_that_stops_short():
    def ref(x):
        return 3.0 * x**2

    case = {"x": RNG.uniform(1.0, 2.0, size=5)}
    got = 3.0 * case["x"] ** 2
    got[-1] = 0.0
    (msg,) = _one(ref, case, got).values()
    assert "the last entry is 0, never filled: the loop over the entries stops short" in msg


def test_a_softmax_normalized_down_the_columns():
    def ref(net):
        e = np.exp(net - net.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    case = {"net": RNG.normal(size=(4, 3))}
    e = np.exp(case["net"] - case["net"].max(axis=1, keepdims=True))
    (msg,) = _one(ref, case, e / e.sum(axis=0, keepdims=True)).values()
    assert "it was normalized over axis=0 (the samples)" in msg


def test_one_samples_row_broadcast_to_every_sample():
    def ref(d, net):
        return d * np.tanh(net)

    case = {"d": RNG.normal(size=(3, 2)), "net": RNG.normal(size=(3, 2))}
    (msg,) = _one(ref, case, case["d"] * np.tanh(case["net"][0])).values()
    assert "with every row of net equal to its row 0: net[0] was broadcast to every sample" in msg


def test_a_term_counted_twice_and_a_term_with_the_wrong_sign():
    def ref(A, b, x):
        return 0.5 * (A + A.T) @ x + b

    case = {"A": RNG.normal(size=(3, 3)), "b": RNG.normal(size=3), "x": RNG.normal(size=3)}
    A, b, x = case["A"], case["b"], case["x"]
    (msg,) = _one(ref, case, (A + A.T) @ x + b).values()
    assert msg == "the result counts the term with A twice (the expected value plus that term once more)"
    (msg,) = _one(ref, case, -0.5 * (A + A.T) @ x + b).values()
    # the reference is linear in A, so the negated-input variant explains it first
    assert "is what the right computation gives with −A in place of A: A enters with the wrong sign" in msg


def test_the_sign_of_a_subtraction_is_named_by_the_negated_input():
    def ref(a, c):
        return a**2 - c

    case = {"a": RNG.uniform(1, 2, size=3), "c": RNG.uniform(1, 2, size=3)}
    (msg,) = _one(ref, case, case["a"] ** 2 + case["c"]).values()
    assert "with −c in place of c" in msg  # a − c written a + c: the subtraction's backward sign

    def ref2(a, c):
        return np.exp(a) - c * a

    case = {"a": RNG.uniform(1, 2, size=3), "c": RNG.uniform(1, 2, size=3)}
    (msg,) = _one(ref2, case, np.exp(case["a"]) + case["c"] * case["a"]).values()
    assert "with −c in place of c" in msg


def test_a_zero_scalar_is_a_path_that_never_arrives_not_a_blamed_input():
    def ref(x, y, z):
        return z, z, x + y

    case = {"x": 1.5, "y": -0.5, "z": 2.0}
    found = _one(ref, case, (2.0, 0.0, 1.0), names=("dx", "dy", "dz"))
    assert list(found.values()) == ["dy is 0, where the expected value is not: the gradient along this path never "
                                    "arrives (a gate that passes nothing on to this input, or a term that was dropped)"]


def test_without_a_reference_only_the_outputs_are_read():
    case = {"w": np.arange(3.0), "v": np.ones(3)}
    found = explain(None, case, ("w", "v"), [np.arange(3.0) + 5, np.ones(3)],
                    [np.arange(3.0) + 1, np.full(3, 2.0)], [0, 1], 1e-9)
    assert found == {(1,): "v is the input v unchanged: the new v was never computed (a stale value); compute the "
                           "update and return it"}


def test_unexplained_outputs_are_left_out():
    def ref(x):
        return np.sin(x)

    case = {"x": RNG.normal(size=4)}
    assert _one(ref, case, np.cos(case["x"])) == {}


def test_depends_on_names_the_rows_and_columns_an_entry_reads():
    def ref(dout, x):
        return dout.T @ x

    case = {"dout": RNG.normal(size=(4, 3)), "x": RNG.normal(size=(4, 5))}
    assert depends_on(ref, case, 1, 0, (1, 2)) == "dout[:, 1] and x[:, 2]"
    assert depends_on(_dense, {"x": RNG.normal(size=(2, 3)), "W": RNG.normal(size=(4, 3)), "b": RNG.normal(size=4)},
                      1, 0, (1, 2)) == "x[1, :], W[2, :] and b[2]"


def test_depends_on_gives_up_quietly_when_the_reference_cannot_run():
    def ref(x):
        raise ValueError("no")

    assert depends_on(ref, {"x": np.ones(2)}, 1, 0, (0,)) == ""


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_variant_the_reference_makes_non_finite_explains_nothing(bad):
    def ref(x, c):
        return x / c

    case = {"x": np.ones(3), "c": 2.0}
    got = np.full(3, bad)
    assert _one(ref, case, got) == {}


def test_a_forgotten_scalar_factor_is_the_reference_with_it_set_to_1():
    def ref(w, g, eta):
        return w - eta * g

    case = {"w": RNG.normal(size=3), "g": RNG.normal(size=3), "eta": 0.3}
    (msg,) = _one(ref, case, case["w"] - case["g"]).values()
    assert msg == ("the result is what the right computation gives with eta = 1: eta is left out where it "
                   "multiplies (a forgotten factor eta)")
