#!/bin/sh
# run.sh - `make bench`: carsvm route against the tools a team would
# otherwise use, the hand-written limit and the reading floor, then the
# scale runs; writes docs/performance.md and docs/scale.svg.
#
#   BUILD=build sh bench/run.sh
#
# Environment (defaults): BUILD (build), BENCH_RECORDS (200000),
# BENCH_SEED (47), BENCH_REPEATS (5: runs per own tool, median taken),
# BENCH_PEER_REPEATS (3: runs per peer, median taken; a run of jq or node
# takes 20 to 30 s),
# BENCH_SCALE (1: 0 skips the scale runs), BENCH_SLICE (20000: records
# routed per scale configuration), BENCH_DOC (docs/performance.md),
# BENCH_SVG (docs/scale.svg), BENCH_SCALE_CONFIGS (profiles:entries pairs),
# BENCH_REPORT_ONLY (0: 1 rewrites the report from the last run's files in
# $BUILD/bench/work, e.g. after editing bench/performance-notes.md),
# BENCH_COMMIT (the commit named in the report, when run outside git, e.g.
# from `git archive HEAD`: a clean tree without anyone's uncommitted work),
# BENCH_BASE (22891b9: the last commit with the yajl record reader, built
# from `git archive` and timed against this build in the same run with
# bench/ab.sh; empty, or no git history, skips it), BENCH_AB_ROUNDS (5).
#
# Steps: 1. release and corpus (gencorpus, fixed seed, the reference
# tables); the valid-only subset for the peers. 2. correctness first:
# handwritten is byte-identical to carsvm route on the whole corpus,
# carsvm on every core is byte-identical to one thread, readonly finds the
# same invalid records, and every peer (bench/compare.sh) agrees with
# carsvm route on id, outcome and rules for every valid record; any
# disagreement stops the run. 3. timings: wall clock (median), peak RSS
# (/usr/bin/time). 4. instructions per record (valgrind callgrind: the
# difference between two prefix lengths, so start-up cancels out). 5. scale:
# synthetic rulesets (bench/scale/genrules) of 10..10,000 profiles and
# 1,000..1,000,000 table entries: build time, bundle size, load time,
# records/s and instructions per record.
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
N=${BENCH_RECORDS:-200000}
SEED=${BENCH_SEED:-47}
REPS=${BENCH_REPEATS:-5}
PREPS=${BENCH_PEER_REPEATS:-3}
SCALE=${BENCH_SCALE:-1}
SLICE=${BENCH_SLICE:-20000}
DOC=${BENCH_DOC:-docs/performance.md}
SVG=${BENCH_SVG:-docs/scale.svg}
W=$B/bench/work
T=rulesets/cars-v/tables
CORES=$(nproc)
mkdir -p "$W"
. bench/peers/peers.sh
for t in "$B/carsc" "$B/carsvm" "$B/gencorpus" "$B/bench/handwritten" "$B/bench/readonly" "$B/bench/yajlfloor" \
         "$B/bench/scale/genrules" "$B/bench/scale/loadtime"; do
  [ -x "$t" ] || { echo "bench: $t missing: run make bench-bin" >&2; exit 1; }
done
for t in /usr/bin/time valgrind jq; do
  command -v $t >/dev/null || { echo "bench: needs $t (make bench-deps)" >&2; exit 1; }
done
say() { printf '%s\n' "$*" >&2; }
ms_now() { date +%s%N; }

# ---- 1. release and corpus ------------------------------------------------
REL=$W/cars-v.carsb
"$B/carsc" build rulesets/cars-v --release-id 2026-W47 -o "$REL"
# The release after it, for carsc impact: the reference ruleset
# with one multiple PCA narrowed (M-B5: a visit of 14 days or less, not 30).
NEXT=$W/cars-v-next.carsb
rm -rf "$W/next" && cp -r rulesets/cars-v "$W/next"
sed -i 's/visit.length_days <= 30/visit.length_days <= 14/' "$W/next/rules.cars"
"$B/carsc" build "$W/next" --release-id 2026-W48 -o "$NEXT"
CORPUS=$W/corpus-$N-$SEED.jsonl
if [ ! -s "$CORPUS" ]; then
  say "bench: generating $N records (seed $SEED)"
  "$B/gencorpus" --count "$N" --seed "$SEED" --tables $T -o "$CORPUS.tmp"
  mv "$CORPUS.tmp" "$CORPUS"
fi
say "bench: carsvm route (reference output)"
"$B/carsvm" route --release "$REL" "$CORPUS" -o "$W/carsvm.out" --threads 1 || [ $? -eq 3 ]
grep -v '^[[:space:]]*$' "$CORPUS" > "$W/nonblank.jsonl"
VALID=$W/valid.jsonl
paste -d '\n' "$W/carsvm.out" "$W/nonblank.jsonl" |
  awk 'NR % 2 == 1 { ok = index($0, "\"outcome\":\"ERROR\"") == 0; next } ok' > "$VALID"
grep -v '"outcome":"ERROR"' "$W/carsvm.out" > "$W/carsvm.valid.out"
rm -f "$W/nonblank.jsonl"
NREC=$(wc -l < "$W/carsvm.out")
NVALID=$(wc -l < "$VALID")
NINVALID=$((NREC - NVALID))
BYTES=$(wc -c < "$CORPUS")
VBYTES=$(wc -c < "$VALID")
[ "$NVALID" -eq "$(wc -l < "$W/carsvm.valid.out")" ] || { echo "bench: valid subset mismatch" >&2; exit 1; }
say "bench: $NREC records ($NVALID valid, $NINVALID invalid), $BYTES bytes"

ONLY=${BENCH_REPORT_ONLY:-0}
if [ "$ONLY" != 1 ]; then
# ---- 2. correctness -------------------------------------------------------
say "bench: checking handwritten, readonly, carsvm --threads $CORES"
"$B/bench/handwritten" "$REL" "$CORPUS" -o "$W/handwritten.out" 2>/dev/null
cmp "$W/handwritten.out" "$W/carsvm.out" ||
  { echo "bench: handwritten and carsvm route disagree (first differing lines):"; \
    diff "$W/handwritten.out" "$W/carsvm.out" | head -6; exit 1; }
"$B/carsvm" route --release "$REL" "$CORPUS" -o "$W/carsvm.mt.out" --threads "$CORES" || [ $? -eq 3 ]
cmp "$W/carsvm.mt.out" "$W/carsvm.out" || { echo "bench: --threads $CORES output differs from --threads 1"; exit 1; }
"$B/carsc" impact "$REL" "$NEXT" "$CORPUS" --format json --threads 1 -o "$W/impact.1.json"
"$B/carsc" impact "$REL" "$NEXT" "$CORPUS" --format json --threads "$CORES" -o "$W/impact.mt.json"
cmp "$W/impact.1.json" "$W/impact.mt.json" || { echo "bench: carsc impact differs with --threads $CORES"; exit 1; }
ro=$("$B/bench/readonly" "$REL" "$CORPUS")
case "$ro" in "$NREC records, $NVALID valid, $NINVALID invalid") ;;
  *) echo "bench: readonly says '$ro', carsvm routed $NREC with $NINVALID invalid"; exit 1 ;; esac
yf=$("$B/bench/yajlfloor" "$VALID")
case "$yf" in "$NVALID lines, $NVALID JSON, 0 not JSON") ;;
  *) echo "bench: yajlfloor says '$yf' of the $NVALID valid records"; exit 1 ;; esac
rm -f "$W/handwritten.out" "$W/carsvm.mt.out"
say "bench: peers ($PEERS) vs carsvm route on $NVALID valid records (bench/compare.sh)"
if [ -z "$PEERS" ]; then
  echo "no peers installed (make bench-deps): nothing compared" > "$W/compare.txt"
elif ! sh bench/compare.sh "$VALID" $T "$W/carsvm.valid.out" > "$W/compare.txt" 2>&1; then
  head -60 "$W/compare.txt"
  echo "bench: a peer disagrees with carsvm route: stopping (full report: $W/compare.txt)"
  exit 1
fi
COMPARED=$(tail -1 "$W/compare.txt")
say "bench: $COMPARED"

# ---- 3. timings -----------------------------------------------------------
# timeit KEY REPEATS INPUT CMD...: CMD < INPUT > /dev/null, REPEATS times;
# appends "KEY median_wall_seconds peak_rss_MB median_cpu_seconds" to
# $W/times (cpu = user + sys: less disturbed than wall clock by other load).
: > "$W/times"
timeit() {
  key=$1 reps=$2 input=$3; shift 3
  : > "$W/runs.$key"
  i=0
  while [ $i -lt "$reps" ]; do
    s=$(ms_now)
    if ! /usr/bin/time -f '%M %U %S' -o "$W/rss.tmp" "$@" < "$input" > /dev/null 2> "$W/err.$key"; then
      case $key in *carsvm*) ;; *) echo "bench: $key failed:"; head -5 "$W/err.$key"; exit 1 ;; esac
    fi
    e=$(ms_now)
    echo "$(( (e - s) / 1000 )) $(tail -1 "$W/rss.tmp" | awk '{ printf "%d %.2f", $1, $2 + $3 }')" >> "$W/runs.$key"
    i=$((i + 1))
  done
  cpu=$(sort -k3,3n "$W/runs.$key" | awk -v n="$reps" 'NR == int((n + 1) / 2) { print $3 }')
  sort -n "$W/runs.$key" | awk -v k="$key" -v n="$reps" -v cpu="$cpu" '
    NR == int((n + 1) / 2) { med = $1 } { if ($2 > rss) rss = $2 }
    END { printf "%s %.3f %.1f %.2f\n", k, med / 1e6, rss / 1024, cpu }' >> "$W/times"
  say "bench:   $(tail -1 "$W/times")"
}
say "bench: timing ($REPS runs each; peers $PREPS)"
# Own tools on the valid subset (the peers' input), then on the whole corpus.
timeit yajlfloor "$REPS" "$VALID" "$B/bench/yajlfloor" -
timeit readonly "$REPS" "$VALID" "$B/bench/readonly" "$REL" -
timeit handwritten "$REPS" "$VALID" "$B/bench/handwritten" "$REL" -
timeit carsvm1 "$REPS" "$VALID" "$B/carsvm" route --release "$REL" - --threads 1
timeit carsvmN "$REPS" "$VALID" "$B/carsvm" route --release "$REL" - --threads "$CORES"
timeit all_yajlfloor "$REPS" "$CORPUS" "$B/bench/yajlfloor" -
timeit all_readonly "$REPS" "$CORPUS" "$B/bench/readonly" "$REL" -
timeit all_carsvm1 "$REPS" "$CORPUS" "$B/carsvm" route --release "$REL" - --threads 1
timeit all_carsvmN "$REPS" "$CORPUS" "$B/carsvm" route --release "$REL" - --threads "$CORES"
timeit all_impactN "$REPS" "$CORPUS" "$B/carsc" impact "$REL" "$NEXT" - --threads "$CORES"
for p in $PEERS; do
  timeit "$p" "$PREPS" "$VALID" sh -c "exec $(peer_cmd "$p" $T)"
done

# ---- 4. instructions per record (callgrind) --------------------------------
# ir K CMD...: instructions (Ir) of CMD on the first K valid records.
K1=${BENCH_CG_K1:-2000}
K2=${BENCH_CG_K2:-10000}
head -n "$K1" "$VALID" > "$W/k1.jsonl"
head -n "$K2" "$VALID" > "$W/k2.jsonl"
ir() {
  f=$1; shift
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" < "$f" 2>&1 >/dev/null |
    awk '/Collected :/ { print $NF }'
}
per_record() { # KEY CMD...
  key=$1; shift
  a=$(ir "$W/k1.jsonl" "$@"); b=$(ir "$W/k2.jsonl" "$@")
  echo "$key $(( (b - a) / (K2 - K1) ))" >> "$W/ir"
  say "bench:   $(tail -1 "$W/ir") instructions/record"
}
say "bench: callgrind, instructions per record (records $K1..$K2)"
: > "$W/ir"
per_record yajlfloor "$B/bench/yajlfloor" -
per_record readonly "$B/bench/readonly" "$REL" -
per_record handwritten "$B/bench/handwritten" "$REL" -
per_record carsvm1 "$B/carsvm" route --release "$REL" - --threads 1
# Where carsvm's instructions go: inclusive cost of the main stages.
valgrind --tool=callgrind --callgrind-out-file="$W/cg.carsvm" "$B/carsvm" route --release "$REL" - --threads 1 \
  < "$W/k2.jsonl" > /dev/null 2>&1 || true
callgrind_annotate --inclusive=yes "$W/cg.carsvm" 2>/dev/null |
  awk -v k="$K2" '
    { gsub(",", "", $1) }
    $0 ~ /[ :]cars_rd_walk_line[ ]/ && !a { a = 1; printf "cars_rd_walk_line (simdjson'"'"'s stage 1 and the walk directed by the schema) %d\n", $1 / k }
    $0 ~ /[ :]cars_rd_simd_index[ ]/ && !e { e = 1; printf "cars_rd_simd_index (simdjson'"'"'s stage 1: UTF-8 and the structural index) %d\n", $1 / k }
    $0 ~ /[ :]cars_reader_parse(_padded)?[ ]/ && !b { b = 1; printf "cars_reader_parse (reading and validating) %d\n", $1 / k }
    $0 ~ /[ :]cars_vm_route[ ]/ && !c { c = 1; printf "cars_vm_route (the VM) %d\n", $1 / k }
    $0 ~ /[ :]cars_output_(result|routed)[ ]/ && !d { d = 1; printf "cars_output_routed (output line) %d\n", $1 / k }
  ' > "$W/cg.split" || true
rm -f "$W/cg.carsvm" "$W/k1.jsonl" "$W/k2.jsonl"

# ---- 4b. against the yajl reader -------------------------------------------
# The build of BENCH_BASE (the yajl reader) and this one, timed in turn round
# by round (bench/ab.sh), on a release that both can load: the base's carsc
# builds it from its own copy of the ruleset (an older language and bundle
# format, which this carsvm still loads).
BASE=${BENCH_BASE-22891b9}
: > "$W/ab"
if [ -n "$BASE" ] && command -v hyperfine >/dev/null && git rev-parse --verify -q "$BASE^{commit}" >/dev/null 2>&1; then
  say "bench: against $BASE (the yajl reader), bench/ab.sh"
  rm -rf "$W/base" && mkdir -p "$W/base"
  git archive "$BASE" | tar -x -C "$W/base"
  make -s -C "$W/base" -j"$CORES" build/carsc build/carsvm > "$W/base.log" 2>&1 \
    || { echo "bench: building $BASE failed ($W/base.log)" >&2; exit 1; }
  "$W/base/build/carsc" build "$W/base/rulesets/cars-v" --release-id 2026-W47 -o "$W/base.carsb" > /dev/null
  "$W/base/build/carsvm" route --release "$W/base.carsb" "$VALID" -o "$W/base.out" --threads 1
  "$B/carsvm" route --release "$W/base.carsb" "$VALID" -o "$W/new.out" --threads 1
  cmp -s "$W/base.out" "$W/new.out" || { echo "bench: $BASE and this build route differently" >&2; exit 1; }
  rm -f "$W/base.out" "$W/new.out"
  echo "$(git rev-parse --short "$BASE")" > "$W/ab.base"
  for th in 1 "$CORES"; do
    sh bench/ab.sh "$W/base.carsb" "$VALID" "$th" "${BENCH_AB_ROUNDS:-5}" "$W/base/build/carsvm" "$B/carsvm" \
      | awk -v a="$W/base/build/carsvm" -v b="$B/carsvm" -v la="yajl reader ($BASE)" '
          $1 == a || $1 == b { printf "%-40s %8s %8s %10s %7s %7s\n", ($1 == a ? la : "this build"), $2, $3, $4, $5, $6; next }
          { print }' >> "$W/ab"
  done
  rm -rf "$W/base"
fi

# ---- 5. scale ---------------------------------------------------------------
: > "$W/scale"
if [ "$SCALE" = 1 ]; then
  say "bench: scale (slice of $SLICE valid records; callgrind on 200..1000)"
  head -n "$SLICE" "$VALID" > "$W/slice.jsonl"
  head -n 200 "$VALID" > "$W/k1.jsonl"
  head -n 1000 "$VALID" > "$W/k2.jsonl"
  for cfg in ${BENCH_SCALE_CONFIGS:-10:1000 100:1000 1000:1000 10000:1000 10:100000 10:1000000 10000:1000000}; do
    np=${cfg%%:*} ne=${cfg#*:}
    d=$W/scale-$np-$ne
    rm -rf "$d"
    "$B/bench/scale/genrules" --base rulesets/cars-v --profiles "$np" --entries "$ne" -o "$d"
    : > "$W/build.runs"
    for i in 1 2 3; do
      s=$(ms_now)
      "$B/carsc" build "$d" --release-id SCALE -o "$d.carsb" > /dev/null
      e=$(ms_now)
      echo $(( (e - s) / 1000 )) >> "$W/build.runs"
    done
    build_s=$(sort -n "$W/build.runs" | sed -n 2p | awk '{ printf "%.3f", $1 / 1e6 }')
    size=$(wc -c < "$d.carsb")
    load_ms=$("$B/bench/scale/loadtime" "$d.carsb" 21 | awk '{ print $6 }')
    : > "$W/route.runs"
    for i in 1 2 3; do
      s=$(ms_now)
      "$B/carsvm" route --release "$d.carsb" - --threads 1 < "$W/slice.jsonl" > "$W/scale.out"
      e=$(ms_now)
      echo $(( (e - s) / 1000 )) >> "$W/route.runs"
    done
    route_s=$(sort -n "$W/route.runs" | sed -n 2p | awk '{ printf "%.3f", $1 / 1e6 }')
    ncx=$(grep -c '"outcome":"CXDR"' "$W/scale.out" || true)
    a=$(ir "$W/k1.jsonl" "$B/carsvm" route --release "$d.carsb" - --threads 1)
    b=$(ir "$W/k2.jsonl" "$B/carsvm" route --release "$d.carsb" - --threads 1)
    irr=$(( (b - a) / 800 ))
    echo "$np $ne $build_s $size $load_ms $route_s $irr $ncx" >> "$W/scale"
    say "bench:   profiles $np entries $ne: build ${build_s}s, $size bytes, load ${load_ms}ms, route ${route_s}s, $irr instr/record"
    rm -rf "$d" "$d.carsb"
  done
  rm -f "$W/slice.jsonl" "$W/k1.jsonl" "$W/k2.jsonl" "$W/scale.out"
fi

fi # ONLY
K1=${BENCH_CG_K1:-2000}
K2=${BENCH_CG_K2:-10000}
COMPARED=$(tail -1 "$W/compare.txt")
# ---- 6. report ---------------------------------------------------------------
t() { awk -v k="$1" '$1 == k { print $2 }' "$W/times"; }
m() { awk -v k="$1" '$1 == k { print $3 }' "$W/times"; }
cpu() { awk -v k="$1" '$1 == k { print $4 }' "$W/times"; }
rps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
mbs() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / s / 1e6 : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
group() { awk -v n="$1" 'BEGIN { s = sprintf("%d", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }; print s o }'; }
C1=$(t carsvm1)
CC1=$(cpu carsvm1)
row() { # label key input_records input_bytes
  s=$(t "$2"); [ -n "$s" ] || return 0
  c=$(cpu "$2")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(group "$(rps "$3" "$s")")" "$(mbs "$4" "$s")" "$(m "$2")" "$s" \
    "$(ratio "$s" "$C1")" "$c" "$(ratio "$c" "$CC1")"
}
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
mem=$(free -g | awk '/^Mem:/ { print $2 " GiB" }')
cc_v=$(${CC:-cc} --version | head -1)
# The run's identity: when it measured, from which commit and tree. A report
# rewritten from the run's files (BENCH_REPORT_ONLY=1) keeps the run's.
if [ "$ONLY" = 1 ] && [ -f "$W/stamp" ]; then
  read -r when commit dirty < "$W/stamp"
  when=$(echo "$when" | tr _ ' ')
else
  when=$(date -u '+%Y-%m-%d %H:%M UTC')
  commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo "?")}
  dirty=$(git status --porcelain -- vm compiler bench 2>/dev/null | grep -c . || true)
  [ "$ONLY" = 1 ] || echo "$(echo "$when" | tr ' ' _) $commit $dirty" > "$W/stamp"
fi
peer_v() {
  case $1 in
    jq) jq --version ;;
    lua) luajit -v | cut -d' ' -f1-2 ;;
    node) echo "node $(node --version), json-rules-engine $(sed -n 's/.*"version": "\(.*\)".*/\1/p' bench/peers/node/node_modules/json-rules-engine/package.json 2>/dev/null | head -1)" ;;
  esac
}
label() {
  case $1 in
    jq) echo "jq (bench/peers/cars.jq)" ;;
    lua) echo "LuaJIT + lua-cjson (bench/peers/cars.lua)" ;;
    node) echo "Node + json-rules-engine (bench/peers/node)" ;;
  esac
}
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == "ge") ? (v >= t) : (v <= t); print (ok ? "**met**" : "**missed**") }'; }

{
  echo "# Performance"
  echo
  echo "Written by \`make bench\` (bench/run.sh) on $when, commit $commit"
  if [ -n "${BENCH_COMMIT:-}" ]; then echo "(built and run from a clean export of that commit: \`git archive\`)"
  elif [ "$dirty" -ne 0 ]; then echo "(with $dirty uncommitted changes under vm/, compiler/ or bench/ in the working tree)"; fi
  echo "Do not edit by hand: the analysis at the end comes from bench/performance-notes.md."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $cpu, $CORES cores ($(nproc --all) online)"
  echo "- memory: $mem; kernel $(uname -r); compiler $cc_v; \`-O2 -g\`"
  echo "- shared with other work at the same time: wall-clock numbers are noisy."
  echo "  Ratios are between runs of the same \`make bench\`; instruction counts (callgrind) are repeatable."
  for p in $PEERS; do echo "- $(label "$p"): $(peer_v "$p")"; done
  echo
  echo "## Corpus and correctness"
  echo
  echo "\`gencorpus --count $N --seed $SEED --tables $T\`: $(group "$NREC") records ($(group "$NVALID") valid,"
  echo "$(group "$NINVALID") invalid), $(mbs "$BYTES" 1) MB; the valid subset (what the peers read) is $(mbs "$VBYTES" 1) MB."
  echo "Before any timing: bench/handwritten's output is byte-identical to \`carsvm route\` on the whole corpus;"
  echo "\`carsvm route --threads $CORES\` is byte-identical to \`--threads 1\`; bench/readonly finds the same"
  echo "$(group "$NINVALID") invalid records; and bench/compare.sh: $COMPARED"
  echo "(\`routed1\` is \`carsvm route\`; compared on id, outcome and rules)."
  echo
  echo "## Tools on the same records"
  echo
  echo "Every tool reads the $(group "$NVALID") valid records from stdin and writes its lines to /dev/null;"
  echo "one process, one thread unless said. Seconds: median of $REPS runs ($PREPS for the peers), wall clock,"
  echo "start-up included. Peak memory: maximum resident set size (\`/usr/bin/time\`)."
  echo "\"time ÷ carsvm\": the tool's wall time divided by \`carsvm route\` (one thread)'s, from this run;"
  echo "\"CPU s\": user + system seconds (median), less disturbed by the other load on the machine than wall"
  echo "clock, and its ratio to carsvm's (for the multi-threaded run, CPU time is summed over threads)."
  echo
  echo "| tool | records/s | MB/s | peak MB | seconds | time ÷ carsvm | CPU s | CPU ÷ carsvm |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  row "yajl's parser alone, no callbacks (bench/yajlfloor: JSON syntax only)" yajlfloor "$NVALID" "$VBYTES"
  row "reading and validating only (bench/readonly: the floor)" readonly "$NVALID" "$VBYTES"
  row "hand-written C on the same reader (bench/handwritten: the limit)" handwritten "$NVALID" "$VBYTES"
  row "**carsvm route, 1 thread**" carsvm1 "$NVALID" "$VBYTES"
  row "carsvm route, $CORES threads" carsvmN "$NVALID" "$VBYTES"
  for p in $PEERS; do row "$(label "$p")" "$p" "$NVALID" "$VBYTES"; done
  echo
  echo "## Reading, routing, all cores"
  echo
  echo "The whole corpus, invalid records included (they get ERROR lines)."
  echo
  echo "| run | records/s | MB/s | peak MB | seconds | time ÷ reading | CPU s | CPU ÷ reading |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  R=$(t all_readonly)
  for k in all_yajlfloor all_readonly all_carsvm1 all_carsvmN; do
    case $k in all_yajlfloor) l="yajl's parser alone (JSON syntax only)";; all_readonly) l="reading and validating only";;
      all_carsvm1) l="routing, 1 thread";; *) l="routing, $CORES threads";; esac
    s=$(t $k)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$l" "$(group "$(rps "$NREC" "$s")")" "$(mbs "$BYTES" "$s")" "$(m $k)" "$s" \
      "$(ratio "$s" "$R")" "$(cpu $k)" "$(ratio "$(cpu $k)" "$(cpu all_readonly)")"
  done
  echo
  echo "## Impact of a release"
  echo
  echo "\`carsc impact\` reads the whole corpus once and reads and routes every record under two releases"
  echo "(the reference release and the next one, M-B5 narrowed to 14 days), on every core; its JSON"
  echo "figures are byte-identical on 1 and $CORES threads. Against routing the corpus once."
  echo
  echo "| run | records/s | peak MB | seconds | time ÷ routing once | CPU s | CPU ÷ routing once |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for k in all_carsvmN all_impactN; do
    case $k in all_carsvmN) l="routing once, $CORES threads (carsvm route)";; *) l="carsc impact, $CORES threads";; esac
    s=$(t $k)
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$l" "$(group "$(rps "$NREC" "$s")")" "$(m $k)" "$s" \
      "$(ratio "$s" "$(t all_carsvmN)")" "$(cpu $k)" "$(ratio "$(cpu $k)" "$(cpu all_carsvmN)")"
  done
  echo
  echo "## Instructions per record (callgrind)"
  echo
  echo "\`valgrind --tool=callgrind\`, instructions (Ir) on the first $K2 valid records minus the first $K1,"
  echo "divided by $((K2 - K1)): start-up and loading cancel out. Repeatable to the instruction, so these"
  echo "ratios are the reliable ones on a shared machine."
  echo
  echo "| tool | instructions/record | ÷ carsvm |"
  echo "|---|---:|---:|"
  IC=$(awk '$1 == "carsvm1" { print $2 }' "$W/ir")
  while read -r k v; do
    case $k in yajlfloor) l="yajl's parser alone";; readonly) l="reading and validating only";;
      handwritten) l="hand-written C";; *) l="carsvm route";; esac
    echo "| $l | $(group "$v") | $(ratio "$v" "$IC") |"
  done < "$W/ir"
  if [ -s "$W/cg.split" ]; then
    echo
    echo "Inside \`carsvm route\` (inclusive instructions per record):"
    echo
    while read -r line; do echo "- ${line% *}: $(group "${line##* }")"; done < "$W/cg.split"
  fi
  if [ -s "$W/ab" ]; then
    echo
    echo "## Against the yajl reader"
    echo
    echo "\`carsvm route\` built from $(cat "$W/ab.base") (the last commit with the yajl record reader) and this build,"
    echo "on the $(group "$NVALID") valid records and a release both load (built by the older carsc), each round"
    echo "running both in turn (bench/ab.sh): a change in the machine's load falls on both alike. Their"
    echo "routing output was checked byte-identical first."
    echo
    echo '```'
    cat "$W/ab"
    echo '```'
  fi
  echo
  echo "## Targets"
  echo
  echo "| target | measured (wall clock) | measured (CPU time or instructions) | verdict |"
  echo "|---|---:|---:|---|"
  for p in $PEERS; do
    case $p in jq) tg=50;; node) tg=20;; lua) tg=5;; esac
    r=$(ratio "$(t "$p")" "$C1")
    rc=$(ratio "$(cpu "$p")" "$CC1")
    echo "| carsvm ≥ ${tg}× $p on one core | ${r}× | ${rc}× (CPU) | $(verdict "$r" $tg ge) (wall), $(verdict "$rc" $tg ge) (CPU) |"
  done
  r=$(ratio "$C1" "$(t handwritten)")
  ri=$(ratio "$IC" "$(awk '$1 == "handwritten" { print $2 }' "$W/ir")")
  echo "| within 1.3× of hand-written C | ${r}× | ${ri}× | $(verdict "$r" 1.3 le) (wall), $(verdict "$ri" 1.3 le) (instructions) |"
  r=$(ratio "$(t all_carsvm1)" "$R")
  ri=$(ratio "$IC" "$(awk '$1 == "readonly" { print $2 }' "$W/ir")")
  echo "| routing adds ≤ 25% to reading alone | ${r}× | ${ri}× | $(verdict "$r" 1.25 le) (wall), $(verdict "$ri" 1.25 le) (instructions) |"
  r=$(ratio "$(t all_impactN)" "$(t all_carsvmN)")
  rc=$(ratio "$(cpu all_impactN)" "$(cpu all_carsvmN)")
  echo "| carsc impact ≤ 2.2× routing the corpus once | ${r}× | ${rc}× (CPU) | $(verdict "$r" 2.2 le) (wall), $(verdict "$rc" 2.2 le) (CPU) |"
  r=$(rps "$NREC" "$(t all_carsvm1)")
  rc=$(rps "$NREC" "$(cpu all_carsvm1)")
  if [ -s "$W/ab" ]; then
    aw=$(awk '/^this build/ { print $6; exit }' "$W/ab"); ac=$(awk '/^this build/ { print $7; exit }' "$W/ab")
    echo "| records/s ≥ 1.5× the yajl reader's, one thread, same run | ${aw}× | ${ac}× (CPU) | $(verdict "$aw" 1.5 ge) (wall), $(verdict "$ac" 1.5 ge) (CPU) |"
  fi
  echo "| one core ≥ 200,000 records/s | $(group "$r") | $(group "$rc") per CPU second | $(verdict "$r" 200000 ge) (wall), $(verdict "$rc" 200000 ge) (CPU) |"
  if [ -s "$W/scale" ]; then
    f=$(awk '$2 == 1000 && $1 == 10 { a = $7 } $2 == 1000 && $1 == 10000 { b = $7 } END { printf "%.2f", (a > 0 ? b / a : 0) }' "$W/scale")
    [ "$f" = 0.00 ] || [ "$f" = nan ] || [ "$f" = -nan ] ||
      echo "| flat per-record cost, 10 → 10,000 profiles | | ${f}× | $(verdict "$f" 1.1 le) |"
    c=$(awk '$1 == 10000 && $2 == 1000000 { print $3 }' "$W/scale")
    l=$(awk '$1 == 10000 && $2 == 1000000 { print $5 }' "$W/scale")
    if [ -n "$c" ]; then
      echo "| 10,000 profiles + 1,000,000 entries build in a few seconds | ${c} s | | $(verdict "$c" 5 le) |"
      echo "| ... and load in milliseconds | ${l} ms | | $(verdict "$l" 100 le) |"
    fi
    echo
    echo "## Scale"
    echo
    echo "Synthetic rulesets from bench/scale/genrules: the reference ruleset (schema, rules, its 3 profiles,"
    echo "routing, tables) plus generated profiles up to the number shown, and the two bulk tables filled to"
    echo "the number of entries shown (half each). Build: \`carsc build\` wall clock, median of 3. Load:"
    echo "\`cars_bundle_load\` (decode and verify) of the bytes in memory, median of 21 (bench/scale/loadtime)."
    echo "Route: \`carsvm route --threads 1\` on the first $(group "$SLICE") valid records, median of 3 (start-up"
    echo "and load included). Instructions: callgrind, records 200..1000. CXDR: how many of the slice the"
    echo "profiles and tables sent to CXDR (the generated profiles are narrow but do match some records)."
    echo
    echo "| profiles | table entries | build s | bundle bytes | load ms | records/s | instructions/record | CXDR in slice |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    while read -r np ne bs sz lm rs irr ncx; do
      echo "| $(group "$np") | $(group "$ne") | $bs | $(group "$sz") | $lm | $(group "$(rps "$SLICE" "$rs")") | $(group "$irr") | $(group "$ncx") |"
    done < "$W/scale"
    echo
    echo "![records/s and instructions per record against the number of profiles](scale.svg)"
  fi
  echo
  if [ -f bench/loadtest-results.md ]; then cat bench/loadtest-results.md; echo; fi # make loadtest
  if [ -f bench/performance-notes.md ]; then cat bench/performance-notes.md; fi
} > "$DOC.tmp"
mv "$DOC.tmp" "$DOC"

if [ -s "$W/scale" ]; then
  {
    printf 'panel\tRouting speed against ruleset size\tprofiles (1,000 table entries)\trecords/s, one thread (wall clock)\n'
    printf 'series\tcarsvm route\t#1f77b4\n'
    awk -v n="$SLICE" '$2 == 1000 { printf "point\t%s\t%.0f\t%.0fk/s\n", $1, n / $6, n / $6 / 1000 }' "$W/scale"
    printf 'panel\tInstructions per record (callgrind)\tprofiles (1,000 table entries)\tinstructions per record\n'
    printf 'series\tcarsvm route\t#d62728\n'
    awk '$2 == 1000 { printf "point\t%s\t%s\t%.0fk\n", $1, $7, $7 / 1000 }' "$W/scale"
    printf 'panel\tTable size (10 profiles)\ttable entries\tinstructions per record\n'
    printf 'series\tcarsvm route\t#2ca02c\n'
    awk '$1 == 10 { printf "point\t%s\t%s\t%.0fk\n", $2, $7, $7 / 1000 }' "$W/scale"
  } | awk -f bench/scale/plot.awk > "$SVG"
fi
say "bench: wrote $DOC"
cat "$DOC" | sed -n '/^## Tools/,/^## Scale/p'
