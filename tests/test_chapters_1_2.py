"""Chapters 1 and 2's new parts (issue 17), recomputed here by independent code and compared with what the executed
notebooks print: the descent picture, the forgotten zeroing of gradients, the path counts, the memory price and the
micrograd-style network on XOR; and the "Predict, then run" prompts with their hidden answers.

Nothing here imports the notebooks' own code: closed forms, plain floats and NumPy only.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from prose_helpers import chapter, load, markdown_cells, output_text, source
from site_helpers import need_module

CH1, CH2 = load(chapter(1)), load(chapter(2))


def _output_of(nb: dict, piece: str) -> str:
    cells = [c for c in nb["cells"] if c["cell_type"] == "code" and piece in source(c)]
    assert len(cells) == 1, f"{len(cells)} code cells contain {piece!r}, expected 1"
    text = output_text(cells[0])
    assert text.strip(), f"the cell with {piece!r} has no stored output"
    return text


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# ------------------------------------------------------------------------------------- chapter 1: the picture
def test_the_descent_picture_prints_the_closed_form_step():
    w2, b, x1, x2, t, eta, w1 = -0.3, 0.1, 1.0, 0.5, 1.0, 2.0, 0.5

    def loss(w: float) -> float:
        return 0.5 * (_sigmoid(w * x1 + w2 * x2 + b) - t) ** 2

    o = _sigmoid(w1 * x1 + w2 * x2 + b)
    slope = (o - t) * o * (1 - o) * x1                      # chapter 1's boxed formula, not central differences
    w_next = w1 - eta * slope
    expected = (f"at w1 = 0.5: E = {loss(w1):.6f}, slope dE/dw1 = {slope:.6f} (central differences)\n"
                f"step: w1 <- w1 - eta * dE/dw1 = 0.5 - 2 * ({slope:.6f}) = {w_next:.6f}\n"
                f"loss: {loss(w1):.6f} -> {loss(w_next):.6f} (the tangent predicted "
                f"{loss(w1) + slope * (w_next - w1):.6f})\n")
    assert _output_of(CH1, "w1_next = w1_now - eta_pic * slope_now") == expected
    assert loss(w_next) < loss(w1), "one step against the slope must lower the loss"


def test_the_picture_uses_the_neuron_the_later_cells_use():
    """The slope in the picture is the gradient section 3 prints for the same neuron."""
    picture = _output_of(CH1, "w1_next = w1_now - eta_pic * slope_now")
    section3 = _output_of(CH1, "dE_do = o - t")
    slope = re.search(r"slope dE/dw1 = (\S+) ", picture).group(1)
    assert re.search(r"by hand:\s+dE/dw = \((\S+),", section3).group(1) == slope


# -------------------------------------------------------------------------------- chapter 2: zeroing gradients
def _descend(forget: bool) -> list[tuple[float, float, float]]:
    x, t, eta, w, grad = 1.5, 3.0, 0.2, 0.0, 0.0
    rows = []
    for _ in range(8):
        true = (w * x - t) * x
        grad = grad + true if forget else true
        rows.append((w, 0.5 * (w * x - t) ** 2, grad))
        w -= eta * grad
    return rows


def test_the_forgotten_zero_grad_table_is_recomputed():
    out = _output_of(CH2, "def descend(value_type, zero_grad):")
    rows = re.findall(r"^\s*(\d+) \|\s+(\S+)\s+(\S+)\s+(\S+) \|\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.M)
    assert len(rows) == 8, out
    for (step, *printed), z, f in zip(rows, _descend(False), _descend(True)):
        true = (f[0] * 1.5 - 3.0) * 1.5
        assert printed == [f"{v:.4f}" for v in (*z, *f, true)], f"step {step}"
    assert out.count(": True") == 3 and "False" not in out


# ------------------------------------------------------------------------------------------- chapter 2: paths
def test_path_counts_agree_with_adjacency_matrix_powers():
    out = _output_of(CH2, "def walk_paths(edges")
    rows = re.findall(r"^\s*(\d+)\s+(\d+) \|\s+(\d+) \|\s+(\d+) \| (True|False)\s* \|\s+(\d+) \|\s+(\d+)$", out, re.M)
    assert len(rows) == 8, out
    for n, L, walked, power, equal, by_paths, edges in ((int(v) if v.isdigit() else v for v in r) for r in rows):
        # paths from x to E = 1^T (all-ones n x n)^(L-1) 1: counted by matrix powers, not by n**L
        count = int(np.ones(n) @ np.linalg.matrix_power(np.ones((n, n), dtype=np.int64), L - 1) @ np.ones(n))
        assert walked == power == count and equal == "True"
        assert by_paths == L * count and edges == n + n * n * (L - 1) + n
    assert "width 100, depth 10: 1e+20 paths; backprop: 90,200 multiplications" in out
    assert 100 ** 10 == 10 ** 20 and 2 * 100 + 9 * 100 ** 2 == 90_200


def test_the_sum_over_paths_cell_checks_three_ways():
    out = _output_of(CH2, "by_paths = 0.0")
    values = [float(v) for v in re.findall(r"[-+]\d\.\d{9}", out)]
    assert len(values) == 3 and max(values) - min(values) < 1e-8, out
    assert "sum over the 81 paths" in out and out.count("True") == 2 and "False" not in out


# ------------------------------------------------------------------------------------------ chapter 2: memory
def test_the_memory_table_counts_what_backprop_keeps():
    out = _output_of(CH2, "def forward_for_backprop(X, weights):")
    rows = re.findall(r"^\s*(\d+) \|\s+(\S+) \|\s+(\S+) \|\s+(\S+) \|\s+(\S+) \|\s+(\S+) \|\s+(\S+)$", out, re.M)
    assert [r[0] for r in rows] == ["1", "2", "4", "8"], out
    batch = 256
    for depth, weights_mb, counted, held_f, held_b, peak_f, peak_b in rows:
        sizes = [784] + [512] * int(depth) + [10]
        n_weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        kept = batch * sum(sizes[1:]) * 8
        assert weights_mb == f"{n_weights * 8 / 1e6:.2f}" and counted == f"{kept / 1e6:.2f}"
        # measured: what backprop keeps is the counted activations (within list overhead), forward-only keeps its output
        assert abs(float(held_b) - kept / 1e6) <= 0.011 and float(held_f) == round(batch * 10 * 8 / 1e6, 2)
        assert float(peak_b) >= float(peak_f)
    big = 1024 * (8 * 512 + 10) * 8 / 1e6
    assert f"batch of 1024: {big:.2f} MB of kept activations, more than the weights" in out
    assert big > float(rows[-1][1])


# ---------------------------------------------------------------------------------------- chapter 2: MLP on XOR
def _xor_by_numpy() -> tuple[list[float], np.ndarray]:
    """The 2-4-1 network of section 2.14 in matrix form with a hand-written backward pass: tanh hidden layer,
    sigmoid output, E = mean of 1/2 (o - t)^2, weights drawn from U(-1, 1) in the notebook's order
    (neuron by neuron, each neuron's inputs in turn), biases 0, 300 steps of gradient descent with eta = 2."""
    draw = np.random.default_rng(0)
    W1 = np.array([draw.uniform(-1.0, 1.0, size=2) for _ in range(4)])
    w2 = draw.uniform(-1.0, 1.0, size=4)
    b1, b2 = np.zeros(4), 0.0
    X, t = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0, 1.0, 0.0])
    losses = []
    for _ in range(300):
        h = np.tanh(X @ W1.T + b1)
        o = 1.0 / (1.0 + np.exp(-(h @ w2 + b2)))
        losses.append(float(np.mean(0.5 * (o - t) ** 2)))
        d_out = (o - t) * o * (1 - o) / 4
        d_hid = np.outer(d_out, w2) * (1 - h ** 2)
        W1, b1 = W1 - 2.0 * d_hid.T @ X, b1 - 2.0 * d_hid.sum(axis=0)
        w2, b2 = w2 - 2.0 * h.T @ d_out, b2 - 2.0 * d_out.sum()
    o = 1.0 / (1.0 + np.exp(-(np.tanh(X @ W1.T + b1) @ w2 + b2)))
    return losses, o


def test_the_value_mlp_trains_as_a_numpy_network_with_hand_written_backprop():
    out = _output_of(CH2, "eta_xor, steps_xor = 2.0, 300")
    losses, o = _xor_by_numpy()
    expected = "mean loss at steps 1, 10, 100, 300: " + ", ".join(f"{losses[k]:.4f}" for k in (0, 9, 99, -1))
    assert expected in out, out
    printed = [float(v) for v in re.findall(r"o = (\d\.\d{4})", out)]
    assert printed == [round(float(v), 4) for v in o], (printed, o)
    assert "all four right: True" in out and np.array_equal(o >= 0.5, [False, True, True, False])


def test_the_mlp_gradient_check_passed():
    out = _output_of(CH2, "def loss_at_params(model, vec):")
    assert "17 parameters" in out and "below 1e-8: True" in out
    assert 4 * (2 + 1) + (4 + 1) == 17


# ------------------------------------------------------------------------------- predict, then run; the answers
def _prompts(nb: dict) -> list[int]:
    return [i for i, text in markdown_cells(nb) if "**Predict, then run.**" in text]


@pytest.mark.parametrize("nb", [CH1, CH2], ids=["ch1", "ch2"])
def test_every_prompt_is_followed_by_its_code_and_a_closed_answer(nb):
    cells = nb["cells"]
    prompts = _prompts(nb)
    assert len(prompts) >= 2
    for i in prompts:
        code_at = next(j for j in range(i + 1, len(cells)) if cells[j]["cell_type"] == "code")
        assert all(cells[j]["cell_type"] == "markdown" and "<details" not in source(cells[j])
                   for j in range(i + 1, code_at)), f"cell {i}: the answer shows before the code runs"
        answer = source(cells[code_at + 1])
        assert cells[code_at + 1]["cell_type"] == "markdown" and answer.startswith("<details>\n<summary>"), (
            f"cell {code_at + 1} should open with a collapsed <details> answer")
        body = answer.split("</summary>", 1)[1]
        assert body.startswith("\n\n") and "\n\n</details>" in body, (
            "blank lines around the answer let JupyterLab and MyST render its Markdown and math")
        assert "<details open" not in answer


def test_the_hidden_answer_renders_on_the_static_site(tmp_path):
    """site/build.py for chapters 1 and 2 only: the answers come out as collapsed <details> with typeset math."""
    import subprocess
    import sys
    from pathlib import Path

    for module in ("sphinx", "myst_nb", "sphinx_book_theme"):
        need_module(module)                                   # skips outside CI only, saying why
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(root / "site" / "build.py"), "--out", str(tmp_path / "site"),
                           "--only", "01,02"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name, nb in [("01_single_neuron", CH1), ("02_chain_rule_and_graphs", CH2)]:
        page = (tmp_path / "site" / f"{name}.html").read_text(encoding="utf-8")
        blocks = re.findall(r"<details>\s*<summary>(.*?)</summary>(.*?)</details>", page, re.S)
        assert len(blocks) == len(_prompts(nb)), f"{name}: {len(blocks)} answers rendered"
        assert all("<p>" in body and "&lt;" not in body for _, body in blocks), "an answer was not rendered as HTML"
        assert any('class="math' in body for _, body in blocks), "the answers' math is not typeset"
