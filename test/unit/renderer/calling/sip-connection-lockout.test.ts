import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { SipConnection } from '../../../../renderer/calling/sip-connection.js';
import type { RegistrationState } from '../../../../renderer/calling/phone-api.js';
import { silentLogger } from '../../../../renderer/calling/logging.js';
import { systemTimers } from '../../../../common/timers.js';
import { LOCKED_OUT_TEXT } from '../../../../common/contract/index.js';
import { agentSession } from './fakes/agent-session.js';

/**
 * The phone's answer to a lockout (hole 6), through SipConnection and the real SIP.js stack over a
 * real WebSocket: a registrar on loopback that answers `403 Locked` + Retry-After, then (the lock
 * having expired) 200. The page's WebSocket is the `ws` package's, which has the browser API.
 */
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

type Answer = (request: string) => { status: string; headers?: string[] };

/** A registrar that answers each REGISTER with `answer` and records what it got. */
async function startRegistrar(answer: Answer) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const registers: string[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const request = data.toString();
      if (!request.startsWith('REGISTER ')) return;
      registers.push(request);
      const header = (name: string) => request.match(new RegExp(`^${name}: *(.*)$`, 'mi'))?.[1] ?? '';
      const { status, headers = [] } = answer(request);
      const response = [
        `SIP/2.0 ${status}`,
        `Via: ${header('Via')}`,
        `From: ${header('From')}`,
        `To: ${header('To')};tag=registrar`,
        `Call-ID: ${header('Call-ID')}`,
        `CSeq: ${header('CSeq')}`,
        ...headers,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(response);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    registers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** A SipConnection with test doubles for everything but SIP.js and the socket; its states, in order. */
function connection() {
  const states: RegistrationState[] = [];
  const waiters: Array<{ until: (s: RegistrationState) => boolean; resolve: () => void }> = [];
  const sip = new SipConnection({
    logger: silentLogger,
    probe: async () => ({ result: 'not-run', detail: '' }),
    random: () => 0.5,
    timers: systemTimers,
    secrets: () => ['alice-password'],
    sessionDescriptionHandlerFactory: () => {
      throw new Error('no call is made in this test');
    },
    onInvite: () => undefined,
    hasLiveCalls: () => false,
    onReconnected: () => undefined,
    onRegistration: (state) => {
      states.push(state);
      for (const waiter of waiters.filter((w) => w.until(state))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  const reached = (until: (s: RegistrationState) => boolean) =>
    states.some(until) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ until, resolve }));
  return { sip, states, reached };
}

test('403 Locked + Retry-After: "locked, retrying in N s", then registers by itself after N s', { timeout: 20_000 }, async (t) => {
  const registrar = await startRegistrar((request) => {
    // The first attempt meets the lockout; by the second the server has let it expire.
    const contact = request.match(/^Contact: *(.*)$/im)?.[1] ?? '';
    return registrar.registers.length === 1
      ? { status: '403 Locked', headers: ['Retry-After: 1'] }
      : { status: '200 OK', headers: [`Contact: ${contact};expires=300`, 'Expires: 300'] };
  });
  const { sip, states, reached } = connection();
  // Unregister while the registrar still answers, then close it.
  t.after(async () => {
    await sip.stop();
    await registrar.close();
  });

  await sip.start(agentSession(registrar.wsUrl));
  const failed = states.find((s) => s.kind === 'failed');
  assert.deepEqual(failed, { kind: 'failed', reason: 'locked', message: LOCKED_OUT_TEXT, retryInMs: 1000 });

  await reached((s) => s.kind === 'registered');
  assert.equal(registrar.registers.length, 2, 'exactly one retry, after the server’s delay');
  assert.deepEqual(
    states.map((s) => s.kind),
    ['connecting', 'failed', 'connecting', 'registered'],
  );
});

test('a plain 403 is a wrong password: shown, never retried on its own', { timeout: 20_000 }, async (t) => {
  const registrar = await startRegistrar(() => ({ status: '403 Forbidden' }));
  const { sip, states } = connection();
  t.after(async () => {
    await sip.stop();
    await registrar.close();
  });

  await sip.start(agentSession(registrar.wsUrl));
  const last = states.at(-1);
  assert.equal(last?.kind, 'failed');
  assert.equal(last?.kind === 'failed' && last.reason, 'wrong-credentials');
  assert.equal(last?.kind === 'failed' && last.retryInMs, null);
});

test('ws:// to another computer: refused before any socket opens, never retried', { timeout: 5_000 }, async (t) => {
  const { sip, states } = connection();
  t.after(() => sip.stop());
  await sip.start(agentSession('ws://sip.example.com:8088/ws'));
  assert.equal(sip.userAgent, null, 'no SIP stack was built, so no REGISTER could leave');
  assert.equal(states.length, 1);
  const [only] = states;
  assert.equal(only?.kind === 'failed' && only.reason, 'insecure-transport');
  assert.match(
    only?.kind === 'failed' ? only.message : '',
    /SIP WebSocket URL ws:\/\/sip\.example\.com:8088 is ws:\/\/ to sip\.example\.com/,
  );
  assert.equal(only?.kind === 'failed' && only.retryInMs, null);
});
