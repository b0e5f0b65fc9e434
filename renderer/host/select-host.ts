import { HOST_API_GLOBAL, type HostApi } from '../../common/contract/index.js';
import { createWebHost } from './web-host.js';

/**
 * The host the UI talks to: the preload's bridge (`window.clearline`, in Electron or the e2e
 * harness) when present, else the in-page web host of the web softphone.
 */

function isHostApi(value: unknown): value is HostApi {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HostApi).invoke === 'function' &&
    typeof (value as HostApi).on === 'function'
  );
}

export function selectHost(win: Window, version: string): HostApi {
  const bridged: unknown = (win as unknown as Record<string, unknown>)[HOST_API_GLOBAL];
  if (isHostApi(bridged)) return bridged;
  return createWebHost({
    fetch: (input, init) => win.fetch(input, init),
    localStorage: win.localStorage,
    sessionStorage: win.sessionStorage,
    origin: win.location.origin,
    version,
    platform: win.navigator.userAgent,
    console,
    openWindow: (url) => void win.open(url, '_blank', 'noopener,noreferrer'),
    networkEvents: win,
    lifecycleEvents: win.document,
  });
}
