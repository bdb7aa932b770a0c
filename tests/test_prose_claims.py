"""Numbers in the prose are re-derived from the executed notebooks (the register is ``tests/prose_claims.py``)."""
from __future__ import annotations

import re

import pytest

from prose_claims import CLAIMS, LESSON_PLAN_CLAIMS, LESSON_PLAN_HISTORY, NOT_RESULTS, Claim
from prose_helpers import (CHAPTERS, LESSON_PLANS, ROOT, chapter, load, markdown_cells, output_text, source,
                           strip_quotes_and_fences)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _evidence(claim: Claim) -> str:
    if claim.source == "computed":
        return ""
    if claim.source.startswith("data:"):
        return (ROOT / claim.source[len("data:"):]).read_text(encoding="utf-8")
    piece = claim.source.removeprefix("code:")
    cells = [c for c in load(chapter(claim.chapter))["cells"] if c["cell_type"] == "code" and piece in source(c)]
    assert len(cells) == 1, f"chapter {claim.chapter}: {len(cells)} code cells contain {piece!r}, expected 1"
    if claim.source.startswith("code:"):
        return source(cells[0])
    text = output_text(cells[0])
    assert text.strip(), f"chapter {claim.chapter}: the cell with {claim.source!r} has no stored output"
    return text


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: f"ch{c.chapter}:{c.prose[:40]}")
def test_the_prose_states_what_the_output_shows(claim):
    prose = " ".join(_flat(text) for _, text in markdown_cells(load(chapter(claim.chapter))))
    assert claim.prose in prose, f"chapter {claim.chapter} no longer says {claim.prose!r}: update it and its claim"
    assert claim.derive(_evidence(claim)) == claim.prose, (
        f"chapter {claim.chapter} says {claim.prose!r}, the output gives {claim.derive(_evidence(claim))!r}")


def test_claims_are_unique_and_cover_the_chapters_the_issue_named():
    keys = [(c.chapter, c.prose) for c in CLAIMS]
    assert len(keys) == len(set(keys)), "a claim is registered twice"
    assert {1, 2, 3, 4, 5, 8, 9, 10} <= {c.chapter for c in CLAIMS}


def test_a_drifted_number_fails():
    claim = next(c for c in CLAIMS if c.chapter == 8)
    drifted = re.sub(r"0\.83", "0.82", _evidence(claim))
    assert claim.derive(drifted) != claim.prose


# ------------------------------------------------------------------ every precise number comes from an output
DECIMAL = re.compile(r"(?<![\w.^{\\])[-−]?\d+\.\d+(?![\w}])")
HEADING_NUMBER = re.compile(r"^#+ (\d+\.\d+) ", re.M)


def _significant_digits(number: str) -> int:
    return len(number.lstrip("-−").replace(".", "").lstrip("0"))


def _printed_numbers(nb: dict) -> set[str]:
    """Every number the chapter prints, unsigned (the prose may write the sign apart), in positional notation:
    a printed 9.71e-01 counts as 0.971, with exactly the digits it was printed with."""
    text = " ".join(output_text(c) for c in nb["cells"] if c["cell_type"] == "code")
    found = set(re.findall(r"\d+\.\d+", text))
    for mantissa, exponent in re.findall(r"(\d\.\d+)e([+-]\d+)", text):
        decimals = max(0, len(mantissa) - 2 - int(exponent))
        found.add(f"{float(mantissa) * 10 ** int(exponent):.{decimals}f}")
    return found


def _rounds_to(number: str, printed: set[str]) -> bool:
    """True if ``number`` is one of the printed numbers, or one of them rounded to ``number``'s decimals."""
    unsigned = number.lstrip("-−")
    value, decimals = float(unsigned), len(unsigned.split(".")[1])
    if unsigned in printed:
        return True
    return any(len(p.partition(".")[2]) > decimals and round(float(p), decimals) == value for p in printed)


def _sections() -> set[str]:
    return {n for path in CHAPTERS for _, text in markdown_cells(load(path)) for n in HEADING_NUMBER.findall(text)}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_precise_numbers_in_the_prose_are_printed_by_the_chapter(path):
    """A decimal with two or more significant digits in the prose is a result: the chapter must print it (or a more
    precise value that rounds to it), or the register must derive it. Section numbers are not results."""
    nb = load(path)
    printed, sections = _printed_numbers(nb), _sections()
    registered = " ".join(c.prose for c in CLAIMS if c.chapter == int(path.name[:2]))
    for i, text in markdown_cells(nb):
        for number in DECIMAL.findall(_flat(strip_quotes_and_fences(text))):   # the articles' numbers are theirs
            if _significant_digits(number) < 2 or number in sections or number in registered:
                continue
            assert _rounds_to(number, printed), (
                f"{path.name} cell {i}: {number} is printed nowhere in the chapter's output; print it, or register "
                "how it is derived in tests/prose_claims.py")


def test_rounding_rule():
    assert _rounds_to("1.52", {"1.5163"}) and _rounds_to("−0.341", {"0.341"})
    assert not _rounds_to("0.82", {"0.83"}) and not _rounds_to("0.64", {"0.63", "0.6"})
    printed = _printed_numbers({"cells": [{"cell_type": "code", "outputs": [{"text": "std 9.71e-01, 1.73e-02"}]}]})
    assert _rounds_to("0.97", printed) and _rounds_to("0.017", printed) and not _rounds_to("0.018", printed)


# --------------------------------------------------------------------------------------------- lesson plans
@pytest.mark.parametrize("claim", LESSON_PLAN_CLAIMS, ids=lambda c: f"plan{c.chapter}:{c.prose[:30]}")
def test_lesson_plan_numbers_are_what_the_stepper_and_the_board_give(claim):
    plan = next(p for p in LESSON_PLANS if p.name.startswith(f"{claim.chapter:02d}_"))
    assert claim.prose in _flat(plan.read_text(encoding="utf-8")), f"{plan.name} no longer says {claim.prose!r}"
    assert claim.derive("") == claim.prose, f"{plan.name} says {claim.prose!r}, computed: {claim.derive('')!r}"


@pytest.mark.parametrize("plan", LESSON_PLANS, ids=lambda p: p.name)
def test_lesson_plan_numbers_agree_with_the_chapter(plan):
    """A decimal in a lesson plan is one its chapter states or prints, or one registered above."""
    number = int(plan.name[:2])
    nb = load(chapter(number))
    prose = " ".join(_flat(text) for _, text in markdown_cells(nb))
    printed, sections = _printed_numbers(nb), _sections()
    allowed = " ".join([c.prose for c in LESSON_PLAN_CLAIMS if c.chapter == number]
                       + [words for n, words in LESSON_PLAN_HISTORY if n == number])
    for line in _flat(plan.read_text(encoding="utf-8")).split(". "):
        for value in DECIMAL.findall(line):
            if _significant_digits(value) < 2 or value in sections or value.lstrip("-−") in prose:
                continue
            assert value in allowed or _rounds_to(value, printed), (
                f"{plan.name}: {value} is neither stated nor printed by chapter {number} ('{line[:80]}')")


WHOLE = re.compile(r"(?<![\w.,^{\\$-])\d{1,3}(?:,\d{3})+(?![\w.}])|(?<![\w.,^{\\-])\d{2,}(?![\w.,}%])")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_whole_numbers_in_the_prose_come_from_the_chapter(path):
    """A whole number of two or more digits in the prose (outside formulas, links and quotations) is one the
    chapter prints or sets in its code, a registered claim, or a listed non-result."""
    nb = load(path)
    number = int(path.name[:2])
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    everything = " ".join(output_text(c) + source(c) for c in code)
    known = set(re.findall(r"\d+", everything.replace(",", "").replace("_", "")))
    registered = " ".join(c.prose for c in CLAIMS if c.chapter == number)
    listed = {n for ch, n, _ in NOT_RESULTS if ch == number}
    for i, text in markdown_cells(nb):
        plain = re.sub(r"\$[^$]*\$|\[[^\]]*\]\([^)]*\)", " ", _flat(strip_quotes_and_fences(text)))
        for whole in WHOLE.findall(plain):
            assert whole.replace(",", "") in known or whole in registered or whole in listed, (
                f"{path.name} cell {i}: {whole} is neither printed nor set by the chapter's code; register it")
