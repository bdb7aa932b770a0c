"""Every diagnosis of the self-check, each provoked by a deliberately wrong implementation.

The toy task table (tests/fixtures/grading/toy_tasks.py) has an element-wise task with a named factor
(output_delta, factor σ'(net)), a three-output task (dense_backward) and the plain sigmoid.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bpcourse.activations import sigmoid_prime
from bpcourse.grading import Task, check
from bpcourse.grading.diagnose import diagnose_case
from bpcourse.grading.returned import Returned, normalize

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from toy_tasks import TASKS  # noqa: E402

TOY = list(TASKS.values())


def run(fn, task=None, **kw) -> tuple[bool, str]:
    buf = io.StringIO()
    ok = check(fn, task, tasks=kw.pop("tasks", TOY), file=buf, seed=kw.pop("seed", 0), **kw)
    return ok, buf.getvalue()


# ---------------------------------------------------------------------------------------------- right answers
def test_correct_functions_pass():
    def sigmoid(net):
        return 1.0 / (1.0 + np.exp(-net))

    def output_delta(y, t, net):
        return (y - t) * sigmoid_prime(net)

    def dense_backward(x, W, dy):
        return dy @ W, dy.T @ x, dy.sum(axis=0)

    for fn in (sigmoid, output_delta, dense_backward):
        ok, text = run(fn)
        assert ok, text
        assert "public checks passed" in text


def test_fresh_cases_on_every_call_without_seed():
    seen = set()

    def sigmoid(net):
        seen.add(net.tobytes())
        return 1.0 / (1.0 + np.exp(-net))

    check(sigmoid, tasks=TOY, file=io.StringIO())
    check(sigmoid, tasks=TOY, file=io.StringIO())
    assert len(seen) == 6, "two calls without a seed must draw six different cases"


# --------------------------------------------------------------------------------------------- wrong answers
def test_shape_transpose():
    def dense_backward(x, W, dy):
        return dy @ W, x.T @ dy, dy.sum(axis=0)

    ok, text = run(dense_backward)
    assert not ok
    assert "dW has shape (3, 2), expected (2, 3): it is the transpose of the right answer" in text


def test_shape_transpose_with_wrong_values_too():
    def dense_backward(x, W, dy):
        return dy @ W, 2 * x.T @ dy, dy.sum(axis=0)

    ok, text = run(dense_backward)
    assert not ok and "dW has shape (3, 2), expected (2, 3): did you transpose? (even transposed" in text


def test_square_transpose_is_named():
    task = Task(id="sq", exercise="x", function="outer", points=1,
                reference=lambda a, b: np.outer(a, b),
                make_case=lambda rng: {"a": rng.normal(size=3), "b": rng.normal(size=3)})

    def outer(a, b):
        return np.outer(b, a)

    ok, text = run(outer, tasks=[task])
    assert not ok and "is the transpose of the right answer (square" in text


def test_sum_over_batch_forgotten():
    def dense_backward(x, W, dy):
        return dy @ W, dy.T @ x, dy

    ok, text = run(dense_backward)
    assert not ok and "you kept one row per sample; sum over the batch axis" in text


def test_mean_instead_of_sum_per_row():
    task = Task(id="m", exercise="x", function="colmean", points=1,
                reference=lambda a: a.mean(axis=0), make_case=lambda rng: {"a": rng.normal(size=(4, 3))})

    def colmean(a):
        return a / 1.0

    ok, text = run(colmean, tasks=[task])
    assert not ok and "average over the batch axis (`.mean(axis=0)`)" in text


def test_same_entries_other_layout():
    def sigmoid(net):
        return (1.0 / (1.0 + np.exp(-net))).ravel()

    ok, text = run(sigmoid)
    assert not ok and "the values are right but laid out differently" in text


def test_sign_flipped():
    def output_delta(y, t, net):
        return (t - y) * sigmoid_prime(net)

    ok, text = run(output_delta)
    assert not ok and "has the wrong sign" in text


def test_constant_factor_two():
    def output_delta(y, t, net):
        return 2 * (y - t) * sigmoid_prime(net)

    ok, text = run(output_delta)
    assert not ok and "is 2 × the expected value" in text and "½" in text


def test_constant_factor_batch_size():
    def dense_backward(x, W, dy):
        return dy @ W, dy.T @ x / len(x), dy.sum(axis=0)

    ok, text = run(dense_backward)
    n = TOY[2].make_case(np.random.default_rng(0))["x"].shape[0]
    assert not ok and f"dW is 1/{n} of the expected value: the batch has n = {n} samples" in text


def test_constant_factor_arbitrary():
    def sigmoid(net):
        return 1.7 / (1.0 + np.exp(-net))

    ok, text = run(sigmoid)
    # 17/10 is no likely slip (only a numerator or denominator up to 4 is): the factor is said as a decimal
    assert not ok and "is 1.7 × the expected value: look for a constant you multiply or divide by" in text


def test_missing_named_factor():
    def output_delta(y, t, net):
        return y - t

    ok, text = run(output_delta)
    assert not ok and "is missing the σ'(net) factor" in text


def test_extra_named_factor():
    def output_delta(y, t, net):
        return (y - t) * sigmoid_prime(net) ** 2

    ok, text = run(output_delta)
    assert not ok and "has an extra σ'(net) factor" in text


def test_per_output_factor_mapping():
    task = Task(id="pf", exercise="x", function="pair", points=1, outputs=("a", "b"),
                reference=lambda u: (u * 2.0, u * sigmoid_prime(u)),
                make_case=lambda rng: {"u": rng.normal(size=4)},
                factors={"σ'(u)": lambda case: {"b": sigmoid_prime(case["u"])}})

    def pair(u):
        return u * 2.0, u

    ok, text = run(pair, tasks=[task])
    assert not ok and "b is missing the σ'(u) factor" in text and "a " not in text.split("\n", 1)[1][:6]


def test_missing_bias_term():
    task = Task(id="fw", exercise="x", function="forward", points=1, reference=lambda x, W, b: x @ W.T + b,
                make_case=lambda rng: {"x": rng.normal(size=(5, 3)), "W": rng.normal(size=(2, 3)),
                                       "b": rng.normal(size=2)})

    def forward(x, W, b):
        return x @ W.T

    ok, text = run(forward, tasks=[task])
    assert not ok and "the result is missing the term `+ b`" in text

    def forward(x, W, b):  # noqa: F811
        return x @ W.T + 2 * b

    ok, text = run(forward, tasks=[task])
    assert not ok and "adds `b` once too often" in text

    def forward(x, W, b):  # noqa: F811
        return x @ W.T + 1.0

    ok, text = run(forward, tasks=[task])
    assert not ok and "off by the same row for every sample" in text


def test_nan_and_inf():
    def sigmoid(net):
        out = 1.0 / (1.0 + np.exp(-net))
        out.flat[0] = np.nan
        out.flat[-1] = np.inf
        return out

    ok, text = run(sigmoid)
    assert not ok and "contains 1 NaN and 1 inf values" in text


def test_wrong_dtype_float32_values_right():
    def sigmoid(net):
        return (1.0 / (1.0 + np.exp(-net))).astype(np.float32)

    ok, text = run(sigmoid)
    # the one float policy: a float32 result right to float32's precision gets exactly one message
    assert not ok and text.count("  - ") == 1 and "compute in float64: got float32 for the result" in text, text
    assert "wrong values" not in text and "relative error" not in text, text


def test_wrong_dtype_integer():
    def dense_backward(x, W, dy):
        return dy @ W, dy.T @ x, np.zeros(2, dtype=int)

    ok, text = run(dense_backward)
    assert not ok and "db has dtype int64, expected float64: integer arithmetic" in text


def test_wrong_type_list():
    def dense_backward(x, W, dy):
        return dy @ W, dy.T @ x, list(dy.sum(axis=0))

    ok, text = run(dense_backward)
    assert not ok and "db is a list, expected a numpy array of shape (2,)" in text
    assert "Apart from that the values are right" in text


def test_wrong_type_other_object():
    def sigmoid(net):
        return {"value": 1}

    ok, text = run(sigmoid)
    assert not ok and "the result is a dict" in text


def test_scalar_expected_array_given():
    task = Task(id="s", exercise="x", function="total", points=1, reference=lambda a: float(a.sum()),
                make_case=lambda rng: {"a": rng.normal(size=5)})

    def total(a):
        return np.array([a.sum()])

    ok, text = run(total, tasks=[task])
    assert not ok and "expected a single number" in text and "(its one value is right)" in text

    def total(a):  # noqa: F811 - a numpy scalar or 0-d array is a number
        return np.float64(a.sum())

    assert run(total, tasks=[task])[0]


def test_returned_none():
    def sigmoid(net):
        1.0 / (1.0 + np.exp(-net))

    ok, text = run(sigmoid)
    assert not ok and "is None: did you forget the `return` statement" in text


def test_wrong_number_of_outputs():
    def dense_backward(x, W, dy):
        return dy @ W, dy.T @ x

    ok, text = run(dense_backward)
    assert not ok and "returned 2 values, expected 3: `return dx, dW, db`" in text


def test_single_value_for_tuple():
    def dense_backward(x, W, dy):
        return dy @ W

    ok, text = run(dense_backward)
    assert not ok and "returned a single numpy.ndarray, expected a tuple of 3 values" in text


def test_outputs_in_wrong_order():
    def dense_backward(x, W, dy):
        return dy.T @ x, dy @ W, dy.sum(axis=0)

    ok, text = run(dense_backward)
    assert not ok and "returned (dW, dx, db) in the wrong order" in text


def test_modified_input_in_place():
    def output_delta(y, t, net):
        y -= t
        return y * sigmoid_prime(net)

    ok, text = run(output_delta)
    assert not ok and "it modified its input `y` in place" in text


def test_exception_points_at_the_learners_own_line():
    def dense_backward(x, W, dy):
        dx = dy @ W
        dW = x @ dy  # the bug: shapes do not fit
        return dx, dW, dy.sum(axis=0)

    ok, text = run(dense_backward)
    assert not ok
    assert "dense_backward raised ValueError" in text
    assert "`dW = x @ dy  # the bug: shapes do not fit`" in text
    assert "print their .shape" in text


def test_exception_inside_numpy_reports_learner_frame_not_numpy():
    def sigmoid(net):
        return np.concatenate([net, net[:, :1]], axis=0)

    ok, text = run(sigmoid)
    assert "`return np.concatenate([net, net[:, :1]], axis=0)`" in text
    assert "numpy" not in text.split("at line")[1].split("`")[0]


def test_stub_is_named():
    def sigmoid(net):
        # YOUR CODE HERE
        raise NotImplementedError()

    ok, text = run(sigmoid)
    assert not ok and "the stub `raise NotImplementedError()` is still there" in text


def test_wrong_values_report_relative_error_and_first_difference():
    def sigmoid(net):
        return 1.0 / (1.0 + np.exp(-net)) + np.where(net > 0, 0.1, 0.0)

    ok, text = run(sigmoid)
    assert not ok and "has wrong values: relative error" in text and "first difference at result[" in text


def test_wrong_signature():
    def dense_backward(x, dy):
        return dy

    ok, text = run(dense_backward)
    assert not ok and "wrong signature: the exercise calls dense_backward(x, W, dy), but yours is" in text


def test_renamed_parameters_fall_back_to_positions():
    def dense_backward(inputs, weights, grad):
        return grad @ weights, grad.T @ inputs, grad.sum(axis=0)

    ok, text = run(dense_backward)
    assert ok and "passed by position" in text


def test_unknown_function_name_suggests_the_task():
    def dense_bakward(x, W, dy):
        return None

    ok, text = run(dense_bakward)
    assert not ok and "did you rename it?" in text and "dense_backward" in text


def test_explicit_task_id():
    def my_sigmoid(net):
        return 1.0 / (1.0 + np.exp(-net))

    assert run(my_sigmoid, "toy_sigmoid")[0]
    ok, text = run(my_sigmoid, "toy_sigmoi")
    assert not ok and "did you mean toy_sigmoid" in text


def test_diagnose_case_directly_on_normalized_values():
    ref = normalize(np.ones((2, 3)), ("out",))
    got = normalize(np.full((2, 3), 3.0), ("out",))
    problems = diagnose_case(got, ref, ("dW",), {}, rtol=1e-6)
    assert problems == ["dW is 3 × the expected value: look for a constant you multiply or divide by"]
    assert diagnose_case(ref, ref, ("dW",), {}, rtol=1e-6) == []
    assert diagnose_case(Returned(structure_error="boom"), ref, ("dW",), {}, rtol=1e-6) == ["boom"]


def test_import_grading_stays_cheap():
    code = ("import sys, bpcourse.grading, bpcourse.grading.selfcheck, bpcourse.cli\n"
            "from bpcourse.grading import check\n"
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('nbformat', 'nbclient', 'IPython', "
            "'matplotlib', 'jupyter_client', 'nbgrader')]\nprint(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


@pytest.mark.parametrize("name", ["ex_missing"])
def test_check_reports_missing_task_table_entry(name):
    ok, text = run(lambda: None, name)
    assert not ok and "no task with id" in text


def test_a_wrong_scalar_is_not_called_a_constant_factor():
    """Any wrong number is c × the right one for some c; only simple factors are worth naming."""
    from bpcourse.grading.diagnose import _diagnose_values

    ref = np.array(0.8123)
    from bpcourse.grading.diagnose import UNEXPLAINED

    assert _diagnose_values("w1", np.array(0.8123 * 1.0093), ref, 1e-6, {}, []) is UNEXPLAINED
    msg = _diagnose_values("w1", np.array(0.8123 * 2), ref, 1e-6, {}, [])
    assert "2 × the expected value" in msg


# ------------------------------------------------------------------------------------------------- slips
def test_a_known_slip_is_named_instead_of_wrong_values():
    from bpcourse.grading.diagnose import Slip

    ref = normalize((np.array([1.0, 2.0]), 0.5), ("w", "b"))
    got = normalize((np.array([3.0, 4.0]), 1.5), ("w", "b"))
    slip = Slip({"w": [3.0, 4.0], "b": 1.5}, "steps in the wrong direction")
    problems = diagnose_case(got, ref, ("w", "b"), {}, rtol=1e-6, factors={"uphill": slip})
    assert problems == ["w and b: your answer steps in the wrong direction"]


def test_a_slip_names_only_the_outputs_it_gets_wrong_and_leaves_the_rest_to_the_usual_diagnosis():
    from bpcourse.grading.diagnose import Slip

    ref = normalize((np.array([1.0, 2.0]), np.array([5.0, 6.0])), ("m", "v"))
    got = normalize((np.array([2.0, 4.0]), np.array([-5.0, -6.0])), ("m", "v"))
    slips = [Slip({"m": [9.0, 9.0]}, "is something else"), Slip({"m": [2.0, 4.0]}, "returns m-hat")]
    problems = diagnose_case(got, ref, ("m", "v"), {}, rtol=1e-6, factors={"slips": slips})
    assert problems[0] == "m: your answer returns m-hat"
    assert problems[1].startswith("v has the wrong sign")


def test_a_slip_equal_to_the_reference_is_never_reported():
    from bpcourse.grading.diagnose import Slip

    ref = normalize(np.array([1.0, 2.0]), ("out",))
    slip = Slip(np.array([1.0, 2.0]), "would be a false alarm")
    assert diagnose_case(ref, ref, ("out",), {}, rtol=1e-6, factors={"s": slip}) == []


def test_a_slip_takes_precedence_over_swapped_outputs():
    from bpcourse.grading.diagnose import Slip

    ref = normalize((3.0, 0.0), ("dx", "dy"))
    got = normalize((0.0, 3.0), ("dx", "dy"))
    slip = Slip({"dx": 0.0, "dy": 3.0}, "sends dout to the smaller input")
    (msg,) = diagnose_case(got, ref, ("dx", "dy"), {}, rtol=1e-6, factors={"loser": slip})
    assert msg == "dx and dy: your answer sends dout to the smaller input"
    (msg,) = diagnose_case(got, ref, ("dx", "dy"), {}, rtol=1e-6)
    assert "wrong order" in msg
