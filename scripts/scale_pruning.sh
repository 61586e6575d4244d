#!/usr/bin/env bash
# Bounded tables (em::cooccurrence_pruning): table size and AER on the
# bundled gold sets, IBM1+HMM (5+5) trained on each set's own sentences in
# both directions, grow-diag-final-and, as scripts/em_quality.sh.
#
#   scripts/scale_pruning.sh BUILD_DIR     (a build with -DLEXALIGN_WITH_MPI=ON)
#
# Uses lexalign-mpi --serial (em::train + em::align; with mpirun -np N the
# same numbers come out) and the lexalign command for symmetrize and score.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: $0 BUILD_DIR}
mpi=$build/tools/lexalign-mpi/lexalign-mpi
cli=$build/tools/lexalign/lexalign
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
configs=("none|" "min-count 2|--min-count 2" "min-count 3|--min-count 3" "top-50|--max-candidates 50"
         "top-10|--max-candidates 10" "min 2 + top-20|--min-count 2 --max-candidates 20")
printf '%-6s %-16s %12s %12s %8s %8s\n' set pruning fwd-pairs rev-pairs fwd-AER gdfa-AER
for set in enfr roen zhen; do
  src=data/gold/$set.src tgt=data/gold/$set.tgt gold=data/gold/$set.gold
  for c in "${configs[@]}"; do
    name=${c%%|*} flags=${c#*|}
    # shellcheck disable=SC2086
    "$mpi" --serial --source "$src" --target "$tgt" $flags --forward "$tmp/f" --reverse "$tmp/r" 2>"$tmp/log"
    fp=$(awk '/forward table/ { print $4 }' "$tmp/log")
    rp=$(awk '/reverse table/ { print $4 }' "$tmp/log")
    "$cli" symmetrize --forward "$tmp/f" --reverse "$tmp/r" --heuristic grow-diag-final-and >"$tmp/s"
    fa=$("$cli" score --gold "$gold" --test "$tmp/f" | awk '$1 == "aer" { printf "%.1f", 100 * $2 }')
    ga=$("$cli" score --gold "$gold" --test "$tmp/s" | awk '$1 == "aer" { printf "%.1f", 100 * $2 }')
    printf '%-6s %-16s %12s %12s %8s %8s\n' "$set" "$name" "$fp" "$rp" "$fa" "$ga"
  done
done
