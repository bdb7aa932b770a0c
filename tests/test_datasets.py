"""Tests for bpcourse.datasets."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpcourse import datasets
from bpcourse.datasets import load_digits, logic_gate, moons, spirals, train_test_split

DATA_DIR = Path(datasets.__file__).parent / "data"
# digits 0..9 in the UCI optdigits test set (cross-checked against sklearn below)
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


# ---------------------------------------------------------------- logic gates

@pytest.mark.parametrize(
    "name, expected",
    [
        ("and", [0, 0, 0, 1]),
        ("or", [0, 1, 1, 1]),
        ("xor", [0, 1, 1, 0]),
        ("nand", [1, 1, 1, 0]),
        ("XOR", [0, 1, 1, 0]),
    ],
)
def test_logic_gate_truth_table(name, expected):
    X, t = logic_gate(name)
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert t.dtype == np.float64 and t.shape == (4,)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(t, expected)


def test_logic_gate_matches_boolean_operators():
    ops = {"and": lambda a, b: a and b, "or": lambda a, b: a or b, "xor": lambda a, b: a != b,
           "nand": lambda a, b: not (a and b)}
    for name, op in ops.items():
        X, t = logic_gate(name)
        for (a, b), target in zip(X, t):
            assert float(op(bool(a), bool(b))) == target, (name, a, b)


def test_logic_gate_returns_fresh_arrays():
    X, t = logic_gate("and")
    X[:] = 7.0
    t[:] = 7.0
    X2, t2 = logic_gate("and")
    assert X2.max() == 1.0 and t2.max() == 1.0


def test_logic_gate_unknown_lists_known():
    with pytest.raises(ValueError, match="unknown logic gate 'xnor'.*'and'.*'or'.*'xor'"):
        logic_gate("xnor")
    with pytest.raises(TypeError, match="string"):
        logic_gate(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------- spirals and moons

@pytest.mark.parametrize("n_per_class, n_classes", [(100, 3), (1, 1), (7, 5)])
def test_spirals_shapes_dtypes_balance(n_per_class, n_classes):
    X, y = spirals(n_per_class, n_classes, seed=1)
    n = n_per_class * n_classes
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=n_classes), [n_per_class] * n_classes)
    assert np.isfinite(X).all()


def test_spirals_geometry():
    # noise only rotates points: the radius of the k-th point of each arm is exactly k / (n_per_class - 1)
    X, y = spirals(50, 4, noise=0.3, seed=2)
    for j in range(4):
        r = np.hypot(*X[y == j].T)
        np.testing.assert_allclose(r, np.linspace(0, 1, 50), atol=1e-12)
    # without noise the angle is exactly the CS231n schedule 4j .. 4(j+1)
    X, y = spirals(20, 3, noise=0.0, seed=0)
    for j in range(3):
        theta = np.linspace(4 * j, 4 * (j + 1), 20)
        r = np.linspace(0, 1, 20)
        np.testing.assert_allclose(X[y == j], np.column_stack([r * np.sin(theta), r * np.cos(theta)]), atol=1e-12)


def test_moons_shapes_dtypes_balance():
    for n in (200, 7, 2):
        X, y = moons(n, seed=3)
        assert X.shape == (n, 2) and X.dtype == np.float64
        assert y.shape == (n,) and y.dtype == np.int64
        np.testing.assert_array_equal(np.bincount(y, minlength=2), [n // 2, n - n // 2])


def test_moons_geometry_without_noise():
    X, y = moons(100, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_moons_noise_has_stated_scale():
    X0, _ = moons(4000, noise=0.0)
    X1, _ = moons(4000, noise=0.1, seed=5)
    resid = (X1 - X0).ravel()
    assert abs(resid.std() - 0.1) < 0.005
    assert abs(resid.mean()) < 0.005


@pytest.mark.parametrize("make", [lambda **kw: spirals(**kw), lambda **kw: moons(**kw)], ids=["spirals", "moons"])
def test_generators_deterministic_and_seed_dependent(make):
    X1, y1 = make(seed=11)
    X2, y2 = make(seed=11)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(seed=12)
    assert not np.array_equal(X1, X3)
    # a Generator is used as given: same state, same data; and it is advanced
    Xg1, _ = make(seed=np.random.default_rng(11))
    np.testing.assert_array_equal(Xg1, X1)
    g = np.random.default_rng(11)
    Xa, _ = make(seed=g)
    Xb, _ = make(seed=g)
    assert not np.array_equal(Xa, Xb)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_per_class=0), "n_per_class must be a positive integer, got 0"),
        (dict(n_per_class=-5), "n_per_class must be a positive integer"),
        (dict(n_per_class=2.5), "n_per_class must be a positive integer, got 2.5"),
        (dict(n_classes=0), "n_classes must be a positive integer"),
        (dict(noise=-0.1), r"noise must be a finite number >= 0.*-0.1"),
        (dict(noise=float("nan")), "noise must be a finite number >= 0"),
        (dict(noise="big"), "noise must be"),
    ],
)
def test_spirals_bad_args(kwargs, match):
    with pytest.raises(ValueError, match=match):
        spirals(**kwargs)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n=0), ValueError, "n must be an integer >= 2, got 0"),
        (dict(n=1), ValueError, "n must be an integer >= 2, got 1"),
        (dict(n=True), ValueError, "n must be an integer >= 2, got True"),
        (dict(seed=None), TypeError, "seed must be a non-negative int or a numpy.random.Generator, got None"),
        (dict(noise=-1.0), ValueError, "noise must be a finite number >= 0"),
        (dict(noise=float("inf")), ValueError, "noise must be a finite number >= 0"),
        (dict(seed=1.5), TypeError, "seed must be a non-negative int or a numpy.random.Generator, got float"),
        (dict(seed=-1), ValueError, "seed must be a non-negative int"),
        (dict(seed=np.random.RandomState(0)), TypeError, "got RandomState"),
    ],
)
def test_moons_bad_args(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        moons(**kwargs)


# ---------------------------------------------------------------- digits

def test_digits_shape_values_classes():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    np.testing.assert_array_equal(X, np.round(X))
    np.testing.assert_array_equal(np.bincount(y, minlength=10), DIGIT_COUNTS)
    assert set(np.unique(y).tolist()) == set(range(10))
    # first sample, first image row, as printed by `zcat digits.csv.gz | head -1`
    np.testing.assert_array_equal(X[0, :8], [0, 0, 5, 13, 9, 1, 0, 0])
    assert y[0] == 0


def test_digits_checksum_matches_readme_and_constant():
    raw = resources.files("bpcourse").joinpath("data").joinpath(datasets.DIGITS_FILE).read_bytes()
    actual = hashlib.sha256(raw).hexdigest()
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    stated = re.findall(r"sha256:\s*`?([0-9a-f]{64})`?", readme)
    assert stated == [actual], f"README states {stated}, file hashes to {actual}"
    assert datasets.DIGITS_SHA256 == actual


def test_digits_readme_states_source_and_licence():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for needle in ("Optical Recognition of Handwritten Digits", "Alpaydin", "Kaynak", "1998",
                   "CC BY 4.0", "scikit-learn", "UCI"):
        assert needle in readme, needle


def test_digits_equal_sklearn_exactly():
    sk = pytest.importorskip("sklearn.datasets")
    ref = sk.load_digits()
    X, y = load_digits()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    np.testing.assert_array_equal(np.bincount(ref.target), DIGIT_COUNTS)


def test_digits_bundled_file_identical_to_sklearn_copy():
    sk = pytest.importorskip("sklearn")
    sk_file = Path(sk.__file__).parent / "datasets" / "data" / "digits.csv.gz"
    if not sk_file.exists():
        pytest.skip("this scikit-learn does not ship digits.csv.gz")
    assert sk_file.read_bytes() == (DATA_DIR / datasets.DIGITS_FILE).read_bytes()


def test_digits_returns_copies():
    X, y = load_digits()
    X[:] = -1.0
    y[:] = 99
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.max() == 9
    assert X2.flags.writeable and y2.flags.writeable
    assert not np.shares_memory(X2, load_digits()[0])


def test_digits_corrupt_file_is_refused(monkeypatch):
    datasets._digits_cached.cache_clear()
    monkeypatch.setattr(datasets, "_digits_bytes", lambda: b"not the digits")
    try:
        with pytest.raises(RuntimeError, match="corrupt: sha256 .* expected 09f66e6d"):
            load_digits()
    finally:
        datasets._digits_cached.cache_clear()


def test_import_is_light():
    code = (
        "import sys, bpcourse.datasets; "
        "heavy = [m for m in ('sklearn', 'matplotlib', 'scipy', 'sympy', 'pandas', 'IPython') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    # the child must find the same bpcourse as this process, however pytest put it on sys.path
    root = str(Path(datasets.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "", f"import bpcourse.datasets pulled in {out.stdout.strip()}"


# ---------------------------------------------------------------- train_test_split

def _check_split(X, y, parts, test_size_n):
    X_tr, X_te, y_tr, y_te = parts
    n = len(X)
    assert len(X_te) == len(y_te) == test_size_n
    assert len(X_tr) == len(y_tr) == n - test_size_n
    # X rows are unique ids here, so disjointness and completeness are checks on ids
    ids_tr, ids_te = X_tr[:, 0].astype(int), X_te[:, 0].astype(int)
    assert not set(ids_tr) & set(ids_te)
    assert sorted(np.concatenate([ids_tr, ids_te]).tolist()) == list(range(n))
    # rows stay paired with their labels
    np.testing.assert_array_equal(y_tr, y[ids_tr])
    np.testing.assert_array_equal(y_te, y[ids_te])


def test_split_digits_default():
    X, y = load_digits()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y)
    assert X_tr.shape == (1347, 64) and X_te.shape == (450, 64)
    assert y_tr.dtype == np.int64 and X_tr.dtype == np.float64
    counts = np.bincount(y, minlength=10)
    test_counts = np.bincount(y_te, minlength=10)
    assert np.all(np.abs(test_counts - counts * 450 / 1797) < 1)
    np.testing.assert_array_equal(test_counts + np.bincount(y_tr, minlength=10), counts)
    # every test row is a digits row with its own label
    rows = {tuple(r): lab for r, lab in zip(X.tolist(), y.tolist())}
    assert all(rows[tuple(r)] == lab for r, lab in zip(X_te.tolist(), y_te.tolist()))


def test_split_deterministic_and_seed_dependent():
    X = np.arange(60, dtype=float).reshape(30, 2)
    y = np.repeat(np.arange(3), 10)
    a = train_test_split(X, y, seed=4)
    b = train_test_split(X, y, seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    c = train_test_split(X, y, seed=5)
    assert not np.array_equal(a[1], c[1])
    d = train_test_split(X, y, seed=np.random.default_rng(4))
    for u, v in zip(a, d):
        np.testing.assert_array_equal(u, v)


def test_split_shuffles_test_rows():
    X = np.arange(200, dtype=float)[:, None]
    y = np.repeat(np.arange(4), 50)
    _, X_te, _, y_te = train_test_split(X, y, test_size=0.5, seed=0)
    assert not np.all(np.diff(y_te) >= 0), "test set came out sorted by class"


def test_split_outputs_are_copies():
    X = np.arange(20, dtype=float).reshape(10, 2)
    y = np.array([0, 1] * 5)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.4)
    X_tr[:] = -1
    y_te[:] = -1
    np.testing.assert_array_equal(X, np.arange(20, dtype=float).reshape(10, 2))
    np.testing.assert_array_equal(y, [0, 1] * 5)


@settings(deadline=None, max_examples=80)
@given(
    sizes=st.lists(st.integers(2, 30), min_size=1, max_size=6),
    frac=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
    extra_cols=st.integers(0, 2),
)
def test_split_stratified_properties(sizes, frac, seed, extra_cols):
    y = np.repeat(np.arange(len(sizes)) * 3 - 2, sizes)  # labels need not be 0..k-1
    n = len(y)
    X = np.column_stack([np.arange(n, dtype=float)] + [np.ones(n)] * extra_cols)
    n_test = int(np.ceil(frac * n))
    k = len(sizes)
    if not (1 <= n_test <= n - 1) or n_test < k or n - n_test < k:
        with pytest.raises(ValueError):
            train_test_split(X, y, test_size=frac, seed=seed)
        return
    parts = train_test_split(X, y, test_size=frac, seed=seed)
    _check_split(X, y, parts, n_test)
    y_te = parts[3]
    for label, size in zip(np.arange(k) * 3 - 2, sizes):
        share = size * n_test / n
        assert abs(np.sum(y_te == label) - share) < 1, (label, size, share)


@settings(deadline=None, max_examples=50)
@given(n=st.integers(2, 80), data=st.data(), seed=st.integers(0, 1000))
def test_split_unstratified_properties(n, data, seed):
    n_test = data.draw(st.integers(1, n - 1))
    X = np.arange(n, dtype=float)[:, None]
    y = np.linspace(0, 1, n)  # float targets are fine without stratification
    parts = train_test_split(X, y, test_size=n_test, seed=seed, stratify=False)
    _check_split(X, y, parts, n_test)


@pytest.mark.parametrize(
    "X, y, kwargs, exc, match",
    [
        (np.zeros((5, 2)), np.zeros(4, dtype=int), {}, ValueError, "X has 5 samples but t has 4"),
        (np.zeros((5, 2)), np.zeros(6, dtype=int), dict(stratify=False), ValueError, "X has 5 samples but t has 6"),
        (np.zeros(()), np.zeros(()), {}, ValueError, "one row per sample"),
        (np.zeros((1, 2)), np.zeros(1, dtype=int), {}, ValueError, "at least 2 samples"),
        (np.zeros((6, 2)), np.array([0, 0, 0, 1, 1, 2]), {}, ValueError,
         r"at least 2 samples per class; class\(es\) \[2\] have only 1"),
        (np.zeros((6, 2)), np.array([0.5] * 6), {}, TypeError, "integer class labels"),
        (np.zeros((6, 2)), np.zeros((6, 2), dtype=int), {}, ValueError, "must be 1-D"),
        (np.zeros((8, 2)), np.repeat([0, 1, 2, 3], 2), dict(test_size=0.2), ValueError, "cannot hold all 4 classes"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(test_size=0.0), ValueError, "strictly between 0 and 1"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(test_size=1.0), ValueError, "strictly between 0 and 1"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(test_size=8), ValueError, "between 1 and 7"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(test_size=0.99), ValueError, "leaves 8 test and 0 training"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(test_size="half"), TypeError, "test_size must be"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(test_size=True), TypeError, "got a bool"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(stratify="yes"), TypeError, "stratify must be True or False"),
        (np.zeros((8, 2)), np.zeros(8, dtype=int), dict(seed=None), TypeError, "seed must be"),
    ],
)
def test_split_bad_input(X, y, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train_test_split(X, y, **kwargs)
