#!/usr/bin/env bash
# Renders an alignment-matrix page (io/alignment_html.hpp, docs/show.md) with
# Debian's headless Chromium to a PNG: the default model trained forward on a
# bundled gold set, chosen pairs compared with the gold links.
#
#   scripts/render_show.sh [OUT.png [SET [ID...]]]
#       default: docs/img/show_enfr.png, enfr pairs 21 77 (enfr has sure and possible gold links)
#   WIDTH=... HEIGHT=... scripts/render_show.sh ...   the window (default 760 x 1000)
#
# Builds example_show_alignments in build/rel (Release).  Needs chromium
# (scripts/setup.sh --peers installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/img/show_enfr.png}
set=${2:-enfr}
shift 2 || shift $# || true
ids=("$@")
[[ ${#ids[@]} -eq 0 ]] && ids=(21 77)
command -v chromium >/dev/null || { echo "render_show.sh: chromium is missing (scripts/setup.sh --peers)" >&2; exit 1; }
build=build/rel
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEXALIGN_BUILD_TESTS=OFF \
  -DLEXALIGN_BUILD_EXAMPLES=ON -DLEXALIGN_PACKAGING_TESTS=OFF >/dev/null
cmake --build "$build" --target example_show_alignments -j 2 >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/examples/example_show_alignments" "$tmp/show.html" "$set" "${ids[@]}" >/dev/null
if command -v xmllint >/dev/null; then xmllint --noout "$tmp/show.html"; fi
mkdir -p "$(dirname "$out")"
# A tall window: every matrix of the page, one under the other.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --screenshot="$PWD/$out" --window-size="${WIDTH:-760},${HEIGHT:-1000}" "file://$tmp/show.html" 2>/dev/null
echo "wrote $out"
