/**
 * STUN request/response matching over a datagram or a stream channel. Over UDP a request is
 * retransmitted (RFC 8489 §6.2.1, with a shorter schedule: a diagnostic wants an answer in about
 * a second); over TCP/TLS messages are framed by their length field.
 */
import type { DatagramChannel, StreamChannel } from '../channels.js';
import { decode, encode, framedLength, isStun, type StunMessage, type TransportAddress } from './message.js';

export interface StunTransport {
  readonly kind: 'udp' | 'tcp' | 'tls';
  request(msg: StunMessage, key?: Buffer): Promise<StunMessage>;
  indicate(msg: StunMessage, key?: Buffer): void;
  onIndication(listener: (msg: StunMessage) => void): () => void;
  close(): void;
}

const UDP_RETRANSMIT_MS = [0, 250, 500, 1000];
const REQUEST_TIMEOUT_MS = 2500;

class Matcher {
  private readonly pending = new Map<string, (m: StunMessage) => void>();
  private readonly indicationListeners = new Set<(m: StunMessage) => void>();

  /**
   * The answer to `msg`, rejected after REQUEST_TIMEOUT_MS or by `fail` (a closed stream);
   * `cancel` must be called once the caller stops waiting.
   */
  expect(msg: StunMessage, kind: string, server: string): { done: Promise<StunMessage>; fail(e: Error): void; cancel(): void } {
    const key = msg.transactionId.toString('hex');
    let resolve!: (m: StunMessage) => void;
    let fail!: (e: Error) => void;
    const done = new Promise<StunMessage>((res, rej) => ((resolve = res), (fail = rej)));
    const timeout = setTimeout(() => fail(timeoutError(kind, server)), REQUEST_TIMEOUT_MS);
    this.pending.set(key, resolve);
    return {
      done,
      fail,
      cancel: () => {
        clearTimeout(timeout);
        this.pending.delete(key);
      },
    };
  }

  deliver(buf: Buffer): void {
    if (!isStun(buf)) return;
    let msg: StunMessage;
    try {
      msg = decode(buf);
    } catch {
      return; // a malformed datagram is ignored, as a STUN agent must
    }
    if (msg.cls === 'indication') {
      for (const l of this.indicationListeners) l(msg);
      return;
    }
    const key = msg.transactionId.toString('hex');
    const resolve = this.pending.get(key);
    if (resolve) {
      this.pending.delete(key);
      resolve(msg);
    }
  }

  onIndication(listener: (m: StunMessage) => void): () => void {
    this.indicationListeners.add(listener);
    return () => this.indicationListeners.delete(listener);
  }
}

function timeoutError(kind: string, server: string): Error {
  return new Error(`no STUN response over ${kind} from ${server} within ${REQUEST_TIMEOUT_MS} ms`);
}

export function udpTransport(channel: DatagramChannel, server: TransportAddress): StunTransport {
  const matcher = new Matcher();
  const off = channel.onMessage((data, from) => {
    if (from.address === server.address && from.port === server.port) matcher.deliver(data);
  });
  const label = `${server.address}:${server.port}`;
  return {
    kind: 'udp',
    async request(msg, key) {
      const bytes = encode(msg, key);
      const { done, cancel } = matcher.expect(msg, 'UDP', label);
      const timers = UDP_RETRANSMIT_MS.map((at) => setTimeout(() => channel.send(bytes, server.address, server.port), at));
      try {
        return await done;
      } finally {
        timers.forEach(clearTimeout);
        cancel();
      }
    },
    indicate: (msg, key) => channel.send(encode(msg, key), server.address, server.port),
    onIndication: (l) => matcher.onIndication(l),
    close: off,
  };
}

export function streamTransport(channel: StreamChannel, kind: 'tcp' | 'tls', label: string): StunTransport {
  const matcher = new Matcher();
  let buffered = Buffer.alloc(0);
  let closedError: Error | null = null;
  const failures = new Set<(e: Error) => void>();
  channel.onData((chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let n = framedLength(buffered); n !== null; n = framedLength(buffered)) {
      matcher.deliver(buffered.subarray(0, n));
      buffered = buffered.subarray(n);
    }
  });
  channel.onClose((error) => {
    closedError = new Error(`${kind.toUpperCase()} connection to ${label} closed${error ? `: ${error.message}` : ''}`);
    for (const f of failures) f(closedError);
  });
  return {
    kind,
    async request(msg, key) {
      if (closedError) throw closedError;
      const { done, fail, cancel } = matcher.expect(msg, kind.toUpperCase(), label);
      failures.add(fail);
      channel.send(encode(msg, key));
      try {
        return await done;
      } finally {
        failures.delete(fail);
        cancel();
      }
    },
    indicate: (msg, key) => channel.send(encode(msg, key)),
    onIndication: (l) => matcher.onIndication(l),
    close: () => channel.close(),
  };
}
