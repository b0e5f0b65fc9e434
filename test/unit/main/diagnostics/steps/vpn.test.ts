/** Verdict rules of VPN and split tunnel, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vpnStep } from '../../../../../main/diagnostics/steps/vpn.js';
import { fakeProbes } from '../fakes.js';
import { only } from '../support/run-one-step.js';

describe('VPN and split tunnel', () => {
  const withTun = (mediaVia: 'tun0' | 'eth0') =>
    fakeProbes({
      adapters: async () => [
        { name: 'eth0', address: '192.168.1.20', family: 'IPv4', cidr: null, internal: false },
        { name: 'tun0', address: '10.8.0.2', family: 'IPv4', cidr: null, internal: false },
      ],
      egressSource: async (address) => (address === '203.0.113.20' && mediaVia === 'tun0' ? '10.8.0.2' : '192.168.1.20'),
    });

  it('media through the tunnel: warn, with the prefix to exclude', async () => {
    const r = await only(vpnStep, withTun('tun0'));
    assert.equal(r.verdict, 'warn');
    assert.match(r.explanation, /media to the gateway goes through the VPN tunnel \(tun0\)/);
    assert.match(r.fix!, /split-tunnel exclusion of 203\.0\.113\.0\/24/);
  });

  it('tunnel up but media outside it: split tunnel, pass', async () => {
    const r = await only(vpnStep, withTun('eth0'));
    assert.equal(r.verdict, 'pass');
    assert.match(r.explanation, /split tunnel excludes media: good/);
  });

  it('the OS route answer wins over the source-address guess', async () => {
    const probes = withTun('eth0');
    probes.route = async (a) => ({ device: a === '203.0.113.20' ? 'tun0' : 'eth0', gateway: null });
    assert.equal((await only(vpnStep, probes)).verdict, 'warn');
  });
});
