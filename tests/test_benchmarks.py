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



def test_grading_benchmark_grades_its_folder_in_the_sandbox(monkeypatch, tmp_path):
    """The grading benchmark's own run gives every correct submission full marks, with isolation on."""
    import csv

    import nbformat

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_grading")
    from bpcourse.grading.release import release_with_solutions

    source = BENCHMARKS.parent / "exercises" / "06_fully_connected_layer.ipynb"
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(2):
        nbformat.write(release_with_solutions(nbformat.read(str(source), as_version=4)), str(subs / f"s{k}.ipynb"))
    seconds, counts = bench.bench_ours(source, subs, tmp_path, jobs=2)
    assert counts == {"ok": 2} and seconds > 0
    with open(tmp_path / "ours-jobs2" / "grades.csv", newline="") as f:
        assert {row["sandbox"] for row in csv.DictReader(f)} == {"bwrap"}
