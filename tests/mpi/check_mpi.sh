#!/bin/sh
# The distributed tests under mpirun (tests/mpi/CMakeLists.txt runs them with
# -DLEXALIGN_WITH_MPI=ON): loopback only, oversubscribed, every run under a
# timeout, so that a hang fails the test instead of blocking CI.
#
#   check_mpi.sh identical TOOL CLI MPIRUN NP MODEL WORKDIR DATADIR
#       lexalign-mpi on NP ranks (corpus file; with NP 2 also text input) writes the same
#       model file and alignments, byte for byte, as lexalign-mpi --serial
#       (em::train + em::align on one process)
#   check_mpi.sh identical ... DATADIR EXTRA
#       the same with EXTRA options for the distributed runs (e.g. --shard-table)
#   check_mpi.sh bayes TOOL CLI MPIRUN NP bayes WORKDIR DATADIR
#       the approximate distributed Gibbs sampler: -np 1 writes what --serial
#       (one process) writes; -np NP twice with one seed writes the same
#       alignments (deterministic per seed and rank count)
#   check_mpi.sh train_only TOOL CLI MPIRUN NP MODEL WORKDIR DATADIR [EXTRA]
#       --no-align on NP ranks saves the model --serial saves, and refuses
#       --forward (nothing would be written)
#   check_mpi.sh failure|signal TOOL CLI MPIRUN NP MODEL WORKDIR DATADIR
#       rank 1 fails (an error / SIGABRT): the job exits non-zero, promptly,
#       naming the rank
set -eu
mode=$1 tool=$2 cli=$3 mpirun=$4 np=$5 model=$6 work=$7 data=$8 extra=${9:-}
rm -rf "$work"
mkdir -p "$work"
# Open MPI's own allocations are not ours to check (sanitizer builds).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_rmaps_base_oversubscribe=1
run_mpi() {
  n=$1
  shift
  timeout 120 "$mpirun" --allow-run-as-root --oversubscribe -np "$n" "$@"
}
src=$data/gold/enfr.src tgt=$data/gold/enfr.tgt
"$cli" corpus build --source "$src" --target "$tgt" --output "$work/c.lxc" >/dev/null
common="--model $model --ibm1-iterations 2 --hmm-iterations 2 --fast-align-iterations 2 --block-size 16 --quiet"
case $mode in
identical)
  # shellcheck disable=SC2086
  timeout 120 "$tool" --corpus "$work/c.lxc" --serial $common \
    --forward "$work/s.fwd" --reverse "$work/s.rev" --save-model "$work/s.model"
  # shellcheck disable=SC2086
  run_mpi "$np" "$tool" --corpus "$work/c.lxc" $common $extra \
    --forward "$work/d.fwd" --reverse "$work/d.rev" --save-model "$work/d.model"
  for f in fwd rev model; do
    test -s "$work/s.$f"
    cmp "$work/s.$f" "$work/d.$f"
  done
  if [ "$np" -eq 2 ]; then  # text input read by every rank, two threads per rank
    # shellcheck disable=SC2086
    run_mpi "$np" "$tool" --source "$src" --target "$tgt" $common $extra --threads 2 \
      --forward "$work/t.fwd" --reverse "$work/t.rev" --save-model "$work/t.model"
    for f in fwd rev model; do cmp "$work/s.$f" "$work/t.$f"; done
  fi
  echo "identical: $model $extra on $np ranks (model, forward and reverse alignments)"
  ;;
bayes)
  gibbs="--model bayes --seed 5 --samplers 2 --ibm1-sweeps 1 --hmm-sweeps 1 --fertility-sweeps 2 --block-size 32 --quiet"
  # shellcheck disable=SC2086
  timeout 120 "$tool" --corpus "$work/c.lxc" --serial $gibbs --forward "$work/s.fwd" --reverse "$work/s.rev"
  # shellcheck disable=SC2086
  run_mpi 1 "$tool" --corpus "$work/c.lxc" $gibbs --forward "$work/one.fwd" --reverse "$work/one.rev"
  for f in fwd rev; do cmp "$work/s.$f" "$work/one.$f"; done
  for run in a b; do
    # shellcheck disable=SC2086
    run_mpi "$np" "$tool" --corpus "$work/c.lxc" $gibbs --forward "$work/$run.fwd" --reverse "$work/$run.rev"
  done
  for f in fwd rev; do
    test -s "$work/a.$f"
    cmp "$work/a.$f" "$work/b.$f"
  done
  test "$(wc -l <"$work/a.fwd")" -eq "$(wc -l <"$src")"
  echo "bayes: -np 1 = one process; -np $np deterministic"
  ;;
failure | signal)
  extra=""
  if [ "$mode" = signal ]; then extra=--fail-by-signal; fi
  set +e
  # shellcheck disable=SC2086
  run_mpi "$np" "$tool" --corpus "$work/c.lxc" $common --fail-on-rank 1 $extra >"$work/out" 2>&1
  status=$?
  set -e
  cat "$work/out"
  if [ "$status" -eq 0 ]; then echo "FAIL: the job succeeded"; exit 1; fi
  if [ "$status" -eq 124 ]; then echo "FAIL: the job hung (timeout)"; exit 1; fi
  if [ "$mode" = failure ]; then
    grep -q "lexalign-mpi: rank 1 of $np: injected failure (--fail-on-rank)" "$work/out"
  else
    grep -q "process rank 1 .*exited on signal" "$work/out"
  fi
  echo "failed cleanly with status $status"
  ;;
train_only)
  # shellcheck disable=SC2086
  timeout 120 "$tool" --corpus "$work/c.lxc" --serial $common --no-align --save-model "$work/s.model"
  # shellcheck disable=SC2086
  run_mpi "$np" "$tool" --corpus "$work/c.lxc" $common $extra --no-align --save-model "$work/d.model"
  test -s "$work/s.model"
  cmp "$work/s.model" "$work/d.model"
  set +e
  # shellcheck disable=SC2086
  timeout 120 "$tool" --corpus "$work/c.lxc" --serial $common --no-align --forward "$work/x.fwd" 2>"$work/err"
  status=$?
  set -e
  test "$status" -eq 2
  grep -q -- "--no-align writes no alignment" "$work/err"
  echo "train only: $model $extra on $np ranks (model identical; --forward refused)"
  ;;
*) echo "usage: $0 identical|train_only|bayes|failure|signal ..." >&2; exit 2 ;;
esac
