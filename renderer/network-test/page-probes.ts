import type { Session } from '../../common/contract/index.js';

/**
 * Everything the page's network checks measure, as one injected interface (the renderer twin of
 * main/diagnostics' `Probes`): browser-probes.ts implements it with getUserMedia, Web Audio,
 * RTCPeerConnection, fetch and a real test call; unit tests pass fakes, so the steps' verdicts
 * are pure decisions over these answers.
 */

export interface MicrophoneSample {
  /** The device's label, '' when the browser hides it. */
  readonly device: string;
  /** RMS level per 50 ms window, 0..1. */
  readonly levels: readonly number[];
  /** The track is muted by the OS or hardware (MediaStreamTrack.muted), or ended. */
  readonly muted: boolean;
}

export interface CandidateSeen {
  readonly type: string;
  readonly protocol: string;
  /** For relay candidates: how we reach the TURN server (udp, tcp, tls). */
  readonly relayProtocol: string | null;
}

/** Timings of one real call to the echo number, each phase from the end of the one before. */
export interface TestCallResult {
  readonly websocketMs: number;
  readonly registerMs: number;
  readonly inviteToAnswerMs: number;
  readonly iceMs: number | null;
  readonly dtlsMs: number | null;
  /** The selected candidate pair's local candidate is a relay: the call needed TURN. */
  readonly relayed: boolean | null;
  readonly rttMs: number | null;
  readonly jitterMs: number | null;
  readonly packetsLost: number;
  readonly packetsReceived: number;
  readonly mos: number | null;
  /** RMS of what came back from the echo, 0..1 (the far end heard us and we heard it). */
  readonly echoLevel: number;
  readonly codec: string | null;
}

export interface PageProbes {
  now(): number;
  listenToMicrophone(deviceId: string, ms: number): Promise<MicrophoneSample>;
  /** Plays a short tone on the output device; resolves with what played where. */
  playTestTone(sinkId: string, ms: number): Promise<{ device: string; playedMs: number }>;
  /** GET with a deadline; rejects when nothing answered. */
  fetchTimed(url: string, timeoutMs: number): Promise<{ status: number; ms: number }>;
  /** Gathers ICE candidates with these servers; `relayOnly` asks for relay candidates only. */
  gatherCandidates(servers: RTCIceServer[], relayOnly: boolean, timeoutMs: number): Promise<CandidateSeen[]>;
  /** A real call to `number` on a line of its own (connect, register, call, listen, hang up). */
  testCall(session: Session, number: string, microphoneId: string): Promise<TestCallResult>;
}
