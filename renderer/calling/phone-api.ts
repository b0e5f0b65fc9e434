import type { Session, TurnCredentials, Settings } from '../../common/contract/index.js';

/**
 * The calling core's public face: everything the React UI (and nothing else) uses. The core owns
 * SIP.js, WebRTC, media elements and stats; it never imports React. The UI subscribes to
 * snapshots and calls the commands; commands reject with a `PhoneError` carrying a user-readable
 * message.
 */

export type RegistrationFailure =
  | 'wrong-credentials' // 401/403 after digest: the password or username is wrong
  | 'locked' // 403 Locked + Retry-After: too many failed sign-ins; retried after the server's delay
  | 'insecure-transport' // ws:// to a server that is not this computer: refused, never retried
  | 'unreachable' // WebSocket could not connect (server down, port closed, DNS)
  | 'tls' // wss:// handshake failed (certificate untrusted or expired)
  | 'websocket-blocked' // TCP reached something that refused the upgrade (proxy, firewall)
  | 'server-error' // 5xx or an unexpected response
  | 'network-lost'; // was registered, transport dropped; reconnecting

export type RegistrationState =
  | { kind: 'unregistered' }
  | { kind: 'connecting' }
  | { kind: 'registered'; since: number }
  | { kind: 'failed'; reason: RegistrationFailure; message: string; retryInMs: number | null };

export type CallDirection = 'outbound' | 'inbound';

export type CallState =
  | 'dialing' // INVITE sent, no provisional response yet
  | 'ringing' // outbound: 180/183 received; inbound: ringing locally
  | 'connecting' // answered, media not yet flowing
  | 'active'
  | 'ended';

export type CallEndReason =
  | 'local-hangup'
  | 'remote-hangup'
  | 'cancelled' // we cancelled before answer
  | 'declined' // inbound declined by us, or 603 from far end
  | 'busy' // 486/600
  | 'no-answer' // 408/480 or our ring timeout
  | 'missed' // inbound, caller cancelled before we answered
  | 'transferred' // we blind-transferred the far end away
  | 'not-found' // 404/604
  | 'failed'; // anything else (message says what)

export interface CallSnapshot {
  readonly id: string;
  /** The SIP Call-ID, as the backend's call record has it: what quality summaries are filed under. */
  readonly sipCallId: string;
  readonly direction: CallDirection;
  /** The far end as dialled / as presented (number or colleague username). */
  readonly peer: string;
  readonly peerDisplayName: string | null;
  readonly state: CallState;
  readonly muted: boolean;
  /** We put the call on hold. */
  readonly held: boolean;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly endReason: CallEndReason | null;
  /**
   * User-readable status, e.g. "Busy — the number you called is busy"; during a live call, what
   * is being done about its media ("Network changed — reconnecting audio…").
   */
  readonly message: string | null;
  /** Sending from the system default: the microphone the call asked for could not be opened. */
  readonly microphoneFallback: boolean;
}

export interface PhoneSnapshot {
  readonly registration: RegistrationState;
  readonly calls: readonly CallSnapshot[];
}

/**
 * One reading of a call's RTCPeerConnection.getStats, summarised (call-stats.ts). Counters are
 * cumulative since the call began; the quality sampler (quality-sample.ts) turns two readings into
 * the figures of the interval between them.
 */
export interface CallStats {
  /** The report's own clock (RTCStats.timestamp, ms); 0 when the report had no audio records. */
  readonly timestampMs: number;
  readonly codec: string | null; // e.g. "opus/48000", "PCMU/8000"
  readonly inboundAudioLevel: number; // 0..1, of the far end's audio as played
  readonly outboundAudioLevel: number; // 0..1, of our microphone as sent
  readonly packetsReceived: number;
  readonly packetsSent: number;
  readonly packetsLost: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** Samples the jitter buffer had to invent (loss or late packets), and all samples played. */
  readonly concealedSamples: number;
  readonly totalSamplesReceived: number;
  readonly jitterMs: number | null;
  readonly rttMs: number | null;
  /** ICE candidate types of the selected pair: host, srflx, prflx, relay. */
  readonly localCandidateType: string | null;
  readonly remoteCandidateType: string | null;
}

export class PhoneError extends Error {
  constructor(
    readonly code: 'invalid-target' | 'not-registered' | 'no-such-call' | 'invalid-state' | 'media',
    message: string,
  ) {
    super(message);
    this.name = 'PhoneError';
  }
}

export interface Phone {
  /** Connects and registers with the session's credentials; resolves once the attempt settles. */
  start(session: Session): Promise<void>;
  stop(): Promise<void>;
  snapshot(): PhoneSnapshot;
  subscribe(listener: (snapshot: PhoneSnapshot) => void): () => void;

  /** `target`: a number ("5550100", "+1 555 010 0"), a colleague ("bob") or a SIP URI. */
  call(target: string): Promise<string>;
  answer(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  /** Hangs up an active call or cancels one still ringing out. */
  hangup(callId: string): Promise<void>;
  setMuted(callId: string, muted: boolean): void;
  setHeld(callId: string, held: boolean): Promise<void>;
  /** RFC 4733 when negotiated, SIP INFO otherwise. Digits: 0-9 * # A-D. */
  sendDtmf(callId: string, digits: string): Promise<void>;
  /** Blind transfer (REFER); resolves when the far end accepted it. */
  transfer(callId: string, target: string): Promise<void>;
  /**
   * `listener` gets every `every`-th reading of the call's stats (one every STATS_SAMPLE_MS,
   * stats-sampler.ts: `every` 5 is one a second), from its answer until it ends or the returned
   * function is called. The call's one getStats loop serves these and its own media recovery.
   */
  watchStats(callId: string, every: number, listener: (stats: CallStats) => void): () => void;

  setDevices(devices: Settings): Promise<void>;
  updateTurnCredentials(credentials: TurnCredentials): void;
  /**
   * The host saw the machine suspend/resume or the network change (host event
   * `system.transition`): re-register now and restart ICE on live calls instead of waiting for
   * the WebSocket to time out. Optional (added by the UI side); the UI calls it when present.
   */
  handleSystemTransition?(kind: 'suspend' | 'resume' | 'network-changed'): void;
}
