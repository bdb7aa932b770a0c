"""The stepper's ipywidgets UI: a thin view over :class:`~bpcourse.widgets.stepper.BackpropStepper`.

Every control only calls the stepper (``step_forward``, ``set_param``, ``check`` …) and then redraws from its
state, so what the buttons do is what the tests of the plain object test. Its CSS classes (``bp-stepper``;
``bp-reset``, ``bp-back``, ``bp-forward``, ``bp-play``, ``bp-check``, ``bp-presenter-toggle``; ``bp-counter``,
``bp-formula``, ``bp-drawing``, ``bp-check-output``; ``bp-param`` and ``bp-param-<name>`` on each field) are the
hooks the browser tests use.

For a lesson: → and ← step forward and back once the stepper has been clicked
(:mod:`~bpcourse.widgets.stepper_keys`), and the "presenter size" toggle (or ``view(presenter=True)``) scales
the type by :data:`PRESENTER_SCALE` and lets the drawing fill the page's width, for a projector.

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
from .stepper_keys import StepperKeys
from .stepper_svg import COLORS, html_rich

#: How much larger the presenter size writes everything (type, buttons, fields; the drawing fills the width).
PRESENTER_SCALE = 1.5
#: The formula's and the counter's type size at normal size, in px.
FORMULA_PX = 24
# Large type for a projected lesson, scoped to the stepper (ipywidgets' own styles have no font size for fields);
# the presenter size's rules follow, and the outline that says which stepper the arrow keys move.
CSS = (".bp-stepper .bp-param input, .bp-stepper .bp-param label {font-size: 19px;}"
       ".bp-stepper .bp-param input {height: 32px;}"
       ".bp-stepper .bp-sub {vertical-align: sub; font-size: 75%; line-height: 0;}"
       ".bp-stepper .bp-check-output td, .bp-stepper .bp-check-output th {padding: 2px 12px; text-align: right;}"
       ".bp-stepper.bp-keys-active {outline: 2px solid #0072B2; outline-offset: 4px; border-radius: 4px;}"
       f".bp-stepper.bp-presenter .bp-param input, .bp-stepper.bp-presenter .bp-param label "
       f"{{font-size: {19 * PRESENTER_SCALE:g}px;}}"
       f".bp-stepper.bp-presenter .bp-param input {{height: {32 * PRESENTER_SCALE:g}px;}}"
       ".bp-stepper.bp-presenter .bp-drawing svg {width: 100%;}")
#: Milliseconds between two steps when playing.
PLAY_INTERVAL = 700

_KIND_COLOR = {"forward": COLORS["forward"], "loss": COLORS["forward"], "backward": COLORS["backward"],
               "update": COLORS["update"]}


def _big(px: float, scale: float) -> str:
    return f"font-size: {px * scale:.0f}px; line-height: 1.45;"


def _button(description: str, css: str, tooltip: str) -> widgets.Button:
    b = widgets.Button(description=description, tooltip=tooltip, layout=widgets.Layout(width="auto", height="44px"))
    b.style.font_size = "20px"
    b.add_class(css)
    return b


class StepperView(widgets.VBox):
    """Buttons (reset, back, forward, play, check), the counter, the current formula with its numbers, the
    drawing, one field per parameter, the check's table, and a "presenter size" toggle; → and ← step.

    Parameters
    ----------
    stepper : BackpropStepper
    presenter : bool
        Start at presenter size (larger type, the drawing as wide as the page).

    Attributes ``stepper``, ``buttons`` (dict by name), ``counter``, ``formula``, ``drawing``, ``fields``
    (dict by parameter name), ``check_output``, ``status``, ``player`` (the ``ipywidgets.Play`` that
    times the animation in the browser), ``presenter_toggle`` and ``arrow_keys`` (the arrow keys' widget) are there
    for scripting and tests.
    """

    def __init__(self, stepper: BackpropStepper, presenter: bool = False) -> None:
        self.stepper = stepper
        self.buttons = {
            "reset": _button("↺ reset", "bp-reset", "back to step 0"),
            "back": _button("◀ back", "bp-back", "undo the last step (key ←)"),
            "forward": _button("next ▶", "bp-forward", "do the next step (key →)"),
            "play": _button("▶▶ play", "bp-play", "run the remaining steps one by one"),
            "check": _button("check ∂ numerically", "bp-check", "central differences of the loss"),
        }
        self.presenter_toggle = widgets.ToggleButton(
            value=False, description="presenter size", icon="expand",
            tooltip="larger type and the drawing as wide as the page, for a projector",
            layout=widgets.Layout(width="auto", height="44px", margin="0 0 0 16px"))
        self.presenter_toggle.style.font_size = "16px"
        self.presenter_toggle.add_class("bp-presenter-toggle")
        self.arrow_keys = StepperKeys(self._on_key)
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
        self.presenter_toggle.observe(lambda _: self.refresh(), names="value")

        bar = widgets.HBox([self.buttons[k] for k in ("reset", "back", "forward", "play")]
                           + [self.counter, self.presenter_toggle],
                           layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
        self.title = widgets.HTML()
        self.params_box = widgets.GridBox(list(self.fields.values()), layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(190px, 1fr))", grid_gap="4px 12px"))
        check_bar = widgets.HBox([self.buttons["check"]])
        super().__init__([self.title, bar, self.formula, self.drawing, self.params_box, self.status, check_bar,
                          self.check_output, self.player, self.arrow_keys],
                         layout=widgets.Layout(width="100%", max_width="1100px"))
        self.add_class("bp-stepper")
        stepper.subscribe(self.refresh)
        self.presenter_toggle.value = presenter
        self.refresh()

    # ------------------------------------------------------------------ pieces
    def _options_text(self) -> str:
        opts = self.stepper.options
        return "" if not opts else " (" + ", ".join(f"{k} = {v}" for k, v in opts.items()) + ")"

    def _field(self, name: str, value: float) -> widgets.FloatText:
        label = "η" if name == "eta" else field_label(self.stepper.example.labels.get(name, name))
        field = widgets.FloatText(value=value, description=label, description_allow_html=True, step=0.05,
                                  style={"description_width": "56px"}, layout=widgets.Layout(width="185px"))
        field.add_class("bp-param")
        field.add_class(f"bp-param-{name}")
        field.observe(lambda change, n=name: self._on_edit(n, change), names="value")
        return field

    # ------------------------------------------------------------------ presenter size
    @property
    def presenter(self) -> bool:
        """Whether the view is at presenter size (the toggle's state; settable)."""
        return bool(self.presenter_toggle.value)

    @presenter.setter
    def presenter(self, on: bool) -> None:
        self.presenter_toggle.value = bool(on)

    def _apply_size(self) -> None:
        scale = PRESENTER_SCALE if self.presenter else 1.0
        (self.add_class if self.presenter else self.remove_class)("bp-presenter")
        self.layout.max_width = "none" if self.presenter else "1100px"  # the drawing may fill the page
        for b in self.buttons.values():
            b.style.font_size = f"{20 * scale:.0f}px"
            b.layout.height = f"{44 * scale:.0f}px"
        self.presenter_toggle.layout.height = f"{44 * scale:.0f}px"
        self.presenter_toggle.style.font_size = f"{16 * scale:.0f}px"
        for f in self.fields.values():
            f.layout.width = f"{185 * scale:.0f}px"
            f.style.description_width = f"{56 * scale:.0f}px"
        self.params_box.layout.grid_template_columns = f"repeat(auto-fill, minmax({190 * scale:.0f}px, 1fr))"

    # ------------------------------------------------------------------ events
    def _on_key(self, move: str) -> None:
        self._move(self.stepper.step_forward if move == "next" else self.stepper.step_back)

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
        self._apply_size()
        scale = PRESENTER_SCALE if self.presenter else 1.0
        self.title.value = (f'<style>{CSS}</style><div style="font-size:{20 * scale:g}px;font-weight:bold">'
                            f"{html_rich(s.example.title)}{self._options_text()}</div>")
        self.counter.value = f'<span style="{_big(FORMULA_PX, scale)}font-weight:bold">{s.counter()}</span>'
        self.formula.value = formula_html(s, scale)
        self.drawing.value = s.svg()
        self.buttons["back"].disabled = self.buttons["reset"].disabled = s.index == 0
        self.buttons["forward"].disabled = s.index == s.n_steps
        if self.player.max != s.n_steps:
            self.player.max = s.n_steps
        if self.player.value != s.index:
            self.player.value = s.index
        self.check_output.value = check_html(s, scale) if self._checked else ""
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


def field_label(name: str) -> str:
    """A field's label, as HTML with its subscript in a ``bp-sub`` span, the way the drawing and the formula
    write it: ``w1`` → ``w<span class="bp-sub">1</span>``, and so ``w_41``, ``w_b4`` (subscript "b4"), ``x_1``.

    (A span with a class, because JupyterLab's sanitiser for widget labels keeps ``span`` and drops ``sub``.)
    """
    m = re.fullmatch(r"([a-zA-Zδ]+)_?([a-z]?\d+)", name)
    if not m:
        return escape(name)
    return f'{escape(m.group(1))}<span class="bp-sub">{escape(m.group(2))}</span>'


def formula_html(s: BackpropStepper, scale: float = 1.0) -> str:
    """The current step: its kind on a coloured badge, then formula = numbers = result, in large type
    (``scale`` times :data:`FORMULA_PX`)."""
    step = s.current
    big = _big(FORMULA_PX, scale)
    if step is None:
        nxt = s.steps[0] if s.steps else None
        hint = f" The first step computes {html_rich(nxt.symbol)}." if nxt else ""
        return f'<div style="{big}">Nothing computed yet: press <b>next ▶</b> (or →).{hint}</div>'
    color = _KIND_COLOR[step.kind]
    badge = (f'<span style="background:{color};color:#fff;border-radius:6px;padding:1px 10px;margin-right:12px;'
             f'font-size:{18 * scale:.0f}px;vertical-align:middle">{step.kind}</span>')
    line = html_rich(step.formula)
    if step.line != step.formula:
        line += f' = <span style="color:{color};font-weight:bold">{html_rich(step.substituted)}</span>'
    return f'<div style="{big}">{badge}{line}</div>'


def check_html(s: BackpropStepper, scale: float = 1.0) -> str:
    """A table: each gradient by backprop, by central differences, their relative error, and a verdict (its type
    ``scale`` times 18 px)."""
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
    px = f"{18 * scale:g}px"
    return (f'<div style="font-size:{px}"><table style="font-size:{px};font-variant-numeric:tabular-nums">'
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
