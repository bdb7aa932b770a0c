"""Sharded grading: ``bpcourse grade --shard i/N`` grades a fixed 1/N of the folder; ``--merge`` joins shards.

A submission's shard is a function of its relative path only (:func:`shard_of`: sha256 of the path's bytes,
mod N), so adding or removing a file never moves another file to a different shard, and every machine of a
Slurm array or Kubernetes Indexed Job agrees on the split without talking to the others.

Every ``bpcourse grade`` run writes ``OUT/shard.json`` (:data:`MANIFEST`) when it finishes: the seed, the
engine version, the shard ``i/N``, the source's sha256, the task table, the settings and the rows it graded.
It is removed when a run starts and written only at the end, so a shard that died has none and
:func:`merge` refuses it (rerun that shard alone: it resumes from its ``results/``). :func:`merge` checks the
shards against each other field by field and says which one differs, then writes the joined ``grades.csv``,
``feedback/`` and ``results/`` to a temporary folder that is renamed into place: it writes nothing partial.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from bpcourse.grading.batch import ENGINE_VERSION, GradeSummary, Row, Run, list_submissions, results_stem
from bpcourse.grading.judge import STATUSES, SourceError
from bpcourse.grading.spec import Task

__all__ = ["ShardError", "ShardSpec", "parse_shard", "shard_of", "MANIFEST", "listing", "manifest", "write_manifest",
           "clear_manifest", "read_manifest", "merge", "MergeSummary", "load_rows"]

MANIFEST = "shard.json"
_FORMAT = "bpcourse-shard/1"
_MAX_SHARDS = 100_000
_MAX_JSON_BYTES = 64 << 20


class ShardError(SourceError):
    """A bad shard spec, a missing or unfinished shard, or shards that do not belong together (exit 1)."""


@dataclass(frozen=True)
class ShardSpec:
    """Shard ``index`` of ``count`` (0-based, as ``$SLURM_ARRAY_TASK_ID`` and ``$JOB_COMPLETION_INDEX``)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, rel: str) -> bool:
        """Whether the submission at relative path ``rel`` belongs to this shard."""
        return shard_of(rel, self.count) == self.index


_SPEC = re.compile(r"([0-9]{1,6})/([0-9]{1,6})")


def parse_shard(text: str) -> ShardSpec:
    """``"3/16"`` → ``ShardSpec(3, 16)``.

    Raises
    ------
    ShardError
        Unless ``text`` is ``i/N`` with whole numbers ``0 <= i < N <= 100000``.
    """
    m = _SPEC.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ShardError(f"--shard: expected i/N with whole numbers 0 <= i < N (e.g. 3/16), got {text!r}")
    index, count = int(m.group(1)), int(m.group(2))
    if not 0 < count <= _MAX_SHARDS or not 0 <= index < count:
        raise ShardError(f"--shard: expected i/N with 0 <= i < N and 1 <= N <= {_MAX_SHARDS} (shards are numbered "
                         f"from 0, as $SLURM_ARRAY_TASK_ID is), got {text!r}")
    return ShardSpec(index, count)


def shard_of(rel: str, count: int) -> int:
    """The shard (0 … count − 1) of a submission: the first 8 bytes of sha256(relative path) mod ``count``.

    The path's own bytes are hashed (``surrogateescape`` keeps names that are not UTF-8), so the shard does
    not depend on the other files in the folder or on the machine.
    """
    digest = hashlib.sha256(rel.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count


# ------------------------------------------------------------------------------------------ the manifest
def listing(submissions: Path, exclude: Sequence[Path]) -> dict[str, Any]:
    """The whole folder a shard saw (every shard's, not only its own files): count and sha256 of the paths.

    Shards that saw different folders (files added or removed between their runs) would merge into a class
    with submissions missing, so the merge compares this.
    """
    rels = [e.rel for e in list_submissions(submissions, exclude=exclude)]
    text = "\n".join(rels).encode("utf-8", "surrogateescape")
    return {"files": len(rels), "sha256": hashlib.sha256(text).hexdigest()}


def manifest(source: Path, tasks: Sequence[Task], spec: ShardSpec, seed: int, settings: dict[str, Any],
             summary: GradeSummary, folder: dict[str, Any], timestamps: dict[str, str]) -> dict[str, Any]:
    """What a finished run records about itself in ``OUT/shard.json`` (``folder``: its :func:`listing`;
    ``timestamps``: each row's submission time, for the nbgrader export)."""
    return {
        "format": _FORMAT, "exercise": source.stem, "engine": ENGINE_VERSION, "seed": int(seed),
        "shard": str(spec), "index": spec.index, "count": spec.count,
        "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "tasks": [{"id": t.id, "points": t.points} for t in tasks], "settings": dict(settings),
        "submissions": dict(folder),
        "files": [{"file": r.file, "stem": results_stem(r.file), "timestamp": timestamps.get(r.file, "")}
                  for r in summary.rows],
    }


def clear_manifest(out: Path) -> None:
    """Remove ``OUT/shard.json`` before a run, so a run that dies leaves no stale "finished" record."""
    try:
        (Path(out) / MANIFEST).unlink()
    except FileNotFoundError:
        pass


def write_manifest(out: Path, data: dict[str, Any]) -> None:
    """Write ``OUT/shard.json`` atomically (the last thing a finished run does)."""
    path = Path(out) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> Any:
    if path.is_symlink() or path.stat().st_size > _MAX_JSON_BYTES:
        raise ValueError("a symbolic link or too large")
    return json.loads(path.read_text(encoding="utf-8"))


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a finished run's output folder.

    Raises
    ------
    ShardError
        When the folder or its ``shard.json`` is missing (the run has not finished) or unreadable.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ShardError(f"expected a shard's output folder (bpcourse grade --out), got {str(folder)!r}, which "
                         f"is not a folder")
    path = folder / MANIFEST
    if not path.exists():
        raise ShardError(f"expected a finished shard in {folder}, got a folder without {MANIFEST}: that shard "
                         f"did not finish (or died); rerun its command alone, it resumes where it stopped")
    try:
        data = _read_json(path)
    except (OSError, ValueError) as exc:
        raise ShardError(f"expected a readable {path}, got one that cannot be read ({exc}); rerun that "
                         f"shard's command") from None
    keys = ("format", "exercise", "engine", "seed", "index", "count", "source_sha256", "tasks", "settings",
            "submissions", "files")
    if not isinstance(data, dict) or data.get("format") != _FORMAT or any(k not in data for k in keys):
        raise ShardError(f"expected a {_FORMAT} manifest in {path}, got something else; rerun that shard's "
                         f"command")
    return data


# ----------------------------------------------------------------------------------------------- rows
def load_rows(folder: Path, data: dict[str, Any]) -> list[tuple[Row, str, str]]:
    """(row, results key, stem) of every file a finished run lists, read from its ``results/``.

    Raises
    ------
    ShardError
        When a listed row's results file is missing or does not match the manifest.
    """
    task_ids = [t["id"] for t in data["tasks"]]
    out = []
    for f in data["files"]:
        rel, stem = str(f["file"]), str(f["stem"])
        if stem != results_stem(rel):
            raise ShardError(f"expected {MANIFEST} in {folder} to list results stems as bpcourse names them, got "
                             f"{stem!r} for {rel!r}; rerun that shard")
        try:
            d = _read_json(folder / "results" / f"{stem}.json")
            if d["file"] != rel or d["status"] not in STATUSES:
                raise ValueError(f"it is for {d['file']!r}")
            row = Row(rel, d["status"], {t: float(d["points"][t]) for t in task_ids}, float(d["total"]),
                      float(d["seconds"]), [str(n) for n in d["notes"]], "", str(d.get("sandbox", "bwrap")))
            key = str(d["key"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ShardError(f"expected {folder}/results/{stem}.json for {rel!r}, got "
                             f"{'none' if isinstance(exc, FileNotFoundError) else f'an unusable one ({exc})'}; "
                             f"rerun that shard's command") from None
        out.append((row, key, stem))
    return out


# ---------------------------------------------------------------------------------------------- merge
@dataclass
class MergeSummary:
    """What :func:`merge` wrote."""

    rows: list[Row]
    shards: int
    out: Path


_SAME = (("exercise", "exercise", ""), ("engine", "engine version", ""), ("seed", "seed", ""),
         ("source_sha256", "source notebook (sha256)", ""), ("tasks", "task table", ""),
         ("settings", "settings", ""),
         ("submissions", "submissions folder listing", "; files were added or removed between the shards' runs: "
                                                       "rerun the shards that ran before the change (they resume)"))


def _check_together(found: list[tuple[Path, dict[str, Any]]], expect_seed: int | None) -> int:
    """The shard count N, after checking the shards belong together and none is missing; else ShardError."""
    first_dir, first = found[0]
    for folder, data in found[1:]:
        for key, what, hint in _SAME:
            if data[key] != first[key]:
                mine, theirs = json.dumps(first[key])[:80], json.dumps(data[key])[:80]
                raise ShardError(f"cannot merge shards graded differently: expected every shard's {what} to be "
                                 f"{mine} (as in {first_dir}), got {theirs} in {folder}{hint}")
    if expect_seed is not None and first["seed"] != expect_seed:
        raise ShardError(f"cannot merge: expected shards graded with --seed {expect_seed}, got seed "
                         f"{first['seed']} in {first_dir}")
    counts = {d["count"] for _, d in found}
    if len(counts) > 1:
        shown = ", ".join(f"{f} is {d['index']}/{d['count']}" for f, d in found[:4])
        raise ShardError(f"cannot merge: expected shards of one split i/N, got different N ({shown})")
    n = counts.pop()
    seen: dict[int, Path] = {}
    for folder, data in found:
        if data["index"] in seen:
            raise ShardError(f"cannot merge: expected each shard once, got shard {data['index']}/{n} twice "
                             f"({seen[data['index']]} and {folder})")
        seen[data["index"]] = folder
    missing = [i for i in range(n) if i not in seen]
    if missing:
        names = ", ".join(f"{i}/{n}" for i in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise ShardError(f"cannot merge: expected all {n} shards 0/{n} … {n - 1}/{n}, got {len(seen)}; missing "
                         f"{names}")
    return n


def _check_rows(found: list[tuple[Path, dict[str, Any]]], n: int) -> list[tuple[Path, Row, str]]:
    rows: list[tuple[Path, Row, str]] = []
    owner: dict[str, Path] = {}
    keys: dict[str, Path] = {}
    for folder, data in found:
        for row, key, stem in load_rows(folder, data):
            if shard_of(row.file, n) != data["index"]:
                raise ShardError(f"cannot merge: expected {row.file!r} in shard {shard_of(row.file, n)}/{n}, got "
                                 f"it in {folder} (shard {data['index']}/{n})")
            if row.file in owner:
                raise ShardError(f"cannot merge: expected each submission in one shard, got {row.file!r} in "
                                 f"{owner[row.file]} and {folder}")
            owner[row.file] = folder
            keys.setdefault(key, folder)
            rows.append((folder, row, stem))
    if len(keys) > 1:
        a, b = list(keys.values())[:2]
        raise ShardError(f"cannot merge: expected every row graded with the same run settings, got different "
                         f"results keys in {a} and {b} (rerun those shards with the same command)")
    return rows


class _Table:
    """Just enough of a :class:`~bpcourse.grading.batch.Run` for its ``write_csv``, so a merged table is
    written by the very code that writes an unsharded one (same columns, order, number format)."""

    _cell = staticmethod(Run._cell)
    write_csv = Run.write_csv

    def __init__(self, out: Path, task_ids: list[str]) -> None:
        self.out, self.task_ids = out, task_ids


def _replaceable(out: Path) -> bool:
    if not out.exists() and not out.is_symlink():
        return True
    if out.is_symlink() or not out.is_dir():
        return False
    if not any(out.iterdir()):
        return True
    try:
        return "merged_from" in _read_json(out / MANIFEST)
    except (OSError, ValueError, TypeError):
        return False


def merge(shard_dirs: Sequence[str | Path], out: str | Path, expect_seed: int | None = None) -> MergeSummary:
    """Join the output folders of ``bpcourse grade --shard i/N`` runs into one ``OUT``.

    Parameters
    ----------
    shard_dirs : sequence of path
        One finished output folder per shard ``0/N … N-1/N`` (any order).
    out : path
        The merged folder (``grades.csv``, ``feedback/``, ``results/``, ``shard.json``). It must not exist, be
        empty, or hold an earlier merge (which is replaced whole).
    expect_seed : int, optional
        Refuse shards graded with another seed.

    Raises
    ------
    ShardError
        A missing, unfinished, duplicated or mismatched shard, or an unusable ``out``: nothing is written.
    """
    out = Path(out)
    dirs = [Path(d) for d in shard_dirs]
    if not dirs:
        raise ShardError("--merge: expected the output folders of the shards, got none")
    real_out = os.path.realpath(out)
    for d in dirs:
        if os.path.realpath(d) == real_out:
            raise ShardError(f"--merge: expected --out to be a new folder, got {out}, which is one of the shards")
    found = [(d, read_manifest(d)) for d in dirs]
    n = _check_together(found, expect_seed)
    rows = _check_rows(found, n)
    if not _replaceable(out):
        raise ShardError(f"--merge: expected --out to be a new or empty folder (or an earlier merge), got {out}, "
                         f"which holds other files")
    first = found[0][1]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.merging-", dir=out.parent))
    try:
        for sub in ("feedback", "results"):
            (tmp / sub).mkdir()
        for folder, row, stem in rows:
            shutil.copyfile(folder / "results" / f"{stem}.json", tmp / "results" / f"{stem}.json")
            fb = folder / "feedback" / f"{stem}.txt"
            if fb.is_file() and not fb.is_symlink():
                shutil.copyfile(fb, tmp / "feedback" / f"{stem}.txt")
        _Table(tmp, [t["id"] for t in first["tasks"]]).write_csv([r for _, r, _ in rows])
        merged = {k: first[k] for k in ("format", "exercise", "engine", "seed", "source_sha256", "tasks",
                                         "settings", "submissions")}
        merged.update(shard="0/1", index=0, count=1, merged_from=n,
                      files=sorted((dict(f) for _, d in found for f in d["files"]), key=lambda f: f["file"]))
        write_manifest(tmp, merged)
        if out.is_dir():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return MergeSummary(sorted((r for _, r, _ in rows), key=lambda r: r.file), n, out)
