#!/bin/sh
# run_cases.sh - text cases. Each directory tests/cases/GROUP/NAME/ holds:
#   cmd       a shell command, run in that directory, with $CARSC, $CARSVM,
#             $ROOT (the repository) and $TMP (a fresh scratch directory)
#   expected  the exact expected output (stdout then stderr, as `2>&1`)
#   status    the expected exit status (default 0)
# Runs JOBS cases at a time (default: the number of cores; each in its own
# $TMP, writing only there or in its own directory). Prints one line per
# failure (with a diff), in the cases' order, and ends with "N passed, N
# failed".
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CARSC="$BUILD/carsc"; CARSVM="$BUILD/carsvm"
export ROOT CARSC CARSVM BUILD

# run_cases.sh --one RES N: the N-th case of RES/list; RES/N (five digits)
# gets "pass" or the failure.
if [ "${1:-}" = --one ]; then
  dir=$(sed -n "$3p" "$2/list"); res=$(printf '%s/%05d' "$2" "$3")
  name=${dir#"$ROOT/tests/cases/"}
  want_status=0; [ -f "$dir/status" ] && want_status=$(cat "$dir/status")
  TMP=$(mktemp -d); export TMP
  out=$(cd "$dir" && sh ./cmd 2>&1); status=$?
  if [ "$status" != "$want_status" ]; then
    { echo "FAIL $name: exit status $status, expected $want_status"; printf '%s\n' "$out" | head -20; } > "$res"
  elif [ -f "$dir/expected" ] && [ "$out" != "$(cat "$dir/expected")" ]; then
    printf '%s\n' "$out" > "$TMP/actual"
    { echo "FAIL $name: output differs"; diff "$dir/expected" "$TMP/actual" | head -30; } > "$res"
  else
    echo pass > "$res"
  fi
  rm -rf "$TMP"
  exit 0
fi

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
RES=$(mktemp -d)
trap 'rm -rf "$RES"' EXIT
find "$ROOT/tests/cases" -name cmd -type f | sort | xargs -n1 dirname > "$RES/list"
n=$(wc -l < "$RES/list")
seq 1 "$n" | xargs -P "$JOBS" -n1 sh "$0" --one "$RES"
pass=0; fail=0; i=0
while [ $i -lt $n ]; do
  i=$((i + 1)); f=$(printf '%s/%05d' "$RES" $i)
  if [ "$(cat "$f" 2>/dev/null)" = pass ]; then pass=$((pass+1)); else fail=$((fail+1)); cat "$f" 2>/dev/null || echo "FAIL: case $i left no result"; fi
done
echo "cases: $pass passed, $fail failed"
[ "$fail" = 0 ]
