#!/bin/sh
# seeds.sh BUILD OUT - generates the test-time seed corpora of the four fuzz
# targets into OUT/<target>/ (the committed seeds are in tests/fuzz/corpus/):
#   parse   every .cars file of rulesets/, tests/data and tests/cases
#   loader  the reference release and a bundle of each buildable test ruleset
#           (tests/cases, tests/data, tests/fuzz/rulesets: one with stage indexes),
#           and the committed bundles of older format versions (*.formatN.carsb)
#   reader  records from gencorpus (valid and invalid) and tests/cases
#   vm      u32 LE bundle length + bundle + a few record lines
# Also writes OUT/cars-v.carsb, the release fuzz_reader reads
# ($CARS_FUZZ_RELEASE). Uses BUILD's carsc and gencorpus.
set -u
BUILD=$1; OUT=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CARSC="$BUILD/carsc"
rm -rf "$OUT" && mkdir -p "$OUT/parse" "$OUT/loader" "$OUT/reader" "$OUT/vm" || exit 1
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
