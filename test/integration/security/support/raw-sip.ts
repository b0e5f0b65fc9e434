/**
 * Raw SIP over UDP or TCP, the way an attacker on the network sends it: any headers, any source
 * (any loopback address, e.g. 127.0.0.2 to play a foreign host), no WebSocket and no user agent
 * logic. Responses are matched to requests by Via branch.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { buildRequest, digestAnswer, header, parseSip, rand, type SipMessage } from '../../backend/support/sip-message.js';

export type Headers = ReadonlyArray<[string, string]>;

/** What every request needs besides Via, Max-Forwards and Content-Length (Call-ID, tags, CSeq). */
export function dialogHeaders(o: {
  method: string;
  from: string;
  to: string;
  callId?: string;
  toTag?: string;
  cseq?: number;
}): Array<[string, string]> {
  return [
    ['From', `<${o.from}>;tag=${rand(4)}`],
    ['To', o.toTag ? `<${o.to}>;tag=${o.toTag}` : `<${o.to}>`],
    ['Call-ID', o.callId ?? rand(10)],
    ['CSeq', `${o.cseq ?? 1} ${o.method}`],
  ];
}

/**
 * Sends a request through `send(auth, cseq)` and answers one digest challenge (401/407) with the
 * given credentials, the way any SIP client would: the final answer after that, or null if none.
 */
export async function withDigest(
  creds: { username: string; password: string; method: string; uri: string },
  send: (auth: Headers, cseq: number) => Promise<SipMessage | null>,
): Promise<SipMessage | null> {
  const first = await send([], 1);
  if (!first || (first.status !== 401 && first.status !== 407)) return first;
  const challenge = header(first, first.status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? '';
  return send([[first.status === 401 ? 'Authorization' : 'Proxy-Authorization', digestAnswer(challenge, creds)]], 2);
}

const FINAL_TIMEOUT_MS = 5000;

abstract class RawSipClient {
  /** Every response received, in order (provisional ones too). */
  readonly responses: SipMessage[] = [];
  private readonly waiting = new Map<string, (m: SipMessage) => void>();

  protected abstract transport: 'UDP' | 'TCP';
  protected abstract write(raw: string): void;
  abstract get localAddress(): { address: string; port: number };
  abstract close(): void;

  protected onMessage(raw: string): void {
    const msg = parseSip(raw);
    if (msg.status === null) return; // requests to the attacker are not part of any test
    this.responses.push(msg);
    const branch = /branch=([^;,\s]+)/.exec(msg.headers.find(([n]) => n === 'via')?.[1] ?? '')?.[1];
    if (branch && msg.status >= 200) this.waiting.get(branch)?.(msg);
  }

  /** The raw request text with our Via and Max-Forwards on top (the branch matches its answer). */
  build(startLine: string, headers: Headers, body = ''): { raw: string; branch: string } {
    const branch = `z9hG4bK${rand(8)}`;
    const { address, port } = this.localAddress;
    return {
      raw: buildRequest(
        startLine,
        [['Via', `SIP/2.0/${this.transport} ${address}:${port};branch=${branch};rport`], ['Max-Forwards', '70'], ...headers],
        body,
      ),
      branch,
    };
  }

  /** Sends without waiting for anything (floods, stray ACKs). */
  send(startLine: string, headers: Headers, body = ''): void {
    this.write(this.build(startLine, headers, body).raw);
  }

  /** Sends a request and resolves with its final response, or null when none comes in time. */
  request(startLine: string, headers: Headers, body = '', timeoutMs = FINAL_TIMEOUT_MS): Promise<SipMessage | null> {
    const { raw, branch } = this.build(startLine, headers, body);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(branch);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(branch, (m) => {
        clearTimeout(timer);
        this.waiting.delete(branch);
        resolve(m);
      });
      this.write(raw);
    });
  }
}

export class UdpSipClient extends RawSipClient {
  protected transport = 'UDP' as const;

  private constructor(
    private readonly sock: Socket,
    private readonly target: { host: string; port: number },
  ) {
    super();
    sock.on('message', (data) => this.onMessage(data.toString('utf8')));
  }

  /** `bindAddress`: the source address (any 127.x.y.z is loopback on Linux). */
  static async open(target: { host: string; port: number }, bindAddress = '127.0.0.1'): Promise<UdpSipClient> {
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, bindAddress, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    return new UdpSipClient(sock, target);
  }

  get localAddress() {
    const a = this.sock.address();
    return { address: a.address, port: a.port };
  }

  protected write(raw: string): void {
    this.sock.send(raw, this.target.port, this.target.host);
  }

  close(): void {
    this.sock.close();
  }
}

export class TcpSipClient extends RawSipClient {
  protected transport = 'TCP' as const;
  private buffer = '';

  private constructor(private readonly sock: TcpSocket) {
    super();
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => this.onData(chunk));
    sock.on('error', () => undefined); // a peer reset ends the test's exchange; request() times out
  }

  static async open(target: { host: string; port: number }): Promise<TcpSipClient> {
    const sock = connect({ host: target.host, port: target.port });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    return new TcpSipClient(sock);
  }

  /** Splits the stream into messages by Content-Length (RFC 3261 §18.3). */
  private onData(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\n(?:content-length|l)\s*:\s*(\d+)/i.exec(this.buffer.slice(0, end))?.[1] ?? 0);
      if (this.buffer.length < end + 4 + length) return;
      this.onMessage(this.buffer.slice(0, end + 4 + length));
      this.buffer = this.buffer.slice(end + 4 + length);
    }
  }

  get localAddress() {
    return { address: this.sock.localAddress ?? '127.0.0.1', port: this.sock.localPort ?? 0 };
  }

  protected write(raw: string): void {
    this.sock.write(raw);
  }

  close(): void {
    this.sock.destroy();
  }
}
