"""``bpcourse.grading`` inside the grading sandbox: ``check``, a no-op that says so, and ``alone``, which hands
back the function (the grader itself puts the stand-ins in place)."""

from typing import Any


def check(fn: Any, task: Any = None, **kwargs: Any) -> bool:
    """Does nothing while grading: the grade comes from the grader's own cases, computed outside."""
    print("check() does nothing while grading: the grade comes from the grader's own cases")
    return True


def alone(fn: Any, task: Any = None, **kwargs: Any) -> Any:
    """The function itself: while grading, the grader puts the stand-ins in place."""
    return fn
