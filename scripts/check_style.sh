#!/usr/bin/env bash
# Style gates run by CI: clang-format (Google, 100 columns) on every C++ file, and the layer rule
# of DESIGN.md: a src/ folder includes only folders at or below its layer, and only src/model/
# includes torch headers.
set -euo pipefail
cd "$(dirname "$0")/.."

files=$(git ls-files 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' 'bench/*.cpp' 'bench/*.h' 'fuzz/*.cpp')
clang-format --dry-run --Werror $files

layers=(core model device perf sched dag serve client sim cli)
rank() { local i; for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && echo "$i" && return; done; echo -1; }
status=0
for f in $(git ls-files 'src/*.h' 'src/*.cpp'); do
  folder=$(echo "$f" | cut -d/ -f2)
  mine=$(rank "$folder")
  while IFS= read -r inc; do
    dep=$(echo "$inc" | sed -E 's/#include "([a-z_]+)\/.*/\1/')
    theirs=$(rank "$dep")
    if [ "$theirs" -gt "$mine" ]; then
      echo "layering: $f includes $dep/ (a higher layer than $folder/)"; status=1
    fi
  done < <(grep -E '^#include "[a-z_]+/' "$f" || true)
  if [ "$folder" != "model" ] && grep -qE '^#include <(torch|ATen|c10)/' "$f"; then
    echo "layering: $f includes torch headers (only src/model/ may)"; status=1
  fi
done
exit $status
