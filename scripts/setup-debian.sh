#!/usr/bin/env bash
# Installs what cpy2py-run needs to build, test and run its demo on Debian 12.
# Runs apt-get only when a package is missing; uses sudo only when not root.
set -euo pipefail

packages=(
  g++ cmake ninja-build make pkg-config python3 pypy3 python3-numpy
  libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev doctest-dev
  libboost1.81-dev libboost-filesystem1.81-dev
  openssh-server openssh-client iproute2 util-linux  # the remote-twin tests (a throwaway sshd)
  clang libclang-rt-14-dev  # the libFuzzer build (scripts/fuzz.sh)
  python3-pytest  # e2e: a TwinObject in a pytest test module (cpy2py-run -m pytest)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
