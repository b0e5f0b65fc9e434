/**
 * `npm run bench -- --json` → carrier: { optionsRttMs, callSetupMs, signallingMs, … }. Two
 * in-process carriers on loopback: call setup to the echo number (POST → answered, minus the
 * carrier's deliberate ring time) next to the baseline of a bare SIP transaction (OPTIONS round
 * trip) on the same sockets, and the tone stream's packet rate against the nominal 50/s.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANSWER_DELAY_MS, DEFAULT_NUMBERS } from '../../backend/carrier/behaviours.js';
import { startCarrier, type RunningCarrier } from '../../backend/carrier/carrier.js';
import { serializeSipMessage, createRequest } from '../../backend/carrier/sip/message.js';
import type { Call } from '../../backend/carrier/call.js';
import { PACKET_MS } from '../../backend/carrier/media/rtp-session.js';
import type { Bench } from './index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { spareTestPort, spareTestPorts } from '../support/port-registry.js';

/** Spare ports of the carrier suite's block, clear of the ports its tests use. */
const SIP = { a: spareTestPort('carrier', 80), b: spareTestPort('carrier', 82), probe: spareTestPort('carrier', 84) };
const MEDIA = { a: spareTestPorts('carrier', 1500, 1549), b: spareTestPorts('carrier', 1550, 1599) };
const CALLS = 5;
const OPTIONS_PROBES = 20;

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function whenAnswered(call: Call, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (call.state === 'ringing' && Date.now() < deadline) await sleep(2);
  if (call.state !== 'answered') throw new Error(`call ${call.id} ended ${call.state} (${call.finalStatus})`);
}

async function optionsRtt(toPort: number): Promise<number[]> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(SIP.probe, '127.0.0.1', () => r()));
  try {
    const rtts: number[] = [];
    for (let i = 0; i < OPTIONS_PROBES; i++) {
      const req = createRequest('OPTIONS', `sip:probe@127.0.0.1:${toPort}`, [
        { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${SIP.probe};branch=z9hG4bKbench${i}` },
        { name: 'From', value: '<sip:bench@127.0.0.1>;tag=bench' },
        { name: 'To', value: '<sip:probe@127.0.0.1>' },
        { name: 'Call-ID', value: `bench-${i}` },
        { name: 'CSeq', value: '1 OPTIONS' },
      ]);
      const start = performance.now();
      const answered = new Promise<void>((r) => socket.once('message', () => r()));
      socket.send(serializeSipMessage(req), toPort, '127.0.0.1');
      await Promise.race([answered, sleep(1000)]);
      rtts.push(performance.now() - start);
    }
    return rtts;
  } finally {
    socket.close();
  }
}

const bench: Bench = {
  key: 'carrier',
  async run() {
    const dirs = [mkdtempSync(join(tmpdir(), 'carrier-bench-a-')), mkdtempSync(join(tmpdir(), 'carrier-bench-b-'))];
    const common = { listen: '127.0.0.1', domain: 'bench.test', numbers: DEFAULT_NUMBERS, log: () => {} };
    const carriers: RunningCarrier[] = [];
    try {
      const sides = [
        { sipPort: SIP.a, media: MEDIA.a, peer: SIP.b },
        { sipPort: SIP.b, media: MEDIA.b, peer: SIP.a },
      ];
      for (const [i, side] of sides.entries()) {
        carriers.push(
          await startCarrier({
            ...common,
            sipPort: side.sipPort,
            mediaMin: side.media[0],
            mediaMax: side.media[1],
            proxy: { address: '127.0.0.1', port: side.peer },
            stateDir: dirs[i]!,
          }),
        );
      }
      const [a] = carriers as [RunningCarrier, RunningCarrier];
      const rtts = await optionsRtt(SIP.b);
      const setups: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const start = performance.now();
        const call = await a.placeCall({ to: DEFAULT_NUMBERS.echo });
        await whenAnswered(call);
        setups.push(performance.now() - start);
        call.hangup();
      }
      const tone = await a.placeCall({ to: DEFAULT_NUMBERS.tone });
      await whenAnswered(tone);
      await sleep(500);
      const before = tone.view().received.packets;
      await sleep(2000);
      const packetsPerSecond = (tone.view().received.packets - before) / 2;
      tone.hangup();
      return {
        optionsRttMs: Number(median(rtts).toFixed(2)),
        callSetupMs: Number(median(setups).toFixed(1)),
        answerDelayMs: ANSWER_DELAY_MS,
        signallingMs: Number((median(setups) - ANSWER_DELAY_MS).toFixed(1)),
        calls: CALLS,
        tonePacketsPerSecond: packetsPerSecond,
        nominalPacketsPerSecond: 1000 / PACKET_MS,
      };
    } finally {
      await Promise.all(carriers.map((c) => c.stop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  },
};

export default bench;
