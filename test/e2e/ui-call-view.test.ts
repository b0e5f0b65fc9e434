import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { launchAgentBrowser } from '../support/chromium.js';
import { toneWav } from '../support/tones.js';
import { axeViolations } from './axe.js';
import { REPO_ROOT } from '../../backend/stack.js';
import { carrierApiUrl } from '../../backend/endpoints.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';

/**
 * The call views of the web softphone against the real backend (Kamailio, rtpengine, coturn,
 * control plane, simulated carrier): what the agent sees and can do during a call — live meters
 * refreshed at least every 500 ms, a running timer, quality figures, DTMF from the keyboard,
 * hold/resume, history after hang-up, an incoming call answered with the keyboard. Screenshots of
 * each view go to dist/screenshots/. (Audio correctness itself is measured in calls.test.ts.)
 */

const SCREENSHOTS = join(REPO_ROOT, 'dist', 'screenshots');
const PORT_BASE = TEST_PORT_BASES.e2eUi;
const UDP_PORTS = spareTestPorts('e2eUi', 600, 699);

let backend: TestBackend;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

before(
  async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    backend = await startTestBackend(PORT_BASE); // also builds dist/renderer from the current sources
    context = await launchAgentBrowser({
      userDataDir: join(backend.scratch, 'profile-ui'),
      microphoneWav: toneWav(join(backend.scratch, 'tones'), 440),
      udpPorts: UDP_PORTS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // CSP violations under the control plane's real header policy (none are expected).
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    // Counts the calling core's getStats calls: each call's one stats sampler makes them (stats-sampler.ts).
    await page.addInitScript(() => {
      const w = window as unknown as { __getStatsCalls: number };
      w.__getStatsCalls = 0;
      const original = RTCPeerConnection.prototype.getStats;
      RTCPeerConnection.prototype.getStats = function (this: RTCPeerConnection, ...args: unknown[]) {
        w.__getStatsCalls += 1;
        return (original as (...a: unknown[]) => Promise<RTCStatsReport>).apply(this, args);
      } as typeof original;
    });
    await page.setViewportSize({ width: 1180, height: 860 });
    await page.goto(`${backend.endpoints.controlPlane.url}/?audioProcessing=off`, { timeout: 15_000 });
    const agent = backend.endpoints.agents[0]!;
    await page.getByLabel('Username').fill(agent.username, { timeout: 10_000 });
    await page.getByLabel('Password').fill(agent.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('status', { name: 'Registration' }).filter({ hasText: 'Registered' }).waitFor({ timeout: 20_000 });
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

const callStatus = () => page.getByRole('status', { name: 'Call status' });
const activeCall = () => page.getByRole('region', { name: 'Active call' });
const meterValue = (name: string) =>
  page.getByRole('meter', { name }).evaluate((m) => (m as HTMLMeterElement).value, undefined, { timeout: 2_000 });

test(
  'echo call: live meters refresh ≤ 500 ms, timer runs, quality shown, DTMF by keyboard, hold/resume, history',
  { timeout: 60_000 },
  async () => {
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Echo test', exact: true }).click({ timeout: 5_000 });
    await activeCall().waitFor({ timeout: 15_000 });
    console.log(`# echo test: click → Active call ${Date.now() - t0} ms`);

    // The call's sampler reads every 200 ms while it is up, the meters take every 2nd reading: ≥ 5 getStats calls in 3 s.
    const statsCalls = () => page.evaluate(() => (window as unknown as { __getStatsCalls: number }).__getStatsCalls);
    const before = await statsCalls();
    await page.waitForTimeout(3_000);
    const polled = (await statsCalls()) - before;
    console.log(`# getStats calls in 3 s: ${polled}`);
    assert.ok(polled >= 5, `stats should be read at least every 500 ms (saw ${polled} reads in 3 s)`);

    // The meters follow the audio: the tone shows on both; muting drops the outgoing level.
    const levels = async () => ({ incoming: await meterValue('Incoming audio level'), outgoing: await meterValue('Outgoing audio level') });
    const waitLevel = async (what: string, ok: (l: { incoming: number; outgoing: number }) => boolean) => {
      const t0 = Date.now();
      let last = await levels();
      while (!ok(last)) {
        if (Date.now() - t0 > 5_000) assert.fail(`${what} within 5 s; meters show ${JSON.stringify(last)}`);
        await page.waitForTimeout(50);
        last = await levels();
      }
      return { ms: Date.now() - t0, last };
    };
    const tone = await waitLevel('the tone shows on both meters', (l) => l.incoming > 0.05 && l.outgoing > 0.05);
    await activeCall().getByRole('button', { name: 'Mute', exact: true }).click();
    const muted = await waitLevel('the outgoing meter drops after Mute', (l) => l.outgoing < 0.01);
    await activeCall().getByRole('button', { name: 'Unmute', exact: true }).click();
    const unmuted = await waitLevel('the outgoing meter comes back after Unmute', (l) => l.outgoing > 0.05);
    console.log(
      `# meters: tone ${JSON.stringify(tone.last)}; mute → out < 0.01 in ${muted.ms} ms; unmute → out > 0.05 in ${unmuted.ms} ms`,
    );
    assert.ok(muted.ms <= 1_500 && unmuted.ms <= 1_500, 'meters react within 1.5 s');

    // Switching the microphone mid-call: saved, applied by the phone, call and audio kept.
    const microphone = page.getByRole('region', { name: 'Settings' }).getByRole('combobox', { name: 'Microphone', exact: true });
    const options = await microphone.locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    const other = options.find((id) => id !== 'default');
    assert.ok(other, `Chromium lists a fake microphone besides the default: ${JSON.stringify(options)}`);
    await microphone.selectOption(other);
    await page.waitForTimeout(1_200); // ≥ 2 stats polls, so the level below is measured after the switch
    assert.equal(await page.getByRole('alert').filter({ hasText: /./ }).count(), 0, 'no error notice after switching');
    const switched = await waitLevel('the tone still goes out after switching microphone', (l) => l.outgoing > 0.05);
    assert.equal(await activeCall().count(), 1, 'the call survived the switch');
    console.log(`# microphone switched mid-call to ${other.slice(0, 12)}…; outgoing level ${switched.last.outgoing.toFixed(3)}`);

    const timer = activeCall().getByRole('timer', { name: 'Call duration' });
    const first = await timer.innerText();
    await page.waitForTimeout(2_100);
    const second = await timer.innerText();
    const seconds = (t: string) => t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
    assert.match(second, /^\d+:\d\d$/);
    assert.ok(seconds(second) - seconds(first) >= 2, `timer runs: ${first} → ${second}`);

    const quality = page.getByRole('region', { name: 'Call quality' });
    const terms = await quality.locator('dt').allInnerTexts();
    const facts = Object.fromEntries((await quality.locator('dd').allInnerTexts()).map((value, i) => [terms[i], value]));
    console.log(`# call quality: ${JSON.stringify(facts)}`);
    assert.match(facts.Codec ?? '', /^(PCMU|PCMA|opus|G722)\//i, 'codec shown');
    assert.match(facts.MOS ?? '', /^\d\.\d \((Excellent|Good|Fair|Poor|Bad)\)$/, 'MOS shown with its band');
    assert.match(facts['Packet loss'] ?? '', /^\d+(\.\d)? %$/, 'loss of the last second shown');
    assert.match(await page.getByRole('status', { name: 'Quality indicator' }).innerText(), /^MOS \d\.\d (Excellent|Good)/);
    assert.deepEqual(await axeViolations(page), [], 'axe-core (WCAG 2.1 A/AA) finds nothing in the active call view');
    await page.screenshot({ path: join(SCREENSHOTS, 'call-active.png') });

    await activeCall().getByRole('button', { name: 'Keypad', exact: true }).click();
    await page.keyboard.type('1#');
    await activeCall().getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '5', exact: true }).click();
    assert.equal(await page.getByRole('status', { name: 'Digits sent' }).innerText(), '1#5');
    // The far end (the carrier's echo line) received them as DTMF.
    const deadline = Date.now() + 5_000;
    let heard = '';
    while (!heard.includes('1#5') && Date.now() < deadline) {
      const res = await fetch(`${carrierApiUrl(backend.endpoints)}/calls`, { signal: AbortSignal.timeout(3_000) });
      const body = (await res.json()) as
        Array<{ number: string; dtmf: string; state: string }> | { calls: Array<{ number: string; dtmf: string; state: string }> };
      const calls = Array.isArray(body) ? body : body.calls;
      heard = calls
        .filter((c) => c.number === backend.endpoints.numbers.echo)
        .map((c) => c.dtmf)
        .join(',');
      if (!heard.includes('1#5')) await page.waitForTimeout(200);
    }
    assert.match(heard, /1#5/, `the carrier received the typed and clicked digits as DTMF (got “${heard}”)`);
    await activeCall().getByRole('button', { name: 'Hold', exact: true }).click();
    await callStatus().filter({ hasText: 'On hold' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await axeViolations(page), [], 'nor with the keypad open on hold');
    await page.screenshot({ path: join(SCREENSHOTS, 'call-on-hold-keypad.png') });
    await activeCall().getByRole('button', { name: 'Resume', exact: true }).click();
    await callStatus().filter({ hasText: 'Connected' }).waitFor({ timeout: 10_000 });

    await activeCall().getByRole('button', { name: 'Hang up', exact: true }).click();
    await callStatus().filter({ hasText: 'Call ended' }).waitFor({ timeout: 10_000 });
    await activeCall().waitFor({ state: 'detached', timeout: 5_000 });
    const history = page.getByRole('list', { name: 'Call history' });
    const newest = await history.getByRole('listitem').first().innerText();
    assert.match(newest, new RegExp(backend.endpoints.numbers.echo));
    assert.match(newest, /\d+:\d\d$/m, `the answered call shows its duration: ${newest}`);
    // Kept by the host across reloads of the page.
    await page.reload();
    await page.getByRole('status', { name: 'Registration' }).filter({ hasText: 'Registered' }).waitFor({ timeout: 20_000 });
    assert.match(await history.getByRole('listitem').first().innerText(), new RegExp(backend.endpoints.numbers.echo));
  },
);

test('incoming call from the carrier: Answer has focus, Enter answers, Hang up ends it', { timeout: 40_000 }, async () => {
  // Independent of how the previous test ended: no call may still be up.
  if (await activeCall().count()) await activeCall().getByRole('button', { name: 'Hang up', exact: true }).click();
  await activeCall().waitFor({ state: 'detached', timeout: 10_000 });
  const agent = backend.endpoints.agents[0]!;
  const res = await fetch(`${carrierApiUrl(backend.endpoints)}/calls`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: agent.username, mode: 'tone' }),
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(res.ok, true, `carrier placed the call: ${res.status} ${await res.text()}`);
  const incoming = page.getByRole('region', { name: 'Incoming call' });
  await incoming.waitFor({ timeout: 15_000 });
  assert.deepEqual(await axeViolations(page), [], 'nor while a call rings in');
  await page.screenshot({ path: join(SCREENSHOTS, 'call-incoming.png') });
  assert.equal(await incoming.getByRole('button', { name: 'Answer', exact: true }).evaluate((b) => b === document.activeElement), true);
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  await activeCall().waitFor({ timeout: 15_000 });
  console.log(`# incoming: Enter → Active call ${Date.now() - t0} ms`);
  await incoming.waitFor({ state: 'detached', timeout: 5_000 });
  await activeCall().getByRole('button', { name: 'Hang up', exact: true }).click();
  await callStatus().filter({ hasText: 'Call ended' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(pageErrors, []);
});

test('Enter in the dial field calls; a busy number reads "Busy" and is filed as Busy', { timeout: 30_000 }, async () => {
  const field = page.getByRole('textbox', { name: 'Number or colleague', exact: true });
  await field.fill(backend.endpoints.numbers.busy, { timeout: 10_000 });
  await field.press('Enter');
  await callStatus().filter({ hasText: 'Busy' }).waitFor({ timeout: 15_000 });
  const newest = page.getByRole('list', { name: 'Call history' }).getByRole('listitem').first();
  await newest.filter({ hasText: backend.endpoints.numbers.busy }).waitFor({ timeout: 5_000 });
  assert.match(await newest.innerText(), /Busy/);
  await page.screenshot({ path: join(SCREENSHOTS, 'call-busy.png') });
});

test(
  'the browser going offline and online again makes the phone re-register (web host → system.transition)',
  { timeout: 40_000 },
  async () => {
    const registration = page.getByRole('status', { name: 'Registration' });
    await registration.filter({ hasText: 'Registered' }).waitFor({ timeout: 10_000 });
    // Every text the Registration region shows from now on (re-registering on loopback is too
    // quick for polling to be sure to see the intermediate state).
    await page.evaluate(() => {
      const region = document.querySelector('[role="status"][aria-label="Registration"]')!;
      const texts: string[] = [];
      (window as unknown as { __registrationTexts: string[] }).__registrationTexts = texts;
      new MutationObserver(() => texts.push(region.textContent ?? '')).observe(region, {
        subtree: true,
        characterData: true,
        childList: true,
      });
    });
    await context.setOffline(true);
    await page.waitForTimeout(500);
    const whileOffline = await page.evaluate(() => (window as unknown as { __registrationTexts: string[] }).__registrationTexts.splice(0));
    const t0 = Date.now();
    await context.setOffline(false); // fires window 'online' → network-changed → handleSystemTransition
    const texts = () => page.evaluate(() => (window as unknown as { __registrationTexts: string[] }).__registrationTexts);
    let seen = await texts();
    while (!(seen.some((t) => !t.includes('Registered')) && seen.at(-1)?.includes('Registered'))) {
      assert.ok(Date.now() - t0 < 20_000, `no re-registration after 'online'; Registration showed: ${JSON.stringify(seen)}`);
      await page.waitForTimeout(50);
      seen = await texts();
    }
    console.log(`# while offline: ${JSON.stringify(whileOffline)}; after 'online': ${seen.join(' → ')} within ${Date.now() - t0} ms`);
    assert.deepEqual(pageErrors, []);
    // Since the reload in the first test: calls, busy, re-registration under the control plane's CSP header.
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
    assert.deepEqual(violations, [], "no CSP violations under the control plane's header policy");
  },
);
