#!/usr/bin/env bash
# Builds cpy2py-run with warnings as errors into build/ and runs every test (CTest), then
# checks that an installed copy finds its bootstrap files, then replays the manifest
# fuzzer's seed inputs and fuzzes the parser for a minute (scripts/fuzz.sh). Exits non-zero
# on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CPY2PY_BUILD_DIR:-build}"  # build directory (default build/)

./scripts/build.sh -DCPY2PY_WERROR=ON
ctest --test-dir "$build" --output-on-failure -j2

# Install smoke test: binary, bootstrap files and man page land in the prefix, and the
# installed binary finds its bootstrap files relative to itself.
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -f "$prefix/share/man/man1/cpy2py-run.1"
test -f "$prefix/share/cpy2py/bootstrap/cpy2py_twin.py"
check_output="$(cd "$prefix" && "$prefix/bin/cpy2py-run" --no-manifest --check)"
grep -qx "bootstrap:  $prefix/share/cpy2py/bootstrap" <<<"$check_output"
echo "install smoke test: ok"

# The manifest parser under libFuzzer with ASan/UBSan (its own build dir): every seed input
# once (the earlier findings among them), then a minute of exploring from a fixed seed.
CPY2PY_FUZZ_REPLAY=1 ./scripts/fuzz.sh
./scripts/fuzz.sh
