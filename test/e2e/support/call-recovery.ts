import assert from 'node:assert/strict';
import { Agent } from '../../support/agent.js';
import { approxHz, inboundPacketsReceived } from '../../support/audio-probe.js';
import { startTestBackend, type TestBackend } from '../../support/backend-fixture.js';
import type { StackOptions } from '../../../backend/stack-options.js';
import { CarrierApi, isLive, type CarrierCall } from '../../support/carrier-api.js';
import { TEST_PORT_BASES, spareTestPorts, type TestPortBlock } from '../../support/port-registry.js';
import { blockUdp } from '../../support/udp-block.js';
import { carrierApiUrl } from '../../../backend/endpoints.js';

/**
 * One agent in Chromium on the real stack, with a tap on its SIP WebSocket (cut/restore) and its
 * WebRTC UDP confined to a known port range (so `blockUdp` can cut exactly its media): what
 * e2e/recovery asserts on and bench/recovery measures with (wsCutReregisterMs, udpBlockAudioMs,
 * kamailioRestartReregisterMs); e2e/call-quality starts it on a block of its own to impair the
 * agent's media.
 */
export const AGENT_HZ = 440;
/** The browser's WebRTC UDP ports in a block: every UDP socket of its calls, host and TURN/UDP alike. */
export const browserUdpPorts = (block: TestPortBlock) => spareTestPorts(block, 1500, 1599);
export const BROWSER_UDP = browserUdpPorts('recovery');

/** The operator's settings a rig's stack may start with (e.g. a short media timeout). */
type StackSettings = Omit<StackOptions, 'stateDir' | 'portBase' | 'log'>;

export class CallRecoveryRig {
  private constructor(
    readonly backend: TestBackend,
    readonly carrier: CarrierApi,
    readonly agent: Agent,
  ) {}

  static async start(block: TestPortBlock = 'recovery', stack: StackSettings = {}): Promise<CallRecoveryRig> {
    const backend = await startTestBackend(TEST_PORT_BASES[block], { stack });
    try {
      const agent = await Agent.launch({
        name: 'a',
        scratch: backend.scratch,
        controlPlaneUrl: backend.endpoints.controlPlane.url,
        toneHz: AGENT_HZ,
        udpPorts: browserUdpPorts(block),
        tapSipPort: Number(new URL(backend.endpoints.sip.wsUrl).port),
      });
      return new CallRecoveryRig(backend, new CarrierApi(carrierApiUrl(backend.endpoints)), agent);
    } catch (error) {
      await backend.stop();
      throw error;
    }
  }

  async signIn(): Promise<void> {
    const alice = this.backend.endpoints.agents[0]!;
    await this.agent.phone.signIn(this.backend.endpoints.controlPlane.url, alice.username, alice.password);
    await this.agent.phone.waitRegistered();
  }

  /** An echo call with the agent's tone heard back by the carrier, and the carrier's view of it. */
  async echoCall(): Promise<CarrierCall> {
    const echo = this.backend.endpoints.numbers.echo;
    await this.agent.phone.dial(echo);
    await this.agent.phone.waitActive();
    const far = (await this.carrier.calls()).find((c) => c.number === echo && isLive(c));
    assert.ok(far, 'the carrier has the call');
    await this.carrier.waitFor(far.id, 'the agent’s tone', (c) => approxHz(c.received.dominantHz, AGENT_HZ));
    return far;
  }

  async stop(): Promise<void> {
    try {
      this.agent.restoreSipPath();
      await this.agent.close();
    } finally {
      await this.backend.stop();
    }
  }
}

/**
 * Cuts the agent's SIP path for `outageMs` (running `midOutage` half-way, e.g. to check the audio)
 * and returns how long after the path came back the UI said "Registered" again.
 */
export async function timeReregisterAfterCut(agent: Agent, outageMs: number, midOutage?: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await agent.cutSipPath();
  const lost = await agent.phone.waitRegistration(/lost|reconnect|Cannot reach/i, 10_000);
  console.log(`# SIP path cut: “${lost}”`);
  await agent.page.waitForTimeout(outageMs / 2);
  await midOutage?.();
  await agent.page.waitForTimeout(Math.max(0, outageMs - (Date.now() - started)));
  agent.restoreSipPath();
  const restoredAt = Date.now();
  await agent.phone.waitRegistered(10_000);
  return Date.now() - restoredAt;
}

/**
 * Restarts Kamailio mid-call through the supervisor (a clean stop, as an operator's restart) and
 * returns how long it was down (stop → ready again) and how long after it was ready the UI said
 * "Registered" again (the softphone reconnects and re-registers by itself).
 */
export async function timeReregisterAfterKamailioRestart(
  backend: TestBackend,
  agent: Agent,
): Promise<{ outageMs: number; reregisterMs: number }> {
  // Watched from before the restart: the loss is shown while Kamailio is down.
  const lost = agent.phone.waitRegistration(/lost|reconnect|Cannot reach/i, 15_000);
  const stoppedAt = Date.now();
  await backend.stack.restart('kamailio');
  const readyAt = Date.now();
  console.log(`# Kamailio restarted: “${await lost}”`);
  await agent.phone.waitRegistered(15_000);
  return { outageMs: readyAt - stoppedAt, reregisterMs: Date.now() - readyAt };
}

/**
 * After the agent's inbound audio was cut at `cutAt` (UDP blocked): how long until inbound RTP
 * flowed again, counted to the first packet of a run of 500 ms of steady flow, so a stray packet
 * is not "audio back". `stalled` false means the cut never stopped the audio (nothing proven);
 * `backMs` null means it did not come back within `maxMs`.
 */
export async function timeInboundAudioBack(
  agent: Agent,
  cutAt: number,
  maxMs: number,
): Promise<{ stalled: boolean; backMs: number | null }> {
  let stalled = false;
  let last = await inboundPacketsReceived(agent.page);
  let flowingSince: number | null = null;
  while (Date.now() - cutAt < maxMs) {
    await agent.page.waitForTimeout(100);
    const now = await inboundPacketsReceived(agent.page);
    const grew = now > last;
    last = now;
    if (!grew) {
      stalled = true;
      flowingSince = null;
      continue;
    }
    if (!stalled) continue;
    flowingSince ??= Date.now();
    if (Date.now() - flowingSince >= 500) return { stalled, backMs: flowingSince - cutAt };
  }
  return { stalled, backMs: null };
}

/**
 * The agent's inbound audio sampled every 100 ms until `done()` says so (or `maxMs`): the longest
 * time the packet count stood still (0 while every sample sees new packets; one sample that saw
 * none shows the sampling's own 100–150 ms), and whether `done()` came true.
 */
export async function longestInboundGap(
  agent: Agent,
  done: () => boolean | Promise<boolean>,
  maxMs: number,
): Promise<{ gapMs: number; done: boolean }> {
  const start = Date.now();
  let last = await inboundPacketsReceived(agent.page);
  let lastGrowthAt = Date.now();
  let gapMs = 0;
  while (!(await done())) {
    if (Date.now() - start >= maxMs) return { gapMs, done: false };
    await agent.page.waitForTimeout(100);
    const now = await inboundPacketsReceived(agent.page);
    if (now > last) lastGrowthAt = Date.now();
    gapMs = Math.max(gapMs, Date.now() - lastGrowthAt);
    last = now;
  }
  return { gapMs, done: true };
}

/** The WebSocket outage bench/recovery measures re-registration after (the e2e test holds the 20 s). */
const BENCH_WS_OUTAGE_MS = 5000;
/** The goal for audio back after UDP is blocked mid-call. */
const UDP_BLOCK_GOAL_MS = 3000;

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/**
 * bench/recovery's signalling and media figures, each the median of `runs` fresh echo calls:
 * - wsCutReregisterMs: the SIP path cut for BENCH_WS_OUTAGE_MS mid-call → "Registered" again,
 *   counted from the path's return, next to the outage itself;
 * - udpBlockAudioMs: the browser's UDP blocked mid-call → inbound audio flowing again (over a
 *   TURN TCP/TLS relay), next to the 3 s goal. Each run needs a fresh call: once moved to
 *   TCP, a second block would cut nothing.
 * - kamailioRestartReregisterMs: Kamailio restarted mid-call through the supervisor → "Registered"
 *   again, counted from Kamailio being ready again, next to how long it was down.
 * A run that does not recover throws: no figure rather than a made-up one.
 */
export async function measureCallRecovery(rig: CallRecoveryRig, runs: number) {
  const { agent } = rig;
  const reregister: number[] = [];
  const udp: number[] = [];
  const restartOutage: number[] = [];
  const restartReregister: number[] = [];
  for (let i = 0; i < runs; i++) {
    await rig.echoCall();
    try {
      reregister.push(await timeReregisterAfterCut(agent, BENCH_WS_OUTAGE_MS));
    } finally {
      agent.restoreSipPath();
      await agent.phone.endAllCalls();
    }
  }
  for (let i = 0; i < runs; i++) {
    const far = await rig.echoCall();
    try {
      const { outageMs, reregisterMs } = await timeReregisterAfterKamailioRestart(rig.backend, agent);
      restartOutage.push(outageMs);
      restartReregister.push(reregisterMs);
    } finally {
      await agent.phone.endAllCalls();
      // The restarted Kamailio reloaded the call and the softphone's re-INVITE rebound it, so the
      // hang-up above ends the carrier's leg; should it not have, the carrier ends it from its side.
      await rig.carrier.hangup(far.id);
    }
  }
  for (let i = 0; i < runs; i++) {
    await rig.echoCall();
    const unblock = await blockUdp(BROWSER_UDP, 'clrec-udp-block');
    try {
      const { stalled, backMs } = await timeInboundAudioBack(agent, Date.now(), 15_000);
      if (!stalled) throw new Error('UDP block run: the block never stopped the inbound audio, so it measured nothing');
      if (backMs === null) throw new Error('UDP block run: the audio did not come back within 15 s');
      udp.push(backMs);
    } finally {
      await unblock();
      await agent.phone.endAllCalls();
    }
  }
  return {
    wsCutReregisterMs: median(reregister),
    udpBlockAudioMs: median(udp),
    kamailioRestartReregisterMs: median(restartReregister),
    wsCut: { outageMs: BENCH_WS_OUTAGE_MS, reregisterRunsMs: reregister },
    // Counted from Kamailio ready again; next to how long it was down, and to wsCut (same agent, same run).
    kamailioRestart: { outageRunsMs: restartOutage, reregisterRunsMs: restartReregister },
    udpBlock: { goalMs: UDP_BLOCK_GOAL_MS, audioBackRunsMs: udp },
  };
}
