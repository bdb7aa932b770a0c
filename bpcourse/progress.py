"""A dependency-free text progress bar for training loops (one line, redrawn with a carriage return)."""
from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``[#####.....] epoch 5/10  loss 0.1234  acc 0.950  (1.2s)``, redrawn in place.

    The elapsed time is the only part that varies between runs; notebooks sanitise it (see
    ``notebooks/sanitize.cfg``).
    """

    def __init__(self, total: int, width: int = 20, stream: TextIO | None = None) -> None:
        self.total, self.width = total, width
        self.stream = stream if stream is not None else sys.stdout
        self._start = time.perf_counter()

    def update(self, done: int, **metrics: float) -> None:
        filled = round(self.width * done / self.total)
        bar = "#" * filled + "." * (self.width - filled)
        values = "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        elapsed = time.perf_counter() - self._start
        end = "\n" if done >= self.total else ""
        self.stream.write(f"\r[{bar}] epoch {done}/{self.total}  {values}  ({elapsed:.1f}s){end}")
        self.stream.flush()
