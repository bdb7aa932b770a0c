"""The batch's settings and its failure handling: partial credit, --feedback full, a row that cannot be saved."""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from bpcourse.grading import batch
from bpcourse.grading.batch import grade_folder, list_submissions, results_stem

FIX = Path(__file__).resolve().parent / "fixtures" / "grading"
SOURCE = FIX / "toy_exercise.ipynb"
sys.path.insert(0, str(FIX))
from toy_tasks import TASKS  # noqa: E402

TOY = list(TASKS.values())


def rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {r["file"]: r for r in csv.DictReader(f)}


def feedback(out: Path, name: str) -> str:
    return (out / "feedback" / f"{results_stem(name)}.txt").read_text(encoding="utf-8")


@pytest.fixture()
def dw_wrong(tmp_path):
    """dense_backward with dW = x.T @ dy (the transpose): dx and db right, dW wrong."""
    nb = nbformat.read(str(FIX / "submissions" / "correct.ipynb"), as_version=4)
    for c in nb.cells:
        c.source = c.source.replace("dW = dy.T @ x", "dW = x.T @ dy")
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(nb, str(subs / "dw_wrong.ipynb"))
    return subs


def test_partial_credit_is_per_output_and_said_in_the_feedback(dw_wrong, tmp_path):
    grade_folder(SOURCE, dw_wrong, tmp_path / "all", seed=3, tasks=TOY, log=lambda s: None)
    grade_folder(SOURCE, dw_wrong, tmp_path / "part", seed=3, tasks=TOY, log=lambda s: None, partial_credit=True)
    assert rows(tmp_path / "all")["dw_wrong.ipynb"]["toy_dense_backward"] == "0"
    assert rows(tmp_path / "part")["dw_wrong.ipynb"]["toy_dense_backward"] == "2"
    assert rows(tmp_path / "part")["dw_wrong.ipynb"]["total"] == "5"
    text = feedback(tmp_path / "part", "dw_wrong.ipynb")
    assert "partial credit: dx right, dW wrong, db right on every case → 2 of 3" in text
    assert "Partial credit is on" in text


def test_the_solution_formula_only_with_feedback_full(dw_wrong, tmp_path):
    grade_folder(SOURCE, dw_wrong, tmp_path / "hints", seed=3, tasks=TOY, log=lambda s: None)
    grade_folder(SOURCE, dw_wrong, tmp_path / "full", seed=3, tasks=TOY, log=lambda s: None, feedback="full")
    formula = "solution: dx = dy W, dW = dyᵀ x"
    assert formula not in feedback(tmp_path / "hints", "dw_wrong.ipynb")
    assert formula in feedback(tmp_path / "full", "dw_wrong.ipynb")
    assert "solution: σ(net)" not in feedback(tmp_path / "full", "dw_wrong.ipynb")  # passed tasks: no formula


def test_a_row_that_cannot_be_saved_is_a_grader_error_and_the_run_goes_on(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    subs.mkdir()
    for stem in ("correct", "stub"):
        shutil.copy(FIX / "submissions" / f"{stem}.ipynb", subs)
    real = batch.Run.save

    def failing(self, entry, row, sha):
        if entry.rel == "stub.ipynb":
            raise OSError(28, "No space left on device")
        return real(self, entry, row, sha)

    monkeypatch.setattr(batch.Run, "save", failing)
    summary = grade_folder(SOURCE, subs, tmp_path / "out", seed=1, tasks=TOY, log=lambda s: None)
    assert {r.file: r.status for r in summary.rows} == {"correct.ipynb": "ok", "stub.ipynb": "grader-error"}
    assert "No space left on device" in rows(tmp_path / "out")["stub.ipynb"]["notes"]


def test_names_are_unique_bounded_and_links_are_listed_not_followed(tmp_path):
    (tmp_path / "grp").mkdir()
    for name in ("grp/alice.ipynb", "grp__alice.ipynb", "b" * 248 + ".ipynb"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "out.ipynb").symlink_to("/etc/hostname")
    (tmp_path / "d").symlink_to(FIX, target_is_directory=True)
    entries = list_submissions(tmp_path)
    assert [(e.rel, e.kind) for e in entries] == sorted(
        [("b" * 248 + ".ipynb", "notebook"), ("d", "link"), ("grp/alice.ipynb", "notebook"),
         ("grp__alice.ipynb", "notebook"), ("out.ipynb", "link")])
    stems = [e.stem for e in entries]
    assert len(set(stems)) == len(stems) and max(len(s) for s in stems) <= 73


def test_any_bytes_in_a_name_get_a_faithful_printable_escape_and_a_unique_stem():
    import os

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from bpcourse.grading.batch import display_name

    names = st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b)

    @settings(deadline=None, max_examples=300)
    @given(names, names)
    def check(a: bytes, b: bytes) -> None:
        ra, rb = os.fsdecode(a), os.fsdecode(b)
        shown = display_name(ra)
        shown.encode("utf-8")  # always writable, in the CSV and in a feedback file
        assert shown.isprintable()  # every character that is not is escaped
        if a != b:
            assert display_name(ra) != display_name(rb)
            assert results_stem(ra + ".ipynb") != results_stem(rb + ".ipynb")

    check()
    assert display_name(os.fsdecode(b"Zo\xeb_\xff.ipynb")) == "Zo\\xeb_\\xff.ipynb"
    assert display_name("Zo\\xeb_\\xff.ipynb") == "Zo\\\\xeb_\\\\xff.ipynb"
    assert display_name("plain name é.ipynb") == "plain name é.ipynb"


def test_the_walk_has_no_depth_limit(tmp_path):
    import os

    d = str(tmp_path)
    for _ in range(1100):
        d = os.path.join(d, "d")
        os.mkdir(d)
    open(os.path.join(d, "deep.ipynb"), "w").close()
    try:
        (entry,) = list_submissions(tmp_path)
        assert entry.rel == "d/" * 1100 + "deep.ipynb" and entry.kind == "notebook" and len(entry.stem) <= 73
    finally:
        while d != str(tmp_path):  # shutil.rmtree recurses once per level
            for name in os.listdir(d):
                os.unlink(os.path.join(d, name))
            os.rmdir(d)
            d = os.path.dirname(d)
