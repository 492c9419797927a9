#!/bin/sh
# loadtest.sh - the load test of carsvm serve (make loadtest): wrk on
# loopback, bounded in time (about 1 minute). For single records and for
# 1,000-record batches, on 1 and 2 server threads: requests and records per
# second and the p50/p99 latency wrk reports; against carsvm route on the
# same records. Writes bench/loadtest-results.md and puts it into
# docs/performance.md (bench/run.sh keeps it there), followed by the
# hand-written analysis in bench/loadtest-notes.md.
# Usage: loadtest.sh BUILD_DIR [SECONDS per run, default 6]
set -eu
BUILD=${1:-build}; SECS=${2:-6}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
"$BUILD/carsc" build rulesets/cars-v --release-id 2026-W49 -o "$W/r.carsb" >/dev/null
"$BUILD/gencorpus" --count 1000 --seed 47 --tables rulesets/cars-v/tables -o "$W/batch.jsonl"
grep -m1 '"id"' "$W/batch.jsonl" > "$W/one.json"
for f in one batch; do
  cat > "$W/$f.lua" <<EOS
wrk.method = "POST"
local f = io.open("$W/$f.$( [ $f = one ] && echo json || echo jsonl )", "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
EOS
done
# route on the same records: the batch 200 times (200,000 records)
i=0; while [ $i -lt 200 ]; do cat "$W/batch.jsonl"; i=$((i+1)); done > "$W/big.jsonl"
route_rate() { # threads -> "records per second, CPU µs per record" (best of 3)
  best=0; bcpu=0
  for k in 1 2 3; do
    /usr/bin/time -f '%e %U %S' -o "$W/time" "$BUILD/carsvm" route --release "$W/r.carsb" --channel test \
      --threads "$1" "$W/big.jsonl" > /dev/null || [ $? = 3 ]
    tail -1 "$W/time" > "$W/t1"
    r=$(awk '{ printf "%.0f", 200000 / $1 }' "$W/t1")
    if [ "$r" -gt "$best" ]; then best=$r; bcpu=$(awk '{ printf "%.2f", ($2 + $3) * 1e6 / 200000 }' "$W/t1"); fi
  done
  echo "$best records/s ($bcpu CPU µs/record)"
}
ms() { # wrk latency (850.00us, 1.20ms, 2.00s) in ms
  echo "$1" | awk '/us$/ { sub("us", ""); printf "%.3f", $0 / 1000; next } /ms$/ { sub("ms", ""); printf "%.3f", $0; next }
                   /s$/ { sub("s", ""); printf "%.3f", $0 * 1000 }'
}
run() { # threads kind conns [PREFIX] -> a table row (PREFIX runs the server and wrk, e.g. chrt -f 10)
  pre=${4:-}
  $pre "$BUILD/carsvm" serve --release "$W/r.carsb" --channel test --listen 127.0.0.1:0 --threads "$1" 2> "$W/srv.err" &
  pid=$!
  port=""; n=0
  while [ -z "$port" ] && [ $n -lt 50 ]; do
    sleep 0.1; n=$((n+1)); port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$W/srv.err")
  done
  $pre wrk -t1 -c"$3" -d"${SECS}s" --latency -s "$W/$2.lua" "http://127.0.0.1:$port/v1/route" > "$W/wrk.out"
  # the server's own CPU time per record (utime + stime, in clock ticks)
  ticks=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
  curl -s "http://127.0.0.1:$port/metrics" > "$W/metrics"
  served=$(awk '/^cars_routings_total/ { s += $2 } END { print s }' "$W/metrics")
  # the server's own p99 (headers read to answer queued): the histogram bucket holding it
  sp99=$(awk -F'[ "]' '/^cars_request_duration_seconds_bucket/ { le[n + 0] = $2; c[n++] = $NF }
    /^cars_request_duration_seconds_count/ { total = $2 }
    END { for (i = 0; i < n; i++) if (c[i] >= 0.99 * total) { if (le[i] == "+Inf") print "> 5000"; else print "<= " le[i] * 1000; exit } }' "$W/metrics")
  cpu=$(echo "$ticks $served $(getconf CLK_TCK)" | awk '{ printf "%.2f", $1 / $3 * 1e6 / $2 }')
  kill -TERM $pid; wait $pid
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$W/wrk.out")
  p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$W/wrk.out")")
  p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$W/wrk.out")")
  errs=$(awk '/Non-2xx|Socket errors/ { print }' "$W/wrk.out" | tr '\n' ' ')
  per=1; [ "$2" = batch ] && per=1000
  recs=$(echo "$rps $per" | awk '{ printf "%.0f", $1 * $2 }')
  echo "| $1 | $( [ "$2" = one ] && echo "1 record" || echo "1,000 records") | $3${pre:+ ($pre)} | $rps | $recs | $p50 | $p99 | $sp99 | $cpu | ${errs:-none} |"
}
{
  echo "## The service (make loadtest)"
  echo
  echo "Written by \`make loadtest\` (bench/loadtest.sh) on $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'),"
  echo "on the machine above ($(nproc) cores, shared). $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2) on loopback, one wrk thread, ${SECS} s a run, keep-alive;"
  echo "the server and wrk share the 2 cores. Latency is wrk's (request sent to response read)."
  echo "Load average when the run began: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates the tail)."
  echo "Batches are the same 1,000 records (\`gencorpus --count 1000 --seed 47\`, 1.2 MB); a single"
  echo "record is the first of them."
  echo
  echo "| server threads | request | connections | requests/s | records/s | p50 ms | p99 ms | server p99 ms | server CPU µs/record | errors |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"
  { for t in 1 2; do run $t one 1; done; for t in 1 2; do run $t one 4; done; } | tee "$W/one.rows"
  for t in 1 2; do run $t batch 4; done | tee "$W/batch.rows"
  # one connection again with the server and wrk at real-time priority, when allowed:
  # what is left of the tail when other work on the machine cannot delay a wake-up
  if chrt -f 10 true 2>/dev/null; then run 1 one 1 "chrt -f 10"; fi
  r1=$(route_rate 1); r2=$(route_rate 2)
  echo
  echo "\`carsvm route\` on the same records (the batch 200 times, 200,000 records, to /dev/null; best of 3,"
  echo "start-up included): $r1 with --threads 1, $r2 with --threads 2."
  echo
  echo "p99 is wrk's (request written to answer read); server p99 is the server's own time from a"
  echo "request's headers to its answer (the cars_request_duration_seconds bucket holding the 99th"
  echo "percentile). The difference is the time spent waiting for a core: to wake the server, and to"
  echo "wake wrk."
  echo
  rcpu=$(echo "$r1" | sed 's/.*(\([0-9.]*\) CPU.*/\1/')
  awk -F'|' -v r="$rcpu" '{ gsub(/ /, "", $10); printf "Server CPU per record in 1,000-record batches (%s thread%s): %s µs, %+.0f%% against route'"'"'s %s µs.\n", \
      $2 + 0, $2 + 0 == 1 ? "" : "s", $10, ($10 / r - 1) * 100, r }' "$W/batch.rows"
  rbest=$(printf '%s\n%s\n' "$r1" "$r2" | awk '$1 + 0 > b + 0 { b = $1 } END { print b }')
  awk -F'|' '{ gsub(/ /, "", $8); if (best == "" || $8 + 0 < best + 0) best = $8 }
    END { printf "Aim: a single routing under 1 ms at p99: %s (best p99 %s ms).\n", best + 0 < 1 ? "met" : "missed", best }' \
    "$W/one.rows"
  awk -F'|' '{ gsub(/ /, "", $4); gsub(/ /, "", $8); if ($4 == "1" && (best == "" || $8 + 0 < best + 0)) { best = $8; s = $9; gsub(/^ +| +$/, "", s) } }
    END { printf "With one connection: best p99 %s ms (the server'"'"'s own p99 %s ms).\n", best, s }' "$W/one.rows"
  awk -F'|' -v r="$rbest" '{ gsub(/ /, "", $6); if ($6 + 0 > best + 0) best = $6 }
    END { printf "Aim: batch throughput within 20%% of route: %s (best %s records/s, %.0f%% of route'"'"'s best %s).\n",
          (best / r >= 0.8) ? "met" : "missed", best, best / r * 100, r }' "$W/batch.rows"
  echo "Throughput against route is measured with wrk on the same two cores (it sends 1.2 MB a request"
  echo "and reads the answers), so it understates the server; the CPU figures do not depend on the client."
  echo
  cat bench/loadtest-notes.md
} > bench/loadtest-results.md
cat bench/loadtest-results.md
# into docs/performance.md: replace the section, or add it before the analysis
awk -v f=bench/loadtest-results.md '
  /^## The service \(make loadtest\)/ { skip = 1; while ((getline l < f) > 0) print l; print ""; next }
  skip && /^## / { skip = 0 }
  !skip { print }' docs/performance.md > "$W/perf.md"
grep -q '^## The service (make loadtest)' "$W/perf.md" || { cat docs/performance.md; echo; cat bench/loadtest-results.md; } > "$W/perf.md"
cp "$W/perf.md" docs/performance.md
echo "loadtest: wrote bench/loadtest-results.md and docs/performance.md"
