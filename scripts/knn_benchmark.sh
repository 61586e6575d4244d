#!/bin/sh
# k-NN retrieval by cosine (k = 10), lexalign's blocked kernel with fused
# top-k (benchmarks/multilingual, bench_multilingual) against NumPy (blocked
# matrix products through its BLAS + argpartition, scripts/knn_numpy.py), one
# thread each, in the same run; prints both CPU times and the ratio.
#
#   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_BENCHMARKS=ON \
#         -DLEXALIGN_BUILD_TESTS=OFF -DLEXALIGN_BUILD_EXAMPLES=OFF
#   cmake --build build/bench --target bench_multilingual
#   scripts/knn_benchmark.sh [BUILD_DIR] [QUERIES] [REPETITIONS]
#
# QUERIES is 2000 (default; 2,000 x 50,000 x 300) or 50000 (the full
# 50,000 x 50,000 x 300 retrieval, about a minute per side on one core).
# Both report the best CPU time of REPETITIONS runs (default 3).
set -eu
BUILD=${1:-build/bench}
Q=${2:-2000}
REPS=${3:-3}
BENCH="$BUILD/benchmarks/bench_multilingual"
[ -x "$BENCH" ] || { echo "no $BENCH: build the target bench_multilingual with -DLEXALIGN_BUILD_BENCHMARKS=ON" >&2; exit 1; }
echo "load: $(uptime)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$BENCH" --benchmark_filter="^knn/$Q/50000/300/1\$" --benchmark_repetitions="$REPS" --benchmark_format=csv 2>/dev/null > "$OUT"
# csv: name,iterations,real_time,cpu_time,time_unit,...
OURS=$(grep "^\"knn/$Q/50000/300/1\"" "$OUT" | cut -d, -f4 | sort -g | head -1)
[ -n "$OURS" ] || { echo "benchmark produced no row for knn/$Q/50000/300/1" >&2; cat "$OUT" >&2; exit 1; }
NP=$(/usr/bin/python3 "$(dirname "$0")/knn_numpy.py" --queries "$Q" --targets 50000 --dim 300 --k 10 --repeat "$REPS")
echo "$NP"
NPCPU=$(echo "$NP" | sed 's/.*cpu_s=\([0-9.]*\).*/\1/')
/usr/bin/python3 - "$Q" "$OURS" "$NPCPU" <<'PY'
import sys
q, ours_ms, np_s = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
pairs = q * 50000
print(f"lexalign knn queries={q} targets=50000 dim=300 k=10 threads=1 cpu_s={ours_ms / 1000:.3f} pairs_per_s={pairs / (ours_ms / 1000):.4g}")
print(f"ratio (NumPy CPU time / lexalign CPU time) = {np_s / (ours_ms / 1000):.2f}x")
PY
echo "load: $(uptime)"
