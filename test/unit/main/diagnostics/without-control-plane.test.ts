/** The host checks a run falls back to when the control plane cannot be read, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosticProgress } from '../../../../common/contract/index.js';
import { runWithoutControlPlane } from '../../../../main/diagnostics/without-control-plane.js';
import { config, fakeProbes } from './fakes.js';

/** A tun adapter owning the route to the control plane; connects to it time out. */
const blackHoled = (clock: { t: number }) =>
  fakeProbes({
    now: () => clock.t,
    adapters: async () => [
      { name: 'eth0', address: '192.168.1.20', family: 'IPv4', cidr: null, internal: false },
      { name: 'tun0', address: '10.8.0.2', family: 'IPv4', cidr: null, internal: false },
    ],
    route: async (address) =>
      address === '198.51.100.11' ? { device: 'tun0', gateway: null } : { device: 'eth0', gateway: '192.168.1.1' },
    connect: async (host) => {
      if (host === '198.51.100.11') {
        clock.t += 4000;
        throw new Error(`TCP connect to ${host}:443 timed out after 4000 ms`);
      }
      return { connectMs: 3, tlsMs: 5 };
    },
    webSocketHandshake: async () => ({ status: 101, protocol: 'sip', ms: 8 }),
  });

describe('the network test without the control plane', () => {
  it('runs the host checks against the provisioning host and the last configuration, names the tunnel, counts the wait', async () => {
    const clock = { t: 1_000_000 };
    const probes = blackHoled(clock);
    const failedAt = clock.t;
    clock.t += 10_000; // the provisioning attempt's wait
    const events: DiagnosticProgress[] = [];
    const report = await runWithoutControlPlane(
      {
        provisioningUrl: 'https://cp.example.com/',
        lastConfig: config.client,
        provisioningFailure: {
          message: 'Cannot reach cp.example.com (no answer within 10 s)',
          fix: 'make cp.example.com reachable',
          startedAt: failedAt,
        },
      },
      probes,
      (e) => events.push(e),
      'run-1',
    );
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.verdict]),
      [
        ['provisioning', 'fail'],
        ['targets', 'pass'],
        ['vpn', 'pass'],
        ['tcp-tls', 'fail'],
        ['sip-websocket', 'pass'],
        ['proxy', 'pass'],
      ],
    );
    assert.equal(report.verdict, 'fail');
    assert.equal(report.steps[0]!.durationMs, 10_000);
    assert.equal(report.totalMs, 14_000, 'the provisioning wait plus the 4 s connect timeout');
    assert.equal(report.startedAt, new Date(failedAt).toISOString());
    assert.match(report.summary, /Cannot reach cp\.example\.com/);
    assert.match(report.summary, /traffic to cp\.example\.com \(control-plane\) leaves by interface tun0, a VPN tunnel/);
    assert.match(report.summary, /traffic to sip\.example\.com \(sip-websocket\) leaves by interface eth0 via 192\.168\.1\.1;/);
    assert.match(report.summary, /TCP 443 \(TLS\) to cp\.example\.com: TCP connect to 198\.51\.100\.11:443 timed out/);
    const dones = events.filter((e) => e.kind === 'done');
    assert.equal(dones.length, 1, 'one done, for the whole run');
    assert.deepEqual(dones[0], { kind: 'done', runId: 'run-1', verdict: 'fail', summary: report.summary });
    const first = events[0];
    assert.equal(first?.kind === 'finished' ? first.step.id : first?.kind, 'provisioning', 'the provisioning failure is reported first');
  });

  it('before sign-in and with no configuration ever read: the provisioning host only, the SIP check skipped', async () => {
    const report = await runWithoutControlPlane(
      { provisioningUrl: 'https://cp.example.com/', lastConfig: null, provisioningFailure: null },
      fakeProbes({ connect: async () => ({ connectMs: 3, tlsMs: 5 }) }),
    );
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.verdict]),
      [
        ['targets', 'pass'],
        ['vpn', 'pass'],
        ['tcp-tls', 'pass'],
        ['sip-websocket', 'skip'],
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
