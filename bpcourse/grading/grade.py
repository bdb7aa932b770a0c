"""``bpcourse.grading.grade``: the batch grader's public names, kept here for the code that imports them.

The grader itself lives in rooms that match its trust boundary: :mod:`~bpcourse.grading.jail` (the
process jail), :mod:`~bpcourse.grading.protocol` (messages across it), :mod:`~bpcourse.grading.worker`
(what runs inside), :mod:`~bpcourse.grading.judge` (cases, references, verdicts),
:mod:`~bpcourse.grading.feedback` and :mod:`~bpcourse.grading.batch` (the resumable folder run).
"""

from __future__ import annotations

from bpcourse.grading.batch import ENGINE_VERSION, GradeSummary, Row, grade_folder, list_submissions, load_tasks
from bpcourse.grading.judge import STATUSES, SourceError, prepare_tasks
from bpcourse.grading.notebook import InvalidNotebook, read_notebook

__all__ = ["grade_folder", "prepare_tasks", "read_notebook", "InvalidNotebook", "SourceError", "GradeSummary",
           "Row", "STATUSES", "ENGINE_VERSION", "list_submissions", "load_tasks"]
