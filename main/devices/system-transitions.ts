import { networkInterfaces } from 'node:os';
import type { PowerMonitor } from 'electron';
import type { EventOf } from '../../common/contract/index.js';
import { watchNetwork } from './network-fingerprint.js';

export type SystemTransition = EventOf<'system.transition'>;

/** Every 3 s: a roam is noticed well within SIP.js's WebSocket keep-alive. */
export const NETWORK_POLL_MS = 3_000;

/**
 * Electron glue: sleep/wake from powerMonitor plus the polled network watcher, reported as
 * `system.transition` events (the renderer re-registers / ICE-restarts on them).
 */
export function watchSystemTransitions(
  powerMonitor: Pick<PowerMonitor, 'on' | 'removeListener'>,
  emit: (transition: SystemTransition) => void,
): () => void {
  const onSuspend = () => emit({ kind: 'suspend' });
  const onResume = () => emit({ kind: 'resume' });
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  const stopNetwork = watchNetwork({
    read: networkInterfaces,
    onChange: () => emit({ kind: 'network-changed' }),
    intervalMs: NETWORK_POLL_MS,
  });
  return () => {
    powerMonitor.removeListener('suspend', onSuspend);
    powerMonitor.removeListener('resume', onResume);
    stopNetwork();
  };
}
