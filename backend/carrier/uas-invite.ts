/**
 * The carrier as UAS: an INVITE it received, until its final response — 100 at once, then a
 * rejection, or 180 and (per the number's behaviour) a 200 with SDP, or 487 to a CANCEL, or 480
 * when nobody answers. The state moves are call-state.ts's.
 */
import { Dialog } from './sip/dialog.js';
import type { ServerTransaction } from './sip/endpoint.js';
import { newTag } from './sip/ids.js';
import { createResponse, type SipHeader } from './sip/message.js';
import { MAX_RING_MS } from './behaviours.js';
import type { CallCore } from './call-core.js';

export class UasInvite {
  private pending?: ServerTransaction;

  constructor(
    private readonly core: CallCore,
    tx: ServerTransaction,
    /** Hangs the answered call up (BYE) when the ACK to our 200 never comes. */
    private readonly onAckTimeout: () => void,
  ) {
    this.pending = tx;
    tx.respond(createResponse(tx.request, 100));
  }

  /** Still waiting for our final response. */
  get isPending(): boolean {
    return this.pending !== undefined;
  }

  /** 486/404: a final answer without ever ringing. */
  reject(status: number): void {
    this.respond(status);
    this.core.finish('failed', status);
  }

  /** 180 Ringing, and give up by ourselves after MAX_RING_MS (noAnswer). */
  ring(): void {
    const tx = this.pending;
    if (!tx) return;
    this.core.dialog = Dialog.fromIncomingInvite(tx.request, newTag());
    this.respond(180);
    this.core.startRingTimer(MAX_RING_MS, () => {
      this.respond(480);
      this.core.finish('failed', 480);
    });
  }

  /** Answers with SDP (or with an offer when the INVITE had none) and starts media. */
  async answer(): Promise<void> {
    const tx = this.pending;
    const core = this.core;
    if (!tx || core.state !== 'ringing') return;
    const invite = tx.request;
    core.dialog ??= Dialog.fromIncomingInvite(invite, newTag());
    if (!core.dialog) {
      this.reject(400);
      return;
    }
    const media = await core.openMedia();
    if (!media) return; // cancelled while the media port was being bound
    let body: Buffer;
    if (invite.body.length > 0) {
      const answer = media.answer(invite.body);
      if (!answer.ok) {
        this.respond(488, { reason: `Not Acceptable Here (${answer.reason})` });
        core.finish('failed', 488);
        return;
      }
      body = answer.body;
    } else {
      core.offerAwaitingAck = true; // offer in the 200, answer in the ACK
      body = media.offer();
    }
    tx.onAckTimeout = this.onAckTimeout;
    this.respond(200, { body });
    core.markAnswered();
  }

  /** The caller cancelled: 487, the call ended before it began. */
  cancel(): void {
    if (this.core.state !== 'ringing' || !this.pending) return;
    this.respond(487);
    this.core.finish('hungUp', 487);
  }

  /** We hang up while it rings: 480. */
  hangUp(): void {
    if (!this.pending) return;
    this.respond(480);
    this.core.finish('hungUp', 480);
  }

  private respond(status: number, opts: { body?: Buffer; reason?: string } = {}): void {
    const tx = this.pending;
    if (!tx) return;
    const headers: SipHeader[] = [];
    if (status < 300 && status > 100) headers.push(this.core.contactHeader());
    if (opts.body) headers.push({ name: 'Content-Type', value: 'application/sdp' });
    tx.respond(createResponse(tx.request, status, { toTag: this.core.dialog?.localTag, headers, body: opts.body, reason: opts.reason }));
    if (status >= 200) {
      this.pending = undefined;
      this.core.setFinalStatus(status);
    }
  }
}
