"""Interactive teaching tools whose logic is plain Python: state you can set and read, tested without a browser.

:class:`TrainingExplorer` (chapter 9)
    Trains a small network with a chosen η, optimiser, batch size, epochs and seed; ``build_ui()`` puts
    sliders on it that retrain and redraw the loss curve.
:class:`BackpropStepper` (chapters 2, 3, 5, 6)
    Walks through one forward pass, loss, backward pass and update of a course graph, one operation per step,
    with the formula and its live numbers; ``view()`` draws it on the network with buttons and editable
    parameters.

ipywidgets and matplotlib are imported only by the views (``build_ui()``, ``view()``), so
``import bpcourse.widgets`` stays cheap.

In a chapter, the view is a cell's last expression (``BackpropStepper("two_hidden").view()``,
``TrainingExplorer().build_ui()``). Its display is one output with a static fallback next to the widget: the
stepper adds ``text/html`` (the drawing of the whole pass as an SVG data URI and "Run this notebook to use the
stepper"), the explorer ``image/png``. So a page without a kernel shows a picture, not "model not found" or a
text repr: JupyterLab with an untrusted notebook (it renders only safe types), a static site or nbconvert's HTML
(given no widget state, or told to skip the widget type). Execute the chapters with
``jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.store_widget_state=True``: the stored
state lets JupyterLab 4 draw the widgets of a trusted notebook before any kernel runs.
"""
from .explorer import BATCH_CHOICES, DIVERGED_LOSS, TrainingExplorer
from .stepper import CHECK_TOLERANCE, EXAMPLES, BackpropStepper, Step

__all__ = ["TrainingExplorer", "DIVERGED_LOSS", "BATCH_CHOICES", "BackpropStepper", "Step", "EXAMPLES",
           "CHECK_TOLERANCE"]
