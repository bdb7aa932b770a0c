"""The articles' own worked-example models, each in the article's notation, each tested against the general
layers of :mod:`bpcourse.layers` and against central differences.

Nothing is imported here, so ``import bpcourse.models`` stays cheap; import the module you need:

:mod:`bpcourse.models.neuron`
    The single sigmoid neuron o = σ(w·x + b) with L = ½(o − t)², trained by SGD on the AND rule
    (Article D's single-neuron formula, the lecture Article C refers to). Chapter 1.
:mod:`bpcourse.models.chain`
    Article C's three-layer chain y = w1·x, z = w2·y, e = w3·z, L = ½(e − ê)², in plain Python floats:
    the article's update order and its printed gradient-check table reproduced exactly, and the correct
    order. Chapter 3.
:mod:`bpcourse.models.framework`
    Article C's "framework" (``Layer``, ``Network``) with its two bugs, the corrected version, seeded
    success counts over many random starts, and the gradient check that finds both bugs. Chapter 4.
:mod:`bpcourse.models.two_hidden`
    Article A's 1-2-1 sigmoid network under both readings of its bias (``"literal"``, ``"shared"``), the
    article's gradient formulas and the exact ones. Chapter 5.
:mod:`bpcourse.models.net322`
    Article B's 3-2-2 fully connected network with w_ji naming and the bias folded in as an input of 1;
    δ_k and δ_j by explicit loops over node numbers and by matrices. Chapter 6.
"""

__all__ = ["neuron", "chain", "framework", "two_hidden", "net322"]
