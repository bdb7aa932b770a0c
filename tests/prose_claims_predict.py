"""Registered prose numbers of the chapters' predict additions (see ``prose_claims`` for what a claim is).

These are the numbers the hidden answers of the "Predict, then run" prompts in chapters 0, 4, 5, 6, 7 and 10
state, and those the answers of chapters 3, 8 and 9 cite from the cell above them, each re-derived from the stored output of the code cell the answer follows (or computed, where the answer
works a small formula).
"""
from __future__ import annotations

import math
from fractions import Fraction

from prose_claims import Claim, _ch3_epochs, grab  # noqa: F401  (used by the claims below)


def _tex(value: float, digits: int = 1) -> str:
    """``$9.7\\times10^{-11}$`` for 9.7e-11: a printed value written the way the prose writes it."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"${mantissa}\\times10^{{{int(exponent)}}}$"


def _minus(text: str) -> str:
    return text.replace("-", "−")


# ------------------------------------------------------------------------------------------------- chapter 0
def _ch0_shapes(out: str) -> str:
    w = grab(r"W: shape \((\d+), (\d+)\)", out)
    x = grab(r"X: shape \((\d+), (\d+)\)", out)
    net = grab(r"net = X @ W\.T \+ b: shape \((\d+), (\d+)\)", out)
    assert x[1] == w[1] and net == (x[0], w[0]), (w, x, net)
    return (f"`W` is ({w[0]}, {w[1]}), (n_out, n_in): one row per unit, holding that unit's weights from the {w[1]} "
            f"inputs. `X` is ({x[0]}, {x[1]}), one row per sample. So `net = X @ W.T + b` is ({x[0]}, {x[1]})·({w[1]}, "
            f"{w[0]}) = ({net[0]}, {net[1]})")


def _ch0_sum(out: str) -> str:
    by_hand, = grab(r"as w_10\*x_0 \+ w_11\*x_1 \+ w_12\*x_2 \+ b_1: (\S+)\n", out)
    layer, = grab(r"from the layer:\s+(\S+)\n", out)
    assert by_hand == layer, (by_hand, layer)
    return f"gives ${layer}$, the layer's own `net[0, 1]`"


# ------------------------------------------------------------------------------------------------- chapter 4
EPS_CELL = "eps_grid = [float("


def _ch4_at_eps(out: str) -> dict[str, tuple[float, float]]:
    """The cell's three lines 'at eps = 1e-03: central error 1.0e-06, forward error 3.0e-03' as {eps: (c, f)}."""
    rows = {e: (float(c), float(f)) for e, c, f in
            __import__("re").findall(r"at eps = (\S+): central error (\S+), forward error (\S+)\n", out)}
    assert list(rows) == ["1e-03", "1e-05", "1e-08"], rows
    return rows


def _ch4_central_best(out: str) -> str:
    rows = _ch4_at_eps(out)
    best = min(rows, key=lambda e: rows[e][0])
    value = rows[best][0]
    return (f"The central difference is best at $\\varepsilon = 10^{{{int(best.split('e')[1])}}}$, with an error of about "
            f"$10^{{{round(math.log10(value))}}}$ (printed: {_tex(value)})")


def _ch4_forward_best(out: str) -> str:
    rows = _ch4_at_eps(out)
    best = min(rows, key=lambda e: rows[e][1])
    assert best == min(rows, key=float), "the forward difference's best of the three is not the smallest step"
    larger = [f"{rows[e][1]:.0e}".split("e") for e in ("1e-03", "1e-05")]
    return (f"The forward difference is best at $\\varepsilon = 10^{{{int(best.split('e')[1])}}}$, the smallest of the "
            f"three steps: its truncation error $3x\\varepsilon + \\varepsilon^2$ is about "
            + " and ".join(f"${m}\\times10^{{{int(x)}}}$" for m, x in larger)
            + f" at the two larger steps, as printed, and at $10^{{-8}}$ truncation and round-off are both a few "
              f"$10^{{-8}}$ (printed: {_tex(rows[best][1])})")


def _ch4_rows77(out: str) -> dict[str, tuple[str, str, float]]:
    rows = __import__("re").findall(r"dl/dw(\d) backprop\s+(\S+), numeric\s+(\S+)\s+rel\. error (\S+)", out)
    return {f"w_{k}": (b, n, float(r)) for k, b, n, r in rows}


def _ch4_verdicts(out: str) -> str:
    from prose_claims import _ch4_verdict
    rows = _ch4_rows77(out)
    (b2, n2, r2), (b1, n1, r1), (_, _, r3) = rows["w_2"], rows["w_1"], rows["w_3"]
    return (f"$w_3$: {_ch4_verdict(r3)} ({_tex(r3)}), since the article's value is a true gradient. $w_2$: "
            f"{_ch4_verdict(r2)} ({_tex(r2)}): the one updated weight moves the backprop value in its fourth "
            f"significant digit ({_minus(b2)} against the numeric {_minus(n2)}). $w_1$: {_ch4_verdict(r1)} ({_tex(r1)}): "
            f"the two updated weights move it in the second ({_minus(b1)} against {_minus(n1)})")


def _ch4_float32(out: str) -> str:
    from prose_claims import _ch4_steps_table, _ch4_verdict
    steps, f64, f32 = _ch4_steps_table(out)
    assert steps[0] == "1e-05" and _ch4_verdict(f64[0]) == "fine"
    magnitude = round(math.log10(f32[0]))
    return (f"About $10^{{{magnitude}}}$, the size of {_ch4_verdict(f32[0])}: the float32 row starts at {_tex(f32[0])}, "
            f"for a gradient that is right, while float64 at the same step gives {_tex(f64[0])}")


def _ch4_broken(out: str) -> str:
    after = out.split("with layer 1 replaced by BrokenTanh:")[1]
    errors = dict(__import__("re").findall(r"(\d\.[Wb]):?\s+rel\. error (\S+(?: \S+)?)\n", after))
    assert errors["2.W"] == errors["2.b"] == "< 1e-8", errors
    return f"`0.W` and `0.b` fail ({_tex(float(errors['0.W']))} and {_tex(float(errors['0.b']))}); `2.W` and `2.b` pass"


# ------------------------------------------------------------------------------------------------- chapter 5
def _ch5_backward(out: str) -> str:
    d_o, = grab(r"delta_o  = .* = (\S+)\n", out)
    d_h1, = grab(r"delta_h1 = .* = (\S+)\n", out)
    return f"printed, ${d_h1}$ against ${d_o}$"


def _ch5_all_negative(out: str) -> str:
    literal = [float(v) for v in __import__("re").findall(r"^dw\d = \S+\s+= (\S+)$", out, 8)]
    literal += [float(grab(r"db1 = delta_h1\s+= (\S+)", out)[0]), float(grab(r"db2 = delta_o \+ delta_h2\s+= (\S+)", out)[0])]
    assert len(literal) == 6
    return "all six gradients are negative" if all(v < 0 for v in literal) else "NOT all six gradients are negative"


def _ch5_bias_check(out: str) -> str:
    rows = {name: err for name, err in __import__("re").findall(r"^d(\w\d)\s+\S+\s+\S+\s+(\S+(?: 1e-7)?)\s", out, 8)}
    assert all(rows[w] == "< 1e-7" for w in ("w1", "w2", "w3", "w4")), rows
    return (f"$\\partial L/\\partial b_1$ fails with {_tex(float(rows['b1']))} and $\\partial L/\\partial b_2$ with "
            f"{_tex(float(rows['b2']))}")


def _ch5_shrink(out: str) -> str:
    rows = {w: (float(per), lo, hi) for w, per, lo, hi in __import__("re").findall(
        r"^\s*(\S+)\s+\S+\s+\S+\s+(\d\.\d+)\s+(\d\.\d+) - (\d\.\d+)$", out, 8)}
    assert set(rows) == {"0.5", "1", "4"}, rows
    fastest, slowest = min(rows, key=lambda w: rows[w][0]), max(rows, key=lambda w: rows[w][0])
    assert (fastest, slowest) == ("4", "1"), (fastest, slowest)
    return (f"$w = 4$ shrinks $\\delta$ fastest, by a factor of ${rows['4'][0]:.3f}$ per layer, against "
            f"${rows['0.5'][0]:.3f}$ for $w = 0.5$ and ${rows['1'][0]:.3f}$ for $w = 1$, the slowest. The bound is only "
            f"a bound: with $w = 4$ the pre-activations are large, the sigmoid saturates, and $\\sigma'$ falls to between "
            f"${rows['4'][1]}$ and ${rows['4'][2]}$ (printed), far below $\\tfrac14$. With $w = 1$, $\\sigma'$ stays near "
            f"its maximum (${rows['1'][1]}$ to ${rows['1'][2]}$)")


def _ch5_bounds() -> str:
    parts = [f"${Fraction(w) / 4}$ for $w = {w}$" for w in ("0.5", "1", "4")]      # the bound |w|/4 per layer
    return f"{parts[0]}, {parts[1]} and {parts[2]}"


# ------------------------------------------------------------------------------------------------- chapter 6
OUT_DELTA = 'print(f"dE/dw_64 = delta_6 * y_4'


def _ch6_outputs(out: str) -> dict[int, tuple[str, str, str, str]]:
    """{k: (y_k, t_k, f'(net_k), delta_k)} from the lines 'delta_6 = (y_6 - t_6) * f'(net_6) = (0.5405 - 1) * ...'."""
    rows = __import__("re").findall(r"delta_(\d) = .* = \((\S+) - (\S+)\) \* (\S+) = (\S+)\n", out)
    return {int(k): (y, t, fp, d) for k, y, t, fp, d in rows}


def _ch6_prompt(out: str) -> str:
    r = _ch6_outputs(out)
    return (f"$y_6 = {r[6][0]}$ with target $t_6 = {r[6][1]}$, and $y_7 = {r[7][0]}$ with target $t_7 = {r[7][1]}$")


def _ch6_signs(out: str) -> str:
    from decimal import Decimal
    r = _ch6_outputs(out)
    err = {k: abs(Decimal(r[k][0]) - Decimal(r[k][1])) for k in (6, 7)}
    assert err[7] > err[6] and abs(float(r[7][3])) > abs(float(r[6][3]))      # the larger error, the larger delta
    return (f"$\\delta_6 = {r[6][3]} < 0$: output 6 is below its target {r[6][1]}, so raising $\\text{{net}}_6$ lowers $E$. "
            f"$\\delta_7 = {r[7][3]} > 0$: output 7 is above its target {r[7][1]}. $|\\delta_7|$ is the larger: both "
            f"outputs lie near the middle of the sigmoid, where $f' = y(1-y)$ is close to its maximum $\\tfrac14$ "
            f"(${r[6][2]}$ and ${r[7][2]}$), so the sizes follow the errors, $|y_7 - t_7| = {err[7]}$ against "
            f"$|y_6 - t_6| = {err[6]}$")


PATHS = "def E_of_net_hidden(net_h):"


def _ch6_paths(out: str) -> tuple[tuple[str, ...], tuple[str, ...], str, str]:
    p6 = grab(r"path 4 -> 6 -> E: .* = (\S+) \* (\S+) \* (\S+) = (\S+)\n", out)
    p7 = grab(r"path 4 -> 7 -> E: .* = (\S+) \* (\S+) \* (\S+) = (\S+)\n", out)
    total, = grab(r"sum of both paths\s+= (\S+)\n", out)
    numeric, = grab(r"numeric dE/dnet_4\s+= (\S+)\n", out)
    return p6, p7, total, numeric


def _ch6_paths_prompt(out: str) -> str:
    p6, p7, _, _ = _ch6_paths(out)
    return (f"With $\\delta_6 = {p6[0]}$, $\\delta_7 = {p7[0]}$, $w_{{64}} = {p6[1]}$ and $w_{{74}} = {p7[1]}$")


def _ch6_paths_answer(out: str) -> str:
    p6, p7, total, numeric = _ch6_paths(out)
    assert total == numeric and p6[2] == p7[2] and float(p6[3]) < 0 and float(p7[3]) < 0
    return (f"$\\delta_6 w_{{64}} = {p6[0]}\\cdot{p6[1].lstrip('+')}$ and $\\delta_7 w_{{74}} = {p7[0].lstrip('+')}\\cdot"
            f"({p7[1]})$ are both below 0, and $f'(\\text{{net}}_4) = {p6[2]}$ multiplies both")


def _ch6_paths_sizes(out: str) -> str:
    p6, p7, total, _ = _ch6_paths(out)
    assert abs(float(p6[3])) > abs(float(p7[3]))
    return f"The path through node 6 contributes more, ${p6[3]}$ against ${p7[3]}$; together ${total}$, the numeric value"


def _ch6_symmetry(out: str) -> tuple[str, str]:
    equal = grab(r"every weight 0\.3\s+\|\s+(\S+) \|\s+(\S+) \|\s+(\d) of 8", out)
    random_xor, = grab(r"random, as in 6\.14\s+\|\s+\S+ \|\s+\S+ \|\s+(\d) of 8", out)
    alike, = grab(r"exactly alike after every update: (\w+);", out)
    exact = "Exactly" if float(equal[0]) == 0 and alike == "True" else "NOT exactly"
    return (f"{exact} $0$ (printed: ${equal[0]}$, and \"exactly alike after every update: {alike}\")",
            f"the equal start ends with {equal[2]} of 8 xor answers right and a loss of ${equal[1]}$, while the random "
            f"start gets {random_xor} of 8")


# ------------------------------------------------------------------------------------------------- chapter 7
def _ch7_shapes(out: str) -> str:
    delta2 = grab(r"delta\^\(2\) \((\d+), (\d+)\) = ", out)
    dW2 = grab(r"dE/dW\^\(2\) \((\d+), (\d+)\) = delta\^\(2\) \(\d+, \d+\) @ a\^\(1\)\.T \((\d+), (\d+)\)", out)
    return (f"$\\delta^{{(2)}}$ has one entry per node of layer 2: ({delta2[0]}, {delta2[1]}). $\\partial E/\\partial "
            f"W^{{(2)}}$ has the shape of $W^{{(2)}}$, ({dW2[0]}, {dW2[1]}), as the outer product "
            f"$\\delta^{{(2)}}\\big(a^{{(1)}}\\big)^\\mathsf T$, ({delta2[0]}, {delta2[1]})·({dW2[2]}, {dW2[3]}), must")


def _ch7_count(out: str) -> str:
    sizes = [3, 4, 5, 2]                                        # the cell's layer sizes, in the prompt
    per_layer = [n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:])]
    printed, = grab(r"parameters checked: (\d+)", out)
    assert sum(per_layer) == int(printed), (per_layer, printed)
    return f"together ${'+'.join(map(str, per_layer))} = {printed}$, as printed"


def _ch7_batch(out: str) -> str:
    bounds = __import__("re").findall(r"(< 1e-\d+)", out)
    assert len(bounds) == 6 and len(set(bounds)) == 1, bounds
    return f"(printed: `{bounds[0]}` in every layer)"


def _ch7_pairings(out: str) -> str:
    rows = {tag: (a, c) for tag, a, c in __import__("re").findall(r"^\((\w)\) .*?\s+(\S+)\s+(\S+)$", out, 8)}
    assert float(rows["a"][0]) < 1e-7 and float(rows["b"][0]) < 1e-7 and float(rows["c"][0]) > 1e-2, rows
    return (f"with a relative error of {rows['c'][0]}; with the factor $\\sigma'(z^{{(L)}})$ it passes "
            f"(${rows['c'][1].split('e')[0]}\\times10^{{{int(rows['c'][1].split('e')[1])}}}$)")


# ------------------------------------------------------------------------------------------------ chapter 10
def _ch10_untrained(out: str) -> str:
    loss, ln10 = grab(r"validation loss (\S+) \(uniform guessing: ln 10 = (\S+)\)", out)
    acc, = grab(r"validation accuracy (\S+)\n", out)
    assert float(loss) > float(ln10) and abs(float(acc) - 0.1) < 0.05
    return f"chance for ten balanced classes: ${acc}$. A loss near $\\ln 10 = {ln10}$, and a little above it: ${loss}$"


def _ch10_table(out: str) -> str:
    rows = {int(e): v for e, v in __import__("re").findall(r"^\s*(\d+)\s+\S+\s+(\S+)\s+\S+$", out, 8)}
    assert float(rows[30]) < float(rows[40]), rows
    return f"epoch 30 (${rows[30]}$) is below epoch 40 (${rows[40]}$)"


def _ch10_lowest(out: str) -> str:
    low, epoch = grab(r"lowest validation loss (\S+) in epoch (\d+) of", out)
    lo, hi = grab(r"validation loss between (\S+) and (\S+)\n", out)
    return (f"The full curve has its lowest point in epoch {epoch} (${low}$), an epoch the table does not show; "
            f"after it the validation loss stays between ${lo}$ and ${hi}$")


def _ch10_scale(out: str) -> str:
    printed = float(grab(r"layer 2 spread, N\(0, 0\.01²\) start / He start: (\S+)\n", out)[0])
    c1, c2 = 0.01 / math.sqrt(2 / 64), 0.01 / math.sqrt(2 / 128)      # the weight scales of layers 1 and 2
    assert f"{c1 * c2:.1e}" == f"{printed:.1e}", (c1 * c2, printed)     # the exact prediction, to the printed digits
    assert round(1 / printed, -2) == 200
    return (f"About {round(1 / printed, -2):.0f}: the printed ratio is {_tex(printed)}. With biases 0, scaling a ReLU "
            f"layer's weights by $c > 0$ scales its outputs by exactly $c$, because $\\max(0, c\\,z) = c\\max(0, z)$. "
            f"Layer 1's weights are scaled by $0.01/\\sqrt{{2/64}} \\approx {c1:.3f}$, layer 2's by "
            f"$0.01/\\sqrt{{2/128}} = {c2:g}$, and the factors multiply: layer 2's outputs shrink by "
            f"${c1:.3f}\\cdot{c2:g} \\approx {_tex(c1 * c2)[1:]}")


# ------------------------------------------------------------------------- chapters 3, 8 and 9: the answers' numbers
def _ch3_equal_start(out: str) -> str:
    runs = [grab(rf"correct,\s+{n} epochs: \(([^)]*)\)", out)[0] for n in (160, 10000)]
    equal = all(len(set(r.split(", "))) == 1 for r in runs)
    return ("The correct order's lines show it: ({}) after 160 epochs, ({}) after 10,000".format(*runs) if equal
            else f"NOT equal: {runs}")


def _ch3_final_losses(out: str) -> str:
    article = float(grab(r"article order, 160 epochs: .*loss (\S+)\n", out)[0])
    correct = float(grab(r"correct order, 160 epochs: .*loss (\S+)\n", out)[0])
    winner = "The article's order" if article < correct else "NOT the article's order"
    return f"{winner}: after the 160 epochs its loss is {_tex(article, 2)}, the correct order's ${correct:.3f}$"


def _ch8_leap_numbers(out: str) -> str:
    first = grab(r"x100\s+loss at steps 1/2/3/10/50:\s+(\S+)\s+(\S+)\s+(\S+)", out)
    acc = {name: grab(rf"{name}\s+loss at steps.*acc\. (\S+)", out)[0] for name in ("x100", "standardised")}
    return ("within two steps ({}, then {} and {}). The ×100 run still ends with a high training accuracy, as high as "
            "the standardised one's ({})".format(*first, acc["x100"] if acc["x100"] == acc["standardised"] else "NOT"))


def _ch8_first_loss_numbers(out: str) -> str:
    return "several times larger ({2} against {1}, with $\\ln 10 = {0}$)".format(
        grab(r"ln 10 = (\S+)", out)[0], grab(r"pixels / 16\s*: first loss (\S+)", out)[0],
        grab(r"raw pixels 0-16\s*: first loss (\S+)", out)[0])


def _ch9_schedule_ends(out: str) -> str:
    from prose_claims_depth import _ch9_schedules

    rows = _ch9_schedules(out)
    ends = sorted(r[5] for name, r in rows.items() if name != "constant")
    return (f"(mean $E$ after 200 steps: {ends[0]:.4f} to {ends[-1]:.4f}, against the constant rate's "
            f"{rows['constant'][5]:.4f})")


def _ch9_rmsprop_numbers(out: str) -> str:
    from prose_claims_depth import _ch9_rms

    fixed = _ch9_rms(out)["RMSProp η = 0.3"]          # E after 20, 50, 100 steps
    return f"its loss after 100 steps is above its loss after 20 (${fixed[2]:.2f}$ against {_tex(fixed[0], 2)})"


def _ch9_plain_numbers(out: str) -> str:
    from prose_claims_depth import _ch9_reg

    _, end, lowest, epoch, _ = _ch9_reg(out)["plain"]
    return f"({end:.3f} at the end against {lowest:.3f} at epoch {int(epoch)})"


CLAIMS: list[Claim] = [
    # ---- chapters 3, 8 and 9: numbers the answers cite from the cell above them
    Claim(3, "The correct order's lines show it: (0.04904, 0.04904, 0.04904) after 160 epochs, (0.00100, 0.00100, "
             "0.00100) after 10,000", "equal = (0.2333, 0.2333, 0.2333)", _ch3_equal_start),
    Claim(3, "The article's order: after the 160 epochs its loss is $3.22\\times10^{-10}$, the correct order's $0.462$",
          'longer = chain.train("correct", epochs=400)', _ch3_final_losses),
    Claim(3, "gets the loss below $10^{-3}$ first, from epoch 137 against 190", "def trajectory(order, epochs):",
          lambda out: "gets the loss below $10^{{-3}}$ first, from epoch {} against {}".format(*_ch3_epochs(out))),
    Claim(8, "within two steps (2.303, then 84.76 and 3911). The ×100 run still ends with a high training accuracy, as "
             "high as the standardised one's (0.992)", "eta_shared, n_steps = 0.5, 50", _ch8_leap_numbers),
    Claim(8, "several times larger (9.9773 against 2.3243, with $\\ln 10 = 2.3026$)", "tiny = mlp([64, 32, 10], seed=0)",
          _ch8_first_loss_numbers),
    Claim(9, "(mean $E$ after 200 steps: 0.0125 to 0.0211, against the constant rate's 0.1047)",
          "mean_E[name] = np.array(curve)", _ch9_schedule_ends),
    Claim(9, "its loss after 100 steps is above its loss after 20 ($1.22$ against $1.57\\times10^{-3}$)",
          "def rmsprop_path(", _ch9_rmsprop_numbers),
    Claim(9, "(1.462 at the end against 0.376 at epoch 12)", "stop = early_stopping(", _ch9_plain_numbers),
    # ---- chapter 0: the Dense cell's shapes and one entry written out
    Claim(0, "`W` is (2, 3), (n_out, n_in): one row per unit, holding that unit's weights from the 3 inputs. `X` is "
             "(5, 3), one row per sample. So `net = X @ W.T + b` is (5, 3)·(3, 2) = (5, 2)",
          "layer = Dense(3, 2, rng=0)", _ch0_shapes),
    Claim(0, "gives $+0.1996$, the layer's own `net[0, 1]`", "layer = Dense(3, 2, rng=0)", _ch0_sum),
    # ---- chapter 4: the best step, the verdicts of epoch 77, float32, the broken tanh
    Claim(4, "The central difference is best at $\\varepsilon = 10^{-5}$, with an error of about $10^{-10}$ (printed: "
             "$9.7\\times10^{-11}$)", EPS_CELL, _ch4_central_best),
    Claim(4, "$10^{-6}$ at $\\varepsilon = 10^{-3}$ (printed: $1.0\\times10^{-6}$)", EPS_CELL,
          lambda out: f"$10^{{-6}}$ at $\\varepsilon = 10^{{-3}}$ (printed: {_tex(_ch4_at_eps(out)['1e-03'][0])})"),
    Claim(4, "where it takes over (printed: $1.7\\times10^{-8}$)", EPS_CELL,
          lambda out: f"where it takes over (printed: {_tex(_ch4_at_eps(out)['1e-08'][0])})"),
    Claim(4, "The forward difference is best at $\\varepsilon = 10^{-8}$, the smallest of the three steps: its "
             "truncation error $3x\\varepsilon + \\varepsilon^2$ is about $3\\times10^{-3}$ and $3\\times10^{-5}$ at the "
             "two larger steps, as printed, and at $10^{-8}$ truncation and round-off are both a few $10^{-8}$ (printed: "
             "$3.3\\times10^{-8}$)", EPS_CELL, _ch4_forward_best),
    Claim(4, "$w_3$: fine ($2.6\\times10^{-11}$), since the article's value is a true gradient. $w_2$: suspicious "
             "($2.1\\times10^{-4}$): the one updated weight moves the backprop value in its fourth significant digit "
             "(−0.032617 against the numeric −0.032603). $w_1$: a bug ($1.4\\times10^{-2}$): the two updated weights "
             "move it in the second (−0.027502 against −0.026727)", "def verdict(r):", _ch4_verdicts),
    Claim(4, "About $10^{-2}$, the size of a bug: the float32 row starts at $1.2\\times10^{-2}$, for a gradient that is "
             "right, while float64 at the same step gives $2.8\\times10^{-11}$", "def chain_in(dtype):", _ch4_float32),
    Claim(4, "$10^{-7}\\cdot 0.5/10^{-5} = 5\\times10^{-3}$", "computed",
          lambda _: "$10^{{-7}}\\cdot 0.5/10^{{-5}} = {}\\times10^{{-3}}$".format(round(1e-7 * 0.5 / 1e-5 / 1e-3))),
    Claim(4, "`0.W` and `0.b` fail ($7.9\\times10^{-1}$ and $5.7\\times10^{-1}$); `2.W` and `2.b` pass",
          "class BrokenTanh(ActivationLayer):", _ch4_broken),
    # ---- chapter 5: signs and sizes of the backward pass, the bias check, the ten-layer chain
    Claim(5, "$\\delta_o = -0.0442055$ is negative", 'delta_o = (out_o - t) * out_o * (1 - out_o)\nprint(',
          lambda out: "$\\delta_o = {}$ is negative".format(*grab(r"delta_o  = .* = (-\S+)\n", out))),
    Claim(5, "all six gradients are negative", 'delta_o = (out_o - t) * out_o * (1 - out_o)\nprint(', _ch5_all_negative),
    Claim(5, "printed, $-0.0042268$ against $-0.0442055$", 'delta_o = (out_o - t) * out_o * (1 - out_o)\nprint(',
          _ch5_backward),
    Claim(5, "$\\partial L/\\partial b_1$ fails with $3.4\\times10^{-1}$ and $\\partial L/\\partial b_2$ with "
             "$4.7\\times10^{-2}$", 'numeric = numeric_gradient(lambda p: th.loss(tuple(p), x, t, bias="literal")',
          _ch5_bias_check),
    Claim(5, "$1/8$ for $w = 0.5$, $1/4$ for $w = 1$ and $1$ for $w = 4$", "computed", lambda _: _ch5_bounds()),
    Claim(5, "$w = 4$ shrinks $\\delta$ fastest, by a factor of $0.096$ per layer, against $0.123$ for $w = 0.5$ and "
             "$0.226$ for $w = 1$, the slowest. The bound is only a bound: with $w = 4$ the pre-activations are large, "
             "the sigmoid saturates, and $\\sigma'$ falls to between $0.0190$ and $0.1050$ (printed), far below "
             "$\\tfrac14$. With $w = 1$, $\\sigma'$ stays near its maximum ($0.2247$ to $0.2350$)",
          "def chain_deltas(w, n_layers=10", _ch5_shrink),
    # ---- chapter 6: the output deltas, the two paths, the equal start
    Claim(6, "$y_6 = 0.5405$ with target $t_6 = 1$, and $y_7 = 0.5888$ with target $t_7 = 0$", OUT_DELTA, _ch6_prompt),
    Claim(6, "$\\delta_6 = -0.1141 < 0$: output 6 is below its target 1, so raising $\\text{net}_6$ lowers $E$. "
             "$\\delta_7 = +0.1426 > 0$: output 7 is above its target 0. $|\\delta_7|$ is the larger: both outputs lie "
             "near the middle of the sigmoid, where $f' = y(1-y)$ is close to its maximum $\\tfrac14$ ($0.2484$ and "
             "$0.2421$), so the sizes follow the errors, $|y_7 - t_7| = 0.5888$ against $|y_6 - t_6| = 0.4595$",
          OUT_DELTA, _ch6_signs),
    Claim(6, "With $\\delta_6 = -0.1141$, $\\delta_7 = +0.1426$, $w_{64} = +0.5$ and $w_{74} = -0.3$", PATHS,
          _ch6_paths_prompt),
    Claim(6, "$\\delta_6 w_{64} = -0.1141\\cdot0.5$ and $\\delta_7 w_{74} = 0.1426\\cdot(-0.3)$ are both below 0, and "
             "$f'(\\text{net}_4) = 0.2475$ multiplies both", PATHS, _ch6_paths_answer),
    Claim(6, "The path through node 6 contributes more, $-0.014124$ against $-0.010586$; together $-0.024710$, the "
             "numeric value", PATHS, _ch6_paths_sizes),
    Claim(6, "Exactly $0$ (printed: $0.0000$, and \"exactly alike after every update: True\")",
          "def sgd_watching_symmetry(", lambda out: _ch6_symmetry(out)[0]),
    Claim(6, "the equal start ends with 6 of 8 xor answers right and a loss of $0.11543$, while the random start gets "
             "8 of 8", "def sgd_watching_symmetry(", lambda out: _ch6_symmetry(out)[1]),
    # ---- chapter 7: the shapes of 7.2, the batch check, the three pairings
    Claim(7, "$\\delta^{(2)}$ has one entry per node of layer 2: (5, 1). $\\partial E/\\partial W^{(2)}$ has the shape of "
             "$W^{(2)}$, (5, 4), as the outer product $\\delta^{(2)}\\big(a^{(1)}\\big)^\\mathsf T$, (5, 1)·(1, 4), must",
          "def forward_col(Ws, bs, x):", _ch7_shapes),
    Claim(7, "together $16+25+12 = 53$, as printed", "def forward_col(Ws, bs, x):", _ch7_count),
    Claim(7, "(printed: `< 1e-15` in every layer)", "def backward_batch(Ws, bs, X, T):", _ch7_batch),
    Claim(7, "with a relative error of 0.62; with the factor $\\sigma'(z^{(L)})$ it passes ($3\\times10^{-11}$)",
          "def grads_from_output_delta(Ws, bs, X, Delta_L):", _ch7_pairings),
    Claim(7, "$(c-1)/(c+1)$ against the right one, $0.6$ for $c = 4$", "computed",
          lambda _: f"$(c-1)/(c+1)$ against the right one, ${(4 - 1) / (4 + 1):g}$ for $c = 4$"),
    # ---- chapter 10: the untrained loss, the epoch table, the small start's scale
    Claim(10, "chance for ten balanced classes: $0.089$. A loss near $\\ln 10 = 2.303$, and a little above it: $2.504$",
          "by_hand = Sequential(", _ch10_untrained),
    Claim(10, "epoch 30 ($0.0475$) is below epoch 40 ($0.0481$)", "EPOCHS = 40 ", _ch10_table),
    Claim(10, "The full curve has its lowest point in epoch 22 ($0.0461$), an epoch the table does not show; after it "
              "the validation loss stays between $0.0475$ and $0.0560$", "best_epoch = int(np.argmin(val_loss)) + 1",
          _ch10_lowest),
    Claim(10, "About 200: the printed ratio is $4.5\\times10^{-3}$. With biases 0, scaling a ReLU layer's weights by "
              "$c > 0$ scales its outputs by exactly $c$, because $\\max(0, c\\,z) = c\\max(0, z)$. Layer 1's weights "
              "are scaled by $0.01/\\sqrt{2/64} \\approx 0.057$, layer 2's by $0.01/\\sqrt{2/128} = 0.08$, and the "
              "factors multiply: layer 2's outputs shrink by $0.057\\cdot0.08 \\approx 4.5\\times10^{-3}$",
          "def hidden_activations(model, X):", _ch10_scale),
]

#: Whole numbers the prose states that are not results: (chapter, number, why).
NOT_RESULTS: list[tuple[int, str, str]] = [
    (10, "10,000", "a wrong option offered by the predict prompt of section 10.4 (10, 200 or 10,000)"),
]
