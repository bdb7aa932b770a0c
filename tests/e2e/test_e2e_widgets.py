"""The widgets as an instructor uses them in a lesson: the backprop stepper and chapter 9's training explorer.

What the browser shows is compared with the plain Python objects behind the widgets (whose numbers the unit
tests compare with ``bpcourse.models``), computed here in the test process, not read back from the page.
"""
from __future__ import annotations

import math
import re

import pytest

import labdriver as ld

# ------------------------------------------------------------------------------------------ the stepper
@pytest.fixture(scope="module")
def steppers(session_page, lab, artifacts):
    """e2e/steppers.ipynb (one stepper per graph), opened and run; closed after this module."""
    page = session_page
    ld.open_path(page, "e2e/steppers.ipynb")
    ld.wait_kernel_idle(page)
    ld.restart_and_run_all(page)
    problems = ld.outputs_with_mime(page, ld.STDERR_MIME) + ld.widget_problems(page)
    page.locator(f"{ld.PANEL} .bp-stepper").first.wait_for()
    yield page, problems
    ld.close_and_shut_down(page)


class StepperOnPage:
    def __init__(self, page, index: int) -> None:
        self.page = page
        self.root = page.locator(f"{ld.PANEL} .bp-stepper").nth(index)

    def click(self, name: str) -> None:
        self.root.locator(f".bp-{name}").click()

    def counter(self) -> str:
        return self.root.locator(".bp-counter").text_content().strip()

    def formula(self) -> str:
        return self.root.locator(".bp-formula").text_content().strip()

    def drawing(self) -> str:
        """The labels on the drawing, one per SVG text element (textContent would run them together)."""
        return " | ".join(self.root.locator(".bp-drawing text").evaluate_all("els => els.map(e => e.textContent)"))

    def wait_for_counter(self, index: int, n_steps: int, timeout: float = 10_000) -> None:
        self.root.locator(".bp-counter", has_text=re.compile(rf"\b{index}\s*/\s*{n_steps}\b")).wait_for(
            timeout=timeout)

    def set_param(self, name: str, value: float) -> None:
        field = self.root.locator(f".bp-param-{name} input")
        field.fill(f"{value}")
        field.press("Enter")


def _same_step(on_page: StepperOnPage, step) -> list[str]:
    """What differs between the formula on the page and the object's step (numbers, and the result's digits)."""
    result = ld.numbers(step.substituted)[-1] if ld.numbers(step.substituted) else None

    def drawn() -> bool:
        return result is None or result in ld.numbers(on_page.drawing())

    try:  # the counter, the formula and the drawing are three widgets, updated by three messages
        ld.wait_until(lambda: ld.numbers(on_page.formula()) == ld.numbers(step.line) and drawn(), "the step",
                      timeout=5)
    except TimeoutError:
        pass
    shown = on_page.formula()
    problems = []
    if ld.numbers(shown) != ld.numbers(step.line):
        problems.append(f"formula shows {shown!r}, the stepper computes {step.line!r}")
    if result is not None and not ld.shows(step.value, result):
        problems.append(f"{step.name}: printed {result}, value {step.value!r}")
    if not drawn():
        problems.append(f"{step.name} = {result} is not drawn on the network")
    return problems


def test_steppers_notebook_runs(steppers):
    _, problems = steppers
    assert not problems, problems


@pytest.mark.parametrize("graph", ld.STEPPER_GRAPHS)
def test_stepper_advances_goes_back_and_recomputes(steppers, artifacts, graph):
    from bpcourse.widgets import BackpropStepper

    page, _ = steppers
    shots = artifacts / "widgets" / "stepper"
    reference = BackpropStepper(graph)
    n = reference.n_steps
    on_page = StepperOnPage(page, ld.STEPPER_GRAPHS.index(graph))
    on_page.root.scroll_into_view_if_needed()
    on_page.wait_for_counter(0, n)
    ld.screenshot(page, shots / f"{graph}_0_start.png", on_page.root)
    problems = []

    # the edit later on: the first weight (x for f = (x + y)·z), at the first backward step it changes
    name = next((p for p in reference.params if p.startswith("w")), next(iter(reference.params)))
    new = round(reference.params[name] + 0.25, 4)
    edited = BackpropStepper(graph)
    edited.set_param(name, new)
    first_backward = next(i for i, s in enumerate(reference.steps) if s.kind == "backward")
    index = 1 + next(i for i in range(first_backward, n) if edited.steps[i].line != reference.steps[i].line)

    # forward through the forward pass and into the backward pass: every step is the object's step
    forward = min(n, index + 1)
    for i in range(1, forward + 1):
        on_page.click("forward")
        on_page.wait_for_counter(i, n)
        problems += _same_step(on_page, reference.steps[i - 1])
    ld.screenshot(page, shots / f"{graph}_1_forward_{forward}.png", on_page.root)

    on_page.click("back")
    on_page.wait_for_counter(forward - 1, n)
    problems += _same_step(on_page, reference.steps[forward - 2])
    ld.screenshot(page, shots / f"{graph}_2_back_{forward - 1}.png", on_page.root)
    if forward - 1 != index:
        on_page.click("forward")
        on_page.wait_for_counter(index, n)

    # edit the weight: the step on screen is recomputed, at the same index
    reference = edited
    on_page.set_param(name, new)
    wanted = ld.numbers(reference.steps[index - 1].line)
    ld.wait_until(lambda: ld.numbers(on_page.formula()) == wanted, f"{graph}: the formula after editing {name}")
    on_page.wait_for_counter(index, n)
    problems += _same_step(on_page, reference.steps[index - 1])
    ld.screenshot(page, shots / f"{graph}_3_edited_{name}.png", on_page.root)

    # the check: central differences against every backward number
    on_page.click("check")
    check = on_page.root.locator(".bp-check-output")
    check.locator("table").wait_for()
    table = check.text_content()
    for grad, (backprop, _, err) in reference.check().items():
        if f"{backprop:+.8f}".replace("-", "−") not in table.replace("-", "−"):
            problems.append(f"check table lacks {grad} = {backprop:+.8f}: {table[:200]!r}")
        assert err <= 1e-7, f"{graph}: {grad} disagrees with central differences ({err:.1e})"
    ld.screenshot(page, shots / f"{graph}_4_check.png", on_page.root)

    on_page.click("reset")
    on_page.wait_for_counter(0, n)
    assert not problems, f"{graph}:\n  " + "\n  ".join(problems)


def test_stepper_plays_to_the_end(steppers, artifacts):
    from bpcourse.widgets import BackpropStepper

    page, _ = steppers
    reference = BackpropStepper("xyz")
    on_page = StepperOnPage(page, ld.STEPPER_GRAPHS.index("xyz"))
    on_page.root.scroll_into_view_if_needed()
    on_page.wait_for_counter(0, reference.n_steps)  # where the other test left it, with x edited
    on_page.set_param("x", reference.params["x"])
    on_page.click("play")
    on_page.wait_for_counter(reference.n_steps, reference.n_steps, timeout=30_000)
    problems = _same_step(on_page, reference.steps[-1])
    drawn = ld.numbers(on_page.drawing())
    problems += [f"{step.name} = {ld.numbers(step.substituted)[-1]} is not drawn after play"
                 for step in reference.steps if ld.numbers(step.substituted)[-1] not in drawn]
    ld.screenshot(page, artifacts / "widgets" / "stepper" / "xyz_5_played.png", on_page.root)
    assert not problems, problems


def test_stepper_xyz_equals_autodiff():
    # the numbers the browser test compares with are the autodiff engine's: f = (x + y)·z at x=-2, y=5, z=-4
    from bpcourse.autodiff import Value
    from bpcourse.widgets import BackpropStepper

    s = BackpropStepper("xyz")
    x, y, z = (Value(s.params[k], label=k) for k in ("x", "y", "z"))
    f = (x + y) * z
    f.backward()
    assert s.value("f") == f.data
    for v in (x, y, z):
        assert math.isclose(s.value(f"df/d{v.label}"), v.grad, rel_tol=0, abs_tol=1e-15), v.label


# ------------------------------------------------------------------------------------ the stepper projected
def test_stepper_arrow_keys_step_the_stepper_clicked_last(steppers, artifacts):
    from bpcourse.widgets import BackpropStepper

    page, _ = steppers
    n = BackpropStepper("neuron").n_steps
    neuron = StepperOnPage(page, ld.STEPPER_GRAPHS.index("neuron"))
    chain = StepperOnPage(page, ld.STEPPER_GRAPHS.index("chain"))
    for s in (neuron, chain):  # where the tests before left them: at step 0
        s.root.scroll_into_view_if_needed()
    neuron.wait_for_counter(0, n)
    neuron.root.locator(".bp-drawing").click()  # the drawing: no button, no field
    ld.wait_until(lambda: "bp-keys-active" in (neuron.root.get_attribute("class") or ""), "the neuron to own the keys")
    for i in (1, 2, 3):
        page.keyboard.press("ArrowRight")
        neuron.wait_for_counter(i, n)
    page.keyboard.press("ArrowLeft")
    neuron.wait_for_counter(2, n)
    chain.wait_for_counter(0, BackpropStepper("chain").n_steps)  # the other stepper did not move

    # in a parameter field, the arrows move the caret, not the stepper
    field = neuron.root.locator(".bp-param-w1 input")
    typed = field.input_value()
    field.click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(800)
    neuron.wait_for_counter(2, n)
    assert field.input_value() == typed

    # a click on another stepper gives it the keys
    chain.root.locator(".bp-drawing").click()
    ld.wait_until(lambda: "bp-keys-active" not in (neuron.root.get_attribute("class") or ""), "the neuron to let go")
    page.keyboard.press("ArrowRight")
    chain.wait_for_counter(1, BackpropStepper("chain").n_steps)
    neuron.wait_for_counter(2, n)
    ld.screenshot(page, artifacts / "widgets" / "stepper" / "keys_chain_active.png", chain.root)

    # a click outside every stepper (a code cell) gives the keys back to JupyterLab
    page.locator(f"{ld.PANEL} .jp-CodeCell .jp-InputArea").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(800)
    chain.wait_for_counter(1, BackpropStepper("chain").n_steps)
    for s in (neuron, chain):
        s.click("reset")


def test_stepper_presenter_size_scales_type_and_drawing(steppers, artifacts):
    """On a projector's 1920 px wide page: the presenter size writes the formula, buttons and fields 1.5 times
    larger, and the drawing, which the normal size caps at the view's 1100 px, takes the page's width. (The page
    is made tall too, so that each screenshot holds the whole stepper.)"""
    from bpcourse.widgets import BackpropStepper

    page, _ = steppers
    shots = artifacts / "widgets" / "stepper"
    viewport = page.viewport_size
    page.set_viewport_size({"width": 1920, "height": 2400})
    try:
        for graph in ("neuron", "two_hidden"):
            _presenter_size(page, graph, BackpropStepper(graph).n_steps, shots)
    finally:
        page.set_viewport_size(viewport)


def _presenter_size(page, graph: str, n: int, shots) -> None:
    s = StepperOnPage(page, ld.STEPPER_GRAPHS.index(graph))
    s.root.scroll_into_view_if_needed()
    s.root.locator(".bp-drawing").click()
    for _ in range(n):  # the whole pass, by the keys
        page.keyboard.press("ArrowRight")
    s.wait_for_counter(n, n)

    def sizes() -> dict:
        return s.root.evaluate("""root => ({
            svg: root.querySelector('.bp-drawing svg').getBoundingClientRect().width,
            formula: parseFloat(getComputedStyle(
                root.querySelector('.bp-formula .widget-html-content > div')).fontSize),
            button: parseFloat(getComputedStyle(root.querySelector('.bp-forward')).fontSize),
            field: parseFloat(getComputedStyle(root.querySelector('.bp-param input')).fontSize),
            presenter: root.classList.contains('bp-presenter')})""")

    page.wait_for_timeout(500)  # the new viewport's layout
    normal = sizes()
    ld.screenshot(page, shots / f"{graph}_6_normal_size.png", s.root)
    s.root.locator(".bp-presenter-toggle").click()
    try:
        ld.wait_until(lambda: sizes()["presenter"] and sizes()["formula"] > normal["formula"], "presenter size")
    except TimeoutError as err:
        raise AssertionError(f"{graph}: {err}: normal {normal}, now {sizes()}") from None
    page.wait_for_timeout(500)
    big = sizes()
    ld.screenshot(page, shots / f"{graph}_7_presenter_size.png", s.root)
    assert (normal["formula"], big["formula"]) == (24, 36), (normal, big)
    assert (normal["button"], big["button"]) == (20, 30), (normal, big)
    assert (normal["field"], big["field"]) == (19, 28.5), (normal, big)
    assert normal["svg"] <= 1100 and big["svg"] > 1.25 * normal["svg"], f"{graph}: {normal} → {big}"
    s.root.locator(".bp-presenter-toggle").click()
    ld.wait_until(lambda: not sizes()["presenter"], "normal size again")
    page.wait_for_timeout(500)
    assert sizes() == normal
    s.click("reset")


def test_stepper_field_labels_have_subscripts(steppers):
    page, _ = steppers
    s = StepperOnPage(page, ld.STEPPER_GRAPHS.index("net322"))
    s.root.scroll_into_view_if_needed()
    for name, base, sub in (("w_b4", "w", "b4"), ("w_41", "w", "41"), ("x_1", "x", "1")):
        label = s.root.locator(f".bp-param-{name} label")
        assert label.locator(".bp-sub").text_content() == sub, label.inner_html()
        assert label.text_content() == base + sub  # no underscore left, the sanitiser kept the span
        shift = label.locator(".bp-sub").evaluate("e => getComputedStyle(e).verticalAlign")
        assert shift == "sub"


def test_stepper_labels_fit_their_backgrounds_in_chromium(browser):
    """Every label the five graphs draw, at every step (so each in bold once, as the current step), measured
    by Chromium with the system's fonts: the text lies inside its opaque background."""
    from bpcourse.widgets import BackpropStepper

    svgs = []
    for graph in ld.STEPPER_GRAPHS:
        s = BackpropStepper(graph)
        svgs += [s.svg(i) for i in range(s.n_steps + 1)]
    page = browser.new_page()
    try:
        page.set_content("<html><body>" + "".join(svgs) + "</body></html>")
        bad = page.evaluate("""() => {
            const out = [];
            for (const svg of document.querySelectorAll('svg.bp-svg')) {
                for (const rect of svg.querySelectorAll('rect.bp-label')) {
                    const text = rect.nextElementSibling, t = text.getBBox();
                    const r = {x: +rect.getAttribute('x'), y: +rect.getAttribute('y'),
                               w: +rect.getAttribute('width'), h: +rect.getAttribute('height')};
                    if (t.x < r.x || t.x + t.width > r.x + r.w || t.y < r.y - 1 || t.y + t.height > r.y + r.h + 1)
                        out.push(`${svg.dataset.example}@${svg.dataset.index}: ${text.textContent} ` +
                                 `[${t.x}, ${t.y}, ${t.width}, ${t.height}] in ${JSON.stringify(r)}`);
                }
            }
            return out;
        }""")
        count = page.evaluate("document.querySelectorAll('rect.bp-label').length")
    finally:
        page.close()
    assert count > 500
    assert not bad, f"{len(bad)} labels overflow their backgrounds: {bad[:10]}"


def test_a_stepper_stored_with_its_widget_state_opens_unmodified(steppers, lab, artifacts):
    """As the chapters are stored (executed with store_widget_state), and trusted, as a notebook one executed
    oneself is: opened before any kernel runs, the stepper is drawn from the stored state, its arrow keys'
    widget (an anywidget) included, without an error, and opening leaves the notebook unmodified."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.sign import NotebookNotary

    page, _ = steppers
    path = lab.root / "e2e" / "stepper_state.ipynb"
    nb = nbformat.read(lab.root / "e2e" / "steppers.ipynb", as_version=4)
    nb.cells = nb.cells[:1] + [nbformat.v4.new_code_cell('BackpropStepper("neuron").view()')]
    NotebookClient(nb, timeout=120, kernel_name=nb.metadata.kernelspec.name, store_widget_state=True).execute()
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    assert any(m["model_name"] == "AnyModel" for m in state.values()), "the keys' widget is in the stored state"
    NotebookNotary().sign(nb)  # the server's notary reads the same Jupyter data directory
    nbformat.write(nb, path)
    stored = path.read_bytes()
    ld.open_path(page, "e2e/stepper_state.ipynb")
    ld.wait_kernel_idle(page)
    page.locator(f"{ld.PANEL} .bp-stepper").wait_for()
    page.wait_for_timeout((ld.AUTOSAVE_SECONDS + 2) * 1000)
    problems = ld.widget_problems(page) + ld.outputs_with_mime(page, ld.STDERR_MIME)
    dirty = ld.is_dirty(page)
    ld.screenshot(page, artifacts / "widgets" / "stepper" / "stored_state_reopened.png",
                  page.locator(f"{ld.PANEL} .bp-stepper"))
    ld.close_and_shut_down(page)
    assert not problems, problems
    assert not dirty and path.read_bytes() == stored, "opening the notebook modified it"
