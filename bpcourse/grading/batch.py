"""The resumable batch: a folder of submissions → ``grades.csv``, ``feedback/`` and ``results/`` in OUT.

``grade_folder`` reads like the steps:

1. set up (:class:`Run`): the tasks of the exercise, their cases and references from the seed, the
   sandbox's tree (:mod:`bpcourse.grading.facade`, built once per run), the jail (stops at once when
   isolation is unavailable);
2. list the submissions, walking folders of any depth without recursion (symbolic links get a "skipped"
   row and are never followed; a folder that cannot be listed gets a row; every name, whatever its bytes,
   gets a faithful printable form for the CSV and a unique, bounded results stem);
3. resume: a submission whose bytes and run settings match a result the grader saved earlier is not
   graded again (results live only in OUT, written only by this process);
4. run the instructor's source through the same sandbox: it must earn full marks;
5. grade the rest in parallel, saving each row as it finishes (a failure while grading or writing one
   submission costs that row a ``grader-error``, never the run); SIGINT/SIGTERM keep every finished row.

Before a submission runs, its locked cells are restored from the source (:mod:`~bpcourse.grading.notebook`),
and a file that *is* the source (a hard link to it, or a copy of its bytes) gets a "skipped" row.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from bpcourse.grading import facade, protocol
from bpcourse.grading.feedback import FEEDBACK_MODES, fmt_points, render
from bpcourse.grading.jail import IsolationUnavailable, Jail, JailRun, Limits
from bpcourse.grading.judge import (STATUSES, Judgement, SourceError, judge_run, prepare_tasks, request_tasks,
                                    stopped_text)
from bpcourse.grading.layout import student_version_error
from bpcourse.grading.notebook import (MAX_NOTEBOOK_BYTES, InvalidNotebook, NotebookTooLarge, given_definitions,
                                       read_notebook, read_submission, source_cells)
from bpcourse.grading.protocol import Request, Transcript
from bpcourse.grading.spec import Task
from bpcourse.grading.submissions import Entry, display_name, list_submissions, results_stem

__all__ = ["grade_folder", "GradeSummary", "Row", "Entry", "list_submissions", "results_stem", "load_tasks",
           "ENGINE_VERSION", "display_name"]

ENGINE_VERSION = "4"  # 4: locked cells restored, inputs judged in the parent, exact grading
_MAX_RESULT_BYTES = 1 << 20


@dataclass
class Row:
    """One submission's grade (what goes into grades.csv, results/*.json and feedback/*.txt)."""

    file: str
    status: str
    points: dict[str, float]
    total: float
    seconds: float
    notes: list[str]
    feedback: str = ""
    sandbox: str = "bwrap"


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


def load_tasks(source: Path, tasks: Sequence[Task] | None = None) -> list[Task]:
    """The tasks of the exercise ``source.stem`` (from ``bpcourse.grading.tasks``) unless given."""
    if tasks is not None:
        found = list(tasks)
    else:
        from bpcourse.grading.tasks import tasks_for

        try:
            found = list(tasks_for(source.stem))
        except (LookupError, ValueError) as exc:
            found, why = [], f" ({exc})"
        else:
            why = ""
    if not found:
        raise SourceError(f"no graded tasks for exercise {source.stem!r}{why if tasks is None else ''}: expected a "
                          f"source notebook named after an exercise with graded tasks (e.g. "
                          f"ex06_fully_connected_layer.ipynb), got {source.name}")
    return found


def _allowlist(source: Path, exercise: str) -> tuple[str, ...]:
    """The exercise's declared allowlist; for a custom exercise, the bpcourse names its source's cells import."""
    from bpcourse.grading.tasks import ALLOWLISTS

    if exercise in ALLOWLISTS:
        return ALLOWLISTS[exercise]
    try:
        cells, _ = read_notebook(read_submission(source))
    except (InvalidNotebook, OSError) as exc:
        raise SourceError(f"the source notebook {source} cannot be read: {exc}") from None
    return tuple(sorted(set(facade.BASE_ALLOWLIST) | set(facade.imports_of(c["source"] for c in cells))))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_text(path: Path, text: str) -> None:
    """Write a file whole or not at all; text no encoder accepts (a lone surrogate) is written escaped."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# ------------------------------------------------------------------------------------------------ a run
@dataclass
class Settings:
    seed: int
    n_cases: int
    limits: Limits
    jobs: int = 2
    feedback: str = "hints"
    partial_credit: bool = False
    isolated: bool = True
    regrade: set[str] = field(default_factory=set)
    max_bytes: int = MAX_NOTEBOOK_BYTES


class Run:
    """Everything one ``bpcourse grade`` needs, set up once: tasks, cases, jail, run key, output folders."""

    def __init__(self, source: Path, out: Path, tasks: Sequence[Task], settings: Settings) -> None:
        self.source, self.out, self.s = source, out, settings
        self.exercise = source.stem
        self.prepared = prepare_tasks(tasks, settings.seed, settings.n_cases)
        self.task_ids = [pt.task.id for pt in self.prepared]
        self.max_total = float(sum(pt.task.points for pt in self.prepared))
        try:
            self.source_bytes = read_submission(source, max(settings.max_bytes, MAX_NOTEBOOK_BYTES))
            self.source_cells = source_cells(self.source_bytes)
        except (InvalidNotebook, OSError) as exc:
            raise SourceError(f"the source notebook {source} cannot be read: {exc}") from None
        if (why := student_version_error(self.source_bytes, source)) is not None:
            raise SourceError(why)
        st = os.stat(source)
        self.source_id = (st.st_dev, st.st_ino, _sha256(self.source_bytes))
        self.given = given_definitions(self.source_cells, [t.function for t in tasks])
        for d in ("feedback", "results"):
            (out / d).mkdir(parents=True, exist_ok=True)
        # not under OUT: a bind mount's source path shows in the sandbox's /proc/self/mountinfo
        self.pkg_root = Path(tempfile.mkdtemp(prefix="bpcourse-sandbox-"))
        guards = sorted({g for t in tasks for g in t.guards})
        try:
            self.allowlist = _allowlist(source, self.exercise)
            tree = facade.build(self.pkg_root / "tree", self.allowlist, self.exercise)  # once per run
            self.jail = Jail(tree, isolated=settings.isolated)
        except facade.FacadeError as exc:
            self.close()
            raise SourceError(f"the exercise's allowlist is unusable: {exc}") from None
        except BaseException:
            self.close()
            raise
        self.sandbox = self.jail.sandbox
        self.key = _sha256(json.dumps({
            "engine": ENGINE_VERSION, "seed": int(settings.seed), "n_cases": settings.n_cases,
            "source": _sha256(source.read_bytes()), "sandbox": self.sandbox, "feedback": settings.feedback,
            "partial": settings.partial_credit, "guards": guards, "allowlist": list(self.allowlist),
            "tasks": [[t.id, t.function, t.points, list(t.outputs), t.rtol, list(t.weights),
                       [Request.encode_case(c) for c in t.edge_cases]] for t in tasks],
        }).encode())

    def close(self) -> None:
        shutil.rmtree(self.pkg_root, ignore_errors=True)

    # ------------------------------------------------------------------------------------- one execution
    def execute(self, cells: list[dict[str, Any]], limits: Limits) -> tuple[JailRun, Transcript]:
        """Run code cells and the graded functions in the jail; the raw run and its validated transcript."""
        lim = dict(limits.as_dict(), isolated=self.s.isolated)
        if not self.s.isolated or os.geteuid() != 0:
            lim["nproc"] = limits.nproc + _my_tasks()
        req = Request([{"index": c["index"], "source": c["source"]} for c in cells if not c["skip"]],
                      request_tasks(self.prepared), lim)
        run = self.jail.run([sys.executable, "-P", "-m", f"{facade.RUNTIME}.worker"], req.to_frame(), limits)
        expected = [(pt.task.id, len(pt.cases)) for pt in self.prepared]
        return run, protocol.read_messages(run.channel, expected)

    def grade_cells(self, cells: list[dict[str, Any]], limits: Limits) -> tuple[Judgement, list[str]]:
        """Execute and judge; a run that died in a top-level cell is run again without that cell."""
        run, tr = self.execute(cells, limits)
        sources = {c["index"]: c["source"] for c in cells}
        abnormal, stopped = stopped_text(run, tr, sources, limits)
        notes = [stopped] if stopped else []
        hung = tr.last_cell
        if stopped and hung is not None and abnormal != "tampered":
            # an endless demo loop, os._exit ...: grade the functions once more without that cell
            cells = [dict(c, skip=c["skip"] or c["index"] == hung) for c in cells]
            run, tr = self.execute(cells, limits)
            _, again = stopped_text(run, tr, sources, limits)
            notes.append(f"the functions were graded in a second run without cell {hung}"
                         + (f", which also stopped: {again}" if again else ""))
            stopped = again
        if tr.leftover_processes >= limits.nproc - 2:  # a fork bomb: the exact count depends on timing
            notes.append(f"the notebook reached the limit of {limits.nproc} processes; all it left running "
                         f"were killed")
        elif tr.leftover_processes:
            notes.append(f"{tr.leftover_processes} process(es) the notebook left running were killed")
        if run.log_bytes > limits.output_cap:
            notes.append(f"the notebook printed {run.log_bytes:,} bytes; only the first {limits.output_cap:,} "
                         f"were kept")
        j = judge_run(self.prepared, tr, abnormal, stopped, self.s.partial_credit, sources)
        return j, notes

    # ---------------------------------------------------------------------------------------- the source
    def check_source(self) -> None:
        """The source notebook must earn full marks in the same sandbox, else grading would be wrong."""
        lim = self.s.limits
        limits = Limits(timeout=max(lim.timeout, 120.0), memory_mb=max(lim.memory_mb, 2048), file_mb=lim.file_mb,
                        scratch_mb=lim.scratch_mb, nproc=lim.nproc, output_cap=lim.output_cap)
        try:
            cells, _ = read_notebook(self.source_bytes, self.source_cells, self.given)
        except InvalidNotebook as exc:
            raise SourceError(f"the source notebook {self.source} cannot be read: {exc}") from None
        j, notes = self.grade_cells(cells, limits)
        failures = [f"  {pt.task.id}: {v.message}" for pt, v in j.verdicts if not v.passed]
        if failures:
            extra = "".join(f"\n({n})" for n in notes[:3])
            raise SourceError(f"the source notebook {self.source.name} does not earn full marks on its own tasks "
                              f"in the sandbox, so grading would be wrong:\n" + "\n".join(failures) + extra)

    # ------------------------------------------------------------------------------------ one submission
    def grade(self, entry: Entry) -> tuple[Row, str]:
        """(row, sha256 of the bytes graded) of one entry."""
        t0 = time.monotonic()
        if entry.kind == "link":
            return self._skip(entry, "symbolic link (never followed)",
                              "symbolic link (links are never followed; submit the file itself)"), ""
        if entry.kind == "unlisted":
            return self._skip(entry, f"folder cannot be listed ({entry.why})",
                              f"the folder cannot be listed ({entry.why}); nothing in it was graded"), ""
        try:
            st = os.stat(entry.path, follow_symlinks=False)
            data = read_submission(entry.path, self.s.max_bytes)
        except NotebookTooLarge as exc:
            row = self._skip(entry, f"too large: {exc}", f"not graded: {exc}")
            row.status = "too-large"
            return row, ""
        except (OSError, InvalidNotebook) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return self._skip(entry, f"cannot be read ({why})", f"the file cannot be read ({why})"), ""
        sha = _sha256(data)
        same = ("the same file (a hard link or another path to it)" if (st.st_dev, st.st_ino) == self.source_id[:2]
                else "a copy of its bytes" if sha == self.source_id[2] else "")
        if same:
            return self._skip(entry, f"the instructor's source notebook ({same})",
                              f"this is the instructor's source notebook ({same}), not a submission"), sha
        try:
            cells, read_notes = read_notebook(data, self.source_cells, self.given)
        except InvalidNotebook as exc:
            j = Judgement("invalid-notebook", [], [str(exc)])
            return self._row(entry, j, [], t0, n_cases=0), sha
        j, notes = self.grade_cells(cells, self.s.limits)
        return self._row(entry, j, read_notes + notes, t0, n_cases=self.s.n_cases), sha

    def _skip(self, entry: Entry, note: str, text: str) -> Row:
        return Row(entry.name, "skipped", {t: 0.0 for t in self.task_ids}, 0.0, 0.0, [f"skipped: {note}"],
                   f"{entry.name}: skipped: {text}\n", self.sandbox)

    def _row(self, entry: Entry, j: Judgement, notes: list[str], t0: float, n_cases: int) -> Row:
        text = render(entry.name, self.exercise, j, self.max_total, n_cases, mode=self.s.feedback,
                      isolated=self.s.isolated, partial_credit=self.s.partial_credit, extra_notes=notes)
        points = {t: j.points.get(t, 0.0) for t in self.task_ids}
        return Row(entry.name, j.status, points, j.total, time.monotonic() - t0, list(j.notes) + notes, text,
                   self.sandbox)

    def error_row(self, entry: Entry, exc: BaseException) -> Row:
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=4))
        return Row(entry.name, "grader-error", {t: 0.0 for t in self.task_ids}, 0.0, 0.0,
                   [f"{type(exc).__name__}: {_printable(str(exc))[:200]}"],
                   f"The grader failed on this submission (please report it):\n{tb}", self.sandbox)

    # ------------------------------------------------------------------------------------------ results
    def load_result(self, entry: Entry) -> Row | None:
        """The saved row of an entry if it was graded with this run's key and the same bytes, else None."""
        path = self.out / "results" / f"{entry.stem}.json"
        try:
            if path.is_symlink() or path.stat().st_size > _MAX_RESULT_BYTES:
                return None
            d = protocol.decode(path.read_bytes())
            if d.get("key") != self.key or d.get("file") != entry.name or d.get("status") not in STATUSES:
                return None
            if entry.kind == "notebook" and d.get("sha256") != _sha256(read_submission(entry.path, self.s.max_bytes)):
                return None
            points = {t: float(d["points"][t]) for t in self.task_ids}
            return Row(entry.name, d["status"], points, float(d["total"]), float(d["seconds"]),
                       [str(n)[:300] for n in d["notes"]][:50], "", d.get("sandbox", self.sandbox))
        except (OSError, ValueError, KeyError, TypeError, InvalidNotebook, protocol.ProtocolError):
            return None  # NotebookTooLarge too: such a row is looked at again (the limit may have been raised)

    def save(self, entry: Entry, row: Row, sha: str) -> None:
        _atomic_text(self.out / "feedback" / f"{entry.stem}.txt", row.feedback)
        _atomic_text(self.out / "results" / f"{entry.stem}.json", json.dumps({
            "key": self.key, "sha256": sha, "file": row.file, "status": row.status, "points": row.points,
            "total": row.total, "seconds": round(row.seconds, 3), "notes": row.notes, "sandbox": row.sandbox,
            "graded_at": time.time(), "stem": entry.stem}, indent=1))

    @staticmethod
    def _cell(text: str) -> str:
        """A CSV field a spreadsheet shows as text: a leading = + - @ would start a formula."""
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    def write_csv(self, rows: Iterable[Row]) -> None:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["file", "status", *self.task_ids, "total", "seconds", "sandbox", "notes"])
        for r in sorted(rows, key=lambda r: r.file):
            notes = " | ".join(r.notes)
            w.writerow([self._cell(r.file), r.status, *(fmt_points(r.points.get(t, 0)) for t in self.task_ids),
                        fmt_points(r.total), f"{r.seconds:.2f}", r.sandbox,
                        self._cell(notes if len(notes) <= 300 else notes[:297] + "...")])
        _atomic_text(self.out / "grades.csv", buf.getvalue())


def _printable(text: str) -> str:
    """Text any file accepts: a lone surrogate (from an exception's message, a file name) as ``\\udcNN``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _my_tasks() -> int:
    """Processes and threads of this uid now (RLIMIT_NPROC counts them all, not just the sandbox's)."""
    uid, n = os.getuid(), 0
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.stat(f"/proc/{p}").st_uid == uid:
                    n += len(os.listdir(f"/proc/{p}/task"))
            except OSError:
                pass
    return n


# -------------------------------------------------------------------------------------------- the batch
def _check_folders(source: Path, submissions: Path) -> None:
    if not source.is_file():
        raise SourceError(f"source notebook {source} not found")
    if not submissions.is_dir():
        raise SourceError(f"submissions folder {submissions} not found (expected a folder of .ipynb files)")


def _grade_all(run: Run, todo: list[Entry], rows: dict[str, Row], total: int,
               log: Callable[[str], None]) -> tuple[int, bool]:
    """Grade ``todo`` in parallel, saving each row as it finishes. (graded, interrupted)"""
    graded = 0

    def work(entry: Entry) -> tuple[Row, str]:
        try:
            return run.grade(entry)
        except Exception as exc:  # a grader bug must not take the run down: record it and go on
            return run.error_row(entry, exc), ""

    pool = cf.ThreadPoolExecutor(max_workers=max(1, run.s.jobs))
    futures: dict[cf.Future[tuple[Row, str]], Entry] = {}
    pending: tuple[Entry, Row] | None = None  # a row being saved, not yet in ``rows``
    try:
        futures = {pool.submit(work, e): e for e in todo}
        for fut in cf.as_completed(futures):
            entry = futures[fut]
            row, sha = fut.result()
            pending = (entry, row)
            try:
                run.save(entry, row, sha)
            except Exception as exc:  # a full disk, a vanished out dir ...: this row, not the run
                row = run.error_row(entry, exc)
                row.feedback = ""
            rows[entry.rel] = row
            pending = None
            try:
                run.write_csv(rows.values())
            except Exception as exc:  # noqa: BLE001  (every row is in results/; the next row or the end rewrites it)
                log(f"grades.csv could not be written just now ({type(exc).__name__}: {exc}); trying again")
            graded += 1
            log(f"[{total - len(todo) + graded}/{total}] {row.file}: {row.status}, {fmt_points(row.total)} points, "
                f"{row.seconds:.1f} s")
    except KeyboardInterrupt:
        for f in futures:
            f.cancel()
        run.jail.kill_all()
        # the signal may land between a row's results file and grades.csv: the CSV shows every saved row
        if pending is not None and run.load_result(pending[0]) is not None:
            rows[pending[0].rel] = pending[1]
        try:
            run.write_csv(rows.values())
        except Exception:  # noqa: BLE001  (the rows are in results/; a rerun rewrites the CSV)
            pass
        return graded, True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    run.write_csv(rows.values())  # the table's last word; if even this fails, the run must say so (exit 1)
    return graded, False


def grade_folder(source: str | Path, submissions: str | Path, out: str | Path, *, seed: int, jobs: int = 2,
                 timeout: float = 60.0, memory_mb: int = 2048, n_cases: int = 5,
                 tasks: Sequence[Task] | None = None, regrade: Iterable[str] = (),
                 log: Callable[[str], None] | None = None, isolation: bool = True, feedback: str = "hints",
                 partial_credit: bool = False, max_notebook_mb: float = MAX_NOTEBOOK_BYTES / 2**20,
                 select: Callable[[str], bool] | None = None) -> GradeSummary:
    """Grade every notebook in a folder, each in its own sandbox; resumable; never modifies a submission.

    Parameters
    ----------
    source : path
        The instructor's source notebook (with solutions); its stem names the exercise.
    submissions : path
        Folder searched recursively for ``*.ipynb`` (links are reported, never followed).
    out : path
        Output folder: ``grades.csv``, ``feedback/<stem>.txt``, ``results/<stem>.json``.
    seed : int
        The instructor's seed: the graded cases come from it (same seed → same grades).
    jobs, timeout, memory_mb, n_cases
        Parallel sandboxes, wall-clock seconds and MiB per submission, random graded cases per task (each
        task's ``edge_cases`` are graded too).
    tasks : sequence of Task, optional
        Instead of ``bpcourse.grading.tasks.tasks_for(source stem)``.
    regrade : iterable of str
        Statuses to grade again even if already done (e.g. ``{"timeout"}``), or ``{"all"}``.
    log : callable, optional
        Receives one progress line per submission (default: print to stderr).
    isolation : bool
        False runs submissions without the sandbox (trusted work only); the CSV says ``sandbox = none``.
    feedback : {"hints", "full"}
        Whether the feedback files print each failed task's full solution formula.
    partial_credit : bool
        Per-output partial credit for tasks with several outputs (``Task.weights``).
    max_notebook_mb : float
        A larger submission is not read and gets the status ``too-large`` (stored outputs are never graded;
        the cap only bounds the grader's memory). Raise it and run again to grade those.
    select : callable, optional
        ``select(relative path) -> bool``: grade only the submissions it accepts (``--shard i/N``,
        :mod:`bpcourse.grading.shard`); the others are neither graded nor listed.

    Raises
    ------
    SourceError
        A setup error: folders, task table, source notebook, or isolation unavailable (the message says why
        and how to fix it).
    """
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    source, submissions, out = Path(source), Path(submissions), Path(out)
    if feedback not in FEEDBACK_MODES:
        raise SourceError(f"--feedback must be one of {', '.join(FEEDBACK_MODES)}, not {feedback!r}")
    _check_folders(source, submissions)
    task_list = load_tasks(source, tasks)
    if not max_notebook_mb > 0:
        raise SourceError(f"--max-notebook-mb must be a positive number of MiB, not {max_notebook_mb!r}")
    settings = Settings(int(seed), int(n_cases), Limits(timeout=float(timeout), memory_mb=int(memory_mb)),
                        int(jobs), feedback, partial_credit, isolation, set(regrade),
                        int(float(max_notebook_mb) * 2**20))
    try:
        run = Run(source, out, task_list, settings)
        try:
            run.jail.probe(sys.executable)
        except IsolationUnavailable:
            run.close()
            raise
    except IsolationUnavailable as exc:
        raise SourceError(str(exc)) from None
    try:
        return _grade_run(run, submissions, log, select)
    finally:
        run.close()


def _grade_run(run: Run, submissions: Path, log: Callable[[str], None],
               select: Callable[[str], bool] | None = None) -> GradeSummary:
    entries = list_submissions(submissions, exclude=[run.out])
    if select is not None:  # a shard: a fixed subset by relative path (bpcourse.grading.shard)
        entries = [e for e in entries if select(e.rel)]
    rows: dict[str, Row] = {}
    todo: list[Entry] = []
    for e in entries:
        prev = None if {"all"} & run.s.regrade else run.load_result(e)
        if prev is not None and prev.status not in run.s.regrade:
            rows[e.rel] = prev
        else:
            todo.append(e)
    if rows:
        log(f"resuming: {len(rows)} submission(s) already graded with these settings, {len(todo)} to go")
    if any(e.kind == "notebook" for e in todo):
        run.check_source()
    run.write_csv(rows.values())
    skipped = len(rows)
    graded, interrupted = _grade_all(run, todo, rows, len(entries), log)
    if interrupted:
        log(f"interrupted: {len(rows)} of {len(entries)} graded and saved; run the same command again to "
            f"grade the rest")
    return GradeSummary(sorted(rows.values(), key=lambda r: r.file), graded, skipped, run.out, interrupted)
