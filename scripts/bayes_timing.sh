#!/usr/bin/env bash
# Timing of lexalign::bayes on the Bible corpus (30,856 verse pairs): both
# directions with the default options (3 samplers, automatic schedule),
# CPU and wall time and peak memory from /usr/bin/time -v; then the latency
# of aligning one sentence pair with the saved model (load + align), which
# eflomal users report as 4-5 s per call.
#   scripts/bayes_timing.sh [threads]     (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
build=build/bayes-release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF -DLEXALIGN_BUILD_EXAMPLES=OFF \
  -DLEXALIGN_BUILD_BENCHMARKS=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
cmake --build "$build" --target bayes_tool -j 2 >/dev/null
tool="$build/benchmarks/bayes/bayes_tool"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
en=data/bible/kjv-rv1909.en es=data/bible/kjv-rv1909.es

echo "== training on the Bible, both directions, $threads threads"
/usr/bin/time -v "$tool" align --source "$en" --target "$es" --out "$tmp/bible" --seed 1 --threads "$threads" \
  --save-model "$tmp/bible.model" 2> "$tmp/time" || { cat "$tmp/time"; exit 1; }
grep -E "bayes_tool|User time|System time|Elapsed|Maximum resident" "$tmp/time"
ls -l "$tmp/bible.model" | awk '{ print "model file bytes: " $5 }'

echo "== one sentence pair with the saved model (5 calls)"
sed -n 100p "$en" > "$tmp/one.en"
sed -n 100p "$es" > "$tmp/one.es"
for k in 1 2 3 4 5; do
  /usr/bin/time -f "call $k: wall %e s, user %U s, max RSS %M KB" "$tool" apply --model "$tmp/bible.model" \
    --source "$tmp/one.en" --target "$tmp/one.es" --out "$tmp/one" --threads 1 2>&1 | grep -E "call|bayes_tool"
done
cat "$tmp/one.fwd.probs"
