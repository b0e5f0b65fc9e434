import type { AppUpdater, UpdateDownloadedEvent } from 'electron-updater';
import type { ScopedLogger } from '../logging/logger.js';
import type { SignatureVerdict } from './update-signature.js';

const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

/**
 * The feed built into the app; electron-builder.yml `publish.url` names the same one (held equal
 * by test/unit/main/packaging.test.ts). Set explicitly so the HTTPS rule below judges it too.
 */
export const BUILT_IN_FEED_URL = 'https://updates.clearline.invalid/desktop/';

export type UpdatePlan = { enabled: false; reason: string } | { enabled: true; feedUrl: string; verifyDetachedSignature: boolean };

/**
 * Whether and where to look for updates. Unpackaged (development, tests) never updates; a policy
 * feed URL overrides the built-in one. The feed must be https://: what it serves is installed
 * and run, so a clear-text feed hands the desktop to anyone on the path. A policy naming another
 * scheme turns updates off (loudly) rather than falling back to a feed IT chose not to use.
 * Linux artifacts have no OS signature check, so they need the detached one (update-signature.ts).
 */
export function updatePlan(input: { isPackaged: boolean; policyFeedUrl: string | undefined; platform: NodeJS.Platform }): UpdatePlan {
  if (!input.isPackaged) return { enabled: false, reason: 'not a packaged build' };
  const feedUrl = input.policyFeedUrl ?? BUILT_IN_FEED_URL;
  const source = input.policyFeedUrl ? 'the policy updateFeedUrl' : 'the built-in update feed';
  if (!URL.canParse(feedUrl) || new URL(feedUrl).protocol !== 'https:') {
    return { enabled: false, reason: `${source} must be an https:// URL (got "${feedUrl}"): updates are off until it is` };
  }
  return { enabled: true, feedUrl, verifyDetachedSignature: input.platform === 'linux' };
}

/** The part of electron-updater used here (AppUpdater satisfies it; tests pass a fake). */
export type Updater = Pick<
  AppUpdater,
  'setFeedURL' | 'checkForUpdates' | 'quitAndInstall' | 'autoDownload' | 'autoInstallOnAppQuit' | 'logger'
> & {
  on(event: 'update-downloaded', listener: (event: UpdateDownloadedEvent) => void): unknown;
};

export interface DetachedSignatureGate {
  /** Checks the downloaded file (update-signature.ts `checkDownloadedUpdate`, bound to its I/O). */
  check(downloadedFile: string, feedUrl: string): Promise<SignatureVerdict>;
  /** Runs `handler` once when the app quits, with its exit code (Electron glue: app 'quit'). */
  onQuit(handler: (exitCode: number) => void): void;
}

/**
 * Thin electron-updater wiring: check at start and every few hours, download in the background,
 * install on the next quit (never interrupt a call with a restart). Where the plan asks for a
 * detached signature, electron-updater's own install-on-quit stays off and only a download that
 * passed `gate.check` is installed.
 */
export function startAutoUpdate(updater: Updater, plan: UpdatePlan, log: ScopedLogger, gate: DetachedSignatureGate): () => void {
  if (!plan.enabled) {
    log.warn(`auto-update off: ${plan.reason}`);
    return () => undefined;
  }
  updater.setFeedURL({ provider: 'generic', url: plan.feedUrl });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = !plan.verifyDetachedSignature;
  updater.logger = { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m), debug: (m) => log.debug(m) };
  if (plan.verifyDetachedSignature) {
    // electron-updater installs its NEWEST download: only that one must have passed the check,
    // so a verified 1.2.3 cannot smuggle in an unverified 1.2.4 downloaded after it.
    let newestDownload = 0;
    let verifiedDownload = 0;
    updater.on('update-downloaded', (event) => {
      const serial = ++newestDownload;
      void gate.check(event.downloadedFile, plan.feedUrl).then((verdict) => {
        if (!verdict.ok) {
          log.error(`update ${event.version} NOT installed: ${verdict.reason}`);
          return;
        }
        if (serial !== newestDownload) return;
        verifiedDownload = serial;
        log.info(`update ${event.version} signature verified; it installs when Clearline quits`);
      });
    });
    gate.onQuit((exitCode) => {
      // As electron-updater's own handler: a crash exit is no moment to replace the app.
      if (exitCode === 0 && newestDownload > 0 && verifiedDownload === newestDownload) updater.quitAndInstall(true, false);
    });
  }
  const check = () => void updater.checkForUpdates().catch((error: unknown) => log.warn('update check failed', error));
  check();
  const timer = setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
