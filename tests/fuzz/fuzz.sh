#!/bin/sh
# fuzz.sh BUILD FUZZ_DIR SECONDS [TARGET...] - `make fuzz`: runs each libFuzzer
# target (FUZZ_DIR/fuzz/fuzz_<target>, clang -fsanitize=fuzzer,address,
# undefined) for SECONDS, starting from the committed corpus and the seeds
# generated from the project's tests, and merging every new input into the
# work corpus FUZZ_DIR/work/<target> (never into the repository). Crashes go
# to FUZZ_DIR/crashes/; copy each into tests/fuzz/corpus/<target>/ once fixed
# (the reader targets share tests/fuzz/corpus/reader/).
# The reader targets (reader, reader_diff, reader_simd) get the dictionary seeds.sh
# writes (-dict=: JSON tokens, escapes, edge numbers, UTF-8 edge sequences,
# the schema's keys and members), inputs up to 1 MiB (room for an object of
# 65,536 keys, which a quadratic sort takes seconds over) and a 2-second
# timeout: a slow input is a finding. The others keep 64 KiB and 10 s.
# Prints libFuzzer's final stats (executions, exec/s, coverage) per target.
set -u
BUILD=$1; FD=$2; SECS=$3; shift 3
TARGETS=${*:-parse loader vm reader reader_diff reader_simd}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
sh "$ROOT/tests/fuzz/seeds.sh" "$BUILD" "$FD/seeds" || exit 1
export CARS_FUZZ_RELEASE="$FD/seeds/cars-v.carsb"
status=0
for t in $TARGETS; do
  mkdir -p "$FD/work/$t" "$FD/crashes"
  log="$FD/fuzz-$t.log"
  case $t in
    reader*) c=reader; opts="-dict=$FD/seeds/reader.dict -max_len=1048576 -timeout=2" ;;
    *) c=$t; opts="-max_len=65536 -timeout=10" ;;
  esac
  echo "== fuzz_$t for ${SECS}s (log $log)"
  # shellcheck disable=SC2086
  "$FD/fuzz/fuzz_$t" -max_total_time="$SECS" -rss_limit_mb=1024 $opts \
    -print_final_stats=1 -artifact_prefix="$FD/crashes/$t-" \
    "$FD/work/$t" "$ROOT/tests/fuzz/corpus/$c" "$FD/seeds/$c" > "$log" 2>&1 || status=1
  grep -E '^#[0-9]+.*(DONE|pulse)|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)|ERROR|SUMMARY' "$log" | tail -7
done
ls "$FD/crashes" 2>/dev/null | sed 's/^/crash: /'
exit $status
