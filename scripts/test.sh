#!/usr/bin/env bash
# Sets up, builds and runs all of lexalign's tests.
#   scripts/test.sh               the full suite (unit, header, compile-fail, packaging)
#   scripts/test.sh --sanitize    the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh --xsimd       the tests that use xtensor (core, ot, two examples)
#                                 with XTENSOR_USE_XSIMD
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

build=build/test
# -g1 (line tables only) keeps backtraces readable and compiles about a third
# faster than full -g on these template-heavy tests.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
       -DLEXALIGN_BUILD_TESTS=ON -DLEXALIGN_BUILD_EXAMPLES=ON)
labels=()
targets=()
selection=()
case "${1:-}" in
  --sanitize)
    build=build/sanitize
    # -O0 compiles the instrumented tests about 2.5x faster than -O1; the
    # tests still finish in well under a minute.  _GLIBCXX_ASSERTIONS adds
    # bounds checks to the standard containers.
    # The -march=native copies of the extract and ot tests (LEXALIGN_TEST_NATIVE),
    # which exist to run the AVX-512 branches, run in the normal build only:
    # compiling them again at -O0 under the sanitizers would add minutes to CI.
    # The compile-only header checks and the packaging tests (which configure,
    # build and install their own copies of the project, without sanitizers)
    # do not depend on these flags: they run in the normal build only.  The
    # examples (46 programs, some of them minutes of real-data runs at -O0
    # under the sanitizers) also run in the normal build only: the library
    # code they call is what the unit tests run here.  This keeps CI (all
    # three builds) under 30 minutes on 2 cores.
    flags+=(-DLEXALIGN_SANITIZE=ON -DLEXALIGN_TEST_NATIVE=OFF -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1"
            -DCMAKE_CXX_FLAGS=-D_GLIBCXX_ASSERTIONS -DLEXALIGN_HEADER_TESTS=OFF -DLEXALIGN_PACKAGING_TESTS=OFF
            -DLEXALIGN_BUILD_EXAMPLES=OFF)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
  --xsimd)
    build=build/xsimd
    flags+=(-DLEXALIGN_USE_XSIMD=ON -DLEXALIGN_PACKAGING_TESTS=OFF "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
    # XTENSOR_USE_XSIMD changes only code that includes xtensor: the core and
    # OT tests and two examples.  Build and run those (the rest is the same
    # code as the first build, and this keeps CI short).
    targets=(--target test_core test_ot example_xtensor_input example_custom_tensor)
    selection=(-R '^(core|ot)[.]|^example[.](xtensor_input|custom_tensor)$')
    ;;
  "") ;;
  *) echo "usage: $0 [--sanitize|--xsimd]" >&2; exit 2 ;;
esac

# Distributed EM under mpirun (tests/mpi) when Open MPI is installed
# (scripts/setup.sh --mpi installs it); off otherwise, and in the xsimd build
# (nothing there differs for MPI: this keeps CI short).
if [[ "${1:-}" != --xsimd ]] && command -v mpirun >/dev/null 2>&1 && command -v mpicxx >/dev/null 2>&1; then
  flags+=(-DLEXALIGN_WITH_MPI=ON)
else
  flags+=(-DLEXALIGN_WITH_MPI=OFF)
fi

jobs=$(nproc)
cmake -S . -B "$build" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$build" -j "$jobs" "${targets[@]}"
ctest --test-dir "$build" -j "$jobs" --output-on-failure "${selection[@]}"
