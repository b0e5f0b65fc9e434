/**
 * The network test's sign-in: the agent's provisioned configuration and TURN credentials, read
 * with the app's own control-plane client (same transport rules, same errors and fixes) over a
 * Node fetch that also trusts the operator's `--ca` (a private PKI the system store lacks).
 */
import http from 'node:http';
import https from 'node:https';
import {
  checkProvisioningUrl,
  fetchClientConfig,
  fetchTurnCredentials,
  type ControlPlaneFetch,
} from '../../common/control-plane-client.js';
import type { DiagnosticsConfig } from './types.js';

/** A fetch over node:http(s) trusting `ca` besides the system store; redirects are not followed. */
export function fetchTrusting(ca?: string | Buffer): ControlPlaneFetch {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const lib = target.protocol === 'https:' ? https : http;
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = lib.get(target, { headers, ...(ca ? { ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') answer.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers: answer }));
        });
      });
      req.on('error', reject);
      const signal = init.signal;
      if (signal) {
        if (signal.aborted) req.destroy(signal.reason as Error);
        signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
      }
    });
}

export async function fetchDiagnosticsConfig(
  baseUrl: string,
  username: string,
  password: string,
  ca?: string | Buffer,
): Promise<DiagnosticsConfig> {
  // The same rule as the app (transport-policy.ts), naming the CLI's option.
  checkProvisioningUrl(baseUrl, 'control plane URL (--config)');
  const fetchImpl = fetchTrusting(ca);
  const account = { url: baseUrl, username, password };
  // A configuration the app would refuse fails the network test the same way.
  const [client, turn] = await Promise.all([fetchClientConfig(fetchImpl, account), fetchTurnCredentials(fetchImpl, account)]);
  return { client, turn };
}
