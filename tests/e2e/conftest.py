"""One JupyterLab server and one Chromium for the whole browser suite.

The server runs on a temporary copy of the repository (nothing the browser does touches the real tree), started
with the README's own ``jupyter lab`` arguments. Screenshots go to ``build/e2e-artifacts/`` (gitignored).

Without a Chromium these tests are skipped, saying so; with CI set (``.ci/run`` sets it) they fail instead,
so CI can never pass without having driven a browser.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

import labdriver as ld

ARTIFACTS = ld.ROOT / "build" / "e2e-artifacts"


@pytest.fixture(scope="session")
def chromium() -> str:
    path = ld.find_chromium()
    if path is None:
        ld.unavailable("no Chromium found (BPCOURSE_CHROMIUM, "
                     + ", ".join(ld.CHROMIUM_CANDIDATES) + "); on Debian: apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # stale screenshots would mislead whoever looks at them
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _stepper_notebook(path: Path) -> None:
    cells = [nbformat.v4.new_code_cell("from bpcourse.widgets import BackpropStepper")]
    cells += [nbformat.v4.new_code_cell(f'BackpropStepper("{graph}").view()') for graph in ld.STEPPER_GRAPHS]
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    # the metadata the course's notebooks carry, so JupyterLab starts the kernel without asking
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": spec["display_name"], "language": spec["language"], "name": KERNEL_NAME},
        "language_info": dict(IPythonKernel.language_info)})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture(scope="session")
def repo_copy(chromium, tmp_path_factory) -> Path:
    root = ld.copy_repository(tmp_path_factory.mktemp("e2e") / "bpcourse")
    _stepper_notebook(root / "e2e" / "steppers.ipynb")
    return root


@pytest.fixture(scope="session")
def lab(repo_copy, artifacts, tmp_path_factory):
    server = ld.start_lab(repo_copy, tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()
    shutil.copy(server.log, artifacts / "jupyterlab.log")


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="bpcourse-chromium-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=ld.CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1300}, device_scale_factor=1)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def session_page(browser, lab):
    page = browser.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave this page?" when reloading over a modified tab
    page.set_default_timeout(30_000)
    page.goto(lab.url("lab"))
    ld.wait_for_lab(page)
    return page


@pytest.fixture
def page(session_page, lab):
    """The lab page, with no notebook open; whatever a test leaves open (say, after a failure) is cleaned up."""
    yield session_page
    if session_page.locator(".jp-NotebookPanel").count() or session_page.locator(".jp-Dialog").count():
        for kernel in lab.api("kernels"):
            lab.delete(f"kernels/{kernel['id']}")
        session_page.goto(lab.url("lab?reset"))
        ld.wait_for_lab(session_page)
