#!/bin/sh
# scripts/multiparallel_bible.sh LEXALIGN SHARED_DATA_DIR WORK_DIR
#
# The English-Spanish Bible pair (KJV - Reina-Valera 1909) aligned directly
# and through pivot languages, on the New Testament (7,949 verses), scored on
# the Strong's-number silver standard (Gospels and Acts, tagged row).
#
#   LEXALIGN          the lexalign program (a Release build)
#   SHARED_DATA_DIR   folder with multiparallel/bible-nt/ and bible-strongs/
#                     (their READMEs describe them)
#   WORK_DIR          scratch folder (outside the repository): the corpora,
#                     the pairwise alignments (pairs/, reused by a rerun), the
#                     alignments of each variant and table.md
#
# Environment: PIVOTS (default: every other language of bible-nt; the
# measurement in docs/multilingual/multiparallel.md used
# PIVOTS="eng-web eus swh wol quc" for lack of time),
# THREADS (default 2), MODEL (default bayes), EXTRA (more options for every
# lexalign call, e.g. "--samplers 1").  Every pair X-P and P-Y is aligned once
# (WORK_DIR/pairs/*.align); the variants only rerun the per-verse graph step.
# Rows: direct; votes (majority of the pivots) united with the direct links,
# only for unaligned tokens, intersected, replacing them, refining them;
# Adamic-Adar at thresholds 2 and 4 (union), 4 for unaligned tokens only, 4
# refining, 1 intersected; and
# votes / Adamic-Adar with only the web English pivot (K = 3).
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 LEXALIGN SHARED_DATA_DIR WORK_DIR" >&2
  exit 2
fi
LEXALIGN=$1
NT=$2/multiparallel/bible-nt
SILVER=$2/bible-strongs
WORK=$3
THREADS=${THREADS:-2}
MODEL=${MODEL:-bayes}
EXTRA=${EXTRA:-}
PIVOTS=${PIVOTS:-"eng-web eus swh rom ukr lav zul wol quc"}
for f in "$NT/eng-kjv.txt" "$NT/spa.txt" "$NT/kjv-rv1909.lines" "$SILVER/kjv-rv1909.gold" "$SILVER/score_silver.py"; do
  [ -f "$f" ] || { echo "$0: missing $f" >&2; exit 1; }
done
mkdir -p "$WORK/pairs" "$WORK/out"
TABLE=$WORK/table.md
GOLD_LINES=$(wc -l < "$SILVER/kjv-rv1909.gold")

# NT line k -> line kjv-rv1909.lines[k] of the full corpus; other lines empty.
expand() {
  awk -v n="$GOLD_LINES" 'NR == FNR { at[$1] = FNR; next }
       { line[FNR] = $0 }
       END { for (i = 1; i <= n; ++i) print ((i in at) ? line[at[i]] : "") }' "$NT/kjv-rv1909.lines" "$1" > "$2"
}

score() {  # name alignment(NT lines) -> a table row
  expand "$2" "$WORK/out/$1.full"
  python3 "$SILVER/score_silver.py" "$SILVER" "$WORK/out/$1.full" > "$WORK/out/$1.score"
  awk -v name="$1" -v links="$(awk '{ n += NF } END { print n + 0 }' "$2")" '/^tagged/ {
       for (i = 1; i < NF; ++i) { if ($i == "precision") p = $(i + 1); if ($i == "recall") r = $(i + 1); if ($i == "AER") e = $(i + 1) }
       printf "| %s | %s | %s | %s | %s |\n", name, p, r, e, links }' "$WORK/out/$1.score" >> "$TABLE"
}

run() {  # name languages... -- options...
  name=$1; shift
  corpora="--corpus eng-kjv=$NT/eng-kjv.txt --corpus spa=$NT/spa.txt"
  while [ "$1" != "--" ]; do corpora="$corpora --corpus $1=$NT/$1.txt"; shift; done
  shift
  # shellcheck disable=SC2086
  /usr/bin/time -f "$name: %e s wall, %U s user, %M KB" "$LEXALIGN" align --multiparallel $corpora --pair eng-kjv,spa \
      --model "$MODEL" --threads "$THREADS" --pairs-dir "$WORK/pairs" $EXTRA "$@" \
      --output "$WORK/out/$name.align" 2>> "$WORK/log.txt"
  tail -n 1 "$WORK/log.txt"
  score "$name" "$WORK/out/$name.align"
}

{
  echo "NT, $(wc -l < "$NT/eng-kjv.txt") verses; pivots: $PIVOTS; model $MODEL $EXTRA; $(date -u)"
  echo
  echo "| variant | precision | recall | AER | links (NT) |"
  echo "| --- | ---: | ---: | ---: | ---: |"
} > "$TABLE"

# shellcheck disable=SC2086
run direct $PIVOTS -- --pivot-method none
# shellcheck disable=SC2086
run votes $PIVOTS -- --pivot-method votes
# shellcheck disable=SC2086
run votes-only-unaligned $PIVOTS -- --pivot-method votes --only-unaligned
# shellcheck disable=SC2086
run votes-intersection $PIVOTS -- --pivot-method votes --combine intersection
# shellcheck disable=SC2086
run votes-intersection-1 $PIVOTS -- --pivot-method votes --combine intersection --min-votes 1
# shellcheck disable=SC2086
run votes-replace $PIVOTS -- --pivot-method votes --combine replace
# shellcheck disable=SC2086
run votes-refine $PIVOTS -- --pivot-method votes --combine refine
for t in 2 4; do
  # shellcheck disable=SC2086
  run adamic-adar-$t $PIVOTS -- --pivot-method adamic-adar --threshold $t
done
# shellcheck disable=SC2086
run adamic-adar-4-only-unaligned $PIVOTS -- --pivot-method adamic-adar --threshold 4 --only-unaligned
# shellcheck disable=SC2086
run adamic-adar-4-refine $PIVOTS -- --pivot-method adamic-adar --threshold 4 --combine refine
# shellcheck disable=SC2086
run adamic-adar-1-intersection $PIVOTS -- --pivot-method adamic-adar --threshold 1 --combine intersection
case " $PIVOTS " in
  *" eng-web "*)
    run web-only-votes eng-web -- --pivot-method votes
    run web-only-votes-refine eng-web -- --pivot-method votes --combine refine
    run web-only-adamic-adar-1 eng-web -- --pivot-method adamic-adar --threshold 1 ;;
esac
cat "$TABLE"
