"""Which installed distributions the grading sandbox may import, and where their files are.

The sandbox binds the interpreter's prefixes read-only (the standard library lives there) but never a whole
site-packages: every site directory under what is bound is covered by an empty read-only tmpfs, and only
the files of the allowed distributions are bound back into it. The allowed set is the closure, through
``importlib.metadata`` requirements (extras left out), of the distributions an exercise hands out: numpy and
matplotlib, and what matplotlib needs at run time (pillow, fonttools, kiwisolver, ...). scipy, scikit-learn,
sympy, torch, jax, IPython and the real ``bpcourse`` are simply not there.
"""

from __future__ import annotations

import functools
import os
import re
import site
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterable

__all__ = ["ALLOWED_DISTRIBUTIONS", "closure", "site_dirs", "allowed_entries"]

#: What the exercises hand out besides the standard library and the facade of bpcourse.
ALLOWED_DISTRIBUTIONS = ("numpy", "matplotlib")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(spec: str) -> str | None:
    """The distribution a requirement names, or None when it applies only with an extra or elsewhere."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # a plain parse: name, then a marker after ';'
        name, _, marker = spec.partition(";")
        if "extra" in marker:
            return None
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", name)
        return m.group(1) if m else None
    req = Requirement(spec)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None
    return req.name


def closure(roots: Iterable[str] = ALLOWED_DISTRIBUTIONS) -> dict[str, metadata.Distribution]:
    """The installed distributions ``roots`` need at run time, by normalised name (missing ones are skipped)."""
    found: dict[str, metadata.Distribution] = {}
    todo = list(roots)
    while todo:
        name = _norm(todo.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[name] = dist
        todo.extend(r for r in (_requirement(s) for s in dist.requires or []) if r)
    return found


# Folders under /usr that hold no Python environment: not searched (keeps the search near 0.2 s).
_NOT_PYTHON = {"doc", "man", "locale", "icons", "fonts", "zoneinfo", "info", "help", "include", "src", "terminfo",
               "i18n", "mime", "X11", "perl", "perl5", "jvm", "node_modules", "__pycache__"}


def site_dirs() -> list[str]:
    """Every site directory this interpreter or the system holds packages in (real paths, existing):
    this interpreter's, and any other ``site-packages``/``dist-packages`` under ``/usr`` and the
    interpreter's prefixes (a system Python's, one bundled with some tool), since the sandbox binds those."""
    cands = [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    cands += site.getsitepackages() if hasattr(site, "getsitepackages") else []
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, "/usr"}:
        cands += _search(os.path.realpath(prefix))
    return sorted({os.path.realpath(p) for p in cands if os.path.isdir(p)})


@functools.lru_cache(maxsize=None)
def _search(top: str, depth: int = 8) -> tuple[str, ...]:
    found, stack = [], [(top, 0)]
    while stack:
        folder, level = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.name in _NOT_PYTHON or not e.is_dir(follow_symlinks=False):
                continue
            if e.name in ("site-packages", "dist-packages"):
                found.append(e.path)
            elif level < depth:
                stack.append((e.path, level + 1))
    return tuple(found)


def allowed_entries(roots: Iterable[str] = ALLOWED_DISTRIBUTIONS) -> dict[str, list[str]]:
    """Site directory -> the top-level files and folders of the allowed distributions in it (real paths).

    A distribution's own ``.dist-info`` comes along (libraries read their version from it); ``.pth`` files
    and ``__pycache__`` do not.
    """
    out: dict[str, set[str]] = {}
    for dist in closure(roots).values():
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if Path(str(f)).parts}
        for top in tops - {"..", "__pycache__"}:
            if top.endswith(".pth"):
                continue
            path = os.path.realpath(str(dist.locate_file(top)))
            if os.path.exists(path):
                out.setdefault(os.path.dirname(path), set()).add(path)
    return {d: sorted(v) for d, v in sorted(out.items())}
