/**
 * What the parts of one call share: who it is with, its state (moved only by call-state.ts's
 * table), its dialog and media, what it collected (DTMF, transfer progress), and its view. The
 * parts — the UAS or UAC INVITE (uas-invite.ts, uac-invite.ts) and the in-dialog requests
 * (in-dialog.ts) — each hold this core; call.ts composes them.
 */
import type { Dialog } from './sip/dialog.js';
import type { SipEndpoint } from './sip/endpoint.js';
import type { SipHeader, SipResponse } from './sip/message.js';
import type { RemoteAddress } from './sip/udp-transport.js';
import type { MediaMode, NumberRole } from './behaviours.js';
import { CallMedia, NO_AUDIO } from './call-media.js';
import { isFinal, nextState, type CallEvent, type CallState } from './call-state.js';
import type { Direction } from './sdp.js';
import type { MediaPortAllocator } from './media/port-allocator.js';
import type { ReceivedStats } from './media/rtp-session.js';

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
}

/** Who the call is with and how it behaves; fixed when it starts. */
export interface CallIdentity {
  readonly id: string;
  readonly direction: CallDirection;
  readonly number: string;
  readonly role: NumberRole | 'unknown' | 'caller';
  readonly mode: MediaMode | undefined;
  readonly remote: string;
  /** Frequency of the tone this call plays (tone mode); a transferred leg keeps it. */
  readonly toneHz?: number;
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

const SDP_CONTENT_TYPE: SipHeader = { name: 'Content-Type', value: 'application/sdp' };

export class CallCore {
  private currentState: CallState = 'ringing';
  private readonly startedAt = new Date();
  private answeredAt?: Date;
  private endedAt?: Date;
  private final?: number;
  private ringTimer?: NodeJS.Timeout;
  private readonly listeners: ((core: CallCore) => void)[] = [];
  dialog?: Dialog;
  media?: CallMedia;
  dtmf = '';
  transferredTo?: string;
  transferStatus?: number;
  /** Our 200 (to an INVITE or re-INVITE without SDP) carried the offer: the answer comes in the ACK. */
  offerAwaitingAck = false;

  constructor(
    readonly ctx: CallContext,
    readonly identity: CallIdentity,
  ) {}

  get state(): CallState {
    return this.currentState;
  }

  /** Final response status of the INVITE (200 once answered, 4xx–6xx otherwise). */
  get finalStatus(): number | undefined {
    return this.final;
  }

  /** Records the INVITE's final status; the first one counts. */
  setFinalStatus(status: number): void {
    this.final ??= status;
  }

  /** Our Contact header, for requests and responses that set up or refresh the dialog. */
  contactHeader(): SipHeader {
    return { name: 'Contact', value: this.ctx.contact(this.identity.number) };
  }

  /** Headers of a message carrying our SDP. */
  sdpHeaders(): SipHeader[] {
    return [this.contactHeader(), SDP_CONTENT_TYPE];
  }

  /** Gives up after `ms` unless the call left `ringing` by then. */
  startRingTimer(ms: number, giveUp: () => void): void {
    this.ringTimer = setTimeout(() => {
      if (this.currentState === 'ringing') giveUp();
    }, ms);
  }

  /** RTP + recording for calls that carry audio (not for busy/noAnswer/unknown numbers). */
  async openMedia(): Promise<CallMedia | undefined> {
    const { id, mode, toneHz } = this.identity;
    if (!mode) return undefined;
    this.media = await CallMedia.open(
      {
        callId: id,
        mode,
        toneHz,
        localAddress: this.ctx.localAddress,
        mediaPorts: this.ctx.mediaPorts,
        recordingsDir: this.ctx.recordingsDir,
        onDigit: (d) => this.addDtmf(d),
      },
      () => this.currentState === 'ringing',
    );
    return this.media;
  }

  addDtmf(digits: string): void {
    this.dtmf += digits;
    this.notifyChange();
  }

  markAnswered(): void {
    if (!this.move('answered')) return;
    this.answeredAt = new Date();
    clearTimeout(this.ringTimer);
    this.notifyChange();
  }

  /** The call is over (`hungUp` → ended, `failed` → failed): timers stop, media closes. */
  finish(event: 'hungUp' | 'failed', status?: number): void {
    if (!this.move(event)) return;
    if (status !== undefined) this.setFinalStatus(status);
    this.endedAt = new Date();
    clearTimeout(this.ringTimer);
    this.media?.close();
    this.notifyChange();
  }

  /** Sends an in-dialog request; resolves with the final response (408 if none came). */
  request(method: string, opts: { headers?: SipHeader[]; body?: Buffer } = {}): Promise<SipResponse> {
    const dialog = this.dialog;
    if (!dialog || (this.currentState !== 'answered' && method !== 'BYE')) {
      return Promise.reject(new Error(`call ${this.identity.id} is ${this.currentState}; ${method} needs an established dialog`));
    }
    const req = dialog.createRequest(method, (b) => this.ctx.via(b), opts);
    return new Promise((resolve) => {
      this.ctx.endpoint.request(req, dialog.nextHop() ?? this.ctx.proxy, (res) => {
        if (res.status >= 200) resolve(res);
      });
    });
  }

  /** BYE, and the call is over without waiting for its answer. */
  bye(): void {
    this.request('BYE').catch((err: Error) => this.ctx.log(err.message));
    this.finish('hungUp');
  }

  onChange(listener: (core: CallCore) => void): void {
    this.listeners.push(listener);
  }

  notifyChange(): void {
    for (const l of this.listeners) l(this);
  }

  get held(): boolean {
    return this.currentState === 'answered' && this.media !== undefined && this.media.direction !== 'sendrecv';
  }

  view(): CallView {
    const { id, number, role, mode, direction, remote } = this.identity;
    const media = this.media;
    return {
      id,
      number,
      role,
      mode: mode ?? null,
      direction,
      state: this.currentState,
      remote,
      startedAt: this.startedAt.toISOString(),
      answeredAt: this.answeredAt?.toISOString() ?? null,
      endedAt: this.endedAt?.toISOString() ?? null,
      finalStatus: this.final ?? null,
      held: this.held,
      mediaDirection: media && this.currentState === 'answered' ? media.direction : null,
      dtmf: this.dtmf,
      received: media?.received() ?? NO_AUDIO,
      sentPackets: media?.sentPackets ?? 0,
      sendErrors: media?.sendErrors ?? 0,
      transferredTo: this.transferredTo ?? null,
      transferStatus: this.transferStatus ?? null,
      recording: media?.recordingPath ?? null,
    };
  }

  /** Moves by the transition table; false (nothing changes) when it draws no such move. */
  private move(event: CallEvent): boolean {
    if (isFinal(this.currentState)) return false;
    const next = nextState(this.currentState, event);
    if (!next) throw new Error(`call ${this.identity.id}: no move '${event}' from ${this.currentState}`);
    this.currentState = next;
    return true;
  }
}
