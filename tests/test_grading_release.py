"""`bpcourse release`: the student version, checked rule by rule and against nbgrader's own output."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from bpcourse.cli import main
from bpcourse.grading.layout import source_notebooks
from bpcourse.grading.release import ReleaseError, release_file, release_notebook

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "tests" / "fixtures" / "grading" / "toy_exercise.ipynb"
EXERCISES = source_notebooks(ROOT)  # the instructor's sources; their student versions: test_exercise_layout.py


def nbg(grade_id: str, **kw) -> dict:
    md = {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3, "solution": False,
          "task": False}
    md.update(kw)
    return {"nbgrader": md}


@pytest.fixture(scope="module")
def toy_released():
    return release_notebook(nbformat.read(str(TOY), as_version=4))


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_solution_region_becomes_stub_with_the_begin_lines_indent(toy_released):
    src = cell(toy_released, "dense_backward_solution").source
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()" in src  # 8 spaces, inside the loop
    assert "dx = dy @ W" not in src and "BEGIN SOLUTION" not in src and "END SOLUTION" not in src
    assert "    n = x.shape[0]  # given: the batch size" in src and src.endswith("    return dx, dW, db")
    assert cell(toy_released, "sigmoid_solution").source.endswith(
        'shape."""\n    # YOUR CODE HERE\n    raise NotImplementedError()')


def test_markdown_solution_gets_text_stub(toy_released):
    src = cell(toy_released, "explain_dw").source
    assert src == "Why is dW = δᵀ x and not x δᵀ?\n\nYOUR ANSWER HERE"


def test_solution_cell_without_region_is_replaced_whole(toy_released):
    assert cell(toy_released, "scratch_solution").source == "# YOUR CODE HERE\nraise NotImplementedError()"


def test_hidden_tests_removed_visible_tests_kept(toy_released):
    src = cell(toy_released, "toy_dense_backward").source
    assert "HIDDEN" not in src and "_dW[0, 0] == 4.0" not in src
    assert src.endswith("assert _dx.shape == (4, 3) and _dW.shape == (2, 3) and _db.shape == (2,)")


def test_outputs_counts_and_output_metadata_cleared(toy_released):
    for c in toy_released.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None
            assert "collapsed" not in c.metadata and "scrolled" not in c.metadata
    assert "celltoolbar" not in toy_released.metadata
    assert toy_released.metadata.kernelspec.name == "python3"


def test_cells_locked_and_checksummed_as_nbgrader_does(toy_released):
    sol = cell(toy_released, "sigmoid_solution").metadata
    assert sol["deletable"] is False and "editable" not in sol
    test = cell(toy_released, "toy_sigmoid").metadata
    assert test["deletable"] is False and test["editable"] is False
    md = cell(toy_released, "intro").metadata
    assert md["deletable"] is False and md["editable"] is False
    for gid in ("sigmoid_solution", "toy_sigmoid", "intro", "explain_dw"):
        meta = cell(toy_released, gid).metadata.nbgrader
        assert len(meta["checksum"]) == 32 and meta["cell_type"] in ("code", "markdown")
    plain = toy_released.cells[-1]
    assert "nbgrader" not in plain.metadata and "deletable" not in plain.metadata


def test_source_is_not_modified(tmp_path):
    before = hashlib.sha256(TOY.read_bytes()).hexdigest()
    release_file(TOY, tmp_path)
    assert hashlib.sha256(TOY.read_bytes()).hexdigest() == before
    with pytest.raises(ReleaseError, match="refusing to overwrite the source"):
        release_file(TOY, TOY)


@pytest.mark.parametrize("cells, message", [
    ([new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")], "not marked as a solution cell"),
    ([new_code_cell("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", metadata=nbg("a", solution=True))],
     "nested"),
    ([new_code_cell("### BEGIN SOLUTION\nx = 1", metadata=nbg("a", solution=True))], "without a matching"),
    ([new_code_cell("### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS")], "not marked as a grade cell"),
    ([new_code_cell("x", metadata=nbg("a", solution=True)), new_code_cell("y", metadata=nbg("a", solution=True))],
     "grade_id 'a' is used by cell 1 too"),
    ([new_code_cell("assert 1", metadata=nbg("t", grade=True, locked=True))], "needs 'points'"),
    ([new_code_cell("### AUTOTEST f(1)", metadata=nbg("t", grade=True, locked=True, points=1))], "AUTOTEST"),
    ([new_markdown_cell("hi", metadata=nbg("", locked=True))], "needs a grade_id"),
])
def test_rule_violations_are_errors_that_name_the_cell(cells, message):
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                            "display_name": "Python 3"}})
    with pytest.raises(ReleaseError, match=message):
        release_notebook(nb)


def test_cli_release(tmp_path, capsys):
    assert main(["release", str(TOY), str(tmp_path / "out")]) == 0
    written = tmp_path / "out" / TOY.name
    assert "released" in capsys.readouterr().out
    assert nbformat.read(str(written), as_version=4) == release_notebook(nbformat.read(str(TOY), as_version=4))
    bad = tmp_path / "bad.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\n")]), str(bad))
    assert main(["release", str(bad), str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "bad.ipynb" in err and "'BEGIN SOLUTION' without a matching 'END SOLUTION'" in err


# --------------------------------------------------------------------------------------------- nbgrader
def _nbgrader_release(sources: list[Path], root: Path) -> dict[str, Path]:
    """Run nbgrader's own generate_assignment on copies of ``sources``; return released paths by name."""
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        pytest.skip("nbgrader is not installed (pip install nbgrader, or the [nbgrader] extra) — "
                    "comparison with nbgrader's generate_assignment skipped")
    exe = Path(sys.executable).with_name("nbgrader")
    if not exe.exists():
        pytest.skip(f"nbgrader is importable but its command is missing next to {sys.executable}")
    (root / "source" / "ps1").mkdir(parents=True)
    for s in sources:
        shutil.copy(s, root / "source" / "ps1" / s.name)
    env = dict(os.environ, PATH=f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}")  # it runs `alembic`
    proc = subprocess.run([str(exe), "generate_assignment", "ps1", f"--CourseDirectory.root={root}"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {s.name: root / "release" / "ps1" / s.name for s in sources}


def test_release_equals_nbgraders_generate_assignment(tmp_path):
    """Same cells (types, sources, ids, outputs, metadata incl. nbgrader's checksums and locks) and the same
    notebook metadata as nbgrader's release; in practice the files are byte-identical."""
    sources = [TOY, *EXERCISES]
    theirs = _nbgrader_release(sources, tmp_path / "course")
    for src in sources:
        src = tmp_path / "course" / "source" / "ps1" / src.name  # the very bytes nbgrader read
        ours = release_file(src, tmp_path / "ours" / src.name)
        a = json.loads(ours.read_text(encoding="utf-8"))
        b = json.loads(theirs[src.name].read_text(encoding="utf-8"))
        assert a["metadata"] == b["metadata"], src.name
        assert len(a["cells"]) == len(b["cells"]), src.name
        for i, (ca, cb) in enumerate(zip(a["cells"], b["cells"])):
            assert ca["cell_type"] == cb["cell_type"], (src.name, i)
            assert "".join(ca["source"]) == "".join(cb["source"]), (src.name, i)
            assert ca["metadata"] == cb["metadata"], (src.name, i)
            assert ca.get("outputs") == cb.get("outputs") and ca.get("execution_count") == cb.get("execution_count")
            assert ca.get("id") == cb.get("id"), (src.name, i)
        assert ours.read_bytes() == theirs[src.name].read_bytes(), f"{src.name}: same content, different bytes"
