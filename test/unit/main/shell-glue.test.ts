import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { networkFingerprint, watchNetwork } from '../../../main/devices/network-fingerprint.js';
import { bringToFront } from '../../../main/windows/bring-to-front.js';

const nic = (address: string, family: 'IPv4' | 'IPv6' = 'IPv4', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: `${address}/24` }) as NetworkInterfaceInfo;

test('network fingerprint: ignores loopback and link-local, order-independent, sees a VPN coming up', () => {
  const base = { lo: [nic('127.0.0.1', 'IPv4', true)], wlan0: [nic('192.168.1.20'), nic('fe80::1', 'IPv6')] };
  const same = { wlan0: [nic('fe80::2', 'IPv6'), nic('192.168.1.20')], lo: [nic('127.0.0.1', 'IPv4', true)] };
  assert.equal(networkFingerprint(base), networkFingerprint(same));
  assert.notEqual(networkFingerprint(base), networkFingerprint({ ...base, tun0: [nic('10.8.0.2')] }));
  assert.notEqual(networkFingerprint(base), networkFingerprint({ wlan0: [nic('192.168.7.5')] }), 'roamed to another network');
});

test('watchNetwork reports each change once', () => {
  let current: NodeJS.Dict<NetworkInterfaceInfo[]> = { eth0: [nic('10.0.0.5')] };
  let tick: () => void = () => assert.fail('not started');
  let changes = 0;
  const stop = watchNetwork({
    read: () => current,
    onChange: () => void (changes += 1),
    intervalMs: 1000,
    setInterval: (fn) => ((tick = fn), {}),
    clearInterval: () => undefined,
  });
  tick();
  assert.equal(changes, 0, 'no change, no event');
  current = { eth0: [nic('10.0.0.5')], tun0: [nic('10.8.0.2')] };
  tick();
  tick();
  assert.equal(changes, 1);
  stop();
});

test('second instance: the running window is restored if minimised, shown and focused', () => {
  const calls: string[] = [];
  const window = (minimized: boolean) => ({
    isMinimized: () => minimized,
    restore: () => void calls.push('restore'),
    show: () => void calls.push('show'),
    focus: () => void calls.push('focus'),
  });
  bringToFront(window(true));
  assert.deepEqual(calls, ['restore', 'show', 'focus']);
  calls.length = 0;
  bringToFront(window(false));
  assert.deepEqual(calls, ['show', 'focus']);
  bringToFront(null); // no window yet: nothing to do, no throw
});
