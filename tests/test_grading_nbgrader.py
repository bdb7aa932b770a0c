"""nbgrader's own ``autograde`` and ``bpcourse grade`` give every task of every exercise the same verdict.

The corpus (``tests/slip_corpus.py``) has, per task, a right answer and a typical slip. Per exercise the
submissions are the released notebook with

* ``slip-even`` / ``slip-odd``: tasks 1, 3, ... (or 2, 4, ...) slipped, the others right;
* ``alone-even`` / ``alone-odd``: tasks 1, 3, ... (or 2, 4, ...) right, the others left as the release's stubs,
  and each right answer making NumPy print a RuntimeWarning (harmless, but nbgrader zeroes a test cell with
  anything on stderr).

* ``upstream-stub`` / ``upstream-slip``: every task answered with the instructor's own solution, which calls
  the exercise's earlier functions (``mlp_backward`` calls ``output_delta``), except that each function only
  other tasks call is left a stub (or slipped). The callers must keep their points: a task's grade never
  depends on another graded function (``bpcourse.grading.standins``).

So every task is judged right with its neighbours wrong and unanswered, and wrong (slipped, and a stub) with
its neighbours right, and each verdict must depend on that task alone. Both graders must give the expected
verdict (full points, or not) for every task. nbgrader runs once over all nine exercises (one assignment,
four students); ``bpcourse grade`` once per exercise, through its command line. The test prints the
agreement table. (The instructor's own solutions are checked elsewhere: nbval runs the source notebooks with
their hidden tests, and tests/test_exercises.py grades them with ``bpcourse grade``.)
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slip_corpus import CORPUS, noisy

from bpcourse.grading.layout import source_path

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("slip-even", "slip-odd", "alone-even", "alone-odd", "upstream-stub", "upstream-slip")
ASSIGNMENT = "bp"


def _tasks(exercise: str):
    from bpcourse.grading.tasks import tasks_for

    return tasks_for(exercise)


def upstream_only(exercise: str) -> set[str]:
    """The functions of ``exercise`` that other tasks call and that call none themselves (broken upstream)."""
    tasks = _tasks(exercise)
    used = {name for t in tasks for name in t.uses}
    return {t.function for t in tasks if t.function in used and not t.uses}


def expected(kind: str, index: int, exercise: str) -> bool:
    """Whether the task at 0-based ``index`` should earn its points in a submission of this kind."""
    if kind.startswith("upstream"):
        return _tasks(exercise)[index].function not in upstream_only(exercise)
    picked = (index % 2 == 0) == kind.endswith("-even")
    return not picked if kind.startswith("slip") else picked


def _fill(released, sources: dict[str, str]):
    """The released notebook with the solution cells defining the functions in ``sources`` replaced."""
    import copy
    import re

    nb = copy.deepcopy(released)
    for cell in nb.cells:
        m = re.search(r"^def (\w+)\(", cell.source, re.M)
        if cell.metadata.get("nbgrader", {}).get("solution") and m and m.group(1) in sources:
            cell.source = sources[m.group(1)].strip("\n")
    return nb


def solution_sources(exercise: str) -> dict[str, str]:
    """The instructor's solution cells of ``exercise``, by the function each defines."""
    import re

    from bpcourse.grading.release import release_with_solutions

    nb = release_with_solutions(nbformat.read(source_path(ROOT, exercise), as_version=4))
    return {m.group(1): c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution") and (m := re.search(r"^def (\w+)\(", c.source, re.M))}


def submission(exercise: str, kind: str):
    """The released notebook of ``exercise`` with the corpus answers of a submission ``kind`` filled in."""
    from bpcourse.grading.release import release_notebook

    released = release_notebook(nbformat.read(source_path(ROOT, exercise), as_version=4))
    sources = {}
    solutions = solution_sources(exercise)
    for i, task in enumerate(_tasks(exercise)):
        name, right, slip, _ = CORPUS[task.id]
        ok = expected(kind, i, exercise)
        if kind.startswith("upstream"):
            if ok:
                sources[name] = solutions[name]
            elif kind == "upstream-slip":
                sources[name] = slip
        elif kind.startswith("slip"):
            sources[name] = right if ok else slip
        elif ok:
            sources[name] = noisy(right)
    return _fill(released, sources)


def _nbgrader_verdicts(exercises: list[str], root: Path) -> dict[tuple[str, str, str], bool]:
    exe = Path(sys.executable).with_name("nbgrader")
    if not exe.exists():
        pytest.fail(f"nbgrader's command is missing next to {sys.executable}: pip install -e '.[test]'")
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    for ex in exercises:
        shutil.copy(source_path(ROOT, ex), root / "source" / ASSIGNMENT / f"{ex}.ipynb")
        for kind in KINDS:
            d = root / "submitted" / kind / ASSIGNMENT
            d.mkdir(parents=True, exist_ok=True)
            nbformat.write(submission(ex, kind), str(d / f"{ex}.ipynb"))
    (root / "nbgrader_config.py").write_text("c = get_config()\nc.ExecutePreprocessor.timeout = 120\n")
    env = dict(os.environ, PATH=f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")  # it runs `alembic`
    for step in (["generate_assignment", ASSIGNMENT, "--force"], ["autograde", ASSIGNMENT, "--force"]):
        proc = subprocess.run([str(exe), *step, f"--CourseDirectory.root={root}"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    from nbgrader.api import Gradebook

    verdicts = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for ex in exercises:
            for kind in KINDS:
                nb = gb.find_submission_notebook(ex, ASSIGNMENT, kind)
                for g in nb.grades:
                    verdicts[(ex, kind, g.name)] = g.score == g.max_score
    return verdicts


def _bpcourse_verdicts(exercise: str, root: Path, seed: int) -> dict[tuple[str, str, str], bool]:
    subs = root / exercise / "submitted"
    subs.mkdir(parents=True)
    for kind in KINDS:
        nbformat.write(submission(exercise, kind), str(subs / f"{kind}.ipynb"))
    out = root / exercise / "out"
    cmd = [sys.executable, "-m", "bpcourse.cli", "grade", str(source_path(ROOT, exercise)), str(subs),
           "--seed", str(seed), "--out", str(out), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    verdicts = {}
    with open(out / "grades.csv", newline="") as f:
        for row in csv.DictReader(f):
            for task in _tasks(exercise):
                verdicts[(exercise, Path(row["file"]).stem, task.id)] = float(row[task.id] or 0) == task.points
    return verdicts


def agreement_table(exercises, truth, nbg, ours) -> str:
    """One line per task: the verdicts of each submission kind, and where a grader got one wrong."""
    lines = [f"{'task':34s} " + " ".join(f"{k:>10s}" for k in KINDS)]
    for ex in exercises:
        for task in _tasks(ex):
            cells = []
            for kind in KINDS:
                key = (ex, kind, task.id)
                mark = "pass" if truth[key] else "fail"
                wrong = [who for who, v in (("nbg", nbg.get(key)), ("bpc", ours.get(key))) if v != truth[key]]
                cells.append(f"{mark + ('!' + '+'.join(wrong) if wrong else ''):>10s}")
            lines.append(f"{task.id:34s} " + " ".join(cells))
    return "\n".join(lines)


def test_nbgrader_and_bpcourse_grade_agree_task_by_task(tmp_path):
    pytest.importorskip("nbgrader")
    from bpcourse.grading.tasks import EXERCISES

    exercises = list(EXERCISES)
    truth = {(ex, kind, t.id): expected(kind, i, ex) for ex in exercises for i, t in enumerate(_tasks(ex))
             for kind in KINDS}
    nbg = _nbgrader_verdicts(exercises, tmp_path / "course")
    ours: dict = {}
    for ex in exercises:
        ours.update(_bpcourse_verdicts(ex, tmp_path / "bpcourse", seed=2026))
    table = agreement_table(exercises, truth, nbg, ours)
    wrong_nbg = sorted(k for k in truth if nbg.get(k) != truth[k])
    wrong_ours = sorted(k for k in truth if ours.get(k) != truth[k])
    print(f"\n{len(truth)} task verdicts; nbgrader wrong on {len(wrong_nbg)}, bpcourse grade wrong on "
          f"{len(wrong_ours)} ('!nbg' / '!bpc' marks them)\n{table}")
    assert not wrong_nbg and not wrong_ours, table


@pytest.mark.parametrize("task_id", sorted(CORPUS))
def test_every_task_has_a_corpus_entry(task_id):
    from bpcourse.grading.tasks import TASKS

    assert task_id in TASKS
    assert set(TASKS) == set(CORPUS)
