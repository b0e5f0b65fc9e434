/**
 * The carrier as UAC: an INVITE it sent through the proxy, until its final response — the ACK to
 * a 2xx (and to each retransmission of it), a CANCEL when we hang up while it rings (sent once a
 * provisional response shows the INVITE arrived), a BYE for a 2xx we no longer want or whose SDP
 * we cannot use, and giving up after MAX_RING_MS. The state moves are call-state.ts's.
 */
import { formatNameAddr } from './sip/address.js';
import { Dialog } from './sip/dialog.js';
import type { ClientTransaction } from './sip/endpoint.js';
import { newBranch, newTag } from './sip/ids.js';
import { createRequest, headerValue, type SipHeader, type SipRequest, type SipResponse } from './sip/message.js';
import { MAX_RING_MS, type MediaMode } from './behaviours.js';
import { ALLOW, type CallCore } from './call-core.js';

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

/** Headers of the INVITE a CANCEL copies (RFC 3261 §9.1), besides its own CSeq. */
const CANCEL_COPIES = ['via', 'route', 'from', 'to', 'call-id', 'max-forwards'];

export class UacInvite {
  private readonly tx: ClientTransaction;
  private ack?: SipRequest;
  private cancelWanted = false;
  private cancelSent = false;

  private constructor(
    private readonly core: CallCore,
    private readonly invite: SipRequest,
  ) {
    const ctx = core.ctx;
    this.tx = ctx.endpoint.request(invite, ctx.proxy, (res) => this.onResponse(res));
    core.startRingTimer(MAX_RING_MS, () => this.hangUp());
  }

  /** Opens media, then sends the INVITE with our offer. */
  static async send(core: CallCore, opts: OutgoingCallOptions): Promise<UacInvite> {
    const ctx = core.ctx;
    const media = await core.openMedia();
    const fromUri = `sip:${opts.fromUser}@${ctx.localAddress}`;
    const headers: SipHeader[] = [
      { name: 'Via', value: ctx.via(newBranch()) },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: `${formatNameAddr({ uri: fromUri })};tag=${newTag()}` },
      { name: 'To', value: formatNameAddr({ uri: opts.target }) },
      { name: 'Call-ID', value: core.identity.id },
      { name: 'CSeq', value: '1 INVITE' },
      { name: 'Contact', value: ctx.contact(opts.fromUser) },
      { name: 'Allow', value: ALLOW },
      { name: 'Content-Type', value: 'application/sdp' },
      ...(opts.extraHeaders ?? []),
    ];
    return new UacInvite(core, createRequest('INVITE', opts.target, headers, media!.offer()));
  }

  /** We hang up while it rings: CANCEL once the INVITE is known to have arrived. */
  hangUp(): void {
    this.cancelWanted = true;
    if (this.tx.hasProvisional) this.sendCancel();
  }

  private onResponse(res: SipResponse): void {
    const core = this.core;
    const ctx = core.ctx;
    if (res.status < 200) {
      if (this.cancelWanted) this.sendCancel();
      return;
    }
    if (res.status >= 300) {
      core.finish(core.state === 'ringing' && this.cancelWanted ? 'hungUp' : 'failed', res.status);
      return;
    }
    if (this.ack) {
      ctx.endpoint.sendStateless(this.ack, core.dialog!.nextHop() ?? ctx.proxy); // 2xx retransmitted
      return;
    }
    const dialog = Dialog.fromOutgoingInvite(this.invite, res);
    core.dialog = dialog;
    if (!dialog) {
      ctx.log(`call ${core.identity.id}: 2xx without usable To tag/Contact; giving up`);
      core.finish('failed', 502);
      return;
    }
    this.ack = dialog.createRequest('ACK', (b) => ctx.via(b), { cseq: 1 });
    ctx.endpoint.sendStateless(this.ack, dialog.nextHop() ?? ctx.proxy);
    core.setFinalStatus(res.status);
    if (this.cancelWanted || core.state !== 'ringing') {
      core.bye();
      return;
    }
    if (!core.media!.applyAnswer(res.body)) {
      ctx.log(`call ${core.identity.id}: unusable SDP answer; hanging up`);
      core.bye();
      return;
    }
    core.markAnswered();
  }

  private sendCancel(): void {
    if (this.tx.isFinal || this.cancelSent) return;
    this.cancelSent = true;
    const invite = this.invite;
    const headers = invite.headers.filter((h) => CANCEL_COPIES.includes(h.name.toLowerCase()));
    const seq = headerValue(invite, 'CSeq')!.split(/\s+/)[0];
    const cancel = createRequest('CANCEL', invite.uri, [...headers, { name: 'CSeq', value: `${seq} CANCEL` }]);
    this.core.ctx.endpoint.request(cancel, this.core.ctx.proxy, () => {});
  }
}
