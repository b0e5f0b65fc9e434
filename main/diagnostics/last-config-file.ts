/**
 * The CLI's memory of the last configuration the control plane handed out, per provisioning URL,
 * so that a run that cannot reach the control plane still knows which SIP and TURN servers to test.
 * Nothing secret is written: the client configuration holds none, and of the TURN servers only
 * host, port and transport are kept (their credentials and the password never).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ClientConfigSchema, type ClientConfig } from '../../common/contract/index.js';
import { writeJsonAtomic } from '../storage/json-file.js';
import type { IceServer } from './targets.js';

const IceServerSchema = z.strictObject({
  role: z.enum(['turn', 'stun']),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  transport: z.enum(['udp', 'tcp', 'tls']),
});
const LastConfigSchema = z.object({
  provisioningUrl: z.string(),
  config: ClientConfigSchema,
  // Files written before the TURN servers were kept have none.
  iceServers: z.array(IceServerSchema).default([]),
});

/** What a run that cannot reach the control plane tests against. */
export interface LastConfig {
  config: ClientConfig;
  iceServers: IceServer[];
}

/** Where the state of a per-user tool belongs: %LOCALAPPDATA% on Windows, $XDG_STATE_HOME or ~/.local/state elsewhere. */
export function defaultLastConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.LOCALAPPDATA ?? env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state');
  return join(base, 'clearline', 'diag-last-config.json');
}

/** The configuration last read from `provisioningUrl`, or null (none, another URL, or a damaged file — said in `warn`). */
export async function readLastConfig(path: string, provisioningUrl: string, warn: (message: string) => void): Promise<LastConfig | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`cannot read the last configuration ${path}: ${(e as Error).message}`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    warn(`ignoring the last configuration ${path}: not JSON (${(e as Error).message})`);
    return null;
  }
  const parsed = LastConfigSchema.safeParse(json);
  if (!parsed.success) {
    warn(`ignoring the last configuration ${path}: ${parsed.error.issues[0]?.message ?? 'not a configuration'}`);
    return null;
  }
  const { config, iceServers } = parsed.data;
  return parsed.data.provisioningUrl === provisioningUrl ? { config, iceServers } : null;
}

export function writeLastConfig(path: string, provisioningUrl: string, last: LastConfig): Promise<void> {
  return writeJsonAtomic(path, { provisioningUrl, config: last.config, iceServers: last.iceServers });
}
