/**
 * The real stack as the attack suites see it: the simulated carrier plays the SIP trunk and traces
 * every SIP message it receives (CARRIER_SIP_TRACE), so a test can prove an attack never reached
 * the trunk; helpers connect agents, list rtpengine's calls and read call records.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import type { RunningStack } from '../../../../backend/stack.js';
import type { CallRecord } from '../../../../backend/control-plane/call-records.js';
import { adminGet, startTestStack, waitFor } from '../../backend/support/stack-fixture.js';
import type { WsSipAgent } from '../../backend/support/ws-sip-agent.js';
import { AgentPool } from '../../backend/support/agent-pool.js';
import { header } from '../../backend/support/sip-message.js';
import { browserSdp } from '../../backend/support/webrtc-sdp.js';
import { rtpengineCallIds } from './rtpengine-ng.js';
import { TEST_PORT_BASES } from '../../../support/port-registry.js';

/** The port block of every stack engineer KT's attack suites start (one suite at a time). */
export const ATTACK_PORT_BASE = TEST_PORT_BASES.securityAttack;
/** Where the stack binds its control interfaces (rtpengine ng, carrier API) unless told otherwise. */
const MANAGEMENT_ADDRESS = '127.0.0.1';
/** A free offset in that block (backend/ports.ts leaves 51-999 unused) for the foreign host. */
export const FOREIGN_SINK_PORT = ATTACK_PORT_BASE + 60;

/** The part of the carrier's call view (backend/carrier/README.md) the attack tests read. */
export interface TrunkCallView {
  readonly state: 'ringing' | 'answered' | 'ended' | 'failed';
  readonly direction: 'incoming' | 'outgoing';
  readonly finalStatus: number | null;
}

/** The longest calls-per-second back-off a legitimate test call waits for. */
const MAX_RETRY_AFTER_S = 5;

export type AttackStack = Awaited<ReturnType<typeof startAttackStack>>;

/**
 * Inside a describe: the attack stack started before its tests (handed to `started`, which keeps
 * it and reads what the tests need from it), the agents each test connected closed after it, the
 * stack stopped after the last.
 */
export function useAttackStack(started: (fx: AttackStack) => void | Promise<void>): void {
  let fx: AttackStack | undefined;
  before(async () => {
    fx = await startAttackStack();
    await started(fx);
  });
  afterEach(async () => {
    await fx?.closeAgents();
  });
  after(async () => {
    await fx?.dispose();
  });
}

export async function startAttackStack() {
  // Read by the carrier child process (inherits our environment): trace every SIP message.
  process.env.CARRIER_SIP_TRACE = '1';
  const fx = await startTestStack(ATTACK_PORT_BASE);
  const { stack } = fx;
  const trunk = stack.endpoints.carrier;
  if (!trunk) {
    await fx.dispose();
    throw new Error('the attack suites need the simulated carrier as their trunk: a loopback stack in demo mode');
  }
  const pool = new AgentPool(() => stack);
  return {
    ...fx,
    /** The simulated carrier: the trunk's SIP port and its HTTP API. */
    trunk,
    /**
     * A WebSocket SIP agent (closed by closeAgents); the demo password unless one is given; from
     * `from`'s address (and port) when given.
     */
    agent: (username: string, password?: string, from?: { address: string; port?: number }): Promise<WsSipAgent> =>
      pool.connect(username, password, from?.address, from?.port),
    /** Provisions a new agent through the admin API; resolves with its (long, random) password. */
    async createAgent(username: string): Promise<string> {
      const password = `pw-${randomBytes(16).toString('hex')}`;
      const res = await fetch(`${stack.endpoints.admin.apiUrl}/api/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.endpoints.admin.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, displayName: username }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.status !== 201) throw new Error(`POST /api/agents ${username}: HTTP ${res.status} ${await res.text()}`);
      return password;
    },
    /** Unregisters and closes every agent connected so far. */
    closeAgents: (): Promise<void> => pool.closeAll(),
    rtpengineCalls: () => rtpengineCallIds(MANAGEMENT_ADDRESS, stack.ports.rtpengineNg),
    /** SIP messages (requests and responses) the trunk (simulated carrier) received containing `marker`. */
    trunkReceived: (marker: string) => trunkReceived(stack, marker),
    /** Requests of `method` the trunk received that contain `marker`. */
    trunkReceivedRequests: (method: string, marker: string) =>
      trunkReceived(stack, marker).filter((entry) => entry.split('\n')[1]?.startsWith(`${method} `)),
    callRecord: (callId: string) => callRecord(stack, callId),
    /** The simulated carrier's view of a call it carries or carried, or null if it has none. */
    async trunkCall(callId: string): Promise<TrunkCallView | null> {
      const res = await fetch(`${trunk.apiUrl}/calls/${encodeURIComponent(callId)}`, { signal: AbortSignal.timeout(5000) });
      return res.ok ? ((await res.json()) as TrunkCallView) : null;
    },
    /** An inbound PSTN call: the simulated carrier calls `to` (an agent) through Kamailio. */
    async placeTrunkCall(to: string): Promise<string> {
      const res = await fetch(`${trunk.apiUrl}/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to, from: '+15551230000' }),
        signal: AbortSignal.timeout(5000),
      });
      if (res.status !== 201) throw new Error(`carrier POST /calls: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    /** Hangs up a carrier call (BYE, CANCEL or 480, whatever its state needs). */
    async hangUpTrunkCall(callId: string): Promise<void> {
      await fetch(`${trunk.apiUrl}/calls/${encodeURIComponent(callId)}`, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
    },
    /**
     * A legitimate call from `agent` to the echo number, answered, seen by the trunk, then hung
     * up: legitimate use still works, and (see trunkReceived) a barrier after earlier attacks. Like
     * a real client it honours the calls-per-second limit: a 503 with Retry-After is retried once.
     */
    async legitimateTrunkCall(agent: WsSipAgent): Promise<{ status: number; callId: string }> {
      let call = agent.invite(stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
      let res = await call.final;
      const retryAfter = Number(header(res, 'retry-after'));
      if (res.status === 503 && retryAfter > 0 && retryAfter <= MAX_RETRY_AFTER_S) {
        await new Promise((r) => setTimeout(r, retryAfter * 1000));
        call = agent.invite(stack.endpoints.numbers.echo, browserSdp({ address: '127.0.0.1', port: 9, setup: 'actpass' }));
        res = await call.final;
      }
      if (res.status === 200) {
        await waitFor(async () => trunkReceived(stack, call.callId).length > 0, `the trunk to receive ${call.callId}`);
        await call.bye();
      }
      return { status: res.status!, callId: call.callId };
    },
  };
}

/**
 * Messages the carrier traced as received ("SIP ← host:port" then the message). The trace reaches
 * the log through a pipe, so absence alone proves little; but an attack that was answered before a
 * legitimate call started, and is still missing once that call shows up here, was never relayed
 * (a relayed request reaches the carrier before any answer to it can come back).
 */
function trunkReceived(stack: RunningStack, marker: string): string[] {
  let log: string;
  try {
    log = readFileSync(join(stack.logDir, 'carrier.log'), 'utf8');
  } catch {
    return [];
  }
  return log.split(/(?=SIP [←→] )/).filter((entry) => entry.startsWith('SIP ←') && entry.includes(marker));
}

async function callRecord(stack: RunningStack, callId: string): Promise<CallRecord | undefined> {
  const { calls } = await adminGet<{ calls: CallRecord[] }>(stack, '/api/calls?limit=10000');
  return calls.find((c) => c.callId === callId);
}
