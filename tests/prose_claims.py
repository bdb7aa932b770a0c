"""The register of numbers the chapters' prose states from a computation.

Each claim names a chapter, the exact words of the prose that state the number(s) (whitespace collapsed), where
the number comes from (a unique piece of a code cell's source, whose stored output is read, or a data file), and
how to write the prose from that output. ``tests/test_prose_claims.py`` rebuilds each claim's words from the
executed notebook and requires them, unchanged, in the chapter: a number that drifts in the prose or in the output
fails.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from typing import Callable

WORDS = {2: "two", 3: "three", 10: "ten", 20: "twenty"}


@dataclass(frozen=True)
class Claim:
    chapter: int
    prose: str                       # the words in the chapter, whitespace collapsed
    source: str                      # a unique piece of the code cell's source, or "data:<path>"
    derive: Callable[[str], str]     # the cell's printed output (or the file's text) -> the prose's words


def grab(pattern: str, text: str) -> tuple[str, ...]:
    """The groups of the first match of ``pattern`` in ``text``; fails naming the pattern if there is none."""
    m = re.search(pattern, text)
    if m is None:
        raise AssertionError(f"the output no longer contains {pattern!r}")
    return m.groups()


def _lr_table(out: str) -> dict[float, list[str]]:
    rows = re.findall(r"^\s+(\d+\.\d) \|(.*)$", out, re.M)
    return {float(eta): [c.strip() for c in cols.split("|")] for eta, cols in rows}


def _ch1_plateau(out: str) -> str:
    table = _lr_table(out)
    latest = max(int(cols[-1]) for eta, cols in table.items() if eta <= 8)
    return (f"the four smaller learning rates are below a loss of 0.1 after epoch {latest} at the latest, while "
            f"$\\eta=32$ still sits at {table[32.0][0]} after 10 epochs and {table[32.0][1]} after 100")


def _ch3_epochs(out: str) -> tuple[str, str]:
    article = grab(r"article order:.*below 1e-3 from (\d+)", out)[0]
    return article, grab(r"correct order:.*below 1e-3 from (\d+)", out)[0]


def _ch4_overflow(out: str) -> str:
    article = grab(r"the article's code\s+(\d+) / 2000\s+(\d+) / 2000\s+(\d+)", out)
    overflowed, passed = int(article[2]), int(article[0])
    return f"in {overflowed} of those {2000 - passed} runs"


def _ch4_eps_ratio(printed: tuple[str, ...]) -> str:
    import numpy as np
    eps64, eps32 = float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps)
    assert printed == (f"{eps64:.1e}", f"{eps32:.1e}"), f"the cell prints machine epsilons {printed}"
    ratio = eps32 / eps64
    power = round(float(np.log2(ratio)))
    assert ratio == 2.0 ** power
    mantissa, exponent = f"{ratio:.1e}".split("e")
    return f"$2^{{{power}}} \\approx {mantissa}\\times10^{{{int(exponent)}}}$ times larger"


def _softmax_example(out: str) -> tuple[float, float, float]:
    """The example's probabilities (scores 2, 1, 0.1), as the chapter prints them to 4 decimals."""
    return tuple(float(v) for v in grab(r"stable softmax of \[2\.0, 1\.0, 0\.1\]\s+= (\S+)\s+(\S+)\s+(\S+)", out))


def _ch4_sample_range(code: str) -> str:
    first, step, n = grab(r"xs = \[(\S+) \+ (\S+) \* i for i in range\((\d+)\)", code)
    last = float(first) + float(step) * (int(n) - 1)
    return f"over {n} points $x \\in [{float(first):g}, {last:.1f}]$"


def _ch5_article_ahead(out: str) -> str:
    a, b, c, d = grab(r"lower loss in epochs (\d+)-(\d+) and (\d+)-(\d+);", out)
    return f"from about epoch {c} to about {round(int(d), -2):,} (and briefly around epoch {a} to {b})"


def _ch3_saddle_w3() -> float:
    """w3 where plain gradient descent from the article's start crawls past w1 = w2 = 0 (epochs 40 to 80)."""
    from bpcourse.models import chain
    return chain.train("correct", epochs=60).weights.w3


def _ch4_float32_spacing() -> str:
    import numpy as np
    from bpcourse.models import chain
    w1 = np.float32(chain.ARTICLE_WEIGHTS.w1)
    return f"(spacing about ${np.spacing(w1) / 1e-8:.1f}\\times10^{{-8}}$ near ${w1:.2f}$)"


def _ch4_verdict(r: float) -> str:
    """Chapter 4's threshold table (section 4.4), row by row."""
    return "fine" if r <= 1e-7 else "probably fine" if r <= 1e-5 else "suspicious" if r < 1e-2 else "a bug"


def _ch4_steps_table(out: str) -> tuple[tuple[str, ...], list[float], list[float]]:
    """The float32 cell's table: its steps, and the float64 and float32 rows of relative errors."""
    row = r"\s+(\S+)" * 5 + r"\n"
    steps = grab(r"eps" + row, out)
    assert steps == ("1e-05", "1e-04", "1e-03", "1e-02", "1e-01"), f"the cell's steps are {steps}"
    return steps, [float(v) for v in grab(r"float64" + row, out)], [float(v) for v in grab(r"float32" + row, out)]


def _tex_power(value: float) -> str:
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"${mantissa}\\times10^{{{int(exponent)}}}$"


def _ch4_float32_verdicts(out: str) -> str:
    _, _, f32 = _ch4_steps_table(out)
    verdicts = [_ch4_verdict(r) for r in f32[:3]]
    assert verdicts == ["a bug", "suspicious", "suspicious"], f"float32 at 1e-5, 1e-4, 1e-3 reads {verdicts}"
    return (f"looks like a bug at $\\varepsilon = 10^{{-5}}$ (relative error {_tex_power(f32[0])}) and is still "
            f"\"suspicious\" at $10^{{-4}}$ and $10^{{-3}}$ ({_tex_power(f32[1])} and {_tex_power(f32[2])})")


def _ch4_no_truncation(out: str) -> str:
    _, f64, f32 = _ch4_steps_table(out)
    for row in (f64, f32):                       # four decades of step: falling throughout, ~10x per decade
        assert all(a > b for a, b in zip(row, row[1:])), f"a row of the float32 cell does not fall: {row}"
        assert 5 <= (row[0] / row[-1]) ** (1 / 4) <= 20, f"not about tenfold per decade: {row}"
    return "in both rows the error falls roughly tenfold for each tenfold larger step, up to $10^{-1}$"


def _ch4_float32_best(out: str) -> str:
    steps, f64, f32 = _ch4_steps_table(out)
    k = min(range(len(f32)), key=f32.__getitem__)
    assert _ch4_verdict(f32[k]) != "fine" and all(_ch4_verdict(r) == "fine" for r in f64), (f64, f32)
    return (f"float32's best here, {_tex_power(f32[k])} at $\\varepsilon = 10^{{{int(steps[k].split('e')[1])}}}$, "
            "is not \"fine\" by the table of 4.4; float64 is, at every step printed")


def _ch4_float32_rule_of_thumb() -> str:
    import numpy as np
    step = (3 * float(np.finfo(np.float32).eps)) ** (1 / 3)
    return f"$(3\\varepsilon_{{\\text{{mach}}}})^{{1/3}} \\approx {step / 1e-3:.0f}\\times10^{{-3}}$"


def _ch10_falls(out: str) -> str:
    a, b, c = grab(r"epoch 1 over epoch 40: (\d+\.\d)x, (\d+\.\d)x, (\d+\.\d)x", out)
    return f"fall {a}, {b} and {c} times (layers 1, 2, 3) over the 40 epochs"


def _ch1_descent(out: str) -> str:
    slope, new, before, after = grab(r"= 0\.5 - 2 \* \((\S+)\) = (\S+)\nloss: (\S+) -> (\S+) ", out)
    return (f"the slope is ${slope}$, so $-\\eta\\cdot dE/dw_1=-2\\cdot({slope})$ is positive and $w_1$ goes from $0.5$ "
            f"to ${new}$. The loss falls from ${before}$ to ${after}$.")


def _ch2_memory_rows(out: str) -> dict[int, list[str]]:
    rows = re.findall(r"^\s*(\d+) \|(.*)$", out, re.M)
    return {int(depth): [c.strip() for c in cols.split("|")] for depth, cols in rows}


def _ch2_memory(out: str) -> str:
    rows = _ch2_memory_rows(out)
    return (f"With 1 hidden layer the kept activations take {rows[1][1]} MB, with 8 hidden layers {rows[8][1]} MB: "
            f"they grow linearly with the depth, and with the batch. The forward-only pass holds {rows[8][2]} MB")


def _ch2_forgotten(out: str) -> str:
    rows = {int(r[0]): r[1:] for r in re.findall(r"^\s*(\d+) \|\s+(\S+)\s+(\S+)\s+\S+ \|\s+(\S+)\s+(\S+)", out, re.M)}
    return (f"at step 8 it is at {rows[8][2]} with a loss of {rows[8][3]}, where the zeroed run is at {rows[8][0]} "
            f"with a loss of {rows[8][1]}")


def _ch2_xor(out: str) -> str:
    first, ten, hundred, last = grab(r"steps 1, 10, 100, 300: (\S+), (\S+), (\S+), (\S+)\n", out)
    return (f"The loss falls from {first} at step 1 to {ten} at step 10 (the first steps are the fastest), then "
            f"slowly for a while, then faster again, to {hundred} at step 100 and {last} at step 300")


def _ch10_start_ratio(out: str) -> str:
    # the epoch-1 medians of the update/weight ratio, one per layer: "near 1e-2" when all lie in [5e-3, 2e-2)
    first = [float(v) for v in re.findall(r"^layer \d \(.*?\)\s+\S+\s+\S+\s+(\S+)\s+\S+$", out, re.M)]
    assert len(first) == 3, f"expected three layer rows, found {first}"
    near = "near $10^{-2}$" if all(5e-3 <= v < 2e-2 for v in first) else f"at {first}"
    return f"The update-to-weight ratios start {near}, above the rule of thumb"


def _ch10_interior(out: str) -> str:
    best, budget = map(int, grab(r"lowest validation loss \S+ in epoch (\d+) of (\d+)", out))
    later, = grab(r"after epoch \d+: (\d+) more epochs, no new low", out)
    assert 1 < best < budget and int(later) == budget - best
    return f"lowest value comes in epoch {best} of {budget}, and all {later} later epochs stay above it"


def _largest_float64() -> str:
    mantissa, exponent = f"{sys.float_info.max:.1e}".split("e")
    return f"exceeds the largest float64 (${mantissa}\\cdot10^{{{int(exponent)}}}$)"


def _ch10_seed_spread(out: str) -> str:
    spread = int(grab(r"a spread of (\d+) images", out)[0])
    words = "a few images" if 0 < spread <= 5 else f"{spread} images"
    return f"The seed moves the test accuracy by {words}. Compared like for like"


CLAIMS: list[Claim] = [
    # ---- chapter 1: the plateau at eta = 32 and the rates that avoid it
    Claim(1, "the four smaller learning rates are below a loss of 0.1 after epoch 26 at the latest, while $\\eta=32$ "
             "still sits at 0.1250 after 10 epochs and 0.1238 after 100",
          "etas = [0.1, 0.5, 2.0, 8.0, 32.0]", _ch1_plateau),
    Claim(1, "stopped after 100 epochs (loss 0.1238 in the table)", "etas = [0.1, 0.5, 2.0, 8.0, 32.0]",
          lambda out: f"stopped after 100 epochs (loss {_lr_table(out)[32.0][1]} in the table)"),
    Claim(1, "Only after epoch 103, the table's last column, does it stay out", "etas = [0.1, 0.5, 2.0, 8.0, 32.0]",
          lambda out: f"Only after epoch {_lr_table(out)[32.0][-1]}, the table's last column, does it stay out"),
    Claim(1, "Now $net=0.75$", "loss on this sample:",
          lambda out: "Now $net={:g}$".format(sum(map(float, grab(r"w = \((\S+), (\S+)\), b = (\S+)\n", out))))),
    Claim(1, "the slope is $-0.092574$, so $-\\eta\\cdot dE/dw_1=-2\\cdot(-0.092574)$ is positive and $w_1$ goes from "
             "$0.5$ to $0.685148$. The loss falls from $0.075801$ to $0.059977$.",
          "w1_next = w1_now - eta_pic * slope_now", _ch1_descent),
    # ---- chapter 2: the memory price, the forgotten zeroing, the network on XOR
    Claim(2, "With 1 hidden layer the kept activations take 1.07 MB, with 8 hidden layers 8.41 MB: they grow linearly "
             "with the depth, and with the batch. The forward-only pass holds 0.02 MB",
          "def forward_for_backprop(X, weights):", _ch2_memory),
    Claim(2, "at step 8 it is at 1.1378 with a loss of 0.8363, where the zeroed run is at 1.9696 with a loss of 0.0010",
          "def descend(value_type, zero_grad):", _ch2_forgotten),
    Claim(2, "The loss falls from 0.1447 at step 1 to 0.1182 at step 10 (the first steps are the fastest), then "
             "slowly for a while, then faster again, to 0.0367 at step 100 and 0.0024 at step 300",
          "eta_xor, steps_xor = 2.0, 300", _ch2_xor),
    # ---- chapter 3: the article's run, its printed lines, the two orders
    Claim(3, "(with $w_3 \\approx -0.47$, so $p + 1 \\approx 1$)", "computed",
          lambda _: "(with $w_3 \\approx {:.2f}$, so $p + 1 \\approx 1$)".format(_ch3_saddle_w3())),
    Claim(3, "with $w_1 \\approx 0.97527$, $w_2 \\approx 0.96418$, $w_3 \\approx -1.06342$ and product "
             "$\\approx -0.99997$",
          'print(f"our loop:',
          lambda out: "with $w_1 \\approx {}$, $w_2 \\approx {}$, $w_3 \\approx {}$ and product $\\approx {}$".format(
              *grab(r"our loop:\s+w1 = (\S+), w2 = (\S+), w3 = (\S+)\n", out),
              *grab(r"product w1\*w2\*w3 = (\S+);", out))),
    Claim(3, "reproduces all twenty numbers of the ten lines exactly", "article_rows = [pattern.fullmatch",
          lambda out: "reproduces all {} numbers of the {} lines exactly".format(
              *(lambda same, n: (WORDS[2 * same] if same == n else "NOT ALL", WORDS[n]))(
                  *map(int, grab(r"equal the article's: (\d+) of (\d+)", out))))),
    Claim(3, "only after about 1,200 epochs (printed above)", "equal = (0.2333, 0.2333, 0.2333)",
          lambda out: "only after about {:,} epochs (printed above)".format(
              round(int(grab(r"below 1e-3 only from epoch (\d+)", out)[0]), -2))),
    Claim(3, "from it plain gradient descent needs 190 epochs to get the loss below $10^{-3}$, the article's order 137",
          "def trajectory(order, epochs):",
          lambda out: "from it plain gradient descent needs {1} epochs to get the loss below $10^{{-3}}$, the "
                      "article's order {0}".format(*_ch3_epochs(out))),
    Claim(3, "leaves the plateau 53 epochs earlier (loss below $10^{-3}$ from epoch 137 against 190)",
          "def trajectory(order, epochs):",
          lambda out: (lambda a, c: f"leaves the plateau {int(c) - int(a)} epochs earlier (loss below $10^{{-3}}$ "
                                    f"from epoch {a} against {c})")(*_ch3_epochs(out))),
    Claim(3, "(product $-0.04$, loss $0.46$)", 'longer = chain.train("correct", epochs=400)',
          lambda out: (lambda p, l: f"(product ${float(p):.2f}$, loss ${float(l):.2f}$)")(
              *grab(r"correct order, 160 epochs: .*product (\S+), loss (\S+)\n", out))),
    # ---- chapter 4: the '+' quotient, the 2,000 starts, the kink
    Claim(4, "in 367 of those 966 runs", "n_starts = 2000", _ch4_overflow),
    Claim(4, "and the quotient is $(z+\\varepsilon)/(2\\varepsilon) = 0.7$", "relu = lambda v: max(0.0, v)",
          lambda out: "and the quotient is $(z+\\varepsilon)/(2\\varepsilon) = {:g}$".format(
              float(grab(r"gives (\d\.\d+)", out)[0]))),
    Claim(4, "$2^{29} \\approx 5.4\\times10^{8}$ times larger", "def chain_in(dtype):",
          lambda out: _ch4_eps_ratio(grab(r"machine epsilon: float64 (\S+), float32 (\S+)\n", out))),
    Claim(4, "about $0.17\\cdot10^{-10}\\,|f'''|$", "computed",
          lambda _: f"about ${(1e-5) ** 2 / 6 / 1e-10:.2f}\\cdot10^{{-10}}\\,|f'''|$"),   # eps^2 / 6 at eps = 1e-5
    Claim(4, "over 41 points $x \\in [0.9, 1.1]$", "code:xs = [0.9 + 0.005 * i for i in range(41)]",
          lambda code: _ch4_sample_range(code)),
    Claim(4, "(spacing about $1.5\\times10^{-8}$ near $0.23$)", "computed", lambda _: _ch4_float32_spacing()),
    # ---- chapter 4: the float32 cell (a loss with no truncation error)
    Claim(4, "looks like a bug at $\\varepsilon = 10^{-5}$ (relative error $1.2\\times10^{-2}$) and is still \"suspicious\" "
             "at $10^{-4}$ and $10^{-3}$ ($8.7\\times10^{-4}$ and $8.4\\times10^{-5}$)",
          "def chain_in(dtype):", _ch4_float32_verdicts),
    Claim(4, "in both rows the error falls roughly tenfold for each tenfold larger step, up to $10^{-1}$",
          "def chain_in(dtype):", _ch4_no_truncation),
    Claim(4, "float32's best here, $7.9\\times10^{-7}$ at $\\varepsilon = 10^{-1}$, is not \"fine\" by the table of 4.4; "
             "float64 is, at every step printed",
          "def chain_in(dtype):", _ch4_float32_best),
    Claim(4, "$(3\\varepsilon_{\\text{mach}})^{1/3} \\approx 7\\times10^{-3}$", "computed",
          lambda _: _ch4_float32_rule_of_thumb()),
    # ---- chapter 5: the scan of w
    Claim(5, "11.3 times over the ten layers, at $w = -5.1$; for every $w$ in $[-2, 8]$ the fall is at least 1552 "
             "times",
          "scan = np.array(",
          lambda out: "{} times over the ten layers, at $w = {}$; for every $w$ in $[-2, 8]$ the fall is at least {} "
                      "times".format(*(lambda f, w, m: (f, f"{float(w):g}", m))(
                          *grab(r"= (\d+\.\d)x at w = (\S+);\s+smallest for w in \[-2, 8\]: (\d+)x", out)))),
    Claim(5, "from about epoch 110 to about 2,700 (and briefly around epoch 12 to 45)", "n_epochs = 12_000",
          lambda out: _ch5_article_ahead(out)),
    Claim(5, "the article's final loss is only about 0.7% higher", "n_epochs = 12_000",
          lambda out: "the article's final loss is only about {}% higher".format(*grab(r"\((\d+\.\d)% higher\)", out))),
    # ---- chapter 6: the xor run's updates
    Claim(6, "after every one of the 1,600 updates", "code:def sgd_watching_symmetry(",
          lambda code: "after every one of the {:,} updates".format(              # epochs x the 8 bit patterns
              int(grab(r"epochs=(\d+)", code)[0]) * 2 ** 3)),
    # ---- chapter 8: He keeps ReLU at one scale
    Claim(8, "(0.55–0.83) and error terms (0.63–0.69)", "he_relu = results",
          lambda out: "({}–{}) and error terms ({}–{})".format(
              *grab(r"activation std stays in \[(\S+), (\S+)\], delta std in \[(\S+), (\S+)\]", out))),
    # ---- chapter 7: Article D's table, read with the correctly differentiated squared loss
    Claim(7, "$\\delta = (o - t)\\,o\\,(1 - o) = (0.6 - t)\\cdot 0.24$", "x_tab = np.array(",
          lambda out: (lambda o: f"$\\delta = (o - t)\\,o\\,(1 - o) = ({o:g} - t)\\cdot {o * (1 - o):.2f}$")(
              float(grab(r"Article D table\s+\?\s+(\S+)", out)[0]))),
    Claim(7, "$t = 0.6 - 0.1/0.24 \\approx 0.1833$", "x_tab = np.array(",
          lambda out: (lambda o, d, t: f"$t = {o:g} - {d:g}/{o * (1 - o):.2f} \\approx {t}$")(
              *(lambda g: (float(g[0]), float(g[1]), g[2]))(
                  grab(r"Article D table\s+\?\s+(\S+)\s+(\S+)[\s\S]*?\(ii\)[^\n]*?\s(0\.\d+)\s", out)))),
    # ---- chapter 8: the softmax example's Jacobian entries, loss and delta, from its printed probabilities
    Claim(8, "$J_{11} = 0.6590\\cdot(1-0.6590) = 0.225$ and $J_{12} = -0.6590\\cdot0.2424 = -0.160$",
          "print(\"scores one apart give", lambda out: (lambda p1, p2, p3: (
              f"$J_{{11}} = {p1:.4f}\\cdot(1-{p1:.4f}) = {p1 * (1 - p1):.3f}$ and "
              f"$J_{{12}} = -{p1:.4f}\\cdot{p2:.4f} = {-p1 * p2:.3f}$"))(*_softmax_example(out))),
    Claim(8, "$\\delta = (0.659-1,\\ 0.242,\\ 0.099) = (-0.341,\\ 0.242,\\ 0.099)$",
          "print(\"scores one apart give", lambda out: (lambda p1, p2, p3: (
              f"$\\delta = ({p1:.3f}-1,\\ {p2:.3f},\\ {p3:.3f}) = ({p1 - 1:.3f},\\ {p2:.3f},\\ {p3:.3f})$"))(
              *_softmax_example(out))),
    Claim(8, "$E = -\\log 0.0986 = 2.317$ ($p_3$ to four decimals: its rounding to $0.099$ would give $2.313$)",
          "print(\"scores one apart give",
          lambda out: (lambda p1, p2, p3: f"$E = -\\log {p3:.4f} = {-math.log(p3):.3f}$ ($p_3$ to four decimals: its "
                       f"rounding to ${p3:.3f}$ would give ${-math.log(round(p3, 3)):.3f}$)")(*_softmax_example(out))),
    Claim(8, "($\\sigma'\\le 0.25$ at every layer)", "computed",
          lambda _: "($\\sigma'\\le {:g}$ at every layer)".format(0.5 * (1 - 0.5))),   # sigma'(0), its maximum
    # ---- chapter 9: the learning rates on the spirals network
    Claim(9, "reaches loss 0.05 and 98 % training accuracy", "for reference: ln 3",
          lambda out: (lambda loss, acc: f"reaches loss {loss:.2f} and {100 * acc:.0f} % training accuracy")(
              *map(float, grab(r"η = 0\.3\s+final loss (\S+), training accuracy (\S+)", out)))),
    # ---- chapter 9: the divergence overflows in stages
    Claim(9, "exceeds the largest float64 ($1.8\\cdot10^{308}$)", "computed", lambda _: _largest_float64()),
    Claim(9, "and is `inf`, from step 1945; $w$ itself stays finite until step 3890, when the product "
             "$\\eta\\,a\\,w$ in its update overflows (while $|w|$ is still below the largest float64); one step "
             "later the update $w - \\eta\\,a\\,w$ is $\\infty-\\infty$, NaN, at step 3891",
          "def descend(eta",
          lambda out: "and is `inf`, from step {}; $w$ itself stays finite until step {}, when the product "
                      "$\\eta\\,a\\,w$ in its update overflows (while $|w|$ is still below the largest float64); one "
                      "step later the update $w - \\eta\\,a\\,w$ is $\\infty-\\infty$, NaN, at step {}".format(*grab(r"E is inf: (\d+), w is inf: (\d+), w is NaN: (\d+)", out))),
    # ---- chapter 10: the data and the watched run
    Claim(10, "1797 images of the digits 0–9 written by 13 people", "data:bpcourse/data/README.md",
          lambda readme: "{} images of the digits 0–9 written by {} people".format(
              *grab(r"(\d+) samples written by (\d+) people", readme))),
    Claim(10, "the same 13 writers' hands", "data:bpcourse/data/README.md",
          lambda readme: "the same {} writers' hands".format(*grab(r"written by (\d+) people", readme))),
    Claim(10, "a quarter of all images (450)", "X_fit, X_val, t_fit, t_val = train_test_split",
          lambda out: "a quarter of all images ({})".format(*grab(r"test (\d+)\n", out))),
    Claim(10, "a quarter of the rest (337)", "X_fit, X_val, t_fit, t_val = train_test_split",
          lambda out: "a quarter of the rest ({})".format(*grab(r"validation (\d+) =", out))),
    Claim(10, "the remaining 1010 images", "X_fit, X_val, t_fit, t_val = train_test_split",
          lambda out: "the remaining {} images".format(*grab(r"fitting (\d+) \+", out))),
    Claim(10, "layer 2's outputs are about 200 times smaller than with He", "def hidden_activations(model, X):",
          lambda out: "layer 2's outputs are about {:.0f} times smaller than with He".format(
              round(1 / float(grab(r"N\(0, 0\.01²\) start / He start: (\S+)\n", out)[0]), -2))),
    Claim(10, "fall 39.3, 34.9 and 49.5 times (layers 1, 2, 3) over the 40 epochs", "falls = [np.median",
          _ch10_falls),
    Claim(10, "The update-to-weight ratios start near $10^{-2}$, above the rule of thumb", "falls = [np.median",
          _ch10_start_ratio),
    # ---- chapter 10: the epoch budget, the interval, the seeds, the dead units
    Claim(10, "lowest value comes in epoch 22 of 40, and all 18 later epochs stay above it",
          "best_epoch = int(np.argmin(val_loss)) + 1", _ch10_interior),
    Claim(10, "8 of 192 at the start, 19 after the 40-epoch run on the fitting set", "def hidden_activations(model, X):",
          lambda out: "{} of {} at the start, {} after the 40-epoch run on the fitting set".format(
              *(lambda a, b, n: (a, n, b))(*grab(r"He at start and after 40 epochs: (\d+), (\d+) of (\d+)", out)))),
    Claim(10, "within $z = 1.96$ standard deviations", "computed",
          lambda _: "within $z = {:.2f}$ standard deviations".format(     # the two-sided 95 % normal quantile
              __import__("statistics").NormalDist().inv_cdf(0.975))),
    Claim(10, "the interval's lower end lies below 97 %", "def wilson_interval(",
          lambda out: "the interval's lower end lies {} 97 %".format(
              "below" if float(grab(r"Wilson interval \[(\S+),", out)[0]) < 0.97 else "NOT below")),
    Claim(10, "The seed moves the test accuracy by a few images. Compared like for like",
          "SEEDS = [0, 1, 2, 3, 4]", _ch10_seed_spread),
    Claim(10, "the lower end of the interval lies below the 97 % goal", "def wilson_interval(",
          lambda out: "the lower end of the interval lies {} the 97 % goal".format(
              "below" if float(grab(r"Wilson interval \[(\S+),", out)[0]) < 0.97 else "NOT below")),
]


#: Whole numbers the prose states that are not results: (chapter, number, why).
NOT_RESULTS: list[tuple[int, str, str]] = [
    (0, "97", "the capstone's goal, 97 % test accuracy, which chapter 10 asserts"),
    (6, "784", "an illustration: the layer sizes 784-100-10 of a network for 28x28 images"),
    (8, "1024", "2**10, worked in the prose: r = 2 over ten layers"),
    (8, "2010", "the year of Glorot and Bengio's paper"),
    (8, "2015", "the year of He et al.'s paper"),
]


# ------------------------------------------------------------------------------------------- lesson plans
def _stepper(example: str, **params: float) -> dict[str, float]:
    """The values of a chapter stepper's steps (what the room sees live), after setting ``params``."""
    from bpcourse.widgets import BackpropStepper
    stepper = BackpropStepper(example)
    for name, value in params.items():
        stepper.set_param(name, value)
    return {step.name: step.value for step in stepper.steps}


def _lp02_saturated() -> str:
    v = _stepper("neuron", t=0.0, w1=6.0)
    return (f"$o={v['o']:.4f}$, a large error ${v['dE/do']:.4f}$, and yet $\\delta={v['delta']:.4f}$ (the stepper's "
            f"four decimals; ${v['delta']:.6f}$ to six)")


def _lp05_without_sigma_prime() -> str:
    from bpcourse.widgets.stepper import EXAMPLES
    v, w3 = _stepper("two_hidden"), EXAMPLES["two_hidden"].defaults["w3"]
    without = w3 * v["delta_o"]
    return f"(−{abs(without):.4f}, {WORDS.get(round(without / v['delta_h1']), 'NOT')} times too large)"


def _lp06_output_delta() -> str:
    from bpcourse.widgets.stepper import EXAMPLES
    v, t6 = _stepper("net322"), EXAMPLES["net322"].defaults["t_6"]
    return f"$(y_6-t_6)\\,y_6(1-y_6)={v['delta_6']:.4f}$, not ${v['y_6'] - t6:.4f}$"


WORDS[4] = "four"

#: (chapter, the lesson plan's words, how they are computed): numbers the room sees live in a stepper, or that the
#: plan works out on the board, rather than ones the chapter prints.
LESSON_PLAN_CLAIMS: list[Claim] = [
    Claim(2, "$o=0.9974$, a large error $0.9974$, and yet $\\delta=0.0026$ (the stepper's four decimals; "
             "$0.002586$ to six)", "computed", lambda _: _lp02_saturated()),
    Claim(5, "(−0.0177, four times too large)", "computed", lambda _: _lp05_without_sigma_prime()),
    Claim(6, "$(y_6-t_6)\\,y_6(1-y_6)=-0.1141$, not $-0.4595$", "computed",
          lambda _: _lp06_output_delta()),
    Claim(7, "$(o - t)\\,o(1 - o) = -0.5 \\cdot 0.25 = -0.125$", "computed",
          lambda _: (lambda o: f"$(o - t)\\,o(1 - o) = {o - 1:g} \\cdot {o * (1 - o):g} = {(o - 1) * o * (1 - o):g}$")(
              1 / (1 + math.exp(-0.0)))),                    # sigmoid output at z = 0, target 1
]

#: Numbers a lesson plan cites from an earlier version of its chapter, as history: (chapter, the words).
LESSON_PLAN_HISTORY: list[tuple[int, str]] = [
    (10, "it had peaked at 0.9844 in epoch 20 and ended at 0.9800"),
]


# Claims added by later streams of work, each in a file of its own so that parallel edits never meet.
from prose_claims_depth import CLAIMS as _DEPTH_CLAIMS, NOT_RESULTS as _DEPTH_NOT_RESULTS  # noqa: E402
from prose_claims_predict import CLAIMS as _PREDICT_CLAIMS, NOT_RESULTS as _PREDICT_NOT_RESULTS  # noqa: E402
from prose_claims_fix import CLAIMS as _FIX_CLAIMS, NOT_RESULTS as _FIX_NOT_RESULTS  # noqa: E402
from prose_claims_fixb import CLAIMS as _FIXB_CLAIMS, NOT_RESULTS as _FIXB_NOT_RESULTS  # noqa: E402

CLAIMS += _DEPTH_CLAIMS + _PREDICT_CLAIMS + _FIX_CLAIMS + _FIXB_CLAIMS
NOT_RESULTS += _DEPTH_NOT_RESULTS + _PREDICT_NOT_RESULTS + _FIX_NOT_RESULTS + _FIXB_NOT_RESULTS
