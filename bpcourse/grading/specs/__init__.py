"""The graded tasks' specs, one module per exercise notebook (``exercises/NN_*.ipynb``).

Each module ``exNN_<notebook>`` reads top to bottom as a table: its case generators and fixed edge cases, its
slips, then ``TASKS`` (a tuple of :class:`~bpcourse.grading.spec.Task`), the exercise's sandbox
``ALLOWLIST`` (and ``WITHHELD`` where it has one) and ``EXERCISE``, the notebook's stem.
:mod:`bpcourse.grading.tasks` assembles them. Nothing here runs at ``import bpcourse``.
"""
