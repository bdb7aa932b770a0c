"""What runs inside the sandbox: the submission's cells, then its graded functions on the case inputs.

``python -m bpcourse.grading.worker`` reads one :class:`~bpcourse.grading.protocol.Request` on stdin, then

1. keeps stdout for itself as the channel to the grader and sends everything printed (by it, the
   notebook, or child processes) to stderr, the log;
2. limits itself (memory, CPU, file size, processes, no core dumps) before any submission code runs;
3. runs the code cells in one namespace, each exception caught and reported, and
4. calls each graded function on each case through :func:`~bpcourse.grading.learner.call_learner`, sending
   the return values, never a verdict: it has no reference, seed or expected output to compare with.

Everything after step 2 shares the process with the submission, which may rewrite any of it: the grader
treats what arrives on the channel as untrusted (:mod:`bpcourse.grading.protocol`).

In the sandbox this module runs as ``_bpgrader.worker``, a copy made by :mod:`bpcourse.grading.facade` with
its imports pointing at ``_bpgrader`` (protocol, learner, cells, returned, shell): the sandbox holds no real
``bpcourse``, only the learner's facade, and every grader module is imported here before the first learner
cell runs. A learner's import of anything the sandbox does not hold fails with the exercise's allowlist in
the message (:func:`explain_imports`), so the feedback says why.
"""

from __future__ import annotations

import builtins
import io
import os
import sys
from typing import Any

from bpcourse.grading import protocol
from bpcourse.grading.returned import exception_report
from bpcourse.grading.learner import Outcome, call_learner
from bpcourse.grading.shell import Shell, ipython_to_python
from bpcourse.grading.standins import decode_tables, installed, own_calls

__all__ = ["main"]


class Channel:
    """The worker's end of the channel: stdout's file descriptor, moved where printing cannot reach it."""

    def __init__(self) -> None:
        self.fd = os.dup(1)  # not inheritable: child processes do not get it
        os.dup2(2, 1)        # fd 1 is now the log, like fd 2
        self._write, self._encode = os.write, protocol.encode

    def send(self, msg: dict[str, Any]) -> None:
        data = memoryview(self._encode(msg))
        while data:
            data = data[self._write(self.fd, data):]


def read_request() -> dict[str, Any]:
    request = protocol.read_stream(sys.stdin.buffer)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdin = io.StringIO("")
    return request


def apply_limits(limits: dict[str, Any]) -> None:
    """Limit this process and everything it starts (hard limits: the submission cannot raise them)."""
    import resource
    import signal

    def lim(which: int, value: int) -> None:
        cur = resource.getrlimit(which)[1]
        value = value if cur == resource.RLIM_INFINITY else min(value, cur)
        resource.setrlimit(which, (value, value))

    lim(resource.RLIMIT_AS, int(limits["memory_mb"]) * 2**20)
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * 2**20)
    lim(resource.RLIMIT_CPU, int(float(limits["timeout"])) + 2)
    lim(resource.RLIMIT_NPROC, int(limits["nproc"]))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with an error instead of killing us


def explain_imports() -> None:
    """Make a failed import name what the sandbox holds (``_allowlist.REFUSED``, written by the facade).

    Only the message changes: the exception is the same ModuleNotFoundError, so libraries that probe for
    optional modules behave as before. Outside the sandbox's tree (no ``_allowlist``) nothing changes.
    """
    import importlib

    try:
        refused = importlib.import_module(f"{__package__}._allowlist").REFUSED
    except Exception:  # run from the real package (tests, --no-isolation without a tree)
        return
    real_import = builtins.__import__

    def explained(name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return real_import(name, *args, **kwargs)
        except ModuleNotFoundError as exc:
            missing = exc.name or name
            if not str(exc).startswith(missing + " is not available"):
                raise ModuleNotFoundError(refused % missing, name=missing) from None
            raise

    builtins.__import__ = explained


def _compile(src: str, idx: int) -> tuple[Any, dict[str, Any] | None]:
    """(code object or None, error report)."""
    name = f"<cell {idx}>"
    try:
        return compile(src, name, "exec"), None
    except SyntaxError as exc:
        translated = ipython_to_python(src)
        if translated is not None and translated != src:
            try:
                return compile(translated, name, "exec"), None
            except SyntaxError:
                pass
        return None, {"type": "SyntaxError", "message": str(exc.msg)[:300], "filename": name,
                      "lineno": int(exc.lineno or 0), "line": (exc.text or "").strip()[:200]}
    except (ValueError, MemoryError, RecursionError) as exc:  # null bytes, absurdly deep nesting
        return None, {"type": type(exc).__name__, "message": str(exc)[:300], "filename": "", "lineno": 0,
                      "line": ""}


class Notebook:
    """The submission's namespace and the source of its cells (for error lines)."""

    def __init__(self, cells: list[dict[str, Any]]) -> None:
        self.cells = cells
        self.sources = {f"<cell {c['index']}>": c["source"].splitlines() for c in cells}
        self.notes: list[str] = []
        self.ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.shell = Shell(self.ns, self.notes)
        self.ns.update(get_ipython=lambda: self.shell, display=_display)
        builtins.input = _no_input

    def line_of(self, filename: str, lineno: int) -> str:
        lines = self.sources.get(filename, [])
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    @staticmethod
    def is_learner(filename: str) -> bool:
        return filename.startswith("<cell ")

    def run_cell(self, idx: int, src: str) -> dict[str, Any] | None:
        """Run one cell; its error report, or None."""
        self.shell.cell = idx
        code, error = _compile(src, idx)
        if code is None:
            return error
        try:
            exec(code, self.ns)
        except BaseException as exc:  # noqa: BLE001  (SystemExit, KeyboardInterrupt too: keep going)
            return exception_report(exc, self.is_learner, self.line_of)
        finally:
            _close_figures()
            _flush()
        return None


def _no_input(prompt: str = "") -> str:
    raise EOFError("input() cannot be answered while grading: there is no keyboard. Put the value in the code "
                   "instead")


def _display(*objs: Any, **kwargs: Any) -> None:
    for o in objs:
        print(repr(o)[:1000])


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a stream the notebook replaced or closed
            pass


def _close_figures() -> None:
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:
            pass


def run_cells(nb: Notebook, channel: Channel) -> None:
    for c in nb.cells:
        channel.send({"type": "cell-start", "index": c["index"]})
        channel.send({"type": "cell-end", "index": c["index"], "error": nb.run_cell(c["index"], c["source"])})
    channel.send({"type": "cells-done", "notes": [n[:200] for n in nb.notes[:50]]})


def outcome_message(o: Outcome, own: list[str] | None = None) -> dict[str, Any]:
    """An Outcome as the protocol's case outcome (arrays encoded); ``own``: the earlier graded functions whose
    stand-in handed a call to the learner's own function."""
    items = []
    for it in o.returned.items:
        arr = protocol.encode_array(it.array) if it.array is not None else None
        items.append({"kind": it.kind, "type_name": it.type_name[:80], "text": it.text[:200], "array": arr})
    return {"bind_error": o.bind_error, "error": o.error, "note": o.note,
            "structure_error": o.returned.structure_error, "items": items,
            "inputs": {k: protocol.encode_array(a) for k, a in o.after.items()}, "own": list(own or [])[:20]}


def _candidates(nb: Notebook) -> list[str]:
    return sorted(name for name, v in list(nb.ns.items()) if callable(v) and nb.is_learner(
        getattr(getattr(v, "__code__", None), "co_filename", "")))[:30]


def evaluate_task(nb: Notebook, task: dict[str, Any], channel: Channel) -> None:
    channel.send({"type": "task-start", "id": task["id"]})
    fn = nb.ns.get(task["function"])
    state, candidates = "evaluated", []
    if fn is None:
        state, candidates = "missing", _candidates(nb)
    elif not callable(fn):
        state, candidates = "not-callable", [type(fn).__name__[:80]]
    else:
        standins = task.get("standins") or [[] for _ in task["cases"]]
        for j, (raw, tables) in enumerate(zip(task["cases"], standins)):
            case = protocol.Request.decode_case(raw)
            # the earlier graded functions this one calls answer with their right values on this case only
            with installed(nb.ns, decode_tables(tables)) as used:
                o = call_learner(fn, case, tuple(task["outputs"]), nb.is_learner, nb.line_of)
            channel.send({"type": "case", "id": task["id"], "case": j, "outcome": outcome_message(o, own_calls(used))})
            if o.bind_error or o.error:
                break  # the grader stops at the first failing case, like the self-check
    channel.send({"type": "task-end", "id": task["id"], "state": state, "candidates": candidates})


def _others() -> int:
    """Live processes in this sandbox's PID namespace besides its init (pid 1) and this worker."""
    me, n = os.getpid(), 0
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in (1, me):
            try:
                with open(f"/proc/{p}/stat", "rb") as f:
                    n += f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
            except (OSError, IndexError):
                pass
    return n


def main() -> None:
    """The worker, start to end. Never returns."""
    channel = Channel()
    request = read_request()
    apply_limits(request["limits"])
    channel.send({"type": "hello", "version": protocol.VERSION})
    explain_imports()
    nb = Notebook(request["cells"])
    run_cells(nb, channel)
    for task in request["tasks"]:
        evaluate_task(nb, task, channel)
    leftover = _others() if request["limits"].get("isolated") else 0
    channel.send({"type": "done", "leftover_processes": leftover})
    os._exit(0)  # skip atexit handlers and non-daemon threads a submission may have left behind


if __name__ == "__main__":
    main()
