import { setTimeout as sleep } from 'node:timers/promises';
import { startChild, killGroup, killGroupLeftovers, type ChildSpec, type RunningChild, type StartOptions } from './child.js';
import { backoffDelayMs, type BackoffPolicy } from '../../common/backoff.js';

export interface SupervisorOptions {
  /** One line per event (start, ready, crash, each restart attempt, stop). */
  readonly log: (line: string) => void;
  /** Jitter source for restart delays, [0, 1); injectable so tests can pin it. */
  readonly random?: () => number;
}

/**
 * Restart delays: the first restart waits 250–500 ms (the dead child's sockets close), repeated
 * failures back off up to 15–30 s. Never a give-up: one component that cannot come back must not
 * take the working ones (and their live calls) down with it; it keeps being retried and logged.
 */
export const RESTART_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };
/** A child that ran this long before dying is a fresh failure, not part of a crash loop. */
const STABLE_AFTER_MS = 60_000;
/** SIGTERM → SIGKILL grace on stop: the CLI promises the whole stack is down within 10 s. */
const STOP_GRACE_MS = 4000;

interface Supervised {
  readonly spec: ChildSpec;
  current: RunningChild;
  startedAt: number;
  /** Consecutive failures (crashes soon after start, failed restarts): the backoff attempt. */
  failures: number;
  /** The restart loop in progress, if any (stop() waits for it). */
  restarting: Promise<void> | null;
  /** The instance being stopped by restartOnRequest: its exit is no crash. */
  replacing: RunningChild | null;
}

/**
 * Starts children, restarts one that dies (with a log line per attempt saying which and why,
 * backing off while it keeps failing), and stops them all at once. A child that fails its FIRST
 * start rejects start(): the stack is not up yet and the operator must see why.
 */
export class Supervisor {
  private readonly children: Supervised[] = [];
  private readonly stopController = new AbortController();

  private readonly startOptions: StartOptions;

  constructor(private readonly opts: SupervisorOptions) {
    this.startOptions = { signal: this.stopController.signal, notice: opts.log };
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  async start(spec: ChildSpec): Promise<RunningChild> {
    if (this.stopping) throw new Error(`not starting ${spec.name}: the stack is stopping`);
    const t0 = Date.now();
    this.opts.log(`starting ${spec.name}`);
    const running = await startChild(spec, this.startOptions);
    if (this.stopping) {
      await killGroup(running.process, running.exited, 1000);
      throw new Error(`${spec.name} started while the stack was stopping; stopped it again`);
    }
    this.opts.log(`${spec.name} ready in ${Date.now() - t0} ms (pid ${running.pid}, log ${spec.logFile})`);
    const entry: Supervised = { spec, current: running, startedAt: Date.now(), failures: 0, restarting: null, replacing: null };
    this.children.push(entry);
    this.watch(entry);
    return running;
  }

  /** The pid of every child (the process group leaders; a child being restarted shows its last pid). */
  pids(): Record<string, number> {
    return Object.fromEntries(this.children.map((c) => [c.spec.name, c.current.pid]));
  }

  private watch(entry: Supervised): void {
    const watched = entry.current;
    void watched.exited.then(({ code, signal }) => {
      if (this.stopping || entry.current !== watched || entry.replacing === watched) return;
      // Workers of a dead leader (Kamailio forks) may still hold its ports: clear the group first.
      killGroupLeftovers(watched.pid);
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      entry.failures = Date.now() - entry.startedAt >= STABLE_AFTER_MS ? 1 : entry.failures + 1;
      this.opts.log(`${entry.spec.name} ${why} unexpectedly; restarting it (restart ${entry.failures})`);
      entry.restarting = this.restart(entry).finally(() => (entry.restarting = null));
    });
  }

  /** Retries until the child is ready again or the stack stops; each attempt is logged. */
  private async restart(entry: Supervised): Promise<void> {
    const { name } = entry.spec;
    let delayMs = backoffDelayMs(RESTART_BACKOFF, entry.failures, this.opts.random);
    for (let attempt = 1; ; attempt++) {
      try {
        await sleep(delayMs, undefined, { signal: this.stopController.signal });
        entry.current = await startChild(entry.spec, this.startOptions);
      } catch (err) {
        if (this.stopping) return;
        entry.failures += 1;
        delayMs = backoffDelayMs(RESTART_BACKOFF, entry.failures, this.opts.random);
        const reason = (err as Error).message.split('\n')[0];
        this.opts.log(`${name} restart attempt ${attempt} failed: ${reason}; next attempt in ${(delayMs / 1000).toFixed(1)} s`);
        continue;
      }
      entry.startedAt = Date.now();
      this.opts.log(`${name} restarted (pid ${entry.current.pid})`);
      this.watch(entry);
      return;
    }
  }

  /**
   * Restarts one child on purpose (an operator's restart, an upgrade): SIGTERM to its group, so it
   * shuts down cleanly (Kamailio saves its registrations and audit queue then), SIGKILL after the
   * stop grace; then started again at once, no backoff. Resolves when it is ready again. If it
   * cannot start, it is handed to the crash-restart loop (retried with backoff) and this rejects.
   */
  async restartOnRequest(name: string): Promise<void> {
    const entry = this.children.find((c) => c.spec.name === name);
    if (!entry) throw new Error(`restart: no component "${name}" (components: ${this.children.map((c) => c.spec.name).join(', ')})`);
    if (this.stopping) throw new Error(`restart: not restarting ${name}: the stack is stopping`);
    if (entry.restarting) throw new Error(`restart: ${name} is being restarted already`);
    const old = entry.current;
    entry.replacing = old;
    this.opts.log(`restarting ${name} on request (pid ${old.pid})`);
    const done = (async () => {
      await killGroup(old.process, old.exited, STOP_GRACE_MS);
      entry.current = await startChild(entry.spec, this.startOptions);
    })();
    entry.restarting = done.then(
      () => undefined,
      () => undefined,
    );
    try {
      await done;
    } catch (err) {
      entry.restarting = null;
      if (this.stopping) throw err;
      entry.failures = 1;
      this.opts.log(`${name} did not start again after a requested restart; retrying with backoff`);
      entry.restarting = this.restart(entry).finally(() => (entry.restarting = null));
      throw err;
    }
    entry.restarting = null;
    entry.startedAt = Date.now();
    entry.failures = 0;
    this.opts.log(`${name} restarted (pid ${entry.current.pid})`);
    this.watch(entry);
  }

  /**
   * Stops every child at once (SIGTERM, SIGKILL after the grace period), so the whole stack is
   * down within one grace period whatever a single component does; resolves when all have exited.
   * A restart in progress is aborted (its half-started child is killed) before that.
   */
  async stop(): Promise<void> {
    this.stopController.abort();
    await Promise.all(this.children.map((entry) => entry.restarting));
    await Promise.all(
      this.children.map(async (entry) => {
        await killGroup(entry.current.process, entry.current.exited, STOP_GRACE_MS);
        this.opts.log(`${entry.spec.name} stopped`);
      }),
    );
    this.children.length = 0;
  }
}
