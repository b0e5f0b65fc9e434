/**
 * Issue 8, hole 2: what a production stack exposes. The stack listens on a non-loopback address
 * (a veth address this test adds) with media on a second one. An attacker on the network scans
 * both; an agent with valid TURN credentials tries to relay to the backend's own ports. They find
 * only the agent- and trunk-facing services, and coturn refuses (403 Forbidden IP) every peer but
 * the media address, where relaying still works.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TurnCredentialsSchema, type TurnCredentials } from '../../../common/provisioning-api.js';
import {
  allocate,
  createPermission,
  onPeerData,
  sendToPeer,
  StunError,
  type Allocation,
} from '../../../main/diagnostics/stun/turn-client.js';
import { udpTransport, type StunTransport } from '../../../main/diagnostics/stun/transaction.js';
import { openDatagram } from '../../../main/diagnostics/probes/node-channels.js';
// Production sizes media after the port block; this suite scans the block, so it stays block-sized.
import { BLOCK_MAX_CALLS, PORT_BLOCK_SIZE } from '../../../backend/ports.js';
import { startStack } from '../../../backend/stack.js';
import { startTestStack, waitFor } from '../backend/support/stack-fixture.js';
import { admin, api, createAgent } from './support/control-plane-http.js';
import { addTestAddresses, type TestAddresses } from './support/test-addresses.js';
import { openPorts } from './support/port-scan.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.securityExposure;
const LISTEN = '10.213.1.1';
const MEDIA = '10.213.1.2';
const MANAGEMENT = '127.0.0.1';
const REUSED_LISTEN = '10.213.1.3';
const REUSED_MEDIA = '10.213.1.4';
const AGENT = { username: 'exposure-agent', password: randomBytes(24).toString('base64url') };
/** How long a sink waits for a datagram that must never arrive. */
const SILENCE_MS = 1000;

describe('exposure: a production stack shows the network only its agent- and trunk-facing services', { timeout: 120_000 }, () => {
  let addresses: TestAddresses;
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  let creds: TurnCredentials;
  const closers: Array<() => void> = [];

  before(async () => {
    addresses = addTestAddresses('clbexp', [LISTEN, MEDIA]);
    fx = await startTestStack(PORT_BASE, { listen: LISTEN, mediaAddress: MEDIA, maxCalls: BLOCK_MAX_CALLS });
    await createAgent(fx.stack, AGENT.username, AGENT.password);
    const res = await api(fx.stack, { path: '/api/turn-credentials', auth: AGENT });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    creds = TurnCredentialsSchema.parse(res.body);
  });
  after(async () => {
    for (const c of closers) c();
    await fx?.dispose();
    addresses?.remove();
  });

  const sink = async (address: string, port: number): Promise<{ received: Buffer[]; socket: Socket }> => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, address, () => resolve()));
    closers.push(() => socket.close());
    const received: Buffer[] = [];
    socket.on('message', (m) => received.push(m));
    return { received, socket };
  };

  const relay = async (): Promise<{ t: StunTransport; a: Allocation }> => {
    const ch = await openDatagram(() => performance.now());
    closers.push(() => ch.close());
    const t = udpTransport(ch, { address: LISTEN, port: fx.stack.ports.turn });
    closers.push(() => t.close());
    return { t, a: await allocate(t, creds.username, creds.password) };
  };

  test('production mode: no demo agents and no simulated carrier', async () => {
    const e = fx.stack.endpoints;
    assert.deepEqual(e.agents, []);
    assert.equal(e.carrier, undefined);
    const listed = await admin(fx.stack, 'GET', '/api/agents');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.body as { agents: Array<{ username: string }> }).agents.map((a) => a.username),
      [AGENT.username],
      'only the agent the admin created',
    );
    assert.ok(!('carrier' in fx.stack.pids()), 'no carrier process');
    const { carrierApi, carrierSip } = fx.stack.ports;
    assert.deepEqual(await openPorts('tcp', MANAGEMENT, carrierApi, carrierApi), [], 'nothing serves the carrier API');
    assert.deepEqual(await openPorts('udp', MANAGEMENT, carrierSip, carrierSip), [], 'nothing answers as the carrier');
  });

  test('the admin API is not on the agents’ listener: every admin route answers 404 there, the right token included', async () => {
    const { token, apiUrl } = fx.stack.endpoints.admin;
    assert.match(apiUrl, new RegExp(`^http://${MANAGEMENT}:${fx.stack.ports.controlPlaneInternal}$`));
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/agents'],
      ['POST', '/api/agents', { username: 'intruder', password: 'intruder-password-1' }],
      ['PATCH', `/api/agents/${AGENT.username}`, { disabled: true }],
      ['DELETE', `/api/agents/${AGENT.username}`],
      ['POST', '/api/admin/token/rotate'],
      ['GET', '/api/admin-audit'],
      ['GET', '/api/audit'],
      ['GET', '/api/calls'],
      ['GET', '/api/admin/network-reports'],
      ['GET', '/api/admin/call-quality'],
      ['GET', '/api/admin/alerts'],
    ];
    for (const [method, path, body] of routes) {
      for (const bearer of [token, 'not-the-admin-token']) {
        const res = await api(fx.stack, { method, path, auth: { bearer }, ...(body !== undefined ? { body } : {}) });
        assert.equal(res.status, 404, `${method} ${path} on the agents' listener (${bearer === token ? 'right' : 'wrong'} token)`);
      }
    }
    // Nothing was done: the agent is there and enabled, the token still works, no intruder.
    const listed = (await admin(fx.stack, 'GET', '/api/agents')).body as { agents: Array<{ username: string; disabled: boolean }> };
    assert.deepEqual(
      listed.agents.map((a) => [a.username, a.disabled]),
      [[AGENT.username, false]],
    );
  });

  test('wrong admin tokens on the management listener lock that address out (right token included), not the admin elsewhere', async () => {
    const guesser = '127.0.0.77';
    const elsewhere = '127.0.0.78';
    const base = fx.stack.endpoints.admin.apiUrl;
    const asAdmin = (from: string, bearer: string) => api(fx.stack, { path: '/api/agents', base, from, auth: { bearer } });
    for (let i = 1; i <= 10; i++) assert.equal((await asAdmin(guesser, `guess-${i}`)).status, 401, `guess ${i}`);
    const locked = await asAdmin(guesser, fx.stack.endpoints.admin.token);
    assert.equal(locked.status, 429, 'the right token from the guessing address is refused: a guess cannot be confirmed');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 300, `Retry-After ${retryAfter} s`);
    assert.equal((await asAdmin(guesser, 'guess-11')).status, 429);
    // One budget with the page's sign-in form: the lock holds there too.
    const page = await api(fx.stack, {
      method: 'POST',
      path: '/admin/session',
      base,
      from: guesser,
      headers: { origin: base },
      body: { token: fx.stack.endpoints.admin.token },
    });
    assert.equal(page.status, 429, 'the admin page sign-in shares the lock');
    assert.equal((await asAdmin(elsewhere, fx.stack.endpoints.admin.token)).status, 200, 'the admin on another address still works');
  });

  test('a scan of the listen address finds exactly the agent- and trunk-facing ports', async () => {
    const p = fx.stack.ports;
    const last = PORT_BASE + PORT_BLOCK_SIZE - 1;
    // Agents: WSS, HTTPS, TURN over TCP and TLS. Trunk: nothing over TCP.
    assert.deepEqual(await openPorts('tcp', LISTEN, PORT_BASE, last), [p.sipWss, p.controlPlane, p.turn, p.turns]);
    // Trunk: SIP/UDP. Agents: TURN/UDP.
    assert.deepEqual(await openPorts('udp', LISTEN, PORT_BASE, last), [p.sipUdp, p.turn]);
  });

  test('no control interface is on the listen address: rtpengine ng, the internal audit listener are on the management address', async () => {
    const p = fx.stack.ports;
    const last = PORT_BASE + PORT_BLOCK_SIZE - 1;
    const tcp = await openPorts('tcp', LISTEN, PORT_BASE, last);
    const udp = await openPorts('udp', LISTEN, PORT_BASE, last);
    for (const port of [p.controlPlaneInternal, p.carrierApi]) assert.ok(!tcp.includes(port), `TCP ${port} closed on ${LISTEN}`);
    for (const port of [p.rtpengineNg, p.carrierSip]) assert.ok(!udp.includes(port), `UDP ${port} closed on ${LISTEN}`);
    assert.deepEqual(
      await openPorts('udp', MANAGEMENT, p.rtpengineNg, p.rtpengineNg),
      [p.rtpengineNg],
      'ng serves on the management address',
    );
    assert.deepEqual(await openPorts('tcp', MANAGEMENT, p.controlPlaneInternal, p.controlPlaneInternal), [p.controlPlaneInternal]);
  });

  test('the media address carries nothing but media and the diagnostics reflector (while no call runs)', async () => {
    const last = PORT_BASE + PORT_BLOCK_SIZE - 1;
    assert.deepEqual(await openPorts('tcp', MEDIA, PORT_BASE, last), []);
    // The reflector is where the network test measures the media path, directly and through TURN.
    assert.deepEqual(await openPorts('udp', MEDIA, PORT_BASE, last), [fx.stack.ports.reflector]);
  });

  test('TURN refuses every backend port and loopback (403), and relays nothing there', async () => {
    const p = fx.stack.ports;
    const { t, a } = await relay();
    const targets = [
      { what: 'Kamailio SIP/UDP', address: LISTEN, port: p.sipUdp },
      { what: 'Kamailio WSS', address: LISTEN, port: p.sipWss },
      { what: 'Kamailio WS', address: LISTEN, port: p.sipWs },
      { what: 'control plane', address: LISTEN, port: p.controlPlane },
      { what: 'coturn itself', address: LISTEN, port: p.turn },
      { what: 'coturn TLS', address: LISTEN, port: p.turns },
      { what: 'rtpengine ng', address: MANAGEMENT, port: p.rtpengineNg },
      { what: 'control plane internal', address: MANAGEMENT, port: p.controlPlaneInternal },
      { what: 'loopback', address: '127.0.0.2', port: 22 },
    ];
    for (const target of targets) {
      await assert.rejects(
        createPermission(t, a, target),
        (e: unknown) => e instanceof StunError && e.code === 403,
        `permission toward ${target.what} (${target.address}:${target.port}) must be refused with 403`,
      );
    }
    // Without a permission a Send indication must be dropped: sinks where a backend port could be.
    const onListen = await sink(LISTEN, PORT_BASE + 70);
    const onLoopback = await sink(MANAGEMENT, PORT_BASE + 71);
    for (const s of [onListen, onLoopback]) {
      const { address, port } = s.socket.address();
      sendToPeer(t, { address, port }, Buffer.from('attack'));
    }
    await new Promise((r) => setTimeout(r, SILENCE_MS));
    assert.equal(onListen.received.length, 0, 'nothing relayed to the listen address');
    assert.equal(onLoopback.received.length, 0, 'nothing relayed to loopback');
  });

  test('TURN still relays both ways to the media address (the media range)', async () => {
    const { t, a } = await relay();
    const media = await sink(MEDIA, fx.stack.ports.rtpengineMediaMax);
    const peer = { address: MEDIA, port: fx.stack.ports.rtpengineMediaMax };
    await createPermission(t, a, peer);
    const fromPeer: Buffer[] = [];
    closers.push(onPeerData(t, (from, data) => from.port === peer.port && fromPeer.push(data)));
    const payload = randomBytes(16);
    sendToPeer(t, peer, payload);
    const got = await waitFor(async () => media.received.find((m) => m.equals(payload)), 'the relayed datagram at the media address', 5000);
    assert.ok(got);
    media.socket.send(Buffer.from('reply'), a.relayed.port, a.relayed.address);
    await waitFor(async () => fromPeer.some((d) => d.toString() === 'reply'), 'the media address answer through the relay', 5000);
  });
});

describe('exposure: a state dir that ran the demo starts production without its demo agents', { timeout: 120_000 }, () => {
  let addresses: TestAddresses;
  let stateDir: string;

  before(() => {
    addresses = addTestAddresses('clbreuse', [REUSED_LISTEN, REUSED_MEDIA]);
    stateDir = mkdtempSync(join(tmpdir(), `clearline-stack-${PORT_BASE}-reused-`));
  });
  after(() => {
    rmSync(stateDir, { recursive: true, force: true });
    addresses?.remove();
  });

  test('the demo agents (still on their demo passwords) are removed; an agent the admin made is kept', async () => {
    const logs: string[] = [];
    const log = (l: string) => logs.push(l);
    const demo = await startStack({ stateDir, portBase: PORT_BASE, log });
    let demoAgents: Array<{ username: string; password: string }>;
    try {
      demoAgents = demo.endpoints.agents;
      assert.ok(demoAgents.length >= 2, 'the demo has its agents');
      await createAgent(demo, AGENT.username, AGENT.password);
    } finally {
      await demo.stop();
    }
    const prod = await startStack({
      stateDir,
      portBase: PORT_BASE,
      listen: REUSED_LISTEN,
      mediaAddress: REUSED_MEDIA,
      maxCalls: BLOCK_MAX_CALLS,
      log,
    });
    try {
      const listed = await admin(prod, 'GET', '/api/agents');
      assert.equal(listed.status, 200);
      assert.deepEqual(
        (listed.body as { agents: Array<{ username: string }> }).agents.map((a) => a.username),
        [AGENT.username],
      );
      for (const a of demoAgents) {
        const res = await api(prod, { path: '/api/client-config', auth: a });
        assert.equal(res.status, 401, `${a.username} can no longer sign in`);
      }
      assert.equal((await api(prod, { path: '/api/client-config', auth: AGENT })).status, 200, 'the admin-made agent still signs in');
    } finally {
      await prod.stop();
    }
  });
});
