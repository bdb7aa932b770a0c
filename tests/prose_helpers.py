"""Reading the chapters' prose and the four source articles, for the tests that check what the prose says.

The articles live outside the repository, in a ``shared/`` folder beside the clone (``<parent>/shared/sources``,
as CI lays it out); ``BPCOURSE_SHARED`` may name that ``shared/`` folder instead. Without it, the tests that need
the articles skip saying why, and under ``CI=true`` they fail: CI must never pass without reading them.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
LESSON_PLANS = sorted((NOTEBOOKS / "lesson_plans").glob("[0-9][0-9]_*.md"))
QUOTES_FILE = NOTEBOOKS / "quotes.json"

#: A CJK ideograph run (the articles' words; punctuation is not part of a term).
CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
#: The course's marker for a quotation of an article in its original words: 「…」, optionally as `code` inside.
QUOTE_SPAN = re.compile(r"「(.*?)」", re.S)
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
#: The scrape of Article C inserted pinyin after some characters, e.g. 關(guān): an artefact, not the article's.
PINYIN_ARTEFACT = re.compile(r"(?<=[\u3400-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")

# Where each article's own text begins and ends in its scraped page (the rest is the site's navigation and
# its lists of other pages). Markers are looked up, not line numbers, so that a re-scrape cannot shift them.
_BODY = {
    "A": ("机器学习第十一次课", "相关推荐"),
    "B": ("神經網絡前向和后向傳播推導(二)", "posted @"),
    "C": ("理論到實踐(2)", "審核編輯"),
    "D": ("BP神经网络的推导过程是怎样的", "本站发布或转载"),
}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


def markdown_cells(nb: dict) -> list[tuple[int, str]]:
    """(index, text) of every markdown cell, indices as in the notebook file."""
    return [(i, source(c)) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]


def output_text(cell: dict) -> str:
    """The printed text of a code cell: its streams and text/plain results (not figures)."""
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append("".join(out["text"]))
        elif out.get("output_type") in ("execute_result", "display_data"):
            plain = "".join(out.get("data", {}).get("text/plain", ""))
            if not plain.startswith("<Figure"):
                parts.append(plain)
    return "".join(parts)


def chapter(number: int) -> Path:
    matches = [p for p in CHAPTERS if p.name.startswith(f"{number:02d}_")]
    assert len(matches) == 1, f"chapter {number}: expected one notebook, found {[p.name for p in matches]}"
    return matches[0]


def strip_quotes_and_fences(text: str) -> str:
    """Markdown with its original-language quotations and fenced blocks removed."""
    return QUOTE_SPAN.sub(" ", FENCE.sub(" ", text))


def quote_text(span: str) -> str:
    """A 「…」 span's quoted text: the inline-code backticks that protect formulas are not part of it."""
    span = span.strip()
    if len(span) >= 2 and span[0] == "`" and span[-1] == "`":
        span = span[1:-1]
    return span


@lru_cache(maxsize=1)
def quotes() -> tuple[dict, ...]:
    return tuple(load(QUOTES_FILE))


# ------------------------------------------------------------------------------------------- the articles
def shared_dir() -> Path | None:
    """The ``shared/`` folder holding ``sources/``: $BPCOURSE_SHARED, or beside the repository or an ancestor."""
    env = os.environ.get("BPCOURSE_SHARED")
    candidates = [Path(env)] if env else [p / "shared" for p in ROOT.parents]
    for c in candidates:
        if (c / "sources" / "README.md").is_file():
            return c
    return None


def require_articles() -> Path:
    """The sources folder, or skip (fail under CI) naming where it was looked for."""
    found = shared_dir()
    if found is None:
        where = os.environ.get("BPCOURSE_SHARED") or f"a shared/sources/ folder beside {ROOT} or an ancestor"
        reason = f"the four source articles are not available (looked for {where}); set BPCOURSE_SHARED"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found / "sources"


@lru_cache(maxsize=1)
def articles() -> dict[str, str]:
    """Article letter -> its file's full text, the file found through the sources README's table."""
    sources = require_articles()
    table = (sources / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*(\S+\.txt)\s*\|\s*Article ([A-D])\s*\|", table, re.M)
    files = {letter: name for name, letter in rows}
    assert sorted(files) == list("ABCD"), f"sources/README.md should map four files to Articles A-D, found {files}"
    return {letter: (sources / name).read_text(encoding="utf-8") for letter, name in files.items()}


def article_body(letter: str) -> str:
    """The article's own text (between its title and the page's footer), scrape artefacts removed."""
    text = PINYIN_ARTEFACT.sub("", articles()[letter])
    start, end = _BODY[letter]
    a, b = text.find(start), text.find(end)
    assert 0 <= a < b, f"Article {letter}: markers {start!r} ... {end!r} not found in order"
    return text[a:b]
