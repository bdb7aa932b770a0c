"""The stepper's ipywidgets UI: a thin view over :class:`~bpcourse.widgets.stepper.BackpropStepper`.

Every control only calls the stepper (``step_forward``, ``set_param``, ``check`` …) and then redraws from its
state, so what the buttons do is what the tests of the plain object test. Its CSS classes (``bp-stepper``;
``bp-reset``, ``bp-back``, ``bp-forward``, ``bp-play``, ``bp-check``; ``bp-counter``, ``bp-formula``,
``bp-drawing``, ``bp-check-output``; ``bp-param`` and ``bp-param-<name>`` on each field) are the hooks the
browser tests use.

Displaying it (``display(view)``, or as a cell's last expression) also emits a static copy: an HTML block with
the drawing of the whole pass as an SVG image and the line "Run this notebook to use the stepper". A page
without a live kernel shows that (an untrusted notebook in JupyterLab, a static website, nbconvert's HTML);
a live kernel shows the widget. See :mod:`bpcourse.widgets`.
"""
from __future__ import annotations

import base64
import re
from html import escape
from typing import Any

import ipywidgets as widgets

from .stepper import CHECK_TOLERANCE, BackpropStepper
from .stepper_svg import COLORS, html_rich

BIG = "font-size: 24px; line-height: 1.45;"
# Large type for a projected lesson, scoped to the stepper (ipywidgets' own styles have no font size for fields).
CSS = (".bp-stepper .bp-param input, .bp-stepper .bp-param label {font-size: 19px;}"
       ".bp-stepper .bp-param input {height: 32px;}"
       ".bp-stepper .bp-check-output td, .bp-stepper .bp-check-output th {padding: 2px 12px; text-align: right;}")
#: Milliseconds between two steps when playing.
PLAY_INTERVAL = 700

_KIND_COLOR = {"forward": COLORS["forward"], "loss": COLORS["forward"], "backward": COLORS["backward"],
               "update": COLORS["update"]}


def _button(description: str, css: str, tooltip: str) -> widgets.Button:
    b = widgets.Button(description=description, tooltip=tooltip, layout=widgets.Layout(width="auto", height="44px"))
    b.style.font_size = "20px"
    b.add_class(css)
    return b


class StepperView(widgets.VBox):
    """Buttons (reset, back, forward, play, check), the counter, the current formula with its numbers, the
    drawing, one field per parameter and the check's table.

    Attributes ``stepper``, ``buttons`` (dict by name), ``counter``, ``formula``, ``drawing``, ``fields``
    (dict by parameter name), ``check_output``, ``status`` and ``player`` (the ``ipywidgets.Play`` that
    times the animation in the browser) are there for scripting and tests.
    """

    def __init__(self, stepper: BackpropStepper) -> None:
        self.stepper = stepper
        self.buttons = {
            "reset": _button("↺ reset", "bp-reset", "back to step 0"),
            "back": _button("◀ back", "bp-back", "undo the last step"),
            "forward": _button("next ▶", "bp-forward", "do the next step"),
            "play": _button("▶▶ play", "bp-play", "run the remaining steps one by one"),
            "check": _button("check ∂ numerically", "bp-check", "central differences of the loss"),
        }
        self.counter = widgets.HTML(layout=widgets.Layout(margin="0 0 0 16px"))
        self.counter.add_class("bp-counter")
        self.formula = widgets.HTML(layout=widgets.Layout(min_height="76px"))
        self.formula.add_class("bp-formula")
        self.drawing = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.drawing.add_class("bp-drawing")
        self.check_output = widgets.HTML()
        self.check_output.add_class("bp-check-output")
        self.status = widgets.HTML()
        self.player = widgets.Play(value=0, min=0, max=stepper.n_steps, step=1, interval=PLAY_INTERVAL,
                                   layout=widgets.Layout(display="none"))
        self.fields = {name: self._field(name, value) for name, value in stepper.params.items()}
        self._checked = False
        self._reverting = False

        self.buttons["reset"].on_click(lambda _: self._move(self.stepper.reset))
        self.buttons["back"].on_click(lambda _: self._move(self.stepper.step_back))
        self.buttons["forward"].on_click(lambda _: self._move(self.stepper.step_forward))
        self.buttons["play"].on_click(self._on_play)
        self.buttons["check"].on_click(self._on_check)
        self.player.observe(self._on_player, names="value")
        self.player.observe(self._on_playing, names="playing")

        bar = widgets.HBox([self.buttons[k] for k in ("reset", "back", "forward", "play")] + [self.counter],
                           layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
        title = widgets.HTML(f"<style>{CSS}</style>"
                             f'<div style="font-size:20px;font-weight:bold">{html_rich(stepper.example.title)}'
                             f"{self._options_text()}</div>")
        params = widgets.GridBox(list(self.fields.values()), layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(190px, 1fr))", grid_gap="4px 12px"))
        check_bar = widgets.HBox([self.buttons["check"]])
        super().__init__([title, bar, self.formula, self.drawing, params, self.status, check_bar,
                          self.check_output, self.player], layout=widgets.Layout(width="100%", max_width="1100px"))
        self.add_class("bp-stepper")
        stepper.subscribe(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ pieces
    def _options_text(self) -> str:
        opts = self.stepper.options
        return "" if not opts else " (" + ", ".join(f"{k} = {v}" for k, v in opts.items()) + ")"

    def _field(self, name: str, value: float) -> widgets.FloatText:
        label = "η" if name == "eta" else _plain_label(self.stepper.example.labels.get(name, name))
        field = widgets.FloatText(value=value, description=label, step=0.05, style={"description_width": "56px"},
                                  layout=widgets.Layout(width="185px"))
        field.add_class("bp-param")
        field.add_class(f"bp-param-{name}")
        field.observe(lambda change, n=name: self._on_edit(n, change), names="value")
        return field

    # ------------------------------------------------------------------ events
    def _move(self, action) -> None:
        self.player.playing = False
        action()  # the stepper notifies every view, this one included

    def _on_play(self, _: Any = None) -> None:
        if self.player.playing:
            self.player.playing = False
            return
        if self.stepper.index == self.stepper.n_steps:
            self.stepper.reset()
        self.player.max = self.stepper.n_steps
        self.player.value = self.stepper.index
        self.player.playing = True

    def _on_player(self, change: dict) -> None:
        value = int(change["new"])
        if 0 <= value <= self.stepper.n_steps and value != self.stepper.index:
            self.stepper.go_to(value)

    def _on_playing(self, change: dict) -> None:
        self.buttons["play"].description = "❚❚ pause" if change["new"] else "▶▶ play"

    def _on_edit(self, name: str, change: dict) -> None:
        if self._reverting:
            return
        try:
            self.stepper.set_param(name, change["new"])
        except (TypeError, ValueError) as err:
            self._reverting = True
            try:
                self.fields[name].value = self.stepper.params[name]
            finally:
                self._reverting = False
            self.status.value = (f'<span style="color:{COLORS["backward"]};font-size:18px">refused: '
                                 f"{escape(str(err))}</span>")
            return
        self.status.value = ""

    def _on_check(self, _: Any = None) -> None:
        self._checked = True
        self.refresh()

    # ------------------------------------------------------------------ drawing
    def refresh(self) -> None:
        """Redraw every part from the stepper's state."""
        s = self.stepper
        self.counter.value = f'<span style="{BIG}font-weight:bold">{s.counter()}</span>'
        self.formula.value = formula_html(s)
        self.drawing.value = s.svg()
        self.buttons["back"].disabled = self.buttons["reset"].disabled = s.index == 0
        self.buttons["forward"].disabled = s.index == s.n_steps
        if self.player.max != s.n_steps:
            self.player.max = s.n_steps
        if self.player.value != s.index:
            self.player.value = s.index
        self.check_output.value = check_html(s) if self._checked else ""
        self._reverting = True  # parameters set from code (another cell) show in the fields too
        try:
            for name, value in s.params.items():
                if self.fields[name].value != value:
                    self.fields[name].value = value
        finally:
            self._reverting = False

    # ------------------------------------------------------------------ notebook output
    def __repr__(self) -> str:
        # nbval compares the text/plain form: fixed and readable, not ipywidgets' repr of every child
        return f"BackpropStepper view of {self.stepper.example.key!r} ({self.stepper.n_steps} steps)"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/html"] = static_html(self.stepper)
        return data


_SUBSCRIPT_DIGITS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _plain_label(name: str) -> str:
    """A field's label in plain text (ipywidgets' label sanitiser drops ``<sub>``): digit subscripts become
    Unicode subscripts, ``w1`` → ``w₁``, ``w_41`` → ``w₄₁``; ``w_b4`` keeps its underscore."""
    m = re.fullmatch(r"([a-z]+)_?(\d+)", name)
    return m.group(1) + m.group(2).translate(_SUBSCRIPT_DIGITS) if m else name


def formula_html(s: BackpropStepper) -> str:
    """The current step: its kind on a coloured badge, then formula = numbers = result, in large type."""
    step = s.current
    if step is None:
        nxt = s.steps[0] if s.steps else None
        hint = f" The first step computes {html_rich(nxt.symbol)}." if nxt else ""
        return f'<div style="{BIG}">Nothing computed yet: press <b>next ▶</b>.{hint}</div>'
    color = _KIND_COLOR[step.kind]
    badge = (f'<span style="background:{color};color:#fff;border-radius:6px;padding:1px 10px;margin-right:12px;'
             f'font-size:18px;vertical-align:middle">{step.kind}</span>')
    line = html_rich(step.formula)
    if step.line != step.formula:
        line += f' = <span style="color:{color};font-weight:bold">{html_rich(step.substituted)}</span>'
    return f'<div style="{BIG}">{badge}{line}</div>'


def check_html(s: BackpropStepper) -> str:
    """A table: each gradient by backprop, by central differences, their relative error, and a verdict."""
    rows = s.check()
    ok = all(err <= CHECK_TOLERANCE for *_, err in rows.values())
    cells = "".join(
        f"<tr><td>{html_rich(_grad_label(name, s.example.labels.get('E', 'E')))}</td>"
        f"<td>{b:+.8f}</td><td>{c:+.8f}</td><td>{err:.1e}</td>"
        f"<td>{'✓' if err <= CHECK_TOLERANCE else '✗ disagrees'}</td></tr>"
        for name, (b, c, err) in rows.items())
    verdict = (f"all {len(rows)} agree: relative error ≤ {CHECK_TOLERANCE:.0e}" if ok else
               "some gradients disagree with central differences: the backward pass above is not the gradient")
    color = COLORS["forward"] if ok else COLORS["backward"]
    return (f'<div style="font-size:18px"><table style="font-size:18px;font-variant-numeric:tabular-nums">'
            f"<tr><th>gradient</th><th>backprop</th><th>central difference</th><th>rel. error</th><th></th></tr>"
            f'{cells}</table><div style="color:{color};font-weight:bold;margin-top:4px">{verdict}</div></div>')


def _grad_label(name: str, loss: str) -> str:
    # "dE/dw1" -> "∂E/∂w_1" (∂L/∂w_1 where the example calls its loss L)
    top, bottom = name.split("/")
    var = bottom[1:]
    if len(var) > 1 and var[0].isalpha() and var[1:].isdigit():
        var = f"{var[0]}_{var[1:]}"
    return f"∂{loss if top == 'dE' else top[1:]}/∂{var}"


def static_html(s: BackpropStepper) -> str:
    """What a page without a kernel shows: the drawing of the whole pass as an image, and how to get the
    stepper. The image is an SVG data URI, which JupyterLab's sanitiser keeps in an untrusted notebook."""
    from .stepper_svg import render

    svg = render(s, s.n_steps, highlight=False)
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    last = s.steps[-1].line if s.steps else ""
    return (f'<div class="bp-static">'
            f'<p style="font-size:16px"><b>Backprop stepper: {escape(s.example.title)}</b> after all '
            f"{s.n_steps} steps (a static picture; last step: {html_rich(last)}).</p>"
            f'<img src="{uri}" alt="the graph with every value and gradient of the pass" '
            f'style="max-width:100%;height:auto"/>'
            f'<p style="font-size:16px"><i>Run this notebook to use the stepper: step forward and back, edit the '
            f"numbers, check the gradients.</i></p></div>")
