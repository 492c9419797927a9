#!/bin/sh
# run.sh - the serve integration tests: each tests/serve/test_*.sh runs the
# real carsvm serve on a loopback port with curl (and small python3 socket
# clients for the faults curl cannot make). Usage: run.sh BUILD_DIR
# JOBS tests at a time (default: the number of cores): each has its own
# scratch directory and its server its own port (chosen by the kernel);
# their reports are printed in the tests' order.

# run.sh --one R N (ROOT, BUILD, CARSC, CARSVM exported by the run that
# starts it): the N-th test of R/list; R/N.out gets its line (and on
# failure the end of its output); exit status 0 whether it passed or not.
if [ "${1:-}" = --one ]; then
  t=$(sed -n "$3p" "$2/list"); rep="$2/$3.out"
  T=$(mktemp -d); export T
  start=$(date +%s)
  if out=$(sh -c ". '$ROOT/tests/serve/lib.sh'; . '$t'" 2>&1); then
    echo "serve: $(basename "$t") passed ($(( $(date +%s) - start )) s)" > "$rep"
  else
    { echo "FAIL serve: $(basename "$t")"; printf '%s\n' "$out" | tail -25; } > "$rep"
  fi
  # a test that failed may leave its server: end it (its own pid only)
  for p in $(cat "$T"/*.pid 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$T"
  exit 0
fi

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CARSC="$BUILD/carsc"; CARSVM="$BUILD/carsvm"
export ROOT BUILD CARSC CARSVM
command -v curl >/dev/null || { echo "serve tests need curl (make deps installs it)"; exit 1; }
command -v python3 >/dev/null || { echo "serve tests need python3"; exit 1; }
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
for t in "$ROOT"/tests/serve/test_*.sh; do echo "$t"; done > "$R/list"
seq 1 "$(wc -l < "$R/list")" | xargs -P "$JOBS" -n1 sh "$0" --one "$R"
pass=0; failed=0; i=0
while read -r t; do
  i=$((i + 1))
  cat "$R/$i.out" 2>/dev/null || echo "FAIL serve: $(basename "$t") left no report"
  if grep -q '^serve: .* passed' "$R/$i.out" 2>/dev/null; then pass=$((pass+1)); else failed=$((failed+1)); fi
done < "$R/list"
echo "serve: $pass passed, $failed failed"
[ "$failed" = 0 ]
