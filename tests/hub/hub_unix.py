"""The Unix side of the JupyterHub test: temporary users, a file-system view they can use, and the clean-up checks.

Everything here works on names and ids the test made itself: users with a random prefix, processes found by
those users' uids or by the test's temporary root, never by a program's name.
"""
from __future__ import annotations

import os
import pwd
import shlex
import signal
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/subuid", "/etc/subgid")
# Where a process of a user could leave files outside its home (the test's temporary root holds the homes).
SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/var/mail", "/var/spool/mail")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class User:
    """A Unix user the test created."""

    name: str
    uid: int
    home: Path


def create_user(name: str, home: Path) -> User:
    """A system user ``name`` (no subordinate ids, no mail spool) with its own group and ``home``.

    Raises
    ------
    RuntimeError
        If ``useradd`` fails, with its message.
    """
    proc = subprocess.run(["useradd", "--system", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                           "--user-group", name], capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"useradd {name} failed with status {proc.returncode}: {proc.stderr.strip()}")
    entry = pwd.getpwnam(name)
    return User(name, entry.pw_uid, Path(entry.pw_dir))


def delete_user(name: str) -> str:
    """Remove user ``name`` and its group; return ``userdel``'s complaint, or "" when it went cleanly."""
    proc = subprocess.run(["userdel", name], capture_output=True, text=True, timeout=60)
    return "" if proc.returncode == 0 else f"userdel {name}: status {proc.returncode}: {proc.stderr.strip()}"


def account_entries(names: set[str]) -> list[str]:
    """The lines of the account files whose first field is one of ``names``."""
    found = []
    for path in ACCOUNT_FILES:
        try:
            lines = Path(path).read_text().splitlines()
        except FileNotFoundError:
            continue
        found += [f"{path}: {line.split(':')[0]}" for line in lines if line.split(":")[0] in names]
    return found


def _blocked(path: Path) -> list[tuple[Path, Path]]:
    """Each folder on ``path`` (``path`` included) that other users cannot enter, with its child on the way."""
    chain = [*reversed(path.parents), path]
    return [(folder, child) for folder, child in zip(chain, chain[1:] + [path])
            if not os.stat(folder).st_mode & stat.S_IXOTH]


def readable_view(paths: list[Path], stage: Path) -> list[str]:
    """A command prefix that runs a command where other users can reach ``paths``, or [] when they already can.

    CI's Python may live under root's home (``/root/.pyenv``), which other users cannot enter, so the students'
    servers could not even start. Rather than open root's home to them, the hub runs in a private mount
    namespace in which each blocked folder is replaced by an empty tmpfs (mode 711) holding only bind mounts of
    the needed children. The namespace ends with the hub's last process: nothing changes on the machine.

    Raises
    ------
    RuntimeError
        If a path is blocked twice on its way (one level of hiding is all this handles).
    """
    blocked: dict[Path, set[Path]] = {}
    for p in paths:
        hits = _blocked(p.resolve())
        if len(hits) > 1 or (hits and hits[0][0] == hits[0][1]):
            raise RuntimeError(f"other users cannot enter {', '.join(str(f) for f, _ in hits)} on the way to {p}: "
                               "expected at most one such folder above it; install the Python environment and "
                               "the course where every user can read them")
        if hits:
            blocked.setdefault(hits[0][0], set()).add(hits[0][1])
    if not blocked:
        return []
    lines = []
    for i, (folder, children) in enumerate(sorted(blocked.items())):
        for j, child in enumerate(sorted(children)):
            s = stage / f"{i}-{j}"
            s.mkdir(parents=True)
            lines.append(f"mount --bind {shlex.quote(str(child))} {shlex.quote(str(s))}")
        lines.append(f"mount -t tmpfs -o mode=0711,size=1m bpcourse-view {shlex.quote(str(folder))}")
        for j, child in enumerate(sorted(children)):
            target = shlex.quote(str(folder / child.name))
            lines.append(f"mkdir {target}" if child.is_dir() else f"touch {target}")
            lines.append(f"mount --bind {shlex.quote(str(stage / f'{i}-{j}'))} {target}")
    script = "\n".join(["set -e", *lines, 'exec "$@"'])
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh"]


@dataclass(frozen=True)
class Proc:
    """A process the sweep found: its id, owner and command line."""

    pid: int
    uid: int
    cmdline: str


def processes(uids: set[int], root: Path, extra_pids: set[int] = frozenset()) -> list[Proc]:
    """Live processes owned by one of ``uids``, with ``root`` in their command line or working folder, or in
    ``extra_pids``: those the test started (directly or through the hub)."""
    found = []
    marker = str(root)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                cwd = ""
            state = next((ln for ln in (entry / "status").read_text().splitlines() if ln.startswith("State:")), "")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if "Z (zombie)" in state:  # already dead, waiting for its parent to reap it: nothing to stop
            continue
        pid = int(entry.name)
        if pid == os.getpid():
            continue
        if uid in uids or marker in cmdline or cwd.startswith(marker) or pid in extra_pids:
            found.append(Proc(pid, uid, cmdline))
    return found


def kill_processes(procs: list[Proc], grace: float = 5.0) -> None:
    """SIGTERM each process by its id, then SIGKILL those still alive after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        alive = []
        for p in procs:
            try:
                os.kill(p.pid, sig)
                alive.append(p)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while alive and time.monotonic() < deadline:
            alive = [p for p in alive if Path(f"/proc/{p.pid}").exists() and "Z (zombie)" not in _state(p.pid)]
            time.sleep(0.1)
        procs = alive
        if not procs:
            return


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "Z (zombie)"


def files_owned_by(uids: set[int], outside: Path) -> list[str]:
    """Files in the usual scratch folders owned by one of ``uids`` (``outside`` itself is not searched).

    ``find`` rather than os.walk: other tests leave very deep folders in /tmp (a hostile notebook's), which
    would exhaust Python's recursion.
    """
    owners = [arg for uid in sorted(uids) for arg in ("-o", "-uid", str(uid))][1:]
    tops = [d for d in SCRATCH_DIRS if os.path.isdir(d)]
    # bytes, decoded with surrogateescape: other tests leave names that are not UTF-8 in /tmp (a submission
    # named b'Zo\xeb_\xff.ipynb'), and text=True would raise on them
    proc = subprocess.run(["find", *tops, "-xdev", "-path", str(outside), "-prune", "-o", "(", *owners, ")",
                           "-print0"], capture_output=True, timeout=120)
    return [os.fsdecode(name) for name in proc.stdout.split(b"\0") if name]
