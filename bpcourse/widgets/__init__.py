"""Interactive teaching tools whose logic is plain Python: state you can set and read, tested without a browser.

:class:`TrainingExplorer` (chapter 9)
    Trains a small network with a chosen η, optimiser, batch size, epochs and seed; ``build_ui()`` puts
    sliders on it that retrain and redraw the loss curve.
:class:`BackpropStepper` (chapters 2, 3, 5, 6)
    Walks through one forward pass, loss, backward pass and update of a course graph, one operation per step,
    with the formula and its live numbers; ``view()`` draws it on the network with buttons and editable
    parameters.

ipywidgets and matplotlib are imported only by the views (``build_ui()``, ``view()``), so
``import bpcourse.widgets`` stays cheap. How a chapter displays them, and how the notebooks are executed so
that the widgets show a picture before the kernel runs: see ``widget_display`` in each view's docstring.
"""
from .explorer import BATCH_CHOICES, DIVERGED_LOSS, TrainingExplorer
from .stepper import CHECK_TOLERANCE, EXAMPLES, BackpropStepper, Step

__all__ = ["TrainingExplorer", "DIVERGED_LOSS", "BATCH_CHOICES", "BackpropStepper", "Step", "EXAMPLES",
           "CHECK_TOLERANCE"]
