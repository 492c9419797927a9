#!/bin/sh
# valid_only.sh - the valid records of a corpus, for the peers (which are
# not record validators): keep each non-blank line of CORPUS whose routing
# line in ROUTED (e.g. `carsvm route` output on CORPUS: one line per
# non-blank input line, in order) is not an ERROR.
#
#   bench/valid_only.sh CORPUS ROUTED > VALID.jsonl
set -eu
[ $# -eq 2 ] || { echo "usage: $0 CORPUS ROUTED" >&2; exit 2; }
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
jq -r 'if .outcome == "ERROR" then "0" else "1" end' "$2" > "$tmp"
a=$(wc -l < "$tmp"); b=$(grep -c '[^[:space:]]' "$1" || true)
[ "$a" -eq "$b" ] || { echo "$0: $b records but $a routing lines" >&2; exit 1; }
grep -v '^[[:space:]]*$' "$1" | paste -d '|' "$tmp" - | grep '^1' | cut -c3-
