import { z } from 'zod';
import type { NetworkReport } from './network-report.js';
import type { CallQualityReport } from './quality/call-quality-report.js';
import {
  ACCOUNT_DISABLED_TEXT,
  ClientConfigSchema,
  clientConfigTransportProblem,
  insecureTransportProblem,
  lockedSignInMessage,
  TurnCredentialsSchema,
  type ClientConfig,
  type HostErrorCode,
  type TurnCredentials,
} from './contract/index.js';
import { HostError } from './host-error.js';

/**
 * The control plane's provisioning API (HTTP Basic), for every client of it: the desktop host,
 * the web host and the network-test CLI. `fetch` is injected — Electron's `net.fetch` in the app
 * (Chromium's stack: the system proxy and enterprise root CAs apply), the page's fetch on the web,
 * a Node fetch trusting `--ca` in the CLI. Every way a request can fail becomes ONE error
 * vocabulary: a host error code, a message the agent can act on, and the fix an operator applies
 * (the CLI prints it; the apps show the message).
 */

export type ControlPlaneFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface ControlPlaneAccount {
  /** Provisioning (control plane) base URL, e.g. https://voice.example.com */
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/** Why the control plane could not be used, and what fixes it. */
export class ControlPlaneError extends HostError {
  constructor(
    code: HostErrorCode,
    message: string,
    readonly fix: string,
  ) {
    super(code, message);
  }
}

/** A hung control plane must not leave the sign-in spinner (or the CLI) waiting forever. */
export const CONTROL_PLANE_TIMEOUT_MS = 10_000;

export const WRONG_CREDENTIALS = 'Wrong username or password';
export const INVALID_CONFIG = 'The server sent an invalid configuration';

/** `Basic base64(utf8(user:password))` — btoa alone would throw on non-Latin-1 passwords. */
export function basicAuthorization({ username, password }: Pick<ControlPlaneAccount, 'username' | 'password'>): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * `<base>/api/<path>`, keeping any path prefix the control plane is mounted under
 * ("https://pbx.example/clearline" → ".../clearline/api/client-config"), without query or fragment.
 */
export function apiUrl(base: string, path: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/${path}`;
  url.search = '';
  url.hash = '';
  return url;
}

const HTTPS_FIX = 'use the https:// address of the control plane (http:// is only for a backend on this computer)';

/**
 * A provisioning URL typed by an agent, checked before any request: a clear error naming the
 * field. http:// is accepted only to this computer (transport-policy.ts): the request carries the
 * SIP password.
 */
export function checkProvisioningUrl(raw: string, field = 'provisioning URL'): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ControlPlaneError('invalid-request', 'Provisioning URL must be a full address like https://pbx.example.com', HTTPS_FIX);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ControlPlaneError('invalid-request', `Provisioning URL must start with https:// (got ${url.protocol}//)`, HTTPS_FIX);
  }
  const insecure = insecureTransportProblem(url.href, field);
  if (insecure) throw new ControlPlaneError('insecure-transport', insecure, HTTPS_FIX);
  return url;
}

function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unexpected content';
  return `${issue.path.length ? issue.path.join('.') : 'response'}: ${issue.message}`;
}

/** " (no answer within 10 s)", " (ECONNREFUSED)"…: what the network said, when it said something. */
function unreachableReason(cause: unknown): string {
  if (cause instanceof Error && cause.name === 'TimeoutError') return ` (no answer within ${CONTROL_PLANE_TIMEOUT_MS / 1000} s)`;
  // Node's errors carry a code (ECONNREFUSED, ENOTFOUND…), on the error or, from fetch, on its cause.
  const codeOf = (e: unknown) => (e as { code?: unknown } | null)?.code;
  const code = codeOf(cause) ?? codeOf((cause as { cause?: unknown } | null)?.cause);
  return typeof code === 'string' ? ` (${code})` : '';
}

/** GET `<base>/api/<path>` as the account (POST `body` as JSON when given), the answer parsed by `schema`. */
export async function getProvisioned<S extends z.ZodType>(
  fetchImpl: ControlPlaneFetch,
  account: ControlPlaneAccount,
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  // Checked before the request: the Authorization header below carries the SIP password.
  checkProvisioningUrl(account.url);
  const url = apiUrl(account.url, path);
  const unreachableFix = `make ${url.host} reachable from this computer (firewall, proxy or VPN), and check the provisioning URL`;
  let response: Response;
  try {
    response = await fetchImpl(url.href, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        Authorization: basicAuthorization(account),
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // Our own Authorization header is the credential: no cookies, no browser Basic-auth dialog
      // from a cached login, no cached answer, and no redirect (it would resend the credentials
      // to wherever it points).
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      signal: AbortSignal.timeout(CONTROL_PLANE_TIMEOUT_MS),
    });
  } catch (cause) {
    const why = unreachableReason(cause);
    throw new ControlPlaneError(
      'unreachable',
      `Cannot reach ${url.host}${why}. Check the provisioning URL and your network or VPN connection.`,
      unreachableFix,
    );
  }
  // The server answered, so the path to it works: the fix lies with the account or the server.
  if (response.status === 401) {
    throw new ControlPlaneError(
      'unauthorized',
      WRONG_CREDENTIALS,
      "check the agent's username and password (the same as the softphone's sign-in)",
    );
  }
  if (response.status === 403) {
    throw new ControlPlaneError(
      'unauthorized',
      ACCOUNT_DISABLED_TEXT,
      'an administrator must enable the agent (PATCH /api/agents/NAME {"disabled": false})',
    );
  }
  if (response.status === 429 && body !== undefined) {
    // An upload over its rate, not a sign-in lockout.
    throw new ControlPlaneError(
      'server-error',
      `Sent too often: try again in ${response.headers.get('Retry-After') ?? 'a few'} s`,
      'the control plane limits how often an agent sends; wait and send again',
    );
  }
  if (response.status === 429) {
    // A lockout, possibly tripped by someone else's attempts: not a wrong password.
    throw new ControlPlaneError(
      'locked',
      lockedSignInMessage(response.headers.get('Retry-After')),
      'wait that long before trying again; if it keeps happening, someone else is failing to sign in as this agent from this network',
    );
  }
  if (!response.ok) {
    throw new ControlPlaneError(
      'server-error',
      `The control plane at ${url.host} answered HTTP ${response.status} for ${url.pathname}`,
      `the control plane at ${url.host} answered with an error: check its logs`,
    );
  }
  let answer: unknown;
  try {
    answer = JSON.parse(await response.text());
  } catch {
    throw new ControlPlaneError(
      'invalid-config',
      `${INVALID_CONFIG} (${url.pathname} is not JSON)`,
      `check that the provisioning URL names the control plane, not another server at ${url.host}`,
    );
  }
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    throw new ControlPlaneError(
      'invalid-config',
      `${INVALID_CONFIG} (${url.pathname}: ${describeIssues(parsed.error)})`,
      'the control plane and this app disagree on the configuration format: update one of them',
    );
  }
  return parsed.data;
}

/** The agent's configuration; refused when it would send the SIP password in clear to another host. */
export async function fetchClientConfig(fetchImpl: ControlPlaneFetch, account: ControlPlaneAccount): Promise<ClientConfig> {
  const config = await getProvisioned(fetchImpl, account, 'client-config', ClientConfigSchema);
  const insecure = clientConfigTransportProblem(config);
  if (insecure) {
    throw new ControlPlaneError(
      'insecure-transport',
      insecure,
      'the control plane must provision wss:// and https:// addresses: see the backend README on certificates',
    );
  }
  return config;
}

export const fetchTurnCredentials = (fetchImpl: ControlPlaneFetch, account: ControlPlaneAccount): Promise<TurnCredentials> =>
  getProvisioned(fetchImpl, account, 'turn-credentials', TurnCredentialsSchema);

/** Sends the quality summary of one of the agent's calls (`POST /api/call-quality`). */
export const sendCallQualityReport = (
  fetchImpl: ControlPlaneFetch,
  account: ControlPlaneAccount,
  report: CallQualityReport,
): Promise<{ stored: boolean }> => getProvisioned(fetchImpl, account, 'call-quality', z.object({ stored: z.boolean() }), report);

/** Sends a network test report to the helpdesk (`POST /api/network-reports`); resolves to its id there. */
export const sendNetworkReport = (
  fetchImpl: ControlPlaneFetch,
  account: ControlPlaneAccount,
  report: NetworkReport,
): Promise<{ id: string }> => getProvisioned(fetchImpl, account, 'network-reports', z.object({ id: z.string() }), report);
