"""The backprop stepper's logic: a plain object that walks through one pass, one operation per step.

A pass is the forward values first, then the loss, then the gradients backwards, then the η-update (chapter 2's
f = (x + y)·z has no loss and no update). :class:`BackpropStepper` holds the parameters, the list of
:class:`~bpcourse.widgets.stepper_steps.Step` objects computed from them, and an index: ``index == 0`` means
nothing is computed yet, ``index == n_steps`` means the whole pass is. Everything the view shows is read from
here, so tests set and read the same state the buttons do. :meth:`view` builds the ipywidgets UI
(:mod:`bpcourse.widgets.stepper_view`); nothing else imports ipywidgets.

Example
-------
>>> s = BackpropStepper("two_hidden")
>>> s.n_steps
22
>>> s.go_to(8); print(s.current.line)
δ_o = (out_o − t)·out_o·(1 − out_o) = (0.7586 − 1.0000)·0.7586·0.2414 = −0.0442
>>> s.set_param("t", 0.5); print(s.current.substituted)
(0.7586 − 0.5000)·0.7586·0.2414 = 0.0474
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

from ..validate import as_real, check_choice, check_positive
from .stepper_examples import EXAMPLES, Example
from .stepper_steps import Step

__all__ = ["BackpropStepper", "EXAMPLES", "Step", "CHECK_TOLERANCE"]

#: The relative error below which :meth:`BackpropStepper.check` calls a gradient and its central difference
#: equal (the course's threshold for float64).
CHECK_TOLERANCE = 1e-7


class BackpropStepper:
    """Step through forward pass, loss, backward pass and update of one of the course's graphs.

    Parameters
    ----------
    example : {"xyz", "neuron", "chain", "two_hidden", "net322"}
        The graph (see :mod:`bpcourse.widgets.stepper_examples`).
    **settings
        Any parameter by name (an input, weight, target or ``eta``), e.g. ``w1=0.2``; and the example's
        options: ``bias="literal"|"shared"`` for two_hidden, ``order="correct"|"article"`` for chain.

    Attributes
    ----------
    index : int
        Steps done, 0 … :attr:`n_steps`.
    """

    def __init__(self, example: str = "two_hidden", **settings: Any) -> None:
        check_choice(example, "stepper example", tuple(EXAMPLES))
        self.example: Example = EXAMPLES[example]
        self._params = dict(self.example.defaults)
        self._options = {name: values[0] for name, values in self.example.options.items()}
        for name, value in settings.items():
            if name in self.example.options:
                self._options[name] = check_choice(value, f"{example} option {name}", self.example.options[name])
            else:
                self._params[name] = self._valid(name, value)
        self._index = 0
        self._listeners: list[weakref.WeakMethod] = []
        self._recompute()

    # ------------------------------------------------------------------ state
    @property
    def params(self) -> dict[str, float]:
        """The editable parameters (inputs, weights, targets, η) by name, in display order (a copy)."""
        return dict(self._params)

    @property
    def options(self) -> dict[str, str]:
        """The example's options (``bias`` for two_hidden, ``order`` for chain), a copy."""
        return dict(self._options)

    @property
    def steps(self) -> list[Step]:
        """All steps of the pass, in order (a copy of the list)."""
        return list(self._steps)

    @property
    def n_steps(self) -> int:
        return len(self._steps)

    @property
    def index(self) -> int:
        return self._index

    @index.setter
    def index(self, value: int) -> None:
        self.go_to(value)

    @property
    def current(self) -> Step | None:
        """The step just done (``steps[index − 1]``), or ``None`` at index 0."""
        return self._steps[self._index - 1] if self._index else None

    @property
    def done(self) -> list[Step]:
        """The steps done so far, in order."""
        return self._steps[: self._index]

    @property
    def known(self) -> dict[str, float]:
        """Every value known at the current index: the parameters, then each computed quantity by name."""
        out = dict(self._params)
        for step in self.done:
            out[step.name] = step.value
        return out

    def value(self, name: str) -> float:
        """The full pass's value of a quantity (``"out_o"``, ``"dE/dw1"``, ``"w1_new"``), whatever the index."""
        for step in self._steps:
            if step.name == name:
                return step.value
        if name in self._params:
            return self._params[name]
        raise KeyError(f"{self.example.key} has no quantity {name!r}; it has {[s.name for s in self._steps]}")

    @property
    def kinds(self) -> dict[str, str]:
        """Each parameter's kind: ``"input"``, ``"weight"``, ``"target"`` or ``"eta"``."""
        return dict(self.example.kinds)

    # ------------------------------------------------------------------ moving
    def go_to(self, index: int) -> None:
        """Jump to ``index`` (0 … n_steps)."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= len(self._steps):
            raise ValueError(f"index must be an integer from 0 to {len(self._steps)}, got {index!r}")
        self._index = index
        self._changed()

    def step_forward(self) -> Step | None:
        """Do the next step and return it (at the end, stay there and return ``None``)."""
        if self._index == len(self._steps):
            return None
        self._index += 1
        self._changed()
        return self.current

    def step_back(self) -> Step | None:
        """Undo the last step; return the step now current (``None`` back at the start)."""
        if self._index:
            self._index -= 1
            self._changed()
        return self.current

    def reset(self) -> None:
        """Back to index 0 (nothing computed). The parameters stay as they are."""
        self._index = 0
        self._changed()

    def play(self) -> list[Step]:
        """Run to the end; return the steps that were done by it (the view animates them one by one)."""
        start = self._index
        self._index = len(self._steps)
        self._changed()
        return self._steps[start:]

    # ------------------------------------------------------------------ editing
    def set_param(self, name: str, value: float) -> None:
        """Change one parameter and recompute every step; the index stays where it is."""
        self._params[name] = self._valid(name, value, must_exist=True)
        self._recompute()
        self._changed()

    def _valid(self, name: str, value: object, must_exist: bool = False) -> float:
        if name not in self.example.defaults:
            known = list(self.example.defaults) + list(self.example.options)
            raise ValueError(f"{self.example.key} has no parameter {name!r}; expected one of {known}")
        if name == "eta":
            return check_positive(value, "eta (the learning rate η)")
        return as_real(value, name)

    def _recompute(self) -> None:
        self._steps = self.example.build(self._params, self._options)

    # ------------------------------------------------------------------ views
    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` (a bound method, held weakly) after every change of index or parameters, so a
        view displayed in one cell follows ``stepper.go_to(8)`` run in another."""
        self._listeners.append(weakref.WeakMethod(callback))

    def _changed(self) -> None:
        alive = []
        for ref in self._listeners:
            callback = ref()
            if callback is not None:
                alive.append(ref)
                callback()
        self._listeners = alive

    # ------------------------------------------------------------------ checking
    def check(self, eps: float = 1e-6) -> dict[str, tuple[float, float, float]]:
        """Backprop's gradients against central differences of the model's loss.

        For each checked parameter (the weights and biases; x, y, z for xyz): ``(backprop, central difference,
        relative error)``. The loss comes from :mod:`bpcourse.models` (:mod:`bpcourse.autodiff` for xyz) and the
        differences from :func:`bpcourse.gradcheck.numeric_gradient`, the course's one helper, with step ``eps``.
        The chain's ``order="article"`` fails this check for w2 and w1: its "gradients" use updated weights.
        """
        import numpy as np

        from ..gradcheck import numeric_gradient, rel_error

        names = self.example.checked
        point = np.array([self._params[n] for n in names], dtype=np.float64)

        def loss(v: np.ndarray) -> float:
            p = dict(self._params)
            p.update(zip(names, (float(a) for a in v)))
            return self.example.loss(p, self._options)

        central = numeric_gradient(loss, point, eps)
        out = {}
        for name, c in zip(names, central):
            g = self.value(self.example.grad_name(name))
            out[self.example.grad_name(name)] = (g, float(c), rel_error(g, float(c)))
        return out

    def check_ok(self, tol: float = CHECK_TOLERANCE) -> bool:
        """True if every gradient agrees with its central difference to ``tol`` (relative error)."""
        return all(err <= tol for _, _, err in self.check().values())

    # ------------------------------------------------------------------ describing
    def counter(self) -> str:
        """``"step 3 / 22"``."""
        return f"step {self._index} / {len(self._steps)}"

    def describe(self) -> str:
        """The counter, the step's kind and its line, e.g. ``"step 8 / 22 · backward: δ_o = … = −0.0442"``."""
        if self.current is None:
            return f"{self.counter()} · nothing computed yet: press forward"
        return f"{self.counter()} · {self.current.kind}: {self.current.line}"

    def svg(self, index: int | None = None) -> str:
        """The drawing at ``index`` (default: the current one) as an SVG document (a string)."""
        from .stepper_svg import render

        return render(self, self._index if index is None else index)

    def view(self, presenter: bool = False) -> Any:
        """The ipywidgets UI (buttons, counter, formula, drawing, parameter fields, check; → and ← step);
        ``presenter=True`` starts it at presenter size, for a projector."""
        from .stepper_view import StepperView

        return StepperView(self, presenter=presenter)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.view())

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self._options.items())
        return f"BackpropStepper({self.example.key!r}{opts}, {self.counter()})"
