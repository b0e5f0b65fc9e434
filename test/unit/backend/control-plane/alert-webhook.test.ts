/**
 * The alert webhook against a real HTTP receiver on loopback: the documented payload arrives;
 * 5xx and timeouts are retried up to the attempt limit, a 4xx is not; redirects are not followed;
 * the queue is bounded; and no log line carries the URL's path or query, where its secret is.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AlertWebhook,
  alertPayload,
  MAX_QUEUED,
  parseAlertWebhookUrl,
  signAlertPayload,
  type AlertWebhookPolicy,
} from '../../../../backend/control-plane/alert-webhook.js';
import type { QualityAlert } from '../../../../backend/control-plane/quality-alert-store.js';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../../../common/quality/quality-thresholds.js';

const SECRET = 'T0KEN-s3cret-in-path';
const SIGNING_KEY = 'signing-key-0123456789abcdef0123456789';
const FAST: AlertWebhookPolicy = { timeoutMs: 300, attempts: 3, backoff: { baseMs: 10, maxMs: 20 } };
const alert = (id: number): QualityAlert => ({
  id,
  at: 1_800_000_000_000,
  kind: 'call',
  agent: 'ann',
  callId: `c${id}@test`,
  crossed: [{ metric: 'mos', value: 2.1, threshold: 3.5 }],
});

let server: Server;
let base: string;
/** What the receiver does with the next requests, in order (then 204). */
let script: Array<(res: ServerResponse) => void> = [];
const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      (script.shift() ?? ((r) => r.writeHead(204).end()))(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function hook() {
  const logs: string[] = [];
  received.length = 0;
  const url = parseAlertWebhookUrl(`${base}/hooks/${SECRET}?key=${SECRET}`);
  return { logs, webhook: new AlertWebhook(url, SIGNING_KEY, DEFAULT_QUALITY_THRESHOLDS, (l) => logs.push(l), FAST) };
}

/** What backend/README.md tells a receiver to do, written from the README, not from the sender's code. */
function receiverAccepts(headers: IncomingMessage['headers'], rawBody: string, key: string, nowSec: number): boolean {
  const timestamp = String(headers['x-clearline-timestamp'] ?? '');
  const signature = String(headers['x-clearline-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', key).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

test('each delivery is signed: HMAC-SHA256 over "<timestamp>.<raw body>"; a changed body, timestamp or key, or a stale replay, fails', async () => {
  const { webhook } = hook();
  const before = Math.floor(Date.now() / 1000);
  webhook.send(alert(3));
  await webhook.idle();
  const { headers, body } = received[0]!;
  const t = Number(headers['x-clearline-timestamp']);
  assert.ok(t >= before && t <= Math.floor(Date.now() / 1000), `timestamp ${t} is the send time`);
  assert.match(String(headers['x-clearline-signature']), /^sha256=[0-9a-f]{64}$/);
  assert.equal(receiverAccepts(headers, body, SIGNING_KEY, t), true);
  assert.equal(receiverAccepts(headers, body.replace('"ann"', '"bob"'), SIGNING_KEY, t), false, 'a changed body');
  assert.equal(receiverAccepts({ ...headers, 'x-clearline-timestamp': String(t + 1) }, body, SIGNING_KEY, t), false, 'a changed timestamp');
  assert.equal(receiverAccepts(headers, body, 'another-key-0123456789abcdef01234567', t), false, 'another key');
  assert.equal(receiverAccepts(headers, body, SIGNING_KEY, t + 301), false, 'replayed 5 minutes later');
  // A fixed vector, so the format cannot drift unnoticed: HMAC-SHA256("k", "1700000000.{}").
  assert.deepEqual(signAlertPayload('k', 1_700_000_000, '{}'), {
    'x-clearline-timestamp': '1700000000',
    'x-clearline-signature': `sha256=${createHmac('sha256', 'k').update('1700000000.{}').digest('hex')}`,
  });
});

test('the documented JSON payload arrives at the URL, path and query included', async () => {
  const { logs, webhook } = hook();
  webhook.send(alert(7));
  await webhook.idle();
  assert.equal(received.length, 1);
  assert.equal(received[0]!.path, `/hooks/${SECRET}?key=${SECRET}`);
  assert.equal(received[0]!.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(received[0]!.body), {
    source: 'clearline',
    type: 'call-quality-alert',
    version: 1,
    alert: {
      id: 7,
      at: '2027-01-15T08:00:00.000Z',
      kind: 'call',
      agent: 'ann',
      callId: 'c7@test',
      crossed: [{ metric: 'mos', value: 2.1, threshold: 3.5 }],
    },
    thresholds: { rttMs: 400, jitterMs: 30, lossPercent: 1, mos: 3.5 },
  });
  assert.deepEqual(logs, []);
});

test('an agent alert names its calls and the window', () => {
  const body = alertPayload({ id: 3, at: 0, kind: 'agent', agent: 'ben', calls: ['a', 'b', 'c'] }, DEFAULT_QUALITY_THRESHOLDS);
  assert.deepEqual(body.alert, {
    id: 3,
    at: '1970-01-01T00:00:00.000Z',
    kind: 'agent',
    agent: 'ben',
    calls: ['a', 'b', 'c'],
    windowMinutes: 60,
  });
});

test('5xx is retried and then delivered', async () => {
  const { logs, webhook } = hook();
  script = [(r) => r.writeHead(503).end(), (r) => r.writeHead(500).end()];
  webhook.send(alert(1));
  await webhook.idle();
  assert.equal(received.length, 3, 'two failures, then 204');
  assert.ok(received.every((r) => JSON.parse(r.body).alert.id === 1));
  assert.deepEqual(logs, []);
});

test('gives up after the attempt limit (timeouts), and the log names only scheme://host:port', async () => {
  const { logs, webhook } = hook();
  const hang = () => {}; // never answers: the attempt times out
  script = [hang, hang, hang];
  webhook.send(alert(2));
  await webhook.idle();
  assert.equal(received.length, 3, 'exactly `attempts` attempts');
  assert.deepEqual(logs, [`alert webhook ${base}: alert 2 not delivered after 3 attempts (no answer within 300 ms)`]);
  assert.ok(!logs.join('\n').includes(SECRET));
});

test('a 4xx is not retried; a redirect is not followed', async () => {
  const { logs, webhook } = hook();
  script = [(r) => r.writeHead(400).end(), (r) => r.writeHead(302, { location: `${base}/elsewhere` }).end()];
  webhook.send(alert(3));
  webhook.send(alert(4));
  await webhook.idle();
  assert.deepEqual(
    received.map((r) => r.path),
    [`/hooks/${SECRET}?key=${SECRET}`, `/hooks/${SECRET}?key=${SECRET}`],
    'one attempt each, nothing sent to /elsewhere',
  );
  assert.deepEqual(logs, [
    `alert webhook ${base}: alert 3 not delivered after 1 attempts (HTTP 400)`,
    `alert webhook ${base}: alert 4 not delivered after 1 attempts (HTTP 302)`,
  ]);
});

test(`a receiver that is down: at most ${MAX_QUEUED} alerts wait, the rest are dropped and counted in the log`, async () => {
  const { logs, webhook } = hook();
  const hang = () => {};
  script = [hang, hang, hang];
  for (let i = 0; i < MAX_QUEUED + 6; i++) webhook.send(alert(100 + i));
  // The first is in flight (and times out 3 times); of the MAX_QUEUED + 5 queued behind it, 5 were dropped.
  await webhook.idle();
  assert.equal(logs[1], `alert webhook ${base}: 5 alerts dropped, the receiver is too slow or down`);
  assert.equal(received.length, 3 + MAX_QUEUED, 'the first (3 attempts) and the MAX_QUEUED that waited');
  assert.equal(JSON.parse(received.at(-1)!.body).alert.id, 100 + MAX_QUEUED + 5, 'the newest kept');
});

test('the URL: https, or http to loopback only; no user:password; the error never repeats the URL', () => {
  assert.equal(parseAlertWebhookUrl('https://hooks.example/x').host, 'hooks.example');
  assert.equal(parseAlertWebhookUrl('http://127.0.0.1:9/x').port, '9');
  assert.equal(parseAlertWebhookUrl('http://[::1]:9/x').hostname, '[::1]');
  for (const [raw, why] of [
    ['http://hooks.example/abc', /https:\/\/ \(plain http:\/\/ only to a loopback receiver/],
    ['ftp://127.0.0.1/abc', /must be https/],
    ['https://user:pw@hooks.example/abc', /must not carry user:password/],
    ['not a url abc', /absolute URL/],
  ] as const) {
    assert.throws(
      () => parseAlertWebhookUrl(raw),
      (e: Error) => why.test(e.message) && !e.message.includes('abc'),
      raw,
    );
  }
});
