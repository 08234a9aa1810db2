import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIR } from '../../src/api/routes/ui.js';
import { createLogger } from '../../src/logger.js';
import { startPipelineWorkers, type PipelineWorkers } from '../../src/pipeline/workers.js';
import { createPipelineQueues, type PipelineQueues } from '../../src/queue/queues.js';
import { seedDemo } from '../../src/seed/demo.js';
import { seedDemoCaptures } from '../../src/seed/demo-captures.js';
import { createPlateEngine, type PlateEngine } from '../../src/vision/engine.js';
import { evaluateCapture } from '../../src/violations/evaluate.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against the real API,
 * with cases made by the real pipeline from demo camera frames. Screenshots go to test-artifacts/ui/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test-artifacts/ui');
const PASSWORD = 'console-test-password';

let t: TestApp;
let base: string;
let browser: Browser;
let queues: PipelineQueues;
let engine: PlateEngine;
let workers: PipelineWorkers;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  if (!existsSync(path.join(CONSOLE_DIR, 'index.html'))) throw new Error('the console is not built: run npm run build:console');
  await mkdir(ARTIFACTS, { recursive: true });
  t = await createTestApp();
  await seedDemo(t.db.pool, { owners: 60, password: PASSWORD, seed: 3 });
  queues = createPipelineQueues(t.config, t.redis);
  engine = await createPlateEngine({ tesseract: false });
  workers = startPipelineWorkers(t.config, { pool: t.db.pool, storage: t.app.deps.storage, queues, engine,
    logger: createLogger('silent', 'ui'), evaluate: (tx, input) => evaluateCapture(tx, input) });
  const sent = await seedDemoCaptures({ pool: t.db.pool, storage: t.app.deps.storage, queues, limits: { maxPixels: 4e7, maxBytes: 2e7 } },
    { count: 7, seed: 3 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM captures WHERE status IN ('processed', 'dead_lettered')");
    if (rows[0]!.n >= sent.created) break;
    if (Date.now() > deadline) throw new Error('demo captures were not processed in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await workers?.close();
  await engine?.close();
  await Promise.all(queues?.all().map((q) => q.obliterate({ force: true })) ?? []);
  await queues?.close();
  await t?.close();
});

async function loggedIn(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('#logout');
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

async function violationStatus(id: number): Promise<{ status: string; reject_reason: string | null }> {
  const { rows } = await t.db.pool.query<{ status: string; reject_reason: string | null }>('SELECT status, reject_reason FROM violations WHERE id = $1', [id]);
  return rows[0]!;
}

describe('the review console', () => {
  it('refuses a wrong password with the reason on the login page', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${base}/console/`);
    await page.fill('#username', 'canbo1');
    await page.fill('#password', 'wrong-password-1');
    await page.click('button[type=submit]');
    // a password check costs about a second now (scrypt N=2^17): wait longer than the default poll
    await expect.poll(() => page.textContent('.login .error'), { timeout: 10_000 }).toContain('Đăng nhập không thành công');
    await page.close();
  });

  it('an officer sees the queue, opens a case with its evidence and owner, approves it with A and sees the notice', async () => {
    const page = await loggedIn('canbo1');
    await page.waitForSelector('#queue .queue-row');
    const rows = await page.$$('#queue .queue-row');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // page functions run in the browser: given as source text, since this file is type-checked without the DOM
    await expect.poll(() => page.evaluate("[...document.querySelectorAll('.thumb img')].every((i) => i.complete && i.naturalWidth > 0)"), { timeout: 10_000 }).toBe(true);
    await shot(page, '1-queue');

    const id = Number(await rows[0]!.getAttribute('data-id'));
    await rows[0]!.click();
    await page.waitForSelector('#approve:not([disabled])');
    expect(await page.textContent('#claim-note')).toContain('Bạn đang xử lý hồ sơ này');
    await expect.poll(() => page.evaluate("(() => { const img = document.querySelector('.photo img'); return !!img && img.complete && img.naturalWidth > 0; })()"), { timeout: 10_000 }).toBe(true);
    expect(await page.$('.photo .box')).not.toBeNull();
    expect(await page.textContent('#owner-name')).toMatch(/\S/);
    await shot(page, '2-case');

    await page.keyboard.press('a');
    await page.waitForSelector('#notice-number');
    const number = (await page.textContent('#notice-number'))!.trim();
    expect(number).toMatch(/^PN-/);
    const pdf = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
    }, `/api/v1/notices/${encodeURIComponent(number)}/pdf`);
    expect(pdf).toMatchObject({ status: 200, type: 'application/pdf' });
    expect(pdf.size).toBeGreaterThan(10_000);
    // the preview draws the PDF itself (pdf.js bundled with the console), so it shows in any browser
    await page.waitForSelector('#pdf-preview[data-pages="1"] canvas');
    await shot(page, '3-notice');
    expect((await violationStatus(id)).status).toBe('noticed');
    await page.context().close();
  });

  it('an officer rejects a case with a reason from the list', async () => {
    const page = await loggedIn('canbo2');
    await page.waitForSelector('#queue .queue-row');
    const row = (await page.$$('#queue .queue-row'))[0]!;
    const id = Number(await row.getAttribute('data-id'));
    await row.click();
    await page.waitForSelector('#reject:not([disabled])');
    await page.keyboard.press('r');
    await page.waitForSelector('#reject-dialog[open]');
    await page.selectOption('#reject-reason', 'plate_obstructed');
    await shot(page, '4-reject');
    await page.click('#reject-confirm');
    await page.waitForSelector('#queue, #queue-empty');
    expect(await violationStatus(id)).toEqual({ status: 'rejected', reject_reason: 'plate_obstructed' });
    await page.context().close();
  });

  it('an operator changes a camera threshold and sees it saved', async () => {
    const page = await loggedIn('vanhanh');
    await page.waitForSelector('#cameras');
    await page.click('button[data-edit="BG-QL1A-KM112"]');
    await page.fill('#camera-form input[name=detectThreshold]', '0.45');
    await shot(page, '5-camera-settings');
    await page.click('#camera-save');
    await page.waitForSelector('#flash');
    const { rows } = await t.db.pool.query<{ detect_threshold: number }>("SELECT detect_threshold FROM cameras WHERE code = 'BG-QL1A-KM112'");
    expect(rows[0]!.detect_threshold).toBeCloseTo(0.45, 5);
    await page.context().close();
  });

  it('finance sees collected and outstanding by month, and the interface switches to English', async () => {
    const page = await loggedIn('ketoan');
    await page.waitForSelector('#finance-chart');
    expect(await page.textContent('#total-outstanding')).toMatch(/₫$/);
    await shot(page, '6-finance');
    await page.click('#lang');
    await expect.poll(() => page.evaluate("document.querySelector('h1')?.textContent === 'Fines collected'"), { timeout: 10_000 }).toBe(true);
    await page.context().close();
  });
});
