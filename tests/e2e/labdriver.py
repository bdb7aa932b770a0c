"""Start JupyterLab the way the README's first command does, and drive it in Chromium like a person would.

Everything here is plain functions over a Playwright ``Page``; the fixtures in ``conftest.py`` compose them.
The server runs on a temporary copy of the repository, so nothing the browser does touches the real tree.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Chromium's flags: no sandbox (CI runs as root), and nothing that would reach the network.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Where to look for a Chromium, in order; BPCOURSE_CHROMIUM overrides them all.
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

#: The notebook the stepper tests drive (e2e/steppers.ipynb in the copy) has one stepper per graph, in this order.
STEPPER_GRAPHS = ("xyz", "neuron", "chain", "two_hidden", "net322")
#: The exercise the release test opens from its chapter's link: the committed student version in exercises/.
RELEASED_EXERCISE = "ex01_single_neuron.ipynb"
#: The chapter that links to it.
EXERCISE_CHAPTER = "01_single_neuron.ipynb"

#: JupyterLab autosaves a modified document this many seconds after the change (default 120 s). The tests
#: set it short and wait past it, so a notebook that opening marks modified is really rewritten on disk.
AUTOSAVE_SECONDS = 1

#: What must never be visible in a notebook that holds a widget.
WIDGET_FAILURES = ("Error displaying widget", "model not found")
#: Text a widget shows only when it did not render: its Python repr. (The explorer's fixed text/plain form,
#: the stepper's class name, and ipywidgets' own reprs such as "VBox(children=(...".)
WIDGET_REPR = re.compile(
    r"TrainingExplorer|BackpropStepper|"
    r"\b(?:V|H|Grid)?Box\(children=|\b(?:Float|Int)(?:Log)?Slider\(|\bDropdown\(|\bOutput\(|\bButton\("
)

STDERR_MIME = "application/vnd.jupyter.stderr"  # JupyterLab renders errors and stderr streams with it
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"  # (a rendered widget's output has no mime attribute)


def unavailable(reason: str) -> None:
    """Skip the browser tests, saying why; with CI set, fail instead: CI must not pass without them."""
    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run: {reason}; CI is set, and CI must not pass without them",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def find_chromium() -> str | None:
    """The path of a Chromium to drive, or None."""
    override = os.environ.get("BPCOURSE_CHROMIUM")
    for candidate in ([override] if override else []) + list(CHROMIUM_CANDIDATES):
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.access(path, os.X_OK):
            return path
    return None


# ------------------------------------------------------------------------------------------- the server
def readme_lab_command(readme: Path = ROOT / "README.md") -> list[str]:
    """The README's first command's ``jupyter lab ...`` part, as arguments after ``jupyter``."""
    text = readme.read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)\n```", text, flags=re.S).group(1)
    part = next(p for p in first.split("&&") if re.search(r"\bjupyter\s+lab\b", p))
    words = shlex.split(part)
    return words[words.index("lab"):]


def copy_repository(dest: Path) -> Path:
    """A copy of the working tree (what a learner has after cloning), without the venv and build folders."""
    ignore = shutil.ignore_patterns(".venv", ".venv-test", ".git", "build", "dist", "__pycache__", "*.egg-info",
                                    ".ipynb_checkpoints", ".hypothesis", ".pytest_cache")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def _lab_settings(settings_dir: Path) -> None:
    _write_json(settings_dir / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
                {"autosave": True, "autosaveInterval": AUTOSAVE_SECONDS})
    # no "get notified about Jupyter news?" toast over the screenshots, and no update check on the network
    _write_json(settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})


def _learners_config(config_dir: Path) -> None:
    """Switch off what only the test extras bring (nbgrader), so the tested lab is the learner's lab."""
    _write_json(config_dir / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": {
        "nbgrader.server_extensions.formgrader": False,
        "nbgrader.server_extensions.validate_assignment": False,
        "nbgrader.server_extensions.assignment_list": False,
        "nbgrader.server_extensions.course_list": False,
    }}})
    _write_json(config_dir / "labconfig" / "page_config.json", {"disabledExtensions": {"@jupyter/nbgrader": True}})


@dataclass
class LabServer:
    process: subprocess.Popen
    root: Path          # the server's root directory (the repository copy)
    base_url: str       # http://127.0.0.1:PORT
    token: str
    start_url: str      # the page the README's command opens in the browser
    log: Path

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path}{sep}token={self.token}"

    def api(self, path: str) -> object:
        with urllib.request.urlopen(self.url(f"api/{path}"), timeout=10) as r:
            return json.loads(r.read())

    def delete(self, path: str) -> None:
        request = urllib.request.Request(self.url(f"api/{path}"), method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        if self.process.poll() is None:
            # on SIGTERM the server shuts its kernels down before it exits
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def start_lab(root: Path, work: Path, timeout: float = 90) -> LabServer:
    """Start JupyterLab in ``root`` with the README's arguments plus a port, a token and no browser."""
    env = dict(os.environ)
    for name in ("config", "runtime", "ipython", "settings", "workspaces"):
        (work / name).mkdir(parents=True, exist_ok=True)
    env.update(JUPYTER_CONFIG_DIR=str(work / "config"), JUPYTER_RUNTIME_DIR=str(work / "runtime"),
               IPYTHONDIR=str(work / "ipython"))
    env.pop("JUPYTER_TOKEN", None)
    _learners_config(work / "config")
    _lab_settings(work / "settings")
    token, port = secrets.token_hex(16), _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]
    command += readme_lab_command() + [
        "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--LabApp.user_settings_dir={work / 'settings'}",
        f"--LabApp.workspaces_dir={work / 'workspaces'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI runs as root
    log = work / "jupyterlab.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = LabServer(process, root, f"http://127.0.0.1:{port}", token, "", log)
    deadline = time.monotonic() + timeout
    open_file = work / "runtime" / f"jpserver-file-to-run-{process.pid}-open.html"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {process.returncode}:\n{log.read_text()[-3000:]}")
        if open_file.exists():
            try:
                server.api("status")
            except OSError:
                pass
            else:
                # the page jupyter_server would have opened in a browser: the README's start page
                server.start_url = re.search(r'url=([^"]+)"', open_file.read_text()).group(1)
                return server
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"JupyterLab did not start within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


# ------------------------------------------------------------------------------------------- the browser
#: The notebook on screen (JupyterLab hides the other tabs' panels with lm-mod-hidden).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def wait_for_lab(page, timeout: float = 90_000) -> None:
    page.wait_for_selector("#jp-main-dock-panel", timeout=timeout)
    page.wait_for_selector(".jp-DirListing-content", timeout=timeout)


def menu(page, top: str, item: str) -> None:
    """Click ``top`` in the menu bar, then ``item`` in its menu."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first.click()


def accept_dialog(page, timeout: float = 10_000) -> None:
    page.locator(".jp-Dialog .jp-mod-accept").click(timeout=timeout)
    page.locator(".jp-Dialog").wait_for(state="detached", timeout=timeout)


def open_path(page, path: str) -> None:
    """File ▸ Open from Path…, as a learner who knows the file's name would."""
    menu(page, "File", "Open from Path…")
    field = page.locator(".jp-Dialog input")
    field.fill(path)
    accept_dialog(page)
    name = path.rsplit("/", 1)[-1]
    page.locator(f".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel", has_text=name).wait_for(timeout=30_000)
    page.locator(PANEL).wait_for(timeout=30_000)


_KERNEL_STATE = """() => {
  const panel = document.querySelector('%s');
  return {
    status: panel?.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status'),
    kernel: panel?.querySelector('.jp-KernelName')?.textContent.trim(),
    dialog: document.querySelector('.jp-Dialog')?.textContent ?? null,
  };
}""" % PANEL


def wait_kernel_idle(page, timeout: float = 60) -> None:
    """Wait until the notebook on screen has its kernel started and idle (JupyterLab starts it on opening)."""
    deadline = time.monotonic() + timeout
    while True:
        state = page.evaluate(_KERNEL_STATE)
        if state["dialog"] and "Select Kernel" in state["dialog"]:
            raise AssertionError(f"JupyterLab asks which kernel to start: {state['dialog'][:200]!r}")
        if state["status"] == "idle" and state["kernel"] and state["kernel"] != "No Kernel":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel was not idle within {timeout:.0f} s: {state}")
        time.sleep(0.2)


def is_dirty(page) -> bool:
    return page.locator(".lm-TabBar-tab.lm-mod-current.jp-mod-dirty").count() > 0


_WATCH_PROMPTS = """() => {
  const nb = document.querySelector('%s .jp-Notebook');
  window.__bpRan = false;
  const seen = () => [...nb.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
  window.__bpObserver?.disconnect();
  window.__bpObserver = new MutationObserver(() => { if (seen()) window.__bpRan = true; });
  window.__bpObserver.observe(nb, {subtree: true, childList: true, characterData: true});
}""" % PANEL

_RUN_STATE = """() => {
  const panel = document.querySelector('%s');
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const status = panel.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status');
  return {ran: window.__bpRan, prompts, status};
}""" % PANEL


def restart_and_run_all(page, timeout: float = 120) -> list[str]:
    """Kernel ▸ Restart Kernel and Run All Cells…, then wait until the last cell has run (or one failed).

    Returns the code cells' prompts ("[1]:", "[ ]:" for cells that did not run after an error, ...)."""
    page.evaluate(_WATCH_PROMPTS)
    menu(page, "Kernel", "Restart Kernel and Run All Cells…")
    accept_dialog(page)
    deadline, stable = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        state = page.evaluate(_RUN_STATE)
        busy = any("*" in p for p in state["prompts"])
        stable = stable + 1 if state["ran"] and not busy and state["status"] == "idle" else 0
        if stable >= 3:  # idle between two cells lasts milliseconds; three polls 0.2 s apart is done
            return state["prompts"]
        time.sleep(0.2)
    raise TimeoutError(f"Run All did not finish within {timeout:.0f} s: {page.evaluate(_RUN_STATE)}")


def close_and_shut_down(page) -> None:
    """File ▸ Close and Shut Down Notebook… on the notebook on screen."""
    panel_id = page.locator(PANEL).get_attribute("id")
    menu(page, "File", "Close and Shut Down Notebook…")
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=10_000)
    accept_dialog(page)
    # a notebook modified since the last autosave asks whether to save: the copy does not matter
    if page.locator(".jp-Dialog").count():
        page.locator(".jp-Dialog button", has_text=re.compile("Discard|Don.t Save")).click()
    page.locator(f"#{panel_id}").wait_for(state="detached", timeout=10_000)


def run_cell(page, cell) -> None:
    """Click into a cell and press Shift+Enter, as a learner runs one cell."""
    cell.locator(".jp-InputArea").click()
    page.keyboard.press("Escape")  # command mode: Shift+Enter runs the cell whatever the editor holds
    page.keyboard.press("Shift+Enter")


def outputs_with_mime(page, mime: str) -> list[str]:
    return page.eval_on_selector_all(f'{PANEL} .jp-OutputArea-output[data-mime-type="{mime}"]',
                                     "els => els.map(e => e.textContent)")


def output_text(page) -> str:
    """All output text of the notebook on screen (textContent: also cells scrolled out of view)."""
    return "\n".join(page.eval_on_selector_all(f"{PANEL} .jp-OutputArea-output",
                                               "els => els.map(e => e.textContent)"))


def widget_problems(page) -> list[str]:
    """What a learner would see instead of a working widget, on the notebook on screen."""
    problems = []
    text = output_text(page)
    problems += [f"shows {failure!r}" for failure in WIDGET_FAILURES if failure in text]
    for shown in outputs_with_mime(page, "text/plain"):
        if WIDGET_REPR.search(shown):
            problems.append(f"shows a text repr instead of a widget: {shown[:120]!r}")
    unrendered = page.eval_on_selector_all(
        f'{PANEL} .jp-OutputArea-output[data-mime-type="{WIDGET_MIME}"]',
        "els => els.filter(e => !e.querySelector('.jupyter-widgets, .widget-box, .widget-inline-hbox'))"
        ".map(e => e.textContent)")
    problems += [f"widget output not rendered: {u[:120]!r}" for u in unrendered]
    return problems


# A number as the widgets print it: "−0.0464", "2", "1.5e-05"; not the digits of a name such as w_1 or x1.
NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?")


def numbers(text: str) -> list[str]:
    """The numbers in a formula or label, in order, with the minus sign as "-"."""
    return [n.replace("−", "-") for n in NUMBER.findall(text)]


def shows(value: float, shown: str) -> bool:
    """Whether ``shown`` is ``value`` rounded to the digits shown."""
    decimals = len(shown.split("e")[0].partition(".")[2])
    exponent = int(shown.split("e")[1]) if "e" in shown else 0
    return abs(value - float(shown)) <= 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9) + 1e-15


def wait_until(condition, what: str, timeout: float = 15) -> None:
    """Poll ``condition()`` until it is true; fail saying ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.2)


def live_widget_outputs(page) -> int:
    """How many outputs of the notebook on screen hold a live (rendered, kernel-backed) widget."""
    return page.eval_on_selector_all(f"{PANEL} .jp-OutputArea-output",
                                     "els => els.filter(e => e.querySelector('.jupyter-widgets')).length")


def screenshot(page, path: Path, locator=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if locator is not None:
        # cells out of view are laid out lazily (content-visibility): bring it in, let it take its real size
        locator.scroll_into_view_if_needed()
        page.wait_for_timeout(400)
        locator.scroll_into_view_if_needed()
    (locator or page).screenshot(path=str(path))
    return path
