"""Exercise self-checks, release of student notebooks and sandboxed batch grading.

``from bpcourse.grading import check`` is all a learner needs; the instructor
uses the ``bpcourse release`` and ``bpcourse grade`` commands
(:mod:`bpcourse.cli`). Nothing here imports nbformat, nbclient or Jupyter at
import time.

The rooms, along the trust boundary of ``bpcourse grade``:

* ``spec``, ``tasks``, ``specs``: the task table, one ``specs`` module per exercise (trusted parent only);
* ``learner``: the one ``call_learner`` path, shared by the self-check and the sandbox;
* ``selfcheck``, ``diagnose``, ``explain``, ``raised``: the notebook self-check and the diagnoses;
* ``returned``, ``standins`` (and ``standin_tables``, their trusted side): what the sandbox records of a call, and the
  earlier graded functions standing in while a later task runs;
* ``jail``: the bubblewrap process jail; ``facade``: the ``bpcourse`` it sees (an allowlist);
* ``protocol``: the typed messages across it, read strictly; ``worker``, ``shell``: what runs inside;
* ``notebook``: reading a submission (locked cells restored from the source); ``judge``: cases, references,
  verdicts; ``exactness``: how close a right answer must be (also the self-check's rule); ``feedback``;
* ``submissions``: the folder walk and faithful names; ``batch``: the resumable folder run; ``release``;
* ``shard``, ``export``, ``gradescope``, ``scale_cli``: classes beyond one machine (``--shard``/``--merge``,
  the grade books, the Gradescope autograder).
"""

from __future__ import annotations

from typing import Any

from bpcourse.grading.spec import Task

__all__ = ["Task", "check", "alone"]


def check(fn: Any, task: str | None = None, **kwargs: Any) -> bool:
    """Check a learner's function on fresh random cases; print "public checks passed" or a diagnosis.

    See :func:`bpcourse.grading.selfcheck.check` for the options (``n_cases``, ``seed``, ``tasks``).
    """
    from bpcourse.grading.selfcheck import check as _check

    return _check(fn, task, **kwargs)


def alone(fn: Any, task: str | None = None, **kwargs: Any) -> Any:
    """``fn`` with the earlier graded functions it calls answering with their right values (so a test of it
    judges its task alone). See :func:`bpcourse.grading.selfcheck.alone`."""
    from bpcourse.grading.selfcheck import alone as _alone

    return _alone(fn, task, **kwargs)
