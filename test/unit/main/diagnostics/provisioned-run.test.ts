/**
 * The CLI's run: the host checks start with the attempt to read the configuration, and are used
 * whichever way it ends — with the OS, the network and the clock faked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosticProgress } from '../../../../common/contract/index.js';
import { HOST_NAME_STEPS } from '../../../../main/diagnostics/without-control-plane.js';
import { runProvisioned } from '../../../../main/diagnostics/provisioned-run.js';
import { outcome, type StepDefinition } from '../../../../main/diagnostics/step.js';
import { iceServerOf } from '../../../../main/diagnostics/targets.js';
import type { DiagnosticsConfig } from '../../../../main/diagnostics/types.js';
import { config, fakeProbes } from './fakes.js';

/** TURN over TCP only: its reachability is a TCP connect (the UDP binding has its proof in netns.test). */
const tcpTurn: DiagnosticsConfig = { ...config, turn: { ...config.turn, uris: ['turn:media.example.com:3478?transport=tcp'] } };

/** A tun adapter owning the route to the control plane; connects to it take 4 s and time out. */
function blackHoled(clock: { t: number }, connects: string[]) {
  return fakeProbes({
    now: () => clock.t,
    adapters: async () => [
      { name: 'eth0', address: '192.168.1.20', family: 'IPv4', cidr: null, internal: false },
      { name: 'tun0', address: '10.8.0.2', family: 'IPv4', cidr: null, internal: false },
    ],
    route: async (address) =>
      address === '198.51.100.11' ? { device: 'tun0', gateway: null } : { device: 'eth0', gateway: '192.168.1.1' },
    connect: async (host, port) => {
      connects.push(`${host}:${port}`);
      if (host === '198.51.100.11') {
        clock.t += 4000;
        throw new Error(`TCP connect to ${host}:${port} timed out after 4000 ms`);
      }
      return { connectMs: 3, tlsMs: 5 };
    },
    webSocketHandshake: async () => ({ status: 101, protocol: 'sip', ms: 8 }),
  });
}

/** Resolves when the listener has seen `stepId` finish. */
function finishedOf(events: DiagnosticProgress[], stepId: string): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (events.some((e) => e.kind === 'finished' && e.step.id === stepId) ? resolve() : setImmediate(poll));
    poll();
  });
}

const CP = 'https://cp.example.com/';

describe('the provisioned run', () => {
  it('control plane black-holed: the host checks ran during the wait, the TURN port too, and the time is the wait', async () => {
    const clock = { t: 1_000_000 };
    const connects: string[] = [];
    const events: DiagnosticProgress[] = [];
    const report = await runProvisioned(
      {
        provisioningUrl: CP,
        lastConfig: tcpTurn.client,
        lastIceServers: tcpTurn.turn.uris.map(iceServerOf),
        steps: HOST_NAME_STEPS,
        provisioning: {
          // The read gives up only after the host checks' own 4 s timeout: they did not wait for it.
          async read() {
            await finishedOf(events, 'tcp-tls');
            clock.t = 1_000_000 + 10_000;
            throw new Error('Cannot reach cp.example.com (no answer within 10 s)');
          },
          fixFor: () => 'make cp.example.com reachable',
        },
      },
      blackHoled(clock, connects),
      (e) => events.push(e),
      'run-1',
    );
    assert.deepEqual(
      report.steps.map((s) => [s.id, s.verdict, s.startMs]),
      [
        ['provisioning', 'fail', 0],
        ['targets', 'pass', 0],
        ['vpn', 'pass', 0],
        ['tcp-tls', 'fail', 0],
        ['sip-websocket', 'pass', 0],
        ['stun', 'skip', 0],
        ['proxy', 'pass', 4000],
      ],
      'the host checks started with the provisioning attempt (the proxy after the SIP upgrade), all before it gave up at 10 s',
    );
    const provisioning = report.steps[0]!;
    assert.equal(provisioning.durationMs, 10_000);
    assert.equal(provisioning.fix, 'make cp.example.com reachable');
    assert.deepEqual(provisioning.values, { url: CP, lastConfiguration: 'used for the host checks' });
    assert.equal(report.totalMs, 10_000, 'the wait, not the wait plus the checks');
    assert.equal(report.startedAt, new Date(1_000_000).toISOString());
    const tcp = report.steps.find((s) => s.id === 'tcp-tls')!;
    assert.deepEqual(
      (tcp.values.checks as { endpoint: string; role: string; ok: boolean }[]).map((c) => [c.endpoint, c.role, c.ok]),
      [
        ['TCP 443 (TLS) to sip.example.com', 'sip-websocket', true],
        ['TCP 443 (TLS) to cp.example.com', 'control-plane', false],
        ['TCP 3478 to media.example.com', 'turn', true],
      ],
      'the kept TURN server is checked without the control plane',
    );
    assert.match(report.summary, /traffic to cp\.example\.com \(control-plane\) leaves by interface tun0, a VPN tunnel/);
    const started = events.flatMap((e) => (e.kind === 'started' ? [e.stepId] : []));
    const provisioningFinished = events.findIndex((e) => e.kind === 'finished' && e.step.id === 'provisioning');
    assert.equal(started[0], 'provisioning');
    assert.ok(
      events.findIndex((e) => e.kind === 'finished' && e.step.id === 'tcp-tls') < provisioningFinished,
      'tcp-tls finished before provisioning gave up',
    );
    assert.equal(events.filter((e) => e.kind === 'done').length, 1);
    assert.equal(new Set(started).size, started.length, 'no check started twice');
  });

  it('control plane answers with the servers kept: the host checks run once and the full run reads their results', async () => {
    const clock = { t: 0 };
    const connects: string[] = [];
    const events: DiagnosticProgress[] = [];
    // A full-run step after a host check: it must see the host check's outcome.
    const afterStun: StepDefinition = {
      id: 'after-stun',
      title: 'After STUN',
      after: ['stun', 'tcp-tls'],
      blocking: false,
      run: async (ctx) => outcome('pass', `stun ${ctx.outcome('stun')?.verdict}, tcp-tls ${ctx.outcome('tcp-tls')?.verdict}`),
    };
    const report = await runProvisioned(
      {
        provisioningUrl: CP,
        lastConfig: tcpTurn.client,
        lastIceServers: tcpTurn.turn.uris.map(iceServerOf),
        mediaGateway: 'media.example.com',
        steps: [...HOST_NAME_STEPS, afterStun],
        provisioning: {
          async read() {
            await finishedOf(events, 'targets');
            return tcpTurn;
          },
          fixFor: () => 'unused',
        },
      },
      blackHoled(clock, connects),
      (e) => events.push(e),
    );
    assert.deepEqual(
      report.steps.map((s) => s.id),
      ['provisioning', 'targets', 'vpn', 'tcp-tls', 'sip-websocket', 'stun', 'proxy', 'after-stun'],
    );
    assert.equal(report.steps[0]!.verdict, 'pass');
    assert.equal(report.steps.at(-1)!.explanation, 'stun skip, tcp-tls fail');
    assert.deepEqual(connects.sort(), ['198.51.100.10:443', '198.51.100.11:443', '203.0.113.20:3478'], 'each port connected once');
    const started = events.flatMap((e) => (e.kind === 'started' ? [e.stepId] : []));
    const finished = events.flatMap((e) => (e.kind === 'finished' ? [e.step.id] : []));
    assert.deepEqual(started.toSorted(), report.steps.map((s) => s.id).toSorted(), 'each step started once');
    assert.deepEqual(finished.toSorted(), report.steps.map((s) => s.id).toSorted(), 'each step reported once');
    assert.equal(report.totalMs, 4000, 'wall time from the start: the 4 s connect overlapped the read');
  });

  it('control plane names other servers than the last configuration: the host checks run against the new ones', async () => {
    const connects: string[] = [];
    const report = await runProvisioned(
      {
        provisioningUrl: CP,
        lastConfig: null,
        steps: HOST_NAME_STEPS,
        provisioning: { read: async () => tcpTurn, fixFor: () => 'unused' },
      },
      fakeProbes({
        connect: async (host, port) => {
          connects.push(`${host}:${port}`);
          return { connectMs: 3, tlsMs: 5 };
        },
        webSocketHandshake: async () => ({ status: 101, protocol: 'sip', ms: 8 }),
      }),
    );
    const sip = report.steps.find((s) => s.id === 'sip-websocket')!;
    assert.equal(sip.verdict, 'pass', 'the SIP server the control plane named, not "skip"');
    assert.equal(sip.values.url, 'wss://sip.example.com/');
    assert.deepEqual(
      report.steps.map((s) => s.id),
      ['provisioning', 'targets', 'vpn', 'tcp-tls', 'sip-websocket', 'stun', 'proxy'],
      'each step once in the report',
    );
    assert.ok(connects.includes('203.0.113.20:3478'), 'the provisioned TURN port');
  });
});
