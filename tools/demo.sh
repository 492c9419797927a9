#!/bin/sh
# demo.sh BUILD_DIR - the `make demo` walk-through: generate 10,000 sample
# application records (fixed seed), build the reference release for the week
# of 2026-11-23 with its rule text sealed to a demo audit key, sign it with
# a demo key (both made on first use, clearly named DEMO-ONLY), verify and route the records as an operator would (as of
# 2026-11-25, so the demo gives the same result on any day), and print a
# summary. Everything it writes goes to out/ (or $CARS_DEMO_OUT: the demo
# test runs it in a scratch directory).
# Exits 0 when routing exits 0 or 3 (3: some records invalid, which the
# generator's invalid share makes expected).
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUT=${CARS_DEMO_OUT:-out}
mkdir -p "$OUT"

echo "== generating 10000 records (seed 2026) into $OUT/corpus.jsonl"
"$BUILD/gencorpus" --count 10000 --seed 2026 --tables rulesets/cars-v/tables \
  -o "$OUT/corpus.jsonl" || { echo "demo: gencorpus failed" >&2; exit 1; }

AUDIT="$OUT/DEMO-ONLY-audit-key"
if [ ! -f "$AUDIT.key" ]; then
  echo "== making a demo audit key $AUDIT.key (for this demo only: never seal a real release to it)"
  "$BUILD/carsc" audit-keygen -o "$AUDIT" >/dev/null || { echo "demo: carsc audit-keygen failed" >&2; exit 1; }
fi
echo "== building the reference release $OUT/cars-v.carsb (production, 2026-W48, valid 2026-11-23 to 2026-11-29;"
echo "   its tests run first, and what they gave is signed in; its rule text is sealed to the demo audit key)"
"$BUILD/carsc" build rulesets/cars-v -o "$OUT/cars-v.carsb" --release-id 2026-W48 --sequence 48 \
  --valid-from 2026-11-23 --valid-until 2026-11-29 --channel production --audit-key "$AUDIT.pub" \
  || { echo "demo: carsc build failed" >&2; exit 1; }

KEY="$OUT/DEMO-ONLY-signing-key"
if [ ! -f "$KEY.key" ]; then
  echo "== making a demo signing key $KEY.key (for this demo only: never trust it in production)"
  "$BUILD/carsc" keygen -o "$KEY" >/dev/null || { echo "demo: carsc keygen failed" >&2; exit 1; }
fi
echo "== signing with the demo key (the audit key opens the sealed text: it must compile to the code)"
"$BUILD/carsc" sign --key "$KEY.key" --audit-key-secret "$AUDIT.key" "$OUT/cars-v.carsb" \
  || { echo "demo: carsc sign failed" >&2; exit 1; }
echo "== without the audit key, the release shows no rule text: ids, kinds and says texts"
"$BUILD/carsc" inspect "$OUT/cars-v.carsb" | grep -E '^(sealed|rule +PRF-00[12])'
"$BUILD/carsvm" verify --trust "$KEY.pub" --as-of 2026-11-25 "$OUT/cars-v.carsb" \
  || { echo "demo: carsvm verify refused the release" >&2; exit 1; }

echo "== routing (signature, channel, validity and sequence checked first)"
# Sealing is randomised (a new ephemeral key each build), so each run of the
# demo builds a release with different bytes under the same sequence 48; an
# operator's state file rightly refuses that (exit 17, a reused sequence).
# The demo's operator starts afresh on each run: it has seen no release.
rm -f "$OUT/demo-operator.state" "$OUT/demo-operator.state.lock"
"$BUILD/carsvm" route --release "$OUT/cars-v.carsb" --trust "$KEY.pub" --as-of 2026-11-25 \
  --state "$OUT/demo-operator.state" "$OUT/corpus.jsonl" -o "$OUT/routed.jsonl"
status=$?
case $status in
  0|3) ;;
  *) echo "demo: carsvm route failed (exit $status)" >&2; exit 1 ;;
esac

R="$OUT/routed.jsonl"
echo "== summary"
echo "input records (non-blank lines): $(grep -c . "$OUT/corpus.jsonl")"
echo "output lines:                    $(wc -l < "$R" | tr -d ' ')"
if command -v jq >/dev/null 2>&1; then
  echo "-- outcomes"
  jq -r '.outcome' "$R" | sort | uniq -c | sort -rn
  echo "-- top 10 rules"
  jq -r '.rules[]?' "$R" | sort | uniq -c | sort -rn | head -10
  errors=$(jq -r 'select(.outcome == "ERROR") | .outcome' "$R" | wc -l | tr -d ' ')
  echo "-- errors: $errors; the first five:"
  jq -r 'select(.outcome == "ERROR") | "  line \(.line): \(.error)"' "$R" | head -5
else
  echo "-- outcomes"
  grep -o '"outcome":"[A-Z]*"' "$R" | cut -d'"' -f4 | sort | uniq -c | sort -rn
  echo "-- top 10 rules"
  grep -o '"rules":\[[^]]*\]' "$R" | sed 's/^"rules":\[//; s/\]$//' | tr ',' '\n' \
    | tr -d '"' | grep . | sort | uniq -c | sort -rn | head -10
  errors=$(grep -c '"outcome":"ERROR"' "$R")
  echo "-- errors: $errors; the first five:"
  grep '"outcome":"ERROR"' "$R" | head -5 | while IFS= read -r l; do
    line=$(printf '%s\n' "$l" | sed -E 's/.*"line":([0-9]+).*/\1/')
    err=$(printf '%s\n' "$l" | sed -E 's/.*"error":"(([^"\\]|\\.)*)".*/\1/; s/\\"/"/g; s/\\\\/\\/g')
    echo "  line $line: $err"
  done
fi
echo "routing exit status: $status (3 = some records invalid, as expected)"
exit 0
