import { z } from 'zod';
import { SessionSchema, SignInRequestSchema, TurnCredentialsSchema } from '../provisioning-api.js';
import { CallQualityReportSchema } from '../quality/call-quality-report.js';

import type { EventChannel, InvokeChannel } from './channels.js';

export * from './channels.js';
export * from './host-error-message.js';
export * from '../provisioning-api.js';
export * from './transport-policy.js';
export * from './lockout.js';

/**
 * The ONE typed IPC contract between the renderer and the main process. Main registers a handler
 * per `invoke` channel (sender check → `request.parse` → impl → `response.parse`), the preload
 * exposes exactly these channels, and the web softphone implements the same `HostApi` in-page.
 * Imports only zod, so every side can share it; the names alone are in channels.ts.
 */

export const SettingsSchema = z.object({
  microphoneId: z.string().default('default'),
  speakerId: z.string().default('default'),
  ringerId: z.string().default('default'),
});
export type Settings = z.infer<typeof SettingsSchema>;
/**
 * `settings.set` argument: only the fields to change. Not `SettingsSchema.partial()` — zod 4
 * still applies the defaults inside it, so changing the microphone would reset the speaker.
 */
export const SettingsPatchSchema = z.object({ microphoneId: z.string(), speakerId: z.string(), ringerId: z.string() }).partial();

export const CallHistoryEntrySchema = z.object({
  id: z.string().min(1).max(128),
  direction: z.enum(['outbound', 'inbound']),
  peer: z.string().max(256),
  startedAt: z.number(),
  answeredAt: z.number().nullable(),
  endedAt: z.number(),
  /** answered | cancelled | declined | busy | failed | missed */
  disposition: z.string().max(64),
});
export type CallHistoryEntry = z.infer<typeof CallHistoryEntrySchema>;

export const DiagnosticVerdictSchema = z.enum(['pass', 'warn', 'fail', 'skip']);
export const DiagnosticStepResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  verdict: DiagnosticVerdictSchema,
  explanation: z.string(),
  fix: z.string().optional(),
  values: z.record(z.string(), z.unknown()),
  durationMs: z.number(),
  /** When the step began, in ms after its run began: which checks overlapped (absent in older reports). */
  startMs: z.number().optional(),
});
export type DiagnosticStepResult = z.infer<typeof DiagnosticStepResultSchema>;
export const DiagnosticProgressSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('started'), runId: z.string(), stepId: z.string(), title: z.string() }),
  z.object({ kind: z.literal('finished'), runId: z.string(), step: DiagnosticStepResultSchema }),
  z.object({
    kind: z.literal('done'),
    runId: z.string(),
    verdict: DiagnosticVerdictSchema,
    summary: z.string(),
  }),
]);
export type DiagnosticProgress = z.infer<typeof DiagnosticProgressSchema>;
/** A finished run of the desktop's native checks (common/diagnostics/step.ts `RunResult`). */
export const DiagnosticRunSchema = z.object({
  runId: z.string(),
  verdict: DiagnosticVerdictSchema,
  summary: z.string(),
  startedAt: z.string(),
  totalMs: z.number().nonnegative(),
  steps: z.array(DiagnosticStepResultSchema),
});

export const LogLevelSchema = z.enum(['error', 'warn', 'info', 'debug']);

/** What probing the SIP WebSocket's host:port showed (the calling core's `EndpointProbe`). */
export const EndpointProbeResultSchema = z.enum(['http-answered', 'no-answer', 'tls-rejected', 'not-run']);

const none = z.void();
const channel = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) => ({
  request,
  response,
});

/**
 * How the saved password is protected at rest, for the agent to read: a keyring-backed key
 * ('os-encrypted'), Electron's Linux fallback with a key built into Chromium ('obfuscated'), a
 * 0600 clear-text file ('plain-file', never in a shipped app), or only for the browser tab's
 * lifetime ('browser-session', the web softphone).
 */
export const PasswordStorageSchema = z.enum(['os-encrypted', 'obfuscated', 'plain-file', 'browser-session']);
export type PasswordStorage = z.infer<typeof PasswordStorageSchema>;

/** renderer → main, request/response (`ipcRenderer.invoke`), one per name in channels.ts. */
export const invokeChannels = {
  'app.info': channel(
    none,
    z.object({
      version: z.string(),
      platform: z.string(),
      shell: z.enum(['electron', 'web']),
      passwordStorage: PasswordStorageSchema,
    }),
  ),
  /** Provisioning URL pre-set by enterprise policy, and the remembered account if any. */
  'provisioning.defaults': channel(none, z.object({ policyUrl: z.string().nullable(), lastUsername: z.string().nullable() })),
  'provisioning.signIn': channel(SignInRequestSchema, SessionSchema),
  /** The stored session (secret from the OS keychain), or null when signed out. */
  'provisioning.restore': channel(none, SessionSchema.nullable()),
  'provisioning.signOut': channel(none, none),
  'turn.refresh': channel(none, TurnCredentialsSchema),
  'settings.get': channel(none, SettingsSchema),
  'settings.set': channel(SettingsPatchSchema, SettingsSchema),
  'history.list': channel(none, z.array(CallHistoryEntrySchema)),
  'history.add': channel(CallHistoryEntrySchema, none),
  /**
   * Runs the desktop's native checks and resolves to their result; the page's checks run beside
   * them in the renderer. Steps stream as `diagnostics.progress` ('started', 'finished') stamped
   * with the runId the renderer chose. Signed in, against the account's servers; before sign-in,
   * the host-name checks against `provisioningUrl` (else the policy's) and the last configuration.
   */
  'diagnostics.run': channel(
    z.object({ runId: z.string().min(1).max(64), provisioningUrl: z.string().url().max(2048).optional() }),
    DiagnosticRunSchema,
  ),
  /**
   * Sends a network test report to the helpdesk as the signed-in agent; resolves to its id there.
   * The request is checked by the handler against `NetworkReportSchema` (common/network-report.ts
   * imports this file, so the schema cannot be named here without an import cycle).
   */
  'diagnostics.sendReport': channel(z.unknown(), z.object({ id: z.string() })),
  /**
   * Keeps a finished report as the last one of the signed-in agent (before sign-in: of the
   * provisioning URL it names), checked by the handler like `diagnostics.sendReport`.
   */
  'diagnostics.keepReport': channel(z.unknown(), none),
  /** The last kept report of the signed-in agent (before sign-in: of this provisioning URL), or null. */
  'diagnostics.lastReport': channel(z.object({ provisioningUrl: z.string().max(2048) }), z.unknown()),
  /** Sends a call's quality summary (every few seconds during it, once at its end) as the signed-in agent. */
  'quality.sendReport': channel(CallQualityReportSchema, z.object({ stored: z.boolean() })),
  /**
   * Why the SIP WebSocket of the signed-in account fails, seen from outside the page (a page
   * only ever gets close code 1006): only that URL is probed. 'not-run' where the host cannot.
   */
  'sip.probeEndpoint': channel(
    z.object({ wsUrl: z.string().max(2048) }),
    z.object({ result: EndpointProbeResultSchema, detail: z.string().max(1024) }),
  ),
  'shell.openExternal': channel(z.object({ url: z.string().max(2048) }), none),
  'log.write': channel(z.object({ scope: z.string().max(64), level: LogLevelSchema, message: z.string().max(8192) }), none),
} as const satisfies Record<InvokeChannel, ReturnType<typeof channel>>;

/** main → renderer events (`webContents.send`), one per name in channels.ts. */
export const eventChannels = {
  'diagnostics.progress': DiagnosticProgressSchema,
  /** Power and network transitions the calling core reacts to (re-register, ICE restart). */
  'system.transition': z.object({ kind: z.enum(['suspend', 'resume', 'network-changed']) }),
  /** New TURN credentials from the host's background refresh (the host owns the schedule). */
  'turn.credentials': TurnCredentialsSchema,
  /**
   * The OS audio device list changed (main/devices/audio-device-watcher.ts): the renderer lists
   * the devices again and re-routes audio. The names are the OS's, for the log; the renderer
   * matches devices by the browser's ids, which only enumerateDevices() gives.
   */
  'devices.changed': z.object({
    microphones: z.array(z.string().max(256)).max(64),
    speakers: z.array(z.string().max(256)).max(64),
  }),
} as const satisfies Record<EventChannel, z.ZodType>;
export type RequestOf<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>;
export type ResponseOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['response']>;
export type EventOf<C extends EventChannel> = z.output<(typeof eventChannels)[C]>;

/** What the renderer sees as `window.clearline` (Electron) or builds in-page (web softphone). */
export interface HostApi {
  invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  on<C extends EventChannel>(channel: C, listener: (event: EventOf<C>) => void): () => void;
}

/**
 * How a failed `invoke` rejects: an Error whose `name` is 'HostError' and whose message starts with
 * `[code] ` — the prefix survives every bridge (contextBridge and Playwright bindings copy only the
 * message of an Error), so `parseHostError` recovers the code anywhere. Never carries a stack.
 */
export const HostErrorCodeSchema = z.enum([
  'forbidden-sender', // not our window / a subframe / another origin
  'unknown-channel',
  'invalid-request', // the argument failed the channel's request schema
  'invalid-response', // a handler produced something the response schema rejects (a bug)
  'unauthorized', // wrong username or password
  'unreachable', // the control plane cannot be reached
  'invalid-config', // the control plane answered something that is not a valid configuration
  'server-error', // the control plane answered with another HTTP error
  'insecure-transport', // http:// or ws:// to a server that is not this computer (transport-policy.ts)
  'locked', // too many failed sign-ins: the control plane answered 429 with Retry-After
  'secret-unreadable', // the saved password cannot be read back (damaged file, another OS key): sign in again
  'not-signed-in',
  'not-available', // the feature does not exist in this shell (e.g. native diagnostics on the web)
  'forbidden-url', // shell.openExternal with a non-http(s) URL
  'internal',
]);
export type HostErrorCode = z.infer<typeof HostErrorCodeSchema>;
export const HostErrorSchema = z.object({ code: HostErrorCodeSchema, message: z.string() });
export type HostErrorInfo = z.infer<typeof HostErrorSchema>;

/** The code and message of a rejection from `HostApi.invoke`, or null for any other error. */
export function parseHostError(error: unknown): HostErrorInfo | null {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /\[([a-z-]+)\] ([\s\S]*)$/.exec(message);
  const parsed = match && HostErrorSchema.safeParse({ code: match[1], message: match[2] });
  return parsed && parsed.success ? parsed.data : null;
}
