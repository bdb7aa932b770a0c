"""``bpcourse gradescope``: the zip is unpacked into a folder laid out as Gradescope's ``/autograder``
(source/, submission/, results/, run_autograder copied to the root, as Gradescope's image build does) and
``run_autograder`` is run there; ``results/results.json`` is checked against the fields and types of
Gradescope's autograder specification, the scores against the submissions, and for hidden case values.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

import bpcourse
from bpcourse.grading.gradescope import VISIBILITIES, public_message
from bpcourse.grading.judge import prepare_tasks
from scale_helpers import SOURCE, SUBS, TASKS_FILE, bpcourse as cli, env, grade_args, one_line_error

sys.path.insert(0, str(TASKS_FILE.parent))
from toy_tasks import TASKS  # noqa: E402

SEED = 7
TOP_TYPES = {"score": (int, float), "execution_time": int, "output": str, "tests": list}
TEST_TYPES = {"name": str, "score": (int, float), "max_score": (int, float), "output": str, "visibility": str}


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    zpath = tmp_path_factory.mktemp("gs") / "autograder.zip"
    proc = cli("gradescope", SOURCE, "-o", zpath, "--seed", str(SEED), "--tasks", TASKS_FILE)
    assert proc.returncode == 0, proc.stderr
    return zpath


def run_autograder(zpath: Path, root: Path, notebooks: dict[str, Path]) -> tuple[subprocess.CompletedProcess, dict]:
    """Lay ``root`` out as Gradescope's /autograder, put ``notebooks`` in submission/, run run_autograder."""
    for d in ("source", "submission", "results"):
        (root / d).mkdir(parents=True)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():  # extractall drops the permission bits; Gradescope keeps them
            mode = info.external_attr >> 16
            if mode:
                (root / "source" / info.filename).chmod(stat.S_IMODE(mode))
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    for name, src in notebooks.items():
        shutil.copy(src, root / "submission" / name)
    proc = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True, timeout=300,
                          cwd=root, env=env(BPCOURSE_AUTOGRADER_ROOT=str(root),
                                            BPCOURSE_AUTOGRADER_PYTHON=sys.executable))
    results = root / "results" / "results.json"
    assert results.is_file(), proc.stdout + proc.stderr
    return proc, json.loads(results.read_text(encoding="utf-8"))


def check_spec(res: dict) -> None:
    """The fields and types of Gradescope's results.json (top level, and each test)."""
    assert set(res) == set(TOP_TYPES), set(res)
    for k, t in TOP_TYPES.items():
        assert isinstance(res[k], t) and not isinstance(res[k], bool), (k, res[k])
    assert res["execution_time"] >= 0
    for test in res["tests"]:
        assert set(test) == set(TEST_TYPES), set(test)
        for k, t in TEST_TYPES.items():
            assert isinstance(test[k], t), (k, test[k])
        assert test["visibility"] in VISIBILITIES and 0 <= test["score"] <= test["max_score"]
    if res["tests"]:
        assert res["score"] == pytest.approx(sum(t["score"] for t in res["tests"]))


def test_the_zip_has_setup_and_run_autograder_at_its_root_and_bundles_this_bpcourse(autograder):
    with zipfile.ZipFile(autograder) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "toy_exercise.ipynb", "tasks.py", "bpcourse-autograder.json",
                "bpcourse-src/pyproject.toml"} <= names
        for exe in ("setup.sh", "run_autograder"):
            assert (zf.getinfo(exe).external_attr >> 16) & 0o111, f"{exe} must be executable"
            assert zf.read(exe).startswith(b"#!/usr/bin/env bash\n")
        assert b"pip install --no-cache-dir /autograder/source/bpcourse-src" in zf.read("setup.sh")
        assert b"bubblewrap" in zf.read("setup.sh")
        config = json.loads(zf.read("bpcourse-autograder.json"))
        assert (config["seed"], config["exercise"], config["tasks"]) == (SEED, "toy_exercise", "tasks.py")
        project = tomllib.loads(zf.read("bpcourse-src/pyproject.toml").decode())["project"]
        assert project["name"] == "bpcourse" and any(d.startswith("numpy") for d in project["dependencies"])
        pkg = Path(bpcourse.__file__).parent
        for rel in ("grading/batch.py", "grading/jail.py", "grading/worker.py", "data/digits.csv.gz"):
            assert zf.read(f"bpcourse-src/bpcourse/{rel}") == (pkg / rel).read_bytes()
        assert not [n for n in names if "__pycache__" in n]


def test_a_correct_submission_gets_full_marks_and_a_stub_zero(autograder, tmp_path):
    proc, res = run_autograder(autograder, tmp_path / "ok", {"toy_exercise.ipynb": SUBS / "correct.ipynb"})
    assert proc.returncode == 0, proc.stderr
    check_spec(res)
    assert res["score"] == 6.0 and [t["max_score"] for t in res["tests"]] == [1.0, 2.0, 3.0]
    assert all(t["score"] == t["max_score"] and "passed all" in t["output"] for t in res["tests"])
    assert res["tests"][0]["name"].startswith("toy_sigmoid")

    proc, res = run_autograder(autograder, tmp_path / "stub", {"my_upload.ipynb": SUBS / "stub.ipynb"})
    assert proc.returncode == 0, proc.stderr
    check_spec(res)
    assert res["score"] == 0.0 and all(t["score"] == 0.0 for t in res["tests"])
    assert "Status: unanswered" in res["output"]
    assert "NotImplementedError" in res["tests"][0]["output"]


def hostile(tmp_path: Path) -> Path:
    """Every function spells its hidden inputs out: in an exception message, a returned string, and a wrong
    result whose difference bpcourse grade's feedback prints with the expected value."""
    nb = nbformat.read(str(SUBS / "correct.ipynb"), as_version=4)
    swaps = {"return 1.0 / (1.0 + np.exp(-net))": "raise ValueError(repr(net.tolist()))",
             "return (y - t) * sigmoid_prime(net)": "return repr([y.tolist(), t.tolist(), net.tolist()])",
             "dx = dy @ W": "dx = np.sin(dy @ W)"}
    for cell in nb.cells:
        for a, b in swaps.items():
            cell.source = cell.source.replace(a, b)
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nb, str(path))
    return path


def secrets() -> set[str]:
    """The hidden values as a message could print them: every case input and reference output entry."""
    out = set()
    for pt in prepare_tasks(list(TASKS.values()), SEED, 5):
        arrays = [np.asarray(v, dtype=float) for c in pt.cases for v in c.values()]
        arrays += [np.asarray(i.array, dtype=float) for r in pt.refs for i in r.items]
        for v in np.concatenate([a.ravel() for a in arrays]):
            for form in (f"{v:.4g}", f"{v:.6g}", repr(float(v))):
                if len(form.lstrip("-")) >= 5:  # long enough not to occur by chance
                    out.add(form)
    return out


def test_no_hidden_case_value_reaches_the_results(autograder, tmp_path):
    nb = hostile(tmp_path)
    proc, res = run_autograder(autograder, tmp_path / "ag", {"toy_exercise.ipynb": nb})
    check_spec(res)
    assert res["score"] == 0.0
    text = json.dumps(res, ensure_ascii=False)
    hidden = secrets()
    # the control: the instructor's feedback for the same notebook does print hidden values, so the check
    # below would see them if they leaked
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(nb, subs / "hostile.ipynb")
    assert cli(*grade_args(subs, tmp_path / "out", SEED)).returncode == 0
    feedback = (tmp_path / "out" / "feedback" / "hostile.txt").read_text(encoding="utf-8")
    assert sum(1 for s in hidden if s in feedback) >= 3
    leaked = sorted(s for s in hidden if s in text)
    assert not leaked, leaked
    outputs = [t["output"] for t in res["tests"]]
    assert "raised ValueError" in outputs[0] and "a hidden case" in outputs[2]  # the diagnosis is still there
    assert "first difference at dx[" in outputs[2]


def test_public_message_keeps_the_diagnosis_and_drops_the_values():
    msg = ("dense_backward: wrong on graded case 2 of 7 (x: (4, 3), W: (2, 3), lr: 0.125):\n"
           "    - dx is −1 × the expected value: the sign is flipped too\n"
           "    - dW has wrong values: relative error 0.4372 (allowed 1e-06); first difference at dW[0, 1]: "
           "0.5312, expected -1.204")
    assert public_message(msg) == (
        "dense_backward: wrong on graded case 2 of 7 (a hidden case):\n"
        "    - dx is −1 × the expected value: the sign is flipped too\n"
        "    - dW has wrong values: relative error … (allowed …); first difference at dW[0, 1]")
    assert public_message("f raised KeyError: 'x=0.1234'\n    at cell 3, line 2: `d[k]`") == (
        "f raised KeyError\n    at cell 3, line 2: `d[k]`")


def test_a_submission_without_a_notebook_gets_a_zero_saying_why(autograder, tmp_path):
    readme = tmp_path / "notes.txt"
    readme.write_text("no notebook here")
    proc, res = run_autograder(autograder, tmp_path / "ag", {"notes.txt": readme})
    assert proc.returncode == 1
    check_spec(res)
    assert res["score"] == 0.0 and res["tests"] == []
    assert "expected your notebook toy_exercise.ipynb" in res["output"]


def test_two_notebooks_are_graded_by_the_exercises_name(autograder, tmp_path):
    proc, res = run_autograder(autograder, tmp_path / "ag", {"toy_exercise.ipynb": SUBS / "correct.ipynb",
                                                              "scratch.ipynb": SUBS / "stub.ipynb"})
    assert proc.returncode == 0, proc.stderr
    assert res["score"] == 6.0


def test_an_exercise_without_graded_tasks_writes_no_zip(tmp_path):
    source = tmp_path / "99_no_such_exercise.ipynb"
    shutil.copy(SOURCE, source)
    one_line_error(cli("gradescope", source, "-o", tmp_path / "ag.zip", "--seed", "1"), "99_no_such_exercise")
    one_line_error(cli("gradescope", SOURCE, "-o", tmp_path / "ag.zip", "--seed", "1", "--tasks", TASKS_FILE,
                       "--visibility", "sometimes"), "'sometimes'")
    assert list(tmp_path.iterdir()) == [source]
