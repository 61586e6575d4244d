#!/usr/bin/env bash
# Leave-one-set-out (LOSO) choice of the EM defaults on the bundled gold sets
# (enfr, roen, zhen) under the low-resource protocol (train on the set
# itself, both directions, one thread), plus the AER table (forward, reverse,
# intersection, grow-diag-final-and) of every configuration tried.
#
#   scripts/em_loso.sh path/to/lexalign                       every family below
#   scripts/em_loso.sh path/to/lexalign FAMILY ...            only these families
#   scripts/em_loso.sh path/to/lexalign "family|name|flags" ...   your own rows
#
# A family is a list of alternatives for one default (the first row of each
# family is today's default); every other option stays at its default.  For
# each held-out set the script picks, within each family, the row with the
# lowest mean gdfa AER on the two other sets (ties: the earlier row) and
# prints that row's figures on the held-out set.  A default is changed only
# when all three folds pick the same row (docs/em/ibm1_hmm.md, "How the
# defaults were chosen").  Environment: LOSO_TSV=FILE keeps the raw table
# (set, family, name, fwd, rev, int, gdfa with two decimals).
#
# GIZA++ (1^5 H^5 3^5 4^5, gdfa, same protocol): enfr 28.2, roen 42.1, zhen 40.7.
set -euo pipefail
cd "$(dirname "$0")/.."
L=${1:?usage: $0 path/to/lexalign [FAMILY ... | \"family|name|flags\" ...]}
shift
all=(
  "end|end distribution (default)|"
  "end|no end distribution|--no-end-distribution"
  "smoothing|jump smoothing 0.4 (default)|"
  "smoothing|jump smoothing 0.2|--jump-smoothing 0.2"
  "smoothing|jump smoothing 0.3|--jump-smoothing 0.3"
  "smoothing|jump smoothing 0.5|--jump-smoothing 0.5"
  "smoothing|jump smoothing 0.6|--jump-smoothing 0.6"
  "threshold|threshold 0.5 (default)|"
  "threshold|threshold 0.3|--threshold 0.3"
  "threshold|threshold 0.4|--threshold 0.4"
  "threshold|threshold 0.6|--threshold 0.6"
  "threshold|threshold 0.7|--threshold 0.7"
  "decode|posterior (default)|"
  "decode|viterbi|--decode viterbi"
  "schedule|1x5,h5 (default)|"
  "schedule|1x5,h5,3x3|--schedule 1x5,h5,3x3"
  "schedule|1x5,h5,3x3,4x3|--schedule 1x5,h5,3x3,4x3"
  "schedule|1x5,h5,4x3|--schedule 1x5,h5,4x3"
  "schedule|1x5,h5,3x5,4x5|--schedule 1x5,h5,3x5,4x5"
  "schedule|1x5,h5,3x3,4x3 viterbi|--schedule 1x5,h5,3x3,4x3 --decode viterbi"
)
configs=()
if [[ $# -eq 0 ]]; then
  configs=("${all[@]}")
else
  for arg in "$@"; do
    if [[ $arg == *"|"* ]]; then configs+=("$arg"); continue; fi
    found=0
    for c in "${all[@]}"; do
      if [[ ${c%%|*} == "$arg" ]]; then configs+=("$c"); found=1; fi
    done
    [[ $found == 1 ]] || { echo "$0: unknown family '$arg'" >&2; exit 2; }
  done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tsv=${LOSO_TSV:-$tmp/table.tsv}
: > "$tsv"
declare -A done_rows
aer() { "$L" score --gold "$1" --test "$2" | awk '$1 == "aer" { printf "%.2f", 100 * $2 }'; }
printf '%-5s  %-10s  %-34s  %5s  %5s  %5s  %5s\n' set family config fwd rev int gdfa
for set in enfr roen zhen; do
  src=data/gold/$set.src tgt=data/gold/$set.tgt gold=data/gold/$set.gold
  for c in "${configs[@]}"; do
    family=${c%%|*} rest=${c#*|}
    name=${rest%%|*} flags=${rest#*|}
    key="$set|$flags"
    if [[ -n "${done_rows[$key]:-}" ]]; then  # the same flags already ran (each family's default row)
      read -r -a row <<< "${done_rows[$key]}"
    else
      # shellcheck disable=SC2086
      "$L" align --source "$src" --target "$tgt" $flags --threads 1 --quiet > "$tmp/fwd"
      # shellcheck disable=SC2086
      "$L" align --source "$src" --target "$tgt" $flags --threads 1 --reverse --quiet > "$tmp/rev"
      "$L" symmetrize --forward "$tmp/fwd" --reverse "$tmp/rev" --heuristic intersect > "$tmp/int"
      "$L" symmetrize --forward "$tmp/fwd" --reverse "$tmp/rev" --heuristic grow-diag-final-and > "$tmp/gdfa"
      row=("$(aer "$gold" "$tmp/fwd")" "$(aer "$gold" "$tmp/rev")" "$(aer "$gold" "$tmp/int")" "$(aer "$gold" "$tmp/gdfa")")
      done_rows[$key]="${row[*]}"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$family" "$name" "${row[@]}" >> "$tsv"
    printf '%-5s  %-10s  %-34s  %5.1f  %5.1f  %5.1f  %5.1f\n' "$set" "$family" "$name" "${row[@]}"
  done
done
echo
python3 - "$tsv" <<'EOF'
import sys
from collections import OrderedDict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
sets = ["enfr", "roen", "zhen"]
fam = OrderedDict()
gdfa = {}
for s, f, n, *v in rows:
    fam.setdefault(f, [])
    if n not in fam[f]:
        fam[f].append(n)
    gdfa[(s, f, n)] = float(v[3])
print("Leave-one-set-out (gdfa AER %): per family, the row with the best mean on the two other sets")
for f, names in fam.items():
    picks = []
    print(f"{f}:")
    for held in sets:
        train = [s for s in sets if s != held]
        best = min(names, key=lambda n: (sum(gdfa[(s, f, n)] for s in train) / 2, names.index(n)))
        mean = sum(gdfa[(s, f, best)] for s in train) / 2
        picks.append(best)
        print(f"  held out {held}: pick '{best}' (mean {mean:.2f} on {'+'.join(train)}) -> {gdfa[(held, f, best)]:.1f} on {held}")
    verdict = f"all folds pick '{picks[0]}'" if len(set(picks)) == 1 else "the folds disagree: keep the default"
    print(f"  {verdict}; held-out figures " + " / ".join(f"{gdfa[(h, f, p)]:.1f}" for h, p in zip(sets, picks)))
EOF
