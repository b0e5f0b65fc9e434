import type { Clock, TimerHandle } from '../../common/timers.js';

/**
 * One call's re-INVITEs, one at a time. A call sends them for the agent (hold, resume) and by
 * itself (the dialog refresh after a new WebSocket, media recovery's ICE restart or relay
 * recovery, the attempts back to UDP after one), and a UAC may have only one re-INVITE of its own
 * pending in a dialog (RFC 3261 §14.1; SIP.js refuses a second offer with RequestPendingError:
 * "Hold failed" when the agent pressed Hold during an automatic one). So each is an entry here, and
 * the waits they had each kept on a timer of their own are one field of the entry: not before T —
 * a return to UDP 5, 15 or 45 s away (udp-return.ts), the retry of an offer that crossed the far
 * end's after §14.1's wait (reinvite-glare.ts), the retry after SIP.js's own previous offer.
 *
 *               add (not before T)                 T reached, none in flight
 *     (none) ───────────────────────▶ pending ─────────────────────────────────▶ in flight
 *       ▲                             │  ▲  ▲   the agent's first, then the one      │
 *       │   add of the same kind: the │  │  │   due first                            │
 *       │   later replaces the earlier┘  │  │                                        │
 *       │   (keeping a §14.1 time it     │  └── retry, crossed (491, 500 with     ◀──┤
 *       │   was waiting out)             │      Retry-After): not before now +       │
 *       │                                │      §14.1's wait                         │
 *       │                                └───── retry, busy (SIP.js's previous   ◀───┤
 *       │                                       offer not over): now + 500 ms        │
 *       └──────────────── answered, refused, failed, or no longer needed ◀───────────┘
 *
 * - The agent's entries (hold, resume) go before every automatic one not yet sent, and queue behind
 *   one already in flight instead of failing.
 * - While an entry that crossed waits out its §14.1 time, the others wait too: the far end's own
 *   retry is due in that window, and any offer of ours would cross it again. The agent's entries
 *   then go first when the time is up.
 * - A later entry of one kind replaces the earlier one still pending (its callers get the later
 *   one's outcome): a newer return-to-UDP plan, Resume pressed while Hold still waits.
 *
 * The core below is pure (entries, times, no clock); `ReInviteScheduler` runs it on the call's clock.
 */
export type ReInviteKind = 'hold' | 'dialog-refresh' | 'recovery' | 'udp-return';

export interface PendingReInvite {
  readonly id: number;
  readonly kind: ReInviteKind;
  /** The agent asked for it: it goes before every automatic one not yet sent. */
  readonly user: boolean;
  /** Not sent before this time (ms on the call's clock). */
  readonly notBefore: number;
  /** A retry after crossing the far end's re-INVITE: nothing else goes before `notBefore` either. */
  readonly crossed: boolean;
}

export interface ReInviteSchedule {
  readonly inFlight: PendingReInvite | null;
  readonly pending: readonly PendingReInvite[];
}

export const idleReInviteSchedule: ReInviteSchedule = { inFlight: null, pending: [] };

/**
 * `entry` joins the pending ones; one of its kind already pending leaves (`replaced`). A §14.1
 * time the replaced one was waiting out still holds for its replacement.
 */
export function addReInvite(s: ReInviteSchedule, entry: PendingReInvite): { schedule: ReInviteSchedule; replaced: PendingReInvite | null } {
  const replaced = s.pending.find((p) => p.kind === entry.kind) ?? null;
  const added = replaced ? keepingCrossing(entry, replaced) : entry;
  return { schedule: { ...s, pending: [...s.pending.filter((p) => p !== replaced), added] }, replaced };
}

/**
 * The one in flight is over: gone, or (`retry`) pending again not before `retry.notBefore`. A
 * later entry of its kind already pending replaces the retry (`replaced` is the retry then).
 */
export function settleReInvite(
  s: ReInviteSchedule,
  retry?: { readonly notBefore: number; readonly crossed: boolean },
): { schedule: ReInviteSchedule; replaced: PendingReInvite | null } {
  const done = s.inFlight;
  const idle = { ...s, inFlight: null };
  if (!done || !retry) return { schedule: idle, replaced: null };
  const again = { ...done, ...retry };
  const later = s.pending.find((p) => p.kind === done.kind);
  if (!later) return { schedule: { ...idle, pending: [...s.pending, again] }, replaced: null };
  const kept = keepingCrossing(later, again);
  return { schedule: { ...idle, pending: s.pending.map((p) => (p === later ? kept : p)) }, replaced: again };
}

/** `entry`, replacing `replaced`: not before the §14.1 time `replaced` was waiting out, if it was. */
function keepingCrossing(entry: PendingReInvite, replaced: PendingReInvite): PendingReInvite {
  return replaced.crossed ? { ...entry, notBefore: Math.max(entry.notBefore, replaced.notBefore), crossed: true } : entry;
}

/**
 * What goes at `now`: `send`, now in flight, or nothing (one is in flight, or none is due); then
 * `wakeAt` is when one will be (null: none waits). Of those due, the agent's first, then the one
 * due first, then the one added first.
 */
export function nextReInvite(
  s: ReInviteSchedule,
  now: number,
): { schedule: ReInviteSchedule; send: PendingReInvite | null; wakeAt: number | null } {
  if (s.inFlight) return { schedule: s, send: null, wakeAt: null };
  const quietUntil = Math.max(-Infinity, ...s.pending.filter((p) => p.crossed).map((p) => p.notBefore));
  const dueAt = (p: PendingReInvite) => (p.crossed ? p.notBefore : Math.max(p.notBefore, quietUntil));
  const due = s.pending.filter((p) => dueAt(p) <= now);
  if (due.length === 0) {
    return { schedule: s, send: null, wakeAt: s.pending.length > 0 ? Math.min(...s.pending.map(dueAt)) : null };
  }
  const precedes = (a: PendingReInvite, b: PendingReInvite) =>
    a.user !== b.user ? a.user : dueAt(a) !== dueAt(b) ? dueAt(a) < dueAt(b) : a.id < b.id;
  const send = due.reduce((first, p) => (precedes(p, first) ? p : first));
  return { schedule: { inFlight: send, pending: s.pending.filter((p) => p !== send) }, send, wakeAt: null };
}

// ── the driver ──────────────────────────────────────────────────────────────────────────────

/**
 * What came of sending an entry: done (answered: true; refused, failed or no longer needed: false),
 * or to be sent again by `retry`, not before `retryAfterMs` from now (not `then`: a step must not look like a promise).
 */
export type ReInviteStep =
  { readonly done: boolean } | { readonly retryAfterMs: number; readonly crossed: boolean; readonly retry: () => Promise<ReInviteStep> };

/** `step`, and once it is done (after any retries) `andThen` on its outcome. */
export function whenDone(
  step: Promise<ReInviteStep>,
  andThen: (answered: boolean) => ReInviteStep | Promise<ReInviteStep>,
): Promise<ReInviteStep> {
  return step.then((s) => ('done' in s ? andThen(s.done) : { ...s, retry: () => whenDone(s.retry(), andThen) }));
}

interface Job {
  send: () => Promise<ReInviteStep>;
  readonly callers: Array<{ resolve: (answered: boolean) => void; reject: (error: unknown) => void }>;
}

/** The schedule of one call, on its clock: sends each entry when due, one at a time. */
export class ReInviteScheduler {
  private schedule = idleReInviteSchedule;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private wake: { readonly at: number; readonly handle: TimerHandle } | null = null;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /**
   * Sends `send`'s re-INVITE once it is its turn, not before `waitMs` from now; settles with its
   * outcome (rejects when `send` throws), or that of a later entry of `kind` that replaced it, or
   * false when the call ends first.
   */
  request(kind: ReInviteKind, send: () => Promise<ReInviteStep>, options: { user?: boolean; waitMs?: number } = {}): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const entry = { id, kind, user: options.user ?? false, notBefore: this.clock.now() + (options.waitMs ?? 0), crossed: false };
      const { schedule, replaced } = addReInvite(this.schedule, entry);
      this.schedule = schedule;
      this.jobs.set(id, { send, callers: [{ resolve, reject }, ...this.takeCallers(replaced)] });
      this.pump();
    });
  }

  /** The call ended: nothing more is sent, and whoever waits is told false. */
  close(): void {
    this.closed = true;
    this.arm(null);
    for (const job of this.jobs.values()) for (const caller of job.callers) caller.resolve(false);
    this.jobs.clear();
    this.schedule = idleReInviteSchedule;
  }

  private pump(): void {
    if (this.closed) return;
    const { schedule, send, wakeAt } = nextReInvite(this.schedule, this.clock.now());
    this.schedule = schedule;
    this.arm(wakeAt);
    if (send) void this.run(send.id);
  }

  private async run(id: number): Promise<void> {
    const job = this.jobs.get(id)!;
    let step: ReInviteStep;
    try {
      step = await job.send();
    } catch (error) {
      step = { done: false };
      if (!this.closed) for (const caller of job.callers.splice(0)) caller.reject(error);
    }
    if (this.closed) return;
    if ('done' in step) {
      this.jobs.delete(id);
      for (const caller of job.callers) caller.resolve(step.done);
      this.schedule = settleReInvite(this.schedule).schedule;
    } else {
      job.send = step.retry;
      const { schedule, replaced } = settleReInvite(this.schedule, {
        notBefore: this.clock.now() + step.retryAfterMs,
        crossed: step.crossed,
      });
      this.schedule = schedule;
      const later = replaced && schedule.pending.find((p) => p.kind === replaced.kind);
      if (later) this.jobs.get(later.id)!.callers.push(...this.takeCallers(replaced));
    }
    this.pump();
  }

  /** The callers of an entry that was replaced, who now wait for its replacement. */
  private takeCallers(replaced: PendingReInvite | null): Job['callers'] {
    if (!replaced) return [];
    const job = this.jobs.get(replaced.id);
    this.jobs.delete(replaced.id);
    return job?.callers ?? [];
  }

  private arm(at: number | null): void {
    if (this.wake?.at === at) return;
    if (this.wake) this.clock.clearTimeout(this.wake.handle);
    this.wake = null;
    if (at === null) return;
    const handle = this.clock.setTimeout(
      () => {
        this.wake = null;
        this.pump();
      },
      Math.max(0, at - this.clock.now()),
    );
    this.wake = { at, handle };
  }
}
