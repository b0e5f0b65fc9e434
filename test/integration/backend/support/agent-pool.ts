import type { RunningStack } from '../../../../backend/stack.js';
import { WsSipAgent } from './ws-sip-agent.js';

/**
 * The WebSocket SIP agents a suite connects to its stack, and their clean-up. Each test ends with
 * closeAll(): no registration may outlive its test, or a stale contact forks the next test's call.
 */
export class AgentPool {
  private readonly agents: WsSipAgent[] = [];

  /** `stack` is read at connect time: suites start their stack in a `before` hook. */
  constructor(private readonly stack: () => RunningStack) {}

  /**
   * Connects `username` over the stack's SIP WebSocket, with the demo password unless one is given,
   * from `localAddress` and `localPort` when given.
   */
  async connect(username: string, password?: string, localAddress?: string, localPort?: number): Promise<WsSipAgent> {
    const e = this.stack().endpoints;
    const demoPassword = () => {
      const demo = e.agents.find((x) => x.username === username);
      if (!demo) throw new Error(`${username} is not a demo agent of this stack: pass its password`);
      return demo.password;
    };
    const agent = await WsSipAgent.connect(e.sip.wsUrl, {
      username,
      password: password ?? demoPassword(),
      domain: e.sip.domain,
      ...(localAddress ? { localAddress } : {}),
      ...(localPort ? { localPort } : {}),
    });
    this.agents.push(agent);
    return agent;
  }

  /** Unregisters and closes every agent connected so far. */
  async closeAll(): Promise<void> {
    for (const a of this.agents.splice(0)) {
      if (a.registered) await a.register(0).catch(() => undefined);
      a.close();
    }
  }
}
