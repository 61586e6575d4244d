#!/usr/bin/env bash
# Quality of lexalign::bayes under the low-resource protocol: train on each
# gold set's own sentences only, forward / reverse / intersection /
# grow-diag-final-and AER (%), for the given seeds.
#   scripts/bayes_quality.sh [seed ...]        (default seeds: 1 2 3)
# Extra bayes_tool options can be passed in BAYES_OPTIONS (e.g. "--samplers 6").
# Needs the `lexalign` command with its score and symmetrize subcommands
# (tools/lexalign).
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)

# BAYES_TOOL and LEXALIGN (paths to built binaries) skip the Release build.
build=build/bayes-release
if [[ -z "${BAYES_TOOL:-}" || -z "${LEXALIGN:-}" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF -DLEXALIGN_BUILD_EXAMPLES=ON \
    -DLEXALIGN_BUILD_BENCHMARKS=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
  cmake --build "$build" --target bayes_tool -j 2 >/dev/null
  if ! cmake --build "$build" --target lexalign_cli -j 2 >/dev/null 2>&1; then
    echo "bayes_quality.sh: the lexalign command (score/symmetrize) is not available in this checkout" >&2
    exit 1
  fi
fi
tool=${BAYES_TOOL:-$build/benchmarks/bayes/bayes_tool}
lexalign=${LEXALIGN:-$build/tools/lexalign/lexalign}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
aer() { "$lexalign" score --gold "$1" --test "$2" --source "$3" --target "$4" | awk '$1 == "aer" { print $2 }'; }

printf '%-5s %5s %8s %8s %8s %8s %8s\n' set seed forward reverse inter gdfa seconds
for set in enfr roen zhen; do
  src=data/gold/$set.src tgt=data/gold/$set.tgt gold=data/gold/$set.gold
  for seed in "${seeds[@]}"; do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$tool" align --source "$src" --target "$tgt" --out "$tmp/a" --seed "$seed" --threads 2 ${BAYES_OPTIONS:-} 2>/dev/null
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    "$lexalign" symmetrize --forward "$tmp/a.fwd" --reverse "$tmp/a.rev" --heuristic intersect > "$tmp/a.int"
    "$lexalign" symmetrize --forward "$tmp/a.fwd" --reverse "$tmp/a.rev" --heuristic grow-diag-final-and > "$tmp/a.gdfa"
    printf '%-5s %5s %8s %8s %8s %8s %8.1f\n' "$set" "$seed" "$(aer "$gold" "$tmp/a.fwd" "$src" "$tgt")" \
      "$(aer "$gold" "$tmp/a.rev" "$src" "$tgt")" "$(aer "$gold" "$tmp/a.int" "$src" "$tgt")" \
      "$(aer "$gold" "$tmp/a.gdfa" "$src" "$tgt")" "$secs"
  done
done
