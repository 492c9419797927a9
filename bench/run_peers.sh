#!/bin/sh
# run_peers.sh - time each benchmark peer on a corpus of VALID records:
# wall time, records/s, MB/s, CPU seconds (user + system: steadier than
# wall time on a busy machine) and peak RSS (from /usr/bin/time -v). Output
# goes to /dev/null; check agreement separately with bench/compare.sh.
#
#   bench/run_peers.sh CORPUS [TABLES_DIR]
#
# RUNS=N (default 1): run each peer N times and keep the fastest run, for a
# machine that is busy with other work.
set -u
[ $# -ge 1 ] || { echo "usage: $0 CORPUS [TABLES_DIR]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
corpus=$1
tables=${2:-$here/../rulesets/cars-v/tables}
. "$here/peers/peers.sh"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package: time)" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=$(grep -c '[^[:space:]]' "$corpus")
bytes=$(wc -c < "$corpus")
printf '%-6s %10s %9s %12s %9s %8s %14s %12s\n' peer records seconds records/s MB/s cpu_s records/cpu_s peak_RSS_MB
runs=${RUNS:-1}
for p in $PEERS; do
  best=""; r=0
  while [ $r -lt "$runs" ]; do
    r=$((r+1))
    t0=$(date +%s%N)
    if ! /usr/bin/time -v -o "$tmp/$p.time" sh -c "exec $(peer_cmd $p "$tables")" < "$corpus" > /dev/null 2> "$tmp/$p.err"; then
      echo "$p: failed"; head -5 "$tmp/$p.err"; best=""; break
    fi
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; cp "$tmp/$p.time" "$tmp/$p.best"; fi
  done
  [ -n "$best" ] || continue
  awk -v p="$p" -v n="$n" -v bytes="$bytes" -v s="${best}e-3" '
    BEGIN { s = s + 0 }
    /Maximum resident set size/ { rss = $NF }
    /User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
    END { printf "%-6s %10d %9.2f %12.0f %9.2f %8.2f %14.0f %12.1f\n", p, n, s, (s > 0 ? n / s : 0),
                 (s > 0 ? bytes / s / 1e6 : 0), cpu, (cpu > 0 ? n / cpu : 0), rss / 1024 }' "$tmp/$p.best"
done
