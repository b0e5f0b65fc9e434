import type { BrowserContext, Page } from 'playwright-core';

/**
 * Test-only instrumentation: records every RTCPeerConnection the page creates, so a test can
 * measure what the agent HEARS (the received track through a WebAudio analyser: dominant
 * frequency and level) and whether packets flow, independently of the UI's own meters.
 * In-page code is plain JavaScript text so no transpiler helper leaks into the page.
 */
const RECORDER = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__e2ePeerConnections) return;
  const list = [];
  class RecordedPeerConnection extends Native {
    constructor(...args) { super(...args); list.push(this); }
  }
  Object.defineProperty(window, '__e2ePeerConnections', { value: list });
  window.RTCPeerConnection = RecordedPeerConnection;
  // Media elements that played (ringtone, remote audio), detached ones included.
  const played = [];
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (...args) {
    if (!played.includes(this)) played.push(this);
    return play.apply(this, args);
  };
  Object.defineProperty(window, '__e2eMediaPlayed', { value: played });
})();`;

export async function recordPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(RECORDER);
}

export interface HeardAudio {
  /** Strongest frequency over the window, null if silent. */
  readonly dominantHz: number | null;
  /** RMS of the received signal in dBFS (−Infinity → −200). */
  readonly rmsDbfs: number;
  /** inbound-rtp packetsReceived growth during the window. */
  readonly packetsDelta: number;
}

const MEASURE = `async (windowMs) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const pcs = (window.__e2ePeerConnections || []).filter((pc) => pc.connectionState !== 'closed');
  const pc = pcs[pcs.length - 1];
  if (!pc) throw new Error('no open RTCPeerConnection in the page');
  const receiver = pc.getReceivers().find((r) => r.track && r.track.kind === 'audio');
  if (!receiver) throw new Error('no audio receiver');
  const packets = async () => {
    let n = 0;
    (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') n = s.packetsReceived; });
    return n;
  };
  const ctx = new AudioContext();
  try {
    await ctx.resume();
    const source = ctx.createMediaStreamSource(new MediaStream([receiver.track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    source.connect(analyser);
    const p0 = await packets();
    const spectrum = new Float32Array(analyser.frequencyBinCount);
    const sum = new Float64Array(analyser.frequencyBinCount);
    const time = new Float32Array(analyser.fftSize);
    let energy = 0, samples = 0;
    await sleep(200);
    const frames = Math.max(1, Math.floor((windowMs - 200) / 100));
    for (let f = 0; f < frames; f++) {
      await sleep(100);
      analyser.getFloatFrequencyData(spectrum);
      for (let i = 0; i < spectrum.length; i++) sum[i] += Math.pow(10, spectrum[i] / 20);
      analyser.getFloatTimeDomainData(time);
      for (let i = 0; i < time.length; i++) energy += time[i] * time[i];
      samples += time.length;
    }
    const p1 = await packets();
    const rms = Math.sqrt(energy / samples);
    const rmsDbfs = rms > 0 ? 20 * Math.log10(rms) : -200;
    let best = 1;
    for (let i = 2; i < sum.length; i++) if (sum[i] > sum[best]) best = i;
    const dominantHz = rmsDbfs > -60 ? (best * ctx.sampleRate) / analyser.fftSize : null;
    return { dominantHz, rmsDbfs, packetsDelta: p1 - p0 };
  } finally {
    await ctx.close();
  }
}`;

/** What the page's current call delivers to the agent's ear over `windowMs`. */
export async function measureHeardAudio(page: Page, windowMs = 1500): Promise<HeardAudio> {
  return page.evaluate(`(${MEASURE})(${Number(windowMs)})`) as Promise<HeardAudio>;
}

/** Inbound packets so far on the page's newest call, from its getStats. */
export async function inboundPacketsReceived(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    const pcs = (window.__e2ePeerConnections || []).filter((pc) => pc.connectionState !== 'closed');
    const pc = pcs[pcs.length - 1];
    if (!pc) return 0;
    let n = 0;
    (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') n = s.packetsReceived; });
    return n;
  })()`) as Promise<number>;
}

/** mimeType of the codec the page's newest call receives with, e.g. "audio/opus". */
export async function receivingCodec(page: Page): Promise<string | null> {
  return page.evaluate(`(async () => {
    const pcs = (window.__e2ePeerConnections || []).filter((pc) => pc.connectionState !== 'closed');
    const pc = pcs[pcs.length - 1];
    if (!pc) return null;
    const stats = await pc.getStats();
    let codecId = null;
    stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') codecId = s.codecId; });
    const codec = codecId && stats.get(codecId);
    return codec ? codec.mimeType : null;
  })()`) as Promise<string | null>;
}

/** The ICE candidate pair the page's newest call sends media over (what path the audio really takes). */
export interface SelectedPath {
  /** 'host' | 'srflx' | 'prflx' | 'relay' */
  readonly localType: string;
  /** For a relay candidate: how the browser reaches its TURN server ('udp' | 'tcp' | 'tls'). */
  readonly relayProtocol: string | null;
  /** How the local candidate's own socket sends: 'udp' or 'tcp' (a relay's is the TURN server's side). */
  readonly protocol: string;
  /** The TURN server's URL that gave the relay candidate (Chromium reports it), else null. */
  readonly turnUrl: string | null;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

export async function selectedPath(page: Page): Promise<SelectedPath | null> {
  return page.evaluate(`(async () => {
    const pcs = (window.__e2ePeerConnections || []).filter((pc) => pc.connectionState !== 'closed');
    const pc = pcs[pcs.length - 1];
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
    if (!pair) stats.forEach((s) => { if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) pair = s; });
    const local = pair && stats.get(pair.localCandidateId);
    if (!local) return null;
    return {
      localType: local.candidateType,
      relayProtocol: local.relayProtocol || null,
      protocol: local.protocol,
      turnUrl: local.url || null,
      bytesSent: pair.bytesSent || 0,
      bytesReceived: pair.bytesReceived || 0,
    };
  })()`) as Promise<SelectedPath | null>;
}

export interface PlayedMedia {
  readonly kind: 'file' | 'stream';
  readonly loop: boolean;
  readonly paused: boolean;
  readonly muted: boolean;
  readonly sinkId: string;
}

/** Every media element the page has played so far, and whether it is still playing. */
export async function playedMedia(page: Page): Promise<PlayedMedia[]> {
  return page.evaluate(`(window.__e2eMediaPlayed || []).map((m) => ({
    kind: m.srcObject ? 'stream' : 'file', loop: m.loop, paused: m.paused, muted: m.muted, sinkId: m.sinkId,
  }))`) as Promise<PlayedMedia[]>;
}

export const approxHz = (measured: number | null, expected: number, tolerance = 20) =>
  measured !== null && Math.abs(measured - expected) <= tolerance;
