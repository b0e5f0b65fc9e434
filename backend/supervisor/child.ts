import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';

/** How a child shows it is ready: a line on stdout/stderr, or a probe that succeeds. */
export type Readiness =
  | { readonly kind: 'line'; readonly pattern: RegExp }
  | { readonly kind: 'probe'; readonly probe: () => Promise<boolean> };

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

function tailOf(logFile: string, lines = 8): string {
  if (!existsSync(logFile)) return '';
  const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines);
  return tail.length ? `\n  last lines of the log:\n    ${tail.join('\n    ')}` : '';
}

// setpriv --pdeathsig makes the kernel signal the child if the supervisor dies without cleaning
// up (SIGKILL, crash), so no component outlives it. Used where util-linux provides it.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface RunningChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code/signal whenever the child exits (expected or not). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts one child in its own process group, appends its stdout/stderr to its log file, and
 * resolves once it is ready. Rejects with ChildStartError (naming the component and its log) if
 * it exits or misses the deadline first; the child is killed in that case.
 */
export async function startChild(spec: ChildSpec): Promise<RunningChild> {
  const log: WriteStream = createWriteStream(spec.logFile, { flags: 'a', mode: 0o600 });
  log.write(`\n=== ${new Date().toISOString()} starting ${spec.name}: ${spec.command} ${spec.args.join(' ')}\n`);
  const [cmd, args] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'TERM', '--', spec.command, ...spec.args]]
    : [spec.command, [...spec.args]];
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
  exited.then(() => setTimeout(() => log.end(), 100));

  let sawLine = false;
  const pattern = spec.readiness.kind === 'line' ? spec.readiness.pattern : null;
  for (const stream of [proc.stdout, proc.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (pattern && !sawLine && pattern.test(chunk.toString('utf8'))) sawLine = true;
    });
  }

  const deadline = Date.now() + spec.readyTimeoutMs;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  exited.then((e) => (exitInfo = e));
  while (true) {
    if (exitInfo) {
      const e = exitInfo as { code: number | null; signal: NodeJS.Signals | null };
      killGroupLeftovers(proc.pid!);
      throw new ChildStartError(spec.name, spec.logFile, `exited during startup (code ${e.code}, signal ${e.signal})`);
    }
    const ready = spec.readiness.kind === 'line' ? sawLine : await spec.readiness.probe().catch(() => false);
    if (ready && !exitInfo) break;
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
export async function killGroup(
  proc: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
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
