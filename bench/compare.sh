#!/bin/sh
# compare.sh - run every available benchmark peer (bench/peers: jq, LuaJIT,
# json-rules-engine) on a corpus of VALID records and check that they route
# every record identically: same id, outcome and rules (in ruleset order).
#
#   bench/compare.sh CORPUS [TABLES_DIR] [ROUTED...]
#
# TABLES_DIR defaults to rulesets/cars-v/tables. Each extra ROUTED file is
# the output of another router on the same CORPUS (e.g. `carsvm route`):
# its lines are compared too, on id, outcome and rules only (explanation and
# release are dropped). Blank corpus lines are ignored, as by the routers.
# Every disagreement is printed with the record; exit status 1 if any.
set -u
[ $# -ge 1 ] || { echo "usage: $0 CORPUS [TABLES_DIR] [ROUTED...]" >&2; exit 2; }
corpus=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
tables=${1:-$here/../rulesets/cars-v/tables}; [ $# -ge 1 ] && shift
. "$here/peers/peers.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

grep -v '^[[:space:]]*$' "$corpus" > "$tmp/records"
n=$(wc -l < "$tmp/records")
names=""
for p in $PEERS; do
  if ! sh -c "$(peer_cmd $p "$tables")" < "$tmp/records" > "$tmp/$p.raw" 2> "$tmp/$p.err"; then
    echo "$p: failed:"; head -20 "$tmp/$p.err"; exit 1
  fi
  jq -c '{id, outcome, rules}' "$tmp/$p.raw" > "$tmp/$p.out"
  names="$names $p"
done
i=0
for f in "$@"; do
  i=$((i+1))
  grep -v '^[[:space:]]*$' "$f" | jq -c '{id, outcome, rules}' > "$tmp/routed$i.out"
  names="$names routed$i"
done
set -- $names
[ $# -ge 2 ] || { echo "only $# router(s) available ($names): nothing to compare"; exit 1; }
for p in $names; do
  m=$(wc -l < "$tmp/$p.out")
  [ "$m" -eq "$n" ] || echo "$p: $m output lines for $n records"
done
# One streaming pass over the outputs side by side (compact JSON holds no
# raw tab): line k of every output against line k of the first.
files=""
for p in $names; do files="$files $tmp/$p.out"; done
paste $files | awk -F '\t' -v names="$*" -v nrec="$n" '
  BEGIN { np = split(names, nm, " ") }
  {
    same = 1
    for (j = 2; j <= np; j++) if ($j != $1) same = 0
    if (!same) {
      bad++
      if (bad <= 20) {
        printf "record %d disagrees:\n", NR
        for (j = 1; j <= np; j++) printf "  %-8s %s\n", nm[j], $j
        print NR > "/dev/stderr"
      }
    }
  }
  END {
    printf "%d records, %d routers (%s): %d disagreements\n", nrec, np, names, bad + 0
    exit bad > 0
  }' 2> "$tmp/badlines"
status=$?
while read -r k; do
  echo "record $k:"; sed -n "${k}p" "$tmp/records" | cut -c1-2000
done < "$tmp/badlines"
exit $status
