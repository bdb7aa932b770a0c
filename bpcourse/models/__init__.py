"""The articles' own worked-example models, each tested against the general layers of :mod:`bpcourse.layers`
and against central differences.

Conventions shared by every model here:

Notation
    The arguments follow the course: input ``x`` (a batch ``X``), target ``t`` (a batch ``T``), learning rate
    ``eta``, loss ``L``/``E``, error terms ``delta`` (δ = ∂E/∂net). An article's own letters appear only where a
    model reproduces that article (its node names, its verbatim code), and then the module docstring maps them
    to the course's (e.g. Article A's target y is ``t``, its α is ``eta``).
Gradients
    A model's gradient function returns a :class:`typing.NamedTuple` with one field per parameter, named ``d``
    + the parameter's name and shaped like that parameter (a float for a scalar, an array of the parameter's
    shape for an array), in the parameters' order; models that also report the error terms append them as
    ``delta_*`` fields. A NamedTuple unpacks like a tuple (``dw, db = neuron.gradient(x, t)``) and converts
    with ``np.array(g)`` when all fields are floats.
Seeds
    Random starts take ``seed``: an int or a ``numpy.random.Generator``, never ``None``
    (:func:`bpcourse.validate.as_rng`).

Nothing is imported here, so ``import bpcourse.models`` stays cheap; import the module you need:

:mod:`bpcourse.models.neuron`
    The single sigmoid neuron o = σ(w·x + b) with L = ½(o − t)², trained by SGD on the AND rule
    (Article D's single-neuron formula, the lecture Article C refers to); gradients ``Gradients(dw, db)``.
    Chapter 1.
:mod:`bpcourse.models.chain`
    Article C's three-layer chain y = w1·x, z = w2·y, e = w3·z, L = ½(e − ê)², in plain Python floats:
    the article's update order and its printed gradient-check table reproduced exactly, and the correct
    order. Chapter 3.
:mod:`bpcourse.models.framework`
    Article C's "framework" (``Layer``, ``Network``) with its two bugs, the corrected version, seeded
    success counts over many random starts, and the gradient check that finds both bugs. Chapter 4.
:mod:`bpcourse.models.two_hidden`
    Article A's 1-2-1 sigmoid network under both readings of its bias (``"literal"``, ``"shared"``), the
    article's gradient formulas and the exact ones, at the course's own example numbers (Article A prints
    none); gradients ``Gradients(dw1, …, db2)``. Chapter 5.
:mod:`bpcourse.models.net322`
    Article B's 3-2-2 fully connected network with w_ji naming and the bias folded in as an input of 1;
    δ_k and δ_j by explicit loops over node numbers and by matrices; gradients
    ``Gradients(dW_hidden, dW_out, delta_hidden, delta_out)``. Chapter 6.
"""

__all__ = ["neuron", "chain", "framework", "two_hidden", "net322"]
