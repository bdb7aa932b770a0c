"""Grading throughput: ``bpcourse grade`` against nbgrader's ``autograde`` on the same submissions.

    python benchmarks/bench_grading.py [--exercise 06_fully_connected_layer] [--n 50] [--no-nbgrader]

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
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bpcourse.grading.batch import grade_folder  # noqa: E402
from bpcourse.grading.release import release_with_solutions  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exercise", default="06_fully_connected_layer")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--no-nbgrader", action="store_true")
    args = ap.parse_args()
    source_path = ROOT / "exercises" / f"{args.exercise}.ipynb"
    if not source_path.exists():
        sys.exit(f"{source_path} not found")
    source = nbformat.read(str(source_path), as_version=4)
    student = release_with_solutions(source)
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
