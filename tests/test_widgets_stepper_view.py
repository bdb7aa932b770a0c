"""Tests of the stepper's drawing (bpcourse.widgets.stepper_svg) and of its ipywidgets view, driven without a
browser: the view only forwards to the BackpropStepper and redraws from it, carries the DOM hooks of
/tmp/bp/stepper-api.md, and displays a static picture for pages without a kernel."""
import base64
import re
import xml.etree.ElementTree as ET

import pytest

from bpcourse.widgets import BackpropStepper
from bpcourse.widgets.stepper_steps import num
from bpcourse.widgets.stepper_svg import render

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLE_KEYS = ("xyz", "neuron", "chain", "two_hidden", "net322")


def texts(svg: str) -> list[tuple[str, str]]:
    """(role, text) of every value written on the drawing."""
    root = ET.fromstring(svg)
    return [(t.get("data-role"), "".join(t.itertext())) for t in root.iter(f"{SVG}text") if t.get("data-role")]


# ---------------------------------------------------------------------------------------------- drawing
@pytest.mark.parametrize("key", EXAMPLE_KEYS)
def test_drawing_writes_every_value_found_so_far_in_its_colour(key):
    s = BackpropStepper(key)
    for index in range(s.n_steps + 1):
        written = texts(s.svg(index))
        done = s.steps[:index]
        for role in ("forward", "backward", "update"):
            want = sorted(num(st.value) for st in done if st.kind == role)
            got = sorted(re.split(r" = | ← |^", t)[-1] for r, t in written if r == role)
            assert got == want, f"{key} step {index}: {role} values drawn {got}, computed {want}"
        assert sum(r == "loss" for r, _ in written) == sum(st.kind == "loss" for st in done)
        given = [t for r, t in written if r == "given"]
        assert all(any(num(v) in g for g in given) for v in s.params.values())


def test_drawing_highlights_the_current_step_only():
    s = BackpropStepper("two_hidden")
    assert "bp-current" not in s.svg(0)
    svg = s.svg(8)
    root = ET.fromstring(svg)
    current = [el for el in root.iter() if "bp-current" in (el.get("class") or "").split()]
    assert len(current) == 1 and current[0].get("fill") == "#F0E442" and current[0].get("data-anchor") == "o"
    bold = [("".join(t.itertext())) for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"
            and t.get("data-role") != "loss"]
    assert bold == ["δo = −0.0442"]  # the subscript is a tspan: δ<tspan>o</tspan>
    assert svg == s.svg(8), "the drawing is deterministic"


def test_drawing_of_the_3_2_2_network_puts_its_14_weights_in_two_tables():
    s = BackpropStepper("net322")
    root = ET.fromstring(s.svg(s.n_steps))
    tables = [g for g in root.iter(f"{SVG}g") if g.get("class") == "bp-table"]
    assert [t.get("data-title") for t in tables] == ["input → hidden", "hidden → output"]
    names = {t.get("data-name") for t in root.iter(f"{SVG}text") if t.get("data-name")}
    assert names == {f"dE/d{w}" for w in s.example.checked} | {f"{w}_new" for w in s.example.checked}


# ---------------------------------------------------------------------------------------------- view
def test_view_carries_the_dom_hooks():
    s = BackpropStepper("two_hidden")
    v = s.view()
    assert "bp-stepper" in v._dom_classes
    for name, css in (("reset", "bp-reset"), ("back", "bp-back"), ("forward", "bp-forward"), ("play", "bp-play"),
                      ("check", "bp-check")):
        assert css in v.buttons[name]._dom_classes
    assert "bp-presenter-toggle" in v.presenter_toggle._dom_classes
    assert "bp-counter" in v.counter._dom_classes and "bp-formula" in v.formula._dom_classes
    assert "bp-drawing" in v.drawing._dom_classes and "bp-check-output" in v.check_output._dom_classes
    assert set(v.fields) == set(s.params)
    for name, field in v.fields.items():
        assert {"bp-param", f"bp-param-{name}"} <= set(field._dom_classes)
    assert repr(v) == "BackpropStepper view of 'two_hidden' (22 steps)"


def test_buttons_move_the_stepper_and_redraw():
    s = BackpropStepper("two_hidden")
    v = s.view()
    assert "step 0 / 22" in v.counter.value and v.buttons["back"].disabled
    assert "Nothing computed yet" in v.formula.value
    for _ in range(8):
        v.buttons["forward"].click()
    assert s.index == 8 and "step 8 / 22" in v.counter.value
    assert "(0.7586 − 1.0000)·0.7586·0.2414 = −0.0442" in v.formula.value and ">backward<" in v.formula.value
    assert v.drawing.value == s.svg(8)
    v.buttons["back"].click()
    assert s.index == 7 and "step 7 / 22" in v.counter.value
    v.buttons["reset"].click()
    assert s.index == 0 and v.drawing.value == s.svg(0)
    s.go_to(22)
    v.refresh()
    assert v.buttons["forward"].disabled and not v.buttons["back"].disabled


def test_play_runs_the_steps_through_the_browser_timer():
    s = BackpropStepper("chain")
    v = s.view()
    v.buttons["play"].click()
    assert v.player.playing and v.player.max == s.n_steps and v.buttons["play"].description == "❚❚ pause"
    for k in range(1, 4):  # what the Play widget's timer does in the browser
        v.player.value = k
        assert s.index == k and f"step {k} / 13" in v.counter.value
    v.buttons["play"].click()  # pause
    assert not v.player.playing and v.buttons["play"].description == "▶▶ play" and s.index == 3
    s.go_to(13)
    v.refresh()
    v.buttons["play"].click()  # at the end, play starts again from the beginning
    assert s.index == 0 and v.player.playing
    v.buttons["forward"].click()  # a button stops the animation
    assert not v.player.playing and s.index == 1


def test_editing_a_field_recomputes_and_a_bad_value_is_refused():
    s = BackpropStepper("two_hidden")
    v = s.view()
    s.go_to(8)
    v.fields["t"].value = 0.5
    assert s.params["t"] == 0.5 and s.index == 8
    assert "(0.7586 − 0.5000)·0.7586·0.2414 = 0.0474" in v.formula.value
    v.fields["eta"].value = -1.0
    assert s.params["eta"] == 0.5 and v.fields["eta"].value == 0.5
    assert "refused" in v.status.value and "eta" in v.status.value
    v.fields["w1"].value = 0.2
    assert v.status.value == "" and s.params["w1"] == 0.2


def test_check_button_shows_agreement_and_follows_edits():
    s = BackpropStepper("neuron")
    v = s.view()
    assert v.check_output.value == ""
    v.buttons["check"].click()
    out = v.check_output.value
    assert out.count("✓") == 3 and "all 3 agree" in out
    v.fields["w1"].value = 0.9
    assert f"{s.value('dE/dw1'):+.8f}" in v.check_output.value  # recomputed with the new weight
    bad = BackpropStepper("chain", order="article").view()
    bad.buttons["check"].click()
    assert "✗ disagrees" in bad.check_output.value and "not the gradient" in bad.check_output.value


def test_display_carries_a_static_picture_for_pages_without_a_kernel():
    s = BackpropStepper("two_hidden")
    v = s.view()
    data = v._repr_mimebundle_()
    assert set(data) == {"text/plain", "application/vnd.jupyter.widget-view+json", "text/html"}
    html = data["text/html"]
    assert "Run this notebook to use the stepper" in html and 'class="bp-static"' in html
    uri = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    svg = base64.b64decode(uri).decode("utf-8")
    assert svg == render(s, s.n_steps, highlight=False)
    assert len(texts(svg)) > 30 and "bp-current" not in svg  # the whole pass, nothing highlighted
    assert v._repr_mimebundle_()["text/html"] == html  # deterministic: nbval compares it
    s.go_to(3)
    assert v._repr_mimebundle_()["text/html"] == html  # always the whole pass, whatever the index


def test_views_follow_changes_made_from_code():
    """A chapter may display the view in one cell and call stepper.go_to(8) in the next: the view follows."""
    s = BackpropStepper("two_hidden")
    v1, v2 = s.view(), s.view()
    s.go_to(8)
    assert "step 8 / 22" in v1.counter.value and "step 8 / 22" in v2.counter.value
    s.set_param("w1", 0.3)
    assert v1.fields["w1"].value == 0.3 and v2.drawing.value == s.svg()
    v1.buttons["forward"].click()  # a button in one view moves the other one too
    assert s.index == 9 and "step 9 / 22" in v2.counter.value
    v2.fields["t"].value = 0.5
    assert v1.fields["t"].value == 0.5 and s.params["t"] == 0.5


def test_displaying_the_plain_stepper_shows_its_view(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    s = BackpropStepper("xyz")
    s._ipython_display_()
    assert len(shown) == 1 and shown[0].stepper is s


# ---------------------------------------------------------------------------------------------- lesson aids
def test_field_labels_write_subscripts_as_the_drawing_does():
    """Chapter 6's w_b4 gets a subscript like w_41 does (before: "w_b4" beside "w₄₁")."""
    v = BackpropStepper("net322").view()
    labels = {name: f.description for name, f in v.fields.items()}
    assert labels["w_b4"] == 'w<span class="bp-sub">b4</span>'
    assert labels["w_41"] == 'w<span class="bp-sub">41</span>'
    assert labels["x_1"] == 'x<span class="bp-sub">1</span>' and labels["eta"] == "η"
    assert all(f.description_allow_html for f in v.fields.values())
    assert not any("_" in label for label in labels.values())
    neuron = BackpropStepper("neuron").view()
    assert neuron.fields["w1"].description == 'w<span class="bp-sub">1</span>' and neuron.fields["b"].description == "b"
    assert BackpropStepper("chain").view().fields["t"].description == "ê"


def test_arrow_keys_step_forward_and_back_through_the_keys_widget():
    s = BackpropStepper("neuron")
    v = s.view()
    assert v.arrow_keys in v.children and "bp-keys" in v.arrow_keys._dom_classes
    send = v.arrow_keys._handle_custom_msg  # what a comm message from the browser calls
    send({"key": "next"}, [])
    send({"key": "next"}, [])
    assert s.index == 2 and "step 2 / 11" in v.counter.value
    send({"key": "back"}, [])
    assert s.index == 1
    for junk in ({"key": "play"}, {"key": None}, "next", [], {"other": 1}):
        send(junk, [])  # ignored: the kernel never errors on what a page sends
    assert s.index == 1
    send({"key": "back"}, [])
    send({"key": "back"}, [])  # at the start it stays there
    assert s.index == 0
    v.buttons["play"].click()
    send({"key": "next"}, [])  # a key, like a button, stops the animation
    assert not v.player.playing and s.index == 1


def test_the_keys_script_maps_the_arrows_and_leaves_fields_alone():
    from bpcourse.widgets.stepper_keys import KEYS, StepperKeys

    assert KEYS == {"ArrowRight": "next", "ArrowLeft": "back"}
    esm = StepperKeys._esm
    assert "{ArrowRight: 'next', ArrowLeft: 'back'}" in esm and "KEYS[" not in esm
    assert 'closest("input, textarea, select' in esm and "model.send({ key: move })" in esm


def test_presenter_size_scales_the_type_and_frees_the_width():
    s = BackpropStepper("two_hidden")
    v = s.view()
    s.go_to(8)
    normal = (v.formula.value, v.counter.value, v.buttons["forward"].style.font_size, v.fields["w1"].layout.width)
    assert "bp-presenter" not in v._dom_classes and v.layout.max_width == "1100px"
    assert "font-size: 24px" in normal[0] and normal[2] == "20px" and normal[3] == "185px"
    v.buttons["check"].click()
    assert "font-size:18px" in v.check_output.value and "font-size:20px" in v.title.value
    v.presenter_toggle.value = True  # what the toggle button does in the browser
    assert v.presenter and "bp-presenter" in v._dom_classes and v.layout.max_width == "none"
    assert "font-size:27px" in v.check_output.value and "font-size:30px" in v.title.value
    assert "font-size: 36px" in v.formula.value and "font-size: 36px" in v.counter.value
    assert v.buttons["forward"].style.font_size == "30px" and v.buttons["forward"].layout.height == "66px"
    assert v.fields["w1"].layout.width == "278px"
    assert v.drawing.value == s.svg(8)  # the same drawing: it scales as a whole (CSS), so nothing overlaps anew
    v.presenter = False
    assert "font-size:18px" in v.check_output.value
    assert (v.formula.value, v.counter.value, v.buttons["forward"].style.font_size,
            v.fields["w1"].layout.width) == normal and "bp-presenter" not in v._dom_classes
    big = BackpropStepper("xyz").view(presenter=True)
    assert big.presenter_toggle.value and "bp-presenter" in big._dom_classes
    assert ".bp-stepper.bp-presenter .bp-drawing svg {width: 100%;}" in big.title.value
