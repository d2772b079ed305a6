import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardFilePath } from '../src/ui/assets.js';
import { call, deploySessionFunction, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { send } from './helpers/raw.js';

/** Screenshots land here (gitignored), kept after the run for a look. */
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const FN = 'dash';
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Debian's chromium, installed with apt-get when missing; undefined (with the reason) only where neither exists. */
function chromium(): { path?: string; skip?: string } {
  const found = () => CHROMIUM_PATHS.find((path) => existsSync(path));
  if (found()) return { path: found()! };
  if (!existsSync('/usr/bin/apt-get')) return { skip: 'no chromium and no apt-get to install it' };
  execSync('apt-get update && apt-get install -y chromium', { stdio: 'inherit', timeout: 900_000 });
  const path = found();
  if (!path) throw new Error('apt-get install -y chromium did not install /usr/bin/chromium');
  return { path };
}

const browserAt = chromium();
if (browserAt.skip) process.stderr.write(`dashboard browser tests skipped: ${browserAt.skip}\n`);

describe('the dashboard page files', () => {
  it('are small: JS and CSS under 50 KB gzipped', async () => {
    const sizes = await Promise.all(
      (['app.js', 'app.css'] as const).map(async (name) => gzipSync(await readFile(dashboardFilePath(name))).length),
    );
    expect(sizes[0]! + sizes[1]!).toBeLessThan(50 * 1024);
  });
});

describe.skipIf(browserAt.skip !== undefined)('the dashboard in Chromium', () => {
  let t: TestEmulator;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  const sessionRow = (id: string) => `tr[data-session="${FN}/${id}"]`;
  /** Clicks `selector`, again if a push re-rendered its row between finding and clicking it. */
  const click = (selector: string) =>
    waitFor(
      () =>
        page.click(selector).then(
          () => true,
          (error: Error) => {
            if (!/detached|not clickable|No element/.test(error.message)) throw error;
            return false;
          },
        ),
      2000,
      `a click on ${selector}`,
    );
  const getSession = (id: string) =>
    call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions/${id}`, 'GetSession');

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestEmulator();
    await deploySessionFunction(t.emulator, FN);
    browser = await puppeteer.launch({
      executablePath: browserAt.path!,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 760 });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${String(error)}`));
    page.on('requestfailed', (request) => {
      if (!request.url().endsWith('/_emulator/events'))
        problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('opens from the printed URL (the token becomes a cookie), paints fast and goes live', async () => {
    await page.goto(t.emulator.dashboardUrl!, { waitUntil: 'load' });
    expect(new URL(page.url()).search).toBe('');
    await page.waitForSelector('#connection[data-state="live"]', { timeout: 5000 });
    // Measured on reloads, the best of three: the first navigation also pays for starting the
    // browser and the redirect, and the shared test machine adds scheduling noise.
    const paints: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('#connection[data-state="live"]', { timeout: 5000 });
      paints.push(
        await page.evaluate(
          () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.POSITIVE_INFINITY,
        ),
      );
    }
    process.stderr.write(`dashboard first contentful paint (ms): ${paints.map(Math.round).join(', ')}\n`);
    expect(Math.min(...paints)).toBeLessThan(300);
    await page.waitForSelector(`tr[data-function="${FN}"]`, { timeout: 2000 });
    const bare = await send(t.emulator.endpoint, { method: 'GET', path: '/_emulator/ui' });
    expect(bare.status).toBe(403);
  });

  it('shows a session created after the page opened within one second, and its invocations with their logs', async () => {
    const created = await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', {});
    const start = Date.now();
    const { sessionId } = created.json<{ sessionId: string }>();
    await page.waitForSelector(sessionRow(sessionId), { timeout: 1000 });
    expect(Date.now() - start).toBeLessThan(1000);
    const cells = await page.$$eval(`${sessionRow(sessionId)} td`, (tds) => tds.map((td) => td.textContent));
    expect(cells).toContain('Active');

    const invoked = await invoke(t.emulator, FN, 'hello dashboard', { 'x-session-id': sessionId });
    const requestId = String(invoked.headers['x-fc-request-id']);
    await page.waitForSelector(`tr[data-request="${requestId}"]`, { timeout: 1000 });
    await click(`tr[data-request="${requestId}"]`);
    await page.waitForFunction("document.querySelector('pre.logs')?.textContent?.includes('hello dashboard')", {
      timeout: 2000,
    });
    const row = await page.$eval(`tr[data-request="${requestId}"]`, (tr) => tr.textContent);
    expect(row).toContain(sessionId);
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png` });
  });

  it('shows the versions and aliases the function registry reports', async () => {
    const published = await call(
      t.emulator,
      'POST',
      `/2023-03-30/functions/${FN}/versions`,
      'PublishFunctionVersion',
      {},
    );
    expect(published.status).toBe(200);
    const versionId = published.json<{ versionId: string }>().versionId;
    const alias = await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/aliases`, 'CreateAlias', {
      aliasName: 'prod',
      versionId,
    });
    expect(alias.status).toBe(200);
    await page.waitForFunction(
      `document.querySelector('tr[data-function="${FN}"]')?.textContent?.includes('prod -> ${versionId}')`,
      { timeout: 1000 },
    );
  });

  it('pauses, resumes and deletes a session on the emulator from its buttons', async () => {
    const { sessionId } = (
      await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', {})
    ).json<{ sessionId: string }>();
    await page.waitForSelector(sessionRow(sessionId), { timeout: 1000 });

    await click(`${sessionRow(sessionId)} button[data-action="pause"]`);
    await waitFor(async () => (await getSession(sessionId)).json()['sessionStatus'] === 'Paused');
    await page.waitForSelector(`${sessionRow(sessionId)} button[data-action="resume"]`, { timeout: 1000 });
    await click(`${sessionRow(sessionId)} button[data-action="resume"]`);
    await waitFor(async () => (await getSession(sessionId)).json()['sessionStatus'] === 'Active');

    await page.waitForSelector(`${sessionRow(sessionId)} button[data-action="delete"]`, { timeout: 1000 });
    await click(`${sessionRow(sessionId)} button[data-action="delete"]`);
    await waitFor(async () => (await getSession(sessionId)).status === 404);
    await page.waitForSelector(sessionRow(sessionId), { hidden: true, timeout: 1000 });
  });

  it('sets and clears fault injection', async () => {
    await page.type('#faults-form input[name="action"]', 'ListFunctions');
    await page.type('#faults-form input[name="throttleRate"]', '1');
    await page.click('#faults-set');
    await waitFor(() => t.emulator.faults.get().rules.length === 1);
    expect(t.emulator.faults.get().rules[0]).toMatchObject({ action: 'ListFunctions', throttleRate: 1 });
    await page.waitForFunction("document.getElementById('faults-current')?.textContent?.includes('throttleRate')", {
      timeout: 1000,
    });
    await page.click('#faults-clear');
    await waitFor(() => t.emulator.faults.get().rules.length === 0);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-after-controls.png` });
  });

  it('had no console errors', () => {
    expect(problems).toEqual([]);
  });
});
