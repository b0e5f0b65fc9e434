import {
  Invitation,
  Inviter,
  SessionState,
  UserAgent,
  Web,
  type Session as SipSession,
  type SessionDescriptionHandlerFactory,
  type SessionDescriptionHandlerModifier,
} from 'sip.js';
import { SettingsSchema, type Session, type Settings, type TurnCredentials } from '../../common/contract/index.js';
import { playRemoteAudio, Ringer, routeToDevice, stopAudio } from './audio-output.js';
import { callOutcome, type EndEvidence } from './call-outcome.js';
import { initialCallState, transition, type CallEvent } from './call-state.js';
import { summarizeStats, type StatsRecord } from './call-stats.js';
import { preferAudioCodecs } from './codec-preference.js';
import { sendDtmfDigits, validateDtmf } from './dtmf.js';
import { probeEndpoint, type EndpointProber } from './endpoint-probe.js';
import { gatheringIsGoodEnough, ICE_GATHERING_TIMEOUT_MS } from './ice-gathering.js';
import { silentLogger, type CallingLogger } from './logging.js';
import { iceServersFrom, microphoneConstraints } from './media-constraints.js';
import {
  PhoneError,
  type CallDirection,
  type CallSnapshot,
  type CallStats,
  type Phone,
  type PhoneSnapshot,
} from './phone-api.js';
import { SipConnection } from './sip-connection.js';
import { parseTarget, targetToUri } from './target.js';

export interface PhoneOptions {
  logger?: CallingLogger;
  media?: {
    /** Echo cancellation, noise suppression, AGC. Default true; tests with a tone file turn it off. */
    audioProcessing?: boolean;
  };
  /** How long an outbound call may ring before we give up with "No answer". Default 60 s. */
  ringTimeoutMs?: number;
  /** Injected for hosts that can tell more (Electron main); default: an in-page HTTP probe. */
  probe?: EndpointProber;
  /** For tests of the reconnect logic; default Math.random. */
  random?: () => number;
}

/** Ended calls stay in snapshots this long so the UI can show how they ended. */
const ENDED_CALL_LINGER_MS = 4000;

interface CallRecord {
  readonly id: string;
  readonly direction: CallDirection;
  readonly peer: string;
  readonly peerDisplayName: string | null;
  readonly session: SipSession;
  state: CallSnapshot['state'];
  muted: boolean;
  held: boolean;
  readonly startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: CallSnapshot['endReason'];
  message: string | null;
  remoteAudio: HTMLAudioElement | null;
  finalStatus: EndEvidence['finalStatus'];
  localAction: EndEvidence['localAction'];
  transferTarget?: string;
  ringTimer: ReturnType<typeof setTimeout> | null;
  /** Keypad presses queue here: a new insertDTMF would overwrite digits still being played. */
  dtmfQueue: Promise<void>;
}

const codecModifier: SessionDescriptionHandlerModifier = async (description) => ({
  type: description.type,
  sdp: description.sdp === undefined ? undefined : preferAudioCodecs(description.sdp),
});

/** The SIP.js-backed `Phone`. One instance per signed-in agent; `start` again to switch accounts. */
export class SipPhone implements Phone {
  private readonly logger: CallingLogger;
  private readonly audioProcessing: boolean;
  private readonly ringTimeoutMs: number;
  private readonly ringer: Ringer;
  private readonly connection: SipConnection;
  private readonly listeners = new Set<(s: PhoneSnapshot) => void>();
  private readonly calls = new Map<string, CallRecord>();

  private session: Session | null = null;
  private iceServers: RTCIceServer[] = [];
  private devices: Settings = SettingsSchema.parse({});

  constructor(options: PhoneOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.audioProcessing = options.media?.audioProcessing ?? true;
    this.ringTimeoutMs = options.ringTimeoutMs ?? 60_000;
    this.ringer = new Ringer(this.logger);
    this.connection = new SipConnection({
      logger: this.logger,
      probe: options.probe ?? probeEndpoint,
      random: options.random ?? Math.random,
      secrets: () => (this.session ? [this.session.password, this.session.turn.password] : []),
      sessionDescriptionHandlerFactory: this.mediaHandlerFactory(),
      onInvite: (invitation) => this.guard('incoming INVITE', () => this.onInvite(invitation)),
      onRegistration: () => this.notify(),
    });
  }

  // ── registration ────────────────────────────────────────────────────────────────────────────

  async start(session: Session): Promise<void> {
    await this.stop();
    const { config } = session;
    if (!UserAgent.makeURI(`sip:${config.agent.username}@${config.sip.domain}`)) {
      throw new PhoneError('invalid-target', `sip.domain “${config.sip.domain}” does not form a valid SIP address`);
    }
    this.session = session;
    this.iceServers = iceServersFrom(session.turn);
    await this.connection.start(session);
  }

  async stop(): Promise<void> {
    this.ringer.stop();
    for (const call of this.calls.values()) this.disposeMedia(call);
    this.calls.clear();
    await this.connection.stop();
    this.session = null;
    this.notify();
  }

  /**
   * Each call's media handler: SIP.js's WebRTC handler with the current ICE servers (so refreshed
   * TURN credentials apply to the next call) and an early end to candidate gathering.
   */
  private mediaHandlerFactory(): SessionDescriptionHandlerFactory {
    const defaultFactory = Web.defaultSessionDescriptionHandlerFactory();
    return (sipSession, options) => {
      const sdh = defaultFactory(sipSession, {
        ...(options as object),
        iceGatheringTimeout: ICE_GATHERING_TIMEOUT_MS,
        peerConnectionConfiguration: { iceServers: this.iceServers },
      }) as Web.SessionDescriptionHandler;
      const turnConfigured = this.iceServers.some((server) => [server.urls].flat().some((u) => /^turns?:/.test(u)));
      sdh.peerConnectionDelegate = {
        onicecandidate: (event) => {
          const c = event.candidate;
          if (c && gatheringIsGoodEnough({ type: c.type, protocol: c.protocol }, turnConfigured)) sdh.iceGatheringComplete();
        },
      };
      return sdh;
    };
  }

  // ── snapshots ───────────────────────────────────────────────────────────────────────────────

  snapshot(): PhoneSnapshot {
    return {
      registration: this.connection.state,
      calls: [...this.calls.values()].map((c) => ({
        id: c.id,
        direction: c.direction,
        peer: c.peer,
        peerDisplayName: c.peerDisplayName,
        state: c.state,
        muted: c.muted,
        held: c.held,
        startedAt: c.startedAt,
        answeredAt: c.answeredAt,
        endedAt: c.endedAt,
        endReason: c.endReason,
        message: c.message,
      })),
    };
  }

  subscribe(listener: (snapshot: PhoneSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    const snapshot = this.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.logger.write('error', 'calling', `snapshot listener threw: ${String(error)}`);
      }
    }
  }

  // ── calls ───────────────────────────────────────────────────────────────────────────────────

  async call(target: string): Promise<string> {
    const parsed = parseTarget(target);
    const ua = this.connection.userAgent;
    const session = this.session;
    if (!ua || !session || this.connection.state.kind !== 'registered') {
      throw new PhoneError('not-registered', 'Not connected to the phone server yet — wait for “Registered”, then call again.');
    }
    const uri = UserAgent.makeURI(targetToUri(parsed, session.config.sip.domain));
    if (!uri) throw new PhoneError('invalid-target', `“${target}” does not form a valid SIP address.`);
    const inviter = new Inviter(ua, uri, {
      sessionDescriptionHandlerOptions: { constraints: this.constraints() },
      sessionDescriptionHandlerModifiers: [codecModifier],
    });
    const call = this.track(inviter, 'outbound', target.trim(), null);
    call.ringTimer = setTimeout(() => {
      if (call.state === 'dialing' || call.state === 'ringing') {
        call.localAction = 'ring-timeout';
        void inviter.cancel().catch(() => undefined);
      }
    }, this.ringTimeoutMs);
    try {
      await inviter.invite({
        requestDelegate: {
          onProgress: (response) => {
            const code = response.message.statusCode ?? 0;
            if (code === 180 || code === 183) this.apply(call, { type: 'provisional' });
          },
          onReject: (response) => {
            call.finalStatus = { code: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' };
          },
        },
      });
    } catch (error) {
      this.finish(call);
      throw mediaError(error);
    }
    return call.id;
  }

  private onInvite(invitation: Invitation): void {
    const ua = this.connection.userAgent;
    const ruriUser = invitation.request.ruri?.user;
    // Only what is addressed to us rings: stray or forged INVITEs (e.g. torture tests) get 404.
    if (!ua || (ruriUser !== ua.contact.uri.user && ruriUser !== this.session?.config.agent.username)) {
      this.logger.write('warn', 'calling', `rejecting INVITE for ${String(invitation.request.ruri)}: not addressed to this phone`);
      void invitation.reject({ statusCode: 404 }).catch(() => undefined);
      return;
    }
    const identity = invitation.remoteIdentity;
    this.track(invitation, 'inbound', identity.uri.user ?? String(identity.uri), identity.displayName || null);
    this.ringer.start(this.devices.ringerId);
    void invitation.progress().catch(() => undefined);
  }

  /** Common bookkeeping for both directions: state machine, media attach, end. */
  private track(session: SipSession, direction: CallDirection, peer: string, peerDisplayName: string | null): CallRecord {
    const call: CallRecord = {
      id: crypto.randomUUID(),
      direction,
      peer,
      peerDisplayName,
      session,
      state: initialCallState(direction),
      muted: false,
      held: false,
      startedAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      endReason: null,
      message: null,
      remoteAudio: null,
      finalStatus: null,
      localAction: null,
      ringTimer: null,
      dtmfQueue: Promise.resolve(),
    };
    this.calls.set(call.id, call);
    session.sessionDescriptionHandlerModifiersReInvite = [codecModifier];
    session.stateChange.addListener((state) =>
      this.guard(`call ${call.id} → ${state}`, () => {
        if (state === SessionState.Established) this.onEstablished(call);
        // SIP.js reports Terminated before it hands the final response to our request delegate:
        // let that land first so the outcome ("Busy", "Not found") uses the real status.
        if (state === SessionState.Terminated) setTimeout(() => this.finish(call), 0);
      }),
    );
    this.notify();
    return call;
  }

  private onEstablished(call: CallRecord): void {
    this.stopRingingIfIdle();
    if (call.ringTimer) clearTimeout(call.ringTimer);
    call.answeredAt = Date.now();
    this.apply(call, { type: 'answered' });
    const sdh = call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
    const pc = sdh?.peerConnection;
    if (!sdh || !pc) return;
    call.remoteAudio = playRemoteAudio(sdh.remoteMediaStream, this.devices.speakerId, this.logger);
    const onIce = () => {
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') {
        if (call.state === 'connecting' || call.state === 'active') this.apply(call, { type: 'media-up' });
      }
    };
    pc.addEventListener('iceconnectionstatechange', onIce);
    onIce();
  }

  private finish(call: CallRecord): void {
    if (call.state === 'ended') return;
    if (call.ringTimer) clearTimeout(call.ringTimer);
    const outcome = callOutcome({
      direction: call.direction,
      wasAnswered: call.answeredAt !== null,
      finalStatus: call.finalStatus,
      localAction: call.localAction,
      ...(call.transferTarget !== undefined ? { transferTarget: call.transferTarget } : {}),
    });
    call.endedAt = Date.now();
    call.endReason = outcome.reason;
    call.message = outcome.message;
    this.disposeMedia(call);
    this.apply(call, { type: 'end' });
    this.stopRingingIfIdle();
    setTimeout(() => {
      if (this.calls.get(call.id) === call) {
        this.calls.delete(call.id);
        this.notify();
      }
    }, ENDED_CALL_LINGER_MS);
  }

  private apply(call: CallRecord, event: CallEvent): void {
    const result = transition(call.state, event);
    if (!result.ok) {
      this.logger.write('debug', 'calling', `call ${call.id}: ${result.error} (ignored)`);
      return;
    }
    if (result.state !== call.state) {
      call.state = result.state;
      this.notify();
    }
  }

  private disposeMedia(call: CallRecord): void {
    if (call.remoteAudio) stopAudio(call.remoteAudio);
    call.remoteAudio = null;
  }

  private stopRingingIfIdle(): void {
    const ringingIn = [...this.calls.values()].some((c) => c.direction === 'inbound' && c.state === 'ringing');
    if (!ringingIn) this.ringer.stop();
  }

  private callOrThrow(callId: string): CallRecord {
    const call = this.calls.get(callId);
    if (!call || call.state === 'ended') throw new PhoneError('no-such-call', 'That call has already ended.');
    return call;
  }

  async answer(callId: string): Promise<void> {
    const call = this.callOrThrow(callId);
    if (!(call.session instanceof Invitation) || call.state !== 'ringing') {
      throw new PhoneError('invalid-state', 'Only a ringing incoming call can be answered.');
    }
    this.ringer.stop();
    try {
      await call.session.accept({
        sessionDescriptionHandlerOptions: { constraints: this.constraints() },
        sessionDescriptionHandlerModifiers: [codecModifier],
      });
    } catch (error) {
      throw mediaError(error);
    }
  }

  async decline(callId: string): Promise<void> {
    const call = this.callOrThrow(callId);
    if (!(call.session instanceof Invitation) || call.state !== 'ringing') {
      throw new PhoneError('invalid-state', 'Only a ringing incoming call can be declined.');
    }
    call.localAction = 'decline';
    await call.session.reject({ statusCode: 603 });
  }

  async hangup(callId: string): Promise<void> {
    const call = this.callOrThrow(callId);
    const session = call.session;
    if (session.state === SessionState.Established) {
      call.localAction = 'hangup';
      await session.bye();
    } else if (session instanceof Inviter) {
      call.localAction = 'cancel';
      await session.cancel();
    } else if (session instanceof Invitation) {
      call.localAction = 'decline';
      await session.reject({ statusCode: 603 });
    }
  }

  setMuted(callId: string, muted: boolean): void {
    const call = this.callOrThrow(callId);
    call.muted = muted;
    this.applyTrackEnablement(call);
    this.notify();
  }

  async setHeld(callId: string, held: boolean): Promise<void> {
    const call = this.callOrThrow(callId);
    if (call.state !== 'active' && call.state !== 'connecting') {
      throw new PhoneError('invalid-state', 'Only a connected call can be put on hold.');
    }
    if (call.held === held) return;
    const options = { hold: held, constraints: this.constraints() };
    const session = call.session;
    await new Promise<void>((resolve, reject) => {
      session
        .invite({
          sessionDescriptionHandlerOptions: options,
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (response) =>
              reject(
                new PhoneError(
                  'invalid-state',
                  `${held ? 'Hold' : 'Resume'} was refused by the far end (${response.message.statusCode} ${response.message.reasonPhrase}).`,
                ),
              ),
          },
        })
        .catch((error: unknown) => reject(new PhoneError('invalid-state', `${held ? 'Hold' : 'Resume'} failed: ${String(error)}`)));
    });
    // Re-INVITEs the far end sends later must keep our hold direction.
    session.sessionDescriptionHandlerOptionsReInvite = options;
    call.held = held;
    this.applyTrackEnablement(call);
    this.notify();
  }

  /** Sender silent when muted or held; receiver silent when held — media stops both ways. */
  private applyTrackEnablement(call: CallRecord): void {
    const sdh = call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
    if (!sdh?.peerConnection) return;
    sdh.enableSenderTracks(!call.held && !call.muted);
    sdh.enableReceiverTracks(!call.held);
  }

  async sendDtmf(callId: string, digits: string): Promise<void> {
    const call = this.callOrThrow(callId);
    validateDtmf(digits);
    if (call.state !== 'active') throw new PhoneError('invalid-state', 'Keypad tones can only be sent on a connected call.');
    const sdh = call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
    const send = call.dtmfQueue.then(() => sendDtmfDigits(call.session, sdh?.peerConnection, digits, this.logger));
    call.dtmfQueue = send.catch(() => undefined);
    await send;
  }

  async transfer(callId: string, target: string): Promise<void> {
    const call = this.callOrThrow(callId);
    if (call.state !== 'active') throw new PhoneError('invalid-state', 'Only a connected call can be transferred.');
    const parsed = parseTarget(target);
    const domain = this.session?.config.sip.domain ?? '';
    const uri = UserAgent.makeURI(targetToUri(parsed, domain));
    if (!uri) throw new PhoneError('invalid-target', `“${target}” does not form a valid SIP address.`);
    call.localAction = 'transfer';
    call.transferTarget = target.trim();
    try {
      await new Promise<void>((resolve, reject) => {
        call.session
          .refer(uri, {
            requestDelegate: {
              onAccept: () => resolve(),
              onReject: (response) =>
                reject(new PhoneError('invalid-state', `Transfer refused (${response.message.statusCode} ${response.message.reasonPhrase}).`)),
            },
          })
          .catch((error: unknown) => reject(new PhoneError('invalid-state', `Transfer failed: ${String(error)}`)));
      });
    } catch (error) {
      call.localAction = null;
      delete call.transferTarget;
      throw error;
    }
    // The far end normally hangs up on us once it reaches the new party; don't hold on forever.
    setTimeout(() => {
      if (call.state !== 'ended' && call.session.state === SessionState.Established) void call.session.bye().catch(() => undefined);
    }, 5000);
  }

  async stats(callId: string): Promise<CallStats> {
    const call = this.callOrThrow(callId);
    const sdh = call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
    const pc = sdh?.peerConnection;
    if (!pc) throw new PhoneError('invalid-state', 'The call has no media yet.');
    const report = await pc.getStats();
    return summarizeStats([...report.values()] as StatsRecord[]);
  }

  // ── devices and credentials ─────────────────────────────────────────────────────────────────

  async setDevices(devices: Settings): Promise<void> {
    const micChanged = devices.microphoneId !== this.devices.microphoneId;
    this.devices = { ...devices };
    this.ringer.setDevice(devices.ringerId);
    const live = [...this.calls.values()].filter((c) => c.state !== 'ended');
    await Promise.all(live.map((c) => (c.remoteAudio ? routeToDevice(c.remoteAudio, devices.speakerId, this.logger) : undefined)));
    if (!micChanged) return;
    for (const call of live) {
      const sdh = call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
      const sender = sdh?.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
      if (!sdh || !sender) continue;
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia(this.constraints());
      } catch (error) {
        throw mediaError(error);
      }
      const track = stream.getAudioTracks()[0]!;
      track.enabled = !call.held && !call.muted;
      const old = sender.track;
      await sender.replaceTrack(track);
      if (old) {
        sdh.localMediaStream.removeTrack(old);
        old.stop();
      }
      sdh.localMediaStream.addTrack(track);
    }
  }

  updateTurnCredentials(credentials: TurnCredentials): void {
    if (this.session) this.session = { ...this.session, turn: credentials };
    this.iceServers = iceServersFrom(credentials);
    for (const call of this.calls.values()) {
      const pc = (call.session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined)?.peerConnection;
      if (pc) pc.setConfiguration({ ...pc.getConfiguration(), iceServers: this.iceServers });
    }
  }

  handleSystemTransition(kind: 'suspend' | 'resume' | 'network-changed'): void {
    if (kind === 'suspend' || !this.session) return;
    // Don't wait for the WebSocket keep-alive to notice: reconnect/re-register right away.
    this.connection.reconnectNow();
    // The old 5-tuple may be gone (new Wi-Fi, VPN up): restart ICE on every live call.
    for (const call of this.calls.values()) {
      if (call.state !== 'active' && call.state !== 'connecting') continue;
      void call.session
        .invite({
          sessionDescriptionHandlerOptions: {
            hold: call.held,
            constraints: this.constraints(),
            offerOptions: { iceRestart: true },
          } satisfies Web.SessionDescriptionHandlerOptions as object,
        })
        .catch((error: unknown) => this.logger.write('warn', 'calling', `ICE restart of call ${call.id} failed: ${String(error)}`));
    }
  }

  private constraints(): MediaStreamConstraints {
    return microphoneConstraints(this.devices.microphoneId, this.audioProcessing);
  }

  /** Nothing the server sends may take the core down: log and carry on. */
  private guard(what: string, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.write('error', 'calling', `${what} failed: ${String(error)}`);
    }
  }
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
