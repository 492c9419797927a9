// check.js SITE_DIR SHOTS_DIR - loads every page of a carsc report site in
// headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) from file://
// and fails on: a console error or page error, a failed request, a link to a
// page or anchor that does not exist, a duplicate id, or an axe-core
// violation of WCAG 2.0/2.1/2.2 A and AA. Writes screenshots of the front
// page and of one rule into SHOTS_DIR on every run, for a person to look at.
// Ends with "N passed, N failed" (one per page).
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const site = path.resolve(process.argv[2] || '');
const shots = path.resolve(process.argv[3] || '.');
const RULE_PAGE = process.env.RULE_PAGE || 'profiles.html#PRF-002';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Chromium on a closed network: no first-run, sync, updates or background
// fetches, QUIC off; a fresh profile (--user-data-dir) each run, which
// playwright passes itself for a persistent context.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Every href and id of the page, as the browser resolved them.
async function linksAndIds(page) {
  return page.evaluate(() => ({
    hrefs: Array.from(document.querySelectorAll('[href]'), (e) => e.href),
    ids: Array.from(document.querySelectorAll('[id]'), (e) => e.id),
  }));
}

async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    // preload off: axe would fetch the style sheet by XMLHttpRequest, which
    // file:// forbids (the page itself loads it as usual)
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'], preload: false,
    });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, TAGS);
}

// Loads one page; returns its problems, and records its links and ids.
async function checkPage(browser, file, seen) {
  const problems = [];
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => problems.push('request failed: ' + r.url()));
  const url = 'file://' + path.join(site, file);
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (!resp || !resp.ok()) problems.push('did not load: ' + url);
  const { hrefs, ids } = await linksAndIds(page);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) problems.push('duplicate ids: ' + dup.join(', '));
  seen[file] = { hrefs, ids: new Set(ids) };
  for (const v of await axe(page)) problems.push('axe: ' + v);
  await page.close();
  return problems;
}

// Every link must name an existing page of the site (or a file it holds)
// and, with a fragment, an existing id on that page.
function brokenLinks(file, seen) {
  const out = [];
  for (const href of seen[file].hrefs) {
    const u = new URL(href);
    if (u.protocol !== 'file:') { out.push('link leaves the site: ' + href); continue; }
    const target = path.relative(site, decodeURIComponent(u.pathname));
    if (target.startsWith('..') || !fs.existsSync(path.join(site, target))) { out.push('broken link: ' + href); continue; }
    const frag = decodeURIComponent(u.hash.slice(1));
    if (frag && (!seen[target] || !seen[target].ids.has(frag))) out.push('broken anchor: ' + href);
  }
  return out;
}

async function screenshots(browser) {
  fs.mkdirSync(shots, { recursive: true });
  const page = await browser.newPage();
  await page.goto('file://' + path.join(site, 'index.html'));
  await page.screenshot({ path: path.join(shots, 'report-front.png'), fullPage: false });
  const [file, frag] = RULE_PAGE.split('#');
  await page.goto('file://' + path.join(site, file) + (frag ? '#' + frag : ''));
  if (frag) await page.locator('#' + frag).screenshot({ path: path.join(shots, 'report-rule.png') });
  else await page.screenshot({ path: path.join(shots, 'report-rule.png') });
  await page.close();
}

async function main() {
  const pages = fs.readdirSync(site).filter((f) => f.endsWith('.html')).sort();
  if (!pages.includes('index.html')) throw new Error('no index.html in ' + site);
  const profile = fs.mkdtempSync(path.join(require('os').tmpdir(), 'cars-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true, args: ARGS, timeout: 60000, viewport: { width: 1100, height: 900 },
  });
  const seen = {};
  const results = {};
  try {
    for (const f of pages) results[f] = await checkPage(browser, f, seen);
    for (const f of pages) results[f].push(...brokenLinks(f, seen));
    await screenshots(browser);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  let passed = 0, failed = 0;
  for (const f of pages) {
    if (results[f].length) {
      failed++;
      console.log('FAIL ' + f);
      for (const p of results[f]) console.log('  ' + p);
    } else {
      passed++;
    }
  }
  console.log(`screenshots: ${path.join(shots, 'report-front.png')}, ${path.join(shots, 'report-rule.png')}`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error('browser: ' + (e.stack || e)); process.exit(1); });
