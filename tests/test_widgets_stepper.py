"""Tests of bpcourse.widgets.stepper: the BackpropStepper's steps and numbers against bpcourse.models and
bpcourse.autodiff, moving through a pass, editing parameters, and the central-difference check. No browser,
no ipywidgets."""
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bpcourse.autodiff import Value
from bpcourse.gradcheck import rel_error
from bpcourse.models import chain, net322, two_hidden
from bpcourse.models.neuron import SigmoidNeuron
from bpcourse.widgets import CHECK_TOLERANCE, EXAMPLES, BackpropStepper, Step
from bpcourse.widgets.stepper_examples import net322_matrices
from bpcourse.widgets.stepper_steps import KINDS, num

EXAMPLE_KEYS = ("xyz", "neuron", "chain", "two_hidden", "net322")


def close(a: float, b: float) -> bool:
    """Equal to round-off: the stepper and the models do the same arithmetic, at most in another order."""
    # abs_tol: a sum such as net_4 = Σ w·x can cancel to near 0, where its round-off (~1e-16 × the terms) is
    # no longer small relative to it; BLAS may add the terms in another order than the stepper does
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-13)


def assert_values(s: BackpropStepper, expected: dict) -> None:
    for name, want in expected.items():
        got = s.value(name)
        assert close(got, float(want)), f"{s.example.key}: {name} is {got!r}, the model gives {float(want)!r}"


# ---------------------------------------------------------------------------------------------- numbers
def test_xyz_equals_autodiff():
    s = BackpropStepper("xyz")
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    f.backward()
    expected = {"q": q.data, "f": f.data, "df/df": 1.0, "df/dq": q.grad, "df/dx": x.grad, "df/dy": y.grad,
                "df/dz": z.grad}
    assert [st.name for st in s.steps] == ["q", "f", "df/df", "df/dz", "df/dq", "df/dx", "df/dy"]
    for name, want in expected.items():
        assert s.value(name) == want  # small integers: exactly equal
    assert s.value("df/dx") == -4.0 and s.value("df/dz") == 3.0


def neuron_reference(p: dict) -> dict:
    x, t = np.array([p["x1"], p["x2"]]), p["t"]
    neuron = SigmoidNeuron(np.array([p["w1"], p["w2"]]), p["b"])
    o = neuron.forward(x)
    gw, gb = neuron.gradient(x, t)
    expected = {"o": o, "E": neuron.loss(x, t), "dE/dw1": gw[0], "dE/dw2": gw[1], "dE/db": gb, "delta": gb}
    neuron.sgd_step(x, t, p["eta"])
    return expected | {"w1_new": neuron.w[0], "w2_new": neuron.w[1], "b_new": neuron.b}


def chain_reference(p: dict) -> dict:
    w = (p["w1"], p["w2"], p["w3"])
    y, z, e = chain.forward(w, p["x"])
    g1, g2, g3 = chain.gradients(w, p["x"], p["t"])  # positional and unpacked: the model's API is moving
    n1, n2, n3 = chain.train("correct", w, (p["x"],), (p["t"],), p["eta"], 1).weights
    return {"y": y, "z": z, "e": e, "E": chain.loss(w, p["x"], p["t"]), "dE/dw1": g1, "dE/dw2": g2,
            "dE/dw3": g3, "w1_new": n1, "w2_new": n2, "w3_new": n3}


def two_hidden_reference(p: dict, bias: str) -> dict:
    params = tuple(p[k] for k in two_hidden.PARAM_NAMES)
    values = two_hidden.forward(params, p["x"], p["t"], bias)
    grads = two_hidden.gradients(params, p["x"], p["t"], bias)
    new = two_hidden.sgd_step(params, grads, p["eta"])
    out = {k: v for k, v in values.items() if k != "L"} | {"E": values["L"]}
    out |= {f"dE/d{k}": g for k, g in zip(two_hidden.PARAM_NAMES, grads)}
    return out | {f"{k}_new": v for k, v in zip(two_hidden.PARAM_NAMES, new)}


def net322_reference(p: dict) -> dict:
    Wh, Wo, x, t = net322_matrices(p)
    v = net322.forward(Wh, Wo, x)
    g = net322.backward_loops(Wh, Wo, x, t)
    Wh_new, Wo_new = net322.update(Wh, Wo, g, p["eta"])
    out = {"E": net322.loss(Wh, Wo, x, t)}
    for r, j in enumerate((4, 5)):
        out |= {f"net_{j}": v["net_hidden"][r], f"y_{j}": v["y_hidden"][r], f"delta_{j}": g.delta_hidden[r]}
    for r, k in enumerate((6, 7)):
        out |= {f"net_{k}": v["net_out"][r], f"y_{k}": v["y_out"][r], f"delta_{k}": g.delta_out[r]}
    names = net322.weights_by_name(Wh, Wo)
    grads = net322.weights_by_name(g.dW_hidden, g.dW_out)
    news = net322.weights_by_name(Wh_new, Wo_new)
    assert set(names) == set(grads) == set(news)
    return out | {f"dE/d{n}": grads[n] for n in names} | {f"{n}_new": news[n] for n in names}


def test_neuron_equals_sigmoid_neuron():
    s = BackpropStepper("neuron")
    assert s.params == {"x1": 1.0, "x2": 0.5, "w1": 0.5, "w2": -0.3, "b": 0.1, "t": 1.0, "eta": 2.0}
    assert_values(s, neuron_reference(s.params))
    assert f"{s.value('dE/dw1'):+.6f}" == "-0.092574"  # chapter 2's printed value


@pytest.mark.parametrize("order", ["correct", "article"])
def test_chain_equals_article_c_model(order):
    s = BackpropStepper("chain", order=order)
    assert (s.params["w1"], s.params["w2"], s.params["w3"]) == tuple(chain.ARTICLE_WEIGHTS)
    assert (s.params["x"], s.params["t"], s.params["eta"]) == (1.0, -1.0, chain.ARTICLE_LR)
    if order == "correct":
        assert_values(s, chain_reference(s.params))
        assert f"{s.value('dE/dw1'):+.9f}" == "+0.124912216"  # chapter 3's printed value
    else:  # the article's interleaved procedure: the values it used for the updates, and its new weights
        run = chain.train("article", chain.ARTICLE_WEIGHTS, (1.0,), (-1.0,), chain.ARTICLE_LR, 1, record=True)
        used = {f"dE/d{r.weight}": r.backprop for r in run.rows}
        n1, n2, n3 = run.weights
        assert_values(s, used | {"w1_new": n1, "w2_new": n2, "w3_new": n3})
        kinds = [st.kind for st in s.steps]
        assert kinds.index("update") < max(i for i, k in enumerate(kinds) if k == "backward")


@pytest.mark.parametrize("bias", ["literal", "shared"])
def test_two_hidden_equals_article_a_model(bias):
    s = BackpropStepper("two_hidden", bias=bias)
    assert tuple(s.params[k] for k in two_hidden.PARAM_NAMES) == tuple(two_hidden.EXAMPLE_PARAMS)
    assert (s.params["x"], s.params["t"], s.params["eta"]) == (two_hidden.EXAMPLE_X, two_hidden.EXAMPLE_T, 0.5)
    assert_values(s, two_hidden_reference(s.params, bias))


def test_two_hidden_literal_bias_gradients_are_chapter_5s():
    s = BackpropStepper("two_hidden")
    assert f"{s.value('dE/db1'):.7f}" == "-0.0042268" and f"{s.value('dE/db2'):.7f}" == "-0.0485783"
    assert f"{s.value('out_o'):.7f}" == "0.7586038"


def test_net322_equals_article_b_model():
    s = BackpropStepper("net322")
    Wh, Wo, x, t = net322_matrices(s.params)
    np.testing.assert_array_equal(Wh, [[0.1, -0.2, 0.3, 0.1], [0.4, 0.1, -0.3, -0.1]])  # chapter 6, 6.3
    np.testing.assert_array_equal(Wo, [[0.5, -0.4, 0.2], [-0.3, 0.6, 0.1]])
    np.testing.assert_array_equal(x, [1.0, 0.5, -1.0])
    np.testing.assert_array_equal(t, [1.0, 0.0])
    assert_values(s, net322_reference(s.params))
    assert f"{s.value('delta_4'):+.6f}" == "-0.024710"  # chapter 6's printed value


def test_net322_in_saturation_equals_the_model():
    """σ'(net) comes from bpcourse.activations, as in the model: y·(1 − y) would lose digits near y = 1."""
    big = {n: 6.0 for n in EXAMPLES["net322"].checked} | {"x_1": 3.0, "x_2": 3.0, "x_3": 3.0}
    s = BackpropStepper("net322", **big)
    assert s.value("y_6") > 1 - 1e-7  # saturated: 1 − y keeps only ~9 of its 16 digits
    assert_values(s, net322_reference(s.params))


finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_every_example_equals_its_model_at_random_parameters(data):
    key = data.draw(st.sampled_from(("neuron", "chain", "two_hidden", "net322")))
    example = EXAMPLES[key]
    params = {n: data.draw(finite, label=n) for n in example.defaults if n != "eta"}
    params["eta"] = data.draw(st.floats(0.01, 2.0), label="eta")
    if key == "two_hidden":
        bias = data.draw(st.sampled_from(("literal", "shared")))
        s = BackpropStepper(key, bias=bias, **params)
        assert_values(s, two_hidden_reference(s.params, bias))
    else:
        s = BackpropStepper(key, **params)
        ref = {"neuron": neuron_reference, "chain": chain_reference, "net322": net322_reference}[key]
        assert_values(s, ref(s.params))


# ---------------------------------------------------------------------------------------------- the steps
@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_steps_run_forward_loss_backward_update_one_operation_each(key):
    s = BackpropStepper(key)
    steps = s.steps
    assert all(isinstance(st, Step) and st.kind in KINDS for st in steps)
    order = [KINDS.index(st.kind) for st in steps]
    assert order == sorted(order), "forward values, then the loss, then gradients, then updates"
    assert len({st.name for st in steps}) == len(steps), "each step computes one new quantity"
    ids = s.example.layout(s.options).ids()
    assert {st.target for st in steps} <= ids, "every step highlights a node or an edge of the drawing"
    grads = {s.example.grad_name(p) for p in s.example.checked}
    assert grads <= {st.name for st in steps if st.kind == "backward"}
    updates = [st for st in steps if st.kind == "update"]
    if "eta" in s.params:
        assert [st.name for st in updates] == [f"{p}_new" for p in _update_order(key, s)]
        assert (steps[0].kind, any(st.kind == "loss" for st in steps)) == ("forward", True)
    else:
        assert updates == [] and key == "xyz"
    for st in steps:  # each line ends with the step's own number, as num() writes it
        assert st.line.endswith("= " + num(st.value)) or st.line.endswith(num(st.value))
        assert "_" not in st.substituted


def _update_order(key, s):
    return {"chain": ("w3", "w2", "w1")}.get(key, s.example.checked)


def test_the_issue_s_example_line():
    s = BackpropStepper("two_hidden")
    s.go_to(8)
    assert s.current.kind == "backward" and s.current.name == "delta_o" and s.current.target == "o"
    assert s.current.line == ("δ_o = (out_o − t)·out_o·(1 − out_o) = "
                              "(0.7586 − 1.0000)·0.7586·0.2414 = −0.0442")
    assert s.current.short == "δ_o = −0.0442"


def test_step_counts():
    counts = {k: BackpropStepper(k).n_steps for k in EXAMPLE_KEYS}
    # forward + loss + backward + update: xyz 2+0+5+0, neuron 2+1+5+3, chain 3+1+6+3,
    # 1-2-1 6+1+9+6, 3-2-2 8+1+18+14
    assert counts == {"xyz": 7, "neuron": 11, "chain": 13, "two_hidden": 22, "net322": 41}


def test_num_writes_every_number_with_four_decimals():
    cases = {-2.0: "−2.0000", 1.0: "1.0000", 0.15: "0.1500", -0.52133: "−0.5213", 0.7586038: "0.7586",
             -0.044205473: "−0.0442", -0.028: "−0.0280", -0.002113398: "−0.0021", 0.0: "0.0000", -0.0: "0.0000",
             123.456789: "123.4568", -12.0: "−12.0000",
             # not zero, but 0.0000 at four decimals: scientific, so a vanishing gradient is never shown as 0
             1.234567e-7: "1.2e−7", -4.2e-5: "−4.2e−5", -3.14e-12: "−3.1e−12"}
    assert {v: num(v) for v in cases} == cases
    for v in (0.7586038, -0.0442055, -0.0021134, 123.456789, -3.3e-6, 4.44e-9):
        back = float(num(v).replace("−", "-"))
        assert abs(back - v) <= max(5e-5, 5e-2 * abs(v)) and (back == 0) == (v == 0)


@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_every_number_the_stepper_writes_has_the_same_precision(key):
    """One precision: every number in every line and on the drawing has exactly 4 decimals (the issue saw
    −0.028 among 4-decimal values)."""
    s = BackpropStepper(key)
    numbers = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?(?![\w])")
    text = " ".join(st.line + " " + st.short for st in s.steps) + " " + s.svg(s.n_steps)
    text = re.sub(r"<[^>]*>", " ", text)  # the numbers shown, not the SVG's coordinates
    found = [n for n in numbers.findall(text) if "." in n]
    assert len(found) > 2 * s.n_steps
    assert all(len(n.split(".")[1]) == 4 for n in found), sorted({n for n in found if len(n.split(".")[1]) != 4})


# ---------------------------------------------------------------------------------------------- moving
def test_forward_back_reset_play_and_known():
    s = BackpropStepper("chain")
    assert (s.index, s.current, s.n_steps) == (0, None, 13)
    assert s.known == s.params
    first = s.step_forward()
    assert first is s.steps[0] and s.index == 1 and s.current.name == "y"
    assert s.known == s.params | {"y": s.value("y")}
    s.step_forward()
    assert s.step_back() is s.steps[0] and s.index == 1
    assert s.step_back() is None and s.index == 0
    assert s.step_back() is None and s.index == 0  # at the start it stays there
    done = s.play()
    assert done == s.steps and s.index == s.n_steps and s.step_forward() is None
    assert set(s.known) == set(s.params) | {st.name for st in s.steps}
    s.reset()
    assert s.index == 0 and s.play() == s.steps
    s.go_to(5)
    assert s.current is s.steps[4] and s.done == s.steps[:5]
    assert s.counter() == "step 5 / 13" and s.describe().startswith("step 5 / 13 · backward: δ_e")
    for bad in (-1, 14, 2.0, True, "3"):
        with pytest.raises(ValueError, match="0 to 13"):
            s.go_to(bad)
    assert s.index == 5


def test_set_param_recomputes_everything_and_keeps_the_index():
    s = BackpropStepper("two_hidden")
    s.go_to(10)
    before = {st.name: st.value for st in s.steps}
    s.set_param("w1", 0.2)
    assert s.index == 10 and s.params["w1"] == 0.2
    assert s.value("net_h1") == 0.2 * 0.5 + 0.35
    assert s.value("dE/dw1") != before["dE/dw1"] and s.value("out_o") != before["out_o"]
    assert_values(s, two_hidden_reference(s.params, "literal"))
    s.set_param("t", 0.5)
    assert "(0.7" in s.steps[7].substituted and " − 0.5000)" in s.steps[7].substituted
    s.set_param("eta", 0.1)
    assert s.value("w3_new") == s.params["w3"] - 0.1 * s.value("dE/dw3")
    assert BackpropStepper("two_hidden", w1=0.2, eta=0.1).steps == BackpropStepper(
        "two_hidden", w1=0.2, t=1.0, eta=0.1).steps


@pytest.mark.parametrize("call, words", [
    (lambda: BackpropStepper("mlp"), "unknown stepper example 'mlp'"),
    (lambda: BackpropStepper("chain", w4=1.0), "chain has no parameter 'w4'"),
    (lambda: BackpropStepper("two_hidden", bias="both"), "'literal', 'shared'"),
    (lambda: BackpropStepper("chain", order="backwards"), "'correct', 'article'"),
    (lambda: BackpropStepper("neuron").set_param("eta", 0.0), "eta"),
    (lambda: BackpropStepper("neuron").set_param("eta", -1.0), "eta"),
    (lambda: BackpropStepper("neuron").set_param("w1", float("nan")), "finite"),
    (lambda: BackpropStepper("neuron").set_param("w1", True), "real number"),
    (lambda: BackpropStepper("neuron").set_param("w1", "0.2"), "real number"),
    (lambda: BackpropStepper("net322").set_param("w_14", 0.2), "expected one of"),
])
def test_bad_settings_are_refused_with_a_clear_message(call, words):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert words in str(info.value)


def test_a_refused_value_leaves_the_old_one():
    s = BackpropStepper("neuron")
    with pytest.raises(ValueError):
        s.set_param("eta", 0.0)
    assert s.params["eta"] == 2.0


# ---------------------------------------------------------------------------------------------- check
@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_check_agrees_with_central_differences(key):
    s = BackpropStepper(key)
    rows = s.check()
    assert set(rows) == {s.example.grad_name(p) for p in s.example.checked}
    for name, (backprop, central, err) in rows.items():
        assert backprop == s.value(name)
        assert err <= CHECK_TOLERANCE, f"{key}: {name} backprop {backprop} central {central} rel. error {err}"
    assert s.check_ok()


@settings(deadline=None, max_examples=20)
@given(key=st.sampled_from(("neuron", "chain", "two_hidden", "net322")), seed=st.integers(0, 2**32 - 1))
def test_check_agrees_at_random_parameters(key, seed):
    rng = np.random.default_rng(seed)
    params = {n: float(rng.uniform(-1.5, 1.5)) for n in EXAMPLES[key].defaults if n != "eta"}
    s = BackpropStepper(key, **params)
    rows = s.check()
    # central differences resolve a gradient to ~1e-10 absolute; the relative error of a component
    # smaller than that is round-off, so the whole gradient vector is what is compared
    g = np.array([b for b, _, _ in rows.values()])
    c = np.array([c for _, c, _ in rows.values()])
    # round-off in a difference of losses ~1 at ε = 1e-6 is ~1e-10 absolute: below a gradient norm of 1e-2 the
    # relative error of the vector could exceed 1e-7 by round-off alone, so those draws are not checkable
    assume(np.linalg.norm(g) > 1e-2)
    assert rel_error(g, c) <= CHECK_TOLERANCE


def test_check_catches_the_article_s_update_order():
    rows = BackpropStepper("chain", order="article").check()
    assert rows["dE/dw3"][2] <= CHECK_TOLERANCE  # w3's value is still a true gradient
    assert rows["dE/dw2"][2] > 1e-3 and rows["dE/dw1"][2] > 1e-2  # these used already updated weights
    assert not BackpropStepper("chain", order="article").check_ok()


def test_check_catches_a_wrong_bias_formula():
    """The check uses the model's loss, not the stepper's arithmetic: a wrong step would be caught."""
    s = BackpropStepper("two_hidden", bias="literal")
    right = s.check()
    s._options["bias"] = "shared"  # the steps still hold the literal reading's numbers
    wrong = s.check()
    assert max(e for *_, e in right.values()) <= CHECK_TOLERANCE
    assert wrong["dE/db1"][2] > 1e-2


# ---------------------------------------------------------------------------------------------- cheap import
def test_import_step_and_check_need_neither_ipywidgets_nor_matplotlib():
    code = (
        "import sys\n"
        "from bpcourse.widgets import BackpropStepper\n"
        "s = BackpropStepper('net322'); s.play(); s.check(); s.svg()\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'matplotlib', 'IPython')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"the stepper's logic pulled in: {out}"
