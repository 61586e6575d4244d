#!/usr/bin/env bash
# Wall time, CPU time and peak memory of `lexalign align` on the bundled Bible
# corpus (30,856 verse pairs), both directions + grow-diag-final-and in one call.
#   scripts/em_timing.sh [THREADS...]        default: 1 2
#   LEXALIGN=path/to/lexalign scripts/em_timing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${LEXALIGN:-}" ]]; then
  scripts/setup.sh
  build=build/demo
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF \
    -DLEXALIGN_BUILD_EXAMPLES=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
  cmake --build "$build" --target lexalign_cli -j "$(nproc)" >/dev/null
  LEXALIGN="$build/tools/lexalign/lexalign"
fi
threads=("$@")
[[ ${#threads[@]} -eq 0 ]] && threads=(1 2)
bible=data/bible/kjv-rv1909
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s  %7s  %9s  %9s  %8s\n' model threads wall_s cpu_s peak_MiB
for t in "${threads[@]}"; do
  for m in "hmm|--model hmm" "ibm1|--model ibm1" "fast_align|--model fast_align"; do
    name=${m%%|*} flags=${m#*|}
    # shellcheck disable=SC2086
    /usr/bin/time -v "$LEXALIGN" align --source "$bible.en" --target "$bible.es" $flags \
      --symmetrize grow-diag-final-and --threads "$t" --quiet > "$tmp/out" 2> "$tmp/time"
    wall=$(awk -F': ' '/Elapsed/ { n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$tmp/time")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$tmp/time")
    mem=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$tmp/time")
    printf '%-28s  %7s  %9s  %9s  %8s\n' "$name" "$t" "$wall" "$cpu" "$mem"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
