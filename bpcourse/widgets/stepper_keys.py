"""Arrow keys for the stepper: → does the next step, ← goes back, as a presenter's clicker does.

ipywidgets has no keyboard events, so this is a small `anywidget <https://anywidget.dev>`_ widget: a few lines
of JavaScript that listen for the keys and send ``{"key": "next"}`` or ``{"key": "back"}`` to the kernel, where
:class:`~bpcourse.widgets.stepper_view.StepperView` moves its stepper. It draws nothing.

Which stepper gets the keys: the one last clicked (a button, the drawing, anywhere on it), so two steppers on
one page never both move, and a click elsewhere (a code cell, another output) gives the keys back to JupyterLab.
It then wears the class ``bp-keys-active`` (a thin outline says where the keys go). Keys typed into a field
(the parameters) or into an editor are never taken: ← and → move the caret there as usual.

Why the listeners sit on the document, in the capture phase: a click on an output makes JupyterLab focus the
notebook rather than the output, so the keydown's target is the notebook, not the stepper.
"""
from __future__ import annotations

from typing import Callable

import anywidget

#: The keys and what they do.
KEYS = {"ArrowRight": "next", "ArrowLeft": "back"}

_ESM = """
let active = null;  // the render that owns the keys: the stepper clicked last, on the whole page

function render({ model, el }) {
  const me = {};
  let root = null;
  const find = () => root ?? (root = el.closest(".bp-stepper"));
  const setActive = (on) => {
    if (on && active && active !== me) active.release();
    active = on ? me : (active === me ? null : active);
    find()?.classList.toggle("bp-keys-active", on);
  };
  me.release = () => setActive(false);
  const onDown = (ev) => {
    const r = find();
    if (r) setActive(r.contains(ev.target));
  };
  const onKey = (ev) => {
    const move = KEYS[ev.key];
    if (active !== me || !move || ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    if (!find()?.isConnected) return setActive(false);
    const t = ev.target;
    if (t instanceof Element && t.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]"))
      return;  // the caret in a parameter field or an editor moves as usual
    ev.preventDefault();
    ev.stopPropagation();
    model.send({ key: move });
  };
  document.addEventListener("pointerdown", onDown, true);
  document.addEventListener("keydown", onKey, true);
  return () => {
    document.removeEventListener("pointerdown", onDown, true);
    document.removeEventListener("keydown", onKey, true);
    if (active === me) active = null;
  };
}
export default { render };
""".replace("KEYS[ev.key]", "({" + ", ".join(f"{k}: {v!r}" for k, v in KEYS.items()) + "})[ev.key]")


class StepperKeys(anywidget.AnyWidget):
    """The invisible widget that turns ← and → into ``on_move("back")`` and ``on_move("next")``."""

    _esm = _ESM

    def __init__(self, on_move: Callable[[str], None]) -> None:
        super().__init__()
        self._on_move = on_move
        self.layout.display = "none"
        self.add_class("bp-keys")
        self.on_msg(self._received)

    def _received(self, _widget: object, content: object, _buffers: object) -> None:
        # the browser sends only {"key": "next" | "back"}; anything else is ignored, never an error in the view
        if isinstance(content, dict) and content.get("key") in KEYS.values():
            self._on_move(content["key"])
