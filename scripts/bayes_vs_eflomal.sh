#!/usr/bin/env bash
# Side by side on the Bible: lexalign::bayes (bayes_tool, defaults) and
# eflomal's C sampler (built by the caller from its public repository with its
# own Makefile: -Ofast -march=native), started together so that both see the
# same machine load; user/system CPU, wall and peak RSS from /usr/bin/time -v,
# then grow-diag-final-and and, if given, the Strong's silver standard.
#   scripts/bayes_vs_eflomal.sh EFLOMAL_BINARY [threads] [SILVER_DIR]
# BAYES_TOOL and LEXALIGN (paths to built bayes_tool and lexalign binaries)
# skip the Release build; BAYES_OPTIONS adds bayes_tool options (e.g.
# "--scale 0.5" or "--save-model FILE"); EFLOMAL_OPTIONS replaces eflomal's
# "-m 3 -n 3 -N 0.2 -1 7 -2 7 -3 28" (e.g. -1 3 -2 3 -3 14 with --scale 0.5).
# SEQUENTIAL=1 runs them one after the other (each alone on the machine:
# the wall-time comparison with several threads) instead of together;
# FIRST=eflomal then starts eflomal first (default: lexalign first).
# eflomal gets the text lowercased and numbered as its Python front end does
# (no prefix/suffix truncation), schedule 7/7/28, 3 samplers, null prior 0.2.
set -euo pipefail
cd "$(dirname "$0")/.."
eflomal=${1:?usage: scripts/bayes_vs_eflomal.sh EFLOMAL_BINARY [threads] [SILVER_DIR]}
threads=${2:-1}
silver=${3:-}
case "${FIRST:-lexalign}" in
  lexalign | eflomal) ;;
  *) echo "bayes_vs_eflomal.sh: FIRST must be lexalign or eflomal, not '$FIRST'" >&2; exit 2 ;;
esac
if [[ -n "${FIRST:-}" && "${SEQUENTIAL:-0}" != 1 ]]; then
  echo "bayes_vs_eflomal.sh: FIRST needs SEQUENTIAL=1 (otherwise both start together)" >&2
  exit 2
fi
build=build/bayes-release
if [[ -z "${BAYES_TOOL:-}" || -z "${LEXALIGN:-}" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF -DLEXALIGN_BUILD_EXAMPLES=OFF \
    -DLEXALIGN_BUILD_BENCHMARKS=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
  cmake --build "$build" --target bayes_tool lexalign_cli -j 2 >/dev/null
fi
tool=${BAYES_TOOL:-$build/benchmarks/bayes/bayes_tool}
lexalign=${LEXALIGN:-$build/tools/lexalign/lexalign}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
en=data/bible/kjv-rv1909.en es=data/bible/kjv-rv1909.es
for side in en es; do
  python3 - "data/bible/kjv-rv1909.$side" "$tmp/$side.ef" <<'PY'
import sys
index, sents = {}, []
for line in open(sys.argv[1], encoding='utf-8'):
    sents.append([index.setdefault(w.lower(), len(index)) for w in line.split()])
with open(sys.argv[2], 'w') as f:
    f.write('%d %d\n' % (len(sents), len(index) + 1))
    for s in sents:
        f.write(' '.join([str(len(s))] + [str(t) for t in s]) + '\n')
PY
done
run_lex() {
  # shellcheck disable=SC2086
  /usr/bin/time -v "$tool" align --source "$en" --target "$es" --out "$tmp/lex" --seed 1 --threads "$threads" \
    ${BAYES_OPTIONS:-} 2> "$tmp/lex.time" > /dev/null
}
run_ef() {
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=$threads /usr/bin/time -v "$eflomal" -s "$tmp/en.ef" -t "$tmp/es.ef" -f "$tmp/ef.fwd" -r "$tmp/ef.rev" \
    ${EFLOMAL_OPTIONS:--m 3 -n 3 -N 0.2 -1 7 -2 7 -3 28} -q 2> "$tmp/ef.time" > /dev/null
}
echo "== load before: $(uptime)"
if [[ "${SEQUENTIAL:-0}" == 1 ]]; then
  if [[ "${FIRST:-lexalign}" == eflomal ]]; then first=run_ef second=run_lex; else first=run_lex second=run_ef; fi
  echo "== order: ${first#run_} then ${second#run_}"
  $first
  echo "== load between: $(uptime)"
  $second
else
  run_lex &
  p1=$!
  run_ef &
  p2=$!
  wait $p1
  wait $p2
fi
echo "== load after: $(uptime)"
for x in lex ef; do
  echo "== $x ($threads threads)"
  grep -E "User time|System time|Elapsed|Maximum resident" "$tmp/$x.time"
  "$lexalign" symmetrize --forward "$tmp/$x.fwd" --reverse "$tmp/$x.rev" --heuristic grow-diag-final-and > "$tmp/$x.gdfa"
  [[ -n "$silver" ]] && python3 "$silver/score_silver.py" "$silver" "$tmp/$x.gdfa" | grep tagged
done
