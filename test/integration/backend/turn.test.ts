/**
 * Real coturn with credentials from the real control plane: allocations over UDP, TCP and TLS
 * (the stack's own CA), refusal of expired and forged credentials, and of permissions toward
 * private / special-purpose peers. No packet is sent to a denied peer: CreatePermission is refused
 * by coturn before any relaying.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { TurnCredentialsSchema, type TurnCredentials } from '../../../common/provisioning-api.js';
import { DEFAULT_TURN_TTL_SEC, turnRestCredentials } from '../../../backend/control-plane/turn-rest.js';
import { allocate, createPermission, StunError } from '../../../main/diagnostics/stun/turn-client.js';
import { streamTransport, udpTransport, type StunTransport } from '../../../main/diagnostics/stun/transaction.js';
import { connectSocket, openDatagram, streamChannel } from '../../../main/diagnostics/probes/node-channels.js';
import { startTestStack } from './support/stack-fixture.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.backendMedia;

describe('coturn: TURN REST credentials, transports, hardening', { timeout: 60_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  let creds: TurnCredentials;
  const open: StunTransport[] = [];
  const closers: Array<() => void> = [];

  const transport = async (kind: 'udp' | 'tcp' | 'tls'): Promise<{ t: StunTransport; tlsProtocol: string | null }> => {
    const { listen, turn, turns } = { listen: fx.stack.endpoints.sip.domain, turn: fx.stack.ports.turn, turns: fx.stack.ports.turns };
    if (kind === 'udp') {
      const ch = await openDatagram(() => performance.now());
      closers.push(() => ch.close());
      const t = udpTransport(ch, { address: listen, port: turn });
      open.push(t);
      return { t, tlsProtocol: null };
    }
    const ca = kind === 'tls' ? readFileSync(fx.stack.endpoints.caCertPath!) : undefined;
    const { socket } = await connectSocket(listen, kind === 'tls' ? turns : turn, kind === 'tls', ca);
    closers.push(() => socket.destroy());
    const t = streamTransport(streamChannel(socket), kind, `${listen}`);
    open.push(t);
    return { t, tlsProtocol: kind === 'tls' ? ((socket as TLSSocket).getProtocol?.() ?? null) : null };
  };

  before(async () => {
    fx = await startTestStack(PORT_BASE);
    const alice = fx.stack.endpoints.agents.find((a) => a.username === 'alice')!;
    const res = await fetch(`${fx.stack.endpoints.controlPlane.url}/api/turn-credentials`, {
      headers: { authorization: `Basic ${Buffer.from(`alice:${alice.password}`).toString('base64')}` },
    });
    assert.equal(res.status, 200);
    creds = TurnCredentialsSchema.parse(await res.json());
  });
  after(async () => {
    for (const t of open) t.close();
    for (const c of closers) c();
    await fx?.dispose();
  });

  test('the API hands out draft-uberti TURN REST credentials for the three transports', () => {
    const expiry = Number(creds.username.split(':')[0]);
    assert.match(creds.username, /^\d+:alice$/);
    assert.equal(creds.ttl, DEFAULT_TURN_TTL_SEC);
    assert.ok(Math.abs(expiry - (Date.now() / 1000 + DEFAULT_TURN_TTL_SEC)) < 60, 'expiry = now + ttl');
    const { turn, turns } = fx.stack.ports;
    const host = fx.stack.endpoints.sip.domain;
    assert.deepEqual(creds.uris, [
      `turn:${host}:${turn}?transport=udp`,
      `turn:${host}:${turn}?transport=tcp`,
      `turns:${host}:${turns}?transport=tcp`,
    ]);
  });

  test('the API refuses TURN credentials without a valid SIP password', async () => {
    const res = await fetch(`${fx.stack.endpoints.controlPlane.url}/api/turn-credentials`, {
      headers: { authorization: `Basic ${Buffer.from('alice:wrong-password').toString('base64')}` },
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
  });

  for (const kind of ['udp', 'tcp', 'tls'] as const) {
    test(`allocation over ${kind.toUpperCase()} succeeds with the API's credentials`, async () => {
      const { t, tlsProtocol } = await transport(kind);
      const a = await allocate(t, creds.username, creds.password);
      assert.equal(a.relayed.address, fx.stack.endpoints.sip.domain);
      assert.ok(
        a.relayed.port >= fx.stack.ports.turnRelayMin && a.relayed.port <= fx.stack.ports.turnRelayMax,
        `relay port ${a.relayed.port} in the relay range`,
      );
      assert.ok(a.lifetimeSec > 0);
      if (kind === 'tls') assert.equal(tlsProtocol, 'TLSv1.2');
    });
  }

  test('expired credentials are refused (401)', async () => {
    const expired = turnRestCredentials({
      secret: fx.stack.endpoints.turn.secret!,
      agent: 'alice',
      ttlSec: -60,
      nowMs: Date.now(),
      uris: creds.uris,
    });
    const { t } = await transport('udp');
    await assert.rejects(allocate(t, expired.username, expired.password), (e: unknown) => e instanceof StunError && e.code === 401);
  });

  test('forged credentials (wrong secret) are refused (401)', async () => {
    const forged = turnRestCredentials({
      secret: 'not-the-secret-of-this-stack',
      agent: 'alice',
      ttlSec: 3600,
      nowMs: Date.now(),
      uris: creds.uris,
    });
    const { t } = await transport('tcp');
    await assert.rejects(allocate(t, forged.username, forged.password), (e: unknown) => e instanceof StunError && e.code === 401);
  });

  test('permissions toward private and special-purpose peers are refused (403); the stack itself is allowed', async () => {
    const { t } = await transport('udp');
    const a = await allocate(t, creds.username, creds.password);
    for (const address of ['10.1.2.3', '192.168.1.1', '172.16.0.1', '169.254.169.254', '100.64.0.1', '127.0.0.2', '0.0.0.1']) {
      await assert.rejects(
        createPermission(t, a, { address, port: 9 }),
        (e: unknown) => e instanceof StunError && e.code === 403,
        `permission toward ${address} must be refused`,
      );
    }
    // rtpengine's media address: the one private peer a relayed browser candidate needs.
    await createPermission(t, a, { address: fx.stack.endpoints.sip.domain, port: fx.stack.ports.rtpengineMediaMin });
  });
});
