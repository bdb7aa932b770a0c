"""Write the student versions ``exercises/exNN_name.ipynb`` from the sources ``instructor/source/exNN/``.

Each is what ``bpcourse release`` (and nbgrader's ``generate_assignment``) makes of its source: solutions
become stubs, hidden tests go, outputs are cleared, cells are locked and checksummed. Run it after any change
to an exercise's source notebook, and commit the result with the source:

    .venv/bin/python tools/release_exercises.py            # rewrite every student version that changed
    .venv/bin/python tools/release_exercises.py --check    # only list the stale or missing ones (exit 1 if any)

``tests/test_exercise_layout.py`` fails, naming this command, while a student version differs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bpcourse.grading.layout import RELEASED_DIR, source_notebooks  # noqa: E402
from bpcourse.grading.release import release_file  # noqa: E402


def released_bytes(source: Path) -> bytes:
    """The bytes ``bpcourse release`` writes for ``source``."""
    with tempfile.TemporaryDirectory(prefix="bp-release-") as tmp:
        return release_file(source, Path(tmp) / source.name).read_bytes()


def stale(root: Path = ROOT) -> list[tuple[Path, Path]]:
    """(source, student version) pairs whose student version is missing or differs from the release."""
    out = []
    for source in source_notebooks(root):
        dest = root / RELEASED_DIR / source.name
        if not dest.is_file() or dest.read_bytes() != released_bytes(source):
            out.append((source, dest))
    return out


def orphans(root: Path = ROOT) -> list[Path]:
    """Student versions in exercises/ with no source (left behind by a rename)."""
    names = {s.name for s in source_notebooks(root)}
    return [p for p in sorted((root / RELEASED_DIR).glob("*.ipynb")) if p.name not in names]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="write nothing; list what is stale, exit 1 if any")
    args = ap.parse_args(argv)
    if not source_notebooks(ROOT):
        print(f"no exercise sources under {ROOT / 'instructor' / 'source'}", file=sys.stderr)
        return 1
    todo, extra = stale(), orphans()
    for source, dest in todo:
        rel = dest.relative_to(ROOT)
        if args.check:
            print(f"stale: {rel} (from {source.relative_to(ROOT)})")
        else:
            release_file(source, dest)
            print(f"released {source.relative_to(ROOT)} -> {rel}")
    for path in extra:
        print(f"no source for {path.relative_to(ROOT)}: delete it (git rm) or restore its source", file=sys.stderr)
    if not todo and not extra:
        print(f"all {len(source_notebooks(ROOT))} student versions in {RELEASED_DIR}/ are up to date")
    return 1 if extra or (args.check and todo) else 0


if __name__ == "__main__":
    sys.exit(main())
