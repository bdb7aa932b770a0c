"""The README must not lie: its Python example runs, and CI runs exactly its test command."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no Python example"
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "'accuracy'" in out


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci and 'bash -c "$cmd"' in ci
    marker = README.index("<!-- test-command")
    command = re.search(r"```bash\n(.*?)\n```", README[marker:], flags=re.S).group(1)
    assert "--nbval" in command and "pytest" in command and "--nbval-lax" not in command


def _bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", README, flags=re.S)


def _first_command() -> str:
    return _bash_blocks()[0]


def test_exactly_two_newcomer_commands():
    # "Two commands" means two: open the course, run all tests. Instructors' commands live further down.
    section = README[README.index("## Two commands"):]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)
    assert len(blocks) == 2 and all("\n" not in b for b in blocks), blocks


def test_first_command_installs_only_the_learners_course():
    # The test extras carry nbgrader, whose menu, panels and warning must not appear in a learner's lab.
    install = next(p.strip() for p in _first_command().split("&&") if "pip install" in p)
    assert install.split()[-2:] == ["-e", "."], f"the learner's install has extras or options: {install!r}"


def test_first_command_roots_the_lab_at_the_repository_and_opens_the_start_page():
    # Given only a file, jupyter_server roots itself at the file's folder (notebooks/), and the chapters'
    # "open exercises/NN_..." would point out of reach. tests/e2e start the server from this very command.
    lab = next(p.strip() for p in _first_command().split("&&") if "jupyter lab" in p)
    assert "--ServerApp.root_dir=." in lab.split(), lab
    assert lab.split()[-1] == "notebooks/00_start_here.ipynb", lab
    assert (ROOT / "notebooks" / "00_start_here.ipynb").exists()


def test_learners_dependencies_leave_out_the_test_tools():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(reqs):
        return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in reqs}

    learner, test = names(project["dependencies"]), names(project["optional-dependencies"]["test"])
    assert not learner & {"nbgrader", "playwright", "pytest", "nbval", "hypothesis", "scikit-learn"}, learner
    assert {"nbgrader", "playwright", "pytest", "nbval"} <= test, test
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert "==" not in req and "<" not in req, f"lower-bound pins only: {req}"


def test_readme_names_the_font_for_the_chinese_glossary():
    assert "fonts-noto-cjk" in README


def test_ci_installs_the_browser_and_fails_when_tests_fail():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for package in ("bubblewrap", "chromium", "fonts-noto-cjk"):
        assert package in ci
    assert "apt-get update" in ci and "DEBIAN_FRONTEND=noninteractive" in ci
    assert "set -euo pipefail" in ci and "export CI=true" in ci


def _ci_packages_present() -> bool:
    import shutil
    import subprocess

    fonts = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "fonts-noto-cjk"], capture_output=True, text=True)
    return (bool(shutil.which("bwrap")) and Path("/usr/bin/chromium").exists() and "ok installed" in fonts.stdout
            and bool(shutil.which("configurable-http-proxy")))


@pytest.mark.parametrize("command, status", [
    ("true", 0),
    ("exit 3", 3),                                               # a failing test run fails CI
    ("{python} -m pytest -q -p no:cacheprovider empty", 5),     # so does a run that collected no test
])
def test_ci_script_passes_on_the_test_commands_status(tmp_path, command, status):
    import shutil
    import subprocess
    import sys

    if not _ci_packages_present():
        # .ci/run would apt-get them first; a test must not install system packages
        pytest.skip("bubblewrap, chromium, fonts-noto-cjk or configurable-http-proxy missing, so .ci/run would "
                    "install them")
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "empty").mkdir()
    command = command.format(python=sys.executable)
    (tmp_path / "README.md").write_text(f"<!-- test-command -->\n```bash\n{command}\n```\n", encoding="utf-8")
    done = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == status, done.stdout + done.stderr
    assert f"+ {command}" in done.stdout


def test_the_test_install_has_a_venv_of_its_own():
    # nbgrader (a test dependency) adds menus and panels to any lab started from its venv
    marker = README.index("<!-- test-command")
    command = re.search(r"```bash\n(.*?)\n```", README[marker:], flags=re.S).group(1)
    learner_venv = _first_command().split("&&")[0].split()[-1]
    test_venv = command.split("&&")[0].split()[-1]
    assert learner_venv == ".venv" and test_venv != learner_venv, (learner_venv, test_venv)
    assert all(part.strip().startswith(f"{test_venv}/") for part in command.split("&&")[1:]), command
