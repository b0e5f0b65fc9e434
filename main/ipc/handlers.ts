import type { ClientConfig, DiagnosticProgress, Session, TurnCredentials } from '../../common/contract/index.js';
import type { SipEndpointFinding } from '../diagnostics/sip-endpoint-probe.js';
import type { Logger } from '../logging/logger.js';
import type { ControlPlaneFetch } from '../../common/control-plane-client.js';
import type { SecretStore } from '../provisioning/secret-store.js';
import { SessionService } from '../provisioning/session-service.js';
import { backgroundTimers, type Timers } from '../../common/timers.js';
import { isSafeExternalUrl } from '../security/external-links.js';
import { HistoryStore } from '../storage/history-store.js';
import { SettingsStore } from '../storage/settings-store.js';
import type { HandlerTable } from '../../common/validating-dispatch.js';
import { HostError } from '../../common/host-error.js';
import { checkedReport } from '../../common/network-report.js';

/**
 * Runs the network diagnostics for a session, reporting each step; settles when done. (The
 * composition root adapts `runDiagnostics(config, probes, onProgress)` of main/diagnostics.)
 */
export type DiagnosticsRunner = (session: Session, onProgress: (progress: DiagnosticProgress) => void) => Promise<unknown>;

export interface HandlerDeps {
  /** userData in Electron; a temp dir in tests and the host bridge. */
  dataDir: string;
  secrets: SecretStore;
  fetch: ControlPlaneFetch;
  now: () => number;
  logger: Logger;
  appInfo: { version: string; platform: string; shell: 'electron' | 'web' };
  /** Provisioning URL pre-set by enterprise policy (already validated), or null. */
  policyUrl: string | null;
  /** The OS "open in browser" (Electron `shell.openExternal`); only ever given http(s) URLs. */
  openExternal: (url: string) => Promise<void>;
  /** null where native diagnostics do not exist (the web harness without probes). */
  runDiagnostics: DiagnosticsRunner | null;
  /**
   * Probes a SIP WebSocket URL from main (sees TLS errors a page cannot), within a few seconds;
   * absent → `sip.probeEndpoint` answers 'not-run'. Only ever given the signed-in config's URL.
   */
  probeSipEndpoint?: (wsUrl: string) => Promise<SipEndpointFinding>;
  /** Told when the signed-in configuration changes (Electron rebuilds the window's CSP). */
  onConfigChange?: (config: ClientConfig | null) => void;
  /** Pushes the background refresh's new TURN credentials to the window (`turn.credentials`). */
  onTurnCredentials?: (turn: TurnCredentials) => void;
  timers?: Timers;
}

export interface HostHandlers {
  table: HandlerTable;
  /** The signed-in (or last remembered) configuration; null when signed out. */
  currentConfig(): Promise<ClientConfig | null>;
  /** Stops background work (TURN refresh). */
  dispose(): void;
}

/**
 * Every host capability the renderer can ask for, as plain async functions over injected I/O —
 * the same table serves Electron's ipcMain and the Playwright host bridge.
 */
export function createHandlers(deps: HandlerDeps): HostHandlers {
  const log = deps.logger.scope('host');
  const sessions = new SessionService({
    dataDir: deps.dataDir,
    secrets: deps.secrets,
    fetch: deps.fetch,
    now: deps.now,
    timers: deps.timers ?? backgroundTimers,
    onTurnCredentials: deps.onTurnCredentials,
    log: deps.logger.scope('provisioning'),
    onConfigChange: deps.onConfigChange,
  });
  const settings = new SettingsStore(deps.dataDir, deps.logger.scope('settings'));
  const history = new HistoryStore(deps.dataDir, deps.logger.scope('history'));
  history
    .removeSharedHistory()
    .catch((error: unknown) => log.warn('could not remove the shared history.json of an earlier version', error));

  const table: HandlerTable = {
    'app.info': async () => ({ ...deps.appInfo, passwordStorage: deps.secrets.protection }),
    'provisioning.defaults': async () => ({
      policyUrl: deps.policyUrl,
      lastUsername: await sessions.lastUsername(),
    }),
    'provisioning.signIn': (request) => sessions.signIn(request),
    'provisioning.restore': () => sessions.restore(),
    'provisioning.signOut': () => sessions.signOut(),
    'turn.refresh': () => sessions.turnCredentials(),
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.update(patch),
    // Per agent: desktops are shared, and one agent must not see another's calls.
    'history.list': async () => {
      const agent = sessions.agent;
      return agent ? history.list(agent) : [];
    },
    'history.add': async (entry) => {
      const agent = sessions.agent;
      if (!agent) throw new HostError('not-signed-in', 'Not signed in: the call cannot be added to a history');
      await history.add(agent, entry);
    },
    'diagnostics.run': async ({ runId }, context) => {
      const run = deps.runDiagnostics;
      if (!run) throw new HostError('not-available', 'network diagnostics are not available in this shell');
      const session = sessions.session;
      if (!session) throw new HostError('not-signed-in', 'sign in first: diagnostics test the servers of your account');
      // Answer at once; steps stream as `diagnostics.progress` events to the window that asked,
      // stamped with the id it chose (the runner numbers its runs its own way).
      const emit = (progress: DiagnosticProgress) => context.emit('diagnostics.progress', { ...progress, runId });
      run(session, emit).catch((error: unknown) => {
        log.error(`diagnostics run ${runId} failed`, error);
        emit({ kind: 'done', runId, verdict: 'fail', summary: 'the diagnostics stopped unexpectedly (details in the log)' });
      });
    },
    'diagnostics.sendReport': (request) => sessions.sendNetworkReport(checkedReport(request)),
    'quality.sendReport': (report) => sessions.sendCallQualityReport(report),
    'sip.probeEndpoint': async ({ wsUrl }) => {
      const probe = deps.probeSipEndpoint;
      if (!probe) return { result: 'not-run', detail: 'this shell cannot probe the phone server' };
      const sip = sessions.session?.config.sip;
      if (!sip) throw new HostError('not-signed-in', 'sign in first: only the SIP server of your account can be probed');
      // The renderer must not turn main into a port scanner: only the URLs the account lists are ours.
      const configured = [sip.wsUrl, ...(sip.fallbackWsUrls ?? [])];
      if (!configured.includes(wsUrl)) {
        throw new HostError(
          'forbidden-url',
          `sip.probeEndpoint probes only the signed-in account's SIP servers (${configured.join(', ')}), not ${wsUrl}`,
        );
      }
      return probe(wsUrl);
    },
    'shell.openExternal': async ({ url }) => {
      if (!isSafeExternalUrl(url)) throw new HostError('forbidden-url', 'only http and https links can be opened');
      await deps.openExternal(url);
    },
    'log.write': async ({ scope, level, message }) => {
      deps.logger.scope(`renderer:${scope}`)[level](message);
    },
  };

  return { table, currentConfig: () => sessions.currentConfig(), dispose: () => sessions.dispose() };
}
