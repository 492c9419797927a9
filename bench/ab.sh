#!/bin/sh
# ab.sh - carsvm route builds timed side by side, for A/B comparisons of a
# change:
#
#   sh bench/ab.sh RELEASE CORPUS THREADS ROUNDS CARSVM...
#
# Each round runs every build once, in turn (one hyperfine run of them
# all, --runs 1), so that a change in the machine's load falls on all of
# them alike (hyperfine's own --runs N runs one command N times before the
# next, and a shared machine's load changes faster than that). Prints, per
# build, the median over the rounds of its wall time and of its CPU time
# (user + system), records/s, and both ratios to the first build (the
# first build's time ÷ this one's: above 1, faster). CORPUS should hold
# valid records only (carsvm route exits 3 when one is invalid, which
# hyperfine takes for a failure). Needs hyperfine and jq (make bench-deps).
set -eu
[ $# -ge 5 ] || { echo "usage: sh bench/ab.sh RELEASE CORPUS THREADS ROUNDS CARSVM..." >&2; exit 2; }
REL=$1 CORPUS=$2 THREADS=$3 ROUNDS=$4
shift 4
for t in hyperfine jq; do
  command -v $t >/dev/null || { echo "ab.sh: needs $t: run make bench-deps" >&2; exit 1; }
done
n=$#
for c in "$@"; do
  [ -x "$c" ] || { echo "ab.sh: $c is not an executable file" >&2; exit 1; }
  set -- "$@" "$c route --release $REL $CORPUS -o /dev/null --threads $THREADS"
done
shift "$n"
RECORDS=$(grep -c . "$CORPUS")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cars-ab.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
"$@" >/dev/null 2>&1 || true # warm the page cache: the first command, once
for r in $(seq "$ROUNDS"); do
  hyperfine -N --runs 1 --style none --export-json "$TMP/$r.json" "$@" >/dev/null
done
# one line per command and round: index wall cpu
for r in $(seq "$ROUNDS"); do
  jq -r '.results | to_entries[] | "\(.key) \(.value.times[0]) \(.value.user + .value.system)"' "$TMP/$r.json"
done > "$TMP/all"
median() { # INDEX COLUMN
  awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$TMP/all" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
echo "$RECORDS records, --threads $THREADS, $ROUNDS rounds, medians; ×: the first build's time ÷ this one's (above 1: faster)"
printf '%-40s %8s %8s %10s %7s %7s\n' build "wall s" "CPU s" records/s "× wall" "× CPU"
i=0
for c in "$@"; do
  w=$(median "$i" 2) cpu=$(median "$i" 3)
  [ "$i" = 0 ] && { w0=$w; cpu0=$cpu; }
  awk -v b="${c%% route *}" -v w="$w" -v c="$cpu" -v n="$RECORDS" -v w0="$w0" -v c0="$cpu0" \
    'BEGIN { printf "%-40s %8.3f %8.3f %10.0f %7.2f %7.2f\n", b, w, c, n / w, w0 / w, c0 / c }'
  i=$((i + 1))
done
