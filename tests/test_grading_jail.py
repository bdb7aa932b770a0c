"""Setup errors stop `bpcourse grade` at once with a message that says what to do; --no-isolation is visible."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bpcourse.cli import main
from bpcourse.grading import jail

FIX = Path(__file__).resolve().parent / "fixtures" / "grading"
SOURCE = FIX / "toy_exercise.ipynb"
TASKS_FILE = FIX / "toy_tasks.py"


def test_missing_bubblewrap_stops_the_run_and_says_how_to_fix_it(tmp_path, capsys, monkeypatch):
    def missing() -> str:
        raise jail.IsolationUnavailable(f"bubblewrap (`bwrap`) is not installed: {jail.FIX_HINT}")

    monkeypatch.setattr(jail, "find_bwrap", missing)
    (tmp_path / "subs").mkdir()
    shutil.copy(FIX / "submissions" / "correct.ipynb", tmp_path / "subs")
    code = main(["grade", str(SOURCE), str(tmp_path / "subs"), "--seed", "1", "--out", str(tmp_path / "o"),
                 "--tasks", str(TASKS_FILE), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "apt-get install bubblewrap" in err and "--no-isolation" in err
    assert not (tmp_path / "o" / "grades.csv").exists()


def test_no_isolation_is_explicit_and_shown(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    shutil.copy(FIX / "submissions" / "correct.ipynb", tmp_path / "subs")
    code = main(["grade", str(SOURCE), str(tmp_path / "subs"), "--seed", "1", "--out", str(tmp_path / "o"),
                 "--tasks", str(TASKS_FILE), "--quiet", "--no-isolation"])
    assert code == 0 and "WARNING: graded without isolation" in capsys.readouterr().out
    with open(tmp_path / "o" / "grades.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["status"], row["sandbox"]) == ("ok", "none")
    fb = next((tmp_path / "o" / "feedback").iterdir()).read_text()
    assert "graded WITHOUT isolation" in fb


def test_an_unknown_exercise_is_a_setup_error_not_a_traceback(tmp_path):
    src = tmp_path / "99_no_such_exercise.ipynb"
    shutil.copy(SOURCE, src)
    (tmp_path / "subs").mkdir()
    r = subprocess.run([sys.executable, "-m", "bpcourse.cli", "grade", str(src), str(tmp_path / "subs"), "--seed",
                        "1", "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "no graded tasks for exercise '99_no_such_exercise'" in r.stderr
    assert "Traceback" not in r.stderr


def _tree(tmp_path, allowlist=("bpcourse.grading.check",), exercise="toy_exercise"):
    from bpcourse.grading import facade

    return facade.build(tmp_path / "tree", allowlist, exercise)


@pytest.mark.skipif(shutil.which("bwrap") is None and not os.environ.get("CI"), reason="needs bubblewrap")
def test_the_sandbox_sees_no_source_no_home_no_host_processes_and_is_never_root(tmp_path):
    j = jail.Jail(_tree(tmp_path, ("bpcourse.grading.check", "bpcourse.gradcheck.rel_error")))
    home = Path.home()
    # the home folder exists inside only as the way to the interpreter, when it lives there (pyenv)
    allowed = {Path(p).relative_to(home).parts[0] for p in (sys.prefix, sys.base_prefix)
               if Path(p).is_relative_to(home)}
    code = ("import os, bpcourse, pathlib\n"
            "home = os.listdir(%r) if os.path.isdir(%r) else []\n"
            "print(os.getuid(), os.path.exists(%r), set(home) <= %r, sum(p.isdigit() for p in os.listdir('/proc')) < 5)\n"
            "try:\n    bpcourse.activations.softmax([[1.0]])\nexcept Exception as e:\n    print(type(e).__name__)\n"
            "from bpcourse.gradcheck import rel_error; print(rel_error(1.0, 1.0) == 0.0)\n"
            "from bpcourse.grading import check; print(check(None))")
    run = j.run([sys.executable, "-c", code % (str(home), str(home), str(SOURCE), allowed)], b"",
                jail.Limits(timeout=30))
    out = run.channel.decode().split("\n")
    assert run.returncode == 0, run.log
    assert out[0].split()[0] != "0" and out[0].split()[1:] == ["False", "True", "True"], out
    assert out[1:] == ["ImportError", "True", "check() does nothing while grading: the grade comes from the "
                                               "grader's own cases", "True", ""], out


@pytest.mark.skipif(shutil.which("bwrap") is None and not os.environ.get("CI"), reason="needs bubblewrap")
def test_only_the_allowed_distributions_and_the_facade_are_importable(tmp_path):
    """The real bpcourse, scipy, sympy, sklearn, IPython: not bound, so not there; / and /dev read-only."""
    j = jail.Jail(_tree(tmp_path))
    code = ("import importlib, os\n"
            "for m in ['numpy', 'matplotlib.pyplot', 'PIL', 'scipy', 'sympy', 'sklearn', 'IPython', 'jupyter_core',\n"
            "          'bpcourse.autodiff', 'bpcourse.grading.tasks', 'bpcourse.grading.selfcheck', 'nbformat']:\n"
            "    try:\n        importlib.import_module(m); print(m, 'yes')\n"
            "    except ImportError:\n        print(m, 'no')\n"
            "for d in ['/', '/dev', '/dev/shm', '/tmp', '/usr', '/opt/bpcourse-sandbox']:\n"
            "    try:\n        open(os.path.join(d, 'x'), 'w').close(); print(d, 'rw')\n"
            "    except OSError:\n        print(d, 'ro')\n"
            "st = os.statvfs('/dev/shm'); print('shm', st.f_blocks * st.f_frsize <= 8 * 2**20)\n"
            f"print('real-package', os.path.exists({str(Path(jail.__file__).parent / 'tasks.py')!r}))\n")
    from bpcourse.grading import sitebinds

    allowed = {d: sorted(os.path.basename(p) for p in v) for d, v in sitebinds.allowed_entries().items()}
    code += (f"import json\nprint('sites', json.dumps({{d: sorted(os.listdir(d)) if os.path.isdir(d) else None "
             f"for d in {sitebinds.site_dirs()!r}}}).replace(' ', ''))\n")
    run = j.run([sys.executable, "-P", "-c", code], b"", jail.Limits(timeout=60))
    assert run.returncode == 0, run.log
    *lines, sites = run.channel.decode().splitlines()
    # every site directory on the machine is empty inside, but for the allowed distributions' own files
    seen = json.loads(sites.split(" ", 1)[1])
    assert len(seen) >= 2 and all(v in (None, allowed.get(d, [])) for d, v in seen.items()), (seen, allowed)
    assert any(v for v in seen.values())  # numpy and matplotlib are somewhere
    got = dict(line.split() for line in lines)
    assert got == {"numpy": "yes", "matplotlib.pyplot": "yes", "PIL": "yes", "scipy": "no", "sympy": "no",
                   "sklearn": "no", "IPython": "no", "jupyter_core": "no", "bpcourse.autodiff": "no",
                   "bpcourse.grading.tasks": "no", "bpcourse.grading.selfcheck": "no", "nbformat": "no",
                   "/": "ro", "/dev": "ro", "/dev/shm": "rw", "/tmp": "rw", "/usr": "ro",
                   "/opt/bpcourse-sandbox": "ro", "shm": "True", "real-package": "False"}, got


@pytest.mark.skipif(shutil.which("bwrap") is None and not os.environ.get("CI"), reason="needs bubblewrap")
def test_a_flooded_channel_ends_the_run_and_a_flooded_log_is_capped(tmp_path):
    j = jail.Jail(_tree(tmp_path))
    code = ("import os, time\nfor _ in range(40):\n    os.write(2, b'e' * 2**20)\n"
            "while True:\n    os.write(1, b'x' * 2**20)")
    run = j.run([sys.executable, "-c", code], b"", jail.Limits(timeout=30, channel_mb=2, output_cap=1000))
    assert run.channel_overflow and len(run.channel) == 2 * 2**20 and not run.timed_out
    assert len(run.log) == 1000 and run.log_bytes >= 40 * 2**20 - 2**16
    assert run.seconds < 25


@pytest.mark.skipif(shutil.which("bwrap") is None and not os.environ.get("CI"), reason="needs bubblewrap")
def test_no_secret_appears_anywhere_the_sandbox_can_read(tmp_path):
    """The source path, the out dir and the seed: in no argv, environment or mount table inside."""
    import nbformat

    out = tmp_path / "out-MARK-7f3a"
    secrets = [str(SOURCE), str(out), "out-MARK-7f3a", "20240917"]
    nb = nbformat.read(str(FIX / "submissions" / "correct.ipynb"), as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import os\nseen = ''\n"
        "for p in [q for q in os.listdir('/proc') if q.isdigit()] + ['self']:\n"
        "    for what in ('cmdline', 'environ', 'mountinfo'):\n"
        "        try:\n            seen += open(f'/proc/{p}/{what}', 'rb').read().decode(errors='replace')\n"
        "        except OSError:\n            pass\n"
        f"leaked = [s for s in {secrets!r} if s in seen]\n"
        "if leaked:\n    sigmoid_prime = None  # output_delta then fails: the test sees it"))
    (tmp_path / "subs").mkdir()
    nbformat.write(nb, str(tmp_path / "subs" / "spy.ipynb"))
    code = main(["grade", str(SOURCE), str(tmp_path / "subs"), "--seed", "20240917", "--out", str(out),
                 "--tasks", str(TASKS_FILE), "--quiet"])
    assert code == 0
    with open(out / "grades.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (row["status"], row["total"]) == ("ok", "6"), row


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/bin/python3") or shutil.which("setpriv") is None,
                    reason="needs root (to become nobody) and the system's /usr/bin/python3")
def test_the_jail_also_works_for_a_grader_that_is_not_root(tmp_path):
    """A non-root grader takes bwrap's other path (--unshare-user, no uid drop); try it as nobody."""
    os.chmod(tmp_path, 0o777)
    grading = Path(jail.__file__).parent
    inner = (
        "import os\n"
        "for d in ('/', '/dev', '/dev/shm'):\n"
        "    try:\n        open(d.rstrip('/') + '/x', 'w').write('a' * 2**23)\n"
        "    except OSError as e:\n        print(d, e.strerror)\n"
        "print(os.getuid(), sum(p.isdigit() for p in os.listdir('/proc')))\n")
    script = ("import importlib.util, sys, types\n"
              # the grading package's plain modules (cgroup, sitebinds), without its numpy-importing __init__
              f"for name, path in [('bpcourse', []), ('bpcourse.grading', [{str(grading)!r}])]:\n"
              "    m = types.ModuleType(name); m.__path__ = path; sys.modules[name] = m\n"
              f"spec = importlib.util.spec_from_file_location('jail', {str(grading / 'jail.py')!r})\n"
              "j = importlib.util.module_from_spec(spec); sys.modules['jail'] = j; spec.loader.exec_module(j)\n"
              "J = j.Jail(None, cgroups=False)\n"
              "J.probe(sys.executable)\n"
              f"code = {inner!r}\n"
              "r = J.run([sys.executable, '-c', code], b'', j.Limits(timeout=30))\n"
              "print(r.returncode, r.channel.decode().strip())\n")
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
                        script], capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    # a read-only / and /dev, a /dev/shm of 4 MiB (an 8 MiB write fails), exit 0, not root, sees only its
    # own init and itself
    assert out[:3] == ["0 / Read-only file system", "/dev Read-only file system", "/dev/shm No space left on device"]
    assert out[3].split() == ["65534", "2"], out


def test_the_private_tmp_is_mounted_before_the_python_environment(tmp_path):
    # bwrap mounts in argument order: a Python environment that lives under /tmp on the host (a checkout in
    # /tmp, as CI's may be) must be bound on top of the sandbox's private /tmp, not hidden by it.
    argv = jail.Jail(_tree(tmp_path))._bwrap_argv(jail.Limits(timeout=5))
    scratch = argv.index("/tmp", argv.index("--tmpfs"))
    binds = [i for i, a in enumerate(argv) if a == "--ro-bind"]
    assert argv[scratch - 1] == "--tmpfs" and binds and scratch < min(binds), argv[:40]
    prefix = os.path.realpath(sys.base_prefix)
    bound = [argv[i + 2] for i in binds]
    assert any(prefix == b or prefix.startswith(b.rstrip("/") + "/") for b in bound), (prefix, bound)
    if sys.prefix != sys.base_prefix:  # a venv: its pyvenv.cfg, never the whole venv (its scripts, its data)
        venv = os.path.realpath(sys.prefix)
        assert os.path.join(venv, "pyvenv.cfg") in bound and venv not in bound, bound
