/**
 * Requests to a running stack's control plane as the security suites need them: as the admin, as
 * an agent (HTTP Basic), or as anyone, and from a chosen loopback source address (all of 127/8 is
 * local on Linux), so one test can play an attacker and the real user on different addresses.
 * An https:// control plane (any non-loopback listen) is verified against the stack's local CA.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RunningStack } from '../../../../backend/stack.js';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

export interface ApiRequest {
  readonly method?: string;
  readonly path: string;
  /** `Bearer` token (the admin) or Basic credentials (an agent). */
  readonly auth?: { bearer: string } | { username: string; password: string };
  readonly body?: unknown;
  /** The source address of the connection (default: the OS's choice). */
  readonly from?: string;
  readonly headers?: Record<string, string>;
  /** Another listener of the stack, e.g. the management one (`endpoints.admin.apiUrl`); default the public control plane. */
  readonly base?: string;
}

const TIMEOUT_MS = 10_000;

export function authorization(auth: NonNullable<ApiRequest['auth']>): string {
  return 'bearer' in auth ? `Bearer ${auth.bearer}` : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

export function api(stack: RunningStack, r: ApiRequest): Promise<ApiAnswer> {
  const url = new URL(r.path, r.base ?? stack.endpoints.controlPlane.url);
  const payload = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const tls = url.protocol === 'https:';
  const request = tls ? httpsRequest : httpRequest;
  const ca = tls && stack.endpoints.caCertPath ? readFileSync(stack.endpoints.caCertPath) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: r.method ?? 'GET',
        ...(ca ? { ca } : {}),
        ...(r.from ? { localAddress: r.from } : {}),
        headers: {
          ...(r.auth ? { authorization: authorization(r.auth) } : {}),
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...r.headers,
        },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${r.method ?? 'GET'} ${r.path}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The admin API (on the management listener only) with the stack's (or a given) admin token. */
export function admin(
  stack: RunningStack,
  method: string,
  path: string,
  body?: unknown,
  token = stack.endpoints.admin.token,
): Promise<ApiAnswer> {
  return api(stack, { method, path, base: stack.endpoints.admin.apiUrl, auth: { bearer: token }, ...(body !== undefined ? { body } : {}) });
}

/** Creates an agent through the admin API; throws unless it was created. */
export async function createAgent(stack: RunningStack, username: string, password: string): Promise<void> {
  const res = await admin(stack, 'POST', '/api/agents', { username, password });
  if (res.status !== 201) throw new Error(`creating ${username}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}
