"""Give notebooks the metadata and layout JupyterLab keeps, so that opening (or saving) one changes nothing.

Opening a notebook, JupyterLab writes the running kernel's kernelspec display name and language_info into its
metadata; any difference marks the notebook modified, and autosave rewrites it. Saving, jupyter_server writes
the notebook back with nbformat, and numbers that went through the browser's JSON lose a trailing ".0" (the
stored widget state's 10.0 comes back as 10). This script writes what both would write:

- kernelspec and language_info exactly as ipykernel in this interpreter reports them;
- nbformat 4.5 (cell ids), upgrading older minor versions;
- integral floats in the stored widget state as integers;
- the file as jupyter_server serialises it.

Cell sources and outputs are not touched. Run it with the course's venv, whose Python is the one CI runs:

    .venv/bin/python tools/normalize_notebooks.py                 # notebooks/ and instructor/source/
    .venv/bin/python tools/normalize_notebooks.py --check         # list what would change, exit 1 if anything
    .venv/bin/python tools/normalize_notebooks.py path/to/x.ipynb
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def kernel_metadata() -> dict[str, Any]:
    """The kernelspec and language_info JupyterLab would write for ipykernel in this interpreter."""
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelspec import KERNEL_NAME, get_kernel_dict

    spec = get_kernel_dict()
    return {
        "kernelspec": {"display_name": spec["display_name"], "language": spec["language"], "name": KERNEL_NAME},
        "language_info": dict(IPythonKernel.language_info),
    }


def _integral_floats_to_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral_floats_to_int(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_to_int(v) for v in value]
    return value


def normalized(text: str) -> str:
    """The normalised file for a notebook file's text."""
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    if nb.nbformat != 4:
        raise ValueError(f"nbformat {nb.nbformat} notebook: convert it to version 4 first")
    if nb.nbformat_minor < nbformat.current_nbformat_minor:
        nb = nbformat.v4.upgrade(nb, from_version=4, from_minor=nb.nbformat_minor)
    nb.metadata.update(nbformat.from_dict(kernel_metadata()))
    if "widgets" in nb.metadata:
        nb.metadata["widgets"] = nbformat.from_dict(_integral_floats_to_int(nb.metadata["widgets"]))
    nbformat.validate(nb)
    out = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return out if out.endswith("\n") else out + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: notebooks/ and instructor/source/)")
    parser.add_argument("--check", action="store_true", help="only list what would change; exit 1 if anything")
    args = parser.parse_args(argv)
    paths = args.paths or sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("instructor/source/*/*.ipynb")])
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = normalized(text)
        if new != text:
            changed.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "would change" if args.check else "normalised"
    for path in changed:
        print(f"{verb}: {path}")
    print(f"{len(changed)} of {len(paths)} notebooks {verb}" if changed else f"all {len(paths)} notebooks normal")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
