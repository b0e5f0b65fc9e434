/**
 * The admin page in real Chromium against the real backend (Kamailio, rtpengine, coturn, control
 * plane, the carrier's echo number): an agent's password does not sign in; the admin signs in
 * with the admin token, watches an echo call with random loss injected on the agent's media path
 * (iptables statistic, both ways) appear among the active calls with its live MOS, then among the
 * recent calls with its quality, raise an alert that a loopback webhook receiver (started and
 * stopped here) also gets, sees a script-laden network test report as plain text (and opens it:
 * nothing runs), creates, disables, enables an agent and resets its password, and signs out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../backend/stack.js';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { launchAgentBrowser } from '../support/chromium.js';
import { Softphone } from '../support/softphone.js';
import { toneWav } from '../support/tones.js';
import { dropUdp } from '../support/udp-block.js';
import { sampleNetworkReport } from '../support/network-report.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';
import type { CallRecord } from '../../backend/control-plane/call-records.js';

const SCREENSHOTS = join(REPO_ROOT, 'dist', 'screenshots');
const BROWSER_UDP = spareTestPorts('networkTest', 600, 699);
const [WEBHOOK_PORT] = spareTestPorts('networkTest', 700);
/** Stands for the secret a real webhook URL carries: it must reach the receiver and no log. */
const SECRET = 'adhook-5ecret-in-url';
const SCRIPT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

let backend: TestBackend;
let context: BrowserContext;
let adminPage: Page;
let receiver: Server;
const hooks: Array<{
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: { alert: { kind: string; agent: string; callId?: string; crossed?: Array<{ metric: string }> } };
}> = [];
const dialogs: string[] = [];
const pageErrors: string[] = [];

before(
  async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        hooks.push({ path: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve, reject) => receiver.once('error', reject).listen(WEBHOOK_PORT, '127.0.0.1', resolve));
    backend = await startTestBackend(TEST_PORT_BASES.networkTest, {
      stack: { alertWebhook: `http://127.0.0.1:${WEBHOOK_PORT}/hooks/${SECRET}?key=${SECRET}` },
    });
    context = await launchAgentBrowser({
      userDataDir: join(backend.scratch, 'profile-admin-page'),
      microphoneWav: toneWav(join(backend.scratch, 'tones'), 440),
      udpPorts: BROWSER_UDP,
    });
    // Any alert() a report's script managed to run, in the admin page or the report opened from it.
    context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    adminPage = await context.newPage();
    adminPage.setDefaultTimeout(10_000);
    adminPage.on('pageerror', (e) => pageErrors.push(String(e)));
    await adminPage.goto(backend.endpoints.admin.pageUrl, { timeout: 15_000 });
  },
  { timeout: 120_000 },
);

after(
  async () => {
    await context?.close().catch(() => undefined);
    await backend?.stop();
    receiver?.closeAllConnections();
    receiver?.close();
  },
  { timeout: 30_000 },
);

const table = (id: string) => adminPage.locator(`#${id}`);
const rowWith = (id: string, text: string | RegExp) => table(id).locator('tr').filter({ hasText: text });

/** The webhook delivery of the call's alert (delivery runs beside the page's refresh, so either may come first). */
async function waitForHook(callId: string): Promise<(typeof hooks)[number] | undefined> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const hook = hooks.find((h) => h.body.alert.callId === callId);
    if (hook) return hook;
  }
  return undefined;
}

async function signInAs(token: string): Promise<void> {
  await adminPage.getByLabel('Admin token').fill(token);
  await adminPage.getByRole('button', { name: 'Sign in' }).click();
}

test('an agent’s password does not sign in to the admin page', async () => {
  const agent = backend.endpoints.agents[0]!;
  await signInAs(agent.password);
  await adminPage.locator('#sign-in-error').filter({ hasText: 'that is not the admin token in force' }).waitFor();
  assert.equal(await adminPage.locator('#console').isVisible(), false);
  const probe = await adminPage.evaluate(async () => (await fetch('/api/agents')).status);
  assert.equal(probe, 401, 'nothing behind it either');
});

test(
  'the admin sees a lossy call live and finished with its quality, its alert (also at the webhook) and a report, as text',
  { timeout: 120_000 },
  async () => {
    await signInAs(backend.endpoints.admin.token);
    await adminPage
      .locator('#actor')
      .filter({ hasText: /^admin#[0-9a-f]{8}$/ })
      .waitFor();
    assert.equal(await adminPage.getByLabel('Admin token').isVisible(), false);

    const agent = backend.endpoints.agents[0]!;
    const phonePage = context.pages()[0]!;
    const phone = new Softphone(phonePage);
    await phone.open(`${backend.endpoints.controlPlane.url}/?audioProcessing=off`);
    await phone.signIn(backend.endpoints.controlPlane.url, agent.username, agent.password);
    await phone.waitRegistered(20_000);

    let liveMos = NaN;
    const restore = await dropUdp(BROWSER_UDP, 'ad-admin-page-loss', 0.25);
    try {
      await phone.dial(backend.endpoints.numbers.echo);
      await phone.waitActive();
      // The client reports every 5 one-second samples: the call shows up live with its MOS.
      const live = rowWith('active-calls', agent.username);
      await live
        .locator('td')
        .nth(3)
        .filter({ hasText: /^\d\.\d\d$/ })
        .waitFor({ timeout: 30_000 });
      liveMos = Number(await live.locator('td').nth(3).textContent());
      assert.ok(liveMos >= 1 && liveMos < 3.5, `live MOS ${liveMos} under 25 % loss each way`);
      await phone.hangUp();
    } finally {
      await restore();
    }

    const [call] = (
      (await (
        await fetch(`${backend.endpoints.admin.apiUrl}/api/calls`, {
          headers: { authorization: `Bearer ${backend.endpoints.admin.token}` },
          signal: AbortSignal.timeout(5000),
        })
      ).json()) as { calls: CallRecord[] }
    ).calls;
    assert.ok(call, 'the call has a record');

    // Finished, with its quality: answered, a duration, an average MOS below the threshold.
    const recent = rowWith('recent-calls', 'answered');
    await recent
      .locator('td')
      .nth(5)
      .filter({ hasText: /^[1-3]\.\d\d$/ })
      .waitFor({ timeout: 20_000 });
    await recent
      .locator('td')
      .nth(4)
      .filter({ hasText: /^\d+ s$/ })
      .waitFor({ timeout: 10_000 }); // ended: Kamailio's BYE is in
    const [mosAverage, lossAverage] = [await recent.locator('td').nth(5).textContent(), await recent.locator('td').nth(7).textContent()];
    assert.ok(Number(lossAverage) > 1, 'average loss over the 1 % threshold');
    console.log(`# lossy echo call: live MOS ${liveMos}; finished: MOS ${mosAverage} average, loss ${lossAverage} % average`);
    await recent.getByRole('button', { name: 'Audit trail' }).click();
    await rowWith('call-trail', 'BYE').first().waitFor();
    const trail = await table('call-trail').locator('tr td:nth-child(2)').allTextContents();
    assert.equal(trail[0], 'INVITE', `the trail starts with the INVITE: ${trail.join(' ')}`);

    // The alert, on the page and at the webhook (the URL's path and query as configured).
    const alertRow = rowWith('alerts', call.callId);
    await alertRow.waitFor({ timeout: 10_000 });
    assert.match((await alertRow.textContent()) ?? '', new RegExp(`call${agent.username}.*loss`));
    const hook = await waitForHook(call.callId);
    assert.ok(hook, `the webhook got the alert: ${JSON.stringify(hooks)}`);
    assert.equal(hook.path, `/hooks/${SECRET}?key=${SECRET}`);
    assert.equal(hook.body.alert.kind, 'call');
    assert.equal(hook.body.alert.agent, agent.username);
    assert.ok(hook.body.alert.crossed?.some((c) => c.metric === 'loss'));
    assert.ok(!readFileSync(join(backend.scratch, 'backend.log'), 'utf8').includes(SECRET), 'the webhook secret is in no log');
    // Verified as backend/README.md tells a receiver to: HMAC-SHA256 with secrets.json's key over "<timestamp>.<raw body>".
    const { alertWebhookSecret } = JSON.parse(readFileSync(join(backend.scratch, 'state', 'secrets.json'), 'utf8')) as {
      alertWebhookSecret: string;
    };
    const timestamp = String(hook.headers['x-clearline-timestamp']);
    assert.ok(Math.abs(Date.now() / 1000 - Number(timestamp)) < 300, `a fresh timestamp: ${timestamp}`);
    const expected = `sha256=${createHmac('sha256', alertWebhookSecret).update(`${timestamp}.${hook.raw}`).digest('hex')}`;
    assert.equal(hook.headers['x-clearline-signature'], expected, 'the payload is signed with the stack key');

    // A network test report whose text is a script: shown as text, and opened, nothing runs.
    const sent = await fetch(`${backend.endpoints.controlPlane.url}/api/network-reports`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${agent.username}:${agent.password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(sampleNetworkReport({ agent: agent.username, summary: `Calls will work ${SCRIPT}` })),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(sent.status, 201);
    const report = rowWith('reports', 'Calls will work');
    await report.waitFor({ timeout: 10_000 });
    assert.ok(((await report.textContent()) ?? '').includes(SCRIPT), 'the summary is shown literally');
    assert.equal(await table('reports').locator('script, img').count(), 0, 'no element made from it');
    const [opened] = await Promise.all([context.waitForEvent('page'), report.getByRole('link', { name: 'Open' }).click()]);
    await opened.waitForLoadState();
    assert.ok(((await opened.textContent('body')) ?? '').includes('<script>window.__pwned=1</script>'));
    assert.equal(await opened.evaluate(() => (window as { __pwned?: number }).__pwned ?? null), null);
    await opened.close();
    assert.equal(await adminPage.evaluate(() => (window as { __pwned?: number }).__pwned ?? null), null);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await adminPage.screenshot({ path: join(SCREENSHOTS, 'admin-page.png'), fullPage: true });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(pageErrors, []);
  },
);

test('agents from the page: create, disable, enable, reset the password — through the admin API, audited as the signed-in token', async () => {
  const dave = { username: 'dave', password: 'dave-password-1' };
  await adminPage.getByLabel('Username').fill(dave.username);
  await adminPage.getByLabel('Password', { exact: true }).fill(dave.password);
  await adminPage.getByLabel('Display name').fill('Dave <b>D</b>');
  await adminPage.getByRole('button', { name: 'Create agent' }).click();
  const row = rowWith('agents', /^dave/);
  await row.filter({ hasText: 'enabled' }).waitFor();
  assert.equal(await row.locator('td').nth(1).textContent(), 'Dave <b>D</b>', 'a display name is text too');
  const signInAsDave = async (password: string) =>
    (
      await fetch(`${backend.endpoints.controlPlane.url}/api/client-config`, {
        headers: { authorization: `Basic ${Buffer.from(`dave:${password}`).toString('base64')}` },
        signal: AbortSignal.timeout(5000),
      })
    ).status;
  assert.equal(await signInAsDave(dave.password), 200);

  await row.getByRole('button', { name: 'Disable' }).click();
  await row.filter({ hasText: 'disabled' }).waitFor();
  assert.equal(await signInAsDave(dave.password), 403, 'a disabled agent is refused');
  await row.getByRole('button', { name: 'Enable' }).click();
  await row.filter({ hasText: 'enabled' }).waitFor();

  await row.getByLabel('new password for dave').fill('dave-new-password-2');
  await row.getByRole('button', { name: 'Reset password' }).click();
  await adminPage.locator('#status').filter({ hasText: 'dave: changed' }).waitFor();
  assert.equal(await signInAsDave(dave.password), 401, 'the old password is gone');
  assert.equal(await signInAsDave('dave-new-password-2'), 200);

  await rowWith('admin-audit', 'password reset').waitFor();
  const actions = await table('admin-audit').locator('tr').allTextContents();
  for (const action of ['agent created', 'agent disabled', 'agent enabled', 'password reset'])
    assert.ok(
      actions.some((a) => /admin#[0-9a-f]{8}/.test(a) && a.includes(action) && a.includes('dave')),
      `${action} audited: ${actions.join(' | ')}`,
    );
  assert.deepEqual(pageErrors, []);
});

test('signing out ends the session: the form is back, also after a reload, and the admin API refuses the page', async () => {
  await adminPage.getByRole('button', { name: 'Sign out' }).click();
  await adminPage.getByLabel('Admin token').waitFor();
  assert.equal(await adminPage.locator('#console').isVisible(), false);
  await adminPage.reload();
  await adminPage.getByLabel('Admin token').waitFor();
  assert.equal(await adminPage.evaluate(async () => (await fetch('/api/agents')).status), 401);
  assert.deepEqual(pageErrors, []);
});
