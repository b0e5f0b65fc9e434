/** Fetches the agent's provisioned configuration from the control plane (HTTP Basic). */
import http from 'node:http';
import https from 'node:https';
import type { z } from 'zod';
import {
  ClientConfigSchema,
  clientConfigTransportProblem,
  insecureTransportProblem,
  lockedSignInMessage,
  ACCOUNT_DISABLED_TEXT,
  TurnCredentialsSchema,
} from '../../common/contract/index.js';
import { apiUrl } from '../provisioning/control-plane-client.js';
import type { DiagnosticsConfig } from './types.js';

const REQUEST_TIMEOUT_MS = 8000;

/** Why the configuration could not be read, and the fix that follows from it. */
export class ProvisioningError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

function getJson(url: URL, auth: string, ca?: string | Buffer): Promise<unknown> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers: { authorization: `Basic ${auth}`, accept: 'application/json' }, ca, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // The server answered, so the path to it works: the fix lies with the account or the server.
        if (res.statusCode === 403)
          return reject(new ProvisioningError(`${url.pathname}: ${ACCOUNT_DISABLED_TEXT} (HTTP 403)`, 'an administrator must enable the agent (PATCH /api/agents/NAME {"disabled": false})'));
        if (res.statusCode === 401)
          return reject(new ProvisioningError(`${url.pathname}: the control plane rejected the username or password (HTTP ${res.statusCode})`, "check the agent's username and password (the same as the softphone's sign-in)"));
        if (res.statusCode === 429)
          return reject(new ProvisioningError(`${url.pathname}: ${lockedSignInMessage(res.headers['retry-after'])} (HTTP 429)`, 'wait that long before trying again; if it keeps happening, someone else is failing to sign in as this agent from this network'));
        if (res.statusCode !== 200)
          return reject(new ProvisioningError(`${url.pathname}: HTTP ${res.statusCode}`, `the control plane at ${url.host} answered with an error: check its logs`));
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new ProvisioningError(`${url.pathname}: the response is not JSON`, `check that --config names the control plane (the provisioning URL), not another server at ${url.host}`));
        }
      });
    });
    const unreachable = (message: string) =>
      new ProvisioningError(message, `make ${url.host} reachable from this desktop (firewall, proxy or VPN), and check that --config is the provisioning URL`);
    req.on('timeout', () => req.destroy(unreachable(`${url.origin} did not answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (e) => reject(e instanceof ProvisioningError ? e : unreachable(`${url.origin}: ${e.message}`)));
  });
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new ProvisioningError(
      `${what} does not match the expected schema: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'the control plane and this tool disagree on the configuration format: update one of them',
    );
  return r.data;
}

const HTTPS_FIX = 'use the https:// address of the control plane (http:// is only for a backend on this computer)';

export async function fetchDiagnosticsConfig(baseUrl: string, user: string, password: string, ca?: string | Buffer): Promise<DiagnosticsConfig> {
  // The same rule as the app (transport-policy.ts): the Basic credentials below are the SIP password.
  const insecure = insecureTransportProblem(baseUrl, 'control plane URL (--config)');
  if (insecure) throw new ProvisioningError(insecure, HTTPS_FIX);
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const [client, turn] = await Promise.all([
    getJson(apiUrl(baseUrl, 'client-config'), auth, ca),
    getJson(apiUrl(baseUrl, 'turn-credentials'), auth, ca),
  ]);
  const config = { client: parse(ClientConfigSchema, client, 'client-config'), turn: parse(TurnCredentialsSchema, turn, 'turn-credentials') };
  // A configuration the app would refuse must not pass the network test.
  const provisioned = clientConfigTransportProblem(config.client);
  if (provisioned) throw new ProvisioningError(provisioned, 'the control plane must provision wss:// and https:// addresses: see the backend README on certificates');
  return config;
}
