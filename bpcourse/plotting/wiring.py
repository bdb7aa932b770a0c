"""The wiring of Article A's 1-2-1 network: which bias feeds which neuron, under either reading of the text."""
from __future__ import annotations

from typing import Any, NamedTuple

import matplotlib.pyplot as plt

from ..validate import check_choice
from ._common import _new_axes

READINGS = ("literal", "shared")
_POSITIONS = {"x": (0.0, 0.5), "h1": (1.0, 0.85), "h2": (1.0, 0.15), "o": (2.0, 0.5), "b1": (0.45, 1.25)}
_WEIGHTS = (("x", "h1", "w1"), ("x", "h2", "w2"), ("h1", "o", "w3"), ("h2", "o", "w4"))
_BIASES = {"literal": (("b1", "h1"), ("b2", "h2"), ("b2", "o")), "shared": (("b1", "h1"), ("b1", "h2"), ("b2", "o"))}
_COLOURS = {"b1": "tab:blue", "b2": "tab:red"}
_TITLES = {"literal": "literal reading (the text's forward pass)", "shared": "shared reading (fits the article's gradients)"}
_R = 0.12  # neuron radius


class BiasWiring(NamedTuple):
    """What :func:`draw_bias_wiring` drew.

    ``nodes`` maps "x", "h1", "h2", "o", "b1", "b2" to their patch; ``weights`` maps (from, to) to the arrow of
    a weight, ``biases`` maps (bias, neuron) to the dashed arrow of a bias; ``feeds`` maps each bias to the
    neurons it feeds, in drawing order.
    """

    ax: Any
    nodes: dict
    weights: dict
    biases: dict
    feeds: dict


def draw_bias_wiring(reading: str, ax: Any = None) -> BiasWiring:
    """Draw the 1-2-1 network x → h1, h2 → o with its biases wired as ``reading`` says.

    Parameters
    ----------
    reading : {"literal", "shared"}
        ``"literal"``: the forward pass as printed (b1 → h1; b2 → h2 and o). ``"shared"``: the network the
        article's gradient formulas fit (b1 → h1 and h2; b2 → o).
    ax : Axes, optional

    Returns
    -------
    BiasWiring
    """
    check_choice(reading, "reading", READINGS)
    ax = _new_axes(ax, (5.5, 4.2))
    pos = dict(_POSITIONS, b2=(1.45, 1.25) if reading == "shared" else (1.45, -0.35))
    weights, biases = {}, {}
    for a, b, label in _WEIGHTS:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        weights[(a, b)] = ax.annotate(
            "", xy=(x1 - 0.13, y1 + (y0 - y1) * 0.13), xytext=(x0 + 0.13, y0 - (y0 - y1) * 0.13),
            arrowprops=dict(arrowstyle="->", color="k"),
        )
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.06, label, ha="center", fontsize=11)
    for a, b in _BIASES[reading]:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        biases[(a, b)] = ax.annotate(
            "", xy=(x1, y1 + (0.13 if y0 > y1 else -0.13)), xytext=(x0, y0),
            arrowprops=dict(arrowstyle="->", color=_COLOURS[a], lw=1.8, linestyle="--"),
        )
    nodes = {}
    for name, (px, py) in pos.items():
        if name.startswith("b"):
            patch = plt.Rectangle((px - 0.09, py - 0.09), 0.18, 0.18, color=_COLOURS[name], alpha=0.25)
        else:
            patch = plt.Circle((px, py), _R, fill=True, color="whitesmoke", ec="k")
        nodes[name] = ax.add_patch(patch)
        ax.text(px, py, name, ha="center", va="center", fontsize=12)
    ax.set_xlim(-0.3, 2.3)
    ax.set_ylim(-0.6, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(_TITLES[reading], fontsize=11)
    feeds = {b: [n for bb, n in _BIASES[reading] if bb == b] for b in ("b1", "b2")}
    return BiasWiring(ax, nodes, weights, biases, feeds)
