// textmate.js LIST - tokenizes every file named in LIST (one path a line)
// with the VS Code grammar (editors/vscode/syntaxes/cars.tmLanguage.json),
// through vscode-textmate and vscode-oniguruma as VS Code does, and checks:
// every keyword of grammar/lexer.l (and `says`) is a keyword; every
// non-whitespace character of every file has a scope besides the root's,
// and a token is marked invalid where, and only where, carsc's lexer
// refuses a character (LIST gives those places after a tab); and a few
// constructs get the scope they should. Prints one line per failure; exits 1 if any.
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const ROOT = path.resolve(__dirname, '..', '..');
const GRAMMAR = path.join(ROOT, 'editors', 'vscode', 'syntaxes', 'cars.tmLanguage.json');
let failures = 0;
let checks = 0;

function fail(msg) {
  failures++;
  console.log('FAIL textmate: ' + msg);
}

// grammar/lexer.l's keyword table, plus `says` (a clause of rules).
function lexerKeywords() {
  const lexer = fs.readFileSync(path.join(ROOT, 'grammar', 'lexer.l'), 'utf8');
  const words = [...lexer.matchAll(/\{"([a-z]+)", KW_[A-Z]+\}/g)].map((m) => m[1]);
  if (words.length < 50) fail('found only ' + words.length + ' keywords in grammar/lexer.l');
  return words.concat(['says']);
}

// The tokens of text as [{text, scopes}] per line.
function tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

// refused: the places "line:col" (col in bytes, as carsc counts) where
// carsc reports a character or operator it refuses; only there may a
// token be marked invalid, and each of them must be.
function checkFile(grammar, file, refused) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = tokenize(grammar, text);
  const marked = new Set();
  const src = text.split(/\r?\n/);
  lines.forEach((tokens, i) => {
    let at = 0;
    for (const t of tokens) {
      checks++;
      const col = Buffer.byteLength(src[i].slice(0, at)) + 1;
      at += t.text.length;
      if (/\S/.test(t.text) && t.scopes.length < 2)
        return fail(`${file}:${i + 1}: '${t.text.trim().slice(0, 40)}' has no scope but the root's`);
      const bad = t.scopes.find((s) => s.startsWith('invalid'));
      if (bad && !refused.has(`${i + 1}:${col}`))
        return fail(`${file}:${i + 1}:${col}: '${t.text.slice(0, 40)}' is marked ${bad}`);
      if (bad) marked.add(`${i + 1}:${col}`);
    }
  });
  for (const r of refused)
    if (!marked.has(r)) fail(`${file}:${r}: carsc refuses what is there, the grammar does not mark it invalid`);
}

// The scope of the first token whose text is `word` in `line` (innermost).
function scopeOf(grammar, line, word) {
  for (const t of tokenize(grammar, line)[0]) if (t.text === word) return t.scopes;
  return null;
}

function expectScope(grammar, line, word, want) {
  checks++;
  const s = scopeOf(grammar, line, word);
  if (!s || !s.some((x) => x.startsWith(want)))
    fail(`in ${JSON.stringify(line)}, ${JSON.stringify(word)} should be ${want}, is ${JSON.stringify(s)}`);
}

function targeted(grammar) {
  for (const kw of lexerKeywords()) {
    checks++;
    const s = scopeOf(grammar, kw, kw);
    if (!s || !s.some((x) => /^(keyword|storage|constant\.language)\./.test(x)))
      fail(`keyword '${kw}' of the language is not a keyword of the grammar: ${JSON.stringify(s)}`);
  }
  expectScope(grammar, '  when visit.length_days > 90', 'when', 'keyword.control.cars');
  expectScope(grammar, '  when visit.length_days > 90', 'visit.length_days', 'variable.other.field.cars');
  expectScope(grammar, '  when visit.length_days > 90', '90', 'constant.numeric.cars');
  const str = 'rationale "a \\"quoted\\" word"';
  expectScope(grammar, str, '\\"', 'constant.character.escape.cars');
  expectScope(grammar, str, ' word', 'string.quoted.double.cars');
  expectScope(grammar, str, '"', 'punctuation.definition.string.begin.cars');
  checks++;
  const last = tokenize(grammar, str)[0].slice(-1)[0];
  if (!last.scopes.includes('string.quoted.double.cars') || last.text !== '"')
    fail('the escaped quotes should not end the string: ' + JSON.stringify(tokenize(grammar, str)[0]));
  expectScope(grammar, 'set x = [1] # a note', ' a note', 'comment.line.number-sign.cars');
  expectScope(grammar, 'set x = [1] # a note', '#', 'punctuation.definition.comment.cars');
  expectScope(grammar, 'let a = b && c', '&&', 'invalid.illegal.operator.cars');
  expectScope(grammar, 'let a = b $ c', '$', 'invalid.illegal.character.cars');
  expectScope(grammar, 'reviewed 2026-09-01 every 6 months', '2026-09-01', 'constant.numeric.date.cars');
  expectScope(grammar, 'profile PRF-002 "young tourist" {', 'PRF-002', 'entity.name.tag.rule-id.cars');
  expectScope(grammar, 'profile PRF-002 "young tourist" {', 'profile', 'storage.type.rule.cars');
  expectScope(grammar, '  authorisation MA-2026-014', 'MA-2026-014', 'entity.name.tag.rule-id.cars');
  expectScope(grammar, '  noncomplex singles -> NCXDR', 'NCXDR', 'constant.language.outcome.cars');
  expectScope(grammar, '  noncomplex singles -> NCXDR', 'singles', 'support.constant.stage.cars');
  expectScope(grammar, '  noncomplex singles -> NCXDR', '->', 'keyword.operator.arrow.cars');
  expectScope(grammar, '  says "Refer to a senior officer"', 'says', 'keyword.other.metadata.cars');
  expectScope(grammar, 'let age = years_between(applicant.date_of_birth, received)', 'age', 'entity.name.variable.cars');
  expectScope(grammar, 'any(t in travel_history where t.country = USA)', 't.country', 'variable.other.field.cars');
}

async function main() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.cars' ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null,
  });
  const grammar = await registry.loadGrammar('source.cars');
  targeted(grammar);
  const files = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
  if (files.length < 10) fail('only ' + files.length + ' files to tokenize');
  for (const line of files) {
    const [f, places] = line.split('\t');
    checkFile(grammar, f, new Set(places ? places.split(',') : []));
  }
  console.log(`textmate: ${files.length} files, ${checks} checks, ${failures} failed`);
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.log('FAIL textmate: ' + (e.stack || e));
  process.exit(1);
});
