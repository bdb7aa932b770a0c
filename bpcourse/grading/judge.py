"""Judging, in the trusted parent: the cases and references, and the verdict on what the sandbox returned.

:func:`prepare_tasks` draws every case from the instructor's seed and computes the reference outputs and
named factors (nothing of it ever enters the sandbox except the case inputs). :func:`judge_task` compares a
task's reported outcomes with the references through :func:`bpcourse.grading.diagnose.diagnose_case`;
:func:`judge_run` turns a whole run (how it ended, its transcript) into a status and points. Every verdict is
decided here: from the sandbox only the learner's return values and the case's input arrays after each call
are used ("modified its input in place" is this process comparing them with the pristine case); the texts
it sends (an exception, a note) can only explain a 0, never earn a point.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import re
import signal
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

from bpcourse.grading.diagnose import describe_case, diagnose_case
from bpcourse.grading.returned import Item, Returned, modified_inputs, normalize
from bpcourse.grading.exactness import exact_bounds, inexact_outputs
from bpcourse.grading.raised import format_exception
from bpcourse.grading.jail import JailRun, Limits
from bpcourse.grading.protocol import Request, TaskReport, Transcript
from bpcourse.grading.selfcheck import evaluate_factors
from bpcourse.grading.spec import Task
from bpcourse.grading.standin_tables import own_note, tables_for
from bpcourse.grading.standins import Table, encode_tables
from bpcourse.grading.tasks import TASKS

__all__ = ["STATUSES", "SourceError", "PreparedTask", "TaskVerdict", "Judgement", "prepare_tasks",
           "request_tasks", "judge_task", "judge_run", "case_seed"]

#: Every status a row can have, with what it means (also shown by ``bpcourse grade --help``).
STATUSES: dict[str, str] = {
    "ok": "every task earned its points",
    "partial": "some tasks earned points, some did not",
    "failed": "the notebook ran, but no task earned points",
    "unanswered": "every graded function still raises NotImplementedError (the stub)",
    "no-functions": "none of the graded functions is defined (renamed? deleted? a cell failed?)",
    "invalid-notebook": "not a readable notebook (empty, not JSON, not nbformat, too large, or not Python)",
    "timeout": "stopped at the wall-time limit (an endless loop?); points from tasks graded before it count",
    "memory": "hit the memory limit somewhere; points from tasks that passed count",
    "crashed": "the Python process died (os._exit, a signal); points from tasks graded before it count",
    "tampered": "the notebook wrote to the grader's result channel itself; tasks without a clean result earn 0",
    "skipped": "not graded: a symbolic link (never followed), a file or folder that cannot be read, or the "
               "instructor's source notebook itself (a hard link to it, or a copy of its bytes)",
    "too-large": "not graded: the file is larger than --max-notebook-mb (stored outputs?); raise it and rerun",
    "grader-error": "a bug in the grader itself (please report it); the run went on",
}


class SourceError(RuntimeError):
    """A setup error: the source notebook, the task table or the folders are unusable (exit status 1)."""


def case_seed(seed: int, task_id: str) -> list[int]:
    """The seed sequence of a task's cases: the instructor's seed and a stable hash of the task id."""
    return [int(seed) & 0xFFFFFFFFFFFFFFFF,
            int.from_bytes(hashlib.sha256(task_id.encode("utf-8")).digest()[:8], "little")]


@dataclass
class PreparedTask:
    """A task with its cases, reference outputs and factors, computed once in the trusted parent.

    ``bounds[j]`` holds, per output, the per-entry distance from the reference within which an exact
    formula lands on case ``j`` (:func:`bpcourse.grading.exactness.exact_bounds`); None leaves that case
    to ``Task.rtol`` alone.
    """

    task: Task
    cases: list[dict[str, Any]]
    refs: list[Returned]
    factors: list[dict[str, Any]]
    bounds: list[list[np.ndarray] | None] = field(default_factory=list)
    standins: list[list[Table]] = field(default_factory=list)  # per case: the tables of the functions it uses


def prepare_tasks(tasks: Sequence[Task], seed: int, n_cases: int) -> list[PreparedTask]:
    """Draw each task's cases from ``seed``, add its fixed ``edge_cases``, and compute the references (a task's
    cases do not depend on which other tasks are graded).

    Raises
    ------
    SourceError
        When a reference returns something the grader cannot compare, or a case holds a non-number.
    """
    prepared = []
    for t in tasks:
        rng = np.random.default_rng(case_seed(seed, t.id))
        cases, refs, factors = [], [], []
        for case in t.draw_cases(rng, n_cases):  # the random cases, then the task's fixed edge cases
            try:
                Request.encode_case(case)
            except TypeError as exc:
                raise SourceError(f"task {t.id}: {exc}") from None
            ref = normalize(t.reference(**copy.deepcopy(case)), t.outputs)
            if ref.structure_error or any(i.array is None for i in ref.items):
                raise SourceError(f"task {t.id}: the reference returned something the grader cannot compare "
                                  f"({ref.structure_error or 'not numbers/arrays'}); fix the task table")
            cases.append(case)
            refs.append(ref)
            factors.append(evaluate_factors(t, case))
        bounds = [exact_bounds(t.reference, c, t.outputs, r, seed=j) for j, (c, r) in enumerate(zip(cases, refs))]
        standins = [tables_for(t, c, TASKS) for c in cases]
        prepared.append(PreparedTask(t, cases, refs, factors, bounds, standins))
    return prepared


def inexact(pt: PreparedTask, j: int, got: Returned) -> dict[int, str]:
    """Why outputs that passed ``Task.rtol`` on case ``j`` are still not what an exact formula gives, by
    output index (empty: every output is exact, or the case has no bound)."""
    bounds = pt.bounds[j] if j < len(pt.bounds) else None
    if bounds is None:
        return {}
    return inexact_outputs(pt.task.outputs, got, pt.refs[j], bounds)


def request_tasks(prepared: Sequence[PreparedTask]) -> list[dict[str, Any]]:
    """The tasks as the sandbox gets them: function name, output names and case inputs only."""
    return [{"id": pt.task.id, "function": pt.task.function, "outputs": list(pt.task.outputs),
             "cases": [Request.encode_case(c) for c in pt.cases],
             "standins": [encode_tables(tables) for tables in pt.standins] or [[] for _ in pt.cases]}
            for pt in prepared]


# ------------------------------------------------------------------------------------------------ a task
@dataclass
class TaskVerdict:
    """The verdict on one task."""

    points: float
    passed: bool
    message: str
    stub: bool = False
    found: bool = True


def _where(report: dict[str, Any]) -> str:
    fn = str(report.get("filename", ""))
    if fn.startswith("<cell ") and report.get("lineno"):
        return f"cell {fn[6:-1]}, line {report['lineno']}"
    return ""


def _returned(outcome: dict[str, Any], n_outputs: int) -> Returned:
    if outcome["structure_error"]:
        return Returned(structure_error=outcome["structure_error"][:300])
    items = outcome["items"]
    if len(items) != n_outputs:
        return Returned(structure_error="its return value could not be read")
    return Returned([Item(i["kind"], i["type_name"], i["array"], i["text"]) for i in items])


def _missing(t: Task, report: TaskReport, cell_hint: str) -> TaskVerdict:
    close = difflib.get_close_matches(t.function, report.candidates, n=2, cutoff=0.5)
    msg = f"no function named `{t.function}` is defined"
    if close:
        msg += f"; you defined {', '.join(close)}: did you rename it? The grader looks for `{t.function}`"
    return TaskVerdict(0, False, msg + cell_hint, found=False)


def _per_output(pt: PreparedTask, outcomes: list[dict[str, Any]], modified: bool) -> list[bool]:
    """Which outputs are right on every case (for partial credit)."""
    t = pt.task
    ok = [not modified] * len(t.outputs)
    for j, (case, ref, factors, o) in enumerate(zip(pt.cases, pt.refs, pt.factors, outcomes)):
        got = _returned(o, len(t.outputs))
        if got.structure_error:
            return [False] * len(t.outputs)
        for i, name in enumerate(t.outputs):
            if ok[i] and diagnose_case(Returned([got.items[i]]), Returned([ref.items[i]]), (name,), case,
                                       rtol=t.rtol, factors=factors):
                ok[i] = False
        for i in inexact(pt, j, got):
            ok[i] = False
    return ok


def judge_task(pt: PreparedTask, report: TaskReport | None, stopped: str = "", cell_hint: str = "",
               partial_credit: bool = False) -> TaskVerdict:
    """The verdict on one task from what the sandbox reported (None: nothing came back)."""
    t = pt.task
    if report is None:
        return TaskVerdict(0, False, f"{t.function} was not graded: {stopped or 'no result came back'}", found=False)
    if report.state == "missing":
        return _missing(t, report, cell_hint)
    if report.state == "not-callable":
        kind = ", ".join(report.candidates)[:40]
        return TaskVerdict(0, False, f"`{t.function}` is a {kind}, not a function: was the name reused for a "
                                     f"variable after the def?", found=False)
    if report.state != "evaluated":
        return TaskVerdict(0, False, f"{t.function} was not evaluated on every case: "
                                     f"{stopped or 'the evaluation stopped early'}")
    outcomes = report.cases
    for j, o in enumerate(outcomes):
        if o["bind_error"]:
            return TaskVerdict(0, False, o["bind_error"])
        err = o["error"]
        if err is not None:
            stub = err["type"] == "NotImplementedError" and j == 0
            return TaskVerdict(0, False, format_exception(t.function, err, _where(err)), stub=stub)
    if len(outcomes) != len(pt.cases):
        return TaskVerdict(0, False, f"{t.function} was not evaluated on every case: "
                                     f"{stopped or 'the evaluation stopped early'}")
    changed = [modified_inputs(case, o["inputs"]) for case, o in zip(pt.cases, outcomes)]
    for j, (case, ref, factors, o, modified) in enumerate(zip(pt.cases, pt.refs, pt.factors, outcomes, changed)):
        got = _returned(o, len(t.outputs))
        problems = diagnose_case(got, ref, t.outputs, case, rtol=t.rtol, factors=factors, modified=modified,
                                 reference=t.reference)
        if not problems:
            problems = list(inexact(pt, j, got).values())
        if problems:
            text = f"{t.function}: wrong on graded case {j + 1} of {len(pt.cases)} ({describe_case(case)}):\n"
            text += "\n".join(f"    - {p}" for p in problems)
            if o["note"]:
                text += f"\n    ({o['note'][:300]})"
            if o["own"]:
                text += "\n    (" + own_note(t.function, o["own"]) + ")"
            points = 0.0
            if partial_credit and len(t.outputs) > 1:
                any_modified = any(changed)
                right = _per_output(pt, outcomes, any_modified)
                points = round(t.points * sum(w for w, r in zip(t.output_weights(), right) if r), 2)
                text += "\n    partial credit: " + ", ".join(
                    f"{n} {'right' if r else 'wrong'}" for n, r in zip(t.outputs, right)
                ) + f" on every case → {points:g} of {t.points}"
            return TaskVerdict(points, False, text)
    return TaskVerdict(float(t.points), True, f"{t.function}: passed all {len(pt.cases)} graded cases")


def with_dependency_notes(verdicts: list[tuple[PreparedTask, TaskVerdict]]) -> list[tuple[PreparedTask, TaskVerdict]]:
    """Say, for a task whose earlier graded functions are not yet right, that its grade did not depend on them."""
    failed = {pt.task.function: pt.task.id for pt, v in verdicts if not v.passed}
    out = []
    for pt, v in verdicts:
        if v.found:
            for name in (n for n in pt.task.uses if n in failed):
                v = replace(v, message=v.message + f"\n    ({pt.task.function} was graded with the right values of "
                                                   f"`{name}` in its place, since your `{name}` is not yet right "
                                                   f"(see {failed[name]}): this task's points do not depend on it)")
        out.append((pt, v))
    return out


# -------------------------------------------------------------------------------------------------- a run
@dataclass
class Judgement:
    """A whole submission's grade."""

    status: str
    verdicts: list[tuple[PreparedTask, TaskVerdict]]
    notes: list[str] = field(default_factory=list)

    @property
    def points(self) -> dict[str, float]:
        return {pt.task.id: v.points for pt, v in self.verdicts}

    @property
    def total(self) -> float:
        return float(sum(v.points for _, v in self.verdicts))


def _cell_line(cells: dict[int, str], index: int) -> str:
    for line in cells.get(index, "").splitlines():
        if line.strip():
            return line.strip()[:70]
    return ""


def _memory(run: JailRun, tr: Transcript) -> bool:
    errors = [c["error"] for c in tr.cells.values() if c["error"]]
    errors += [o["error"] for r in tr.tasks.values() for o in r.cases if o["error"]]
    log = run.log.decode("utf-8", "replace")
    return any(e["type"] == "MemoryError" for e in errors) or (
        not tr.done and ("MemoryError" in log or "Cannot allocate memory" in log))


def stopped_text(run: JailRun, tr: Transcript, cells: dict[int, str], limits: Limits) -> tuple[str, str]:
    """(status if the run ended abnormally, a sentence saying where)."""
    if tr.last_cell is not None:
        where = f"while running cell {tr.last_cell} (`{_cell_line(cells, tr.last_cell)}`)"
    elif tr.current_task:
        where = f"while evaluating task {tr.current_task}"
    elif not tr.cells_started:
        where = "before the notebook's code started"
    else:
        where = "after the graded functions were called"
    if run.timed_out:
        return "timeout", (f"the run was stopped at the {limits.timeout:g} s time limit {where} "
                           f"(an endless loop, or a very long computation?)")
    if run.channel_overflow:
        return "tampered", f"the notebook flooded the grader's result channel (over {limits.channel_mb} MiB) {where}"
    memory = _memory(run, tr)
    if not tr.done and not tr.error or tr.truncated:
        if memory:
            return "memory", f"the Python process ran out of memory ({limits.memory_mb} MiB limit) {where}"
        rc = run.returncode
        if rc is not None and rc > 128 and (rc - 128) in signal.Signals._value2member_map_:
            rc = 128 - rc  # bwrap reports a child killed by signal N as exit status 128 + N
        how = (f"was killed by signal {-rc} ({signal.Signals(-rc).name})" if rc is not None and rc < 0 and
               -rc in signal.Signals._value2member_map_ else f"exited with code {rc}")
        hint = " (`os._exit`, or a crash inside a library)" if rc is not None and rc >= 0 else ""
        return "crashed", f"the Python process {how}{hint} {where}"
    if tr.error:
        return "tampered", (f"the grader's result channel carried something the grader never sends "
                            f"({tr.error}) {where}; everything after it was ignored")
    if memory:
        return "memory", f"the notebook hit the memory limit ({limits.memory_mb} MiB) at least once"
    return "", ""


def _cell_errors(tr: Transcript) -> dict[int, str]:
    """Each failed cell's error, in the learner's words: cell index -> "cell 5, line 14: IndentationError …"."""
    errs = {}
    for idx in sorted(tr.cells):
        err = tr.cells[idx]["error"]
        if err:
            where = _where(err) or f"cell {idx}"
            msg = f": {err['message'][:150]}" if err["message"] else ""
            errs[idx] = f"{where}: {err['type']}{msg}" + (f" — `{err['line'][:80]}`" if err["line"] else "")
    return errs


def _cell_hint(function: str, errors: dict[int, str], sources: dict[int, str] | None) -> str:
    """Which failed cell may be why ``function`` is missing: the one whose source defines it, else the first."""
    if not errors:
        return ""
    pattern = re.compile(rf"^\s*def\s+{re.escape(function)}\s*\(", re.M)
    defining = [i for i in errors if sources and pattern.search(sources.get(i, ""))]
    which = errors[defining[0]] if defining else errors[min(errors)]
    return f" (a cell failed, which may be why: {which})"


def judge_run(prepared: Sequence[PreparedTask], tr: Transcript, abnormal: str, stopped: str,
              partial_credit: bool = False, sources: dict[int, str] | None = None) -> Judgement:
    """Status and points of one submission from its transcript and how its run ended.

    ``sources`` (cell index -> source) lets a task's feedback name the failed cell that defines its function.
    """
    errors = _cell_errors(tr)
    cell_errs = list(errors.values())
    verdicts = [(pt, judge_task(pt, tr.tasks.get(pt.task.id), stopped, _cell_hint(pt.task.function, errors, sources),
                                partial_credit)) for pt in prepared]
    verdicts = with_dependency_notes(verdicts)
    total = sum(v.points for _, v in verdicts)
    full = sum(pt.task.points for pt in prepared)
    if abnormal:
        status = abnormal
    elif not any(v.found for _, v in verdicts):
        status = "no-functions"
    elif total >= full:
        status = "ok"
    elif total > 0:
        status = "partial"
    elif all(v.stub for _, v in verdicts if v.found):
        status = "unanswered"
    else:
        status = "failed"
    return Judgement(status, verdicts, cell_errs + list(tr.notes))
