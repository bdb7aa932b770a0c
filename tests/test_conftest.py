"""The root conftest's CI rule: under CI=true a skipped test or module fails the run, with the skip's reason."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, source: str, ci: bool) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_probe.py"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skip_fails_in_ci_and_stays_a_skip_elsewhere(tmp_path):
    source = "import pytest\n\ndef test_skips():\n    pytest.skip('no widget toolkit')\n"
    ci = _run(tmp_path, source, ci=True)
    assert ci.returncode == 1 and "skipped in CI, where every test must run" in ci.stdout, ci.stdout
    assert "no widget toolkit" in ci.stdout
    local = _run(tmp_path, source, ci=False)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout


def test_a_module_level_skip_fails_in_ci(tmp_path):
    source = "import pytest\npytest.skip('no browser', allow_module_level=True)\n"
    ci = _run(tmp_path, source, ci=True)
    assert ci.returncode != 0 and "no browser" in ci.stdout, ci.stdout
