"""Neighbours cannot change a grade: each sandbox has its own cgroup, and its time limit counts its CPU time.

Through the real ``bpcourse grade`` CLI with ``--jobs 2``: correct submissions keep full points beside a CPU
hog (60 ``setsid`` burners), a memory hog and a process hog; afterwards no sandbox process and no cgroup of
the run is left. Where no cgroup can be made, the CSV's ``sandbox`` column says so.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from bpcourse.grading import cgroup, jail

FIX = Path(__file__).resolve().parent / "fixtures" / "grading"
SOURCE = FIX / "toy_exercise.ipynb"
TASKS_FILE = FIX / "toy_tasks.py"
BPCOURSE = str(Path(sys.executable).with_name("bpcourse"))
FULL = {"toy_sigmoid": "1", "toy_output_delta": "2", "toy_dense_backward": "3", "total": "6"}

if shutil.which("bwrap") is None and not os.environ.get("CI"):
    pytest.skip("needs bubblewrap", allow_module_level=True)
CONTROLLER, WHY = cgroup.controller()

# About two CPU seconds of honest work at the top of a notebook, so that it overlaps its neighbour.
WORK = "s = 0\nfor i in range(12_000_000):\n    s += i"
HOGS = {
    "cpu": ("import os\nfor _ in range(60):\n    if os.fork() == 0:\n        os.setsid()\n        while True:\n"
            "            pass\nwhile True:\n    pass"),
    "mem": ("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n        try:\n"
            "            b = bytearray(900 * 2**20)\n            b[::4096] = b'x' * len(b[::4096])\n"
            "        except MemoryError:\n            pass\n        time.sleep(600)\n"
            "b = bytearray(900 * 2**20)\nwhile True:\n    b[::4096] = b'y' * len(b[::4096])"),
    "proc": ("import os, time\nwhile True:\n    try:\n        if os.fork() == 0:\n            time.sleep(600)\n"
             "            os._exit(0)\n    except OSError:\n        time.sleep(0.05)"),
}


def _notebook(extra: str, path: Path) -> None:
    nb = nbformat.read(str(FIX / "submissions" / "correct.ipynb"), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(extra))
    nbformat.write(nb, str(path))


def _grade(subs: Path, out: Path, timeout: float, jobs: int = 2) -> tuple[subprocess.CompletedProcess, int]:
    proc = subprocess.Popen([BPCOURSE, "grade", str(SOURCE), str(subs), "--seed", "11", "--out", str(out),
                             "--tasks", str(TASKS_FILE), "--jobs", str(jobs), "--timeout", str(timeout),
                             "--memory-mb", "1024", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    stdout, stderr = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), proc.pid


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {r["file"]: r for r in csv.DictReader(f)}


def _sandbox_processes(grader_pid: int) -> list[int]:
    """Live processes of the uids a root grader with this pid gives its sandboxes."""
    low = jail._UID_BASE + (grader_pid % 10_000) * 10_000
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        state = next(line for line in status.splitlines() if line.startswith("State:")).split()[1]
        if low < uid <= low + 10_000 and state != "Z":
            found.append(int(pid))
    return found


def _cgroups_of(grader_pid: int) -> list[str]:
    assert CONTROLLER is not None
    return [str(p) for d in set(CONTROLLER.parents.values()) for p in d.glob(f"bpcourse-{grader_pid}-*")
            if not p.name.endswith("-grader")]  # cgroup v2: the grader's own leaf, removed by the next run


@pytest.mark.skipif(CONTROLLER is None and not os.environ.get("CI"), reason=f"no cgroup can be made here: {WHY}")
def test_a_grade_is_the_same_beside_cpu_memory_and_process_hogs(tmp_path):
    alone, crowded = tmp_path / "alone", tmp_path / "crowded"
    alone.mkdir()
    crowded.mkdir()
    _notebook(WORK, alone / "ok.ipynb")
    for i, (name, code) in enumerate(HOGS.items(), 1):
        _notebook(code, crowded / f"{i}_hog_{name}.ipynb")
        _notebook(WORK, crowded / f"{i}_ok.ipynb")
    r, _ = _grade(alone, tmp_path / "out-alone", timeout=8)
    assert r.returncode == 0, r.stderr
    baseline = _rows(tmp_path / "out-alone")["ok.ipynb"]
    assert {k: baseline[k] for k in FULL} == FULL and baseline["status"] == "ok", baseline

    t0 = time.monotonic()
    r, pid = _grade(crowded, tmp_path / "out-crowded", timeout=8)
    seconds = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    rows = _rows(tmp_path / "out-crowded")
    assert len(rows) == 6
    for i in range(1, 4):
        row = rows[f"{i}_ok.ipynb"]
        assert {k: row[k] for k in FULL} == FULL and row["status"] == "ok", (row, seconds)
        assert row["sandbox"] == "bwrap"
    # the hogs hurt only themselves: each was stopped (its own time, memory or process limit)
    assert rows["1_hog_cpu.ipynb"]["status"] != "ok" or "time limit" in rows["1_hog_cpu.ipynb"]["notes"]
    time.sleep(0.5)
    assert _sandbox_processes(pid) == []
    assert _cgroups_of(pid) == []


@pytest.mark.skipif(CONTROLLER is None and not os.environ.get("CI"), reason=f"no cgroup can be made here: {WHY}")
def test_the_time_limit_counts_cpu_seconds_and_a_sleeper_meets_the_wall_clock_backstop():
    j = jail.Jail(None)
    slept = j.run([sys.executable, "-c", "import time; time.sleep(3); print('woke')"], b"", jail.Limits(timeout=2))
    assert not slept.timed_out and slept.channel == b"woke\n" and slept.cpu_seconds < 1.5, slept
    spun = j.run([sys.executable, "-c", "while True:\n    pass"], b"", jail.Limits(timeout=2))
    assert spun.timed_out and 2.0 <= spun.cpu_seconds < 4.0, spun
    stuck = j.run([sys.executable, "-c", "import time; time.sleep(60)"], b"", jail.Limits(timeout=1))
    assert stuck.timed_out and jail.Limits(timeout=1).wall_cap() <= stuck.seconds < 30, stuck


def test_where_no_cgroup_can_be_made_the_csv_says_so(tmp_path, monkeypatch):
    from bpcourse.cli import main

    monkeypatch.setattr(cgroup, "controller", lambda: (None, "cgroup v2 without delegated controllers"))
    (tmp_path / "subs").mkdir()
    shutil.copy(FIX / "submissions" / "correct.ipynb", tmp_path / "subs")
    code = main(["grade", str(SOURCE), str(tmp_path / "subs"), "--seed", "1", "--out", str(tmp_path / "o"),
                 "--tasks", str(TASKS_FILE), "--quiet"])
    assert code == 0
    (row,) = _rows(tmp_path / "o").values()
    assert (row["status"], row["total"], row["sandbox"]) == ("ok", "6", "bwrap-no-cgroup"), row


@pytest.mark.skipif(CONTROLLER is None and not os.environ.get("CI"), reason=f"no cgroup can be made here: {WHY}")
def test_groups_left_by_a_grader_that_died_are_removed_by_the_next_run():
    dead = 2**22 + 12345  # above pid_max's default range: no such process
    assert not os.path.exists(f"/proc/{dead}")
    stale = [d / f"bpcourse-{dead}-0" for d in set(CONTROLLER.parents.values())]
    for d in stale:
        d.mkdir()
    controller, why = cgroup.controller()
    assert controller is not None, why
    assert [d for d in stale if d.exists()] == []


def _fake_v2(tmp_path, monkeypatch, procs: str) -> Path:
    """A cgroup v2 tree in plain files, as the kernel shows a delegated group (the logic, not the kernel)."""
    group = tmp_path / "cg" / "user.slice" / "grader.scope"
    group.mkdir(parents=True)
    (group / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (group / "cgroup.subtree_control").write_text("\n")
    (group / "cgroup.procs").write_text(procs)
    monkeypatch.setattr(cgroup, "_mounts", lambda: [(str(tmp_path / "cg"), "/", "cgroup2", {"rw"})])
    monkeypatch.setattr(cgroup, "_own_paths", lambda: {"unified": "/user.slice/grader.scope"})
    return group


def test_a_v2_grader_alone_in_its_group_moves_to_a_leaf_and_delegates_memory_cpu_pids(tmp_path, monkeypatch):
    group = _fake_v2(tmp_path, monkeypatch, f"{os.getpid()}\n")
    controller, why = cgroup.controller()
    assert controller is not None and controller.version == 2, why
    assert (group / f"bpcourse-{os.getpid()}-grader" / "cgroup.procs").read_text() == str(os.getpid())
    assert (group / "cgroup.subtree_control").read_text() == "+memory +cpu +pids"
    assert controller.parents == {"unified": group}


def test_a_v2_grader_sharing_its_group_makes_no_cgroup_and_says_why(tmp_path, monkeypatch):
    group = _fake_v2(tmp_path, monkeypatch, f"1\n{os.getpid()}\n")
    controller, why = cgroup.controller()
    assert controller is None and "holds other processes" in why and "Delegate=yes" in why
    assert sorted(p.name for p in group.iterdir()) == ["cgroup.controllers", "cgroup.procs",
                                                        "cgroup.subtree_control"]  # nothing was touched
