"""The process jail: run one command in a bubblewrap sandbox with limits, and bring back two byte streams.

Nothing here knows about notebooks or grades. :class:`Jail` starts ``bwrap`` (Flatpak's sandbox) with

* new user, PID, network, IPC, UTS and mount namespaces, ``--die-with-parent`` and ``--new-session``; when
  the PID namespace's first process ends, the kernel ends every process in it (double-forked ``setsid``
  children included);
* a filesystem of its own, read-only from ``/`` down except a private ``/tmp`` tmpfs of bounded size
  (working and home directory) and a 4 MiB ``/dev/shm``: the system and the interpreter's prefixes (the
  standard library); of every site-packages only the files of the allowed distributions (numpy,
  matplotlib and what they need: :mod:`bpcourse.grading.sitebinds`); and the caller's *tree*
  (:mod:`bpcourse.grading.facade`: the learner's facade of ``bpcourse`` and the grader's runtime) at
  :data:`TREE`, first on ``PYTHONPATH``. The real ``bpcourse`` is not there, nor the source exercise,
  out dir, other submissions, ``$HOME`` or host ``/proc``: what is importable is what is bound;
* never root: when the grader runs as root, the sandbox drops to a fresh unprivileged uid (one per sandbox,
  so ``RLIMIT_NPROC`` bounds each sandbox on its own) with no capabilities and ``no_new_privs``;
* a cgroup of its own where the grader can make one (:mod:`bpcourse.grading.cgroup`: memory of the whole
  sandbox, at most one CPU, a process count), joined before bwrap starts; the time limit then counts the
  group's CPU seconds, so neighbours graded in parallel cannot make a run time out, and a wall-clock cap
  (:meth:`Limits.wall_cap`) ends a sandbox that only sleeps. Without a cgroup the limit is wall-clock
  time and :attr:`Jail.sandbox` says ``bwrap-no-cgroup``.

The command reads one request on stdin and writes its answer on stdout (the *channel*); whatever else it
prints (stderr and stdout of code it runs) goes to the *log*. The parent reads both pipes itself, keeps at
most ``channel_mb`` of the channel and the first ``output_cap`` bytes of the log (counting the rest), and
kills the whole sandbox at the limit. Per-process memory, CPU, file-size and process limits are applied
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

from bpcourse.grading import cgroup, sitebinds

__all__ = ["Limits", "JailRun", "Jail", "IsolationUnavailable", "find_bwrap", "FIX_HINT"]

FIX_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`, Fedora: `dnf install bubblewrap`) "
            "and allow unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1`, "
            "`sysctl user.max_user_namespaces=15000`; in Docker, run the container with "
            "`--security-opt seccomp=unconfined` or `--privileged`); or, for trusted notebooks only, pass "
            "--no-isolation")

_UID_BASE = 1_900_000_000  # sandbox uids when the grader is root: far above any account's uid
TREE = "/opt/bpcourse-sandbox"  # where the sandbox's own Python tree is bound (first on PYTHONPATH)
_SHM_BYTES = 4 * 2**20         # /dev/shm inside: enough for a semaphore, not for a disk's worth of data
# The first command of every isolated run: joins the sandbox's cgroup (every hierarchy), then becomes bwrap,
# so no process of the sandbox ever runs outside the group.
_JOIN = 'for f in $BPCOURSE_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; exec "$@"'


class IsolationUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces here; the message says how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Limits of one sandbox run.

    Attributes
    ----------
    timeout : float
        Seconds for the whole run: CPU seconds of the sandbox's cgroup where it has one (a busy neighbour
        cannot make it run out), else wall-clock seconds.
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

    def wall_cap(self) -> float:
        """The wall-clock backstop of a run whose time is counted in CPU seconds (a sandbox that sleeps)."""
        return 2.0 * self.timeout + 10.0


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
    cpu_seconds: float | None = None  # the sandbox's CPU time, where it had a cgroup


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


def _venv_binds(venv: str, dirs_for: Any) -> list[str]:
    """A virtual environment as the sandbox needs it: ``pyvenv.cfg`` and the ``bin/python*`` links (which
    point into the base prefix, bound whole); its site-packages are added by the site rules, its scripts,
    shared data and other files are not there."""
    args: list[str] = []
    cfg = os.path.join(venv, "pyvenv.cfg")
    if os.path.exists(cfg):
        dirs_for(cfg)
        args.extend(["--ro-bind", cfg, cfg])
    for sub in ("bin", "Scripts"):
        folder = os.path.join(venv, sub)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.startswith("python"):
                dirs_for(path)
                if os.path.islink(path):
                    args.extend(["--symlink", os.readlink(path), path])
                else:
                    args.extend(["--ro-bind", path, path])
    for name in ("lib64",):  # the usual lib64 -> lib link
        path = os.path.join(venv, name)
        if os.path.islink(path):
            dirs_for(path)
            args.extend(["--symlink", os.readlink(path), path])
    return args


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
    tree : path, optional
        The sandbox's own Python tree (:func:`bpcourse.grading.facade.build`: the learner's facade of
        ``bpcourse`` and the grader's runtime ``_bpgrader``), bound read-only at :data:`TREE` and first on
        ``PYTHONPATH``. None: no tree.
    isolated : bool
        False for ``--no-isolation``.
    distributions : sequence of str
        The installed distributions the sandbox may import, with what they need at run time
        (:func:`bpcourse.grading.sitebinds.closure`); every other file of every site directory is hidden.
    cgroups : bool
        Give each sandbox a control group of its own where one can be made (:mod:`bpcourse.grading.cgroup`);
        ``cgroup_missing`` then says why none could.
    """

    def __init__(self, tree: str | os.PathLike[str] | None = None, isolated: bool = True,
                 distributions: Sequence[str] = sitebinds.ALLOWED_DISTRIBUTIONS, cgroups: bool = True) -> None:
        self.tree = os.path.abspath(tree) if tree is not None else None
        self.isolated = isolated
        self.bwrap = find_bwrap() if isolated else ""
        self.as_root = os.geteuid() == 0
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._lock = threading.Lock()
        self._next_uid = _UID_BASE + (os.getpid() % 10_000) * 10_000
        self.cgroups, self.cgroup_missing = (cgroup.controller() if isolated and cgroups
                                             else (None, "isolation is off" if not isolated else "not asked for"))
        self._fs = self._binds(distributions) if isolated else []  # computed once: every run shares it

    @property
    def sandbox(self) -> str:
        """What the ``sandbox`` column of grades.csv says of this jail."""
        if not self.isolated:
            return "none"
        return "bwrap" if self.cgroups is not None else "bwrap-no-cgroup"

    # ---------------------------------------------------------------------------------------- the sandbox
    def _binds(self, distributions: Sequence[str]) -> list[str]:
        """bwrap arguments for the filesystem: system and Python read-only, site-packages only as allowed."""
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
        venv = os.path.realpath(sys.prefix) if sys.prefix != sys.base_prefix else None
        roots = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                                       sys.base_exec_prefix)} - {venv})
        bound = ["/usr", "/bin", "/lib", "/lib64"]
        for root in roots:
            if any(root == t or root.startswith(t + "/") for t in bound):
                continue
            dirs_for(root)
            args.extend(["--ro-bind", root, root])
            bound.append(root)
        if venv is not None and not any(venv == t or venv.startswith(t + "/") for t in bound):
            args.extend(_venv_binds(venv, dirs_for))  # the interpreter and its pyvenv.cfg, not the venv
        for link in {sys.prefix, sys.base_prefix} - set(roots) - {venv}:  # a prefix reached through a symlink
            if os.path.islink(link):
                dirs_for(link)
                args.extend(["--symlink", os.path.realpath(link), link])
        entries = sitebinds.allowed_entries(distributions)
        for site_dir in sorted(set(sitebinds.site_dirs()) | set(entries)):
            inside = any(site_dir == b or site_dir.startswith(b.rstrip("/") + "/") for b in bound)
            if not inside and site_dir not in entries:
                continue  # not in the sandbox at all
            if not inside:
                dirs_for(site_dir)
            # an empty, read-only site directory, then only the allowed distributions' files in it
            args.extend(["--perms", "0755", "--tmpfs", site_dir])
            for path in entries.get(site_dir, []):
                args.extend(["--ro-bind", path, path])
            args.extend(["--remount-ro", site_dir])
        real = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # the real bpcourse package
        if any(real.startswith(b.rstrip("/") + "/") for b in bound):
            args.extend(["--tmpfs", real, "--remount-ro", real])  # a checkout inside a bound prefix: hidden
        if self.tree is not None:
            dirs_for(TREE)
            args.extend(["--ro-bind", self.tree, TREE])
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
               "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        if self.tree is not None:
            env["PYTHONPATH"] = TREE
        # The private /tmp comes first: bwrap mounts in order, so a Python environment or package that lives
        # under /tmp on the host (a checkout in /tmp, as CI's may be) is bound on top of it, not hidden by it.
        scratch = ["--size", str(limits.scratch_mb * 2**20), "--tmpfs", "/tmp"]
        # /dev: the device nodes bwrap makes, a small /dev/shm, and the rest read-only; / read-only too (the
        # root is a tmpfs that an unprivileged grader's sandbox would otherwise own and could fill).
        dev = ["--dev", "/dev", "--size", str(_SHM_BYTES), "--tmpfs", "/dev/shm", "--chmod", "1777", "/dev/shm",
               "--remount-ro", "/dev"]
        args = ns + scratch + self._fs + ["--proc", "/proc"] + dev + [
            "--chmod", "1777", "/tmp", "--chdir", "/tmp", "--remount-ro", "/", "--clearenv"]
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

        The command's own pipes are the only way out: nothing it writes to a file survives it. With a
        cgroup, the time limit counts the group's CPU seconds and :meth:`Limits.wall_cap` is the backstop;
        the group and everything in it are gone when this returns.
        """
        argfd, group = None, None
        if self.isolated:
            r, w = os.pipe()
            os.write(w, b"\0".join(a.encode() for a in self._bwrap_argv(limits)) + b"\0")  # well under 64 KiB
            os.close(w)
            argfd = r
            argv = [self.bwrap, "--args", str(r), "--", *self._drop(), *command]
            env = {"PATH": "/usr/bin:/bin"}
            cwd = "/"
            if self.cgroups is not None:
                try:
                    group = self.cgroups.create(limits)
                except OSError:
                    os.close(argfd)
                    raise
                argv = ["/bin/sh", "-c", _JOIN, "sh", *argv]
                env["BPCOURSE_CGROUP_PROCS"] = " ".join(group.procs_files)
        else:
            argv = list(command)
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/"),
                   "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
                   "OPENBLAS_NUM_THREADS": "1"}
            if self.tree is not None:
                env["PYTHONPATH"] = self.tree
            cwd = None
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, cwd=cwd, start_new_session=True, close_fds=True,
                                    pass_fds=(argfd,) if argfd is not None else ())
        except BaseException:
            if group is not None:
                group.destroy()
            raise
        finally:
            if argfd is not None:
                os.close(argfd)
        with self._lock:
            self._running[proc.pid] = proc
        try:
            return self._collect(proc, stdin, limits, t0, group)
        finally:
            self._kill(proc)
            if group is not None:
                group.destroy()
            with self._lock:
                self._running.pop(proc.pid, None)

    def _collect(self, proc: subprocess.Popen[bytes], stdin: bytes, limits: Limits, t0: float,
                 group: cgroup.Cgroup | None) -> JailRun:
        deadline = t0 + (limits.wall_cap() if group is not None else limits.timeout)

        def out_of_time() -> bool:
            return time.monotonic() >= deadline or (group is not None and group.cpu_seconds() > limits.timeout)

        pump = _Pump(proc, stdin, limits)
        timed_out = False
        while pump.open and not pump.overflow:
            if out_of_time():
                timed_out = True
                break
            pump.step(max(0.0, min(deadline - time.monotonic(), 0.25)))
        pump.close()
        while not timed_out and not pump.overflow and proc.poll() is None:
            if out_of_time():
                timed_out = True
                break
            try:
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
        cpu = group.cpu_seconds() if group is not None else None
        self._kill(proc)
        return JailRun(None if timed_out else proc.returncode, timed_out, time.monotonic() - t0,
                       bytes(pump.channel), pump.overflow, bytes(pump.log), pump.log_total, cpu)

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
