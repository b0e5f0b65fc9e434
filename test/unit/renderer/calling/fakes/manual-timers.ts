import type { Clock, TimerHandle } from '../../../../../common/timers.js';
import { settle } from './event-loop.js';

interface Pending {
  readonly handle: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * The calling core's clock, moved by the test: `advance(ms)` fires what falls due, in order.
 * Only the core's own timers run on it (SIP.js keeps its protocol timers on the real clock).
 */
export class ManualTimers implements Clock {
  private time = 0;
  private nextHandle = 1;
  private pending: Pending[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = this.nextHandle++;
    this.pending.push({ handle, at: this.time + ms, callback });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.handle !== handle);
  }

  /** Delays (from now) of the timers still waiting, soonest first. */
  delays(): number[] {
    return this.pending.map((p) => p.at - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock forward, firing each timer that falls due; lets promises settle after each and at the end. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = this.pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.handle - b.handle)[0];
      if (!due) break;
      this.pending = this.pending.filter((p) => p !== due);
      this.time = due.at;
      due.callback();
      await settle();
    }
    this.time = until;
    await settle();
  }
}
