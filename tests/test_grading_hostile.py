"""The hostile corpus through the real CLI: nothing a submission does reaches a grade, the run or the host.

Each ``hostile_*`` fixture (tests/fixtures/grading/make_fixtures.py) attacks one thing: the result
channel, the instructor's secrets, the grader's processes, the filesystem outside its sandbox, the other
submissions, the machine's resources, the references behind the public API, the grader's own code inside
the sandbox, the locked cells, a verdict computed in the sandbox, numerical differentiation in place of
backprop, text no encoder accepts. Odd names (any bytes), a notebook 1,100 folders deep, symbolic links, a
hard link to the source notebook and a copy of it are added here. ``bpcourse grade`` runs in a subprocess, as an
instructor runs it, then again, interrupted by SIGTERM and resumed: the table must be the same.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "grading"
SUBS = FIX / "submissions"
SOURCE = FIX / "toy_exercise.ipynb"
TASKS_FILE = FIX / "toy_tasks.py"
sys.path.insert(0, str(FIX))
from make_fixtures import CHILD_MARK, PWNED  # noqa: E402

from bpcourse.grading.layout import source_path  # noqa: E402

if shutil.which("bwrap") is None:  # CI installs bubblewrap: there a missing bwrap is a failure, never a skip
    if os.environ.get("CI"):
        raise RuntimeError("bubblewrap (bwrap) is missing in CI: `apt-get install bubblewrap`")
    pytest.skip("bubblewrap is not installed", allow_module_level=True)

# stem -> (status, toy_sigmoid, toy_output_delta, toy_dense_backward)
HOSTILE = {
    "hostile_forges_channel": ("tampered", 0, 0, 0),
    "hostile_reads_secrets": ("unanswered", 0, 0, 0),
    "hostile_kills_parent": ("ok", 1, 2, 3),
    "hostile_kills_group": ("crashed", 1, 2, 3),
    "hostile_escapes_setsid": ("ok", 1, 2, 3),
    "hostile_writes_outside": ("ok", 1, 2, 3),
    "hostile_cross_writes": ("ok", 1, 2, 3),
    "hostile_memory_creep": ("memory", 1, 2, 3),
    "hostile_disk_bomb": ("ok", 1, 2, 3),
    "hostile_output_bomb": ("ok", 1, 2, 3),
    "hostile_decompression_bomb": ("tampered", 0, 0, 0),
    "hostile_fork_bomb": ("ok", 1, 2, 3),
    "hostile_reference_tricks": ("partial", 0, 2, 0),
    "hostile_patches_worker": ("failed", 0, 0, 0),
    "hostile_deep_json": ("invalid-notebook", 0, 0, 0),
    "unusual_but_correct": ("ok", 1, 2, 3),
    "hostile_edits_locked": ("partial", 1, 2, 0),
    "hostile_hides_in_place": ("partial", 1, 0, 3),
    "hostile_numeric_derivative": ("partial", 1, 0, 0),
    "hostile_surrogate_error": ("partial", 0, 2, 3),
    "exact_forms": ("ok", 1, 2, 3),
}
LONG = "a" * 248 + ".ipynb"  # 254 bytes: a valid name whose results file name must not be longer
FORMULA = "=HYPERLINK(1).ipynb"  # a spreadsheet must show it as text, not run it
BYTES = b"Zo\xeb_\xff.ipynb"  # a zip unpacked with the wrong code page: not UTF-8
LOOKALIKE = "Zo\\xeb_\\xff.ipynb"  # a name that really holds the backslashes its escape would show
DEEP = "deep/" + "d/" * 1100 + "correct.ipynb"
ODD = {LONG: ("ok", 1, 2, 3), "grp/alice.ipynb": ("ok", 1, 2, 3), "grp__alice.ipynb": ("unanswered", 0, 0, 0),
       "correct.ipynb": ("ok", 1, 2, 3), "'" + FORMULA: ("ok", 1, 2, 3),
       "Zo\\xeb_\\xff.ipynb": ("ok", 1, 2, 3),            # BYTES, escaped faithfully
       "Zo\\\\xeb_\\\\xff.ipynb": ("unanswered", 0, 0, 0),  # LOOKALIKE: its backslashes doubled
       DEEP: ("ok", 1, 2, 3)}
LINKS = ["link_out.ipynb", "link_source.ipynb", "linkdir"]
SOURCES = {"hardlink_source.ipynb": "the same file (a hard link", "copy_of_source.ipynb": "a copy of its bytes"}

FEEDBACK = {
    "hostile_forges_channel": "result channel carried something the grader never sends",
    "hostile_decompression_bomb": "result channel carried something the grader never sends",
    "hostile_reference_tricks": "this task's grade must come from your own code",
    "hostile_kills_group": "killed by signal 9 (SIGKILL)",
    "hostile_escapes_setsid": "1 process(es) the notebook left running were killed",
    "hostile_output_bomb": "printed 209,715,205 bytes",  # 200 MiB and the last cell's print
    "hostile_fork_bomb": "reached the limit of 64 processes",
    "hostile_memory_creep": "MemoryError",
    "hostile_deep_json": "nested too deeply",
    "hostile_edits_locked": "cell 14 (grade id `md_dense`) is a locked cell of the exercise and was edited: its "
                            "type (code → markdown) and its content were restored",
    "hostile_hides_in_place": "it modified its input `y` in place",
    "hostile_numeric_derivative": "this matches a numerical derivative, not backprop",
    "hostile_surrogate_error": "sigmoid raised ValueError: Zo\\udceb \\ud800 lone surrogates",
}


def walk_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder``, without recursion (the corpus is 1,100 folders deep)."""
    found, stack = [], [folder]
    while stack:
        for e in os.scandir(stack.pop()):
            if e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
            elif e.is_file(follow_symlinks=False):
                found.append(Path(e.path))
    return sorted(found)


def sha_tree(folder: Path) -> dict[str, str]:
    return {os.fsdecode(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in walk_files(folder)}


def remove_deep(top: Path) -> None:
    """Remove a deep tree without recursion (shutil.rmtree recurses once per level)."""
    while top.exists():
        d = top
        while True:
            subs = [e for e in os.scandir(d) if e.is_dir(follow_symlinks=False)]
            if not subs:
                break
            d = Path(subs[0].path)
        for e in os.scandir(d):
            os.unlink(e.path)
        d.rmdir()


def planted() -> list[str]:
    """Files a hostile fixture managed to plant in the places it tries."""
    places = [Path.home(), HERE.parent, FIX, Path("/"), Path("/tmp"), Path("/work")]
    return [str(p / PWNED) for p in places if (p / PWNED).exists()]


def marked_processes() -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if CHILD_MARK.encode() in cmd and state != "Z":
            found.append(int(pid))
    return found


def cli(subs: Path, out: Path, source: Path = SOURCE) -> list[str]:
    return [sys.executable, "-m", "bpcourse.cli", "grade", str(source), str(subs), "--seed", "2024", "--out",
            str(out), "--tasks", str(TASKS_FILE), "--timeout", "10", "--memory-mb", "1024", "--quiet"]


def table(out: Path) -> list[dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def timeless(out: Path) -> list[tuple[str, ...]]:
    return [tuple(v for k, v in r.items() if k != "seconds") for r in table(out)]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """The source notebook on the corpus's file system, so that the corpus can hold a hard link to it."""
    src = tmp_path_factory.mktemp("hostile-source") / SOURCE.name
    shutil.copy(SOURCE, src)
    return src


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, source):
    subs = tmp_path_factory.mktemp("hostile-subs")
    for stem in HOSTILE:
        shutil.copy(SUBS / f"{stem}.ipynb", subs)
    (subs / "grp").mkdir()
    for name, src in ((LONG, "correct"), ("grp/alice.ipynb", "correct"), ("grp__alice.ipynb", "stub"),
                      ("correct.ipynb", "correct"), (FORMULA, "correct"), (LOOKALIKE, "stub")):
        shutil.copy(SUBS / f"{src}.ipynb", subs / name)
    shutil.copy(SUBS / "correct.ipynb", os.path.join(os.fsencode(subs), BYTES))
    d = str(subs)
    for part in DEEP.split("/")[:-1]:  # one level at a time: Path.mkdir(parents=True) recurses per level
        d = os.path.join(d, part)
        os.mkdir(d)
    shutil.copy(SUBS / "correct.ipynb", os.path.join(d, DEEP.rsplit("/", 1)[1]))
    os.link(source, subs / "hardlink_source.ipynb")
    shutil.copy(source, subs / "copy_of_source.ipynb")
    (subs / "link_out.ipynb").symlink_to("/etc/hostname")
    (subs / "link_source.ipynb").symlink_to(source)
    (subs / "linkdir").symlink_to(SUBS, target_is_directory=True)
    yield subs
    remove_deep(subs / "deep")


@pytest.fixture(scope="module")
def graded(corpus, source, tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-out")
    before, source_sha = sha_tree(corpus), hashlib.sha256(source.read_bytes()).hexdigest()
    run = subprocess.run(cli(corpus, out, source), capture_output=True, text=True, timeout=600)
    time.sleep(0.2)
    return {"run": run, "out": out, "before": before, "after": sha_tree(corpus), "planted": planted(),
            "strays": marked_processes(), "source": (source_sha, hashlib.sha256(source.read_bytes()).hexdigest())}


def test_the_run_ends_well_with_one_row_per_submission(graded):
    assert graded["run"].returncode == 0, graded["run"].stderr
    files = [r["file"] for r in table(graded["out"])]
    expected = sorted([f"{s}.ipynb" for s in HOSTILE] + list(ODD) + LINKS + list(SOURCES))
    assert files == expected
    assert len(os.listdir(graded["out"] / "feedback")) == len(expected)
    assert all(len(n.encode()) <= 90 for n in os.listdir(graded["out"] / "results"))


@pytest.mark.parametrize("stem", sorted(HOSTILE))
def test_each_attack_gets_its_status_and_no_points_it_did_not_earn(graded, stem):
    row = {r["file"]: r for r in table(graded["out"])}[f"{stem}.ipynb"]
    got = (row["status"], int(row["toy_sigmoid"]), int(row["toy_output_delta"]), int(row["toy_dense_backward"]))
    from bpcourse.grading.batch import results_stem

    fb = (graded["out"] / "feedback" / f"{results_stem(stem + '.ipynb')}.txt").read_text(encoding="utf-8")
    assert got == HOSTILE[stem], fb
    assert row["sandbox"] == "bwrap"
    if stem in FEEDBACK:
        assert FEEDBACK[stem] in fb, fb


def test_odd_names_and_links(graded):
    rows = {r["file"]: r for r in table(graded["out"])}
    for name, (status, *points) in ODD.items():
        r = rows[name]
        assert (r["status"], int(r["toy_sigmoid"]), int(r["toy_output_delta"]), int(r["toy_dense_backward"])) \
            == (status, *points), r
    for name in LINKS:
        assert rows[name]["status"] == "skipped" and "skipped: symbolic link" in rows[name]["notes"]
    for name, why in SOURCES.items():
        assert rows[name]["status"] == "skipped" and "the instructor's source notebook" in rows[name]["notes"]
        assert why in rows[name]["notes"], rows[name]
    # the two look-alike names keep two rows and two feedback files, each headed by its own escaped name
    from bpcourse.grading.batch import results_stem

    for rel, shown in ((os.fsdecode(BYTES), "Zo\\xeb_\\xff.ipynb"), (LOOKALIKE, "Zo\\\\xeb_\\\\xff.ipynb")):
        fb = (graded["out"] / "feedback" / f"{results_stem(rel)}.txt").read_text(encoding="utf-8")
        assert fb.startswith(f"Feedback for {shown} (toy_exercise)"), fb[:200]


def test_nothing_outside_the_out_dir_changed_and_nothing_is_left_running(graded):
    assert graded["before"] == graded["after"]
    assert graded["source"][0] == graded["source"][1]
    assert graded["planted"] == []
    assert graded["strays"] == []
    assert sorted(p.name for p in graded["out"].iterdir()) == ["feedback", "grades.csv", "results", "shard.json"]


def test_same_seed_same_table_on_a_second_run_interrupted_and_resumed(graded, corpus, source, tmp_path):
    out = tmp_path / "again"
    proc = subprocess.Popen(cli(corpus, out, source), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 4:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    assert 4 <= len(table(out)) < len(table(graded["out"])), "SIGTERM keeps the finished rows"
    again = subprocess.run(cli(corpus, out, source), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "already done" in again.stdout
    assert timeless(out) == timeless(graded["out"])
    assert marked_processes() == []
    rerun = subprocess.run(cli(corpus, out, source), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0 and f"{len(timeless(out))} already done" in rerun.stdout, rerun.stdout
    assert timeless(out) == timeless(graded["out"])


REAL = Path(__file__).resolve().parents[1]  # the repository: the exercises' sources are under instructor/source
CHEATS = {  # exercise -> (function, its cheating body through the public API, tasks that must earn 0)
    "ex06_fully_connected_layer": ("dense_backward", (
        "    from bpcourse.layers import Dense\n"
        "    layer = Dense(W.shape[1], W.shape[0], W=W)\n    layer.forward(x)\n"
        "    return layer.backward(dout) * (1 + 1e-13), layer.grads['W'], layer.grads['b']"),
        {"ex06_dense_backward"}),
    "ex08_softmax_cross_entropy": ("softmax", (
        "    import bpcourse.activations\n    return bpcourse.activations.softmax(net) * (1 + 1e-13)"),
        {"ex08_softmax"}),  # softmax_ce_backward, which calls softmax, keeps its points: softmax stands in
}


@pytest.mark.parametrize("exercise", sorted(CHEATS))
def test_the_real_reference_through_the_public_api_earns_nothing_under_the_cli(exercise, tmp_path):
    import re

    import nbformat

    from bpcourse.grading.release import release_with_solutions
    from bpcourse.grading.tasks import tasks_for

    fn, body, zero = CHEATS[exercise]
    source = source_path(REAL, exercise)
    nb = release_with_solutions(nbformat.read(str(source), as_version=4))
    for c in nb.cells:
        m = re.match(rf"def {fn}\(([^)]*)\):", c.source)
        if c.cell_type == "code" and m:
            c.source = f"def {fn}({m.group(1)}):\n{body}"
    (tmp_path / "subs").mkdir()
    nbformat.write(nb, str(tmp_path / "subs" / "cheat.ipynb"))
    r = subprocess.run([sys.executable, "-m", "bpcourse.cli", "grade", str(source), str(tmp_path / "subs"),
                        "--seed", "7", "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    (row,) = table(tmp_path / "out")
    for t in tasks_for(exercise):
        assert float(row[t.id]) == (0 if t.id in zero else t.points), row
    fb = next((tmp_path / "out" / "feedback").iterdir()).read_text()
    assert "this task's grade must come from your own code" in fb


def test_stored_outputs_never_cost_a_grade_and_the_size_cap_is_an_option(tmp_path):
    """A 50 MB notebook of stored images is graded under the default cap; a lower --max-notebook-mb gives
    a clear too-large row (exit 0), and raising it again grades that row on the rerun."""
    import json

    nb = json.loads((SUBS / "correct.ipynb").read_text(encoding="utf-8"))
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    png = "iVBORw0KGgo" + "A" * (52 * 10**6 // len(code_cells))  # base64 of big plots, 52 MB in all
    for c in code_cells:
        c["outputs"] = [{"output_type": "display_data", "data": {"image/png": png}, "metadata": {}}]
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "plots.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert (subs / "plots.ipynb").stat().st_size > 50 * 10**6
    r = subprocess.run(cli(subs, tmp_path / "out"), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (row,) = table(tmp_path / "out")
    assert (row["status"], row["total"]) == ("ok", "6"), row
    small = cli(subs, tmp_path / "capped") + ["--max-notebook-mb", "10"]
    r = subprocess.run(small, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (row,) = table(tmp_path / "capped")
    assert (row["status"], row["total"]) == ("too-large", "0") and "--max-notebook-mb" in row["notes"], row
    r = subprocess.run(small[:-2] + ["--max-notebook-mb", "100"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and [x["status"] for x in table(tmp_path / "capped")] == ["ok"], r.stderr


def test_a_row_whose_files_cannot_be_written_costs_that_row_only(tmp_path):
    from bpcourse.grading.batch import results_stem

    subs = tmp_path / "subs"
    subs.mkdir()
    for stem in ("correct", "stub"):
        shutil.copy(SUBS / f"{stem}.ipynb", subs)
    out = tmp_path / "out"
    (out / "feedback" / f"{results_stem('stub.ipynb')}.txt").mkdir(parents=True)  # the feedback file's place
    r = subprocess.run(cli(subs, out), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = {x["file"]: x for x in table(out)}
    assert rows["correct.ipynb"]["status"] == "ok"
    assert rows["stub.ipynb"]["status"] == "grader-error" and "IsADirectoryError" in rows["stub.ipynb"]["notes"]


def test_ex04s_locked_probe_cannot_be_rewritten_or_redefined(tmp_path):
    """The attack of issue 15: central_difference left a stub and the locked probe_central_difference cell
    rewritten to a closed form (4/4 before); the same closed form in a later cell of the learner's own."""
    import nbformat

    from bpcourse.grading.release import release_notebook, release_with_solutions
    from bpcourse.grading.tasks import tasks_for

    source = source_path(REAL, "ex04_gradient_checking")
    closed = ("def probe_central_difference(c3, A, b, x, eps):\n    u = np.ravel(x)\n"
              "    g = 3 * c3 * u**2 + 0.5 * (A + A.T) @ u + b + c3 * eps**2\n    return g.reshape(np.shape(x))")
    full = release_with_solutions(nbformat.read(str(source), as_version=4))
    stub = release_notebook(nbformat.read(str(source), as_version=4))
    (tmp_path / "subs").mkdir()
    for name, how in (("rewritten", "locked"), ("redefined", "later")):
        nb = copy.deepcopy(full)
        i = next(k for k, c in enumerate(nb.cells) if c.source.startswith("def central_difference"))
        nb.cells[i].source = next(c.source for c in stub.cells if c.source.startswith("def central_difference"))
        if how == "locked":
            j = next(k for k, c in enumerate(nb.cells) if c.source.startswith("def probe_central_difference"))
            nb.cells[j].source = closed
        else:
            nb.cells.append(nbformat.v4.new_code_cell(closed))
        nbformat.write(nb, str(tmp_path / "subs" / f"{name}.ipynb"))
    r = subprocess.run([sys.executable, "-m", "bpcourse.cli", "grade", str(source), str(tmp_path / "subs"),
                        "--seed", "7", "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    rows = {x["file"]: x for x in table(tmp_path / "out")}
    for name in ("rewritten.ipynb", "redefined.ipynb"):
        for t in tasks_for("ex04_gradient_checking"):
            assert float(rows[name][t.id]) == (0 if t.id == "ex04_central_difference" else t.points), rows[name]
    fb = (tmp_path / "out" / "feedback" / "rewritten.txt").read_text(encoding="utf-8")
    assert "(grade id `probe_central_difference`) is a locked cell of the exercise and was edited" in fb
    assert "NotImplementedError" in fb
