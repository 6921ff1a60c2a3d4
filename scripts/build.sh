#!/usr/bin/env bash
# Installs the build dependencies and configures + builds cpy2py-run into $CPY2PY_BUILD_DIR
# (default build/). Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CPY2PY_BUILD_DIR:-build}"  # build directory (default build/)

./scripts/setup-debian.sh

generator=()
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build" "${generator[@]}" "$@"
cmake --build "$build" -j"$(nproc)"
