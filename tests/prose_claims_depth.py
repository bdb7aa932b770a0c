"""Registered prose numbers of the chapters' depth additions (see ``prose_claims`` for what a claim is).

Chapter 8: sections 8.4 (the input's scale) and 8.5 (two sanity checks); chapter 9: sections 9.6 (schedules),
9.7 (RMSProp) and 9.8 (overfitting: L2, dropout, early stopping). Each claim rebuilds the prose's words from the
output of the cell it names, so a changed run that no longer supports the words fails.
"""
from __future__ import annotations

import math

from prose_claims import WORDS, Claim, grab  # noqa: F401  (used by the claims below)


# ------------------------------------------------------------------------------------------ chapter 8
def _ch8_losses(out: str) -> dict[str, list[float]]:
    rows = {}
    for name in ("x1", "x100", "standardised"):
        found = grab(rf"{name}\s+loss at steps 1/2/3/10/50:((?:\s+\S+){{5}})\s+acc\. (\S+)", out)
        rows[name] = [float(v) for v in found[0].split()] + [float(found[1])]
    return rows


def _ch8_leap(out: str) -> str:
    x100 = _ch8_losses(out)["x100"][:3]                 # the loss at steps 1, 2, 3
    first = next(k for k, v in enumerate(x100, start=1) if v >= 1000)
    size = "thousands" if max(x100) < 1e4 else "NOT thousands"
    return f"its loss leaps from $\\ln 10$ to {size} within {WORDS.get(first - 1, '?')} steps"


def _ch8_fastest(out: str) -> str:
    rows = _ch8_losses(out)
    order = sorted(rows, key=lambda name: rows[name][4])      # by the loss at step 50
    ok = order[0] == "standardised" and rows["x1"][4] < rows["x1"][0] and rows["x100"][4] > rows["standardised"][4]
    return "The standardised version learns fastest" if ok else "NOT: the standardised version learns fastest"


def _ch8_accuracy_tie(out: str) -> str:
    rows = _ch8_losses(out)
    return ("as high as the standardised one's" if rows["x100"][5] == rows["standardised"][5]
            else "NOT as high as the standardised one's")


def _ch8_first_losses(out: str) -> str:
    ln10 = float(grab(r"ln 10 = (\S+)", out)[0])
    scaled = float(grab(r"pixels / 16\s*: first loss (\S+)", out)[0])
    raw = float(grab(r"raw pixels 0-16\s*: first loss (\S+)", out)[0])
    near = "close to $\\ln 10$, slightly above it" if 0 < scaled - ln10 < 0.1 else "NOT close to ln 10"
    several = "several times larger" if 3 <= raw / scaled < 10 else f"{raw / scaled:.1f} times larger"
    return f"On the scaled pixels the first loss is {near} because the random weights spread the scores. " \
           f"On the raw pixels it is {several}"


def _ch8_tiny(out: str) -> str:
    acc = float(grab(r"training accuracy (\S+)", out)[0])
    loss = float(grab(r"-> (\S+),", out)[0])
    return ("The second passes: 20 samples, all classified correctly, the loss near 0"
            if acc == 1.0 and loss < 0.01 else f"NOT: accuracy {acc}, loss {loss}")


def _ch8_relu_init(out: str) -> dict[str, list[float]]:
    """The std of the activations at layers 1, 2, 5, 10 of the ReLU stacks, by initialisation."""
    block = out.split("ReLU: std of the activations a per layer")[1].split("ReLU: std of the error terms")[0]
    return {name: [float(v) for v in grab(rf"{name}\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", block)]
            for name in ("Xavier", "He")}


def _ch8_xavier_relu(out: str) -> str:
    xavier = _ch8_relu_init(out)["Xavier"]
    predicted = xavier[0] * math.sqrt(0.5) ** 9                 # layer 1's std, times sqrt(1/2) for 9 more layers
    factor = (xavier[3] / xavier[0]) ** (1 / 9)
    return (f"from {xavier[0]:.2f} at layer 1 would give {predicted:.3f} at layer 10; measured, it falls to "
            f"{xavier[3]:.3f}, a factor {factor:.2f} per layer")


def _ch8_xavier_is_scaled_he(out: str) -> str:
    rows = _ch8_relu_init(out)
    # Xavier's std is He's times sqrt(1/2); the same draws, so layer l is scaled by sqrt(1/2)**l (printed to 3 digits)
    scaled = all(abs(x / (h * math.sqrt(0.5) ** layer) - 1) < 0.01
                 for x, h, layer in zip(rows["Xavier"], rows["He"], (1, 2, 5, 10)))
    return (f"its activations are {'exactly' if scaled else 'NOT'} the He stack's times $(\\sqrt{{1/2}})^l$ at layer "
            f"$l$; the He stack itself drifts down, from {rows['He'][0]:.3f} at layer 1 to {rows['He'][3]:.3f} at "
            "layer 10")


# ------------------------------------------------------------------------------------------ chapter 9
def _ch9_eta3(out: str) -> dict[str, object]:
    """Section 9.1's run at eta = 3, up close: dead units per layer, the output, the classes, the zero gradients."""
    d1, d2 = (int(v) for v in grab(r"dead units (\d+) of 32 in layer 1, (\d+) of 32 in layer 2", out))
    *p, same, is_bias = grab(r"p = \((\S+), (\S+), (\S+)\) for every input: (\w+), and it is softmax\(b3\): (\w+)", out)
    *counts, n = (int(v) for v in grab(r"predicted class 0, 1, 2 for (\d+), (\d+), (\d+) of the (\d+) points", out))
    zero, nonzero = grab(r"gradient exactly 0: (.*); not 0: (.*)", out)
    return {"dead": (d1, d2), "p": p, "one answer": same == "True" and is_bias == "True", "counts": counts, "n": n,
            "only b3 learns": zero == "W1, b1, W2, b2, W3" and nonzero == "b3",
            "accuracy": grab(r"η = 3\s+final loss \S+, training accuracy (\S+)", out)[0]}


def _ch9_eta3_dead(out: str) -> str:
    d1, d2 = _ch9_eta3(out)["dead"]
    return f"among them {'all 32' if d2 == 32 else f'NOT all but {d2}'} units of the second layer (and {d1} of the first)"


def _ch9_eta3_output(out: str) -> str:
    r = _ch9_eta3(out)
    classes = [c for c, k in enumerate(r["counts"]) if k == r["n"]]
    if not (r["one answer"] and classes):
        return "NOT one answer for every input"
    return (f"$p = \\mathrm{{softmax}}(b^{{(3)}}) = ({', '.join(r['p'])})$, and all {r['n']} points get class "
            f"{classes[0]}. (The printed accuracy, {r['accuracy']}, is counted")


def _ch9_eta3_gradients(out: str) -> str:
    return ("every gradient but $b^{(3)}$'s is exactly 0" if _ch9_eta3(out)["only b3 learns"]
            else "NOT only b3's gradient is non-zero")


def _ch9_schedules(out: str) -> dict[str, list[float]]:
    rows = {}
    for name in ("constant", "step decay", "exponential", "1/t", "cosine"):
        line = next((line for line in out.splitlines() if line.startswith(name)), None)
        assert line is not None, f"the schedules table no longer has a row {name!r}"
        rows[name] = [float(v) for v in line.split()[-6:]]   # eta at 0, 100, 199; mean E after 50, 100, 200
    return rows


def _ch9_schedule_ratio(out: str) -> str:
    rows = _ch9_schedules(out)
    const = rows["constant"][5]
    ratios = [const / r[5] for name, r in rows.items() if name != "constant"]
    return f"The four schedules end {min(ratios):.0f} to {max(ratios):.0f} times lower"


def _ch9_floor(out: str) -> str:
    floor = float(grab(r"floor, eta sigma\^2 / \(2 \(2 - eta a\)\) = (\S+)", out)[0])
    const = _ch9_schedules(out)["constant"]
    settled = all(abs(v - floor) / floor < 0.05 for v in const[3:])       # after 50, 100 and 200 steps
    return ("The constant rate reaches its floor within about 50 steps and stays there" if settled
            else "NOT settled on the floor")


def _ch9_rms(out: str) -> dict[str, list[float]]:
    rows = {}
    for line in out.splitlines():
        parts = line.rsplit(None, 3)
        if len(parts) == 4 and parts[0].strip() and "E after" not in line and "e" in parts[1]:
            try:
                rows[parts[0].strip()] = [float(v) for v in parts[1:]]
            except ValueError:
                continue
    return rows


def _ch9_rms_claims(out: str) -> str:
    rows = _ch9_rms(out)
    fixed, cosine = rows["RMSProp η = 0.3"], rows["RMSProp η = 0.3, cosine"]
    others = [rows[k] for k in rows if not k.startswith("RMSProp")]
    assert len(others) == 3, f"expected SGD, momentum and Adam in the table, found {list(rows)}"
    far = fixed[0] < min(r[0] for r in others) / 100
    higher = fixed[2] > fixed[0]
    lowest = cosine[2] == min(r[2] for r in rows.values())
    return (f"{'far below' if far else 'NOT far below'} where SGD, momentum and Adam are at step 20. "
            f"Will its loss be lower still after 100 steps?|{'higher' if higher else 'NOT higher'}|"
            f"{'ends lowest of all five runs' if lowest and len(rows) == 5 else 'NOT lowest'}")


def _ch9_reg(out: str) -> dict[str, list[float]]:
    rows = {}
    for name in ("plain", "L2, λ = 0.01", "dropout, q = 0.5"):
        found = grab(rf"{name}\s+(\S+)\s+(\S+)\s+(\S+) \(epoch\s+(\d+)\)\s+(\S+)", out)
        rows[name] = [float(v) for v in found]       # train, val at the end, lowest val, its epoch, val accuracy
    return rows


def _ch9_plain_val(out: str) -> str:
    plain = _ch9_reg(out)["plain"]
    early = plain[3] <= 20
    several = 3 <= plain[1] / plain[2] < 10
    return ("It falls for a few epochs, reaches its lowest value early, then climbs for the rest of the run, to "
            f"{'several' if several else 'NOT several'} times its lowest value"
            if early else "NOT early")


def _ch9_remedy_order(out: str) -> str:
    r = _ch9_reg(out)
    stop = grab(r"stops after epoch (\d+),\s+restores epoch (\d+), validation loss (\S+)", out)
    ok = (r["L2, λ = 0.01"][1] < r["dropout, q = 0.5"][1] < r["plain"][1]
          and float(stop[2]) < r["plain"][1] and int(stop[1]) == int(r["plain"][3]))
    return ("Each remedy holds the validation loss lower at the end: L2 the most here, dropout less; early stopping "
            "stops soon after the lowest point and keeps its weights" if ok else "NOT in that order")


def _ch9_l2_dropout_ends(out: str) -> str:
    r = _ch9_reg(out)
    l2_close = r["L2, λ = 0.01"][1] / r["L2, λ = 0.01"][2] < 1.1
    drop_far = r["dropout, q = 0.5"][0] / r["plain"][0] > 10
    return (f"its validation loss ends {'close to' if l2_close else 'NOT close to'} its lowest value. Dropout's "
            f"training loss is noisy (a different mask every epoch) and ends {'far above' if drop_far else 'NOT far above'}"
            " the plain run's")


def _split(i: int):
    return lambda out: _ch9_rms_claims(out).split("|")[i]


CLAIMS: list[Claim] = [
    # ---- chapter 8, section 8.4
    Claim(8, "(the cell prints the ratio 100.000)", "grad_norm[name] = np.linalg.norm",
          lambda out: "(the cell prints the ratio {})".format(*grab(r"x100 .*= +(\S+) x that of x1", out))),
    Claim(8, "Exactly 100 times larger", "grad_norm[name] = np.linalg.norm",
          lambda out: "Exactly {:g} times larger".format(float(grab(r"x100 .*= +(\S+) x that of x1", out)[0]))),
    Claim(8, "its loss leaps from $\\ln 10$ to thousands within two steps", "eta_shared, n_steps = 0.5, 50",
          _ch8_leap),
    Claim(8, "The standardised version learns fastest", "eta_shared, n_steps = 0.5, 50", _ch8_fastest),
    Claim(8, "as high as the standardised one's", "eta_shared, n_steps = 0.5, 50", _ch8_accuracy_tie),
    # ---- chapter 8, section 8.5
    Claim(8, "On the scaled pixels the first loss is close to $\\ln 10$, slightly above it because the random "
             "weights spread the scores. On the raw pixels it is several times larger",
          "tiny = mlp([64, 32, 10], seed=0)", _ch8_first_losses),
    Claim(8, "The second passes: 20 samples, all classified correctly, the loss near 0",
          "tiny = mlp([64, 32, 10], seed=0)", _ch8_tiny),
    # ---- chapter 8, section 8.7: Xavier with ReLU, ten layers deep
    Claim(8, "from 0.58 at layer 1 would give 0.026 at layer 10; measured, it falls to 0.017, a factor 0.68 per layer",
          "results = {(act.__name__, name)", _ch8_xavier_relu),
    Claim(8, "its activations are exactly the He stack's times $(\\sqrt{1/2})^l$ at layer $l$; the He stack itself "
             "drifts down, from 0.822 at layer 1 to 0.555 at layer 10",
          "results = {(act.__name__, name)", _ch8_xavier_is_scaled_he),
    # ---- chapter 9, section 9.1: the run at eta = 3
    Claim(9, "among them all 32 units of the second layer (and 26 of the first)", "net3 = networks[3.0]",
          _ch9_eta3_dead),
    Claim(9, "$p = \\mathrm{softmax}(b^{(3)}) = (0.24, 0.52, 0.24)$, and all 300 points get class 1. (The printed "
             "accuracy, 0.297, is counted", "net3 = networks[3.0]", _ch9_eta3_output),
    Claim(9, "every gradient but $b^{(3)}$'s is exactly 0", "net3 = networks[3.0]", _ch9_eta3_gradients),
    # ---- chapter 9, section 9.6
    Claim(9, "The four schedules end 5 to 8 times lower", "mean_E[name] = np.array(curve)", _ch9_schedule_ratio),
    Claim(9, "The constant rate reaches its floor within about 50 steps and stays there",
          "mean_E[name] = np.array(curve)", _ch9_floor),
    Claim(9, "about a tenth", "mean_E[name] = np.array(curve)",
          lambda out: "about a tenth" if round(float(grab(r"= (\S+)\n", out)[0]), 1) == 0.1 else "NOT a tenth"),
    # ---- chapter 9, section 9.7
    Claim(9, "far below where SGD, momentum and Adam are at step 20. Will its loss be lower still after 100 steps?",
          "def rmsprop_path(", _split(0)),
    Claim(9, "higher", "def rmsprop_path(", _split(1)),
    Claim(9, "ends lowest of all five runs", "def rmsprop_path(", _split(2)),
    # ---- chapter 9, section 9.8
    Claim(9, "It falls for a few epochs, reaches its lowest value early, then climbs for the rest of the run, to "
             "several times its lowest value", "stop = early_stopping(", _ch9_plain_val),
    Claim(9, "Each remedy holds the validation loss lower at the end: L2 the most here, dropout less; early stopping "
             "stops soon after the lowest point and keeps its weights", "stop = early_stopping(", _ch9_remedy_order),
    Claim(9, "its validation loss ends close to its lowest value. Dropout's training loss is noisy (a different mask "
             "every epoch) and ends far above the plain run's", "stop = early_stopping(", _ch9_l2_dropout_ends),
]

#: Whole numbers the prose states that are not results: (chapter, number, why).
NOT_RESULTS: list[tuple[int, str, str]] = [
    (9, "2012", "the year of Hinton's Coursera course, whose lecture 6e introduced RMSProp"),
]
