"""Every pointer in the prose leads somewhere, and no paragraph is said twice.

"section N.M", "§N.M", "chapter N, section M", a lesson plan's part "N.M ...", a relative link (and its #anchor),
a numbered list announced as "the three ...:" and "the cell above" must all resolve; within a chapter no
paragraph may repeat another, word for word or nearly.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from prose_helpers import CHAPTERS, LESSON_PLANS, NOTEBOOKS, chapter, load, markdown_cells, source

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
HEADING = re.compile(r"^#{1,4} (\d+)\.(\d+)?\.? ", re.M)


def _headings(number: int) -> set[str]:
    """'N.M' for every numbered heading of chapter N ('## 4.6 ...'), and 'M' for '## M. ...' headings."""
    found = set()
    for _, text in markdown_cells(load(chapter(number))):
        for major, minor in HEADING.findall(text):
            found.add(f"{major}.{minor}" if minor else major)
    return found


def _prose(path: Path) -> list[tuple[int, str]]:
    if path.suffix == ".md":
        return [(0, path.read_text(encoding="utf-8"))]
    return markdown_cells(load(path))


def _chapter_number(path: Path) -> int:
    return int(path.name[:2])


PROSE_FILES = CHAPTERS + LESSON_PLANS


@pytest.mark.parametrize("path", PROSE_FILES, ids=lambda p: p.name)
def test_section_references_resolve(path):
    here = _chapter_number(path)
    for i, text in _prose(path):
        flat = re.sub(r"\s+", " ", text)
        for major, minor in re.findall(r"(?:[Ss]ections?|§)\s*(\d+)\.(\d+)", flat):
            assert f"{major}.{minor}" in _headings(int(major)), (
                f"{path.name} cell {i}: section {major}.{minor} does not exist")
        for other, sec in re.findall(r"[Cc]hapter (\d+)(?:,| \()\s*section (\d+)\b(?!\.\d)", flat):
            assert sec in _headings(int(other)), f"{path.name} cell {i}: chapter {other} has no section {sec}"
        for sec in re.findall(r"(?<![Cc]hapter \d)(?<![Cc]hapter \d\d)(?<!, )(?<!\()\bsection (\d+)\b(?!\.\d)", flat):
            assert sec in _headings(here), f"{path.name} cell {i}: 'section {sec}' has no heading '{sec}.' here"


@pytest.mark.parametrize("plan", LESSON_PLANS, ids=lambda p: p.name)
def test_lesson_plan_parts_are_sections_of_their_chapter(plan):
    number = _chapter_number(plan)
    parts = re.findall(r"^\|[^|]*\| (\d+)\.(\d+) ", plan.read_text(encoding="utf-8"), re.M)
    for major, minor in parts:
        assert int(major) == number, f"{plan.name}: part {major}.{minor} belongs to another chapter"
        assert f"{major}.{minor}" in _headings(number), (
            f"{plan.name}: part {major}.{minor} is not a section of the chapter")


def test_lesson_plans_04_and_07_parts_exist():
    assert {"4.6", "7.7"} <= _headings(4) | _headings(7)


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    # JupyterLab's anchor for a heading: its text with spaces as hyphens
    return heading.strip().replace(" ", "-")


@pytest.mark.parametrize("path", PROSE_FILES, ids=lambda p: p.name)
def test_links_resolve(path):
    for i, text in _prose(path):
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue                                   # web addresses: no network here
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            assert dest.exists(), f"{path.name} cell {i}: link to {target} leads nowhere"
            if anchor and dest.suffix == ".ipynb":
                titles = {_slug(t) for _, c in markdown_cells(load(dest)) for t in re.findall(r"^#+ (.+)$", c, re.M)}
                assert anchor in titles, f"{path.name} cell {i}: {dest.name} has no heading #{anchor}"


ITEM = re.compile(r"^(\d+\.|[*-]) ")
ANNOUNCE = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten)\b[^.:;]{0,60}:$", re.I)


def _list_after(lines: list[str]) -> int:
    """How many items the list right after an announcing line has (0 if no list follows)."""
    items = 0
    for line in lines:
        if ITEM.match(line):
            items += 1
        elif line.strip() and not line.startswith(" "):
            break                                          # the first line of ordinary text ends the list
    return items


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_announced_lists_have_the_announced_length(path):
    """'... these three things:' followed by a list must list three."""
    for i, text in markdown_cells(load(path)):
        lines = text.splitlines()
        for k, line in enumerate(lines):
            m = ANNOUNCE.search(line)
            items = _list_after(lines[k + 1:]) if m else 0
            if items:
                assert items == NUMBER_WORDS[m.group(1).lower()], (
                    f"{path.name} cell {i}: '{line.strip()}' announces {m.group(1)}, the list has {items}")


def test_list_counter_counts_items_with_continuation_lines():
    assert _list_after(["1. a", "   more", "", "2. b", "3. c", "", "After."]) == 3
    assert _list_after(["Plain text.", "1. a"]) == 0


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_cell_above_is_a_code_cell(path):
    cells = load(path)["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and re.search(r"\b(?:the )?cell above\b", source(cell)):
            assert i > 0 and cells[i - 1]["cell_type"] == "code", f"{path.name} cell {i}: 'cell above' is not code"


def _paragraphs(path: Path) -> list[tuple[int, str]]:
    out = []
    for i, text in markdown_cells(load(path)):
        for para in re.split(r"\n\s*\n", text):
            flat = " ".join(para.split())
            if len(flat) >= 80 and not flat.startswith(("|", "#", "$$")):   # tables, headings, display math
                out.append((i, flat))
    return out


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_paragraph_twice(path):
    paras = _paragraphs(path)
    for a in range(len(paras)):
        for b in range(a + 1, len(paras)):
            (i, p), (j, q) = paras[a], paras[b]
            matcher = difflib.SequenceMatcher(None, p, q, autojunk=False)
            if matcher.real_quick_ratio() < 0.8 or matcher.quick_ratio() < 0.8:
                continue
            assert matcher.ratio() < 0.8, (
                f"{path.name}: cell {j} repeats a paragraph of cell {i} ({matcher.ratio():.0%} alike): {q[:80]}...")


def test_the_duplicate_detector_sees_a_near_copy():
    p = "Take the article's own delta = o - t: 0.1 = 0.6 - t gives the target t = 0.5. The weight's gradient (BP4)."
    q = p.replace("(BP4)", "(step 3)")
    assert difflib.SequenceMatcher(None, p, q, autojunk=False).ratio() >= 0.8


def test_every_chapter_is_checked():
    assert len(CHAPTERS) == 11 and len(LESSON_PLANS) == 11, (len(CHAPTERS), len(LESSON_PLANS), NOTEBOOKS)
