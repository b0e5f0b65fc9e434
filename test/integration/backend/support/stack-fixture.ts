import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack, type StackOptions } from '../../../../backend/stack.js';
import type { AuditEntry } from '../../../../backend/control-plane/audit-store.js';
import type { WsSipAgent } from './ws-sip-agent.js';

/** Starts a stack in a fresh temp state dir; `dispose()` stops it and removes the dir. */
export async function startTestStack(
  portBase: number,
  extra: Partial<StackOptions> = {},
): Promise<{ stack: RunningStack; logs: string[]; dispose(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), `clearline-stack-${portBase}-`));
  const logs: string[] = [];
  let stack: RunningStack;
  try {
    stack = await startStack({ stateDir, portBase, log: (l) => logs.push(l), ...extra });
  } catch (err) {
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  return {
    stack,
    logs,
    dispose: async () => {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export async function adminGet<T>(stack: RunningStack, path: string): Promise<T> {
  const res = await fetch(`${stack.endpoints.admin.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${stack.endpoints.admin.token}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kamailio delivers audit events asynchronously but in order: once a REGISTER made now is in
 * /api/audit, every event raised before it is too. Resolves at that point.
 */
export async function untilAuditDelivered(stack: RunningStack, agent: WsSipAgent): Promise<void> {
  const since = Date.now();
  const res = await agent.register();
  if (res.status !== 200) throw new Error(`REGISTER for the audit barrier: ${res.startLine}`);
  await waitFor(
    async () =>
      (await adminGet<{ events: AuditEntry[] }>(stack, `/api/audit?since=${since}`)).events.some(
        (e) => e.outcome === 'registered' && e.from.includes(agent.username),
      ),
    'audit events delivered',
  );
}
