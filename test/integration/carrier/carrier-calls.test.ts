/**
 * Two real carrier processes calling each other over SIP/UDP + RTP on loopback: "a" places
 * calls through its API with "b" as its proxy (and vice versa), "b" is the carrier under test.
 * Audio is proven by measuring the decoded RTP each side receives.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_NUMBERS } from '../../../backend/carrier/behaviours.js';
import { TONE_HZ, TONE_RMS_DBFS } from '../../../backend/carrier/media/tone.js';
import { dominantFrequency, rmsDbfs } from '../../../backend/carrier/media/goertzel.js';
import type { CallView } from '../../../backend/carrier/call.js';
import { INSTANCE_PORTS, sleep, startCarrierProcess, waitFor, type CarrierProcess } from './carrier-process.js';

let a: CarrierProcess;
let b: CarrierProcess;

before(async () => {
  [a, b] = await Promise.all([
    startCarrierProcess('a', INSTANCE_PORTS.b.sip, 'b.carrier.test'),
    startCarrierProcess('b', INSTANCE_PORTS.a.sip, 'a.carrier.test'),
  ]);
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

async function placeCall(to: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await a.post<{ id: string }>('/calls', { to, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

const until = (c: CarrierProcess, id: string, what: string, ok: (v: CallView) => boolean, timeoutMs = 5000) =>
  waitFor(
    `${what} on call ${id}`,
    async () => {
      const v = await c.call(id);
      return ok(v) ? v : undefined;
    },
    timeoutMs,
  );

/** Waits until at least `packets` packets of audio have arrived (≈ 20 ms each). */
const heard = (c: CarrierProcess, id: string, packets = 40) =>
  until(c, id, `${packets} audio packets`, (v) => v.received.packets >= packets);

async function hangUp(id: string): Promise<void> {
  await a.del(`/calls/${encodeURIComponent(id)}`);
  await until(b, id, 'the far end to end', (v) => v.state === 'ended');
}

test('tone number answers and plays ~1000 Hz at about -13 dBFS RMS (-10 dBFS peak)', { timeout: 15_000 }, async () => {
  const id = await placeCall(DEFAULT_NUMBERS.tone);
  const answered = await until(a, id, 'answer', (v) => v.state === 'answered');
  assert.equal(answered.finalStatus, 200);
  const v = await heard(a, id);
  assert.equal(v.received.codec, 'PCMU');
  assert.ok(Math.abs(v.received.dominantHz! - TONE_HZ) <= 10, `dominant ${v.received.dominantHz} Hz`);
  assert.ok(Math.abs(v.received.rmsDbfs! - TONE_RMS_DBFS) <= 1, `level ${v.received.rmsDbfs} dBFS`);
  const far = await b.call(id);
  assert.equal(far.role, 'tone');
  assert.equal(far.direction, 'incoming');
  assert.equal(far.remote, 'sip:+15551230000@127.0.0.1');
  assert.equal(far.sendErrors, 0);
  await hangUp(id);
});

test('echo number returns the audio it hears (two different frequencies)', { timeout: 20_000 }, async () => {
  for (const hz of [440, 1700]) {
    const id = await placeCall(DEFAULT_NUMBERS.echo, { toneHz: hz });
    const v = await heard(a, id);
    assert.ok(Math.abs(v.received.dominantHz! - hz) <= 10, `sent ${hz} Hz, echo came back at ${v.received.dominantHz} Hz`);
    assert.ok(v.received.rmsDbfs! > TONE_RMS_DBFS - 2, `echo level ${v.received.rmsDbfs}`);
    const far = await b.call(id);
    assert.equal(far.role, 'echo');
    assert.ok(far.sentPackets >= 40, `echo sent ${far.sentPackets} packets`);
    await hangUp(id);
  }
});

test('record number keeps DTMF (RFC 4733 and SIP INFO) and a WAV of what it heard', { timeout: 20_000 }, async () => {
  const id = await placeCall(DEFAULT_NUMBERS.record);
  await heard(b, id, 60); // > 1 s of tone in the recording before digits replace audio packets
  let r = await a.post(`/calls/${encodeURIComponent(id)}/dtmf`, { digits: '123#' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await a.post(`/calls/${encodeURIComponent(id)}/dtmf`, { digits: '9*', method: 'info' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const far = await until(b, id, 'digits', (v) => v.dtmf.length >= 6);
  assert.equal(far.dtmf, '123#9*');
  assert.equal(far.received.dominantHz, TONE_HZ, "record heard the caller's tone");
  const caller = await a.call(id);
  assert.equal(caller.received.dominantHz, null, 'record plays silence');
  await hangUp(id);
  const recording = (await b.call(id)).recording!;
  assert.ok(existsSync(recording), recording);
  const wav = readFileSync(recording);
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(24), 8000, 'sample rate');
  const dataBytes = wav.readUInt32LE(40);
  assert.equal(dataBytes, wav.length - 44, 'data size patched on close');
  const samples = new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.length));
  assert.ok(samples.length >= 8000, `recorded ${samples.length / 8000} s`);
  assert.equal(dominantFrequency(samples.subarray(0, 8000), 8000), TONE_HZ);
  assert.ok(Math.abs(rmsDbfs(samples.subarray(0, 8000)) - TONE_RMS_DBFS) < 1);
});

test('hold (re-INVITE sendonly) stops the far end sending; resume restores it', { timeout: 20_000 }, async () => {
  const id = await placeCall(DEFAULT_NUMBERS.tone);
  await heard(a, id, 20);
  const hold = await a.post<{ status: number }>(`/calls/${encodeURIComponent(id)}/hold`, { hold: true });
  assert.equal(hold.body.status, 200);
  const held = await b.call(id);
  assert.equal(held.held, true);
  assert.equal(held.mediaDirection, 'recvonly');
  await sleep(200); // packets already in flight
  const p1 = (await a.call(id)).received.packets;
  await sleep(1000);
  const p2 = (await a.call(id)).received.packets;
  assert.ok(p2 - p1 <= 1, `${p2 - p1} packets arrived during hold`);
  const resume = await a.post<{ status: number }>(`/calls/${encodeURIComponent(id)}/hold`, { hold: false });
  assert.equal(resume.body.status, 200);
  await sleep(1000);
  const resumed = await a.call(id);
  assert.ok(resumed.received.packets - p2 >= 25, `${resumed.received.packets - p2} packets in 1 s after resume`);
  assert.equal(resumed.received.dominantHz, TONE_HZ);
  assert.equal((await b.call(id)).mediaDirection, 'sendrecv');
  await hangUp(id);
});

test(
  'REFER: 202, NOTIFY 100/200, a new INVITE to the target playing the same tone, BYE to the transferor',
  { timeout: 20_000 },
  async () => {
    const id = await placeCall(DEFAULT_NUMBERS.tone);
    await heard(a, id, 10);
    // The target is a number on carrier "a" (b's proxy), so a receives the transferred call.
    const refer = await a.post<{ status: number }>(`/calls/${encodeURIComponent(id)}/refer`, { target: DEFAULT_NUMBERS.record });
    assert.equal(refer.body.status, 202);
    const transferor = await until(a, id, 'BYE from the transferee', (v) => v.state === 'ended');
    assert.equal(transferor.transferStatus, 200, 'final NOTIFY sipfrag said 200');
    const original = await until(b, id, 'the original leg to end', (v) => v.state === 'ended');
    assert.equal(original.transferredTo, `sip:${DEFAULT_NUMBERS.record}@b.carrier.test`);
    const newLeg = await waitFor('the transferred call on a', async () =>
      (await a.calls()).find(
        (c) => c.direction === 'incoming' && c.number === DEFAULT_NUMBERS.record && c.remote.includes(DEFAULT_NUMBERS.tone),
      ),
    );
    const v = await heard(a, newLeg.id, 30);
    assert.equal(v.state, 'answered');
    assert.ok(Math.abs(v.received.dominantHz! - TONE_HZ) <= 10, 'the transferred leg keeps playing the tone');
    await a.del(`/calls/${encodeURIComponent(newLeg.id)}`);
    await until(b, newLeg.id, 'transferred leg to end', (x) => x.state === 'ended');
  },
);

test('REFER to a busy target: NOTIFY carries 486 and the original call stays up', { timeout: 15_000 }, async () => {
  const id = await placeCall(DEFAULT_NUMBERS.tone);
  await heard(a, id, 10);
  const refer = await a.post<{ status: number }>(`/calls/${encodeURIComponent(id)}/refer`, { target: DEFAULT_NUMBERS.busy });
  assert.equal(refer.body.status, 202);
  const v = await until(a, id, 'the failure NOTIFY', (x) => x.transferStatus === 486);
  assert.equal(v.state, 'answered');
  await sleep(300);
  assert.equal((await b.call(id)).state, 'answered', 'the transferee keeps the original leg');
  await hangUp(id);
});

test('busy number → 486; unknown number → 404', { timeout: 10_000 }, async () => {
  const busy = await placeCall(DEFAULT_NUMBERS.busy);
  const v = await until(a, busy, 'a final answer', (x) => x.state === 'failed');
  assert.equal(v.finalStatus, 486);
  const unknown = await placeCall('5559999');
  assert.equal((await until(a, unknown, 'a final answer', (x) => x.state === 'failed')).finalStatus, 404);
});

test('noAnswer rings until CANCEL: 200 to the CANCEL, 487 to the INVITE', { timeout: 10_000 }, async () => {
  const id = await placeCall(DEFAULT_NUMBERS.noAnswer);
  await until(b, id, 'ringing', (v) => v.state === 'ringing');
  await sleep(500);
  assert.equal((await b.call(id)).state, 'ringing', 'still ringing after 0.5 s');
  await a.del(`/calls/${encodeURIComponent(id)}`);
  const caller = await until(a, id, 'the INVITE to end', (v) => v.state === 'ended');
  assert.equal(caller.finalStatus, 487);
  const far = await until(b, id, 'cancelled', (v) => v.state === 'ended');
  assert.equal(far.finalStatus, 487);
});

test('API rejects bad input with the offending field named', { timeout: 5_000 }, async () => {
  const bad = await a.post<{ error: string }>('/calls', { to: 'a b' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /^to:/);
  const mode = await a.post<{ error: string }>('/calls', { to: 'alice', mode: 'fax' });
  assert.match(mode.body.error, /mode/);
  assert.equal((await a.get('/calls/nope')).status, 404);
  assert.equal((await a.get('/calls/%E0%A4%A')).status, 400);
  assert.equal((await a.post('/calls', 'not json')).status, 400);
  const dtmf = await a.post<{ error: string }>('/calls/nope/dtmf', { digits: '1' });
  assert.equal(dtmf.status, 404);
  assert.equal((await a.get('/healthz')).status, 200);
});
