import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import { BUILT_IN_FEED_URL, startAutoUpdate, updatePlan, type Updater } from '../../../../main/update/auto-update.js';
import type { SignatureVerdict } from '../../../../main/update/update-signature.js';
import { memoryLogger } from '../fakes/memory-logger.js';

/** The update policy (hole 10): an https:// feed only, and on Linux only a verified download is installed. */

test('off when unpackaged; the policy feed overrides the built-in one; Linux needs the detached signature', () => {
  assert.deepEqual(updatePlan({ isPackaged: false, policyFeedUrl: 'https://u.example/', platform: 'linux' }), {
    enabled: false,
    reason: 'not a packaged build',
  });
  assert.deepEqual(updatePlan({ isPackaged: true, policyFeedUrl: undefined, platform: 'win32' }), {
    enabled: true,
    feedUrl: BUILT_IN_FEED_URL,
    verifyDetachedSignature: false,
  });
  assert.deepEqual(updatePlan({ isPackaged: true, policyFeedUrl: 'https://u.example/', platform: 'linux' }), {
    enabled: true,
    feedUrl: 'https://u.example/',
    verifyDetachedSignature: true,
  });
  assert.equal(new URL(BUILT_IN_FEED_URL).protocol, 'https:');
});

test('a feed that is not https:// turns updates off, saying which feed and why', () => {
  for (const feed of ['http://updates.example.com/', 'http://127.0.0.1:8080/', 'ftp://mirror.example/', 'file:///srv/updates/']) {
    assert.deepEqual(updatePlan({ isPackaged: true, policyFeedUrl: feed, platform: 'darwin' }), {
      enabled: false,
      reason: `the policy updateFeedUrl must be an https:// URL (got "${feed}"): updates are off until it is`,
    });
  }
});

/** electron-updater's surface, recording what the app asked of it. */
class FakeUpdater extends EventEmitter {
  autoDownload = false;
  autoInstallOnAppQuit = true;
  logger: Updater['logger'] = null;
  feeds: unknown[] = [];
  installs: Array<[boolean | undefined, boolean | undefined]> = [];
  checks = 0;
  setFeedURL(options: unknown) {
    this.feeds.push(options);
  }
  async checkForUpdates() {
    this.checks += 1;
    return null;
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean) {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

/** Starts the updater on a Linux plan whose signature check answers `verdicts[file]`. */
function linuxUpdater(verdicts: Record<string, SignatureVerdict>) {
  const updater = new FakeUpdater();
  const log = memoryLogger();
  let quit: ((exitCode: number) => void) | null = null;
  const checked: string[] = [];
  const stop = startAutoUpdate(
    updater as unknown as Updater,
    updatePlan({ isPackaged: true, policyFeedUrl: undefined, platform: 'linux' }),
    log.scope('update'),
    {
      check: async (file, feedUrl) => {
        checked.push(`${file} @ ${feedUrl}`);
        return verdicts[file] ?? { ok: false, reason: 'unknown file' };
      },
      onQuit: (handler) => (quit = handler),
    },
  );
  const download = async (version: string, downloadedFile: string) => {
    updater.emit('update-downloaded', { version, downloadedFile });
    await tick();
  };
  return { updater, log, checked, stop, download, quit: (code = 0) => quit?.(code) };
}

test('Linux: electron-updater never installs on its own; a verified download installs at quit', async () => {
  const app = linuxUpdater({ '/cache/Clearline-1.2.3.AppImage': { ok: true } });
  assert.equal(app.updater.autoInstallOnAppQuit, false);
  assert.deepEqual(app.updater.feeds, [{ provider: 'generic', url: BUILT_IN_FEED_URL }]);
  assert.equal(app.updater.checks, 1);
  await app.download('1.2.3', '/cache/Clearline-1.2.3.AppImage');
  assert.deepEqual(app.checked, [`/cache/Clearline-1.2.3.AppImage @ ${BUILT_IN_FEED_URL}`]);
  app.quit();
  assert.deepEqual(app.updater.installs, [[true, false]]);
  app.stop();
});

test('Linux: a download that fails the check is never installed, and the log says why', async () => {
  const app = linuxUpdater({ '/cache/evil.AppImage': { ok: false, reason: 'evil.AppImage does not match its signature' } });
  await app.download('6.6.6', '/cache/evil.AppImage');
  app.quit();
  assert.deepEqual(app.updater.installs, []);
  assert.ok(
    app.log.lines.includes('error (update) update 6.6.6 NOT installed: evil.AppImage does not match its signature'),
    app.log.lines.join('\n'),
  );
  app.stop();
});

test('Linux: a verified download followed by an unverified one installs nothing (the updater installs its newest)', async () => {
  const app = linuxUpdater({ '/cache/Clearline-1.2.3.AppImage': { ok: true } });
  await app.download('1.2.3', '/cache/Clearline-1.2.3.AppImage');
  await app.download('1.2.4', '/cache/Clearline-1.2.4.AppImage');
  app.quit();
  assert.deepEqual(app.updater.installs, []);
  app.stop();
});

test('Linux: no install when the app quits with an error code', async () => {
  const app = linuxUpdater({ '/cache/Clearline-1.2.3.AppImage': { ok: true } });
  await app.download('1.2.3', '/cache/Clearline-1.2.3.AppImage');
  app.quit(1);
  assert.deepEqual(app.updater.installs, []);
  app.stop();
});

test('Windows and macOS keep electron-updater’s install on quit (the OS code signature is checked there)', () => {
  const updater = new FakeUpdater();
  const stop = startAutoUpdate(
    updater as unknown as Updater,
    updatePlan({ isPackaged: true, policyFeedUrl: undefined, platform: 'win32' }),
    memoryLogger().scope('update'),
    {
      check: async () => assert.fail('no detached signature on Windows'),
      onQuit: () => assert.fail('electron-updater installs by itself'),
    },
  );
  assert.equal(updater.autoInstallOnAppQuit, true);
  stop();
});

test('an http:// feed never reaches the updater', () => {
  const updater = new FakeUpdater();
  const log = memoryLogger();
  startAutoUpdate(
    updater as unknown as Updater,
    updatePlan({ isPackaged: true, policyFeedUrl: 'http://updates.example.com/', platform: 'linux' }),
    log.scope('update'),
    {
      check: async () => assert.fail('nothing is downloaded'),
      onQuit: () => undefined,
    },
  );
  assert.deepEqual(updater.feeds, []);
  assert.equal(updater.checks, 0);
  assert.match(log.lines.join('\n'), /^warn \(update\) auto-update off: the policy updateFeedUrl must be an https:\/\/ URL/m);
});
