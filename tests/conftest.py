"""Fixtures shared by the tests: the figures' clean-up for the plotting tests, and the static site, built once
per session for tests/test_site.py (the built pages) and tests/e2e/test_e2e_site.py (the same pages in Chromium)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from site_helpers import ROOT, need_module, site_command


@pytest.fixture
def close_figures():
    """Close every figure a test drew (the plotting tests use it for all their tests, through pytestmark)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    for module in ("sphinx", "myst_nb", "sphinx_book_theme"):
        need_module(module)
    out = tmp_path_factory.mktemp("site") / "site"
    # the README's build step (its command's last part), into a temporary folder
    builder = site_command().split("&&")[-1].split()[-1]
    proc = subprocess.run([sys.executable, str(ROOT / builder), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"site build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    # Sphinx's warnings name broken cross-references, missing images and unknown outputs: none is acceptable.
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert not warnings, "the site build warned:\n" + "\n".join(warnings[:20])
    return out
