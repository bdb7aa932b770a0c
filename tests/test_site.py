"""The static website (``site/build.py``): built from the stored outputs, complete, offline, and typeset.

One build of the whole site (the ``site`` fixture, tests/conftest.py) serves every test here and the browser
checks in tests/e2e/test_e2e_site.py, which open three chapters in the browser suite's Chromium.
"""
from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from site_helpers import site_command

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("ex[0-9][0-9]_*.ipynb"))


def page_of(notebook: Path) -> str:
    if notebook.parent.name == "exercises":
        return f"exercises/{notebook.stem}.html"
    return "index.html" if notebook.name.startswith("00_") else f"{notebook.stem}.html"


def test_the_readme_site_command_installs_the_site_extra_and_runs_the_builder():
    steps = [s.strip() for s in site_command().split("&&")]
    assert any(s.endswith('pip install -e ".[site]"') for s in steps), steps
    assert steps[-1].split()[-1] == "site/build.py", steps
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert {"sphinx", "myst-nb", "sphinx-book-theme"} <= {re.split(r"[<>=\[ ]", d)[0] for d in extras["site"]}
    assert "bpcourse[site]" in extras["test"], "the test install must carry the site's tools: test_site builds it"
    learner = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert not any(d.startswith(("sphinx", "myst")) for d in learner), "the site's tools leaked into the course"


class _Refs(html.parser.HTMLParser):
    """Every URL a page loads or links to: (tag, attribute, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.imgs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append((tag, name, value))
                if tag == "img" and name == "src":
                    self.imgs.append(value)


def _refs(page: Path) -> _Refs:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts)


def test_every_chapter_and_exercise_has_a_page(site):
    for nb in CHAPTERS + EXERCISES:
        assert (site / page_of(nb)).is_file(), f"{nb.name} has no page {page_of(nb)}"
    assert (site / "install.html").is_file()
    assert (site / "index.html").read_text(encoding="utf-8").count("Chapter 1") >= 1


def test_every_exercise_page_is_the_student_version_with_a_download(site):
    for ex in EXERCISES:
        text = (site / page_of(ex)).read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, ex.name
        assert "YOUR CODE HERE" in text, f"{ex.name}: not the released version"
        downloads = [v for _, _, v in _refs(site / page_of(ex)).refs if v.endswith(ex.name)]
        assert downloads, f"{ex.name}: no link to download the notebook"
        target = (site / page_of(ex)).parent / unquote(downloads[0])
        assert target.read_bytes() == ex.read_bytes(), f"{ex.name}: the download is not the committed student version"
        released = json.loads(target.read_text(encoding="utf-8"))
        assert all("BEGIN SOLUTION" not in "".join(c["source"]) for c in released["cells"])


def test_every_internal_link_and_image_resolves(site):
    broken = []
    for page in _pages(site):
        for tag, attr, value in _refs(page).refs:
            url = urlparse(value)
            if url.scheme or value.startswith(("#", "mailto:", "javascript:")) or not url.path:
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: <{tag} {attr}={value!r}>")
    assert not broken, "broken links:\n" + "\n".join(broken[:30])


def test_pages_load_nothing_from_outside(site):
    external = []
    for page in _pages(site):
        for tag, attr, value in _refs(page).refs:
            loads = tag in ("script", "img", "iframe", "link", "source", "video", "audio")
            if loads and urlparse(value).scheme in ("http", "https") or value.startswith("//"):
                external.append(f"{page.relative_to(site)}: <{tag} {attr}={value}>")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(encoding="utf-8")):
            external.append(f"{css.relative_to(site)}: url({url})")
    assert not external, "external resources:\n" + "\n".join(external[:30])


def _stored_images(notebook: Path) -> int:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return sum(1 for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
               if "image/png" in o.get("data", {}))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name[:2])
def test_chapter_pages_contain_the_stored_figures(site, chapter):
    imgs = [src for src in _refs(site / page_of(chapter)).imgs if "_images/" in src]
    assert len(imgs) >= _stored_images(chapter), (
        f"{chapter.name}: {_stored_images(chapter)} stored figures, {len(imgs)} on the page")
    for src in imgs:
        assert (site / page_of(chapter)).parent.joinpath(unquote(src)).stat().st_size > 1000


def test_no_traceback_or_raw_repr_on_any_page(site):
    bad = re.compile(r"Traceback \(most recent call last\)|object at 0x|&lt;Figure size|"
                     r"np\.float64\(|array\(\[|Error displaying widget|model not found")
    for page in _pages(site):
        found = bad.search(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(site)}: {found.group(0)!r}"


def test_widgets_show_a_picture_and_say_how_to_use_them(site):
    for chapter in CHAPTERS:
        nb = json.loads(chapter.read_text(encoding="utf-8"))
        widget_cells = [c for c in nb["cells"] if c["cell_type"] == "code" and any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.get("outputs", []))]
        if not widget_cells:
            continue
        for cell in widget_cells:  # the picture shown before any kernel runs, and so on the site
            data = [o.get("data", {}) for o in cell["outputs"]]
            assert any("image/png" in d or "<img" in "".join(d.get("text/html", "")) for d in data), (
                f"{chapter.name}: a widget output without a stored picture")
        text = (site / page_of(chapter)).read_text(encoding="utf-8")
        assert text.count("Run this notebook") >= len(widget_cells), chapter.name
        assert "application/vnd.jupyter.widget" not in text, f"{chapter.name}: a widget view was left in"


def test_the_chinese_glossary_is_on_the_start_page(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    for term in ("反向传播", "梯度下降", "损失函数"):
        assert term in text, f"glossary term {term} missing from the home page"


def test_search_index_covers_the_course(site):
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    for word in ("sigmoid", "backpropag", "softmax"):
        assert word in index, f"{word!r} is not in the search index"
