// End-to-end test of the analyst workspace in real headless Chromium (Debian's chromium,
// driven by playwright-core). Run by `cargo test` (crates/kensa-cli/tests/web_ui.rs), which
// starts `kensa serve` over the demo data and passes:
//   KENSA_URL, KENSA_ANALYST, KENSA_LEAD (name:password each), KENSA_AUDITOR_TOKEN, KENSA_SHOTS,
//   KENSA_REPORT and KENSA_SUBJECTS (the same scan's report.html and subjects.jsonl)
// The flow of issue 15: sign in, filter the queue, open a critical subject, see the four
// pictures, switch to Japanese (no English sentence left in the explanations), open a case,
// record a check with an attachment, have approval refused, have a second person (a lead)
// approve with an override, close the case, and `GET /v1/verify` still ok. A screenshot of
// every step goes to KENSA_SHOTS; axe-core checks the queue and the subject page. Then the
// offline report.html: the same queue and subject page from a file, every flagged subject in it.
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const base = process.env.KENSA_URL;
const [anaName, anaPw] = process.env.KENSA_ANALYST.split(':');
const [leadName, leadPw] = process.env.KENSA_LEAD.split(':');
const shots = process.env.KENSA_SHOTS || new URL('./out', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let step = 0;
function log(msg) { console.log(`[e2e] ${msg}`); }
function fail(msg) { throw new Error(msg); }
async function shot(page, name, focus) {
  step += 1;
  const file = `${shots}/${String(step).padStart(2, '0')}-${name}.png`;
  // The viewport, with the element the step is about in view.
  if (focus) await page.locator(focus).first().scrollIntoViewIfNeeded();
  else await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

async function signIn(page, name, pw) {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/login$/);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', pw);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  await page.waitForSelector('[data-testid=queue]');
}

async function ready(page) {
  // The app marks <main> with the route it finished rendering. Waited for with a selector, not
  // with waitForFunction: the read-only report's CSP forbids the eval that waitForFunction's
  // in-page polling needs whenever its first check fails (a flaky EvalError on slow runs).
  // Every action the tests take sets the hash synchronously, so it is read once here.
  const hash = await page.evaluate(() => location.hash);
  await page.waitForSelector(`#main[data-ready=${JSON.stringify(hash)}]`, { state: 'attached' });
}

async function axe(page, what) {
  await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of res.violations) log(`axe ${what}: ${v.impact} ${v.id} (${v.nodes.length}) ${v.help}`);
  if (bad.length) fail(`axe-core: ${bad.length} serious or critical violations on the ${what} page: ${bad.map((v) => v.id).join(', ')}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // bypassCSP: axe-core is injected as an inline script, which the page's policy refuses.
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-GB', bypassCSP: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // 1. Sign in.
  await signIn(page, anaName, anaPw);
  await ready(page);
  const rows = await page.locator('[data-testid=queue-row]').count();
  if (rows === 0) fail('the queue is empty');
  log(`queue: ${rows} rows`);
  await shot(page, 'queue');
  await axe(page, 'queue');

  // 2. Filter the queue: critical only.
  await page.selectOption('[data-testid=queue-filter-tier]', 'critical');
  await page.waitForURL(/tier=critical/);
  await ready(page);
  const tiers = await page.locator('[data-testid=queue-row] .tier').evaluateAll((els) => els.map((e) => e.className));
  if (!tiers.length || tiers.some((c) => !c.includes('tier-critical'))) fail(`filter tier=critical shows ${tiers.join(' | ')}`);
  await shot(page, 'queue-critical');

  // Sort by name: the rows follow.
  await page.selectOption('[data-testid=queue-sort]', 'name');
  await page.waitForURL(/sort=name/);
  await ready(page);
  const names = await page.locator('[data-testid=queue-row] td:nth-child(4)').allTextContents();
  const lower = names.filter(Boolean).map((x) => x.toLowerCase());
  if (lower.length < 2 || lower.some((x, i) => i && lower[i - 1] > x)) fail(`sort=name gives ${names.join(' | ')}`);
  await page.selectOption('[data-testid=queue-sort]', '');
  await page.waitForURL((u) => !/sort=/.test(u.hash));
  await ready(page);

  // Search by subject id.
  const first = await page.locator('[data-testid=queue-row]').first().getAttribute('data-subject-id');
  await page.fill('[data-testid=queue-search]', first);
  await page.press('[data-testid=queue-search]', 'Enter');
  await page.waitForURL(/q=/);
  await ready(page);
  const found = await page.locator('[data-testid=queue-row]').evaluateAll((els) => els.map((e) => e.dataset.subjectId));
  if (!found.includes(first)) fail(`search for ${first} found ${found}`);
  await shot(page, 'queue-search');

  // 3. Open the critical subject.
  await page.click(`[data-testid=queue-row][data-subject-id="${first}"] a`);
  await ready(page);
  const tier = await page.getAttribute('[data-testid=subject-tier]', 'data-tier');
  if (tier !== 'critical') fail(`subject ${first} tier ${tier}`);
  const score = await page.textContent('[data-testid=subject-score]');
  log(`subject ${first}: score ${score}`);
  if (await page.locator('[data-testid=flag]').count() === 0) fail('no flags shown');
  // 4. The four pictures, each drawn (an SVG inside).
  for (const id of ['chart-activity-hours', 'chart-logins', 'chart-login-map', 'graph-links', 'chart-payouts']) {
    await page.waitForSelector(`[data-testid=${id}] svg`);
  }
  await shot(page, 'subject');
  await axe(page, 'subject');

  // 5. 日本語: <html lang> follows; no English sentence in the visible explanations.
  await page.click('[data-testid=lang-switch]');
  await ready(page);
  if (await page.getAttribute('html', 'lang') !== 'ja') fail('html lang is not ja after the switch');
  const texts = await page.locator('[data-testid=flag] p').allTextContents();
  // An English sentence: four or more words ending in a full stop. Quotations (「…」, the
  // subject's own words) and proper names (a bank's) are not sentences of ours.
  const english = texts
    .map((s) => s.replace(/「[^」]*」/g, ''))
    .filter((s) => /[A-Za-z]{2,}(\s+[A-Za-z,'’-]+){3,}[.!?](\s|$)/.test(s));
  if (english.length) fail(`English left in Japanese explanations:\n${english.join('\n')}`);
  await shot(page, 'subject-ja');
  await shot(page, 'subject-ja-flags', '[data-testid=flag]');
  await page.click('[data-testid=lang-switch]');
  await ready(page);

  // 6. Open a case with this subject alone.
  await page.uncheck('input[name=linked]');
  await page.fill('input[name=title]', 'E2E case');
  await page.click('button:has-text("Open a case")');
  await page.waitForURL(/#\/c\//);
  await ready(page);
  const caseUrl = page.url();
  await page.fill('[data-testid=case-notes] textarea', 'Started the review; asked for a camera-on interview.');
  await page.click('[data-testid=case-notes] button');
  await ready(page);
  await page.waitForSelector('[data-testid=case-notes] li');
  await shot(page, 'case');

  // 7. Record a check with an attachment.
  await page.goto(`${base}/#/s/${encodeURIComponent(first)}`);
  await ready(page);
  const stepSel = '[data-testid=dd-step][data-dd-id="DD-VIDEO-INTERVIEW"]';
  await page.click(`${stepSel} button[aria-expanded]`);
  await page.selectOption(`${stepSel} select[name=result]`, 'pass');
  await page.fill(`${stepSel} input[name=notes]`, 'Camera on, matched the passport photo');
  await page.setInputFiles(`${stepSel} input[type=file]`, { name: 'interview-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('interview 2026-12-06: camera on\n') });
  await page.click(`${stepSel} button[type=submit]`);
  await ready(page);
  await page.waitForSelector(`${stepSel} .st-done`);
  await shot(page, 'subject-check', '[data-testid=dd-checklist]');

  // 8. Approval refused: steps missing.
  await page.selectOption('[data-testid=decision-form] select[name=decision]', 'approve');
  await page.fill('[data-testid=decision-form] input[name=reason]', 'looks fine to me');
  await page.click('[data-testid=decision-form] button[type=submit]');
  await page.waitForSelector('[data-testid=decision-form] .err');
  const refusal = await page.textContent('[data-testid=decision-form] .err');
  if (!/blocked|missing/.test(refusal)) fail(`approval not refused: ${refusal}`);
  await shot(page, 'approval-refused', '[data-testid=decision-form]');

  // 9. A lead (a second person) approves with an override.
  await page.click('#signout');
  await page.waitForURL(/\/login$/);
  await signIn(page, leadName, leadPw);
  await page.goto(`${base}/#/s/${encodeURIComponent(first)}`);
  await ready(page);
  await page.selectOption('[data-testid=decision-form] select[name=decision]', 'approve');
  await page.fill('[data-testid=decision-form] input[name=reason]', 'cleared after interview');
  await page.fill('[data-testid=decision-form] input[name=override]', 'bank name confirmed by phone; documents on file');
  await page.click('[data-testid=decision-form] button[type=submit]');
  await ready(page);
  await page.waitForSelector('text=override: bank name confirmed');
  await shot(page, 'override-approved', '[data-testid=decision-form]');

  // 10. Close the case (four eyes: the lead is not its assignee).
  await page.goto(caseUrl);
  await ready(page);
  await page.selectOption('[data-testid=case-status]', 'closed_cleared');
  await page.click('form.inline button[type=submit]');
  await ready(page);
  const st = await page.$eval('[data-testid=case-status]', (e) => e.value);
  if (st !== 'closed_cleared') fail(`case status ${st}: ${await page.textContent('form.inline [role=status]')}`);
  await shot(page, 'case-closed');

  // 11. The evidence chain still verifies.
  const v = await (await fetch(`${base}/v1/verify`, { headers: { Authorization: `Bearer ${process.env.KENSA_AUDITOR_TOKEN}` } })).json();
  if (v.ok !== true) fail(`verify: ${JSON.stringify(v)}`);
  log(`verify ok: ${v.entries} entries`);
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);

  // 12. The offline report: the same workspace from a file, read-only.
  if (process.env.KENSA_REPORT) {
    const rctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-GB' });
    const rp = await rctx.newPage();
    const rerrors = [];
    rp.on('pageerror', (e) => rerrors.push(e.message));
    // Nothing may be fetched from anywhere.
    const requests = [];
    rp.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await rp.goto(`file://${process.env.KENSA_REPORT}`);
    await ready(rp);
    const flagged = readFileSync(process.env.KENSA_SUBJECTS, 'utf8').split('\n').filter(Boolean)
      .map((l) => JSON.parse(l)).filter((r) => r.flags.length).map((r) => r.subject_id);
    const listed = await rp.evaluate(() => REPORT.subjects.filter((r) => r.flags.length).map((r) => r.subject_id));
    const lost = flagged.filter((id) => !listed.includes(id));
    if (lost.length) fail(`report.html leaves out ${lost.length} of ${flagged.length} flagged subjects`);
    log(`report: all ${flagged.length} flagged subjects listed`);
    await shot(rp, 'report-queue');
    await axe(rp, 'report queue');
    await rp.selectOption('[data-testid=queue-filter-tier]', 'critical');
    await ready(rp);
    const rtiers = await rp.locator('[data-testid=queue-row] .tier').evaluateAll((els) => els.map((e) => e.className));
    if (!rtiers.length || rtiers.some((c) => !c.includes('tier-critical'))) fail(`report: tier=critical shows ${rtiers.join(' | ')}`);
    await rp.fill('[data-testid=queue-search]', first);
    await rp.press('[data-testid=queue-search]', 'Enter');
    await ready(rp);
    const rfound = await rp.locator('[data-testid=queue-row]').evaluateAll((els) => els.map((e) => e.dataset.subjectId));
    if (!rfound.includes(first)) fail(`report: search for ${first} found ${rfound}`);
    await rp.click(`[data-testid=queue-row][data-subject-id="${first}"] a`);
    await ready(rp);
    for (const id of ['chart-activity-hours', 'chart-logins', 'chart-login-map', 'graph-links', 'chart-payouts']) {
      await rp.waitForSelector(`[data-testid=${id}] svg`);
    }
    if (await rp.locator('[data-testid=flag]').count() === 0) fail('report: no flags shown');
    if (await rp.locator('[data-testid=decision-form]').count() !== 0) fail('report: a decision form in a read-only report');
    await shot(rp, 'report-subject');
    await axe(rp, 'report subject');
    await rp.click('[data-testid=lang-switch]');
    await ready(rp);
    if (await rp.getAttribute('html', 'lang') !== 'ja') fail('report: html lang is not ja after the switch');
    await shot(rp, 'report-subject-ja');
    if (requests.length) fail(`report.html fetched ${requests.join(', ')}`);
    if (rerrors.length) fail(`report page errors: ${rerrors.join('; ')}`);
    await rctx.close();
  }
  log('all steps passed');
} finally {
  await browser.close();
}
