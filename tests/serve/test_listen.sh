# --listen: IPv4, IPv6 in brackets, localhost; every bad form refused as a
# usage error (exit 2) that says what is wrong. IPv6 is tested on ::1 when
# the machine has an IPv6 loopback.
make_releases
bad() { # ADDR EXPECTED-TEXT
  "$CARSVM" serve --channel test --release r49.carsb --listen "$1" 2> bad.err; st=$?
  [ $st = 2 ] || fail "--listen '$1' exited $st: $(cat bad.err)"
  grep -qF "carsvm: --listen '$1': $2; give ADDR:PORT, e.g. 127.0.0.1:8080" bad.err || fail "--listen '$1': $(cat bad.err)"
}
bad '::1:8080' 'an IPv6 address goes in brackets: [::1]:8080'
bad '[::1]' "there is no :PORT after the ']'"
bad '[::1' "an IPv6 address in brackets has no ']'"
bad '127.0.0.1' 'there is no :PORT after the address'
bad ':8080' 'there is no address before the port'
bad '127.0.0.1:65536' 'the port is not a number from 0 to 65535'
bad '127.0.0.1:http' 'the port is not a number from 0 to 65535'
bad 'example.org:8080' 'the address is not an IPv4 address (host names other than localhost are not resolved)'
bad '[127.0.0.1]:8080' 'the address in brackets is not an IPv6 address'
ok "bad --listen forms: exit 2, each with its reason"
# serve_on ADDR: starts a server there, sets PID and PORT
serve_on() {
  "$CARSVM" serve --channel test --release r49.carsb --listen "$1" 2> on.err &
  PID=$!; echo $PID >> "$T/server.pid"; PORT=""; i=0
  while [ -z "$PORT" ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i+1)); PORT=$(sed -n 's/.*listening on .*:\([0-9]*\), release.*/\1/p' on.err)
  done
  [ -n "$PORT" ] || fail "--listen $1: $(cat on.err)"
}
get() { curl -s -g --max-time 5 -o /dev/null -w '%{http_code}' "http://$1/healthz"; }
for a in localhost 0.0.0.0; do
  serve_on "$a:0"
  grep -q "listening on $( [ $a = localhost ] && echo 127.0.0.1 || echo 0.0.0.0 ):$PORT," on.err || fail "$(cat on.err)"
  [ "$(get "127.0.0.1:$PORT")" = 200 ] || fail "--listen $a:0 not answering on 127.0.0.1"
  errf=on.err; stop_server
done
ok "localhost:0 listens on 127.0.0.1, 0.0.0.0:0 on every IPv4 address"
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  echo "skipped: IPv6 ([::1], [::]): this machine has no IPv6 loopback"
else
  for a in '[::1]' '[::]'; do
    serve_on "$a:0"
    grep -qF "listening on $a:$PORT," on.err || fail "$(cat on.err)"
    [ "$(get "[::1]:$PORT")" = 200 ] || fail "--listen $a:0 not answering on [::1]"
    [ "$(get "127.0.0.1:$PORT")" = 000 ] || fail "--listen $a:0 answered on IPv4"
    errf=on.err; stop_server
  done
  ok "[::1]:0 and [::]:0 answer on ::1 (IPv6 only, not on 127.0.0.1)"
fi
serve_on '127.0.0.1:0'
"$CARSVM" serve --channel test --release r49.carsb --listen "127.0.0.1:$PORT" 2> busy.err; st=$?
[ $st = 1 ] && grep -q "carsvm: cannot listen on 127.0.0.1:$PORT: .*(another process listens there" busy.err \
  || fail "a port in use: exit $st, $(cat busy.err)"
errf=on.err; stop_server
ok "a port in use: exit 1, says so"
