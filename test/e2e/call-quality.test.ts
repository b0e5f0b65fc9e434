import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { approxHz, measureHeardAudio } from '../support/audio-probe.js';
import { isLive } from '../support/carrier-api.js';
import { injectMediaFault } from '../support/media-path-fault.js';
import { TEST_PORT_BASES } from '../support/port-registry.js';
import { browserUdpPorts, CallRecoveryRig } from './support/call-recovery.js';
import { portsFor } from '../../backend/ports.js';
import type { CallQualityReport } from '../../common/quality/call-quality-report.js';

/**
 * Live call quality in Chromium against the real stack: random loss injected on the agent's media
 * path (iptables `statistic`, in the chain cq-media of this file only) raises the loss warning and
 * drops MOS, and the warning clears once the loss is gone; media cut towards the agent is named as
 * one-way audio ("you cannot hear the other side"), and a sender that stops sending as the reverse
 * ("the other side cannot hear you"). Every time, the summaries the softphone uploaded while the
 * call ran (and the final one) are read back from the control plane through the admin API with
 * the degraded values.
 */
const BLOCK = 'callQuality';
const CHAIN = 'cq-media';
const BROWSER_UDP = browserUdpPorts(BLOCK);
const PORTS = portsFor(TEST_PORT_BASES[BLOCK]);
/** 20 % loss: far past the 1 % loss threshold; MOS about 2.6 (common/quality/mos.ts, PCMU or Opus), below the 3.5 threshold. */
const LOSS = 0.2;

let rig: CallRecoveryRig;
let removeFault: (() => Promise<void>) | null = null;

before(
  async () => {
    rig = await CallRecoveryRig.start(BLOCK);
    await rig.signIn();
  },
  { timeout: 90_000 },
);

afterEach(async () => {
  await removeFault?.();
  removeFault = null;
  await rig.agent.phone.endAllCalls();
});

after(async () => rig?.stop(), { timeout: 30_000 });

type Stored = CallQualityReport & { agent: string; updatedAt: number };

/** The control plane's stored summaries, read as the admin. */
async function storedSummaries(query: string): Promise<Stored[]> {
  const { admin } = rig.backend.endpoints;
  const res = await fetch(`${admin.apiUrl}/api/admin/call-quality?${query}`, {
    headers: { authorization: `Bearer ${admin.token}` },
    signal: AbortSignal.timeout(5000),
  });
  assert.equal(res.status, 200, `GET /api/admin/call-quality?${query}`);
  return ((await res.json()) as { reports: Stored[] }).reports;
}

/** Polls the admin API until a summary satisfies `ok`; fails naming what was stored. */
async function waitForSummary(query: string, what: string, ok: (r: Stored) => boolean, timeoutMs = 20_000): Promise<Stored> {
  const deadline = Date.now() + timeoutMs;
  let seen: Stored[] = [];
  while (Date.now() < deadline) {
    seen = await storedSummaries(query);
    const found = seen.find(ok);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no stored summary ${what} within ${timeoutMs} ms; stored: ${JSON.stringify(seen)}`);
}

const indicator = (page: Page) => page.getByRole('status', { name: 'Quality indicator' });
const warnings = (page: Page) => page.getByRole('list', { name: 'Quality warnings' });
const oneWay = (page: Page) => page.getByRole('alert', { name: 'One-way audio' });

/** The indicator's MOS ("MOS 4.4 Excellent"), once measured. */
async function shownMos(page: Page): Promise<number> {
  const text = await indicator(page)
    .getByText(/^MOS \d/)
    .innerText({ timeout: 15_000 });
  return Number(/MOS (\d\.\d)/.exec(text)![1]);
}

/** Waits until the indicator's MOS satisfies `ok`; returns it. */
async function waitMos(page: Page, what: string, ok: (mos: number) => boolean, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let mos = await shownMos(page);
  while (!ok(mos)) {
    if (Date.now() > deadline) throw new Error(`the indicator's MOS never became ${what}; it shows ${mos}`);
    await page.waitForTimeout(250);
    mos = await shownMos(page);
  }
  return mos;
}

test(
  `random ${LOSS * 100} % loss towards the agent: "Packet loss" warning, MOS drops, uploaded live; loss removed: the warning clears`,
  { timeout: 120_000 },
  async () => {
    const { agent } = rig;
    const page = agent.page;
    await rig.echoCall();
    const clean = await waitMos(page, 'measured on a clean path (≥ 4)', (m) => m >= 4);
    assert.equal(await warnings(page).count(), 0, 'no warning on a clean loopback path');
    console.log(`# clean path: MOS ${clean}`);

    removeFault = await injectMediaFault(CHAIN, [{ dport: BROWSER_UDP, probability: LOSS }]);
    await warnings(page)
      .getByText(/^Packet loss: .* lost \(limit 1 %\)/)
      .waitFor({ timeout: 20_000 });
    const lossy = await waitMos(page, 'below the 3.5 threshold', (m) => m < 3.5);
    console.log(`# ${LOSS * 100} % random loss: MOS ${lossy}; warnings: ${await warnings(page).innerText()}`);
    assert.ok(lossy < clean);

    const live = await waitForSummary(
      'active=true',
      'of the live call with the loss warning',
      (r) => r.agent === 'alice' && r.warnings.includes('loss'),
    );
    console.log(`# live summary at the control plane: ${JSON.stringify(live)}`);
    assert.equal(live.final, false);
    assert.ok(live.lossPercentMax! >= 5, `interval loss recorded (${live.lossPercentMax} %)`);
    assert.ok(live.mosMin! < 3.5, `the MOS drop recorded (${live.mosMin})`);

    await removeFault();
    removeFault = null;
    await warnings(page)
      .getByText(/^Packet loss/)
      .waitFor({ state: 'detached', timeout: 20_000 });
    const recovered = await waitMos(page, 'back to ≥ 4 without loss', (m) => m >= 4);
    console.log(`# loss removed: warning cleared, MOS ${recovered}`);

    await agent.phone.hangUp();
    const final = await waitForSummary(`callId=${encodeURIComponent(live.callId)}`, 'final of the call', (r) => r.final);
    console.log(`# final summary: ${JSON.stringify(final)}`);
    assert.deepEqual(final.warnings, [], 'the warning had cleared when the call ended');
    assert.ok(final.lossPercentMax! >= 5 && final.mosMin! < 3.5, 'the call’s worst figures stay in its summary');
    assert.ok(final.samples > live.samples);
    assert.deepEqual(await storedSummaries('active=true'), [], 'an ended call is no longer active');
  },
);

test(
  'inbound media cut (RTP towards the agent dropped past the relay): one-way audio named, uploaded as no-inbound',
  { timeout: 120_000 },
  async () => {
    const { agent } = rig;
    const page = agent.page;
    await rig.echoCall();
    await shownMos(page);
    // Everything rtpengine sends towards the agent (directly or via a TURN relay), not to the carrier;
    // STUN and DTLS pass, so ICE stays up and only the audio is gone.
    removeFault = await injectMediaFault(CHAIN, [
      {
        sport: [PORTS.rtpengineMediaMin, PORTS.rtpengineMediaMax],
        notDport: [PORTS.carrierMediaMin, PORTS.carrierMediaMax],
        rtpOnly: true,
      },
    ]);
    await oneWay(page).getByText('One-way audio: you cannot hear the other side').waitFor({ timeout: 20_000 });
    console.log(`# inbound cut: ${await oneWay(page).innerText()}`);
    const live = await waitForSummary(
      'active=true',
      'naming the call one-way (no inbound)',
      (r) => r.agent === 'alice' && r.oneWay === 'no-inbound',
    );
    assert.equal(live.final, false);

    await removeFault();
    removeFault = null;
    await oneWay(page).waitFor({ state: 'detached', timeout: 20_000 });
    const heard = await measureHeardAudio(page, 1200);
    assert.ok(approxHz(heard.dominantHz, 440), `the echo is heard again: ${JSON.stringify(heard)}`);
  },
);

test(
  'outbound cut (the sender stops sending, audio still arriving): one-way audio named the other way, uploaded as no-outbound',
  { timeout: 120_000 },
  async () => {
    const { agent, backend, carrier } = rig;
    const page = agent.page;
    // The tone number keeps sending whatever it hears, so audio still arrives while ours stops.
    const tone = backend.endpoints.numbers.tone;
    await agent.phone.dial(tone);
    await agent.phone.waitActive();
    const far = (await carrier.calls()).find((c) => c.number === tone && isLive(c));
    assert.ok(far, 'the carrier has the call');
    await shownMos(page);
    // The audio sender stops (as after a device switch that did not complete): nothing leaves.
    await page.evaluate(`(() => {
    const pcs = window.__e2ePeerConnections.filter((pc) => pc.connectionState !== 'closed');
    const sender = pcs[pcs.length - 1].getSenders().find((s) => s.track && s.track.kind === 'audio');
    const params = sender.getParameters();
    params.encodings.forEach((e) => { e.active = false; });
    return sender.setParameters(params);
  })()`);
    const before = (await carrier.call(far.id)).received.packets;
    await oneWay(page).getByText('One-way audio: the other side cannot hear you').waitFor({ timeout: 20_000 });
    const afterCut = (await carrier.call(far.id)).received.packets;
    console.log(`# outbound cut: carrier received ${before} → ${afterCut} packets; ${await oneWay(page).innerText()}`);
    assert.ok(afterCut - before < 10, `the carrier stopped receiving our audio (${before} → ${afterCut})`);
    const live = await waitForSummary(
      'active=true',
      'naming the call one-way (no outbound)',
      (r) => r.agent === 'alice' && r.oneWay === 'no-outbound',
    );
    assert.equal(live.final, false);
    await agent.phone.hangUp();
    const final = await waitForSummary(`callId=${encodeURIComponent(live.callId)}`, 'final of the call', (r) => r.final);
    assert.equal(final.oneWay, 'no-outbound', 'the call ended one-way, and its final summary says so');
  },
);
