"""Run one submission's code in a sandboxed worker process and bring back only its outputs.

Two halves live here:

* the **parent side** (:func:`run_worker`, :func:`kill_tree`), used by the trusted grader: it writes the job
  (the submission's code cells and the graded cases) into a fresh temporary directory, starts
  ``python -m bpcourse.grading.sandbox DIR`` in its own session and process group with stdin closed, a
  minimal environment (``MPLBACKEND=Agg``, one BLAS thread, ``BPCOURSE_GRADING_WORKER=1``) and the temporary
  directory as working directory, waits at most the wall-time limit, then kills the whole process group
  *and* every process that still carries the job's random token in its environment (children that called
  ``setsid`` escape a process group, not their environment), and reads the results;
* the **worker side** (:func:`worker_main`), run in that process: it first limits itself (``RLIMIT_AS``
  memory, ``RLIMIT_CPU`` as a backstop to the wall clock, ``RLIMIT_FSIZE`` on files it writes, no core
  dumps, killed if the grader dies), then executes the code cells with ``exec`` in one namespace (IPython
  syntax such as ``%matplotlib`` or ``!ls`` is translated; shell commands and unknown magics are not run but
  reported), catches every exception per cell and goes on, then calls the learner's functions on the cases
  and writes their return values as plain arrays (``.npz`` without pickles, plus JSON) atomically, task by
  task, so a hang in task 3 still leaves tasks 1 and 2 graded.

The worker never computes a reference and never decides a grade: the parent does both, so whatever a
submission rebinds or monkeypatches in its own process (numpy, ``bpcourse``, the self-check) can only change
what its own functions are reported to return. Shared with the parent: :class:`CallTracer`, which records
the ``bpcourse`` functions a call runs (used to detect a task answered by calling the reference).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["SandboxLimits", "WorkerResult", "run_worker", "kill_tree", "kill_all_running", "clean_stale_dirs",
           "CallTracer", "worker_main"]

TOKEN_ENV = "BPCOURSE_SANDBOX_TOKEN"
WORKER_ENV = "BPCOURSE_GRADING_WORKER"
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../bpcourse
_GRADING_DIR = os.path.join(_PKG_DIR, "grading")


# ----------------------------------------------------------------------------------------------- shared
class CallTracer:
    """A ``sys.setprofile`` hook recording which ``bpcourse`` functions run during a call.

    Parameters
    ----------
    watch : set of str, optional
        Qualified names (``"bpcourse.layers.Dense.backward"``) whose return values are fingerprinted, so a
        learner output that *is* such a return value can be recognised.
    outermost : bool
        Also record the outermost ``bpcourse`` calls (``entries``): those with no other ``bpcourse`` frame
        above them except ``bpcourse.grading`` and ``bpcourse._validate``, which are transparent. Used on
        the reference to find the functions that do its work.

    Attributes
    ----------
    calls : set of str
        Every ``bpcourse`` function that ran.
    entries : set of str
        The outermost ones (with ``outermost=True``).
    fingerprints : dict of str to set of str
        Watched name → fingerprints of the arrays it returned or left on ``self``.
    """

    def __init__(self, watch: set[str] | None = None, outermost: bool = False) -> None:
        self.watch = set(watch or ())
        self.outermost = outermost
        self.calls: set[str] = set()
        self.entries: set[str] = set()
        self.fingerprints: dict[str, set[str]] = {}
        self._prefix = _PKG_DIR + os.sep

    @staticmethod
    def name_of(frame: Any) -> str:
        code = frame.f_code
        return f"{frame.f_globals.get('__name__', '?')}.{getattr(code, 'co_qualname', code.co_name)}"

    def _transparent(self, filename: str) -> bool:
        return filename.startswith(_GRADING_DIR + os.sep) or filename.endswith(os.sep + "_validate.py")

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event not in ("call", "return"):
            return
        filename = frame.f_code.co_filename
        if not filename.startswith(self._prefix):
            return
        if event == "call":
            name = self.name_of(frame)
            self.calls.add(name)
            if self.outermost and not self._transparent(filename):
                f = frame.f_back
                while f is not None:
                    fn = f.f_code.co_filename
                    if fn.startswith(self._prefix) and not self._transparent(fn):
                        break
                    f = f.f_back
                else:
                    self.entries.add(name)
        elif self.watch:
            name = self.name_of(frame)
            if name in self.watch:
                prints = self.fingerprints.setdefault(name, set())
                prints.update(fingerprints_of(arg))
                owner = frame.f_locals.get("self")
                if owner is not None:
                    prints.update(fingerprints_of(getattr(owner, "__dict__", {})))

    def __enter__(self) -> "CallTracer":
        self._old = sys.getprofile()
        sys.setprofile(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.setprofile(self._old)


def fingerprints_of(value: Any, depth: int = 0) -> set[str]:
    """Fingerprints (shape and float64 bytes, hashed) of the numbers and numeric arrays in a value.

    Containers (tuple, list, dict) are searched two levels deep, so ``(dx, {"W": dW})`` yields three.
    """
    import hashlib

    import numpy as np

    out: set[str] = set()
    if isinstance(value, (np.ndarray, np.number, float, int)) and not isinstance(value, bool):
        arr = np.asarray(value)
        if arr.dtype.kind in "iuf" and arr.size:
            arr = np.ascontiguousarray(arr, dtype=np.float64)
            h = hashlib.blake2b(digest_size=16)
            h.update(repr(arr.shape).encode())
            h.update(arr.tobytes())
            out.add(h.hexdigest())
    elif depth < 2 and isinstance(value, (tuple, list)):
        for v in value[:16]:
            out |= fingerprints_of(v, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for v in list(value.values())[:32]:
            out |= fingerprints_of(v, depth + 1)
    return out


# ------------------------------------------------------------------------------------------ parent side
@dataclass(frozen=True)
class SandboxLimits:
    """Limits of one worker.

    Attributes
    ----------
    timeout : float
        Wall-clock seconds for the whole submission (start-up, cells and evaluation).
    memory_mb : int
        Address-space limit (``RLIMIT_AS``) in MiB; numpy alone maps ~100 MiB.
    output_cap : int
        Characters of the notebook's printed output kept (the rest is counted and dropped).
    file_mb : int
        Largest file the worker and its children may write (``RLIMIT_FSIZE``), in MiB.
    """

    timeout: float = 60.0
    memory_mb: int = 2048
    output_cap: int = 20_000
    file_mb: int = 64


@dataclass
class WorkerResult:
    """What came back from one worker run (untrusted data, already size-checked and parsed)."""

    returncode: int | None
    timed_out: bool
    seconds: float
    progress: list[str] = field(default_factory=list)
    cells: dict[str, Any] | None = None
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    arrays: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: bool = False
    stderr_tail: str = ""
    stray_killed: int = 0
    unreadable: list[str] = field(default_factory=list)


def _proc_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _uid_of(pid: int) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return -1


def _threads_of(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def _has_token(pid: int, needle: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return needle in f.read().split(b"\0")
    except OSError:
        return False


def kill_tree(pgid: int, token: str, rounds: int = 20, exclude: int | None = None) -> int:
    """SIGKILL a worker's process group and every process carrying its token.

    A child that called ``setsid`` leaves the process group but keeps its environment, so the token finds
    it; several rounds catch processes forked while the first signals were being sent.

    Returns
    -------
    int
        How many processes other than ``exclude`` (the worker itself) were still there to kill.
    """
    needle = f"{TOKEN_ENV}={token}".encode()
    me = os.getpid()
    seen: set[int] = set()
    for _ in range(rounds):
        alive = [p for p in _proc_pids() if p != me and _has_token(p, needle)]
        seen.update(alive)
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if not alive:
            break
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)
    seen.discard(exclude if exclude is not None else -1)
    return len(seen)


_RUNNING: dict[int, str] = {}  # worker pid -> token, so an interrupted run can stop every worker at once


def kill_all_running() -> None:
    """Kill every worker (and its children) this process has started and not yet collected."""
    for pid, token in list(_RUNNING.items()):
        kill_tree(pid, token)


def clean_stale_dirs(max_age: float = 60.0) -> int:
    """Remove worker directories left by a grader that was killed (its ``parent_pid`` is gone).

    Returns
    -------
    int
        How many were removed. Only ``bpcourse-grade-*`` folders older than ``max_age`` seconds are
        considered, so a run in another process is never touched.
    """
    removed = 0
    now = time.time()
    for d in Path(tempfile.gettempdir()).glob("bpcourse-grade-*"):
        try:
            if now - d.stat().st_mtime < max_age:
                continue
            job = _read_json(d / "job.json")
            pid = int(job.get("parent_pid", 0)) if isinstance(job, dict) else 0
            if pid and Path(f"/proc/{pid}").exists():
                continue
        except (OSError, ValueError, TypeError):
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed += 1
    return removed


def _worker_env(token: str, tmp: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "USER", "LOGNAME", "MPLCONFIGDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    pkg_parent = os.path.dirname(_PKG_DIR)
    env.update({
        TOKEN_ENV: token,
        WORKER_ENV: "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONPATH": pkg_parent + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else ""),
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
        "TMPDIR": tmp,
    })
    return env


def _read_json(path: Path, cap: int = 2_000_000) -> Any:
    if not path.is_file() or path.stat().st_size > cap:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, OSError):
        return None


def _read_npz(path: Path, cap_mb: int) -> dict[str, Any] | None:
    import numpy as np

    if not path.is_file() or path.stat().st_size > cap_mb * 2**20:
        return None
    try:
        with np.load(path, allow_pickle=False) as data:  # never unpickle what a submission wrote
            return {k: data[k] for k in data.files if data[k].dtype.kind in "biufc"}
    except Exception:  # a truncated or forged file: treated as no result
        return None


def run_worker(job: dict[str, Any], case_arrays: dict[str, Any], limits: SandboxLimits,
               python: str | None = None) -> WorkerResult:
    """Run one job in a sandboxed worker and return what it reported.

    Parameters
    ----------
    job : dict
        JSON-serialisable: ``cells`` (list of ``{"index", "source", "skip"}``) and ``tasks`` (list of
        ``{"id", "function", "outputs", "cases": [{arg: [kind, npz key]}], "watch": [...]}``).
    case_arrays : dict of str to ndarray
        The case values, by npz key.
    limits : SandboxLimits
        Time, memory and output limits.
    python : str, optional
        The interpreter (default: the running one).

    Returns
    -------
    WorkerResult
    """
    import numpy as np

    tmp = tempfile.mkdtemp(prefix="bpcourse-grade-")
    token = secrets.token_hex(16)
    start = time.monotonic()
    proc = None
    try:
        job = dict(job, limits={"timeout": limits.timeout, "memory_mb": limits.memory_mb,
                                "output_cap": limits.output_cap, "file_mb": limits.file_mb},
                   parent_pid=os.getpid())
        Path(tmp, "job.json").write_text(json.dumps(job), encoding="utf-8")
        np.savez(os.path.join(tmp, "cases.npz"), **case_arrays)
        work = os.path.join(tmp, "work")
        os.mkdir(work)
        with open(os.path.join(tmp, "stdio.txt"), "wb") as stdio:
            proc = subprocess.Popen(
                [python or sys.executable, "-X", "faulthandler", "-m", "bpcourse.grading.sandbox", tmp],
                stdin=subprocess.DEVNULL, stdout=stdio, stderr=subprocess.STDOUT, cwd=work,
                env=_worker_env(token, tmp), start_new_session=True, close_fds=True,
            )
            _RUNNING[proc.pid] = token
            timed_out = False
            try:
                proc.wait(timeout=limits.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            stray = kill_tree(proc.pid, token, exclude=proc.pid)
            proc.wait()
            _RUNNING.pop(proc.pid, None)
        seconds = time.monotonic() - start
        res = WorkerResult(returncode=proc.returncode, timed_out=timed_out, seconds=seconds, stray_killed=stray)
        tmp_p = Path(tmp)
        try:
            with open(tmp_p / "progress.log", "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 20_000))
                res.progress = f.read().decode("utf-8", "replace").splitlines()[-200:]
        except OSError:
            pass
        res.done = "done" in res.progress
        try:
            with open(tmp_p / "stdio.txt", "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 3000))
                res.stderr_tail = f.read().decode("utf-8", "replace")
        except OSError:
            pass
        cells = _read_json(tmp_p / "cells.json")
        res.cells = cells if isinstance(cells, dict) else None
        for k, t in enumerate(job["tasks"]):
            data = _read_json(tmp_p / f"task-{k}.json")
            if not isinstance(data, dict) or data.get("id") != t["id"]:
                continue
            arrays = _read_npz(tmp_p / f"task-{k}.npz", limits.file_mb)
            if arrays is None and data.get("state") == "evaluated":
                res.unreadable.append(t["id"])
                continue
            res.tasks[t["id"]] = data
            res.arrays[t["id"]] = arrays or {}
        return res
    finally:
        if proc is not None and proc.returncode is None:  # an exception above: never leave it running
            kill_tree(proc.pid, token)
            proc.wait()
            _RUNNING.pop(proc.pid, None)
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------ worker side
class _CappedText:
    """A text stream keeping the first ``cap`` characters and counting the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.total = 0
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, s: Any) -> int:
        s = str(s)
        self.total += len(s)
        if self.kept < self.cap:
            piece = s[: self.cap - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        return len(s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("no file descriptor while grading")

    def text(self) -> str:
        return "".join(self.parts)


def _set_limits(limits: dict[str, Any]) -> None:
    import resource

    def lim(which: int, soft: int, hard: int | None = None) -> None:
        hard = soft if hard is None else hard
        try:
            cur_soft, cur_hard = resource.getrlimit(which)
            if cur_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, cur_hard), min(hard, cur_hard)
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass

    mem = int(limits["memory_mb"]) * 2**20
    lim(resource.RLIMIT_AS, mem)
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * 2**20)
    cpu = int(float(limits["timeout"])) + 2
    lim(resource.RLIMIT_CPU, cpu, cpu + 3)
    if hasattr(os, "getuid") and os.getuid() != 0:  # root ignores RLIMIT_NPROC; for others it stops fork bombs
        uid = os.getuid()
        mine = sum(_threads_of(p) for p in _proc_pids() if _uid_of(p) == uid)  # the limit counts threads
        lim(resource.RLIMIT_NPROC, mine + 256)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with an error instead of killing us
    try:  # die with the grader: a worker must never outlive the run that started it
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class _Shell:
    """Stands in for ``get_ipython()``: runs what is Python, reports what is not."""

    _RUN_BODY = {"time", "timeit", "capture", "prun", "debug"}
    _QUIET = {"matplotlib", "load_ext", "autoreload", "aimport", "config", "precision", "xmode", "reload_ext",
              "pylab", "env", "who", "whos", "lsmagic"}

    def __init__(self, ns: dict[str, Any], notes: list[str]) -> None:
        self.ns = ns
        self.notes = notes
        self.cell = 0

    def _note(self, what: str) -> None:
        self.notes.append(f"cell {self.cell}: {what} was not run (no shell or magics while grading)")

    def system(self, cmd: str) -> None:
        self._note(f"the shell command `!{cmd.strip()[:60]}`")

    def getoutput(self, cmd: str, *args: Any, **kwargs: Any) -> list[str]:
        self._note(f"the shell command `!{cmd.strip()[:60]}`")
        return []

    def _run(self, src: str, offset: int) -> None:
        exec(compile("\n" * offset + src, f"<cell {self.cell}>", "exec"), self.ns)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        if name in self._RUN_BODY:
            args = line.split()
            body = line
            while args and args[0].startswith("-"):  # %timeit -n 10 -r 3 stmt: drop the options
                opt = args.pop(0)
                body = body.split(opt, 1)[1]
                if opt in ("-n", "-r", "-p") and args:
                    body = body.split(args.pop(0), 1)[1]
            self._run(body.strip(), 0)
        elif name not in self._QUIET:
            self._note(f"the magic `%{name} {line.strip()[:50]}`")
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in self._RUN_BODY:
            self._run(cell, 1)
        elif name == "writefile":
            parts = line.split()
            append = "-a" in parts or "--append" in parts
            path = [p for p in parts if not p.startswith("-")]
            if path:
                with open(path[0], "a" if append else "w", encoding="utf-8") as f:
                    f.write(cell)
        else:
            self._note(f"the cell magic `%%{name}`")
        return None

    def magic(self, arg: str) -> None:
        name, _, line = arg.partition(" ")
        self.run_line_magic(name.lstrip("%"), line)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"get_ipython().{name} is not available while grading")


def _ipython_to_python(src: str) -> str | None:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # IPython missing: comment out magic and shell lines
        out = []
        lines = src.splitlines()
        if lines and lines[0].startswith("%%"):
            name, _, arg = lines[0][2:].partition(" ")
            return f"get_ipython().run_cell_magic({name!r}, {arg!r}, {chr(10).join(lines[1:])!r})"
        for line in lines:
            stripped = line.lstrip()
            if stripped.startswith("!"):
                out.append(line[: len(line) - len(stripped)] + f"get_ipython().system({stripped[1:]!r})")
            elif stripped.startswith("%"):
                name, _, arg = stripped[1:].partition(" ")
                out.append(line[: len(line) - len(stripped)] + f"get_ipython().run_line_magic({name!r}, {arg!r})")
            else:
                out.append(line)
        return "\n".join(out)
    try:
        return TransformerManager().transform_cell(src)
    except Exception:
        return None


def _atomic_write(path: str, data: bytes, _open: Callable[..., Any] = open,
                  _replace: Callable[..., Any] = os.replace) -> None:
    tmp = path + ".tmp"
    with _open(tmp, "wb") as f:
        f.write(data)
    _replace(tmp, path)


def worker_main(tmp: str) -> None:  # noqa: C901  (one linear script, easier to audit in one piece)
    """The worker: run the cells, evaluate the functions, write the outputs. Never returns."""
    job = json.loads(Path(tmp, "job.json").read_text(encoding="utf-8"))
    limits = job["limits"]
    _set_limits(limits)
    if os.getppid() != job.get("parent_pid"):
        os._exit(3)  # the grader is already gone

    import builtins
    import copy
    import io
    import traceback

    import numpy as np

    from bpcourse.grading.diagnose import exception_report, normalize
    from bpcourse.grading.selfcheck import bind_call

    # Everything the harness needs, captured before any submission code runs.
    _exit, _write, _open, _replace, _dumps = os._exit, os.write, open, os.replace, json.dumps
    _savez, _BytesIO = np.savez, io.BytesIO
    our_code = {f: f.__code__ for f in (normalize, bind_call, exception_report, _atomic_write, fingerprints_of)}
    progress_fd = os.open(os.path.join(tmp, "progress.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def progress(line: str) -> None:
        try:
            _write(progress_fd, (line + "\n").encode("utf-8", "replace"))
        except OSError:
            pass

    with np.load(os.path.join(tmp, "cases.npz"), allow_pickle=False) as data:
        case_store = {k: data[k] for k in data.files}

    cap = int(limits["output_cap"])
    out = _CappedText(cap)
    cells = [c for c in job["cells"]]
    sources = {f"<cell {c['index']}>": c["source"].splitlines() for c in cells}

    def line_of(filename: str, lineno: int) -> str:
        lines = sources.get(filename, [])
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    def is_learner(filename: str) -> bool:
        return filename.startswith("<cell ")

    notes: list[str] = []
    ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    shell = _Shell(ns, notes)

    def _input(prompt: str = "") -> str:
        raise EOFError("input() cannot be answered while grading: there is no keyboard. "
                       "Put the value in the code instead")

    def _display(*objs: Any, **kwargs: Any) -> None:
        for o in objs:
            print(repr(o)[:1000], file=out)

    builtins.input = _input
    ns.update(get_ipython=lambda: shell, display=_display)
    cell_reports: list[dict[str, Any]] = []
    memory_hit = False
    sys.stdin = io.StringIO("")

    for c in cells:
        idx = c["index"]
        if c.get("skip"):
            continue
        progress(f"cell {idx}")
        shell.cell = idx
        src = c["source"]
        report: dict[str, Any] = {"index": idx, "error": None}
        code = None
        try:
            code = compile(src, f"<cell {idx}>", "exec")
        except SyntaxError as exc:
            translated = _ipython_to_python(src)
            if translated is not None and translated != src:
                try:
                    code = compile(translated, f"<cell {idx}>", "exec")
                except SyntaxError:
                    code = None
            if code is None:
                report["error"] = {"type": "SyntaxError", "message": str(exc.msg), "filename": f"<cell {idx}>",
                                   "lineno": int(exc.lineno or 0), "line": (exc.text or "").strip()[:200]}
        except (ValueError, MemoryError, RecursionError) as exc:  # null bytes, absurdly deep nesting
            report["error"] = {"type": type(exc).__name__, "message": str(exc)[:300], "filename": "",
                               "lineno": 0, "line": ""}
        if code is not None:
            sys.stdout = sys.stderr = out
            try:
                exec(code, ns)
            except BaseException as exc:  # noqa: BLE001  (SystemExit, KeyboardInterrupt too: keep going)
                report["error"] = exception_report(exc, is_learner, line_of)
                if isinstance(exc, MemoryError):
                    memory_hit = True
                del exc
            finally:
                sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
            if "matplotlib.pyplot" in sys.modules:
                try:
                    sys.modules["matplotlib.pyplot"].close("all")
                except Exception:
                    pass
        cell_reports.append(report)
    progress("end-cells")

    try:
        _atomic_write(os.path.join(tmp, "cells.json"), _dumps({
            "cells": cell_reports, "notes": notes[:50], "memory": memory_hit,
            "output_chars": out.total, "output_head": out.text()[:2000],
        }).encode("utf-8"), _open, _replace)
    except Exception:
        pass

    def tampered() -> bool:
        return any(f.__code__ is not code for f, code in our_code.items())

    for k, t in enumerate(job["tasks"]):
        progress(f"task {t['id']}")
        fname = t["function"]
        result: dict[str, Any] = {"id": t["id"], "state": "evaluated", "cases": [], "calls": [],
                                  "tampered": False, "candidates": []}
        arrays: dict[str, Any] = {}
        fn = ns.get(fname)
        if fn is None:
            result["state"] = "missing"
            result["candidates"] = sorted(
                name for name, v in list(ns.items())
                if callable(v) and is_learner(getattr(getattr(v, "__code__", None), "co_filename", ""))
            )[:30]
        elif not callable(fn):
            result["state"] = "not-callable"
            result["candidates"] = [type(fn).__name__]
        else:
            tracer = CallTracer(watch=set(t.get("watch", ())))
            for j, spec in enumerate(t["cases"]):
                progress(f"task {t['id']} case {j}")
                case = {}
                for arg, (kind, key) in spec.items():
                    v = case_store[key]
                    case[arg] = (np.array(v, copy=True) if kind == "array" else
                                 float(v) if kind == "float" else int(v) if kind == "int" else bool(v))
                pristine = copy.deepcopy(case)
                entry: dict[str, Any] = {"error": None, "bind_error": "", "note": "", "structure_error": "",
                                         "items": [], "modified": [], "ref_match": [], "seconds": 0.0}
                try:
                    args, kwargs, entry["note"] = bind_call(fn, case)
                except TypeError as exc:
                    entry["bind_error"] = str(exc)[:500]
                    result["cases"].append(entry)
                    break
                tracer.fingerprints.clear()
                t0 = time.perf_counter()
                sys.stdout = sys.stderr = out
                try:
                    sys.setprofile(tracer)
                    try:
                        value = fn(*args, **kwargs)
                    finally:
                        hooked = sys.getprofile() is tracer
                        sys.setprofile(None)
                    if not hooked:
                        result["tampered"] = True
                except BaseException as exc:  # noqa: BLE001
                    sys.setprofile(None)
                    entry["error"] = exception_report(exc, is_learner, line_of)
                    if isinstance(exc, MemoryError):
                        memory_hit = True
                    del exc
                    value = None
                finally:
                    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
                entry["seconds"] = time.perf_counter() - t0
                if entry["error"] is None:
                    if args:
                        case = dict(zip(spec, args))
                    entry["modified"] = [a for a in pristine if isinstance(pristine[a], np.ndarray) and not (
                        isinstance(case.get(a), np.ndarray) and case[a].shape == pristine[a].shape
                        and np.array_equal(case[a], pristine[a], equal_nan=pristine[a].dtype.kind in "fc"))]
                    try:
                        ret = normalize(value, t["outputs"])
                        entry["structure_error"] = ret.structure_error
                        for i, item in enumerate(ret.items):
                            entry["items"].append(item.to_manifest())
                            if item.array is not None:
                                arrays[f"c{j}_i{i}"] = item.array
                        mine = fingerprints_of(list(value) if isinstance(value, (tuple, list)) else value)
                        entry["ref_match"] = sorted(n for n, fp in tracer.fingerprints.items() if fp & mine)
                    except BaseException as exc:  # noqa: BLE001  (a hostile __array__, __len__, ...)
                        entry["error"] = {"type": type(exc).__name__, "message": f"its return value could not be "
                                          f"read: {exc}"[:300], "filename": "", "lineno": 0, "line": ""}
                result["cases"].append(entry)
            result["calls"] = sorted(tracer.calls)[:500]
        result["tampered"] = result["tampered"] or tampered()
        result["memory"] = memory_hit
        try:
            buf = _BytesIO()
            _savez(buf, **arrays)
            _atomic_write(os.path.join(tmp, f"task-{k}.npz"), buf.getvalue(), _open, _replace)
            _atomic_write(os.path.join(tmp, f"task-{k}.json"), _dumps(result, default=str).encode("utf-8"),
                          _open, _replace)
        except BaseException:  # noqa: BLE001
            progress(f"unwritable {t['id']}: " + traceback.format_exc(limit=1).replace("\n", " ")[-300:])
    progress("done")
    _exit(0)  # skip atexit handlers and non-daemon threads a submission may have left behind


if __name__ == "__main__":
    worker_main(sys.argv[1])
