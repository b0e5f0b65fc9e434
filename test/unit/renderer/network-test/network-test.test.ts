/**
 * The page's network test over fake probes (a FAKE: decision logic only; the real measurement is
 * test/e2e/network-test.test.ts): which checks run before and after sign-in, the verdict and fix
 * of each failure, and a report that validates against the schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetworkReport } from '../../../../common/network-report.js';
import type { DiagnosticProgress, Session } from '../../../../common/contract/index.js';
import type { RunResult } from '../../../../common/diagnostics/step.js';
import type { PageProbes, TestCallResult } from '../../../../renderer/network-test/page-probes.js';
import { pageStepsFor, runPageNetworkTest } from '../../../../renderer/network-test/network-test.js';
import { turnTransportOf } from '../../../../renderer/network-test/steps/ice.js';

const SESSION: Session = {
  config: {
    agent: { username: 'alice', displayName: 'Alice' },
    sip: { wsUrl: 'ws://127.0.0.1:5066', domain: 'clearline.local', registerExpiresSec: 300 },
    controlPlaneUrl: 'http://127.0.0.1:8010',
    numbers: { echo: '5550100' },
  },
  password: 'secret',
  turn: { username: '1:alice', password: 'p', ttl: 600, uris: ['turn:127.0.0.1:3478?transport=udp', 'turns:127.0.0.1:5349?transport=tcp'] },
};

const GOOD_CALL: TestCallResult = {
  websocketMs: 40,
  registerMs: 60,
  inviteToAnswerMs: 300,
  iceMs: 30,
  dtlsMs: 20,
  relayed: false,
  rttMs: 2,
  jitterMs: 1,
  packetsLost: 0,
  packetsReceived: 120,
  mos: 4.4,
  echoLevel: 0.2,
  codec: 'opus/48000',
};

function probes(o: Partial<PageProbes> = {}): PageProbes {
  let t = 1_800_000_000_000;
  return {
    now: () => (t += 5),
    listenToMicrophone: async () => ({ device: 'Headset', levels: [0.1, 0.2], muted: false }),
    playTestTone: async () => ({ device: 'Speakers', playedMs: 600 }),
    fetchTimed: async () => ({ status: 200, ms: 12 }),
    gatherCandidates: async (_servers, relayOnly) =>
      relayOnly ? [{ type: 'relay', protocol: 'udp', relayProtocol: 'udp' }] : [{ type: 'host', protocol: 'udp', relayProtocol: null }],
    testCall: async () => GOOD_CALL,
    ...o,
  };
}

const input = (session: Session | null) => ({
  provisioningUrl: 'http://127.0.0.1:8010',
  session,
  devices: { microphoneId: 'default', speakerId: 'default', ringerId: 'default' },
  shell: 'web' as const,
  appVersion: '1.0.0',
  nativeChecks: null,
});

test('before sign-in only the account-free checks run; signed in, all of them', () => {
  assert.deepEqual(
    pageStepsFor(false).map((s) => s.id),
    ['control-plane', 'microphone', 'speaker', 'ice-local'],
  );
  assert.deepEqual(
    pageStepsFor(true).map((s) => s.id),
    ['control-plane', 'microphone', 'speaker', 'ice-local', 'ice-turn-udp', 'ice-turn-tcp', 'ice-turn-tls', 'test-call'],
  );
});

test("the desktop: the page's checks and the native ones in one report, one 'done' with the worse verdict", async () => {
  const native: RunResult = {
    runId: 'native',
    verdict: 'warn',
    summary: 'Calls will work; check: VPN and split tunnel',
    startedAt: new Date(0).toISOString(),
    totalMs: 900,
    steps: [
      { id: 'targets', title: 'Servers and DNS', verdict: 'pass', explanation: 'ok', values: { lookups: '[]' }, durationMs: 5 },
      {
        id: 'vpn',
        title: 'VPN and split tunnel',
        verdict: 'warn',
        explanation: 'media through tun0',
        fix: 'exclude it',
        values: {},
        durationMs: 7,
      },
    ],
  };
  const events: DiagnosticProgress[] = [];
  const report = await runPageNetworkTest(
    { ...input(null), shell: 'electron', nativeChecks: async () => native },
    probes(),
    (e) => events.push(e),
    'r-desk',
  );
  assert.deepEqual(
    report.steps.map((s) => s.id),
    ['microphone', 'speaker', 'ice-local', 'targets', 'vpn'],
    "the page's checks (the provisioning server is the native checks' to reach), then the native ones",
  );
  assert.equal(report.verdict, 'warn');
  assert.equal(report.summary, native.summary);
  assert.deepEqual(report.unavailable, [], 'the desktop runs every check');
  assert.ok(parseNetworkReport(JSON.parse(JSON.stringify(report))).ok);
  const dones = events.filter((e) => e.kind === 'done');
  assert.deepEqual(dones, [{ kind: 'done', runId: 'r-desk', verdict: 'warn', summary: native.summary }]);
  assert.equal(events.at(-1)?.kind, 'done', 'after every page step');
});

test('a healthy run: every check passes, phases in the report, and the report validates', async () => {
  const report = await runPageNetworkTest(input(SESSION), probes(), () => {}, 'r1');
  assert.ok(parseNetworkReport(JSON.parse(JSON.stringify(report))).ok);
  assert.equal(report.agent, 'alice');
  assert.equal(report.phase, 'signed-in');
  const byId = Object.fromEntries(report.steps.map((s) => [s.id, s]));
  assert.equal(byId['ice-turn-tcp']!.verdict, 'skip', 'the account has no TURN over TCP');
  assert.equal(byId['test-call']!.verdict, 'pass');
  assert.match(byId['test-call']!.explanation, /WebSocket 40 ms, REGISTER 60 ms, INVITE→200 300 ms, ICE 30 ms, DTLS 20 ms/);
  assert.equal(byId['test-call']!.values['turnNeeded'], false);
  assert.equal(report.verdict, 'pass');
  assert.ok(
    report.unavailable.some((u) => u.id === 'vpn'),
    'the web report names the desktop-only checks',
  );
});

test('the microphone: muted, silent, refused and missing are named, each with a fix', async () => {
  const cases: Array<[Partial<PageProbes>, RegExp]> = [
    [{ listenToMicrophone: async () => ({ device: 'Headset', levels: [0.3], muted: true }) }, /Headset is muted/],
    [{ listenToMicrophone: async () => ({ device: 'Headset', levels: [0, 0.0001], muted: false }) }, /Headset is silent/],
    [{ listenToMicrophone: () => Promise.reject(Object.assign(new Error('denied'), { name: 'NotAllowedError' })) }, /not allowed/],
    [{ listenToMicrophone: () => Promise.reject(Object.assign(new Error('none'), { name: 'NotFoundError' })) }, /no microphone found/],
  ];
  for (const [o, why] of cases) {
    const report = await runPageNetworkTest(input(null), probes(o), () => {}, 'r');
    const mic = report.steps.find((s) => s.id === 'microphone')!;
    assert.equal(mic.verdict, 'fail');
    assert.match(mic.explanation, why);
    assert.ok(mic.fix);
    assert.equal(report.verdict, 'fail', 'no microphone, no calls');
  }
});

test('an unreachable provisioning server and a call with no audio back fail with their fixes', async () => {
  const report = await runPageNetworkTest(
    input(SESSION),
    probes({
      fetchTimed: () => Promise.reject(new Error('Failed to fetch')),
      testCall: async () => ({ ...GOOD_CALL, packetsReceived: 0 }),
    }),
    () => {},
    'r',
  );
  const byId = Object.fromEntries(report.steps.map((s) => [s.id, s]));
  assert.match(byId['control-plane']!.explanation, /cannot be reached from this browser: Failed to fetch/);
  assert.match(byId['test-call']!.explanation, /no audio came back/);
  assert.match(byId['test-call']!.fix!, /firewall drops the media/);
  assert.equal(report.verdict, 'fail');
});

test('TURN transports: turns: is TLS, ?transport=tcp is TCP, otherwise UDP', () => {
  assert.equal(turnTransportOf('turns:h:5349?transport=tcp'), 'tls');
  assert.equal(turnTransportOf('turn:h:3478?transport=tcp'), 'tcp');
  assert.equal(turnTransportOf('turn:h:3478'), 'udp');
  assert.equal(turnTransportOf('stun:h:3478'), null);
});
