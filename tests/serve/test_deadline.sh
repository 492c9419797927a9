# The deadline for a whole request head (--header-timeout): a client that
# trickles its head one byte every 0.5 s, never silent for the idle timeout,
# is cut at the deadline and counted; heads that are slow but complete in
# time are answered, each request on a kept-alive connection with a deadline
# of its own; a head never finished is still closed at the idle timeout.
# Then, with a 1 s deadline, heads dropped by their clients just as the
# deadline cuts them, while whole requests on fresh connections (reusing the
# fd numbers) must all be answered: no socket is shut down after its close.
make_releases
start_server srv.err --release r49.carsb --threads 2 --idle-timeout 2 --header-timeout 4
C="python3 $ROOT/tests/serve/client.py"
[ "$(metric 'cars_http_errors_total{reason="header_timeout"}')" = 0 ] || fail "header_timeout not 0 at the start"
out=$($C trickle-head "$PORT" 0.5) || fail "trickle-head: $out"
secs=${out#closed after }; secs=${secs%% *}
awk -v s="$secs" 'BEGIN { exit !(s >= 3.5 && s < 7) }' || fail "a head trickled one byte every 0.5 s closed after $secs s (header timeout 4)"
[ "$(metric 'cars_http_errors_total{reason="header_timeout"}')" = 1 ] || fail "header_timeout not counted once"
ok "a head trickled one byte every 0.5 s (idle timeout 2): closed after $secs s (--header-timeout 4), counted"
out=$($C slow-heads "$PORT" 3 2) || fail "slow-heads: $out"
[ "$out" = "200 200" ] || fail "two heads of 3 s each on one connection: $out"
[ "$(metric 'cars_http_errors_total{reason="header_timeout"}')" = 1 ] || fail "a slow head in time counted as a timeout"
ok "two requests on one connection, each head taking 3 s (6 s in all): 200 200"
out=$($C partial-headers "$PORT") || fail "partial headers: $out"
secs=${out#closed after }; secs=${secs%% *}
awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s < 3.5) }' || fail "a silent head closed after $secs s (idle timeout 2)"
ok "a silent head: closed after $secs s (--idle-timeout 2, before the header deadline)"
[ "$(code /dev/null)" = 400 ] || fail "the server stopped answering"
stop_server
start_server srv2.err --release r49.carsb --threads 2 --idle-timeout 5 --header-timeout 1
out=$($C cut-race "$PORT" 6) || fail "cut-race: $out"
cut=$(metric 'cars_http_errors_total{reason="header_timeout"}')
[ "$cut" -ge 1 ] || fail "cut-race: no head was cut at the deadline ($out)"
ok "$out; $cut cut by the deadline"
errf=srv2.err; stop_server
