"""The lab a learner opens: every link leads to the student version, never to the instructor's solutions.

* The instructor's sources are ``instructor/source/exNN/exNN_name.ipynb`` (nbgrader's course layout, with
  ``instructor/nbgrader_config.py``); the student versions ``exercises/exNN_name.ipynb`` are committed and
  byte-identical to what ``bpcourse release`` makes of them, and to what ``nbgrader generate_assignment`` makes
  in ``instructor/``.
* nbval re-runs the sources (stored executed), and never the student versions (no outputs; their stubs raise).
* Every markdown link a learner follows (chapters, lesson plans, README.md, exercises/, the static site's staged
  sources) stays out of ``instructor/``; each chapter links to its exercise and each exercise back to its chapter;
  an exercise's file name (its lab tab) is not its chapter's.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bpcourse.grading.layout import assignment, released_path, source_notebooks, source_path
from bpcourse.grading.release import release_file
from bpcourse.grading.tasks import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
SOURCES = source_notebooks(ROOT)
RELEASED = sorted((ROOT / "exercises").glob("*.ipynb"))
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REGENERATE = ".venv-test/bin/python tools/release_exercises.py"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HTML_LINK = re.compile(r"""href=["']([^"']+)["']""")


def _released_bytes(source: Path, tmp: Path) -> bytes:
    return release_file(source, tmp / source.name).read_bytes()


# ------------------------------------------------------------------------------------------------ the layout
def test_the_sources_are_nine_and_named_after_their_assignment():
    assert [p.stem for p in SOURCES] == sorted(EXERCISES) and len(SOURCES) == 9
    for path in SOURCES:
        assert path.parent.name == assignment(path.stem) == path.stem[:4], path
        assert re.fullmatch(r"ex\d\d_[a-z0-9_]+", path.stem), path
    assert source_path(ROOT, "ex06_fully_connected_layer") == (
        ROOT / "instructor" / "source" / "ex06" / "ex06_fully_connected_layer.ipynb")
    # nothing of an exercise is left where learners look, but its student version
    assert sorted(p.name for p in RELEASED) == sorted(p.name for p in SOURCES)


def test_the_instructor_readme_says_first_that_these_hold_the_solutions():
    first = (ROOT / "instructor" / "README.md").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and "solutions" in first and "instructors" in first, first


def test_the_course_directory_is_instructor_and_its_nbgrader_output_is_not_committed():
    config = (ROOT / "instructor" / "nbgrader_config.py").read_text(encoding="utf-8")
    assert re.search(r"^c\.CourseDirectory\.root = os\.path\.dirname\(os\.path\.abspath\(__file__\)\)$", config, re.M)
    ignored = set((ROOT / ".gitignore").read_text(encoding="utf-8").split())
    for name in ("release/", "submitted/", "autograded/", "feedback/", "gradebook.db"):
        assert f"instructor/{name}" in ignored, name


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_student_version_is_byte_identical_to_bpcourse_release_of_its_source(source, tmp_path):
    released = released_path(ROOT, source.stem)
    assert released.is_file(), (f"{released.relative_to(ROOT)} is missing: run `{REGENERATE}` and commit "
                                f"exercises/")
    assert released.read_bytes() == _released_bytes(source, tmp_path), (
        f"{released.relative_to(ROOT)} is not what `bpcourse release` makes of {source.relative_to(ROOT)} "
        f"(the source changed since): run `{REGENERATE}` and commit exercises/ with the source")


@pytest.mark.parametrize("path", RELEASED, ids=lambda p: p.stem)
def test_a_student_version_has_no_solution_no_hidden_test_and_no_output(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{path.name}: {marker}"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), path.name
    solutions = [c for c in code if c["metadata"].get("nbgrader", {}).get("solution")]
    assert solutions and all("raise NotImplementedError()" in "".join(c["source"]) for c in solutions), path.name


def test_the_regenerate_tool_reports_a_stale_student_version_and_rewrites_it(tmp_path):
    """tools/release_exercises.py, on a copy: --check names a stale file and exits 1; a run fixes it."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "instructor" / "source", copy / "instructor" / "source")
    shutil.copytree(ROOT / "exercises", copy / "exercises")
    shutil.copytree(ROOT / "tools", copy / "tools")
    stale = copy / "exercises" / "ex02_chain_rule.ipynb"
    stale.write_text(stale.read_text(encoding="utf-8").replace("YOUR CODE HERE", "YOUR CODE HERE!", 1),
                     encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    tool = [sys.executable, str(copy / "tools" / "release_exercises.py")]
    check = subprocess.run([*tool, "--check"], capture_output=True, text=True, env=env, timeout=120)
    assert check.returncode == 1 and check.stdout.strip() == (
        "stale: exercises/ex02_chain_rule.ipynb (from instructor/source/ex02/ex02_chain_rule.ipynb)"), check
    fix = subprocess.run(tool, capture_output=True, text=True, env=env, timeout=120)
    assert fix.returncode == 0 and "released instructor/source/ex02/ex02_chain_rule.ipynb" in fix.stdout, fix
    assert stale.read_bytes() == (ROOT / "exercises" / "ex02_chain_rule.ipynb").read_bytes()
    again = subprocess.run([*tool, "--check"], capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0 and "all 9 student versions" in again.stdout, again


def test_nbgrader_generate_assignment_in_instructor_makes_the_committed_student_versions(tmp_path):
    """nbgrader's own release, run in a copy of instructor/ with its nbgrader_config.py, writes
    instructor/release/exNN/exNN_name.ipynb: cell by cell and byte by byte the committed exercises/ files."""
    exe = Path(sys.executable).with_name("nbgrader")
    if not exe.exists():
        pytest.fail(f"nbgrader's command is missing next to {sys.executable}: pip install -e '.[test]'")
    course = tmp_path / "instructor"
    shutil.copytree(ROOT / "instructor" / "source", course / "source")
    shutil.copy(ROOT / "instructor" / "nbgrader_config.py", course / "nbgrader_config.py")
    env = dict(os.environ, PATH=f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")  # it runs `alembic`
    proc = subprocess.run([str(exe), "generate_assignment", "ex[0-9][0-9]"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for source in SOURCES:
        theirs = course / "release" / assignment(source.stem) / source.name
        ours = released_path(ROOT, source.stem)
        a, b = json.loads(ours.read_text(encoding="utf-8")), json.loads(theirs.read_text(encoding="utf-8"))
        assert a["metadata"] == b["metadata"], source.name
        assert len(a["cells"]) == len(b["cells"]), source.name
        for i, (ca, cb) in enumerate(zip(a["cells"], b["cells"])):
            assert ca["cell_type"] == cb["cell_type"], (source.name, i)
            assert "".join(ca["source"]) == "".join(cb["source"]), (source.name, i)
            assert ca["metadata"] == cb["metadata"], (source.name, i)
            assert ca.get("outputs") == cb.get("outputs") and ca.get("execution_count") == cb.get("execution_count")
            assert ca.get("id") == cb.get("id"), (source.name, i)
        assert ours.read_bytes() == theirs.read_bytes(), (
            f"{ours.relative_to(ROOT)}: same cells as nbgrader's, different bytes; run `{REGENERATE}`")


def test_grading_against_a_student_version_says_which_source_to_use(tmp_path):
    """An instructor used to `bpcourse grade exercises/06_….ipynb` gets, for exercises/ex06_….ipynb, the stop
    that names the source with the solutions, not nine "raised NotImplementedError" lines."""
    from bpcourse.grading.batch import grade_folder
    from bpcourse.grading.judge import SourceError

    released = released_path(ROOT, "ex06_fully_connected_layer")
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(released, subs / "alice.ipynb")
    with pytest.raises(SourceError) as err:
        grade_folder(released, subs, tmp_path / "out", seed=1, jobs=1, isolation=False, log=lambda s: None)
    assert str(err.value) == (
        f"{released} is a student version (every answer cell is the stub `raise NotImplementedError()`): grade "
        "against the instructor's source notebook with the solutions "
        "(instructor/source/ex06/ex06_fully_connected_layer.ipynb)")


# ---------------------------------------------------------------------------------------------------- nbval
def test_nbval_collects_the_sources_and_never_the_student_versions():
    """The README's test command (`pytest --nbval ...`, no paths) collects pyproject's testpaths."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11 (CI's)
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    paths = [ROOT / p for p in ini["testpaths"]]

    def collected(nb: Path) -> bool:
        return any(nb == p or p in nb.parents for p in paths)

    assert all(collected(s) for s in SOURCES), ini["testpaths"]
    assert all(collected(c) for c in CHAPTERS), ini["testpaths"]
    assert not any(collected(r) for r in RELEASED), ini["testpaths"]
    # nbgrader's own output, if an instructor ran it in the repository, is not collected either
    assert not collected(ROOT / "instructor" / "release" / "ex01" / "ex01_single_neuron.ipynb")


def test_nbval_collects_a_source_under_its_new_path():
    """nbval finds the moved source as a notebook of stored cells (the testpaths above only say where it looks)."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval", "--nbval-current-env",
                           "--nbval-sanitize-with", "notebooks/sanitize.cfg", "instructor/source/ex02"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "instructor/source/ex02/ex02_chain_rule.ipynb::Cell 0" in proc.stdout, proc.stdout[-2000:]


# ---------------------------------------------------------------------------------------------------- links
def _markdown_of(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        return ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "markdown"]
    return [path.read_text(encoding="utf-8")]


def _links(texts: list[str]) -> list[str]:
    return [t for text in texts for t in LINK.findall(text) + HTML_LINK.findall(text)]


LEARNER_FILES = sorted([*CHAPTERS, *(ROOT / "notebooks" / "lesson_plans").glob("*.md"), ROOT / "README.md",
                        *(ROOT / "exercises").glob("*.md"), *RELEASED])


def _into_instructor(base: Path, target: str) -> bool:
    if "://" in target or target.startswith(("#", "mailto:")):
        return "instructor/source" in target  # a link to the solutions on a forge is as bad
    path = (base / target.split("#")[0]).resolve()
    return path == ROOT / "instructor" or ROOT / "instructor" in path.parents


def test_the_walker_sees_a_link_into_instructor():
    base = ROOT / "notebooks"
    assert _links(["see [it](../instructor/source/ex01/ex01_single_neuron.ipynb) or <a href='../x.md'>x</a>"]) == [
        "../instructor/source/ex01/ex01_single_neuron.ipynb", "../x.md"]
    assert _into_instructor(base, "../instructor/source/ex01/ex01_single_neuron.ipynb")
    assert _into_instructor(base, "../instructor/README.md#top")
    assert not _into_instructor(base, "../exercises/ex01_single_neuron.ipynb")


@pytest.mark.parametrize("path", LEARNER_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_link_a_learner_follows_leads_into_instructor(path):
    links = _links(_markdown_of(path))
    bad = [t for t in links if _into_instructor(path.parent, t)]
    assert not bad, f"{path.relative_to(ROOT)} links into instructor/ (the solutions): {bad}"
    # and no text still names an exercise by its old path, which would send a learner looking for it
    old = [m for text in _markdown_of(path) for m in re.findall(r"exercises/\d\d_\w+\.ipynb", text)]
    assert not old, f"{path.relative_to(ROOT)} names exercises by their old paths: {old}"
    for target in links:
        if "://" not in target and not target.startswith(("#", "mailto:")):
            assert (path.parent / target.split("#")[0]).resolve().exists(), f"{path.name}: {target} does not exist"


def test_the_site_links_only_to_student_versions(tmp_path):
    """The static site's staged sources (site/build.py's stage step, before Sphinx): no link into instructor/,
    every exercise page is the committed student version, and its download is that very file."""
    sys.path.insert(0, str(ROOT / "site"))
    try:
        import build as site_build
    finally:
        sys.path.remove(str(ROOT / "site"))
    staged = tmp_path / "site-src"
    site_build.stage(staged, only=None)
    files = sorted([*staged.rglob("*.md"), *staged.rglob("*.ipynb")])
    assert files
    for path in files:
        texts = _markdown_of(path)
        bad = [t for t in _links(texts) if "instructor/" in t or re.search(r"source/ex\d\d", t)]
        assert not bad, f"site page {path.relative_to(staged)} links to the instructor's files: {bad}"
    for ex in RELEASED:
        assert (staged / "exercises" / "downloads" / ex.name).read_bytes() == ex.read_bytes(), ex.name
        page = nbformat.read(staged / "exercises" / ex.name, as_version=4)
        assert not any("BEGIN SOLUTION" in c.source for c in page.cells), ex.name


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if "01" <= c.name[:2] <= "09"], ids=lambda p: p.name[:2])
def test_each_chapter_links_to_its_exercise_and_the_exercise_back(chapter):
    (exercise,) = [r for r in RELEASED if r.name[2:4] == chapter.name[:2]]
    assert f"../exercises/{exercise.name}" in _links(_markdown_of(chapter)), f"{chapter.name} -> {exercise.name}"
    assert f"../notebooks/{chapter.name}" in _links(_markdown_of(exercise)), f"{exercise.name} -> {chapter.name}"


def test_the_start_page_maps_every_exercise_to_its_student_version():
    links = _links(_markdown_of(ROOT / "notebooks" / "00_start_here.ipynb"))
    assert [t for t in links if t.startswith("../exercises/ex")] == [f"../exercises/{r.name}" for r in RELEASED]


def test_an_exercise_tab_never_shares_its_chapters_name():
    """JupyterLab names a tab after the file: exercise and chapter must differ at a glance, not only in folder."""
    chapter_names = {c.name for c in CHAPTERS} | {c.stem for c in CHAPTERS}
    for ex in RELEASED:
        assert ex.name not in chapter_names and ex.stem not in chapter_names, ex.name
        assert ex.name.startswith("ex"), ex.name
