/**
 * The media half of a call: its RTP session, its recording, and its side of the SDP
 * offer/answer. The signalling half (call.ts) hands it SDP bodies and gets SDP bodies back.
 */
import { join } from 'node:path';
import { mediaSourceFor, type MediaMode } from './behaviours.js';
import { LocalSdp } from './local-sdp.js';
import type { MediaPortAllocator } from './media/port-allocator.js';
import { RtpSession, type ReceivedStats } from './media/rtp-session.js';
import { SAMPLE_RATE } from './media/tone.js';
import { WavWriter } from './media/wav-writer.js';
import { negotiateAnswer, OFFERED_CODECS, parseSdp, TELEPHONE_EVENT_PT, type Direction } from './sdp.js';

export interface CallMediaOptions {
  readonly callId: string;
  readonly mode: MediaMode;
  readonly toneHz?: number;
  readonly localAddress: string;
  readonly mediaPorts: MediaPortAllocator;
  readonly recordingsDir: string;
  onDigit(digit: string): void;
}

export type SdpOutcome = { ok: true; body: Buffer } | { ok: false; reason: string };

export const NO_AUDIO: ReceivedStats = { packets: 0, codec: null, rmsDbfs: null, dominantHz: null };

/** Characters allowed in a recording's file name; anything else in a Call-ID becomes `_`. */
export const recordingFileName = (callId: string) => `${callId.replace(/[^A-Za-z0-9._@-]/g, '_').replace(/^\.+/, '_')}.wav`;

export class CallMedia {
  private readonly sdp = new LocalSdp();
  /** What we want to do: sendrecv, or sendonly while we hold the peer. */
  private wanted: Direction = 'sendrecv';

  private constructor(
    private readonly opts: CallMediaOptions,
    private readonly rtp: RtpSession,
    private readonly recording: WavWriter,
  ) {}

  /** Binds an RTP port and opens the recording; undefined if the call ended meanwhile. */
  static async open(opts: CallMediaOptions, stillWanted: () => boolean): Promise<CallMedia | undefined> {
    const { socket, port } = await opts.mediaPorts.bind();
    if (!stillWanted()) {
      socket.close();
      return undefined;
    }
    const recording = new WavWriter(join(opts.recordingsDir, recordingFileName(opts.callId)), SAMPLE_RATE);
    const rtp = new RtpSession(
      socket,
      port,
      mediaSourceFor(opts.mode, opts.toneHz),
      { onDigit: (d) => opts.onDigit(d), onAudio: (samples) => recording.write(samples) },
      TELEPHONE_EVENT_PT,
    );
    return new CallMedia(opts, rtp, recording);
  }

  /** Our offer: every codec we speak, in the direction we want. */
  offer(): Buffer {
    return this.describe(this.wanted, [...OFFERED_CODECS], TELEPHONE_EVENT_PT);
  }

  /** Answers the peer's offer and starts/updates media accordingly. */
  answer(offerBody: Buffer): SdpOutcome {
    const offer = parseSdp(offerBody.toString('utf8'));
    const result = offer ? negotiateAnswer(offer, this.wanted) : undefined;
    if (!result?.ok) return { ok: false, reason: result?.reason ?? 'unreadable SDP' };
    const m = result.media;
    this.rtp.configure(m);
    return { ok: true, body: this.describe(m.localDirection, [{ pt: m.payloadType, name: m.codec }], m.telephoneEventPayloadType) };
  }

  /** Applies the peer's answer to our offer; false (media unchanged) if it is unusable. */
  applyAnswer(answerBody: Buffer): boolean {
    const answer = parseSdp(answerBody.toString('utf8'));
    const result = answer ? negotiateAnswer(answer, this.wanted) : undefined;
    if (result?.ok) this.rtp.configure(result.media);
    return result?.ok ?? false;
  }

  /** Sets what the next offer asks for; returns the previous wish (to restore on failure). */
  want(direction: Direction): Direction {
    const previous = this.wanted;
    this.wanted = direction;
    return previous;
  }

  sendDigits(digits: string): Promise<void> {
    return this.rtp.sendDigits(digits);
  }

  get direction(): Direction {
    return this.rtp.direction;
  }

  get sentPackets(): number {
    return this.rtp.packetsSent;
  }

  get sendErrors(): number {
    return this.rtp.sendErrors;
  }

  get recordingPath(): string {
    return this.recording.path;
  }

  received(): ReceivedStats {
    return this.rtp.received();
  }

  close(): void {
    this.rtp.close();
    this.recording.close();
  }

  private describe(direction: Direction, codecs: { pt: number; name: 'PCMU' | 'PCMA' }[], tePt: number | undefined): Buffer {
    return this.sdp.describe({
      address: this.opts.localAddress,
      port: this.rtp.localPort,
      direction,
      codecs,
      telephoneEventPayloadType: tePt,
    });
  }
}
