#!/usr/bin/env bash
# The core and serve unit tests under ThreadSanitizer (issue 17), in build-tsan/:
#   scripts/tsan.sh [GTEST_FILTER]
# Reports inside libraries built without TSan (gRPC, protobuf, libtorch), whose atomics TSan
# cannot see, are suppressed by .ci/tsan.supp; every suppression there names its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-*}"
cmake -S . -B build-tsan -G Ninja -DGLET_TSAN=ON -DGLET_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
cmake --build build-tsan -j2 --target core_tests serve_tests
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/.ci/tsan.supp"
status=0
for t in core_tests serve_tests; do
  echo "== $t under ThreadSanitizer"
  build-tsan/tests/$t --gtest_filter="$filter" --gtest_brief=1 || status=1
done
exit $status
