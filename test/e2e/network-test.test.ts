/**
 * The web softphone's network test in real Chromium against the real backend (Kamailio,
 * rtpengine, coturn, control plane, the carrier's echo number): before sign-in it runs every
 * account-free check against the provisioning URL; signed in, the whole test (microphone with a
 * known tone, speaker, ICE per TURN transport, a real call to the echo number) passes within its
 * 10 s budget, its JSON export validates against the report schema, and the report sent to the
 * helpdesk is listed by the control plane for the admin.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../backend/stack.js';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { launchAgentBrowser } from '../support/chromium.js';
import { toneWav } from '../support/tones.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';
import type { NetworkReport } from '../../common/network-report.js';
import { networkTestPanel, runNetworkTestAndExport } from '../support/network-test-ui.js';
import { reportJsonHref } from '../../renderer/network-test/report-export.js';
import type { NetworkReportSummary } from '../../backend/control-plane/network-reports.js';

const SCREENSHOTS = join(REPO_ROOT, 'dist', 'screenshots');

let backend: TestBackend;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

before(
  async () => {
    backend = await startTestBackend(TEST_PORT_BASES.networkTest); // also builds dist/renderer
    context = await launchAgentBrowser({
      userDataDir: join(backend.scratch, 'profile-network-test'),
      microphoneWav: toneWav(join(backend.scratch, 'tones'), 440),
      udpPorts: spareTestPorts('networkTest', 600, 699),
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${backend.endpoints.controlPlane.url}/?audioProcessing=off`, { timeout: 15_000 });
  },
  { timeout: 120_000 },
);

after(
  async () => {
    await context?.close().catch(() => undefined);
    await backend?.stop();
  },
  { timeout: 30_000 },
);

const panel = () => networkTestPanel(page);
const runAndExport = () => runNetworkTestAndExport(page);

const verdicts = (r: NetworkReport) => Object.fromEntries(r.steps.map((s) => [s.id, s.verdict]));

test('before sign-in: every account-free check runs against the provisioning URL, and the desktop-only ones are named', async () => {
  await panel().waitFor({ timeout: 10_000 });
  assert.match((await panel().textContent()) ?? '', /Needs the desktop app: VPN split tunnel/);
  const report = await runAndExport();
  assert.equal(report.phase, 'before-sign-in');
  assert.equal(report.agent, null);
  assert.equal(new URL(report.provisioningUrl).origin, new URL(backend.endpoints.controlPlane.url).origin);
  assert.deepEqual(verdicts(report), { 'control-plane': 'pass', microphone: 'pass', speaker: 'pass', 'ice-local': 'pass' });
  const mic = report.steps.find((s) => s.id === 'microphone')!;
  assert.ok((mic.values['levels'] as number[]).length >= 5, 'the level meter’s samples are in the report');
  assert.ok((mic.values['peakDbfs'] as number) > -40, `the 440 Hz tone is heard (peak ${mic.values['peakDbfs']} dBFS)`);
  assert.ok(report.unavailable.some((u) => u.id === 'vpn'));
  assert.deepEqual(pageErrors, []);
});

test('signed in: the full test passes (its time honest; the 10 s budget is bench networkTest), with the echo call’s phases and quality; the report reaches the admin', async () => {
  const agent = backend.endpoints.agents[0]!;
  await page.getByLabel('Username').fill(agent.username);
  await page.getByLabel('Password').fill(agent.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('status', { name: 'Registration' }).filter({ hasText: 'Registered' }).waitFor({ timeout: 20_000 });

  const report = await runAndExport();
  assert.equal(report.phase, 'signed-in');
  assert.equal(report.agent, agent.username);
  assert.notEqual(report.verdict, 'fail', report.summary);
  const slowest = Math.max(...report.steps.map((s) => s.durationMs));
  assert.ok(report.totalMs >= slowest, `total ${report.totalMs} ms covers its slowest step (${slowest} ms)`);
  const v = verdicts(report);
  for (const id of ['control-plane', 'microphone', 'speaker', 'ice-local', 'test-call'])
    assert.equal(v[id], 'pass', `${id}: ${JSON.stringify(report.steps.find((s) => s.id === id))}`);
  assert.equal(v['ice-turn-udp'], 'pass', 'coturn gives a UDP relay address');
  for (const id of ['ice-turn-tcp', 'ice-turn-tls']) assert.ok(id in v, `${id} has a verdict`);

  const call = report.steps.find((s) => s.id === 'test-call')!.values;
  for (const phase of ['websocketMs', 'registerMs', 'inviteToAnswerMs', 'iceMs', 'dtlsMs']) {
    assert.equal(typeof call[phase], 'number', `${phase} measured: ${JSON.stringify(call)}`);
  }
  assert.ok((call['packetsReceived'] as number) > 50, 'the echo came back');
  assert.equal(call['turnNeeded'], false, 'on loopback media goes directly');
  assert.equal(typeof call['mos'], 'number');
  assert.ok((call['mos'] as number) >= 4, `MOS ${call['mos']}`);
  assert.equal(typeof call['jitterMs'], 'number');

  // The HTML export renders on its own, under its own strict policy: screenshot it.
  const htmlHref = (await panel().getByRole('link', { name: 'Export HTML' }).getAttribute('href'))!;
  const html = decodeURIComponent(htmlHref.replace(/^data:text\/html;charset=utf-8,/, ''));
  const exported = await context.newPage();
  const exportErrors: string[] = [];
  exported.on('pageerror', (e) => exportErrors.push(String(e)));
  exported.on('request', (r) => exportErrors.push(`fetched ${r.url()}`));
  await exported.setContent(html);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const shot = await exported.screenshot({ path: join(SCREENSHOTS, 'network-test-report.png'), fullPage: true });
  const heading = await exported.getByRole('heading', { level: 1 }).textContent();
  assert.match(heading ?? '', /^Network test: (Pass|Warning) — /);
  for (const step of report.steps) assert.ok((await exported.textContent('body'))!.includes(step.title));
  assert.equal(await exported.locator('svg[aria-label="Time per check"] rect').count(), report.steps.length);
  assert.ok(shot.length > 20_000, `the screenshot has content (${shot.length} bytes)`);
  assert.deepEqual(exportErrors, []);
  await exported.close();

  await panel().getByRole('button', { name: 'Send to helpdesk' }).click();
  const sent = await panel().getByRole('status').filter({ hasText: 'sent to the helpdesk' }).textContent({ timeout: 10_000 });
  const id = /Report ([0-9a-f-]{36}) sent/.exec(sent ?? '')?.[1];
  assert.ok(id, sent ?? '');
  const res = await fetch(`${backend.endpoints.admin.apiUrl}/api/admin/network-reports?agent=${agent.username}`, {
    headers: { authorization: `Bearer ${backend.endpoints.admin.token}` },
    signal: AbortSignal.timeout(5000),
  });
  const { reports } = (await res.json()) as { reports: NetworkReportSummary[] };
  assert.deepEqual(
    reports.map((r) => [r.id, r.agent, r.phase, r.verdict]),
    [[id, agent.username, 'signed-in', report.verdict]],
  );
  const page2 = await fetch(`${backend.endpoints.admin.apiUrl}/api/admin/network-reports/${id}?format=html`, {
    headers: { authorization: `Bearer ${backend.endpoints.admin.token}` },
    signal: AbortSignal.timeout(5000),
  });
  assert.match(page2.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
  assert.equal(await page2.text(), html, 'the admin opens the same page the agent exported');
  assert.deepEqual(pageErrors, []);
});

test('the last result is shown again after a reload (kept per agent in the browser), and a saved JSON report opens; a malformed or newer file says why', async () => {
  const agent = backend.endpoints.agents[0]!;
  const last = await runAndExport();
  await page.reload();
  await page.getByRole('status', { name: 'Registration' }).filter({ hasText: 'Registered' }).waitFor({ timeout: 20_000 });
  await panel()
    .getByText(/^Last test: /)
    .waitFor({ timeout: 10_000 });
  const kept = (await panel().getByRole('link', { name: 'Export JSON' }).getAttribute('href'))!;
  assert.equal(kept, reportJsonHref(last), 'the same report, shown again');
  assert.match((await panel().textContent()) ?? '', new RegExp(`\\(${agent.username}\\)`));

  const open = (name: string, text: string) =>
    panel()
      .locator('input[type="file"]')
      .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  await open('broken.json', '{"kind": "clearline.network-report", "version": ');
  assert.match(
    (await panel().getByRole('alert').textContent({ timeout: 5000 })) ?? '',
    /^This file is not a network test report: it is not JSON/,
  );
  await open('newer.json', JSON.stringify({ ...last, version: 2 }));
  // The file is read asynchronously: until it is, the alert still names the broken file.
  const newer = 'This file cannot be opened: report version 2 is not one this app reads (it reads version 1).';
  await panel().getByRole('alert').filter({ hasText: newer }).waitFor({ timeout: 5000 });
  assert.equal(await panel().getByRole('alert').textContent(), newer);
  const saved = { ...last, runId: 'opened-from-disk', summary: 'a report a colleague saved' };
  await open('saved.json', JSON.stringify(saved));
  await panel()
    .getByText(/^Opened from a file: /)
    .waitFor({ timeout: 5000 });
  const results = panel().getByRole('list', { name: 'Network test results' });
  assert.deepEqual(
    await results.locator('.step-title').allTextContents(),
    saved.steps.map((s) => s.title),
  );
  assert.match((await panel().getByRole('status').first().textContent()) ?? '', /a report a colleague saved/);
  assert.deepEqual(pageErrors, []);
});
