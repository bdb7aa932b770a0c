"""Helpers for the static-site tests: the README's site command, and the rule for a missing site dependency."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))


def need_module(module: str) -> None:
    """Skip when a site dependency is missing, except in CI, where a skip would hide a broken install."""
    try:
        __import__(module)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{module} is not installed: CI must install the [site] extra")
        pytest.skip(f"{module} is not installed (pip install -e '.[site]')")


def site_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("<!-- site-command", 1)[1]
    return re.search(r"```bash\n(.*?)\n```", after, flags=re.S).group(1)
