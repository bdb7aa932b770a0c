"""One style across chapters (issue 17): one title pattern; "Predict, then run" prompts with a hidden answer that
follows the code it settles and cites its output; `model`, not `net`, for a network variable."""
from __future__ import annotations

import re

import pytest

from prose_helpers import CHAPTERS, chapter, load, markdown_cells, output_text, source

TITLE = re.compile(r"# Chapter (\d+) — \S[^\n·]*")
PROMPT = "**Predict, then run.**"
ANSWER_HEAD = "<details>\n<summary><b>Answer</b> (click to open)</summary>\n\n"
#: How many prompts each chapter has at least (chapter 0: one, on its shapes cell); every chapter is checked.
PROMPTED = {0: 1, 1: 3, 2: 4, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 3, 10: 2}
#: A number as the output prints it: a decimal, a power of ten, a shape, or a whole number with thousands commas.
CITABLE = re.compile(r"\d+\.\d+|\d+e-\d+|\(\d+, \d+\)|\d{1,3}(?:,\d{3})+")


def _title_problem(first_cell: str, number: int) -> str | None:
    line = first_cell.split("\n", 1)[0]
    m = TITLE.fullmatch(line)
    if m is None:
        return f"title {line!r} is not '# Chapter {number} — Title'"
    if int(m.group(1)) != number:
        return f"title {line!r} names chapter {m.group(1)}, the file is chapter {number}"
    return None


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_title_has_the_one_form(path):
    assert _title_problem(markdown_cells(load(path))[0][1], int(path.name[:2])) is None


def test_the_title_check_rejects_the_other_separators():
    assert _title_problem("# Chapter 6 — The fully connected layer (Article B)\n\ntext", 6) is None
    assert _title_problem("# Chapter 6 · The fully connected layer", 6) is not None
    assert _title_problem("# Chapter 6 - The fully connected layer", 6) is not None
    assert _title_problem("# Backpropagation, derived step by step — start here", 0) is not None
    assert _title_problem("# Chapter 7 — Matrix form", 6) is not None


def test_the_navigation_links_use_the_title_separator():
    for path in CHAPTERS:
        for i, text in markdown_cells(load(path)):
            for nav in re.findall(r"\*\*(?:Previous|Next):\*\* \[([^\]]*)\]", text):
                assert "·" not in nav, f"{path.name} cell {i}: navigation link {nav!r} uses '·', the titles use '—'"


def _prompt_problems(cells: list[dict]) -> list[str]:
    """What is wrong with the prompts of a chapter's cells, as in chapters 1 and 2: the prompt, then (markdown
    without an answer) the code cell that settles it, then at once a collapsed answer that cites that cell's output."""
    problems = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown" or PROMPT not in source(cell):
            continue
        if source(cell).count(PROMPT) != 1:
            problems.append(f"cell {i}: more than one prompt in one cell")
        code_at = next((j for j in range(i + 1, len(cells)) if cells[j]["cell_type"] == "code"), None)
        if code_at is None or code_at + 1 >= len(cells):
            problems.append(f"cell {i}: no code cell (and answer) after the prompt")
            continue
        if any("<details" in source(cells[j]) for j in range(i, code_at)) or "<details" in source(cell):
            problems.append(f"cell {i}: the answer shows before the code runs")
        answer = source(cells[code_at + 1])
        if cells[code_at + 1]["cell_type"] != "markdown" or not answer.startswith(ANSWER_HEAD):
            problems.append(f"cell {code_at + 1}: not a collapsed answer in the form of chapters 1 and 2")
            continue
        body, closed, _ = answer[len(ANSWER_HEAD):].partition("\n\n</details>")
        if not closed or "<details open" in answer:
            problems.append(f"cell {code_at + 1}: the answer is not closed by a blank line and </details>")
        printed = set(CITABLE.findall(output_text(cells[code_at])))
        if not printed & set(CITABLE.findall(body)):
            problems.append(f"cell {code_at + 1}: the answer cites nothing the code cell {code_at} printed")
    return problems


@pytest.mark.parametrize("number", sorted(PROMPTED), ids=lambda n: f"ch{n}")
def test_prompts_precede_their_code_and_hide_an_answer_that_cites_it(number):
    cells = load(chapter(number))["cells"]
    count = sum(PROMPT in source(c) for c in cells if c["cell_type"] == "markdown")
    assert count >= PROMPTED[number], f"chapter {number} has {count} prompts, expected at least {PROMPTED[number]}"
    assert _prompt_problems(cells) == []


def test_the_prompt_check_catches_an_early_or_uncited_answer():
    def md(text):
        return {"cell_type": "markdown", "source": text}

    def code(printed):
        return {"cell_type": "code", "source": "print()", "outputs": [{"output_type": "stream", "text": printed}]}

    good = [md(PROMPT + " How large?"), code("x = 0.25\n"), md(ANSWER_HEAD + "It is 0.25, as printed.\n\n</details>")]
    assert _prompt_problems(good) == []
    assert sorted(PROMPTED) == [int(p.name[:2]) for p in CHAPTERS], "every chapter has a predict prompt, checked"
    early = [good[0], good[2], good[1], md("text")]
    assert _prompt_problems(early)
    uncited = [good[0], good[1], md(ANSWER_HEAD + "It is small.\n\n</details>")]
    assert _prompt_problems(uncited) == ["cell 2: the answer cites nothing the code cell 1 printed"]
    visible = [good[0], good[1], md("It is 0.25.")]
    assert _prompt_problems(visible)


NETWORK = re.compile(r"\b(?:net|nn|network|\w+_net|net_\w+)\s*=\s*(?:Sequential|mlp|framework\.)|\b(?:net|nn|network)\.(?:layers|fit|"
                     r"forward|loss_and_grad|gradients|parameters|evaluate|calc_gradient)\b")


@pytest.mark.parametrize("number", [4, 6, 7, 10], ids=lambda n: f"ch{n}")
def test_a_network_variable_is_called_model(number):
    """`net` is the pre-activation; a network in these chapters' code is `model` (or a name with it, `xor_model`)."""
    for i, cell in enumerate(load(chapter(number))["cells"]):
        if cell["cell_type"] == "code":
            assert not NETWORK.search(source(cell)), f"chapter {number} cell {i} names a network net/nn/network"
    assert NETWORK.search("net = mlp([2, 3, 1])") and NETWORK.search("net.layers[1] = x")
    assert NETWORK.search("xor_net = Sequential([])") and NETWORK.search("net_tab = Sequential([])")
    assert not NETWORK.search("net_h = W_hidden @ x_aug") and not NETWORK.search("xor_model = mlp([2, 4, 1])")
    assert not NETWORK.search("net = X @ W.T + b") and not NETWORK.search("model = mlp([2, 3, 1])")


TARGET_AS_Y = re.compile(r"\bX\w*, y\w* = |\by_(?:fit|val|test|train|tr|te|sp|moons)\b|\.X, \w+\.y\b")
RATE_NOT_ETA = re.compile(r"^\s*(?:lr|learning_rate|alpha)\s*=", re.M)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_targets_are_t_and_the_learning_rate_eta(path):
    """`y` is an activation in the course's notation: data targets are t (as `bpcourse.datasets` returns them), and
    a learning rate is eta. Every chapter, not only those with predict prompts."""
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            assert not TARGET_AS_Y.search(source(cell)), f"{path.name} cell {i} names targets y"
            assert not RATE_NOT_ETA.search(source(cell)), f"{path.name} cell {i} names a learning rate lr/alpha"
    assert TARGET_AS_Y.search("X, y = load_digits()") and TARGET_AS_Y.search("model.fit(X_tr, y_tr)")
    assert TARGET_AS_Y.search("net.fit(explorer.X, explorer.y)") and not TARGET_AS_Y.search("p.x, p.y")
    assert not TARGET_AS_Y.search("X, t = load_digits()") and RATE_NOT_ETA.search("x = 1\nlr = 0.1")
