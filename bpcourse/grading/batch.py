"""The resumable batch: a folder of submissions → ``grades.csv``, ``feedback/`` and ``results/`` in OUT.

``grade_folder`` reads like the steps:

1. set up (:class:`Run`): the tasks of the exercise, their cases and references from the seed, the
   sandbox's tree (:mod:`bpcourse.grading.facade`, built once per run), the jail (stops at once when
   isolation is unavailable);
2. list the submissions (symbolic links get a "skipped" row and are never followed; every name gets a
   unique, bounded results stem);
3. resume: a submission whose bytes and run settings match a result the grader saved earlier is not
   graded again (results live only in OUT, written only by this process);
4. run the instructor's source through the same sandbox: it must earn full marks;
5. grade the rest in parallel, saving each row as it finishes (a failure while grading or writing one
   submission costs that row a ``grader-error``, never the run); SIGINT/SIGTERM keep every finished row.
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
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
from bpcourse.grading.notebook import InvalidNotebook, read_notebook, read_submission
from bpcourse.grading.protocol import Request, Transcript
from bpcourse.grading.spec import Task

__all__ = ["grade_folder", "GradeSummary", "Row", "Entry", "list_submissions", "results_stem", "load_tasks",
           "ENGINE_VERSION"]

ENGINE_VERSION = "3"  # 3: fixed edge cases, demo cells not run
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
class Entry:
    """One thing found in the submissions folder."""

    rel: str     # path relative to the folder, with "/"
    path: Path
    stem: str    # unique, bounded name of its results and feedback files
    kind: str    # "notebook" or "link"


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


# ------------------------------------------------------------------------------------------- the folder
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
_HASHED = re.compile(r".*-[0-9a-f]{12}")


def results_stem(rel: str) -> str:
    """The unique, bounded stem of a submission's results and feedback files.

    A plain top-level name (``alice.ipynb`` → ``alice``) stays as it is; anything else (a subfolder,
    unusual characters, a long name, or a name that looks like a hashed stem) becomes a readable prefix of
    at most 60 characters plus 12 hex digits of the path's sha256: ``grp/alice.ipynb`` →
    ``grp_alice-<hash>``, distinct from ``grp__alice.ipynb`` → ``grp__alice``.
    """
    base = rel[:-6] if rel.endswith(".ipynb") else rel
    if "/" not in rel and _PLAIN.fullmatch(base) and not _HASHED.fullmatch(base):
        return base
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:60]
    return f"{readable or 'notebook'}-{hashlib.sha256(rel.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}"


def list_submissions(folder: Path, exclude: Iterable[Path] = ()) -> list[Entry]:
    """Every ``*.ipynb`` under ``folder`` (sorted), and every symbolic link to one or to a folder.

    Links are listed, never followed; ``.ipynb_checkpoints`` and the paths in ``exclude`` are left out.
    """
    excl = {os.path.realpath(p) for p in exclude}
    found: list[Entry] = []

    def add(p: Path, kind: str) -> None:
        rel = p.relative_to(folder).as_posix()
        found.append(Entry(rel, p, results_stem(rel), kind))

    for dirpath, dirnames, filenames in os.walk(folder):  # never descends into a linked folder
        keep = []
        for d in sorted(dirnames):
            p = Path(dirpath, d)
            if p.is_symlink():
                add(p, "link")
            elif d != ".ipynb_checkpoints" and os.path.realpath(p) not in excl:
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            p = Path(dirpath, name)
            if p.is_symlink() and name.endswith(".ipynb"):
                add(p, "link")
            elif name.endswith(".ipynb") and not p.is_symlink() and os.path.realpath(p) not in excl:
                add(p, "notebook")
    return sorted(found, key=lambda e: e.rel)


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
        raise SourceError(f"no graded tasks for exercise {source.stem!r}{why if tasks is None else ''}: the source "
                          f"notebook's file name must be the exercise's name (e.g. 06_fully_connected_layer.ipynb)")
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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
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


class Run:
    """Everything one ``bpcourse grade`` needs, set up once: tasks, cases, jail, run key, output folders."""

    def __init__(self, source: Path, out: Path, tasks: Sequence[Task], settings: Settings) -> None:
        self.source, self.out, self.s = source, out, settings
        self.exercise = source.stem
        self.prepared = prepare_tasks(tasks, settings.seed, settings.n_cases)
        self.task_ids = [pt.task.id for pt in self.prepared]
        self.max_total = float(sum(pt.task.points for pt in self.prepared))
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
        j = judge_run(self.prepared, tr, abnormal, stopped, self.s.partial_credit)
        return j, notes

    # ---------------------------------------------------------------------------------------- the source
    def check_source(self) -> None:
        """The source notebook must earn full marks in the same sandbox, else grading would be wrong."""
        lim = self.s.limits
        limits = Limits(timeout=max(lim.timeout, 120.0), memory_mb=max(lim.memory_mb, 2048), file_mb=lim.file_mb,
                        scratch_mb=lim.scratch_mb, nproc=lim.nproc, output_cap=lim.output_cap)
        try:
            cells, _ = read_notebook(read_submission(self.source))
        except (InvalidNotebook, OSError) as exc:
            raise SourceError(f"the source notebook {self.source} cannot be read: {exc}") from None
        j, notes = self.grade_cells(cells, limits)
        failures = [f"  {pt.task.id}: {v.message}" for pt, v in j.verdicts if not v.passed]
        guarded = [v.guarded for _, v in j.verdicts if v.guarded]
        if failures:
            hint = (f"\n(a solution calls a guarded bpcourse function; remove it from the guards of the task "
                    f"table, or do not use it in the solution: {guarded[0]})" if guarded else "")
            extra = "".join(f"\n({n})" for n in notes[:3])
            raise SourceError(f"the source notebook {self.source.name} does not earn full marks on its own tasks "
                              f"in the sandbox, so grading would be wrong:\n" + "\n".join(failures) + hint + extra)

    # ------------------------------------------------------------------------------------ one submission
    def grade(self, entry: Entry) -> tuple[Row, str]:
        """(row, sha256 of the bytes graded) of one entry."""
        t0 = time.monotonic()
        zero = {t: 0.0 for t in self.task_ids}
        if entry.kind == "link":
            return Row(entry.rel, "skipped", zero, 0.0, 0.0, ["skipped: symbolic link (never followed)"],
                       f"{entry.rel}: skipped: symbolic link (links are never followed; submit the file itself)\n",
                       self.sandbox), ""
        try:
            data = read_submission(entry.path)
        except (OSError, InvalidNotebook) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return Row(entry.rel, "skipped", zero, 0.0, 0.0, [f"skipped: cannot be read ({why})"],
                       f"{entry.rel}: skipped: the file cannot be read ({why})\n", self.sandbox), ""
        sha = _sha256(data)
        try:
            cells, read_notes = read_notebook(data)
        except InvalidNotebook as exc:
            j = Judgement("invalid-notebook", [], [str(exc)])
            return self._row(entry, j, [], t0, n_cases=0), sha
        j, notes = self.grade_cells(cells, self.s.limits)
        return self._row(entry, j, read_notes + notes, t0, n_cases=self.s.n_cases), sha

    def _row(self, entry: Entry, j: Judgement, notes: list[str], t0: float, n_cases: int) -> Row:
        text = render(entry.rel, self.exercise, j, self.max_total, n_cases, mode=self.s.feedback,
                      isolated=self.s.isolated, partial_credit=self.s.partial_credit, extra_notes=notes)
        points = {t: j.points.get(t, 0.0) for t in self.task_ids}
        return Row(entry.rel, j.status, points, j.total, time.monotonic() - t0, list(j.notes) + notes, text,
                   self.sandbox)

    def error_row(self, entry: Entry, exc: BaseException) -> Row:
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=4))
        return Row(entry.rel, "grader-error", {t: 0.0 for t in self.task_ids}, 0.0, 0.0,
                   [f"{type(exc).__name__}: {str(exc)[:200]}"],
                   f"The grader failed on this submission (please report it):\n{tb}", self.sandbox)

    # ------------------------------------------------------------------------------------------ results
    def load_result(self, entry: Entry) -> Row | None:
        """The saved row of an entry if it was graded with this run's key and the same bytes, else None."""
        path = self.out / "results" / f"{entry.stem}.json"
        try:
            if path.is_symlink() or path.stat().st_size > _MAX_RESULT_BYTES:
                return None
            d = protocol.decode(path.read_bytes())
            if d.get("key") != self.key or d.get("file") != entry.rel or d.get("status") not in STATUSES:
                return None
            if entry.kind == "notebook" and d.get("sha256") != _sha256(read_submission(entry.path)):
                return None
            points = {t: float(d["points"][t]) for t in self.task_ids}
            return Row(entry.rel, d["status"], points, float(d["total"]), float(d["seconds"]),
                       [str(n)[:300] for n in d["notes"]][:50], "", d.get("sandbox", self.sandbox))
        except (OSError, ValueError, KeyError, TypeError, InvalidNotebook, protocol.ProtocolError):
            return None

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
            run.write_csv(rows.values())
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
    return graded, False


def grade_folder(source: str | Path, submissions: str | Path, out: str | Path, *, seed: int, jobs: int = 2,
                 timeout: float = 60.0, memory_mb: int = 2048, n_cases: int = 5,
                 tasks: Sequence[Task] | None = None, regrade: Iterable[str] = (),
                 log: Callable[[str], None] | None = None, isolation: bool = True, feedback: str = "hints",
                 partial_credit: bool = False) -> GradeSummary:
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
    settings = Settings(int(seed), int(n_cases), Limits(timeout=float(timeout), memory_mb=int(memory_mb)),
                        int(jobs), feedback, partial_credit, isolation, set(regrade))
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
        return _grade_run(run, submissions, log)
    finally:
        run.close()


def _grade_run(run: Run, submissions: Path, log: Callable[[str], None]) -> GradeSummary:
    entries = list_submissions(submissions, exclude=[run.out, run.source])
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
