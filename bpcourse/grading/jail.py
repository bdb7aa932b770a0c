"""The process jail: run one command in a bubblewrap sandbox with limits, and bring back two byte streams.

Nothing here knows about notebooks or grades. :class:`Jail` starts ``bwrap`` (Flatpak's sandbox) with

* new user, PID, network, IPC, UTS and mount namespaces, ``--die-with-parent`` and ``--new-session``; when
  the PID namespace's first process ends, the kernel ends every process in it (double-forked ``setsid``
  children included);
* a filesystem of its own: the Python environment read-only (``/usr``, the interpreter's prefixes), the
  package directory given by the caller bound read-only over the real ``bpcourse`` (the grader passes an
  AST-stubbed copy without the graded references), a private ``/tmp`` tmpfs of bounded size as working and
  home directory, and nothing else: no source exercise, out dir, other submissions, ``$HOME`` or host
  ``/proc``;
* never root: when the grader runs as root, the sandbox drops to a fresh unprivileged uid (one per sandbox,
  so ``RLIMIT_NPROC`` bounds each sandbox on its own) with no capabilities and ``no_new_privs``.

The command reads one request on stdin and writes its answer on stdout (the *channel*); whatever else it
prints (stderr and stdout of code it runs) goes to the *log*. The parent reads both pipes itself, keeps at
most ``channel_mb`` of the channel and the first ``output_cap`` bytes of the log (counting the rest), and
kills the whole sandbox at the wall-clock limit. Memory, CPU, file-size and process limits are applied
by the command itself before it runs untrusted code (``Limits`` travels in the request).

``Jail(isolated=False)`` runs the same command as a plain child process (``--no-isolation``: for trusted
work only; the caller must say so in its results).
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

__all__ = ["Limits", "JailRun", "Jail", "IsolationUnavailable", "find_bwrap", "FIX_HINT"]

FIX_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, Fedora: `dnf install bubblewrap`) "
            "and allow unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1`, "
            "`sysctl user.max_user_namespaces=15000`; in Docker, run the container with "
            "`--security-opt seccomp=unconfined` or `--privileged`); or, for trusted notebooks only, pass "
            "--no-isolation")

_UID_BASE = 1_900_000_000  # sandbox uids when the grader is root: far above any account's uid


class IsolationUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here; the message says how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Limits of one sandbox run.

    Attributes
    ----------
    timeout : float
        Wall-clock seconds for the whole run.
    memory_mb : int
        Address space (``RLIMIT_AS``) of each process, MiB.
    file_mb : int
        Largest file a process may write (``RLIMIT_FSIZE``), MiB.
    scratch_mb : int
        Size of the private ``/tmp`` (a tmpfs), MiB: bounds all files written together.
    nproc : int
        Processes and threads the sandbox may run at once (``RLIMIT_NPROC``): a fork bomb stops there.
    output_cap : int
        Bytes of the log kept (the rest is counted, then dropped).
    channel_mb : int
        Largest answer accepted on the channel, MiB; more ends the run.
    """

    timeout: float = 60.0
    memory_mb: int = 2048
    file_mb: int = 64
    scratch_mb: int = 128
    nproc: int = 64
    output_cap: int = 20_000
    channel_mb: int = 64

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class JailRun:
    """What came out of one run (untrusted bytes, size-capped)."""

    returncode: int | None
    timed_out: bool
    seconds: float
    channel: bytes
    channel_overflow: bool
    log: bytes
    log_bytes: int


def find_bwrap() -> str:
    """Path of ``bwrap``; raises IsolationUnavailable when it is not installed."""
    path = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.path.exists("/usr/bin/bwrap") else None)
    if not path:
        raise IsolationUnavailable(f"bubblewrap (`bwrap`) is not installed, so submissions cannot be isolated: "
                                   f"{FIX_HINT}")
    return path


def _ancestors(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


class _Pump:
    """Feeds a process its stdin and drains its channel (stdout) and log (stderr), within the caps."""

    def __init__(self, proc: subprocess.Popen[bytes], stdin: bytes, limits: Limits) -> None:
        assert proc.stdin and proc.stdout and proc.stderr
        self.proc, self.limits = proc, limits
        self.cap = limits.channel_mb * 2**20
        self.channel, self.log = bytearray(), bytearray()
        self.log_total, self.overflow, self.open = 0, False, 2
        self.pending = memoryview(stdin)
        self.sel = selectors.DefaultSelector()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            os.set_blocking(f.fileno(), False)
        self.sel.register(proc.stdout, selectors.EVENT_READ, "channel")
        self.sel.register(proc.stderr, selectors.EVENT_READ, "log")
        if self.pending:
            self.sel.register(proc.stdin, selectors.EVENT_WRITE, "stdin")
        else:
            proc.stdin.close()

    def step(self, timeout: float) -> None:
        for key, _ in self.sel.select(timeout):
            if key.data == "stdin":
                self._write(key)
            else:
                self._read(key)

    def _write(self, key: selectors.SelectorKey) -> None:
        try:
            self.pending = self.pending[os.write(key.fd, self.pending[:65536]):]
        except BlockingIOError:
            return
        except OSError:  # the command stopped reading (it died, or ignores its request)
            self.pending = self.pending[:0]
        if not self.pending:
            self.sel.unregister(key.fileobj)
            key.fileobj.close()  # type: ignore[union-attr]

    def _read(self, key: selectors.SelectorKey) -> None:
        try:
            chunk = os.read(key.fd, 1 << 16)
        except BlockingIOError:
            return
        if not chunk:
            self.sel.unregister(key.fileobj)
            self.open -= 1
        elif key.data == "channel":
            self.channel += chunk
            self.overflow = len(self.channel) > self.cap
            del self.channel[self.cap:]
        else:
            self.log_total += len(chunk)
            room = self.limits.output_cap - len(self.log)
            if room > 0:
                self.log += chunk[:room]

    def close(self) -> None:
        self.sel.close()


class Jail:
    """Runs commands in a sandbox (or, with ``isolated=False``, as a plain child process).

    Parameters
    ----------
    package_src : path
        The directory bound read-only over ``package_dest`` inside the sandbox.
    package_dest : path
        The real ``bpcourse`` package directory (where the interpreter looks for it).
    isolated : bool
        False for ``--no-isolation``.
    """

    def __init__(self, package_src: str | os.PathLike[str], package_dest: str | os.PathLike[str],
                 isolated: bool = True) -> None:
        self.package_src = os.path.abspath(package_src)
        self.package_dest = os.path.abspath(package_dest)
        self.isolated = isolated
        self.bwrap = find_bwrap() if isolated else ""
        self.as_root = os.geteuid() == 0
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._next_uid = _UID_BASE + (os.getpid() % 10_000) * 10_000

    # ---------------------------------------------------------------------------------------- the sandbox
    def _binds(self) -> list[str]:
        """bwrap arguments for the filesystem: the Python environment read-only, the package, a tmpfs."""
        args: list[str] = []
        made: set[str] = {"/"}

        def dirs_for(dest: str) -> None:
            for d in _ancestors(dest):
                if d not in made:
                    args.extend(["--perms", "0755", "--dir", d])
                    made.add(d)

        for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                args.extend(["--symlink", os.readlink(top), top])
            elif os.path.isdir(top):
                args.extend(["--ro-bind", top, top])
            made.add(top)
        for f in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                  "/etc/localtime"):
            if os.path.exists(f):
                dirs_for(f)
                args.extend(["--ro-bind", f, f])
        roots = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                       sys.base_exec_prefix)})
        for root in roots:
            if any(root == t or root.startswith(t + "/") for t in ("/usr", "/bin", "/lib", "/lib64")):
                continue
            dirs_for(root)
            args.extend(["--ro-bind", root, root])
        for link in {sys.prefix, sys.base_prefix} - set(roots):  # a prefix reached through a symlink
            if os.path.islink(link):
                dirs_for(link)
                args.extend(["--symlink", os.path.realpath(link), link])
        pkg_parent = os.path.dirname(self.package_dest)
        if any(pkg_parent == r or pkg_parent.startswith(r.rstrip("/") + "/") for r in roots + ["/usr"]) \
                and "-packages" not in pkg_parent:
            args.extend(["--tmpfs", pkg_parent])  # a source checkout inside a bound tree: hide its siblings
        dirs_for(self.package_dest)
        args.extend(["--ro-bind", self.package_src, self.package_dest])
        return args

    def _bwrap_argv(self, limits: Limits) -> list[str]:
        ns = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
              "--die-with-parent", "--new-session"]
        if self.as_root:
            ns += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]  # for setpriv's drop, then gone
        else:
            ns = ["--unshare-user"] + ns
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
               "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/.matplotlib", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONHASHSEED": "0", "PYTHONPATH": os.path.dirname(self.package_dest),
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        # The private /tmp comes first: bwrap mounts in order, so a Python environment or package that lives
        # under /tmp on the host (a checkout in /tmp, as CI's may be) is bound on top of it, not hidden by it.
        scratch = ["--size", str(limits.scratch_mb * 2**20), "--tmpfs", "/tmp"]
        args = ns + scratch + self._binds() + ["--proc", "/proc", "--dev", "/dev",
                                               "--chmod", "1777", "/tmp", "--chdir", "/tmp", "--clearenv"]
        for k, v in env.items():
            args += ["--setenv", k, v]
        return args

    def _drop(self) -> list[str]:
        """The command prefix that makes a root grader's sandbox unprivileged (empty otherwise)."""
        if not self.as_root:
            return []
        with self._lock:
            self._next_uid += 1
            uid = self._next_uid
        return ["/usr/bin/setpriv" if os.path.exists("/usr/bin/setpriv") else "setpriv", f"--reuid={uid}",
                f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                shutil.which("unshare") or "/usr/bin/unshare", "--user", "--"]

    # ------------------------------------------------------------------------------------------- running
    def run(self, command: Sequence[str], stdin: bytes, limits: Limits) -> JailRun:
        """Run ``command`` with ``stdin``; return its channel (stdout) and log (stderr) bytes.

        The command's own pipes are the only way out: nothing it writes to a file survives it.
        """
        argfd = None
        if self.isolated:
            r, w = os.pipe()
            os.write(w, b"\0".join(a.encode() for a in self._bwrap_argv(limits)) + b"\0")  # well under 64 KiB
            os.close(w)
            argfd = r
            argv = [self.bwrap, "--args", str(r), "--", *self._drop(), *command]
            env = {"PATH": "/usr/bin:/bin"}
            cwd = "/"
        else:
            argv = list(command)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/"),
                   "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": os.path.dirname(self.package_dest)}
            cwd = None
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, cwd=cwd, start_new_session=True, close_fds=True,
                                    pass_fds=(argfd,) if argfd is not None else ())
        finally:
            if argfd is not None:
                os.close(argfd)
        with self._lock:
            self._running[proc.pid] = proc
        try:
            return self._collect(proc, stdin, limits, t0)
        finally:
            self._kill(proc)
            with self._lock:
                self._running.pop(proc.pid, None)

    def _collect(self, proc: subprocess.Popen[bytes], stdin: bytes, limits: Limits, t0: float) -> JailRun:
        deadline = t0 + limits.timeout
        pump = _Pump(proc, stdin, limits)
        timed_out = False
        while pump.open and not pump.overflow:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            pump.step(min(left, 0.5))
        pump.close()
        if not timed_out and not pump.overflow:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
        self._kill(proc)
        return JailRun(None if timed_out else proc.returncode, timed_out, time.monotonic() - t0,
                       bytes(pump.channel), pump.overflow, bytes(pump.log), pump.log_total)

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        """End the sandbox: its session, then bwrap itself (its PID namespace takes every process with it)."""
        if proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.kill()
            except ProcessLookupError:
                pass
        proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass

    def kill_all(self) -> None:
        """End every sandbox this jail is running (on SIGINT/SIGTERM)."""
        with self._lock:
            procs = list(self._running.values())
        for p in procs:
            if p.returncode is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def probe(self, python: str) -> None:
        """Run a trivial command in the sandbox; raise IsolationUnavailable with bwrap's own words if it fails."""
        if not self.isolated:
            return
        code = "import os, sys; print(os.getuid()); sys.stdout.flush()"
        run = self.run([python, "-c", code], b"", Limits(timeout=30))
        if run.returncode != 0 or not run.channel.strip().isdigit():
            why = run.log.decode("utf-8", "replace").strip()[-400:] or f"exit status {run.returncode}"
            raise IsolationUnavailable(f"bubblewrap could not start a sandbox here ({why}): {FIX_HINT}")
        if int(run.channel.strip()) == 0 and not self.as_root:
            raise IsolationUnavailable("the sandbox would run as root; refusing to grade: " + FIX_HINT)
