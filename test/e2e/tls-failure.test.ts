import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultProbes, probeSipEndpoint } from '../../main/diagnostics/index.js';
import { Agent } from '../support/agent.js';
import { startTestBackend, type TestBackend } from '../support/backend-fixture.js';
import { TEST_PORT_BASES, spareTestPorts } from '../support/port-registry.js';

/**
 * The real stack with the SIP WebSocket over TLS, its certificate issued by the stack's own local
 * CA — trusted by neither Chromium nor Node, as on a desktop without the company CA. In the page
 * the failed wss:// is only close code 1006; the host's `sip.probeEndpoint` (the real main-process
 * handler behind the host bridge) sees the certificate error, and the agent is told which.
 */
const PORT_BASE = TEST_PORT_BASES.e2eTls;

let backend: TestBackend;
let agent: Agent;

before(
  async () => {
    backend = await startTestBackend(PORT_BASE, { wss: true });
    agent = await Agent.launch({
      name: 'tls',
      scratch: backend.scratch,
      controlPlaneUrl: backend.endpoints.controlPlane.url,
      toneHz: 440,
      udpPorts: spareTestPorts('e2eTls', 600, 699),
    });
  },
  { timeout: 60_000 },
);

after(
  async () => {
    await agent?.close();
    await backend?.stop();
  },
  { timeout: 30_000 },
);

test('an untrusted wss:// certificate shows the TLS reason, not "Cannot reach"', { timeout: 30_000 }, async () => {
  const alice = backend.endpoints.agents[0]!;
  const wssUrl = backend.endpoints.sip.wssUrl;
  assert.equal(wssUrl, `wss://127.0.0.1:${PORT_BASE + 2}`);

  const t0 = performance.now();
  await agent.phone.signIn(backend.endpoints.controlPlane.url, alice.username, alice.password);
  const shown = await agent.phone.waitRegistration(/TLS/, 15_000);
  const ms = Math.round(performance.now() - t0);
  assert.equal((await agent.bridge.handlers.currentConfig())?.sip.wsUrl, wssUrl, 'provisioning handed out the wss URL');
  assert.match(
    shown,
    /TLS connection \(wss:\/\/127\.0\.0\.1:48002\) was rejected: certificate is not trusted \(self-signed or unknown CA\)/,
  );
  assert.match(shown, /install the company CA certificate/);
  assert.doesNotMatch(shown, /Cannot reach/);
  console.log(`# sign-in → TLS reason shown after ${ms} ms: “${shown.replace(/\s+/g, ' ')}”`);

  // The page cannot make the host probe anything but the account's own SIP WebSocket.
  const refused = await agent.page.evaluate(
    async (url) => {
      const host = (window as unknown as { clearline: { invoke(c: string, r: unknown): Promise<unknown> } }).clearline;
      return host.invoke('sip.probeEndpoint', { wsUrl: url }).then(
        () => 'answered',
        (e: Error) => e.message,
      );
    },
    `wss://127.0.0.1:${PORT_BASE + 80}`,
  );
  assert.match(refused, /^\[forbidden-url\] .*only the signed-in account's SIP servers/);

  // Control: with the local CA trusted, the same server upgrades — it was the trust, not the server.
  const ca = readFileSync(join(backend.scratch, 'pki', 'ca.crt'), 'utf8');
  const trusted = await probeSipEndpoint(wssUrl!, defaultProbes({ ca, env: {} }));
  assert.deepEqual(trusted, { result: 'http-answered', detail: 'the WebSocket upgrade works from the desktop app itself' });
});
