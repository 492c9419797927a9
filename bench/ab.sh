#!/bin/sh
# ab.sh - carsvm route builds timed side by side in one hyperfine run
# (hyperfine runs each command in turn, so a change in the machine's load
# falls on all of them alike), for A/B comparisons of a change:
#
#   sh bench/ab.sh RELEASE CORPUS THREADS RUNS CARSVM...
#
# CORPUS should hold valid records only (carsvm route exits 3 when one is
# invalid, which hyperfine takes for a failure). Prints hyperfine's summary
# (mean, spread, how many times faster the fastest is) and writes its JSON,
# with each run's wall, user and system time, to ab.json. Needs hyperfine
# (make bench-deps).
set -eu
[ $# -ge 5 ] || { echo "usage: sh bench/ab.sh RELEASE CORPUS THREADS RUNS CARSVM..." >&2; exit 2; }
REL=$1 CORPUS=$2 THREADS=$3 RUNS=$4
shift 4
command -v hyperfine >/dev/null || { echo "ab.sh: needs hyperfine: run make bench-deps" >&2; exit 1; }
n=$#
for c in "$@"; do
  [ -x "$c" ] || { echo "ab.sh: $c is not an executable file" >&2; exit 1; }
  set -- "$@" "$c route --release $REL $CORPUS -o /dev/null --threads $THREADS"
done
shift "$n"
hyperfine -N --warmup 1 --runs "$RUNS" --export-json ab.json "$@"
