"""Grade books: ``bpcourse grade --export nbgrader-csv|canvas``, through the real command.

The nbgrader export is compared byte for byte with what nbgrader's own ``CsvExportPlugin`` writes from an
nbgrader gradebook holding the same points per task; the Canvas file with the import columns Canvas documents
(Student, ID, SIS User ID, SIS Login ID, Section, then the assignment).
"""

from __future__ import annotations

import csv
import os

import pytest

from bpcourse.grading.export import student_id
from scale_helpers import BIN, bpcourse, grade_args, make_corpus, one_line_error

FILES = {"alice.ipynb": "correct", "bob/ps1/toy_exercise.ipynb": "modifies_input", "carol.ipynb": "stub",
         "dave/toy_exercise.ipynb": "renamed_function"}
IDS = {"alice.ipynb": "alice", "bob/ps1/toy_exercise.ipynb": "bob", "carol.ipynb": "carol",
       "dave/toy_exercise.ipynb": "dave"}
TASKS = [("toy_sigmoid", 1), ("toy_output_delta", 2), ("toy_dense_backward", 3)]
#: nbgrader's timestamp.txt beside a notebook, as `nbgrader submit` writes it (and one with an offset in seconds)
STAMPS = {"bob/ps1": "2026-12-01 10:15:30.123456 UTC", "dave": "2026-12-02 09:00:00 3600"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    subs = make_corpus(root / "subs", FILES)
    for folder, text in STAMPS.items():
        (subs / folder / "timestamp.txt").write_text(text)
    (subs / "timestamp.txt").write_text("2026-12-03 00:00:00 UTC")  # nobody's: top-level files get no timestamp
    out = root / "out"
    proc = bpcourse(*grade_args(subs, out, 3, "--export", "nbgrader-csv", "--export", "canvas"))
    assert proc.returncode == 0, proc.stderr
    assert f"grade book: {out / 'grades-canvas.csv'}" in proc.stdout
    with open(out / "grades.csv", newline="") as f:
        table = {r["file"]: r for r in csv.DictReader(f)}
    assert set(table) == set(FILES)
    return subs, out, table


def test_the_student_id_is_the_first_folder_or_the_file_name():
    for rel, sid in IDS.items():
        assert student_id(rel) == sid
    assert student_id("submitted-notebook") == "submitted-notebook"


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's own gradebook code warns
def test_nbgrader_csv_is_what_nbgraders_own_export_writes(graded, tmp_path, monkeypatch):
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin
    from nbgrader.utils import parse_utc

    _, out, table = graded
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")  # nbgrader runs `alembic`
    nbg = tmp_path / "nbgrader.csv"
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
        gb.add_assignment("toy_exercise")
        gb.add_notebook("toy_exercise", "toy_exercise")
        for name, points in TASKS:
            gb.add_grade_cell(name, "toy_exercise", "toy_exercise", max_score=points, cell_type="code")
        for rel in sorted(FILES, key=lambda r: IDS[r]):
            gb.add_student(IDS[rel])
            folder = rel.rpartition("/")[0]  # nbgrader's autograde reads the timestamp.txt of the submission
            gb.add_submission("toy_exercise", IDS[rel], timestamp=parse_utc(STAMPS[folder]) if folder in STAMPS
                              else None)
            for name, _ in TASKS:  # the points bpcourse gave each task, as nbgrader's autograde would store them
                gb.find_grade(name, "toy_exercise", "toy_exercise", IDS[rel]).auto_score = float(table[rel][name])
            gb.db.commit()
        CsvExportPlugin(to=str(nbg)).export(gb)
    ours = (out / "grades-nbgrader.csv").read_bytes()
    assert ours == nbg.read_bytes()
    # a partial score and a timestamp, formatted as nbgrader does; the offset is converted to UTC
    assert b"\ntoy_exercise,,2026-12-01 10:15:30.123456,bob,,,,4.0,0.0,4.0,6.0\n" in ours
    assert b"\ntoy_exercise,,2026-12-02 08:00:00,dave," in ours and b"\ntoy_exercise,,,alice," in ours


def test_canvas_csv_has_the_import_columns_and_each_students_points(graded):
    _, out, table = graded
    with open(out / "grades-canvas.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "toy_exercise"]
    body = {r[3]: r for r in rows[1:]}
    assert set(body) == set(IDS.values())
    for rel, sid in IDS.items():
        assert body[sid] == [sid, "", "", sid, "", table[rel]["total"]]
    assert body["alice"][5] == "6" and body["carol"][5] == "0"


def test_the_merge_exports_what_an_unsharded_run_exports(graded, tmp_path):
    subs, out, _ = graded
    shards = [tmp_path / f"s{i}" for i in range(2)]
    for i, s in enumerate(shards):
        assert bpcourse(*grade_args(subs, s, 3, "--shard", f"{i}/2")).returncode == 0
    proc = bpcourse("grade", "--merge", *shards, "--out", tmp_path / "m", "--export", "canvas", "--export",
                    "nbgrader-csv")
    assert proc.returncode == 0, proc.stderr
    for name in ("grades-canvas.csv", "grades-nbgrader.csv"):
        assert (tmp_path / "m" / name).read_bytes() == (out / name).read_bytes()


def test_an_unknown_export_format_stops_in_one_line_and_writes_nothing(tmp_path):
    subs = make_corpus(tmp_path / "subs", {"a.ipynb": "correct"})
    one_line_error(bpcourse(*grade_args(subs, tmp_path / "out", 3, "--export", "xlsx")), "'xlsx'",
                   "nbgrader-csv, canvas")
    one_line_error(bpcourse(*grade_args(subs, tmp_path / "out", 3, "--export", "canvas", "--shard", "1/2")),
                   "--merge")
    assert not (tmp_path / "out").exists()


def test_two_submissions_of_one_student_stop_the_export_naming_both(tmp_path):
    subs = make_corpus(tmp_path / "subs", {"alice.ipynb": "correct", "alice/late.ipynb": "stub"})
    out = tmp_path / "out"
    one_line_error(bpcourse(*grade_args(subs, out, 3, "--export", "canvas", "--export", "nbgrader-csv")),
                   "'alice'", "alice.ipynb", "alice/late.ipynb")
    assert (out / "grades.csv").exists()  # the grading itself is complete
    assert not list(out.glob("grades-*.csv"))  # but no grade book, not even the first one


def test_a_student_id_that_would_be_a_spreadsheet_formula_is_written_as_text(tmp_path):
    subs = make_corpus(tmp_path / "subs", {"=HYPERLINK(1)/nb.ipynb": "correct"})
    out = tmp_path / "out"
    assert bpcourse(*grade_args(subs, out, 3, "--export", "canvas")).returncode == 0
    with open(out / "grades-canvas.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][0] == rows[1][3] == "'=HYPERLINK(1)"
