"""Speed of the reference package, measured side by side in one run; prints a table.

    python benchmarks/bench_training.py [--repeat 15]

Targets (issue #2):
  1. 64-128-64-10 ReLU MLP on the digits, batch 32, SGD, float64: bpcourse time per epoch ≤ 1.15× a minimal
     hand-written NumPy loop of the same model; below PyTorch CPU and scikit-learn's MLPClassifier when installed.
  2. 64-512-512-10, batch 256: bpcourse's training throughput ≥ 70% of this machine's large-matmul GFLOP/s:
     measured by bench_large_mlp.py, with what bounds it (the matmuls alone, hand-fused and two-thread loops,
     PyTorch).
  3. The article-sized scalar models train at ≤ 3 µs per sample step.
  4. A full gradient check of a 64-32-10 network on a batch of 32 takes ≤ 0.2 s.
Each timing is the best of --repeat runs (the least disturbed by other load on a shared machine); a model and
its floor run in turn, so load hits both alike.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bpcourse.datasets import load_digits
from bpcourse.gradcheck import check_network
from bpcourse.networks import mlp
from bpcourse.optimizers import SGD

LR = 0.05


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def best_of_interleaved(fns, repeat: int) -> list[float]:
    """Best time of each function, run in turn so that background load hits all of them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def print_table(rows: list[tuple[str, str, str]], last: str) -> None:
    """Rows of (measurement, result, verdict) as aligned columns."""
    w, v = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print(f"{'measurement':<{w}}  {'result':>{v}}  {last}")
    print("-" * (w + v + 30))
    for name, val, verdict in rows:
        print(f"{name:<{w}}  {val:>{v}}  {verdict}")


def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits()
    return X / 16.0, y


# --------------------------------------------------------------------------- 1. small MLP, batch 32
def bpcourse_epoch(sizes, X, y, batch):
    net = mlp(sizes, activation="relu", seed=0)
    opt = SGD(LR)
    net.fit(X, y, epochs=1, batch_size=batch, optimizer=opt, seed=0)  # warm-up (allocations, caches)
    return lambda: net.fit(X, y, epochs=1, batch_size=batch, optimizer=opt, seed=0)


def numpy_epoch(sizes, X, y, batch):
    """The floor: the same model, loss and update as straight-line NumPy, no abstractions."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((b, a)) * np.sqrt(2.0 / a) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    n, L = X.shape[0], len(Ws)

    def epoch():
        order = np.random.default_rng(0).permutation(n)
        total = 0.0
        for s in range(0, n, batch):
            idx = order[s : s + batch]
            xb, yb = X[idx], y[idx]
            acts = [xb]
            for l in range(L):
                z = acts[-1] @ Ws[l].T + bs[l]
                acts.append(np.maximum(z, 0.0) if l < L - 1 else z)
            z = acts[-1] - acts[-1].max(axis=1, keepdims=True)
            p = np.exp(z)
            s_ = p.sum(axis=1, keepdims=True)
            rows = np.arange(len(idx))
            total += float(np.sum(np.log(s_[:, 0]) - z[rows, yb]))  # the epoch's loss, as fit's history has it
            p /= s_
            p[rows, yb] -= 1.0
            d = p / len(idx)
            for l in range(L - 1, -1, -1):
                dW, db = d.T @ acts[l], d.sum(axis=0)
                if l > 0:
                    d = (d @ Ws[l]) * (acts[l] > 0)
                Ws[l] -= LR * dW
                bs[l] -= LR * db
        return total / n

    epoch()
    return epoch


def torch_epoch(sizes, X, y, batch):
    import torch

    torch.manual_seed(0)
    layers = []
    for k, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=torch.float64))
        if k < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    lossf = torch.nn.CrossEntropyLoss()

    def epoch():
        order = torch.from_numpy(np.random.default_rng(0).permutation(X.shape[0]))
        for s in range(0, X.shape[0], batch):
            idx = order[s : s + batch]
            opt.zero_grad()
            lossf(model(Xt[idx]), yt[idx]).backward()
            opt.step()

    epoch()
    return epoch


def sklearn_epoch(sizes, X, y, batch):
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), solver="sgd", learning_rate_init=LR, momentum=0.0,
                        batch_size=batch, max_iter=1, shuffle=True, random_state=0, alpha=0.0)
    classes = np.arange(sizes[-1])

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y, classes=classes)

    epoch()
    return epoch


# --------------------------------------------------------------------------- 3. scalar models
def scalar_models(repeat: int) -> list[tuple[str, float]]:
    """Seconds per sample step (one forward, backward and update of one sample; per-epoch loss included)."""
    from bpcourse.datasets import logic_gate
    from bpcourse.models import chain, framework, neuron, two_hidden

    X_and, t_and = logic_gate("and")
    epochs = 2000
    runs = {
        "single neuron learning AND (4 samples, shuffled)": (
            lambda: neuron.SigmoidNeuron([0.0, 0.0], 0.0).fit(X_and, t_and, eta=2.0, epochs=epochs, seed=0), 4),
        "Article C chain, article order (2 samples)": (lambda: chain.train(order="article", epochs=epochs), 2),
        "Article C chain, correct order (2 samples)": (lambda: chain.train(order="correct", epochs=epochs), 2),
        "Article C framework, both fixes (2 samples)": (
            lambda: framework.make_network(framework.starting_weights(1, 0)[0], fixes=("backward", "calc_gradient"))
            .train(list(framework.ARTICLE_LABELS), list(framework.ARTICLE_DATA), framework.ARTICLE_LR, epochs), 2),
        "Article A 1-2-1 network (1 sample)": (lambda: two_hidden.train(epochs=epochs), 1),
    }
    return [(name, best_of(run, repeat) / (n * epochs)) for name, (run, n) in runs.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    X, y = digits()
    rows: list[tuple[str, str, str]] = []

    sizes, batch = [64, 128, 64, 10], 32
    base, ours = best_of_interleaved([numpy_epoch(sizes, X, y, batch), bpcourse_epoch(sizes, X, y, batch)], args.repeat)
    rows.append(("64-128-64-10, batch 32: hand-written NumPy loop", f"{base * 1e3:.2f} ms/epoch", "1.00× (floor)"))
    rows.append(("64-128-64-10, batch 32: bpcourse Sequential.fit", f"{ours * 1e3:.2f} ms/epoch",
                 f"{ours / base:.2f}× floor (target ≤ 1.15)"))
    for name, make in (("PyTorch CPU", torch_epoch), ("scikit-learn MLPClassifier", sklearn_epoch)):
        try:
            t = best_of(make(sizes, X, y, batch), args.repeat)
        except ImportError:
            rows.append((f"64-128-64-10, batch 32: {name}", "not installed", "skipped"))
            continue
        rows.append((f"64-128-64-10, batch 32: {name}", f"{t * 1e3:.2f} ms/epoch",
                     f"bpcourse is {t / ours:.2f}× faster (target > 1)"))

    # target 2 runs in bench_large_mlp.py, each variant in a fresh interpreter: PyTorch's and scikit-learn's
    # threads, still spinning from the runs above, would slow a large model measured in this process
    rows.append(("64-512-512-10, batch 256 (GFLOP/s against the matmul peak)", "see bench_large_mlp.py", "-"))

    for name, per_step in scalar_models(args.repeat):
        rows.append((name, f"{per_step * 1e6:.2f} µs/sample step", "target ≤ 3 µs"))

    net = mlp([64, 32, 10], seed=0)
    Xb, yb = X[:32], y[:32]
    t = best_of(lambda: check_network(net, Xb, yb), args.repeat)
    rows.append(("full gradient check, 64-32-10, batch 32 (2410 params)", f"{t:.3f} s", "target ≤ 0.2 s"))

    # chapter 10's check: the trained-size network on five images, every entry against a sample of each array
    net = mlp([64, 128, 64, 10], seed=0)
    X5, y5 = X[:5], y[:5]
    full = best_of(lambda: check_network(net, X5, y5), 1)          # 34,452 forward passes: once is enough
    sampled = best_of(lambda: check_network(net, X5, y5, sample=200, seed=0), args.repeat)
    rows.append(("gradient check, 64-128-64-10, 5 images: all 17,226 entries", f"{full:.3f} s", "-"))
    rows.append(("gradient check, same, sample=200 per array (802 entries)", f"{sampled:.3f} s",
                 f"{full / sampled:.0f}× faster"))

    print_table(rows, "verdict")


if __name__ == "__main__":
    main()
