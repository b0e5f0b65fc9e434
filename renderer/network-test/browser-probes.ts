/**
 * `PageProbes` over the browser's own APIs: getUserMedia + Web Audio for the microphone and the
 * speaker, RTCPeerConnection for ICE gathering, fetch for reachability, and a second `Phone`
 * (its own WebSocket and registration) for the test call, whose peer connection is watched for
 * the ICE and DTLS phases.
 */
import { Web, type UserAgentOptions } from 'sip.js';
import type { Session } from '../../common/contract/index.js';
import {
  createPhone,
  iceServersFrom,
  summarizeStats,
  webRtcMediaHandlerFactory,
  type CallSnapshot,
  type CallStats,
  type StatsRecord,
} from '../calling/index.js';
import { estimateMos } from '../../common/quality/mos.js';
import type { CandidateSeen, MicrophoneSample, PageProbes, TestCallResult } from './page-probes.js';

const WINDOW_MS = 50;
/** How long the test call listens to the echo before it reads the stats. */
const LISTEN_MS = 2500;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function rms(analyser: AnalyserNode, buffer: Float32Array<ArrayBuffer>): number {
  analyser.getFloatTimeDomainData(buffer);
  let sum = 0;
  for (const x of buffer) sum += x * x;
  return Math.sqrt(sum / buffer.length);
}

/** Calls `sample` every WINDOW_MS for `ms`, collecting what it returns. */
async function sampleFor(ms: number, sample: () => number): Promise<number[]> {
  const levels: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await sleep(WINDOW_MS);
    levels.push(sample());
  }
  return levels;
}

function meter(ctx: AudioContext, stream: MediaStream): () => number {
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const buffer = new Float32Array(analyser.fftSize);
  return () => rms(analyser, buffer);
}

async function listenToMicrophone(deviceId: string, ms: number): Promise<MicrophoneSample> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      ...(deviceId !== 'default' ? { deviceId: { exact: deviceId } } : {}),
      echoCancellation: false,
      noiseSuppression: false,
      autoGainControl: false,
    },
  });
  const ctx = new AudioContext();
  try {
    const track = stream.getAudioTracks()[0]!;
    const levels = await sampleFor(ms, meter(ctx, stream));
    return { device: track.label, levels, muted: track.muted || track.readyState === 'ended' || !track.enabled };
  } finally {
    for (const t of stream.getTracks()) t.stop();
    await ctx.close();
  }
}

async function playTestTone(sinkId: string, ms: number): Promise<{ device: string; playedMs: number }> {
  const ctx = new AudioContext();
  try {
    const osc = ctx.createOscillator();
    osc.frequency.value = 440;
    const gain = ctx.createGain();
    gain.gain.value = 0.2;
    const dest = ctx.createMediaStreamDestination();
    osc.connect(gain).connect(dest);
    const audio = new Audio();
    audio.srcObject = dest.stream;
    if (sinkId !== 'default') await audio.setSinkId(sinkId);
    osc.start();
    const t0 = performance.now();
    await audio.play();
    await sleep(ms);
    audio.pause();
    osc.stop();
    const outputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput');
    const device =
      outputs.find((d) => d.deviceId === (sinkId || 'default'))?.label || (sinkId === 'default' ? 'the default speaker' : sinkId);
    return { device, playedMs: performance.now() - t0 };
  } finally {
    await ctx.close();
  }
}

async function fetchTimed(url: string, timeoutMs: number): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { cache: 'no-store', credentials: 'omit', redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return { status: res.status, ms: performance.now() - t0 };
}

async function gatherCandidates(servers: RTCIceServer[], relayOnly: boolean, timeoutMs: number): Promise<CandidateSeen[]> {
  const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
  const seen: CandidateSeen[] = [];
  try {
    pc.createDataChannel('probe');
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pc.onicecandidate = (e) => {
        if (!e.candidate) {
          clearTimeout(timer);
          return resolve();
        }
        const c = e.candidate;
        seen.push({
          type: c.type ?? 'unknown',
          protocol: c.protocol ?? 'unknown',
          relayProtocol: (c as { relayProtocol?: string }).relayProtocol ?? null,
        });
        // One relay is the answer for a relay-only probe: no need to wait for the rest.
        if (relayOnly && c.type === 'relay') {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    return seen;
  } finally {
    pc.close();
  }
}

/** When each phase of the test line happened (performance.now()), first occurrence only. */
interface PhaseMarks {
  connectStarted?: number;
  connected?: number;
  registerSent?: number;
  registered?: number;
  inviteSent?: number;
  answered?: number;
}

const firstLine = (message: string) => message.slice(0, message.indexOf('\r\n'));
const cseqMethod = (message: string) => /\r\nCSeq:\s*\d+\s+(\w+)/i.exec(message)?.[1]?.toUpperCase();

/**
 * SIP.js's WebSocket transport, timestamping what passes through it: the WebSocket connect, the
 * first REGISTER and its 200 (the digest challenge in between counts), the INVITE and its 200.
 */
function timedTransport(marks: PhaseMarks): UserAgentOptions['transportConstructor'] {
  return class TimedTransport extends Web.Transport {
    constructor(...args: ConstructorParameters<typeof Web.Transport>) {
      super(...args);
      // Incoming frames are seen where the WebSocket hands them over, before SIP.js parses them
      // (wrapping `onMessage` instead would loop with the phone's own wrapper of it).
      const self = this as unknown as { onWebSocketMessage(ev: MessageEvent, ws: WebSocket): void };
      const deliver = self.onWebSocketMessage.bind(this);
      self.onWebSocketMessage = (ev, ws) => {
        if (typeof ev.data === 'string' && /^SIP\/2\.0 200 /.test(firstLine(ev.data))) {
          const method = cseqMethod(ev.data);
          if (method === 'REGISTER') marks.registered ??= performance.now();
          if (method === 'INVITE') marks.answered ??= performance.now();
        }
        deliver(ev, ws);
      };
    }
    override async connect(): Promise<void> {
      marks.connectStarted ??= performance.now();
      await super.connect();
      marks.connected ??= performance.now();
    }
    override send(message: string): Promise<void> {
      const method = /^(\w+) /.exec(message)?.[1];
      if (method === 'REGISTER') marks.registerSent ??= performance.now();
      if (method === 'INVITE') marks.inviteSent ??= performance.now();
      return super.send(message);
    }
  };
}

const between = (from: number | undefined | null, to: number | undefined | null) =>
  from === undefined || from === null || to === undefined || to === null ? null : Math.max(0, to - from);

/**
 * Resolves the time at which `pc` reaches one of `states` on `prop` (after having been in `via`,
 * when given), null if it does not within `ms`.
 */
function whenState(
  pc: RTCPeerConnection,
  prop: 'iceConnectionState' | 'connectionState' | 'signalingState',
  states: string[],
  ms: number,
  via?: string,
): Promise<number | null> {
  const event = {
    iceConnectionState: 'iceconnectionstatechange',
    connectionState: 'connectionstatechange',
    signalingState: 'signalingstatechange',
  }[prop];
  let passedVia = via === undefined || pc[prop] === via;
  return new Promise((resolve) => {
    if (passedVia && states.includes(pc[prop])) return resolve(performance.now());
    const timer = setTimeout(() => resolve(null), ms);
    const on = () => {
      if (pc[prop] === via) passedVia = true;
      if (!passedVia || !states.includes(pc[prop])) return;
      clearTimeout(timer);
      pc.removeEventListener(event, on);
      resolve(performance.now());
    };
    pc.addEventListener(event, on);
  });
}

async function testCall(session: Session, number: string, microphoneId: string): Promise<TestCallResult> {
  const marks: PhaseMarks = {};
  let pc: RTCPeerConnection | null = null;
  let remoteSdpAt: Promise<number | null> = Promise.resolve(null);
  let iceAt: Promise<number | null> = Promise.resolve(null);
  let dtlsAt: Promise<number | null> = Promise.resolve(null);
  const phone = createPhone({
    transportConstructor: timedTransport(marks),
    mediaHandlerFactory: webRtcMediaHandlerFactory(
      () => iceServersFrom(session.turn),
      (constraints) => navigator.mediaDevices.getUserMedia(constraints),
      (made) => {
        pc = made;
        // ICE starts when the far end's SDP is applied (a 183's or the 200's), DTLS when ICE connected.
        remoteSdpAt = whenState(made, 'signalingState', ['stable', 'have-remote-pranswer'], 6000, 'have-local-offer');
        iceAt = whenState(made, 'iceConnectionState', ['connected', 'completed'], 6000);
        dtlsAt = whenState(made, 'connectionState', ['connected'], 6000);
      },
    ),
    // The echo answers after a short ring; a test call never rings for long. Its audio plays
    // (the browser reports the received level only for audio that plays).
    ringTimeoutMs: 5000,
  });
  try {
    await phone.start(session);
    const registration = phone.snapshot().registration;
    if (registration.kind !== 'registered')
      throw new Error(registration.kind === 'failed' ? registration.message : 'the test line did not register');
    await phone.setDevices({ microphoneId, speakerId: 'default', ringerId: 'default' });
    const callId = await phone.call(number);
    await new Promise<void>((resolve, reject) => {
      let stop = () => {};
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        stop();
        settle();
      };
      const check = (calls: readonly CallSnapshot[]) => {
        const call = calls.find((c) => c.id === callId);
        if (call?.answeredAt) finish(resolve);
        else if (call?.state === 'ended') finish(() => reject(new Error(call.message ?? 'the echo number did not answer')));
      };
      const timer = setTimeout(() => finish(() => reject(new Error('the echo number did not answer within 6 s'))), 6000);
      stop = phone.subscribe((snap) => check(snap.calls));
      check(phone.snapshot().calls);
    });
    const [remoteSdp, iceDone, dtlsDone] = await Promise.all([remoteSdpAt, iceAt, dtlsAt]);
    await sleep(LISTEN_MS);
    const records = pc ? ([...(await (pc as RTCPeerConnection).getStats()).values()] as StatsRecord[]) : [];
    const stats = summarizeStats(records);
    const transport = records.find((r) => r.type === 'transport');
    const pair = records.find((r) => r.id === transport?.['selectedCandidatePairId']);
    const local = pair ? records.find((r) => r.id === pair['localCandidateId']) : undefined;
    const pairRtt = typeof pair?.['currentRoundTripTime'] === 'number' ? (pair['currentRoundTripTime'] as number) * 1000 : null;
    await phone.hangup(callId).catch(() => {});
    return {
      websocketMs: between(marks.connectStarted, marks.connected) ?? 0,
      registerMs: between(marks.registerSent, marks.registered) ?? 0,
      inviteToAnswerMs: between(marks.inviteSent, marks.answered) ?? 0,
      iceMs: between(remoteSdp, iceDone),
      dtlsMs: between(iceDone, dtlsDone),
      relayed: local ? local['candidateType'] === 'relay' : null,
      rttMs: stats.rttMs ?? pairRtt,
      jitterMs: stats.jitterMs,
      packetsLost: stats.packetsLost,
      packetsReceived: stats.packetsReceived,
      // The whole listening window is one interval: MOS from its loss, with the codec's E-model values.
      mos: echoMos(stats, stats.rttMs ?? pairRtt),
      echoLevel: stats.inboundAudioLevel,
      codec: stats.codec,
    };
  } finally {
    await phone.stop().catch(() => {});
  }
}

function echoMos(stats: CallStats, rttMs: number | null): number | null {
  const due = stats.packetsReceived + stats.packetsLost;
  if (due === 0 || rttMs === null) return null;
  return estimateMos({ rttMs, jitterMs: stats.jitterMs ?? 0, lossFraction: stats.packetsLost / due, codec: stats.codec });
}

export const browserProbes: PageProbes = {
  // Wall-clock ms, fractional and monotonic: the runner stamps the report's start with it.
  now: () => performance.timeOrigin + performance.now(),
  listenToMicrophone,
  playTestTone,
  fetchTimed,
  gatherCandidates,
  testCall,
};
