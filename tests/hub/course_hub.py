"""A real JupyterHub for one test: three temporary Unix users, the course's shipped config, and a full clean-up.

``course_hub(root)`` creates the instructor and two students (random names), the exchange and the hub's state
under ``root``, starts ``jupyterhub -f instructor/jupyterhub/jupyterhub_config.py`` (which starts
configurable-http-proxy and, on request, each user's server as that user), and on the way out, also after a
failure: stops the hub (which stops the servers and the proxy), ends what is left of the processes the test
started (by pid), deletes the users and ``root``, and records in ``CourseHub.leaks`` anything still left.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from hub_client import OPENER, Hub
from hub_unix import (User, account_entries, create_user, delete_user, files_owned_by, free_port,
                      kill_processes, processes, readable_view)

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "instructor" / "jupyterhub" / "jupyterhub_config.py"
COURSE_ID = "bpcourse"


@dataclass
class CourseHub:
    """The running hub, its users and folders, and (after the context) what clean-up could not remove."""

    root: Path
    hub: Hub | None = None
    instructor: User | None = None
    students: list[User] = field(default_factory=list)
    course_id: str = COURSE_ID
    log: Path | None = None
    proc: subprocess.Popen | None = None
    swept: list[str] = field(default_factory=list)  # processes the hub's own shutdown left, which the sweep ended
    leaks: list[str] = field(default_factory=list)

    @property
    def users(self) -> list[User]:
        return [u for u in [self.instructor, *self.students] if u]

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:] if self.log else ""
        except FileNotFoundError:
            return ""


def _wait_for_hub(url: str, proc: subprocess.Popen, ch: CourseHub, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyterhub exited with status {proc.returncode}:\n{ch.log_tail()}")
        try:
            with OPENER.open(f"{url}/hub/api/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"jupyterhub did not answer on {url} within {timeout:.0f} s:\n{ch.log_tail()}")


def _start(ch: CourseHub, proxy_cmd: Path) -> None:
    prefix = "bp" + secrets.token_hex(3)  # unique names: never an existing user's
    homes = ch.root / "home"
    homes.mkdir(mode=0o755)
    ch.instructor = create_user(f"{prefix}i", homes / f"{prefix}i")
    for i in (1, 2):  # one by one, so that a failure still leaves the ones made on the list to delete
        ch.students.append(create_user(f"{prefix}s{i}", homes / f"{prefix}s{i}"))
    exchange = ch.root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # as nbgrader's one-machine set-up: every user writes to the exchange
    state = ch.root / "hub"
    state.mkdir(mode=0o700)
    ch.log = state / "jupyterhub.log"
    port, token = free_port(), secrets.token_hex(32)
    venv_bin = Path(sys.executable).parent
    env = dict(os.environ,
               PATH=os.pathsep.join([str(venv_bin), str(proxy_cmd.parent), "/usr/local/bin", "/usr/bin", "/bin"]),
               BPCOURSE_COURSE_ID=ch.course_id, BPCOURSE_INSTRUCTOR=ch.instructor.name,
               BPCOURSE_STUDENTS=" ".join(s.name for s in ch.students), BPCOURSE_EXCHANGE=str(exchange),
               BPCOURSE_HUB_STATE=str(state), BPCOURSE_HUB_BIND_URL=f"http://127.0.0.1:{port}",
               BPCOURSE_HUB_PORT=str(free_port()), BPCOURSE_PROXY_API_PORT=str(free_port()),
               BPCOURSE_HUB_SERVICE_TOKEN=token)
    # The users run the hub's Python and import the course: they must be able to reach both.
    needed = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent, ROOT]
    view = readable_view(needed, ch.root / "view")
    cmd = [*view, str(venv_bin / "jupyterhub"), "-f", str(CONFIG)]
    with open(ch.log, "wb") as log:
        ch.proc = subprocess.Popen(cmd, cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    _wait_for_hub(url, ch.proc, ch)
    ch.hub = Hub(url, token)


def _stop_hub(ch: CourseHub) -> None:
    proc = ch.proc
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # the hub stops the users' servers and the proxy (cleanup_servers)
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            ch.leaks.append("jupyterhub did not stop within 90 s of SIGTERM; killed")
            proc.kill()
            proc.wait(timeout=10)


def _sweep(ch: CourseHub, uids: set[int], proxy_pid: set[int]) -> None:
    left = processes(uids, ch.root, proxy_pid)
    ch.swept += [f"{p.pid} (uid {p.uid}): {p.cmdline[:200]}" for p in left]
    kill_processes(left)
    ch.leaks += [f"process {p.pid} (uid {p.uid}) survived SIGKILL: {p.cmdline[:200]}"
                 for p in processes(uids, ch.root, proxy_pid)]
    ch.leaks += [f"file left outside the temporary root: {f}" for f in files_owned_by(uids, ch.root)]


def _remove(ch: CourseHub) -> None:
    for u in ch.users:
        err = delete_user(u.name)
        if err:
            ch.leaks.append(err)
    shutil.rmtree(ch.root, ignore_errors=True)
    if ch.root.exists():
        ch.leaks.append(f"the temporary root {ch.root} could not be removed")
    ch.leaks += [f"account entry left: {e}" for e in account_entries({u.name for u in ch.users})]


def _stop(ch: CourseHub) -> None:
    """Stop everything, then record in ``ch.leaks`` whatever is still there.

    Each step runs even when one before it failed (its error becomes a leak): the users are always deleted.
    """
    uids = {u.uid for u in ch.users}
    proxy_pid = set()
    with contextlib.suppress(OSError, ValueError):
        proxy_pid = {int((ch.root / "hub" / "jupyterhub-proxy.pid").read_text().strip())}
    for step in (lambda: _stop_hub(ch), lambda: _sweep(ch, uids, proxy_pid), lambda: _remove(ch)):
        try:
            step()
        except Exception as e:  # noqa: BLE001 (recorded, and the test fails on it)
            ch.leaks.append(f"clean-up step failed: {type(e).__name__}: {e}")


@contextlib.contextmanager
def course_hub(root: Path, proxy_cmd: Path) -> Iterator[CourseHub]:
    """A running course hub under ``root`` (see the module's docstring); cleaned up on the way out, always."""
    ch = CourseHub(root)
    try:
        _start(ch, proxy_cmd)
        yield ch
    finally:
        _stop(ch)
        if ch.leaks or ch.swept:  # shown with a failure too, when the caller's own checks never run
            print("hub clean-up:", *ch.swept, *ch.leaks, sep="\n  ", file=sys.stderr)
