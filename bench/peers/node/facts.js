'use strict';
// facts.js - the derived facts, custom operator and path resolver that the
// rules in rules.json use. Each derived fact returns `undefined` when one of
// its inputs is absent (missing or null), and every operator fails on
// `undefined`, so a rule whose inputs are absent does not match.

const fs = require('fs');
const path = require('path');

// ------------------------------------------------------------ records
// A fast resolver for the plain "$.a.b.c" paths rules.json uses (the default
// is JSONPath-Plus, a full JSONPath interpreter); null reads as absent.
function pathResolver(object, p) {
  let v = object;
  const parts = p.startsWith('$.') ? p.slice(2).split('.') : p.split('.');
  for (const part of parts) {
    if (v == null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v == null ? undefined : v;
}

// ------------------------------------------------------------ normalisation
// As the VM normalises for the bundles carsc writes (format version 3,
// vm/normalise.h). Blanks: Unicode White_Space and Default_Ignorable_Code_Point
// (Unicode 14.0), trimmed from emails and phones, removed from documents
// with the dashes; only ASCII letters change case, only 0-9 are digits.
const BLANK = '\\t-\\r \\u0085\\u00a0\\u00ad\\u034f\\u061c\\u115f\\u1160\\u1680\\u17b4\\u17b5'
  + '\\u180b-\\u180f\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\u3164\\ufe00-\\ufe0f\\ufeff'
  + '\\uffa0\\ufff0-\\ufff8\\u{1bca0}-\\u{1bca3}\\u{1d173}-\\u{1d17a}\\u{e0000}-\\u{e0fff}';
const TRIM = new RegExp(`^[${BLANK}]+|[${BLANK}]+$`, 'gu');
const DOC_DROP = new RegExp(`[${BLANK}\\-\\u2010-\\u2015\\u2212\\ufe63\\uff0d]`, 'gu');
const asciiUpper = (s) => s.replace(/[a-z]+/g, (m) => m.toUpperCase());
const asciiLower = (s) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const normDocument = (s) => asciiUpper(s.replace(DOC_DROP, ''));
const normEmail = (s) => asciiLower(s.replace(TRIM, ''));
function normPhone(s) {
  const t = s.replace(TRIM, '');
  return (t.startsWith('+') ? '+' : '') + t.replace(/[^0-9]/g, '');
}
// A table entry of a contact column: an email if it holds '@', else a phone.
// A record's email and phone fields are normalised by what they hold.
const normContact = (s) => (s.includes('@') ? normEmail(s) : normPhone(s));
const documentKey = (country, number) => country + '\u001f' + normDocument(number);

// ------------------------------------------------------------ tables
// CSV: a header row, then one entry per line split on ',' (the reference
// tables never quote a field); a trailing CR is ignored.
function csvRows(file) {
  return fs.readFileSync(file, 'utf8').split('\n').slice(1)
    .map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0)
    .map((l) => l.split(','));
}

function loadTables(dir) {
  return {
    false_documents: new Set(csvRows(path.join(dir, 'false_documents.csv'))
      .map(([country, number]) => documentKey(country, number))),
    false_contacts: new Set(csvRows(path.join(dir, 'false_contacts.csv'))
      .map(([value]) => normContact(value))),
  };
}

// ------------------------------------------------------------ dates
const ymd = (s) => [+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10)];

// days since 1970-01-01 (proleptic Gregorian)
function dayNumber(s) {
  let [y, m, d] = ymd(s);
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const isLeap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

// completed years from `from` to `to`; a 29 February birthday falls on
// 1 March in years that are not leap years
function yearsBetween(from, to) {
  let [by, bm, bd] = ymd(from); // eslint-disable-line prefer-const
  const [ty, tm, td] = ymd(to);
  if (bm === 2 && bd === 29 && !isLeap(ty)) { bm = 3; bd = 1; }
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

// ------------------------------------------------------------ facts
// Counting facts over the history lists: params select the entries
// ({within_years: N} = year >= year(received) - N; {complied: bool};
// {countries: [...]}); undefined when the list itself is absent.
function countWhere(list, received, params) {
  if (list == null) return undefined;
  const since = params.within_years === undefined
    ? -Infinity : ymd(received)[0] - params.within_years;
  let n = 0;
  for (const e of list) {
    if (e.year < since) continue;
    if (params.complied !== undefined && e.complied !== params.complied) continue;
    if (params.countries !== undefined && !params.countries.includes(e.country)) continue;
    n++;
  }
  return n;
}

function addFacts(engine) {
  const app = (almanac) => almanac.factValue('application');

  engine.addFact('age', async (params, almanac) => {
    const a = await app(almanac);
    return yearsBetween(a.applicant.date_of_birth, a.received);
  });
  engine.addFact('passport_key', async (params, almanac) => {
    const p = (await app(almanac)).applicant.passport;
    return documentKey(p.issuing_country, p.number);
  });
  engine.addFact('contact_key', async (params, almanac) => {
    const v = pathResolver(await app(almanac), params.field);
    if (v === undefined) return undefined;
    return params.kind === 'email' ? normEmail(v) : normPhone(v); // the field's kind (schema.cars)
  });
  engine.addFact('visit_end_day', async (params, almanac) => {
    const a = await app(almanac);
    const arrival = pathResolver(a, 'visit.arrival_date');
    const length = pathResolver(a, 'visit.length_days');
    return arrival === undefined || length === undefined ? undefined : dayNumber(arrival) + length;
  });
  engine.addFact('passport_expiry_day', async (params, almanac) => {
    const expiry = pathResolver(await app(almanac), 'applicant.passport.expiry_date');
    return expiry === undefined ? undefined : dayNumber(expiry);
  });
  engine.addFact('visit_cost_times', async (params, almanac) => {
    const cost = pathResolver(await app(almanac), 'visit.cost_gbp');
    return cost === undefined ? undefined : cost * params.factor;
  });
  engine.addFact('travel_count', async (params, almanac) => {
    const a = await app(almanac);
    return countWhere(pathResolver(a, 'travel_history'), a.received, params);
  });
  engine.addFact('uk_visit_count', async (params, almanac) => {
    const a = await app(almanac);
    return countWhere(pathResolver(a, 'uk_history.visits'), a.received, params);
  });
  engine.addFact('uk_refusal_count', async (params, almanac) => {
    const a = await app(almanac);
    return countWhere(pathResolver(a, 'uk_history.refusals'), a.received, params);
  });
  // Multiple PCAs matched so far in this run (optionally of one tier): read
  // by the threshold rules, which run after every multiple PCA rule.
  engine.addFact('multiple_pcas_matched', async (params, almanac) =>
    almanac.getResults().filter((r) => r.result && r.event.params
      && r.event.params.tier !== undefined
      && (params.tier === undefined || r.event.params.tier === params.tier)).length);
}

// `inTable`: the (normalised) fact value is an entry of the named table.
function addOperators(engine, tables) {
  engine.addOperator('inTable', (key, table) => typeof key === 'string' && tables[table].has(key));
}

module.exports = { pathResolver, loadTables, addFacts, addOperators };
