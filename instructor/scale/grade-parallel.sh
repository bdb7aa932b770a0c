#!/usr/bin/env bash
# Grade a class with GNU parallel on one machine (or, with --sshloginfile, on several sharing the folder):
# SHARDS shards, PARALLEL_JOBS at a time, then merge them.
#
#   SEED=2024 SOURCE=instructor/source/ex06/ex06_fully_connected_layer.ipynb SUBMISSIONS=submitted OUT=graded \
#       instructor/scale/grade-parallel.sh
#
# A shard that failed shows in parallel's exit status; run its line again (it resumes), then the merge.
# Extra options for bpcourse grade (e.g. --timeout 120) go in BPCOURSE_GRADE_ARGS.
set -euo pipefail
SHARDS="${SHARDS:-16}"
SEED="${SEED:?set SEED to your secret seed}"
SOURCE="${SOURCE:?set SOURCE to the source notebook of the exercise}"
SUBMISSIONS="${SUBMISSIONS:?set SUBMISSIONS to the folder of submitted notebooks}"
OUT="${OUT:-graded}"
export SEED SOURCE SUBMISSIONS OUT SHARDS BPCOURSE_GRADE_ARGS="${BPCOURSE_GRADE_ARGS:-}"
# the GNU parallel line: {} is the shard index; single quotes so parallel's shell expands the variables
seq 0 $((SHARDS - 1)) | parallel --jobs "${PARALLEL_JOBS:-4}" 'bpcourse grade "$SOURCE" "$SUBMISSIONS" --seed "$SEED" --out "$OUT/shard-{}" --shard {}/$SHARDS --jobs 1 --quiet $BPCOURSE_GRADE_ARGS'
shards=()
for ((i = 0; i < SHARDS; i++)); do shards+=("$OUT/shard-$i"); done
bpcourse grade --merge "${shards[@]}" --out "$OUT/merged" --seed "$SEED"
