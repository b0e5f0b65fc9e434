import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECONNECT_BACKOFF, SipConnection } from '../../../../renderer/calling/sip-connection.js';
import { KEEPALIVE_INTERVAL_MS } from '../../../../renderer/calling/signaling-keepalive.js';
import { silentLogger } from '../../../../renderer/calling/logging.js';
import type { RegistrationState } from '../../../../renderer/calling/phone-api.js';
import type { EndpointProber } from '../../../../renderer/calling/endpoint-probe.js';
import { agentSession } from './fakes/agent-session.js';
import { settle, until } from './fakes/event-loop.js';
import { ManualTimers } from './fakes/manual-timers.js';
import { sessionDescriptionHandlerFakeFactory } from './fakes/session-description-handler-fake.js';
import { registered } from './fakes/sip-messages.js';
import { FakeSipServer } from './fakes/transport-fake.js';
import { backoffDelayMs } from '../../../../common/backoff.js';
import { TransportState } from 'sip.js';

/**
 * SipConnection's reconnect, backoff and stale-callback guards over SIP.js's real UserAgent and
 * Registerer, with a transport fake for the WebSocket and a hand-moved clock for the core's timers.
 */
const WS_URL = 'wss://sip.clearline.test/ws';
const SESSION = agentSession(WS_URL);
/** How Chromium reports any failed WebSocket handshake (SIP.js puts the close code in the message). */
const handshakeFailed = () => new Error(`WebSocket closed ${WS_URL} (code: 1006)`);

function connectionOverFakes(probe: EndpointProber = async () => ({ result: 'no-answer' })) {
  const server = new FakeSipServer();
  const timers = new ManualTimers();
  const states: RegistrationState[] = [];
  const calls = { live: false, reconnected: 0 };
  const sip = new SipConnection({
    logger: silentLogger,
    probe,
    random: () => 0.5, // backoff delays 750, 1500, 3000 ms: the middle of each jitter window
    timers,
    transportConstructor: server.transportConstructor,
    secrets: () => [],
    sessionDescriptionHandlerFactory: sessionDescriptionHandlerFakeFactory([]),
    onInvite: () => undefined,
    onRegistration: (state) => states.push(state),
    hasLiveCalls: () => calls.live,
    onReconnected: () => calls.reconnected++,
  });
  const failures = () => states.filter((s) => s.kind === 'failed');
  return { server, timers, states, sip, failures, calls };
}

test('unreachable server: each retry waits longer (750, 1500, 3000 ms); success resets the backoff; a drop retries from the start', async (t) => {
  const { server, timers, states, sip, failures } = connectionOverFakes();
  t.after(() => sip.stop());
  let refusals = 3;
  server.connectFailure = () => (refusals-- > 0 ? handshakeFailed() : null);

  await sip.start(SESSION);
  for (const delay of [750, 1500, 3000]) {
    const failure = failures().at(-1);
    assert.equal(failure?.kind === 'failed' && failure.reason, 'unreachable');
    assert.equal(failure?.kind === 'failed' && failure.retryInMs, delay);
    assert.deepEqual(timers.delays(), [delay], 'exactly one reconnect pending, after the backoff');
    await timers.advance(delay - 1);
    assert.equal(states.at(-1)?.kind, 'failed', 'not a millisecond early');
    await timers.advance(1);
  }
  await until(() => sip.state.kind === 'registered', 'registered on the fourth attempt');
  assert.equal(server.transports.filter((tr) => tr.isConnected()).length, 1);
  assert.deepEqual(
    states.map((s) => s.kind),
    ['connecting', 'failed', 'connecting', 'failed', 'connecting', 'failed', 'connecting', 'registered'],
  );

  server.transports.at(-1)!.drop(handshakeFailed());
  const lost = failures().at(-1);
  assert.equal(lost?.kind === 'failed' && lost.reason, 'network-lost');
  assert.equal(lost?.kind === 'failed' && lost.retryInMs, 750, 'the backoff starts over after a success');
  await timers.advance(750);
  await until(() => sip.state.kind === 'registered', 'registered again after the drop');
  assert.equal(server.requests('REGISTER').length, 2);
});

test('resume while waiting out a backoff: reconnects at once and the pending retry is dropped', async (t) => {
  const { server, timers, sip } = connectionOverFakes();
  t.after(() => sip.stop());
  let refusals = 1;
  server.connectFailure = () => (refusals-- > 0 ? handshakeFailed() : null);
  await sip.start(SESSION);
  assert.deepEqual(timers.delays(), [750]);

  sip.reconnectNow();
  assert.equal(sip.state.kind, 'connecting');
  await until(() => sip.state.kind === 'registered', 'registered without waiting for the backoff');
  assert.deepEqual(timers.delays(), [KEEPALIVE_INTERVAL_MS], 'no retry left to fire on a registered line: only the keep-alive watch');
});

test('stop during a retry wait: nothing reconnects afterwards', async (t) => {
  const { server, timers, states, sip } = connectionOverFakes();
  t.after(() => sip.stop());
  server.connectFailure = handshakeFailed;
  await sip.start(SESSION);
  await sip.stop();
  assert.deepEqual(timers.delays(), []);
  const built = server.transports.length;
  await timers.advance(60_000);
  assert.equal(server.transports.length, built);
  assert.equal(states.at(-1)?.kind, 'unregistered');
});

test('stale callback: a probe that answers after stop() neither shows a failure nor schedules a retry', async (t) => {
  let answer: (() => void) | undefined;
  const slowProbe: EndpointProber = () => new Promise((resolve) => (answer = () => resolve({ result: 'no-answer' })));
  const { server, timers, states, sip } = connectionOverFakes(slowProbe);
  t.after(() => sip.stop());
  server.connectFailure = handshakeFailed;

  const starting = sip.start(SESSION);
  await until(() => answer !== undefined, 'the probe ran');
  await sip.stop();
  answer!();
  await starting;
  assert.deepEqual(
    states.map((s) => s.kind),
    ['connecting', 'unregistered'],
  );
  assert.deepEqual(timers.delays(), []);
});

test('a REGISTER the server never answers: a clear failure after 10 s, then a retry; the late answer to the abandoned one changes nothing', async (t) => {
  const { server, timers, states, sip } = connectionOverFakes();
  t.after(() => sip.stop());
  const unanswered: string[] = [];
  server.script = (message, reply) => {
    if (!message.startsWith('REGISTER ')) return;
    if (unanswered.length === 0) unanswered.push(message);
    else reply(registered(message));
  };

  const starting = sip.start(SESSION);
  await server.sent('REGISTER');
  await timers.advance(10_000);
  await starting;
  const failure = states.at(-1);
  assert.equal(failure?.kind === 'failed' && failure.reason, 'server-error');
  assert.match(failure?.kind === 'failed' ? failure.message : '', /did not answer the registration within 10 s/);

  server.push(registered(unanswered[0]!));
  await settle();
  assert.equal(sip.state.kind, 'failed', 'the abandoned REGISTER’s 200 does not mark the line registered');

  await timers.advance(750);
  await until(() => sip.state.kind === 'registered', 'the retry registered');
});

test('reconnect backoff: 1 s doubling to 30 s, within [ceiling/2, ceiling]', () => {
  const low = () => 0;
  const high = () => 1;
  assert.deepEqual(
    [1, 2, 3, 4].map((a) => backoffDelayMs(RECONNECT_BACKOFF, a, high)),
    [1000, 2000, 4000, 8000],
  );
  assert.equal(backoffDelayMs(RECONNECT_BACKOFF, 21, high), 30_000);
  assert.equal(backoffDelayMs(RECONNECT_BACKOFF, 1, low), 500);
});

test('several signaling servers: an unreachable one fails over to the next after a short pause, on the same UserAgent (calls in progress are kept)', async (t) => {
  const { server, timers, states, sip, failures } = connectionOverFakes();
  t.after(() => sip.stop());
  const B = 'wss://sip-b.clearline.test/ws';
  const session = agentSession(WS_URL);
  const twoNodes = { ...session, config: { ...session.config, sip: { ...session.config.sip, fallbackWsUrls: [B] } } };
  let down = new Set([WS_URL]);
  server.connectFailure = (url) => (down.has(url) ? new Error(`WebSocket closed ${url} (code: 1006)`) : null);

  await sip.start(twoNodes);
  const first = failures().at(-1);
  assert.equal(first?.kind === 'failed' && first.retryInMs, 500, 'the jittered failover pause (random 0.5 of 1 s), not the backoff');
  await timers.advance(500);
  await until(() => sip.state.kind === 'registered', 'registered on the second server');
  assert.deepEqual(server.connects, [WS_URL, B]);

  // B dies mid-session; A is back: the line moves to A at once, still on the one transport.
  down = new Set([B]);
  server.transports.at(-1)!.drop(new Error(`WebSocket closed ${B} (code: 1006)`));
  assert.equal(timers.delays()[0], 500);
  await timers.advance(500);
  await until(() => sip.state.kind === 'registered', 'registered on the first server again');
  assert.deepEqual(server.connects, [WS_URL, B, WS_URL]);
  assert.equal(server.transports.length, 1, 'the UserAgent (and its sessions) was kept; only its transport moved');

  // Both down: once every server failed in a row, the usual backoff applies.
  down = new Set([WS_URL, B]);
  server.transports.at(-1)!.drop(new Error(`WebSocket closed ${WS_URL} (code: 1006)`));
  await timers.advance(500);
  await until(() => server.connects.length === 4, 'tried B');
  await until(() => timers.delays().length === 1, 'a retry is pending');
  assert.deepEqual(timers.delays(), [750], 'backoff round 1 after both failed');
  assert.deepEqual(
    states.map((s) => s.kind).filter((k) => k === 'registered'),
    ['registered', 'registered'],
  );
});

test('a fallback server over ws:// to another host is refused before any socket opens', async (t) => {
  const { server, sip, states } = connectionOverFakes();
  t.after(() => sip.stop());
  const session = agentSession(WS_URL);
  await sip.start({
    ...session,
    config: { ...session.config, sip: { ...session.config.sip, fallbackWsUrls: ['ws://sip-b.clearline.test/ws'] } },
  });
  const refused = states.at(-1);
  assert.equal(refused?.kind === 'failed' && refused.reason, 'insecure-transport');
  assert.deepEqual(server.connects, []);
});

test('a drop during a call: retried within 0.25–0.5 s (not the idle backoff), and the calls are told once registered again', async (t) => {
  const { server, timers, sip, failures, calls } = connectionOverFakes();
  t.after(() => sip.stop());
  await sip.start(SESSION);
  assert.equal(sip.state.kind, 'registered');
  assert.equal(calls.reconnected, 0, 'the first registration is no reconnect');

  calls.live = true;
  let refusals = 3;
  server.connectFailure = () => (refusals-- > 0 ? handshakeFailed() : null);
  server.transports.at(-1)!.drop(handshakeFailed());
  for (const delay of [375, 375, 375, 375]) {
    const failure = failures().at(-1);
    assert.equal(failure?.kind === 'failed' && failure.retryInMs, delay, 'the live-call backoff, capped at 0.5 s');
    await timers.advance(delay);
  }
  await until(() => sip.state.kind === 'registered', 'registered again');
  assert.equal(calls.reconnected, 1, 'the calls refresh their dialogs once');
  assert.deepEqual(timers.delays(), [KEEPALIVE_INTERVAL_MS], 'only the keep-alive watch');

  calls.live = false;
  server.connectFailure = handshakeFailed;
  server.transports.at(-1)!.drop(handshakeFailed());
  const idle = failures().at(-1);
  assert.equal(idle?.kind === 'failed' && idle.retryInMs, 750, 'without a call: the idle backoff again');
});

test('a reconnect attempt the browser never ends ("Connecting" for good) during a call: the next attempt abandons it on the SAME UserAgent, whose calls live on', async (t) => {
  const { server, timers, sip, calls } = connectionOverFakes();
  t.after(() => sip.stop());
  await sip.start(SESSION);
  const ua = sip.userAgent!;
  calls.live = true;
  server.hangConnects = true;
  server.transports.at(-1)!.drop(handshakeFailed());
  await timers.advance(375);
  await until(() => server.connects.length === 2, 'the reconnect opened a socket that hangs');
  assert.equal(ua.transport.state, TransportState.Connecting);

  server.hangConnects = false;
  await timers.advance(6000); // our connect timeout gives up waiting; the socket still hangs
  await until(() => timers.delays().length === 1, 'the next attempt is scheduled');
  assert.equal(ua.transport.state, TransportState.Connecting, 'the browser never closed it');
  await timers.advance(timers.delays()[0]!);
  await until(() => sip.state.kind === 'registered', 'registered again');
  assert.equal(sip.userAgent, ua, 'the same UserAgent: a new one would have ended the call (UserAgent.stop ends its sessions)');
  assert.equal(server.transports.length, 1, 'no second transport either');
  assert.equal(calls.reconnected, 1, 'the calls refresh their dialogs on the new connection');
});

test('the connection dies with a REGISTER unanswered: the next REGISTER goes out on the new connection at once, not 32 s later', async (t) => {
  const { server, timers, sip, calls } = connectionOverFakes();
  t.after(async () => {
    // stop() waits (3 s on the core's clock) for SIP.js to give up on the orphaned REGISTER.
    const stopping = sip.stop();
    await timers.advance(5000);
    await stopping;
  });
  let silent = false;
  server.script = (message, reply) => {
    if (message.startsWith('REGISTER ') && !silent) reply(registered(message));
  };
  await sip.start(SESSION);
  assert.equal(sip.state.kind, 'registered');

  // A refresh goes out and the path dies under it: SIP.js keeps that transaction for 64·T1.
  silent = true;
  sip.reconnectNow();
  await server.sent('REGISTER');
  const sentBefore = server.requests('REGISTER').length;
  server.transports.at(-1)!.drop(handshakeFailed());
  silent = false;
  await timers.advance(750);
  await until(() => sip.state.kind === 'registered', 'registered on the new connection');
  assert.ok(server.requests('REGISTER').length > sentBefore, 'a new REGISTER was sent');
  assert.equal(calls.reconnected, 1);
});
