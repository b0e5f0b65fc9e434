import type { AppUpdater } from 'electron-updater';
import type { ScopedLogger } from '../logging/logger.js';

const UPDATE_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

/**
 * Whether and where to look for updates. Unpackaged (development, tests) never updates; a
 * policy feed URL overrides the one built into the app (electron-builder.yml `publish`).
 */
export function updatePlan(input: { isPackaged: boolean; policyFeedUrl: string | undefined }):
  | { enabled: false; reason: string }
  | { enabled: true; feedUrl: string | null } {
  if (!input.isPackaged) return { enabled: false, reason: 'not a packaged build' };
  return { enabled: true, feedUrl: input.policyFeedUrl ?? null };
}

/**
 * Thin electron-updater wiring: check at start and every few hours, download in the background,
 * install on the next quit (never interrupt a call with a restart).
 */
export function startAutoUpdate(
  updater: AppUpdater,
  plan: ReturnType<typeof updatePlan>,
  log: ScopedLogger,
): () => void {
  if (!plan.enabled) {
    log.info(`auto-update off: ${plan.reason}`);
    return () => undefined;
  }
  if (plan.feedUrl) updater.setFeedURL({ provider: 'generic', url: plan.feedUrl });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.logger = { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m), debug: (m) => log.debug(m) };
  const check = () => void updater.checkForUpdates().catch((error: unknown) => log.warn('update check failed', error));
  check();
  const timer = setInterval(check, UPDATE_CHECK_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
