#!/bin/sh
# Real-data bilingual lexicon induction with lexalign map / lexalign bli.
#
#   scripts/bli_real.sh DATA_DIR OUT_DIR [BUILD_DIR] [STEPS]
#
# DATA_DIR is the shared data folder holding multiparallel/ (gettext core
# table, dicts/, bible-nt/).  For each core language L (ca de en es fr it pl
# ru sv uk; the environment variable LANGS narrows them) it trains fastText skipgram vectors (dim 100, 5 epochs, minCount
# 3) on gettext/L.txt.xz plus the New Testament of bible-nt where the
# language has one (en: KJV + WEB, es, uk); splits every dictionary between
# two core languages into train (4 of 5 source words, sorted) and test (every
# 5th); then, per STEPS (default "train supervised unsupervised multi"):
#   supervised    lexalign map --method supervised on train, bli (CSLS) on test
#   unsupervised  lexalign map --method unsupervised, bli on test
#   multi         K languages (K_LANGS, default en es fr it de; the first is the hub):
#                 hub through it versus the
#                 barycenter mean language, P@1 for every ordered pair with a dictionary
#   multi-supervised  the same with supervised hub maps (training dictionaries
#                 to the hub) and the barycenter started from them
# Results: OUT_DIR/results.tsv (method, pair, P@1, P@5, P@10, coverage, queries).
set -eu
DATA=$1
OUT=$2
BUILD=${3:-build/dev}
STEPS=${4:-"train supervised unsupervised multi"}
LX="$BUILD/tools/lexalign/lexalign"
MP="$DATA/multiparallel"
LANGS=${LANGS:-"ca de en es fr it pl ru sv uk"}
MAXW=${MAXW:-20000}
THREADS=${THREADS:-2}
mkdir -p "$OUT/vec" "$OUT/dict" "$OUT/mapped"
RES="$OUT/results.tsv"
[ -f "$RES" ] || printf 'method\tpair\tp1\tp5\tp10\tcoverage\tqueries\tseconds\n' > "$RES"
echo "load at start: $(uptime)" >&2

case " $STEPS " in *" train "*)
  for L in $LANGS; do
    [ -f "$OUT/vec/$L.vec" ] && continue
    xzcat "$MP/gettext/$L.txt.xz" > "$OUT/vec/$L.txt"
    case $L in
      en) cat "$MP/bible-nt/eng-kjv.txt" "$MP/bible-nt/eng-web.txt" >> "$OUT/vec/$L.txt" ;;
      es) cat "$MP/bible-nt/spa.txt" >> "$OUT/vec/$L.txt" ;;
      uk) cat "$MP/bible-nt/ukr.txt" >> "$OUT/vec/$L.txt" ;;
    esac
    fasttext skipgram -input "$OUT/vec/$L.txt" -output "$OUT/vec/$L" -dim 100 -epoch 5 -minCount 3 \
      -thread "$THREADS" -verbose 0
    rm -f "$OUT/vec/$L.bin" "$OUT/vec/$L.txt"
    echo "trained $L: $(head -1 "$OUT/vec/$L.vec")" >&2
  done
  # Dictionaries between two core languages: train / test split by source word.
  for F in "$MP"/dicts/*.dict; do
    P=$(basename "$F" .dict); A=${P%-*}; B=${P#*-}
    case " $LANGS " in *" $A "*) ;; *) continue ;; esac
    case " $LANGS " in *" $B "*) ;; *) continue ;; esac
    cut -d' ' -f1 "$F" | sort -u | awk 'NR % 5 == 0' > "$OUT/dict/$P.testwords"
    awk 'NR == FNR { t[$1] = 1; next } ($1 in t) { print > "'"$OUT/dict/$P.test"'"; next } { print > "'"$OUT/dict/$P.train"'" }' \
      "$OUT/dict/$P.testwords" "$F"
    rm -f "$OUT/dict/$P.testwords"
  done
;; esac

bli_row() {  # method pair source.vec target.vec test.dict seconds
  J=$("$LX" bli --source "$3" --target "$4" --dictionary "$5" --max-words "$MAXW" --threads "$THREADS" --json)
  echo "$J" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print("\t".join([sys.argv[1], sys.argv[2], "%.4f" % r["p_at_1"], "%.4f" % r["p_at_5"], "%.4f" % r["p_at_10"], "%.4f" % r["coverage"], str(r["queries"]), sys.argv[3]]))' "$1" "$2" "$6" | tee -a "$RES"
}

for STEP in supervised unsupervised; do
  case " $STEPS " in *" $STEP "*) ;; *) continue ;; esac
  for T in "$OUT"/dict/*.train; do
    P=$(basename "$T" .train); A=${P%-*}; B=${P#*-}
    D="$OUT/mapped/$STEP-$P"; mkdir -p "$D"
    S0=$(date +%s)
    if [ $STEP = supervised ]; then
      "$LX" map --inputs "$OUT/vec/$A.vec,$OUT/vec/$B.vec" --method supervised --dictionary "$T" \
        --max-words "$MAXW" --output-dir "$D" --threads "$THREADS" > /dev/null
    else
      "$LX" map --inputs "$OUT/vec/$A.vec,$OUT/vec/$B.vec" --method unsupervised --max-words "$MAXW" \
        --gw-words "${GW_WORDS:-500}" --wp-iterations "${WP_ITERS:-20}" --output-dir "$D" --threads "$THREADS" > /dev/null
    fi
    S1=$(date +%s)
    bli_row "$STEP" "$P" "$D/$A.vec" "$D/$B.vec" "$OUT/dict/$P.test" $((S1 - S0))
  done
done

case " $STEPS " in *" multi "*)
  K=${K_LANGS:-"en es fr it de"}
  IN=""; for L in $K; do IN="$IN${IN:+,}$OUT/vec/$L.vec"; done
  for M in hub barycenter; do
    D="$OUT/mapped/$M"; mkdir -p "$D"
    S0=$(date +%s)
    "$LX" map --inputs "$IN" --method $M --hub 0 --max-words "$MAXW" --gw-words "${GW_WORDS:-500}" \
      --wp-iterations "${WP_ITERS:-20}" --bary-words "${BARY_WORDS:-5000}" --output-dir "$D" --threads "$THREADS" > /dev/null
    S1=$(date +%s)
    for A in $K; do for B in $K; do
      [ $A = $B ] && continue
      if [ -f "$OUT/dict/$A-$B.test" ]; then
        bli_row "$M" "$A-$B" "$D/$A.vec" "$D/$B.vec" "$OUT/dict/$A-$B.test" $((S1 - S0))
      elif [ -f "$OUT/dict/$B-$A.test" ]; then
        awk '{ print $2, $1 }' "$OUT/dict/$B-$A.test" > "$OUT/dict/$A-$B.reversed"
        bli_row "$M" "$A-$B" "$D/$A.vec" "$D/$B.vec" "$OUT/dict/$A-$B.reversed" $((S1 - S0))
      fi
    done; done
  done
;; esac
case " $STEPS " in *" multi-supervised "*)
  # The same K languages with supervised hub maps (each non-hub language's
  # training dictionary to the hub), then the barycenter from those maps.
  K=${K_LANGS:-"en es fr it de"}
  H=${K%% *}
  IN=""; HD=""
  for L in $K; do
    IN="$IN${IN:+,}$OUT/vec/$L.vec"
    [ $L = $H ] && continue
    if [ -f "$OUT/dict/$L-$H.train" ]; then D="$OUT/dict/$L-$H.train"
    else D="$OUT/dict/$L-$H.train.reversed"; awk '{ print $2, $1 }' "$OUT/dict/$H-$L.train" > "$D"; fi
    HD="$HD${HD:+,}$D"
  done
  for M in hub barycenter; do
    D="$OUT/mapped/supervised-$M"; mkdir -p "$D"
    S0=$(date +%s)
    "$LX" map --inputs "$IN" --method $M --hub 0 --hub-dictionaries "$HD" --max-words "$MAXW" \
      --bary-words "${BARY_WORDS:-5000}" --output-dir "$D" --threads "$THREADS" > /dev/null
    S1=$(date +%s)
    for A in $K; do for B in $K; do
      [ $A = $B ] && continue
      if [ -f "$OUT/dict/$A-$B.test" ]; then T="$OUT/dict/$A-$B.test"
      else T="$OUT/dict/$A-$B.reversed"; awk '{ print $2, $1 }' "$OUT/dict/$B-$A.test" > "$T"; fi
      bli_row "supervised-$M" "$A-$B" "$D/$A.vec" "$D/$B.vec" "$T" $((S1 - S0))
    done; done
  done
;; esac
echo "load at end: $(uptime)" >&2
