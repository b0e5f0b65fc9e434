/**
 * The names of the IPC contract's channels and the preload's global, without their schemas: the
 * sandboxed preload bundles this file (and host-error-message.ts) only, so it inlines no zod.
 * index.ts gives every name here its request/response schema and the compiler checks the two
 * lists are the same.
 */

/** renderer → main, request/response (`ipcRenderer.invoke`). */
export const INVOKE_CHANNEL_NAMES = [
  'app.info',
  'provisioning.defaults',
  'provisioning.signIn',
  'provisioning.restore',
  'provisioning.signOut',
  'turn.refresh',
  'settings.get',
  'settings.set',
  'history.list',
  'history.add',
  'diagnostics.run',
  'diagnostics.sendReport',
  'diagnostics.keepReport',
  'diagnostics.lastReport',
  'quality.sendReport',
  'sip.probeEndpoint',
  'shell.openExternal',
  'log.write',
] as const;

/** main → renderer events (`webContents.send`). */
export const EVENT_CHANNEL_NAMES = ['diagnostics.progress', 'system.transition', 'turn.credentials', 'devices.changed'] as const;

export type InvokeChannel = (typeof INVOKE_CHANNEL_NAMES)[number];
export type EventChannel = (typeof EVENT_CHANNEL_NAMES)[number];

/** The preload's global name. */
export const HOST_API_GLOBAL = 'clearline';
