#!/bin/sh
# demo_test.sh BUILD - `make demo` (tools/demo.sh) run twice in a row in one
# scratch directory, as a user runs it again: both runs succeed (the second
# builds a release with different bytes, its sealed text having a new
# ephemeral key, under the same sequence), route every record, and give the
# same routing bytes.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cars-demo.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail() { echo "demo-test: $*" >&2; exit 1; }
for run in 1 2; do
  CARS_DEMO_OUT="$TMP/out" sh "$ROOT/tools/demo.sh" "$BUILD" > "$TMP/log$run" 2>&1 \
    || { cat "$TMP/log$run"; fail "run $run of tools/demo.sh failed"; }
  cp "$TMP/out/routed.jsonl" "$TMP/routed$run" && cp "$TMP/out/cars-v.carsb" "$TMP/release$run" || fail "no output"
done
n=$(grep -c . "$TMP/out/corpus.jsonl")
[ "$(wc -l < "$TMP/routed1")" -eq "$n" ] || fail "run 1 routed $(wc -l < "$TMP/routed1") lines for $n records"
cmp -s "$TMP/routed1" "$TMP/routed2" || fail "the two runs routed differently"
cmp -s "$TMP/release1" "$TMP/release2" && fail "the two releases are byte-identical: sealing should be randomised"
grep -q '^routing exit status: 3' "$TMP/log2" || fail "the second run's summary is missing"
echo "demo-test: tools/demo.sh twice in a row: both routed $n records, the same bytes (the releases differ, as sealing does)"
