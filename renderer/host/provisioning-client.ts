import type { z } from 'zod';
import { insecureTransportProblem, lockedSignInMessage } from '../../common/contract/index.js';
import { HostError } from '../../common/host-error.js';

/**
 * Talks to the control plane's provisioning API over `fetch` (HTTP Basic) and turns every way it
 * can fail into a host error (contract codes) whose text the agent can act on. I/O is injected so
 * Node tests use real sockets.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export const WRONG_CREDENTIALS = 'Wrong username or password';
export const INVALID_CONFIG = 'The server sent an invalid configuration';
export const REQUEST_TIMEOUT_MS = 10_000;

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `Basic base64(utf8(user:password))` — btoa alone would throw on non-Latin-1 passwords. */
export function basicAuthorization({ username, password }: Credentials): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Resolves an API path against the provisioning URL, keeping any path prefix the control plane
 * is mounted under ("https://pbx.example/clearline" → ".../clearline/api/client-config").
 */
export function apiUrl(provisioningUrl: string, path: string): URL {
  const base = new URL(provisioningUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return new URL(path.replace(/^\//, ''), base);
}

/**
 * The provisioning URL, checked before any request: a clear error naming the field. http:// is
 * accepted only to this computer (transport-policy.ts): the request carries the SIP password.
 */
export function checkProvisioningUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new HostError('invalid-request', 'Provisioning URL must be a full address like https://pbx.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HostError('invalid-request', `Provisioning URL must start with https:// (got ${url.protocol}//)`);
  }
  const insecure = insecureTransportProblem(url.href, 'provisioning URL');
  if (insecure) throw new HostError('insecure-transport', insecure);
  return url;
}

function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected content';
  const where = issue.path.length ? issue.path.join('.') : 'response';
  return `${where}: ${issue.message}`;
}

export async function fetchProvisioned<S extends z.ZodType>(
  fetchImpl: FetchLike,
  provisioningUrl: string,
  path: string,
  credentials: Credentials,
  schema: S,
): Promise<z.output<S>> {
  const url = apiUrl(provisioningUrl, path);
  let response: Response;
  try {
    response = await fetchImpl(url.href, {
      method: 'GET',
      headers: { Authorization: basicAuthorization(credentials), Accept: 'application/json' },
      // Our own Authorization header is the credential; never let the browser add cookies or
      // pop its own Basic-auth dialog from a cached login.
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
    throw new HostError(
      'unreachable',
      `Cannot reach ${url.host}${timedOut ? ` (no answer within ${REQUEST_TIMEOUT_MS / 1000} s)` : ''}. ` +
        'Check the provisioning URL and your network or VPN connection.',
    );
  }
  if (response.status === 401) throw new HostError('unauthorized', WRONG_CREDENTIALS);
  // A lockout, possibly tripped by someone else's attempts: not a wrong password.
  if (response.status === 429) throw new HostError('locked', lockedSignInMessage(response.headers.get('Retry-After')));
  if (response.status === 403) {
    throw new HostError('unauthorized', 'This account is not allowed to use the softphone (403 Forbidden)');
  }
  if (!response.ok) {
    throw new HostError(
      'server-error',
      `The provisioning server at ${url.host} answered ${response.status} ${response.statusText}`.trim(),
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new HostError('invalid-config', `${INVALID_CONFIG} (not JSON)`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HostError('invalid-config', `${INVALID_CONFIG} (${describeIssues(parsed.error)})`);
  return parsed.data;
}
