import { UserAgent, type Invitation, type SessionDescriptionHandlerFactory, type URI, type UserAgentOptions } from 'sip.js';
import { SettingsSchema, type Session, type Settings, type TurnCredentials } from '../../common/contract/index.js';
import { domRemoteAudio, Ringer, type CallRinger, type RemoteAudioPlayer } from './audio-output.js';
import { probeEndpoint, type EndpointProber } from './endpoint-probe.js';
import { guarded, silentLogger, type CallingLogger } from './logging.js';
import { webRtcMediaHandlerFactory } from './media-handler-factory.js';
import { iceServersFrom, microphoneConstraints } from './media-constraints.js';
import { withMicrophoneFallback } from './microphone-fallback.js';
import { PhoneCall, type PhoneCallDeps } from './phone-call.js';
import { PhoneError, type CallStats, type Phone, type PhoneSnapshot } from './phone-api.js';
import { SipConnection } from './sip-connection.js';
import { parseTarget, targetToUri } from './target.js';
import { DEFAULT_MEDIA_TIMEOUT_SECONDS } from '../../common/provisioning-api.js';
import { systemClock, type Clock } from '../../common/timers.js';

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
  /** For tests of the reconnect and re-INVITE retry waits; default Math.random. */
  random?: () => number;
  // The platform the core runs on. Defaults are the browser's; unit tests pass SIP.js-style fakes
  // (test/unit/renderer/calling/fakes/) so the core runs in plain Node.
  timers?: Clock;
  /** Default: SIP.js's WebSocket transport. */
  transportConstructor?: UserAgentOptions['transportConstructor'];
  /** Default: SIP.js's WebRTC handler with our ICE servers (media-handler-factory.ts). */
  mediaHandlerFactory?: SessionDescriptionHandlerFactory;
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  remoteAudio?: RemoteAudioPlayer;
  ringer?: CallRinger;
}

/** Ended calls stay in snapshots this long so the UI can show how they ended. */
const ENDED_CALL_LINGER_MS = 4000;

/**
 * The SIP.js-backed `Phone`: the registry of calls (phone-call.ts), the snapshots the UI renders,
 * the ringer, and the devices and ICE servers every call uses. The line to the server is
 * sip-connection.ts. One instance per signed-in agent; `start` again to switch accounts.
 */
export class SipPhone implements Phone {
  private readonly logger: CallingLogger;
  private readonly audioProcessing: boolean;
  private readonly ringTimeoutMs: number;
  private readonly timers: Clock;
  private readonly ringer: CallRinger;
  private readonly connection: SipConnection;
  private readonly callDeps: PhoneCallDeps;
  private readonly listeners = new Set<(s: PhoneSnapshot) => void>();
  private readonly calls = new Map<string, PhoneCall>();

  private session: Session | null = null;
  private iceServers: RTCIceServer[] = [];
  private devices: Settings = SettingsSchema.parse({});

  constructor(options: PhoneOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.audioProcessing = options.media?.audioProcessing ?? true;
    this.ringTimeoutMs = options.ringTimeoutMs ?? 60_000;
    this.timers = options.timers ?? systemClock;
    this.ringer = options.ringer ?? new Ringer(this.logger);
    const getUserMedia = withMicrophoneFallback(
      options.getUserMedia ?? ((constraints) => navigator.mediaDevices.getUserMedia(constraints)),
      (missingId) => this.logger.write('warn', 'calling.devices', `microphone ${missingId} is not available; using the system default`),
    );
    this.connection = new SipConnection({
      logger: this.logger,
      probe: options.probe ?? probeEndpoint,
      random: options.random ?? Math.random,
      timers: this.timers,
      ...(options.transportConstructor ? { transportConstructor: options.transportConstructor } : {}),
      secrets: () => (this.session ? [this.session.password, this.session.turn.password] : []),
      sessionDescriptionHandlerFactory: options.mediaHandlerFactory ?? webRtcMediaHandlerFactory(() => this.iceServers, getUserMedia),
      onInvite: (invitation) => guarded(this.logger, 'incoming INVITE', () => this.onInvite(invitation)),
      onRegistration: () => this.notify(),
      hasLiveCalls: () => [...this.calls.values()].some((c) => c.inProgress),
      // The dialogs still name the dead connection: each live call refreshes its target, so the
      // far end's BYE, re-INVITE or INFO comes to the new one.
      onReconnected: () => {
        for (const call of this.calls.values()) call.refreshDialog();
      },
    });
    this.callDeps = {
      logger: this.logger,
      timers: this.timers,
      random: options.random ?? Math.random,
      remoteAudio: options.remoteAudio ?? domRemoteAudio(this.logger),
      getUserMedia,
      constraints: () => microphoneConstraints(this.devices.microphoneId, this.audioProcessing),
      speakerId: () => this.devices.speakerId,
      targetUri: (target) => this.targetUri(target),
      mediaTimeoutMs: () => (this.session?.config.call?.mediaTimeoutSeconds ?? DEFAULT_MEDIA_TIMEOUT_SECONDS) * 1000,
      onChange: () => {
        if (![...this.calls.values()].some((c) => c.ringingIn)) this.ringer.stop();
        this.notify();
      },
      onEnded: (call) =>
        this.timers.setTimeout(() => {
          if (this.calls.get(call.id) === call) {
            this.calls.delete(call.id);
            this.notify();
          }
        }, ENDED_CALL_LINGER_MS),
    };
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
    for (const call of this.calls.values()) call.dispose();
    this.calls.clear();
    await this.connection.stop();
    this.session = null;
    this.notify();
  }

  // ── snapshots ───────────────────────────────────────────────────────────────────────────────

  snapshot(): PhoneSnapshot {
    return { registration: this.connection.state, calls: [...this.calls.values()].map((c) => c.snapshot()) };
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
    if (!ua || !this.session || this.connection.state.kind !== 'registered') {
      throw new PhoneError('not-registered', 'Not connected to the phone server yet — wait for “Registered”, then call again.');
    }
    const uri = UserAgent.makeURI(targetToUri(parsed, this.session.config.sip.domain));
    if (!uri) throw new PhoneError('invalid-target', `“${target}” does not form a valid SIP address.`);
    const call = this.add(PhoneCall.outbound(ua, uri, target.trim(), this.callDeps));
    await call.dial(this.ringTimeoutMs);
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
    const call = this.add(PhoneCall.inbound(invitation, this.callDeps));
    this.ringer.start(this.devices.ringerId);
    call.ring();
  }

  private add(call: PhoneCall): PhoneCall {
    this.calls.set(call.id, call);
    this.notify();
    return call;
  }

  private callOrThrow(callId: string): PhoneCall {
    const call = this.calls.get(callId);
    if (!call || call.state === 'ended') throw new PhoneError('no-such-call', 'That call has already ended.');
    return call;
  }

  private targetUri(target: string): URI {
    const uri = UserAgent.makeURI(targetToUri(parseTarget(target), this.session?.config.sip.domain ?? ''));
    if (!uri) throw new PhoneError('invalid-target', `“${target}” does not form a valid SIP address.`);
    return uri;
  }

  answer(callId: string): Promise<void> {
    return this.callOrThrow(callId).answer();
  }

  decline(callId: string): Promise<void> {
    return this.callOrThrow(callId).decline();
  }

  hangup(callId: string): Promise<void> {
    return this.callOrThrow(callId).hangup();
  }

  setMuted(callId: string, muted: boolean): void {
    this.callOrThrow(callId).setMuted(muted);
  }

  setHeld(callId: string, held: boolean): Promise<void> {
    return this.callOrThrow(callId).setHeld(held);
  }

  sendDtmf(callId: string, digits: string): Promise<void> {
    return this.callOrThrow(callId).sendDtmf(digits);
  }

  transfer(callId: string, target: string): Promise<void> {
    return this.callOrThrow(callId).transfer(target);
  }

  watchStats(callId: string, every: number, listener: (stats: CallStats) => void): () => void {
    return this.callOrThrow(callId).watchStats(every, listener);
  }

  // ── devices, credentials, the machine ───────────────────────────────────────────────────────

  async setDevices(devices: Settings): Promise<void> {
    const micChanged = devices.microphoneId !== this.devices.microphoneId;
    this.devices = { ...devices };
    this.ringer.setDevice(devices.ringerId);
    const live = [...this.calls.values()].filter((c) => c.state !== 'ended');
    await Promise.all(live.map((c) => c.routeAudio(devices.speakerId)));
    if (!micChanged) return;
    for (const call of live) await call.useMicrophone();
  }

  updateTurnCredentials(credentials: TurnCredentials): void {
    if (this.session) this.session = { ...this.session, turn: credentials };
    this.iceServers = iceServersFrom(credentials);
    for (const call of this.calls.values()) call.setIceServers(this.iceServers);
  }

  handleSystemTransition(kind: 'suspend' | 'resume' | 'network-changed'): void {
    if (kind === 'suspend' || !this.session) return;
    // Don't wait for the WebSocket keep-alive to notice: reconnect/re-register right away.
    this.connection.reconnectNow();
    for (const call of this.calls.values()) call.restartIce();
  }
}
