"""Grading throughput: ``bpcourse grade`` against nbgrader's ``autograde`` on the same submissions, and at scale.

    python benchmarks/bench_grading.py [--exercise ex06_fully_connected_layer] [--n 50] [--no-nbgrader]
    python benchmarks/bench_grading.py --scale [--n 1000] [--shards 4]

``--scale`` (the class-sized run; ``--n 1000`` for a 1,000-student class) grades ``--n`` correct submissions
once unsharded (``grade_folder``, ``--jobs 2``, in a child process so its resource usage is its own: the
grader's peak RSS, the largest sandbox's peak RSS, CPU seconds) and once as ``--shards`` ``bpcourse grade
--shard i/N --jobs 1`` processes at the same time plus ``--merge``, checks that both give the same grade
table, and prints a table with a paper estimate for a 1,000-student class × 9 exercises on one 32-core
node and on a 10-node Slurm array (from the measured CPU seconds per submission; see the printed formula).

Builds ``--n`` correct submissions of the exercise (the released notebook with the instructor's solutions
filled in), grades the folder with ``bpcourse grade --jobs 2`` and ``--jobs 1`` with isolation on (each
submission in its own bubblewrap sandbox, as instructors run it; the run stops if bubblewrap is missing),
then, when nbgrader is installed, runs ``nbgrader generate_assignment`` + ``nbgrader autograde`` on the same
submissions (nbgrader grades one notebook after another, each in a fresh Jupyter kernel, no sandbox).
Prints seconds per submission, set-up included for both. The machine is shared, so expect ±20 % between
runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from bpcourse.grading.facade import RUNTIME

# the sandbox worker as the grader starts it (python -m <runtime>.worker): what the memory sampler looks for
WORKER_MODULE = f"{RUNTIME}.worker".encode()

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bpcourse.grading.batch import grade_folder  # noqa: E402
from bpcourse.grading.release import release_with_solutions  # noqa: E402
from bpcourse.grading import layout  # noqa: E402


def bench_ours(source_path: Path, subs: Path, work: Path, jobs: int) -> tuple[float, dict[str, int]]:
    out = work / f"ours-jobs{jobs}"
    t0 = time.perf_counter()
    summary = grade_folder(source_path, subs, out, seed=1234, jobs=jobs, log=lambda s: None, isolation=True)
    return time.perf_counter() - t0, summary.counts


def bench_nbgrader(source_path: Path, student: nbformat.NotebookNode, n: int,
                   work: Path) -> tuple[float | None, str]:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        return None, "nbgrader not installed"
    exe = Path(sys.executable).with_name("nbgrader")
    root = work / "course"
    (root / "source" / "ps1").mkdir(parents=True)
    shutil.copy(source_path, root / "source" / "ps1" / source_path.name)
    env = dict(os.environ, PATH=f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    run = dict(cwd=root, env=env, capture_output=True, text=True)
    r = subprocess.run([str(exe), "generate_assignment", "ps1", f"--CourseDirectory.root={root}"], **run)
    if r.returncode:
        return None, "generate_assignment failed: " + r.stderr[-300:]
    for k in range(n):
        d = root / "submitted" / f"student{k:03d}" / "ps1"
        d.mkdir(parents=True)
        nbformat.write(student, str(d / source_path.name))
    t0 = time.perf_counter()
    r = subprocess.run([str(exe), "autograde", "ps1", f"--CourseDirectory.root={root}", "--create"], **run)
    seconds = time.perf_counter() - t0
    if r.returncode:
        errors = [line for line in r.stderr.splitlines() if "Error" in line or "error" in line][-3:]
        return None, "autograde failed: " + " / ".join(e.strip()[:120] for e in errors)
    # check that nbgrader really graded them: its own scores, from its gradebook
    r = subprocess.run([str(exe), "export", f"--CourseDirectory.root={root}", "--to", str(work / "nbg.csv")], **run)
    import csv

    with open(work / "nbg.csv", newline="") as f:
        scores = [(float(row["raw_score"]), float(row["max_score"])) for row in csv.DictReader(f)]
    full = sum(1 for s, m in scores if s == m)
    return seconds, f"{len(scores)} graded, {full} with full marks"


# --------------------------------------------------------------------------------------------- at scale
_CHILD = """
import json, resource, sys, time
from pathlib import Path
source, subs, out, tasks_file = sys.argv[1:5]
tasks = None
if tasks_file:
    from bpcourse.cli import _load_tasks
    tasks = _load_tasks(tasks_file)
from bpcourse.grading.batch import grade_folder
t0 = time.perf_counter()
summary = grade_folder(source, subs, out, seed=1234, jobs=2, log=lambda s: None, tasks=tasks)
wall = time.perf_counter() - t0
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall": wall, "counts": summary.counts, "grader_rss_mib": me.ru_maxrss / 1024,
                  "sandbox_s": [r.seconds for r in summary.rows]}))
"""


class WorkerPeak:
    """The largest peak RSS (VmHWM) of any sandbox worker under a process, sampled from /proc every 20 ms.

    The grader's sandboxes are killed as a session when they end, so their resource usage never reaches the
    grader's RUSAGE_CHILDREN; each worker's own high-water mark, read while it runs, does not depend on that.
    """

    def __init__(self, root_pid: int) -> None:
        import threading

        self.root, self.peak_kib, self.seen = root_pid, 0, set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.02):
            parents = {}
            for p in os.listdir("/proc"):
                if p.isdigit():
                    try:
                        with open(f"/proc/{p}/stat", "rb") as f:
                            parents[int(p)] = int(f.read().rsplit(b")", 1)[1].split()[1])
                    except (OSError, IndexError, ValueError):
                        pass
            for pid in parents:
                q = pid
                while q in parents and q != self.root and q > 1:
                    q = parents[q]
                if q != self.root:
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        argv = f.read().split(b"\0")
                    # the worker itself, not the bwrap processes whose arguments name it
                    if WORKER_MODULE not in argv or os.path.basename(argv[0]) == b"bwrap":
                        continue
                    with open(f"/proc/{pid}/status") as f:
                        hwm = [int(line.split()[1]) for line in f if line.startswith("VmHWM:")]
                except OSError:
                    continue
                if hwm:
                    self.seen.add(pid)
                    self.peak_kib = max(self.peak_kib, hwm[0])

    def stop(self) -> float:
        """Stop sampling; the peak in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


def _table(out: Path) -> list[list[str]]:
    import csv

    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.reader(f))
    i = rows[0].index("seconds")
    return [r[:i] + r[i + 1:] for r in rows]


def scale_run(source: Path, subs: Path, work: Path, shards: int, tasks_file: Path | None = None) -> dict:
    """One unsharded run (measured in a child process) and one run as ``shards`` parallel shard processes."""
    one = work / "one-shard"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(source), str(subs), str(one), str(tasks_file or "")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    sampler = WorkerPeak(child.pid)
    stdout, stderr = child.communicate()
    sandbox_peak = sampler.stop()
    if child.returncode:
        raise RuntimeError(f"the unsharded run failed: {stderr[-2000:]}")
    single = json.loads(stdout.strip().splitlines()[-1])
    single.update(sandbox_rss_mib=sandbox_peak, sandboxes_sampled=len(sampler.seen))
    exe = Path(sys.executable).with_name("bpcourse")
    extra = ["--tasks", str(tasks_file)] if tasks_file else []
    outs = [work / f"shard-{i}" for i in range(shards)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen([str(exe), "grade", str(source), str(subs), "--seed", "1234", "--out", str(o),
                               "--shard", f"{i}/{shards}", "--jobs", "1", "--quiet", *extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i, o in enumerate(outs)]
    failed = [p.args for p in procs if p.wait() != 0]
    if failed:
        raise RuntimeError(f"shard runs failed: {failed}")
    subprocess.run([str(exe), "grade", "--merge", *map(str, outs), "--out", str(work / "merged")], check=True,
                   capture_output=True)
    sharded = time.perf_counter() - t0
    return {"single": single, "sharded_wall": sharded, "shards": shards,
            "same": _table(one) == _table(work / "merged")}


def scale_report(r: dict, n: int, exercise: str) -> str:
    """The table and the paper estimate, as text."""
    s = r["single"]
    core_s = s["wall"] * min(2, os.cpu_count() or 1) / n  # core-seconds per submission: --jobs 2 kept 2 cores busy
    in_box = sum(s["sandbox_s"]) / max(1, len(s["sandbox_s"]))
    label = f"{r['shards']} shards × --jobs 1 at once, + --merge"
    lines = [f"Grading {n} correct submissions of {exercise} at scale ({os.cpu_count()} cores, shared machine)", "",
             f"| {'run':42s} | {'wall s':>7s} | {'s / submission':>14s} |",
             f"|{'-' * 44}|{'-' * 9}|{'-' * 16}|",
             f"| {'1 shard, --jobs 2':42s} | {s['wall']:7.1f} | {s['wall'] / n:14.3f} |",
             f"| {label:42s} | {r['sharded_wall']:7.1f} | {r['sharded_wall'] / n:14.3f} |", "",
             f"statuses: {s['counts']}; sharded grade table identical to the unsharded one: {r['same']}",
             f"one submission in its sandbox: {in_box:.3f} s wall (mean, 2 at a time); core-seconds per "
             f"submission: {core_s:.3f} s (1-shard wall × 2 cores / n)",
             f"peak RSS: grader process {s['grader_rss_mib']:.0f} MiB; one sandbox's worker {s['sandbox_rss_mib']:.0f} "
             f"MiB (VmHWM, largest of {s['sandboxes_sampled']} sampled)",
             "", "Paper estimate, 1,000 students × 9 exercises = 9,000 submissions, from the core-seconds per "
             "submission (one sandbox per core; plus one source check per exercise and shard):",
             f"  one 32-core node:              9000 × {core_s:.3f} s / 32  ≈ {9000 * core_s / 32 / 60:6.1f} min",
             f"  10-node Slurm array (32 each): 9000 × {core_s:.3f} s / 320 ≈ {9000 * core_s / 320 / 60:6.1f} min"]
    return "\n".join(lines)


def scale_main(args: argparse.Namespace, source_path: Path, student: nbformat.NotebookNode) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-grading-scale-") as tmp:
        work = Path(tmp)
        subs = work / "subs"
        subs.mkdir()
        for k in range(args.n):
            nbformat.write(student, str(subs / f"student{k:04d}.ipynb"))
        r = scale_run(source_path, subs, work, args.shards)
    print(scale_report(r, args.n, args.exercise))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exercise", default="ex06_fully_connected_layer")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--no-nbgrader", action="store_true")
    ap.add_argument("--scale", action="store_true", help="the class-sized run (use with --n 1000)")
    ap.add_argument("--shards", type=int, default=4, help="shards of the --scale run (default 4)")
    args = ap.parse_args()
    source_path = layout.source_path(ROOT, args.exercise)
    if not source_path.exists():
        sys.exit(f"{source_path} not found")
    source = nbformat.read(str(source_path), as_version=4)
    student = release_with_solutions(source)
    if args.scale:
        scale_main(args, source_path, student)
        return
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        work = Path(tmp)
        subs = work / "subs"
        subs.mkdir()
        for k in range(args.n):
            nbformat.write(student, str(subs / f"student{k:03d}.ipynb"))
        rows = []
        for jobs in (2, 1):
            sec, counts = bench_ours(source_path, subs, work, jobs)
            rows.append((f"bpcourse grade --jobs {jobs} (bwrap)", sec,
                         ", ".join(f"{v} {k}" for k, v in counts.items())))
        if not args.no_nbgrader:
            sec, note = bench_nbgrader(source_path, student, args.n, work)
            rows.append(("nbgrader autograde", sec, note))
    print(f"Grading {args.n} correct submissions of {args.exercise} ({os.cpu_count()} cores)\n")
    print(f"| {'grader':34s} | {'total s':>8s} | {'s / submission':>14s} | notes")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 16}|------")
    for name, sec, note in rows:
        if sec is None:
            print(f"| {name:34s} | {'—':>8s} | {'—':>14s} | {note}")
        else:
            print(f"| {name:34s} | {sec:8.1f} | {sec / args.n:14.3f} | {note}")
    ours = rows[0][1]
    theirs = rows[-1][1] if rows[-1][0].startswith("nbgrader") else None
    if theirs:
        print(f"\nbpcourse grade --jobs 2 is {theirs / ours:.1f}× faster per submission than nbgrader autograde "
              f"({theirs / rows[1][1]:.1f}× with --jobs 1).")


if __name__ == "__main__":
    main()
