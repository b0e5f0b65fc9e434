import type { NetworkInterfaceInfo } from 'node:os';

/**
 * A stable summary of the machine's usable addresses. When it changes — Wi-Fi roams, a VPN
 * comes up or drops, a dock's Ethernet appears — the calling core must re-register and
 * ICE-restart, because its SIP WebSocket and media paths were bound to the old addresses.
 * Loopback and IPv6 link-local addresses are ignored: they change nothing about reachability.
 */
export function networkFingerprint(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const entries: string[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      entries.push(`${name}|${a.family}|${a.address}/${a.cidr ?? a.netmask}`);
    }
  }
  return entries.sort().join(',');
}

/**
 * Polls the interface list (Electron has no cross-platform "network changed" event in main)
 * and calls `onChange` when the fingerprint differs from the previous poll.
 */
export function watchNetwork(options: {
  read: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  onChange: () => void;
  intervalMs: number;
  setInterval?: (fn: () => void, ms: number) => { unref?(): void };
  clearInterval?: (handle: unknown) => void;
}): () => void {
  const every = options.setInterval ?? setInterval;
  const stop = options.clearInterval ?? ((h: unknown) => clearInterval(h as NodeJS.Timeout));
  let last = networkFingerprint(options.read());
  const handle = every(() => {
    const next = networkFingerprint(options.read());
    if (next === last) return;
    last = next;
    options.onChange();
  }, options.intervalMs);
  handle.unref?.();
  return () => stop(handle);
}
