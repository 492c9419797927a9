#!/bin/sh
# make_testdata.sh - build testdata.jsonl and testdata.expected from
# testdata.cases. Each case is a patch deep-merged (jq `*`) onto a base
# record that holds only the required fields (age 46 on 2026-11-01), and an
# "expect" worked out by hand from reference-guidance.md: "OUTCOME RULE...".
# No peer is run here: the expectations are the hand-written ones.
set -eu
cd "$(dirname "$0")"
base='{"id":"","received":"2026-11-01","route":"standard_visitor",
  "applicant":{"given_names":"Ana","family_name":"Test","date_of_birth":"1980-06-15",
    "sex":"F","nationality":"FRA","passport":{"number":"P1234567","issuing_country":"FRA"}},
  "visit":{"purpose":"tourism"},
  "uk_history":{"overstayed":false,"removed_or_deported":false,"breached_conditions":false},
  "criminality":{"convictions":false,"pending_charges":false,"cautions":false,
    "terrorism_or_extremism":false,"war_crimes":false}}'
jq -c --argjson base "$base" '. as $c | $base * $c.patch | .id = $c.id' testdata.cases > testdata.jsonl
jq -c '(.expect | split(" ")) as $e | {id, outcome: $e[0], rules: $e[1:]}' testdata.cases > testdata.expected
echo "wrote $(wc -l < testdata.jsonl) records to testdata.jsonl and testdata.expected"
