"""Numbers in the prose are re-derived from the executed notebooks (the register is ``tests/prose_claims.py``)."""
from __future__ import annotations

import re

import pytest

from prose_claims import CLAIMS, Claim
from prose_helpers import ROOT, chapter, load, markdown_cells, output_text, source


def _flat(text: str) -> str:
    return " ".join(text.split())


def _evidence(claim: Claim) -> str:
    if claim.source.startswith("data:"):
        return (ROOT / claim.source[len("data:"):]).read_text(encoding="utf-8")
    cells = [c for c in load(chapter(claim.chapter))["cells"] if c["cell_type"] == "code" and claim.source in source(c)]
    assert len(cells) == 1, f"chapter {claim.chapter}: {len(cells)} code cells contain {claim.source!r}, expected 1"
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
    assert {1, 3, 4, 5, 8, 9, 10} <= {c.chapter for c in CLAIMS}


def test_a_drifted_number_fails():
    claim = next(c for c in CLAIMS if c.chapter == 8)
    drifted = re.sub(r"0\.83", "0.82", _evidence(claim))
    assert claim.derive(drifted) != claim.prose
