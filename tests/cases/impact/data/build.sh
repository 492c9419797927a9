# Builds the two releases of the figures cases into $TMP (old.carsb: W1,
# new.carsb: W2) and routes the records under the old one (old.out).
D="$ROOT/tests/cases/impact/data"
"$CARSC" build "$D/old.cars" -o "$TMP/old.carsb" --release-id W1 >/dev/null || exit 9
"$CARSC" build "$D/new.cars" -o "$TMP/new.carsb" --release-id W2 >/dev/null || exit 9
"$CARSVM" route --release "$TMP/old.carsb" "$D/records.jsonl" -o "$TMP/old.out"
[ $? -le 3 ] || exit 9
