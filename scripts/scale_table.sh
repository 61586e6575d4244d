#!/usr/bin/env bash
# The scale table of docs/scale.md ("Measured at scale"): a synthetic corpus
# of PAIRS pairs sampled from a model trained on the bundled Bible, then
# lexalign IBM1 2 + HMM 2 (both directions, decoded) on 1 process, 2 and 4
# MPI ranks (plain and --shard-table, with and without rounds), fast_align
# and eflomal on the same pairs, back to back.  Prints CPU seconds per
# iteration (rank 0), total CPU (user + system), peak RSS per rank, table
# bytes, and whether every distributed run wrote --serial's alignments.
#
#   scripts/scale_table.sh BUILD_DIR PAIRS WORKDIR [FAST_ALIGN EFLOMAL]
#
# BUILD_DIR: a Release build with -DLEXALIGN_WITH_MPI=ON (lexalign, lexalign-mpi).
# WORKDIR keeps the corpora (PAIRS x ~240 bytes for the .lxc, twice that as text)
# and logs.  NICE (default 19) is the niceness of every run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: $0 BUILD_DIR PAIRS WORKDIR [FAST_ALIGN EFLOMAL]}
pairs=${2:?pairs}
work=${3:?workdir}
fa=${4:-}
ef=${5:-}
root=$(pwd)
B=$root/$build/tools/lexalign/lexalign
M=$root/$build/tools/lexalign-mpi/lexalign-mpi
D=$root/data/bible
N=(nice -n "${NICE:-19}")
MPI=(mpirun --allow-run-as-root --oversubscribe --mca btl "self,vader")
mkdir -p "$work"
cd "$work"
[ -f bible.model ] || "${N[@]}" "$B" corpus generate --source "$D/kjv-rv1909.en" --target "$D/kjv-rv1909.es" \
  --save-model bible.model --pairs 1 --output bible-sample.lxc >/dev/null
"${N[@]}" "$B" corpus generate --source "$D/kjv-rv1909.en" --target "$D/kjv-rv1909.es" --model-file bible.model \
  --pairs "$pairs" --output syn.lxc --text-source syn.src --text-target syn.tgt
summary() { grep -E "lexalign-mpi: (em|rank|forward|reverse|done)|Maximum res|User time|System time" "$1" || true; }
run() {
  name=$1
  shift
  echo "== $name $(date -u +%T) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -v "$@" >"$name.out" 2>"$name.log"
  summary "$name.log"
}
L="--corpus syn.lxc --no-verify --ibm1-iterations 2 --hmm-iterations 2"
# shellcheck disable=SC2086  # $L: several options
{
  run serial "${N[@]}" "$M" --serial $L --forward serial.fwd --reverse serial.rev
  run np2 "${N[@]}" "${MPI[@]}" -np 2 "$M" $L --forward np2.fwd --reverse np2.rev
  run np4 "${N[@]}" "${MPI[@]}" -np 4 "$M" $L --forward np4.fwd --reverse np4.rev
  run np2shard "${N[@]}" "${MPI[@]}" -np 2 "$M" $L --shard-table --forward np2shard.fwd --reverse np2shard.rev
  run np4shard "${N[@]}" "${MPI[@]}" -np 4 "$M" $L --shard-table --forward np4shard.fwd --reverse np4shard.rev
  run np4rounds "${N[@]}" "${MPI[@]}" -np 4 "$M" $L --shard-table --round-pairs 8192 --forward np4rounds.fwd --reverse np4rounds.rev
}
for x in np2 np4 np2shard np4shard np4rounds; do
  for d in fwd rev; do
    if cmp -s "serial.$d" "$x.$d"; then echo "identical to --serial: $x.$d"; else echo "DIFFERENT from --serial: $x.$d"; fi
  done
done
if [ -n "$fa" ]; then
  paste -d'|' syn.src syn.tgt | sed 's/|/ ||| /' >syn.fa
  run fast_align-forward "${N[@]}" "$fa" -i syn.fa -d -o -v -I 2
  run fast_align-reverse "${N[@]}" "$fa" -i syn.fa -d -o -v -r -I 2
fi
if [ -n "$ef" ]; then
  for side in src tgt; do  # eflomal's numbered input, as its Python front end writes it
    python3 - "syn.$side" "syn.$side.ef" <<'PY'
import sys
index, sents = {}, []
for line in open(sys.argv[1], encoding='utf-8'):
    sents.append([index.setdefault(w, len(index)) for w in line.split()])
with open(sys.argv[2], 'w') as f:
    f.write('%d %d\n' % (len(sents), len(index) + 1))
    for s in sents:
        f.write(' '.join([str(len(s))] + [str(t) for t in s]) + '\n')
PY
  done
  run eflomal "${N[@]}" "$ef" -s syn.src.ef -t syn.tgt.ef -f ef.fwd -r ef.rev -m 2 -n 1 -1 2 -2 2 -3 0
fi
