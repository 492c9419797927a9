# The decision log: serve and route write it; log verify names the first
# bad line after an edit, a deletion or a swap; a torn last line (kill -9
# mid-write) is ignored by verify and cut when the log is opened again;
# kill -9 under load leaves a log that verifies; rotation by size carries
# the chain across files; replay reproduces each decision; a full disk
# (RLIMIT_FSIZE, unprivileged) gives 503 and nothing half-written.
make_releases; make_corpus 100
"$CARSVM" log keygen k || fail keygen
[ "$(stat -c %a k)" = 600 ] || fail "key mode"
"$CARSVM" log keygen k 2>/dev/null && fail "keygen over an existing key"
LOG="--decision-log d.log --decision-log-key k"
start_server srv.err --release r49.carsb --threads 2 $LOG
[ "$(code in.jsonl)" = 200 ] || fail "post"
head -1 in.jsonl > one.json
[ "$(code one.json)" = 200 ] || fail "post one"
stop_server
[ "$(wc -l < d.log)" = 102 ] || fail "$(wc -l < d.log) log lines, want 102 (a header and 101)"
grep -q "$(head -c 60 in.jsonl | cut -c2-40)" d.log && fail "the log holds application data"
sed -n 2p d.log | grep -q '^{"ts":"20[0-9-]*T[0-9:.]*Z","id":"[^"]*","release":"2026-W49","bundle":"[0-9a-f]\{64\}","outcome":"[A-Z]*","rules":\[[^]]*\],"input":"[0-9a-f]\{64\}","prev":"[0-9a-f]\{64\}"}$' \
  || fail "line format: $(sed -n 2p d.log)"
"$CARSVM" log verify d.log > v.out || fail "verify: $(cat v.out)"
grep -q '^d.log: 102 lines good$' v.out || fail "$(cat v.out)"
ok "serve: one line per routing (102 with the header), no application data, chain good"
"$CARSVM" log replay --decision-log-key k --channel test d.log in.jsonl r49.carsb > rp.out || fail "replay: $(cat rp.out)"
grep -q '^replay: 101 decisions: 101 reproduced, 0 did not reproduce, 0 could not be checked$' rp.out || fail "$(cat rp.out)"
"$CARSVM" log replay --decision-log-key k --channel test d.log in.jsonl r50.carsb > rp.out; [ $? = 4 ] || fail "replay, wrong release"
grep -q 'was not given' rp.out || fail "$(cat rp.out)"
sed 's/"outcome":"NCXPCA"/"outcome":"CXPCA"/' d.log > forged.log
"$CARSVM" log replay --decision-log-key k --channel test forged.log in.jsonl r49.carsb > rp.out; [ $? = 4 ] || fail "replay, forged"
grep -q 'logged CXPCA \[.*\], replayed NCXPCA' rp.out || fail "$(cat rp.out)"
ok "replay: 101 decisions reproduced; a missing release and a forged outcome reported (exit 4)"
bad() { # bad FILE WANT: verify fails (4) and says WANT
  "$CARSVM" log verify "$1" > v.out; st=$?
  [ $st = 4 ] && grep -qF "$2" v.out || fail "$1: status $st: $(cat v.out), want '$2'"
}
sed '5s/"outcome":"[A-Z]*"/"outcome":"NONE"/' d.log > edited.log
bad edited.log 'line 6: the chain breaks here: its "prev" is not the hash of line 5 (line 5 was edited'
sed '5d' d.log > deleted.log
bad deleted.log 'line 5: the chain breaks here'
awk 'NR == 5 { held = $0; next } { print } NR == 6 { print held }' d.log > swapped.log
bad swapped.log 'line 5: the chain breaks here'
sed '1d' d.log > headless.log
bad headless.log 'line 1 is not the log'"'"'s header line'
ok "log verify names the line: edited, deleted, swapped, headless"
cp d.log torn.log; printf '{"ts":"2026-12-03T04:00:00.000000Z","id":"GWF' >> torn.log
"$CARSVM" log verify torn.log > v.out || fail "torn: $(cat v.out)"
grep -q 'torn.log: 102 lines good; a torn last line (45 bytes, no newline) ignored' v.out || fail "$(cat v.out)"
start_server srv2.err --release r49.carsb $LOG --decision-log torn.log
grep -q 'the decision log torn.log ended in a torn line (45 bytes, from a crash): cut off' srv2.err || fail "$(cat srv2.err)"
[ "$(code one.json)" = 200 ] || fail post
stop_server
"$CARSVM" log verify torn.log > v.out && grep -q '^torn.log: 103 lines good$' v.out || fail "after the cut: $(cat v.out)"
ok "a torn last line: ignored by verify, cut when the log is opened again, the chain continues"
start_server srv3.err --release r49.carsb --threads 2 $LOG --decision-log k9.log --log-sync none
( while :; do curl -s -o /dev/null -X POST --data-binary @in.jsonl "$URL/v1/route" || break; done ) & L=$!
( while :; do curl -s -o /dev/null -X POST --data-binary @one.json "$URL/v1/route" || break; done ) & L2=$!
sleep 1.5; kill -9 $PID; wait $PID 2>/dev/null; wait $L $L2
"$CARSVM" log verify k9.log > v.out || fail "after kill -9: $(cat v.out)"
ok "kill -9 under load: $(head -1 v.out | sed 's/^k9.log: //')"
start_server srv4.err --release r49.carsb $LOG --decision-log rot.log --log-rotate-size 4K
i=0; while [ $i -lt 40 ]; do [ "$(code one.json)" = 200 ] || fail post; i=$((i+1)); done
stop_server
n=$(ls rot.log.* | wc -l)
[ "$n" -ge 2 ] || fail "$n rotated files"
"$CARSVM" log verify $(ls rot.log.* | sort) rot.log > v.out || fail "rotated: $(cat v.out)"
tail -1 v.out | grep -q "^chain good: $((40 + n + 1)) lines in $((n + 1)) files; head [0-9a-f]\{64\}$" || fail "$(tail -1 v.out)"
head -1 rot.log | grep -q "\"prev_file\":\"$(ls rot.log.* | sort | tail -1)\"" || fail "the new file does not name the old"
"$CARSVM" log verify $(ls rot.log.* | sort | sed 1d) rot.log > v.out || fail "a suffix of the files: $(cat v.out)"
grep -q "continuing an earlier file, not given" v.out || fail "$(cat v.out)"
"$CARSVM" log verify $(ls rot.log.* | sort | sed 2d) rot.log > v.out; [ $? = 4 ] || fail "a missing file"
grep -q "line 1: the chain breaks here: this file does not continue the file before it" v.out || fail "$(cat v.out)"
ok "rotation by size: $((n + 1)) files, one chain; a file missing is named"
cat > limited.sh <<EOS
#!/bin/sh
ulimit -f 64
exec "$CARSVM" "\$@"
EOS
chmod +x limited.sh
CARSVM_REAL=$CARSVM; CARSVM="$T/limited.sh"
start_server srv5.err --release r49.carsb $LOG --decision-log full.log
i=0; st=200
while [ $i -lt 200 ] && [ "$st" = 200 ]; do st=$(code one.json); i=$((i+1)); done
[ "$st" = 503 ] && grep -q '^{"error":"the decision log cannot be written: no decision was made"}$' body \
  || fail "full disk: $st $(cat body)"
[ "$(code one.json)" = 503 ] || fail "still full"
[ "$(metric cars_decision_log_failures_total)" -ge 2 ] || fail "failures not counted"
stop_server
CARSVM=$CARSVM_REAL
[ "$(tail -c 1 full.log | od -An -c | tr -d ' ')" = '\n' ] || fail "the full log ends mid-line"
"$CARSVM" log verify full.log > v.out || fail "full: $(cat v.out)"
grep -q 'lines good$' v.out || fail "$(cat v.out)"
ok "a full disk (RLIMIT_FSIZE 32 KiB) after $i requests: 503, nothing half-written, the log verifies"
"$CARSVM" route --release r49.carsb --channel test --decision-log /dev/full --decision-log-key k in.jsonl -o out.jsonl 2> e; st=$?
[ $st = 1 ] && [ ! -e out.jsonl ] && grep -q 'cannot write the decision log /dev/full: No space left on device' e || fail "route, /dev/full: $st $(cat e)"
(ulimit -f 40; exec "$CARSVM" route --release r49.carsb --channel test --decision-log rl.log --decision-log-key k in.jsonl -o out.jsonl) 2> e; st=$?
[ $st = 1 ] && [ ! -e out.jsonl ] && grep -q 'cannot write the decision log rl.log: \(File too large\|only [0-9]* of [0-9]* bytes written\)' e || fail "route, RLIMIT_FSIZE: $st $(cat e)"
"$CARSVM" log verify rl.log >/dev/null || fail "route's full log does not verify"
ok "route: a log that cannot be written stops the run (exit 1, no output), nothing half-written"
