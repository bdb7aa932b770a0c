"""The ``bpcourse`` command: ``bpcourse release`` and ``bpcourse grade`` (``bpcourse --help`` explains both)."""

from __future__ import annotations

import argparse
import importlib.util
import signal
import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = ["main"]

_DESCRIPTION = """\
Tools for the instructor of the bpcourse exercises.

  bpcourse release instructor/source/ex06/ex06_fully_connected_layer.ipynb release/
      makes the student version: solutions become "# YOUR CODE HERE / raise NotImplementedError()",
      hidden tests are removed, outputs cleared (exactly what nbgrader's generate_assignment does).

  bpcourse grade instructor/source/ex06/ex06_fully_connected_layer.ipynb submitted/ --seed 2024 --out grades/
      runs every submitted notebook in a sandbox, checks its functions on cases drawn from your seed,
      and writes grades/grades.csv plus grades/feedback/<name>.txt for each student.
      --shard i/N, --merge and --export nbgrader-csv|canvas: see instructor/grading-at-scale.md.

  bpcourse gradescope instructor/source/ex06/ex06_fully_connected_layer.ipynb --seed 2024 -o autograder.zip
      builds a Gradescope autograder that grades each submission in the same sandbox.

Run "bpcourse grade --help" for what the statuses in grades.csv mean."""

_GRADE_EPILOG = """\
How grading works: each submission runs in its own bubblewrap sandbox (new user, PID, network, IPC and
mount namespaces; an unprivileged uid; a cgroup of its own where one can be made; the standard library
read-only, a private scratch /tmp, and nothing else: not SOURCE, OUT_DIR, the other submissions or your
home; time, memory, file-size, output and process limits). Locked cells are first restored from SOURCE, as
nbgrader's autograde does. The graded functions are called on cases drawn from --seed; only their return
values and their input arrays after each call come back, over a pipe, and are checked strictly; every
verdict is decided outside the sandbox, to the digits float64 gives (a numerical derivative is not
backprop). The grader computes the reference answers itself. Inside the sandbox only what the exercise
hands out can be imported: numpy, matplotlib and, of bpcourse, the names the exercise's own cells import;
anything else (other bpcourse code, scipy, ...) raises ImportError saying so, and earns 0 for that task.
Stored outputs in the notebooks are
ignored: grades come from what runs. Without bubblewrap the command stops and says how to install it
(apt-get install bubblewrap); --no-isolation runs trusted notebooks without the sandbox, and the CSV's
sandbox column then says "none".

Before grading, the SOURCE notebook itself is run the same way and must earn full marks (so a broken
task table or solution stops the run instead of producing wrong grades).

Resuming: results are saved after every submission. If the run is interrupted (Ctrl-C, SIGTERM), run the
same command again: submissions already graded with the same seed, source and settings (and unchanged
files) are not graded again. --regrade timeout (or all) grades those again, e.g. with a longer --timeout.

Statuses in grades.csv:
{statuses}

Exit status: 0 when every submission has a row, 1 on a setup error or an OUT_DIR that cannot be written
(the message says what to fix),
130 when interrupted (rerun to resume)."""


def _statuses() -> str:
    from bpcourse.grading.judge import STATUSES

    return "\n".join(f"  {k:17s} {v}" for k, v in STATUSES.items())


def _load_tasks(path: str) -> list[Any]:
    """Tasks from a Python file defining ``TASKS`` (dict or list) or ``tasks_for``."""
    p = Path(path)
    if not p.is_file():
        from bpcourse.grading.judge import SourceError

        raise SourceError(f"--tasks: {path} is not a file (expected a .py file defining TASKS)")
    spec = importlib.util.spec_from_file_location(f"_bpcourse_tasks_{abs(hash(str(p.resolve())))}", p)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    tasks = getattr(module, "TASKS", None)
    if tasks is None:
        from bpcourse.grading.judge import SourceError

        raise SourceError(f"--tasks: {path} defines no TASKS")
    return list(tasks.values()) if isinstance(tasks, dict) else list(tasks)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bpcourse", description=_DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="{release,grade,gradescope}")

    rel = sub.add_parser("release", help="make the student version of an exercise notebook",
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         description="Make the student version of SOURCE (a notebook with nbgrader solution and "
                                     "test cells), as nbgrader's generate_assignment does.")
    rel.add_argument("source", nargs="+", metavar="SOURCE.ipynb", help="source notebook(s) with solutions")
    rel.add_argument("dest", metavar="DEST", help="output folder (or output file, for one SOURCE)")

    gr = sub.add_parser("grade", help="grade a folder of submitted notebooks",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Grade every .ipynb under SUBMISSIONS_DIR against the tasks of SOURCE's "
                                    "exercise (its file name, e.g. ex06_fully_connected_layer).",
                        epilog=_GRADE_EPILOG.format(statuses=_statuses()))
    gr.add_argument("source", metavar="SOURCE.ipynb", nargs="?", help="the instructor's notebook, with solutions")
    gr.add_argument("submissions", metavar="SUBMISSIONS_DIR", nargs="?", help="folder of submitted notebooks "
                    "(searched recursively; .ipynb_checkpoints is skipped)")
    gr.add_argument("--seed", type=int, default=None,
                    help="your secret seed: the graded cases are drawn from it (same seed, same grades); "
                         "required, except with --merge (where it is checked against the shards' seed)")
    gr.add_argument("--out", required=True, metavar="OUT_DIR",
                    help="where grades.csv, feedback/ and results/ go (created if needed)")
    gr.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel (default 2)")
    gr.add_argument("--timeout", type=float, default=60.0,
                    help="CPU seconds per submission run (default 60; wall-clock seconds where no cgroup "
                         "can be made, and a wall-clock backstop of twice that plus 10 s)")
    gr.add_argument("--memory-mb", type=int, default=2048, help="memory limit per submission in MiB (default 2048)")
    gr.add_argument("--cases", type=int, default=5, help="random graded cases per task (default 5), drawn from "
                    "--seed; each task's fixed edge cases are graded too")
    gr.add_argument("--regrade", default="", metavar="STATUS[,STATUS]",
                    help="grade again the submissions with these statuses (or 'all')")
    gr.add_argument("--tasks", metavar="TASKS.py", default=None,
                    help="a Python file defining TASKS, instead of bpcourse.grading.tasks (custom exercises)")
    gr.add_argument("--feedback", choices=("hints", "full"), default="hints",
                    help="hints (default): diagnoses only; full: also each failed task's solution formula")
    gr.add_argument("--partial-credit", action="store_true",
                    help="per-output partial credit for tasks with several outputs (default: all or nothing, "
                         "as nbgrader)")
    gr.add_argument("--no-isolation", action="store_true",
                    help="run submissions WITHOUT the sandbox (trusted notebooks only; the CSV says so)")
    gr.add_argument("--max-notebook-mb", type=float, default=256.0, metavar="MB",
                    help="a larger submission is not read and gets the status too-large (default 256; stored "
                         "outputs are never graded, the cap only bounds the grader's memory)")
    gr.add_argument("--quiet", action="store_true", help="no progress line per submission")
    from bpcourse.grading.scale_cli import add_gradescope_parser, add_scale_options

    add_scale_options(gr)
    add_gradescope_parser(sub)
    return parser


def _release(args: argparse.Namespace) -> int:
    from bpcourse.grading.release import ReleaseError, release_file

    dest = Path(args.dest)
    if len(args.source) > 1 and dest.suffix == ".ipynb":
        print("bpcourse release: several SOURCE notebooks need a DEST folder, not a file", file=sys.stderr)
        return 1
    for src in args.source:
        target = dest if dest.suffix == ".ipynb" else dest / Path(src).name
        try:
            written = release_file(src, target)
        except (ReleaseError, OSError, ValueError) as exc:
            print(f"bpcourse release: {src}: {exc}", file=sys.stderr)
            return 1
        print(f"released {src} -> {written}")
    return 0


def _on_signal(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _grade(args: argparse.Namespace) -> int:
    from bpcourse.grading.batch import grade_folder
    from bpcourse.grading.judge import SourceError
    from bpcourse.grading.scale_cli import ScalePlan, merge_command

    try:
        plan = ScalePlan.from_args(args)
    except SourceError as exc:
        print(f"bpcourse grade: {exc}", file=sys.stderr)
        return 1
    if args.merge:
        return merge_command(args, plan)
    regrade = {s.strip() for s in args.regrade.split(",") if s.strip()}
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        tasks = _load_tasks(args.tasks) if args.tasks else None
        plan.start(args, tasks)
        summary = grade_folder(args.source, args.submissions, args.out, seed=args.seed, jobs=args.jobs,
                               timeout=args.timeout, memory_mb=args.memory_mb, n_cases=args.cases, tasks=tasks,
                               regrade=regrade, log=(lambda s: None) if args.quiet else None,
                               isolation=not args.no_isolation, feedback=args.feedback,
                               partial_credit=args.partial_credit, max_notebook_mb=args.max_notebook_mb,
                               select=plan.select)
        if not summary.interrupted:
            plan.finish(args, tasks, summary)
    except SourceError as exc:
        print(f"bpcourse grade: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the out dir itself cannot be written: every finished row is in results/
        print(f"bpcourse grade: cannot write to {args.out}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bpcourse grade: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items()))
    print(f"{len(summary.rows)} submissions ({summary.graded} graded now, {summary.skipped} already done): {counts}")
    if args.no_isolation:
        print("WARNING: graded without isolation (--no-isolation); the CSV's sandbox column says none")
    print(f"grades: {Path(args.out) / 'grades.csv'}   feedback: {Path(args.out) / 'feedback'}/")
    if summary.interrupted:
        print("bpcourse grade: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bpcourse`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "release":
        return _release(args)
    if args.command == "grade":
        return _grade(args)
    if args.command == "gradescope":
        from bpcourse.grading.scale_cli import gradescope_command

        return gradescope_command(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
