"""Reading a submitted notebook: its bytes → the code cells to run, or a clear :class:`InvalidNotebook`.

Only the parent reads submissions, once, through a file descriptor opened without following symbolic
links; the sandbox gets the cells' text, never the file.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

__all__ = ["InvalidNotebook", "read_notebook", "read_submission", "MAX_NOTEBOOK_BYTES", "DEMO_GRADE_ID"]

MAX_NOTEBOOK_BYTES = 32 * 2**20
#: nbgrader grade_id of the exercises' ungraded demo cell, which the grader does not run
DEMO_GRADE_ID = "demo"


class InvalidNotebook(ValueError):
    """A submission that is not a readable Python notebook."""


def read_submission(path: str | os.PathLike[str]) -> bytes:
    """A submission's bytes, read without following a symbolic link and at most MAX_NOTEBOOK_BYTES.

    Raises
    ------
    InvalidNotebook
        For a link, a non-regular file, or a file too large to be a notebook.
    OSError
        When it cannot be read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidNotebook("not a regular file")
        if st.st_size > MAX_NOTEBOOK_BYTES:
            raise InvalidNotebook(f"the file has {st.st_size:,} bytes; a notebook larger than "
                                  f"{MAX_NOTEBOOK_BYTES // 2**20} MiB is not graded (outputs with huge images?)")
        chunks, total = [], 0
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            total += len(b)
            if total > MAX_NOTEBOOK_BYTES:
                raise InvalidNotebook(f"the file grew past {MAX_NOTEBOOK_BYTES // 2**20} MiB while being read")
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


def read_notebook(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The code cells of a notebook file's bytes, and notes about it.

    Reads the JSON directly (nbformat 4, or 3 converted), without importing nbformat: its schema
    validation costs seconds per process and says nothing the grader needs.

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
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        md = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbg = md.get("nbgrader") if isinstance(md.get("nbgrader"), dict) else {}
        # autograder test cells hold the instructor's tests, not the grade; "demo" cells are the ungraded
        # "putting it together" runs, whose errors (a stub still raising) would only clutter every note
        skip = bool(nbg.get("grade") and not nbg.get("solution")) or nbg.get("grade_id") == DEMO_GRADE_ID
        cells.append({"index": i, "source": _text(cell.get("source", "")), "skip": skip})
    return cells, notes
