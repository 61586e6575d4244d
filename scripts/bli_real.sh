#!/bin/sh
# Real-data bilingual lexicon induction with lexalign map / lexalign bli:
# every dictionary pair of the multiparallel data, and K languages through a
# hub versus the Wasserstein-barycenter mean language.  One command, all tables:
#
#   scripts/bli_real.sh DATA_DIR OUT_DIR [BUILD_DIR] [STEPS]
#
# DATA_DIR is the shared data folder (it holds bible/ and multiparallel/ with
# gettext/, dicts/ and bible-nt/); OUT_DIR receives everything (outside the
# repository).  STEPS (default "train split supervised unsupervised multi tables"):
#
#   train         fastText skipgram vectors for every language of LANGS
#                 (default: the 13 languages that have a dictionary,
#                 "ca de en es eu fr it pl pt ro ru sv uk"), trained on the
#                 language's gettext core table (multiparallel/gettext/L.txt.xz,
#                 about 0.5 M tokens) or, for the languages outside the core
#                 (eu pt ro), its side of the pairwise table (en-L.L.xz), plus
#                 the New Testament of bible-nt where the language has one
#                 (en: KJV and WEB, es, eu, uk):
#                 fasttext skipgram -dim $DIM -epoch $EPOCH -minCount 3 -thread $FT_THREADS
#                 (defaults 100, 5, 1).  OUT_DIR/train.log: words, vocabulary, seconds.
#   split         every dictionary between two languages of LANGS, split by
#                 source word: the sorted source words, every 5th to test, the rest to train.
#   supervised    per pair A-B: lexalign map --method supervised on A-B.train
#                 (Procrustes + $REFINE refinement rounds), lexalign bli (CSLS) on A-B.test
#   unsupervised  per pair: lexalign map --method unsupervised (GW on $GW_WORDS words,
#                 Wasserstein-Procrustes $WP_EPOCHS x $WP_ITERS steps, refinement), bli on the test split
#   multi         K_LANGS (default "en es fr pl pt sv": every pair of these six has a
#                 dictionary; the first is the hub): four maps of all K at once --
#                 unsupervised hub, barycenter from it, supervised hub (each language's
#                 training dictionary with the hub), barycenter from it ($BARY_WORDS words
#                 per language, default 5000, $BARY_ROUNDS rounds, default 5) -- each with
#                 --report-transitivity (MULTI_METHODS narrows the four); bli for every ordered pair (B -> A uses A-B.test
#                 with its columns swapped).
#   tables        OUT_DIR/tables.md from results.tsv and the transitivity files.
# Results: OUT_DIR/results.tsv (method, pair, P@1, P@5, P@10, coverage, queries,
# map seconds); rows already there are not recomputed, so a stopped run resumes.
set -eu
DATA=$1
OUT=$2
BUILD=${3:-build/dev}
STEPS=${4:-"train split supervised unsupervised multi tables"}
LX="$BUILD/tools/lexalign/lexalign"
MP="$DATA/multiparallel"
LANGS=${LANGS:-"ca de en es eu fr it pl pt ro ru sv uk"}
K_LANGS=${K_LANGS:-"en es fr pl pt sv"}
MAXW=${MAXW:-20000}
THREADS=${THREADS:-2}
DIM=${DIM:-100}
EPOCH=${EPOCH:-5}
FT_THREADS=${FT_THREADS:-1}
REFINE=${REFINE:-5}
MAX_RANK=${MAX_RANK:-15000}
GW_WORDS=${GW_WORDS:-500}
WP_EPOCHS=${WP_EPOCHS:-5}
WP_ITERS=${WP_ITERS:-50}
BARY_WORDS=${BARY_WORDS:-5000}
BARY_ROUNDS=${BARY_ROUNDS:-5}
mkdir -p "$OUT/vec" "$OUT/dict" "$OUT/mapped"
RES="$OUT/results.tsv"
[ -f "$RES" ] || printf 'method\tpair\tp1\tp5\tp10\tcoverage\tqueries\tseconds\n' > "$RES"
echo "load at start: $(uptime)" >&2
has_step() { case " $STEPS " in *" $1 "*) return 0 ;; esac; return 1; }
in_langs() { case " $LANGS " in *" $1 "*) return 0 ;; esac; return 1; }

if has_step train; then
  for L in $LANGS; do
    [ -f "$OUT/vec/$L.vec" ] && continue
    T="$OUT/vec/$L.txt"
    if [ -f "$MP/gettext/$L.txt.xz" ]; then xzcat "$MP/gettext/$L.txt.xz" > "$T"
    else xzcat "$MP/gettext/en-$L.$L.xz" > "$T"; fi
    case $L in
      en) cat "$MP/bible-nt/eng-kjv.txt" "$MP/bible-nt/eng-web.txt" >> "$T" ;;
      es) cat "$MP/bible-nt/spa.txt" >> "$T" ;;
      eu) cat "$MP/bible-nt/eus.txt" >> "$T" ;;
      uk) cat "$MP/bible-nt/ukr.txt" >> "$T" ;;
    esac
    S0=$(date +%s)
    fasttext skipgram -input "$T" -output "$OUT/vec/$L.part" -dim "$DIM" -epoch "$EPOCH" -minCount 3 \
      -thread "$FT_THREADS" -verbose 0
    mv "$OUT/vec/$L.part.vec" "$OUT/vec/$L.vec"  # complete files only, for runs started in parallel
    S1=$(date +%s)
    echo "trained $L: words=$(wc -w < "$T") vocab/dim=$(head -1 "$OUT/vec/$L.vec") seconds=$((S1 - S0)) load=$(uptime)" \
      | tee -a "$OUT/train.log" >&2
    rm -f "$OUT/vec/$L.part.bin" "$T"
  done
fi

if has_step split; then
  for F in "$MP"/dicts/*.dict; do
    P=$(basename "$F" .dict); A=${P%-*}; B=${P#*-}
    in_langs "$A" && in_langs "$B" || continue
    [ -f "$OUT/dict/$P.test" ] && continue
    cut -d' ' -f1 "$F" | sort -u | awk 'NR % 5 == 0' > "$OUT/dict/$P.testwords"
    awk -v test="$OUT/dict/$P.test" -v train="$OUT/dict/$P.train" \
      'NR == FNR { t[$1] = 1; next } ($1 in t) { print > test; next } { print > train }' "$OUT/dict/$P.testwords" "$F"
    rm -f "$OUT/dict/$P.testwords"
  done
fi

done_row() { awk -F'\t' -v m="$1" -v p="$2" '$1 == m && $2 == p { f = 1 } END { exit !f }' "$RES"; }
bli_row() {  # method pair source.vec target.vec test.dict seconds
  J=$("$LX" bli --source "$3" --target "$4" --dictionary "$5" --max-words "$MAXW" --threads "$THREADS" --json)
  echo "$J" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print("\t".join([sys.argv[1], sys.argv[2], "%.4f" % r["p_at_1"], "%.4f" % r["p_at_5"], "%.4f" % r["p_at_10"], "%.4f" % r["coverage"], str(r["queries"]), sys.argv[3]]))' "$1" "$2" "$6" | tee -a "$RES"
}
test_dict() {  # A B -> a test dictionary A -> B (A-B.test, or B-A.test with the columns swapped)
  if [ -f "$OUT/dict/$1-$2.test" ]; then echo "$OUT/dict/$1-$2.test"
  elif [ -f "$OUT/dict/$2-$1.test" ]; then
    awk '{ print $2, $1 }' "$OUT/dict/$2-$1.test" > "$OUT/dict/$1-$2.reversed"; echo "$OUT/dict/$1-$2.reversed"
  fi
}

for STEP in supervised unsupervised; do
  has_step $STEP || continue
  for T in "$OUT"/dict/*.train; do
    P=$(basename "$T" .train); A=${P%-*}; B=${P#*-}
    # Both languages' vectors, and neither still being trained (its text is removed after training).
    [ -f "$OUT/vec/$A.vec" ] && [ -f "$OUT/vec/$B.vec" ] && [ ! -f "$OUT/vec/$A.txt" ] && [ ! -f "$OUT/vec/$B.txt" ] || continue
    done_row "$STEP" "$P" && continue
    D="$OUT/mapped/$STEP-$P"; mkdir -p "$D"
    S0=$(date +%s)
    if [ $STEP = supervised ]; then
      "$LX" map --inputs "$OUT/vec/$A.vec,$OUT/vec/$B.vec" --method supervised --dictionary "$T" \
        --max-words "$MAXW" --refinement "$REFINE" --max-rank "$MAX_RANK" --output-dir "$D" --threads "$THREADS" > /dev/null
    else
      "$LX" map --inputs "$OUT/vec/$A.vec,$OUT/vec/$B.vec" --method unsupervised --max-words "$MAXW" \
        --refinement "$REFINE" --max-rank "$MAX_RANK" --gw-words "$GW_WORDS" --wp-epochs "$WP_EPOCHS" \
        --wp-iterations "$WP_ITERS" --output-dir "$D" --threads "$THREADS" > /dev/null
    fi
    S1=$(date +%s)
    bli_row "$STEP" "$P" "$D/$A.vec" "$D/$B.vec" "$OUT/dict/$P.test" $((S1 - S0))
    rm -f "$D"/*.vec
  done
done

if has_step multi; then
  H=${K_LANGS%% *}
  IN=""; HD=""
  for L in $K_LANGS; do
    IN="$IN${IN:+,}$OUT/vec/$L.vec"
    [ "$L" = "$H" ] && continue
    if [ -f "$OUT/dict/$L-$H.train" ]; then D="$OUT/dict/$L-$H.train"
    else D="$OUT/dict/$L-$H.train.reversed"; awk '{ print $2, $1 }' "$OUT/dict/$H-$L.train" > "$D"; fi
    HD="$HD${HD:+,}$D"
  done
  for M in ${MULTI_METHODS:-supervised-hub supervised-barycenter hub barycenter}; do
    done_row "$M" "_map" && continue
    D="$OUT/mapped/$M"; mkdir -p "$D"
    case $M in
      supervised-*) EXTRA="--hub-dictionaries $HD" ;;
      *) EXTRA="--gw-words $GW_WORDS --wp-epochs $WP_EPOCHS --wp-iterations $WP_ITERS" ;;
    esac
    S0=$(date +%s)
    # shellcheck disable=SC2086
    /usr/bin/time -f "map: %e s wall, %U s user, %M KB max RSS" -o "$OUT/time-$M.log" \
      "$LX" map --inputs "$IN" --method "${M#supervised-}" --hub 0 $EXTRA --max-words "$MAXW" --refinement "$REFINE" \
      --max-rank "$MAX_RANK" --bary-words "$BARY_WORDS" --bary-rounds "$BARY_ROUNDS" --output-dir "$D" --threads "$THREADS" --progress \
      --report-transitivity "$OUT/transitivity-$M.tsv" > /dev/null 2> "$OUT/map-$M.log"
    cat "$OUT/time-$M.log" >> "$OUT/map-$M.log"; echo "load: $(uptime)" >> "$OUT/map-$M.log"
    S1=$(date +%s)
    grep -v '^\[lexalign\]' "$OUT/map-$M.log" >&2
    for A in $K_LANGS; do for B in $K_LANGS; do
      [ "$A" = "$B" ] && continue
      T=$(test_dict "$A" "$B")
      [ -n "$T" ] && bli_row "$M" "$A-$B" "$D/$A.vec" "$D/$B.vec" "$T" $((S1 - S0))
    done; done
    printf '%s\t_map\t\t\t\t\t\t%s\n' "$M" $((S1 - S0)) >> "$RES"
  done
fi

if has_step tables; then
  /usr/bin/python3 - "$OUT" "$K_LANGS" > "$OUT/tables.md" <<'EOF'
import csv, os, sys
out, klangs = sys.argv[1], sys.argv[2].split()
rows = [r for r in csv.DictReader(open(os.path.join(out, "results.tsv")), delimiter="\t")]
by = {(r["method"], r["pair"]): r for r in rows}
f3 = lambda r, k: "%.3f" % float(r[k]) if r and r[k] else ""
pairs = sorted({r["pair"] for r in rows if r["method"] in ("supervised", "unsupervised")})
print("## Every dictionary pair: supervised and unsupervised (CSLS)\n")
print("| pair | sup. P@1 | P@5 | P@10 | unsup. P@1 | P@5 | P@10 | coverage | queries | map s (sup/unsup) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for p in pairs:
    s, u = by.get(("supervised", p)), by.get(("unsupervised", p))
    a = s or u
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s |" % (p, f3(s, "p1"), f3(s, "p5"), f3(s, "p10"),
          f3(u, "p1"), f3(u, "p5"), f3(u, "p10"), f3(a, "coverage"), a["queries"],
          s["seconds"] if s else "", u["seconds"] if u else ""))
ms = ["hub", "barycenter", "supervised-hub", "supervised-barycenter"]
print("\n## K = %d languages (%s; hub %s): P@1 for every ordered pair (CSLS)\n" % (len(klangs), " ".join(klangs), klangs[0]))
print("| pair | direct sup. | " + " | ".join(ms) + " | queries |")
print("| --- | ---: | " + " | ".join("---:" for _ in ms) + " | ---: |")
for a in klangs:
    for b in klangs:
        if a == b or not any((m, a + "-" + b) in by for m in ms):
            continue
        d = by.get(("supervised", a + "-" + b))
        q = next(by[(m, a + "-" + b)]["queries"] for m in ms if (m, a + "-" + b) in by)
        print("| %s→%s | %s | %s | %s |" % (a, b, f3(d, "p1"), " | ".join(f3(by.get((m, a + "-" + b)), "p1") for m in ms), q))
print("| map seconds | | " + " | ".join(by[(m, "_map")]["seconds"] if (m, "_map") in by else "" for m in ms) + " | |")
print("\n## Transitivity: how often X→Y agrees with X→P→Y (CSLS, first words of each language)\n")
tr = {}
for m in ms:
    path = os.path.join(out, "transitivity-%s.tsv" % m)
    if os.path.exists(path):
        for r in csv.DictReader(open(path), delimiter="\t"):
            tr.setdefault(m, {})[(r["source"], r["pivot"], r["target"])] = float(r["agreement"])
if tr:
    hub = klangs[0]
    print("| X→Y | " + " | ".join("%s: via %s | mean over P" % (m, hub) for m in ms if m in tr) + " |")
    print("| --- | " + " | ".join("---: | ---:" for m in ms if m in tr) + " |")
    for a in klangs:
        for b in klangs:
            if a == b:
                continue
            cells = []
            for m in ms:
                if m not in tr:
                    continue
                t = tr[m]
                v = [t[(a, p, b)] for p in klangs if p not in (a, b)]
                cells.append("%s | %.3f" % ("%.3f" % t[(a, hub, b)] if hub not in (a, b) else "", sum(v) / len(v)))
            print("| %s→%s | %s |" % (a, b, " | ".join(cells)))
    print("| all triples | " + " | ".join(" | %.3f" % (sum(tr[m].values()) / len(tr[m])) for m in ms if m in tr) + " |")
EOF
  echo "tables: $OUT/tables.md" >&2
fi
echo "load at end: $(uptime)" >&2
