# Lines longer than 16 MiB in a request (a --max-body above 16M allows
# them) get route's ERROR line, byte for byte, as route gives them, unless
# they are blank (skipped, whatever their length, as route skips them); the
# records around them are routed as route routes them.
make_releases; make_corpus 3
python3 - <<'PY'
big = 16 * 1024 * 1024 + 1
with open("in.jsonl") as f:
    recs = f.read().splitlines()
with open("long.jsonl", "w") as o:
    o.write(recs[0] + "\n")
    o.write('{"id":"LONG1","x":"' + "a" * (big - 20) + '"}\n')  # a record, too long
    o.write(" " * big + "\n")                                   # blank, too long: skipped
    o.write(" " * big + "x\n")                                  # too long, not blank
    o.write(recs[1] + "\n")
    o.write(" " * (1024 * 1024) + "\n")                         # blank: skipped
    o.write(recs[2])
PY
"$CARSVM" route --release r49.carsb --channel test long.jsonl -o want.jsonl; [ $? -le 3 ] || fail "route"
[ "$(grep -c '"outcome":"ERROR"' want.jsonl)" = 2 ] || fail "route: $(cut -c1-300 want.jsonl)"
[ "$(grep -c '"line":[24]}$' want.jsonl)" = 2 ] || fail "route: ERROR lines not lines 2 and 4: $(cut -c1-300 want.jsonl)"
[ "$(wc -l < want.jsonl)" = 5 ] || fail "route: not one line per non-blank line: $(cut -c1-300 want.jsonl)"
start_server srv.err --release r49.carsb --threads 1 --max-body 64M
[ "$(code long.jsonl)" = 200 ] || fail "long lines: $(cut -c1-300 "$T/body")"
cmp -s "$T/body" want.jsonl || fail "long lines: not route's output: $(cut -c1-300 "$T/body")"
ok "lines over 16 MiB in a request: route's ERROR lines, byte for byte (blank ones skipped)"
stop_server
