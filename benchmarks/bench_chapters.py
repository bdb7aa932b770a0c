"""Kernel CPU time of each chapter, measured inside the kernel; prints a table.

    python benchmarks/bench_chapters.py [notebooks/09_training_in_practice.ipynb ...] [--repeat 1]

Target (issue 17): every chapter's kernel time ≤ 5 s on a quiet machine.

How: each notebook runs top to bottom in a fresh kernel (nbclient). One cell inserted before the first registers
an IPython ``post_run_cell`` callback that reads ``resource.getrusage(RUSAGE_SELF)`` (user + system CPU seconds
of the kernel process) after every cell, once its figures are drawn; one cell after the last prints the readings.
The kernel time is the CPU the chapter's own cells used, without the kernel's start-up, the client's bookkeeping
or the cost of cells of the benchmark's own between them, and CPU time is less disturbed than wall time by other
load on a shared machine. BLAS and OpenMP run single-threaded (``OMP_NUM_THREADS=1`` and friends), so a second
core does not hide work. With ``--repeat`` above 1 the table gives each chapter's least time. The three costliest cells are listed by index
into the notebook's cells, as in ``tests/prose_claims.py``.

A virtual machine's speed drifts with its host's load: on the course's 2-core machine the same chapter's CPU
time varied by up to 1.5 times from one minute to the next (chapter 9: 4.5 s to 6.8 s, on 7 December 2026),
with nothing inside the guest to show it (no other process, no steal time, the same page faults). A quiet
machine is then the fastest the machine gets, and the least of several runs estimates it. ``--repeat N`` runs
the chapters in N rounds (every chapter once, then every chapter again), so each chapter's runs are spread over
the whole benchmark instead of falling into one slow minute; the table also gives the largest time, to show how
far the machine drifted.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# after every cell (post_run_cell follows post_execute, where the inline backend draws the cell's figures)
_CLOCK = ("import resource as _bench_r\n_bench_T = []\n"
          "def _bench_cpu(*_):\n    u = _bench_r.getrusage(_bench_r.RUSAGE_SELF)\n"
          "    _bench_T.append(u.ru_utime + u.ru_stime)\n"
          "get_ipython().events.register('post_run_cell', _bench_cpu)\n")


def kernel_times(path: Path) -> tuple[float, dict[int, float]]:
    """Run ``path`` in a fresh kernel; return its total kernel CPU seconds and the seconds of each code cell.

    Parameters
    ----------
    path : Path
        A notebook; its cells are not changed on disk.

    Returns
    -------
    total : float
        CPU seconds (user + system) the kernel spent from before the first cell to after the last.
    per_cell : dict of int to float
        CPU seconds of each code cell, keyed by its index among all the notebook's cells.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # the cells nbclient runs (it skips empty ones), each followed by one reading
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()]
    nb.cells = ([nbformat.v4.new_code_cell(_CLOCK)] + nb.cells
                + [nbformat.v4.new_code_cell("import json as _bench_j\nprint(_bench_j.dumps(_bench_T))")])
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    marks = json.loads(nb.cells[-1].outputs[0]["text"])  # after the clock cell, then after each code cell
    if len(marks) != len(code) + 1:
        raise RuntimeError(f"{path.name}: {len(marks)} readings for {len(code)} code cells")
    per_cell = {i: marks[k + 1] - marks[k] for k, i in enumerate(code)}
    return marks[-1] - marks[0], per_cell


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="chapters to time (default: all of notebooks/)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds over the chapters; the table shows each chapter's least and largest time")
    args = ap.parse_args()
    for name in THREAD_VARIABLES:               # inherited by the kernels nbclient starts
        os.environ[name] = "1"
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    started = time.perf_counter()
    runs: dict[Path, list[tuple[float, dict[int, float]]]] = {path: [] for path in paths}
    for _ in range(args.repeat):            # rounds: a chapter's runs spread over the whole benchmark
        for path in paths:
            runs[path].append(kernel_times(path))
    print(f"{'chapter':<36} {'kernel CPU':>10}  {'verdict':<12} {'largest':>8}  costliest cells (index: seconds)")
    for path in paths:
        total, per_cell = min(runs[path], key=lambda r: r[0])
        largest = max(r[0] for r in runs[path])
        costly = ", ".join(f"{i}: {s:.2f}" for i, s in sorted(per_cell.items(), key=lambda kv: -kv[1])[:3])
        verdict = "ok (≤ 5 s)" if total <= 5.0 else "over 5 s"
        print(f"{path.name:<36} {total:9.2f}s  {verdict:<12} {largest:7.2f}s  {costly}")
    print(f"(wall time of this run: {time.perf_counter() - started:.0f} s; load average now "
          f"{os.getloadavg()[0]:.1f} — on a busy machine CPU time grows too)")


if __name__ == "__main__":
    main()
