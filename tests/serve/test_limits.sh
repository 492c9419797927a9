# Every limit, with its error: body size (413, with a Content-Length and
# chunked: libevent's own answer, an HTML page), records per request (413),
# the size of a head (400 past 64 KiB: libevent's own answer; libevent 2.1
# has no 431), connections (503), a head never
# finished (closed at the idle timeout), a body too slow (closed at the
# body timeout).
make_releases; make_corpus 100
start_server srv.err --release r49.carsb --threads 2 --max-body 100000 --max-records 50 --max-connections 5 \
  --idle-timeout 2 --body-timeout 2
C="python3 $ROOT/tests/serve/client.py"
# A body over --max-body is refused by libevent itself (evhttp 2.1 shows a
# request to the program only once its body is in): 413 with its HTML page,
# counted as body_too_large.
[ "$(code in.jsonl)" = 413 ] && grep -q '<TITLE>413 Request Entity Too Large</TITLE>' body \
  || fail "max-body: $(cat body)"
st=$(curl -s --max-time 20 -o body -w '%{http_code}' -H 'Transfer-Encoding: chunked' -X POST --data-binary @in.jsonl "$URL/v1/route")
[ "$st" = 413 ] && grep -q '413 Request Entity Too Large' body || fail "max-body, chunked: $st $(cat body)"
[ "$(metric 'cars_http_errors_total{reason="body_too_large"}')" = 2 ] || fail "max-body: not counted twice"
[ "$(metric 'cars_http_requests_total{code="413"}')" = 2 ] || fail "max-body: 413 not counted twice"
ok "--max-body: 413, with a Content-Length or chunked, counted"
head -51 in.jsonl > big51; head -50 in.jsonl > ok50
[ "$(wc -c < big51)" -lt 100000 ] || fail "the test's 51 records pass 100000 bytes"
[ "$(code big51)" = 413 ] && grep -q 'more than 50 records in one request (--max-records)' body || fail "max-records: $(cat body)"
[ "$(code ok50)" = 200 ] && [ "$(wc -l < body)" = 50 ] || fail "50 records"
ok "--max-records: 51 records 413, 50 records 200"
pad() { head -c "$1" /dev/zero | tr '\0' a; }
st=$(curl -s --max-time 20 -o body -w '%{http_code}' -H "X-Pad: $(pad 40000)" -X POST --data-binary @ok50 "$URL/v1/route")
[ "$st" = 200 ] || fail "a 40,000-byte header: $st"
st=$(curl -s --max-time 20 -o body -w '%{http_code}' -H "X-Pad: $(pad 80000)" -X POST --data-binary @ok50 "$URL/v1/route")
[ "$st" = 400 ] && grep -q '400 Bad Request' body || fail "an 80,000-byte header: $st $(cat body)"
ok "a head of 40,000 bytes answered, one of 80,000 bytes 400"
$C hold "$PORT" 6 3 > hold.out &
HP=$!
sleep 1
[ "$(code ok50)" = 503 ] && grep -q 'too many connections' body || fail "max-connections: $(cat body)"
wait $HP
sleep 0.5
[ "$(code ok50)" = 200 ] || fail "after the connections closed: $(cat body)"
ok "--max-connections: 503 with a JSON error while 6 are open, 200 again after"
out=$($C partial-headers "$PORT") || fail "partial headers: $out"
secs=${out#closed after }; secs=${secs%% *}
awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s < 6) }' || fail "a head never finished closed after $secs s (idle timeout 2)"
ok "a request head never finished: closed after $secs s (--idle-timeout 2)"
out=$($C slow-body "$PORT" 0.5) || fail "slow body: $out"
secs=${out#closed after }; secs=${secs%% *}
awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s < 6) }' || fail "a slow body closed after $secs s (body timeout 2)"
[ "$(metric 'cars_http_errors_total{reason="body_timeout"}')" -ge 1 ] || fail "body_timeout not counted"
ok "a body trickling 10 bytes every 0.5 s: closed after $secs s (--body-timeout 2)"
stop_server
