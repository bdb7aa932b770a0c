"""The command-line side of grading at scale: ``bpcourse grade --shard/--merge/--export`` and
``bpcourse gradescope`` (kept out of :mod:`bpcourse.cli` so that file only wires them in).

Every check that can fail on the user's input (a bad ``--shard``, an unknown ``--export``, a missing
``--seed``) runs before anything is graded or written, and fails with one line saying what was expected and
what was given. Importing this module is cheap: the grading modules are imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = ["add_scale_options", "add_gradescope_parser", "ScalePlan", "merge_command", "gradescope_command"]

_SCALE_HELP = """\
Sharding (see instructor/grading-at-scale.md): --shard i/N grades only the submissions whose relative path
hashes to shard i (0 <= i < N), into its own --out folder; when all N have finished,
"bpcourse grade --merge OUT_0 ... OUT_N-1 --out MERGED" joins them into one grades.csv and feedback/
(identical to an unsharded run's, timing column aside). A shard that died is rerun alone: it resumes."""


def add_scale_options(gr: argparse.ArgumentParser) -> None:
    """``--shard``, ``--merge`` and ``--export`` on the ``grade`` parser."""
    g = gr.add_argument_group("classes beyond one machine", _SCALE_HELP)
    g.add_argument("--shard", metavar="i/N", default=None,
                   help="grade only shard i of N (0-based, e.g. $SLURM_ARRAY_TASK_ID/16)")
    g.add_argument("--merge", nargs="+", metavar="SHARD_OUT", default=None,
                   help="join the --out folders of all N shards into --out (no SOURCE or SUBMISSIONS_DIR then)")
    g.add_argument("--export", action="append", default=[], metavar="FORMAT",
                   help="also write a grade book: nbgrader-csv (OUT/grades-nbgrader.csv, nbgrader export's "
                        "columns) or canvas (OUT/grades-canvas.csv, a Canvas gradebook import); repeatable")


def add_gradescope_parser(sub: Any) -> None:
    """The ``gradescope`` sub-command."""
    gs = sub.add_parser("gradescope", help="build a Gradescope autograder zip for an exercise",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Build a Gradescope autograder (setup.sh, run_autograder) that grades each "
                                    "submission in bpcourse's sandbox and writes results/results.json.")
    gs.add_argument("source", metavar="EXERCISE.ipynb", help="the exercise's source notebook, with solutions")
    gs.add_argument("-o", "--output", required=True, metavar="AUTOGRADER.zip", help="the zip to write")
    gs.add_argument("--seed", type=int, required=True, help="your secret seed (kept inside the zip)")
    gs.add_argument("--tasks", metavar="TASKS.py", default=None, help="a Python file defining TASKS")
    gs.add_argument("--cases", type=int, default=5, help="random graded cases per task (default 5)")
    gs.add_argument("--timeout", type=float, default=60.0, help="wall-clock seconds per submission (default 60)")
    gs.add_argument("--memory-mb", type=int, default=2048, help="memory limit in MiB (default 2048)")
    gs.add_argument("--feedback", choices=("hints", "full"), default="hints", help="as for bpcourse grade")
    gs.add_argument("--visibility", default="visible",
                    help="Gradescope visibility of each task's test: visible (default), hidden, after_due_date "
                         "or after_published")


@dataclass
class ScalePlan:
    """What ``--shard``/``--export`` ask of one ``bpcourse grade`` run, checked before it starts."""

    spec: Any
    exports: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "ScalePlan":
        from bpcourse.grading.export import ExportError, check_formats
        from bpcourse.grading.judge import SourceError
        from bpcourse.grading.shard import ShardError, ShardSpec, parse_shard

        exports = check_formats(args.export)
        if args.merge:
            given = [x for x in (args.source, args.submissions) if x is not None]
            if given or args.shard is not None:
                what = f"--shard {args.shard}" if args.shard is not None else " ".join(given)
                raise ShardError(f"--merge: expected only the shards' output folders (bpcourse grade --merge OUT... "
                                 f"--out MERGED), got {what} as well")
            return cls(None, exports)
        if args.source is None or args.submissions is None:
            raise SourceError("expected SOURCE.ipynb SUBMISSIONS_DIR (or --merge SHARD_OUT...), got "
                              + ("only " + args.source if args.source else "neither"))
        if args.seed is None:
            raise SourceError("expected --seed N (your secret seed: the graded cases are drawn from it), got none")
        spec = parse_shard(args.shard) if args.shard is not None else ShardSpec(0, 1)
        if exports and spec.count > 1:
            raise ExportError(f"--export: expected it with a whole class (an unsharded run or --merge), got it "
                              f"with --shard {spec}; give --export to the --merge command")
        return cls(spec, exports)

    @property
    def select(self) -> Callable[[str], bool] | None:
        return None if self.spec.count == 1 else self.spec.holds

    def start(self, args: argparse.Namespace, tasks: Any) -> None:
        """Before grading: the setup checks that need no grading, then forget a finished-run record."""
        from bpcourse.grading.batch import load_tasks
        from bpcourse.grading.shard import clear_manifest

        if Path(args.source).is_file() and Path(args.submissions).is_dir():
            load_tasks(Path(args.source), tasks)  # no graded tasks: stop before OUT is touched
            clear_manifest(Path(args.out))

    def finish(self, args: argparse.Namespace, tasks: Any, summary: Any) -> None:
        """After a run that finished: record it in OUT/shard.json, then write the grade books asked for."""
        from bpcourse.grading.batch import load_tasks
        from bpcourse.grading.export import export, read_timestamp
        from bpcourse.grading.shard import listing, manifest, write_manifest

        source, out = Path(args.source), Path(args.out)
        settings = {"n_cases": args.cases, "feedback": args.feedback, "partial_credit": args.partial_credit,
                    "sandbox": "none" if args.no_isolation else "bwrap"}
        folder = listing(Path(args.submissions), exclude=[out])  # as grade_folder lists it
        stamps = {r.file: read_timestamp(Path(args.submissions), r.file) for r in summary.rows}
        write_manifest(out, manifest(source, load_tasks(source, tasks), self.spec, args.seed, settings, summary,
                                     folder, stamps))
        for path in export(args.out, self.exports) if self.exports else []:
            print(f"grade book: {path}")


def merge_command(args: argparse.Namespace, plan: ScalePlan) -> int:
    """``bpcourse grade --merge SHARD_OUT... --out MERGED [--seed S] [--export F]``."""
    from bpcourse.grading.export import export
    from bpcourse.grading.judge import SourceError
    from bpcourse.grading.shard import merge

    try:
        result = merge(args.merge, args.out, expect_seed=args.seed)
        paths = export(args.out, plan.exports) if plan.exports else []
    except SourceError as exc:
        print(f"bpcourse grade: {exc}", file=sys.stderr)
        return 1
    counts: dict[str, int] = {}
    for r in result.rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"merged {result.shards} shard(s): {len(result.rows)} submissions: {summary}")
    print(f"grades: {Path(args.out) / 'grades.csv'}   feedback: {Path(args.out) / 'feedback'}/")
    for p in paths:
        print(f"grade book: {p}")
    return 0


def gradescope_command(args: argparse.Namespace) -> int:
    """``bpcourse gradescope EXERCISE.ipynb -o autograder.zip --seed S``."""
    from bpcourse.grading.gradescope import build_zip
    from bpcourse.grading.judge import SourceError

    try:
        path = build_zip(args.source, args.output, seed=args.seed, tasks_file=args.tasks, n_cases=args.cases,
                         timeout=args.timeout, memory_mb=args.memory_mb, feedback=args.feedback,
                         visibility=args.visibility)
    except SourceError as exc:
        print(f"bpcourse gradescope: {exc}", file=sys.stderr)
        return 1
    print(f"autograder: {path} (upload it as the assignment's autograder on Gradescope)")
    return 0
