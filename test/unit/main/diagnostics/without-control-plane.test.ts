/** The host checks before sign-in (nobody to ask the control plane as), with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWithoutControlPlane } from '../../../../main/diagnostics/without-control-plane.js';
import { fakeProbes } from './fakes.js';

describe('the network test without the control plane', () => {
  it('before sign-in and with no configuration ever read: the provisioning host only, the SIP check skipped', async () => {
    const report = await runWithoutControlPlane(
      { provisioningUrl: 'https://cp.example.com/', lastConfig: null },
      fakeProbes({ connect: async () => ({ connectMs: 3, tlsMs: 5 }) }),
    );
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.verdict]),
      [
        ['targets', 'pass'],
        ['vpn', 'pass'],
        ['tcp-tls', 'pass'],
        ['sip-websocket', 'skip'],
        ['stun', 'skip'],
        ['proxy', 'pass'],
      ],
    );
    const lookups = report.steps[0]!.values.lookups as { host: string; addresses: string[] }[];
    assert.deepEqual(
      lookups.map((l) => [l.host, l.addresses]),
      [['cp.example.com', ['198.51.100.11']]],
      'only the provisioning host is known',
    );
    assert.equal(report.verdict, 'pass');
  });
});
