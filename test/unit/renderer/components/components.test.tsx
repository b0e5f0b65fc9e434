import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { initialState, reduce, type Action, type AppState } from '../../../../renderer/state/app-state.js';
import { createStore } from '../../../../renderer/state/store.js';
import type { Controller } from '../../../../renderer/state/controller.js';
import { ControllerContext, StoreContext } from '../../../../renderer/state/use-app-state.js';
import { CallStage } from '../../../../renderer/components/CallStage.js';
import { DiagnosticsPanel } from '../../../../renderer/components/DiagnosticsPanel.js';
import { SettingsPanel } from '../../../../renderer/components/SettingsPanel.js';
import { CallHistory } from '../../../../renderer/components/CallHistory.js';
import { sampleNetworkReport } from '../../../support/network-report.js';
import type { ClientConfig } from '../../../../common/contract/index.js';
import { call, sample, stats } from '../fixtures.js';
import { NO_QUALITY } from '../../../../renderer/calling/quality-monitor.js';
import { NO_WARNINGS } from '../../../../renderer/calling/quality-warnings.js';

/**
 * The components' markup for given states, rendered with React's server renderer (no browser):
 * accessible names, which controls exist in which state, and the web/desktop differences. The
 * same components run in Chromium in test/e2e/ui-*.test.ts.
 */

const config: ClientConfig = {
  agent: { username: 'alice', displayName: 'Alice' },
  sip: { wsUrl: 'ws://127.0.0.1:20001', domain: 'pbx.example', registerExpiresSec: 300 },
  controlPlaneUrl: 'http://127.0.0.1:20010',
  numbers: { echo: '5550100' },
};

// Static rendering never clicks; any command reaching the controller would be a test bug.
const noCommands = new Proxy({} as Controller, {
  get: (_t, name) => () => assert.fail(`controller.${String(name)} called during a static render`),
});

function render(element: ReactElement): string {
  return renderToStaticMarkup(
    <StoreContext.Provider value={createStore()}>
      <ControllerContext.Provider value={noCommands}>{element}</ControllerContext.Provider>
    </StoreContext.Provider>,
  );
}

const stateWith = (...actions: Action[]): AppState =>
  [
    { type: 'host-info', shell: 'web', version: '1', passwordStorage: 'browser-session' } as Action,
    { type: 'signed-in', config } as Action,
    ...actions,
  ].reduce(reduce, initialState);
const phone = (...calls: ReturnType<typeof call>[]): Action => ({
  type: 'phone-changed',
  snapshot: { registration: { kind: 'registered', since: 1 }, calls },
});
const count = (html: string, text: string) => html.split(`>${text}<`).length - 1;

test('idle: Call status "Ready", dial field and Call button, service buttons named by label', () => {
  const html = render(<CallStage state={stateWith(phone())} />);
  assert.match(html, /role="status" aria-label="Call status"[^>]*><span[^>]*>Ready</);
  assert.match(html, /<span>Number or colleague<\/span><input[^>]*name="target"/);
  assert.match(html, /<button type="submit" class="button call">Call<\/button>/);
  assert.match(
    html,
    /<button type="button" class="button quiet" aria-describedby="([^"]+)">Echo test<\/button><span id="\1" class="muted">5550100<\/span>/,
  );
});

test('outbound ringing: "Ringing…" once (in the status region) and a Cancel button, no dialpad', () => {
  const html = render(<CallStage state={stateWith(phone(call({ state: 'ringing', peer: 'sip:bob@pbx.example' })))} />);
  assert.equal(count(html, 'Ringing…'), 1);
  assert.match(html, /aria-label="Outgoing call"/);
  assert.match(html, />bob</);
  assert.match(html, />Cancel</);
  assert.doesNotMatch(html, /Number or colleague/);
});

test('active call: controls follow mute/hold, timer and quality panel with both meters', () => {
  const live = render(
    <CallStage
      state={stateWith(
        phone(call({ state: 'active', answeredAt: Date.now() - 65_000 })),
        { type: 'stats-measured', callId: 'call-1', stats: stats() },
        {
          type: 'quality-sampled',
          callId: 'call-1',
          quality: {
            ...NO_QUALITY,
            samples: [sample({ mos: 4.33, lossPercent: 2.5 })],
            warnings: { ...NO_WARNINGS, loss: { raised: true, streak: 0 } },
          },
        },
      )}
    />,
  );
  assert.match(live, /aria-label="Active call"/);
  for (const name of ['Mute', 'Hold', 'Keypad', 'Transfer', 'Hang up']) assert.equal(count(live, name), 1, name);
  assert.match(live, /role="timer" aria-label="Call duration"[^>]*>1:0[56]</);
  assert.match(live, /aria-label="Call quality"/);
  assert.match(live, /<meter aria-label="Incoming audio level" min="0" max="1"[^>]*value="0.2"/);
  assert.match(live, /<meter aria-label="Outgoing audio level" min="0" max="1"[^>]*value="0.3"/);
  assert.match(live, />opus\/48000</);
  assert.match(live, />4.3 \(Excellent\)</);
  assert.match(live, />Connected</);
  // The always-visible indicator: latest MOS and the raised warning with its figure and limit.
  assert.match(live, /role="status" aria-label="Quality indicator" class="quality-indicator warn"/);
  assert.match(live, />MOS 4.3 Excellent</);
  assert.match(live, /<li>Packet loss: 2.5 % lost \(limit 1 %\)<\/li>/);
  assert.equal(count(live, 'Show quality charts'), 1, 'charts are on demand, closed at first');

  const changed = render(<CallStage state={stateWith(phone(call({ state: 'active', answeredAt: 1, muted: true, held: true })))} />);
  assert.equal(count(changed, 'Unmute'), 1);
  assert.equal(count(changed, 'Resume'), 1);
  assert.equal(count(changed, 'Mute'), 0);
  assert.match(changed, />On hold</);
  assert.match(changed, /class="card call-card in-call state-active held"/);
  // Before the first stats arrive the panel shows dashes, never stale numbers.
  assert.equal(count(changed, '—'), 8);
  assert.match(changed, />Measuring…</);
  assert.doesNotMatch(changed, /system default microphone/);

  const fellBack = render(<CallStage state={stateWith(phone(call({ state: 'active', answeredAt: 1, microphoneFallback: true })))} />);
  assert.match(fellBack, />Using the system default microphone: the selected one is not available.</);
});

test('incoming call during another call: Incoming call region with Answer/Decline, current call kept', () => {
  const html = render(
    <CallStage
      state={stateWith(
        phone(
          call({ id: 'a', state: 'active', answeredAt: 1 }),
          call({ id: 'b', direction: 'inbound', state: 'ringing', peer: 'sip:carol@pbx.example', peerDisplayName: 'Carol' }),
        ),
      )}
    />,
  );
  assert.match(html, /<section class="card incoming" aria-label="Incoming call">/);
  assert.match(html, />Carol \(carol\)</);
  assert.equal(count(html, 'Answer'), 1);
  assert.equal(count(html, 'Decline'), 1);
  assert.match(html, /aria-label="Active call"/);
});

test('a parked call is listed under Other calls with Switch and End', () => {
  const html = render(
    <CallStage
      state={stateWith(
        phone(
          call({ id: 'a', state: 'active', answeredAt: 1 }),
          call({ id: 'b', state: 'active', held: true, answeredAt: 2, peer: 'dave' }),
        ),
      )}
    />,
  );
  assert.match(html, /aria-label="Other calls"/);
  assert.match(html, /aria-label="Switch to dave"/);
  assert.match(html, /aria-label="End call with dave"/);
});

test('settings: three labelled selects; an unplugged saved device stays visible', () => {
  const html = render(
    <SettingsPanel
      settings={{ microphoneId: 'gone', speakerId: 'default', ringerId: 'default' }}
      devices={{ microphones: [{ id: 'default', label: 'System default' }], speakers: [{ id: 'default', label: 'System default' }] }}
    />,
  );
  assert.match(html, /aria-label="Settings"/);
  for (const name of ['Microphone', 'Speaker', 'Ringer']) assert.match(html, new RegExp(`<span>${name}</span><select`));
  assert.match(html, /<option value="gone" selected="">Saved device \(not connected\)<\/option>/);
});

test('network test: the web shell runs its own checks, names the desktop-only ones in one line, exports and sends the report', () => {
  const web = render(<DiagnosticsPanel state={stateWith()} />);
  assert.match(web, /Needs the desktop app: VPN split tunnel and the interface toward each server, TCP\/TLS reachability/);
  assert.match(web, />Run network test</);
  assert.doesNotMatch(web, /Export JSON/, 'nothing to export before a run');
  const report = sampleNetworkReport({ summary: '<b>x</b>' });
  const finished = render(<DiagnosticsPanel state={stateWith({ type: 'diagnostics-report', report })} />);
  assert.match(finished, /Finished: [^<]*, took 4\.2 s/);
  const href = /download="clearline-network-test-run-1\.json" href="([^"]+)"/.exec(finished)?.[1];
  assert.ok(href, 'an Export JSON link');
  assert.deepEqual(
    JSON.parse(decodeURIComponent(href.replace(/^data:application\/json;charset=utf-8,/, '').replace(/&amp;/g, '&'))),
    report,
  );
  assert.match(finished, />Send to helpdesk</);

  const desktop = (...actions: Action[]) =>
    render(
      <DiagnosticsPanel
        state={stateWith({ type: 'host-info', shell: 'electron', version: '1', passwordStorage: 'os-encrypted' }, ...actions)}
      />,
    );
  assert.match(desktop(), />Run network test</);
  assert.match(desktop(), /aria-label="Saved password protection">Saved password: encrypted with your system keyring\.</);
  const obfuscated = render(
    <DiagnosticsPanel state={stateWith({ type: 'host-info', shell: 'electron', version: '1', passwordStorage: 'obfuscated' })} />,
  );
  assert.match(obfuscated, /class="field-error" aria-label="Saved password protection">Saved password: obfuscated only, NOT encrypted/);
  assert.doesNotMatch(obfuscated, /encrypted with your system keyring/);
  const step = {
    id: 'turn-udp',
    title: 'TURN over UDP',
    verdict: 'fail' as const,
    explanation: 'UDP 3478 is blocked',
    fix: 'Allow UDP 3478 to turn.example',
    values: {},
    durationMs: 40,
  };
  const running = desktop(
    { type: 'diagnostics-started', runId: 'r' },
    { type: 'diagnostics-progress', event: { kind: 'finished', runId: 'r', step } },
    { type: 'diagnostics-progress', event: { kind: 'started', runId: 'r', stepId: 'dscp', title: 'DSCP marking' } },
  );
  assert.match(running, /disabled="">Testing…</);
  assert.match(running, />Checking DSCP marking… \(1 done\)</);
  assert.match(running, />Fail<\/span><span class="step-title">TURN over UDP</);
  assert.match(running, />Fix: Allow UDP 3478 to turn.example</);
  const done = desktop(
    { type: 'diagnostics-started', runId: 'r' },
    { type: 'diagnostics-progress', event: { kind: 'done', runId: 'r', verdict: 'warn', summary: '1 warning' } },
  );
  assert.match(done, />Warning: 1 warning</);
  // The desktop exports and sends its report like the web softphone.
  const desktopReport = desktop({ type: 'diagnostics-report', report });
  assert.match(desktopReport, />Export JSON</);
  assert.match(desktopReport, />Export HTML</);
  assert.match(desktopReport, />Send to helpdesk</);
  // A kept result and an opened file are shown as finished runs, saying where they come from.
  const kept = desktop({ type: 'diagnostics-shown', report, origin: 'kept' });
  assert.match(kept, /Last test: [^<]*, took 4\.2 s/);
  assert.match(kept, new RegExp(`<span class="step-title">${report.steps[0]!.title}</span>`));
  assert.match(desktop({ type: 'diagnostics-shown', report, origin: 'file' }), /Opened from a file: /);
  assert.match(desktop(), /<input type="file" accept="application\/json,.json"/, 'a saved report can be opened');
  const failed = desktop({ type: 'diagnostics-failed', message: 'The network test is already running' });
  assert.match(failed, /role="alert">The network test is already running</);
});

test('history: the "Call history" list exists before the first call, entries show outcome and Redial', () => {
  const empty = render(<CallHistory entries={[]} domain="pbx.example" canDial />);
  assert.match(empty, /<ul aria-label="Call history" class="history-list"><\/ul>/);
  assert.match(empty, />No calls yet\.</);
  const html = render(
    <CallHistory
      entries={[
        { id: 'a', direction: 'inbound', peer: 'sip:bob@pbx.example', startedAt: 1, answeredAt: null, endedAt: 2, disposition: 'missed' },
        { id: 'b', direction: 'outbound', peer: '5550100', startedAt: 1, answeredAt: 1_000, endedAt: 66_000, disposition: 'answered' },
      ]}
      domain="pbx.example"
      canDial={false}
    />,
  );
  assert.match(html, /<li class="missed">/);
  assert.match(html, /aria-label="Redial bob"/);
  assert.match(html, /· Missed</);
  assert.match(html, /· 1:05</);
  assert.equal(html.split('disabled=""').length - 1, 2, 'no redial while a call is up');
});
