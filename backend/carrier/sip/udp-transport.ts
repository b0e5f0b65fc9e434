/**
 * SIP over UDP: one socket, datagrams in, serialized messages out. Parsing happens here so the
 * layers above only ever see well-formed messages; malformed requests get the parser's status
 * code when a response can be addressed, and everything else is dropped (counted, logged).
 */
import dgram from 'node:dgram';
import { parseSipMessage } from './parser.js';
import { createResponse, serializeSipMessage, type SipMessage } from './message.js';
import { redact } from '../../../common/log-redaction.js';

export interface RemoteAddress {
  readonly address: string;
  readonly port: number;
}

export type MessageHandler = (msg: SipMessage, from: RemoteAddress) => void;

export class UdpTransport {
  private readonly socket = dgram.createSocket('udp4');
  private handler: MessageHandler = () => {};

  /** `trace`: log every message sent and received (credentials redacted), for debugging routing. */
  constructor(
    private readonly log: (line: string) => void,
    private readonly trace = false,
  ) {
    this.socket.on('message', (data, rinfo) => this.receive(data, { address: rinfo.address, port: rinfo.port }));
    this.socket.on('error', (err) => this.log(`SIP socket error: ${err.message}`));
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  listen(address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(new Error(`cannot listen for SIP on ${address}:${port}: ${err.message}`));
      this.socket.once('error', onError);
      this.socket.bind(port, address, () => {
        this.socket.off('error', onError);
        resolve();
      });
    });
  }

  send(msg: SipMessage, to: RemoteAddress): void {
    const data = serializeSipMessage(msg);
    if (this.trace) this.log(`SIP → ${to.address}:${to.port}\n${redact(data.toString('utf8')).trimEnd()}`);
    this.socket.send(data, to.port, to.address, (err) => {
      if (err) this.log(`SIP send to ${to.address}:${to.port} failed: ${err.message}`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(data: Buffer, from: RemoteAddress): void {
    if (this.trace) this.log(`SIP ← ${from.address}:${from.port}\n${redact(data.toString('utf8')).trimEnd()}`);
    const parsed = parseSipMessage(data);
    if (parsed.ok) {
      try {
        this.handler(parsed.message, from);
      } catch (err) {
        // A handler bug must not take the carrier down; it is logged with the message that caused it.
        this.log(`error handling SIP message from ${from.address}:${from.port}: ${(err as Error).stack}`);
      }
      return;
    }
    this.log(`rejected SIP datagram from ${from.address}:${from.port}: ${parsed.error}`);
    const req = parsed.request;
    const canAnswer =
      req && req.method !== 'ACK' && ['Via', 'From', 'To', 'Call-ID', 'CSeq'].every((n) => req.headers.some((h) => h.name === n));
    if (parsed.status && canAnswer)
      this.send(createResponse(req, parsed.status, { reason: parsed.error.slice(0, 80).replace(/[\r\n]/g, ' ') }), from);
  }
}
