#!/bin/sh
# check.sh - run every benchmark peer on the hand-worked test corpus
# (testdata.jsonl, tables in testtables/) and diff against the expected
# lines worked out by hand (testdata.expected). Outputs are compared after
# `jq -c .`, so only JSON content counts, not string escaping style.
# Exit status 1 if any peer is missing or disagrees.
set -u
. "$(dirname "$0")/peers.sh"
cd "$PEERS_DIR"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; pass=0
for p in jq lua node; do
  case " $PEERS " in *" $p "*) ;; *) echo "$p: not available (see bench/README)"; fail=$((fail+1)); continue ;; esac
  if sh -c "$(peer_cmd $p testtables)" < testdata.jsonl > "$tmp/$p.raw" 2> "$tmp/$p.err" \
     && jq -c . "$tmp/$p.raw" > "$tmp/$p.out" && diff -u testdata.expected "$tmp/$p.out" > "$tmp/$p.diff"; then
    echo "$p: ok ($(wc -l < testdata.expected) records)"; pass=$((pass+1))
  else
    echo "$p: FAILED"; cat "$tmp/$p.err" "$tmp/$p.diff" 2>/dev/null | head -40; fail=$((fail+1))
  fi
done
echo "peers: $pass passed, $fail failed"
[ $fail -eq 0 ]
