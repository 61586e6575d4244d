#!/bin/bash
# In-process A/B of extract/ between two revisions (see
# benchmarks/extract/ab/main.cpp for what it measures and why).
#
#   scripts/extract_ab.sh REV_A REV_B [ROUNDS]
#
# REV_A, REV_B: git revisions, or WORKTREE for the working tree's headers.
# Builds build/extract_ab/extract_ab (g++ -O3 -march=native, both
# revisions' include/ under renamed inline namespaces, the harness of the
# working tree), writes random 200-matrix stacks with
# scripts/compare_extract.py's make_stacks (python3-numpy: dot products of
# 64-d vectors of norm 8 for softmax, (cos + 1) / 2 for the others) and
# runs softmax, softmax32, argmax and itermax at m = n = 50 and 100, cold
# and hot, ROUNDS (default 40) alternating rounds each.  Run an A/A (the same revision
# twice) first to see the noise.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,15p "$0"; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/extract_ab
rounds=${3:-40}
rm -rf "$out"
mkdir -p "$out"
side() {  # side REV a|b: the revision's include/ with namespace v0a / v0b, compiled
  local dir=$out/inc_$2
  mkdir -p "$dir"
  if [ "$1" = WORKTREE ]; then cp -r "$root/include" "$dir/"
  else git -C "$root" archive "$1" include | tar -x -C "$dir"; fi
  sed -i "s/inline namespace v0 {/inline namespace v0$2 {/" "$dir/include/lexalign/config.hpp"
  g++ -O3 -DNDEBUG -march=native -std=gnu++20 -DLEXALIGN_AB_ENTRY=run_$2 -I"$dir/include" \
      -c "$root/benchmarks/extract/ab/variant.cpp" -o "$out/variant_$2.o"
}
side "$1" a &
side "$2" b &
g++ -O3 -DNDEBUG -march=native -std=gnu++20 -I"$root/include" -c "$root/benchmarks/extract/ab/main.cpp" -o "$out/main.o"
wait %1 && wait %2
g++ "$out/main.o" "$out/variant_a.o" "$out/variant_b.o" -o "$out/extract_ab"
/usr/bin/python3 - "$out" "$root/scripts" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import numpy as np
from compare_extract import make_stacks
rng = np.random.default_rng(1)
for n in (50, 100):
    cos, dots = make_stacks(rng, 200, n)
    np.save(f"{sys.argv[1]}/cos{n}.npy", cos)
    np.save(f"{sys.argv[1]}/dot{n}.npy", dots)
PY
echo "# A = $1, B = $2, $rounds rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for method in softmax32 softmax argmax itermax; do
  stack=dot; case $method in argmax|itermax) stack=cos;; esac
  for n in 50 100; do
    hot=$(( n == 50 ? 26 : 6 ))  # 512 KiB of double matrices
    "$out/extract_ab" $method "$out/$stack$n.npy" 0 "$rounds"
    "$out/extract_ab" $method "$out/$stack$n.npy" $hot "$rounds"
  done
done
