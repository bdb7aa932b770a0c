"""Reading a submitted notebook: its bytes → the code cells to run, or a clear :class:`InvalidNotebook`.

Only the parent reads submissions, once, through a file descriptor opened without following symbolic
links; the sandbox gets the cells' text, never the file. Stored outputs are never graded: only the cells'
sources are kept, and the size cap (``--max-notebook-mb``) is there to bound the parent's memory, not to
judge a submission, so its default is far above what a notebook with many big plots weighs.

Locked cells are restored from the instructor's source notebook before anything runs, as nbgrader's
autograde does (its ``OverwriteCells`` step): a submitted cell whose nbgrader ``grade_id`` names a cell of
the source gets the source's cell type, and if the source cell is locked (an autograder test cell, or any
cell marked ``locked`` that is not a solution cell) its source too; the notes say which cells were edited.
A graded function that the source *hands out* in a locked cell (ex04's ``probe_central_difference``) is also
defined once more from the source after the submission's last cell, so that a later cell cannot redefine it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["InvalidNotebook", "NotebookTooLarge", "read_notebook", "read_submission", "MAX_NOTEBOOK_BYTES",
           "DEMO_GRADE_ID", "SourceCell", "source_cells", "given_definitions"]

MAX_NOTEBOOK_BYTES = 256 * 2**20  # the default of ``bpcourse grade --max-notebook-mb``
#: nbgrader grade_id of the exercises' ungraded demo cell, which the grader does not run
DEMO_GRADE_ID = "demo"


class InvalidNotebook(ValueError):
    """A submission that is not a readable Python notebook."""


class NotebookTooLarge(InvalidNotebook):
    """A submission larger than the size cap (``--max-notebook-mb``): not graded, and the status says why."""


def read_submission(path: str | os.PathLike[str], max_bytes: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """A submission's bytes, read without following a symbolic link and at most ``max_bytes``.

    Raises
    ------
    NotebookTooLarge
        For a file larger than ``max_bytes``.
    InvalidNotebook
        For a link or a non-regular file.
    OSError
        When it cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    cap = f"the --max-notebook-mb limit of {max_bytes / 2**20:g} MiB"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidNotebook("not a regular file")
        if st.st_size > max_bytes:
            raise NotebookTooLarge(f"the file has {st.st_size:,} bytes, more than {cap} (stored outputs such as "
                                   f"images are never graded, but the file must be read): grade it with a "
                                   f"larger --max-notebook-mb")
        chunks, total = [], 0
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            total += len(b)
            if total > max_bytes:
                raise NotebookTooLarge(f"the file grew past {cap} while being read")
            chunks.append(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _text(src: Any) -> str:
    if isinstance(src, list):
        return "".join(str(x) for x in src)
    return src if isinstance(src, str) else ""


def _cells_of(raw: dict[str, Any]) -> list[Any]:
    """The cells of an nbformat 4 notebook, or of an nbformat 3 one (its worksheets, ``input`` as source)."""
    if raw.get("nbformat") == 4:
        cells = raw.get("cells")
        if not isinstance(cells, list):
            raise InvalidNotebook("the notebook has no list of cells (its 'cells' field is missing or not a list)")
        return cells
    if raw.get("nbformat") == 3:
        sheets = raw.get("worksheets")
        if not isinstance(sheets, list) or not all(isinstance(w, dict) for w in sheets):
            raise InvalidNotebook("the nbformat 3 notebook has no list of worksheets")
        cells = [c for w in sheets for c in (w.get("cells") if isinstance(w.get("cells"), list) else [])]
        return [dict(c, source=c.get("input", "")) if isinstance(c, dict) and c.get("cell_type") == "code" else c
                for c in cells]
    raise InvalidNotebook(f"the notebook is in nbformat {str(raw.get('nbformat'))[:20]}; nbformat 3 and 4 "
                          f"can be graded")


def _load(data: bytes) -> dict[str, Any]:
    """A notebook file's bytes as its JSON object (checked: UTF-8, JSON, an object with 'nbformat')."""
    if not data.strip():
        raise InvalidNotebook(f"the file is empty ({len(data)} bytes); expected a Jupyter notebook (JSON)")
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InvalidNotebook(f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise InvalidNotebook("the file is JSON nested too deeply to be a notebook") from None
    except ValueError as exc:
        raise InvalidNotebook(f"the file is not valid JSON ({exc}); was it saved completely?") from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise InvalidNotebook("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    return raw


def _nbgrader(cell: dict[str, Any]) -> dict[str, Any]:
    md = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    return md.get("nbgrader") if isinstance(md.get("nbgrader"), dict) else {}


@dataclass(frozen=True)
class SourceCell:
    """A cell of the instructor's source notebook that has an nbgrader ``grade_id``."""

    grade_id: str
    cell_type: str
    source: str
    locked: bool  # nbgrader's is_locked: not a solution cell, and a test cell or marked locked
    test: bool    # an autograder test cell (grade and not solution): never run by this grader


def source_cells(data: bytes) -> dict[str, SourceCell]:
    """The cells of the source notebook (its bytes) that have a grade_id, by grade_id (the first of each).

    Raises
    ------
    InvalidNotebook
        When the source is not a readable notebook.
    """
    found: dict[str, SourceCell] = {}
    for cell in _cells_of(_load(data)):
        nbg = _nbgrader(cell) if isinstance(cell, dict) else {}
        gid = nbg.get("grade_id")
        if isinstance(gid, str) and gid and gid not in found:
            locked = not nbg.get("solution") and bool(nbg.get("grade") or nbg.get("locked"))
            test = bool(nbg.get("grade") and not nbg.get("solution"))
            found[gid] = SourceCell(gid, str(cell.get("cell_type", "")), _text(cell.get("source", "")), locked,
                                    test)
    return found


def given_definitions(source: Mapping[str, SourceCell], functions: Iterable[str]) -> list[SourceCell]:
    """The source's locked code cells (not test cells) that define one of ``functions`` with a ``def``.

    Such a function is handed out, not written by the learner (ex04's ``probe_central_difference`` calls the
    learner's ``central_difference``): the grader defines it again from the source after the last cell.
    """
    names = "|".join(re.escape(f) for f in functions)
    if not names:
        return []
    pattern = re.compile(rf"^def\s+({names})\s*\(", re.M)
    return [c for c in source.values() if c.locked and c.cell_type == "code" and c.grade_id != DEMO_GRADE_ID
            and pattern.search(c.source)]


def _restore(cell: dict[str, Any], i: int, source: Mapping[str, SourceCell],
             notes: list[str]) -> tuple[dict[str, Any], SourceCell | None]:
    """A submitted cell after nbgrader's OverwriteCells (the source's cell type, and a locked cell's source),
    and the source cell it was matched with."""
    gid = _nbgrader(cell).get("grade_id")
    src = source.get(gid) if isinstance(gid, str) else None
    if src is None:
        return cell, None
    restored = dict(cell)
    what = []
    if cell.get("cell_type") != src.cell_type:
        what.append(f"its type ({str(cell.get('cell_type'))[:20]} → {src.cell_type})")
        restored["cell_type"] = src.cell_type
    if src.locked and _text(cell.get("source", "")) != src.source:
        what.append("its content")
        restored["source"] = src.source
    if what and not src.test:  # a test cell differs anyway: the released one has no hidden tests
        kind = "a locked cell of the exercise and was edited" if src.locked else "an answer cell of the exercise"
        notes.append(f"cell {i} (grade id `{gid[:60]}`) is {kind}: {' and '.join(what)} "
                     f"{'was' if len(what) == 1 else 'were'} restored from the exercise before grading")
    return restored, src


def read_notebook(data: bytes, source: Mapping[str, SourceCell] | None = None,
                  given: Iterable[SourceCell] = ()) -> tuple[list[dict[str, Any]], list[str]]:
    """The code cells of a notebook file's bytes, and notes about it.

    Reads the JSON directly (nbformat 4, or 3 converted), without importing nbformat: its schema
    validation costs seconds per process and says nothing the grader needs.

    Parameters
    ----------
    data : bytes
        The notebook file's bytes.
    source : mapping of grade_id to SourceCell, optional
        The instructor's source cells (:func:`source_cells`): cells with a known grade_id are restored as
        nbgrader's autograde restores them, with a note for each locked cell that was edited.
    given : iterable of SourceCell
        Source cells run once more after the last cell (:func:`given_definitions`), each as a cell numbered
        after the notebook's last one.

    Returns
    -------
    cells : list of dict
        ``{"index": 1-based cell number, "source": str, "skip": bool}``; ``skip`` marks nbgrader autograder
        test cells (``grade: true, solution: false``): their content is the instructor's, and the grade
        does not come from them; and the ungraded demo cells (nbgrader ``grade_id`` ``"demo"``), which only
        use the graded functions.
    notes : list of str

    Raises
    ------
    InvalidNotebook
        With what is wrong and what was expected.
    """
    raw = _load(data)
    notes = []
    if raw.get("nbformat") != 4:
        notes.append(f"the notebook is in nbformat {str(raw.get('nbformat'))[:20]}; it was converted to "
                     f"nbformat 4 for grading")
    raw_cells = _cells_of(raw)
    meta = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
    spec = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    lang = spec.get("language") or info.get("name") or meta.get("language") or "python"
    if str(lang).lower() not in ("python", "python3", "ipython"):
        raise InvalidNotebook(f"the notebook's language is {str(lang)[:40]!r}; the exercises are Python notebooks")
    kname = spec.get("name")
    if kname and not str(kname).startswith("python"):
        notes.append(f"the notebook names the kernel {str(kname)[:40]!r}; it was run as Python")
    cells = []
    for i, cell in enumerate(raw_cells, start=1):
        if not isinstance(cell, dict):
            continue
        cell, src = _restore(cell, i, source or {}, notes)
        if cell.get("cell_type") != "code":
            continue
        nbg = _nbgrader(cell)
        # autograder test cells hold the instructor's tests, not the grade; "demo" cells are the ungraded
        # "putting it together" runs, whose errors (a stub still raising) would only clutter every note.
        # A cell matched with the source is what the source says it is, whatever its submitted metadata.
        skip = (src.test if src is not None else bool(nbg.get("grade") and not nbg.get("solution"))) \
            or nbg.get("grade_id") == DEMO_GRADE_ID
        cells.append({"index": i, "source": _text(cell.get("source", "")), "skip": skip})
    for k, g in enumerate(given, start=len(raw_cells) + 1):
        cells.append({"index": k, "source": g.source, "skip": False})
    return cells, notes
