# Releases while serving go through the same checks as route: signature
# (--trust), channel, window (--as-of), and the state file (--state). A
# newer signed release is taken and recorded in the state file; an older
# one (rolled back) and one with a bad signature are refused, the newer one
# still serving.
K="$ROOT/tests/cases/release/keys"
cp "$K/test-only-a.key" a.key && chmod 600 a.key && cp "$K/test-only-a.pub" a.pub
for n in 47 48; do
  "$CARSC" build "$ROOT/tests/cases/release/tiny" -o r$n.carsb --release-id 2026-W$n --sequence $n \
    --valid-from 2026-11-16 --valid-until 2026-11-29 --channel production --unsealed >/dev/null || fail build
  "$CARSC" sign --key a.key r$n.carsb >/dev/null || fail sign
done
echo '{"id":"A1","received":"2026-11-20"}' > one.json
cp r47.carsb cur.carsb; cp r47.carsb.minisig cur.carsb.minisig
# production channel: start_server passes --channel test, so the last one wins
start_server srv.err --release cur.carsb --trust a.pub --as-of 2026-11-24 --state st --channel production
grep -q '"signature":"good"' <<EOS || fail "release: $(curl -s "$URL/v1/release")"
$(curl -s "$URL/v1/release")
EOS
[ "$(sed -n 2p st)" = "sequence 47" ] || fail "state: $(cat st)"
cp r48.carsb.minisig cur.carsb.minisig; cp r48.carsb cur.carsb; kill -HUP $PID; sleep 0.5
curl -s "$URL/healthz" | grep -q 2026-W48 || fail "W48 not taken: $(cat srv.err)"
[ "$(sed -n 2p st)" = "sequence 48" ] || fail "state after the swap: $(cat st)"
ok "a newer signed release taken on SIGHUP and recorded in the state file"
cp r47.carsb.minisig cur.carsb.minisig; cp r47.carsb cur.carsb; kill -HUP $PID; sleep 0.5
grep -q 'refused the release cur.carsb (status 17, .*still serving 2026-W48' srv.err || fail "rollback: $(cat srv.err)"
cp r48.carsb.minisig cur.carsb.minisig; kill -HUP $PID; sleep 0.5   # W47's bytes, W48's signature
grep -q 'refused the release cur.carsb (status 12, .*still serving 2026-W48' srv.err || fail "bad signature: $(cat srv.err)"
curl -s "$URL/healthz" | grep -q 2026-W48 || fail "W48 no longer serving"
[ "$(code one.json)" = 200 ] && grep -q '"release":"2026-W48"' body || fail "routing: $(cat body)"
[ "$(metric cars_release_refusals_total)" = 2 ] || fail "refusals not counted"
ok "a rolled-back release (17) and a bad signature (12) refused; W48 still serving"
stop_server
