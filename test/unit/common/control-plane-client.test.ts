import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiUrl, ControlPlaneError, fetchClientConfig, fetchTurnCredentials } from '../../../common/control-plane-client.js';
import { HostError } from '../../../common/host-error.js';
import { AGENT, sampleConfig, startControlPlaneFixture, type ControlPlaneFixture } from '../main/fakes/control-plane.js';

let plane: ControlPlaneFixture;
before(async () => {
  plane = await startControlPlaneFixture();
});
after(() => plane.close());

const account = () => ({ url: plane.url, ...AGENT });
const rejectsWith = (code: string, message: RegExp) => (error: unknown) =>
  error instanceof HostError && error.code === code && message.test(error.message);

test('apiUrl joins base paths and strips query/fragment', () => {
  assert.equal(apiUrl('https://cp.example', 'client-config').href, 'https://cp.example/api/client-config');
  assert.equal(apiUrl('https://cp.example/tenant-a/', 'turn-credentials').href, 'https://cp.example/tenant-a/api/turn-credentials');
  assert.equal(apiUrl('https://cp.example/x?y=1#z', 'client-config').href, 'https://cp.example/x/api/client-config');
});

test('valid credentials: config and TURN credentials parsed, Basic auth sent', { timeout: 5_000 }, async () => {
  plane.requests.length = 0;
  assert.deepEqual(await fetchClientConfig(fetch, account()), sampleConfig(plane.url));
  const turn = await fetchTurnCredentials(fetch, account());
  assert.equal(turn.ttl, 600);
  assert.deepEqual(plane.requests, [
    { path: '/api/client-config', authorized: true },
    { path: '/api/turn-credentials', authorized: true },
  ]);
});

test('401 → "Wrong username or password"', { timeout: 5_000 }, async () => {
  await assert.rejects(
    fetchClientConfig(fetch, { ...account(), password: 'wrong' }),
    rejectsWith('unauthorized', /^Wrong username or password$/),
  );
});

test('unreachable host → "Cannot reach <host>"', { timeout: 5_000 }, async () => {
  // A port nothing listens on: connection refused on loopback.
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  await assert.rejects(
    fetchClientConfig(fetch, { ...account(), url: `http://127.0.0.1:${port}` }),
    rejectsWith('unreachable', new RegExp(`^Cannot reach 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)\\. Check the provisioning URL`)),
  );
});

test('non-JSON body → "The server sent an invalid configuration"', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 200, body: '<html>login portal</html>' });
  t.after(() => plane.override.clear());
  await assert.rejects(
    fetchClientConfig(fetch, account()),
    rejectsWith('invalid-config', /^The server sent an invalid configuration \(\/api\/client-config is not JSON\)$/),
  );
});

test('schema-invalid JSON names the bad field', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/turn-credentials', {
    status: 200,
    body: JSON.stringify({ username: 'u', password: 'p', ttl: -5, uris: ['http://x'] }),
  });
  t.after(() => plane.override.clear());
  await assert.rejects(fetchTurnCredentials(fetch, account()), rejectsWith('invalid-config', /\(\/api\/turn-credentials: ttl: Too small/));
});

test('other HTTP errors are reported with their status', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 503, body: '{}' });
  t.after(() => plane.override.clear());
  await assert.rejects(fetchClientConfig(fetch, account()), rejectsWith('server-error', /answered HTTP 503/));
});

test('429 + Retry-After → locked with the wait, never "wrong password"', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 429, body: '{"error":"too many"}', headers: { 'retry-after': '120' } });
  t.after(() => plane.override.clear());
  await assert.rejects(
    fetchClientConfig(fetch, account()),
    rejectsWith('locked', /^Too many failed sign-ins for this account from this network: locked; try again in 120 s /),
  );
});

test('403 (account disabled) → says so and sends the agent to the administrator, not "wrong password"', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 403, body: '{"error":"account disabled"}' });
  t.after(() => plane.override.clear());
  await assert.rejects(
    fetchClientConfig(fetch, account()),
    rejectsWith('unauthorized', /^this account is disabled: ask your administrator/),
  );
});

test('http:// to another host is refused before the password is sent', { timeout: 5_000 }, async () => {
  const sent: string[] = [];
  const spy = async (url: string) => {
    sent.push(url);
    return new Response('{}');
  };
  await assert.rejects(
    fetchClientConfig(spy, { ...account(), url: 'http://pbx.example.com:8080' }),
    rejectsWith('insecure-transport', /provisioning URL http:\/\/pbx\.example\.com:8080 is http:\/\/ to pbx\.example\.com/),
  );
  assert.deepEqual(sent, [], 'no request left the machine');
});

test('a configuration that puts SIP on ws:// to another host is refused', { timeout: 5_000 }, async (t) => {
  const config = sampleConfig(plane.url);
  plane.override.set('/api/client-config', {
    status: 200,
    body: JSON.stringify({ ...config, sip: { ...config.sip, wsUrl: 'ws://sip.example.com:8088/ws' } }),
  });
  t.after(() => plane.override.clear());
  await assert.rejects(
    fetchClientConfig(fetch, account()),
    rejectsWith('insecure-transport', /SIP WebSocket URL ws:\/\/sip\.example\.com:8088/),
  );
});

test('one vocabulary: every failure carries a host error code for the apps and a fix for the CLI', { timeout: 5_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 403, body: '{}' });
  t.after(() => plane.override.clear());
  await assert.rejects(fetchClientConfig(fetch, account()), (error: unknown) => {
    assert.ok(error instanceof ControlPlaneError && error instanceof HostError);
    assert.equal(error.code, 'unauthorized');
    assert.match(error.fix, /administrator must enable the agent/);
    return true;
  });
});
