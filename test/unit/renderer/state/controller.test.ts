import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createController,
  LEVELS_EVERY_READINGS,
  QUALITY_EVERY_READINGS,
  type ControllerDeps,
  type Timers,
} from '../../../../renderer/state/controller.js';
import { STATS_SAMPLE_MS } from '../../../../renderer/calling/stats-sampler.js';
import { OUTPUT_STREAM_REUSE_MS } from '../../../../renderer/state/output-return.js';
import { sampleNetworkReport } from '../../../support/network-report.js';
import type { AppState } from '../../../../renderer/state/app-state.js';
import { createStore } from '../../../../renderer/state/store.js';
import { createEventHub } from '../../../../renderer/host/event-hub.js';
import type { CallStats, Phone, PhoneSnapshot } from '../../../../renderer/calling/phone-api.js';
import { REPORT_EVERY_SAMPLES } from '../../../../renderer/state/quality-uploads.js';
import type { CallQualityReport } from '../../../../common/quality/call-quality-report.js';
import type { HostApi, InvokeChannel, Session, TurnCredentials } from '../../../../common/contract/index.js';
import { call, stats } from '../fixtures.js';

/**
 * The controller's orchestration rules with scripted collaborators: a host answering from a table,
 * a phone that records commands and emits the snapshots a test pushes, and hand-driven timers.
 * (The real phone and hosts are exercised by their own suites and the e2e tests.)
 */

const turn = (n: number): TurnCredentials => ({ username: `${n}:alice`, password: `p${n}`, ttl: 600, uris: ['turn:127.0.0.1:3478'] });
const session: Session = {
  config: {
    agent: { username: 'alice', displayName: 'Alice' },
    sip: { wsUrl: 'ws://127.0.0.1:20080', domain: 'pbx.example', registerExpiresSec: 300 },
    controlPlaneUrl: 'http://127.0.0.1:20000',
    numbers: {},
  },
  password: 'pw',
  turn: turn(1),
};

/**
 * The network test as the controller sees it (its own suite tests the real one): it runs the
 * desktop's native checks when it is given them, reports 'done' like the runner, and returns a
 * report of the shell it was asked for.
 */
const scriptedNetworkTest: NonNullable<ControllerDeps['pageNetworkTest']> = async (input, onProgress, runId) => {
  const native = await input.nativeChecks?.();
  onProgress({ kind: 'done', runId, verdict: native?.verdict ?? 'pass', summary: native?.summary ?? 'page checks passed' });
  return sampleNetworkReport({
    runId,
    shell: input.shell,
    provisioningUrl: input.provisioningUrl,
    summary: native?.summary ?? 'page checks passed',
  });
};

function harness(
  overrides: Partial<Record<InvokeChannel, (request: unknown) => unknown>> = {},
  readStats: () => CallStats = () => stats(),
) {
  const calls: Array<[string, unknown]> = [];
  let turnCount = 1;
  const table: Partial<Record<InvokeChannel, (request: unknown) => unknown>> = {
    'app.info': () => ({ version: '1', platform: 'linux', shell: 'electron', passwordStorage: 'os-encrypted' }),
    'settings.get': () => ({ microphoneId: 'default', speakerId: 'default', ringerId: 'default' }),
    'provisioning.defaults': () => ({ policyUrl: null, lastUsername: 'alice' }),
    'provisioning.restore': () => session,
    'turn.refresh': () => turn(++turnCount),
    'history.list': () => [],
    'history.add': () => undefined,
    'settings.set': (partial) => ({ microphoneId: 'default', speakerId: 'default', ringerId: 'default', ...(partial as object) }),
    ...overrides,
  };
  const events = createEventHub();
  const host: HostApi = {
    invoke: (async (channel: InvokeChannel, request: unknown) => {
      calls.push([channel, request]);
      const handler = table[channel];
      if (!handler) throw new Error(`unexpected ${channel}`);
      return handler(request);
    }) as HostApi['invoke'],
    on: (channel, listener) => events.on(channel, listener),
  };

  const phoneCalls: Array<[string, ...unknown[]]> = [];
  /** The controller's subscriptions to calls' stats readings (Phone.watchStats). */
  const watches: Array<{ callId: string; every: number; listener: (stats: CallStats) => void; stopped: boolean }> = [];
  /** Every `every`-th reading of a call's sampler: one reading (`readStats`) to each live watch of that cadence. */
  const reading = (every: number) => {
    for (const watch of watches.filter((w) => !w.stopped && w.every === every)) watch.listener(readStats());
  };
  let listener: ((s: PhoneSnapshot) => void) | null = null;
  let current: PhoneSnapshot = { registration: { kind: 'unregistered' }, calls: [] };
  const phone: Phone = {
    start: async (s) => void phoneCalls.push(['start', s]),
    stop: async () => void phoneCalls.push(['stop']),
    snapshot: () => current,
    subscribe: (l) => ((listener = l), () => (listener = null)),
    call: async (t) => (phoneCalls.push(['call', t]), 'id'),
    answer: async (id) => void phoneCalls.push(['answer', id]),
    decline: async () => {},
    hangup: async () => {},
    setMuted: () => {},
    setHeld: async (id, held) => void phoneCalls.push(['setHeld', id, held]),
    sendDtmf: async () => {},
    transfer: async (_id, target) => {
      if (target === 'nobody') throw new Error('Transfer rejected: 404 Not Found');
    },
    watchStats: (callId, every, listener) => {
      const watch = { callId, every, listener, stopped: false };
      watches.push(watch);
      return () => void (watch.stopped = true);
    },
    setDevices: async (d) => void phoneCalls.push(['setDevices', d]),
    updateTurnCredentials: (c) => void phoneCalls.push(['updateTurnCredentials', c]),
    handleSystemTransition: (kind) => void phoneCalls.push(['transition', kind]),
  };

  const pending = new Map<number, { fn: () => void; ms: number }>();
  let nextHandle = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(nextHandle, { fn, ms }), nextHandle++),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  /** Fires every pending timeout. */
  const fire = () => {
    for (const [handle, t] of [...pending]) {
      pending.delete(handle);
      t.fn();
    }
  };
  let enumerations = 0;
  /** What the browser lists; a test plugs and unplugs by changing it. */
  const listed = [{ deviceId: 'mic-a', kind: 'audioinput', label: 'Headset' }];
  const mediaDevices = {
    enumerateDevices: async () => (enumerations++, [...listed]),
    addEventListener: () => {},
    removeEventListener: () => {},
  };
  const logged: string[] = [];
  const log = { error: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), info: () => {}, debug: () => {} };
  const store = createStore();
  const controller = createController({ host, phone, store, mediaDevices, timers, log, pageNetworkTest: scriptedNetworkTest });
  const emit = (snapshot: PhoneSnapshot) => {
    current = snapshot;
    listener?.(snapshot);
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    controller,
    store,
    calls,
    phoneCalls,
    watches,
    reading,
    pending,
    fire,
    emit,
    events,
    settle,
    enumerations: () => enumerations,
    logged,
    listed,
  };
}

const registered = (...calls: ReturnType<typeof call>[]): PhoneSnapshot => ({ registration: { kind: 'registered', since: 1 }, calls });

test('a restored session starts the phone with fresh TURN credentials; the host pushes later ones', { timeout: 5_000 }, async () => {
  const h = harness();
  await h.controller.start();
  assert.equal(h.store.getState().auth.phase, 'signed-in');
  const started = h.phoneCalls.find(([name]) => name === 'start')?.[1] as Session;
  assert.equal(started.turn.password, 'p2', 'the stored (possibly expired) credentials were replaced first');
  assert.equal(h.pending.size, 0, 'the renderer schedules no TURN refresh of its own');
  h.events.emit('turn.credentials', turn(7));
  assert.deepEqual(
    h.phoneCalls.filter(([n]) => n === 'updateTurnCredentials').map(([, c]) => (c as TurnCredentials).password),
    ['p7'],
  );
  await h.controller.signOut();
  h.events.emit('turn.credentials', turn(8));
  assert.equal(h.phoneCalls.filter(([n]) => n === 'updateTurnCredentials').length, 1, 'signed out: not applied');
  h.controller.dispose();
});

test(
  'each ended call is filed once, stats watched only while media flows, devices re-listed after a call',
  { timeout: 5_000 },
  async () => {
    const h = harness();
    await h.controller.start();
    await h.settle();
    const before = h.enumerations();
    h.emit(registered(call({ id: 'c1', state: 'ringing' })));
    assert.equal(h.watches.length, 0, 'no stats while ringing');
    h.emit(registered(call({ id: 'c1', state: 'active', answeredAt: 2 })));
    h.emit(registered(call({ id: 'c1', state: 'active', answeredAt: 2, muted: true }))); // watched once, whatever else changes
    assert.deepEqual(
      h.watches.map((w) => [w.callId, w.every]),
      [
        ['c1', LEVELS_EVERY_READINGS],
        ['c1', QUALITY_EVERY_READINGS],
      ],
    );
    assert.ok(LEVELS_EVERY_READINGS * STATS_SAMPLE_MS <= 500, 'the meters refresh within 500 ms');
    assert.equal(QUALITY_EVERY_READINGS * STATS_SAMPLE_MS, 1000, 'the quality monitor gets a reading a second');
    h.reading(LEVELS_EVERY_READINGS);
    await h.settle();
    assert.equal(h.store.getState().stats['c1']?.codec, 'opus/48000');

    const ended = call({ id: 'c1', state: 'ended', answeredAt: 2, endedAt: 9, endReason: 'remote-hangup' });
    h.emit(registered(ended));
    h.emit(registered(ended)); // the core re-emits while the ended call lingers
    await h.settle();
    assert.deepEqual(
      h.watches.map((w) => w.stopped),
      [true, true],
      'watching stopped',
    );
    const added = h.calls.filter(([c]) => c === 'history.add');
    assert.equal(added.length, 1);
    assert.equal((added[0]?.[1] as { disposition: string }).disposition, 'answered');
    assert.equal(h.store.getState().history[0]?.id, 'c1');
    assert.equal(h.enumerations(), before + 1);
    h.controller.dispose();
  },
);

test(
  'quality summaries go to the control plane every few samples during a call and once at its end; a failure is only logged',
  { timeout: 5_000 },
  async () => {
    // Each reading one second after the last, 5 % of the packets due lost in each interval.
    let reading = 0;
    const readStats = () => {
      reading += 1;
      return stats({ timestampMs: reading * 1000, packetsReceived: reading * 95, packetsLost: reading * 5, packetsSent: reading * 100 });
    };
    let failNext = false;
    const h = harness(
      {
        'quality.sendReport': () => {
          if (failNext) throw new Error('[server-error] The control plane at 127.0.0.1:20000 answered HTTP 503 for /api/call-quality');
          return { stored: true };
        },
      },
      readStats,
    );
    await h.controller.start();
    await h.settle();
    const live = call({ id: 'c1', sipCallId: 'abc@host', state: 'active', answeredAt: 2 });
    h.emit(registered(live));
    const poll = async (times: number) => {
      for (let i = 0; i < times; i++) {
        h.reading(QUALITY_EVERY_READINGS);
        await h.settle();
      }
    };
    const sent = () => h.calls.filter(([c]) => c === 'quality.sendReport').map(([, r]) => r as CallQualityReport);
    await poll(REPORT_EVERY_SAMPLES); // the first reading is the baseline: one sample short
    assert.equal(sent().length, 0);
    await poll(1);
    assert.equal(sent().length, 1);
    const first = sent()[0]!;
    assert.equal(first.callId, 'abc@host', 'filed under the SIP Call-ID, as the call record has it');
    assert.equal(first.final, false);
    assert.equal(first.samples, REPORT_EVERY_SAMPLES);
    assert.equal(first.lossPercentAverage, 5);
    assert.ok(first.mosLatest !== null && first.mosLatest < 4, `5 % loss lowers MOS (${first.mosLatest})`);

    failNext = true;
    await poll(REPORT_EVERY_SAMPLES);
    assert.equal(sent().length, 2);
    assert.equal(h.store.getState().phone.calls[0]?.state, 'active', 'the call goes on');
    assert.equal(h.store.getState().notice, null, 'the agent is not bothered');
    assert.ok(
      h.logged.some((m) => /quality summary of call abc@host not sent: .*HTTP 503/.test(m)),
      h.logged.join('\n'),
    );

    failNext = false;
    await poll(2);
    const ended = { ...live, state: 'ended' as const, endedAt: 9, endReason: 'remote-hangup' as const };
    h.emit(registered(ended));
    h.emit(registered(ended)); // the core re-emits while the ended call lingers
    await h.settle();
    const final = sent().filter((r) => r.final);
    assert.equal(final.length, 1, 'one final summary');
    assert.equal(final[0]!.samples, 2 * REPORT_EVERY_SAMPLES + 2);
    h.controller.dispose();
  },
);

test('resume / network change is passed to the phone so it re-registers', { timeout: 5_000 }, async () => {
  const h = harness();
  await h.controller.start();
  h.events.emit('system.transition', { kind: 'network-changed' });
  h.events.emit('system.transition', { kind: 'resume' });
  assert.deepEqual(
    h.phoneCalls.filter(([n]) => n === 'transition').map(([, k]) => k),
    ['network-changed', 'resume'],
  );
  h.controller.dispose();
  h.events.emit('system.transition', { kind: 'resume' });
  assert.equal(h.phoneCalls.filter(([n]) => n === 'transition').length, 2, 'no events after dispose');
});

test('sign-in errors from the host reach the agent without the [code] prefix', { timeout: 5_000 }, async () => {
  const h = harness({
    'provisioning.restore': () => null,
    'provisioning.signIn': () => {
      throw Object.assign(new Error('[unauthorized] Wrong username or password'), { name: 'HostError' });
    },
  });
  await h.controller.start();
  assert.equal(h.store.getState().auth.phase, 'signed-out');
  await h.controller.signIn('https://pbx.example', 'alice', 'bad');
  assert.equal(h.store.getState().auth.error, 'Wrong username or password');
  assert.equal(
    h.phoneCalls.some(([n]) => n === 'start'),
    false,
  );
});

test(
  'device choice is saved through the host and applied to the phone; transfer failures become a notice',
  { timeout: 5_000 },
  async () => {
    const h = harness();
    await h.controller.start();
    await h.controller.chooseDevice('speakerId', 'spk-2');
    assert.deepEqual(h.calls.find(([c]) => c === 'settings.set')?.[1], { speakerId: 'spk-2' });
    assert.equal(h.store.getState().settings.speakerId, 'spk-2');
    assert.equal((h.phoneCalls.filter(([n]) => n === 'setDevices').at(-1)?.[1] as { speakerId: string }).speakerId, 'spk-2');
    assert.equal(await h.controller.transfer('c1', 'nobody'), false);
    assert.equal(h.store.getState().notice, 'Transfer failed: Transfer rejected: 404 Not Found');
    h.controller.dismissNotice();
    assert.equal(h.store.getState().notice, null);
    h.controller.dispose();
  },
);

test('answering a second call holds the first; switching back swaps which one is held', { timeout: 5_000 }, async () => {
  const h = harness();
  await h.controller.start();
  h.emit(registered(call({ id: 'first', state: 'active', answeredAt: 2 }), call({ id: 'second', direction: 'inbound', state: 'ringing' })));
  await h.controller.answer('second');
  const moves = () => h.phoneCalls.filter(([n]) => n === 'setHeld' || n === 'answer');
  assert.deepEqual(moves(), [
    ['setHeld', 'first', true],
    ['answer', 'second'],
  ]);
  h.emit(registered(call({ id: 'first', state: 'active', held: true }), call({ id: 'second', direction: 'inbound', state: 'active' })));
  await h.controller.switchTo('first');
  assert.deepEqual(moves().slice(2), [
    ['setHeld', 'second', true],
    ['setHeld', 'first', false],
  ]);
  h.controller.dispose();
});

test(
  "the desktop's one button: native checks named by the renderer run beside the page's, progress applies at once, the result is kept",
  { timeout: 5_000 },
  async () => {
    let midRun: AppState['diagnostics'] | null = null;
    const kept: unknown[] = [];
    const h = harness({
      'diagnostics.run': (request) => {
        const { runId } = request as { runId: string };
        h.events.emit('diagnostics.progress', { kind: 'started', runId, stepId: 's', title: 'TURN over UDP' });
        h.events.emit('diagnostics.progress', { kind: 'started', runId: 'an-older-run', stepId: 'x', title: 'stale' });
        midRun = h.store.getState().diagnostics;
        return { runId, verdict: 'warn', summary: 'media through the VPN', startedAt: new Date(0).toISOString(), totalMs: 5, steps: [] };
      },
      'diagnostics.keepReport': (report) => void kept.push(report),
    });
    await h.controller.start();
    await h.controller.runDiagnostics();
    const asked = h.calls.find(([channel]) => channel === 'diagnostics.run')?.[1] as { runId: string; provisioningUrl: string };
    assert.match(asked.runId, /^[0-9a-f-]{36}$/, 'a random UUID');
    assert.equal(asked.provisioningUrl, session.config.controlPlaneUrl, "signed in, the account's control plane");
    const d = midRun as AppState['diagnostics'] | null;
    assert.equal(d?.phase === 'running' && d.runId, asked.runId);
    assert.equal(d?.phase === 'running' && d.current, 'TURN over UDP', "the stale run's event was ignored");
    const state = h.store.getState();
    assert.deepEqual(state.diagnostics.phase === 'done' && [state.diagnostics.verdict, state.diagnostics.summary], [
      'warn',
      'media through the VPN',
    ]);
    assert.equal(state.networkReport?.report.shell, 'electron');
    assert.equal(state.networkReport?.origin, 'run');
    assert.deepEqual(kept, [state.networkReport?.report], 'kept as the last result');
    h.controller.dispose();
  },
);

test('before sign-in the desktop passes the typed URL to its native checks; the web softphone has none', { timeout: 5_000 }, async () => {
  const desk = harness({
    'provisioning.restore': () => null,
    'diagnostics.run': (request) => ({
      runId: (request as { runId: string }).runId,
      verdict: 'pass',
      summary: 'ok',
      startedAt: new Date(0).toISOString(),
      totalMs: 1,
      steps: [],
    }),
    'diagnostics.keepReport': () => undefined,
  });
  await desk.controller.start();
  await desk.controller.runDiagnostics('https://pbx.example.com');
  assert.deepEqual(
    (desk.calls.find(([c]) => c === 'diagnostics.run')?.[1] as { provisioningUrl?: string }).provisioningUrl,
    'https://pbx.example.com',
  );
  assert.equal(desk.store.getState().networkReport?.report.provisioningUrl, 'https://pbx.example.com');
  desk.controller.dispose();

  const web = harness({
    'app.info': () => ({ version: '1', platform: 'linux', shell: 'web', passwordStorage: 'browser-session' }),
    'provisioning.restore': () => null,
    'diagnostics.keepReport': () => undefined,
  });
  await web.controller.start();
  await web.controller.runDiagnostics('https://pbx.example.com');
  assert.equal(web.calls.filter(([c]) => c === 'diagnostics.run').length, 0);
  assert.equal(web.store.getState().networkReport?.report.shell, 'web');
  web.controller.dispose();
});

test('a refused network test says why', { timeout: 5_000 }, async () => {
  const h = harness({
    'diagnostics.run': () => {
      throw Object.assign(new Error('[not-available] network checks need the desktop app'), { name: 'HostError' });
    },
  });
  await h.controller.start();
  await h.controller.runDiagnostics();
  assert.deepEqual(h.store.getState().diagnostics, { phase: 'failed', message: 'network checks need the desktop app' });
  h.controller.dispose();
});

test('the last kept result is shown again; a saved report opens, a malformed or newer one says why', { timeout: 5_000 }, async () => {
  const report = sampleNetworkReport({ runId: 'kept-1' });
  let stored: unknown = report;
  const h = harness({ 'diagnostics.lastReport': () => stored });
  await h.controller.start();
  await h.controller.showLastNetworkReport();
  assert.deepEqual(h.calls.find(([c]) => c === 'diagnostics.lastReport')?.[1], { provisioningUrl: session.config.controlPlaneUrl });
  let state = h.store.getState();
  assert.equal(state.networkReport?.origin, 'kept');
  assert.equal(state.diagnostics.phase === 'done' && state.diagnostics.runId, 'kept-1');

  stored = { ...report, steps: 'tampered' };
  await h.controller.showLastNetworkReport();
  assert.ok(h.logged.some((m) => /the kept network test result is unreadable: not a Clearline network report: steps/.test(m)));

  h.controller.openNetworkReport('{"kind": "clearline.network-report", "version": ');
  state = h.store.getState();
  assert.equal(state.diagnostics.phase, 'failed');
  assert.match(
    state.diagnostics.phase === 'failed' ? state.diagnostics.message : '',
    /^This file is not a network test report: it is not JSON/,
  );

  h.controller.openNetworkReport(JSON.stringify({ ...report, version: 2 }));
  state = h.store.getState();
  assert.equal(
    state.diagnostics.phase === 'failed' && state.diagnostics.message,
    'This file cannot be opened: report version 2 is not one this app reads (it reads version 1).',
  );

  h.controller.openNetworkReport(JSON.stringify({ ...report, runId: 'from-file' }));
  state = h.store.getState();
  assert.equal(state.networkReport?.origin, 'file');
  assert.equal(state.diagnostics.phase === 'done' && state.diagnostics.runId, 'from-file');
  h.controller.dispose();
});

test('start-up: with a stored session the sign-in form is never shown; without one, defaults fill it', { timeout: 5_000 }, async () => {
  const withSession = harness();
  const phases: string[] = [];
  withSession.store.subscribe(() => phases.push(withSession.store.getState().auth.phase));
  await withSession.controller.start();
  assert.ok(!phases.includes('signed-out'), `phases seen: ${phases.join(' → ')}`);
  assert.equal(withSession.store.getState().auth.phase, 'signed-in');
  withSession.controller.dispose();

  const fresh = harness({
    'provisioning.restore': () => null,
    'provisioning.defaults': () => ({ policyUrl: 'https://pbx.example', lastUsername: 'bob' }),
  });
  await fresh.controller.start();
  const { auth } = fresh.store.getState();
  assert.deepEqual([auth.phase, auth.defaultUrl, auth.defaultUsername], ['signed-out', 'https://pbx.example', 'bob']);
  fresh.controller.dispose();

  const unreadable = harness({
    'provisioning.restore': () => {
      throw new Error(
        '[secret-unreadable] Your saved password could not be read (the file is damaged or was sealed with another system key). Sign in again as alice.',
      );
    },
  });
  await unreadable.controller.start();
  assert.deepEqual(
    [unreadable.store.getState().auth.phase, unreadable.store.getState().auth.defaultUsername, unreadable.store.getState().auth.error],
    [
      'signed-out',
      'alice',
      'Your saved password could not be read (the file is damaged or was sealed with another system key). Sign in again as alice.',
    ],
    'the sign-in form, pre-filled, says why the session is gone',
  );
  assert.equal(unreadable.store.getState().passwordStorage, 'os-encrypted');
  unreadable.controller.dispose();

  const broken = harness({
    'app.info': () => {
      throw new Error('[internal] preload missing');
    },
  });
  await broken.controller.start();
  assert.equal(broken.store.getState().auth.error, 'The app could not start: preload missing');
  broken.controller.dispose();
});

test(
  'headset unplugged and plugged back (host devices.changed): the phone moves to the system default and back, the agent is told both times',
  { timeout: 5_000 },
  async () => {
    const saved = { microphoneId: 'hs-mic', speakerId: 'hs-out', ringerId: 'desk' };
    const h = harness({ 'settings.get': () => saved });
    const headset = [
      { deviceId: 'hs-mic', kind: 'audioinput', label: 'Jabra Evolve' },
      { deviceId: 'hs-out', kind: 'audiooutput', label: 'Jabra Evolve' },
    ];
    const laptop = [
      { deviceId: 'laptop-mic', kind: 'audioinput', label: 'Laptop microphone' },
      { deviceId: 'desk', kind: 'audiooutput', label: 'Desk speaker' },
    ];
    h.listed.splice(0, h.listed.length, ...headset, ...laptop);
    await h.controller.start();
    await h.controller.refreshDevices();
    const devicesSet = () => h.phoneCalls.filter(([n]) => n === 'setDevices').map(([, d]) => d);
    assert.deepEqual(devicesSet().at(-1), saved, 'signed in with the headset plugged in: the saved devices');
    const before = devicesSet().length;

    h.listed.splice(0, h.listed.length, ...laptop);
    h.events.emit('devices.changed', { microphones: ['laptop'], speakers: ['desk'] });
    for (let i = 0; i < 5; i++) await h.settle();
    assert.deepEqual(
      devicesSet().slice(before),
      [{ microphoneId: 'default', speakerId: 'default', ringerId: 'desk' }],
      'the ringer stays on the desk speaker',
    );
    assert.equal(
      h.store.getState().notice,
      'Jabra Evolve disconnected: the microphone and speaker now use the system default until it is back.',
    );
    assert.deepEqual(h.store.getState().settings, saved, 'the saved choice is kept');

    await h.controller.refreshDevices(); // the browser's own devicechange for the same unplug
    assert.equal(devicesSet().length, before + 1, 'an unchanged route is not applied twice');

    h.listed.splice(0, h.listed.length, ...headset, ...laptop);
    h.events.emit('devices.changed', { microphones: ['laptop', 'headset'], speakers: ['desk', 'headset'] });
    for (let i = 0; i < 5; i++) await h.settle();
    assert.deepEqual(
      devicesSet().at(-1),
      { ...saved, speakerId: 'default' },
      'plugged back at once: the microphone returns, the speaker waits out the browser’s stale output stream',
    );
    assert.equal(h.store.getState().notice, 'Jabra Evolve connected again: the microphone and speaker use it again.');
    const waits = [...h.pending.values()].map((t) => t.ms);
    assert.equal(waits.length, 1, 'one retry pending');
    assert.ok(
      waits[0]! > OUTPUT_STREAM_REUSE_MS - 1000 && waits[0]! <= OUTPUT_STREAM_REUSE_MS,
      `the retry waits the rest of the reuse time (${waits[0]} ms)`,
    );
    h.fire();
    for (let i = 0; i < 5; i++) await h.settle();
    assert.deepEqual(devicesSet().at(-1), saved, 'back on the headset');
    assert.equal(devicesSet().length, before + 3, 'each route applied once');
    h.controller.dispose();
  },
);

test('a call that had to open the system default microphone says so, once', { timeout: 5_000 }, async () => {
  const h = harness();
  await h.controller.start();
  h.emit(registered(call({ id: 'c1', state: 'active', microphoneFallback: true })));
  h.emit(registered(call({ id: 'c1', state: 'active', microphoneFallback: true })));
  assert.equal(h.store.getState().notice, 'The selected microphone is not available: this call uses the system default microphone.');
  assert.equal(h.logged.filter((m) => /system default microphone/.test(m)).length, 1);
  h.controller.dispose();
});
