"""A Gradescope autograder: ``bpcourse gradescope SOURCE.ipynb --seed S -o autograder.zip``.

The zip holds what Gradescope's autograder specification asks for at its root, ``setup.sh`` (run once when
Gradescope builds the image: installs bubblewrap and the bundled ``bpcourse``) and ``run_autograder`` (run for
every submission), plus the instructor's source notebook, the settings (:data:`CONFIG`), the task table when
``--tasks`` was given, and the ``bpcourse`` package itself (``bpcourse-src/``, so the image grades with exactly
this version).

``run_autograder`` calls :func:`run` (``python -m bpcourse.grading.gradescope``), which grades the one notebook
in ``/autograder/submission`` with the same sandboxed :func:`~bpcourse.grading.batch.grade_folder` as
``bpcourse grade`` and writes ``/autograder/results/results.json``: ``score``, ``execution_time``, ``output``
and one entry of ``tests`` per graded task (``name``, ``score``, ``max_score``, ``output``, ``visibility``).

The graded cases are drawn from the instructor's seed and stay hidden: a test's output keeps the diagnosis
(which output is wrong, a missing factor, a transposed matrix, the exception raised in the student's own code)
but never a case's values (:func:`public_message` drops the case description and the got/expected numbers).
``BPCOURSE_AUTOGRADER_ROOT`` (default ``/autograder``) and ``BPCOURSE_AUTOGRADER_PYTHON`` move the layout and
the interpreter, e.g. for a local test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Sequence

from bpcourse.grading.judge import STATUSES, SourceError

__all__ = ["CONFIG", "VISIBILITIES", "build_zip", "run", "public_message", "results_json", "main"]

CONFIG = "bpcourse-autograder.json"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_MAX_ZIP_MEMBER = 1 << 20

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu, Python >= 3.10).
# bubblewrap is the sandbox every submission runs in; bpcourse is installed from the copy in this zip.
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir /autograder/source/bpcourse-src
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, from /autograder. It grades the notebook in submission/ in
# bpcourse's sandbox and writes results/results.json. BPCOURSE_AUTOGRADER_ROOT and BPCOURSE_AUTOGRADER_PYTHON
# move the layout and the interpreter (for a local test); Gradescope sets neither.
set -euo pipefail
ROOT="${BPCOURSE_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${BPCOURSE_AUTOGRADER_PYTHON:-/autograder/venv/bin/python}"
cd "$ROOT"
exec "$PYTHON" -m bpcourse.grading.gradescope --root "$ROOT"
"""


class GradescopeError(SourceError):
    """A submission the autograder cannot grade (no notebook, several), or an unusable autograder."""


# ------------------------------------------------------------------------------------------- building
def _pyproject() -> str:
    """A minimal pyproject.toml for the bundled package: its name, version and run-time dependencies."""
    from importlib import metadata

    try:
        version = metadata.version("bpcourse")
        deps = [d for d in (metadata.requires("bpcourse") or []) if "extra ==" not in d]
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        version, deps = "0", ["numpy>=1.24"]
    dep_lines = "".join(f"    {json.dumps(d)},\n" for d in deps)
    return (f'[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "bpcourse"\nversion = "{version}"\nrequires-python = ">=3.10"\n'
            f'dependencies = [\n{dep_lines}]\n\n[tool.setuptools.packages.find]\ninclude = ["bpcourse*"]\n\n'
            f'[tool.setuptools.package-data]\nbpcourse = ["data/*"]\n')


def _package_files() -> list[tuple[Path, str]]:
    import bpcourse

    root = Path(bpcourse.__file__).resolve().parent
    files = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not p.is_symlink() and "__pycache__" not in rel.parts and p.suffix != ".pyc":
            files.append((p, f"bpcourse-src/bpcourse/{rel.as_posix()}"))
    return files


def _member(zf: zipfile.ZipFile, name: str, data: bytes | str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same inputs give the same zip
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((stat.S_IFREG | (0o755 if executable else 0o644)) << 16)
    zf.writestr(info, data)


def build_zip(source: str | Path, output: str | Path, *, seed: int, tasks_file: str | Path | None = None,
              n_cases: int = 5, timeout: float = 60.0, memory_mb: int = 2048, feedback: str = "hints",
              visibility: str = "visible") -> Path:
    """Write the Gradescope autograder zip of the exercise ``source`` to ``output``.

    Raises
    ------
    SourceError
        The source notebook is missing, its exercise has no graded tasks, or an option is out of range; the
        zip is then not written (it is built in a temporary file renamed into place).
    """
    from bpcourse.cli import _load_tasks
    from bpcourse.grading.batch import load_tasks

    source, output = Path(source), Path(output)
    if not source.is_file():
        raise SourceError(f"expected the exercise's source notebook (e.g. "
                          f"instructor/source/ex06/ex06_fully_connected_layer.ipynb),"
                          f" got {str(source)!r}, which is not a file")
    if visibility not in VISIBILITIES:
        raise SourceError(f"--visibility: expected one of {', '.join(VISIBILITIES)}, got {visibility!r}")
    if output.suffix != ".zip":
        raise SourceError(f"-o: expected a .zip file name, got {str(output)!r}")
    tasks = _load_tasks(str(tasks_file)) if tasks_file else None
    load_tasks(source, tasks)  # an exercise without graded tasks stops here, before anything is written
    config = {"exercise": source.stem, "source": source.name, "seed": int(seed), "n_cases": int(n_cases),
              "timeout": float(timeout), "memory_mb": int(memory_mb), "feedback": feedback,
              "visibility": visibility, "tasks": "tasks.py" if tasks_file else None}
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w") as zf:
            _member(zf, "setup.sh", SETUP_SH, executable=True)
            _member(zf, "run_autograder", RUN_AUTOGRADER, executable=True)
            _member(zf, CONFIG, json.dumps(config, indent=1) + "\n")
            _member(zf, source.name, source.read_bytes())
            if tasks_file:
                _member(zf, "tasks.py", Path(tasks_file).read_bytes())
            _member(zf, "bpcourse-src/pyproject.toml", _pyproject())
            for path, name in _package_files():
                _member(zf, name, path.read_bytes())
        os.replace(tmp_name, output)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return output


# -------------------------------------------------------------------------------------------- results
_CASE = re.compile(r"(graded case \d+ of \d+) \((?:[^()]|\([^()]*\))*\)")
_FIRST_DIFF = re.compile(r"(first difference at [^\s:]+\[[^\]]*\]): [^,\n]+, expected [^\s;,\n)]+")
_SCALAR_DIFF = re.compile(r"(\b[\w'σ]+) = [^,\n]+, expected [^\s;,\n)]+")
_RAISED = re.compile(r"( raised [A-Za-z_][\w.]*): [^\n]*")
_RETURNED = re.compile(r"( is a [^\s(]+) \([^\n]*\)(, expected)")
_CELL_ERROR = re.compile(r"^(cell \d+(?:, line \d+)?: [A-Za-z_][\w.]*)(?:: .*?)?( — `[^`\n]*`)?$", re.M)
_FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+(?:\.\d*)?[eE][-+]?\d+)(?![\w.])")


def public_message(text: str) -> str:
    """A verdict or note without the hidden cases' values, for a results.json a student reads.

    Dropped: the case description (shapes and scalars), the got/expected numbers of a difference, the
    message of an exception and the repr of a returned object (both are the student's code's own text,
    which can spell out the inputs it was called with), and every decimal number left. Kept: which task and
    output is wrong, the diagnosis, the exception's type, and the student's own source line.

    >>> public_message("f: wrong on graded case 2 of 7 (x: (3, 2), lr: 0.1):\\n - first difference at "
    ...                "out[0, 1]: 0.25, expected 0.7311")
    'f: wrong on graded case 2 of 7 (a hidden case):\\n - first difference at out[0, 1]'
    """
    text = _CASE.sub(r"\1 (a hidden case)", text)
    text = _FIRST_DIFF.sub(r"\1", text)
    text = _SCALAR_DIFF.sub(r"\1 differs from the expected value", text)
    text = _RAISED.sub(r"\1", text)
    text = _RETURNED.sub(r"\1\2", text)
    text = _CELL_ERROR.sub(lambda m: m.group(1) + (m.group(2) or ""), text)
    return _FLOAT.sub("…", text)


_TASK_LINE = re.compile(r"\[(pass|FAIL)\] (\S+) \(")


def _task_messages(feedback: str) -> dict[str, str]:
    """Each task's verdict paragraph in a feedback file (:func:`bpcourse.grading.feedback.render`)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in feedback.splitlines():
        m = _TASK_LINE.match(line)
        if m:
            current = found.setdefault(m.group(2), [])
        elif current is not None and line.startswith("    "):
            current.append(line[4:])
        else:
            current = None
    return {k: "\n".join(v) for k, v in found.items()}


def results_json(row: Any, feedback: str, tasks: Sequence[Any], seconds: float, visibility: str) -> dict[str, Any]:
    """The results.json of one graded submission (``row``: its :class:`~bpcourse.grading.batch.Row`)."""
    from bpcourse.grading.feedback import fmt_points

    messages = _task_messages(feedback)
    tests = []
    for t in tasks:
        points = float(row.points.get(t.id, 0.0))
        text = messages.get(t.id) or ("passed" if points >= t.points else f"not graded: {row.status}")
        tests.append({"name": f"{t.id}: {t.description}" if t.description else t.id, "score": points,
                      "max_score": float(t.points), "output": public_message(text), "visibility": visibility})
    max_total = float(sum(t.points for t in tasks))
    lines = [f"Status: {row.status} ({STATUSES.get(row.status, '')})",
             f"Points: {fmt_points(row.total)} of {fmt_points(max_total)}, each task checked on cases drawn at "
             f"grading time (hidden)"]
    if row.notes:
        lines += ["", "Notes"] + [f"  - {public_message(n)}" for n in row.notes]
    return {"score": float(row.total), "execution_time": int(round(seconds)), "output": "\n".join(lines),
            "tests": tests}


# ------------------------------------------------------------------------------------------- grading
def _pick_submission(folder: Path, exercise: str) -> Path:
    from bpcourse.grading.batch import list_submissions

    found = [e for e in list_submissions(folder) if e.kind == "notebook"] if folder.is_dir() else []
    if len(found) == 1:
        return found[0].path
    named = [e for e in found if Path(e.rel).name == f"{exercise}.ipynb"]
    if len(named) == 1:
        return named[0].path
    if not found:
        raise GradescopeError(f"expected your notebook {exercise}.ipynb in the submission, got no .ipynb file: "
                              f"upload the notebook itself")
    names = ", ".join(e.rel for e in found[:5])
    raise GradescopeError(f"expected one notebook (named {exercise}.ipynb) in the submission, got {len(found)}: "
                          f"{names}")


def _grade(root: Path, config: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    from bpcourse.cli import _load_tasks
    from bpcourse.grading.batch import grade_folder, load_tasks

    src_dir = root / "source"
    source = src_dir / str(config["source"])
    tasks = _load_tasks(str(src_dir / config["tasks"])) if config.get("tasks") else None
    task_list = load_tasks(source, tasks)
    t0 = time.monotonic()
    notebook = _pick_submission(root / "submission", str(config["exercise"]))
    with tempfile.TemporaryDirectory(prefix="bpcourse-gradescope-") as tmp:
        subs = Path(tmp, "submission")
        subs.mkdir()
        shutil.copyfile(notebook, subs / notebook.name)  # only the notebook: never other uploaded files
        summary = grade_folder(source, subs, Path(tmp, "out"), seed=int(config["seed"]), jobs=1,
                               timeout=float(config["timeout"]), memory_mb=int(config["memory_mb"]),
                               n_cases=int(config["n_cases"]), tasks=task_list, log=lambda s: None,
                               feedback=str(config.get("feedback", "hints")))
        row = summary.rows[0]
        from bpcourse.grading.batch import results_stem

        fb_path = Path(tmp, "out", "feedback", f"{results_stem(row.file)}.txt")
        feedback = fb_path.read_text(encoding="utf-8") if fb_path.is_file() else ""
    return results_json(row, feedback, task_list, time.monotonic() - t0, str(config["visibility"])), True


def run(root: str | Path) -> tuple[dict[str, Any], bool]:
    """Grade ``root/submission`` and write ``root/results/results.json``; (the results, graded or not).

    A submission that cannot be graded (no notebook, or the autograder itself fails, e.g. bubblewrap is
    unavailable in the image) still gets a results.json: score 0 and the reason in ``output``.
    """
    root = Path(root)
    t0 = time.monotonic()
    try:
        config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
        results, graded = _grade(root, config)
    except (SourceError, OSError, ValueError, KeyError) as exc:
        results, graded = {"score": 0.0, "execution_time": int(round(time.monotonic() - t0)),
                           "output": f"This submission was not graded: {exc}", "tests": []}, False
    out = root / "results"
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".results.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out / "results.json")
    return results, graded


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bpcourse.grading.gradescope --root /autograder`` (what ``run_autograder`` runs)."""
    ap = argparse.ArgumentParser(prog="python -m bpcourse.grading.gradescope", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.environ.get("BPCOURSE_AUTOGRADER_ROOT", "/autograder"))
    args = ap.parse_args(argv)
    results, graded = run(args.root)
    print(results["output"])
    return 0 if graded else 1


if __name__ == "__main__":
    sys.exit(main())
