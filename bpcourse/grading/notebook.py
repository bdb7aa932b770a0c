"""Reading a submitted notebook: its bytes → the code cells to run, or a clear :class:`InvalidNotebook`.

Only the parent reads submissions, once, through a file descriptor opened without following symbolic
links; the sandbox gets the cells' text, never the file.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

__all__ = ["InvalidNotebook", "read_notebook", "read_submission", "MAX_NOTEBOOK_BYTES"]

MAX_NOTEBOOK_BYTES = 32 * 2**20


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


def read_notebook(data: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The code cells of a notebook file's bytes, and notes about it.

    Returns
    -------
    cells : list of dict
        ``{"index": 1-based cell number, "source": str, "skip": bool}``; ``skip`` marks nbgrader autograder
        test cells (``grade: true, solution: false``): their content is the instructor's, and the grade
        does not come from them.
    notes : list of str

    Raises
    ------
    InvalidNotebook
        With what is wrong and what was expected.
    """
    import warnings

    import nbformat

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
    major = raw.get("nbformat")
    if major != 4:
        notes.append(f"the notebook is in nbformat {major}; it was converted to nbformat 4 for grading")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises many kinds on malformed files
        raise InvalidNotebook(f"nbformat cannot read it: {type(exc).__name__}: {str(exc)[:200]}") from None
    meta = nb.get("metadata", {}) or {}
    lang = ((meta.get("kernelspec") or {}).get("language") or (meta.get("language_info") or {}).get("name")
            or "python")
    if str(lang).lower() not in ("python", "python3", "ipython"):
        raise InvalidNotebook(f"the notebook's language is {lang!r}; the exercises are Python notebooks")
    kname = (meta.get("kernelspec") or {}).get("name")
    if kname and not str(kname).startswith("python"):
        notes.append(f"the notebook names the kernel {kname!r}; it was run as Python")
    cells = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(str(s) for s in src)
        md = (cell.get("metadata") or {}).get("nbgrader") or {}
        skip = bool(isinstance(md, dict) and md.get("grade") and not md.get("solution"))
        cells.append({"index": i, "source": str(src), "skip": skip})
    return cells, notes
