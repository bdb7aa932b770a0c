"""Navigation and fit of the chapters: Previous/Next links that work, the exercise linked, outputs that fit.

Checked for every chapter.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
NAVIGATED = [p.name[:2] for p in CHAPTERS]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _chapter(number: str) -> Path:
    (path,) = [p for p in CHAPTERS if p.name.startswith(number + "_")]
    return path


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _markdown(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown"]


def _exercise(number: str) -> Path | None:
    found = sorted((ROOT / "exercises").glob("ex" + number + "_*.ipynb"))
    return found[0] if found else None


@pytest.mark.parametrize("number", NAVIGATED)
def test_previous_at_the_start_and_next_at_the_end(number):
    path = _chapter(number)
    md = _markdown(path)
    index = [p.name for p in CHAPTERS].index(path.name)
    first = md[0].split("\n\n")[:3]  # the title and the paragraph under it
    if index == 0:
        assert not any("**Previous:**" in part for part in first)
    else:
        nav = [part for part in first if part.startswith("**Previous:**")]
        assert nav, f"{path.name}: no '**Previous:**' line at the start"
        assert CHAPTERS[index - 1].name in LINK.findall(nav[0])
    if index < len(CHAPTERS) - 1:
        last = md[-1].strip().split("\n\n")[-1]
        assert last.startswith("**Next:**"), f"{path.name}: the last paragraph is not a '**Next:**' line"
        assert CHAPTERS[index + 1].name in LINK.findall(last)


@pytest.mark.parametrize("number", NAVIGATED)
def test_every_relative_link_resolves_and_the_exercise_is_linked(number):
    path = _chapter(number)
    targets = [t for text in _markdown(path) for t in LINK.findall(text) if "://" not in t and not t.startswith("#")]
    for target in targets:
        assert (path.parent / target).resolve().exists(), f"{path.name} links to {target}, which does not exist"
    exercise = _exercise(number)
    if exercise is not None:
        assert f"../exercises/{exercise.name}" in targets, f"{path.name} does not link to its exercise"


@pytest.mark.parametrize("number", NAVIGATED)
def test_no_output_line_over_100_characters(number):
    path = _chapter(number)
    for i, cell in enumerate(_cells(path)):
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                continue
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            for line in text.splitlines():
                assert len(line) <= 100, f"{path.name} cell {i}: a {len(line)}-character line: {line[:60]}..."


@pytest.mark.parametrize("number", NAVIGATED)
def test_lesson_plan_beside_the_chapter(number):
    path = _chapter(number)
    plan = NOTEBOOKS / "lesson_plans" / (path.stem + ".md")
    text = plan.read_text(encoding="utf-8")
    assert "| minutes |" in text and "## Questions for the room" in text
    assert f"(../{path.name})" in text
    for target in LINK.findall(text):
        assert (plan.parent / target).resolve().exists(), f"{plan.name} links to {target}, which does not exist"
