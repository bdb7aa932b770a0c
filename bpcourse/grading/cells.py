"""Helpers for the exercises' test cells.

>>> from bpcourse.grading.cells import quiet
>>> with quiet():                       # doctest: +SKIP
...     passed = check(softmax)

nbgrader gives 0 points to a test cell that prints anything on stderr, and a NumPy ``RuntimeWarning`` raised
by a learner's otherwise right answer (an overflow in a value it then discards) goes to stderr. So each test
cell calls the learner's code inside :func:`quiet`: warnings are recorded instead of printed, NumPy's
floating-point warnings are switched off, and nothing else changes. Exceptions (a failed assert, the
stub's ``NotImplementedError``) pass through as they are, so a real failure still fails the cell.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Iterator

import numpy as np

__all__ = ["quiet"]


@contextlib.contextmanager
def quiet() -> Iterator[list[warnings.WarningMessage]]:
    """Run the block with warnings recorded (the list is yielded) and NumPy's error reports off."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        yield caught
