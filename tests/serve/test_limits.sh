# Every limit, with its error: body size (413 as soon as the head says so,
# with a Content-Length; chunked: libevent's own answer, an HTML page, at the
# chunk that passes the limit), records per request (413), the size of a head
# (431 past 64 KiB), connections (503), a head never
# finished (closed at the idle timeout), a body too slow (closed at the
# body timeout).
make_releases; make_corpus 100
start_server srv.err --release r49.carsb --threads 2 --max-body 100000 --max-records 50 --max-connections 5 \
  --idle-timeout 2 --body-timeout 2
C="python3 $ROOT/tests/serve/client.py"
J413='{"error":"the body is larger than 100000 bytes (--max-body)"}'
[ "$(code in.jsonl)" = 413 ] && grep -q '^{"error":"the body is larger than 100000 bytes (--max-body)"}$' body \
  || fail "max-body: $(cat body)"
# Answered after the head, the body never read: with Expect: 100-continue
# (curl would send the body after 1 s without an answer) and without.
for e in 'Expect: 100-continue' 'Expect:'; do
  out=$(curl -s --max-time 20 -o body -w '%{http_code} %{time_total}' -H "$e" -X POST --data-binary @in.jsonl "$URL/v1/route")
  [ "${out% *}" = 413 ] && [ "$(cat body)" = "$J413" ] && awk -v s="${out#* }" 'BEGIN { exit !(s < 0.9) }' \
    || fail "max-body, $e: $out $(cat body)"
done
st=$(curl -s --max-time 20 -o body -w '%{http_code}' -H 'Transfer-Encoding: chunked' -X POST --data-binary @in.jsonl "$URL/v1/route")
[ "$st" = 413 ] && grep -q '413 Request Entity Too Large' body || fail "max-body, chunked: $st $(cat body)"
ok "--max-body: 413 with the JSON error at once (Content-Length, with and without Expect: 100-continue); chunked: libevent's 413"
# The Content-Length is read strictly (RFC 9112): the name in any case, OWS
# around the value, a list of one value; the answer comes with no body sent,
# and the connection is closed after it.
for f in 'Content-Length: 99999999999999999999999' 'content-length: 200000' 'CONTENT-LENGTH:200000' \
         'Content-Length: 	 200000 	' 'Content-Length: 200000 , 200000'; do
  out=$($C head "$PORT" 0 "$f")
  rest=${out#* }
  [ "${out%% *}" = 413 ] && [ "${rest#* }" = "closed $J413" ] && awk -v s="${rest%% *}" 'BEGIN { exit !(s < 1) }' \
    || fail "max-body, '$f': $out"
done
# The same when the head arrives in pieces of 5 bytes, each read on its own.
out=$($C head-split "$PORT" 'X-A: b' 'content-LENGTH:   300000' 'X-B: c')
rest=${out#* }
[ "${out%% *}" = 413 ] && [ "${rest#* }" = "closed $J413" ] && awk -v s="${rest%% *}" 'BEGIN { exit !(s < 1) }' \
  || fail "max-body, a head in pieces: $out"
# Anything else is not the service's to judge: libevent answers (a sign,
# which it reads as a number: its 413 once the body is read; spaces inside,
# a negative value, a list of differing values: its 400; two fields: it takes
# the first), and so does it with Transfer-Encoding.
for f in 'Content-Length: 200000, 200001' 'Content-Length: -5' 'Content-Length: 200 000'; do
  out=$($C head "$PORT" 0 "$f")
  case "$out" in "400 "*'<TITLE>400 Bad Request</TITLE>'*) ;; *) fail "bad Content-Length '$f': $out" ;; esac
done
out=$($C head "$PORT" 200000 'Content-Length: +200000')
case "$out" in "413 "*'<TITLE>413 Request Entity Too Large</TITLE>'*) ;; *) fail "Content-Length with a sign: $out" ;; esac
out=$($C head "$PORT" 3 'Content-Length: 3' 'Content-Length: 200000')
case "$out" in "200 "*'"outcome":"ERROR"'*) ;; *) fail "two Content-Length fields: $out" ;; esac
out=$($C head "$PORT" 5 'Transfer-Encoding: chunked' 'Content-Length: 200000')
case "$out" in "400 "*'<TITLE>400 Bad Request</TITLE>'*) ;; *) fail "Transfer-Encoding and Content-Length: $out" ;; esac
[ "$(metric 'cars_http_errors_total{reason="body_too_large"}')" = 11 ] || fail "max-body: not counted 11 times"
[ "$(metric 'cars_http_requests_total{code="413"}')" = 11 ] || fail "max-body: 413 not counted 11 times"
[ "$(metric 'cars_http_requests_total{code="400"}')" = 4 ] || fail "bad Content-Length: 400 not counted 4 times"
ok "Content-Length read strictly: any case, OWS, a list of one value answered at once; the rest left to libevent; counted"
head -51 in.jsonl > big51; head -50 in.jsonl > ok50
[ "$(wc -c < big51)" -lt 100000 ] || fail "the test's 51 records pass 100000 bytes"
[ "$(code big51)" = 413 ] && grep -q 'more than 50 records in one request (--max-records)' body || fail "max-records: $(cat body)"
[ "$(code ok50)" = 200 ] && [ "$(wc -l < body)" = 50 ] || fail "50 records"
ok "--max-records: 51 records 413, 50 records 200"
pad() { head -c "$1" /dev/zero | tr '\0' a; }
st=$(curl -s --max-time 20 -o body -w '%{http_code}' -H "X-Pad: $(pad 40000)" -X POST --data-binary @ok50 "$URL/v1/route")
[ "$st" = 200 ] || fail "a 40,000-byte header: $st"
st=$(curl -s --max-time 20 -o body -w '%{http_code}' -H "X-Pad: $(pad 80000)" -X POST --data-binary @ok50 "$URL/v1/route")
[ "$st" = 431 ] && [ "$(cat body)" = '{"error":"the request head is too large (more than 65536 bytes)"}' ] \
  || fail "an 80,000-byte header: $st $(cat body)"
[ "$(metric 'cars_http_requests_total{code="431"}')" = 1 ] && [ "$(metric 'cars_http_errors_total{reason="head_too_large"}')" = 1 ] \
  || fail "431 not counted"
ok "a head of 40,000 bytes answered, one of 80,000 bytes 431 with the JSON error, counted"
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
