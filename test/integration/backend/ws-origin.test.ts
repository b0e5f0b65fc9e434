/**
 * Real Kamailio: the SIP WebSocket accepts browser pages only from allowed origins (the web
 * softphone the control plane serves, the desktop app, --cors-origin); native clients that send
 * no Origin still connect, and digest auth still applies to them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { WsSipAgent } from './support/ws-sip-agent.js';
import { startTestStack } from './support/stack-fixture.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';

const PORT_BASE = TEST_PORT_BASES.wsOrigin;
const EXTRA_ORIGIN = 'https://softphone.example.com';

/** Opens a SIP WebSocket with `origin` (or none): the HTTP status of a refused upgrade, or 101. */
function upgradeStatus(url: string, origin: string | undefined): Promise<{ status: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'sip', origin ? { origin } : {});
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`no answer to the upgrade from ${origin}`))), 5000);
    ws.once('open', () => {
      clearTimeout(timer);
      ws.terminate();
      resolve({ status: 101, reason: 'Switching Protocols' });
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '' });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('WebSocket Origin allow-list in Kamailio', { timeout: 60_000 }, () => {
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  before(async () => {
    fx = await startTestStack(PORT_BASE, { corsOrigins: [EXTRA_ORIGIN] });
  });
  after(async () => {
    await fx?.dispose();
  });

  test('a foreign page gets 403 "Origin Not Allowed" and no WebSocket; the refusal is logged', async () => {
    const { wsUrl } = fx.stack.endpoints.sip;
    for (const origin of ['http://evil.example', `${fx.stack.endpoints.controlPlane.url}.evil.example`, 'null']) {
      assert.deepEqual(await upgradeStatus(wsUrl, origin), { status: 403, reason: 'Origin Not Allowed' }, origin);
    }
    const log = readFileSync(join(fx.stack.logDir, 'kamailio.log'), 'utf8');
    assert.match(log, /websocket: refused upgrade from 127\.0\.0\.1:\d+: origin http:\/\/evil\.example is not allowed/);
  });

  test('the web softphone origin upgrades and REGISTER works; app:// and --cors-origin upgrade', async () => {
    const e = fx.stack.endpoints;
    const alice = e.agents.find((a) => a.username === 'alice')!;
    const agent = await WsSipAgent.connect(e.sip.wsUrl, { ...alice, domain: e.sip.domain, origin: e.controlPlane.url });
    try {
      assert.equal((await agent.register()).status, 200);
      assert.equal((await agent.register(0)).status, 200);
    } finally {
      agent.close();
    }
    assert.equal((await upgradeStatus(e.sip.wsUrl, 'app://clearline')).status, 101);
    assert.equal((await upgradeStatus(e.sip.wsUrl, EXTRA_ORIGIN)).status, 101);
  });

  test('no Origin (a native SIP client) upgrades; digest still decides', async () => {
    const e = fx.stack.endpoints;
    assert.equal((await upgradeStatus(e.sip.wsUrl, undefined)).status, 101);
    const wrong = await WsSipAgent.connect(e.sip.wsUrl, { username: 'alice', password: 'not-the-password', domain: e.sip.domain });
    try {
      assert.equal((await wrong.register()).status, 403);
    } finally {
      wrong.close();
    }
  });
});
