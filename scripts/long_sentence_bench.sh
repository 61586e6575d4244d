#!/usr/bin/env bash
# Issue 11, item 3: one long synthetic sentence pair (scripts/gen_long_pair.py,
# tokens drawn from the roen vocabulary) appended to the bundled roen gold set,
# aligned by `lexalign align` with the default model (IBM1 x5, HMM x5,
# posterior decoding) on one thread.  Prints wall time, CPU time (user +
# system: what the run needs on an idle machine) and peak memory.
#
#   scripts/long_sentence_bench.sh [N...]     pair lengths, default 5000
#   TIMEOUT=120 scripts/long_sentence_bench.sh 2000   give up after 120 s
#   GLUE=1 ...                                glued roen sentences instead of random draws
#   LEXALIGN=path/to/lexalign ...             use an already built command
#   EXTRA="--symmetrize grow-diag-final-and"  more align flags (both directions)
#
# Builds the command in build/rel (Release) unless LEXALIGN is set, and finds
# it wherever it is (examples/cli/ or tools/lexalign/).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${LEXALIGN:-}" ]]; then
  build=build/rel
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF \
    -DLEXALIGN_BUILD_EXAMPLES=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
  cmake --build "$build" --target lexalign_cli -j 2 >/dev/null 2>&1 ||
    cmake --build "$build" --target lexalign -j 2 >/dev/null
  for c in "$build/tools/lexalign/lexalign" "$build/examples/cli/lexalign"; do
    if [[ -x "$c" ]]; then LEXALIGN=$c; break; fi
  done
  [[ -n "${LEXALIGN:-}" ]] || { echo "no lexalign binary under $build" >&2; exit 1; }
fi
lengths=("$@")
[[ ${#lengths[@]} -eq 0 ]] && lengths=(5000)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timer=()
[[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f "%e %M %U %S")
echo "command: $LEXALIGN align --source roen+long.src --target roen+long.tgt --threads 1 --quiet ${EXTRA:-}"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s  %9s  %9s  %9s\n' pair_len wall_s cpu_s peak_MiB
for n in "${lengths[@]}"; do
  python3 scripts/gen_long_pair.py "$n" "$tmp/long.src" "$tmp/long.tgt" ${GLUE:+--glue}
  cat data/gold/roen.src "$tmp/long.src" > "$tmp/in.src"
  cat data/gold/roen.tgt "$tmp/long.tgt" > "$tmp/in.tgt"
  start=$(date +%s.%N)
  rc=0
  # shellcheck disable=SC2086
  timeout "${TIMEOUT:-600}" "${timer[@]}" "$LEXALIGN" align --source "$tmp/in.src" --target "$tmp/in.tgt" \
    --threads 1 --quiet ${EXTRA:-} > "$tmp/out" 2> "$tmp/err" || rc=$?
  end=$(date +%s.%N)
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  mem=- cpu=-
  if [[ ${#timer[@]} -gt 0 && $rc -eq 0 ]]; then
    mem=$(tail -1 "$tmp/err" | awk '{ printf "%.0f", $2 / 1024 }')
    cpu=$(tail -1 "$tmp/err" | awk '{ printf "%.1f", $3 + $4 }')
  fi
  if [[ $rc -eq 124 ]]; then wall=">${TIMEOUT:-600} (timeout)"; fi
  if [[ $rc -ne 0 && $rc -ne 124 ]]; then cat "$tmp/err" >&2; exit "$rc"; fi
  printf '%8s  %9s  %9s  %9s\n' "$n" "$wall" "$cpu" "$mem"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
