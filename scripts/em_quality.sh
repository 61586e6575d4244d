#!/usr/bin/env bash
# AER of the EM aligners on the bundled gold sets under the low-resource
# protocol: each model is trained on the gold set's own sentences only, in
# both directions; the directions are symmetrized and scored (AER %, pooled).
#
#   scripts/em_quality.sh                      IBM1+HMM (defaults), posterior and Viterbi decoding
#   scripts/em_quality.sh --all                also IBM1, fast_align, fast_align --compat, --lowercase
#   LEXALIGN=path/to/lexalign scripts/em_quality.sh   use an already built command
#
# Peers (same protocol, their documented defaults, gdfa, from issue 5):
#   enfr fast_align 29.8 / GIZA++ 28.2;  roen 48.7 / 42.1;  zhen 51.0 / 40.7
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${LEXALIGN:-}" ]]; then
  scripts/setup.sh
  build=build/demo
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF \
    -DLEXALIGN_BUILD_EXAMPLES=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
  cmake --build "$build" --target lexalign_cli -j "$(nproc)" >/dev/null
  LEXALIGN="$build/tools/lexalign/lexalign"
fi

configs=("hmm posterior|--model hmm --decode posterior"
         "hmm viterbi|--model hmm --decode viterbi")
if [[ "${1:-}" == "--all" ]]; then
  configs+=("hmm posterior lc|--model hmm --decode posterior --lowercase"
            "hmm viterbi a=0.2|--model hmm --decode viterbi --jump-smoothing 0.2"
            "ibm1 viterbi|--model ibm1 --decode viterbi"
            "fast_align viterbi|--model fast_align --decode viterbi"
            "fast_align compat|--model fast_align --decode viterbi --compat")
fi
heuristics=(srctotgt tgttosrc intersect union grow-diag grow-diag-final grow-diag-final-and)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
aer() { "$LEXALIGN" score --gold "$1" --test "$2" | awk '$1 == "aer" { printf "%.1f", 100 * $2 }'; }

printf '%-6s  %-22s' set model
for h in fwd rev int union gd gdf gdfa; do printf '  %5s' "$h"; done
echo
for set in enfr roen zhen; do
  src=data/gold/$set.src tgt=data/gold/$set.tgt gold=data/gold/$set.gold
  for c in "${configs[@]}"; do
    name=${c%%|*} flags=${c#*|}
    # shellcheck disable=SC2086
    "$LEXALIGN" align --source "$src" --target "$tgt" $flags --quiet > "$tmp/fwd"
    # shellcheck disable=SC2086
    "$LEXALIGN" align --source "$src" --target "$tgt" $flags --reverse --quiet > "$tmp/rev"
    printf '%-6s  %-22s' "$set" "$name"
    for h in "${heuristics[@]}"; do
      "$LEXALIGN" symmetrize --forward "$tmp/fwd" --reverse "$tmp/rev" --heuristic "$h" > "$tmp/sym"
      printf '  %5s' "$(aer "$gold" "$tmp/sym")"
    done
    echo
  done
done
