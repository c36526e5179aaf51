// axe-core on web pages in headless Debian Chromium, offline.
//
//   node gates/axe.mjs REPORT_DIR PAGE.html...
//
// One browser, a fresh profile, every request that is not a local file (or loopback) blocked.
// axe runs with its default rule set, which includes the best-practice rules. For each page it
// writes REPORT_DIR/<page>.json (axe's own results) and prints one JSON line on stdout:
// {"file", "violations": [{"id", "impact", "help", "nodes": [{"target", "html"}]}],
//  "blocked": [urls], "seconds"}.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

function allowed(address) {
  const url = new URL(address);
  if (['file:', 'data:', 'blob:', 'about:'].includes(url.protocol)) return true;
  return ['http:', 'https:', 'ws:'].includes(url.protocol) && LOOPBACK.test(url.hostname);
}

async function check(browser, file, reportDir) {
  const started = Date.now();
  const page = await browser.newPage();
  const blocked = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (allowed(request.url())) request.continue();
    else {
      if (!blocked.includes(request.url())) blocked.push(request.url());
      request.abort('blockedbyclient');
    }
  });
  await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load', timeout: 60000 });
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ['violations'],
  }));
  await page.close();
  writeFileSync(join(reportDir, `${basename(file)}.json`),
    JSON.stringify({ ...results, blockedRequests: blocked }, null, 1));
  const violations = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html })),
  }));
  return { file, violations, blocked, seconds: (Date.now() - started) / 1000 };
}

const [reportDir, ...files] = process.argv.slice(2);
if (!reportDir || files.length === 0) {
  console.error('usage: node axe.mjs REPORT_DIR PAGE.html...');
  process.exit(2);
}
mkdirSync(reportDir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'gates-chromium-'));
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: profile,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run',
  ],
});
try {
  for (const file of files) {
    console.log(JSON.stringify(await check(browser, file, reportDir)));
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
