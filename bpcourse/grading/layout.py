"""Where the course keeps an exercise: nbgrader's course-directory layout, with the student versions apart.

* The instructor's source (solutions, hidden tests, stored outputs) is
  ``instructor/source/<assignment>/<exercise>.ipynb``, e.g.
  ``instructor/source/ex06/ex06_fully_connected_layer.ipynb``: ``instructor/`` is an nbgrader course
  directory (``instructor/nbgrader_config.py``), so ``nbgrader generate_assignment ex06`` run there writes
  ``instructor/release/ex06/ex06_fully_connected_layer.ipynb``.
* The student version every learner's link opens is ``exercises/<exercise>.ipynb``, byte-identical to what
  ``bpcourse release`` makes from the source (``tools/release_exercises.py`` writes all nine).

An exercise's name is its source's file stem (``ex06_fully_connected_layer``); its assignment is the part
before the first underscore (``ex06``). Submissions are named like the released file.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SOURCE_DIR", "RELEASED_DIR", "assignment", "source_path", "released_path", "source_notebooks",
           "student_version_error"]

#: The instructor's sources, relative to the repository's root (nbgrader's ``source/`` of ``instructor/``).
SOURCE_DIR = Path("instructor") / "source"
#: The student versions a learner opens, relative to the repository's root.
RELEASED_DIR = Path("exercises")


def assignment(exercise: str) -> str:
    """The nbgrader assignment of an exercise: ``"ex06_fully_connected_layer"`` → ``"ex06"``."""
    head, sep, _ = exercise.partition("_")
    if not sep or not head:
        raise ValueError(f"expected an exercise name like 'ex06_fully_connected_layer', got {exercise!r}")
    return head


def source_path(root: str | Path, exercise: str) -> Path:
    """``root/instructor/source/exNN/<exercise>.ipynb``: the instructor's source notebook."""
    return Path(root) / SOURCE_DIR / assignment(exercise) / f"{exercise}.ipynb"


def released_path(root: str | Path, exercise: str) -> Path:
    """``root/exercises/<exercise>.ipynb``: the student version a learner opens."""
    return Path(root) / RELEASED_DIR / f"{exercise}.ipynb"


def source_notebooks(root: str | Path) -> list[Path]:
    """Every exercise's source notebook under ``root``, in order (``ex01`` … ``ex09``)."""
    return sorted((Path(root) / SOURCE_DIR).glob("ex[0-9][0-9]/ex[0-9][0-9]_*.ipynb"))


def student_version_error(data: bytes, source: str | Path) -> str | None:
    """Why ``source`` (its bytes ``data``) cannot be graded against: it is a student version, or ``None``.

    A student version's answer cells are all stubs (``raise NotImplementedError()``, no ``### BEGIN
    SOLUTION``); grading against it would fail every task, so say at once which file to use instead.
    """
    import json

    try:
        cells = json.loads(data)["cells"]
        answers = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells
                   if c.get("cell_type") == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not a readable notebook: the caller's own reading says why
    if not answers or any("BEGIN SOLUTION" in a or "raise NotImplementedError()" not in a for a in answers):
        return None
    name = Path(source).stem
    where = f" ({(SOURCE_DIR / assignment(name) / (name + '.ipynb')).as_posix()})" if name.startswith("ex") else ""
    return (f"{source} is a student version (every answer cell is the stub `raise NotImplementedError()`): "
            f"grade against the instructor's source notebook with the solutions{where}")
