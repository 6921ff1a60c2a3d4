#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into $CPY2PY_FUZZ_BUILD_DIR (default build-fuzz/)
# and runs the manifest fuzzer for $CPY2PY_FUZZ_SECONDS (default 60) from the seed corpus
# tests/fuzz/corpus/ (scripts/test.sh runs it so, after CPY2PY_FUZZ_REPLAY=1). New
# interesting inputs go to a scratch corpus, not into the source tree; a crash leaves its
# input as <build>/crash-* and makes this script fail (add it to the corpus once fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CPY2PY_FUZZ_BUILD_DIR:-build-fuzz}"
seconds="${CPY2PY_FUZZ_SECONDS:-60}"
# A fixed seed and a bound on runs make the run repeatable: CI explores the same inputs (or
# a prefix of them on a slower machine) as the run that was checked before committing.
# CPY2PY_FUZZ_SEED=0 lets libFuzzer pick a new seed each time, for exploring by hand.
seed="${CPY2PY_FUZZ_SEED:-1}"
runs="${CPY2PY_FUZZ_RUNS:-1000000}"

./scripts/setup-debian.sh
generator=()
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build" "${generator[@]}" -DCPY2PY_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target manifest_fuzz -j"$(nproc)"

if [ "${CPY2PY_FUZZ_REPLAY:-0}" = 1 ]; then
  # Regression only: every seed (the fuzzer's earlier findings among them) once, repeatable.
  "$build/tests/fuzz/manifest_fuzz" tests/fuzz/corpus/*
  echo "fuzz: manifest parser replayed $(ls tests/fuzz/corpus | wc -l) seed inputs without a finding"
  exit 0
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$build/tests/fuzz/manifest_fuzz" -seed="$seed" -runs="$runs" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$build/" "$scratch" tests/fuzz/corpus
echo "fuzz: manifest parser ran (seed ${seed}, at most ${runs} inputs or ${seconds} s) without a finding"
