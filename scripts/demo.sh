#!/usr/bin/env bash
# Installs the build dependencies, builds cpy2py-run (Release) into build/ and runs the demo:
# examples/demo.py in python3, calling into a PyPy twin ('pypy') and a CPython twin ('cpython').
set -euo pipefail
cd "$(dirname "$0")/.."
build="${CPY2PY_BUILD_DIR:-build}"  # build directory (default build/)

./scripts/build.sh -DCMAKE_BUILD_TYPE=Release

if [ ! -f examples/demo.py ]; then
  echo "demo: examples/demo.py is missing" >&2
  exit 1
fi
twins=(--twin pypy=pypy3 --twin cpython=python3)
echo
echo "== cpy2py-run --check ${twins[*]} examples/demo.py"
"$build/cpy2py-run" --no-manifest --check "${twins[@]}" examples/demo.py
echo
echo "== cpy2py-run ${twins[*]} examples/demo.py"
exec "$build/cpy2py-run" --no-manifest "${twins[@]}" examples/demo.py "$@"
