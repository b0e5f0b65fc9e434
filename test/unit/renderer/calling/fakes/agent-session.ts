import type { Session } from '../../../../../common/contract/index.js';

/** A signed-in agent's session (alice) whose SIP server is at `wsUrl`. */
export const agentSession = (wsUrl: string): Session => ({
  config: {
    agent: { username: 'alice', displayName: 'Alice' },
    sip: { wsUrl, domain: 'clearline.test', registerExpiresSec: 300 },
    controlPlaneUrl: 'http://127.0.0.1:1',
    numbers: {},
  },
  password: 'alice-password',
  turn: { username: '1:alice', password: 't', ttl: 600, uris: ['turn:127.0.0.1:3478'] },
});
