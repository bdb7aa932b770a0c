"""Chapters 1 and 2's "Predict, then run" answers in the learner's JupyterLab: collapsed until clicked, then shown
with their Markdown and math rendered (tests/test_chapters_1_2.py checks the same on the static site)."""
from __future__ import annotations

import json

import pytest

import labdriver as ld

CHAPTERS = {"01_single_neuron.ipynb": 3, "02_chain_rule_and_graphs.ipynb": 4}

_ANSWERS = """() => [...document.querySelectorAll('%s .jp-RenderedMarkdown details')].map(d => ({
  open: d.open,
  summary: d.querySelector('summary')?.textContent.trim() ?? null,
  paragraphs: d.querySelectorAll('p').length,
  math: d.querySelectorAll('mjx-container, .MathJax').length,
  // a closed <details> keeps its content laid out but hidden (content-visibility): ask the browser what it shows
  visible: [...d.querySelectorAll('p')].some(p => p.checkVisibility()),
}))""" % ld.PANEL


def _answers(page) -> list[dict]:
    return page.evaluate(_ANSWERS)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_answers_are_collapsed_until_clicked_and_render_their_math(page, lab, artifacts, name):
    path = lab.root / "notebooks" / name
    expected = sum("<details>" in "".join(c["source"]) for c in json.loads(path.read_text("utf-8"))["cells"])
    assert expected == CHAPTERS[name], f"{name}: {expected} answers in the file"
    ld.open_path(page, f"notebooks/{name}")
    # JupyterLab renders a cell when it scrolls into view: walk the notebook down once, so that all are drawn
    notebook = page.locator(f"{ld.PANEL} .jp-WindowedPanel-outer")
    for _ in range(200):
        if len(_answers(page)) >= expected:
            break
        notebook.evaluate("el => el.scrollBy(0, el.clientHeight)")
        page.wait_for_timeout(100)
    ld.wait_until(lambda: len(_answers(page)) == expected, f"{expected} rendered answers in {name}")
    answers = _answers(page)
    assert all(a["summary"] and a["summary"].startswith("Answer") for a in answers), answers
    assert not any(a["open"] or a["visible"] for a in answers), f"an answer shows before it is clicked: {answers}"
    first = page.locator(f"{ld.PANEL} .jp-RenderedMarkdown details summary").first
    first.scroll_into_view_if_needed()
    first.click()
    ld.wait_until(lambda: _answers(page)[0]["visible"], "the clicked answer to open")
    opened = _answers(page)[0]
    assert opened["open"] and opened["paragraphs"] >= 1, opened
    ld.wait_until(lambda: _answers(page)[0]["math"] > 0, "the answer's math to be typeset")
    ld.screenshot(page, artifacts / "answers" / f"{name.removesuffix('.ipynb')}_answer_open.png",
                  page.locator(f"{ld.PANEL} .jp-RenderedMarkdown details").first)
    ld.close_and_shut_down(page)
