/**
 * Composition root of the desktop shell. Reads top to bottom like the architecture:
 * app:// protocol + CSP → security guards → logging → policy → secrets → host handlers behind the
 * typed IPC dispatcher → the window → power/network transitions → auto-update.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, net, powerMonitor, protocol, safeStorage, session, shell, type BrowserWindow } from 'electron';
import log from 'electron-log/main';
import electronUpdater from 'electron-updater';
import { defaultProbes, probeSipEndpoint } from './diagnostics/index.js';
import { watchAudioDevices } from './devices/audio-device-watcher.js';
import { pulseAudioDeviceSource } from './devices/pulse-audio-devices.js';
import { watchSystemTransitions } from './devices/system-transitions.js';
import { createDispatcher } from './ipc/dispatcher.js';
import { createHandlers } from './ipc/handlers.js';
import { nativeDiagnostics } from './ipc/native-diagnostics.js';
import { registerIpc } from './ipc/register-ipc.js';
import { configureFileLogging, DEFAULT_FILE_LOG } from './logging/logger.js';
import { provisioningUrlFromArgs } from './provisioning/launch-options.js';
import { loadPolicy, policyPath } from './provisioning/policy.js';
import { createSafeStorageSecretStore, safeStorageProtection } from './provisioning/safe-storage-secret-store.js';
import { createPlainFileSecretStore } from './provisioning/secret-store.js';
import { APP_ORIGIN, APP_SCHEME } from '../common/app-origin.js';
import { backgroundTimers } from '../common/timers.js';
import { createAppProtocolHandler } from './security/app-protocol-handler.js';
import { buildCsp } from './security/csp.js';
import { installSecurityGuards } from './security/install-guards.js';
import { startAutoUpdate, updatePlan } from './update/auto-update.js';
import { checkDownloadedUpdate, UPDATE_PUBLIC_KEY_FILE } from './update/update-signature.js';
import { bringToFront } from './windows/bring-to-front.js';
import { createMainWindow } from './windows/main-window.js';

/** dist/main/index.js → the app root holding dist/preload and dist/renderer. */
const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// Development and test launches (never a packaged app) may point userData and the policy file
// elsewhere, so the Electron suite runs isolated from the developer's own profile.
const devOverride = (name: string) => (app.isPackaged ? undefined : process.env[name]);
const userDataOverride = devOverride('CLEARLINE_USER_DATA_DIR');
if (userDataOverride) app.setPath('userData', userDataOverride);

// Must precede `ready`: app:// behaves like https (secure context for getUserMedia, fetch, CSP).
// corsEnabled: module scripts are fetched in CORS mode, even from their own origin.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
]);

/**
 * electron-log/main registers its own renderer→main IPC channel on import. Our renderer logs
 * through the contract's `log.write` (with the sender check), so that side door is closed.
 */
const ELECTRON_LOG_CHANNEL = '__ELECTRON_LOG__';
ipcMain.removeHandler(ELECTRON_LOG_CHANNEL);
ipcMain.removeAllListeners(ELECTRON_LOG_CHANNEL);

if (!app.requestSingleInstanceLock()) {
  app.quit(); // another Clearline is running; it is brought to front by its 'second-instance'
} else {
  app.whenReady().then(start, (error: unknown) => {
    console.error('Clearline failed to start', error);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const logger = configureFileLogging(log, {
    ...DEFAULT_FILE_LOG,
    dir: app.getPath('logs'),
    consoleLevel: app.isPackaged ? false : 'info',
  });
  const shellLog = logger.scope('shell');
  const openExternal = (url: string) => void shell.openExternal(url).catch((e: unknown) => shellLog.warn('openExternal failed', e));

  const policyFile = devOverride('CLEARLINE_POLICY_FILE') ?? policyPath(process.platform, process.env);
  const { policy, problem } = await loadPolicy(policyFile);
  if (problem) shellLog.error(`enterprise policy: ${problem}`);
  const launch = provisioningUrlFromArgs(process.argv);
  if (launch.problem) shellLog.error(launch.problem);

  const dataDir = app.getPath('userData');
  const secretsPath = join(dataDir, 'secrets.json');
  // getSelectedStorageBackend exists on Linux only: 'basic_text' there is obfuscation, not encryption.
  const linuxBackend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  const secrets = safeStorage.isEncryptionAvailable()
    ? createSafeStorageSecretStore(secretsPath, safeStorage, safeStorageProtection(process.platform, linuxBackend))
    : createPlainFileSecretStore(secretsPath);
  if (secrets.protection !== 'os-encrypted') {
    shellLog.warn(
      `no OS keyring for the saved password (safeStorage backend: ${linuxBackend ?? 'none'}): it is ${secrets.protection === 'obfuscated' ? 'obfuscated only' : 'in clear text'}, protected by file mode 0600`,
    );
  }

  let window: BrowserWindow | null = null;
  let csp = buildCsp(null);
  // Node sockets, but the proxy Chromium would use: the checks take the page's network path.
  const probes = () => ({ ...defaultProbes(), resolveProxy: (url: string) => session.defaultSession.resolveProxy(url) });
  const handlers = createHandlers({
    dataDir,
    secrets,
    fetch: (url, init) => net.fetch(url, init),
    now: Date.now,
    logger,
    appInfo: { version: app.getVersion(), platform: process.platform, shell: 'electron' },
    policyUrl: policy.provisioningUrl ?? launch.url,
    openExternal: async (url) => openExternal(url),
    runDiagnostics: nativeDiagnostics(probes),
    probeSipEndpoint: (wsUrl) => probeSipEndpoint(wsUrl, probes()),
    onTurnCredentials: (turn) => {
      if (window && !window.isDestroyed()) window.webContents.send('turn.credentials', turn);
    },
    onConfigChange: (config) => {
      // The page's CSP is fixed when it loads: reload so it names the newly provisioned hosts.
      const next = buildCsp(config);
      if (next === csp) return;
      csp = next;
      setImmediate(() => window?.webContents.reload());
    },
  });
  csp = buildCsp(await handlers.currentConfig());

  protocol.handle(APP_SCHEME, createAppProtocolHandler({ rootDir: join(appRoot, 'dist', 'renderer'), csp: () => csp }));
  installSecurityGuards(app, session.defaultSession, openExternal);
  const dispatch = createDispatcher(
    handlers.table,
    { isOwnWebContents: (id) => window !== null && !window.isDestroyed() && window.webContents.id === id, origin: APP_ORIGIN },
    logger.scope('ipc'),
  );
  registerIpc(ipcMain, dispatch);

  window = createMainWindow(join(appRoot, 'dist', 'preload', 'index.cjs'));
  window.on('closed', () => (window = null));
  app.on('second-instance', () => bringToFront(window));

  const stopTransitions = watchSystemTransitions(powerMonitor, (transition) => {
    if (window && !window.isDestroyed()) window.webContents.send('system.transition', transition);
  });
  // Linux: the sound server's device list (other platforms rely on the window's devicechange).
  const devicesLog = logger.scope('devices');
  const stopDevices =
    process.platform === 'linux'
      ? watchAudioDevices({
          source: pulseAudioDeviceSource(),
          timers: backgroundTimers,
          log: (level, message) => devicesLog[level](message),
          onChange: (devices) => {
            devicesLog.info(`audio devices changed: ${devices.microphones.length} microphones, ${devices.speakers.length} speakers`);
            if (window && !window.isDestroyed()) window.webContents.send('devices.changed', devices);
          },
        })
      : () => undefined;
  const stopUpdates = startAutoUpdate(
    electronUpdater.autoUpdater,
    updatePlan({ isPackaged: app.isPackaged, policyFeedUrl: policy.updateFeedUrl, platform: process.platform }),
    logger.scope('update'),
    {
      // The public key ships as a resource next to app.asar (electron-builder.yml extraResources).
      check: (file, feedUrl) =>
        checkDownloadedUpdate(file, feedUrl, join(process.resourcesPath, UPDATE_PUBLIC_KEY_FILE), {
          readFile,
          fetch: (url, init) => net.fetch(url, init),
        }),
      onQuit: (handler) => app.once('quit', (_event, exitCode) => handler(exitCode)),
    },
  );

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    stopTransitions();
    stopDevices();
    stopUpdates();
    handlers.dispose();
  });
  shellLog.info(`Clearline ${app.getVersion()} started (${process.platform}, data in ${dataDir})`);
}
