"""Batch grading: a folder of submitted notebooks → ``grades.csv`` and one feedback file per submission.

How a grade is made (``bpcourse grade SOURCE.ipynb SUBMISSIONS/ --seed N --out OUT/``):

1. The tasks of the exercise come from ``bpcourse.grading.tasks.tasks_for(<source stem>)``. For each task,
   ``n_cases`` cases are drawn from ``numpy.random.default_rng([seed, <hash of the task id>])``: they exist
   only at grading time, so an answer cannot be hard-coded, and the same seed gives the same grades.
2. The trusted parent computes the reference outputs and the named factors itself, and traces the
   reference to learn which ``bpcourse`` functions do its work (its "entry points").
3. The instructor's SOURCE notebook runs first through the same sandbox: it must earn full marks (else the
   run stops and says which task's solution fails), and the ``bpcourse`` functions its solutions call are
   *allowed* helpers.
4. Each submission runs in a sandboxed worker (:mod:`bpcourse.grading.sandbox`); only the return values of
   its functions come back, as plain arrays. A task's points are earned when every case passes
   (:mod:`bpcourse.grading.diagnose`); a task whose output *is* the return value of one of the reference's
   entry points that the instructor's solution does not itself use earns 0, with the reason.
5. Results are written one submission at a time, atomically (``results/<stem>.json``, ``feedback/<stem>.txt``,
   then ``grades.csv`` rebuilt), so an interrupted run resumes where it stopped: a submission whose
   bytes, seed, source and task table are unchanged is not graded again.

Submissions are read, never written: the worker gets a copy of the code cells, not the file.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import csv
import difflib
import hashlib
import io
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from bpcourse.grading.diagnose import Item, Returned, describe_case, diagnose_case, format_exception, normalize
from bpcourse.grading.sandbox import (
    CallTracer,
    SandboxLimits,
    WorkerResult,
    clean_stale_dirs,
    kill_all_running,
    run_worker,
)
from bpcourse.grading.selfcheck import evaluate_factors
from bpcourse.grading.spec import Task

__all__ = ["grade_folder", "grade_notebook", "prepare_tasks", "read_notebook", "InvalidNotebook",
           "SourceError", "GradeSummary", "STATUSES", "ENGINE_VERSION"]

ENGINE_VERSION = "1"

#: Every status a row can have, with what it means (also shown by ``bpcourse grade --help``).
STATUSES: dict[str, str] = {
    "ok": "every task earned its points",
    "partial": "some tasks earned points, some did not",
    "failed": "the notebook ran, but no task earned points",
    "unanswered": "every graded function still raises NotImplementedError (the stub)",
    "no-functions": "none of the graded functions is defined (renamed? deleted? a cell failed?)",
    "invalid-notebook": "not a readable notebook (empty, not JSON, not nbformat, or not Python)",
    "timeout": "stopped at the wall-time limit (an endless loop?); points from tasks graded before it count",
    "memory": "hit the memory limit somewhere; points from tasks that passed count",
    "crashed": "the Python process died (os._exit, a signal); points from tasks graded before it count",
    "tampered": "the notebook interfered with the grader's own code; affected tasks earn 0",
    "grader-error": "a bug in the grader itself (please report it); the run went on",
}


class InvalidNotebook(ValueError):
    """A submission that is not a readable Python notebook."""


class SourceError(RuntimeError):
    """The instructor's source notebook does not earn full marks on its own tasks."""


# ------------------------------------------------------------------------------------------- preparation
def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


@dataclass
class PreparedTask:
    """A task with its cases, reference outputs and factors, computed once in the trusted parent."""

    task: Task
    cases: list[dict[str, Any]]
    refs: list[Returned]
    factors: list[dict[str, Any]]
    watch: set[str]
    specs: list[dict[str, list[str]]] = field(default_factory=list)
    allowed: set[str] = field(default_factory=set)


def _qualname(fn: Any) -> str | None:
    code = getattr(fn, "__code__", None)
    mod = getattr(fn, "__module__", None)
    if code is None or not mod:
        return None
    return f"{mod}.{getattr(code, 'co_qualname', code.co_name)}"


def prepare_tasks(tasks: Sequence[Task], seed: int, n_cases: int) -> tuple[list[PreparedTask], dict[str, Any]]:
    """Draw the cases from the instructor's seed and compute everything the comparison needs.

    Returns
    -------
    prepared : list of PreparedTask
    arrays : dict
        The case values by npz key, for the worker.
    """
    prepared: list[PreparedTask] = []
    arrays: dict[str, Any] = {}
    for t in tasks:
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, _stable_int(t.id)])
        cases, refs, factors, specs = [], [], [], []
        tracer = CallTracer(outermost=True)
        for j in range(n_cases):
            case = t.make_case(rng)
            with tracer:
                out = t.reference(**copy.deepcopy(case))
            ref = normalize(out, t.outputs)
            if ref.structure_error or any(i.array is None for i in ref.items):
                raise SourceError(f"task {t.id}: the reference returned something the grader cannot compare "
                                  f"({ref.structure_error or 'not numbers/arrays'}); fix the task table")
            spec = {}
            for arg, v in case.items():
                key = f"{t.id}/{j}/{arg}"
                if isinstance(v, np.ndarray):
                    kind = "array"
                elif isinstance(v, (bool, np.bool_)):
                    kind = "bool"
                elif isinstance(v, (int, np.integer)):
                    kind = "int"
                elif isinstance(v, (float, np.floating)):
                    kind = "float"
                else:
                    raise SourceError(f"task {t.id}: case argument {arg!r} is a {type(v).__name__}; cases hold "
                                      f"floats, ints and arrays only")
                arrays[key] = np.asarray(v)
                spec[arg] = [kind, key]
            cases.append(case)
            refs.append(ref)
            factors.append(evaluate_factors(t, case))
            specs.append(spec)
        watch = set(tracer.entries)
        name = _qualname(t.reference)
        if name:
            watch.add(name)
        prepared.append(PreparedTask(t, cases, refs, factors, watch, specs))
    return prepared, arrays


# ---------------------------------------------------------------------------------------- reading notebooks
def read_notebook(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The code cells of a notebook file's bytes, and notes about it.

    Returns
    -------
    cells : list of dict
        ``{"index": 1-based cell number, "source": str, "skip": bool}``; ``skip`` marks nbgrader autograder
        test cells (``grade: true, solution: false``): their content is the instructor's, and the grade
        does not come from them.
    notes : list of str

    Raises
    ------
    InvalidNotebook
        With what is wrong and what was expected.
    """
    import warnings

    import nbformat

    if not data.strip():
        raise InvalidNotebook(f"the file is empty ({len(data)} bytes); expected a Jupyter notebook (JSON)")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidNotebook(f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise InvalidNotebook(f"the file is not valid JSON ({exc}); was it saved completely?") from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise InvalidNotebook("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    notes = []
    major = raw.get("nbformat")
    if major != 4:
        notes.append(f"the notebook is in nbformat {major}; it was converted to nbformat 4 for grading")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises many kinds on malformed files
        raise InvalidNotebook(f"nbformat cannot read it: {type(exc).__name__}: {str(exc)[:200]}") from None
    meta = nb.get("metadata", {}) or {}
    lang = ((meta.get("kernelspec") or {}).get("language") or (meta.get("language_info") or {}).get("name")
            or "python")
    if str(lang).lower() not in ("python", "python3", "ipython"):
        raise InvalidNotebook(f"the notebook's language is {lang!r}; the exercises are Python notebooks")
    kname = (meta.get("kernelspec") or {}).get("name")
    if kname and not str(kname).startswith("python"):
        notes.append(f"the notebook names the kernel {kname!r}; it was run as Python")
    cells = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(str(s) for s in src)
        md = (cell.get("metadata") or {}).get("nbgrader") or {}
        skip = bool(isinstance(md, dict) and md.get("grade") and not md.get("solution"))
        cells.append({"index": i, "source": str(src), "skip": skip})
    return cells, notes


# --------------------------------------------------------------------------------------------- comparison
_ITEM_KINDS = {"array", "scalar", "sequence", "none", "other"}


def _item_from(manifest: Any, arr: Any) -> Item:
    if not isinstance(manifest, dict):
        return Item("other", "unreadable value")
    kind = manifest.get("kind") if manifest.get("kind") in _ITEM_KINDS else "other"
    type_name = str(manifest.get("type_name", "?"))[:80]
    if kind in ("array", "scalar", "sequence"):
        if not isinstance(arr, np.ndarray) or (kind == "scalar" and arr.ndim != 0):
            return Item("other", type_name, text="unreadable")
        return Item(kind, type_name, arr)
    return Item(kind, type_name, text=str(manifest.get("text", ""))[:80])


def _where(report: dict[str, Any]) -> str:
    fn = str(report.get("filename", ""))
    if fn.startswith("<cell ") and report.get("lineno"):
        return f"cell {fn[6:-1]}, line {report['lineno']}"
    return ""


def _cell_line(cells: dict[int, str], index: int) -> str:
    for line in cells.get(index, "").splitlines():
        if line.strip():
            return line.strip()[:70]
    return ""


@dataclass
class TaskVerdict:
    points: float
    passed: bool
    message: str
    stub: bool = False
    found: bool = True


def _judge_task(pt: PreparedTask, data: dict[str, Any] | None, arrays: dict[str, Any], stopped: str,
                cell_errors: str) -> TaskVerdict:
    t = pt.task
    head = f"{t.function}"
    if data is None:
        return TaskVerdict(0, False, f"{head} was not graded: {stopped or 'no result came back from the run'}",
                           found=False)
    state = data.get("state")
    if state == "missing":
        cands = [str(c) for c in data.get("candidates", []) if isinstance(c, str)]
        close = difflib.get_close_matches(t.function, cands, n=2, cutoff=0.5)
        msg = f"no function named `{t.function}` is defined"
        if close:
            msg += f"; you defined {', '.join(close)}: did you rename it? The grader looks for `{t.function}`"
        return TaskVerdict(0, False, msg + cell_errors, found=False)
    if state == "not-callable":
        kind = ", ".join(str(c) for c in data.get("candidates", []))[:40]
        return TaskVerdict(0, False, f"`{t.function}` is a {kind}, not a function: was the name reused for a "
                                     f"variable after the def?", found=False)
    if data.get("tampered"):
        return TaskVerdict(0, False, f"{head}: the notebook changed the grader's own code or tracing while this "
                                     f"task ran (sys.setprofile, __code__ ...); no points")
    entries = data.get("cases") if isinstance(data.get("cases"), list) else []
    ref_match: set[str] = set()
    all_stub = bool(entries)
    for j, (case, ref, factors) in enumerate(zip(pt.cases, pt.refs, pt.factors)):
        if j >= len(entries) or not isinstance(entries[j], dict):
            all_stub = False
            why = stopped or "the evaluation stopped early"
            return TaskVerdict(0, False, f"{head} was not evaluated on every case: {why}")
        e = entries[j]
        if e.get("bind_error"):
            return TaskVerdict(0, False, str(e["bind_error"])[:500])
        err = e.get("error")
        if isinstance(err, dict):
            stub = err.get("type") == "NotImplementedError"
            return TaskVerdict(0, False, format_exception(t.function, err, _where(err)), stub=stub and all_stub)
        all_stub = False
        ref_match |= {str(n) for n in e.get("ref_match", []) if isinstance(n, str)}
        items = e.get("items") if isinstance(e.get("items"), list) else []
        if e.get("structure_error"):
            got = Returned(structure_error=str(e["structure_error"])[:300])
        elif len(items) != len(t.outputs):
            got = Returned(structure_error="its return value could not be read")
        else:
            got = Returned([_item_from(m, arrays.get(f"c{j}_i{i}")) for i, m in enumerate(items)])
        modified = [str(a) for a in e.get("modified", []) if isinstance(a, str) and a in case]
        problems = diagnose_case(got, ref, t.outputs, case, rtol=t.rtol, factors=factors, modified=modified)
        if problems:
            text = f"{head}: wrong on graded case {j + 1} of {len(pt.cases)} ({describe_case(case)}):\n"
            text += "\n".join(f"    - {p}" for p in problems)
            note = e.get("note")
            if note:
                text += f"\n    ({str(note)[:300]})"
            return TaskVerdict(0, False, text)
    cheat = sorted(ref_match & (pt.watch - pt.allowed))
    if cheat:
        return TaskVerdict(0, False, f"{head}: returns what `{cheat[0]}` computed, and that is the reference "
                                     f"implementation of this task: no points for calling it. Write the "
                                     f"computation yourself (helpers the exercise uses are fine).")
    return TaskVerdict(float(t.points), True, f"{head}: passed all {len(pt.cases)} graded cases")


def _running_cell(wr: WorkerResult) -> int | None:
    """The top-level cell a run stopped in, or None if it stopped elsewhere (or finished)."""
    last = next((p for p in reversed(wr.progress) if p.startswith(("cell ", "task ", "end-cells"))), "")
    if last.startswith("cell "):
        try:
            return int(last.split()[1])
        except (IndexError, ValueError):
            return None
    return None


def _stopped_text(wr: WorkerResult, cells: dict[int, str], limits: SandboxLimits) -> tuple[str, str]:
    """(status if the run ended abnormally, sentence saying where)."""
    last = next((p for p in reversed(wr.progress) if p.startswith(("cell ", "task "))), "")
    if last.startswith("cell "):
        try:
            idx = int(last.split()[1])
        except (IndexError, ValueError):
            idx = 0
        where = f"while running cell {idx} (`{_cell_line(cells, idx)}`)"
    elif last.startswith("task "):
        parts = last.split()
        where = f"while evaluating task {parts[1] if len(parts) > 1 else '?'}"
    else:
        where = "before the notebook's code started"
    if wr.timed_out:
        return "timeout", (f"the run was stopped at the {limits.timeout:g} s time limit {where} "
                           f"(an endless loop, or a very long computation?)")
    memory = bool(wr.cells and wr.cells.get("memory")) or any(d.get("memory") for d in wr.tasks.values())
    if not wr.done:
        tail = wr.stderr_tail
        if memory or "MemoryError" in tail or "Cannot allocate memory" in tail:
            return "memory", f"the Python process ran out of memory ({limits.memory_mb} MiB limit) {where}"
        rc = wr.returncode
        how = (f"was killed by signal {-rc} ({signal.Signals(-rc).name})" if rc is not None and rc < 0 and
               -rc in signal.Signals._value2member_map_ else f"exited with code {rc}")
        hint = " (`os._exit`, or a crash inside a library)" if rc is not None and rc >= 0 else ""
        return "crashed", f"the Python process {how}{hint} {where}"
    if memory:
        return "memory", f"the notebook hit the memory limit ({limits.memory_mb} MiB) at least once"
    return "", ""


@dataclass
class Row:
    """One submission's grade (what goes into grades.csv, results/*.json and feedback/*.txt)."""

    file: str
    status: str
    points: dict[str, float]
    total: float
    seconds: float
    notes: list[str]
    feedback: str


def grade_notebook(path: Path, prepared: Sequence[PreparedTask], case_arrays: dict[str, Any],
                   limits: SandboxLimits, *, exercise: str = "", display_name: str | None = None) -> Row:
    """Grade one submission file (never modifying it) and return its row."""
    name = display_name or path.name
    t0 = time.monotonic()
    zero = {pt.task.id: 0.0 for pt in prepared}
    max_total = float(sum(pt.task.points for pt in prepared))
    try:
        data = path.read_bytes()
        cells, notes = read_notebook(data)
    except (InvalidNotebook, OSError) as exc:
        msg = str(exc)
        return Row(name, "invalid-notebook", zero, 0.0, time.monotonic() - t0, [msg],
                   _feedback(name, exercise, "invalid-notebook", 0.0, max_total, [], [msg], 0))
    job = {"cells": cells, "tasks": [
        {"id": pt.task.id, "function": pt.task.function, "outputs": list(pt.task.outputs), "cases": pt.specs,
         "watch": sorted(pt.watch)} for pt in prepared]}
    wr = run_worker(job, case_arrays, limits)
    cell_src = {c["index"]: c["source"] for c in cells}
    status_abn, stopped = _stopped_text(wr, cell_src, limits)
    strays = wr.stray_killed
    if stopped:
        notes.append(stopped)
        hung = _running_cell(wr)
        if hung is not None:
            # The run died in a top-level cell (an endless demo loop, os._exit, ...): grade the functions
            # anyway, once, from a run without that cell. The status still says what happened.
            for c in cells:
                if c["index"] == hung:
                    c["skip"] = True
            wr = run_worker(job, case_arrays, limits)
            strays += wr.stray_killed
            _, stopped_again = _stopped_text(wr, cell_src, limits)
            notes.append(f"the functions were graded in a second run without cell {hung}"
                         + (f", which also stopped: {stopped_again}" if stopped_again else ""))
            stopped = stopped_again
    if strays:
        notes.append(f"{strays} process(es) the notebook left running were killed")
    cell_errs: list[str] = []
    if wr.cells:
        for rep in wr.cells.get("cells", [])[:200]:
            err = rep.get("error") if isinstance(rep, dict) else None
            if isinstance(err, dict):
                idx = rep.get("index")
                where = _where(err) or f"cell {idx}"
                msg = f": {str(err.get('message'))[:150]}" if err.get("message") else ""
                cell_errs.append(f"{where}: {err.get('type')}{msg}"
                                 + (f" — `{str(err.get('line', ''))[:80]}`" if err.get("line") else ""))
        notes.extend(str(n)[:200] for n in wr.cells.get("notes", [])[:20])
        n_out = wr.cells.get("output_chars", 0)
        if isinstance(n_out, int) and n_out > limits.output_cap:
            notes.append(f"the notebook printed {n_out:,} characters; only the first {limits.output_cap:,} were kept")
    for tid in wr.unreadable:
        notes.append(f"the result of task {tid} could not be read (too large, or overwritten by the notebook)")
    cell_hint = ""
    if cell_errs:
        cell_hint = f" (a cell failed, which may be why: {cell_errs[0]})"
    verdicts = []
    for pt in prepared:
        tid = pt.task.id
        verdicts.append((pt, _judge_task(pt, wr.tasks.get(tid), wr.arrays.get(tid, {}), stopped, cell_hint)))
    points = {pt.task.id: v.points for pt, v in verdicts}
    total = float(sum(points.values()))
    tampered = any(isinstance(d, dict) and d.get("tampered") for d in wr.tasks.values())
    if status_abn:
        status = status_abn
    elif tampered:
        status = "tampered"
    elif not any(v.found for _, v in verdicts):
        status = "no-functions"
    elif total >= max_total:
        status = "ok"
    elif total > 0:
        status = "partial"
    elif all(v.stub for _, v in verdicts if v.found):
        status = "unanswered"
    else:
        status = "failed"
    all_notes = cell_errs + notes
    seconds = time.monotonic() - t0
    return Row(name, status, points, total, seconds, all_notes,
               _feedback(name, exercise, status, total, max_total, verdicts, all_notes, len(prepared[0].cases)
                         if prepared else 0))


def _fmt_points(x: float) -> str:
    return f"{x:g}"


def _feedback(name: str, exercise: str, status: str, total: float, max_total: float,
              verdicts: Sequence[tuple[PreparedTask, TaskVerdict]], notes: Sequence[str], n_cases: int) -> str:
    out = io.StringIO()
    title = f"Feedback for {name}" + (f" ({exercise})" if exercise else "")
    print(title, file=out)
    print("=" * len(title), file=out)
    print(f"Status: {status} ({STATUSES.get(status, '')})", file=out)
    print(f"Points: {_fmt_points(total)} of {_fmt_points(max_total)}"
          + (f", each task checked on {n_cases} cases drawn at grading time" if n_cases else ""), file=out)
    if verdicts:
        print("", file=out)
    for pt, v in verdicts:
        mark = "pass" if v.passed else "FAIL"
        desc = f" — {pt.task.description}" if pt.task.description else ""
        print(f"[{mark}] {pt.task.id} ({_fmt_points(v.points)}/{pt.task.points}){desc}", file=out)
        for line in v.message.splitlines():
            print(f"    {line}", file=out)
    if notes:
        print("\nNotes", file=out)
        for n in notes:
            print(f"  - {n}", file=out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------- the folder
@dataclass
class GradeSummary:
    """What a :func:`grade_folder` call did."""

    rows: list[Row]
    graded: int
    skipped: int
    out: Path
    interrupted: bool = False

    @property
    def counts(self) -> dict[str, int]:
        c: dict[str, int] = {}
        for r in self.rows:
            c[r.status] = c.get(r.status, 0) + 1
        return c


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def list_submissions(folder: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """Every ``*.ipynb`` under ``folder`` (sorted), skipping ``.ipynb_checkpoints`` and ``exclude``."""
    excl = [p.resolve() for p in exclude]
    found = []
    for p in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in p.parts or not p.is_file():
            continue
        rp = p.resolve()
        if any(rp == e or e in rp.parents for e in excl):
            continue
        found.append(p)
    return found


def _stem(rel: Path) -> str:
    return "__".join(rel.with_suffix("").parts)


def load_tasks(source: Path, tasks: Sequence[Task] | None = None) -> list[Task]:
    """The tasks of the exercise ``source.stem`` (from ``bpcourse.grading.tasks``) unless given."""
    if tasks is not None:
        return list(tasks)
    from bpcourse.grading.tasks import tasks_for

    found = list(tasks_for(source.stem))
    if not found:
        raise SourceError(f"no graded tasks for exercise {source.stem!r} in bpcourse.grading.tasks; the source "
                          f"notebook's file name must be the exercise's name (e.g. 06_fully_connected_layer.ipynb)")
    return found


def _write_csv(out: Path, rows: Sequence[dict[str, Any]], task_ids: Sequence[str]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "status", *task_ids, "total", "seconds", "notes"])
    for r in sorted(rows, key=lambda r: r["file"]):
        notes = " | ".join(r.get("notes", []))
        w.writerow([r["file"], r["status"], *(_fmt_points(float(r["points"].get(t, 0))) for t in task_ids),
                    _fmt_points(float(r["total"])), f"{float(r['seconds']):.2f}",
                    notes if len(notes) <= 300 else notes[:297] + "..."])
    _atomic_text(out / "grades.csv", buf.getvalue())


def grade_folder(source: str | Path, submissions: str | Path, out: str | Path, *, seed: int, jobs: int = 2,
                 timeout: float = 60.0, memory_mb: int = 2048, n_cases: int = 5,
                 tasks: Sequence[Task] | None = None, regrade: Iterable[str] = (),
                 log: Callable[[str], None] | None = None) -> GradeSummary:
    """Grade every notebook in a folder; resumable; never modifies a submission.

    Parameters
    ----------
    source : path
        The instructor's source notebook (with solutions); its stem names the exercise.
    submissions : path
        Folder searched recursively for ``*.ipynb``.
    out : path
        Output folder: ``grades.csv``, ``feedback/<stem>.txt``, ``results/<stem>.json``.
    seed : int
        The instructor's seed: the graded cases come from it (same seed → same grades).
    jobs : int
        Submissions graded in parallel.
    timeout : float
        Wall-clock seconds per submission.
    memory_mb : int
        Address-space limit per submission, MiB.
    n_cases : int
        Graded cases per task.
    tasks : sequence of Task, optional
        Instead of ``bpcourse.grading.tasks.tasks_for(source stem)``.
    regrade : iterable of str
        Statuses to grade again even if already done (e.g. ``{"timeout"}``), or ``{"all"}``.
    log : callable, optional
        Receives one progress line per submission (default: print to stderr).

    Returns
    -------
    GradeSummary

    Raises
    ------
    SourceError
        When the source notebook fails its own tasks or the task table is unusable.
    """
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    source, submissions, out = Path(source), Path(submissions), Path(out)
    if not source.is_file():
        raise SourceError(f"source notebook {source} not found")
    if not submissions.is_dir():
        raise SourceError(f"submissions folder {submissions} not found (expected a folder of .ipynb files)")
    task_list = load_tasks(source, tasks)
    limits = SandboxLimits(timeout=float(timeout), memory_mb=int(memory_mb))
    prepared, arrays = prepare_tasks(task_list, seed, n_cases)
    return _grade_folder(source, submissions, out, prepared, arrays, limits, seed, n_cases, jobs, set(regrade), log)


def _check_source(source: Path, prepared: list[PreparedTask], case_arrays: dict[str, Any],
                  limits: SandboxLimits) -> None:
    src_limits = SandboxLimits(timeout=max(limits.timeout, 120.0), memory_mb=max(limits.memory_mb, 2048))
    cells, _ = read_notebook(source.read_bytes())
    job = {"cells": cells, "tasks": [
        {"id": pt.task.id, "function": pt.task.function, "outputs": list(pt.task.outputs), "cases": pt.specs,
         "watch": sorted(pt.watch)} for pt in prepared]}
    wr = run_worker(job, case_arrays, src_limits)
    failures = []
    for pt in prepared:
        data = wr.tasks.get(pt.task.id)
        if isinstance(data, dict):
            pt.allowed = {str(c) for c in data.get("calls", [])}
        v = _judge_task(pt, data, wr.arrays.get(pt.task.id, {}), "", "")
        if not v.passed:
            failures.append(f"  {pt.task.id}: {v.message}")
    if failures:
        tail = f"\n(last output of the run: {wr.stderr_tail[-500:]})" if wr.stderr_tail.strip() else ""
        raise SourceError(f"the source notebook {source.name} does not earn full marks on its own tasks, so "
                          f"grading would be wrong:\n" + "\n".join(failures) + tail)


def _grade_folder(source: Path, submissions: Path, out: Path, prepared: list[PreparedTask],
                  case_arrays: dict[str, Any], limits: SandboxLimits, seed: int, n_cases: int, jobs: int,
                  regrade: set[str],
                  log: Callable[[str], None]) -> GradeSummary:
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(parents=True, exist_ok=True)
    clean_stale_dirs()
    task_ids = [pt.task.id for pt in prepared]
    run_key = hashlib.sha256(json.dumps({
        "engine": ENGINE_VERSION, "seed": int(seed), "n_cases": n_cases, "source": _sha256(source),
        "tasks": [[pt.task.id, pt.task.function, pt.task.points, list(pt.task.outputs), pt.task.rtol]
                  for pt in prepared],
    }).encode()).hexdigest()
    subs = list_submissions(submissions, exclude=[out, source])
    rows: dict[str, dict[str, Any]] = {}
    todo: list[tuple[Path, str, str]] = []
    for p in subs:
        rel = p.relative_to(submissions)
        stem = _stem(rel)
        sha = _sha256(p)
        prev = _read_result(out / "results" / f"{stem}.json")
        if (prev and prev.get("key") == run_key and prev.get("sha256") == sha
                and not ({"all", prev.get("status")} & regrade)):
            rows[stem] = prev
        else:
            todo.append((p, stem, sha))
    skipped = len(rows)
    if skipped:
        log(f"resuming: {skipped} submission(s) already graded with this seed and source, {len(todo)} to go")
    if todo:
        _check_source(source, prepared, case_arrays, limits)
    _write_csv(out, list(rows.values()), task_ids)
    exercise = source.stem
    graded = 0
    interrupted = False

    def work(item: tuple[Path, str, str]) -> dict[str, Any]:
        p, stem, sha = item
        try:
            row = grade_notebook(p, prepared, case_arrays, limits, exercise=exercise,
                                 display_name=str(p.relative_to(submissions)))
        except Exception as exc:  # a grader bug must not take the run down: record it and go on
            import traceback

            tb = traceback.format_exc(limit=3)
            row = Row(str(p.relative_to(submissions)), "grader-error", {t: 0.0 for t in task_ids}, 0.0, 0.0,
                      [f"{type(exc).__name__}: {exc}"], f"The grader failed on this submission:\n{tb}")
        after = _sha256(p)
        if after != sha:  # cannot happen through the sandbox's own paths; say so loudly if it ever does
            row.notes.append("WARNING: the submission file changed during grading")
        return {"key": run_key, "sha256": sha, "file": row.file, "status": row.status, "points": row.points,
                "total": row.total, "seconds": round(row.seconds, 3), "notes": row.notes,
                "graded_at": time.time(), "stem": stem, "feedback": row.feedback}

    pool = cf.ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    try:
        futures = {pool.submit(work, it): it for it in todo}
        for fut in cf.as_completed(futures):
            p, stem, _ = futures[fut]
            res = fut.result()
            _atomic_text(out / "feedback" / f"{stem}.txt", res.pop("feedback"))
            _atomic_text(out / "results" / f"{stem}.json", json.dumps(res, indent=1))
            rows[stem] = res
            _write_csv(out, list(rows.values()), task_ids)
            graded += 1
            log(f"[{skipped + graded}/{len(subs)}] {res['file']}: {res['status']}, "
                f"{_fmt_points(res['total'])} points, {res['seconds']:.1f} s")
    except KeyboardInterrupt:
        interrupted = True
        for f in futures:
            f.cancel()
        kill_all_running()
        log(f"interrupted: {skipped + graded} of {len(subs)} graded and saved; run the same command again to "
            f"grade the rest")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return GradeSummary([_row_from(r) for _, r in sorted(rows.items())], graded, skipped, out, interrupted)


def _read_result(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    needed = {"key", "sha256", "file", "status", "points", "total", "seconds"}
    return data if isinstance(data, dict) and needed <= set(data) else None


def _row_from(r: dict[str, Any]) -> Row:
    return Row(r["file"], r["status"], dict(r["points"]), float(r["total"]), float(r["seconds"]),
               list(r.get("notes", [])), "")
