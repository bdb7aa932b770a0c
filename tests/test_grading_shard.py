"""Sharded grading (``bpcourse grade --shard i/N`` and ``--merge``), run the way the shipped Slurm array
script, Kubernetes Indexed Job and GNU parallel line run it: one process per shard, several at once.

The merged grade table must equal an unsharded run's byte for byte (the seconds column aside) and the
feedback files must be identical; a dead shard is rerun alone; bad input stops with one line and writes
nothing.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bpcourse.grading.shard import ShardError, parse_shard, shard_of
from scale_helpers import (BIN, SCALE, SOURCE, TASKS_FILE, bpcourse, env, folder_bytes, grade_args, make_corpus,
                           one_line_error, table_without_timing)

yaml = pytest.importorskip("yaml")

EXTRA = f"--tasks {shlex.quote(str(TASKS_FILE))}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The toy corpus and its unsharded grading (the reference every sharded run must reproduce)."""
    root = tmp_path_factory.mktemp("shard")
    subs = make_corpus(root / "subs")
    base = root / "base"
    proc = bpcourse(*grade_args(subs, base))
    assert proc.returncode == 0, proc.stderr
    return subs, base


def assert_same_as(base: Path, merged: Path) -> None:
    assert table_without_timing(merged) == table_without_timing(base)
    fb = folder_bytes(base / "feedback")
    assert fb and folder_bytes(merged / "feedback") == fb
    assert len(fb) == len(table_without_timing(base).splitlines()) - 1  # one feedback file per row


def run_all(commands: list[tuple[list[str], dict[str, str]]], at_once: int = 4) -> None:
    """Run shard commands as parallel local processes; each must succeed."""
    def one(cmd_env):
        cmd, e = cmd_env
        return subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=300)

    with cf.ThreadPoolExecutor(at_once) as pool:
        for proc in pool.map(one, commands):
            assert proc.returncode == 0, (proc.args, proc.stdout[-2000:], proc.stderr[-2000:])


def merge(out: Path, shards: list[Path], *extra: str) -> subprocess.CompletedProcess[str]:
    return bpcourse("grade", "--merge", *shards, "--out", out, *extra)


# ------------------------------------------------------------------------------------------- the split
def test_shard_spec_parsing():
    assert (parse_shard("0/1").index, parse_shard("0/1").count) == (0, 1)
    assert str(parse_shard(" 15/16 ")) == "15/16"
    for bad in ("16/16", "-1/4", "3", "a/b", "0/0", "1/2/3", "", "3/ 4", "1.0/2"):
        with pytest.raises(ShardError, match="expected i/N"):
            parse_shard(bad)


def test_a_files_shard_is_its_paths_hash_and_does_not_move_when_files_come_and_go():
    names = [f"student{k:04d}/ex.ipynb" for k in range(2000)]
    # the documented rule, written out: the first 8 bytes of sha256(path), big-endian, mod N
    assert shard_of("alice.ipynb", 16) == int(hashlib.sha256(b"alice.ipynb").hexdigest()[:16], 16) % 16
    before = {n: shard_of(n, 16) for n in names[:1000]}
    after = {n: shard_of(n, 16) for n in names[500:]}  # half removed, 1000 added
    assert all(before[n] == after[n] for n in names[500:1000])
    sizes = [sum(1 for s in after.values() if s == i) for i in range(16)]
    assert min(sizes) > 1500 / 16 * 0.7 and max(sizes) < 1500 / 16 * 1.3, sizes  # roughly even
    assert shard_of("caf\udce9.ipynb", 4) in range(4)  # a name that is not UTF-8 has a shard too


# ------------------------------------------------------------------------------- the shipped schedulers
def slurm_array_size(script: str) -> int:
    m = re.search(r"^#SBATCH --array=0-(\d+)\s*$", script, re.M)
    assert m, "the script must declare #SBATCH --array=0-N"
    return int(m.group(1)) + 1


def test_sixteen_shards_from_the_slurm_array_script_equal_one_unsharded_run(corpus, tmp_path):
    subs, base = corpus
    script = SCALE / "grade-slurm.sbatch"
    text = script.read_text()
    n = slurm_array_size(text)
    assert n == 16 and re.search(r'^SHARDS="\$\{SHARDS:-16\}"', text, re.M)  # array size and SHARDS agree
    out = tmp_path / "graded"
    common = dict(SEED="3", SOURCE=str(SOURCE), SUBMISSIONS=str(subs), OUT=str(out), BPCOURSE_GRADE_ARGS=EXTRA)
    # what sbatch does for array task i: run the script's body with SLURM_ARRAY_TASK_ID=i
    run_all([(["bash", str(script)], env(SLURM_ARRAY_TASK_ID=str(i), **common)) for i in range(n)])
    shards = [out / f"shard-{i}" for i in range(n)]
    listed = [f["file"] for s in shards for f in json.loads((s / "shard.json").read_text())["files"]]
    assert sorted(listed) == sorted(set(listed)) and len(listed) == len(table_without_timing(base).splitlines()) - 1
    assert sum(1 for s in shards if json.loads((s / "shard.json").read_text())["files"]) > 4  # really split
    proc = merge(out / "merged", shards, "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    assert "merged 16 shard(s)" in proc.stdout
    assert_same_as(base, out / "merged")


def test_the_kubernetes_indexed_job_runs_the_same_command(corpus, tmp_path):
    subs, base = corpus
    docs = list(yaml.safe_load_all((SCALE / "grade-k8s-job.yaml").read_text()))
    assert len(docs) == 1
    job = docs[0]
    assert (job["apiVersion"], job["kind"], job["spec"]["completionMode"]) == ("batch/v1", "Job", "Indexed")
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    manifest_env = {e["name"]: e.get("value") for e in container["env"]}
    assert int(manifest_env["SHARDS"]) == job["spec"]["completions"] == job["spec"]["parallelism"] == 16
    assert "secretKeyRef" in next(e for e in container["env"] if e["name"] == "SEED")["valueFrom"]
    command = container["command"] + container["args"]
    assert "$JOB_COMPLETION_INDEX" in command[-1]
    # what the job controller does for index i: the container's command with its env and JOB_COMPLETION_INDEX;
    # the paths point at this test's folders, and 4 shards instead of 16 keep the test short
    out = tmp_path / "graded"
    pod_env = dict(manifest_env, SEED="3", SOURCE=str(SOURCE), SUBMISSIONS=str(subs), OUT=str(out), SHARDS="4",
                   BPCOURSE_GRADE_ARGS=EXTRA)
    run_all([(command, env(JOB_COMPLETION_INDEX=str(i), **pod_env)) for i in range(4)])
    proc = merge(out / "merged", [out / f"shard-{i}" for i in range(4)])
    assert proc.returncode == 0, proc.stderr
    assert_same_as(base, out / "merged")


PARALLEL_SHIM = r'''#!/usr/bin/env python3
"""A stand-in for GNU parallel's subset the script uses: --jobs N 'COMMAND' with arguments on stdin, {} replaced
by the shell-quoted argument, each line run by the shell (as GNU parallel runs it); exit status = failures."""
import concurrent.futures, shlex, subprocess, sys
args = sys.argv[1:]
jobs = int(args[args.index("--jobs") + 1]); command = args[-1]
lines = [l.rstrip("\n") for l in sys.stdin if l.strip()]
run = lambda a: subprocess.run(["sh", "-c", command.replace("{}", shlex.quote(a))]).returncode
with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
    sys.exit(min(sum(1 for rc in pool.map(run, lines) if rc), 101))
'''


def test_the_gnu_parallel_script_runs_the_shards_and_merges_them(corpus, tmp_path):
    subs, base = corpus
    path_extra = ""
    if shutil.which("parallel") is None:  # GNU parallel not installed here: a stand-in with its semantics
        shim = tmp_path / "shim"
        shim.mkdir()
        (shim / "parallel").write_text(PARALLEL_SHIM)
        (shim / "parallel").chmod(0o755)
        path_extra = f"{shim}{os.pathsep}"
    out = tmp_path / "graded"
    e = env(SEED="3", SOURCE=str(SOURCE), SUBMISSIONS=str(subs), OUT=str(out), SHARDS="3", PARALLEL_JOBS="3",
            BPCOURSE_GRADE_ARGS=EXTRA)
    e["PATH"] = path_extra + e["PATH"]
    proc = subprocess.run(["bash", str(SCALE / "grade-parallel.sh")], capture_output=True, text=True, env=e,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "merged 3 shard(s)" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["merged", "shard-0", "shard-1", "shard-2"]
    assert_same_as(base, out / "merged")


# ------------------------------------------------------------------------------------- a shard that dies
def test_a_shard_that_dies_is_refused_by_the_merge_and_rerun_alone(tmp_path):
    files = {f"s{k:02d}.ipynb": "correct" for k in range(24)}
    first = dict(list(files.items())[:4])
    subs = make_corpus(tmp_path / "subs", first)
    out = tmp_path / "graded"
    shard0 = [str(BIN / "bpcourse"), *map(str, grade_args(subs, out / "shard-0", 3, "--shard", "0/2", "--jobs", "1"))]
    run_all([(shard0, env())])  # an earlier, finished run of shard 0 on the first files
    assert (out / "shard-0" / "shard.json").exists()
    for rel in list(files)[4:]:  # late submissions arrive; everything is graded again
        shutil.copy(subs / "s00.ipynb", subs / rel)
    mine = [r for r in files if shard_of(r, 2) == 0]
    assert len(mine) >= 8
    run_all([([str(BIN / "bpcourse"), *map(str, grade_args(subs, out / "shard-1", 3, "--shard", "1/2"))], env())])
    other = {p.name: p.stat().st_mtime_ns for p in (out / "shard-1" / "results").iterdir()}
    results = out / "shard-0" / "results"
    before = len(list(results.glob("*.json")))
    proc = subprocess.Popen(shard0, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(results.glob("*.json"))) < before + 2:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)  # the node died
    proc.wait()
    done = len(list(results.glob("*.json")))
    assert before + 2 <= done < len(mine), "the shard should have been killed part-way"
    # the earlier run's record is gone, so the merge cannot take the unfinished shard for a finished one
    assert not (out / "shard-0" / "shard.json").exists()

    refused = merge(out / "merged", [out / "shard-0", out / "shard-1"])
    one_line_error(refused, str(out / "shard-0"), "rerun")
    assert not (out / "merged").exists()

    again = bpcourse(*grade_args(subs, out / "shard-0", 3, "--shard", "0/2"))  # shard 0 alone
    assert again.returncode == 0, again.stderr
    assert f"{done} already done" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (out / "shard-1" / "results").iterdir()} == other
    ok = merge(out / "merged", [out / "shard-1", out / "shard-0"])
    assert ok.returncode == 0, ok.stderr
    assert f"{len(files)} submissions: {len(files)} ok" in ok.stdout


# --------------------------------------------------------------------------------- refusals, one line each
@pytest.fixture(scope="module")
def two_shards(tmp_path_factory):
    root = tmp_path_factory.mktemp("refuse")
    subs = make_corpus(root / "subs", {"a.ipynb": "correct", "b.ipynb": "stub", "c/d.ipynb": "exception",
                                       "e.ipynb": "correct"})
    cmds = [([str(BIN / "bpcourse"), *map(str, grade_args(subs, root / f"s{i}", 3, "--shard", f"{i}/2"))], env())
            for i in range(2)]
    cmds.append(([str(BIN / "bpcourse"), *map(str, grade_args(subs, root / "s1-seed4", 4, "--shard", "1/2"))], env()))
    cmds.append(([str(BIN / "bpcourse"), *map(str, grade_args(subs, root / "t0", 3, "--shard", "0/3"))], env()))
    later = root / "subs-later"  # the folder after one more submission arrived
    shutil.copytree(subs, later)
    shutil.copy(later / "a.ipynb", later / "late.ipynb")
    cmds.append(([str(BIN / "bpcourse"), *map(str, grade_args(later, root / "s1-later", 3, "--shard", "1/2"))], env()))
    run_all(cmds)
    return root


@pytest.mark.parametrize("case", ["missing", "seed", "engine", "twice", "other-n", "merge-seed", "not-a-folder",
                                  "out-is-full", "folder-changed"])
def test_a_merge_of_shards_that_do_not_belong_together_is_refused_in_one_line(two_shards, tmp_path, case):
    r = two_shards
    if case == "engine":  # a shard graded by another version of the grader
        shutil.copytree(r / "s1", tmp_path / "s1-old")
        data = json.loads((tmp_path / "s1-old" / "shard.json").read_text())
        data["engine"] = "2"
        (tmp_path / "s1-old" / "shard.json").write_text(json.dumps(data))
    out = tmp_path / "merged"
    if case == "out-is-full":
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    shards, extra, words = {
        "missing": ([r / "s0"], [], ["missing 1/2"]),
        "seed": ([r / "s0", r / "s1-seed4"], [], ["seed", "3", "4", "s1-seed4"]),
        "engine": ([r / "s0", tmp_path / "s1-old"], [], ["engine version", '"2"', "s1-old"]),
        "twice": ([r / "s0", r / "s1", r / "s1"], [], ["twice"]),
        "other-n": ([r / "s0", r / "s1", r / "t0"], [], ["different N", "0/3"]),
        "merge-seed": ([r / "s0", r / "s1"], ["--seed", "5"], ["--seed 5", "seed 3"]),
        "not-a-folder": ([r / "s0", r / "nope"], [], ["not a folder"]),
        "out-is-full": ([r / "s0", r / "s1"], [], ["holds other files"]),
        "folder-changed": ([r / "s0", r / "s1-later"], [], ["submissions folder listing", '"files": 4',
                                                           '"files": 5', "added or removed"]),
    }[case]
    one_line_error(merge(out, shards, *extra), *words)
    if case == "out-is-full":
        assert [p.name for p in out.iterdir()] == ["notes.txt"]
    else:
        assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if "merging" in p.name]  # no temporary folder left either


def test_a_merge_of_two_matching_shards_replaces_an_earlier_merge(two_shards, tmp_path):
    out = tmp_path / "merged"
    for _ in range(2):
        proc = merge(out, [two_shards / "s1", two_shards / "s0"], "--seed", "3")
        assert proc.returncode == 0, proc.stderr
    assert "4 submissions" in proc.stdout
    assert json.loads((out / "shard.json").read_text())["merged_from"] == 2


@pytest.mark.parametrize("spec", ["16/16", "3", "a/b", "0/0", "1/2/3"])
def test_a_bad_shard_spec_stops_in_one_line_and_writes_nothing(tmp_path, spec):
    subs = make_corpus(tmp_path / "subs", {"a.ipynb": "correct"})
    one_line_error(bpcourse(*grade_args(subs, tmp_path / "out", 3, "--shard", spec)), "--shard", repr(spec))
    assert not (tmp_path / "out").exists()


def test_a_merge_with_source_or_shard_given_too_is_refused(two_shards, tmp_path):
    one_line_error(bpcourse("grade", SOURCE, "--merge", two_shards / "s0", two_shards / "s1", "--out",
                            tmp_path / "m"), "--merge")
    one_line_error(bpcourse("grade", "--merge", two_shards / "s0", "--shard", "0/2", "--out", tmp_path / "m"),
                   "--shard 0/2")
    assert not (tmp_path / "m").exists()


def test_an_exercise_without_graded_tasks_stops_in_one_line_and_writes_nothing(tmp_path):
    subs = make_corpus(tmp_path / "subs", {"a.ipynb": "correct"})
    source = tmp_path / "99_no_such_exercise.ipynb"
    shutil.copy(SOURCE, source)
    proc = bpcourse("grade", source, subs, "--seed", "1", "--out", tmp_path / "out")
    one_line_error(proc, "99_no_such_exercise")
    empty = tmp_path / "empty_tasks.py"
    empty.write_text("TASKS = {}\n")
    proc = bpcourse("grade", SOURCE, subs, "--seed", "1", "--out", tmp_path / "out", "--tasks", empty)
    one_line_error(proc, "toy_exercise")
    assert not (tmp_path / "out").exists()
