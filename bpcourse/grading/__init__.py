"""Exercise self-checks, release of student notebooks and sandboxed batch grading.

``from bpcourse.grading import check`` is all a learner needs; the instructor
uses the ``bpcourse release`` and ``bpcourse grade`` commands
(:mod:`bpcourse.cli`). Nothing here imports nbformat, nbclient or Jupyter at
import time.
"""

from __future__ import annotations

from typing import Any

from bpcourse.grading.spec import Task

__all__ = ["Task", "check"]


def check(fn: Any, task: str | None = None, **kwargs: Any) -> bool:
    """Check a learner's function on fresh random cases; print "public checks passed" or a diagnosis.

    See :func:`bpcourse.grading.selfcheck.check` for the options (``n_cases``, ``seed``, ``tasks``).
    """
    from bpcourse.grading.selfcheck import check as _check

    return _check(fn, task, **kwargs)
