/**
 * Agents that carry a load test's calls: created through the admin API with explicit per-agent
 * limits (the defaults, 2 calls and 1 new call per second, stay as they are for every other agent),
 * connected over the stack's SIP WebSocket and registered.
 */
import { randomBytes } from 'node:crypto';
import type { RunningStack } from '../../../../backend/stack.js';
import { admin } from '../../security/support/control-plane-http.js';
import { WsSipAgent } from '../../backend/support/ws-sip-agent.js';

export interface LoadAgent {
  readonly sip: WsSipAgent;
  readonly password: string;
}

export async function connectLoadAgents(
  stack: RunningStack,
  o: { count: number; maxCalls: number; maxCps: number; prefix?: string },
): Promise<LoadAgent[]> {
  const e = stack.endpoints;
  const agents: LoadAgent[] = [];
  try {
    for (let i = 1; i <= o.count; i++) {
      const username = `${o.prefix ?? 'load'}${i}`;
      const password = randomBytes(18).toString('base64url');
      const res = await admin(stack, 'POST', '/api/agents', { username, password, maxCalls: o.maxCalls, maxCps: o.maxCps });
      if (res.status !== 201) throw new Error(`creating ${username}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      const sip = await WsSipAgent.connect(e.sip.wsUrl, { username, password, domain: e.sip.domain });
      agents.push({ sip, password });
      const reg = await sip.register();
      if (reg.status !== 200) throw new Error(`REGISTER ${username}: ${reg.startLine}`);
    }
    return agents;
  } catch (err) {
    closeLoadAgents(agents);
    throw err;
  }
}

export function closeLoadAgents(agents: readonly LoadAgent[]): void {
  for (const a of agents) a.sip.close();
}
