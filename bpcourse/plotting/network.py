"""Network diagrams: layered nodes, weighted edges w_ji, highlighted paths."""
from __future__ import annotations

from typing import Any, Hashable, Mapping, NamedTuple, Sequence

from matplotlib.patches import Circle

from ..validate import check_int
from ._common import HIGHLIGHT_COLORS, _new_axes


class NetworkDrawing(NamedTuple):
    """What :func:`draw_network` drew.

    ``nodes`` maps each node's key (its label, or its number 1..N without labels; ``"b0"``, ``"b1"``, ... for
    the bias nodes of layers 0, 1, ...) to its ``Circle``; ``edges`` maps (from key, to key) to its
    ``Line2D``; ``edge_texts`` maps the labelled edges to their ``Text``; ``positions`` gives each node's
    (x, y).
    """

    ax: Any
    nodes: dict
    edges: dict
    edge_texts: dict
    positions: dict


def _node_keys(layer_sizes: list[int], labels: object) -> list[list[Hashable]]:
    n_total = sum(layer_sizes)
    if labels is None:
        flat: list[Hashable] = list(range(1, n_total + 1))
    else:
        if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
            raise TypeError(f"labels must be a list of node labels, got {type(labels).__name__}")
        if len(labels) == len(layer_sizes) and all(
            isinstance(l, Sequence) and not isinstance(l, str) for l in labels
        ):
            got = [len(l) for l in labels]
            if got != layer_sizes:
                raise ValueError(f"labels per layer have sizes {got}, expected {layer_sizes}")
            flat = [lab for layer in labels for lab in layer]
        else:
            flat = list(labels)
        if len(flat) != n_total:
            raise ValueError(f"labels has {len(flat)} entries, expected {n_total} (one per node of {layer_sizes})")
        if len(set(flat)) != len(flat):
            raise ValueError(f"labels must be distinct, got {flat}")
    out, start = [], 0
    for size in layer_sizes:
        out.append(flat[start : start + size])
        start += size
    return out


def draw_network(
    layer_sizes: Sequence[int],
    labels: Sequence[Any] | None = None,
    ax: Any = None,
    edge_labels: str | Mapping[tuple, str] | None = None,
    bias: bool = False,
    highlight: Sequence[Sequence[Any]] | None = None,
    layer_names: Sequence[str] | None = None,
    show_labels: bool = True,
) -> NetworkDrawing:
    """Draw a small fully connected network: nodes in columns, every node joined to every node of the next.

    Parameters
    ----------
    layer_sizes : sequence of int
        Nodes per layer, input first, e.g. ``[3, 2, 2]``.
    labels : sequence, optional
        Node labels, input layer first: a flat list (``[1, 2, 3, 4, 5, 6, 7]`` for Article B) or one list per
        layer. Without labels nodes are keyed 1..N and drawn unlabelled (``show_labels=False``) or numbered.
    ax : Axes, optional
    edge_labels : "w_ji", dict or None
        ``"w_ji"`` writes w_ji on the edge from node i into node j (later node first, the course's naming);
        a dict ``{(from_key, to_key): text}`` labels chosen edges. Each label sits at its edge's midpoint;
        where edges cross at their midpoints (as they do in every fully connected layer), their labels move
        apart along their own edges, staying within the middle 30 %. Columns are set wider apart when edges
        are labelled.
    bias : bool
        Add a bias node "+1" under every layer but the last, joined (dashed) to every node of the next
        layer: the bias folded in as an input fixed at 1. Its key is ``"b0"``, ``"b1"``, ... and its edge
        label reads w_bj.
    highlight : sequence of paths, optional
        Each path is a sequence of node keys, e.g. ``[(4, 6), (4, 7)]``; its edges are drawn thick, one
        colour per path.
    layer_names : sequence of str, optional
        A caption under each column, e.g. ``["input", "hidden", "output"]``.
    show_labels : bool
        Write the labels (or the numbers 1..N) inside the nodes.

    Returns
    -------
    NetworkDrawing
        ``(ax, nodes, edges, edge_texts, positions)``.
    """
    sizes, keys = _check_layers(layer_sizes, labels, layer_names)
    has_bias = [bias and l < len(sizes) - 1 for l in range(len(sizes))]
    gap = 3.0 if edge_labels is not None else 2.2  # columns further apart leave room for the edge labels
    columns, positions = _layout(keys, has_bias, gap)
    tallest = max(len(c) for c in columns)
    ax = _new_axes(ax, (0.86 * gap * len(sizes) + 1.0, 0.9 * tallest + 1.0))
    ax.set_aspect("equal")
    ax.axis("off")
    edges = _draw_edges(ax, columns, keys, positions, has_bias)
    if highlight is not None:
        _draw_highlights(ax, highlight, edges, positions)
    nodes = _draw_nodes(ax, columns, keys, positions, has_bias, show_labels)
    edge_texts = _draw_edge_labels(ax, edge_labels, edges, positions) if edge_labels is not None else {}
    _draw_layer_names(ax, layer_names, positions, gap)
    return NetworkDrawing(ax, nodes, edges, edge_texts, positions)


_RADIUS = 0.22  # of a node, in node spacings


def _check_layers(layer_sizes: object, labels: object,
                  layer_names: Sequence[str] | None) -> tuple[list[int], list[list[Hashable]]]:
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence) or len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes must list at least two layer sizes, e.g. [3, 2, 2], got {layer_sizes!r}")
    sizes = [check_int(s, f"layer_sizes[{i}]") for i, s in enumerate(layer_sizes)]
    if max(sizes) > 40:
        raise ValueError(f"draw_network is for small networks (at most 40 nodes per layer), got {sizes}")
    keys = _node_keys(sizes, labels)
    if layer_names is not None and len(layer_names) != len(sizes):
        raise ValueError(f"layer_names has {len(layer_names)} entries, expected {len(sizes)} (one per layer)")
    return sizes, keys


def _layout(keys: list[list[Hashable]], has_bias: list[bool],
            gap: float) -> tuple[list[list[Hashable]], dict[Hashable, tuple[float, float]]]:
    """Each layer a column (its bias node "b<l>" last), columns ``gap`` apart, centred on the tallest."""
    columns = [list(layer) + ([f"b{l}"] if has_bias[l] else []) for l, layer in enumerate(keys)]
    tallest = max(len(c) for c in columns)
    top = (tallest - 1) / 2.0
    positions: dict[Hashable, tuple[float, float]] = {}
    for l, column in enumerate(columns):
        offset = (tallest - len(column)) / 2.0
        for r, key in enumerate(column):
            positions[key] = (gap * l, top - offset - r)
    return columns, positions


def _is_bias(key: Hashable, l: int, has_bias: list[bool]) -> bool:
    return has_bias[l] and isinstance(key, str) and key == f"b{l}"


def _draw_edges(ax: Any, columns: list, keys: list, positions: dict, has_bias: list[bool]) -> dict[tuple, Any]:
    """Every node of a column joined to every (non-bias) node of the next; a bias node's edges dashed."""
    edges: dict[tuple, Any] = {}
    for l in range(len(columns) - 1):
        for src in columns[l]:
            for dst in keys[l + 1]:
                (x0, y0), (x1, y1) = positions[src], positions[dst]
                (line,) = ax.plot([x0, x1], [y0, y1], color="0.55", lw=1.0, zorder=1,
                                  linestyle="--" if _is_bias(src, l, has_bias) else "-")
                edges[(src, dst)] = line
    return edges


def _draw_highlights(ax: Any, highlight: object, edges: dict, positions: dict) -> None:
    """Each path's edges thick, one colour per path; paths sharing an edge are drawn side by side."""
    if isinstance(highlight, (str, bytes)) or not isinstance(highlight, Sequence):
        raise TypeError(f"highlight must be a list of paths (sequences of node keys), got {highlight!r}")
    for p, path in enumerate(highlight):
        if isinstance(path, (str, bytes)) or not isinstance(path, Sequence) or len(path) < 2:
            raise ValueError(f"highlight[{p}] must be a path of at least two node keys, got {path!r}")
        color = HIGHLIGHT_COLORS[p % len(HIGHLIGHT_COLORS)]
        for a, b in zip(path, path[1:]):
            if (a, b) not in edges:
                raise ValueError(f"highlight[{p}]: there is no edge from node {a!r} into node {b!r}")
            (x0, y0), (x1, y1) = positions[a], positions[b]
            # offset parallel copies a little so two paths sharing an edge both stay visible
            shift = 0.05 * (p - (len(highlight) - 1) / 2.0) if _shared(highlight, (a, b)) else 0.0
            ax.plot([x0, x1], [y0 + shift, y1 + shift], color=color, lw=3.0, zorder=2, alpha=0.9,
                    solid_capstyle="round")


def _draw_nodes(ax: Any, columns: list, keys: list, positions: dict, has_bias: list[bool],
                show_labels: bool) -> dict[Hashable, Any]:
    """A circle per node, labelled (or numbered) when ``show_labels``; bias nodes shaded and written "+1"."""
    nodes: dict[Hashable, Any] = {}
    for l, column in enumerate(columns):
        for key in column:
            is_bias = _is_bias(key, l, has_bias) and key not in keys[l]
            circle = Circle(positions[key], _RADIUS, facecolor="#fff2cc" if is_bias else "white",
                            edgecolor="black", lw=1.2, zorder=4)
            ax.add_patch(circle)
            nodes[key] = circle
            text = "+1" if is_bias else (str(key) if show_labels else None)
            if text is not None:
                ax.text(*positions[key], text, ha="center", va="center", fontsize=10, zorder=5)
    return nodes


def _draw_edge_labels(ax: Any, edge_labels: object, edges: dict, positions: dict) -> dict[tuple, Any]:
    """The requested labels, each on its own edge (spread apart where edges cross at their midpoints)."""
    if isinstance(edge_labels, str):
        if edge_labels != "w_ji":
            raise ValueError(f"edge_labels must be 'w_ji', a dict {{(from, to): text}} or None, got {edge_labels!r}")
        wanted = {e: _w_name(e) for e in edges}
    elif isinstance(edge_labels, Mapping):
        unknown = [e for e in edge_labels if e not in edges]
        if unknown:
            raise ValueError(f"edge_labels names edges that are not drawn: {unknown}; edges are (from, to) keys")
        wanted = dict(edge_labels)
    else:
        raise TypeError(f"edge_labels must be 'w_ji', a dict or None, got {type(edge_labels).__name__}")
    edge_texts: dict[tuple, Any] = {}
    for (a, b), frac in _label_fractions(list(wanted), positions).items():
        (x0, y0), (x1, y1) = positions[a], positions[b]
        xt, yt = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        edge_texts[(a, b)] = ax.text(xt, yt, str(wanted[(a, b)]), ha="center", va="center", fontsize=9,
                                     zorder=3, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
    return edge_texts


def _draw_layer_names(ax: Any, layer_names: Sequence[str] | None, positions: dict, gap: float) -> None:
    """Captions under the columns, and axis limits that fit the drawing (and the captions)."""
    if layer_names is not None:
        bottom = min(y for _, y in positions.values()) - 0.75
        for l, name in enumerate(layer_names):
            ax.text(gap * l, bottom, str(name), ha="center", va="center", fontsize=10, style="italic")
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - (1.1 if layer_names is not None else 0.6), max(ys) + 0.6)


# Labels closer than this (in node spacings) would overlap: edges i -> j and i' -> j' with y_i + y_j = y_i' + y_j'
# cross exactly at their midpoints, which happens in every fully connected layer.
_LABEL_CLEARANCE = 0.3
_LABEL_SPREAD = 0.15  # how far apart along their edges (as a fraction of the edge) crossing labels move


def _label_fractions(wanted: list[tuple], positions: dict) -> dict[tuple, float]:
    """Where along each labelled edge its label goes: 0.5, the midpoint, unless another label would sit there.

    Labels whose midpoints coincide (edges crossing at their midpoints) are spread along their own edges,
    symmetrically about the midpoint, so each stays on its line and they no longer overlap.
    """
    mids = {e: tuple((positions[e[0]][k] + positions[e[1]][k]) / 2.0 for k in (0, 1)) for e in wanted}
    groups: list[list[tuple]] = []
    for e in wanted:
        for group in groups:
            gx, gy = mids[group[0]]
            if abs(mids[e][0] - gx) < 1e-9 and abs(mids[e][1] - gy) < _LABEL_CLEARANCE:
                group.append(e)
                break
        else:
            groups.append([e])
    fractions: dict[tuple, float] = {}
    for group in groups:
        # the edge that starts highest goes furthest along, so the labels of a crossing read left to right
        # in the order of their receiving nodes (top receiver first)
        group.sort(key=lambda e: (positions[e[1]][1], -positions[e[0]][1]), reverse=True)
        n = len(group)
        for k, e in enumerate(group):
            fractions[e] = 0.5 + _LABEL_SPREAD * (2 * k - (n - 1)) / max(n - 1, 1) if n > 1 else 0.5
    return fractions


def _shared(paths: Sequence[Sequence[Any]], edge: tuple) -> bool:
    count = sum(1 for path in paths if edge in set(zip(path, path[1:])))
    return count > 1


def _w_name(edge: tuple) -> str:
    src, dst = edge
    if isinstance(src, str) and src.startswith("b") and src[1:].isdigit():
        return f"$w_{{b{dst}}}$"
    return f"$w_{{{dst}{src}}}$"
