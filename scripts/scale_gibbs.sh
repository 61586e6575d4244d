#!/usr/bin/env bash
# The approximate distributed Gibbs sampler (bayes/distributed.hpp) against
# the single-process sampler: AER on the bundled gold sets (each set's own
# sentences, default schedule and options, both directions), seeds 1 2 3,
# 1 process (bayes::train_and_align) and 2 and 4 MPI ranks on this machine.
#
#   scripts/scale_gibbs.sh BUILD_DIR [SETS...]   (a build with -DLEXALIGN_WITH_MPI=ON; default sets: enfr roen zhen)
#   SEEDS="2 3" RANKS="1 2 4" scripts/scale_gibbs.sh ...   (a subset of the seeds / rank counts)
#
# Prints one line per (set, seed, ranks): forward and grow-diag-final-and AER (%).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: $0 BUILD_DIR [SETS...]}
shift
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(enfr roen zhen)
mpi=$build/tools/lexalign-mpi/lexalign-mpi
cli=$build/tools/lexalign/lexalign
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_oob_tcp_if_include=lo
printf '%-6s %5s %6s %8s %8s %8s\n' set seed ranks fwd-AER gdfa-AER seconds
for set in "${sets[@]}"; do
  src=data/gold/$set.src tgt=data/gold/$set.tgt gold=data/gold/$set.gold
  for seed in ${SEEDS:-1 2 3}; do
    for ranks in ${RANKS:-1 2 4}; do
      start=$(date +%s.%N)
      if [ "$ranks" -eq 1 ]; then
        "$mpi" --serial --model bayes --seed "$seed" --source "$src" --target "$tgt" --quiet \
          --forward "$tmp/f" --reverse "$tmp/r"
      else
        timeout 1200 mpirun --allow-run-as-root --oversubscribe -np "$ranks" "$mpi" --model bayes --seed "$seed" \
          --source "$src" --target "$tgt" --quiet --forward "$tmp/f" --reverse "$tmp/r"
      fi
      secs=$(echo "$(date +%s.%N) - $start" | bc)
      "$cli" symmetrize --forward "$tmp/f" --reverse "$tmp/r" --heuristic grow-diag-final-and >"$tmp/s"
      fa=$("$cli" score --gold "$gold" --test "$tmp/f" | awk '$1 == "aer" { printf "%.1f", 100 * $2 }')
      ga=$("$cli" score --gold "$gold" --test "$tmp/s" | awk '$1 == "aer" { printf "%.1f", 100 * $2 }')
      printf '%-6s %5s %6s %8s %8s %8.1f\n' "$set" "$seed" "$ranks" "$fa" "$ga" "$secs"
    done
  done
done
