"""The benchmarks' hand-written comparison loops compute what bpcourse computes, so their timings compare like
with like (the timings themselves are never asserted: they live in the scripts' tables)."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture()
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("bench_large_mlp")


def test_large_mlp_variants_match_bpcourse(bench):
    pytest.importorskip("threadpoolctl")
    X, y = bench.digits()
    n = bench.BATCH * bench.N_BATCHES
    assert bench.verify(X[:n], y[:n]) < 1e-10


def test_flop_count(bench):
    sizes = [64, 512, 512, 10]
    # by hand: forward 2·n·(64·512 + 512·512 + 512·10), backward twice that minus the first layer's dX
    fwd = 2 * 256 * (64 * 512 + 512 * 512 + 512 * 10)
    assert bench.step_flops(sizes, 256) == 3 * fwd - 2 * 256 * 64 * 512

