#!/bin/sh
# run.sh - the serve integration tests: each tests/serve/test_*.sh runs the
# real carsvm serve on a loopback port with curl (and small python3 socket
# clients for the faults curl cannot make). Usage: run.sh BUILD_DIR
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CARSC="$BUILD/carsc"; CARSVM="$BUILD/carsvm"
export ROOT BUILD CARSC CARSVM
command -v curl >/dev/null || { echo "serve tests need curl (make deps installs it)"; exit 1; }
command -v python3 >/dev/null || { echo "serve tests need python3"; exit 1; }
pass=0; failed=0
for t in "$ROOT"/tests/serve/test_*.sh; do
  T=$(mktemp -d); export T
  start=$(date +%s)
  if out=$(sh -c ". '$ROOT/tests/serve/lib.sh'; . '$t'" 2>&1); then
    pass=$((pass+1)); echo "serve: $(basename "$t") passed ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed+1)); echo "FAIL serve: $(basename "$t")"; printf '%s\n' "$out" | tail -25
  fi
  # a test that failed may leave its server: end it (its own pid only)
  for p in $(cat "$T"/*.pid 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
done
echo "serve: $pass passed, $failed failed"
[ "$failed" = 0 ]
