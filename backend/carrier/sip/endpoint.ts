/**
 * The SIP transaction layer over UDP (RFC 3261 §17, trimmed to what a UA needs):
 * - server transactions absorb request retransmissions by resending the last response, and an
 *   INVITE's final response is retransmitted (T1 doubling up to T2) until its ACK arrives;
 * - client transactions retransmit requests until a response (Timers A/E), time out with a
 *   synthetic 408 (Timers B/F), and ACK non-2xx finals themselves;
 * - CANCEL is matched to its INVITE and answered here; the TU only hears `onCancel`.
 * Dialog matching and the 2xx ACK's content are the TU's business (it gets `onAck`).
 */
import { parseVia } from './address.js';
import { BRANCH_COOKIE } from './ids.js';
import {
  createRequest,
  createResponse,
  headerValue,
  headerValues,
  parseCSeq,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './message.js';
import { LINGER_MS, T1_MS, T2_MS, TRANSACTION_TIMEOUT_MS } from './timers.js';
import type { RemoteAddress, UdpTransport } from './udp-transport.js';

export interface TransactionUser {
  /** A new request (not a retransmission, not ACK or CANCEL). Answer through `tx.respond`. */
  onRequest(req: SipRequest, tx: ServerTransaction): void;
  /** An ACK for a 2xx (or any ACK that matches no non-2xx INVITE transaction). */
  onAck(ack: SipRequest, from: RemoteAddress): void;
  /** A CANCEL matched a pending INVITE; 200 has been sent for the CANCEL already. */
  onCancel(invite: ServerTransaction): void;
}

export type ResponseHandler = (res: SipResponse) => void;

class TimerSet {
  private readonly timers = new Set<NodeJS.Timeout>();
  add(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function topViaBranch(msg: SipMessage): { branch?: string; sentBy: string } {
  const via = parseVia(headerValues(msg, 'Via')[0] ?? '');
  const branch = via?.params.get('branch') ?? undefined;
  return { branch: branch ?? undefined, sentBy: via ? `${via.host}:${via.port ?? 5060}` : '' };
}

/** RFC 3261 §17.2.3 server transaction key, with the RFC 2543 fallback for cookie-less branches. */
function serverKey(req: SipRequest, method: string): string {
  const { branch, sentBy } = topViaBranch(req);
  if (branch && branch.startsWith(BRANCH_COOKIE) && branch.length > BRANCH_COOKIE.length) {
    return `${branch}|${sentBy}|${method}`;
  }
  const cseq = parseCSeq(headerValue(req, 'CSeq'));
  const fromTag = /;\s*tag=([^;\s]+)/i.exec(headerValue(req, 'From') ?? '')?.[1] ?? '';
  return `2543|${headerValue(req, 'Call-ID')}|${cseq?.seq}|${fromTag}|${req.uri}|${method}`;
}

const clientKey = (msg: SipMessage, method: string) => `${topViaBranch(msg).branch ?? ''}|${method}`;

export class ServerTransaction {
  private lastResponse?: SipResponse;
  private readonly timers = new TimerSet();
  private acked = false;
  /** Called when an INVITE's 2xx was never ACKed (the TU should end the dialog). */
  onAckTimeout?: () => void;

  constructor(
    private readonly endpoint: SipEndpoint,
    readonly request: SipRequest,
    readonly source: RemoteAddress,
  ) {}

  get finalStatus(): number | undefined {
    return this.lastResponse && this.lastResponse.status >= 200 ? this.lastResponse.status : undefined;
  }

  respond(res: SipResponse): void {
    if (this.finalStatus !== undefined) return; // one final response per transaction
    this.lastResponse = res;
    this.endpoint.transport.send(res, this.source);
    if (res.status < 200) return;
    if (this.request.method === 'INVITE') this.retransmitUntilAck(T1_MS, 0);
    this.timers.add(this.request.method === 'INVITE' ? TRANSACTION_TIMEOUT_MS + LINGER_MS : LINGER_MS, () => this.endpoint.forget(this));
  }

  /** The request arrived again: say the same thing again. */
  retransmitted(): void {
    if (this.lastResponse) this.endpoint.transport.send(this.lastResponse, this.source);
  }

  acknowledged(): void {
    this.acked = true;
  }

  dispose(): void {
    this.timers.clear();
  }

  private retransmitUntilAck(interval: number, elapsed: number): void {
    this.timers.add(interval, () => {
      if (this.acked) return;
      if (elapsed + interval >= TRANSACTION_TIMEOUT_MS) {
        this.onAckTimeout?.();
        return;
      }
      this.retransmitted();
      this.retransmitUntilAck(Math.min(interval * 2, T2_MS), elapsed + interval);
    });
  }
}

export class ClientTransaction {
  private readonly timers = new TimerSet();
  private finalReceived = false;
  private provisionalReceived = false;
  private ackForNon2xx?: SipRequest;

  constructor(
    private readonly endpoint: SipEndpoint,
    readonly request: SipRequest,
    readonly destination: RemoteAddress,
    private readonly onResponse: ResponseHandler,
  ) {}

  get hasProvisional(): boolean {
    return this.provisionalReceived;
  }

  get isFinal(): boolean {
    return this.finalReceived;
  }

  start(): void {
    this.endpoint.transport.send(this.request, this.destination);
    this.scheduleRetransmit(T1_MS);
    this.timers.add(TRANSACTION_TIMEOUT_MS, () => {
      if (this.finalReceived) return;
      this.finalReceived = true;
      this.timers.clear();
      this.onResponse(createResponse(this.request, 408, { reason: 'Request Timeout (no response)' }));
      this.endpoint.forget(this);
    });
  }

  receive(res: SipResponse): void {
    if (res.status < 200) {
      if (this.finalReceived) return;
      this.provisionalReceived = true;
      this.onResponse(res);
      return;
    }
    const isInvite = this.request.method === 'INVITE';
    if (this.finalReceived) {
      // Retransmitted final: re-ACK non-2xx here; a 2xx goes to the TU, which re-sends its own ACK.
      if (this.ackForNon2xx) this.endpoint.transport.send(this.ackForNon2xx, this.destination);
      else if (isInvite && res.status < 300) this.onResponse(res);
      return;
    }
    this.finalReceived = true;
    this.timers.clear();
    if (isInvite && res.status >= 300) {
      this.ackForNon2xx = this.buildNon2xxAck(res);
      this.endpoint.transport.send(this.ackForNon2xx, this.destination);
    }
    this.onResponse(res);
    this.timers.add(LINGER_MS, () => this.endpoint.forget(this));
  }

  dispose(): void {
    this.timers.clear();
  }

  private scheduleRetransmit(interval: number): void {
    this.timers.add(interval, () => {
      if (this.finalReceived) return;
      const isInvite = this.request.method === 'INVITE';
      if (isInvite && this.provisionalReceived) return; // Timer A stops at the first 1xx
      this.endpoint.transport.send(this.request, this.destination);
      const next = this.provisionalReceived ? T2_MS : isInvite ? interval * 2 : Math.min(interval * 2, T2_MS);
      this.scheduleRetransmit(next);
    });
  }

  /** RFC 3261 §17.1.1.3: same branch, R-URI, From, Call-ID, Route; To from the response. */
  private buildNon2xxAck(res: SipResponse): SipRequest {
    const cseq = parseCSeq(headerValue(this.request, 'CSeq'))!;
    const headers = [
      { name: 'Via', value: headerValues(this.request, 'Via')[0]! },
      ...this.request.headers.filter((h) => ['from', 'call-id', 'route', 'max-forwards'].includes(h.name.toLowerCase())),
      { name: 'To', value: headerValue(res, 'To')! },
      { name: 'CSeq', value: `${cseq.seq} ACK` },
    ];
    return createRequest('ACK', this.request.uri, headers);
  }
}

export class SipEndpoint {
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly invitesByCallSeq = new Map<string, ServerTransaction>();
  private readonly clients = new Map<string, ClientTransaction>();
  private user?: TransactionUser;

  constructor(readonly transport: UdpTransport) {
    transport.onMessage((msg, from) => (msg.kind === 'request' ? this.receiveRequest(msg, from) : this.receiveResponse(msg)));
  }

  setUser(user: TransactionUser): void {
    this.user = user;
  }

  /** Sends `req` (which carries its own Via with a fresh branch) and reports every response. */
  request(req: SipRequest, destination: RemoteAddress, onResponse: ResponseHandler): ClientTransaction {
    const tx = new ClientTransaction(this, req, destination, onResponse);
    this.clients.set(clientKey(req, req.method), tx);
    tx.start();
    return tx;
  }

  /** ACK for a 2xx is not a transaction: it is sent once per 2xx received. */
  sendStateless(req: SipRequest, destination: RemoteAddress): void {
    this.transport.send(req, destination);
  }

  forget(tx: ServerTransaction | ClientTransaction): void {
    tx.dispose();
    for (const map of [this.servers, this.invitesByCallSeq, this.clients] as Map<string, unknown>[]) {
      for (const [k, v] of map) if (v === tx) map.delete(k);
    }
  }

  close(): void {
    for (const tx of [...this.servers.values(), ...this.clients.values()]) tx.dispose();
    this.servers.clear();
    this.invitesByCallSeq.clear();
    this.clients.clear();
  }

  private receiveRequest(req: SipRequest, from: RemoteAddress): void {
    if (req.method === 'ACK') {
      const invite = this.servers.get(serverKey(req, 'INVITE'));
      if (invite && (invite.finalStatus ?? 0) >= 300) {
        invite.acknowledged(); // ACK for a non-2xx: hop-by-hop, ends here
        return;
      }
      const seq = parseCSeq(headerValue(req, 'CSeq'))?.seq;
      this.invitesByCallSeq.get(`${headerValue(req, 'Call-ID')}|${seq}`)?.acknowledged();
      this.user?.onAck(req, from);
      return;
    }
    const key = serverKey(req, req.method);
    const existing = this.servers.get(key);
    if (existing) {
      existing.retransmitted();
      return;
    }
    const tx = new ServerTransaction(this, req, from);
    this.servers.set(key, tx);
    if (req.method === 'CANCEL') {
      const invite = this.servers.get(serverKey(req, 'INVITE'));
      if (!invite || invite.finalStatus !== undefined) {
        tx.respond(createResponse(req, 481));
        return;
      }
      tx.respond(createResponse(req, 200));
      this.user?.onCancel(invite);
      return;
    }
    if (req.method === 'INVITE') {
      const seq = parseCSeq(headerValue(req, 'CSeq'))?.seq;
      this.invitesByCallSeq.set(`${headerValue(req, 'Call-ID')}|${seq}`, tx);
    }
    if (!this.user) {
      tx.respond(createResponse(req, 503));
      return;
    }
    this.user.onRequest(req, tx);
  }

  private receiveResponse(res: SipResponse): void {
    const method = parseCSeq(headerValue(res, 'CSeq'))?.method ?? '';
    this.clients.get(clientKey(res, method))?.receive(res);
  }
}
