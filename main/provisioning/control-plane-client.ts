import type { z } from 'zod';
import {
  ClientConfigSchema,
  clientConfigTransportProblem,
  insecureTransportProblem,
  lockedSignInMessage,
  ACCOUNT_DISABLED_TEXT,
  TurnCredentialsSchema,
  type ClientConfig,
  type TurnCredentials,
} from '../../common/contract/index.js';
import { HostError } from '../../common/host-error.js';

/**
 * The HTTP client: Electron's `net.fetch` in the app (Chromium's stack, so the system proxy and
 * enterprise root CAs apply — Node's fetch ignores both), Node's fetch in tests and the harness.
 */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface ControlPlaneAccount {
  /** Provisioning (control plane) base URL, e.g. https://voice.example.com */
  url: string;
  username: string;
  password: string;
}

/** A hung control plane must not leave the sign-in spinner turning forever. */
const CONTROL_PLANE_TIMEOUT_MS = 10_000;

const basicAuth = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/** `<base>/api/<path>`, tolerating a trailing slash or a path prefix on the base URL. */
export function apiUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/${path}`;
  url.search = '';
  url.hash = '';
  return url;
}

async function getJson<S extends z.ZodType>(
  fetchImpl: Fetch,
  account: ControlPlaneAccount,
  path: string,
  schema: S,
): Promise<z.output<S>> {
  // Checked before the request: the Authorization header below carries the SIP password.
  const insecure = insecureTransportProblem(account.url, 'provisioning URL');
  if (insecure) throw new HostError('insecure-transport', insecure);
  const url = apiUrl(account.url, path);
  let response: Response;
  try {
    response = await fetchImpl(url.toString(), {
      headers: { authorization: basicAuth(account.username, account.password), accept: 'application/json' },
      signal: AbortSignal.timeout(CONTROL_PLANE_TIMEOUT_MS),
      redirect: 'error', // a redirect would resend the credentials to wherever it points
    });
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? 'no answer within 10 s' : 'connection failed';
    throw new HostError('unreachable', `cannot reach ${url.host} (${why}); check the provisioning URL and your network`);
  }
  if (response.status === 401) throw new HostError('unauthorized', 'wrong username or password');
  if (response.status === 403) throw new HostError('unauthorized', ACCOUNT_DISABLED_TEXT);
  if (response.status === 429) {
    // A lockout, possibly tripped by someone else's attempts: not a wrong password.
    throw new HostError('locked', lockedSignInMessage(response.headers.get('retry-after')));
  }
  if (!response.ok) {
    throw new HostError('server-error', `${url.host} answered HTTP ${response.status} for ${url.pathname}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new HostError('invalid-config', `server sent an invalid configuration (${url.pathname} is not JSON)`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new HostError('invalid-config', `server sent an invalid configuration (${url.pathname}: bad ${where})`);
  }
  return parsed.data;
}

/** The agent's configuration; refused when it would send the SIP password in clear to another host. */
export async function fetchClientConfig(fetchImpl: Fetch, account: ControlPlaneAccount): Promise<ClientConfig> {
  const config = await getJson(fetchImpl, account, 'client-config', ClientConfigSchema);
  const insecure = clientConfigTransportProblem(config);
  if (insecure) throw new HostError('insecure-transport', insecure);
  return config;
}

export const fetchTurnCredentials = (fetchImpl: Fetch, account: ControlPlaneAccount): Promise<TurnCredentials> =>
  getJson(fetchImpl, account, 'turn-credentials', TurnCredentialsSchema);
