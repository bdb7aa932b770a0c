"""The per-exercise spec modules (bpcourse/grading/specs/) and the index that assembles them (grading/tasks.py)."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bpcourse.grading import tasks

SPECS = sorted(p.stem for p in (Path(tasks.__file__).parent / "specs").glob("ex[0-9][0-9]_*.py"))


def test_one_spec_module_per_exercise_notebook_in_course_order():
    notebooks = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "instructor" / "source").glob(
        "ex[0-9][0-9]/ex[0-9][0-9]_*.ipynb"))
    assert notebooks == SPECS
    modules = [importlib.import_module(f"bpcourse.grading.specs.{name}") for name in SPECS]
    assert tasks.EXERCISES == tuple(m.EXERCISE for m in modules) == tuple(notebooks)
    assert list(tasks.TASKS.values()) == [t for m in modules for t in m.TASKS]
    for m in modules:
        assert m.TASKS and all(t.exercise == m.EXERCISE for t in m.TASKS), m.__name__
        assert tasks.allowlist_for(m.EXERCISE) == m.ALLOWLIST
        assert tasks.WITHHELD.get(m.EXERCISE, {}) == getattr(m, "WITHHELD", {})


@pytest.mark.parametrize("task_id", sorted(tasks.TASKS))
def test_every_guard_names_a_callable_of_the_package(task_id):
    for guard in tasks.TASKS[task_id].guards:
        parts = guard.split(".")
        # the longest importable module prefix, then attributes (a function, or Class.method)
        for cut in range(len(parts) - 1, 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
                break
            except ImportError:
                continue
        for attr in parts[cut:]:
            assert hasattr(obj, attr), f"{task_id}: guard {guard} does not exist ({attr} missing)"
            obj = getattr(obj, attr)
        assert callable(obj), f"{task_id}: guard {guard} is not callable"


def test_unknown_exercises_are_named():
    with pytest.raises(ValueError, match="unknown exercise 'nope'; expected one of ex01_single_neuron"):
        tasks.tasks_for("nope")
    with pytest.raises(LookupError, match="no allowlist for exercise 'nope'"):
        tasks.allowlist_for("nope")
