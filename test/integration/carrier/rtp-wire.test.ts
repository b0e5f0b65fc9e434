/**
 * The carrier's RTP as it appears on the wire, captured by a raw UDP socket that stands in for
 * the far end (a hand-written INVITE/ACK/BYE drives the call): header fields, sequence and
 * timestamp continuity, one SSRC, 20 ms pacing — for the tone (generated) and echo (reflected).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { DEFAULT_NUMBERS } from '../../../backend/carrier/behaviours.js';
import { encodeG711 } from '../../../backend/carrier/media/g711.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../../backend/carrier/media/rtp-packet.js';
import { ToneGenerator } from '../../../backend/carrier/media/tone.js';
import { createRequest, headerValue, serializeSipMessage, type SipResponse } from '../../../backend/carrier/sip/message.js';
import { parseSipMessage } from '../../../backend/carrier/sip/parser.js';
import { INSTANCE_PORTS, SIPP_PORTS, startCarrierProcess, type CarrierProcess } from './carrier-process.js';
import { setTimeout as sleep } from 'node:timers/promises';

const SIP_PORT = SIPP_PORTS.sip + 2;
const RTP_PORT = SIPP_PORTS.media + 2;
let carrier: CarrierProcess;
let sip: dgram.Socket;
let rtp: dgram.Socket;

before(async () => {
  carrier = await startCarrierProcess('b', SIP_PORT);
  sip = dgram.createSocket('udp4');
  rtp = dgram.createSocket('udp4');
  await Promise.all([
    new Promise<void>((r) => sip.bind(SIP_PORT, '127.0.0.1', () => r())),
    new Promise<void>((r) => rtp.bind(RTP_PORT, '127.0.0.1', () => r())),
  ]);
});

after(async () => {
  sip?.close();
  rtp?.close();
  await carrier?.stop();
});

/** Sends one request and waits for its final response (ignoring 1xx). */
function transact(buf: Buffer): Promise<SipResponse> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no final response in 5 s')), 5000);
    const onMessage = (data: Buffer) => {
      const p = parseSipMessage(data);
      if (p.ok && p.message.kind === 'response' && p.message.status >= 200) {
        clearTimeout(timer);
        sip.off('message', onMessage);
        resolve(p.message);
      }
    };
    sip.on('message', onMessage);
    sip.send(buf, INSTANCE_PORTS.b.sip, '127.0.0.1');
  });
}

async function callAndCapture(number: string, durationMs: number, sendTone?: number) {
  const callId = `wire-${number}-${Date.now()}`;
  const headers = (method: string, seq: number, toTag = '') => [
    { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${SIP_PORT};branch=z9hG4bK${method}${seq}${callId}` },
    { name: 'From', value: '<sip:wire@127.0.0.1>;tag=w1' },
    { name: 'To', value: `<sip:${number}@127.0.0.1>${toTag}` },
    { name: 'Call-ID', value: callId },
    { name: 'CSeq', value: `${seq} ${method}` },
    { name: 'Contact', value: `<sip:wire@127.0.0.1:${SIP_PORT}>` },
  ];
  const sdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${RTP_PORT} RTP/AVP 0\r\n`;
  const uri = `sip:${number}@127.0.0.1:${INSTANCE_PORTS.b.sip}`;
  const ok = await transact(
    serializeSipMessage(
      createRequest('INVITE', uri, [...headers('INVITE', 1), { name: 'Content-Type', value: 'application/sdp' }], Buffer.from(sdp)),
    ),
  );
  assert.equal(ok.status, 200);
  const toTag = `;tag=${/;tag=([^;\s]+)/.exec(headerValue(ok, 'To')!)![1]}`;
  const remotePort = Number(/m=audio (\d+)/.exec(ok.body.toString())![1]);
  sip.send(serializeSipMessage(createRequest('ACK', uri, headers('ACK', 1, toTag))), INSTANCE_PORTS.b.sip, '127.0.0.1');

  const captured: { at: number; packet: RtpPacket }[] = [];
  const onRtp = (data: Buffer) => {
    const packet = parseRtp(data);
    if (packet) captured.push({ at: performance.now(), packet });
  };
  rtp.on('message', onRtp);
  let sender: NodeJS.Timeout | undefined;
  if (sendTone) {
    const tone = new ToneGenerator(sendTone);
    let seq = 0;
    sender = setInterval(() => {
      const payload = encodeG711('PCMU', tone.next(160));
      rtp.send(
        serializeRtp({ payloadType: 0, marker: false, sequence: seq, timestamp: seq * 160, ssrc: 0x1234, payload }),
        remotePort,
        '127.0.0.1',
      );
      seq++;
    }, 20);
  }
  await sleep(durationMs);
  clearInterval(sender);
  rtp.off('message', onRtp);
  assert.equal((await transact(serializeSipMessage(createRequest('BYE', uri, headers('BYE', 2, toTag))))).status, 200);
  return captured;
}

/**
 * `paced`: the carrier sends on its own 20 ms clock (tone). An echo sends each packet when ours
 * arrives, so its spacing is our sender's timer (which drifts on a loaded machine), not the carrier's.
 */
function assertValidStream(captured: { at: number; packet: RtpPacket }[], minPackets: number, paced = true): void {
  assert.ok(captured.length >= minPackets, `${captured.length} packets`);
  let jumps = 0;
  const ssrcs = new Set(captured.map((c) => c.packet.ssrc));
  assert.equal(ssrcs.size, 1, 'one SSRC');
  assert.notEqual([...ssrcs][0], 0x1234, 'its own SSRC, not ours');
  captured.forEach(({ packet }, i) => {
    assert.equal(packet.payloadType, 0);
    assert.equal(packet.payload.length, 160, '20 ms of G.711');
    assert.equal(packet.marker, i === 0, `marker only on the first packet (packet ${i})`);
    if (i === 0) return;
    const prev = captured[i - 1]!.packet;
    assert.equal(packet.sequence, (prev.sequence + 1) & 0xffff, `sequence continues at packet ${i}`);
    // +160 per packet; a multiple of it only if the sender skipped packets after a stall.
    const delta = (packet.timestamp - prev.timestamp) >>> 0;
    assert.ok(delta >= 160 && delta % 160 === 0 && delta <= 160 * 50, `timestamp step ${delta} at packet ${i}`);
    if (delta !== 160) jumps++;
  });
  assert.ok(jumps <= 2, `${jumps} timestamp jumps`);
  if (!paced) return;
  const spanMs = captured.at(-1)!.at - captured[0]!.at;
  const meanGap = spanMs / (captured.length - 1);
  assert.ok(Math.abs(meanGap - 20) < 3, `mean inter-packet gap ${meanGap.toFixed(2)} ms`);
}

test('tone: a valid RTP stream paced at 20 ms, marker on the first packet', { timeout: 15_000 }, async () => {
  const captured = await callAndCapture(DEFAULT_NUMBERS.tone, 1500);
  assertValidStream(captured, 60);
});

test('echo: reflected audio is re-sequenced and re-timestamped under its own SSRC', { timeout: 15_000 }, async () => {
  const captured = await callAndCapture(DEFAULT_NUMBERS.echo, 1500, 700);
  assertValidStream(captured, 50, false);
});
