"""A released exercise as a student meets it: made by ``bpcourse release``, opened in the lab, worked on."""
from __future__ import annotations

import labdriver as ld

SOLUTION = """import numpy as np


def sigmoid(net):
    return 1.0 / (1.0 + np.exp(-net))
"""


def test_released_exercise_shows_its_self_check_messages(page, artifacts):
    shots = artifacts / "exercise"
    ld.open_path(page, f"release/{ld.RELEASED_EXERCISE}")
    ld.wait_kernel_idle(page)
    ld.restart_and_run_all(page)
    cells = page.locator(f"{ld.PANEL} .jp-CodeCell")
    stub = cells.filter(has_text="def sigmoid(net)").first
    test = cells.filter(has_text="check(sigmoid)").first
    # Run All stops at the first test cell, after the self-check has said what to do
    test.scroll_into_view_if_needed()
    ld.screenshot(page, shots / "1_stub_run_all.png")
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
    ld.screenshot(page, shots / "2_solved_task_1.png")
    said = test.locator(".jp-OutputArea").text_content()
    assert "sigmoid: public checks passed" in said and "Error" not in said, said[:500]
    ld.close_and_shut_down(page)
