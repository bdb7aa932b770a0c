"""nbgrader on a real JupyterHub, end to end: an instructor and two students, each a Unix user with a server of
their own, walk exercise 01 through nbgrader's exchange, and the grades equal ``bpcourse grade``'s, task by task.

The hub is started from the course's shipped ``instructor/jupyterhub/jupyterhub_config.py`` (and every user's
nbgrader reads the shipped ``nbgrader_config.py``), with temporary users, ports and folders. Everything happens
through the hub's REST API, the users' servers' contents and kernels APIs (a kernel's websocket), and
nbgrader's own commands run in each user's kernel, so as that user:

1. the instructor uploads the exercise's source to ``<course>/source/ex01/``, runs ``generate_assignment`` and
   ``release_assignment``;
2. each student runs ``fetch_assignment``, fills the notebook in and saves it (one right, one with two named
   slips), runs every cell in a fresh kernel (the test cells' self-check says "passed" or names the slip), and
   runs ``submit``;
3. the instructor runs ``collect``, ``autograde``, ``generate_feedback``, ``release_feedback`` and ``export``;
   each student runs ``fetch_feedback``;
4. ``bpcourse grade`` grades the two notebooks the instructor collected; per task, nbgrader's gradebook, its
   feedback and ``bpcourse grade``'s CSV and feedback give the same points, which are the expected ones, and
   both feedbacks name the slips.

Root is needed (users are created, and the hub's spawner switches to each user's uid). Outside CI a missing
piece skips the test, naming it; in CI (CI=true) it fails instead. After the hub is gone the test checks that no
process, user, group or file is left outside its temporary root.
"""
from __future__ import annotations

import csv
import html
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from course_hub import ROOT, course_hub
from slip_corpus import CORPUS

EXERCISE = "ex01_single_neuron"
ASSIGNMENT = "ex01"
NOTEBOOK = f"{EXERCISE}.ipynb"
SEED = 2026
# The second student's slips (task ids): sigmoid_prime as z(1 − z), and σ'(σ(net)) in the neuron's gradient.
SLIPPED = ("ex01_sigmoid_prime", "ex01_neuron_gradient")


def _missing() -> list[str]:
    """What this test needs and this machine lacks, each with how to get it."""
    need = []
    if os.geteuid() != 0:
        need.append("root (the test creates Unix users, and the hub's spawner switches to each user's uid)")
    for cmd, how in (("useradd", "apt-get install passwd"), ("userdel", "apt-get install passwd"),
                     ("unshare", "apt-get install util-linux"), ("bwrap", "apt-get install bubblewrap"),
                     ("configurable-http-proxy", "npm install -g configurable-http-proxy (.ci/run does it)")):
        if shutil.which(cmd) is None:
            need.append(f"the command {cmd} ({how})")
    for module, how in (("jupyterhub", "pip install -e '.[test]'"), ("nbgrader", "pip install -e '.[test]'"),
                        ("websocket", "pip install -e '.[test]' (websocket-client)")):
        if importlib.util.find_spec(module) is None:
            need.append(f"the Python module {module} ({how})")
    if not (Path(sys.executable).parent / "jupyterhub-singleuser").exists():
        need.append(f"jupyterhub-singleuser next to {sys.executable} (pip install -e '.[test]')")
    return need


@pytest.fixture
def requirements():
    missing = _missing()
    if missing:
        msg = "nbgrader-on-JupyterHub test needs " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def _tasks():
    from bpcourse.grading.tasks import tasks_for

    return tasks_for(EXERCISE)


def _answers(slipped: tuple[str, ...]) -> dict[str, str]:
    """Function name -> the source a student writes: the corpus's slip for ``slipped`` tasks, else the right one."""
    return {CORPUS[t.id][0]: CORPUS[t.id][2 if t.id in slipped else 1] for t in _tasks()}


def _fill(nb: dict, answers: dict[str, str]) -> dict:
    """The fetched notebook with each solution cell's function replaced by the student's answer."""
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        m = re.search(r"^def (\w+)\(", source, re.M)
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and m and m.group(1) in answers:
            cell["source"] = answers[m.group(1)].strip("\n")
    return nb


def _run_all(kernel, nb: dict) -> dict:
    """Run every code cell in order, as "Run All" does; the executions of the test cells, by grade id."""
    tests = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        ex = kernel.execute(source)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            tests[meta["grade_id"]] = ex
    return tests


def _ok(step: str, result: dict) -> dict:
    assert result["rc"] == 0, f"{step} exited {result['rc']}:\n{result['out'][-3000:]}\n{result['err'][-3000:]}"
    return result


def _expected_points(slipped: tuple[str, ...]) -> dict[str, float]:
    return {t.id: (0.0 if t.id in slipped else float(t.points)) for t in _tasks()}


def _feedback_points_nbgrader(page: str) -> dict[str, float]:
    """Per test cell, the points nbgrader's feedback page shows ("Test cell (Score: 2.0 / 2.0)")."""
    cells = re.findall(r'<a href="#(\w+)">Test cell</a> \(Score: ([\d.]+) / ([\d.]+)\)', page)
    return {grade_id: float(score) for grade_id, score, _ in cells}


def _feedback_points_bpcourse(text: str) -> dict[str, float]:
    """Per task, the points a ``bpcourse grade`` feedback file shows ("[pass] ex01_sigmoid (2/2) ...")."""
    return {tid: float(p) for tid, p in re.findall(r"^\[(?:pass|FAIL)\] (\w+) \(([\d.]+)/[\d.]+\)", text, re.M)}


def _instructor_flow_start(ch, source_nb: dict) -> None:
    inst = ch.hub.server(ch.instructor.name)
    inst.mkdir(f"{ch.course_id}/source/{ASSIGNMENT}")
    inst.put_notebook(f"{ch.course_id}/source/{ASSIGNMENT}/{NOTEBOOK}", source_nb)
    with inst.kernel() as k:
        assert k.run_json("import os; print(os.getuid())") == ch.instructor.uid, "the instructor's kernel's uid"
        _ok("nbgrader generate_assignment", k.nbgrader("generate_assignment", ASSIGNMENT))
        _ok("nbgrader release_assignment", k.nbgrader("release_assignment", ASSIGNMENT))


def _student_flow(ch, student, slipped: tuple[str, ...]) -> dict:
    """Fetch, fill in, self-check, submit; the self-check's test-cell executions."""
    srv = ch.hub.server(student.name)
    with srv.kernel() as k:
        assert k.run_json("import os; print(os.getuid())") == student.uid, f"{student.name}'s kernel's uid"
        _ok("nbgrader fetch_assignment", k.nbgrader("fetch_assignment", ASSIGNMENT))
    path = f"{ASSIGNMENT}/{NOTEBOOK}"
    fetched = srv.get_notebook(path)
    text = json.dumps(fetched)
    assert "raise NotImplementedError()" in text and "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, (
        f"{student.name} fetched something other than the student version")
    nb = _fill(fetched, _answers(slipped))
    srv.put_notebook(path, nb)
    saved = student.home / ASSIGNMENT / NOTEBOOK
    assert saved.stat().st_uid == student.uid, f"{saved} was written by uid {saved.stat().st_uid}, not the student's"
    with srv.kernel() as k:  # a fresh kernel: the student's "Restart Kernel and Run All Cells"
        tests = _run_all(k, srv.get_notebook(path))
        _ok("nbgrader submit", k.nbgrader("submit", ASSIGNMENT))
        # The exchange keeps submissions apart: a student can drop into inbound/ but not list it.
        inbound = str(ch.root / "exchange" / ch.course_id / "inbound")
        peek = k.run_json(f"import json, os\ntry:\n    print(json.dumps(os.listdir({inbound!r})))\n"
                          "except PermissionError as e:\n    print(json.dumps(type(e).__name__))")
        assert peek == "PermissionError", f"{student.name} could list the exchange's inbound folder: {peek}"
    return tests


def _check_self_checks(tests: dict, slipped: tuple[str, ...]) -> None:
    assert set(tests) == {t.id for t in _tasks()}, f"test cells run: {sorted(tests)}"
    for t in _tasks():
        name, _, _, named = CORPUS[t.id]
        ex = tests[t.id]
        if t.id in slipped:
            assert f"{name}: not yet right" in ex.text, f"{t.id}'s self-check did not flag the slip:\n{ex.text}"
            assert any(alt in ex.text for alt in named.split(" | ")), f"{t.id}: diagnosis lacks {named!r}:\n{ex.text}"
            assert ex.error and ex.error.startswith("AssertionError"), f"{t.id}: the test cell did not fail: {ex}"
        else:
            assert ex.error is None and f"{name}: public checks passed" in ex.stdout, f"{t.id}: {ex.text}"


GRADEBOOK_CODE = """
import json, os
from nbgrader.api import Gradebook
course = os.path.expanduser({course!r})
with Gradebook("sqlite:///" + os.path.join(course, "gradebook.db")) as gb:
    out = {{s: {{g.name: g.score for g in gb.find_submission_notebook({nb!r}, {a!r}, s).grades}} for s in {students!r}}}
print(json.dumps(out))
"""


def _instructor_flow_end(ch) -> tuple[dict, str, dict]:
    """Collect, autograde, feedback, export: the gradebook's points, the export CSV, the collected notebooks."""
    inst = ch.hub.server(ch.instructor.name)
    names = [s.name for s in ch.students]
    with inst.kernel() as k:
        for step in ("collect", "autograde", "generate_feedback", "release_feedback"):
            _ok(f"nbgrader {step}", k.nbgrader(step, ASSIGNMENT))
        _ok("nbgrader export", k.nbgrader("export", cwd=ch.course_id))
        gradebook = k.run_json(GRADEBOOK_CODE.format(course=f"~/{ch.course_id}", nb=EXERCISE, a=ASSIGNMENT,
                                                     students=names))
    export = inst.get_text(f"{ch.course_id}/grades.csv")
    collected = {s: inst.get_notebook(f"{ch.course_id}/submitted/{s}/{ASSIGNMENT}/{NOTEBOOK}") for s in names}
    return gradebook, export, collected


def _fetch_feedback(ch, student) -> str:
    srv = ch.hub.server(student.name)
    with srv.kernel() as k:
        _ok("nbgrader fetch_feedback", k.nbgrader("fetch_feedback", ASSIGNMENT))
    stamps = srv.listdir(f"{ASSIGNMENT}/feedback")
    assert len(stamps) == 1, f"{student.name} fetched feedback folders {stamps}, expected one"
    return html.unescape(srv.get_text(f"{ASSIGNMENT}/feedback/{stamps[0]}/{EXERCISE}.html"))


def _bpcourse_grade(collected: dict, work: Path) -> tuple[dict, dict]:
    """``bpcourse grade`` on the collected notebooks, laid out as in the instructor's ``submitted/`` folder (the
    command instructor/README.md gives): rows of grades.csv and feedback texts, by student."""
    from bpcourse.grading.batch import results_stem

    subs = work / "submitted"
    rel = {s: f"{s}/{ASSIGNMENT}/{NOTEBOOK}" for s in collected}
    for student, nb in collected.items():
        (subs / rel[student]).parent.mkdir(parents=True)
        (subs / rel[student]).write_text(json.dumps(nb))
        (subs / student / ASSIGNMENT / "timestamp.txt").write_text("2026-01-01 00:00:00 UTC")  # as nbgrader's
    out = work / "out"
    exe = Path(sys.executable).with_name("bpcourse")
    proc = subprocess.run([str(exe), "grade", str(ROOT / "instructor" / "source" / ASSIGNMENT / NOTEBOOK), str(subs), "--seed", str(SEED),
                           "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out / "grades.csv", newline="") as f:
        rows = {Path(r["file"]).parts[0]: r for r in csv.DictReader(f)}
    assert sorted(rows) == sorted(collected), f"grades.csv rows: {sorted(rows)}"
    feedback = {s: (out / "feedback" / f"{results_stem(rel[s])}.txt").read_text() for s in collected}
    return rows, feedback


def _compare(plan: dict, gradebook: dict, export: str, feedback_nbg: dict, rows: dict,
             feedback_bpc: dict) -> tuple[str, list[str]]:
    """Per student and task, the points from each of the four sources against the expected ones: the table,
    and every disagreement (totals, statuses and the slips' names in both feedbacks included)."""
    export_rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(export))}
    table = [f"{'student':10s} {'task':24s} {'expected':>8s} {'nbgrader':>8s} {'nbg-fb':>8s} {'bpcourse':>8s} "
             f"{'bpc-fb':>8s}"]
    problems = []
    for student, slipped in plan.items():
        expected = _expected_points(slipped)
        nbg_fb = _feedback_points_nbgrader(feedback_nbg[student])
        bpc_fb = _feedback_points_bpcourse(feedback_bpc[student])
        for tid, pts in expected.items():
            got = (gradebook[student].get(tid), nbg_fb.get(tid), float(rows[student][tid] or 0), bpc_fb.get(tid))
            table.append(f"{student:10s} {tid:24s} {pts:8g} " + " ".join(f"{v!s:>8s}" for v in got))
            if got != (pts,) * 4:
                problems.append(f"{student} {tid}: expected {pts} from all four, got {got}")
        total = sum(expected.values())
        nbg_total = re.search(r"\(Score: ([\d.]+) / [\d.]+\)</h4>", feedback_nbg[student])
        totals = (float(rows[student]["total"]), float(export_rows[student]["score"]),
                  float(nbg_total.group(1)) if nbg_total else None)
        if totals != (total,) * 3:
            problems.append(f"{student}: totals (bpcourse, nbgrader export, nbgrader feedback) {totals}, "
                            f"expected {total}")
        if rows[student]["status"] != ("partial" if slipped else "ok") or rows[student]["sandbox"] != "bwrap":
            problems.append(f"{student}: bpcourse row {rows[student]}")  # status, and the real (sandboxed) grader
        for tid in slipped:  # both feedbacks name the slip that the self-check named
            named = CORPUS[tid][3].split(" | ")
            for who, text in (("nbgrader", feedback_nbg[student]), ("bpcourse", feedback_bpc[student])):
                if not any(alt in text for alt in named):
                    problems.append(f"{who}'s feedback for {student} does not name {tid}'s slip ({named})")
    return "\n".join(table), problems


def test_nbgrader_course_on_jupyterhub_grades_as_bpcourse_grade(requirements):
    root = Path(tempfile.mkdtemp(prefix="bpcourse-hub-", dir="/tmp"))
    root.chmod(0o755)  # the users' homes and the exchange are inside: they must be able to enter it
    proxy = Path(shutil.which("configurable-http-proxy"))
    source_nb = json.loads((ROOT / "instructor" / "source" / ASSIGNMENT / NOTEBOOK).read_text())
    times = {}
    t0 = time.monotonic()
    with course_hub(root, proxy) as ch:
        try:
            times["hub up"] = time.monotonic() - t0
            for u in ch.users:
                ch.hub.start_server(u.name)
            for u in ch.users:
                ch.hub.wait_ready(u.name, deadline=time.monotonic() + 240)
            times["3 servers up"] = time.monotonic() - t0
            _instructor_flow_start(ch, source_nb)
            times["released"] = time.monotonic() - t0
            plan = {ch.students[0].name: (), ch.students[1].name: SLIPPED}
            for student in ch.students:
                _check_self_checks(_student_flow(ch, student, plan[student.name]), plan[student.name])
            times["submitted"] = time.monotonic() - t0
            gradebook, export, collected = _instructor_flow_end(ch)
            feedback_nbg = {s.name: _fetch_feedback(ch, s) for s in ch.students}
            times["graded, feedback fetched"] = time.monotonic() - t0
            rows, feedback_bpc = _bpcourse_grade(collected, root / "bpcourse")
            times["bpcourse grade"] = time.monotonic() - t0
        except Exception as e:
            raise AssertionError(f"{e}\n--- jupyterhub log (end) ---\n{ch.log_tail()}") from e
    times["cleaned up"] = time.monotonic() - t0
    print("\n" + "\n".join(f"{k:>26s}: {v:6.1f} s" for k, v in times.items()))

    assert not ch.leaks, "left behind:\n" + "\n".join(ch.leaks)
    # The shipped config says stopping the hub stops the servers (and their kernels) and the proxy: nothing
    # should have been left for the test's own sweep.
    assert not ch.swept, "the hub's shutdown left processes running:\n" + "\n".join(ch.swept)
    table, problems = _compare(plan, gradebook, export, feedback_nbg, rows, feedback_bpc)
    print(table)
    assert not problems, "\n".join(problems) + "\n" + table


def test_ci_installs_the_proxy_the_hub_test_needs():
    """configurable-http-proxy is on npm only: .ci/run installs it where it is missing (and npm, if need be)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v configurable-http-proxy" in ci and "npm install -g" in ci, ci
    assert re.search(r"npm install -g [^\n]*configurable-http-proxy", ci), "the npm line must name the proxy"


def _agreeing_sources(plan: dict) -> tuple:
    """The four sources as they look when everything agrees (the layouts nbgrader and bpcourse write)."""
    gradebook, nbg, rows, bpc, export = {}, {}, {}, {}, ["student_id,score"]
    for student, slipped in plan.items():
        exp = _expected_points(slipped)
        total = sum(exp.values())
        gradebook[student] = dict(exp)
        nbg[student] = (f"<h4>{EXERCISE} (Score: {total} / 10.0)</h4>"
                        + "".join(f'<li><a href="#{t}">Test cell</a> (Score: {p} / 2.0)</li>' for t, p in exp.items())
                        + " ".join(CORPUS[t][3].split(" | ")[0] for t in slipped))
        rows[student] = {**{t: str(p) for t, p in exp.items()}, "total": str(total),
                         "status": "partial" if slipped else "ok", "sandbox": "bwrap"}
        bpc[student] = "\n".join(f"[{'pass' if p else 'FAIL'}] {t} ({p:g}/2)" for t, p in exp.items()) + "\n" + \
            " ".join(CORPUS[t][3].split(" | ")[0] for t in slipped)
        export.append(f"{student},{total}")
    return gradebook, "\n".join(export), nbg, rows, bpc


def test_the_comparison_reports_every_kind_of_disagreement():
    """The end-to-end test's verdict can fail: each source, wrong in one place, is reported."""
    plan = {"right": (), "slips": SLIPPED}
    gradebook, export, nbg, rows, bpc = _agreeing_sources(plan)
    assert _compare(plan, gradebook, export, nbg, rows, bpc)[1] == []
    gradebook["slips"]["ex01_sigmoid"] = 0.0
    nbg["right"] = nbg["right"].replace('#ex01_neuron_gradient">Test cell</a> (Score: 4.0', '#ex01_neuron_gradient">'
                                        'Test cell</a> (Score: 0.0')
    rows["right"]["status"] = "timeout"
    bpc["slips"] = bpc["slips"].replace("net·(1 − net)", "something else")
    problems = "\n".join(_compare(plan, gradebook, export, nbg, rows, bpc)[1])
    assert "slips ex01_sigmoid: expected 2.0 from all four, got (0.0, 2.0, 2.0, 2.0)" in problems, problems
    assert "right ex01_neuron_gradient: expected 4.0 from all four, got (4.0, 0.0, 4.0, 4.0)" in problems, problems
    assert "right: bpcourse row" in problems and "bpcourse's feedback for slips does not name" in problems, problems
