/**
 * RFC 4733 telephone-events (DTMF over RTP): payload codec, the de-duplication that turns the
 * stream of packets of one key press (several updates + three redundant end packets, all with
 * the event's start timestamp) into exactly one digit, and the packet plan for sending one.
 */
export const DTMF_EVENTS = '0123456789*#ABCD';

export interface TelephoneEvent {
  readonly event: number;
  readonly end: boolean;
  readonly volume: number;
  readonly duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function serializeTelephoneEvent(e: TelephoneEvent): Buffer {
  return Buffer.from([e.event & 0xff, (e.end ? 0x80 : 0) | (e.volume & 0x3f), (e.duration >> 8) & 0xff, e.duration & 0xff]);
}

export function digitForEvent(event: number): string | undefined {
  return DTMF_EVENTS[event];
}

export function eventForDigit(digit: string): number | undefined {
  const i = DTMF_EVENTS.indexOf(digit.toUpperCase());
  return i < 0 ? undefined : i;
}

/**
 * Emits each key press once. An event is identified by (SSRC, RTP timestamp): it is counted on
 * its first end packet; if its end packets were all lost, it is counted when a packet of a
 * different event arrives, or on `flush()`.
 */
export class TelephoneEventDeduplicator {
  private current?: { key: string; event: number; counted: boolean };
  private readonly recentlyCounted: string[] = [];

  constructor(private readonly onDigit: (digit: string) => void) {}

  receive(ssrc: number, timestamp: number, e: TelephoneEvent): void {
    const key = `${ssrc}:${timestamp}:${e.event}`;
    if (this.recentlyCounted.includes(key)) return; // late redundant end packet
    if (this.current && this.current.key !== key) this.flush();
    if (!this.current) this.current = { key, event: e.event, counted: false };
    if (e.end) this.count();
  }

  flush(): void {
    if (this.current && !this.current.counted) this.count();
    this.current = undefined;
  }

  private count(): void {
    const c = this.current;
    if (!c || c.counted) return;
    c.counted = true;
    this.recentlyCounted.push(c.key);
    if (this.recentlyCounted.length > 16) this.recentlyCounted.shift();
    const digit = digitForEvent(c.event);
    if (digit) this.onDigit(digit);
    this.current = undefined;
  }
}

export interface EventPacketPlan {
  readonly payload: Buffer;
  readonly marker: boolean;
}

/**
 * The 20 ms packets that send one digit: updates with growing duration, then the final
 * duration three times with the end bit (RFC 4733 §2.5.1.4). All share the start timestamp.
 */
export function planDigitPackets(digit: string, durationMs = 100, volume = 10, sampleRate = 8000): EventPacketPlan[] {
  const event = eventForDigit(digit);
  if (event === undefined) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)} (use 0-9 * # A-D)`);
  const step = (sampleRate * 20) / 1000;
  const updates = Math.max(1, Math.round(durationMs / 20));
  const out: EventPacketPlan[] = [];
  for (let i = 1; i <= updates; i++) {
    out.push({ payload: serializeTelephoneEvent({ event, end: false, volume, duration: i * step }), marker: i === 1 });
  }
  for (let i = 0; i < 3; i++) {
    out.push({ payload: serializeTelephoneEvent({ event, end: true, volume, duration: updates * step }), marker: false });
  }
  return out;
}
