"""``bpcourse.grading`` inside the grading sandbox: ``check`` only, a no-op that says so."""

from typing import Any


def check(fn: Any, task: Any = None, **kwargs: Any) -> bool:
    """Does nothing while grading: the grade comes from the grader's own cases, computed outside."""
    print("check() does nothing while grading: the grade comes from the grader's own cases")
    return True
