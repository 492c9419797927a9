# A release swap under load: two curl loops post 100-record batches while
# the release file is replaced and SIGHUP sent, again and again. No request
# fails and no response mixes releases; both releases answer. A refused
# release (damaged) leaves the old one serving, reported on standard error
# and in /metrics. A new file in the watched directory is taken.
make_releases; make_corpus 100
mkdir watch
cp r49.carsb cur.carsb
start_server srv.err --release cur.carsb --threads 2 --watch watch
loop() { # loop N TAG: N posts, each answer in TAG.I
  i=0
  while [ $i -lt "$1" ]; do
    curl -s --max-time 20 -o "$2.$i" -w '%{http_code}\n' -X POST --data-binary @in.jsonl "$URL/v1/route" >> "$2.codes"
    i=$((i+1))
  done
}
loop 150 a & L1=$!
loop 150 b & L2=$!
n=0
while kill -0 $L1 2>/dev/null && [ $n -lt 40 ]; do
  if [ $((n % 2)) = 0 ]; then cp r50.carsb tmp.carsb; else cp r49.carsb tmp.carsb; fi
  mv tmp.carsb cur.carsb && kill -HUP $PID
  sleep 0.1; n=$((n+1))
done
wait $L1 $L2
[ "$(cat a.codes b.codes | sort -u)" = 200 ] || fail "some request failed: $(sort a.codes b.codes | uniq -c)"
for f in a.[0-9]* b.[0-9]*; do
  [ "$(wc -l < "$f")" = 100 ] || fail "$f: $(wc -l < "$f") lines"
  [ "$(grep -o '"release":"2026-W[0-9]*"' "$f" | sort -u | wc -l)" = 1 ] || fail "$f mixes releases"
done
seen=$(cat a.[0-9]* b.[0-9]* | grep -o '"release":"2026-W[0-9]*"' | sort -u | wc -l)
[ "$seen" = 2 ] || fail "only one release answered"
swaps=$(metric cars_release_swaps_total)
[ "$swaps" -ge 2 ] || fail "$swaps swaps"
ok "300 batches during $swaps swaps (SIGHUP): none failed, none mixed, both releases answered"
before=$(curl -s "$URL/healthz")
head -c 100 r50.carsb > tmp.carsb && mv tmp.carsb cur.carsb && kill -HUP $PID
sleep 0.5
grep -q "carsvm serve: refused the release cur.carsb (status 10, .*still serving 2026-W" srv.err || { cat srv.err; fail "refusal not reported"; }
[ "$(metric cars_release_refusals_total)" = 1 ] || fail "refusal not counted"
[ "$(curl -s "$URL/healthz")" = "$before" ] || fail "the old release is not serving"
[ "$(code in.jsonl)" = 200 ] || fail "routing after a refusal"
ok "a damaged release refused (status 10): reported, counted, the old one still serving"
want=2026-W50; grep -q '"release":"2026-W50"' body && want=2026-W49
cp "r${want#2026-W}.carsb" watch/.incoming && mv watch/.incoming watch/new.carsb
i=0; while [ $i -lt 40 ] && ! curl -s "$URL/healthz" | grep -q "$want"; do sleep 0.1; i=$((i+1)); done
curl -s "$URL/healthz" | grep -q "$want" || fail "the watched directory's new release was not taken"
grep -q "now serving release $want (sequence 0) from watch/new.carsb" srv.err || fail "watch swap not reported"
ok "a new release in the watched directory: serving $want"
stop_server
