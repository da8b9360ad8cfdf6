#!/usr/bin/env bash
# Clang's thread-safety analysis (-Wthread-safety) over glet's sources, as errors: every member
# annotated GLET_GUARDED_BY must be accessed under its mutex, every GLET_REQUIRES honoured
# (core/mutex.h). A syntax-only pass with the flags of the gcc build (build/compile_commands.json),
# so it needs `scripts/setup.sh` first and no second build. Files under src/model/ (torch) are
# skipped. Usage: scripts/check_thread_safety.sh [FILE...]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${GLET_BUILD_DIR:-build}/compile_commands.json
[ -f "$db" ] || { echo "check_thread_safety: $db missing (run scripts/setup.sh)" >&2; exit 2; }
/usr/bin/python3 - "$db" "$@" <<'PY'
import json, os, shlex, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
db, only = sys.argv[1], set(os.path.abspath(f) for f in sys.argv[2:])
root = os.getcwd() + "/src/"
jobs = []
for e in json.load(open(db)):
    f = e["file"]
    if not f.startswith(root) or "/src/model/" in f or (only and f not in only):
        continue
    args = shlex.split(e["command"])[1:]
    keep, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-c"):
            skip = True
            continue
        if a.startswith("-O") or a == "-Wno-restrict":
            continue
        keep.append(a)
    jobs.append((f, ["clang++", "-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety",
                     "-Wno-unknown-warning-option"] + keep + [f]))
def run(job):
    f, cmd = job
    p = subprocess.run(cmd, cwd=os.path.dirname(db), capture_output=True, text=True)
    return f, p.returncode, p.stderr
bad = 0
with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    for f, rc, err in pool.map(run, jobs):
        if rc != 0:
            bad += 1
            sys.stderr.write(err)
print(f"check_thread_safety: {len(jobs)} files, {bad} with findings")
sys.exit(1 if bad else 0)
PY
