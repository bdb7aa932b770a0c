"""One control group per sandbox: its memory, CPU share and process count, and the CPU time it used.

Neighbours graded in parallel must not change each other's grade: a submission that starts 60 CPU burners,
fills memory or forks to its limit must only hurt itself. Where the grader can make cgroups (v1 hierarchies
it may write to, as when it runs as root in a container; or a cgroup v2 group delegated to it, which the
grader, when alone in it, first leaves for a leaf of its own so that its children may get controllers:
:func:`_delegate_v2`), each sandbox gets a group of its own below the grader's:

* memory: the sandbox's processes together (``Limits.memory_mb`` plus its scratch ``/tmp``, a tmpfs whose
  pages count as memory, plus a margin for bwrap);
* CPU: at most one CPU (a quota of one period per period), so burners slow down their own sandbox only;
* pids: ``Limits.nproc`` plus bwrap's own few;
* the CPU time the group used, which :class:`~bpcourse.grading.jail.Jail` compares with the time limit.

:func:`controller` returns None, with the reason, where no group can be made; the jail then falls back to
wall-clock time and per-process rlimits, and the grades CSV says so in its ``sandbox`` column.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Cgroup", "Controller", "controller", "sandbox_memory_bytes"]

_V1 = ("memory", "cpu", "cpuacct", "pids")
_PERIOD_US = 100_000
_counter = itertools.count()


def sandbox_memory_bytes(limits: Any) -> int:
    """Memory of a whole sandbox: the per-process limit, the scratch tmpfs and 256 MiB for bwrap and the like."""
    return (int(limits.memory_mb) + int(limits.scratch_mb) + 256) * 2**20


@dataclass
class Cgroup:
    """One sandbox's group: a directory per hierarchy (one under cgroup v2)."""

    dirs: list[Path]
    cpu_file: Path          # cpuacct.usage (ns) or cpu.stat (usage_usec)
    version: int

    @property
    def procs_files(self) -> list[str]:
        """Where a process writes its pid to join the group (every hierarchy)."""
        return [str(d / "cgroup.procs") for d in self.dirs]

    def cpu_seconds(self) -> float:
        """CPU time used by every process that was in the group."""
        try:
            text = self.cpu_file.read_text()
        except OSError:
            return 0.0
        if self.version == 1:
            return int(text.strip() or 0) / 1e9
        for line in text.splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return 0.0

    def pids(self) -> list[int]:
        found: set[int] = set()
        for d in self.dirs:
            try:
                found.update(int(p) for p in (d / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return sorted(found)

    def destroy(self, wait: float = 5.0) -> bool:
        """Kill every process still in the group and remove it; False if something could not be removed.

        Polls with a short, growing pause: a sandbox's last processes are usually gone within a millisecond
        or two of bwrap's exit, and a grade should not wait longer than that.
        """
        kill = self.dirs[0] / "cgroup.kill"
        deadline = time.monotonic() + wait
        pause = 0.0005
        left = list(self.dirs)
        while left:
            left = [d for d in left if not _rmdir(d)]
            if not left or time.monotonic() > deadline:
                break
            pids = self.pids()
            if pids and kill.exists():
                try:
                    kill.write_text("1")
                except OSError:
                    pass
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return not left


def _rmdir(d: Path) -> bool:
    """Remove an empty group; False while processes (or their zombies) are still in it."""
    try:
        d.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


class Controller:
    """Makes groups below the grader's own: v1 hierarchy directories, or one v2 directory."""

    def __init__(self, version: int, parents: dict[str, Path]) -> None:
        self.version, self.parents = version, parents

    def create(self, limits: Any) -> Cgroup:
        """A new group with the limits of ``limits`` (a :class:`~bpcourse.grading.jail.Limits`)."""
        name = f"bpcourse-{os.getpid()}-{next(_counter)}"
        made: list[Path] = []
        try:
            if self.version == 1:
                for ctl in _V1:
                    d = self.parents[ctl] / name
                    if d not in made:
                        d.mkdir()
                        made.append(d)
                mem, cpu, acct, pids = (self.parents[c] / name for c in _V1)
                _write(mem / "memory.limit_in_bytes", sandbox_memory_bytes(limits))
                _write(cpu / "cpu.cfs_period_us", _PERIOD_US)
                _write(cpu / "cpu.cfs_quota_us", _PERIOD_US)
                _write(pids / "pids.max", int(limits.nproc) + 16)
                return Cgroup(made, acct / "cpuacct.usage", 1)
            d = self.parents["unified"] / name
            d.mkdir()
            made.append(d)
            _write(d / "memory.max", sandbox_memory_bytes(limits))
            _write(d / "cpu.max", f"{_PERIOD_US} {_PERIOD_US}")
            _write(d / "pids.max", int(limits.nproc) + 16)
            return Cgroup(made, d / "cpu.stat", 2)
        except OSError:
            Cgroup(made, Path("/nonexistent"), self.version).destroy(wait=0.5)
            raise


def _write(path: Path, value: object) -> None:
    with open(path, "w") as f:
        f.write(str(value))


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(mount point, mount root, fs type, super options) of every cgroup mount."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        left, _, right = line.partition(" - ")
        f, r = left.split(), right.split()
        if len(f) >= 5 and len(r) >= 3 and r[0] in ("cgroup", "cgroup2"):
            found.append((f[4].replace("\\040", " "), f[3], r[0], set(r[2].split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """Controller (or "unified") -> this process's cgroup path."""
    paths: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return paths
    for line in lines:
        _, ctls, path = line.split(":", 2)
        for c in (ctls.split(",") if ctls else ["unified"]):
            paths[c] = path
    return paths


def _dir(mount: str, root: str, path: str) -> Path | None:
    if root != "/" and not (path == root or path.startswith(root.rstrip("/") + "/")):
        return None
    rest = path[len(root):] if root != "/" else path
    return Path(mount + rest.rstrip("/")) if rest.strip("/") else Path(mount)


def controller() -> tuple[Controller | None, str]:
    """A controller that can make sandbox groups here, or (None, why not)."""
    own, mounts = _own_paths(), _mounts()
    v1 = {}
    for ctl in _V1:
        m = next((m for m in mounts if m[2] == "cgroup" and ctl in m[3]), None)
        d = _dir(m[0], m[1], own.get(ctl, "/")) if m else None
        if d is not None and d.is_dir():
            v1[ctl] = d
    why = ""
    if len(v1) == len(_V1):
        c = Controller(1, v1)
        why = _try(c)
        if not why:
            return c, ""
    m2 = next((m for m in mounts if m[2] == "cgroup2"), None)
    d = _dir(m2[0], m2[1], own["unified"]) if m2 is not None and "unified" in own else None
    if d is not None:
        why2 = _delegate_v2(d)
        if not why2:
            c = Controller(2, {"unified": d})
            why2 = _try(c)
            if not why2:
                return c, ""
        why = why or why2
    return None, why or "no cgroup hierarchy with memory, cpu, cpuacct and pids is mounted"


_V2 = ("memory", "cpu", "pids")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _delegate_v2(d: Path) -> str:
    """Make ``d`` (the grader's cgroup v2 group) able to hold sandbox groups with memory, cpu and pids.

    A v2 group with processes in it cannot give controllers to children ("no internal processes"). When
    the grader is alone in its group (``systemd-run --scope -p Delegate=yes bpcourse grade ...``), it
    moves itself into a leaf ``bpcourse-<pid>-grader`` and enables the controllers for the children;
    when other processes share the group it leaves everything as it is. Returns why not, or "".
    """
    if set(_V2) <= set(_read(d / "cgroup.subtree_control").split()):
        return ""
    if not set(_V2) <= set(_read(d / "cgroup.controllers").split()):
        return "cgroup v2 without memory, cpu and pids delegated to the grader's group"
    if _read(d / "cgroup.procs").split() != [str(os.getpid())]:
        return ("cgroup v2: the grader's group holds other processes, so it cannot give controllers to "
                "sandbox groups (run the grader alone in a delegated scope: systemd-run --scope -p Delegate=yes)")
    leaf = d / f"bpcourse-{os.getpid()}-grader"
    try:
        leaf.mkdir(exist_ok=True)
        _write(leaf / "cgroup.procs", os.getpid())
        _write(d / "cgroup.subtree_control", " ".join(f"+{c}" for c in _V2))
    except OSError as exc:
        return f"cgroup v2: cannot delegate controllers to sandbox groups ({exc.strerror or exc})"
    return ""


def _remove_stale(c: Controller) -> None:
    """Remove the empty groups of graders that died without cleaning up (``bpcourse-<pid>-<n>``, pid gone)."""
    for parent in set(c.parents.values()):
        for d in parent.glob("bpcourse-*-*"):
            pid = d.name.split("-")[1]
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                try:
                    d.rmdir()  # fails, and is left alone, while any process is still in it
                except OSError:
                    pass


def _try(c: Controller) -> str:
    from types import SimpleNamespace

    try:
        g = c.create(SimpleNamespace(memory_mb=64, scratch_mb=0, nproc=4))
    except OSError as exc:
        return f"cannot make a cgroup ({exc.strerror or exc})"
    g.destroy(wait=0.5)
    _remove_stale(c)
    return ""
