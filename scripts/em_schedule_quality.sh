#!/usr/bin/env bash
# AER (%) of EM schedules and HMM switches on the bundled gold sets under the
# low-resource protocol (train on the gold set itself, both directions), with
# forward, reverse, intersection and grow-diag-final-and; one thread.
#
#   scripts/em_schedule_quality.sh path/to/lexalign                 the default list below
#   scripts/em_schedule_quality.sh path/to/lexalign "name|flags" ... your own configurations
#
# GIZA++ (1^5 H^5 3^5 4^5, gdfa, same protocol): enfr 28.2, roen 42.1, zhen 40.7.
# scripts/em_loso.sh chooses the defaults from such tables by leave-one-set-out.
set -euo pipefail
cd "$(dirname "$0")/.."
L=${1:?usage: $0 path/to/lexalign [\"name|flags\" ...]}
shift
configs=("$@")
if [[ ${#configs[@]} -eq 0 ]]; then
  configs=("1x5,h5 (default)|"
           "1x5,h5 no end distribution|--no-end-distribution"
           "1x5,h5 class jumps|--class-jumps"
           "1x5,h5,3x3|--schedule 1x5,h5,3x3"
           "1x5,h5,3x3,4x3|--schedule 1x5,h5,3x3,4x3"
           "1x5,h5,4x3|--schedule 1x5,h5,4x3")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
aer() { "$L" score --gold "$1" --test "$2" | awk '$1 == "aer" { printf "%.1f", 100 * $2 }'; }
printf '%-5s  %-28s  %5s  %5s  %5s  %5s\n' set config fwd rev int gdfa
for set in enfr roen zhen; do
  src=data/gold/$set.src tgt=data/gold/$set.tgt gold=data/gold/$set.gold
  for c in "${configs[@]}"; do
    name=${c%%|*} flags=${c#*|}
    # shellcheck disable=SC2086
    "$L" align --source "$src" --target "$tgt" $flags --threads 1 --quiet > "$tmp/fwd"
    # shellcheck disable=SC2086
    "$L" align --source "$src" --target "$tgt" $flags --threads 1 --reverse --quiet > "$tmp/rev"
    "$L" symmetrize --forward "$tmp/fwd" --reverse "$tmp/rev" --heuristic intersect > "$tmp/int"
    "$L" symmetrize --forward "$tmp/fwd" --reverse "$tmp/rev" --heuristic grow-diag-final-and > "$tmp/gdfa"
    printf '%-5s  %-28s  %5s  %5s  %5s  %5s\n' "$set" "$name" "$(aer $gold $tmp/fwd)" "$(aer $gold $tmp/rev)" \
      "$(aer $gold $tmp/int)" "$(aer $gold $tmp/gdfa)"
  done
done
