#!/bin/sh
# seeds.sh BUILD OUT - generates the test-time seed corpora of the four fuzz
# targets into OUT/<target>/ (the committed seeds are in tests/fuzz/corpus/):
#   parse   every .cars file of rulesets/, tests/data and tests/cases
#   loader  the reference release and a bundle of each buildable test ruleset
#           (tests/cases, tests/data, tests/fuzz/rulesets: one with stage indexes),
#           and the committed bundles of older format versions (*.formatN.carsb)
#   reader  records from gencorpus (valid and invalid) and tests/cases, and
#           seeds aimed at the reader's classes of defect: every list path
#           holding every JSON type (non-objects before objects), bad UTF-8
#           and control bytes in keys, values and ids, numbers at the edges,
#           nesting at the limit, an unknown object of 1,024 interleaved keys
#           (b0 a0 b1 a1 ..., the order that made the old shell sort
#           quadratic: 131,000 comparisons, over the targets' n log n bound);
#           fuzz_reader_diff uses the same seeds
#   reader-slow  replayed, not fuzzed (large inputs slow every mutation):
#           65,536 and 262,144 interleaved keys (0.9 and 3.4 MB; powers of 2,
#           so that every gap of the old shell sort was even: seconds and
#           minutes for it, well under a second now)
#   vm      u32 LE bundle length + bundle + a few record lines
# Also writes OUT/cars-v.carsb, the release the reader targets read
# ($CARS_FUZZ_RELEASE), and OUT/reader.dict, their libFuzzer dictionary:
# tests/fuzz/json.dict plus every key and enumeration member of the
# reference schema. Uses BUILD's carsc and gencorpus.
set -u
BUILD=$1; OUT=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CARSC="$BUILD/carsc"
rm -rf "$OUT" && mkdir -p "$OUT/parse" "$OUT/loader" "$OUT/reader" "$OUT/reader-slow" "$OUT/vm" || exit 1
"$CARSC" build "$ROOT/rulesets/cars-v" --release-id FUZZ -o "$OUT/cars-v.carsb" >/dev/null 2>&1 \
  || { echo "seeds: cannot build the reference release" >&2; exit 1; }

i=0
for f in $(find "$ROOT/rulesets" "$ROOT/tests/data" "$ROOT/tests/cases" -name '*.cars' -size -64k | sort); do
  i=$((i + 1)); cp "$f" "$OUT/parse/s$i.cars"
done

"$BUILD/gencorpus" --count 60 --seed 11 --invalid-share 30% --tables "$ROOT/rulesets/cars-v/tables" \
  -o "$OUT/records.jsonl" || exit 1
cat "$ROOT"/tests/cases/vm/route-records/input.jsonl >> "$OUT/records.jsonl"
i=0
while IFS= read -r rec; do
  i=$((i + 1)); printf '%s' "$rec" > "$OUT/reader/r$i"
done < "$OUT/records.jsonl"

# The reader's seeds. APP: a valid record's fields but the lists and uk_history.
APP='"received":"2026-11-20","route":"standard_visitor","applicant":{"given_names":"Ann","family_name":"Lee","date_of_birth":"1980-01-01","sex":"F","nationality":"FRA","passport":{"number":"P1","issuing_country":"FRA"}},"visit":{"purpose":"tourism","length_days":12,"cost_gbp":1500.5},"criminality":{"convictions":false,"pending_charges":false,"cautions":false,"terrorism_or_extremism":false,"war_crimes":false}'
UK='"overstayed":false,"removed_or_deported":false,"breached_conditions":false'
n=0
seed() { n=$((n + 1)); printf "$@" > "$OUT/reader/s$n"; }
# rec PATH LIST: a valid record with LIST at PATH (travel_history, visits, refusals)
rec() {
  case $1 in
    travel_history) seed '{"id":"S","travel_history":%s,%s,"uk_history":{%s}}' "$2" "$APP" "$UK" ;;
    *) seed '{"id":"S",%s,"uk_history":{%s,"%s":%s}}' "$APP" "$UK" "$1" "$2" ;;
  esac
}
rep() { awk -v n="$1" -v x="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? "," : ""), x }'; }
for path in travel_history visits refusals; do
  case $path in
    travel_history) E='{"country":"FRA","year":2020,"complied":true}' ;;
    visits) E='{"year":2020,"complied":false}' ;;
    refusals) E='{"year":2019}' ;;
  esac
  for v in "[]" "[$E]" "[$E,$E]" "[{}]" "[0]" "[-1.5e3]" '["x"]' "[true]" "[false]" "[null]" "[[]]" "[[$E]]" \
           "[0,$E]" "[$E,0]" "[$E,0,$E]" "[null,$E]" "[\"\",$E]" "[[],$E]" "[{},$E]" "[true,$E]" \
           "[$(rep 64 0),$E]" "[$(rep 65 null),$E,$E]" "[$(rep 200 '"s"'),$E]" "[$(rep 300 "$E")]" \
           "[$E,{\"year\":\"2020\"}]" "[{\"year\":1,\"year\":2}]" "[$E,{\"x\":{\"y\":[0,{}]}}]" \
           0 '"x"' "{}" null true "{\"year\":2020}"; do
    rec $path "$v"
  done
done
# bad bytes and control characters: in the id, a key, a known value, an unknown one, between tokens
for b in '\300\257' '\301\277' '\340\200\257' '\355\240\200' '\355\277\277' '\360\200\200\257' '\364\220\200\200' \
         '\365\200\200\200' '\370\210\200\200\200' '\377' '\200' '\342\202' '\014' '\013' '\000' '\177'; do
  seed '{"id":"S%b",%s,"uk_history":{%s}}' "$b" "$APP" "$UK"
  seed '{"id":"S","k%b":1,%s,"uk_history":{%s}}' "$b" "$APP" "$UK"
  seed '{"id":"S","contact":{"email":"a%b@b"},%s,"uk_history":{%s}}' "$b" "$APP" "$UK"
  seed '{"id":"S",%s,"uk_history":{%s},"x":["%b"]}' "$APP" "$UK" "$b"
  seed '{"id":"S",%s,%b"uk_history":{%s}}' "$APP" "$b" "$UK"
done
seed '\357\273\277{"id":"S",%s,"uk_history":{%s}}' "$APP" "$UK"
seed '{"id":"S\357\273\277\303\251\360\237\230\200\364\217\277\277",%s,"uk_history":{%s}}' "$APP" "$UK"
seed '\f'
seed '\v'
seed ' \t\r'
seed '{"id":"S\\u0000","k\\u0000":1,"k\\u0001":2,"route":"standard\\u0000visitor"}'
seed '{"id":"S\\ud83d\\ude00\\ud800","a\\u0000b":1,"a\\u0000b":2}'
# numbers at the edges, in integer, number and unknown fields
for x in -0 0.0 1e400 -1e400 1e-400 01 1. .5 9223372036854775807 9223372036854775808 -9223372036854775809 \
         99999999999999999999 1.7976931348623157e308 4.9e-324 1E+2; do
  seed '{"id":"S",%s,"uk_history":{%s},"family":{"dependants_at_home":%s},"finances":{"savings_gbp":%s},"x":%s}' \
    "$APP" "$UK" "$x" "$x" "$x"
done
# nesting at the limit (64 levels) and one past it
deep() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "["; for (i = 0; i < n; i++) printf "]" }'; }
seed '{"id":"S",%s,"uk_history":{%s},"x":%s}' "$APP" "$UK" "$(deep 63)"
seed '{"id":"S",%s,"uk_history":{%s},"x":%s}' "$APP" "$UK" "$(deep 64)"
# keys b0000000 a0000000 b0000001 a0000001 ... in an unknown object
keys() {
  awk -v n="$1" -v app="$APP" -v uk="$UK" 'BEGIN {
    printf "{\"id\":\"S\",%s,\"uk_history\":{%s},\"x\":{", app, uk
    for (i = 0; i < n; i++) printf "%s\"%c%07d\":0", (i ? "," : ""), (i % 2 ? "a" : "b"), int(i / 2)
    printf "}}" }'
}
keys 1024 > "$OUT/reader/keys-1k"
keys 65536 > "$OUT/reader-slow/keys-64k"
keys 262144 > "$OUT/reader-slow/keys-256k"
# the dictionary
{ grep -v '^#' "$ROOT/tests/fuzz/json.dict"
  sed 's/#.*//' "$ROOT/rulesets/cars-v/schema.cars" | awk '
    /one of \[/ { members = 1; sub(/.*one of \[/, "") }
    members { line = $0; if (line ~ /\]/) { sub(/\].*/, "", line); members = 0 }
              n = split(line, w, /[ ,\t]+/); for (i = 1; i <= n; i++) if (w[i] != "") print w[i] }
    /^[ \t]*[a-z_][a-z0-9_.]*:/ { k = $1; sub(/:.*/, "", k); n = split(k, part, "."); for (i = 1; i <= n; i++) print part[i] }' |
    sort -u | while IFS= read -r w; do printf '"\\"%s\\""\n' "$w"; done
} > "$OUT/reader.dict"

# u32 little-endian length of file $1, as 4 raw bytes.
le32() {
  n=$(wc -c < "$1")
  printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))"
}
head -8 "$OUT/records.jsonl" > "$OUT/few.jsonl"
cp "$OUT/cars-v.carsb" "$OUT/loader/cars-v.carsb"
{ le32 "$OUT/cars-v.carsb"; cat "$OUT/cars-v.carsb" "$OUT/few.jsonl"; } > "$OUT/vm/cars-v"
i=0
for f in $(find "$ROOT/tests/cases/build" "$ROOT/tests/cases/vm" "$ROOT/tests/data" "$ROOT/tests/fuzz/rulesets" -name '*.cars' | sort); do
  i=$((i + 1))
  "$CARSC" build "$f" --release-id S$i -o "$OUT/b$i.carsb" >/dev/null 2>&1 || continue
  cp "$OUT/b$i.carsb" "$OUT/loader/b$i.carsb"
  { le32 "$OUT/b$i.carsb"; cat "$OUT/b$i.carsb" "$OUT/few.jsonl"; } > "$OUT/vm/b$i"
done
# Bundles of older format versions committed as they were built (loaded and
# routed with the rules of their version).
i=0
for f in $(find "$ROOT/tests/cases" -name '*.format[0-9]*.carsb' | sort); do
  i=$((i + 1))
  cp "$f" "$OUT/loader/old$i.carsb"
  { le32 "$f"; cat "$f" "$OUT/few.jsonl"; } > "$OUT/vm/old$i"
done
rm -f "$OUT"/b*.carsb "$OUT/few.jsonl" "$OUT/records.jsonl"
