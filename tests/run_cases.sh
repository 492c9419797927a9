#!/bin/sh
# run_cases.sh - text cases. Each directory tests/cases/GROUP/NAME/ holds:
#   cmd       a shell command, run in that directory, with $CARSC, $CARSVM,
#             $ROOT (the repository) and $TMP (a fresh scratch directory)
#   expected  the exact expected output (stdout then stderr, as `2>&1`)
#   status    the expected exit status (default 0)
# Prints one line per failure (with a diff) and ends with "N passed, N failed".
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CARSC="$BUILD/carsc"; CARSVM="$BUILD/carsvm"
export ROOT CARSC CARSVM BUILD
pass=0; fail=0
for dir in $(find "$ROOT/tests/cases" -name cmd -type f | sort | xargs -n1 dirname); do
  name=${dir#"$ROOT/tests/cases/"}
  want_status=0; [ -f "$dir/status" ] && want_status=$(cat "$dir/status")
  TMP=$(mktemp -d); export TMP
  out=$(cd "$dir" && sh ./cmd 2>&1); status=$?
  if [ "$status" != "$want_status" ]; then
    echo "FAIL $name: exit status $status, expected $want_status"; printf '%s\n' "$out" | head -20
    fail=$((fail+1))
  elif [ -f "$dir/expected" ] && [ "$out" != "$(cat "$dir/expected")" ]; then
    echo "FAIL $name: output differs"
    printf '%s\n' "$out" > "$TMP/actual"; diff "$dir/expected" "$TMP/actual" | head -30
    fail=$((fail+1))
  else
    pass=$((pass+1))
  fi
  rm -rf "$TMP"
done
echo "cases: $pass passed, $fail failed"
[ "$fail" = 0 ]
