/**
 * A small SIP user agent over WebSocket (RFC 7118), playing a browser softphone in the backend
 * tests: REGISTER and INVITE with digest auth, ACK, BYE, CANCEL, and answering incoming calls.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import {
  buildRequest,
  buildResponse,
  digestAnswer,
  header,
  headersAll,
  parseSip,
  rand,
  tagOf,
  uriOf,
  type SipMessage,
} from './sip-message.js';

/** A fixed SDP answer, or one computed from the offer (e.g. by a real browser). */
export type SdpAnswerer = string | ((offer: string, reInvite: boolean) => Promise<string>);
export type AnswerMode = { kind: 'answer'; sdp: SdpAnswerer } | { kind: 'busy' } | { kind: 'ring' };

interface Pending {
  onResponse(msg: SipMessage): void;
}

export interface OutgoingCall {
  readonly callId: string;
  readonly fromTag: string;
  /** Credentials sent with the latest INVITE attempt (what a network sniffer would capture). */
  authorization(): Array<[string, string]>;
  /** The established dialog (null until a 2xx): what an attacker must know to forge in-dialog requests. */
  dialog(): { remoteUri: string; routes: string[]; to: string } | null;
  /** Final response to the INVITE (after digest auth if challenged). */
  readonly final: Promise<SipMessage>;
  readonly provisional: SipMessage[];
  cancel(): Promise<void>;
  bye(): Promise<SipMessage>;
}

const TIMEOUT_MS = 8000;

function withTimeout<T>(p: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

export class WsSipAgent {
  private readonly pending = new Map<string, Pending>();
  private readonly host = `${rand(4)}.invalid`;
  /** Every out-of-dialog INVITE this agent received. */
  readonly incomingInvites: SipMessage[] = [];
  /** Every BYE this agent received (the other side or the server ended a call). */
  readonly byes: SipMessage[] = [];
  /** Every in-dialog INVITE (re-INVITE: hold, resume) this agent received. */
  readonly reInvites: SipMessage[] = [];
  /** Every ACK this agent received (the far end confirming a 2xx we sent). */
  readonly acks: SipMessage[] = [];
  /** The 2xx we sent to each answered incoming INVITE, by Call-ID, as sent (what a UA retransmits until its ACK). */
  readonly answers = new Map<string, string>();
  /** Why the last incoming offer was refused with 488 (for test diagnostics). */
  lastAnswerError: string | null = null;
  answerMode: AnswerMode = { kind: 'busy' };
  /** True after a successful REGISTER with a non-zero expiry. */
  registered = false;
  private readonly ringing = new Map<string, { req: SipMessage; toTag: string }>();
  /** Settles when the WebSocket closes (e.g. the server dropped the connection). */
  readonly closed: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    /** The TCP connection under the WebSocket. */
    private readonly socket: Socket,
    readonly username: string,
    private readonly password: string,
    readonly domain: string,
  ) {
    ws.on('message', (data) => this.onMessage(parseSip(data.toString())));
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /**
   * `origin`: the Origin header a browser page would send (none by default, like a native client);
   * `localAddress`: the address to connect from (another loopback address is another host);
   * `localPort`: the port to connect from (another connection of the same host behind a NAT that
   * was given a port an earlier connection had).
   */
  static async connect(
    url: string,
    o: { username: string; password: string; domain: string; ca?: Buffer; origin?: string; localAddress?: string; localPort?: number },
  ): Promise<WsSipAgent> {
    const ws = new WebSocket(url, 'sip', {
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.origin ? { origin: o.origin } : {}),
      ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      ...(o.localPort ? { localPort: o.localPort } : {}),
    });
    const socket = await withTimeout(
      new Promise<Socket>((resolve, reject) => {
        let upgraded: Socket | null = null;
        ws.once('upgrade', (res) => (upgraded = res.socket));
        ws.once('open', () => (upgraded ? resolve(upgraded) : reject(new Error('WebSocket open without an upgrade'))));
        ws.once('error', reject);
      }),
      `WebSocket ${url}`,
    );
    return new WsSipAgent(ws, socket, o.username, o.password, o.domain);
  }

  close(): void {
    this.ws.terminate();
  }

  /**
   * The connection dies without a goodbye (a TCP reset, as a NAT or a crashed client leaves it):
   * no close handshake, and no TIME_WAIT keeping its address and port from the next connection.
   */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  /** The address and port this agent connects from. */
  get localEndpoint(): { address: string; port: number } {
    return { address: this.socket.localAddress!, port: this.socket.localPort! };
  }

  private get aor(): string {
    return `sip:${this.username}@${this.domain}`;
  }

  private get contact(): string {
    return `<sip:${this.username}@${this.host};transport=ws>`;
  }

  private send(raw: string): void {
    this.ws.send(raw);
  }

  /**
   * A message sent again as is on this connection: e.g. the 2xx another connection of this agent
   * sent before it died, which a UA retransmits from its new connection until the ACK comes.
   */
  resend(raw: string): void {
    this.send(raw);
  }

  private via(branch: string): [string, string] {
    return ['Via', `SIP/2.0/WS ${this.host};branch=${branch};rport`];
  }

  /** Sends a request and resolves with its final response, answering one digest challenge. */
  private async transact(
    method: string,
    ruri: string,
    base: Array<[string, string]>,
    body: string,
    o: { cseq: { n: number }; onProvisional?: (m: SipMessage) => void; onBranch?: (branch: string, auth: Array<[string, string]>) => void },
  ): Promise<SipMessage> {
    let auth: Array<[string, string]> = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const branch = `z9hG4bK${rand(8)}`;
      const final = new Promise<SipMessage>((resolve) => {
        this.pending.set(branch, {
          onResponse: (m) => {
            if (m.status! < 200) o.onProvisional?.(m);
            else resolve(m);
          },
        });
      });
      o.onBranch?.(branch, auth);
      const res = await this.once(method, ruri, branch, [...base, ['CSeq', `${o.cseq.n} ${method}`], ...auth], body, final);
      if ((res.status === 401 || res.status === 407) && attempt === 0) {
        const challenge = header(res, res.status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? '';
        const name = res.status === 401 ? 'Authorization' : 'Proxy-Authorization';
        auth = [[name, digestAnswer(challenge, { username: this.username, password: this.password, method, uri: ruri })]];
        o.cseq.n++;
        continue;
      }
      return res;
    }
    throw new Error('unreachable');
  }

  /** Sends one request (headers include CSeq) and awaits `final`; ACKs a failed INVITE. */
  private async once(
    method: string,
    ruri: string,
    branch: string,
    headers: Array<[string, string]>,
    body: string,
    final: Promise<SipMessage>,
  ): Promise<SipMessage> {
    this.send(buildRequest(`${method} ${ruri} SIP/2.0`, [this.via(branch), ['Max-Forwards', '70'], ...headers], body));
    const res = await withTimeout(final, `final response to ${method} ${ruri}`);
    this.pending.delete(branch);
    if (method === 'INVITE' && res.status! >= 300) this.ackNon2xx(ruri, branch, headers, res);
    return res;
  }

  /**
   * One request exactly as given, with no digest retry: what an attacker (or a replayed capture)
   * sends. `headers` must include From, To, Call-ID and CSeq; Via and Max-Forwards are added.
   */
  request(method: string, ruri: string, headers: Array<[string, string]>, body = ''): Promise<SipMessage> {
    const branch = `z9hG4bK${rand(8)}`;
    const final = new Promise<SipMessage>((resolve) => this.pending.set(branch, { onResponse: (m) => m.status! >= 200 && resolve(m) }));
    return this.once(method, ruri, branch, headers, body, final);
  }

  /** The ACK of a 2xx to an INVITE sent with request() (end to end, so sent as its own request, unanswered). */
  ack(ruri: string, headers: Array<[string, string]>): void {
    this.send(buildRequest(`ACK ${ruri} SIP/2.0`, [this.via(`z9hG4bK${rand(8)}`), ['Max-Forwards', '70'], ...headers]));
  }

  private ackNon2xx(ruri: string, branch: string, sent: Array<[string, string]>, res: SipMessage): void {
    const keep = sent.filter(([n]) => n === 'From' || n === 'Call-ID' || n === 'Route');
    const cseq = (sent.find(([n]) => n === 'CSeq')?.[1] ?? '1').split(' ')[0];
    this.send(
      buildRequest(`ACK ${ruri} SIP/2.0`, [
        this.via(branch),
        ['Max-Forwards', '70'],
        ...keep,
        ['To', header(res, 'to')!],
        ['CSeq', `${cseq} ACK`],
      ]),
    );
  }

  async register(expires = 300): Promise<SipMessage> {
    const callId = rand(10);
    const res = await this.transact(
      'REGISTER',
      `sip:${this.domain}`,
      [
        ['From', `<${this.aor}>;tag=${rand(4)}`],
        ['To', `<${this.aor}>`],
        ['Call-ID', callId],
        ['Contact', `${this.contact};expires=${expires}`],
        ['Expires', String(expires)],
      ],
      '',
      { cseq: { n: 1 } },
    );
    if (res.status === 200) this.registered = expires > 0;
    return res;
  }

  /**
   * `callId`: a chosen Call-ID; `uriParams`: appended to the From and To URIs (e.g. oversized ones);
   * `headers`: extra headers on the INVITE (e.g. a forged P-Asserted-Identity).
   */
  invite(
    target: string,
    sdp: string,
    o: { callId?: string; uriParams?: string; headers?: ReadonlyArray<[string, string]> } = {},
  ): OutgoingCall {
    const callId = o.callId ?? rand(10);
    const ruri = `sip:${target}@${this.domain}`;
    const fromTag = rand(4);
    const params = o.uriParams ?? '';
    const from = `<${this.aor}${params}>;tag=${fromTag}`;
    const base: Array<[string, string]> = [
      ['From', from],
      ['To', `<${ruri}${params}>`],
      ['Call-ID', callId],
      ['Contact', this.contact],
      ['Content-Type', 'application/sdp'],
      ...(o.headers ?? []),
    ];
    const cseq = { n: 1 };
    const provisional: SipMessage[] = [];
    let current: { branch: string; auth: Array<[string, string]> } | null = null;
    let dialog: { remoteUri: string; routes: string[]; to: string } | null = null;
    const final = this.transact('INVITE', ruri, base, sdp, {
      cseq,
      onProvisional: (m) => provisional.push(m),
      onBranch: (branch, auth) => (current = { branch, auth }),
    }).then((res) => {
      if (res.status! >= 200 && res.status! < 300) {
        dialog = {
          remoteUri: uriOf(header(res, 'contact')!),
          routes: headersAll(res, 'record-route').reverse(),
          to: header(res, 'to')!,
        };
        this.send(
          buildRequest(`ACK ${dialog.remoteUri} SIP/2.0`, [
            this.via(`z9hG4bK${rand(8)}`),
            ['Max-Forwards', '70'],
            ...dialog.routes.map((r) => ['Route', r] as [string, string]),
            ['From', from],
            ['To', dialog.to],
            ['Call-ID', callId],
            ['CSeq', `${cseq.n} ACK`],
          ]),
        );
      }
      return res;
    });
    return {
      callId,
      fromTag,
      authorization: () => (current as { auth: Array<[string, string]> } | null)?.auth ?? [],
      dialog: () => dialog,
      final,
      provisional,
      cancel: async () => {
        const c = current as { branch: string; auth: Array<[string, string]> } | null;
        if (!c) throw new Error('no INVITE in flight to cancel');
        const cancelled = new Promise<SipMessage>((resolve) => this.pending.set(`${c.branch}:CANCEL`, { onResponse: resolve }));
        this.send(
          buildRequest(`CANCEL ${ruri} SIP/2.0`, [
            this.via(c.branch),
            ['Max-Forwards', '70'],
            ['From', from],
            ['To', `<${ruri}${params}>`],
            ['Call-ID', callId],
            ['CSeq', `${cseq.n} CANCEL`],
            ...c.auth,
          ]),
        );
        await withTimeout(cancelled, 'response to CANCEL');
      },
      bye: async () => {
        const d = dialog as { remoteUri: string; routes: string[]; to: string } | null;
        if (!d) throw new Error('no established dialog to end');
        cseq.n++;
        const branch = `z9hG4bK${rand(8)}`;
        const done = new Promise<SipMessage>((resolve) => this.pending.set(branch, { onResponse: (m) => m.status! >= 200 && resolve(m) }));
        this.send(
          buildRequest(`BYE ${d.remoteUri} SIP/2.0`, [
            this.via(branch),
            ['Max-Forwards', '70'],
            ...d.routes.map((r) => ['Route', r] as [string, string]),
            ['From', from],
            ['To', d.to],
            ['Call-ID', callId],
            ['CSeq', `${cseq.n} BYE`],
          ]),
        );
        return withTimeout(done, 'response to BYE');
      },
    };
  }

  /** 200 OK with an SDP answer from the answer mode (a 488 if it has none or it fails). */
  private async answer(req: SipMessage, toTag: string | undefined, reInvite: boolean): Promise<void> {
    const mode = this.answerMode;
    try {
      if (mode.kind !== 'answer') throw new Error('not answering calls');
      const sdp = typeof mode.sdp === 'string' ? mode.sdp : await mode.sdp(req.body, reInvite);
      const ok = buildResponse(req, 200, 'OK', {
        toTag,
        extra: [
          ['Contact', this.contact],
          ['Content-Type', 'application/sdp'],
        ],
        body: sdp,
      });
      if (!reInvite) this.answers.set(header(req, 'call-id') ?? '', ok);
      this.send(ok);
    } catch (err) {
      this.lastAnswerError = (err as Error).message;
      this.send(buildResponse(req, 488, 'Not Acceptable Here', { toTag }));
    }
  }

  private onMessage(msg: SipMessage): void {
    if (msg.status !== null) {
      const branch = /branch=([^;,\s]+)/.exec(header(msg, 'via') ?? '')?.[1] ?? '';
      const isCancel = / CANCEL$/.test(header(msg, 'cseq') ?? '');
      this.pending.get(isCancel ? `${branch}:CANCEL` : branch)?.onResponse(msg);
      return;
    }
    const callId = header(msg, 'call-id') ?? '';
    switch (msg.method) {
      case 'INVITE': {
        if (tagOf(header(msg, 'to'))) {
          this.reInvites.push(msg);
          void this.answer(msg, undefined, true);
          return;
        }
        this.incomingInvites.push(msg);
        const toTag = rand(4);
        const mode = this.answerMode;
        if (mode.kind === 'busy') {
          this.send(buildResponse(msg, 486, 'Busy Here', { toTag }));
          return;
        }
        this.send(buildResponse(msg, 180, 'Ringing', { toTag, extra: [['Contact', this.contact]] }));
        if (mode.kind === 'ring') {
          this.ringing.set(callId, { req: msg, toTag });
          return;
        }
        void this.answer(msg, toTag, false);
        return;
      }
      case 'CANCEL': {
        this.send(buildResponse(msg, 200, 'OK'));
        const r = this.ringing.get(callId);
        if (r) {
          this.send(buildResponse(r.req, 487, 'Request Terminated', { toTag: r.toTag }));
          this.ringing.delete(callId);
        }
        return;
      }
      case 'BYE':
        this.byes.push(msg);
        this.send(buildResponse(msg, 200, 'OK'));
        return;
      case 'OPTIONS':
        this.send(buildResponse(msg, 200, 'OK'));
        return;
      case 'ACK':
        this.acks.push(msg);
        return;
      default:
        return; // anything else: nothing to answer
    }
  }
}
