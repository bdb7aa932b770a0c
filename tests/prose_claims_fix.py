"""Registered prose numbers of the expert review's fixes to chapters 2, 3 and 10 (see ``prose_claims`` for what a
claim is).

Each claim re-derives, from the stored output of the cell named (or by computing it, where the chapter states a
number from another chapter's model or a textbook formula), the words the chapter now uses.
"""
from __future__ import annotations

import math
import re

from prose_claims import Claim, grab


# ------------------------------------------------------------------------------------------------- chapter 2
def _ch2_article_first_step() -> str:
    """Article C's code at its first step (x = 1): its dw2, built with the already updated w3, against the gradient."""
    from bpcourse.models import chain
    rows = chain.train("article", epochs=1, data=[1.0], labels=[-1.0], record=True, check_at="before").rows
    code = next(r.backprop for r in rows if r.weight == "w2")
    true = chain.gradients(chain.ARTICLE_WEIGHTS, 1.0, -1.0).dw2
    assert f"{code:.6f}" != f"{true:.6f}", (code, true)
    return f"(at its first step ${code:.6f}$ for $\\partial E/\\partial w_2$, where the true value is ${true:.6f}$;"


# ------------------------------------------------------------------------------------------------- chapter 3
def _ch3_table_columns(out: str) -> str:
    """The ten lines' two columns: how far apart they are, and where even the first significant digit differs."""
    rows = [(w, float(b), float(n)) for w, b, n in re.findall(r"^dl/dw(\d)\s+(\S+)\s+(\S+)\s", out, re.M)]
    assert len(rows) == 10, rows
    apart = [abs(b - n) / min(abs(b), abs(n)) for _, b, n in rows]
    w3 = [k for k, (w, _, _) in enumerate(rows) if w == "3"]
    each = {round(100 * apart[k]) for k in w3}
    assert len(w3) == 3 and len(each) == 1, (w3, each)
    first_digit = [k for k, (_, b, n) in enumerate(rows) if f"{abs(b):e}"[0] != f"{abs(n):e}"[0]]
    assert first_digit == [w3[0]], f"the first significant digit differs in lines {first_digit}"
    _, b, n = rows[w3[0]]
    return (f"Those columns differ by up to {round(100 * max(apart))} % (all three $w_3$ lines by about {each.pop()} %; "
            f"only in the first, ${b:f}$ against ${n:f}$, does even the first significant digit differ)")


def _ch3_negative_start(out: str) -> str:
    epochs = grab(r"correct, (\d+) epochs from w1 = w2 = w3 = -0\.2333", out)[0]
    ws, loss = grab(r"-0\.2333: \(([^)]*)\), loss (\S+)\n", out)
    assert all(float(v) == -1.0 for v in ws.split(", ")) and float(loss) < 1e-20, (ws, loss)
    return (f"from $w = -0.2333$ plain gradient descent reaches the minimum $(-1, -1, -1)$ within the {epochs} epochs "
            "(printed above)")


# ------------------------------------------------------------------------------------------------ chapter 10
def _ch10_late_epochs(out: str) -> str:
    first, last, values = grab(r"epochs (\d+) to (\d+): validation accuracy takes (\d+) values", out)
    step, = grab(r"changing by at most (\d+) right from one epoch to the next", out)
    loss_values, pct = grab(r"validation loss takes (\d+) values, changing by up to (\d+) %", out)
    assert int(first) == 21 and int(last) == 40 and int(loss_values) == 20 > int(values), (first, last, loss_values)
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    return (f"In the second half of the budget the validation *accuracy* takes only {words[int(values)]} values and "
            f"moves by at most {words[int(step)]} image per epoch, while the loss changes by up to {pct} % per epoch")


def _ch10_last_val_accuracy(out: str) -> str:
    last = grab(r"\n\s+40\s+\S+\s+\S+\s+(\S+)\n", out + "\n")[0]
    return f"validation accuracy in its last epoch is still {last}"


def _ch10_sample_ratio(out: str) -> str:
    checked, total = (int(v.replace(",", "")) for v in grab(r"([\d,]+) of ([\d,]+) parameters checked", out))
    ratio = total / checked
    assert 20 < ratio < 30, ratio
    return (f"checking all {total:,} parameters (two forward passes each) would take more than twenty times as many "
            f"passes as the {checked} sampled below")


def _clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """The exact binomial interval: the p whose upper (lower) tail at k is (1 - level) / 2, found by bisection."""
    alpha = (1 - level) / 2

    def cdf(j: int, p: float) -> float:
        return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(j + 1))

    def bisect(inside) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if inside(mid) else (mid, hi)
        return hi

    return bisect(lambda p: 1 - cdf(k - 1, p) >= alpha), bisect(lambda p: cdf(k, p) <= alpha)


def _ch10_clopper_pearson(out: str) -> str:
    k, n = map(int, grab(r"(\d+) of (\d+) right", out))
    wilson_low, = grab(r"Wilson interval \[(\S+),", out)
    errors = n - k
    low, high = _clopper_pearson(k, n)
    same = "with the same lower end" if f"{low:.4f}" == wilson_low else "with a different lower end"
    return (f"depends less on $n = {n}$ than on the number of errors, only {errors} here, which makes the binomial "
            f"skewed. The Wilson interval holds up: the exact Clopper–Pearson interval, from the binomial's own tail "
            f"sums, is $[{low:.4f}, {high:.4f}]$, {same}")


def _ch10_seed_std(out: str) -> str:
    seeds, seed_sd = grab(r"over the (\d+) seeds (\S+) images;", out)
    binom_sd, = grab(r"binomial, of one test count, sqrt\(n p \(1 - p\)\) at p = \S+: (\S+) images", out)
    assert int(seeds) == 5 and float(seed_sd) < float(binom_sd), (seed_sd, binom_sd)
    # "too few to be sure": the 95 % chi-square interval of an SD from 5 runs reaches s * sqrt(4 / 0.4844), where
    # 0.4844 is the 2.5 % point of chi-square with 4 degrees of freedom; it must reach the binomial SD
    assert float(seed_sd) * math.sqrt(4 / 0.4844) > float(binom_sd), (seed_sd, binom_sd)
    return (f"{seed_sd} images over the five seeds (a rough estimate from five runs) against {binom_sd} images for "
            "the binomial spread of one test count (both printed). Of the two uncertainties, the sample of test "
            "images appears to be the larger one here, though five runs are too few to be sure (their spread could "
            f"well be {binom_sd} images too)")


CLAIMS: list[Claim] = [
    Claim(2, "(at its first step $-0.124403$ for $\\partial E/\\partial w_2$, where the true value is $-0.125073$;",
          "computed", lambda _: _ch2_article_first_step()),
    Claim(3, "Those columns differ by up to 5 % (all three $w_3$ lines by about 5 %; only in the first, $0.003970$ "
             "against $0.004164$, does even the first significant digit differ)",
          "printed_in_article = quotes", _ch3_table_columns),
    Claim(3, "from $w = -0.2333$ plain gradient descent reaches the minimum $(-1, -1, -1)$ within the 160 epochs "
             "(printed above)", 'negative = chain.train("correct"', _ch3_negative_start),
    Claim(10, "In the second half of the budget the validation *accuracy* takes only three values and moves by at "
              "most one image per epoch, while the loss changes by up to 12 % per epoch",
          "best_epoch = int(np.argmin(val_loss)) + 1", _ch10_late_epochs),
    Claim(10, "validation accuracy in its last epoch is still 0.9792", "EPOCHS = 40 ", _ch10_last_val_accuracy),
    Claim(10, "checking all 17,226 parameters (two forward passes each) would take more than twenty times as many "
              "passes as the 802 sampled below", "report = check_network(final", _ch10_sample_ratio),
    Claim(10, "depends less on $n = 450$ than on the number of errors, only 7 here, which makes the binomial skewed. "
              "The Wilson interval holds up: the exact Clopper–Pearson interval, from the binomial's own tail sums, is "
              "$[0.9682, 0.9937]$, with the same lower end", "def wilson_interval(", _ch10_clopper_pearson),
    Claim(10, "1.4 images over the five seeds (a rough estimate from five runs) against 2.6 images for the binomial "
              "spread of one test count (both printed). Of the two uncertainties, the sample of test images appears "
              "to be the larger one here, though five runs are too few to be sure (their spread could well be 2.6 "
              "images too)", "SEEDS = [0, 1, 2, 3, 4]", _ch10_seed_std),
]

#: Whole numbers the prose states that are not results: (chapter, number, why).
NOT_RESULTS: list[tuple[int, str, str]] = []
