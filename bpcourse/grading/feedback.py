"""The feedback file a learner reads: status, points, one paragraph per task, notes.

``mode="hints"`` (the default of ``bpcourse grade --feedback``) gives the diagnoses only; ``mode="full"``
also prints each failed task's full solution formula (``Task.solution``).
"""

from __future__ import annotations

import io
from typing import Sequence

from bpcourse.grading.judge import STATUSES, Judgement

__all__ = ["render", "fmt_points", "FEEDBACK_MODES"]

FEEDBACK_MODES = ("hints", "full")


def fmt_points(x: float) -> str:
    """Points as the CSV and feedback show them: ``3``, ``2.5``, ``1.33``."""
    return f"{round(float(x), 2):g}"


def render(name: str, exercise: str, j: Judgement, max_total: float, n_cases: int, *, mode: str = "hints",
           isolated: bool = True, partial_credit: bool = False, extra_notes: Sequence[str] = ()) -> str:
    """The feedback text of one submission."""
    out = io.StringIO()
    title = f"Feedback for {name}" + (f" ({exercise})" if exercise else "")
    print(title, file=out)
    print("=" * len(title), file=out)
    print(f"Status: {j.status} ({STATUSES.get(j.status, '')})", file=out)
    edges = ", some also on fixed edge cases" if any(pt.task.edge_cases for pt, _ in j.verdicts) else ""
    print(f"Points: {fmt_points(j.total)} of {fmt_points(max_total)}"
          + (f", each task checked on {n_cases} cases drawn at grading time{edges}" if n_cases and j.verdicts
             else ""), file=out)
    if partial_credit and j.verdicts:
        print("Partial credit is on: a task with several outputs earns its share for each output that is right "
              "on every case.", file=out)
    if j.verdicts:
        print("", file=out)
    for pt, v in j.verdicts:
        mark = "pass" if v.passed else "FAIL"
        desc = f" — {pt.task.description}" if pt.task.description else ""
        print(f"[{mark}] {pt.task.id} ({fmt_points(v.points)}/{pt.task.points}){desc}", file=out)
        for line in v.message.splitlines():
            print(f"    {line}", file=out)
        if mode == "full" and not v.passed and pt.task.solution:
            print(f"    solution: {pt.task.solution}", file=out)
    notes = list(j.notes) + list(extra_notes)
    if not isolated:
        notes.append("graded WITHOUT isolation (--no-isolation): the notebook ran as an ordinary process")
    if notes:
        print("\nNotes", file=out)
        for n in notes:
            print(f"  - {n}", file=out)
    return out.getvalue()
