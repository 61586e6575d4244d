#!/bin/sh
# Static fastText embeddings on the Bible, mapped with Procrustes, aligned by
# every extraction method of `lexalign extract`, scored on the English-Spanish
# silver standard; next to lexalign's statistical aligners trained on the
# same text (issue 12, item 5b).
#
#   scripts/extract_bible_fasttext.sh LEXALIGN SILVER_DIR [WORK_DIR]
#
# LEXALIGN   the lexalign command (a Release build: build/.../tools/lexalign/lexalign)
# SILVER_DIR the bible-strongs folder (kjv-rv1909.gold, .mask, score_silver.py)
# WORK_DIR   where vectors and alignments go (default: a new temporary folder)
#
# Environment: DIM (100), EPOCH (5), THREADS (2), SKIP_BAYES=1 to leave the
# Gibbs sampler out (the slowest step).
#
# Steps: 1. `fasttext skipgram` (Debian package fasttext) on each side of
# data/bible/kjv-rv1909.{en,es} separately (dim DIM, EPOCH epochs, every
# word: -minCount 1); 2. for each method, `lexalign extract` with the two
# .vec files and --dictionary data/dict/en-es.dict (orthogonal Procrustes of
# the English vectors onto the Spanish space, fitted on the dictionary pairs
# both vocabularies hold); 3. baselines on all 30,856 pairs: `lexalign align`
# (EM default: IBM1 x5, HMM x5, grow-diag-final-and) and `--model bayes`
# (Gibbs, defaults, gdfa), and the EM model's posteriors decoded by
# `lexalign extract --aligner em --model-file`; 4. score_silver.py on each.
# Prints one table row per system: the scorer's "tagged" row (precision,
# recall, AER over links whose two tokens both carry a Strong's number: the
# only row the silver standard supports), and the seconds each step took.
set -eu
LEXALIGN=${1:?usage: $0 LEXALIGN SILVER_DIR [WORK_DIR]}
SILVER=${2:?usage: $0 LEXALIGN SILVER_DIR [WORK_DIR]}
WORK=${3:-$(mktemp -d)}
DIM=${DIM:-100}
EPOCH=${EPOCH:-5}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EN=$ROOT/data/bible/kjv-rv1909.en
ES=$ROOT/data/bible/kjv-rv1909.es
DICT=$ROOT/data/dict/en-es.dict
mkdir -p "$WORK"
command -v fasttext >/dev/null || { echo "fasttext missing (apt-get install fasttext)" >&2; exit 1; }
echo "# work dir: $WORK; dim $DIM, epochs $EPOCH, threads $THREADS; $(uptime)"

now() { date +%s; }
score() {  # name alignment seconds
  row=$(python3 "$SILVER/score_silver.py" "$SILVER" "$2" | grep '^tagged')
  case $3 in *[!0-9]*) t=$3 ;; *) t="$3 s" ;; esac
  printf '%-34s %s  (%s)\n' "$1" "$(echo "$row" | sed 's/^tagged *//')" "$t"
}

t0=$(now)
for side in en es; do
  if [ ! -s "$WORK/$side.vec" ]; then
    src=$EN; [ "$side" = es ] && src=$ES
    fasttext skipgram -input "$src" -output "$WORK/$side" -dim "$DIM" -epoch "$EPOCH" -minCount 1 \
      -thread "$THREADS" -verbose 0
  fi
done
echo "# fastText vectors: $(( $(now) - t0 ))s"

for method in argmax fwd rev itermax mwmf softmax entmax ot-balanced ot-partial ot-unbalanced; do
  t0=$(now)
  "$LEXALIGN" extract --source "$EN" --target "$ES" --source-vectors "$WORK/en.vec" \
    --target-vectors "$WORK/es.vec" --dictionary "$DICT" --method "$method" --quiet > "$WORK/ft-$method.align"
  score "fastText+Procrustes $method" "$WORK/ft-$method.align" $(( $(now) - t0 ))
done

# The aligners' outputs are reused when WORK_DIR already holds them (the
# time then reads "cached").
t0=$(now)
if [ -s "$WORK/em-gdfa.align" ] && [ -s "$WORK/em.model" ]; then t="cached"; else
  "$LEXALIGN" align --source "$EN" --target "$ES" --symmetrize grow-diag-final-and --threads "$THREADS" \
    --save-model "$WORK/em.model" --quiet > "$WORK/em-gdfa.align.tmp"
  mv "$WORK/em-gdfa.align.tmp" "$WORK/em-gdfa.align"; t=$(( $(now) - t0 )); fi
score "EM default (HMM, post+gdfa)" "$WORK/em-gdfa.align" "$t"
for method in argmax itermax ot-balanced; do
  t0=$(now)
  "$LEXALIGN" extract --source "$EN" --target "$ES" --aligner em --model-file "$WORK/em.model" \
    --method "$method" --threads "$THREADS" --quiet > "$WORK/em-$method.align"
  score "EM posteriors $method" "$WORK/em-$method.align" $(( $(now) - t0 ))
done
if [ "${SKIP_BAYES:-0}" != 1 ]; then
  t0=$(now)
  if [ -s "$WORK/bayes-gdfa.align" ]; then t="cached"; else
    "$LEXALIGN" align --source "$EN" --target "$ES" --model bayes --symmetrize grow-diag-final-and \
      --threads "$THREADS" --quiet > "$WORK/bayes-gdfa.align.tmp"
    mv "$WORK/bayes-gdfa.align.tmp" "$WORK/bayes-gdfa.align"; t=$(( $(now) - t0 )); fi
  score "Gibbs default (argmax+gdfa)" "$WORK/bayes-gdfa.align" "$t"
fi
echo "# $(uptime)"
