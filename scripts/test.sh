#!/usr/bin/env bash
# Sets up, builds and runs all of lexalign's tests.
#   scripts/test.sh               the full suite (unit, header, compile-fail, packaging)
#   scripts/test.sh --sanitize    the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh --xsimd       the same with xtensor built with XTENSOR_USE_XSIMD
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

build=build/test
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEXALIGN_BUILD_TESTS=ON -DLEXALIGN_BUILD_EXAMPLES=ON)
labels=()
case "${1:-}" in
  --sanitize)
    build=build/sanitize
    flags+=(-DLEXALIGN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS=-O1)
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ;;
  --xsimd)
    build=build/xsimd
    flags+=(-DLEXALIGN_USE_XSIMD=ON -DLEXALIGN_PACKAGING_TESTS=OFF)
    ;;
  "") ;;
  *) echo "usage: $0 [--sanitize|--xsimd]" >&2; exit 2 ;;
esac

jobs=$(nproc)
cmake -S . -B "$build" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" -j "$jobs" --output-on-failure
