import type { Page } from 'playwright-core';
import type { Bench } from './index.js';
import { Agent } from '../support/agent.js';
import { startTestBackend } from '../support/backend-fixture.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';
import { CarrierApi } from '../support/carrier-api.js';
import { carrierApiUrl } from '../../backend/endpoints.js';

/**
 * Call setup through the whole product path next to a bare WebRTC baseline, both measured in the
 * same run on the same machine:
 * - sipMs: click "Call" on the echo number in the web softphone → first RTP packet from the far
 *   end (inbound-rtp packetsReceived > 0): SIP over WebSocket, Kamailio, rtpengine, carrier.
 * - ringMs: how long the echo number deliberately rang in that call (the carrier's own answeredAt −
 *   startedAt, ANSWER_DELAY_MS = 200 by design), and pathMs = sipMs − ringMs: our path.
 * - p2pMs: two pages, bare RTCPeerConnections, SDP handed over by the harness: createOffer →
 *   first packet received.
 * Both sides pre-warmed as a softphone that has been in use: one warm-up call each, and the
 * microphone held open in every page (the capture device is running, so a call's getUserMedia
 * does not start it; the first one costs ~450 ms). Medians of RUNS runs; goal: pathMs within
 * GOAL_RATIO × p2pMs.
 */
const PORT_BASE = TEST_PORT_BASES.echoCall;
const RUNS = 5;
const GOAL_RATIO = 1.25;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

// In-page code as text: no transpiler helpers in the page.
const CLICK_CALL_AND_WAIT_FIRST_PACKET = `(async () => {
  const pcs = window.__e2ePeerConnections;
  const known = pcs.length;
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Call');
  if (!button) throw new Error('no Call button');
  const t0 = performance.now();
  button.click();
  const deadline = t0 + 15000;
  while (performance.now() < deadline) {
    const pc = pcs[known];
    if (pc) {
      let packets = 0;
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets = s.packetsReceived; });
      if (packets > 0) return performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no packet from the far end within 15 s');
})()`;

const P2P_HELPERS = `
  window.__gathered = (pc) => pc.iceGatheringState === 'complete' ? Promise.resolve() :
    new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
  window.__closeAll = () => { (window.__benchPcs || []).forEach((pc) => pc.close()); window.__benchPcs = []; };
`;

/** Opens the microphone once and keeps it open in the page (what a softphone in use has). */
const HOLD_MICROPHONE = `(async () => {
  window.__heldMic = await navigator.mediaDevices.getUserMedia({ audio: true });
})()`;

/** One call's setup and the carrier's deliberate ringing in it (its own answeredAt − startedAt). */
async function sipSetupMs(agent: Agent, carrier: CarrierApi, echoNumber: string): Promise<{ ms: number; ringMs: number }> {
  const before = new Set((await carrier.calls()).map((c) => c.id));
  await agent.page.getByLabel('Number or colleague').fill(echoNumber);
  const ms = (await agent.page.evaluate(CLICK_CALL_AND_WAIT_FIRST_PACKET)) as number;
  const call = (await carrier.calls()).find((c) => !before.has(c.id) && c.number === echoNumber);
  if (!call?.answeredAt) throw new Error(`the carrier has no answered echo call for this run: ${JSON.stringify(call)}`);
  await agent.phone.hangUp();
  await agent.page.getByLabel('Number or colleague').waitFor({ timeout: 10_000 });
  return { ms, ringMs: Date.parse(call.answeredAt) - Date.parse(call.startedAt) };
}

async function p2pSetupMs(caller: Page, callee: Page): Promise<number> {
  const t0 = performance.now();
  const offer = (await caller.evaluate(`(async () => {
    const pc = new RTCPeerConnection();
    (window.__benchPcs ||= []).push(pc);
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    await pc.setLocalDescription(await pc.createOffer());
    await window.__gathered(pc);
    return pc.localDescription.sdp;
  })()`)) as string;
  const answer = (await callee.evaluate(`(async (sdp) => {
    const pc = new RTCPeerConnection();
    (window.__benchPcs ||= []).push(pc);
    window.__benchCallee = pc;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await window.__gathered(pc);
    return pc.localDescription.sdp;
  })(${JSON.stringify(offer)})`)) as string;
  await caller.evaluate(`(async (sdp) => {
    const pcs = window.__benchPcs; await pcs[pcs.length - 1].setRemoteDescription({ type: 'answer', sdp });
  })(${JSON.stringify(answer)})`);
  await callee.evaluate(`(async () => {
    const pc = window.__benchCallee; const deadline = performance.now() + 15000;
    while (performance.now() < deadline) {
      let packets = 0;
      (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets = s.packetsReceived; });
      if (packets > 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no packet within 15 s');
  })()`);
  const ms = performance.now() - t0;
  await Promise.all([caller.evaluate('window.__closeAll()'), callee.evaluate('window.__closeAll()')]);
  return ms;
}

const bench: Bench = {
  key: 'callSetup',
  async run() {
    const backend = await startTestBackend(PORT_BASE);
    let agent: Agent | null = null;
    try {
      agent = await Agent.launch({
        name: 'bench',
        scratch: backend.scratch,
        controlPlaneUrl: backend.endpoints.controlPlane.url,
        toneHz: 440,
        udpPorts: spareTestPorts('echoCall', 1500, 1699),
      });
      const account = backend.endpoints.agents[0]!;
      await agent.phone.signIn(backend.endpoints.controlPlane.url, account.username, account.password);
      await agent.phone.waitRegistered();
      const echo = backend.endpoints.numbers.echo;
      const carrier = new CarrierApi(carrierApiUrl(backend.endpoints));
      await agent.page.evaluate(HOLD_MICROPHONE);
      await sipSetupMs(agent, carrier, echo); // warm-up
      const sipRuns: number[] = [];
      const ringRuns: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const run = await sipSetupMs(agent, carrier, echo);
        sipRuns.push(run.ms);
        ringRuns.push(run.ringMs);
      }

      // Baseline pages on the same (secure, loopback) origin, without the app.
      const [caller, callee] = await Promise.all([agent.context.newPage(), agent.context.newPage()]);
      for (const page of [caller, callee]) {
        await page.goto(`${backend.endpoints.controlPlane.url}/bench-baseline-blank`);
        await page.evaluate(P2P_HELPERS);
        await page.evaluate(HOLD_MICROPHONE);
      }
      await p2pSetupMs(caller, callee); // warm-up
      const p2pRuns: number[] = [];
      for (let i = 0; i < RUNS; i++) p2pRuns.push(await p2pSetupMs(caller, callee));

      const sipMs = median(sipRuns);
      const pathRuns = sipRuns.map((ms, i) => ms - ringRuns[i]!);
      const pathMs = median(pathRuns);
      const p2pMs = median(p2pRuns);
      return {
        sipMs: round(sipMs),
        ringMs: round(median(ringRuns)),
        pathMs: round(pathMs),
        p2pMs: round(p2pMs),
        ratio: round(pathMs / p2pMs),
        goalRatio: GOAL_RATIO,
        withinGoal: pathMs / p2pMs <= GOAL_RATIO,
        runs: RUNS,
        sipRunsMs: sipRuns.map(round),
        pathRunsMs: pathRuns.map(round),
        p2pRunsMs: p2pRuns.map(round),
      };
    } finally {
      await agent?.close();
      await backend.stop();
    }
  },
};

export default bench;
