'use strict';
// route.js - benchmark peer: the reference routing guidance run by
// json-rules-engine (rules in rules.json, derived facts in facts.js).
//
//   node bench/peers/node/route.js TABLES_DIR < valid-records.jsonl
//
// Reads one application record per line (every line is assumed valid: the
// harness feeds peers only valid lines; blank lines are skipped) and writes
// {"id":..,"outcome":..,"rules":[..]} per record, in input order.
//
// Records are routed one at a time: engine.stop(), which ends a run when a
// stage has decided, sets state on the shared engine, so runs of one engine
// must not overlap.

const path = require('path');
const { Engine } = require('json-rules-engine');
const { pathResolver, loadTables, addFacts, addOperators } = require('./facts');
const ruleset = require('./rules.json');

const RULE_ORDER = ['SCOPE-1', 'BDT-DOC', 'BDT-CONTACT', 'PRF-001', 'PRF-002', 'PRF-003',
  'S-CX-1', 'S-CX-2', 'S-CX-3', 'S-CX-4', 'S-NCX-1',
  'M-A1', 'M-A2', 'M-A3', 'M-B1', 'M-B2', 'M-B3', 'M-B4', 'M-B5', 'M-B6'];
const RANK = new Map(RULE_ORDER.map((id, i) => [id, i]));
const OUTCOMES = new Set(['NONE', 'CXDR', 'NCXDR', 'NCXPCA', 'CXPCA']);

const tablesDir = process.argv[2] || path.join(__dirname, '../../../rulesets/cars-v/tables');
const engine = new Engine([], { pathResolver });
addFacts(engine);
addOperators(engine, loadTables(tablesDir));
for (const [name, condition] of Object.entries(ruleset.conditions)) engine.setCondition(name, condition);
for (const rule of ruleset.rules) engine.addRule(rule);
// The first stage that decides, decides: an outcome event ends the run once
// the rules of its priority (its stage) have all been evaluated.
engine.on('success', (event) => { if (OUTCOMES.has(event.type)) engine.stop(); });

async function route(record) {
  const { events } = await engine.run({ application: record });
  let outcome = null;
  const rules = [];
  for (const e of events) {
    if (OUTCOMES.has(e.type)) outcome = e.type;
    if (e.params && e.params.rule) rules.push(e.params.rule);
  }
  rules.sort((a, b) => RANK.get(a) - RANK.get(b));
  return { id: record.id, outcome, rules };
}

async function main() {
  process.stdin.setEncoding('utf8');
  let rest = '';
  const write = (s) => new Promise((resolve) => {
    if (process.stdout.write(s)) resolve(); else process.stdout.once('drain', resolve);
  });
  const routeLines = async (lines) => {
    const out = [];
    for (const line of lines) {
      if (!/\S/.test(line)) continue;
      out.push(JSON.stringify(await route(JSON.parse(line))));
    }
    if (out.length) await write(out.join('\n') + '\n');
  };
  for await (const chunk of process.stdin) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    await routeLines(lines);
  }
  await routeLines([rest]);
}

main().catch((err) => { console.error(err); process.exit(1); });
