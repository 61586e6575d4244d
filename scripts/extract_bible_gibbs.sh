#!/bin/sh
# The Gibbs sampler's averaged marginals on the Bible, decoded by extraction
# methods of `lexalign extract`, scored on the English-Spanish silver
# standard (issue 12, item 5b; the fastText rows are
# scripts/extract_bible_fasttext.sh).
#
#   scripts/extract_bible_gibbs.sh LEXALIGN SILVER_DIR [WORK_DIR]
#
# LEXALIGN   the lexalign command (a Release build)
# SILVER_DIR the bible-strongs folder (kjv-rv1909.gold, .mask, score_silver.py)
# WORK_DIR   where the alignments go (default: a new temporary folder)
#
# Environment: METHODS ("argmax ot-balanced ot-unbalanced"), THREADS (2).
# Each method is one `lexalign extract --aligner bayes` run on all 30,856
# pairs: the sampler (defaults of `lexalign align --model bayes`: seed 1,
# both directions) is trained in-process each time (deterministic for any
# thread count, so every run sees the same marginals), then
# S = (P_fwd + P_rev) / 2 is decoded by the method.  Prints the scorer's
# "tagged" row per method (precision, recall, AER over links whose two
# tokens both carry a Strong's number) and the seconds each run took.
set -eu
LEXALIGN=${1:?usage: $0 LEXALIGN SILVER_DIR [WORK_DIR]}
SILVER=${2:?usage: $0 LEXALIGN SILVER_DIR [WORK_DIR]}
WORK=${3:-$(mktemp -d)}
METHODS=${METHODS:-argmax ot-balanced ot-unbalanced}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EN=$ROOT/data/bible/kjv-rv1909.en
ES=$ROOT/data/bible/kjv-rv1909.es
mkdir -p "$WORK"
echo "# work dir: $WORK; methods: $METHODS; threads $THREADS; $(uptime)"
now() { date +%s; }
for method in $METHODS; do
  t0=$(now)
  "$LEXALIGN" extract --source "$EN" --target "$ES" --aligner bayes --method "$method" --threads "$THREADS" \
    --quiet > "$WORK/gibbs-$method.align.tmp"
  mv "$WORK/gibbs-$method.align.tmp" "$WORK/gibbs-$method.align"
  row=$(python3 "$SILVER/score_silver.py" "$SILVER" "$WORK/gibbs-$method.align" | grep '^tagged')
  printf '%-34s %s  (%s s)\n' "Gibbs marginals $method" "$(echo "$row" | sed 's/^tagged *//')" $(( $(now) - t0 ))
  echo "# $(uptime)"
done
