import type { StatsRecord } from './call-stats.js';
import type { TimerHandle, Timers } from '../../common/timers.js';

/**
 * The one reader of a call's `RTCPeerConnection.getStats()`. Every STATS_SAMPLE_MS it reads the
 * peer connection the call has at that moment (a relay recovery swaps it mid-call:
 * relay-recovery.ts) and hands the report to each subscriber whose turn it is, every `every`-th
 * reading: the inbound-audio watch of media recovery every reading (media-recovery.ts), the UI's
 * level meters every second one and its quality sample every fifth (renderer/state/controller.ts,
 * quality-monitor.ts), the way back to UDP the next one when it looks at the selected pair
 * (udp-return.ts). Why one reader: each getStats costs the renderer's main and WebRTC signalling
 * threads about 0.7 ms (bench statsSampler: getStatsUs), and the three loops that each read the same
 * peer connection made 7 calls a second for what 5 readings tell.
 *
 * A reading comes STATS_SAMPLE_MS after the last one settled, on the injected clock (so unit tests
 * step it), and only when someone's turn has come. A subscriber whose reading failed (getStats
 * rejected, no peer connection yet) gets the next one that succeeds. Stopped with its call, for good.
 */
export const STATS_SAMPLE_MS = 200;

export interface StatsReading {
  /** The peer connection that was read: the call's when it was read. */
  readonly pc: RTCPeerConnection;
  readonly records: readonly StatsRecord[];
}

interface Subscriber {
  readonly every: number;
  /** Readings still to come before this subscriber's next one; due at 0 or below. */
  toGo: number;
  readonly listener: (reading: StatsReading) => void;
}

export class StatsSampler {
  private readonly subscribers = new Set<Subscriber>();
  private timer: TimerHandle | null = null;
  private stopped = false;
  /** Those waiting in `next()`: told null if the sampler stops first. */
  private readonly waiting = new Set<(reading: StatsReading | null) => void>();

  constructor(
    /** The call's peer connection now; undefined while it has none. */
    private readonly peerConnection: () => RTCPeerConnection | undefined,
    private readonly timers: Timers,
    /** A failed read or a subscriber that threw: logged, the sampling goes on. */
    private readonly onError: (what: string, error: unknown) => void,
  ) {}

  /** `listener` gets every `every`-th reading from now on, until the returned function is called. */
  subscribe(every: number, listener: (reading: StatsReading) => void): () => void {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a whole number of readings, 1 or more (got ${every})`);
    const subscriber: Subscriber = { every, toGo: every, listener };
    this.subscribers.add(subscriber);
    return () => void this.subscribers.delete(subscriber);
  }

  /** The next reading (one taken from now on), or null once the sampler has stopped. */
  next(): Promise<StatsReading | null> {
    if (this.stopped) return Promise.resolve(null);
    return new Promise((resolve) => {
      const settle = (reading: StatsReading | null) => {
        this.waiting.delete(settle);
        unsubscribe();
        resolve(reading);
      };
      const unsubscribe = this.subscribe(1, settle);
      this.waiting.add(settle);
    });
  }

  /** Reads every STATS_SAMPLE_MS from now until `stop`. */
  start(): void {
    if (this.stopped || this.timer !== null) return;
    this.schedule();
  }

  /** The call is over: no more readings, none handed out from a read still running. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.subscribers.clear();
    for (const settle of [...this.waiting]) settle(null);
  }

  private schedule(): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      void this.read().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, STATS_SAMPLE_MS);
  }

  private async read(): Promise<void> {
    for (const subscriber of this.subscribers) subscriber.toGo -= 1;
    const due = [...this.subscribers].filter((s) => s.toGo <= 0);
    const pc = this.peerConnection();
    if (due.length === 0 || !pc) return;
    let records: StatsRecord[];
    try {
      records = [];
      (await pc.getStats()).forEach((record: StatsRecord) => records.push(record));
    } catch (error) {
      this.onError('getStats', error);
      return;
    }
    if (this.stopped) return;
    const reading: StatsReading = { pc, records };
    for (const subscriber of due) {
      subscriber.toGo = subscriber.every;
      // One that unsubscribed while getStats ran gets nothing.
      if (!this.subscribers.has(subscriber)) continue;
      try {
        subscriber.listener(reading);
      } catch (error) {
        this.onError('a stats subscriber', error);
      }
    }
  }
}
