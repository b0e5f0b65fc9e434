import { startChild, killGroup, killGroupLeftovers, type ChildSpec, type RunningChild } from './child.js';

export interface SupervisorOptions {
  /** One line per event (start, ready, crash, restart, stop). */
  readonly log: (line: string) => void;
  /** Called once when a child cannot be kept running; the owner then stops the stack. */
  readonly onFatal: (error: Error) => void;
}

/** More restarts than this within the window is fatal (a crash loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** SIGTERM → SIGKILL grace on stop: the CLI promises the whole stack is down within 10 s. */
const STOP_GRACE_MS = 4000;

interface Supervised {
  readonly spec: ChildSpec;
  current: RunningChild;
  restarts: number[];
}

/**
 * Starts children in order, restarts one that dies (with a log line saying which and why), and
 * stops them all in reverse order. One that cannot (re)start is reported through onFatal.
 */
export class Supervisor {
  private readonly children: Supervised[] = [];
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {}

  async start(spec: ChildSpec): Promise<RunningChild> {
    if (this.stopping) throw new Error(`not starting ${spec.name}: the stack is stopping`);
    const t0 = Date.now();
    this.opts.log(`starting ${spec.name}`);
    const running = await startChild(spec);
    if (this.stopping) {
      await killGroup(running.process, running.exited, 1000);
      throw new Error(`${spec.name} started while the stack was stopping; stopped it again`);
    }
    this.opts.log(`${spec.name} ready in ${Date.now() - t0} ms (pid ${running.pid}, log ${spec.logFile})`);
    const entry: Supervised = { spec, current: running, restarts: [] };
    this.children.push(entry);
    this.watch(entry);
    return running;
  }

  /** The pid of every running child (the process group leaders). */
  pids(): Record<string, number> {
    return Object.fromEntries(this.children.map((c) => [c.spec.name, c.current.pid]));
  }

  private watch(entry: Supervised): void {
    const watched = entry.current;
    void watched.exited.then(async ({ code, signal }) => {
      if (this.stopping || entry.current !== watched) return;
      // Workers of a dead leader (Kamailio forks) may still hold its ports: clear the group first.
      killGroupLeftovers(watched.pid);
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const now = Date.now();
      entry.restarts = entry.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
      if (entry.restarts.length >= MAX_RESTARTS) {
        this.opts.onFatal(
          new Error(`${entry.spec.name} ${why} and keeps crashing (${entry.restarts.length} restarts in ${RESTART_WINDOW_MS / 1000} s). See its log: ${entry.spec.logFile}`),
        );
        return;
      }
      entry.restarts.push(now);
      this.opts.log(`${entry.spec.name} ${why} unexpectedly; restarting it (restart ${entry.restarts.length})`);
      // Let the dead child's sockets close before binding the same ports again.
      await new Promise((r) => setTimeout(r, 200));
      if (this.stopping) return;
      try {
        entry.current = await startChild(entry.spec);
        this.opts.log(`${entry.spec.name} restarted (pid ${entry.current.pid})`);
        if (this.stopping) await killGroup(entry.current.process, entry.current.exited, 1000);
        else this.watch(entry);
      } catch (err) {
        if (!this.stopping) this.opts.onFatal(err as Error);
      }
    });
  }

  /**
   * Stops every child at once (SIGTERM, SIGKILL after the grace period), so the whole stack is
   * down within one grace period whatever a single component does; resolves when all have exited.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(async (entry) => {
        await killGroup(entry.current.process, entry.current.exited, STOP_GRACE_MS);
        this.opts.log(`${entry.spec.name} stopped`);
      }),
    );
    this.children.length = 0;
  }
}
