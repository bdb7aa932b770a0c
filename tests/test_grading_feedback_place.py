"""Feedback points at the right place: a task whose function is missing names the failed cell that defines it."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from grading_cli import grade_one

from bpcourse.grading.layout import source_path
from bpcourse.grading.release import release_with_solutions

ROOT = Path(__file__).resolve().parents[1]


def test_each_missing_function_names_the_failed_cell_that_defines_it(tmp_path):
    source = source_path(ROOT, "ex06_fully_connected_layer")
    nb = release_with_solutions(nbformat.read(str(source), as_version=4))
    broken = {}
    for i, c in enumerate(nb.cells):
        m = re.match(r"def (\w+)\(", c.source)
        if c.cell_type == "code" and m:
            c.source = c.source.replace("\n", "\n  ", 3)  # an indentation error on line 2
            broken[m.group(1)] = i + 1  # the grader numbers cells from 1, as the learner counts them
    assert len(broken) == 3
    _, feedback = grade_one(source, nb, tmp_path, seed=1)
    for function, cell in broken.items():
        block = feedback.split(f"no function named `{function}` is defined", 1)[1].split("\n", 1)[0]
        assert f"which may be why: cell {cell}, line " in block, feedback
