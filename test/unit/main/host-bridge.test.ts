import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { installHostBridge, type HostBridge } from '../../support/host-bridge.js';
import { AGENT, startControlPlaneFixture, type ControlPlaneFixture } from './fakes/control-plane.js';

const CHROMIUM = '/usr/bin/chromium';

/** Runs `window.clearline.invoke` in a frame; returns the value or the rejection's message. */
type InvokeOutcome = { value?: any; error?: string; name?: string };
const invokeIn = (frame: Page | Frame, channel: string, request?: unknown): Promise<InvokeOutcome> =>
  frame.evaluate(
    async ([ch, req]) => {
      try {
        return { value: await (window as any).clearline.invoke(ch, req) };
      } catch (error) {
        return { error: (error as Error).message, name: (error as Error).name };
      }
    },
    [channel, request] as const,
  );

describe(
  'test/support/host-bridge: real handlers served to Chromium',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} missing (apt install chromium)` },
  () => {
    let plane: ControlPlaneFixture;
    let browser: Browser;
    let context: BrowserContext;
    let bridge: HostBridge;
    let dataDir: string;
    let page: Page;

    before(async () => {
      plane = await startControlPlaneFixture({
        '/': '<!doctype html><title>app</title><iframe src="/frame"></iframe>',
        '/frame': '<!doctype html><title>frame</title>',
      });
      dataDir = mkdtempSync(join(tmpdir(), 'clearline-bridge-'));
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
      context = await browser.newContext();
      bridge = await installHostBridge(context, { origin: plane.origin, dataDir, policyUrl: plane.url });
      page = await context.newPage();
      await page.goto(`${plane.url}/`);
      await page.frameLocator('iframe').locator('title').waitFor({ state: 'attached' });
    });
    after(async () => {
      await bridge?.dispose();
      await browser?.close();
      await plane?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('app.info and provisioning.defaults answer from the handlers', { timeout: 10_000 }, async () => {
      assert.deepEqual((await invokeIn(page, 'app.info')).value, {
        version: '0.0.0-test',
        platform: process.platform,
        shell: 'web',
        passwordStorage: 'plain-file',
      });
      assert.deepEqual((await invokeIn(page, 'provisioning.defaults')).value, { policyUrl: plane.url, lastUsername: null });
    });

    test('sign-in: wrong password → [unauthorized]; right one → session, remembered', { timeout: 10_000 }, async () => {
      const bad = await invokeIn(page, 'provisioning.signIn', { url: plane.url, username: AGENT.username, password: 'nope' });
      assert.equal(bad.error, '[unauthorized] Wrong username or password');
      assert.equal(bad.name, 'HostError');
      const good = await invokeIn(page, 'provisioning.signIn', { url: plane.url, ...AGENT });
      assert.equal(good.value.config.agent.username, 'alice');
      assert.equal(good.value.turn.password, 'turn-pass-1');
      assert.deepEqual((await invokeIn(page, 'provisioning.defaults')).value, { policyUrl: plane.url, lastUsername: 'alice' });
      const secretFile = join(dataDir, 'secrets.json');
      assert.equal(statSync(secretFile).mode & 0o777, 0o600);
      // The password went to the control plane and the secret file, never to the log.
      assert.doesNotMatch(readFileSync(join(dataDir, 'logs', 'main.log'), 'utf8'), /s3cret-pass/);
    });

    test('settings persist in dataDir', { timeout: 10_000 }, async () => {
      const set = await invokeIn(page, 'settings.set', { microphoneId: 'mic-2' });
      assert.deepEqual(set.value, { microphoneId: 'mic-2', speakerId: 'default', ringerId: 'default' });
      assert.equal(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).microphoneId, 'mic-2');
    });

    test('a malformed argument is refused with [invalid-request] naming the field', { timeout: 10_000 }, async () => {
      const r = await invokeIn(page, 'settings.set', { microphoneId: 42 });
      assert.match(r.error ?? '', /^\[invalid-request\] settings\.set: microphoneId: /);
    });

    test('a subframe of our own origin is refused', { timeout: 10_000 }, async () => {
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the test page has an iframe');
      const r = await invokeIn(frame, 'settings.get');
      assert.equal(r.error, '[forbidden-sender] call refused: subframes may not call the host');
    });

    test('a top-level page of another origin is refused', { timeout: 10_000 }, async () => {
      const other = await context.newPage();
      try {
        await other.goto(plane.url.replace('127.0.0.1', 'localhost') + '/frame');
        const r = await invokeIn(other, 'settings.get');
        assert.match(r.error ?? '', /^\[forbidden-sender\] call refused: origin of http:\/\/localhost:\d+\/frame is not/);
      } finally {
        await other.close();
      }
    });

    test('events reach listeners registered with on(); unsubscribe stops them; other origins get none', { timeout: 10_000 }, async () => {
      const other = await context.newPage();
      await other.goto(plane.url.replace('127.0.0.1', 'localhost') + '/frame');
      await other.evaluate(() => {
        const seen: unknown[] = ((window as any).seen = []);
        (window as any).clearline.on('system.transition', (e: unknown) => seen.push(e));
      });
      await page.evaluate(() => {
        const seen: unknown[] = ((window as any).seen = []);
        (window as any).off = (window as any).clearline.on('system.transition', (e: unknown) => seen.push(e));
      });
      await bridge.emit('system.transition', { kind: 'resume' });
      await page.evaluate(() => (window as any).off());
      await bridge.emit('system.transition', { kind: 'suspend' });
      assert.deepEqual(await page.evaluate(() => (window as any).seen), [{ kind: 'resume' }]);
      assert.deepEqual(await other.evaluate(() => (window as any).seen), [], 'a page of another origin hears nothing');
      await other.close();
    });

    test('diagnostics.run without a runner says so', { timeout: 10_000 }, async () => {
      const r = await invokeIn(page, 'diagnostics.run', { runId: 'r1' });
      assert.equal(r.error, '[not-available] network diagnostics are not available in this shell');
    });
  },
);
