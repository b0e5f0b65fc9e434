import {
  Core,
  Invitation,
  Inviter,
  RequestPendingError,
  SessionState,
  type Session as SipSession,
  type SessionDescriptionHandlerModifier,
  type URI,
  type UserAgent,
  type Web,
} from 'sip.js';
import type { RemoteAudioPlayer, RemotePlayback } from './audio-output.js';
import { callOutcome, type EndEvidence } from './call-outcome.js';
import { remoteHangupMessage } from './hangup-reason.js';
import { initialCallState, transition, type CallEvent } from './call-state.js';
import { mediaLeavesOverUdp, summarizeStats } from './call-stats.js';
import { preferAudioCodecs } from './codec-preference.js';
import { sendDtmfDigits, validateDtmf } from './dtmf.js';
import { guarded, type CallingLogger } from './logging.js';
import {
  DISCONNECTED_GRACE_MS,
  InboundWatch,
  initialMediaRecovery,
  nextMediaRecovery,
  type MediaEvent,
  type MediaRecovery,
} from './media-recovery.js';
import { requestedMicrophone } from './microphone-fallback.js';
import { glareRetryDelayMs, ReInviteRefused, refuseCrossingReInvites } from './reinvite-glare.js';
import { relayRecoveryConfiguration, type PeerConnectionSwap, type RecoverableSessionDescriptionHandler } from './relay-recovery.js';
import { ReInviteScheduler, whenDone, type ReInviteStep } from './reinvite-schedule.js';
import { nextUdpReturn, UDP_RETURN_SETTLE_MS, udpReturnConfiguration } from './udp-return.js';
import { PhoneError, type CallDirection, type CallSnapshot, type CallState, type CallStats } from './phone-api.js';
import { accepted, statusOf } from './sip-request.js';
import { StatsSampler, type StatsReading } from './stats-sampler.js';
import { withTimeout } from './with-timeout.js';
import type { Clock, TimerHandle } from '../../common/timers.js';

/** After the far end accepted a blind transfer it normally hangs up on us; past this, we do. */
const TRANSFER_HANGUP_MS = 5000;

/** How long a re-INVITE is waited for before the next one may go. */
const REINVITE_ANSWER_MS = 5000;

/** A re-INVITE SIP.js refused because a previous one of ours is not over yet is tried again after this long. */
const REINVITE_RETRY_MS = 500;

/** What came of sending one re-INVITE (`sendOffer`). */
type OfferOutcome =
  | { readonly type: 'answered' }
  /** It met the far end's (491, 500 with Retry-After, or the far end's offer being answered as ours was to go). */
  | { readonly type: 'crossed'; readonly error: Error }
  /** SIP.js's previous offer of ours is not over (one that went unanswered). */
  | { readonly type: 'busy'; readonly error: unknown }
  | { readonly type: 'refused'; readonly error: ReInviteRefused }
  | { readonly type: 'failed'; readonly error: unknown };

/** What a call needs from the phone around it. */
export interface PhoneCallDeps {
  readonly logger: CallingLogger;
  /** The clock the call's timers and its re-INVITE schedule (reinvite-schedule.ts) run on. */
  readonly timers: Clock;
  /** In [0, 1): the random part of RFC 3261 §14.1's wait after crossing re-INVITEs (reinvite-glare.ts). */
  readonly random: () => number;
  readonly remoteAudio: RemoteAudioPlayer;
  /** Falls back to the system default when the chosen microphone is gone (microphone-fallback.ts). */
  readonly getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Microphone constraints for the devices chosen now. */
  readonly constraints: () => MediaStreamConstraints;
  readonly speakerId: () => string;
  /** A dialled target as a SIP URI; throws PhoneError('invalid-target') when it forms none. */
  readonly targetUri: (target: string) => URI;
  /** After every change a snapshot shows. */
  readonly onChange: (call: PhoneCall) => void;
  /** Once, when the call has ended (after the last `onChange`). */
  readonly onEnded: (call: PhoneCall) => void;
  /** Media down this long ends the call here (the server's media timeout, from the client config). */
  readonly mediaTimeoutMs: () => number;
}

/**
 * The media side of a call as SIP.js's WebRTC handler exposes it — the part a call touches for
 * hold, mute, device swap, stats, ICE restart and recovery on a new peer connection (unit tests
 * give a fake with the same shape). `peerConnection` may change mid-call: read it when needed.
 */
type CallMedia = Pick<
  Web.SessionDescriptionHandler,
  'peerConnection' | 'remoteMediaStream' | 'localMediaStream' | 'enableSenderTracks' | 'enableReceiverTracks'
> &
  Partial<Pick<RecoverableSessionDescriptionHandler, 'replacePeerConnection'>>;

const codecModifier: SessionDescriptionHandlerModifier = async (description) => ({
  type: description.type,
  sdp: description.sdp === undefined ? undefined : preferAudioCodecs(description.sdp),
});

/**
 * One call: its SIP session (Inviter or Invitation), its state machine (call-state.ts), its media
 * (remote audio, hold/mute track enablement, microphone swap, ICE restart, stats), its commands and
 * its end. The phone keeps the registry of calls; a call knows nothing of the others.
 */
export class PhoneCall {
  readonly id = crypto.randomUUID();
  readonly startedAt = Date.now();
  private current: CallState;
  private muted = false;
  private held = false;
  /** We accepted; the ringer may stop even before the answer is confirmed. */
  private answering = false;
  private answeredAt: number | null = null;
  private endedAt: number | null = null;
  private endReason: CallSnapshot['endReason'] = null;
  private message: string | null = null;
  private recovery: MediaRecovery = initialMediaRecovery;
  /** Runs while media is down (the recovery notice is up): ends the call at the media timeout. */
  private deadMediaTimer: TimerHandle | null = null;
  private readonly inbound = new InboundWatch();
  /** The only reader of getStats on the call's peer connection, whichever it is now (stats-sampler.ts). */
  private readonly sampler: StatsSampler;
  /** Stops the ICE-state listener on the peer connection the call watches (it changes on a recovery). */
  private iceWatch: AbortController | null = null;
  /** Re-INVITEs of ours being built or in flight: the far end's own meanwhile get 491 (reinvite-glare.ts). */
  private offersPending = 0;
  /** Every re-INVITE of ours goes through here, one at a time: hold, refresh, recovery, return to UDP. */
  private readonly reinvites: ReInviteScheduler;
  /** A recovery's new peer connection, answered, not yet carrying audio: the old one closes when it does. */
  private pendingSwap: PeerConnectionSwap | null = null;
  /**
   * After a relay recovery, the way back to UDP (udp-return.ts): the account's full ICE server
   * list and the attempts made. Null when not on a recovery's relay, or done trying.
   */
  private udpReturn: { iceServers: RTCIceServer[]; attempts: number } | null = null;
  private playback: RemotePlayback | null = null;
  /** The peer connection whose far-end audio `playback` plays. */
  private playing: RTCPeerConnection | undefined;
  private finalStatus: EndEvidence['finalStatus'] = null;
  private localAction: EndEvidence['localAction'] = null;
  /** What the BYE's Reason header said, in words (hangup-reason.ts), or null. */
  private remoteReason: string | null = null;
  private transferTarget: string | undefined;
  private readonly pendingTimers = new Set<TimerHandle>();
  /** Keypad presses queue here: a new insertDTMF would overwrite digits still being played. */
  private dtmfQueue: Promise<void> = Promise.resolve();
  /** Microphone swaps queue here: an unplug ends the track AND changes the device list at once. */
  private microphoneSwaps: Promise<void> = Promise.resolve();
  /** The call sends from the system default because the microphone it asked for was missing. */
  private microphoneFallback = false;

  /** An outbound call to `uri`; `dial` sends the INVITE. */
  static outbound(ua: UserAgent, uri: URI, peer: string, deps: PhoneCallDeps): PhoneCall {
    const inviter = new Inviter(ua, uri, {
      sessionDescriptionHandlerOptions: { constraints: deps.constraints() },
      sessionDescriptionHandlerModifiers: [codecModifier],
    });
    return new PhoneCall(inviter, inviter.request.callId, 'outbound', peer, null, deps);
  }

  /** An incoming INVITE, ringing here until answered, declined or cancelled by the caller. */
  static inbound(invitation: Invitation, deps: PhoneCallDeps): PhoneCall {
    const identity = invitation.remoteIdentity;
    return new PhoneCall(
      invitation,
      invitation.request.callId,
      'inbound',
      identity.uri.user ?? String(identity.uri),
      identity.displayName || null,
      deps,
    );
  }

  private constructor(
    private readonly session: SipSession,
    private readonly sipCallId: string,
    readonly direction: CallDirection,
    private readonly peer: string,
    private readonly peerDisplayName: string | null,
    private readonly deps: PhoneCallDeps,
  ) {
    this.current = initialCallState(direction);
    this.sampler = new StatsSampler(
      () => this.media?.peerConnection,
      deps.timers,
      (what, error) => deps.logger.write('debug', 'calling', `call ${this.id}: ${what} failed: ${String(error)}`),
    );
    this.reinvites = new ReInviteScheduler(deps.timers);
    session.sessionDescriptionHandlerModifiersReInvite = [codecModifier];
    // A BYE may say why (RFC 3326 Reason): the server ends dead calls with "media timeout".
    session.delegate = {
      ...session.delegate,
      onBye: (bye) => {
        this.remoteReason = remoteHangupMessage(bye.request.getHeader('Reason'));
        void bye.accept().catch(() => undefined);
      },
      // The far end's re-INVITE, answered on a recovery's new peer connection while our own offer
      // waited out a glare (reinvite-glare.ts), brings its audio on that connection's track.
      onInvite: (_request, _response, statusCode) => {
        if (statusCode < 300 && this.playback && this.media?.peerConnection !== this.playing) this.restartPlayback();
      },
    };
    session.stateChange.addListener((state) =>
      guarded(deps.logger, `call ${this.id} → ${state}`, () => {
        if (state === SessionState.Established) this.onEstablished();
        // SIP.js reports Terminated before it hands the final response to our request delegate:
        // let that land first so the outcome ("Busy", "Not found") uses the real status.
        if (state === SessionState.Terminated) this.after(0, () => this.finish());
      }),
    );
  }

  get state(): CallState {
    return this.current;
  }

  /** Answered and not yet ended: what a lost connection must not drop. */
  get inProgress(): boolean {
    return this.current === 'active' || this.current === 'connecting';
  }

  /** An incoming call still waiting for the agent: what keeps the ringer ringing. */
  get ringingIn(): boolean {
    return this.direction === 'inbound' && this.current === 'ringing' && !this.answering;
  }

  snapshot(): CallSnapshot {
    return {
      id: this.id,
      sipCallId: this.sipCallId,
      direction: this.direction,
      peer: this.peer,
      peerDisplayName: this.peerDisplayName,
      state: this.current,
      muted: this.muted,
      held: this.held,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      endedAt: this.endedAt,
      endReason: this.endReason,
      message: this.message ?? this.recovery.notice,
      microphoneFallback: this.microphoneFallback,
    };
  }

  // ── setting up ──────────────────────────────────────────────────────────────────────────────

  /** Sends the INVITE of an outbound call; gives up with "No answer" after `ringTimeoutMs`. */
  async dial(ringTimeoutMs: number): Promise<void> {
    const inviter = this.session;
    if (!(inviter instanceof Inviter)) throw new PhoneError('invalid-state', 'Only an outbound call can be dialled.');
    this.after(ringTimeoutMs, () => {
      if (this.current === 'dialing' || this.current === 'ringing') {
        this.localAction = 'ring-timeout';
        void inviter.cancel().catch(() => undefined);
      }
    });
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            const code = response.message.statusCode ?? 0;
            if (code === 180 || code === 183) this.apply({ type: 'provisional' });
          },
          onReject: (response) => {
            this.finalStatus = { code: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' };
          },
        },
      });
    } catch (error) {
      this.finish();
      throw mediaError(error);
    }
  }

  /** Tells the caller we are ringing (180). */
  ring(): void {
    if (this.session instanceof Invitation) void this.session.progress().catch(() => undefined);
  }

  async answer(): Promise<void> {
    const invitation = this.ringingInvitation('answered');
    this.answering = true;
    this.deps.onChange(this);
    try {
      await invitation.accept({
        sessionDescriptionHandlerOptions: { constraints: this.deps.constraints() },
        sessionDescriptionHandlerModifiers: [codecModifier],
      });
    } catch (error) {
      throw mediaError(error);
    }
  }

  async decline(): Promise<void> {
    const invitation = this.ringingInvitation('declined');
    this.localAction = 'decline';
    await invitation.reject({ statusCode: 603 });
  }

  private ringingInvitation(verb: string): Invitation {
    if (!(this.session instanceof Invitation) || this.current !== 'ringing') {
      throw new PhoneError('invalid-state', `Only a ringing incoming call can be ${verb}.`);
    }
    return this.session;
  }

  private onEstablished(): void {
    this.clearTimers();
    this.answeredAt = Date.now();
    this.apply({ type: 'answered' });
    const media = this.media;
    if (!media?.peerConnection) return;
    this.playback = this.deps.remoteAudio(media.remoteMediaStream, this.deps.speakerId());
    this.playing = media.peerConnection;
    refuseCrossingReInvites(
      this.session,
      () => this.offersPending > 0,
      () => this.deps.logger.write('info', 'calling', `call ${this.id}: the far end's re-INVITE crossed ours; answered 491`),
    );
    this.watchMicrophone();
    this.watchIce();
    this.sampler.subscribe(1, (reading) => this.watchInbound(reading));
    this.sampler.start();
  }

  /** Follows the ICE state of the call's peer connection now, and no longer that of the one before. */
  private watchIce(): void {
    this.iceWatch?.abort();
    const pc = this.media?.peerConnection;
    if (!pc) return;
    const watch = new AbortController();
    this.iceWatch = watch;
    const onIce = () => {
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') {
        if (this.current === 'connecting' || this.current === 'active') this.apply({ type: 'media-up' });
      }
      this.onMediaPath({ type: 'ice', state: pc.iceConnectionState });
    };
    pc.addEventListener('iceconnectionstatechange', onIce, { signal: watch.signal });
    onIce();
  }

  // ── in the call ─────────────────────────────────────────────────────────────────────────────

  /** Hangs up an answered call, cancels one ringing out, declines one ringing in. */
  async hangup(): Promise<void> {
    const session = this.session;
    if (session.state === SessionState.Established) {
      this.localAction = 'hangup';
      const bye = session.bye();
      // An incoming call whose 2xx is not ACKed yet (the ACK was lost with a dead connection; the far
      // end sends it again for our next 2xx retransmission, at most 4 s later): as the callee, SIP.js
      // may send no BYE before that ACK, or 32 s without one (RFC 3261 §15), and is "terminating"
      // meanwhile. The agent is off the call at once: silent both ways and ended here; SIP.js sends
      // the BYE when it may.
      if ((session.state as SessionState) === SessionState.Terminating) {
        void bye.catch(() => undefined);
        this.endBeforeBye();
        return;
      }
      await bye;
    } else if (session instanceof Inviter) {
      this.localAction = 'cancel';
      await session.cancel();
    } else if (session instanceof Invitation) {
      this.localAction = 'decline';
      await session.reject({ statusCode: 603 });
    }
  }

  private endBeforeBye(): void {
    this.deps.logger.write('info', 'calling', `call ${this.id} hung up; its BYE waits for the ACK of our answer`);
    this.media?.enableSenderTracks(false);
    this.media?.enableReceiverTracks(false);
    this.finish();
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.applyTrackEnablement();
    this.deps.onChange(this);
  }

  /**
   * Hold/resume by re-INVITE, in turn with the call's other re-INVITEs (reinvite-schedule.ts): one
   * already in flight (a recovery, a return to UDP) makes it wait, not fail, and it goes before any
   * automatic one not yet sent. A refusal leaves the call as it was and says why.
   */
  async setHeld(held: boolean): Promise<void> {
    if (this.current !== 'active' && this.current !== 'connecting') {
      throw new PhoneError('invalid-state', 'Only a connected call can be put on hold.');
    }
    const what = held ? 'Hold' : 'Resume';
    if (!(await this.reinvites.request('hold', () => this.holdStep(held, what), { user: true }))) {
      throw new PhoneError('invalid-state', `${what} failed: the call ended.`);
    }
  }

  /**
   * The hold or resume re-INVITE, once it is its turn: none when the call is already so (a later
   * press undid an earlier one still waiting). Crossed the far end's: again after §14.1's wait,
   * restarting ICE as every retry after crossing does (reinviteStep says why).
   */
  private async holdStep(held: boolean, what: string, retriesLeft = 3, iceRestart = false): Promise<ReInviteStep> {
    if (this.held === held) return { done: true };
    if (!this.inProgress) return { done: false };
    const options = { hold: held, constraints: this.deps.constraints() };
    const outcome = await this.sendOffer({ ...options, ...(iceRestart ? { offerOptions: { iceRestart: true } } : {}) }, what);
    if (outcome.type === 'answered') {
      // Re-INVITEs the far end sends later must keep our hold direction.
      this.session.sessionDescriptionHandlerOptionsReInvite = options;
      this.held = held;
      this.applyTrackEnablement();
      this.deps.onChange(this);
      return { done: true };
    }
    const retry = this.retryAfter(outcome, retriesLeft, what, () =>
      this.holdStep(held, what, retriesLeft - 1, iceRestart || outcome.type === 'crossed'),
    );
    if (retry) return retry;
    throw outcome.error instanceof ReInviteRefused
      ? new PhoneError('invalid-state', `${what} was refused by the far end (${outcome.error.status}).`)
      : new PhoneError('invalid-state', `${what} failed: ${String(outcome.error)}`);
  }

  /** Sender silent when muted or held; receiver silent when held — media stops both ways. */
  private applyTrackEnablement(): void {
    const media = this.media;
    if (!media?.peerConnection) return;
    media.enableSenderTracks(!this.held && !this.muted);
    media.enableReceiverTracks(!this.held);
  }

  async sendDtmf(digits: string): Promise<void> {
    validateDtmf(digits);
    if (this.current !== 'active') throw new PhoneError('invalid-state', 'Keypad tones can only be sent on a connected call.');
    const pc = this.media?.peerConnection;
    const send = this.dtmfQueue.then(() => sendDtmfDigits(this.session, pc, digits, this.deps.logger, this.deps.timers));
    this.dtmfQueue = send.catch(() => undefined);
    await send;
  }

  /** Blind transfer (REFER); a refusal leaves the call connected and says why. */
  async transfer(target: string): Promise<void> {
    if (this.current !== 'active') throw new PhoneError('invalid-state', 'Only a connected call can be transferred.');
    const uri = this.deps.targetUri(target);
    this.localAction = 'transfer';
    this.transferTarget = target.trim();
    try {
      await accepted(
        (requestDelegate) => this.session.refer(uri, { requestDelegate }),
        (response) => new PhoneError('invalid-state', `Transfer refused (${statusOf(response)}).`),
        (error) => new PhoneError('invalid-state', `Transfer failed: ${String(error)}`),
      );
    } catch (error) {
      this.localAction = null;
      this.transferTarget = undefined;
      throw error;
    }
    this.after(TRANSFER_HANGUP_MS, () => {
      if (this.current !== 'ended' && this.session.state === SessionState.Established) void this.session.bye().catch(() => undefined);
    });
  }

  /** `listener` gets every `every`-th reading of the call's stats sampler (stats-sampler.ts), summarised, until the returned function is called or the call ends. */
  watchStats(every: number, listener: (stats: CallStats) => void): () => void {
    return this.sampler.subscribe(every, (reading) => listener(summarizeStats(reading.records)));
  }

  // ── devices, network ────────────────────────────────────────────────────────────────────────

  async routeAudio(speakerId: string): Promise<void> {
    await this.playback?.setDevice(speakerId);
  }

  /**
   * Sends from the microphone chosen now (or the system default when it is gone): a new track
   * replaces the old one on the sender without renegotiating. Swaps run one after another.
   */
  useMicrophone(): Promise<void> {
    const swap = this.microphoneSwaps.then(() => this.swapMicrophone());
    this.microphoneSwaps = swap.catch(() => undefined);
    return swap;
  }

  private async swapMicrophone(): Promise<void> {
    const media = this.media;
    const sender = media?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
    if (!media || !sender) return;
    const constraints = this.deps.constraints();
    // An unplug swaps twice (the track ends, then the device list re-routes to the same default),
    // and so does a plug-back (the browser's devicechange, then the host's watcher): a second swap
    // to the device already sending only reopens the capture, and the far end hears a gap.
    const current = sender.track;
    if (current?.readyState === 'live' && current.getSettings().deviceId === requestedMicrophone(constraints)) return;
    let stream: MediaStream;
    try {
      stream = await this.deps.getUserMedia(constraints);
    } catch (error) {
      throw mediaError(error);
    }
    const track = stream.getAudioTracks()[0]!;
    track.enabled = !this.held && !this.muted;
    const old = sender.track;
    await sender.replaceTrack(track);
    if (old) {
      media.localMediaStream.removeTrack(old);
      old.stop();
    }
    media.localMediaStream.addTrack(track);
    this.watchMicrophone();
    this.deps.onChange(this);
  }

  /**
   * The track we send ends when its device goes away (a headset unplugged mid-call): the call
   * switches to the fallback microphone by itself instead of sending silence. Also notes whether
   * the track is the microphone that was asked for.
   */
  private watchMicrophone(): void {
    const sender = this.media?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
    const track = sender?.track;
    if (!sender || !track) return;
    const asked = requestedMicrophone(this.deps.constraints());
    const got = track.getSettings().deviceId;
    this.microphoneFallback = asked !== 'default' && got !== undefined && got !== asked;
    track.addEventListener(
      'ended',
      () => {
        // The sender of the call's peer connection now: a recovery may have moved the track to a new one.
        const sending = this.media?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
        if (this.current === 'ended' || (sending ?? sender).track !== track) return;
        this.deps.logger.write(
          'warn',
          'calling.devices',
          `call ${this.id}: the microphone stopped (unplugged?); switching to the fallback`,
        );
        this.useMicrophone().catch((error: unknown) =>
          this.deps.logger.write('error', 'calling.devices', `call ${this.id}: no fallback microphone: ${String(error)}`),
        );
      },
      { once: true },
    );
  }

  /** Refreshed TURN credentials: ICE restarts of this call use them. */
  setIceServers(iceServers: RTCIceServer[]): void {
    const pc = this.media?.peerConnection;
    if (pc) pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
    if (this.udpReturn) this.udpReturn.iceServers = iceServers;
  }

  /** The network changed (new Wi-Fi, VPN up): the old 5-tuple may be gone, so an ICE restart. */
  restartIce(): void {
    this.onMediaPath({ type: 'network-changed' });
  }

  /**
   * Every reading of the call's stats sampler feeds the inbound watch (media-recovery.ts) the packet
   * counts; an inbound stall (with whether our media left over UDP) or a recovery goes to
   * onMediaPath. A recovery's new peer connection counts from zero: the watch sees its first packets
   * as packets moving again.
   */
  private watchInbound({ pc, records }: StatsReading): void {
    if (!this.inProgress) return;
    // Audio is expected when neither side holds: our hold, or an answer that sends us nothing.
    const direction = pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio')?.currentDirection;
    // A recovery's new peer connection before its answer: no evidence either way, and a stall seen on
    // the old one must stand until audio flows on the new one.
    if (direction === null) return;
    const expected = !this.held && (direction === 'sendrecv' || direction === 'recvonly');
    let packets = 0;
    let sent = 0;
    for (const s of records) {
      if (s.kind !== 'audio') continue;
      if (s.type === 'inbound-rtp' && typeof s.packetsReceived === 'number') packets += s.packetsReceived;
      if (s.type === 'outbound-rtp' && typeof s.packetsSent === 'number') sent += s.packetsSent;
    }
    const flowing = this.inbound.sample(packets, sent, Date.now(), expected);
    if (flowing === true) this.onMediaPath({ type: 'inbound', flowing });
    if (flowing === false) this.onMediaPath({ type: 'inbound', flowing, overUdp: mediaLeavesOverUdp(records) });
  }

  /** Media recovery (media-recovery.ts): ICE states, its grace timer, restarts and the agent's notice. */
  private onMediaPath(event: MediaEvent): void {
    if (!this.inProgress) return;
    const { state, action } = nextMediaRecovery(this.recovery, event);
    const noticeChanged = state.notice !== this.recovery.notice;
    this.recovery = state;
    if (action === 'start-grace') this.after(DISCONNECTED_GRACE_MS, () => this.onMediaPath({ type: 'grace-over' }));
    if (event.type === 'inbound' && event.flowing && this.pendingSwap) {
      this.pendingSwap.commit();
      this.pendingSwap = null;
      this.deps.logger.write('info', 'calling', `call ${this.id}: audio flows on the new peer connection; the old one is closed`);
      this.planUdpReturn(false);
    }
    if (action === 'restart' || action === 'recover-on-relay') {
      // Sent when it is its turn (after a hold in flight, say), if the audio is not back by then.
      const recovery = this.reinvites.request('recovery', () =>
        this.mediaStillDown()
          ? (action === 'recover-on-relay' && this.recoverOnRelay()) || this.restartIceAfter(event)
          : Promise.resolve({ done: true }),
      );
      void recovery.then(() => {
        this.onMediaPath({ type: 'restart-settled' });
        // The restart may have kept ICE "connected" throughout: no state change would clear the notice.
        const ice = this.media?.peerConnection?.iceConnectionState;
        if (ice) this.onMediaPath({ type: 'ice', state: ice });
      });
    }
    if (noticeChanged) this.deps.onChange(this);
    this.watchForDeadMedia();
  }

  private restartIceAfter(event: MediaEvent): Promise<ReInviteStep> {
    this.deps.logger.write('warn', 'calling', `call ${this.id}: media path down (${event.type}); restarting ICE`);
    return this.reinviteStep(true, 'ICE restart', this.mediaStillDown);
  }

  /**
   * UDP blocked (media-recovery.ts says when): a new relay-only peer connection over TURN TCP/TLS
   * becomes the call's, offered in a re-INVITE (relay-recovery.ts). Everything bound to the old
   * one follows: the ICE watch, the track enablement of hold and mute (the microphone track itself
   * moves over), the stats and DTMF (both read the call's peer connection when used) and, once
   * answered, the playback of the far end's new track. Null when this cannot be done (no TURN over
   * TCP/TLS, an offer in progress, a media handler without swaps): the caller restarts ICE instead.
   */
  private recoverOnRelay(attemptsLeft = 3): Promise<ReInviteStep> | null {
    const media = this.media;
    const pc = media?.peerConnection;
    const configuration = pc && relayRecoveryConfiguration(pc.getConfiguration());
    if (!media?.replacePeerConnection || !configuration || pc.signalingState !== 'stable' || this.pendingSwap) return null;
    this.deps.logger.write(
      'warn',
      'calling',
      `call ${this.id}: inbound audio stalled over UDP; recovering on a new peer connection over TURN TCP/TLS`,
    );
    const iceServers = pc.getConfiguration().iceServers ?? [];
    const swap = media.replacePeerConnection(configuration);
    this.watchIce();
    this.applyTrackEnablement();
    const undo = () => {
      swap.abort();
      this.watchIce();
      this.applyTrackEnablement();
    };
    // Our offer crossed the far end's and the audio is still down after the wait: a fresh peer
    // connection again rather than this one. The refused offer reached rtpengine (Kamailio hands it
    // every offer before relaying it), which kept its ICE credentials, took this connection's
    // rolled-back ones in any answer we gave meanwhile without resetting ICE, and a later re-offer
    // from it did not bring the audio back either (measured, both ends' offers refused).
    let replaced = false;
    const afresh = () => {
      replaced = true;
      undo();
      return (attemptsLeft > 1 && this.recoverOnRelay(attemptsLeft - 1)) || this.reinviteStep(true, 'ICE restart', this.mediaStillDown);
    };
    return whenDone(this.reinviteStep(false, 'relay recovery', this.mediaStillDown, 3, afresh), (answered) => {
      if (replaced) return { done: answered };
      if (!answered) {
        undo();
        return { done: false };
      }
      if (this.media?.peerConnection !== this.playing) this.restartPlayback();
      this.udpReturn = { iceServers, attempts: 0 };
      // Audio came back on the new peer connection already (the far end's own re-INVITE, which
      // crossed ours, was answered by it): nothing more to wait for.
      if (this.mediaStillDown()) this.pendingSwap = swap;
      else {
        swap.commit();
        this.planUdpReturn(false);
      }
      return { done: true };
    });
  }

  /** The next step back to UDP after a relay recovery (udp-return.ts), given whether the media leaves over UDP now. */
  private planUdpReturn(overUdp: boolean): void {
    const plan = this.udpReturn;
    if (!plan) return;
    const step = nextUdpReturn(plan.attempts, overUdp);
    if (step.type === 'attempt') {
      void this.reinvites.request('udp-return', () => this.returnToUdp(plan), { waitMs: step.ms });
      return;
    }
    this.udpReturn = null;
    this.deps.logger.write(
      'info',
      'calling',
      step.type === 'returned'
        ? `call ${this.id}: media back on UDP after ${plan.attempts} attempt(s)`
        : `call ${this.id}: UDP still blocked after ${plan.attempts} attempts; the call stays on the TURN relay`,
    );
  }

  /**
   * One attempt back to UDP, when its entry in the re-INVITE schedule is due: every candidate type
   * allowed again on the relay's peer connection, and an ICE restart (udp-return.ts says why audio
   * does not drop). Put off to the next window while a recovery is under way or the far end's offer
   * is being answered; a newer recovery's plan supersedes this one.
   */
  private async returnToUdp(plan: NonNullable<PhoneCall['udpReturn']>): Promise<ReInviteStep> {
    const pc = this.media?.peerConnection;
    if (this.udpReturn !== plan || !this.inProgress || !pc) return { done: false };
    // ICE may have gone back by itself: after an attempt the UDP pairs stay checked, and once UDP
    // passes again the far end's checks make one valid (measured: 0.8 s after a block was lifted).
    const overUdp = leavesOverUdp(await this.sampler.next());
    if (this.udpReturn !== plan || overUdp) return this.noAttempt(overUdp ? true : null);
    if (this.recovery.path !== 'up' || this.recovery.inFlight || pc.signalingState !== 'stable') return this.noAttempt(false);
    plan.attempts += 1;
    this.deps.logger.write('info', 'calling', `call ${this.id}: trying the direct UDP path again (attempt ${plan.attempts})`);
    pc.setConfiguration(udpReturnConfiguration(pc.getConfiguration(), plan.iceServers));
    return whenDone(
      this.reinviteStep(true, 'UDP return', () => true),
      (answered) => {
        if (!answered) return this.noAttempt(false);
        this.after(UDP_RETURN_SETTLE_MS, () => {
          if (this.udpReturn !== plan) return;
          void this.sampler.next().then((reading) => this.planUdpReturn(leavesOverUdp(reading)));
        });
        return { done: true };
      },
    );
  }

  /** A return attempt that ends without an answered re-INVITE: the plan's next step, given `overUdp` (null: none, superseded). */
  private noAttempt(overUdp: boolean | null): ReInviteStep {
    if (overUdp !== null) this.planUdpReturn(overUdp);
    return { done: false };
  }

  /** The far end's audio now comes on a new track: play it (an element may not follow a track swapped into its stream). */
  private restartPlayback(): void {
    const media = this.media;
    if (!media || !this.playback) return;
    this.playback.stop();
    this.playback = this.deps.remoteAudio(media.remoteMediaStream, this.deps.speakerId());
    this.playing = media.peerConnection;
  }

  /**
   * The server ends a call with no audio either way at its media timeout, on both legs, and tells
   * us why — if it can still reach us. When our connection is gone too nothing would, and the
   * agent would sit in a silent call: so media down (the recovery notice up) that long ends it here.
   */
  private watchForDeadMedia(): void {
    const down = this.recovery.notice !== null;
    if (down && this.deadMediaTimer === null) {
      this.deadMediaTimer = this.after(this.deps.mediaTimeoutMs(), () => this.endDeadCall());
    } else if (!down && this.deadMediaTimer !== null) {
      this.cancelTimer(this.deadMediaTimer);
      this.deadMediaTimer = null;
    }
  }

  private endDeadCall(): void {
    this.deadMediaTimer = null;
    if (!this.inProgress) return;
    this.deps.logger.write('warn', 'calling', `call ${this.id}: no audio either way for ${this.deps.mediaTimeoutMs() / 1000} s; ending it`);
    this.localAction = 'media-timeout';
    // The BYE reaches the far end only if signalling still works; the server ends the trunk leg otherwise.
    if (this.session.state === SessionState.Established) void this.session.bye().catch(() => undefined);
    this.finish();
  }

  /**
   * The SIP WebSocket was replaced: a target-refresh re-INVITE from the new connection (its
   * Contact is that connection), with an ICE restart if the media path is down too.
   */
  refreshDialog(): void {
    void this.reinvites.request('dialog-refresh', () => {
      const ice = this.media?.peerConnection?.iceConnectionState;
      return this.reinviteStep(ice === 'disconnected' || ice === 'failed', 'dialog refresh', () => true);
    });
  }

  /** A recovery's re-INVITE is still worth sending (a glare retry): the audio has not come back meanwhile. */
  private readonly mediaStillDown = (): boolean => this.recovery.path !== 'up';

  /**
   * A re-INVITE that keeps hold and microphone as they are, as the step its entry in the schedule
   * takes: answered (true) or given up (false). One that crossed the far end's is followed, after
   * RFC 3261 §14.1's wait and if `stillNeeded()` then, by `retryCrossed`: by default the same
   * re-INVITE restarting ICE, as the refused offer left its ICE credentials in rtpengine, which
   * takes new ones for a leg only from an offer that restarts ICE. Not needed: the far end's
   * renegotiation did the job (true).
   */
  private async reinviteStep(
    iceRestart: boolean,
    what: string,
    stillNeeded: () => boolean,
    retriesLeft = 3,
    retryCrossed = () => this.reinviteStep(true, what, stillNeeded, retriesLeft - 1),
  ): Promise<ReInviteStep> {
    if (!this.inProgress) return { done: false };
    const outcome = await this.sendOffer(
      { hold: this.held, constraints: this.deps.constraints(), ...(iceRestart ? { offerOptions: { iceRestart: true } } : {}) },
      what,
    );
    if (outcome.type === 'answered') {
      this.deps.logger.write('info', 'calling', `${what} of call ${this.id} accepted${iceRestart ? ' (ICE restart)' : ''}`);
      return { done: true };
    }
    const again = outcome.type === 'crossed' ? retryCrossed : () => this.reinviteStep(iceRestart, what, stillNeeded, retriesLeft - 1);
    return (
      this.retryAfter(outcome, retriesLeft, what, () => (stillNeeded() ? again() : Promise.resolve({ done: true }))) ?? { done: false }
    );
  }

  /**
   * The retry a re-INVITE gets, as an entry not before a time: one that crossed the far end's after
   * RFC 3261 §14.1's wait (reinvite-glare.ts), one SIP.js refused because its previous offer is not
   * over after REINVITE_RETRY_MS. Null: no retries left, or it failed for good.
   */
  private retryAfter(outcome: OfferOutcome, retriesLeft: number, what: string, again: () => Promise<ReInviteStep>): ReInviteStep | null {
    if (retriesLeft <= 0) return null;
    if (outcome.type === 'busy') return { retryAfterMs: REINVITE_RETRY_MS, crossed: false, retry: again };
    if (outcome.type !== 'crossed') return null;
    const wait = glareRetryDelayMs(this.direction === 'outbound', this.deps.random);
    this.deps.logger.write(
      'info',
      'calling',
      `${what} of call ${this.id} crossed the far end's; trying again in ${wait} ms if still needed`,
    );
    return { retryAfterMs: wait, crossed: true, retry: again };
  }

  /**
   * Sends one re-INVITE offering with `options` and waits for its answer, REINVITE_ANSWER_MS at
   * most: unanswered (its connection died too), SIP.js gives up only after 32 s. While it is built
   * and in flight the far end's own re-INVITEs get 491 (reinvite-glare.ts).
   */
  private async sendOffer(options: Web.SessionDescriptionHandlerOptions, what: string): Promise<OfferOutcome> {
    // The far end's re-INVITE is being answered right now: SIP.js would build our "offer" as an answer to it.
    if (this.session.dialog?.signalingState === Core.SignalingState.HaveRemoteOffer) {
      return { type: 'crossed', error: new Error("the far end's re-INVITE is being answered") };
    }
    this.offersPending++;
    const answered = accepted(
      (requestDelegate) => this.session.invite({ requestDelegate, sessionDescriptionHandlerOptions: options }),
      (response) => new ReInviteRefused(response),
      (error) => error as Error,
    ).finally(() => this.offersPending--);
    try {
      const outcome = await withTimeout(
        answered.then(() => 'answered' as const),
        REINVITE_ANSWER_MS,
        this.deps.timers,
      );
      if (outcome !== 'answered') throw new Error(`no answer within ${REINVITE_ANSWER_MS / 1000} s`);
      return { type: 'answered' };
    } catch (error) {
      this.deps.logger.write('warn', 'calling', `${what} of call ${this.id} failed: ${String(error)}`);
      if (error instanceof ReInviteRefused) return error.crossed ? { type: 'crossed', error } : { type: 'refused', error };
      // An earlier re-INVITE died with its connection and left our offer pending: withdraw it.
      if (this.media?.peerConnection?.signalingState === 'have-local-offer') {
        await this.session.sessionDescriptionHandler?.rollbackDescription?.().catch(() => undefined);
        return { type: 'busy', error };
      }
      return error instanceof RequestPendingError ? { type: 'busy', error } : { type: 'failed', error };
    }
  }

  // ── the end ─────────────────────────────────────────────────────────────────────────────────

  /** The phone stops: silence the call and drop its timers (the SIP stack ends the session). */
  dispose(): void {
    this.reinvites.close();
    this.clearTimers();
    this.sampler.stop();
    this.stopPlayback();
  }

  private finish(): void {
    if (this.current === 'ended') return;
    this.reinvites.close();
    this.clearTimers();
    this.sampler.stop();
    const outcome = callOutcome({
      direction: this.direction,
      wasAnswered: this.answeredAt !== null,
      finalStatus: this.finalStatus,
      localAction: this.localAction,
      ...(this.transferTarget !== undefined ? { transferTarget: this.transferTarget } : {}),
    });
    this.endedAt = Date.now();
    this.endReason = outcome.reason;
    this.message = outcome.reason === 'remote-hangup' && this.remoteReason !== null ? this.remoteReason : outcome.message;
    this.stopPlayback();
    this.apply({ type: 'end' });
    this.deps.onEnded(this);
  }

  private apply(event: CallEvent): void {
    const result = transition(this.current, event);
    if (!result.ok) {
      this.deps.logger.write('debug', 'calling', `call ${this.id}: ${result.error} (ignored)`);
      return;
    }
    if (result.state !== this.current) {
      this.current = result.state;
      this.deps.onChange(this);
    }
  }

  private stopPlayback(): void {
    this.playback?.stop();
    this.playback = null;
  }

  private get media(): CallMedia | undefined {
    return this.session.sessionDescriptionHandler as CallMedia | undefined;
  }

  private after(ms: number, action: () => void): TimerHandle {
    const handle = this.deps.timers.setTimeout(() => {
      this.pendingTimers.delete(handle);
      action();
    }, ms);
    this.pendingTimers.add(handle);
    return handle;
  }

  private cancelTimer(handle: TimerHandle): void {
    this.deps.timers.clearTimeout(handle);
    this.pendingTimers.delete(handle);
  }

  private clearTimers(): void {
    for (const handle of this.pendingTimers) this.deps.timers.clearTimeout(handle);
    this.pendingTimers.clear();
  }
}

/** Whether a reading shows our media leaving over UDP; no reading (the call ended) says not. */
function leavesOverUdp(reading: StatsReading | null): boolean {
  return reading !== null && mediaLeavesOverUdp(reading.records);
}

function mediaError(error: unknown): PhoneError {
  if (error instanceof PhoneError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'NotAllowedError') return new PhoneError('media', 'Microphone access was denied. Allow the microphone and try again.');
  if (name === 'NotFoundError' || name === 'OverconstrainedError') {
    return new PhoneError('media', 'The selected microphone is not available. Choose another one in Settings.');
  }
  return new PhoneError('media', `The call could not start: ${String(error)}`);
}
