#!/usr/bin/env bash
# glet set-up on a fresh Debian 12 machine, idempotent and quick when already done:
#   1. installs exactly the Debian packages glet needs (apt-get; only those missing),
#   2. configures and builds (CMake + Ninja, into build/ or $GLET_BUILD_DIR),
#   3. exports the small models of the model zoo to TorchScript under $GLET_HOME/models.
# Larger models are exported on demand: /usr/bin/python3 scripts/export_models.py --models all
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache clang-format git
  libtorch-dev python3-torch python3-torchvision
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  nlohmann-json3-dev libcli11-dev libspdlog-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  openssl
)
SMALL_MODELS="lenet,mobilenet_v2,identity,resnet50"
BUILD_DIR="${GLET_BUILD_DIR:-build}"

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD_DIR" -j "$(nproc)"

/usr/bin/python3 scripts/export_models.py --models "$SMALL_MODELS"
echo "setup: done (binary: $BUILD_DIR/glet, models: ${GLET_HOME:-$HOME/.cache/glet}/models)"
