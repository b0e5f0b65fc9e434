import type { HostApi, Session, Settings } from '../../common/contract/index.js';
import type { CallSnapshot, CallStats, Phone, PhoneSnapshot } from '../calling/phone-api.js';
import { QualityMonitor, SAMPLE_INTERVAL_MS } from '../calling/quality-monitor.js';
import { STATS_SAMPLE_MS } from '../calling/stats-sampler.js';
import { DEFAULT_QUALITY_THRESHOLDS } from '../../common/quality/quality-thresholds.js';
import { userMessage } from '../host/error-message.js';
import type { Logger } from '../host/host-logger.js';
import { toHistoryEntry } from './call-status.js';
import { QualityUploads } from './quality-uploads.js';
import { describeRouteChange, routeDevices, sameDevices, type DeviceRoute } from './device-routing.js';
import { toDeviceLists, type DeviceInfoLike } from './devices.js';
import { OutputReturnGuard } from './output-return.js';
import type { Store } from './store.js';
import { checkSignIn } from './sign-in.js';
import type { ProgressListener } from '../../common/diagnostics/step.js';
import { parseNetworkReport, type NetworkReport } from '../../common/network-report.js';
import type { PageTestInput } from '../network-test/network-test.js';

/**
 * Wires the host, the phone and the store together: every side effect of the UI lives here, the
 * components only read state and call these commands. Timers and devices are injected so the
 * orchestration runs the same in Chromium and in a Node unit test.
 */

/** The meters' levels: every 2nd reading of the call's stats sampler, 400 ms apart (within the 500 ms they promise). */
export const LEVELS_EVERY_READINGS = 2;
/** The quality monitor's readings: one a second, its sample interval (quality-monitor.ts). */
export const QUALITY_EVERY_READINGS = SAMPLE_INTERVAL_MS / STATS_SAMPLE_MS;

export interface MediaDevicesLike {
  enumerateDevices(): Promise<readonly DeviceInfoLike[]>;
  addEventListener(type: 'devicechange', listener: () => void): void;
  removeEventListener(type: 'devicechange', listener: () => void): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ControllerDeps {
  readonly host: HostApi;
  readonly phone: Phone;
  readonly store: Store;
  readonly mediaDevices: MediaDevicesLike | null;
  readonly timers: Timers;
  readonly log: Logger;
  /** Names network-test runs; a random UUID unless a test fixes it. */
  readonly newRunId?: () => string;
  /**
   * The network test (renderer/network-test/) over the browser's probes; both shells run it, the
   * desktop with its native checks beside the page's.
   */
  readonly pageNetworkTest?: (input: PageTestInput, onProgress: ProgressListener, runId: string) => Promise<NetworkReport>;
}

export type DeviceField = keyof Settings;

export interface Controller {
  /** Loads host info, defaults, settings and devices, and resumes a stored session if any. */
  start(): Promise<void>;
  signIn(url: string, username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  call(target: string): Promise<void>;
  /** Answers; a call already in progress is put on hold first (call waiting). */
  answer(callId: string): Promise<void>;
  /** Makes a parked call the current one: holds the current call, resumes this one. */
  switchTo(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  hangup(callId: string): Promise<void>;
  setMuted(callId: string, muted: boolean): void;
  setHeld(callId: string, held: boolean): Promise<void>;
  sendDtmf(callId: string, digits: string): Promise<void>;
  /** Resolves true when the far end accepted the transfer. */
  transfer(callId: string, target: string): Promise<boolean>;
  chooseDevice(field: DeviceField, deviceId: string): Promise<void>;
  refreshDevices(): Promise<void>;
  /**
   * Runs the network test. `provisioningUrl` is for a run before sign-in (the URL typed in the
   * form); signed in, the account's control plane is tested.
   */
  runDiagnostics(provisioningUrl?: string): Promise<void>;
  /** Sends the last report to the helpdesk as the signed-in agent. */
  sendNetworkReport(): Promise<void>;
  /** Shows the last kept test of the signed-in agent (before sign-in: of this provisioning URL), if any. */
  showLastNetworkReport(provisioningUrl?: string): Promise<void>;
  /** Opens a saved JSON report: validated against the schema, then shown; anything else is a clear error. */
  openNetworkReport(fileText: string): void;
  dismissNotice(): void;
  dispose(): void;
}

const STATS_STATES = new Set<CallSnapshot['state']>(['connecting', 'active']);

export function createController({
  host,
  phone,
  store,
  mediaDevices,
  timers,
  log,
  newRunId = () => crypto.randomUUID(),
  pageNetworkTest,
}: ControllerDeps): Controller {
  const { dispatch } = store;
  const recordedCalls = new Set<string>();
  /** Calls whose fallback to the default microphone the agent was told about. */
  const toldMicrophoneFallback = new Set<string>();
  /** Per call whose stats are watched: what stops watching them. */
  const statsWatches = new Map<string, () => void>();
  /** The signed-in session: the page's network test calls the echo number with it. */
  let currentSession: Session | null = null;
  const cleanups: Array<() => void> = [];

  /** The provisioning URL a network test aims at: the account's, else the one typed, else the default. */
  const testedUrl = (typed?: string) => currentSession?.config.controlPlaneUrl ?? typed ?? store.getState().auth.defaultUrl;

  const notice = (prefix: string, error: unknown) => {
    const message = `${prefix}: ${userMessage(error)}`;
    log.warn(message);
    dispatch({ type: 'notice', message });
  };

  /** Runs a phone action; a failure becomes a notice headed `prefix`. Resolves whether it worked. */
  const attempt = async (prefix: string, action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (error) {
      notice(prefix, error);
      return false;
    }
  };

  // --- Stats: the call's sampler (stats-sampler.ts) hands over readings while it has media -----
  // Levels for the meters every LEVELS_EVERY_READINGS readings; one reading a second for its
  // quality monitor, which turns each into a sample (quality-monitor.ts).
  const monitors = new Map<string, QualityMonitor>();
  const qualityUploads = new QualityUploads(host, log);
  const monitorFor = (callId: string) => {
    let monitor = monitors.get(callId);
    if (monitor === undefined) {
      monitor = new QualityMonitor(store.getState().config?.quality ?? DEFAULT_QUALITY_THRESHOLDS);
      monitors.set(callId, monitor);
    }
    return monitor;
  };
  /** The call as the store has it now, while its stats count: not once it has ended (its monitor is gone, its final summary sent). */
  const liveCall = (callId: string) => store.getState().phone.calls.find((c) => c.id === callId && STATS_STATES.has(c.state));
  const levelsMeasured = (callId: string, stats: CallStats) => {
    if (liveCall(callId) !== undefined) dispatch({ type: 'stats-measured', callId, stats });
  };
  const qualityRead = (callId: string, stats: CallStats) => {
    const now = liveCall(callId);
    if (now === undefined) return;
    const quality = monitorFor(callId).ingest(stats, now.held);
    if (quality === null) return;
    dispatch({ type: 'quality-sampled', callId, quality });
    qualityUploads.sampled(now.sipCallId, quality);
  };
  const updateStatsWatches = (snapshot: PhoneSnapshot) => {
    for (const call of snapshot.calls) {
      if (!STATS_STATES.has(call.state) || statsWatches.has(call.id)) continue;
      try {
        const stopLevels = phone.watchStats(call.id, LEVELS_EVERY_READINGS, (stats) => levelsMeasured(call.id, stats));
        const stopQuality = phone.watchStats(call.id, QUALITY_EVERY_READINGS, (stats) => qualityRead(call.id, stats));
        statsWatches.set(call.id, () => (stopLevels(), stopQuality()));
      } catch (error) {
        log.debug(`watchStats(${call.id}) failed: ${userMessage(error)}`);
      }
    }
    for (const [callId, stop] of statsWatches) {
      const call = snapshot.calls.find((c) => c.id === callId);
      if (call !== undefined && STATS_STATES.has(call.state)) continue;
      stop();
      statsWatches.delete(callId);
    }
  };

  // --- History: each call is filed once, when it ends ------------------------------------------
  const recordEndedCalls = (snapshot: PhoneSnapshot) => {
    let anyEnded = false;
    for (const call of snapshot.calls) {
      const entry = toHistoryEntry(call);
      if (entry === null || recordedCalls.has(call.id)) continue;
      recordedCalls.add(call.id);
      anyEnded = true;
      dispatch({ type: 'history-added', entry });
      host.invoke('history.add', entry).catch((error: unknown) => log.warn(`history.add failed: ${userMessage(error)}`));
    }
    // A headset plugged in during the call may not have fired devicechange (Chromium reports it
    // on the next enumeration), so the lists are refreshed after every call.
    if (anyEnded) void refreshDevices();
  };

  const tellMicrophoneFallback = (snapshot: PhoneSnapshot) => {
    for (const call of snapshot.calls) {
      if (!call.microphoneFallback || toldMicrophoneFallback.has(call.id)) continue;
      toldMicrophoneFallback.add(call.id);
      const message = 'The selected microphone is not available: this call uses the system default microphone.';
      log.warn(message);
      dispatch({ type: 'notice', message });
    }
  };

  const onPhoneSnapshot = (snapshot: PhoneSnapshot) => {
    for (const call of snapshot.calls) {
      const monitor = call.state === 'ended' ? monitors.get(call.id) : undefined;
      if (monitor === undefined) continue;
      monitors.delete(call.id);
      qualityUploads.ended(call.sipCallId, monitor.current);
    }
    dispatch({ type: 'phone-changed', snapshot });
    recordEndedCalls(snapshot);
    tellMicrophoneFallback(snapshot);
    updateStatsWatches(snapshot);
  };

  // --- Devices ---------------------------------------------------------------------------------
  // The phone gets the saved devices, or the system default for a role whose device is unplugged
  // (device-routing.ts); every listing re-routes, so audio leaves a device the moment it goes and
  // returns when it is back. Routes apply one after another (an unplug fires several events).
  let route: DeviceRoute | null = null;
  let routing: Promise<void> = Promise.resolve();
  const outputReturn = new OutputReturnGuard();
  let outputRetry: unknown = null;
  /** Labels of every device seen, so a device that is gone can still be named. */
  const labels = new Map<string, string>();

  /** `outputs-settled`: a held-back output may now return (output-return.ts). */
  const applyRoute = (reason: 'devices-listed' | 'settings-changed' | 'outputs-settled') => {
    const next = routing.then(async () => {
      const { settings, devices } = store.getState();
      const previous = route;
      const wanted = routeDevices(settings, devices);
      if (reason !== 'settings-changed' && previous && sameDevices(previous.devices, wanted.devices)) return;
      // A route changed by the agent's own choice needs no explanation; one changed by a device does.
      // The first listing compares with "everything there", so a saved device already missing
      // at start-up is announced too.
      const message =
        reason === 'devices-listed'
          ? describeRouteChange(
              previous ?? { devices: settings, fallback: new Set() },
              wanted,
              settings,
              (id) => labels.get(id) ?? 'The saved audio device',
            )
          : null;
      if (message) {
        log.info(message);
        dispatch({ type: 'notice', message });
      }
      // A headset back within seconds of its unplug keeps the call's audio where it plays a little
      // longer (output-return.ts), and the route is applied again once that is safe.
      const now = Date.now();
      const { devices: applied, retryAt } = outputReturn.apply(previous?.devices ?? null, wanted.devices, now, reason === 'devices-listed');
      route = { devices: applied, fallback: wanted.fallback };
      if (retryAt !== null) {
        if (outputRetry !== null) timers.clearTimeout(outputRetry);
        outputRetry = timers.setTimeout(() => {
          outputRetry = null;
          void applyRoute('outputs-settled');
        }, retryAt - now);
      }
      await attempt('Could not switch audio device', () => phone.setDevices(applied));
    });
    routing = next.catch(() => undefined);
    return next;
  };

  const refreshDevices = async () => {
    if (mediaDevices === null) return;
    try {
      const devices = toDeviceLists(await mediaDevices.enumerateDevices());
      for (const option of [...devices.microphones, ...devices.speakers]) labels.set(option.id, option.label);
      dispatch({ type: 'devices-listed', devices });
    } catch (error) {
      log.warn(`enumerateDevices failed: ${userMessage(error)}`);
      return;
    }
    await applyRoute('devices-listed');
  };

  // --- Session -----------------------------------------------------------------------------------
  const startSession = async (session: Session) => {
    currentSession = session;
    dispatch({ type: 'signed-in', config: session.config });
    host
      .invoke('history.list', undefined)
      .then((entries) => {
        for (const entry of entries) recordedCalls.add(entry.id);
        dispatch({ type: 'history-loaded', entries });
      })
      .catch((error: unknown) => log.warn(`history.list failed: ${userMessage(error)}`));
    try {
      await phone.start(session);
    } catch (error) {
      notice('Could not start the phone', error);
    }
    await applyRoute('settings-changed');
  };

  const loadDefaults = async () => {
    const defaults = await host.invoke('provisioning.defaults', undefined);
    dispatch({ type: 'sign-in-defaults', url: defaults.policyUrl ?? '', username: defaults.lastUsername ?? '' });
  };

  const onDeviceChange = () => void refreshDevices();

  /** Only one call at a time has our microphone: every other talking call goes on hold. */
  const holdOthers = async (exceptId: string) => {
    const talking = phone.snapshot().calls.filter((c) => c.id !== exceptId && c.state === 'active' && !c.held);
    for (const call of talking) await phone.setHeld(call.id, true);
  };

  return {
    async start() {
      const unsubscribe = phone.subscribe(onPhoneSnapshot);
      cleanups.push(unsubscribe);
      cleanups.push(host.on('diagnostics.progress', (event) => dispatch({ type: 'diagnostics-progress', event })));
      // The host keeps TURN credentials fresh (one schedule, one retry policy) and pushes each set.
      cleanups.push(
        host.on('turn.credentials', (turn) => {
          if (store.getState().auth.phase === 'signed-in') phone.updateTurnCredentials(turn);
        }),
      );
      cleanups.push(
        host.on('system.transition', (event) => {
          log.info(`system transition: ${event.kind}`);
          phone.handleSystemTransition?.(event.kind);
        }),
      );
      // The desktop host watches the OS device list (a headset plugged in while the window is
      // hidden, or where the browser fires no devicechange) and says so: list and re-route now.
      cleanups.push(
        host.on('devices.changed', () => {
          log.info('audio devices changed (host)');
          void refreshDevices();
        }),
      );
      cleanups.push(() => {
        if (outputRetry !== null) timers.clearTimeout(outputRetry);
      });
      if (mediaDevices !== null) {
        mediaDevices.addEventListener('devicechange', onDeviceChange);
        cleanups.push(() => mediaDevices.removeEventListener('devicechange', onDeviceChange));
      }
      const startFailed = (error: unknown) => {
        log.error(`host start-up failed: ${userMessage(error)}`);
        dispatch({ type: 'sign-in-failed', message: `The app could not start: ${userMessage(error)}` });
      };
      try {
        const info = await host.invoke('app.info', undefined);
        dispatch({ type: 'host-info', shell: info.shell, version: info.version, passwordStorage: info.passwordStorage });
        dispatch({ type: 'settings-changed', settings: await host.invoke('settings.get', undefined) });
      } catch (error) {
        startFailed(error);
        return;
      }
      void refreshDevices();
      // The stored session is looked for before the sign-in form is shown, so a returning agent
      // goes straight to the phone instead of seeing the form flash.
      let session: Session | null = null;
      let restoreProblem: string | null = null;
      try {
        session = await host.invoke('provisioning.restore', undefined);
      } catch (error) {
        restoreProblem = userMessage(error);
        log.warn(`session restore failed: ${restoreProblem}`);
      }
      if (session === null) {
        try {
          await loadDefaults();
        } catch (error) {
          startFailed(error);
          return;
        }
        // Say why the saved session is gone (its password unreadable, the server unreachable…):
        // the agent signs in again knowing why instead of wondering where the session went.
        if (restoreProblem !== null) dispatch({ type: 'sign-in-failed', message: restoreProblem });
        return;
      }
      // A stored session's TURN credentials may have expired while the app was closed.
      try {
        session = { ...session, turn: await host.invoke('turn.refresh', undefined) };
      } catch (error) {
        log.warn(`TURN refresh on restore failed, using stored credentials: ${userMessage(error)}`);
      }
      await startSession(session);
    },

    async signIn(url, username, password) {
      const checked = checkSignIn({ url, username, password });
      if (!checked.ok) {
        dispatch({ type: 'sign-in-failed', message: checked.error });
        return;
      }
      dispatch({ type: 'sign-in-started' });
      let session: Session;
      try {
        session = await host.invoke('provisioning.signIn', checked.request);
      } catch (error) {
        log.info(`sign-in failed: ${userMessage(error)}`);
        dispatch({ type: 'sign-in-failed', message: userMessage(error) });
        return;
      }
      await startSession(session);
    },

    async signOut() {
      try {
        await phone.stop();
      } catch (error) {
        log.warn(`phone.stop failed: ${userMessage(error)}`);
      }
      try {
        await host.invoke('provisioning.signOut', undefined);
      } catch (error) {
        log.warn(`signOut failed: ${userMessage(error)}`);
      }
      recordedCalls.clear();
      currentSession = null;
      dispatch({ type: 'signed-out' });
      await loadDefaults().catch((error: unknown) => log.warn(`defaults failed: ${userMessage(error)}`));
    },

    async call(target) {
      dispatch({ type: 'notice', message: null });
      await attempt('Call failed', () => phone.call(target));
    },
    async answer(callId) {
      await attempt('Could not answer', async () => {
        await holdOthers(callId);
        await phone.answer(callId);
      });
    },
    async switchTo(callId) {
      await attempt('Could not switch calls', async () => {
        await holdOthers(callId);
        await phone.setHeld(callId, false);
      });
    },
    async decline(callId) {
      await attempt('Could not decline', () => phone.decline(callId));
    },
    async hangup(callId) {
      await attempt('Could not hang up', () => phone.hangup(callId));
    },
    setMuted(callId, muted) {
      try {
        phone.setMuted(callId, muted);
      } catch (error) {
        notice(muted ? 'Could not mute' : 'Could not unmute', error);
      }
    },
    async setHeld(callId, held) {
      await attempt(held ? 'Could not put the call on hold' : 'Could not resume the call', () => phone.setHeld(callId, held));
    },
    async sendDtmf(callId, digits) {
      await attempt('Could not send the digit', () => phone.sendDtmf(callId, digits));
    },
    async transfer(callId, target) {
      return attempt('Transfer failed', () => phone.transfer(callId, target));
    },
    async chooseDevice(field, deviceId) {
      let settings: Settings;
      try {
        settings = await host.invoke('settings.set', { [field]: deviceId });
      } catch (error) {
        notice('Could not save the audio setting', error);
        return;
      }
      dispatch({ type: 'settings-changed', settings });
      await applyRoute('settings-changed');
    },
    refreshDevices,
    async runDiagnostics(provisioningUrl?: string) {
      // The run is named here, before it starts: its first progress event may arrive before the
      // host's answer does, and is matched by this id.
      const runId = newRunId();
      dispatch({ type: 'diagnostics-started', runId });
      const state = store.getState();
      if (!pageNetworkTest) {
        dispatch({ type: 'diagnostics-failed', message: 'the network test is not available in this window' });
        return;
      }
      const url = testedUrl(provisioningUrl);
      const shell = state.shell ?? 'web';
      try {
        const report = await pageNetworkTest(
          {
            provisioningUrl: url,
            session: currentSession,
            devices: state.settings,
            shell,
            appVersion: state.version ?? '',
            // The desktop's native steps stream through the host's 'diagnostics.progress' events.
            nativeChecks:
              shell === 'electron'
                ? () => host.invoke('diagnostics.run', URL.canParse(url) ? { runId, provisioningUrl: url } : { runId })
                : null,
          },
          (event) => dispatch({ type: 'diagnostics-progress', event }),
          runId,
        );
        dispatch({ type: 'diagnostics-report', report });
        await host
          .invoke('diagnostics.keepReport', report)
          .catch((error: unknown) => log.warn(`the network test result could not be kept: ${userMessage(error)}`));
      } catch (error) {
        dispatch({ type: 'diagnostics-failed', message: userMessage(error) });
      }
    },
    async showLastNetworkReport(provisioningUrl?: string) {
      try {
        const kept = await host.invoke('diagnostics.lastReport', { provisioningUrl: testedUrl(provisioningUrl) });
        if (kept === null) return;
        const parsed = parseNetworkReport(kept);
        if (parsed.ok) dispatch({ type: 'diagnostics-shown', report: parsed.report, origin: 'kept' });
        else log.warn(`the kept network test result is unreadable: ${parsed.error}`);
      } catch (error) {
        log.warn(`the kept network test result could not be read: ${userMessage(error)}`);
      }
    },
    openNetworkReport(fileText) {
      let json: unknown;
      try {
        json = JSON.parse(fileText);
      } catch (error) {
        dispatch({
          type: 'diagnostics-failed',
          message: `This file is not a network test report: it is not JSON (${(error as Error).message}). Open the .json file that "Export JSON" saved.`,
        });
        return;
      }
      const parsed = parseNetworkReport(json);
      if (parsed.ok) dispatch({ type: 'diagnostics-shown', report: parsed.report, origin: 'file' });
      else dispatch({ type: 'diagnostics-failed', message: `This file cannot be opened: ${parsed.error}.` });
    },
    async sendNetworkReport() {
      const last = store.getState().networkReport;
      if (!last) return;
      try {
        const { id } = await host.invoke('diagnostics.sendReport', last.report);
        dispatch({ type: 'diagnostics-sent', id });
      } catch (error) {
        notice('Could not send the report', error);
      }
    },
    dismissNotice() {
      dispatch({ type: 'notice', message: null });
    },
    dispose() {
      for (const stop of statsWatches.values()) stop();
      statsWatches.clear();
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
