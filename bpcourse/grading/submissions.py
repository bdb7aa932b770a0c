"""The submissions folder: what is in it, and the names its rows and files get.

:func:`list_submissions` walks a folder of any depth with an explicit stack (never ``os.walk``, which
recurses once per level), lists symbolic links without following them, and lists a folder it cannot read
instead of stopping. Each entry's path may hold any bytes: :func:`display_name` is its faithful printable
form (the CSV, the feedback), :func:`results_stem` the unique, bounded stem of its files.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

__all__ = ["Entry", "display_name", "list_submissions", "results_stem"]


@dataclass
class Entry:
    """One thing found in the submissions folder."""

    rel: str     # path relative to the folder, with "/" (undecodable bytes as lone surrogates)
    path: Path
    stem: str    # unique, bounded name of its results and feedback files
    kind: str    # "notebook", "link" or "unlisted" (a folder that cannot be listed)
    why: str = ""  # for "unlisted": the error

    @property
    def name(self) -> str:
        """The printable, faithful form of ``rel`` shown in the CSV and the feedback (:func:`display_name`)."""
        return display_name(self.rel)


_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
_HASHED = re.compile(r".*-[0-9a-f]{12}")


def results_stem(rel: str) -> str:
    """The unique, bounded stem of a submission's results and feedback files.

    A plain top-level name (``alice.ipynb`` → ``alice``) stays as it is; anything else (a subfolder,
    unusual characters, a long name, or a name that looks like a hashed stem) becomes a readable prefix of
    at most 60 characters plus 12 hex digits of the path's sha256: ``grp/alice.ipynb`` →
    ``grp_alice-<hash>``, distinct from ``grp__alice.ipynb`` → ``grp__alice``.
    """
    base = rel[:-6] if rel.endswith(".ipynb") else rel
    if "/" not in rel and _PLAIN.fullmatch(base) and not _HASHED.fullmatch(base):
        return base
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:60]
    return f"{readable or 'notebook'}-{hashlib.sha256(rel.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}"


def display_name(rel: str) -> str:
    """A path as the CSV and the feedback show it: printable, and different for different paths.

    A byte that is not UTF-8 (a lone surrogate after ``os.fsdecode``) becomes ``\\xNN``, a control character
    ``\\xNN`` too, any other character that is not printable ``\\uNNNN`` (or ``\\UNNNNNNNN``), and a backslash
    ``\\\\``, so the escape is faithful: ``b'Zo\\xeb.ipynb'`` shows as
    ``Zo\\xeb.ipynb`` and a file really named ``Zo\\xeb.ipynb`` as ``Zo\\\\xeb.ipynb``. Ordinary names are unchanged.
    """
    out = []
    for ch in rel:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif 0xDC80 <= o <= 0xDCFF:  # os.fsdecode's surrogateescape of byte o - 0xDC00
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif not ch.isprintable():  # other surrogates, line separators, unassigned code points: show the number
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
        else:
            out.append(ch)
    return "".join(out)


def list_submissions(folder: Path, exclude: Iterable[Path] = ()) -> list[Entry]:
    """Every ``*.ipynb`` under ``folder`` (sorted), and every symbolic link to one or to a folder.

    The walk uses an explicit stack, so any depth works. Links are listed, never followed;
    ``.ipynb_checkpoints`` and the paths in ``exclude`` are left out; a folder that cannot be listed is
    listed itself (kind ``"unlisted"``), so it gets a row instead of stopping the run.
    """
    excl = set()
    for p in exclude:  # by identity, not by path: realpath per folder would cost O(depth²) system calls
        try:
            st = os.stat(p)
            excl.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    found: list[Entry] = []
    root = os.fspath(folder)

    def excluded(e: os.DirEntry[str]) -> bool:
        try:
            return (e.stat(follow_symlinks=False).st_dev, e.inode()) in excl
        except OSError:
            return False

    def add(path: str, kind: str, why: str = "") -> None:
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        found.append(Entry(rel, Path(path), results_stem(rel), kind, why))

    stack = [root]
    while stack:
        top = stack.pop()
        try:
            with os.scandir(top) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            add(top, "unlisted", exc.strerror or str(exc))
            continue
        for e in items:
            try:
                is_link = e.is_symlink()
                is_dir = not is_link and e.is_dir(follow_symlinks=False)
            except OSError:
                is_link, is_dir = False, False
            if is_link and (e.name.endswith(".ipynb") or _points_to_dir(e.path)):
                add(e.path, "link")
            elif is_dir:
                if e.name != ".ipynb_checkpoints" and not excluded(e):
                    stack.append(e.path)
            elif not is_link and e.name.endswith(".ipynb") and not excluded(e):
                add(e.path, "notebook")
    return sorted(found, key=lambda e: e.rel)


def _points_to_dir(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False
