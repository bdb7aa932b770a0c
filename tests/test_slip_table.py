"""The slip table: every slip of the corpus through the self-check and through ``bpcourse grade``.

Each slip of ``tests/slip_corpus.py`` is run through ``check()`` (two seeds) and, inside a notebook built from
the exercise's source with the slip typed into its solution cell, through the real command line
(``bpcourse grade`` in a subprocess, once per exercise over a folder of many submissions). The test prints
the table slip → exercise/task → message → points and asserts: every slip named (its words in both
messages), none answered only by the generic "wrong values" fallback, none misleading (naming another slip
of the same task), no false pass (0 points, check() fails), and no false alarm: every randomised correct
variant keeps full points in both.

A submission holds, for every task of its exercise, either a slip or a right answer, so each task's verdict
must also depend on that task alone.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from bpcourse.grading import check
from bpcourse.grading.layout import source_path
from bpcourse.grading.tasks import EXERCISES, TASKS, tasks_for
from slip_corpus import PENDING, PROBE, RIGHT, SLIPS, SlipEntry, correct_variants, function_name

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (0, 1)
CLI_SEED = 2026
GENERIC = "has wrong values"  # the last-resort fallback: never enough for a slip of the corpus


def source_notebook(exercise: str) -> Path:
    """The instructor's source notebook of ``exercise`` (with its solutions), where the layout keeps it."""
    return source_path(ROOT, exercise)


def _fn(task_id: str, source: str):
    ns = {"np": np}
    exec(source + (PROBE if task_id == "ex04_central_difference" else ""), ns)
    return ns[TASKS[task_id].function]


def self_check(task_id: str, source: str, seed: int) -> tuple[bool, str]:
    buf = io.StringIO()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a wrong answer may overflow; that is what the diagnosis reports
        ok = check(_fn(task_id, source), task=task_id, seed=seed, n_cases=3, file=buf)
    return ok, buf.getvalue()


def _named(words: str, text: str) -> bool:
    return any(w in text for w in words.split(" | "))


def _misleading(slip: SlipEntry, text: str) -> list[str]:
    """Words of *another* slip of the same task in this slip's message (its own words excepted)."""
    own = set(slip.words.split(" | "))
    return [w for other in SLIPS if other.task == slip.task and other is not slip
            for w in other.words.split(" | ") if w not in own and w in text and not any(w in o for o in own)]


def _generic(text: str) -> bool:
    return GENERIC in text


# ---------------------------------------------------------------------------------------------- the corpus
def test_the_corpus_has_45_slips_over_nine_exercises_and_200_correct_variants():
    assert len(SLIPS) >= 45, len(SLIPS)
    assert {TASKS[s.task].exercise for s in SLIPS} == set(EXERCISES)
    assert set(RIGHT) == set(TASKS)
    assert all(s.task in TASKS and s.words and not s.needs for s in SLIPS)
    assert all(p.needs for p in PENDING), "a pending slip says which spec change it waits for"
    names = [(s.task, s.name) for s in SLIPS + PENDING]
    assert len(names) == len(set(names)), "slip names are unique per task"
    variants = correct_variants()
    assert len(variants) >= 200 and {t for t, _ in variants} == set(TASKS)
    assert len({src for _, src in variants}) >= 150, "the variants differ from each other"
    for task, src in variants + [(s.task, s.source) for s in SLIPS]:
        assert function_name(src) == RIGHT[task][0], (task, src)


@pytest.mark.parametrize("slip", SLIPS, ids=[f"{s.task}-{i}" for i, s in enumerate(SLIPS)])
def test_no_slip_passes_on_any_single_draw(slip):
    """One random case (and the task's fixed edge cases) is enough to catch and name every slip, on every seed."""
    for seed in range(6):
        buf = io.StringIO()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ok = check(_fn(slip.task, slip.source), task=slip.task, seed=100 + seed, n_cases=1, file=buf)
        assert not ok, f"{slip.task} / {slip.name} passed on seed {100 + seed}"
        assert _named(slip.words, buf.getvalue()), buf.getvalue()


# -------------------------------------------------------------------------------------- through the CLI
def _fill(released, sources: dict[str, str]):
    """The released notebook with the solution cells defining the functions in ``sources`` replaced."""
    import copy

    nb = copy.deepcopy(released)
    replaced = set()
    for cell in nb.cells:
        m = re.search(r"^def (\w+)\(", cell.source, re.M)
        if cell.metadata.get("nbgrader", {}).get("solution") and m and m.group(1) in sources:
            cell.source = sources[m.group(1)].strip("\n")
            replaced.add(m.group(1))
    assert replaced == set(sources), f"no solution cell defines {sorted(set(sources) - replaced)}"
    return nb


def _submissions(exercise: str) -> dict[str, dict[str, object]]:
    """stem -> {task id: SlipEntry or "right"}: slip k of every task in ``slips-k``, variant k in ``right-k``."""
    tasks = tasks_for(exercise)
    plan: dict[str, dict[str, object]] = {}
    per_task = {t.id: [s for s in SLIPS if s.task == t.id] for t in tasks}
    for k in range(max(len(v) for v in per_task.values())):
        plan[f"slips-{k}"] = {t.id: (per_task[t.id][k] if k < len(per_task[t.id]) else "right") for t in tasks}
    variants = {t.id: [src for task, src in correct_variants() if task == t.id] for t in tasks}
    for k in range(max(len(v) for v in variants.values())):
        plan[f"right-{k}"] = {t.id: ("variant", variants[t.id][k]) for t in tasks}
    return plan


def _source_of(entry: object, task_id: str) -> str:
    if isinstance(entry, SlipEntry):
        return entry.source
    if isinstance(entry, tuple):
        return entry[1]
    return RIGHT[task_id][1]


def _feedback_for(feedback: str, task_id: str) -> str:
    """The block of one submission's feedback about ``task_id`` (from its ``[PASS]``/``[FAIL] <id>`` line)."""
    blocks = re.split(r"(?m)^(?=\[)", feedback)
    found = [b for b in blocks if re.match(rf"\[\w+\] {re.escape(task_id)} ", b)]
    assert len(found) == 1, f"no single feedback block for {task_id} in:\n{feedback}"
    return found[0].partition("\n")[2]  # the diagnosis, without the task's one-line description


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory) -> dict[tuple[str, str], tuple[float, str]]:
    """(submission stem, task id) -> (points, that task's feedback), from one `bpcourse grade` per exercise."""
    from bpcourse.grading.release import release_with_solutions

    root = tmp_path_factory.mktemp("slip-table")
    results: dict[tuple[str, str], tuple[float, str]] = {}
    for exercise in EXERCISES:
        source = source_notebook(exercise)
        released = release_with_solutions(nbformat.read(str(source), as_version=4))
        subs = root / exercise / "submitted"
        subs.mkdir(parents=True)
        plan = _submissions(exercise)
        for stem, entries in plan.items():
            sources = {RIGHT[tid][0]: _source_of(e, tid) for tid, e in entries.items()}
            nbformat.write(_fill(released, sources), str(subs / f"{stem}.ipynb"))
        out = root / exercise / "out"
        cmd = [sys.executable, "-m", "bpcourse.cli", "grade", str(source), str(subs), "--seed", str(CLI_SEED),
               "--out", str(out), "--quiet", "--jobs", "2"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        with open(out / "grades.csv", newline="") as f:
            rows = {Path(r["file"]).stem: r for r in csv.DictReader(f)}
        assert set(rows) == set(plan), (exercise, sorted(rows))
        for stem in plan:
            feedback = (out / "feedback" / f"{stem}.txt").read_text(encoding="utf-8")
            for task in tasks_for(exercise):
                results[(f"{exercise}/{stem}", task.id)] = (float(rows[stem][task.id] or 0),
                                                            _feedback_for(feedback, task.id))
    return results


def _first_problem(text: str) -> str:
    for line in text.splitlines():
        if line.strip().startswith("- "):
            return line.strip()[2:]
    return text.strip().splitlines()[0] if text.strip() else ""


def test_slip_table(cli_results):
    rows, failures = [], []
    where = {}
    for exercise in EXERCISES:
        for stem, entries in _submissions(exercise).items():
            for tid, e in entries.items():
                if isinstance(e, SlipEntry):
                    where[(e.task, e.name)] = f"{exercise}/{stem}"
    for slip in SLIPS:
        task = TASKS[slip.task]
        points, feedback = cli_results[(where[(slip.task, slip.name)], slip.task)]
        messages = []
        for seed in SEEDS:
            ok, out = self_check(slip.task, slip.source, seed)
            messages.append(out)
            if ok:
                failures.append(f"false pass in check(): {slip.task} / {slip.name} (seed {seed})")
            elif not _named(slip.words, out):
                failures.append(f"not named by check(): {slip.task} / {slip.name} (seed {seed}): {out}")
        if points != 0:
            failures.append(f"false pass in bpcourse grade: {slip.task} / {slip.name}: {points} points\n{feedback}")
        elif not _named(slip.words, feedback):
            failures.append(f"not named by bpcourse grade: {slip.task} / {slip.name}:\n{feedback}")
        for text, who in [(m, "check()") for m in messages] + [(feedback, "bpcourse grade")]:
            if _generic(text) and not _named(slip.words, text):
                failures.append(f"generic in {who}: {slip.task} / {slip.name}")
            wrong = _misleading(slip, text)
            if wrong:
                failures.append(f"misleading in {who}: {slip.task} / {slip.name} also says {wrong}")
        rows.append((slip.name, f"{task.exercise[:4]}/{task.function}", _first_problem(messages[0]),
                     f"{points:g}/{task.points}"))
    width = max(len(r[0]) for r in rows)
    table = "\n".join(f"{a:<{width}}  {b:<28} {d:>6}  {c[:150]}" for a, b, c, d in rows)
    print(f"\n{len(SLIPS)} slips: {len(SLIPS) - len({f.split(': ')[1] for f in failures})} fully named\n"
          f"{'slip':<{width}}  {'exercise/task':<28} {'points':>6}  message (check(), seed {SEEDS[0]})\n{table}")
    if PENDING:
        print("\npending (need a spec entry):\n" + "\n".join(f"  {p.task} / {p.name}: {p.needs}" for p in PENDING))
    assert not failures, "\n".join(failures)


def test_no_false_alarm_over_the_correct_variants(cli_results):
    alarms = []
    variants = correct_variants()
    for task_id, src in variants:
        ok, out = self_check(task_id, src, seed=7)
        if not ok:
            alarms.append(f"check() on a correct variant of {task_id}:\n{src}{out}")
    counted = 0
    for (stem, task_id), (points, feedback) in cli_results.items():
        if "/right-" in stem:
            counted += 1
            if points != TASKS[task_id].points:
                alarms.append(f"bpcourse grade gave {points:g}/{TASKS[task_id].points} to {stem}'s {task_id}:\n{feedback}")
    assert counted == len(variants), (counted, len(variants))
    print(f"\n{len(variants)} correct variants: {len(alarms)} false alarms in check() and bpcourse grade")
    assert not alarms, "\n".join(alarms)


def test_right_answers_beside_slips_keep_their_points(cli_results):
    """In a slips-k submission, the tasks that got a right answer are judged on their own: full points."""
    wrong = [(stem, tid, p) for (stem, tid), (p, _) in cli_results.items()
             if "/slips-" in stem and _plan_entry(stem, tid) == "right" and p != TASKS[tid].points]
    assert not wrong, wrong


def _plan_entry(stem: str, task_id: str) -> object:
    exercise, sub = stem.split("/")
    return _submissions(exercise)[sub][task_id]
