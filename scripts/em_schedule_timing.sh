#!/usr/bin/env bash
# Time, CPU, peak memory and thread-determinism of `lexalign align --schedule`
# on the bundled Bible corpus (30,856 verse pairs): both directions +
# grow-diag-final-and in one call, 1 and 2 threads, outputs compared byte for
# byte (GIZA++: 780 s on one thread for 1^5 H^5 3^5 4^5 and both directions).
#
#   scripts/em_schedule_timing.sh path/to/lexalign [SCHEDULE ...]   default: 1x5,h5 and 1x5,h5,3x3,4x3
#   THREADS="1 2" KEEP=dir scripts/em_schedule_timing.sh ...           thread counts; keep the outputs in dir
#
# Use a Release build (-O2 or -O3, -DNDEBUG).
set -euo pipefail
cd "$(dirname "$0")/.."
L=${1:?usage: $0 path/to/lexalign [SCHEDULE ...]}
shift
schedules=("$@")
[[ ${#schedules[@]} -eq 0 ]] && schedules=(1x5,h5 1x5,h5,3x3,4x3)
read -r -a threads <<< "${THREADS:-1 2}"
bible=data/bible/kjv-rv1909
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$out"' EXIT
printf '%-22s  %7s  %8s  %8s  %8s  %8s  %s\n' schedule threads wall_s user_s sys_s peak_MiB "load before/after"
for s in "${schedules[@]}"; do
  for t in "${threads[@]}"; do
    before=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v "$L" align --source "$bible.en" --target "$bible.es" --schedule "$s" \
      --symmetrize grow-diag-final-and --threads "$t" --quiet > "$out/$s.t$t" 2> "$out/$s.t$t.time"
    after=$(cut -d' ' -f1 /proc/loadavg)
    wall=$(awk -F': ' '/Elapsed/ { n = split($2, a, ":"); v = 0; for (i = 1; i <= n; i++) v = v * 60 + a[i]; print v }' "$out/$s.t$t.time")
    user=$(awk -F': ' '/User time/ { print $2 }' "$out/$s.t$t.time")
    sys=$(awk -F': ' '/System time/ { print $2 }' "$out/$s.t$t.time")
    mem=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$out/$s.t$t.time")
    printf '%-22s  %7s  %8s  %8s  %8s  %8s  %s\n' "$s" "$t" "$wall" "$user" "$sys" "$mem" "$before/$after"
  done
  for t in "${threads[@]:1}"; do
    if cmp -s "$out/$s.t${threads[0]}" "$out/$s.t$t"; then
      echo "$s: output with $t threads identical to ${threads[0]} thread(s) ($(wc -l < "$out/$s.t$t") lines)"
    else
      echo "$s: output with $t threads DIFFERS from ${threads[0]} thread(s)"
    fi
  done
done
