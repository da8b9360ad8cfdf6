#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ with clang (ASan + UBSan) in build-fuzz and runs each for
# SECONDS (default 60) from its seed corpus in fuzz/corpus/<name>/. New inputs the fuzzer finds go
# to a scratch corpus under build-fuzz (the seeds in the repository are not changed). A crash,
# a hang (a run over 10 s), a leak or undefined behaviour fails the script and leaves the input
# in build-fuzz/artifacts/.
#   scripts/fuzz.sh [SECONDS] [NAME...]
# With FUZZ_RUNS=N each harness stops after N inputs, or SECONDS, whichever comes first
# (FUZZ_RUNS=1000000 scripts/fuzz.sh 1200: a million inputs per parser).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
CXX=${FUZZ_CXX:-clang++} cmake -S fuzz -B build-fuzz -G Ninja >/dev/null
cmake --build build-fuzz -j2
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=($(ls fuzz/corpus))
fi
mkdir -p build-fuzz/artifacts
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for name in "${names[@]}"; do
  scratch=build-fuzz/corpus/$name
  mkdir -p "$scratch"
  echo "== fuzz $name (${seconds} s)"
  # -rss_limit_mb: a parser must not need more than this on any input.
  log=build-fuzz/$name.log
  rc=0
  build-fuzz/${name}_fuzz "$scratch" "fuzz/corpus/$name" -max_total_time="$seconds" \
    ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -timeout=10 -rss_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/artifacts/${name}- >"$log" 2>&1 || rc=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*ERROR: )" "$log" ||
    true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz: $name failed (exit $rc; the input is in build-fuzz/artifacts/, the log in $log)" >&2
    exit 1
  fi
done
echo "fuzz: every harness ran ${FUZZ_RUNS:+up to $FUZZ_RUNS inputs or }${seconds} s without a finding"
