/**
 * One call through the carrier, in either direction: the INVITE exchange (as UAS or UAC), the
 * dialog, and every in-dialog request (re-INVITE for hold, BYE, INFO DTMF, REFER/NOTIFY,
 * OPTIONS). Its audio lives in CallMedia. The carrier composition routes messages here.
 */
import { formatNameAddr, parseNameAddr, parseSipUri } from './sip/address.js';
import { Dialog } from './sip/dialog.js';
import type { ClientTransaction, ServerTransaction, SipEndpoint } from './sip/endpoint.js';
import { newBranch, newCallId, newTag } from './sip/ids.js';
import {
  createRequest,
  createResponse,
  headerValue,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from './sip/message.js';
import type { RemoteAddress } from './sip/udp-transport.js';
import { MAX_RING_MS, type MediaMode, type NumberRole } from './behaviours.js';
import { CallMedia, NO_AUDIO } from './call-media.js';
import type { Direction } from './sdp.js';
import type { MediaPortAllocator } from './media/port-allocator.js';
import type { ReceivedStats } from './media/rtp-session.js';
import { parseDtmfInfo } from './dtmf-info.js';

export type CallState = 'ringing' | 'answered' | 'ended' | 'failed';
export type CallDirection = 'incoming' | 'outgoing';

export interface CallContext {
  readonly endpoint: SipEndpoint;
  /** Outbound proxy: where every out-of-dialog request goes (Kamailio, or a peer in tests). */
  readonly proxy: RemoteAddress;
  readonly recordingsDir: string;
  /** Our address, as written in Contact, From and SDP. */
  readonly localAddress: string;
  readonly mediaPorts: MediaPortAllocator;
  readonly log: (line: string) => void;
  via(branch: string): string;
  contact(user: string): string;
  /** A REFER arrived and was accepted: the carrier places the new leg (see transfer.ts). */
  transfer(call: Call, target: string, referredBy: string | undefined): void;
}

export interface OutgoingCallOptions {
  /** Request-URI, e.g. sip:alice@clearline.test */
  readonly target: string;
  /** User part of our From, e.g. +15551230000 */
  readonly fromUser: string;
  readonly mode: MediaMode;
  readonly toneHz?: number;
  /** E.g. Referred-By on a transferred leg (RFC 3892). */
  readonly extraHeaders?: SipHeader[];
}

export interface CallView {
  readonly id: string;
  readonly number: string;
  readonly role: NumberRole | 'unknown' | 'caller';
  readonly mode: MediaMode | null;
  readonly direction: CallDirection;
  readonly state: CallState;
  readonly remote: string;
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly finalStatus: number | null;
  readonly held: boolean;
  readonly mediaDirection: Direction | null;
  readonly dtmf: string;
  readonly received: ReceivedStats;
  readonly sentPackets: number;
  readonly sendErrors: number;
  readonly transferredTo: string | null;
  readonly transferStatus: number | null;
  readonly recording: string | null;
}

/** The methods the carrier understands (Allow header). */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY';

export class Call {
  private currentState: CallState = 'ringing';
  private readonly startedAt = new Date();
  private answeredAt?: Date;
  private endedAt?: Date;
  private final?: number;
  private dtmf = '';
  private transferredTo?: string;
  private transferStatus?: number;
  private dialog?: Dialog;
  private media?: CallMedia;
  private pendingInvite?: ServerTransaction;
  private outgoing?: { request: SipRequest; tx: ClientTransaction; ack?: SipRequest; cancelWanted: boolean; cancelSent: boolean };
  private reinviteInFlight = false;
  /** The INVITE had no SDP, so our 200 carried the offer: the answer comes in the ACK. */
  private offerAwaitingAck = false;
  private ringTimer?: NodeJS.Timeout;
  private readonly listeners: ((call: Call) => void)[] = [];

  private constructor(
    private readonly ctx: CallContext,
    readonly id: string,
    readonly direction: CallDirection,
    readonly number: string,
    readonly role: NumberRole | 'unknown' | 'caller',
    readonly mode: MediaMode | undefined,
    readonly remote: string,
    /** Frequency of the tone this call plays (tone mode); a transferred leg keeps it. */
    readonly toneHz?: number,
  ) {}

  get state(): CallState {
    return this.currentState;
  }

  /** Final response status of the INVITE (200 once answered, 4xx–6xx otherwise). */
  get finalStatus(): number | undefined {
    return this.final;
  }

  // ---------------------------------------------------------------- incoming (UAS)

  /** A new INVITE for `number`: the caller decides the behaviour, this runs it. */
  static incoming(
    ctx: CallContext,
    invite: SipRequest,
    tx: ServerTransaction,
    number: string,
    role: NumberRole | 'unknown',
    mode: MediaMode | undefined,
  ): Call {
    const remote = parseNameAddr(headerValue(invite, 'From') ?? '')?.uri ?? '';
    const call = new Call(ctx, headerValue(invite, 'Call-ID')!, 'incoming', number, role, mode, remote);
    call.pendingInvite = tx;
    tx.respond(createResponse(invite, 100));
    return call;
  }

  /** 486/404: a final answer without ever ringing. */
  reject(status: number): void {
    this.respondToInvite(status);
    this.finish('failed', status);
  }

  /** 180 Ringing, and give up by ourselves after MAX_RING_MS (noAnswer). */
  ring(): void {
    const tx = this.pendingInvite;
    if (!tx) return;
    const localTag = newTag();
    this.dialog = Dialog.fromIncomingInvite(tx.request, localTag);
    this.respondToInvite(180);
    this.ringTimer = setTimeout(() => {
      if (this.currentState !== 'ringing') return;
      this.respondToInvite(480);
      this.finish('failed', 480);
    }, MAX_RING_MS);
  }

  /** Answers with SDP (or with an offer when the INVITE had none) and starts media. */
  async answer(): Promise<void> {
    const tx = this.pendingInvite;
    if (!tx || this.currentState !== 'ringing') return;
    const invite = tx.request;
    if (!this.dialog) this.dialog = Dialog.fromIncomingInvite(invite, newTag());
    if (!this.dialog) {
      this.reject(400);
      return;
    }
    const media = await this.openMedia();
    if (!media) return; // cancelled while the media port was being bound
    let body: Buffer;
    if (invite.body.length > 0) {
      const answer = media.answer(invite.body);
      if (!answer.ok) {
        this.respondToInvite(488, { reason: `Not Acceptable Here (${answer.reason})` });
        this.finish('failed', 488);
        return;
      }
      body = answer.body;
    } else {
      this.offerAwaitingAck = true; // offer in the 200, answer in the ACK
      body = media.offer();
    }
    tx.onAckTimeout = () => this.hangup();
    this.respondToInvite(200, { body });
    this.markAnswered();
  }

  handleCancel(): void {
    if (this.currentState !== 'ringing' || !this.pendingInvite) return;
    this.respondToInvite(487);
    this.finish('ended', 487);
  }

  private respondToInvite(status: number, opts: { body?: Buffer; reason?: string } = {}): void {
    const tx = this.pendingInvite;
    if (!tx) return;
    const headers: SipHeader[] = [];
    if (status < 300 && status > 100) headers.push({ name: 'Contact', value: this.ctx.contact(this.number) });
    if (opts.body) headers.push({ name: 'Content-Type', value: 'application/sdp' });
    tx.respond(createResponse(tx.request, status, { toTag: this.dialog?.localTag, headers, body: opts.body, reason: opts.reason }));
    if (status >= 200) {
      this.pendingInvite = undefined;
      this.final ??= status;
    }
  }

  // ---------------------------------------------------------------- outgoing (UAC)

  static async outgoing(ctx: CallContext, opts: OutgoingCallOptions): Promise<Call> {
    const target = parseSipUri(opts.target);
    if (!target) throw new Error(`not a SIP URI: ${opts.target}`);
    const callId = newCallId(ctx.proxy.address);
    const call = new Call(ctx, callId, 'outgoing', target.user ?? opts.target, 'caller', opts.mode, opts.target, opts.toneHz);
    const media = await call.openMedia();
    const fromUri = `sip:${opts.fromUser}@${ctx.localAddress}`;
    const headers: SipHeader[] = [
      { name: 'Via', value: ctx.via(newBranch()) },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `${formatNameAddr({ uri: fromUri })};tag=${newTag()}` },
      { name: 'To', value: formatNameAddr({ uri: opts.target }) },
      { name: 'Call-ID', value: callId },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: ctx.contact(opts.fromUser) },
      { name: 'Allow', value: ALLOW },
      { name: 'Content-Type', value: 'application/sdp' },
      ...(opts.extraHeaders ?? []),
    ];
    const invite = createRequest('INVITE', opts.target, headers, media!.offer());
    call.sendInvite(invite);
    return call;
  }

  private sendInvite(invite: SipRequest): void {
    const tx = this.ctx.endpoint.request(invite, this.ctx.proxy, (res) => this.onInviteResponse(res));
    this.outgoing = { request: invite, tx, cancelWanted: false, cancelSent: false };
    this.ringTimer = setTimeout(() => {
      if (this.currentState === 'ringing') this.hangup();
    }, MAX_RING_MS);
  }

  private onInviteResponse(res: SipResponse): void {
    const out = this.outgoing!;
    if (res.status < 200) {
      if (out.cancelWanted) this.sendCancel();
      return;
    }
    if (res.status >= 300) {
      this.finish(this.currentState === 'ringing' && out.cancelWanted ? 'ended' : 'failed', res.status);
      return;
    }
    if (out.ack) {
      this.ctx.endpoint.sendStateless(out.ack, this.dialog!.nextHop() ?? this.ctx.proxy); // 2xx retransmitted
      return;
    }
    this.dialog = Dialog.fromOutgoingInvite(out.request, res);
    if (!this.dialog) {
      this.ctx.log(`call ${this.id}: 2xx without usable To tag/Contact; giving up`);
      this.finish('failed', 502);
      return;
    }
    out.ack = this.dialog.createRequest('ACK', (b) => this.ctx.via(b), { cseq: 1 });
    this.ctx.endpoint.sendStateless(out.ack, this.dialog.nextHop() ?? this.ctx.proxy);
    this.final = res.status;
    if (out.cancelWanted || this.currentState !== 'ringing') {
      this.sendBye();
      return;
    }
    if (!this.media!.applyAnswer(res.body)) {
      this.ctx.log(`call ${this.id}: unusable SDP answer; hanging up`);
      this.sendBye();
      return;
    }
    this.markAnswered();
  }

  private sendCancel(): void {
    const out = this.outgoing!;
    if (out.tx.isFinal || out.cancelSent) return;
    out.cancelSent = true;
    const invite = out.request;
    const headers = invite.headers.filter((h) => ['via', 'route', 'from', 'to', 'call-id', 'max-forwards'].includes(h.name.toLowerCase()));
    const seq = headerValue(invite, 'CSeq')!.split(/\s+/)[0];
    const cancel = createRequest('CANCEL', invite.uri, [...headers, { name: 'CSeq', value: `${seq} CANCEL` }]);
    this.ctx.endpoint.request(cancel, this.ctx.proxy, () => {});
  }

  // ---------------------------------------------------------------- in-dialog

  matches(req: SipRequest): boolean {
    return this.dialog?.matches(req) ?? false;
  }

  handleRequest(req: SipRequest, tx: ServerTransaction): void {
    const dialog = this.dialog!;
    if (!dialog.acceptRemoteRequest(req)) {
      tx.respond(createResponse(req, 500, { reason: 'CSeq out of order' }));
      return;
    }
    switch (req.method) {
      case 'BYE':
        tx.respond(createResponse(req, 200));
        this.finish('ended');
        return;
      case 'INVITE':
        this.handleReinvite(req, tx);
        return;
      case 'INFO':
        this.handleInfo(req, tx);
        return;
      case 'REFER':
        this.handleRefer(req, tx);
        return;
      case 'NOTIFY':
        this.handleNotify(req, tx);
        return;
      case 'OPTIONS':
        tx.respond(createResponse(req, 200, { headers: [{ name: 'Allow', value: ALLOW }] }));
        return;
      default:
        tx.respond(createResponse(req, 501));
    }
  }

  handleAck(ack: SipRequest): void {
    if (!this.offerAwaitingAck) return;
    this.offerAwaitingAck = false;
    if (!this.media?.applyAnswer(ack.body)) this.ctx.log(`call ${this.id}: ACK carried no usable SDP answer; media unchanged`);
  }

  private handleReinvite(req: SipRequest, tx: ServerTransaction): void {
    if (this.reinviteInFlight || this.currentState !== 'answered') {
      tx.respond(createResponse(req, 491));
      return;
    }
    const contact = { name: 'Contact', value: this.ctx.contact(this.number) };
    const sdpType = { name: 'Content-Type', value: 'application/sdp' };
    tx.onAckTimeout = () => this.hangup();
    if (req.body.length === 0) {
      this.offerAwaitingAck = true;
      tx.respond(createResponse(req, 200, { headers: [contact, sdpType], body: this.media!.offer() }));
      return;
    }
    const answer = this.media!.answer(req.body);
    if (!answer.ok) {
      tx.respond(createResponse(req, 488, { reason: `Not Acceptable Here (${answer.reason})` }));
      return;
    }
    tx.respond(createResponse(req, 200, { headers: [contact, sdpType], body: answer.body }));
    this.notifyChange();
  }

  private handleInfo(req: SipRequest, tx: ServerTransaction): void {
    const digits = parseDtmfInfo(headerValue(req, 'Content-Type'), req.body.toString('utf8'));
    if (digits === undefined) {
      tx.respond(createResponse(req, 415, { headers: [{ name: 'Accept', value: 'application/dtmf-relay, application/dtmf' }] }));
      return;
    }
    tx.respond(createResponse(req, 200));
    this.dtmf += digits;
    this.notifyChange();
  }

  private handleRefer(req: SipRequest, tx: ServerTransaction): void {
    const referTo = parseNameAddr(headerValue(req, 'Refer-To') ?? '');
    const target = referTo?.uri.replace(/\?.*$/, ''); // embedded headers (e.g. Replaces) are not supported
    if (!target || !parseSipUri(target) || !this.mode || this.currentState !== 'answered') {
      tx.respond(createResponse(req, 400, { reason: 'Refer-To must be a SIP URI' }));
      return;
    }
    tx.respond(createResponse(req, 202));
    this.transferredTo = target;
    this.notifyChange();
    this.ctx.transfer(this, target, headerValue(req, 'Referred-By'));
  }

  private handleNotify(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(createResponse(req, 200));
    if (!/^refer\b/i.test(headerValue(req, 'Event') ?? '')) return;
    const status = /^SIP\/2\.0 (\d{3})/.exec(req.body.toString('utf8'))?.[1];
    if (status) this.transferStatus = Number(status);
    this.notifyChange();
  }

  /** Sends an in-dialog request; resolves with the final response (408 if none came). */
  sendInDialog(method: string, opts: { headers?: SipHeader[]; body?: Buffer } = {}): Promise<SipResponse> {
    const dialog = this.dialog;
    if (!dialog || (this.currentState !== 'answered' && method !== 'BYE')) {
      return Promise.reject(new Error(`call ${this.id} is ${this.currentState}; ${method} needs an established dialog`));
    }
    const req = dialog.createRequest(method, (b) => this.ctx.via(b), opts);
    return new Promise((resolve) => {
      this.ctx.endpoint.request(req, dialog.nextHop() ?? this.ctx.proxy, (res) => {
        if (res.status >= 200) resolve(res);
      });
    });
  }

  /** Hold (we send only) or resume, by re-INVITE with a new offer; resolves with its status. */
  async setHold(hold: boolean): Promise<number> {
    const dialog = this.dialog;
    if (this.currentState !== 'answered' || !dialog) throw new Error(`call ${this.id} is ${this.currentState}; hold needs an answered call`);
    if (this.reinviteInFlight) throw new Error('a re-INVITE is already in progress');
    this.reinviteInFlight = true;
    const media = this.media!;
    const previous = media.want(hold ? 'sendonly' : 'sendrecv');
    const reinvite = dialog.createRequest('INVITE', (b) => this.ctx.via(b), {
      headers: [
        { name: 'Contact', value: this.ctx.contact(this.number) },
        { name: 'Content-Type', value: 'application/sdp' },
      ],
      body: media.offer(),
    });
    const seq = Number(headerValue(reinvite, 'CSeq')!.split(/\s+/)[0]);
    const nextHop = dialog.nextHop() ?? this.ctx.proxy;
    let ack: SipRequest | undefined;
    const res = await new Promise<SipResponse>((resolve) => {
      this.ctx.endpoint.request(reinvite, nextHop, (r) => {
        if (r.status < 200) return;
        if (r.status < 300) {
          // Every 2xx (retransmissions included) gets the same ACK.
          ack ??= dialog.createRequest('ACK', (b) => this.ctx.via(b), { cseq: seq });
          this.ctx.endpoint.sendStateless(ack, nextHop);
        }
        resolve(r);
      });
    });
    this.reinviteInFlight = false;
    if (res.status >= 300 || !media.applyAnswer(res.body)) media.want(previous);
    this.notifyChange();
    return res.status;
  }

  async sendDtmf(digits: string, method: 'rfc4733' | 'info'): Promise<void> {
    if (this.currentState !== 'answered') throw new Error(`call ${this.id} is ${this.currentState}; DTMF needs an answered call`);
    if (method === 'rfc4733') {
      await this.media!.sendDigits(digits);
      return;
    }
    for (const digit of digits) {
      const res = await this.sendInDialog('INFO', {
        headers: [{ name: 'Content-Type', value: 'application/dtmf-relay' }],
        body: Buffer.from(`Signal=${digit}\r\nDuration=160\r\n`),
      });
      if (res.status >= 300) throw new Error(`INFO for digit ${digit} was refused: ${res.status} ${res.reason}`);
    }
  }

  /** Blind transfer of the peer to `target` (we send REFER; resolves with its response code). */
  async refer(target: string): Promise<number> {
    const res = await this.sendInDialog('REFER', {
      headers: [
        { name: 'Refer-To', value: formatNameAddr({ uri: target }) },
        { name: 'Referred-By', value: this.ctx.contact(this.number) },
        { name: 'Contact', value: this.ctx.contact(this.number) },
      ],
    });
    if (res.status < 300) {
      this.transferredTo = target;
      this.notifyChange();
    }
    return res.status;
  }

  /** NOTIFY carrying a transfer's progress as message/sipfrag (RFC 3515 §2.4.4). */
  notifyTransferProgress(status: number, reason: string, final: boolean): Promise<SipResponse> {
    this.transferStatus = status;
    this.notifyChange();
    return this.sendInDialog('NOTIFY', {
      headers: [
        { name: 'Event', value: 'refer' },
        { name: 'Subscription-State', value: final ? 'terminated;reason=noresource' : 'active;expires=60' },
        { name: 'Contact', value: this.ctx.contact(this.number) },
        { name: 'Content-Type', value: 'message/sipfrag;version=2.0' },
      ],
      body: Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`),
    });
  }

  // ---------------------------------------------------------------- ending

  /** BYE when answered, CANCEL when our INVITE is pending, 480 when theirs is. */
  hangup(): void {
    if (this.currentState === 'answered') {
      this.sendBye();
      return;
    }
    if (this.currentState !== 'ringing') return;
    if (this.pendingInvite) {
      this.respondToInvite(480);
      this.finish('ended', 480);
      return;
    }
    if (this.outgoing) {
      this.outgoing.cancelWanted = true;
      if (this.outgoing.tx.hasProvisional) this.sendCancel();
    }
  }

  private sendBye(): void {
    this.sendInDialog('BYE').catch((err: Error) => this.ctx.log(err.message));
    this.finish('ended');
  }

  /** Ends the call without signalling (shutdown after signalling had its chance). */
  terminateLocally(): void {
    this.finish('ended');
  }

  private finish(state: 'ended' | 'failed', status?: number): void {
    if (this.currentState === 'ended' || this.currentState === 'failed') return;
    this.currentState = state;
    if (status !== undefined && this.final === undefined) this.final = status;
    this.endedAt = new Date();
    clearTimeout(this.ringTimer);
    this.media?.close();
    this.notifyChange();
  }

  // ---------------------------------------------------------------- media & view

  /** RTP + recording for calls that carry audio (not for busy/noAnswer/unknown numbers). */
  private async openMedia(): Promise<CallMedia | undefined> {
    if (!this.mode) return undefined;
    this.media = await CallMedia.open(
      {
        callId: this.id,
        mode: this.mode,
        toneHz: this.toneHz,
        localAddress: this.ctx.localAddress,
        mediaPorts: this.ctx.mediaPorts,
        recordingsDir: this.ctx.recordingsDir,
        onDigit: (d) => {
          this.dtmf += d;
          this.notifyChange();
        },
      },
      () => this.currentState === 'ringing',
    );
    return this.media;
  }

  private markAnswered(): void {
    this.currentState = 'answered';
    this.answeredAt = new Date();
    clearTimeout(this.ringTimer);
    this.notifyChange();
  }

  onChange(listener: (call: Call) => void): void {
    this.listeners.push(listener);
  }

  private notifyChange(): void {
    for (const l of this.listeners) l(this);
  }

  get held(): boolean {
    return this.currentState === 'answered' && this.media !== undefined && this.media.direction !== 'sendrecv';
  }

  view(): CallView {
    return {
      id: this.id,
      number: this.number,
      role: this.role,
      mode: this.mode ?? null,
      direction: this.direction,
      state: this.currentState,
      remote: this.remote,
      startedAt: this.startedAt.toISOString(),
      answeredAt: this.answeredAt?.toISOString() ?? null,
      endedAt: this.endedAt?.toISOString() ?? null,
      finalStatus: this.final ?? null,
      held: this.held,
      mediaDirection: this.media && this.currentState === 'answered' ? this.media.direction : null,
      dtmf: this.dtmf,
      received: this.media?.received() ?? NO_AUDIO,
      sentPackets: this.media?.sentPackets ?? 0,
      sendErrors: this.media?.sendErrors ?? 0,
      transferredTo: this.transferredTo ?? null,
      transferStatus: this.transferStatus ?? null,
      recording: this.media?.recordingPath ?? null,
    };
  }
}
