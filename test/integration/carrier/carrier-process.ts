/**
 * Test harness: runs the carrier through its real CLI (a child process) and talks to its HTTP
 * API. Ports come from this suite's block in test/support/port-registry.ts, split between two instances.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { portsFor } from '../../../backend/ports.js';
import type { CallView } from '../../../backend/carrier/call.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

export const SUITE_PORTS = portsFor(TEST_PORT_BASES.carrier);
const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** Two carriers side by side: "a" drives calls, "b" is the carrier under test. */
export const INSTANCE_PORTS = {
  a: {
    sip: SUITE_PORTS.carrierSip,
    api: SUITE_PORTS.carrierApi,
    mediaMin: SUITE_PORTS.carrierMediaMin,
    mediaMax: SUITE_PORTS.carrierMediaMin + 49,
  },
  b: {
    sip: SUITE_PORTS.carrierSip + 2,
    api: SUITE_PORTS.carrierApi + 2,
    mediaMin: SUITE_PORTS.carrierMediaMin + 50,
    mediaMax: SUITE_PORTS.carrierMediaMax,
  },
} as const;
/** SIPp's own SIP and RTP ports for this suite. */
export const SIPP_PORTS = { sip: SUITE_PORTS.carrierSip + 10, media: SUITE_PORTS.carrierMediaMin - 100 };

export interface CarrierProcess {
  readonly sipPort: number;
  readonly stateDir: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  del<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  call(id: string): Promise<CallView>;
  calls(): Promise<CallView[]>;
  /** SIGTERM, then SIGKILL if still alive after 3 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function carrierArgs(
  p: { sip: number; api: number; mediaMin: number; mediaMax: number },
  proxyPort: number,
  stateDir: string,
  domain: string,
): string[] {
  return [
    '--listen',
    '127.0.0.1',
    '--sip-port',
    String(p.sip),
    '--api-port',
    String(p.api),
    '--media-min',
    String(p.mediaMin),
    '--media-max',
    String(p.mediaMax),
    '--proxy',
    `127.0.0.1:${proxyPort}`,
    '--domain',
    domain,
    '--state-dir',
    stateDir,
  ];
}

/** Spawns `node --import tsx backend/carrier/main.ts ARGS` from the repository root. */
export function spawnCarrierCli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'backend/carrier/main.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function startCarrierProcess(
  name: keyof typeof INSTANCE_PORTS,
  proxyPort: number,
  domain = `${name}.carrier.test`,
): Promise<CarrierProcess> {
  const ports = INSTANCE_PORTS[name];
  const stateDir = mkdtempSync(join(tmpdir(), `carrier-${name}-`));
  const child = spawnCarrierCli(carrierArgs(ports, proxyPort, stateDir, domain));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`carrier ${name} not ready in 15 s; stderr: ${err}`)), 15_000);
    const check = () => {
      if (out.includes('carrier ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`carrier ${name} exited with ${code} before ready; stderr: ${err}`));
    });
  });
  const base = `http://127.0.0.1:${ports.api}`;
  const request = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
  };
  let stopped: Promise<number | null> | undefined;
  return {
    sipPort: ports.sip,
    stateDir,
    child,
    stdout: () => out,
    stderr: () => err,
    get: (p) => request('GET', p),
    post: (p, b) => request('POST', p, b),
    del: (p) => request('DELETE', p),
    call: async (id) => {
      const r = await request<CallView>('GET', `/calls/${encodeURIComponent(id)}`);
      if (r.status !== 200) throw new Error(`GET /calls/${id} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    calls: async () => (await request<CallView[]>('GET', '/calls')).body,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        const code = await exited;
        clearTimeout(kill);
        rmSync(stateDir, { recursive: true, force: true });
        return code;
      })()),
  };
}

/** Polls `probe` every 50 ms until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export { sleep };
