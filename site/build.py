"""Build the course's static website into ``build/site/`` from the notebooks' stored outputs.

    python site/build.py [--out build/site] [--only 02,07]

Nothing is executed and nothing is fetched: the chapters are read as stored, the exercises are the committed
student versions ``exercises/exNN_*.ipynb`` (exactly what ``bpcourse release`` makes of the sources in
``instructor/source/``, which the site never reads) and Sphinx with myst-nb turns them into pages.
Staging happens in ``build/site-src/``, where each notebook is rewritten for the site's layout:

* the start-here chapter becomes the home page (``index.html``), the chapters sit beside it, the exercises
  in ``exercises/``, the instructors' guides in ``instructors/`` and the lesson plans in ``lesson_plans/``;
  links between them are rewritten to match;
* a widget, which cannot run on a static page, keeps its stored picture and gains a line saying to run
  the notebook;
* each exercise page starts with a link to download its notebook.

``--only`` builds a subset of the chapters (with every exercise), for quick checks.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("*On this page the interactive {kind} is a stored picture. Run this notebook in JupyterLab "
               "(see [Running the course yourself]({up}install.md)) to use the {kind}.*")


def chapters(only: set[str] | None = None) -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in found if only is None or p.name[:2] in only or p.name.startswith("00")]


def exercises() -> list[Path]:
    """The student versions a learner opens (never the instructor's sources, which hold the solutions)."""
    return sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*.ipynb"))


def lesson_plans() -> list[Path]:
    return sorted((ROOT / "notebooks" / "lesson_plans").glob("[0-9][0-9]_*.md"))


def page_name(chapter: Path) -> str:
    """The staged file name of a chapter: the start-here chapter is the home page."""
    return "index.ipynb" if chapter.name.startswith("00_") else chapter.name


def rewrite_links(text: str, where: str) -> str:
    """Rewrite the repository's relative links for the site's layout.

    ``where`` is the staged folder of the page: "" for chapters, "exercises", "instructors" or "lesson_plans".
    In the repository chapters are in notebooks/, exercises in exercises/, the instructors' guides in
    instructor/, lesson plans in notebooks/lesson_plans/; on the site the chapters are at the top.
    """
    up = "" if where == "" else "../"
    text = re.sub(r"\]\((?:\.\./)*exercises/", f"]({up}exercises/" if where != "exercises" else "](", text)
    text = re.sub(r"\]\(\.\./notebooks/", f"]({up}", text) if where in ("exercises", "instructors") else text
    if where == "lesson_plans":
        text = re.sub(r"\]\(\.\./(?=\d\d_)", "](../", text)
    return re.sub(r"00_start_here\.ipynb", "index.ipynb", text)


def widget_kind(cell: dict) -> str:
    source = "".join(cell.get("source", ""))
    return "stepper" if "Stepper" in source else "explorer"


def replace_widgets(nb: nbformat.NotebookNode, up: str) -> int:
    """Drop widget views (keeping any stored picture) and add a note after each such cell; return the count."""
    cells, count = [], 0
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        had_widget, says_how = False, False
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_MIME in data:
                had_widget = True
                del data[WIDGET_MIME]
                if any(k.startswith("image/") or k == "text/html" for k in data):
                    data.pop("text/plain", None)  # the picture says it; the repr would only add noise
                says_how = says_how or "Run this notebook" in "".join(data.get("text/html", ""))
        if had_widget:
            count += 1
            cell.outputs = [o for o in cell.outputs if o.get("data", {}) or o.output_type == "stream"]
            if not says_how:  # the stepper's stored picture says it already; the explorer's is only a plot
                note = WIDGET_NOTE.format(kind=widget_kind(cell), up=up)
                cells.append(nbformat.v4.new_markdown_cell(note, metadata={"tags": ["widget-note"]}))
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return count


def stage_chapter(path: Path, dest: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, "")
    replace_widgets(nb, "")
    nbformat.write(nb, dest / page_name(path))


def stage_exercise(path: Path, dest: Path) -> None:
    downloads = dest / "exercises" / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, downloads / path.name)  # the student version's very bytes, for the download link
    page = nbformat.read(path, as_version=4)
    for cell in page.cells:
        if cell.cell_type == "markdown":
            cell.source = rewrite_links(cell.source, "exercises")
    link = (f"**Student version.** {{download}}`Download this exercise notebook <downloads/{path.name}>` "
            "and open it in JupyterLab with the course installed; the self-checks run there.")
    page.cells.insert(0, nbformat.v4.new_markdown_cell(link))
    nbformat.write(page, dest / "exercises" / path.name)


def readme_block(marker: str) -> str:
    """The command in the fenced block after ``marker`` in README.md (as .ci/run reads the test command)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    after = text.split(marker, 1)[1] if marker in text else ""
    match = re.search(r"```(?:bash)?\n(.*?)\n```", after, flags=re.S)
    return match.group(1).strip() if match else ""


def install_page() -> str:
    first = readme_block("## Two commands")
    tests = readme_block("<!-- test-command")
    site = readme_block("<!-- site-command")
    return f"""# Running the course yourself

The pages of this site are the course's notebooks as stored, with their outputs. To run them, change the
numbers, use the stepper and the explorer, and do the exercises with their self-checks, install the course
(it needs Python 3.10 or newer) and open it in JupyterLab. From a copy of the repository:

```bash
{first}
```

Run the whole test suite (the package's tests, every notebook re-run by nbval, the browser tests):

```bash
{tests}
```

Build this website (offline, from the stored outputs):

```bash
{site}
```

The exercises on this site are the student versions; download one from its page and open it in the
course's JupyterLab. Instructors grade submissions with `bpcourse grade` (see the instructors' guide).
"""


def toctree(caption: str, entries: list[str]) -> str:
    body = "\n".join(entries)
    return f"```{{toctree}}\n:caption: {caption}\n:hidden:\n:maxdepth: 1\n\n{body}\n```\n"


def stage(out_src: Path, only: set[str] | None) -> None:
    if out_src.exists():
        shutil.rmtree(out_src)
    out_src.mkdir(parents=True)
    shutil.copy(SITE / "conf.py", out_src / "conf.py")
    shutil.copytree(SITE / "_static", out_src / "_static")
    (out_src / "exercises").mkdir()
    chs = chapters(only)
    for ch in chs:
        stage_chapter(ch, out_src)
    for ex in exercises():
        stage_exercise(ex, out_src)
    # the exercises' guide for learners (how the self-checks and grading work), which the start page links to
    guide = rewrite_links((ROOT / "exercises" / "README.md").read_text(encoding="utf-8"), "exercises")
    (out_src / "exercises" / "README.md").write_text(guide, encoding="utf-8")
    # the instructors' guides (releasing, grading, nbgrader, classes beyond one machine): prose only, the
    # sources with the solutions stay in the repository
    (out_src / "instructors").mkdir()
    for name in ("README.md", "grading-at-scale.md"):
        text = rewrite_links((ROOT / "instructor" / name).read_text(encoding="utf-8"), "instructors")
        (out_src / "instructors" / name).write_text(text, encoding="utf-8")
    plans = lesson_plans()
    if plans:
        (out_src / "lesson_plans").mkdir()
        for plan in plans:
            text = rewrite_links(plan.read_text(encoding="utf-8"), "lesson_plans")
            (out_src / "lesson_plans" / plan.name).write_text(text, encoding="utf-8")
    (out_src / "install.md").write_text(install_page(), encoding="utf-8")
    index = nbformat.read(out_src / "index.ipynb", as_version=4)
    trees = [toctree("Chapters", [c.stem for c in chs if not c.name.startswith("00_")]),
             toctree("Exercises", ["exercises/README"] + [f"exercises/{e.stem}" for e in exercises()])]
    trees.append(toctree("For instructors", ["instructors/README", "instructors/grading-at-scale"]
                         + [f"lesson_plans/{p.stem}" for p in plans]))
    trees.append(toctree("Running it yourself", ["install"]))
    index.cells.append(nbformat.v4.new_markdown_cell("\n".join(trees)))
    nbformat.write(index, out_src / "index.ipynb")


# What the pages use of the MathJax copy: the TeX-to-HTML bundle, its fonts, and the parts it loads on demand
# (TeX extensions, the context menu and its accessibility tools); the rest (SVG and MathML bundles, speech
# rules) would only triple the site's size.
MATHJAX_KEEP = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y")


def prune_mathjax(out: Path) -> None:
    root = out / "_static" / "mathjax"
    keep = [root / k for k in MATHJAX_KEEP]
    for path in sorted(root.rglob("*"), reverse=True):
        inside = any(path == k or k in path.parents for k in keep)
        needed = inside or any(path in k.parents for k in keep)
        if not needed:
            path.unlink() if path.is_file() else shutil.rmtree(path, ignore_errors=True)


def build(out: Path, only: set[str] | None = None) -> int:
    from sphinx.cmd.build import build_main

    src = out.parent / "site-src"
    stage(src, only)
    if out.exists():
        shutil.rmtree(out)
    status = build_main(["-b", "html", "-q", "-j", "1", str(src), str(out), "-d", str(out.parent / "site-doctrees")])
    if status == 0:
        prune_mathjax(out)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"), help="output folder (default build/site)")
    parser.add_argument("--only", default=None, help="comma-separated chapter numbers, e.g. 02,07")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    status = build(Path(args.out).resolve(), only)
    if status == 0:
        print(f"site built: {Path(args.out).resolve() / 'index.html'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
