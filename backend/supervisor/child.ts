import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { RotatingLog, type LogLimits } from './rotating-log.js';

/** How a child shows it is ready: a line on stdout/stderr, or a probe that succeeds. */
export type Readiness =
  { readonly kind: 'line'; readonly pattern: RegExp } | { readonly kind: 'probe'; readonly probe: () => Promise<boolean> };

export interface ChildSpec {
  /** Component name used in every log line and error message (e.g. "kamailio"). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly readiness: Readiness;
  readonly readyTimeoutMs: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Run as this system user and group instead of root (when we are root; otherwise it already
   * runs unprivileged). For engines that cannot drop root by themselves after start-up.
   */
  readonly runAs?: { readonly user: string; readonly group: string };
  /** Size cap and rotated-file count of its log; DEFAULT_LOG_LIMITS when absent. */
  readonly logLimits?: LogLimits;
}

export interface StartOptions {
  /** Aborting gives up waiting for readiness: the child is killed and startChild rejects. */
  readonly signal?: AbortSignal;
  /** Where notes about the log itself go (a full disk): the supervisor's own log. */
  readonly notice?: (line: string) => void;
}

export class ChildStartError extends Error {
  constructor(
    readonly component: string,
    readonly logFile: string,
    reason: string,
  ) {
    super(`${component} failed to start: ${reason}. See its log: ${logFile}${tailOf(logFile)}`);
  }
}

/** The last lines of a log, read from its last 16 KiB (a regular file only: never /dev/…). */
function tailOf(logFile: string, lines = 8): string {
  let text: string;
  try {
    const st = statSync(logFile);
    if (!st.isFile()) return '';
    const fd = openSync(logFile, 'r');
    try {
      const buf = Buffer.alloc(Math.min(st.size, 16 * 1024));
      const n = readSync(fd, buf, 0, buf.length, st.size - buf.length);
      text = buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
  const tail = text.trimEnd().split('\n').slice(-lines);
  return tail.length ? `\n  last lines of the log:\n    ${tail.join('\n    ')}` : '';
}

// setpriv --pdeathsig makes the kernel signal the child if the supervisor dies without cleaning
// up (SIGKILL, crash), so no component outlives it. Used where util-linux provides it.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * How to exec the child: through setpriv for the parent-death signal and, when asked and we are
 * root, to switch to its system user (setpriv sets the death signal after the switch, which
 * would otherwise clear it).
 */
function launchCommand(spec: ChildSpec): [string, string[]] {
  const dropTo = spec.runAs && process.getuid?.() === 0 ? spec.runAs : undefined;
  if (!SETPRIV) {
    if (dropTo)
      throw new ChildStartError(spec.name, spec.logFile, `running it as ${dropTo.user} needs setpriv (Debian package util-linux)`);
    return [spec.command, [...spec.args]];
  }
  const credentials = dropTo ? [`--reuid=${dropTo.user}`, `--regid=${dropTo.group}`, '--clear-groups'] : [];
  return [SETPRIV, [...credentials, '--pdeathsig', 'TERM', '--', spec.command, ...spec.args]];
}

export interface RunningChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code/signal whenever the child exits (expected or not). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts one child in its own process group, appends its stdout/stderr to its (rotating) log
 * file, and resolves once it is ready. Rejects with ChildStartError (naming the component and its
 * log) if it exits or misses the deadline first, or plainly if `signal` aborts; the child is
 * killed in those cases.
 */
export async function startChild(spec: ChildSpec, opts: StartOptions = {}): Promise<RunningChild> {
  const notice = opts.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = new RotatingLog(spec.logFile, notice, spec.logLimits);
  log.write(`\n=== ${new Date().toISOString()} starting ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`);
  const [cmd, args] = launchCommand(spec);
  const proc = spawn(cmd, args, {
    detached: true, // own process group: stop() signals the whole group (Kamailio forks workers)
    stdio: ['ignore', 'pipe', 'pipe'],
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', (err) => {
      log.write(`spawn error: ${err.message}\n`);
      resolve({ code: -1, signal: null });
    });
  });

  let sawLine = false;
  const pattern = spec.readiness.kind === 'line' ? spec.readiness.pattern : null;
  // Both pipes are read for the child's whole life whatever the log does (a full disk drops
  // lines): an undrained pipe would block the engine on its next write.
  let openPipes = 0;
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    openPipes++;
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (pattern && !sawLine && pattern.test(chunk.toString('utf8'))) sawLine = true;
    });
    stream.once('close', () => {
      if (--openPipes === 0) log.close();
    });
  }

  const deadline = Date.now() + spec.readyTimeoutMs;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  exited.then((e) => (exitInfo = e));
  while (true) {
    // Ready first: a child that announced readiness and exited before this poll (a fast one-shot
    // under a fast runtime) did start; its exit is reported through `exited` like any later one.
    if (spec.readiness.kind === 'line' && sawLine) break;
    if (exitInfo) {
      const e = exitInfo as { code: number | null; signal: NodeJS.Signals | null };
      killGroupLeftovers(proc.pid!);
      throw new ChildStartError(spec.name, spec.logFile, `exited during startup (code ${e.code}, signal ${e.signal})`);
    }
    if (opts.signal?.aborted) {
      await killGroup(proc, exited, 1000);
      throw new Error(`${spec.name}: start abandoned (the stack is stopping)`);
    }
    // A line seen is handled above (nothing awaited since); a probe may see the child exit meanwhile.
    if (spec.readiness.kind === 'probe' && (await spec.readiness.probe().catch(() => false)) && !exitInfo) break;
    if (Date.now() > deadline) {
      await killGroup(proc, exited, 2000);
      throw new ChildStartError(spec.name, spec.logFile, `not ready within ${spec.readyTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: proc, pid: proc.pid!, exited };
}

/** SIGKILL to whatever is left of a process group (workers of a forking daemon whose leader died). */
export function killGroupLeftovers(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* group already gone */
  }
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs`; resolves once it has exited. */
export async function killGroup(proc: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (proc.pid === undefined) return;
  const pid = proc.pid;
  if (proc.exitCode === null && proc.signalCode === null) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* group already gone */
    }
    const timer = setTimeout(() => killGroupLeftovers(pid), graceMs);
    await exited;
    clearTimeout(timer);
  }
  killGroupLeftovers(pid);
}
