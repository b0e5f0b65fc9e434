/** Sends reflector requests on one datagram channel and collects the echoes. */
import type { DatagramChannel } from './channels.js';
import { decodeReply, encodeRequest, type ReflectorKind, type ReflectorReply } from '../../common/node/reflector-protocol.js';
import type { ProbeSample } from './path-stats.js';

export interface Exchange extends ProbeSample {
  reply: ReflectorReply | null;
}

export interface ExchangeOptions {
  kind: ReflectorKind;
  count: number;
  intervalMs: number;
  /** How long to wait for the last echoes after the last send. */
  drainMs: number;
  now: () => number;
  /** Sends through something else than the channel (e.g. a TURN relay). */
  send?: (data: Buffer) => void;
  /** Where echoes arrive, when not straight from the channel. */
  subscribe?: (listener: (data: Buffer, receivedAt: number) => void) => () => void;
}

export async function exchange(
  channel: DatagramChannel | null,
  reflector: { address: string; port: number },
  o: ExchangeOptions,
): Promise<Exchange[]> {
  const samples: Exchange[] = [];
  let arrivals = 0;
  const onReply = (data: Buffer, receivedAt: number) => {
    const reply = decodeReply(data);
    const s = reply && reply.kind === o.kind ? samples[reply.seq] : undefined;
    if (!s || s.receivedMs !== null) return; // unknown or duplicated echo
    s.receivedMs = receivedAt;
    s.arrivalIndex = arrivals++;
    s.reply = reply;
  };
  const subscribe =
    o.subscribe ??
    ((l: (d: Buffer, t: number) => void) =>
      channel!.onMessage((data, from, t) => {
        if (from.address === reflector.address && from.port === reflector.port) l(data, t);
      }));
  const send = o.send ?? ((data: Buffer) => channel!.send(data, reflector.address, reflector.port));
  const off = subscribe(onReply);
  try {
    for (let seq = 0; seq < o.count; seq++) {
      const sentMs = o.now();
      samples.push({ seq, sentMs, receivedMs: null, arrivalIndex: null, reply: null });
      send(encodeRequest({ kind: o.kind, seq, clientSentMs: sentMs }));
      if (seq < o.count - 1) await new Promise((r) => setTimeout(r, o.intervalMs));
    }
    const deadline = o.now() + o.drainMs;
    while (o.now() < deadline && samples.some((s) => s.receivedMs === null)) {
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    off();
  }
  return samples;
}
