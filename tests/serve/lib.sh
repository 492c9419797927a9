# lib.sh - shared by the serve tests (tests/serve/run.sh sources it into
# each test): a scratch directory, two test releases, a corpus, and a
# server on a free loopback port (port 0: the kernel picks; the server
# prints it).
set -u
: "${CARSC:?}" "${CARSVM:?}" "${ROOT:?}" "${T:?}"
cd "$T" || exit 1

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# Two unsigned test releases of the sample rules, different ids.
make_releases() {
  "$CARSC" build "$ROOT/rulesets/cars-v" --release-id 2026-W49 -o r49.carsb >/dev/null || fail "carsc build"
  "$CARSC" build "$ROOT/rulesets/cars-v" --release-id 2026-W50 -o r50.carsb >/dev/null || fail "carsc build"
}
make_corpus() { # N records into in.jsonl
  "$BUILD/gencorpus" --count "$1" --seed 47 --tables "$ROOT/rulesets/cars-v/tables" -o in.jsonl || fail gencorpus
}

# start_server LOGFILE ARGS...: starts carsvm serve, sets PID and URL.
start_server() {
  errf=$1; shift
  "$CARSVM" serve --channel test --listen 127.0.0.1:0 "$@" </dev/null >/dev/null 2>"$errf" &
  PID=$!; echo $PID >> "$T/server.pid"
  i=0
  while [ $i -lt 100 ]; do
    PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$errf" 2>/dev/null)
    [ -n "$PORT" ] && break
    kill -0 $PID 2>/dev/null || { cat "$errf"; fail "the server did not start"; }
    sleep 0.1; i=$((i+1))
  done
  [ -n "$PORT" ] || fail "no port"
  URL="http://127.0.0.1:$PORT"
}
# stop_server: SIGTERM, expect exit 0.
stop_server() {
  kill -TERM $PID; wait $PID; st=$?
  [ $st = 0 ] || { cat "$errf"; fail "the server exited $st after SIGTERM"; }
}
post() { curl -sS --max-time 20 -X POST --data-binary "@$1" "$URL/v1/route"; }
# code FILE: the HTTP status of posting FILE
code() { curl -s --max-time 20 -o "$T/body" -w '%{http_code}' -X POST --data-binary "@$1" "$URL/v1/route"; }
metric() { curl -s "$URL/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
