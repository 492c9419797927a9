# Every endpoint: POST /v1/route gives route's bytes (one record, a batch,
# invalid records as ERROR lines with 200), GET /v1/release, /healthz,
# /metrics; 400, 404 and 405 with a JSON error.
make_releases; make_corpus 300
"$CARSVM" route --release r49.carsb --channel test in.jsonl -o want.jsonl; [ $? -le 3 ] || fail "route"
start_server srv.err --release r49.carsb --threads 2
head -1 in.jsonl | tr -d '\n' > one.json           # one record, no newline
[ "$(code one.json)" = 200 ] || fail "one record: $(cat body)"
head -1 want.jsonl | cmp -s - body || fail "one record: not route's line"
ok "one record: route's routing line, byte for byte"
curl -s -D hdr -o /dev/null -X POST --data-binary @one.json "$URL/v1/route"
grep -qi '^content-type: application/json' hdr || fail "one record: content type"
grep -qi '^x-cars-release: 2026-W49' hdr || fail "one record: release header"
post in.jsonl > got.jsonl && cmp -s got.jsonl want.jsonl || fail "batch differs from route"
ok "300 records: route's output, byte for byte, in order"
printf '{"id":"BAD1","nope":1}\n\n   \n{"id":"BAD2"\n' > bad.jsonl
[ "$(code bad.jsonl)" = 200 ] || fail "invalid records: $(cat body)"
[ "$(grep -c '"outcome":"ERROR"' body)" = 2 ] || fail "invalid records: $(cat body)"
grep -q '"id":"BAD1".*"line":1}' body && grep -q '"line":4}' body || fail "ERROR lines' line numbers: $(cat body)"
ok "invalid records: their ERROR lines, 200 (blank lines skipped, lines numbered in the body)"
curl -s "$URL/v1/release" > rel.json
grep -q '^{"release":"2026-W49","sequence":0,"channel":"test",.*"bundle":"[0-9a-f]\{64\}","signature":"not checked"}$' rel.json \
  || fail "release: $(cat rel.json)"
[ "$(curl -s "$URL/healthz")" = '{"status":"ok","release":"2026-W49"}' ] || fail healthz
ok "GET /v1/release and /healthz"
printf '' > empty
[ "$(code empty)" = 400 ] && grep -q '^{"error":"the body holds no record' body || fail "empty body: $(cat body)"
printf '\n \n' > blanks
[ "$(code blanks)" = 400 ] || fail "blank body"
[ "$(curl -s -o body -w '%{http_code}' "$URL/v2/route")" = 404 ] && grep -q '"error"' body || fail 404
[ "$(curl -s -o body -w '%{http_code}' "$URL/v1/route")" = 405 ] && grep -q '"error"' body || fail "GET /v1/route"
[ "$(curl -s -o body -w '%{http_code}' -X DELETE "$URL/metrics")" = 405 ] || fail "DELETE /metrics"
ok "400 (no record), 404, 405 with a JSON error"
curl -s "$URL/metrics" > m
for k in 'cars_http_requests_total{code="200"} 6' 'cars_http_requests_total{code="400"} 2' \
         'cars_http_requests_total{code="404"} 1' 'cars_http_requests_total{code="405"} 2' \
         'cars_routings_total{outcome="ERROR"} ' 'cars_request_duration_seconds_bucket{le="+Inf"} 4' \
         'cars_release_info{release="2026-W49",sequence="0",bundle="' 'cars_release_swaps_total 0'; do
  grep -qF "$k" m || { cat m; fail "metrics: no '$k'"; }
done
total=$(awk '/^cars_routings_total/ { s += $2 } END { print s }' m)
[ "$total" = 304 ] || fail "metrics: $total routings, want 304"
ok "GET /metrics: requests by code, outcomes, latency histogram, release"
stop_server
