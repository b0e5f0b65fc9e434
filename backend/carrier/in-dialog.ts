/**
 * Requests inside an established dialog, both ways: received (BYE, re-INVITE for hold, INFO
 * DTMF, REFER, NOTIFY of a transfer's progress, OPTIONS, the ACK carrying an answer) and sent
 * (hold/resume by re-INVITE, DTMF by RTP or INFO, REFER, NOTIFY). Whether a request fits the
 * call's state is read from call-state.ts; only BYE ends the call.
 */
import { formatNameAddr, parseNameAddr, parseSipUri } from './sip/address.js';
import type { ServerTransaction } from './sip/endpoint.js';
import { createResponse, headerValue, type SipRequest, type SipResponse } from './sip/message.js';
import { ALLOW, type CallCore } from './call-core.js';
import { parseDtmfInfo } from './dtmf-info.js';

export class InDialog {
  private reinviteInFlight = false;

  constructor(
    private readonly core: CallCore,
    /** A REFER was accepted: place the call to `target` (see transfer.ts). */
    private readonly onRefer: (target: string, referredBy: string | undefined) => void,
  ) {}

  matches(req: SipRequest): boolean {
    return this.core.dialog?.matches(req) ?? false;
  }

  handleRequest(req: SipRequest, tx: ServerTransaction): void {
    if (!this.core.dialog!.acceptRemoteRequest(req)) {
      tx.respond(createResponse(req, 500, { reason: 'CSeq out of order' }));
      return;
    }
    switch (req.method) {
      case 'BYE':
        tx.respond(createResponse(req, 200));
        this.core.finish('hungUp');
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
    const core = this.core;
    if (!core.offerAwaitingAck) return;
    core.offerAwaitingAck = false;
    if (!core.media?.applyAnswer(ack.body)) core.ctx.log(`call ${core.identity.id}: ACK carried no usable SDP answer; media unchanged`);
  }

  private handleReinvite(req: SipRequest, tx: ServerTransaction): void {
    const core = this.core;
    if (this.reinviteInFlight || core.state !== 'answered') {
      tx.respond(createResponse(req, 491));
      return;
    }
    tx.onAckTimeout = () => {
      if (core.state === 'answered') core.bye(); // no ACK to our 200: the peer is gone
    };
    if (req.body.length === 0) {
      core.offerAwaitingAck = true;
      tx.respond(createResponse(req, 200, { headers: core.sdpHeaders(), body: core.media!.offer() }));
      return;
    }
    const answer = core.media!.answer(req.body);
    if (!answer.ok) {
      tx.respond(createResponse(req, 488, { reason: `Not Acceptable Here (${answer.reason})` }));
      return;
    }
    tx.respond(createResponse(req, 200, { headers: core.sdpHeaders(), body: answer.body }));
    core.notifyChange();
  }

  private handleInfo(req: SipRequest, tx: ServerTransaction): void {
    const digits = parseDtmfInfo(headerValue(req, 'Content-Type'), req.body.toString('utf8'));
    if (digits === undefined) {
      tx.respond(createResponse(req, 415, { headers: [{ name: 'Accept', value: 'application/dtmf-relay, application/dtmf' }] }));
      return;
    }
    tx.respond(createResponse(req, 200));
    this.core.addDtmf(digits);
  }

  private handleRefer(req: SipRequest, tx: ServerTransaction): void {
    const core = this.core;
    const referTo = parseNameAddr(headerValue(req, 'Refer-To') ?? '');
    const target = referTo?.uri.replace(/\?.*$/, ''); // embedded headers (e.g. Replaces) are not supported
    if (!target || !parseSipUri(target) || !core.identity.mode || core.state !== 'answered') {
      tx.respond(createResponse(req, 400, { reason: 'Refer-To must be a SIP URI' }));
      return;
    }
    tx.respond(createResponse(req, 202));
    core.transferredTo = target;
    core.notifyChange();
    this.onRefer(target, headerValue(req, 'Referred-By'));
  }

  private handleNotify(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(createResponse(req, 200));
    if (!/^refer\b/i.test(headerValue(req, 'Event') ?? '')) return;
    const status = /^SIP\/2\.0 (\d{3})/.exec(req.body.toString('utf8'))?.[1];
    if (status) this.core.transferStatus = Number(status);
    this.core.notifyChange();
  }

  /** Hold (we send only) or resume, by re-INVITE with a new offer; resolves with its status. */
  async setHold(hold: boolean): Promise<number> {
    const core = this.core;
    const dialog = core.dialog;
    if (core.state !== 'answered' || !dialog) throw new Error(`call ${core.identity.id} is ${core.state}; hold needs an answered call`);
    if (this.reinviteInFlight) throw new Error('a re-INVITE is already in progress');
    this.reinviteInFlight = true;
    const media = core.media!;
    const previous = media.want(hold ? 'sendonly' : 'sendrecv');
    const reinvite = dialog.createRequest('INVITE', (b) => core.ctx.via(b), { headers: core.sdpHeaders(), body: media.offer() });
    const seq = Number(headerValue(reinvite, 'CSeq')!.split(/\s+/)[0]);
    const nextHop = dialog.nextHop() ?? core.ctx.proxy;
    let ack: SipRequest | undefined;
    const res = await new Promise<SipResponse>((resolve) => {
      core.ctx.endpoint.request(reinvite, nextHop, (r) => {
        if (r.status < 200) return;
        if (r.status < 300) {
          // Every 2xx (retransmissions included) gets the same ACK.
          ack ??= dialog.createRequest('ACK', (b) => core.ctx.via(b), { cseq: seq });
          core.ctx.endpoint.sendStateless(ack, nextHop);
        }
        resolve(r);
      });
    });
    this.reinviteInFlight = false;
    if (res.status >= 300 || !media.applyAnswer(res.body)) media.want(previous);
    core.notifyChange();
    return res.status;
  }

  async sendDtmf(digits: string, method: 'rfc4733' | 'info'): Promise<void> {
    const core = this.core;
    if (core.state !== 'answered') throw new Error(`call ${core.identity.id} is ${core.state}; DTMF needs an answered call`);
    if (method === 'rfc4733') {
      await core.media!.sendDigits(digits);
      return;
    }
    for (const digit of digits) {
      const res = await core.request('INFO', {
        headers: [{ name: 'Content-Type', value: 'application/dtmf-relay' }],
        body: Buffer.from(`Signal=${digit}\r\nDuration=160\r\n`),
      });
      if (res.status >= 300) throw new Error(`INFO for digit ${digit} was refused: ${res.status} ${res.reason}`);
    }
  }

  /** Blind transfer of the peer to `target` (we send REFER; resolves with its response code). */
  async refer(target: string): Promise<number> {
    const core = this.core;
    const res = await core.request('REFER', {
      headers: [
        { name: 'Refer-To', value: formatNameAddr({ uri: target }) },
        { name: 'Referred-By', value: core.ctx.contact(core.identity.number) },
        core.contactHeader(),
      ],
    });
    if (res.status < 300) {
      core.transferredTo = target;
      core.notifyChange();
    }
    return res.status;
  }

  /** NOTIFY carrying a transfer's progress as message/sipfrag (RFC 3515 §2.4.4). */
  notifyTransferProgress(status: number, reason: string, final: boolean): Promise<SipResponse> {
    const core = this.core;
    core.transferStatus = status;
    core.notifyChange();
    return core.request('NOTIFY', {
      headers: [
        { name: 'Event', value: 'refer' },
        { name: 'Subscription-State', value: final ? 'terminated;reason=noresource' : 'active;expires=60' },
        core.contactHeader(),
        { name: 'Content-Type', value: 'message/sipfrag;version=2.0' },
      ],
      body: Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`),
    });
  }
}
