/**
 * The socket-shaped seams the checks talk through. Node implements them over dgram/net/tls
 * (probes/node-channels.ts); unit tests implement them in memory.
 */
import type { TransportAddress } from './stun/message.js';

export interface DatagramChannel {
  readonly local: TransportAddress;
  send(data: Buffer, address: string, port: number): void;
  /** `receivedAt` is the local wall clock (ms) when the datagram was read. */
  onMessage(listener: (data: Buffer, from: TransportAddress, receivedAt: number) => void): () => void;
  /** Marks outgoing datagrams with this TOS byte; throws if the OS does not allow it. */
  setTos(tos: number): void;
  close(): void;
}

export interface StreamChannel {
  send(data: Buffer): void;
  onData(listener: (chunk: Buffer) => void): () => void;
  onClose(listener: (error?: Error) => void): () => void;
  close(): void;
}
