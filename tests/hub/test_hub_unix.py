"""The hub test's Unix helpers on their own: the file-system view that lets other users reach the Python
environment without opening the folder it lives in, and the leak checks."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from hub_unix import account_entries, files_owned_by, readable_view

NOBODY = 65534


@pytest.fixture
def root_with_tools():
    missing = [c for c in ("unshare", "setpriv", "mount") if shutil.which(c) is None]
    if os.geteuid() != 0 or missing:
        msg = f"needs root and {', '.join(missing) or 'nothing else'} (euid {os.geteuid()})"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture
def open_tmp():
    """A temporary folder every user can enter (pytest's own tmp_path sits in a 0700 folder)."""
    path = Path(tempfile.mkdtemp(prefix="bpcourse-view-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _as_nobody(prefix: list[str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv],
                          capture_output=True, text=True, timeout=30)


def test_a_blocked_folder_is_opened_only_to_its_needed_children_and_only_inside_the_view(open_tmp,
                                                                                         root_with_tools):
    tmp_path = open_tmp
    top = tmp_path / "top"
    (top / "env").mkdir(parents=True)
    (top / "secret").mkdir()
    (top / "repo").mkdir()  # CI's clone may sit beside the Python environment, in the same blocked folder
    (top / "repo" / "course.py").write_text("the course\n")
    (top / "env" / "python").write_text("the environment\n")
    (top / "secret" / "key").write_text("root's secret\n")
    top.chmod(0o700)
    env_file = str(top / "env" / "python")

    assert _as_nobody([], "cat", env_file).returncode != 0, "the test's premise: nobody cannot enter `top`"
    view = readable_view([top / "env", top / "repo"], tmp_path / "stage")
    assert view, "a blocked folder must give a view"
    seen = _as_nobody(view, "cat", env_file)
    assert seen.returncode == 0 and seen.stdout == "the environment\n", seen.stderr
    seen = _as_nobody(view, "cat", str(top / "repo" / "course.py"))
    assert seen.returncode == 0 and seen.stdout == "the course\n", seen.stderr
    inside = subprocess.run([*view, "ls", "-A", str(top)], capture_output=True, text=True, timeout=30)
    assert sorted(inside.stdout.split()) == ["env", "repo"], f"the view holds {inside.stdout.split()}"
    assert _as_nobody(view, "ls", str(top)).returncode != 0, "others may enter the view's folder, not list it"
    secret = _as_nobody(view, "cat", str(top / "secret" / "key"))
    assert secret.returncode != 0, "the view must not show the blocked folder's other files"
    # the machine itself is unchanged: same mode, no mount left behind
    assert (top.stat().st_mode & 0o777) == 0o700
    assert str(tmp_path) not in Path("/proc/self/mountinfo").read_text()


def test_an_open_path_needs_no_view(open_tmp):
    assert readable_view([open_tmp], open_tmp / "stage") == []


def test_a_path_blocked_twice_is_refused_saying_where(open_tmp):
    deep = open_tmp / "a" / "b"
    deep.mkdir(parents=True)
    (open_tmp / "a").chmod(0o700)
    deep.chmod(0o700)
    with pytest.raises(RuntimeError, match=r"cannot enter .*/a, .*/a/b on the way to .*/a/b: expected at most one"):
        readable_view([deep], open_tmp / "stage")


def test_leak_checks_find_what_they_look_for(tmp_path):
    assert account_entries({"root"}) and all(e.endswith(": root") for e in account_entries({"root"}))
    assert account_entries({"no-such-user-bpcourse"}) == []
    stray = Path("/tmp") / f"bpcourse-leak-probe-{os.getpid()}"
    stray.write_text("x")
    try:
        uid = stray.stat().st_uid
        assert str(stray) in files_owned_by({uid}, tmp_path)
        assert str(stray) not in files_owned_by({uid}, Path("/tmp")), "the temporary root itself is not searched"
    finally:
        stray.unlink()
