"""Make the student version of an exercise notebook, exactly as nbgrader's ``generate_assignment`` does.

nbgrader (0.9) runs these preprocessors, in this order, and so do we (:func:`release_notebook`):

1. ``LockCells``: solution cells get ``deletable: false``; grade cells and other locked cells get
   ``deletable: false`` and ``editable: false``.
2. ``ClearSolutions``: in every cell, each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region (the
   delimiter lines included) becomes ``# YOUR CODE HERE`` / ``raise NotImplementedError()``, each line
   prefixed with the leading whitespace of the BEGIN line; in a Markdown cell the stub is
   ``YOUR ANSWER HERE``. A solution cell without a region is replaced whole by the stub. A region outside a
   solution cell, a nested BEGIN or a missing END is an error. ``metadata.celltoolbar`` is dropped.
3. ``ClearOutput``: code cells lose their outputs, execution counts and the ``collapsed``/``scrolled``
   metadata.
4. ``ComputeChecksums``: grade, solution and locked cells get ``nbgrader.checksum`` (md5 of source, cell
   type, grade/solution/locked flags, grade_id and points) and ``nbgrader.cell_type``.
5. ``ClearHiddenTests``: ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` regions are removed (only in
   grade cells), then ``ClearMarkScheme`` removes ``### BEGIN MARK SCHEME`` regions (only in task cells).
6. ``ComputeChecksums`` again (on the released text), then the notebook is written as nbformat 4.

What nbgrader does besides and we do not: it records the cells and checksums in its gradebook database
(``SaveCells``), and it can instantiate ``### AUTOTEST`` templates (we refuse those with a clear error).
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path
from typing import Any

__all__ = ["release_notebook", "release_file", "ReleaseError", "CODE_STUB", "TEXT_STUB"]

CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


class ReleaseError(ValueError):
    """The source notebook breaks an nbgrader rule (the message says which cell and how)."""


def _nbg(cell: Any) -> dict[str, Any]:
    md = cell.get("metadata", {}).get("nbgrader")
    return md if isinstance(md, dict) else {}


def _is_grade(cell: Any) -> bool:
    return "nbgrader" in cell.get("metadata", {}) and bool(_nbg(cell).get("grade", False))


def _is_solution(cell: Any) -> bool:
    return "nbgrader" in cell.get("metadata", {}) and bool(_nbg(cell).get("solution", False))


def _is_task(cell: Any) -> bool:
    return "nbgrader" in cell.get("metadata", {}) and bool(_nbg(cell).get("task", False))


def _is_locked(cell: Any) -> bool:
    if "nbgrader" not in cell.get("metadata", {}):
        return False
    if _is_solution(cell):
        return False
    if _is_grade(cell):
        return True
    return bool(_nbg(cell).get("locked", False))


def checksum(cell: Any) -> str:
    """nbgrader's cell checksum (``nbgrader.utils.compute_checksum``)."""
    m = hashlib.md5()
    m.update(cell["source"].encode("utf-8"))
    m.update(cell["cell_type"].encode("utf-8"))
    md = _nbg(cell)
    m.update(str(md.get("grade", False) if "nbgrader" in cell["metadata"] else False).encode())
    m.update(str(md.get("solution", False) if "nbgrader" in cell["metadata"] else False).encode())
    m.update(str(_is_locked(cell)).encode())
    m.update(str(md["grade_id"]).encode("utf-8"))
    if _is_grade(cell):
        m.update(str(float(md["points"])).encode())
    return m.hexdigest()


def _where(index: int, cell: Any) -> str:
    gid = _nbg(cell).get("grade_id")
    return f"cell {index + 1}" + (f" ({gid})" if gid else "")


def _cut_regions(source: str, begin: str, end: str, stub: list[str] | None, what: str, where: str) -> tuple[str, bool]:
    """Replace (``stub``) or drop (``None``) every BEGIN…END region; nbgrader's line-based rules."""
    out: list[str] = []
    inside = found = False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise ReleaseError(f"{where}: nested '{begin}' (a {what} region inside another)")
            inside = found = True
            if stub is not None:
                indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
                out.extend(indent + s for s in stub)
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ReleaseError(f"{where}: '{begin}' without a matching '{end}'")
    return "\n".join(out), found


def _compute_checksums(nb: Any) -> None:
    for cell in nb["cells"]:
        if _is_grade(cell) or _is_solution(cell) or _is_locked(cell):
            cell["metadata"]["nbgrader"]["checksum"] = checksum(cell)
            cell["metadata"]["nbgrader"]["cell_type"] = cell["cell_type"]


def release_notebook(nb: Any) -> Any:
    """The student version of a source notebook (a new ``NotebookNode``; the input is not changed).

    Raises
    ------
    ReleaseError
        A solution region outside a solution cell, a hidden-test region outside a grade cell, a nested or
        unterminated region, a duplicate ``grade_id``, a grade cell without points, or ``### AUTOTEST``.
    """
    nb = copy.deepcopy(nb)
    language = nb.get("metadata", {}).get("kernelspec", {}).get("language", "python")
    if language != "python":
        raise ReleaseError(f"the notebook's language is {language!r}; only Python notebooks are supported")
    seen: dict[str, int] = {}
    for i, cell in enumerate(nb["cells"]):
        md = _nbg(cell)
        if "nbgrader" in cell.get("metadata", {}):
            gid = md.get("grade_id")
            if (_is_grade(cell) or _is_solution(cell) or _is_locked(cell) or _is_task(cell)) and not gid:
                raise ReleaseError(f"{_where(i, cell)}: an nbgrader cell needs a grade_id")
            if gid in seen:
                raise ReleaseError(f"{_where(i, cell)}: grade_id {gid!r} is used by cell {seen[gid] + 1} too")
            if gid:
                seen[gid] = i
            if _is_grade(cell) and "points" not in md:
                raise ReleaseError(f"{_where(i, cell)}: a grade cell needs 'points'")
        if cell["cell_type"] == "code" and "AUTOTEST" in cell["source"]:
            raise ReleaseError(f"{_where(i, cell)}: '### AUTOTEST' templates need nbgrader itself "
                               f"(`nbgrader generate_assignment`)")
    # 1. LockCells
    for cell in nb["cells"]:
        if _is_solution(cell):
            cell["metadata"]["deletable"] = False
        elif _is_grade(cell) or _is_locked(cell):
            cell["metadata"]["deletable"] = False
            cell["metadata"]["editable"] = False
    # 2. ClearSolutions
    for i, cell in enumerate(nb["cells"]):
        stub = (CODE_STUB if cell["cell_type"] == "code" else TEXT_STUB).split("\n")
        new, replaced = _cut_regions(cell["source"], "BEGIN SOLUTION", "END SOLUTION", stub, "solution",
                                     _where(i, cell))
        if replaced and not _is_solution(cell):
            raise ReleaseError(f"{_where(i, cell)}: a solution region in a cell not marked as a solution cell "
                               f"(set nbgrader 'solution': true)")
        cell["source"] = new
        if _is_solution(cell) and not replaced:
            cell["source"] = "\n".join(stub)
    nb["metadata"].pop("celltoolbar", None)
    # 3. ClearOutput
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            for key in ("collapsed", "scrolled"):
                cell["metadata"].pop(key, None)
    # 4. ComputeChecksums
    _compute_checksums(nb)
    # 5. ClearHiddenTests, ClearMarkScheme
    for i, cell in enumerate(nb["cells"]):
        new, removed = _cut_regions(cell["source"], "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", None, "hidden-test",
                                    _where(i, cell))
        if removed and not _is_grade(cell):
            raise ReleaseError(f"{_where(i, cell)}: a hidden-test region in a cell not marked as a grade cell")
        new, removed = _cut_regions(new, "BEGIN MARK SCHEME", "END MARK SCHEME", None, "mark-scheme",
                                    _where(i, cell))
        if removed and not _is_task(cell):
            raise ReleaseError(f"{_where(i, cell)}: a mark-scheme region in a cell not marked as a task cell")
        cell["source"] = new
    # 6. ComputeChecksums again
    _compute_checksums(nb)
    return nb


def release_with_solutions(nb: Any) -> Any:
    """The student release with the instructor's solutions typed in: what a perfect submission looks like.

    Used to check that an exercise's own solutions earn full marks through the whole grading pipeline, and
    by the grading benchmark to build a folder of correct submissions.
    """
    student = release_notebook(nb)
    for s_cell, cell in zip(nb.cells, student.cells):
        if _is_solution(cell) and cell.cell_type == "code":
            cell.source = "\n".join(line for line in s_cell.source.split("\n")
                                    if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)
    return student


def release_file(source: str | Path, dest: str | Path) -> Path:
    """Read ``source``, release it, write the student version to ``dest`` (a file, or a folder).

    Returns
    -------
    Path
        The file written (nbformat 4, one-space indent, as nbgrader writes it).
    """
    import nbformat

    source, dest = Path(source), Path(dest)
    if dest.is_dir() or str(dest).endswith(("/", "\\")):
        dest.mkdir(parents=True, exist_ok=True)
        dest = dest / source.name
    if dest.exists() and dest.resolve() == source.resolve():
        raise ReleaseError(f"refusing to overwrite the source notebook {source} with its student version")
    nb = nbformat.read(str(source), as_version=4)
    released = release_notebook(nb)
    text = nbformat.writes(released, version=4)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    tmp.replace(dest)
    return dest
