"""Registered prose numbers of the chapters' predict additions (see ``prose_claims`` for what a claim is)."""
from __future__ import annotations

from prose_claims import Claim, grab  # noqa: F401  (used by the claims below)

CLAIMS: list[Claim] = []

#: Whole numbers the prose states that are not results: (chapter, number, why).
NOT_RESULTS: list[tuple[int, str, str]] = []
