#!/bin/sh
# run.sh BUILD - the browser tests of carsc report (make browser). Builds the
# reference release, signs it with a test-only key, writes its report (timed:
# it must take under a second) and loads every page in headless Chromium
# (check.js: console errors, links and anchors, axe-core WCAG 2.2 AA); then
# the same for a small release reported with --previous (the changes page
# and the reviews warning), and for a ruleset directory (the tests page). Screenshots of the
# front page and of one rule go to BUILD/report/ on every run.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
CARSC="$BUILD/carsc"
OUT="$BUILD/report"
rm -rf "$OUT" && mkdir -p "$OUT" || exit 1
cd "$OUT" || exit 1
K="$ROOT/tests/cases/release/keys"
cp "$K/test-only-a.key" a.key && chmod 600 a.key || exit 1

"$CARSC" build "$ROOT/rulesets/cars-v" -o cars-v.carsb --release-id 2026-W48 --sequence 48 \
  --valid-from 2026-11-23 --valid-until 2026-11-29 --channel production >/dev/null || exit 1
"$CARSC" sign --key a.key cars-v.carsb >/dev/null || exit 1
start=$(date +%s%N)
"$CARSC" report cars-v.carsb --trust "$K/test-only-a.pub" -o site || exit 1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "report of the reference release: ${ms} ms"
[ "$ms" -lt 1000 ] || { echo "FAIL: the reference report took ${ms} ms (limit 1000)"; exit 1; }

cp -R "$ROOT/tests/cases/report/small" old && cp -R "$ROOT/tests/cases/report/small" new || exit 1
sed -i 's/visit.length_days > 90/visit.length_days > 60/' new/rules.cars
"$CARSC" build old -o w47.carsb --release-id 2026-W47 --sequence 47 2>/dev/null || exit 1
"$CARSC" build new -o w48.carsb --release-id 2026-W48 --sequence 48 --valid-from 2026-11-23 \
  --valid-until 2026-12-06 --channel production 2>/dev/null || exit 1
"$CARSC" report w48.carsb --previous w47.carsb -o small-site || exit 1
"$CARSC" report new -o tree-site || exit 1

status=0
node "$ROOT/tests/browser/check.js" site . || status=1
RULE_PAGE=profiles.html#PRF-1 node "$ROOT/tests/browser/check.js" small-site small-shots || status=1
RULE_PAGE=tests.html#example-2 node "$ROOT/tests/browser/check.js" tree-site tree-shots || status=1
exit $status
