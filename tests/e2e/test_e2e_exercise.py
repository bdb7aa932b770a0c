"""An exercise as a student meets it: opened from its chapter's link, the student version, worked on."""
from __future__ import annotations

import re

import labdriver as ld

SOLUTION = """import numpy as np


def sigmoid(net):
    return 1.0 / (1.0 + np.exp(-net))
"""


def _tab_labels(page) -> list[str]:
    return [t.strip() for t in page.locator(".lm-DockPanel .lm-TabBar-tab .lm-TabBar-tabLabel").all_text_contents()]


def test_the_chapters_exercise_link_opens_the_student_version_in_a_tab_of_its_own(page, artifacts):
    shots = artifacts / "exercise"
    ld.open_path(page, f"notebooks/{ld.EXERCISE_CHAPTER}")
    # the link is at the chapter's end; JupyterLab renders only the cells near the view, so scroll down there
    page.evaluate("""(panel) => { const o = document.querySelector(panel + ' .jp-WindowedPanel-outer');
                                  o.scrollTop = o.scrollHeight; }""", ld.PANEL)
    # JupyterLab points a relative link at the file's URL (files/exercises/...), and opens it in a tab on click
    link = page.locator(f"{ld.PANEL} .jp-RenderedMarkdown a[href*='files/exercises/{ld.RELEASED_EXERCISE}']").first
    link.scroll_into_view_if_needed()
    ld.screenshot(page, shots / "0_chapter_link.png")
    link.click()
    page.locator(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel",
                 has_text=re.compile(rf"^{re.escape(ld.RELEASED_EXERCISE)}$")).wait_for(timeout=30_000)
    panel = page.locator(ld.PANEL)
    panel.locator(".jp-Cell").first.wait_for(timeout=30_000)
    # the exercise's tab does not share the chapter's name: a learner tells the two apart at a glance
    labels = _tab_labels(page)
    assert ld.EXERCISE_CHAPTER in labels and ld.RELEASED_EXERCISE in labels, labels
    assert len(set(labels)) == len(labels), labels
    # what it shows is the student version: the stub, no solution, no hidden test, nothing run yet
    stub = panel.locator(".jp-CodeCell", has_text="def sigmoid(net)").first
    stub.scroll_into_view_if_needed()
    ld.screenshot(page, shots / "1_opened_from_chapter.png")
    code = "\n".join(panel.locator(".jp-CodeCell .jp-InputArea-editor").all_text_contents())
    assert "raise NotImplementedError()" in stub.text_content(), stub.text_content()
    assert "BEGIN SOLUTION" not in code and "HIDDEN TESTS" not in code, code[:500]
    assert "return 1.0 / (1.0 + np.exp(-net))" not in code  # the instructor's sigmoid
    outputs = panel.locator(".jp-CodeCell .jp-OutputArea-output").all_text_contents()
    assert outputs == [], outputs[:3]  # in particular no stored "public checks passed"
    prompts = [p.strip() for p in panel.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()]
    assert all(not re.search(r"\[\d+\]", p) for p in prompts), prompts  # no execution counts
    ld.close_and_shut_down(page)  # the exercise
    ld.close_and_shut_down(page)  # the chapter


def test_released_exercise_shows_its_self_check_messages(page, artifacts):
    shots = artifacts / "exercise"
    ld.open_path(page, f"exercises/{ld.RELEASED_EXERCISE}")
    ld.wait_kernel_idle(page)
    ld.restart_and_run_all(page)
    cells = page.locator(f"{ld.PANEL} .jp-CodeCell")
    stub = cells.filter(has_text="def sigmoid(net)").first
    test = cells.filter(has_text="check(sigmoid)").first
    # Run All stops at the first test cell, after the self-check has said what to do
    test.scroll_into_view_if_needed()
    ld.screenshot(page, shots / "2_stub_run_all.png")
    said = test.locator(".jp-OutputArea").text_content()
    assert "NotImplementedError" in said and "replace it with your code" in said, said[:500]

    # the student writes the function and runs its cell, then the test cell
    stub.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(SOLUTION)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    test.locator(".jp-OutputArea", has_text="public checks passed").wait_for(timeout=30_000)
    test.scroll_into_view_if_needed()
    ld.screenshot(page, shots / "3_solved_task_1.png")
    said = test.locator(".jp-OutputArea").text_content()
    assert "sigmoid: public checks passed" in said and "Error" not in said, said[:500]
    ld.close_and_shut_down(page)
