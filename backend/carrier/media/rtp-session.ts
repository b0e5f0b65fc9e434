/**
 * One call's RTP stream: sends a 20 ms packet per tick from its source (tone or silence), or
 * reflects what it hears (echo) with its own SSRC, sequence numbers and timestamps; decodes
 * what arrives into the meter and the recording; turns RFC 4733 packets into digits; sends
 * DTMF on request. Hold is the direction: nothing is sent unless the direction allows it.
 */
import type dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { CodecName, Direction, NegotiatedMedia } from '../sdp.js';
import { AudioMeter, type AudioReading } from './audio-meter.js';
import { decodeG711, encodeG711 } from './g711.js';
import { parseTelephoneEvent, planDigitPackets, TelephoneEventDeduplicator, type EventPacketPlan } from './rfc4733.js';
import { parseRtp, serializeRtp } from './rtp-packet.js';
import { SAMPLE_RATE } from './tone.js';

export const PACKET_MS = 20;
const SAMPLES_PER_PACKET = (SAMPLE_RATE * PACKET_MS) / 1000;
/** Most packets sent at once when the event loop was late (more would be a burst, not audio). */
const MAX_BURST = 5;
/** Silence between two RFC 4733 digits, so a receiver sees two presses. */
const INTER_DIGIT_PACKETS = 3;
const STATIC_PAYLOAD: Record<number, CodecName> = { 0: 'PCMU', 8: 'PCMA' };

type QueuedEventPacket = EventPacketPlan & { gap?: true; done?: (err?: Error) => void };

export type MediaSource = { kind: 'generator'; next(count: number): Int16Array } | { kind: 'echo' };

export interface RtpSessionEvents {
  onDigit(digit: string): void;
  onAudio(samples: Int16Array): void;
}

export interface ReceivedStats extends AudioReading {
  readonly packets: number;
  readonly codec: CodecName | null;
}

export class RtpSession {
  private media?: NegotiatedMedia;
  private readonly ssrc = randomInt(1, 0xffffffff);
  private sequence = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 0xffffffff);
  private clock?: NodeJS.Timeout;
  private clockStart = 0;
  private clockStoppedAt?: number;
  private ticksSent = 0;
  /** Queued DTMF packets; `done` on the last one of a request settles its promise. */
  private readonly pendingEvents: QueuedEventPacket[] = [];
  private eventTimestamp?: number;
  /** RFC 3551 §4.1: the first packet of a talkspurt (stream start, or resume) has the marker set. */
  private talkspurtStart = true;
  private readonly meter = new AudioMeter();
  private readonly dtmf: TelephoneEventDeduplicator;
  private receivedPackets = 0;
  private receivedCodec: CodecName | null = null;
  packetsSent = 0;
  /** Packets the kernel refused (e.g. no route, unresolvable peer): shown in the call view. */
  sendErrors = 0;

  constructor(
    private readonly socket: dgram.Socket,
    readonly localPort: number,
    private readonly source: MediaSource,
    private readonly events: RtpSessionEvents,
    /** Telephone-event payload type we advertised (the peer sends digits with it). */
    private readonly localEventPayloadType: number,
  ) {
    this.dtmf = new TelephoneEventDeduplicator((d) => events.onDigit(d));
    socket.on('message', (data) => this.receive(data));
    // An unreachable or unresolvable peer must cost packets, not the process.
    socket.on('error', () => this.sendErrors++);
  }

  get direction(): Direction {
    return this.media?.localDirection ?? 'inactive';
  }

  /** Applies a (re-)negotiation; starts or stops the send clock as the direction allows. */
  configure(media: NegotiatedMedia): void {
    const wasSending = this.canSend();
    this.media = media;
    if (!wasSending && this.canSend()) this.talkspurtStart = true;
    const mustTick = this.canSend() && this.source.kind === 'generator';
    if (mustTick) this.startClock();
    if (!mustTick && this.clock && this.pendingEvents.length === 0) this.stopClock();
  }

  /** Queues RFC 4733 packets for `digits` on the 20 ms clock; resolves once all are sent. */
  sendDigits(digits: string): Promise<void> {
    if (this.media?.telephoneEventPayloadType === undefined) {
      return Promise.reject(new Error('the peer did not accept telephone-event (RFC 4733)'));
    }
    const packets: QueuedEventPacket[] = [...digits].flatMap((d) => [
      ...planDigitPackets(d),
      ...Array.from({ length: INTER_DIGIT_PACKETS }, () => ({ payload: Buffer.alloc(0), marker: false, gap: true as const })),
    ]);
    const done = new Promise<void>((resolve, reject) => {
      packets[packets.length - 1] = { ...packets[packets.length - 1]!, done: (err) => (err ? reject(err) : resolve()) };
    });
    this.pendingEvents.push(...packets);
    this.startClock();
    return done;
  }

  received(): ReceivedStats {
    return { packets: this.receivedPackets, codec: this.receivedCodec, ...this.meter.read() };
  }

  close(): void {
    this.stopClock();
    for (const e of this.pendingEvents.splice(0)) e.done?.(new Error('the call ended before the digits were sent'));
    this.dtmf.flush();
    this.socket.removeAllListeners('message');
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private canSend(): boolean {
    return this.direction === 'sendrecv' || this.direction === 'sendonly';
  }

  private startClock(): void {
    if (this.clock) return;
    const now = performance.now();
    // The media clock kept running while we were silent (hold): timestamps say so (RFC 3550 §5.1).
    if (this.clockStoppedAt !== undefined) {
      this.timestamp = (this.timestamp + Math.round(((now - this.clockStoppedAt) * SAMPLE_RATE) / 1000)) >>> 0;
    }
    this.clockStart = now;
    this.ticksSent = 0;
    this.clock = setInterval(() => this.tick(), PACKET_MS);
  }

  private stopClock(): void {
    if (this.clock) clearInterval(this.clock);
    this.clock = undefined;
    this.clockStoppedAt = performance.now();
  }

  /** Sends every packet that is due since the clock started (timers drift; the count does not). */
  private tick(): void {
    const due = Math.floor((performance.now() - this.clockStart) / PACKET_MS) - this.ticksSent;
    if (due <= 0) return;
    // After a long stall, catch up by at most MAX_BURST packets; the rest are skipped, but their
    // time still passes in the timestamps.
    const burst = Math.min(due, MAX_BURST);
    for (let i = 0; i < burst; i++) this.sendOnePacket();
    this.timestamp = (this.timestamp + (due - burst) * SAMPLES_PER_PACKET) >>> 0;
    this.ticksSent += due;
    const generatorRuns = this.canSend() && this.source.kind === 'generator';
    if (!generatorRuns && this.pendingEvents.length === 0) this.stopClock();
  }

  private sendOnePacket(): void {
    const media = this.media;
    if (!media) return;
    const event = this.pendingEvents.shift();
    event?.done?.();
    if (event && !event.gap && media.telephoneEventPayloadType !== undefined) {
      if (event.marker) this.eventTimestamp = this.timestamp;
      this.transmit(media.telephoneEventPayloadType, event.marker, this.eventTimestamp ?? this.timestamp, event.payload);
      this.timestamp = (this.timestamp + SAMPLES_PER_PACKET) >>> 0;
      return;
    }
    if (this.source.kind === 'generator' && this.canSend()) {
      this.sendAudio(this.source.next(SAMPLES_PER_PACKET));
    } else {
      this.timestamp = (this.timestamp + SAMPLES_PER_PACKET) >>> 0;
    }
  }

  private sendAudio(samples: Int16Array): void {
    const media = this.media!;
    this.transmit(media.payloadType, this.talkspurtStart, this.timestamp, encodeG711(media.codec, samples));
    this.talkspurtStart = false;
    this.timestamp = (this.timestamp + samples.length) >>> 0;
  }

  private transmit(payloadType: number, marker: boolean, timestamp: number, payload: Buffer): void {
    const media = this.media!;
    const packet = serializeRtp({ payloadType, marker, sequence: this.sequence, timestamp, ssrc: this.ssrc, payload });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.packetsSent++;
    this.socket.send(packet, media.remotePort, media.remoteAddress, (err) => {
      if (err) this.sendErrors++;
    });
  }

  private receive(data: Buffer): void {
    const packet = parseRtp(data);
    if (!packet) return;
    const eventPts = [this.localEventPayloadType, this.media?.telephoneEventPayloadType];
    if (eventPts.includes(packet.payloadType)) {
      const e = parseTelephoneEvent(packet.payload);
      if (e) this.dtmf.receive(packet.ssrc, packet.timestamp, e);
      return;
    }
    const law = STATIC_PAYLOAD[packet.payloadType] ?? (packet.payloadType === this.media?.payloadType ? this.media.codec : undefined);
    if (!law) return;
    this.receivedPackets++;
    this.receivedCodec = law;
    const samples = decodeG711(law, packet.payload);
    this.meter.push(samples);
    this.events.onAudio(samples);
    if (this.source.kind === 'echo' && this.canSend() && this.pendingEvents.length === 0) this.sendAudio(samples);
  }
}
