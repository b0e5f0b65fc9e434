/** Runs `main/diagnostics/cli.ts --json` as a child process (optionally inside a namespace). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));

export interface CliRun {
  code: number | null;
  stderr: string;
  report: {
    verdict: string;
    summary: string;
    totalMs: number;
    steps: {
      id: string;
      verdict: string;
      explanation: string;
      fix?: string;
      values: Record<string, any>;
      durationMs: number;
      startMs: number;
    }[];
  };
  step(id: string): CliRun['report']['steps'][number];
}

/** When the last step of a run ended, in ms after the run began: an honest total is at least this. */
export function lastStepEndMs(report: CliRun['report']): number {
  return Math.max(...report.steps.map((s) => s.startMs + s.durationMs));
}

/** Exit code and output of the CLI, without expecting a report (usage errors). */
export function runCliRaw(
  args: string[],
  opts: { netns?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // A proxy in the caller's environment must not leak into a check that is about proxies.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/_proxy$/i.test(k)));
  const node = [process.execPath, '--import', 'tsx', 'main/diagnostics/cli.ts', ...args];
  const [cmd, ...argv] = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...node] : node;
  return new Promise((resolve) => {
    const child = spawn(cmd!, argv, { cwd: REPO, env: { ...clean, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function runCli(args: string[], opts: { netns?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const { code, stdout, stderr } = await runCliRaw([...args, '--json'], opts);
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`diag printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
  const report = JSON.parse(line) as CliRun['report'];
  return {
    code,
    stderr,
    report,
    step(id) {
      const s = report.steps.find((x) => x.id === id);
      if (!s) throw new Error(`no step ${id} in the report: ${report.steps.map((x) => x.id).join(', ')}`);
      return s;
    },
  };
}
