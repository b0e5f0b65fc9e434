import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bench } from './index.js';
import { startTestStack } from '../integration/backend/support/stack-fixture.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';
import { mediaPortsFor } from '../../backend/ports.js';
import { TurnCredentialsSchema } from '../../common/provisioning-api.js';
import type { RunningStack } from '../../backend/stack.js';
import { BrowserCalls, type BrowserCall, type ReceiveStats, type Relay } from '../integration/capacity/support/browser-calls.js';
import { closeLoadAgents, connectLoadAgents, type LoadAgent } from '../integration/capacity/support/load-agents.js';
import { engineUsage, type EngineUsage } from '../integration/capacity/support/engine-usage.js';

/**
 * `npm run bench -- --json` → capacity: how many concurrent calls one node carries, and what each
 * costs. Ramps concurrent calls agent ↔ carrier (echo number) through Kamailio + rtpengine, the
 * agent legs real DTLS-SRTP RTCPeerConnections in one headless Chromium (BrowserCalls), first
 * direct to rtpengine, then relayed through coturn (iceTransportPolicy 'relay', one UDP TURN URL).
 *
 * At each step, over a fixed window: CPU time (above the engine's idle rate, measured first) and
 * memory of each engine's process group from /proc (Chromium, the generator, and the carrier, the
 * sink, are not counted; the carrier's CPU is reported beside them), loss and RFC 3550 jitter
 * of what each connection receives (its echo: Chromium → rtpengine → carrier → rtpengine →
 * Chromium), and call-setup success. "Added jitter" is the calls' mean jitter minus the jitter of a
 * bare loopback pair of connections in the same page over the same window (what the generator and
 * the machine add by themselves). A step is held with < 0.1 % loss, < 5 ms added jitter, every
 * call set up and every call still receiving; the ramp stops at the first step not held, or at the
 * last step. The machine's load average is reported with each step: on a shared machine other
 * work competes with the engines and the generator.
 */
const PORT_BASE = TEST_PORT_BASES.capacity;
/** Ramp steps (concurrent calls). Bounded: a 2-core machine saturates long before the last. */
const STEPS = [2, 5, 10, 15, 20, 30, 45, 60, 80] as const;
const MAX_CALLS = STEPS.at(-1)!;
/** The stack's media ranges in the block's spare ports (10 per call): the bench stays in its block. */
const [MEDIA_PORT_MIN] = spareTestPorts('capacity', 100, 100 + mediaPortsFor(MAX_CALLS) - 1);
const BROWSER_UDP_PORTS = spareTestPorts('capacity', 1500, 1999);
const AGENTS = 10;
const WINDOW_MS = 6000;
const SETTLE_MS = 2000;
const LOSS_LIMIT_PCT = 0.1;
const ADDED_JITTER_LIMIT_MS = 5;
/** A call whose connection received less than this share of its 50 packets/s in the window is silent. */
const SILENT_BELOW = 0.5;
const PACKETS_PER_SECOND = 50;
const ENGINES = ['kamailio', 'rtpengine', 'coturn'] as const;
type Engine = (typeof ENGINES)[number];

const round = (x: number, digits = 2) => Number(x.toFixed(digits));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

interface Step {
  calls: number;
  /** Calls that received less than SILENT_BELOW of their packets in the window (media stopped). */
  silentCalls: number;
  /** The machine's 1-minute load average (other work on a shared machine shows here). */
  loadAverage: number;
  setupOk: number;
  setupTried: number;
  setupMedianMs: number;
  lossPct: number;
  jitterMs: number;
  baselineJitterMs: number;
  addedJitterMs: number;
  /** Engine CPU above its idle rate (measured before the first call), per call and second of call. */
  cpuMsPerCallSecond: Record<Engine | 'carrier', number>;
  memKbPerCall: Record<Engine, number>;
  /** UDP sockets open in each engine's media range, per call (what the engine really opened). */
  socketsPerCall: { rtpengine: number; turnRelay: number };
  held: boolean;
}

function usage(stack: RunningStack): Record<Engine | 'carrier', EngineUsage> {
  const pids = stack.pids();
  const of = (name: string) => engineUsage(pids[name]!);
  return { kamailio: of('kamailio'), rtpengine: of('rtpengine'), coturn: of('coturn'), carrier: of('carrier') };
}

/** UDP sockets bound in [min, max] (IPv4, any address), from /proc/net/udp (`local_address` is ADDR:PORT in hex). */
function socketsIn(min: number, max: number): number {
  return readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const port = parseInt(line.trim().split(/\s+/)[1]?.split(':')[1] ?? '', 16);
      return port >= min && port <= max;
    }).length;
}

async function turnRelay(stack: RunningStack, agent: LoadAgent): Promise<Relay> {
  const res = await fetch(`${stack.endpoints.controlPlane.url}/api/turn-credentials`, {
    headers: { authorization: `Basic ${Buffer.from(`${agent.sip.username}:${agent.password}`).toString('base64')}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`TURN credentials for ${agent.sip.username}: HTTP ${res.status}`);
  const creds = TurnCredentialsSchema.parse(await res.json());
  // One UDP allocation per connection: what a browser that can reach TURN over UDP uses.
  const urls = creds.uris.filter((u) => u.startsWith('turn:') && u.includes('transport=udp'));
  return { urls, username: creds.username, credential: creds.password };
}

async function ramp(
  stack: RunningStack,
  browser: BrowserCalls,
  agents: LoadAgent[],
  relays: Relay[] | null,
): Promise<{ steps: Step[]; stoppedBecause: string }> {
  const { ports } = stack;
  const echo = stack.endpoints.numbers.echo;
  const calls: BrowserCall[] = [];
  const steps: Step[] = [];
  const baseline = await browser.startBaseline();
  await sleep(SETTLE_MS);
  // Idle rates: what each engine burns with no call (timers, polling), subtracted from every step.
  const idle = usage(stack);
  const idleT0 = performance.now();
  await sleep(WINDOW_MS);
  const idleEnd = usage(stack);
  const idleSeconds = (performance.now() - idleT0) / 1000;
  const idleMsPerSecond = (e: Engine | 'carrier') => (idleEnd[e].cpuMs - idle[e].cpuMs) / idleSeconds;
  let stoppedBecause = `reached the last step (${MAX_CALLS} calls)`;
  try {
    for (const target of STEPS) {
      const placed: BrowserCall[] = [];
      while (calls.length + placed.length < target) {
        const i = (calls.length + placed.length) % agents.length;
        placed.push(await browser.call(agents[i]!.sip, echo, relays?.[i]));
      }
      const answered = placed.filter((c) => c.status === 200);
      const stuck = await browser.untilReceiving(
        answered.map((c) => c.pc),
        20_000,
      );
      calls.push(...answered);
      await sleep(SETTLE_MS);
      const pcs = calls.map((c) => c.pc);
      const [u0, s0, b0] = [usage(stack), await browser.stats(pcs), (await browser.stats([baseline]))[0]!];
      const t0 = performance.now();
      await sleep(WINDOW_MS);
      const [u1, s1, b1] = [usage(stack), await browser.stats(pcs), (await browser.stats([baseline]))[0]!];
      const seconds = (performance.now() - t0) / 1000;
      const n = calls.length;
      const delta = (a: ReceiveStats[], b: ReceiveStats[], k: 'packetsReceived' | 'packetsLost') =>
        b.reduce((sum, s, i) => sum + s[k] - a[i]![k], 0);
      const received = delta(s0, s1, 'packetsReceived');
      const lost = delta(s0, s1, 'packetsLost');
      const lossPct = received + lost > 0 ? (100 * lost) / (received + lost) : 100;
      const expected = PACKETS_PER_SECOND * seconds;
      const silentCalls = s1.filter((s, i) => s.packetsReceived - s0[i]!.packetsReceived < SILENT_BELOW * expected).length;
      const jitterMs = mean(s1.map((s) => s.jitterMs));
      const baselineJitterMs = (b0.jitterMs + b1.jitterMs) / 2;
      const addedJitterMs = Math.max(0, jitterMs - baselineJitterMs);
      const setupOk = answered.length - stuck.length;
      const cpu = (e: Engine | 'carrier') => round(((u1[e].cpuMs - u0[e].cpuMs) / seconds - idleMsPerSecond(e)) / n, 3);
      const mem = (e: Engine) => round((u1[e].pssKiB - idle[e].pssKiB) / n, 1);
      const step: Step = {
        calls: n,
        silentCalls,
        loadAverage: round(loadavg()[0]!, 1),
        setupOk,
        setupTried: placed.length,
        setupMedianMs: round([...placed.map((c) => c.setupMs)].sort((a, b) => a - b)[Math.floor(placed.length / 2)] ?? 0, 1),
        lossPct: round(lossPct, 3),
        jitterMs: round(jitterMs),
        baselineJitterMs: round(baselineJitterMs),
        addedJitterMs: round(addedJitterMs),
        cpuMsPerCallSecond: { kamailio: cpu('kamailio'), rtpengine: cpu('rtpengine'), coturn: cpu('coturn'), carrier: cpu('carrier') },
        memKbPerCall: { kamailio: mem('kamailio'), rtpengine: mem('rtpengine'), coturn: mem('coturn') },
        socketsPerCall: {
          rtpengine: round(socketsIn(ports.rtpengineMediaMin, ports.rtpengineMediaMax) / n),
          turnRelay: round(socketsIn(ports.turnRelayMin, ports.turnRelayMax) / n),
        },
        held: lossPct < LOSS_LIMIT_PCT && addedJitterMs < ADDED_JITTER_LIMIT_MS && setupOk === placed.length && silentCalls === 0,
      };
      steps.push(step);
      console.error(`[bench] capacity ${relays ? 'relayed' : 'direct'}: ${JSON.stringify(step)}`);
      if (!step.held) {
        const refused = placed.length - answered.length;
        stoppedBecause =
          setupOk < placed.length
            ? `call setup failed at ${target} calls: of ${placed.length} new calls ${refused} refused, ${stuck.length} answered but no media within 20 s (load average ${step.loadAverage} on ${availableParallelism()} cores)`
            : silentCalls > 0
              ? `${silentCalls} of ${n} calls stopped receiving media at ${n} calls (load average ${step.loadAverage})`
              : lossPct >= LOSS_LIMIT_PCT
                ? `loss ${round(lossPct, 3)} % at ${n} calls`
                : `added jitter ${round(addedJitterMs)} ms at ${n} calls`;
        break;
      }
    }
  } finally {
    await browser.hangUp(calls);
    await sleep(SETTLE_MS);
  }
  return { steps, stoppedBecause };
}

/** The largest held step and its per-call costs (null when not even the first step held). */
function summary(r: { steps: Step[]; stoppedBecause: string }) {
  const best = r.steps.filter((s) => s.held).at(-1) ?? null;
  return { best, stoppedBecause: r.stoppedBecause };
}

const bench: Bench = {
  key: 'capacity',
  async run() {
    const cores = availableParallelism();
    const fx = await startTestStack(PORT_BASE, { maxCalls: MAX_CALLS, mediaPortMin: MEDIA_PORT_MIN });
    const profile = mkdtempSync(join(tmpdir(), 'clcap-bench-'));
    let browser: BrowserCalls | null = null;
    let agents: LoadAgent[] = [];
    try {
      browser = await BrowserCalls.launch({
        userDataDir: profile,
        udpPorts: BROWSER_UDP_PORTS,
        origin: fx.stack.endpoints.controlPlane.url,
      });
      agents = await connectLoadAgents(fx.stack, { count: AGENTS, maxCalls: MAX_CALLS / AGENTS, maxCps: 10 });
      const direct = summary(await ramp(fx.stack, browser, agents, null));
      const relays = await Promise.all(agents.map((a) => turnRelay(fx.stack, a)));
      const relayed = summary(await ramp(fx.stack, browser, agents, relays));
      const d = direct.best;
      const r = relayed.best;
      const engineMsPerCallSecond = d ? d.cpuMsPerCallSecond.kamailio + d.cpuMsPerCallSecond.rtpengine : null;
      return {
        cores,
        // The headline: direct calls (most agents), kamailio and rtpengine from them; coturn's cost
        // per relayed call from the relayed run.
        maxCalls: d?.calls ?? 0,
        cpuMsPerCallSecond: {
          kamailio: d?.cpuMsPerCallSecond.kamailio ?? null,
          rtpengine: d?.cpuMsPerCallSecond.rtpengine ?? null,
          coturn: r?.cpuMsPerCallSecond.coturn ?? null,
        },
        memKbPerCall: {
          kamailio: d?.memKbPerCall.kamailio ?? null,
          rtpengine: d?.memKbPerCall.rtpengine ?? null,
          coturn: r?.memKbPerCall.coturn ?? null,
        },
        lossPct: d?.lossPct ?? null,
        addedJitterMs: d?.addedJitterMs ?? null,
        callSetupSuccessPct: d ? round((100 * d.setupOk) / d.setupTried, 1) : 0,
        // Engine CPU only: what one core would carry if the engines had it to themselves.
        callsPerCoreEngines: engineMsPerCallSecond ? Math.floor(1000 / engineMsPerCallSecond) : null,
        stoppedBecause: direct.stoppedBecause,
        relayed: {
          maxCalls: r?.calls ?? 0,
          cpuMsPerCallSecond: r?.cpuMsPerCallSecond ?? null,
          memKbPerCall: r?.memKbPerCall ?? null,
          lossPct: r?.lossPct ?? null,
          addedJitterMs: r?.addedJitterMs ?? null,
          stoppedBecause: relayed.stoppedBecause,
        },
        socketsPerCall: { rtpengine: d?.socketsPerCall.rtpengine ?? null, turnRelay: r?.socketsPerCall.turnRelay ?? null },
        limits: { lossPct: LOSS_LIMIT_PCT, addedJitterMs: ADDED_JITTER_LIMIT_MS, windowMs: WINDOW_MS, steps: [...STEPS] },
      };
    } finally {
      closeLoadAgents(agents);
      await browser?.close();
      await fx.dispose();
      rmSync(profile, { recursive: true, force: true });
    }
  },
};

export default bench;
