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

  expect(msg: StunMessage): { done: Promise<StunMessage>; cancel(): void } {
    const key = msg.transactionId.toString('hex');
    let resolve!: (m: StunMessage) => void;
    const done = new Promise<StunMessage>((r) => (resolve = r));
    this.pending.set(key, resolve);
    return { done, cancel: () => this.pending.delete(key) };
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
      const { done, cancel } = matcher.expect(msg);
      const timers = UDP_RETRANSMIT_MS.map((at) => setTimeout(() => channel.send(bytes, server.address, server.port), at));
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(timeoutError('UDP', label)), REQUEST_TIMEOUT_MS);
      });
      try {
        return await Promise.race([done, expired]);
      } finally {
        timers.forEach(clearTimeout);
        clearTimeout(timeout);
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
      const { done, cancel } = matcher.expect(msg);
      let timeout: NodeJS.Timeout | undefined;
      let fail!: (e: Error) => void;
      const failed = new Promise<never>((_, reject) => {
        fail = reject;
        timeout = setTimeout(() => reject(timeoutError(kind.toUpperCase(), label)), REQUEST_TIMEOUT_MS);
      });
      failures.add(fail);
      channel.send(encode(msg, key));
      try {
        return await Promise.race([done, failed]);
      } finally {
        failures.delete(fail);
        clearTimeout(timeout);
        cancel();
      }
    },
    indicate: (msg, key) => channel.send(encode(msg, key)),
    onIndication: (l) => matcher.onIndication(l),
    close: () => channel.close(),
  };
}
