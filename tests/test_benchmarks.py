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

    source = BENCHMARKS.parent / "instructor" / "source" / "ex06" / "ex06_fully_connected_layer.ipynb"
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(2):
        nbformat.write(release_with_solutions(nbformat.read(str(source), as_version=4)), str(subs / f"s{k}.ipynb"))
    seconds, counts = bench.bench_ours(source, subs, tmp_path, jobs=2)
    assert counts == {"ok": 2} and seconds > 0
    with open(tmp_path / "ours-jobs2" / "grades.csv", newline="") as f:
        assert {row["sandbox"] for row in csv.DictReader(f)} == {"bwrap"}


def test_the_scale_benchmark_grades_sharded_and_unsharded_alike_and_measures_both(monkeypatch, tmp_path):
    """``bench_grading.py --scale`` on three toy submissions and two shards: its own consistency check holds and
    every number its table prints was measured (the timings themselves are not asserted)."""
    import shutil

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_grading")
    fix = BENCHMARKS.parent / "tests" / "fixtures" / "grading"
    subs = tmp_path / "subs"
    subs.mkdir()
    for k in range(3):
        shutil.copy(fix / "submissions" / "correct.ipynb", subs / f"s{k}.ipynb")
    r = bench.scale_run(fix / "toy_exercise.ipynb", subs, tmp_path, shards=2, tasks_file=fix / "toy_tasks.py")
    assert r["same"] and r["single"]["counts"] == {"ok": 3}
    assert r["single"]["sandboxes_sampled"] >= 1 and r["single"]["sandbox_rss_mib"] > 5
    assert r["single"]["grader_rss_mib"] > 5 and len(r["single"]["sandbox_s"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged", "one-shard", "shard-0", "shard-1", "subs"]
    text = bench.scale_report(r, 3, "toy_exercise")
    assert "| 2 shards × --jobs 1 at once, + --merge" in text and "one 32-core node" in text


def test_chapter_benchmark_reads_once_per_code_cell_and_charges_each_cell_its_own_cpu(monkeypatch, tmp_path):
    """``bench_chapters.kernel_times`` keys each code cell by its index (empty cells, which nbclient skips, have no
    reading) and the cell that computes most gets most of the time; the notebook on disk is not changed."""
    import nbformat

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_chapters")
    cells = [nbformat.v4.new_markdown_cell("# a chapter"), nbformat.v4.new_code_cell("x = 1"),
             nbformat.v4.new_code_cell(""),
             nbformat.v4.new_code_cell("s = 0\nfor i in range(3_000_000):\n    s += i % 7"),
             nbformat.v4.new_code_cell("y = x + 1")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(path))
    before = path.read_bytes()
    total, per_cell = bench.kernel_times(path)
    assert set(per_cell) == {1, 3, 4}
    assert per_cell[3] > 0.1 and per_cell[3] > 5 * max(per_cell[1], per_cell[4])
    assert abs(total - sum(per_cell.values())) < 1e-9
    assert path.read_bytes() == before
