import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchAudioDevices, type AudioDeviceList, type AudioDeviceSource } from '../../../../main/devices/audio-device-watcher.js';
import { settle } from '../../renderer/calling/fakes/event-loop.js';
import { ManualTimers } from '../../renderer/calling/fakes/manual-timers.js';

/**
 * The watcher's decisions over an in-memory device source (a fake: the real source, pactl against
 * a real PulseAudio server, is test/integration/main/devices/pulse-audio-devices.test.ts).
 */
class SourceFake implements AudioDeviceSource {
  devices: AudioDeviceList = { microphones: ['laptop-mic'], speakers: ['laptop-speakers'] };
  lists = 0;
  subscriptions = 0;
  event: (() => void) | null = null;
  end: ((reason: string, final: boolean) => void) | null = null;
  async list(): Promise<AudioDeviceList> {
    this.lists++;
    return structuredClone(this.devices);
  }
  subscribe(onEvent: () => void, onEnd: (reason: string, final: boolean) => void): () => void {
    this.subscriptions++;
    this.event = onEvent;
    this.end = onEnd;
    return () => {
      this.event = null;
    };
  }
}

function watcher() {
  const source = new SourceFake();
  const timers = new ManualTimers();
  const changes: AudioDeviceList[] = [];
  const logs: string[] = [];
  const stop = watchAudioDevices({
    source,
    timers,
    onChange: (d) => changes.push(d),
    log: (level, message) => logs.push(`${level}: ${message}`),
    settleMs: 100,
    resubscribeMs: 5000,
  });
  return { source, timers, changes, logs, stop };
}

test('a headset plugged in: its burst of events is listed once, after settling, and reported', async () => {
  const w = watcher();
  await settle();
  assert.equal(w.source.lists, 1, 'the starting list is taken…');
  assert.deepEqual(w.changes, [], '…and not reported');
  w.source.devices = { microphones: ['laptop-mic', 'headset-mic'], speakers: ['laptop-speakers', 'headset'] };
  w.source.event!(); // the sink
  w.source.event!(); // the source
  await w.timers.advance(99);
  assert.deepEqual(w.changes, [], 'nothing before the burst settles');
  await w.timers.advance(1);
  assert.equal(w.source.lists, 2, 'one listing for the burst');
  assert.deepEqual(w.changes, [{ microphones: ['laptop-mic', 'headset-mic'], speakers: ['laptop-speakers', 'headset'] }]);
  w.stop();
});

test('events that change nothing (a device re-announced, order changed) are not reported', async () => {
  const w = watcher();
  await settle();
  w.source.devices = { microphones: ['laptop-mic'], speakers: ['laptop-speakers'] };
  w.source.event!();
  await w.timers.advance(100);
  assert.deepEqual(w.changes, []);
  w.stop();
});

test('the subscription dies (sound server restarted): subscribes again, and reports what changed meanwhile', async () => {
  const w = watcher();
  await settle();
  w.source.end!('pactl subscribe exited (1)', false);
  w.source.devices = { microphones: [], speakers: ['laptop-speakers'] };
  await w.timers.advance(4999);
  assert.equal(w.source.subscriptions, 1);
  await w.timers.advance(1);
  assert.equal(w.source.subscriptions, 2, 'subscribed again');
  assert.deepEqual(w.changes, [{ microphones: [], speakers: ['laptop-speakers'] }]);
  assert.match(w.logs.join('\n'), /stopped \(pactl subscribe exited \(1\)\); subscribing again in 5000 ms/);
  w.stop();
});

test('the tool is missing: said once, never retried', async () => {
  const w = watcher();
  await settle();
  w.source.end!('pactl subscribe: spawn pactl ENOENT', true);
  await w.timers.advance(60_000);
  assert.equal(w.source.subscriptions, 1);
  assert.deepEqual(w.logs, ['warn: audio devices are not watched: pactl subscribe: spawn pactl ENOENT']);
  w.stop();
});

test('after stop: no timers left, no report for an event in flight', async () => {
  const w = watcher();
  await settle();
  w.source.devices = { microphones: ['x'], speakers: [] };
  const event = w.source.event!;
  event();
  w.stop();
  assert.deepEqual(w.timers.delays(), [], 'the settle timer is cleared');
  assert.equal(w.source.event, null, 'unsubscribed');
  await w.timers.advance(1000);
  assert.deepEqual(w.changes, []);
});
