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
# Environment: METHODS (default: every method that reads S as it is:
# "argmax fwd rev itermax mwmf ot-balanced ot-balanced-exact ot-partial
# ot-partial-exact ot-unbalanced"), LOG_METHODS (methods run on log S, as
# softmax and entmax need logits; default "softmax entmax"; empty: none),
# THREADS (2).  One `lexalign extract --aligner bayes --method M1,M2,...`
# run on all 30,856 pairs trains the sampler once (defaults of `lexalign
# align --model bayes`: seed 1, both directions) and decodes
# S = (P_fwd + P_rev) / 2 with every method of METHODS (one output file
# each); LOG_METHODS take a second run with --transform log (the sampler is
# deterministic for any thread count, so both runs see the same marginals).
# Prints the scorer's "tagged" row per method (precision, recall, AER over
# links whose two tokens both carry a Strong's number) and each run's
# seconds (sampler included).
set -eu
LEXALIGN=${1:?usage: $0 LEXALIGN SILVER_DIR [WORK_DIR]}
SILVER=${2:?usage: $0 LEXALIGN SILVER_DIR [WORK_DIR]}
WORK=${3:-$(mktemp -d)}
METHODS=${METHODS:-argmax fwd rev itermax mwmf ot-balanced ot-balanced-exact ot-partial ot-partial-exact ot-unbalanced}
LOG_METHODS=${LOG_METHODS-softmax entmax}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EN=$ROOT/data/bible/kjv-rv1909.en
ES=$ROOT/data/bible/kjv-rv1909.es
mkdir -p "$WORK"
echo "# work dir: $WORK; methods: $METHODS; on log S: $LOG_METHODS; threads $THREADS; $(uptime)"
now() { date +%s; }
# run PREFIX "M1 M2 ..." [extra options]: one extract call, then the scores
run() {
  prefix=$1
  methods=$2
  shift 2
  [ -n "$methods" ] || return 0
  list=$(echo $methods | tr ' ' ',')
  t0=$(now)
  "$LEXALIGN" extract --source "$EN" --target "$ES" --aligner bayes --method "$list" --threads "$THREADS" \
    --quiet --output "$WORK/$prefix" "$@"
  echo "# $prefix: one run for $list, $(( $(now) - t0 )) s; $(uptime)"
  for method in $methods; do
    row=$(python3 "$SILVER/score_silver.py" "$SILVER" "$WORK/$prefix.$method" | grep '^tagged')
    printf '%-40s %s\n' "Gibbs marginals $method${1:+ ($*)}" "$(echo "$row" | sed 's/^tagged *//')"
  done
}
run gibbs "$METHODS"
run gibbs-log "$LOG_METHODS" --transform log
