import type { CallStats, CallSnapshot, PhoneSnapshot } from '../calling/phone-api.js';
import type { NetworkReport } from '../../common/network-report.js';
import type { CallQuality } from '../calling/quality-monitor.js';
import {
  SettingsSchema,
  type CallHistoryEntry,
  type ClientConfig,
  type DiagnosticProgress,
  type PasswordStorage,
  type Settings,
} from '../../common/contract/index.js';
import { newestFirst, withHistoryEntry } from '../../common/call-history.js';
import { NO_DEVICES, type DeviceLists } from './devices.js';
import { applyDiagnosticsProgress, diagnosticsShown, diagnosticsStarted, DIAGNOSTICS_IDLE, type DiagnosticsState } from './diagnostics.js';

/**
 * The whole UI state and its reducer. Holds no secrets: the session password goes from the host
 * straight to the phone and is never stored here.
 */

export type AuthPhase = 'starting' | 'signed-out' | 'signing-in' | 'signed-in';

export interface AppState {
  readonly shell: 'electron' | 'web' | null;
  readonly version: string | null;
  /** How the host keeps the saved password (said to the agent: obfuscation is not encryption). */
  readonly passwordStorage: PasswordStorage | null;
  readonly auth: {
    readonly phase: AuthPhase;
    /** Why the last sign-in failed, in words for the agent. */
    readonly error: string | null;
    readonly defaultUrl: string;
    readonly defaultUsername: string;
  };
  readonly config: ClientConfig | null;
  readonly phone: PhoneSnapshot;
  /** The most recently finished call, kept so "Busy" / "Call ended" stays readable after it. */
  readonly lastEndedCall: CallSnapshot | null;
  readonly stats: Readonly<Record<string, CallStats>>;
  /** Per live call: one-second samples, warnings and one-way audio (quality-monitor.ts). */
  readonly quality: Readonly<Record<string, CallQuality>>;
  /** Newest first. */
  readonly history: readonly CallHistoryEntry[];
  readonly settings: Settings;
  readonly devices: DeviceLists;
  readonly diagnostics: DiagnosticsState;
  /** The last finished page network test, and its id at the helpdesk once sent. */
  readonly networkReport: {
    readonly report: NetworkReport;
    readonly sentId: string | null;
    /** Where it comes from: the run just made, the last one kept for this agent, or a file the agent opened. */
    readonly origin: 'run' | 'kept' | 'file';
  } | null;
  /** A transient problem with a command (e.g. "Transfer failed: …"), shown until dismissed. */
  readonly notice: string | null;
}

export const initialState: AppState = {
  shell: null,
  version: null,
  passwordStorage: null,
  auth: { phase: 'starting', error: null, defaultUrl: '', defaultUsername: '' },
  config: null,
  phone: { registration: { kind: 'unregistered' }, calls: [] },
  lastEndedCall: null,
  stats: {},
  quality: {},
  history: [],
  settings: SettingsSchema.parse({}), // the contract's defaults, as the host's settings store has them
  devices: NO_DEVICES,
  diagnostics: DIAGNOSTICS_IDLE,
  networkReport: null,
  notice: null,
};

export type Action =
  | { type: 'host-info'; shell: 'electron' | 'web'; version: string; passwordStorage: PasswordStorage }
  | { type: 'sign-in-defaults'; url: string; username: string }
  | { type: 'sign-in-started' }
  | { type: 'sign-in-failed'; message: string }
  | { type: 'signed-in'; config: ClientConfig }
  | { type: 'signed-out' }
  | { type: 'phone-changed'; snapshot: PhoneSnapshot }
  | { type: 'stats-measured'; callId: string; stats: CallStats }
  | { type: 'quality-sampled'; callId: string; quality: CallQuality }
  | { type: 'history-loaded'; entries: readonly CallHistoryEntry[] }
  | { type: 'history-added'; entry: CallHistoryEntry }
  | { type: 'settings-changed'; settings: Settings }
  | { type: 'devices-listed'; devices: DeviceLists }
  | { type: 'diagnostics-started'; runId: string }
  | { type: 'diagnostics-progress'; event: DiagnosticProgress }
  | { type: 'diagnostics-failed'; message: string }
  | { type: 'diagnostics-report'; report: NetworkReport }
  | { type: 'diagnostics-shown'; report: NetworkReport; origin: 'kept' | 'file' }
  | { type: 'diagnostics-sent'; id: string }
  | { type: 'notice'; message: string | null };

function latestEnded(calls: readonly CallSnapshot[]): CallSnapshot | null {
  let latest: CallSnapshot | null = null;
  for (const call of calls) {
    if (call.state !== 'ended') continue;
    if (latest === null || (call.endedAt ?? 0) >= (latest.endedAt ?? 0)) latest = call;
  }
  return latest;
}

function onPhoneChanged(state: AppState, snapshot: PhoneSnapshot): AppState {
  const live = new Set(snapshot.calls.filter((c) => c.state !== 'ended').map((c) => c.id));
  // Stats of finished calls are dropped so a stale meter never shows on the next call.
  const stats = Object.fromEntries(Object.entries(state.stats).filter(([id]) => live.has(id)));
  const quality = Object.fromEntries(Object.entries(state.quality).filter(([id]) => live.has(id)));
  return {
    ...state,
    phone: snapshot,
    lastEndedCall: latestEnded(snapshot.calls) ?? state.lastEndedCall,
    stats,
    quality,
  };
}

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'host-info':
      return { ...state, shell: action.shell, version: action.version, passwordStorage: action.passwordStorage };
    case 'sign-in-defaults':
      return {
        ...state,
        auth: {
          ...state.auth,
          phase: state.auth.phase === 'starting' ? 'signed-out' : state.auth.phase,
          defaultUrl: action.url,
          defaultUsername: action.username,
        },
      };
    case 'sign-in-started':
      return { ...state, auth: { ...state.auth, phase: 'signing-in', error: null } };
    case 'sign-in-failed':
      return { ...state, auth: { ...state.auth, phase: 'signed-out', error: action.message } };
    case 'signed-in':
      return {
        ...state,
        auth: { ...state.auth, phase: 'signed-in', error: null, defaultUsername: action.config.agent.username },
        config: action.config,
      };
    case 'signed-out':
      return {
        ...initialState,
        shell: state.shell,
        version: state.version,
        passwordStorage: state.passwordStorage,
        auth: { ...state.auth, phase: 'signed-out', error: null },
        settings: state.settings,
        devices: state.devices,
        // History is not kept in view after sign-out: desktops are shared between agents.
      };
    case 'phone-changed':
      return onPhoneChanged(state, action.snapshot);
    case 'stats-measured': {
      const live = state.phone.calls.some((c) => c.id === action.callId && c.state !== 'ended');
      if (!live) return state;
      return { ...state, stats: { ...state.stats, [action.callId]: action.stats } };
    }
    case 'quality-sampled': {
      const live = state.phone.calls.some((c) => c.id === action.callId && c.state !== 'ended');
      if (!live) return state;
      return { ...state, quality: { ...state.quality, [action.callId]: action.quality } };
    }
    case 'history-loaded':
      return {
        ...state,
        history: newestFirst(action.entries),
      };
    case 'history-added':
      return { ...state, history: withHistoryEntry(state.history, action.entry) };
    case 'settings-changed':
      return { ...state, settings: action.settings };
    case 'devices-listed':
      return { ...state, devices: action.devices };
    case 'diagnostics-started':
      return { ...state, diagnostics: diagnosticsStarted(action.runId) };
    case 'diagnostics-progress':
      return { ...state, diagnostics: applyDiagnosticsProgress(state.diagnostics, action.event) };
    case 'diagnostics-failed':
      return { ...state, diagnostics: { phase: 'failed', message: action.message } };
    case 'diagnostics-report':
      return { ...state, networkReport: { report: action.report, sentId: null, origin: 'run' } };
    case 'diagnostics-shown':
      // A kept result never hides a run in progress.
      if (state.diagnostics.phase === 'running') return state;
      return {
        ...state,
        diagnostics: diagnosticsShown(action.report),
        networkReport: { report: action.report, sentId: null, origin: action.origin },
      };
    case 'diagnostics-sent':
      return state.networkReport ? { ...state, networkReport: { ...state.networkReport, sentId: action.id } } : state;
    case 'notice':
      return { ...state, notice: action.message };
  }
}
