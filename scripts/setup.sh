#!/usr/bin/env bash
# Installs the Debian 12 packages lexalign's build, tests and demo need, when
# they are missing.  Idempotent; uses sudo when not run as root.
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --peers    also the reference tools used by comparison
#                               scripts, fixture generators and experiments
#                               (POT, OpenBLAS, fastText, GNU time) and
#                               Chromium (scripts/render_show.sh)
#   scripts/setup.sh --mpi      also Open MPI (LEXALIGN_WITH_MPI: lexalign-mpi
#                               and its mpirun tests)
set -euo pipefail

packages=(g++ cmake ninja-build python3 xtensor-dev libxsimd-dev xtl-dev libboost-graph-dev catch2 libbenchmark-dev libxml2-utils zlib1g-dev)
if [[ "${1:-}" == "--mpi" ]]; then
  packages+=(openmpi-bin libopenmpi-dev)
fi
if [[ "${1:-}" == "--peers" ]]; then
  packages+=(python3-pot python3-numpy python3-scipy libopenblas0-pthread fasttext time chromium)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "lexalign setup: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
