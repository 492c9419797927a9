#!/bin/sh
# run.sh BUILD - the browser tests of carsc report (make browser). Builds the
# reference release, signs it with a test-only key, writes its report (timed:
# it must take under a second) and loads every page in headless Chromium
# (check.js: console errors, links and anchors, axe-core WCAG 2.2 AA); then
# the same for a small release reported with --previous (the changes page
# and the reviews warning), and for a ruleset directory (the tests page). Screenshots of the
# front page and of one rule go to BUILD/report/ on every run. Then the
# pages of carsc impact, effectiveness and equality, each as a site of one
# page (screenshots in BUILD/report/figures/*-shots/).
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
  --valid-from 2026-11-23 --valid-until 2026-11-29 --channel production --unsealed >/dev/null || exit 1
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
  --valid-until 2026-12-06 --channel production --unsealed 2>/dev/null || exit 1
"$CARSC" report w48.carsb --previous w47.carsb -o small-site || exit 1
"$CARSC" report new -o tree-site || exit 1

status=0
node "$ROOT/tests/browser/check.js" site . || status=1
RULE_PAGE=profiles.html#PRF-1 node "$ROOT/tests/browser/check.js" small-site small-shots || status=1
RULE_PAGE=tests.html#example-2 node "$ROOT/tests/browser/check.js" tree-site tree-shots || status=1
# The figures pages of carsc impact, effectiveness and equality, each a site
# of one page (index.html): 10,000 generated records, the reference release
# and the next one (M-B5 narrowed to 14 days), a re-route list with an id
# that was never routed, and the EIA figures.
mkdir -p figures && cd figures || exit 1
cp -R "$ROOT/rulesets/cars-v" next && sed -i 's/visit.length_days <= 30/visit.length_days <= 14/' next/rules.cars
"$CARSC" build "$ROOT/rulesets/cars-v" -o w47.carsb --release-id 2026-W47 >/dev/null || exit 1
"$CARSC" build next -o w48.carsb --release-id 2026-W48 >/dev/null || exit 1
"$BUILD/gencorpus" --count 10000 --seed 15 --tables "$ROOT/rulesets/cars-v/tables" -o records.jsonl || exit 1
"$BUILD/carsvm" route --release w47.carsb records.jsonl -o routed.jsonl; [ $? -le 3 ] || exit 1
{ echo id,reason; grep -E '"NCX(DR|PCA)"' routed.jsonl | awk 'NR % 20 == 0' | cut -d'"' -f4 | sed 's/$/,check/'
  echo 'GWF-NEVER-ROUTED,typo'; } > rcx.csv
mkdir -p impact effectiveness equality
"$CARSC" impact w47.carsb w48.carsb records.jsonl --format html -o impact/index.html || exit 1
"$CARSC" effectiveness routed.jsonl rcx.csv --release w47.carsb --records records.jsonl --from 2026-01-01 \
  --to 2026-12-31 --format html -o effectiveness/index.html || exit 1
"$CARSC" equality records.jsonl routed.jsonl --release w47.carsb --format html -o equality/index.html || exit 1
for s in impact effectiveness equality; do
  RULE_PAGE=index.html node "$ROOT/tests/browser/check.js" $s $s-shots || status=1
done
cd .. || exit 1
exit $status
