import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optionsWithSaved, toDeviceLists } from '../../../renderer/state/devices.js';
import { describeQuality, lossPercent, mosLabel } from '../../../renderer/state/quality.js';
import { applyDiagnosticsProgress, diagnosticsStarted, DIAGNOSTICS_IDLE } from '../../../renderer/state/diagnostics.js';
import { userMessage } from '../../../renderer/host/error-message.js';
import { checkSignIn } from '../../../renderer/state/sign-in.js';
import { audioProcessingFrom } from '../../../renderer/state/page-options.js';
import { stats } from './fixtures.js';

test('device lists: default first, aliases and permission-less entries dropped, blank labels numbered', () => {
  const lists = toDeviceLists([
    { deviceId: 'default', kind: 'audioinput', label: 'Default - Headset' },
    { deviceId: 'communications', kind: 'audioinput', label: 'Communications - Headset' },
    { deviceId: 'mic-a', kind: 'audioinput', label: 'Headset Mic' },
    { deviceId: 'mic-b', kind: 'audioinput', label: '' },
    { deviceId: 'mic-a', kind: 'audioinput', label: 'Headset Mic (dup)' },
    { deviceId: '', kind: 'audiooutput', label: '' },
    { deviceId: 'spk-a', kind: 'audiooutput', label: 'Speakers' },
    { deviceId: 'cam', kind: 'videoinput', label: 'Camera' },
  ]);
  assert.deepEqual(
    lists.microphones.map((d) => d.id),
    ['default', 'communications', 'mic-a', 'mic-b'],
  );
  assert.equal(lists.microphones[0]?.label, 'System default');
  assert.equal(lists.microphones[3]?.label, 'Microphone 3');
  assert.deepEqual(
    lists.speakers.map((d) => d.id),
    ['default', 'spk-a'],
  );
});

test('an unplugged saved device stays selectable and is marked as not connected', () => {
  const { microphones } = toDeviceLists([{ deviceId: 'mic-a', kind: 'audioinput', label: 'A' }]);
  assert.equal(optionsWithSaved(microphones, 'mic-a'), microphones);
  const withGone = optionsWithSaved(microphones, 'mic-gone');
  assert.equal(withGone.at(-1)?.id, 'mic-gone');
  assert.match(withGone.at(-1)?.label ?? '', /not connected/);
});

test('call quality figures: loss share, MOS bands, clamped meter levels, dashes before any stats', () => {
  assert.equal(lossPercent({ packetsReceived: 990, packetsLost: 10 }), 1);
  assert.equal(lossPercent({ packetsReceived: 0, packetsLost: 0 }), null);
  assert.equal(mosLabel(4.4), 'Excellent');
  assert.equal(mosLabel(4.0), 'Good');
  assert.equal(mosLabel(3.7), 'Fair');
  assert.equal(mosLabel(3.2), 'Poor');
  assert.equal(mosLabel(2.0), 'Bad');
  const view = describeQuality(stats({ inboundAudioLevel: 1.7, outboundAudioLevel: -1, packetsLost: 3, packetsReceived: 997 }));
  assert.equal(view.inLevel, 1);
  assert.equal(view.outLevel, 0);
  assert.deepEqual(Object.fromEntries(view.facts), {
    Codec: 'opus/48000',
    'Round trip': '42 ms',
    Jitter: '4 ms',
    'Packet loss': '0.3 %',
    MOS: '4.3 (Excellent)',
  });
  const none = describeQuality(null);
  assert.equal(none.inLevel, 0);
  assert.ok(none.facts.every(([, value]) => value === '—'));
  assert.equal(Object.fromEntries(describeQuality(stats({ rttMs: null, mos: null })).facts)['Round trip'], '—');
});

test('diagnostics progress: steps of the current run accumulate, stale runs are ignored', () => {
  const step = { id: 'udp', title: 'UDP to TURN', verdict: 'pass' as const, explanation: 'ok', values: {}, durationMs: 3 };
  let state = diagnosticsStarted('run-2');
  state = applyDiagnosticsProgress(state, { kind: 'started', runId: 'run-2', stepId: 'udp', title: 'UDP to TURN' });
  assert.equal(state.phase === 'running' && state.current, 'UDP to TURN');
  state = applyDiagnosticsProgress(state, { kind: 'finished', runId: 'run-1', step: { ...step, id: 'stale' } });
  state = applyDiagnosticsProgress(state, { kind: 'finished', runId: 'run-2', step });
  state = applyDiagnosticsProgress(state, { kind: 'finished', runId: 'run-2', step: { ...step, verdict: 'fail' } });
  assert.equal(state.phase === 'running' && state.steps.length, 1, 'a re-reported step replaces itself');
  state = applyDiagnosticsProgress(state, { kind: 'done', runId: 'run-2', verdict: 'fail', summary: '1 failed' });
  assert.equal(state.phase, 'done');
  assert.equal(state.phase === 'done' && state.verdict, 'fail');
  assert.equal(applyDiagnosticsProgress(DIAGNOSTICS_IDLE, { kind: 'done', runId: 'x', verdict: 'pass', summary: '' }), DIAGNOSTICS_IDLE);
});

test('user messages drop the host error code and error class prefixes', () => {
  const hostRejection = Object.assign(new Error('[unauthorized] Wrong username or password'), { name: 'HostError' });
  assert.equal(userMessage(hostRejection), 'Wrong username or password');
  assert.equal(userMessage(new Error('[not-a-code] kept as is')), '[not-a-code] kept as is');
  assert.equal(userMessage(new Error('TypeError: x is not a function')), 'x is not a function');
  assert.equal(userMessage(new Error('Cannot reach pbx:443')), 'Cannot reach pbx:443');
  assert.equal(userMessage('plain'), 'plain');
  assert.match(userMessage(undefined), /no details/);
});

test('sign-in form checks name the field; a bare host name means https', () => {
  assert.deepEqual(checkSignIn({ url: ' pbx.example.com ', username: ' alice ', password: 'pw' }), {
    ok: true,
    request: { url: 'https://pbx.example.com/', username: 'alice', password: 'pw' },
  });
  assert.equal(checkSignIn({ url: 'http://127.0.0.1:20010', username: 'a', password: 'p' }).ok, true);
  const error = (form: { url: string; username: string; password: string }) => {
    const r = checkSignIn(form);
    return r.ok ? 'ok' : r.error;
  };
  assert.match(error({ url: '', username: 'a', password: 'p' }), /^Enter the Provisioning URL/);
  assert.equal(error({ url: 'x.example', username: '  ', password: 'p' }), 'Enter your Username');
  assert.equal(error({ url: 'x.example', username: 'a', password: '' }), 'Enter your Password');
  assert.equal(error({ url: 'ftp://x.example', username: 'a', password: 'p' }), 'Provisioning URL must start with https:// (got ftp://)');
  assert.match(error({ url: 'https://exa mple', username: 'a', password: 'p' }), /is not a valid address/);
  assert.match(error({ url: 'x.example', username: 'a'.repeat(65), password: 'p' }), /Username is too long/);
});

test('?audioProcessing=off (or false/0/no) turns audio processing off; anything else keeps it on', () => {
  assert.equal(audioProcessingFrom(''), true);
  assert.equal(audioProcessingFrom('?audioProcessing=off'), false);
  assert.equal(audioProcessingFrom('?x=1&audioProcessing=FALSE'), false);
  assert.equal(audioProcessingFrom('?audioProcessing=0'), false);
  assert.equal(audioProcessingFrom('?audioProcessing=on'), true);
  assert.equal(audioProcessingFrom('?audioprocessing=off'), true, 'the parameter name is case-sensitive');
});
