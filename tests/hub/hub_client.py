"""A small client of JupyterHub's REST API, of a single-user server's contents and kernels APIs, and of a kernel's
websocket: what the hub test drives the course with, the way JupyterLab and nbgrader's lab extensions do.

Every request goes through the hub's public URL (the configurable-http-proxy), authenticated with an API token.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

import websocket  # websocket-client


# Everything here is on 127.0.0.1: never through an HTTP proxy the environment may name.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HubError(RuntimeError):
    """A request to the hub or to a user's server answered with an unexpected status."""


def request(url: str, token: str, method: str = "GET", body: Any = None, expect: tuple[int, ...] = (200,),
            timeout: float = 60.0) -> Any:
    """One JSON request; the decoded answer (None when empty).

    Raises
    ------
    HubError
        If the status is not one of ``expect``, with the method, URL, status and the answer's start.
    """
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with OPENER.open(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode(errors="replace")
    if status not in expect:
        raise HubError(f"{method} {url}: expected status {expect}, got {status}: {text[:500]}")
    return json.loads(text) if text.strip() else None


@dataclass
class Hub:
    """The hub at ``url`` (the proxy's public URL), used with an API token."""

    url: str
    token: str

    def api(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200,)) -> Any:
        return request(f"{self.url}/hub/api/{path}", self.token, method, body, expect)

    def start_server(self, user: str) -> None:
        """Ask for ``user``'s server (201: started, 202: starting, 400: already running)."""
        self.api("POST", f"users/{user}/server", expect=(201, 202))

    def wait_ready(self, user: str, deadline: float) -> None:
        """Wait until ``user``'s server is ready, or raise HubError at ``deadline`` (time.monotonic())."""
        while True:
            model = self.api("GET", f"users/{user}")
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return
            if time.monotonic() > deadline:
                raise HubError(f"{user}'s server is not ready in time; last state: {model}")
            time.sleep(0.5)

    def stop_server(self, user: str) -> None:
        self.api("DELETE", f"users/{user}/server", expect=(202, 204, 400, 404))

    def server(self, user: str) -> "UserServer":
        return UserServer(f"{self.url}/user/{user}", self.token, user)


@dataclass
class UserServer:
    """One user's single-user Jupyter server, reached through the hub's proxy."""

    base: str
    token: str
    user: str

    def api(self, method: str, path: str, body: Any = None, expect: tuple[int, ...] = (200,)) -> Any:
        return request(f"{self.base}/api/{path}", self.token, method, body, expect)

    def contents(self, method: str, path: str, query: str = "", body: Any = None,
                 expect: tuple[int, ...] = (200,)) -> Any:
        """A contents-API request on ``path`` (quoted here: nbgrader's feedback folders have spaces)."""
        url = f"contents/{urllib.parse.quote(path.strip('/'))}" + (f"?{query}" if query else "")
        return self.api(method, url, body, expect)

    def mkdir(self, path: str) -> None:
        """Create the folder ``path`` (relative to the server's root, the user's home) and its parents."""
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self.contents("PUT", "/".join(parts[:i]), body={"type": "directory"}, expect=(200, 201))

    def put_notebook(self, path: str, nb: dict) -> None:
        """Save notebook ``nb`` (a JSON-like dict) at ``path``, as JupyterLab does on Ctrl-S."""
        self.contents("PUT", path, body={"type": "notebook", "format": "json", "content": nb}, expect=(200, 201))

    def get_notebook(self, path: str) -> dict:
        return self.contents("GET", path, "type=notebook&content=1")["content"]

    def get_text(self, path: str) -> str:
        return self.contents("GET", path, "type=file&format=text&content=1")["content"]

    def listdir(self, path: str) -> list[str]:
        return sorted(item["name"] for item in self.contents("GET", path, "content=1")["content"])

    def kernel(self) -> "Kernel":
        """A new python3 kernel in this server (use as a context manager: it is shut down at the end)."""
        model = self.api("POST", "kernels", {"name": "python3"}, expect=(201,))
        return Kernel(self, model["id"])


@dataclass
class Execution:
    """What one execute request printed, and the error it raised (``ename: evalue``), if any."""

    stdout: str = ""
    stderr: str = ""
    error: str | None = None
    outputs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.stdout + self.stderr + "".join(self.outputs) + (self.error or "")


class Kernel:
    """A kernel in a user's server, driven over its websocket with the Jupyter messaging protocol (v5)."""

    def __init__(self, server: UserServer, kernel_id: str):
        self.server, self.id = server, kernel_id
        self.session = uuid.uuid4().hex
        ws_url = server.base.replace("http://", "ws://", 1) + f"/api/kernels/{kernel_id}/channels"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {server.token}"],
                                              timeout=30)

    def __enter__(self) -> "Kernel":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.ws.close()
        finally:
            self.server.api("DELETE", f"kernels/{self.id}", expect=(204, 404))

    def execute(self, code: str, timeout: float = 180.0) -> Execution:
        """Run ``code`` and collect its outputs until the kernel is idle again and has replied.

        Raises
        ------
        TimeoutError
            If that takes longer than ``timeout`` seconds.
        """
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "session": self.session, "username": self.server.user,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": False},
        }))
        result, idle, replied = Execution(), False, False
        deadline = time.monotonic() + timeout
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel of {self.server.user} did not finish in {timeout} s: {code[:200]!r}")
            self.ws.settimeout(max(1.0, deadline - time.monotonic()))
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                if content["name"] == "stdout":
                    result.stdout += content["text"]
                else:
                    result.stderr += content["text"]
            elif kind in ("execute_result", "display_data"):
                result.outputs.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                result.error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
        return result

    def run_json(self, code: str, timeout: float = 300.0) -> Any:
        """Run ``code``, which prints one JSON value as its last stdout line; that value.

        Raises
        ------
        HubError
            If the code raised, or its last line is not JSON, with what it printed.
        """
        ex = self.execute(code, timeout)
        lines = ex.stdout.strip().splitlines()
        if ex.error or not lines:
            raise HubError(f"{self.server.user}'s kernel: expected a JSON line, got error {ex.error!r} and output "
                           f"{ex.text[-2000:]!r}")
        try:
            return json.loads(lines[-1])
        except json.JSONDecodeError:
            raise HubError(f"{self.server.user}'s kernel: expected a JSON line last, got {ex.text[-2000:]!r}")

    def command(self, *argv: str, cwd: str | None = None, timeout: float = 300.0) -> dict:
        """Run a command as this kernel's user (a subprocess of the kernel): ``{"rc", "out", "err"}``."""
        code = ("import json, subprocess\n"
                f"p = subprocess.run({list(argv)!r}, cwd={cwd!r}, capture_output=True, text=True, "
                f"timeout={timeout - 10})\n"
                "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr}))")
        return self.run_json(code, timeout)

    def nbgrader(self, *args: str, cwd: str | None = None, timeout: float = 300.0) -> dict:
        """Run ``nbgrader ARGS`` as this kernel's user, with the kernel's own Python: ``{"rc", "out", "err"}``."""
        code = ("import json, subprocess, sys\n"
                f"p = subprocess.run([sys.executable, '-m', 'nbgrader', *{list(args)!r}], cwd={cwd!r}, "
                f"capture_output=True, text=True, timeout={timeout - 10})\n"
                "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr}))")
        return self.run_json(code, timeout)
