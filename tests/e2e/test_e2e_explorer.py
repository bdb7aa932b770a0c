"""Chapter 9's training explorer as a learner uses it: every control retrains and redraws, none goes blank."""
from __future__ import annotations

import re

import labdriver as ld

CHAPTER = "notebooks/09_training_in_practice.ipynb"


def _significant_digits(shown: str) -> int:
    mantissa = shown.split("e")[0].lstrip("-−0.").replace(".", "")
    return len(mantissa.rstrip("0")) if "." in shown.split("e")[0] else len(mantissa)


class ExplorerOnPage:
    """Chapter 9's explorer, by its DOM hooks (bp-explorer, bp-explorer-<setting>, -status, -plot)."""

    def __init__(self, page) -> None:
        self.page = page
        self.root = page.locator(f"{ld.PANEL} .bp-explorer").first

    def control(self, setting: str):
        return self.root.locator(f".bp-explorer-{setting}")

    def status(self) -> str:
        return self.root.locator(".bp-explorer-status").text_content().strip()

    def plot(self) -> str:
        return self.root.locator(".bp-explorer-plot").inner_html()

    def dropdowns(self) -> list[tuple[int, str]]:
        """(selectedIndex, shown text) of every drop-down: index -1 or empty text is a blank drop-down."""
        return self.root.locator("select").evaluate_all(
            "els => els.map(s => [s.selectedIndex, s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].text])")

    def drag(self, setting: str, dx: float) -> None:
        """Drag the slider's handle by dx pixels, as a mouse does."""
        box = self.control(setting).locator(".noUi-handle").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + dx, y, steps=8)
        self.page.mouse.up()

    def readout(self, setting: str) -> str:
        return self.control(setting).locator(".widget-readout").text_content().strip()


def test_explorer_updates_after_each_control_change(page, artifacts):
    shots = artifacts / "widgets" / "explorer"
    ld.open_path(page, CHAPTER)
    ld.wait_kernel_idle(page)
    # the chapter's imports, then the explorer's cell (the chapter tests run all of chapter 9 already)
    cells = page.locator(f"{ld.PANEL} .jp-CodeCell")
    ld.run_cell(page, cells.first)
    ld.run_cell(page, cells.filter(has_text="build_ui()").last)
    explorer = ExplorerOnPage(page)
    explorer.root.scroll_into_view_if_needed()
    ld.wait_until(lambda: explorer.status() and "<svg" in explorer.plot(), "the explorer's first loss curve")
    ld.screenshot(page, shots / "0_initial.png", explorer.root)
    problems = []

    def changed(what: str, action, expect: str | None = None) -> None:
        status, plot = explorer.status(), explorer.plot()
        action()
        try:
            ld.wait_until(lambda: explorer.status() != status and explorer.plot() != plot,
                          f"the explorer to retrain and redraw after {what}", timeout=60)
        except TimeoutError as err:
            problems.append(str(err))
        if expect and expect not in explorer.status():
            problems.append(f"after {what} the summary says {explorer.status()!r}, without {expect!r}")
        blank = [shown for index, shown in explorer.dropdowns() if index < 0 or not shown.strip()]
        if blank:
            problems.append(f"after {what} a drop-down is blank: {explorer.dropdowns()}")
        ld.screenshot(page, shots / f"{len(list(shots.glob('*.png')))}_{what.replace(' ', '_')}.png", explorer.root)

    optimiser = explorer.control("optimizer").locator("select")
    changed("optimiser adam", lambda: optimiser.select_option(label="adam"), "adam")
    batch = explorer.control("batch-size").locator("select")
    changed("batch full", lambda: batch.select_option(label="full"), "full batch")
    changed("dragging eta", lambda: explorer.drag("eta", -40))
    for shown in [explorer.readout("eta")] + re.findall(r"η = ([0-9.e+−-]+)", explorer.status()):
        if _significant_digits(shown) > 3:
            problems.append(f"η is shown as {shown!r} after dragging: more digits than anyone can read")
    changed("dragging epochs", lambda: explorer.drag("epochs", -20))
    epochs = explorer.readout("epochs")
    if f"{epochs} epochs" not in explorer.status():
        problems.append(f"the epochs slider shows {epochs}, the summary {explorer.status()!r}")
    seed = explorer.control("seed").locator("input")
    changed("seed 1", lambda: (seed.fill("1"), seed.press("Enter")), "seed 1")
    changed("optimiser momentum", lambda: optimiser.select_option(label="momentum"), "momentum")
    ld.close_and_shut_down(page)
    assert not problems, "\n".join(problems)
