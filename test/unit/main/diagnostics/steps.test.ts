/** Verdict rules of individual checks, with the OS and network faked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDiagnostics } from '../../../../main/diagnostics/index.js';
import type { StepDefinition } from '../../../../main/diagnostics/step.js';
import { outcome } from '../../../../main/diagnostics/step.js';
import { dnsStep } from '../../../../main/diagnostics/steps/dns.js';
import { proxyStep } from '../../../../main/diagnostics/steps/proxy.js';
import { mosBand } from '../../../../common/quality/mos-bands.js';
import { clockStep, dscpStep, pathQualityStep } from '../../../../main/diagnostics/steps/reflector-steps.js';
import { sipWebSocketStep } from '../../../../main/diagnostics/steps/sip-websocket.js';
import { mediaPathStep } from '../../../../main/diagnostics/steps/turn.js';
import { vpnStep } from '../../../../main/diagnostics/steps/vpn.js';
import type { Probes, Verdict } from '../../../../main/diagnostics/types.js';
import { config, fakeProbes, fakeReflectorChannel } from './fakes.js';

async function only(step: StepDefinition, probes: Probes, extra: StepDefinition[] = []) {
  const report = await runDiagnostics(config, probes, undefined, [...extra, step]);
  return report.steps.find((s) => s.id === step.id)!;
}

const fixed = (id: string, verdict: Verdict, values: Record<string, unknown> = {}): StepDefinition => ({
  id,
  title: id,
  blocking: false,
  run: async () => outcome(verdict, id, values),
});

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

describe('DNS', () => {
  it('an unresolvable SIP host fails; an unresolvable reflector only warns', async () => {
    const without = (missing: string) => fakeProbes({ lookup: async (h) => (h === missing ? [] : ['192.0.2.1']) });
    const sip = await only(dnsStep, without('sip.example.com'));
    assert.deepEqual([sip.verdict, sip.explanation], ['fail', 'cannot resolve sip.example.com']);
    const media = await only(dnsStep, without('media.example.com'));
    assert.equal(media.verdict, 'warn');
  });
});

describe('media path verdict', () => {
  const deps = (v: Record<string, Verdict>, nat = 'endpoint-independent') => [
    fixed('stun', v.stun ?? 'pass'),
    fixed('nat', 'pass', { behaviour: nat }),
    { ...fixed('turn-udp', v['turn-udp'] ?? 'pass', { uri: 'turn:m:3478?transport=udp' }) },
    { ...fixed('turn-tcp', v['turn-tcp'] ?? 'pass', { uri: 'turn:m:3478?transport=tcp' }) },
    { ...fixed('turn-tls', v['turn-tls'] ?? 'pass', { uri: 'turns:m:443?transport=tcp' }) },
  ];
  const verdictFor = async (v: Record<string, Verdict>, nat?: string) => only(mediaPathStep, fakeProbes(), deps(v, nat));

  it('direct UDP when STUN works behind a friendly NAT', async () => {
    assert.equal((await verdictFor({})).explanation, 'calls will work over UDP');
  });
  it('symmetric NAT: relayed over TURN/UDP', async () => {
    assert.match((await verdictFor({}, 'symmetric')).explanation, /relayed over TURN\/UDP/);
  });
  it('UDP blocked, TLS only: works via TURN/TLS 443 with a warning', async () => {
    const r = await verdictFor({ stun: 'fail', 'turn-udp': 'fail', 'turn-tcp': 'fail' });
    assert.equal(r.verdict, 'warn');
    assert.match(r.explanation, /calls will work, relayed over TURN\/TLS \(turns:m:443\?transport=tcp\), with extra latency/);
  });
  it('nothing works: fail', async () => {
    const r = await verdictFor({ stun: 'fail', 'turn-udp': 'fail', 'turn-tcp': 'fail', 'turn-tls': 'fail' });
    assert.equal(r.verdict, 'fail');
    assert.match(r.fix!, /UDP 3478 to media\.example\.com/);
  });
});

describe('reflector checks', () => {
  const probes = (o: Parameters<typeof fakeReflectorChannel>[0], extra: Partial<Probes> = {}) =>
    fakeProbes({ openDatagram: async () => fakeReflectorChannel(o), ...extra });

  it('DSCP preserved, re-marked, and ignored by Windows without a QoS policy', async () => {
    const kept = await only(dscpStep, probes({}));
    assert.deepEqual([kept.verdict, kept.values.marking, kept.values.receivedDscp], ['pass', 'preserved', 46]);
    const cs0 = await only(dscpStep, probes({ deliveredTos: () => 0 }));
    assert.deepEqual([cs0.verdict, cs0.values.marking, cs0.values.receivedDscp], ['warn', 're-marked', 0]);
    assert.match(cs0.explanation, /marking stripped/);
    const af41 = await only(dscpStep, probes({ deliveredTos: () => 34 << 2 }));
    assert.match(af41.explanation, /re-marked to DSCP 34/);
    const win = await only(dscpStep, probes({}, { platform: 'win32', qosPolicy: async () => ({ present: false, detail: 'none' }) }));
    assert.equal(win.values.marking, 'ignored-by-os');
    assert.match(win.fix!, /QoS policy/);
  });

  it('Windows with a QoS policy: the OS marks, the check measures what arrives', async () => {
    const policyMarked = { ...fakeReflectorChannel({ deliveredTos: () => 0xb8 }) };
    policyMarked.setTos = () => {
      throw new Error('setting IP TOS is not supported on win32');
    };
    const r = await only(
      dscpStep,
      fakeProbes({ platform: 'win32', openDatagram: async () => policyMarked, qosPolicy: async () => ({ present: true, detail: 'p' }) }),
    );
    assert.deepEqual([r.verdict, r.values.marking], ['pass', 'preserved']);
  });

  it('clock skew: pass within 2 s, warn within a minute, fail beyond', async () => {
    assert.equal((await only(clockStep, probes({ skewMs: 300 }))).verdict, 'pass');
    const warn = await only(clockStep, probes({ skewMs: -20_000 }));
    assert.equal(warn.verdict, 'warn');
    assert.match(warn.explanation, /ahead of the server/);
    assert.ok(Math.abs((warn.values.offsetMs as number) + 20_000) < 50);
    assert.equal((await only(clockStep, probes({ skewMs: 600_000 }))).verdict, 'fail');
  });

  it('path quality measures the loss it is given', async () => {
    const r = await only(pathQualityStep, probes({ dropEvery: 10 }));
    assert.equal(r.values.lossPercent, 10);
    assert.equal(r.values.sent, 200);
    // Judged by the in-call panel's bands: 10 % loss is a "Poor" path, and the verdict says so.
    assert.equal(mosBand(r.values.mos as number).label, 'Poor');
    assert.equal(r.verdict, 'fail');
    assert.match(r.explanation, /^poor path: /);
  });

  it('skips when no reflector is provisioned', async () => {
    const report = await runDiagnostics({ ...config, client: { ...config.client, diagnostics: undefined } }, fakeProbes(), undefined, [
      dscpStep,
    ]);
    assert.equal(report.steps[0]!.verdict, 'skip');
    assert.match(report.steps[0]!.explanation, /diagnostics\.reflector/);
  });
});

describe('signaling and proxy', () => {
  it('HTTP 200 instead of 101, or no sip subprotocol, fails the handshake', async () => {
    const answer = (status: number, protocol: string | null) =>
      fakeProbes({ webSocketHandshake: async () => ({ status, protocol, ms: 5 }) });
    assert.match((await only(sipWebSocketStep, answer(200, null))).explanation, /HTTP 200 instead of switching/);
    assert.match((await only(sipWebSocketStep, answer(101, null))).explanation, /did not agree on the sip subprotocol/);
    assert.equal((await only(sipWebSocketStep, answer(101, 'sip'))).verdict, 'pass');
  });

  it('a PAC script the CLI cannot evaluate is reported as such', async () => {
    const probes = fakeProbes({
      resolveProxy: async () => 'PAC http://wpad.corp/proxy.pac',
      webSocketHandshake: async () => ({ status: 101, protocol: 'sip', ms: 5 }),
    });
    const r = await only(proxyStep, probes, [sipWebSocketStep]);
    assert.equal(r.verdict, 'warn');
    assert.match(r.explanation, /auto-config script \(http:\/\/wpad\.corp\/proxy\.pac\)/);
  });

  it('the proxy Electron resolves is used for the upgrade and reported', async () => {
    let usedProxy: unknown = 'unset';
    const probes = fakeProbes({
      resolveProxy: async (url) => (url.startsWith('wss:') ? 'PROXY proxy.corp:8080; DIRECT' : 'DIRECT'),
      webSocketHandshake: async (_url, _p, proxy) => {
        usedProxy = proxy;
        return { status: 101, protocol: 'sip', ms: 5 };
      },
    });
    const r = await only(proxyStep, probes, [sipWebSocketStep]);
    assert.deepEqual(usedProxy, { scheme: 'http', host: 'proxy.corp', port: 8080 });
    assert.equal(r.verdict, 'pass');
    assert.match(r.explanation, /SIP WebSocket via PROXY proxy\.corp:8080.*survives it/);
  });
});
