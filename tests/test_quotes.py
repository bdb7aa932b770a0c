"""What the chapters quote from the four articles is what the articles say.

Every excerpt lives in ``notebooks/quotes.json`` (id, article, place, text, optional English rendering) and is
verbatim in its article. In the chapters, a quotation in the original is marked 「…」 (a formula inside it may be
wrapped in backticks) or is a fenced block; each must equal an excerpt exactly. Chinese words outside quotations
must come from an excerpt or from the glossary, whose attributions are checked against the articles too. An
English rendering is called a rendering, never dressed as the article's own words.
"""
from __future__ import annotations

import re

import pytest

from prose_helpers import (CHAPTERS, CJK_RUN, FENCE, LESSON_PLANS, PINYIN_ARTEFACT, QUOTE_SPAN, ROOT, article_body,
                           articles, chapter, load, markdown_cells, quote_text, quotes, strip_quotes_and_fences)

PROSE = [(p.name, i, text) for p in CHAPTERS for i, text in markdown_cells(load(p))] + [
    (p.name, 0, p.read_text(encoding="utf-8")) for p in LESSON_PLANS]
GLOSSARY_ROW = re.compile(r"^\| ([^|]+) \| ([^|]+) \| ([^|]+) \| (\d+) \|$", re.M)
ATTRIBUTED = re.compile(r"^\s*(.+?) \(([A-D](?:, [A-D])*)\)\s*$")
COURSE_ONLY = "— (the course's)"


def _glossary() -> list[tuple[str, str, str]]:
    """(English, the course's Chinese, the articles' words) for each row of the start page's glossary."""
    cells = [text for _, text in markdown_cells(load(chapter(0))) if "## 0.5 Glossary" in text]
    assert len(cells) == 1, "the start page should have one glossary cell"
    rows = [(e.strip(), zh.strip(), words.strip()) for e, zh, words, _ in GLOSSARY_ROW.findall(cells[0])]
    assert len(rows) > 50, f"glossary rows found: {len(rows)}"
    return rows


def _excerpt_texts() -> list[str]:
    return [q["text"] for q in quotes()]


def test_quotes_file_is_well_formed():
    ids = [q["id"] for q in quotes()]
    assert len(ids) == len(set(ids)), f"duplicate excerpt ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    for q in quotes():
        assert set(q) <= {"id", "article", "place", "text", "rendering"}, f"{q['id']}: unknown fields {set(q)}"
        assert q["article"] in "ABCD" and len(q["article"]) == 1, f"{q['id']}: article {q['article']!r}"
        assert q["place"].strip() and q["text"].strip(), f"{q['id']}: empty place or text"
        assert q["text"] == q["text"].strip(), f"{q['id']}: leading or trailing blanks are not the article's"


@pytest.mark.parametrize("q", quotes(), ids=lambda q: q["id"])
def test_every_excerpt_is_verbatim_in_its_article(q):
    raw = articles()[q["article"]]
    # the sources' README allows leaving out the scrape's pinyin artefacts (環(huán) -> 環), and nothing else
    text = raw if q["text"] in raw else PINYIN_ARTEFACT.sub("", raw)
    assert q["text"] in text, f"excerpt {q['id']} is not, character for character, in Article {q['article']}"
    line = re.match(r"lines? (\d+)", q["place"])
    if line:                                  # the place names the line where the excerpt starts
        start = text.index(q["text"])
        assert text.count("\n", 0, start) + 1 == int(line.group(1)), f"{q['id']}: not at {q['place']!r}"


def test_every_original_language_quote_in_the_prose_is_an_excerpt():
    excerpts = set(_excerpt_texts())
    found = 0
    for name, i, text in PROSE:
        for span in QUOTE_SPAN.findall(text):
            found += 1
            assert quote_text(span) in excerpts, f"{name} cell {i}: 「{span[:60]}」 is not an excerpt in quotes.json"
        for block in FENCE.findall(text):
            if CJK_RUN.search(block):
                found += 1
                assert block.strip("\n") in excerpts, f"{name} cell {i}: a fenced block in Chinese is not an excerpt"
    assert found >= 8, f"only {found} quotations found: the marker 「…」 is no longer being used?"


def test_chinese_outside_quotations_comes_from_an_excerpt_or_the_glossary():
    rows = _glossary()
    known = [zh for _, zh, _ in rows] + [w for _, _, words in rows for w in words.split(";")] + _excerpt_texts()
    for name, i, text in PROSE:
        if "## 0.5 Glossary" in text:
            continue
        for run in CJK_RUN.findall(strip_quotes_and_fences(text)):
            assert any(run in k for k in known), (
                f"{name} cell {i}: '{run}' is neither a glossary term nor part of a quoted excerpt")


def test_glossary_words_are_the_articles_own():
    for english, zh, words in _glossary():
        if words == COURSE_ONLY:
            for term in CJK_RUN.findall(zh):
                users = [a for a in "ABCD" if term in article_body(a)]
                assert not users, f"glossary '{english}': {term} is marked the course's, but Article(s) {users} use it"
            continue
        for entry in words.split(";"):
            m = ATTRIBUTED.match(entry)
            assert m, f"glossary '{english}': {entry!r} should read 'word (A, B)'"
            word, letters = m.group(1), m.group(2).split(", ")
            for letter in letters:
                assert word in article_body(letter), f"glossary '{english}': Article {letter} does not write {word}"


def test_the_glossary_has_the_terms_the_issue_found_missing():
    words = " ".join(w for _, _, w in _glossary())
    for term, letter in (("加權輸入", "B"), ("净输入", "D"), ("偏移", "B"), ("后向傳播", "B"),
                         ("復合函數", "C"),
                         ("激活值", "D"), ("梯度檢驗", "C")):
        assert re.search(rf"{term} \([A-D, ]*{letter}", words), f"the glossary lacks {term} ({letter})"


SAYING = re.compile(r"\b(?:Article [A-D]|the article|the author)(?:'s)?(?: \w+){0,3} "
                    r"(?:writes|says|puts it|remarks|notes|states|calls|prints)\b", re.I)
ENGLISH_QUOTE = re.compile(r"[\"“]([A-Za-z][^\"”]{15,}?)[\"”]|(?<![*\w])\*([A-Za-z][^*]{15,}?)\*(?![*\w])")


def test_english_renderings_are_called_renderings():
    """A paragraph that attributes words to an article and quotes English must call the English a rendering."""
    for name, i, text in PROSE:
        for para in re.split(r"\n\s*\n", strip_quotes_and_fences(text)):
            if not SAYING.search(para):
                continue
            for plain, italic in ENGLISH_QUOTE.findall(para):
                words = (plain or italic).split()
                if len(words) >= 4:
                    assert "rendering" in para, (
                        f"{name} cell {i}: '{' '.join(words)[:60]}' is put in an article's mouth; quote the "
                        "original (「…」, from quotes.json) or call the English our rendering")


# ------------------------------------------------------------------------- what the chapters say of Article C
def _excerpt(ident: str) -> str:
    return next(q["text"] for q in quotes() if q["id"] == ident)


def test_article_c_has_its_plus_in_the_definition_and_its_minus_in_the_check():
    """The claim of chapters 0, 3, 4, lesson plan 04, exercise 04 and chain.numeric_gradients, against the article."""
    assert "+ f(/theta - /epsilon)" in _excerpt("C-derivative-definition")
    assert "L(wi+ 10^{-4}) - L(wi- 10^{-4})" in _excerpt("C-check-formula")
    assert "(lim_dw3_right - lim_dw3_left)" in _excerpt("C-check-code")
    old_claim = re.compile(r"(?:prints its check|check (?:is )?printed|central-difference formula is printed|"
                           r"prints the formula with a \$?\+|only the formula in its text)", re.I)
    texts = [(n, t) for n, _, t in PROSE] + [
        ("instructor/source/ex04/ex04_gradient_checking.ipynb",
         "\n".join(t for _, t in markdown_cells(load(ROOT / "instructor" / "source" / "ex04" / "ex04_gradient_checking.ipynb")))),
        ("bpcourse/models/chain.py", (ROOT / "bpcourse" / "models" / "chain.py").read_text(encoding="utf-8"))]
    for name, text in texts:
        assert not old_claim.search(" ".join(text.split())), f"{name} still says Article C's check has the '+'"


def _table_column(text: str, header_start: str, column: int) -> list[str]:
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.strip("|").split("|")[column])
    return rows


def test_article_c_names_are_its_own():
    """Code names the chapters give Article C (`result3`, `LEARNING_RATE`, its train signature) are in its text."""
    body = article_body("C")
    start_page = "\n".join(t for _, t in markdown_cells(load(chapter(0))))
    ch3 = "\n".join(t for _, t in markdown_cells(load(chapter(3))))
    cells = _table_column(start_page, "| course | Article A", 3) + _table_column(ch3, "| Article C |", 0)
    names = [n for cell in cells for n in re.findall(r"`([^`]+)`", cell)]
    assert {"result3", "result2", "LEARNING_RATE", "learning_rate"} <= set(names), names
    for name in names:
        assert name in body, f"the chapters give Article C the name `{name}`, which it does not use"
    ch4 = "\n".join(t for _, t in markdown_cells(load(chapter(4))))
    signature = re.search(r"`(train\([^`]*\))`", ch4).group(1)
    assert f"def {signature}" in body, f"Article C does not define {signature}"
    block = ch4[ch4.index("line for line as it wrote them"):]
    code = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    for line in code.splitlines():
        line = line.split("  #")[0].rstrip()                   # the chapter's own '# Layer' labels
        if line.strip():
            assert line in body, f"chapter 4 shows {line.strip()!r} as Article C's code, which it is not"


def test_borrowed_examples_are_credited():
    for path in CHAPTERS:
        for i, text in markdown_cells(load(path)):
            if re.search(r"2\\cdot\\big\(x\\cdot y\+\\max\(z,w\)\\big\)", text):
                assert "CS231n" in text, f"{path.name} cell {i}: CS231n's example is used without credit"
