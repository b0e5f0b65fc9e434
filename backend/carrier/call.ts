/**
 * One call through the carrier, in either direction, composed of its parts: the shared core
 * (identity, state by the transition table of call-state.ts, dialog, media, view: call-core.ts),
 * the INVITE exchange as UAS (uas-invite.ts) or UAC (uac-invite.ts), and the in-dialog requests
 * (in-dialog.ts). The carrier composition routes messages here.
 */
import { parseNameAddr, parseSipUri } from './sip/address.js';
import type { ServerTransaction } from './sip/endpoint.js';
import { newCallId } from './sip/ids.js';
import { headerValue, type SipRequest, type SipResponse } from './sip/message.js';
import type { MediaMode, NumberRole } from './behaviours.js';
import { CallCore, type CallContext, type CallDirection, type CallView } from './call-core.js';
import type { CallState } from './call-state.js';
import { InDialog } from './in-dialog.js';
import { UacInvite, type OutgoingCallOptions } from './uac-invite.js';
import { UasInvite } from './uas-invite.js';

export type { CallDirection, CallView, OutgoingCallOptions };
export type { CallState };

export interface CarrierCallContext extends CallContext {
  /** A REFER arrived and was accepted: the carrier places the new leg (see transfer.ts). */
  transfer(call: Call, target: string, referredBy: string | undefined): void;
}

export class Call {
  private readonly inDialog: InDialog;
  /** Set once the INVITE is on its way (UAC) or was received (UAS). */
  private invite!: UasInvite | UacInvite;

  private constructor(
    ctx: CarrierCallContext,
    private readonly core: CallCore,
  ) {
    this.inDialog = new InDialog(core, (target, referredBy) => ctx.transfer(this, target, referredBy));
  }

  /** A new INVITE for `number`: the caller decides the behaviour, this runs it. */
  static incoming(
    ctx: CarrierCallContext,
    invite: SipRequest,
    tx: ServerTransaction,
    number: string,
    role: NumberRole | 'unknown',
    mode: MediaMode | undefined,
  ): Call {
    const remote = parseNameAddr(headerValue(invite, 'From') ?? '')?.uri ?? '';
    const core = new CallCore(ctx, { id: headerValue(invite, 'Call-ID')!, direction: 'incoming', number, role, mode, remote });
    const call = new Call(ctx, core);
    call.invite = new UasInvite(core, tx, () => call.hangup());
    return call;
  }

  static async outgoing(ctx: CarrierCallContext, opts: OutgoingCallOptions): Promise<Call> {
    const target = parseSipUri(opts.target);
    if (!target) throw new Error(`not a SIP URI: ${opts.target}`);
    const identity = {
      id: newCallId(ctx.proxy.address),
      direction: 'outgoing' as const,
      number: target.user ?? opts.target,
      role: 'caller' as const,
      mode: opts.mode,
      remote: opts.target,
      toneHz: opts.toneHz,
    };
    const core = new CallCore(ctx, identity);
    const call = new Call(ctx, core);
    call.invite = await UacInvite.send(core, opts);
    return call;
  }

  get id(): string {
    return this.core.identity.id;
  }
  get direction(): CallDirection {
    return this.core.identity.direction;
  }
  get number(): string {
    return this.core.identity.number;
  }
  get mode(): MediaMode | undefined {
    return this.core.identity.mode;
  }
  get toneHz(): number | undefined {
    return this.core.identity.toneHz;
  }
  get state(): CallState {
    return this.core.state;
  }
  /** Final response status of the INVITE (200 once answered, 4xx–6xx otherwise). */
  get finalStatus(): number | undefined {
    return this.core.finalStatus;
  }

  // UAS: what the number's behaviour does with an incoming call.
  reject(status: number): void {
    this.uas()?.reject(status);
  }
  ring(): void {
    this.uas()?.ring();
  }
  answer(): Promise<void> {
    return this.uas()?.answer() ?? Promise.resolve();
  }
  handleCancel(): void {
    this.uas()?.cancel();
  }

  // In-dialog.
  matches(req: SipRequest): boolean {
    return this.inDialog.matches(req);
  }
  handleRequest(req: SipRequest, tx: ServerTransaction): void {
    this.inDialog.handleRequest(req, tx);
  }
  handleAck(ack: SipRequest): void {
    this.inDialog.handleAck(ack);
  }
  setHold(hold: boolean): Promise<number> {
    return this.inDialog.setHold(hold);
  }
  sendDtmf(digits: string, method: 'rfc4733' | 'info'): Promise<void> {
    return this.inDialog.sendDtmf(digits, method);
  }
  refer(target: string): Promise<number> {
    return this.inDialog.refer(target);
  }
  notifyTransferProgress(status: number, reason: string, final: boolean): Promise<SipResponse> {
    return this.inDialog.notifyTransferProgress(status, reason, final);
  }

  /** BYE when answered, CANCEL when our INVITE is pending, 480 when theirs is. */
  hangup(): void {
    if (this.core.state === 'answered') this.core.bye();
    else if (this.core.state === 'ringing') this.invite.hangUp();
  }

  /** Ends the call without signalling (shutdown after signalling had its chance). */
  terminateLocally(): void {
    this.core.finish('hungUp');
  }

  onChange(listener: (call: Call) => void): void {
    this.core.onChange(() => listener(this));
  }

  get held(): boolean {
    return this.core.held;
  }

  view(): CallView {
    return this.core.view();
  }

  private uas(): UasInvite | undefined {
    return this.invite instanceof UasInvite ? this.invite : undefined;
  }
}
