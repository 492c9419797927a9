# Faults: a client that disconnects mid-body, then 10,000 connections
# opened and dropped (a third mid-request), then requests pipelined on one
# connection (each head found after the answer before it, in bytes read
# already). The server keeps answering, its
# connection count comes back down, and SIGTERM still finds nothing in
# flight (exit 0 at once).
make_releases; make_corpus 20
start_server srv.err --release r49.carsb --threads 2 --idle-timeout 5
C="python3 $ROOT/tests/serve/client.py"
$C mid-body "$PORT" >/dev/null || fail "mid-body client"
[ "$(code in.jsonl)" = 200 ] || fail "after a disconnect mid-body"
ok "a client gone mid-body: the next request answered"
out=$($C churn "$PORT" 10000) || fail "churn: $out"
# The server may still be closing the last of them (each seen only when it
# reads it): until then a request may be refused 503 (--max-connections),
# never anything else, and within 10 s it is answered.
i=0
while c=$(code in.jsonl); [ "$c" = 503 ] && [ $i -lt 20 ]; do i=$((i + 1)); sleep 0.5; done
[ "$c" = 200 ] || fail "after 10,000 dropped connections: answered $c ($i times 503 before)"
ok "$out; the next request answered"
out=$($C pipeline "$PORT" 6) || fail "pipeline: $out"
[ "$out" = "200 200 200 200 200 200" ] || fail "6 pipelined requests: $out"
ok "6 requests written at once on one connection: 6 answers, in order"
s=$(date +%s)
stop_server
[ $(( $(date +%s) - s )) -le 3 ] || fail "SIGTERM waited for dropped connections"
grep -q "carsvm serve: stopped" srv.err || fail "$(cat srv.err)"
ok "SIGTERM after the faults: exit 0 at once"
