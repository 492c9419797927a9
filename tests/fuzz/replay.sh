#!/bin/sh
# replay.sh BUILD - `make test`'s fuzz replay: runs each target's replay
# binary (BUILD/fuzz/replay_<target>, no libFuzzer needed) over the
# committed corpus (tests/fuzz/corpus/<target>: seeds and every crash found)
# and the seeds generated from the project's own tests (seeds.sh). The two
# reader targets share the reader corpus and seeds, and also replay the
# large slow-input seeds (reader-slow). Each input has CARS_REPLAY_TIMEOUT
# seconds (default 10): a slow input fails the replay.
set -u
BUILD=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SEEDS="$BUILD/fuzz/seeds"
sh "$ROOT/tests/fuzz/seeds.sh" "$BUILD" "$SEEDS" || exit 1
export CARS_FUZZ_RELEASE="$SEEDS/cars-v.carsb"
for t in parse loader vm reader reader_diff reader_simd; do
  case $t in reader*) c=reader; extra="$SEEDS/reader-slow" ;; *) c=$t; extra= ;; esac
  printf 'fuzz replay %-12s ' "$t:"
  "$BUILD/fuzz/replay_$t" "$ROOT/tests/fuzz/corpus/$c" "$SEEDS/$c" $extra || { echo "FAIL fuzz replay $t"; exit 1; }
done
