import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../backend/stack.js';
import { buildRendererOnce } from '../support/backend-fixture.js';
import { buildCsp } from '../../main/security/csp.js';
import { mimeTypeFor, resolveRendererPath } from '../../common/node/static-files.js';
import { axeViolations } from './axe.js';
import { CHROMIUM_PATH, FAKE_MEDIA_ARGS, HEADLESS_CHROMIUM_ARGS } from '../support/chromium.js';
import { spareTestPort } from '../support/port-registry.js';

/**
 * The built renderer (`npm run build`) in Debian Chromium, served from dist/renderer by a tiny
 * static server on loopback — the same files Electron and the control plane serve. Checks the
 * accessible-name contract of the sign-in form, that the page's CSP really blocks inline script
 * and style (and that the app itself needs neither), sign-in error messages, and the signed-in
 * softphone view with the real calling core failing to reach a SIP server that is not there.
 * Screenshots go to dist/screenshots/ for a human to look at.
 */

const DIST = join(REPO_ROOT, 'dist', 'renderer');
const SHOTS = join(REPO_ROOT, 'dist', 'screenshots');
const PORT = spareTestPort('e2eUi', 500);
const DEAD_PORT = spareTestPort('e2eUi', 501); // nothing listens here: the "unreachable" provisioning server
const DEAD_SIP_PORT = spareTestPort('e2eUi', 502); // nothing listens here either: the SIP WebSocket in the stand-in config
const ORIGIN = `http://127.0.0.1:${PORT}`;

/**
 * The two provisioning answers the web host asks for, in the control plane's documented shapes,
 * so the signed-in view can be rendered without the whole backend (the backend e2e suite covers
 * real registration and calls).
 */
const CLIENT_CONFIG = {
  agent: { username: 'alice', displayName: 'Alice Martin' },
  sip: { wsUrl: `ws://127.0.0.1:${DEAD_SIP_PORT}`, domain: 'clearline.test', registerExpiresSec: 300 },
  controlPlaneUrl: ORIGIN,
  numbers: { 'Echo test': '5550100', 'Tone test': '5550101' },
};

function provisioningAnswer(req: IncomingMessage): { status: number; body: unknown } | null {
  if (!req.url?.startsWith('/api/')) return null;
  const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
    .toString('utf8')
    .split(':');
  if (user !== 'alice' || password !== 'correct horse') return { status: 401, body: { error: 'unauthorized' } };
  if (req.url === '/api/client-config') return { status: 200, body: CLIENT_CONFIG };
  if (req.url === '/api/turn-credentials') {
    return { status: 200, body: { username: '1999999999:alice', password: 'x', ttl: 600, uris: [`turn:127.0.0.1:${DEAD_PORT}`] } };
  }
  return { status: 404, body: { error: 'not found' } };
}

function serveStatic(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', ORIGIN);
  const path = url.pathname;
  const file = resolveRendererPath(DIST, decodeURIComponent(path));
  if (file === null || !existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  // By default no CSP header: the <meta> policy in index.html is what is under test. With
  // ?desktopCsp the page gets the header the desktop app's app:// handler sends once signed in.
  const csp = url.searchParams.has('desktopCsp') ? { 'content-security-policy': buildCsp(CLIENT_CONFIG) } : {};
  res.writeHead(200, { 'content-type': mimeTypeFor(file), ...csp });
  res.end(readFileSync(file));
}

let server: Server;
let browser: Browser;

before(
  async () => {
    buildRendererOnce(); // `vite build` of the current sources (shared with the backend e2e fixture)
    assert.ok(existsSync(join(DIST, 'index.html')), 'dist/renderer/index.html was built');
    mkdirSync(SHOTS, { recursive: true });

    server = createServer((req, res) => {
      const answer = provisioningAnswer(req);
      if (answer === null) return serveStatic(req, res);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(PORT, '127.0.0.1', ok);
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: 30_000,
      args: [...HEADLESS_CHROMIUM_ARGS, ...FAKE_MEDIA_ARGS],
    });
  },
  { timeout: 150_000 },
);

after(
  async () => {
    await browser?.close();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  },
  { timeout: 20_000 },
);

interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** CSP violations reported by the page (from a listener installed before any page script). */
  violations(): Promise<string[]>;
  pageErrors: string[];
}

async function openApp(colorScheme: 'light' | 'dark' = 'light', query = ''): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, colorScheme });
  const page = await context.newPage();
  // Playwright injects init scripts through the DevTools protocol, outside the page's CSP.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${ORIGIN}/?audioProcessing=off${query}`, { timeout: 15_000 });
  return {
    context,
    page,
    pageErrors,
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
  };
}

test(
  'sign-in form: exact accessible names, origin prefilled, keyboard order, loads without CSP violations',
  { timeout: 30_000 },
  async () => {
    const { context, page, violations, pageErrors } = await openApp();
    try {
      const url = page.getByRole('textbox', { name: 'Provisioning URL', exact: true });
      const username = page.getByRole('textbox', { name: 'Username', exact: true });
      const password = page.getByLabel('Password', { exact: true });
      const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
      await url.waitFor({ timeout: 10_000 });
      assert.equal(await url.inputValue(), ORIGIN, 'the web host proposes the page origin');
      assert.equal(await username.count(), 1, 'exactly one field is named "Username"');
      assert.equal(await password.getAttribute('type'), 'password');
      assert.equal(await signIn.isEnabled(), true);
      assert.match(await page.getByRole('status', { name: 'Registration' }).innerText(), /Signed out/);
      assert.match(await page.locator('body').innerText(), /forgotten when you close it/, 'the web shell says where the password lives');

      await url.focus();
      const order: string[] = [];
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('Tab');
        order.push(await page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent ?? ''));
      }
      assert.deepEqual(order, ['username', 'password', 'Sign in']);

      const styleTags = await page.locator('[style]').count();
      assert.equal(styleTags, 0, 'no element carries an inline style attribute');
      assert.deepEqual(await violations(), [], 'the app needs nothing its own CSP forbids');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(await axeViolations(page), [], 'axe-core (WCAG 2.1 A/AA) finds nothing on the sign-in form');
      await page.screenshot({ path: join(SHOTS, 'sign-in.png') });
      const dark = await openApp('dark');
      await dark.page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 10_000 });
      assert.deepEqual(await axeViolations(dark.page), [], 'axe-core finds nothing in the dark theme either');
      await dark.page.screenshot({ path: join(SHOTS, 'sign-in-dark.png') });
      await dark.context.close();
    } finally {
      await context.close();
    }
  },
);

test('the CSP <meta> blocks inline script and inline style', { timeout: 30_000 }, async () => {
  const { context, page, violations } = await openApp();
  try {
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 10_000 });
    const outcome = await page.evaluate(async () => {
      const w = window as unknown as { __inlineRan?: boolean };
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true;';
      document.body.append(script);
      const styled = document.createElement('div');
      styled.setAttribute('style', 'color: rgb(255, 0, 0)');
      document.body.append(styled);
      const sheet = document.createElement('style');
      sheet.textContent = 'body { background-color: rgb(0, 255, 0) !important; }';
      document.head.append(sheet);
      await new Promise((r) => setTimeout(r, 100));
      return {
        inlineRan: w.__inlineRan === true,
        styledColor: getComputedStyle(styled).color,
        bodyBackground: getComputedStyle(document.body).backgroundColor,
      };
    });
    assert.equal(outcome.inlineRan, false, 'inline script must not run');
    assert.notEqual(outcome.styledColor, 'rgb(255, 0, 0)', 'inline style attribute must not apply');
    assert.notEqual(outcome.bodyBackground, 'rgb(0, 255, 0)', 'inline <style> must not apply');
    const seen = await violations();
    assert.ok(
      seen.some((v) => v.startsWith('script-src')),
      `script violation reported: ${JSON.stringify(seen)}`,
    );
    assert.ok(
      seen.some((v) => v.startsWith('style-src')),
      `style violation reported: ${JSON.stringify(seen)}`,
    );
  } finally {
    await context.close();
  }
});

test('sign-in errors: unreachable server and wrong password are shown in the Registration status', { timeout: 40_000 }, async () => {
  const { context, page } = await openApp();
  try {
    const status = page.getByRole('status', { name: 'Registration' });
    const fill = async (url: string, pass: string) => {
      await page.getByLabel('Provisioning URL').fill(url, { timeout: 10_000 });
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(pass);
      await page.getByLabel('Password').press('Enter'); // Enter submits, no mouse needed
    };
    await fill(`http://127.0.0.1:${DEAD_PORT}`, 'correct horse');
    await status.filter({ hasText: `Cannot reach 127.0.0.1:${DEAD_PORT}` }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await axeViolations(page), [], 'the error state passes axe-core too (contrast of the red status)');
    await page.screenshot({ path: join(SHOTS, 'sign-in-unreachable.png') });

    await page.getByLabel('Username').fill('');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await status.filter({ hasText: 'Enter your Username' }).waitFor({ timeout: 5_000 });

    await fill(ORIGIN, 'wrong');
    await status.filter({ hasText: 'Wrong username or password' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByLabel('Password').isVisible(), true, 'still on the sign-in form');
  } finally {
    await context.close();
  }
});

test(
  'signed in: softphone view with dialpad, service numbers, settings, history, web-only notes; sign out',
  { timeout: 60_000 },
  async () => {
    const { context, page, violations, pageErrors } = await openApp();
    try {
      await page.getByLabel('Provisioning URL').fill(ORIGIN, { timeout: 10_000 });
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('correct horse');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();

      const registration = page.getByRole('status', { name: 'Registration' });
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor({ timeout: 15_000 });
      // The real calling core tries the SIP WebSocket from the config; nobody listens there.
      await registration
        .filter({ hasText: /reach|connect|unavailable|refused|lost/i })
        .filter({ hasNotText: 'Connecting…' })
        .waitFor({ timeout: 20_000 });
      const registrationText = await registration.innerText();
      assert.doesNotMatch(registrationText, /Registered/);
      console.log(`# registration status with no SIP server: “${registrationText}”`);

      assert.equal(await page.getByRole('status', { name: 'Call status' }).innerText(), 'Offline');
      assert.equal(await page.getByRole('textbox', { name: 'Number or colleague', exact: true }).isVisible(), true);
      assert.equal(await page.getByRole('button', { name: 'Call', exact: true }).isDisabled(), true, 'no calls while not registered');
      assert.equal(await page.getByRole('button', { name: 'Echo test', exact: true }).isVisible(), true);
      assert.equal(await page.getByRole('button', { name: 'Tone test', exact: true }).isVisible(), true);

      const settings = page.getByRole('region', { name: 'Settings' });
      for (const name of ['Microphone', 'Speaker', 'Ringer']) {
        const select = settings.getByRole('combobox', { name, exact: true });
        assert.equal(await select.inputValue(), 'default', `${name} starts on the system default`);
      }
      const microphones = await settings.getByRole('combobox', { name: 'Microphone', exact: true }).locator('option').allInnerTexts();
      assert.ok(microphones.length >= 2, `Chromium's fake microphone is listed: ${JSON.stringify(microphones)}`);
      const chosen = await settings
        .getByRole('combobox', { name: 'Microphone', exact: true })
        .locator('option')
        .nth(1)
        .getAttribute('value');
      await settings.getByRole('combobox', { name: 'Microphone', exact: true }).selectOption(chosen!);
      const saved = await page.evaluate(() => localStorage.getItem('clearline.settings'));
      assert.equal(JSON.parse(saved ?? '{}').microphoneId, chosen, 'the choice is saved by the web host');

      assert.match(await page.getByRole('region', { name: 'Network test' }).innerText(), /desktop app/);
      assert.match(await page.locator('body').innerText(), /No calls yet/);

      assert.match(await page.locator('.dialpad').innerText(), /once the phone is registered/, 'says why Call is disabled');

      assert.deepEqual(await violations(), []);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(await axeViolations(page), [], 'axe-core (WCAG 2.1 A/AA) finds nothing on the softphone view');
      await page.screenshot({ path: join(SHOTS, 'softphone.png'), fullPage: true });
      await page.setViewportSize({ width: 420, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'no horizontal scrolling on a narrow window');
      await page.screenshot({ path: join(SHOTS, 'softphone-narrow.png'), fullPage: true });

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate(() => sessionStorage.getItem('clearline.session')), null, 'session forgotten');
      assert.equal(await page.getByLabel('Username').inputValue(), 'alice', 'the username is remembered');
    } finally {
      await context.close();
    }
  },
);

test(
  'a session survives a reload of the tab (sessionStorage) and corrupt storage does not break start-up',
  { timeout: 40_000 },
  async () => {
    const { context, page, pageErrors } = await openApp();
    try {
      await page.getByLabel('Provisioning URL').fill(ORIGIN, { timeout: 10_000 });
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('correct horse');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor({ timeout: 15_000 });
      await page.evaluate(() => {
        localStorage.setItem('clearline.history:alice', '{broken');
        localStorage.setItem('clearline.settings', JSON.stringify({ microphoneId: 42 }));
      });
      await page.reload();
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor({ timeout: 15_000 });
      assert.equal(await page.getByRole('combobox', { name: 'Microphone', exact: true }).inputValue(), 'default');
      assert.equal(await page.evaluate(() => localStorage.getItem('clearline.history:alice')), null, 'corrupt history removed');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  },
);

test(
  "under the desktop app's own CSP header (main/security/csp.ts) the app signs in and runs without violations",
  { timeout: 40_000 },
  async () => {
    const { context, page, violations, pageErrors } = await openApp('light', '&desktopCsp');
    try {
      const header = (await page.request.get(`${ORIGIN}/?desktopCsp`)).headers()['content-security-policy'] ?? '';
      assert.match(header, /default-src 'none'/, 'the strict desktop policy is in force');
      await page.getByLabel('Username').fill('alice', { timeout: 10_000 });
      await page.getByLabel('Password').fill('correct horse');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const registration = page.getByRole('status', { name: 'Registration' });
      await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor({ timeout: 15_000 });
      // The calling core's WebSocket (and its HTTP probe of the same origin) are allowed and tried.
      await registration
        .filter({ hasText: /reach|connect|refused/i })
        .filter({ hasNotText: 'Connecting…' })
        .waitFor({ timeout: 20_000 });
      assert.deepEqual(await violations(), []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  },
);
