import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { invokeChannels } from '../../../common/contract/index.js';
import { AGENT, startControlPlaneFixture, type ControlPlaneFixture } from './fakes/control-plane.js';

/**
 * The real composition root (main/index.ts, bundled the way build:electron bundles it) started in
 * plain Node against a recording stand-in for the `electron` module: proves the wiring — scheme
 * privileges, IPC channels, window preferences, protocol + CSP, permissions, navigation guard,
 * power events, policy, CSP reload after sign-in — that the pure unit tests cannot see. The real
 * Electron run is test/electron (skipped where the binary is missing).
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FAKE_ELECTRON = join(ROOT, 'test/unit/main/fakes/fake-electron.cjs');

interface FakeWebContents {
  id: number;
  sent: Array<[string, unknown]>;
  reloads: number;
  windowOpenHandler: (d: { url: string }) => { action: string };
  emit(event: string, ...args: unknown[]): boolean;
}
interface FakeState {
  privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean> }>;
  protocolHandlers: Map<string, (r: Request) => Promise<Response>>;
  ipcHandlers: Map<string, (event: unknown, request: unknown) => Promise<unknown>>;
  ipcListeners: Map<string, unknown>;
  windows: Array<{ options: { webPreferences: Record<string, unknown> }; loadedUrl: string; webContents: FakeWebContents }>;
  permissionRequestHandler: (wc: unknown, permission: string, cb: (granted: boolean) => void, details: unknown) => void;
  permissionCheckHandler: (wc: unknown, permission: string, origin: string, details: unknown) => boolean;
  openedExternally: string[];
  paths: Record<string, string>;
}

describe('composition root (main/index.ts) wired against a recording electron', () => {
  let work: string;
  let userData: string;
  let plane: ControlPlaneFixture;
  let fake: FakeState;
  let window: FakeState['windows'][number];

  const frameOf = (url: string, isMainFrame = true) => ({
    url,
    parent: isMainFrame ? null : {},
    isDestroyed: () => false,
    send: (channel: string, payload: unknown) => window.webContents.sent.push([channel, payload]),
  });
  const invoke = (channel: string, request?: unknown, sender = window.webContents, frame = frameOf('app://clearline/index.html')) =>
    fake.ipcHandlers.get(channel)!({ sender, senderFrame: frame }, request) as Promise<{
      ok: boolean;
      value?: any;
      error?: { code: string };
    }>;

  before(async () => {
    plane = await startControlPlaneFixture();
    // Under node_modules/ so the bundle's external packages (electron-log, zod, …) resolve.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    work = mkdtempSync(join(cache, 'clearline-composition-'));
    userData = join(work, 'user-data');
    mkdirSync(join(work, 'dist', 'renderer'), { recursive: true });
    writeFileSync(join(work, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Clearline</title>');
    const policyFile = join(work, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ provisioningURL: plane.url }));

    // Every `electron` — our ESM import and the CJS requires inside electron-log/electron-updater —
    // must be the same fake instance.
    const resolve = (Module as unknown as { _resolveFilename: (r: string, ...a: unknown[]) => string })._resolveFilename;
    (Module as unknown as { _resolveFilename: unknown })._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
      return resolve.call(this, request === 'electron' ? FAKE_ELECTRON : request, ...rest);
    };
    await build({
      entryPoints: [join(ROOT, 'main', 'index.ts')],
      outfile: join(work, 'dist', 'main', 'index.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'error',
      plugins: [
        { name: 'fake-electron', setup: (b) => b.onResolve({ filter: /^electron$/ }, () => ({ path: FAKE_ELECTRON, external: true })) },
      ],
    });
    // A returning agent whose saved password was torn (disk full mid-write): start-up must still
    // reach the window and the sign-in form.
    mkdirSync(userData, { recursive: true });
    writeFileSync(join(userData, 'account.json'), JSON.stringify({ url: plane.url, username: AGENT.username, config: null }));
    writeFileSync(join(userData, 'secrets.json'), '{"provisioning.password": "AAAA', { mode: 0o600 });
    process.env['CLEARLINE_USER_DATA_DIR'] = userData;
    process.env['CLEARLINE_POLICY_FILE'] = policyFile;
    await import(pathToFileURL(join(work, 'dist', 'main', 'index.js')).href);
    fake = (globalThis as unknown as { __fakeElectron: FakeState }).__fakeElectron;
    for (let i = 0; i < 100 && fake.windows.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    window = fake.windows[0]!;
    assert.ok(window, 'the app opened its window');
  });

  after(async () => {
    const { app } = (await import(FAKE_ELECTRON)).default as { app: { emit(e: string): void } };
    app.emit('before-quit');
    await plane.close();
    rmSync(work, { recursive: true, force: true }); // holds userData too
  });

  test('app:// is registered as a standard, secure scheme before ready', () => {
    const app = fake.privilegedSchemes.find((s) => s.scheme === 'app');
    assert.ok(app);
    assert.equal(app.privileges['standard'], true);
    assert.equal(app.privileges['secure'], true);
  });

  test("exactly the contract channels are handled; electron-log's own channel is closed", () => {
    assert.deepEqual([...fake.ipcHandlers.keys()].sort(), Object.keys(invokeChannels).sort());
    assert.equal(fake.ipcListeners.has('__ELECTRON_LOG__'), false);
  });

  test('the window: secure preferences, our bundled preload, the app:// entry page, userData override', () => {
    const prefs = window.options.webPreferences;
    assert.equal(prefs['contextIsolation'], true);
    assert.equal(prefs['sandbox'], true);
    assert.equal(prefs['nodeIntegration'], false);
    assert.equal(prefs['preload'], join(work, 'dist', 'preload', 'index.cjs'));
    assert.equal(window.loadedUrl, 'app://clearline/index.html');
    assert.equal(fake.paths['userData'], userData);
  });

  test('a policy typo is logged naming the key, and the app still started', () => {
    const log = readFileSync(join(userData, 'logs', 'main.log'), 'utf8');
    assert.match(log, /enterprise policy: .*unknown key "provisioningURL"/);
  });

  test('a damaged secrets file at start-up: the window opened, restore says why, the form is pre-filled', async () => {
    const restored = await invoke('provisioning.restore');
    assert.equal(restored.error?.code, 'secret-unreadable', JSON.stringify(restored));
    assert.deepEqual((await invoke('provisioning.defaults')).value, { policyUrl: null, lastUsername: AGENT.username });
  });

  test('safeStorage on basic_text: the agent is told the password is obfuscated only, and the log says so', async () => {
    assert.equal((await invoke('app.info')).value?.passwordStorage, 'obfuscated');
    const log = readFileSync(join(userData, 'logs', 'main.log'), 'utf8');
    assert.match(log, /no OS keyring for the saved password \(safeStorage backend: basic_text\): it is obfuscated only/);
  });

  test('IPC: our window answers; another webContents, a subframe, another origin are refused', async () => {
    assert.deepEqual(await invoke('app.info'), {
      ok: true,
      value: { version: '0.1.0', platform: process.platform, shell: 'electron', passwordStorage: 'obfuscated' },
    });
    const stranger = { ...window.webContents, id: 999 } as FakeWebContents;
    assert.equal((await invoke('app.info', undefined, stranger)).error?.code, 'forbidden-sender');
    assert.equal(
      (await invoke('app.info', undefined, window.webContents, frameOf('app://clearline/index.html', false))).error?.code,
      'forbidden-sender',
    );
    assert.equal(
      (await invoke('app.info', undefined, window.webContents, frameOf('https://evil.example/'))).error?.code,
      'forbidden-sender',
    );
    assert.equal((await invoke('settings.set', { ringerId: 7 })).error?.code, 'invalid-request');
  });

  test('app:// serves the renderer with a CSP; sign-in widens connect-src and reloads the window once', async () => {
    const serve = fake.protocolHandlers.get('app')!;
    const before = (await serve(new Request('app://clearline/index.html'))).headers.get('content-security-policy') ?? '';
    assert.match(before, /connect-src 'self'(;|$)/);
    const signedIn = await invoke('provisioning.signIn', { url: plane.url, ...AGENT });
    assert.equal(signedIn.ok, true, JSON.stringify(signedIn));
    await new Promise((r) => setImmediate(r));
    assert.equal(window.webContents.reloads, 1);
    const afterSignIn = (await serve(new Request('app://clearline/index.html'))).headers.get('content-security-policy') ?? '';
    assert.ok(afterSignIn.includes(plane.origin), afterSignIn);
    assert.doesNotMatch(readFileSync(join(userData, 'secrets.json'), 'utf8'), new RegExp(AGENT.password), 'safeStorage sealed it');
  });

  test('permissions: microphone and speaker selection for our page only', () => {
    const request = (permission: string, details: object) =>
      new Promise<boolean>((resolve) => fake.permissionRequestHandler(window.webContents, permission, resolve, details));
    const own = { requestingUrl: 'app://clearline/index.html', isMainFrame: true };
    return Promise.all([
      request('media', { ...own, mediaTypes: ['audio'] }).then((g) => assert.equal(g, true)),
      request('media', { ...own, mediaTypes: ['video'] }).then((g) => assert.equal(g, false)),
      request('notifications', own).then((g) => assert.equal(g, false)),
      request('media', { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['audio'] }).then((g) =>
        assert.equal(g, false),
      ),
    ]).then(() => {
      assert.equal(
        fake.permissionCheckHandler(window.webContents, 'media', 'app://clearline', { isMainFrame: true, mediaType: 'audio' }),
        true,
      );
      assert.equal(
        fake.permissionCheckHandler(window.webContents, 'media', 'app://clearline', { isMainFrame: true, mediaType: 'video' }),
        false,
      );
    });
  });

  test('navigation away is stopped and web links go to the system browser; window.open is denied', () => {
    let prevented = 0;
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented += 1) }, 'https://help.example.com/kb');
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented += 1) }, 'file:///etc/passwd');
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented += 1) }, 'app://clearline/index.html#/settings');
    assert.equal(prevented, 2);
    assert.deepEqual(window.webContents.windowOpenHandler({ url: 'https://help.example.com/new' }), { action: 'deny' });
    assert.deepEqual(fake.openedExternally, ['https://help.example.com/kb', 'https://help.example.com/new']);
  });

  test('sleep and wake reach the window as system.transition events', async () => {
    const { powerMonitor } = (await import(FAKE_ELECTRON)).default as { powerMonitor: { emit(e: string): void } };
    window.webContents.sent.length = 0;
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    assert.deepEqual(window.webContents.sent, [
      ['system.transition', { kind: 'suspend' }],
      ['system.transition', { kind: 'resume' }],
    ]);
  });
});
