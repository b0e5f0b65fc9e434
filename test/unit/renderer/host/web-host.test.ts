import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebHost, STORAGE_KEYS, type WebHostDeps } from '../../../../renderer/host/web-host.js';
import { DIAGNOSTICS_NEED_DESKTOP } from '../../../../renderer/state/diagnostics.js';
import { apiUrl, basicAuthorization } from '../../../../common/control-plane-client.js';
import type { StorageLike } from '../../../../renderer/host/validated-storage.js';
import { parseHostError, type HostErrorCode } from '../../../../common/contract/index.js';
import { spareTestPort } from '../../../support/port-registry.js';
import { CALL_HISTORY_LIMIT } from '../../../../common/call-history.js';
import { sampleNetworkReport } from '../../../support/network-report.js';

/**
 * The web host against a real HTTP server on loopback that answers like the control plane does —
 * and like a broken one does (401, garbage, wrong shape, 500) — plus a port nobody listens on.
 */

const PORT = spareTestPort('e2eUi', 401);
const CLOSED_PORT = spareTestPort('e2eUi', 402);
const base = `http://127.0.0.1:${PORT}`;

const config = {
  agent: { username: 'alice', displayName: 'Alice Agent' },
  sip: { wsUrl: 'ws://127.0.0.1:20080', domain: 'pbx.example', registerExpiresSec: 300 },
  controlPlaneUrl: base,
  numbers: { 'Echo test': '9196' },
};
let turnIssued = 0;
const seen: Array<{ url: string; authorization: string | undefined }> = [];

// Which Basic user gets which kind of answer.
function answer(req: IncomingMessage): { status: number; body: string; headers?: Record<string, string> } {
  const auth = req.headers.authorization ?? '';
  const [user, password] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
    .toString('utf8')
    .split(':');
  if (user === 'locked') return { status: 429, body: '{"error":"too many failed sign-ins"}', headers: { 'retry-after': '300' } };
  if (user === 'cleartext')
    return { status: 200, body: JSON.stringify({ ...config, sip: { ...config.sip, wsUrl: 'ws://sip.example.com/ws' } }) };
  if (password !== 's3crét' && user !== 'garbage' && user !== 'shape' && user !== 'broken') return { status: 401, body: '{}' };
  if (user === 'garbage') return { status: 200, body: '<html>proxy login</html>' };
  if (user === 'shape') return { status: 200, body: JSON.stringify({ ...config, sip: { ...config.sip, wsUrl: 'http://x' } }) };
  if (user === 'broken') return { status: 500, body: 'oops' };
  if (req.url === '/api/client-config') return { status: 200, body: JSON.stringify(config) };
  if (req.url === '/api/call-quality' && req.method === 'POST') return { status: 200, body: '{"stored":true}' };
  if (req.url === '/api/turn-credentials') {
    turnIssued += 1;
    return {
      status: 200,
      body: JSON.stringify({
        username: `${1000 + turnIssued}:alice`,
        password: `turn-${turnIssued}`,
        ttl: 600,
        uris: ['turn:127.0.0.1:3478'],
      }),
    };
  }
  return { status: 404, body: 'not found' };
}

let server: Server;
before(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const { status, body, headers } = answer(req);
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(status === 401 ? { 'www-authenticate': 'Basic realm="clearline"' } : {}),
      ...headers,
    });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(PORT, '127.0.0.1', resolve);
  });
  assert.equal((server.address() as AddressInfo).port, PORT);
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Rejections must have the desktop host's shape: name HostError, `[code] message`. */
async function rejectsWith(promise: Promise<unknown>, code: HostErrorCode, message: string | RegExp) {
  const error = await promise.then(
    () => assert.fail(`expected a [${code}] rejection`),
    (e: unknown) => e,
  );
  assert.equal((error as Error).name, 'HostError');
  const info = parseHostError(error);
  assert.equal(info?.code, code, String(error));
  if (typeof message === 'string') assert.equal(info?.message, message);
  else assert.match(info?.message ?? '', message);
}

class MemoryStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

function makeHost(origin = base, clock: Partial<Pick<WebHostDeps, 'timers' | 'now'>> = {}) {
  const local = new MemoryStorage();
  const session = new MemoryStorage();
  const lines: Array<[string, string]> = [];
  const opened: string[] = [];
  const record = (level: string) => (line: string) => lines.push([level, line]);
  const host = createWebHost({
    fetch: (input, init) => fetch(input, init),
    localStorage: local,
    sessionStorage: session,
    origin,
    version: '0.1.0',
    platform: 'test',
    console: { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') },
    openWindow: (url) => opened.push(url),
    ...clock,
  });
  return { host, local, session, lines, opened };
}

test(
  'sign-in fetches config and TURN credentials with Basic auth and keeps the session only in sessionStorage',
  { timeout: 10_000 },
  async () => {
    const { host, local, session } = makeHost();
    seen.length = 0;
    const result = await host.invoke('provisioning.signIn', { url: base, username: 'alice', password: 's3crét' });
    assert.equal(result.config.agent.displayName, 'Alice Agent');
    assert.equal(result.password, 's3crét');
    assert.equal(result.turn.ttl, 600);
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/api/client-config', '/api/turn-credentials'],
    );
    assert.equal(seen[0]?.authorization, basicAuthorization({ username: 'alice', password: 's3crét' }));
    assert.equal(Buffer.from(seen[0]!.authorization!.slice(6), 'base64').toString('utf8'), 'alice:s3crét');

    assert.equal((await host.invoke('provisioning.restore', undefined))?.config.agent.username, 'alice');
    assert.match(session.getItem(STORAGE_KEYS.session) ?? '', /s3crét/);
    for (const value of local.items.values()) assert.doesNotMatch(value, /s3crét/, 'no secret in localStorage');
    assert.deepEqual(await host.invoke('provisioning.defaults', undefined), { policyUrl: base, lastUsername: 'alice' });

    await host.invoke('provisioning.signOut', undefined);
    assert.equal(await host.invoke('provisioning.restore', undefined), null);
    assert.equal(session.getItem(STORAGE_KEYS.session), null);
  },
);

test('provisioning failures become sentences the agent can act on', { timeout: 15_000 }, async () => {
  const { host } = makeHost();
  const signIn = (username: string, password = 'nope', url = base) => host.invoke('provisioning.signIn', { url, username, password });
  await rejectsWith(signIn('alice', 'wrong'), 'unauthorized', 'Wrong username or password');
  await rejectsWith(signIn('garbage'), 'invalid-config', 'The server sent an invalid configuration (/api/client-config is not JSON)');
  await rejectsWith(
    signIn('shape'),
    'invalid-config',
    'The server sent an invalid configuration (/api/client-config: sip.wsUrl: sip.wsUrl must be a ws:// or wss:// URL)',
  );
  await rejectsWith(signIn('broken'), 'server-error', `The control plane at 127.0.0.1:${PORT} answered HTTP 500 for /api/client-config`);
  await rejectsWith(
    signIn('alice', 'x', `http://127.0.0.1:${CLOSED_PORT}`),
    'unreachable',
    `Cannot reach 127.0.0.1:${CLOSED_PORT} (ECONNREFUSED). Check the provisioning URL and your network or VPN connection.`,
  );
  await rejectsWith(signIn('alice', 'x', 'ftp://pbx.example'), 'invalid-request', /Provisioning URL must start with https:\/\//);
  await rejectsWith(signIn('alice', 'x', 'not a url'), 'invalid-request', /^provisioning\.signIn: url: /);
  await rejectsWith(
    signIn('locked'),
    'locked',
    /^Too many failed sign-ins for this account from this network: locked; try again in 300 s /,
  );
  await rejectsWith(
    signIn('cleartext'),
    'insecure-transport',
    /SIP WebSocket URL ws:\/\/sip\.example\.com is ws:\/\/ to sip\.example\.com/,
  );
  seen.length = 0;
  await rejectsWith(
    signIn('alice', 's3crét', 'http://pbx.example.com'),
    'insecure-transport',
    /provisioning URL http:\/\/pbx\.example\.com is http:\/\//,
  );
  assert.deepEqual(seen, [], 'the password was not sent');
  assert.equal(await host.invoke('provisioning.restore', undefined), null, 'a failed sign-in stores nothing');
});

test('the web host keeps TURN credentials fresh itself and pushes each new set to the page', { timeout: 10_000 }, async () => {
  let now = 1_000_000;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let nextHandle = 1;
  const timers = {
    setTimeout: (fn: () => void, ms: number) => (pending.set(nextHandle, { at: now + ms, fn }), nextHandle++),
    clearTimeout: (h: unknown) => void pending.delete(h as number),
  };
  const { host } = makeHost(base, { timers, now: () => now });
  await rejectsWith(host.invoke('turn.refresh', undefined), 'not-signed-in', /Not signed in/);
  const pushed: string[] = [];
  host.on('turn.credentials', (turn) => void pushed.push(turn.password));
  const first = await host.invoke('provisioning.signIn', { url: `${base}/`, username: 'alice', password: 's3crét' });
  assert.equal((await host.invoke('turn.refresh', undefined)).password, first.turn.password, 'fresh: answered from memory');
  const [handle, refresh] = [...pending][0] ?? assert.fail('a refresh is scheduled');
  assert.equal(refresh.at - now, 480_000, 'refresh at 80% of the 600 s ttl');
  pending.delete(handle);
  now = refresh.at;
  refresh.fn();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(pushed.length, 1, 'the new set was pushed');
  assert.notEqual(pushed[0], first.turn.password);
  assert.equal((await host.invoke('turn.refresh', undefined)).password, pushed[0]);
  assert.equal((await host.invoke('provisioning.restore', undefined))?.turn.password, pushed[0], 'the stored session carries it');
  await host.invoke('provisioning.signOut', undefined);
  assert.equal(pending.size, 0, 'sign-out stops the refresh');
});

test('settings and history persist in localStorage; corrupt or invalid data resets without a crash', async () => {
  const { host, local, lines } = makeHost();
  assert.deepEqual(await host.invoke('settings.get', undefined), { microphoneId: 'default', speakerId: 'default', ringerId: 'default' });
  assert.equal((await host.invoke('settings.set', { speakerId: 'spk-2' })).speakerId, 'spk-2');
  assert.equal((await host.invoke('settings.get', undefined)).speakerId, 'spk-2');

  local.setItem(STORAGE_KEYS.settings, '{not json');
  assert.equal((await host.invoke('settings.get', undefined)).speakerId, 'default');
  assert.equal(local.getItem(STORAGE_KEYS.settings), null, 'the corrupt entry is removed');
  assert.ok(lines.some(([level, line]) => level === 'warn' && line.includes(STORAGE_KEYS.settings)));

  const entry = (i: number) => ({
    id: `c${i}`,
    direction: 'outbound' as const,
    peer: '9196',
    startedAt: i,
    answeredAt: null,
    endedAt: i + 1,
    disposition: 'busy',
  });
  await rejectsWith(host.invoke('history.add', entry(0)), 'not-signed-in', /Not signed in/);
  assert.deepEqual(await host.invoke('history.list', undefined), []);
  await host.invoke('provisioning.signIn', { url: base, username: 'alice', password: 's3crét' });
  for (let i = 0; i < CALL_HISTORY_LIMIT + 3; i++) await host.invoke('history.add', entry(i));
  await host.invoke('history.add', { ...entry(CALL_HISTORY_LIMIT + 2), disposition: 'answered' });
  const history = await host.invoke('history.list', undefined);
  assert.equal(history.length, CALL_HISTORY_LIMIT);
  assert.equal(history[0]?.id, `c${CALL_HISTORY_LIMIT + 2}`);
  assert.equal(history[0]?.disposition, 'answered', 'a re-added call replaces its entry');

  const key = `${STORAGE_KEYS.history}:alice`;
  assert.ok(local.getItem(key), "kept under the agent's own key");
  local.setItem(key, JSON.stringify([{ id: '', direction: 'sideways' }]));
  assert.deepEqual(await host.invoke('history.list', undefined), []);
  assert.equal(local.getItem(key), null, 'the invalid history is removed');
  await rejectsWith(host.invoke('history.add', { ...entry(1), id: '' }), 'invalid-request', /^history\.add: id: /);
});

test('call history is per agent: another agent signing in on the same browser does not see it', { timeout: 10_000 }, async () => {
  const { host } = makeHost();
  const entry = {
    id: 'x1',
    direction: 'inbound' as const,
    peer: 'carol',
    startedAt: 1,
    answeredAt: 2,
    endedAt: 3,
    disposition: 'answered',
  };
  await host.invoke('provisioning.signIn', { url: base, username: 'alice', password: 's3crét' });
  await host.invoke('history.add', entry);
  await host.invoke('provisioning.signOut', undefined);
  assert.deepEqual(await host.invoke('history.list', undefined), [], 'nothing while signed out');
  await host.invoke('provisioning.signIn', { url: base, username: 'bob', password: 's3crét' });
  assert.deepEqual(await host.invoke('history.list', undefined), [], "bob sees none of alice's calls");
  await host.invoke('provisioning.signOut', undefined);
  await host.invoke('provisioning.signIn', { url: base, username: 'alice', password: 's3crét' });
  assert.deepEqual(
    (await host.invoke('history.list', undefined)).map((e) => e.id),
    ['x1'],
    'alice gets hers back',
  );
});

test('diagnostics say they need the desktop app; links only open for http(s); logs are redacted', async () => {
  const { host, lines, opened } = makeHost();
  await rejectsWith(host.invoke('diagnostics.run', { runId: 'r1' }), 'not-available', DIAGNOSTICS_NEED_DESKTOP);
  assert.match(DIAGNOSTICS_NEED_DESKTOP, /desktop app/);
  // No TLS insight in a tab: the calling core's in-page probe is all there is.
  assert.equal((await host.invoke('sip.probeEndpoint', { wsUrl: 'wss://pbx:443' })).result, 'not-run');
  await host.invoke('shell.openExternal', { url: 'https://help.example/turn' });
  await rejectsWith(host.invoke('shell.openExternal', { url: 'file:///etc/passwd' }), 'forbidden-url', /Only web links/);
  assert.deepEqual(opened, ['https://help.example/turn']);
  await host.invoke('log.write', { scope: 'sip', level: 'debug', message: 'Authorization: Digest response="abc123"' });
  assert.deepEqual(lines.at(-1), ['debug', '[sip] Authorization: Digest [redacted]']);
  assert.deepEqual(await host.invoke('app.info', undefined), {
    version: '0.1.0',
    platform: 'test',
    shell: 'web',
    passwordStorage: 'browser-session',
  });
});

test('browser network and lifecycle events become system.transition events', () => {
  const win = new EventTarget();
  const doc = new EventTarget();
  const host = createWebHost({
    fetch: (input, init) => fetch(input, init),
    localStorage: new MemoryStorage(),
    sessionStorage: new MemoryStorage(),
    origin: base,
    version: '0',
    platform: 'test',
    console,
    openWindow: () => {},
    networkEvents: win,
    lifecycleEvents: doc,
  });
  const kinds: string[] = [];
  const off = host.on('system.transition', (e) => kinds.push(e.kind));
  win.dispatchEvent(new Event('online'));
  doc.dispatchEvent(new Event('freeze'));
  doc.dispatchEvent(new Event('resume'));
  win.dispatchEvent(new Event('offline')); // going offline is not a transition the phone acts on
  win.dispatchEvent(pageShow(false)); // a first load: nothing to reconnect
  doc.dispatchEvent(new Event('visibilitychange')); // a tab shown again: its socket lived on
  win.dispatchEvent(pageShow(true)); // restored from the back/forward cache: its socket was closed
  off();
  win.dispatchEvent(new Event('online'));
  win.dispatchEvent(pageShow(true));
  assert.deepEqual(kinds, ['network-changed', 'suspend', 'resume', 'resume']);
});

/** Node has no PageTransitionEvent: an Event carrying `persisted`, as the browser's does. */
function pageShow(persisted: boolean): Event {
  return Object.assign(new Event('pageshow'), { persisted });
}

test('a page not served over http(s) proposes no provisioning URL', async () => {
  const { host } = makeHost('null');
  assert.equal((await host.invoke('provisioning.defaults', undefined)).policyUrl, null);
});

test('API paths keep the prefix the control plane is mounted under', () => {
  assert.equal(apiUrl('https://pbx.example', 'client-config').href, 'https://pbx.example/api/client-config');
  assert.equal(apiUrl('https://pbx.example/clearline', 'client-config').href, 'https://pbx.example/clearline/api/client-config');
  assert.equal(
    apiUrl('https://pbx.example/clearline/?x=1#y', 'turn-credentials').href,
    'https://pbx.example/clearline/api/turn-credentials',
  );
});

test(
  'quality.sendReport posts the summary as the signed-in agent; signed out or malformed it is refused without a request',
  { timeout: 10_000 },
  async () => {
    const { host } = makeHost();
    const report = {
      callId: 'abc@127.0.0.1',
      final: false,
      codec: 'opus/48000',
      samples: 5,
      mosLatest: 3.2,
      mosAverage: 3.5,
      mosMin: 3.1,
      lossPercentAverage: 4,
      lossPercentMax: 6,
      rttMsAverage: 2,
      jitterMsAverage: 3,
      warnings: ['loss' as const],
      oneWay: null,
    };
    seen.length = 0;
    await rejectsWith(
      host.invoke('quality.sendReport', report),
      'not-signed-in',
      /sign in first: a quality summary is sent as the signed-in agent/,
    );
    await host.invoke('provisioning.signIn', { url: base, username: 'alice', password: 's3crét' });
    seen.length = 0;
    assert.deepEqual(await host.invoke('quality.sendReport', report), { stored: true });
    await rejectsWith(host.invoke('quality.sendReport', { ...report, mosLatest: 7 }), 'invalid-request', /mosLatest/);
    assert.deepEqual(seen, [{ url: '/api/call-quality', authorization: basicAuthorization({ username: 'alice', password: 's3crét' }) }]);
  },
);

test(
  'the last network test is kept per agent (before sign-in per provisioning URL), with no secret, and read back through the schema',
  { timeout: 10_000 },
  async () => {
    const { host, local } = makeHost();
    const before = sampleNetworkReport({ runId: 'before', agent: null, phase: 'before-sign-in', provisioningUrl: base });
    assert.equal(await host.invoke('diagnostics.lastReport', { provisioningUrl: base }), null);
    await host.invoke('diagnostics.keepReport', before);
    assert.deepEqual(await host.invoke('diagnostics.lastReport', { provisioningUrl: base }), before);
    assert.equal(
      await host.invoke('diagnostics.lastReport', { provisioningUrl: 'https://other.example.com' }),
      null,
      'another URL, another result',
    );

    await host.invoke('provisioning.signIn', { url: base, username: 'alice', password: 's3crét' });
    assert.equal(await host.invoke('diagnostics.lastReport', { provisioningUrl: base }), null, "alice's own, not the anonymous one");
    const alices = sampleNetworkReport({ runId: 'alice-1', provisioningUrl: base });
    await host.invoke('diagnostics.keepReport', alices);
    assert.deepEqual(await host.invoke('diagnostics.lastReport', { provisioningUrl: base }), alices);
    await rejectsWith(host.invoke('diagnostics.keepReport', { ...alices, version: 2 }), 'invalid-request', /report version 2/);
    await host.invoke('provisioning.signOut', undefined);
    await host.invoke('provisioning.signIn', { url: base, username: 'bob', password: 's3crét' });
    assert.equal(await host.invoke('diagnostics.lastReport', { provisioningUrl: base }), null, "bob does not see alice's");

    const stored = [...local.items].filter(([key]) => key.startsWith(STORAGE_KEYS.networkReport));
    assert.deepEqual(stored.map(([key]) => key).sort(), [
      `${STORAGE_KEYS.networkReport}:${base}/ `,
      `${STORAGE_KEYS.networkReport}:${base}/ alice`,
    ]);
    assert.ok(
      stored.every(([, value]) => !value.includes('s3crét')),
      'no password in what is kept',
    );
    local.items.set(`${STORAGE_KEYS.networkReport}:${base}/ bob`, '{"kind":"clearline.network-report","steps":7}');
    assert.equal(await host.invoke('diagnostics.lastReport', { provisioningUrl: base }), null, 'a tampered entry is dropped, not shown');
  },
);
