"""Grade books for the learning-management system: ``bpcourse grade --export nbgrader-csv|canvas``.

Both are written from a finished output folder (its ``shard.json`` and ``results/``), so an unsharded run
and a ``--merge`` of shards export the same way.

The student id of a submission comes from its path relative to SUBMISSIONS_DIR (:func:`student_id`): the
first folder when the notebook is in a folder (nbgrader's ``submitted/<student>/<assignment>/<nb>.ipynb`` with
``submitted/`` as SUBMISSIONS_DIR, or ``<student>/<nb>.ipynb``), else the file name without ``.ipynb``
(``alice.ipynb`` → ``alice``). Two submissions with the same id stop the export, naming both.

* ``nbgrader-csv`` → ``OUT/grades-nbgrader.csv``: the columns and number format of ``nbgrader export``
  (its ``CsvExportPlugin``): assignment, duedate, timestamp, student_id, last_name, first_name, email,
  raw_score, late_submission_penalty, score, max_score. The timestamp is that of nbgrader's
  ``timestamp.txt`` beside the notebook when there is one (``nbgrader collect`` leaves it in
  ``submitted/<student>/<assignment>/``), in UTC as nbgrader prints it (:func:`read_timestamp`). The grader
  knows no names, e-mails or due dates: those fields are empty, as nbgrader writes a missing value; the
  penalty is 0.0.
* ``canvas`` → ``OUT/grades-canvas.csv``: a Canvas gradebook import file, columns Student, ID, SIS User ID,
  SIS Login ID, Section, then one column named after the exercise holding the points. The student id goes
  into ``SIS Login ID`` (Canvas matches a row by ID, SIS User ID or SIS Login ID; a JupyterHub user name is
  usually the login) and into ``Student`` for the reader; the other columns are left empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from typing import Callable, Sequence

from bpcourse.grading.batch import Row
from bpcourse.grading.feedback import fmt_points
from bpcourse.grading.judge import SourceError
from bpcourse.grading.shard import load_rows, read_manifest

__all__ = ["FORMATS", "ExportError", "student_id", "read_timestamp", "check_formats", "export", "nbgrader_csv",
           "canvas_csv"]

NBGRADER_COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


class ExportError(SourceError):
    """An unknown export format, or rows that cannot make a grade book (exit status 1)."""


def student_id(rel: str) -> str:
    """The student id of the submission at relative path ``rel`` (see the module docstring).

    >>> student_id("alice.ipynb"), student_id("bob/ps1/06_fully_connected_layer.ipynb")
    ('alice', 'bob')
    """
    first, sep, _ = rel.partition("/")
    if sep:
        return first
    return rel[:-6] if rel.endswith(".ipynb") else rel


def _utc(text: str) -> dt.datetime | None:
    """nbgrader's ``timestamp.txt`` (``%Y-%m-%d %H:%M:%S.%f %Z``, or ISO 8601) as a naive UTC datetime."""
    parts = text.strip().split(" ")
    zone = parts.pop() if len(parts) == 3 else ""
    try:
        t = dt.datetime.fromisoformat(" ".join(parts))
    except ValueError:
        return None
    if zone in ("UTC", "GMT", "Z"):
        t = t.replace(tzinfo=dt.timezone.utc)
    elif zone:
        try:  # nbgrader reads a number as an offset in seconds
            t = t.replace(tzinfo=dt.timezone(dt.timedelta(seconds=int(zone))))
        except (ValueError, OverflowError):
            return None  # a named zone other than UTC: not guessed
    return t if t.tzinfo is None else (t - t.utcoffset()).replace(tzinfo=None)


def read_timestamp(submissions: Path, rel: str) -> str:
    """The submission time nbgrader's export prints for the notebook at ``rel`` (``""`` when unknown).

    Read from ``timestamp.txt`` in the notebook's folder (never the top of SUBMISSIONS_DIR, which is nobody's),
    a regular file of at most 200 bytes; printed as nbgrader prints its stored UTC time (``str(datetime)``).
    """
    if "/" not in rel:
        return ""
    path = Path(submissions, rel).parent / "timestamp.txt"
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 200:
            return ""
        t = _utc(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""
    return str(t) if t is not None else ""


def _cell(text: str) -> str:
    """A field a spreadsheet shows as text (as grades.csv does): a leading = + - @ would start a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _by_student(rows: Sequence[Row]) -> list[tuple[str, Row]]:
    seen: dict[str, str] = {}
    out = []
    for r in sorted(rows, key=lambda r: r.file):
        sid = student_id(r.file)
        if sid in seen:
            raise ExportError(f"--export: expected one submission per student id, got {sid!r} twice "
                              f"({seen[sid]} and {r.file}); keep one notebook per student in SUBMISSIONS_DIR")
        seen[sid] = r.file
        out.append((sid, r))
    return sorted(out)


def nbgrader_csv(rows: Sequence[Row], assignment: str, max_score: float,
                 timestamps: dict[str, str] | None = None) -> str:
    """The text of an ``nbgrader export`` CSV for one assignment (floats as ``str(float)``, as nbgrader);
    ``timestamps`` maps a row's file to its submission time."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(NBGRADER_COLUMNS)
    for sid, r in _by_student(rows):
        raw = float(r.total)
        stamp = (timestamps or {}).get(r.file, "")
        w.writerow([assignment, "", stamp, _cell(sid), "", "", "", str(raw), str(0.0), str(max(0.0, raw - 0.0)),
                    str(float(max_score))])
    return buf.getvalue()


def canvas_csv(rows: Sequence[Row], assignment: str) -> str:
    """The text of a Canvas gradebook import CSV with one assignment column."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*CANVAS_COLUMNS, assignment])
    for sid, r in _by_student(rows):
        w.writerow([_cell(sid), "", "", _cell(sid), "", fmt_points(r.total)])
    return buf.getvalue()


FORMATS: dict[str, tuple[str, Callable[[Sequence[Row], str, float, dict[str, str]], str]]] = {
    "nbgrader-csv": ("grades-nbgrader.csv", nbgrader_csv),
    "canvas": ("grades-canvas.csv", lambda rows, assignment, max_score, stamps: canvas_csv(rows, assignment)),
}


def check_formats(formats: Sequence[str]) -> list[str]:
    """The formats, checked before anything is graded or written; ExportError names an unknown one."""
    for f in formats:
        if f not in FORMATS:
            raise ExportError(f"--export: expected one of {', '.join(FORMATS)}, got {f!r}")
    return list(dict.fromkeys(formats))


def export(out: str | Path, formats: Sequence[str]) -> list[Path]:
    """Write the grade books ``formats`` of the finished output folder ``out``; the paths written.

    Every book is built before the first is written, so an error writes none.
    """
    out = Path(out)
    formats = check_formats(formats)
    data = read_manifest(out)
    rows = [row for row, _, _ in load_rows(out, data)]
    max_score = float(sum(t["points"] for t in data["tasks"]))
    stamps = {str(f["file"]): str(f.get("timestamp", "")) for f in data["files"]}
    texts = [(out / FORMATS[f][0], FORMATS[f][1](rows, str(data["exercise"]), max_score, stamps)) for f in formats]
    for path, text in texts:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        os.replace(tmp, path)
    return [p for p, _ in texts]
