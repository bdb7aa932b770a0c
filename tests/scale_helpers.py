"""Shared by the grading-at-scale tests: the toy corpus, the real ``bpcourse`` command, and comparisons."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "grading"
SUBS = FIX / "submissions"
SOURCE = FIX / "toy_exercise.ipynb"
TASKS_FILE = FIX / "toy_tasks.py"
SCALE = ROOT / "instructor" / "scale"
BIN = Path(sys.executable).parent  # the venv's bin: its `bpcourse` imports this worktree's package

#: what each corpus file is a copy of (a subfolder, a space, a leading "=" and a link are in the names)
CORPUS = {
    "correct.ipynb": "correct", "stub.ipynb": "stub", "exception.ipynb": "exception",
    "renamed_function.ipynb": "renamed_function", "syntax_error.ipynb": "syntax_error",
    "modifies_input.ipynb": "modifies_input", "invalid_json.ipynb": "invalid_json",
    "grp/zed/toy_exercise.ipynb": "correct", "with space.ipynb": "exception", "=formula.ipynb": "stub",
}


def make_corpus(folder: Path, files: dict[str, str] | None = None) -> Path:
    """A submissions folder: each name a copy of a fixture submission, plus a symbolic link."""
    folder.mkdir(parents=True)
    for rel, fixture in (files or CORPUS).items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SUBS / f"{fixture}.ipynb", folder / rel)
    if files is None:
        (folder / "link.ipynb").symlink_to(folder / "correct.ipynb")
    return folder


def env(**extra: str) -> dict[str, str]:
    """The environment of a shipped script: this venv's ``bpcourse`` first on PATH."""
    e = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    e.update(extra)
    return e


def bpcourse(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``bpcourse ARGS`` through the installed console script, as an instructor runs it."""
    return subprocess.run([str(BIN / "bpcourse"), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env())


def grade_args(subs: Path, out: Path, seed: int = 3, *extra: str | Path) -> list[str | Path]:
    return ["grade", SOURCE, subs, "--seed", str(seed), "--out", out, "--tasks", TASKS_FILE, "--quiet", *extra]


def table_without_timing(out: Path) -> str:
    """grades.csv as text with the seconds column removed (every other byte must match)."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    i = rows[0].index("seconds")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(r[:i] + r[i + 1:] for r in rows)
    return buf.getvalue()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    """The single stderr line of a command that must fail with exit status 1; asserts its shape."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert "expected" in line and ("got" in line or "given" in line), line
    for w in words:
        assert w in line, (w, line)
    return line
