import type { ClientConfig, DiagnosticProgress, Session, TurnCredentials } from '../../common/contract/index.js';
import type { SipEndpointFinding } from '../diagnostics/sip-endpoint-probe.js';
import type { Logger } from '../logging/logger.js';
import { checkProvisioningUrl, type ControlPlaneFetch } from '../../common/control-plane-client.js';
import type { SecretStore } from '../provisioning/secret-store.js';
import { SessionService } from '../provisioning/session-service.js';
import { backgroundTimers, type Timers } from '../../common/timers.js';
import { isSafeExternalUrl } from '../security/external-links.js';
import { HistoryStore } from '../storage/history-store.js';
import { NetworkReportStore } from '../storage/network-report-store.js';
import { SettingsStore } from '../storage/settings-store.js';
import type { RunResult } from '../../common/diagnostics/step.js';
import type { HandlerTable } from '../../common/validating-dispatch.js';
import { HostError } from '../../common/host-error.js';
import { checkedReport } from '../../common/network-report.js';

/**
 * What the native checks are aimed at: the signed-in account's servers, or — before sign-in —
 * the provisioning host and the last configuration that worked there.
 */
export type DiagnosticsTarget =
  | { readonly kind: 'account'; readonly session: Session }
  | { readonly kind: 'host'; readonly provisioningUrl: string; readonly lastConfig: ClientConfig | null };

/**
 * Runs the native network checks, reporting each step, and resolves to their result. (The
 * composition root adapts `runDiagnostics` / `runWithoutControlPlane` of main/diagnostics.)
 */
export type DiagnosticsRunner = (target: DiagnosticsTarget, onProgress: (progress: DiagnosticProgress) => void) => Promise<RunResult>;

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
  const reports = new NetworkReportStore(deps.dataDir, deps.logger.scope('network-reports'));
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
    'diagnostics.run': async ({ runId, provisioningUrl }, context) => {
      const run = deps.runDiagnostics;
      if (!run) throw new HostError('not-available', 'network diagnostics are not available in this shell');
      // Steps stream to the window that asked, stamped with the id it chose (the runner numbers
      // its runs its own way). The verdict is the answer: the renderer joins it to the page's.
      const emit = (progress: DiagnosticProgress) => {
        if (progress.kind !== 'done') context.emit('diagnostics.progress', { ...progress, runId });
      };
      const session = sessions.session;
      if (session) return { ...(await run({ kind: 'account', session }, emit)), runId };
      const url = provisioningUrl ?? deps.policyUrl;
      if (!url) throw new HostError('invalid-request', 'type the provisioning URL first: the test checks the way to that server');
      // The rule sign-in applies (http:// only to this computer); sign-in already lets the
      // renderer name any such server, so the checks reach nothing sign-in could not.
      checkProvisioningUrl(url);
      return { ...(await run({ kind: 'host', provisioningUrl: url, lastConfig: await sessions.lastConfigAt(url) }, emit)), runId };
    },
    'diagnostics.sendReport': (request) => sessions.sendNetworkReport(checkedReport(request)),
    // Per agent, like the history; before sign-in per provisioning URL (the report names it).
    'diagnostics.keepReport': async (request) => {
      const report = checkedReport(request);
      await reports.keep(sessions.agent ?? { url: report.provisioningUrl, username: '' }, report);
    },
    'diagnostics.lastReport': ({ provisioningUrl }) => reports.last(sessions.agent ?? { url: provisioningUrl, username: '' }),
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
