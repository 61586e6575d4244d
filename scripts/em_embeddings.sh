#!/usr/bin/env bash
# What the embedding prior changes, on the bundled Bible corpus (English-Spanish).
#
# 1. fastText skip-gram vectors (dim 100, 10 epochs) for each side of the whole
#    Bible (monolingual text only; Debian's `fasttext`), cached in $work.
# 2. A silver standard for the last 1000 verses: the IBM1+HMM pipeline trained
#    on all 30,856 verses; sure = intersection of its two directions, possible =
#    their union.  (It comes from the same model family without the prior, so
#    it measures how far a small-data model moves towards the big-data one.)
# 3. Low-resource runs: train on only the last N verses (N = 200, 1000), both
#    directions, grow-diag-final-and, with and without the prior (source
#    vectors mapped onto the Spanish space by Procrustes on data/dict/en-es.dict),
#    plus a control prior from shuffled vectors; AER % against the silver set.
#
#   scripts/em_embeddings.sh            (about 10 minutes on 2 cores)
#   LEXALIGN=path/to/lexalign scripts/em_embeddings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v fasttext >/dev/null || scripts/setup.sh --peers
if [[ -z "${LEXALIGN:-}" ]]; then
  scripts/setup.sh
  build=build/demo
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF \
    -DLEXALIGN_BUILD_EXAMPLES=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
  cmake --build "$build" --target lexalign_cli -j "$(nproc)" >/dev/null
  LEXALIGN="$build/tools/lexalign/lexalign"
fi
work=build/em_embeddings
mkdir -p "$work"
bible=data/bible/kjv-rv1909
dict=data/dict/en-es.dict
for l in en es; do
  if [[ ! -s "$work/emb.$l.vec" ]]; then
    echo "training fastText vectors for $l ..." >&2
    fasttext skipgram -input "$bible.$l" -output "$work/emb.$l" -dim 100 -minCount 1 -epoch 10 \
      -thread "$(nproc)" -verbose 0
    rm -f "$work/emb.$l.bin"
  fi
done
python3 - "$work" <<'PY'
import random, sys
random.seed(1)
w = sys.argv[1]
for l in ("en", "es"):
    lines = open(f"{w}/emb.{l}.vec", encoding="utf-8").read().split("\n")
    body = [x for x in lines[1:] if x]
    words = [x.split(" ", 1)[0] for x in body]
    vecs = [x.split(" ", 1)[1] for x in body]
    random.shuffle(vecs)
    with open(f"{w}/shuf.{l}.vec", "w", encoding="utf-8") as f:
        f.write(lines[0] + "\n" + "\n".join(a + " " + b for a, b in zip(words, vecs)) + "\n")
PY
if [[ ! -s "$work/silver.gold" ]]; then
  echo "silver standard: training on the whole Bible, both directions ..." >&2
  "$LEXALIGN" align --source "$bible.en" --target "$bible.es" --quiet > "$work/full.fwd"
  "$LEXALIGN" align --source "$bible.en" --target "$bible.es" --quiet --reverse > "$work/full.rev"
  tail -n 1000 "$work/full.fwd" > "$work/s.fwd"
  tail -n 1000 "$work/full.rev" > "$work/s.rev"
  "$LEXALIGN" symmetrize --forward "$work/s.fwd" --reverse "$work/s.rev" --heuristic intersect > "$work/s.int"
  "$LEXALIGN" symmetrize --forward "$work/s.fwd" --reverse "$work/s.rev" --heuristic union > "$work/s.uni"
  python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
ints = open(f"{w}/s.int").read().split("\n")[:-1]
unis = open(f"{w}/s.uni").read().split("\n")[:-1]
with open(f"{w}/silver.gold", "w") as f:
    for a, b in zip(ints, unis):
        sure = set(a.split())
        f.write(" ".join(l if l in sure else l.replace("-", "?") for l in b.split()) + "\n")
PY
fi
score() { "$LEXALIGN" score --gold "$1" --test "$2" | awk '$1=="precision"||$1=="recall"||$1=="aer" { printf "  %6.1f", 100*$2 }'; }
printf '%-6s  %-34s  %6s  %6s  %6s\n' verses prior P R AER
for n in 200 1000; do
  tail -n "$n" "$bible.en" > "$work/sl.en"
  tail -n "$n" "$bible.es" > "$work/sl.es"
  tail -n "$n" "$work/silver.gold" > "$work/silver.n"
  emb=(--source-embeddings "$work/emb.en.vec" --target-embeddings "$work/emb.es.vec" --dictionary "$dict")
  shuf=(--source-embeddings "$work/shuf.en.vec" --target-embeddings "$work/shuf.es.vec" --dictionary "$dict")
  while IFS='|' read -r name kind flags; do
    extra=()
    [[ "$kind" == emb ]] && extra=("${emb[@]}")
    [[ "$kind" == shuf ]] && extra=("${shuf[@]}")
    # shellcheck disable=SC2086
    "$LEXALIGN" align --source "$work/sl.en" --target "$work/sl.es" --symmetrize grow-diag-final-and --quiet \
      "${extra[@]}" $flags > "$work/out"
    printf '%-6s  %-34s%s\n' "$n" "$name" "$(score "$work/silver.n" "$work/out")"
  done <<'CFG'
none|none|
EE-GIZA++ weight 10^4/c(e)|emb|--prior-weight frequency --prior-multiplier 10000
weight 10/c(e)|emb|--prior-weight frequency --prior-multiplier 10
weight 1/max(.5,ln c(e))|emb|--prior-weight log --prior-multiplier 1
constant weight 0.5|emb|--prior-weight constant --prior-multiplier 0.5
control: shuffled vectors, 10/c(e)|shuf|--prior-weight frequency --prior-multiplier 10
CFG
done
