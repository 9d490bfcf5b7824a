#!/usr/bin/env bash
# Installs, with apt-get, every Debian 12 package portico needs to build, run and test.
# Packages already present are skipped, so this is cheap on a machine that has them.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  librocksdb-dev libflatbuffers-dev flatbuffers-compiler
  librdkafka-dev libspdlog-dev libsodium-dev libmimalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  kcat
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
