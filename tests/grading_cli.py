"""Grade one learner notebook through the real ``bpcourse grade`` command line (a test helper)."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat


def grade_one(source: Path, notebook: nbformat.NotebookNode, tmp_path: Path, seed: int) -> tuple[dict[str, str], str]:
    """Write ``notebook`` as the only submission, grade it against ``source`` with ``seed``; (CSV row, feedback)."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(notebook, str(subs / "learner.ipynb"))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "bpcourse.cli", "grade", str(source), str(subs), "--seed", str(seed),
                          "--out", str(out), "--quiet"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    with (out / "grades.csv").open(newline="") as f:
        row = next(csv.DictReader(f))
    return row, (out / "feedback" / "learner.txt").read_text(encoding="utf-8")
