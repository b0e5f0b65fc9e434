import { DIAGNOSTICS_NEED_DESKTOP } from '../state/diagnostics.js';
import { z } from 'zod';
import {
  CallHistoryEntrySchema,
  SessionSchema,
  SettingsSchema,
  type EventChannel,
  type EventOf,
  type HostApi,
  type InvokeChannel,
  type RequestOf,
  type ResponseOf,
  type Session,
} from '../../common/contract/index.js';
import {
  checkProvisioningUrl,
  fetchClientConfig,
  fetchTurnCredentials,
  sendCallQualityReport,
  sendNetworkReport,
  type ControlPlaneFetch,
} from '../../common/control-plane-client.js';
import { redact } from '../../common/log-redaction.js';
import { checkedReport, NetworkReportSchema, reportOwnerUrl } from '../../common/network-report.js';
import { withHistoryEntry } from '../../common/call-history.js';
import { backgroundTimers, type Timers } from '../../common/timers.js';
import { TurnKeeper } from '../../common/turn-keeper.js';
import { storedValue, type StorageLike } from './validated-storage.js';
import { createEventHub } from './event-hub.js';
import { HostError, hostRejection } from '../../common/host-error.js';
import { createValidatingDispatch, type SyncOrAsyncHandlerTable } from '../../common/validating-dispatch.js';

/**
 * The host of the web softphone: the same `HostApi` the Electron preload exposes, implemented
 * in-page. Provisioning goes to the control plane with `fetch`; settings and history live in
 * localStorage; the session (with the SIP password) only in sessionStorage — a browser has no OS
 * keychain, so the tab forgets the password when it closes.
 */

export const STORAGE_KEYS = {
  settings: 'clearline.settings',
  /** Per agent (`clearline.history:<username>`): browsers on shared desktops serve several agents. */
  history: 'clearline.history',
  lastUsername: 'clearline.lastUsername',
  session: 'clearline.session',
  /**
   * The last network test, per agent (`clearline.networkReport:<url> <username>`) and before
   * sign-in per provisioning URL (`…:<url> `). A report holds measurements, never a secret.
   */
  networkReport: 'clearline.networkReport',
} as const;

const StoredSessionSchema = z.object({ url: z.string().url(), username: z.string().min(1), session: SessionSchema });
type StoredSession = z.infer<typeof StoredSessionSchema>;

export interface WebHostDeps {
  readonly fetch: ControlPlaneFetch;
  readonly localStorage: StorageLike;
  readonly sessionStorage: StorageLike;
  /** The page's origin: the default provisioning URL (the control plane serves the web softphone). */
  readonly origin: string;
  readonly version: string;
  readonly platform: string;
  readonly console: Pick<Console, 'error' | 'warn' | 'info' | 'debug'>;
  readonly openWindow: (url: string) => void;
  /**
   * Where 'online' (network back / changed) and 'pageshow' (a page restored from the back/forward
   * cache, whose WebSocket the browser closed) are observed: the window.
   */
  readonly networkEvents?: Pick<EventTarget, 'addEventListener'>;
  /** Where Page Lifecycle 'freeze'/'resume' are observed (the tab was frozen, e.g. laptop asleep): the document. */
  readonly lifecycleEvents?: Pick<EventTarget, 'addEventListener'>;
  /** The TURN refresh's clock (the page's own by default; unit tests drive it by hand). */
  readonly timers?: Timers;
  readonly now?: () => number;
}

export function createWebHost(deps: WebHostDeps): HostApi {
  const events = createEventHub((error) => deps.console.error('[host] event listener failed', error));
  const warnCorrupt = (key: string, reason: string) =>
    deps.console.warn(`[host] stored ${key} was unreadable (${reason}); reset to defaults`);
  const settings = storedValue(deps.localStorage, STORAGE_KEYS.settings, SettingsSchema, () => SettingsSchema.parse({}), warnCorrupt);
  const historyOf = (username: string) =>
    storedValue(deps.localStorage, `${STORAGE_KEYS.history}:${username}`, z.array(CallHistoryEntrySchema), () => [], warnCorrupt);
  const lastUsername = storedValue(deps.localStorage, STORAGE_KEYS.lastUsername, z.string().min(1).nullable(), () => null, warnCorrupt);
  const storedSession = storedValue(deps.sessionStorage, STORAGE_KEYS.session, StoredSessionSchema.nullable(), () => null, warnCorrupt);
  const lastReportOf = (url: string, username: string) =>
    storedValue(
      deps.localStorage,
      `${STORAGE_KEYS.networkReport}:${reportOwnerUrl(url)} ${username}`,
      NetworkReportSchema.nullable(),
      () => null,
      warnCorrupt,
    );
  /** Whose last report: the signed-in agent, else the provisioning URL alone. */
  const reportOwner = (url: string) => {
    const stored = storedSession.read();
    return stored ? lastReportOf(stored.url, stored.username) : lastReportOf(url, '');
  };

  // The browser's nearest equivalents of the desktop's power and network notifications.
  deps.networkEvents?.addEventListener('online', () => events.emit('system.transition', { kind: 'network-changed' }));
  deps.lifecycleEvents?.addEventListener('freeze', () => events.emit('system.transition', { kind: 'suspend' }));
  deps.lifecycleEvents?.addEventListener('resume', () => events.emit('system.transition', { kind: 'resume' }));
  // Only a page restored from the back/forward cache: a first load has nothing to reconnect, and
  // 'visibilitychange' (a tab shown again) is not a network event — the socket lived on meanwhile.
  deps.networkEvents?.addEventListener('pageshow', (event) => {
    if ((event as Partial<Pick<PageTransitionEvent, 'persisted'>>).persisted === true) events.emit('system.transition', { kind: 'resume' });
  });

  const defaultUrl = /^https?:/.test(deps.origin) ? deps.origin : null;

  // TURN credentials: kept fresh here, like main does on the desktop, and pushed to the page.
  let turnKeeper: TurnKeeper | null = null;
  const keepTurnFresh = (stored: StoredSession, issuedAt?: number) => {
    turnKeeper?.stop();
    const account = { url: stored.url, username: stored.username, password: stored.session.password };
    turnKeeper = new TurnKeeper(
      stored.session.turn,
      () => fetchTurnCredentials(deps.fetch, account),
      {
        now: deps.now ?? Date.now,
        timers: deps.timers ?? backgroundTimers,
        log: { info: (m) => deps.console.info(`[host] ${m}`), warn: (m) => deps.console.warn(`[host] ${m}`) },
        onUpdate: (turn) => {
          const current = storedSession.read();
          if (current !== null) storedSession.write({ ...current, session: { ...current.session, turn } });
          events.emit('turn.credentials', turn);
        },
      },
      issuedAt,
    );
  };

  /** The stored session's account, to send `what` as the signed-in agent. */
  const signedInAccount = (what: string) => {
    const stored = storedSession.read();
    if (stored === null) throw new HostError('not-signed-in', `sign in first: ${what} is sent as the signed-in agent`);
    return { url: stored.url, username: stored.username, password: stored.session.password };
  };

  const handlers: SyncOrAsyncHandlerTable = {
    'app.info': () => ({ version: deps.version, platform: deps.platform, shell: 'web', passwordStorage: 'browser-session' }),
    'provisioning.defaults': () => ({ policyUrl: defaultUrl, lastUsername: lastUsername.read() }),
    'provisioning.signIn': async ({ url, username, password }) => {
      const base = checkProvisioningUrl(url).href;
      const account = { url: base, username, password };
      const config = await fetchClientConfig(deps.fetch, account);
      const turn = await fetchTurnCredentials(deps.fetch, account);
      const session: Session = { config, password, turn };
      const stored = { url: base, username, session };
      storedSession.write(stored);
      lastUsername.write(username);
      keepTurnFresh(stored);
      return session;
    },
    'provisioning.restore': () => {
      const stored = storedSession.read();
      // Credentials from an earlier page load are of unknown age: due for refresh at once.
      if (stored !== null) keepTurnFresh(stored, 0);
      return stored?.session ?? null;
    },
    'provisioning.signOut': () => {
      turnKeeper?.stop();
      turnKeeper = null;
      storedSession.clear();
    },
    'turn.refresh': async () => {
      if (turnKeeper === null) throw new HostError('not-signed-in', 'Not signed in: sign in again to get TURN credentials');
      return turnKeeper.current();
    },
    'settings.get': () => settings.read(),
    'settings.set': (partial) => {
      const next = SettingsSchema.parse({ ...settings.read(), ...partial });
      settings.write(next);
      return next;
    },
    'history.list': () => {
      const stored = storedSession.read();
      return stored === null ? [] : historyOf(stored.username).read();
    },
    'history.add': (entry) => {
      const stored = storedSession.read();
      if (stored === null) throw new HostError('not-signed-in', 'Not signed in: the call cannot be added to a history');
      const history = historyOf(stored.username);
      history.write(withHistoryEntry(history.read(), entry));
    },
    'diagnostics.run': () => {
      throw new HostError('not-available', DIAGNOSTICS_NEED_DESKTOP);
    },
    'diagnostics.sendReport': (request) => sendNetworkReport(deps.fetch, signedInAccount('a report'), checkedReport(request)),
    'quality.sendReport': (report) => sendCallQualityReport(deps.fetch, signedInAccount('a quality summary'), report),
    'diagnostics.keepReport': (request) => {
      const report = checkedReport(request);
      reportOwner(report.provisioningUrl).write(report);
    },
    'diagnostics.lastReport': ({ provisioningUrl }) => reportOwner(provisioningUrl).read(),
    // A page sees no more than the calling core's own in-page probe does.
    'sip.probeEndpoint': () => ({ result: 'not-run', detail: 'a browser tab cannot see TLS errors' }),
    'shell.openExternal': ({ url }) => {
      const target = new URL(url);
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new HostError('forbidden-url', `Only web links can be opened (got ${target.protocol})`);
      }
      deps.openWindow(target.href);
    },
    'log.write': ({ scope, level, message }) => {
      deps.console[level](`[${scope}] ${redact(message)}`);
    },
  };

  const dispatch = createValidatingDispatch(handlers, {
    shell: 'the web host',
    logError: (message, detail) => deps.console.error(`[host] ${message}`, detail),
  });

  return {
    async invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
      const envelope = await dispatch(channel, request, (name, event) => events.emit(name, event as never));
      if (!envelope.ok) throw hostRejection(envelope.error);
      return envelope.value as ResponseOf<C>;
    },
    on<C extends EventChannel>(channel: C, listener: (event: EventOf<C>) => void): () => void {
      return events.on(channel, listener);
    },
  };
}
