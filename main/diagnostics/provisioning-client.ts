/** Fetches the agent's provisioned configuration from the control plane (HTTP Basic). */
import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import { ClientConfigSchema, TurnCredentialsSchema } from '../../preload/contract/index.js';
import type { DiagnosticsConfig } from './types.js';

const REQUEST_TIMEOUT_MS = 8000;

function getJson(url: URL, auth: string, ca?: string | Buffer): Promise<unknown> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers: { authorization: `Basic ${auth}`, accept: 'application/json' }, ca, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 401 || res.statusCode === 403) return reject(new Error(`${url.pathname}: the control plane rejected the username or password (HTTP ${res.statusCode})`));
        if (res.statusCode !== 200) return reject(new Error(`${url.pathname}: HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`${url.pathname}: the response is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url.origin} did not answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`${what} does not match the expected schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export async function fetchDiagnosticsConfig(baseUrl: string, user: string, password: string, ca?: string | Buffer): Promise<DiagnosticsConfig> {
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const base = baseUrl.replace(/\/+$/, '');
  const [client, turn] = await Promise.all([
    getJson(new URL(`${base}/api/client-config`), auth, ca),
    getJson(new URL(`${base}/api/turn-credentials`), auth, ca),
  ]);
  return { client: parse(ClientConfigSchema, client, 'client-config'), turn: parse(TurnCredentialsSchema, turn, 'turn-credentials') };
}
