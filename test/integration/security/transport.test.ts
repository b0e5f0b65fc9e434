/**
 * Issue 8, hole 5 (server side): off loopback, credentials never travel in clear. A stack whose
 * listen address is not loopback (a veth address this test adds) serves the control plane over
 * HTTPS and SIP over WSS only, with a certificate from its local CA when none is given: http://
 * gets no answer, while https:// and wss:// work for a client that trusts that CA (and fail for
 * one that does not).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import { ClientConfigSchema } from '../../../common/provisioning-api.js';
import { startTestStack } from '../backend/support/stack-fixture.js';
import { WsSipAgent } from '../backend/support/ws-sip-agent.js';
import { browserSdp } from '../backend/support/webrtc-sdp.js';
import { api, createAgent } from './support/control-plane-http.js';
import { addTestAddresses, type TestAddresses } from './support/test-addresses.js';
import { TEST_PORT_BASES } from '../../support/port-registry.js';
// Production sizes media after the port block (--max-calls 500); this suite keeps its stack block-sized.
import { BLOCK_MAX_CALLS } from '../../../backend/ports.js';

const PORT_BASE = TEST_PORT_BASES.securityExposure;
const LISTEN = '10.213.0.1';
const MEDIA = '10.213.0.2';
const DEMO_LISTEN = '10.213.0.3';
const DEMO_MEDIA = '10.213.0.4';
const AGENT = { username: 'transport-agent', password: randomBytes(24).toString('base64url') };
const TIMEOUT_MS = 5000;

/** One GET; resolves with the status, rejects when no HTTP answer comes (refused, reset, TLS failure). */
function get(url: string, ca?: Buffer): Promise<number> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: TIMEOUT_MS, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves true once a WebSocket opens, false when it fails (refused, not TLS, untrusted). */
function wsOpens(url: string, ca?: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'sip', { handshakeTimeout: TIMEOUT_MS, ...(ca ? { ca } : {}) });
    ws.once('open', () => {
      ws.terminate();
      resolve(true);
    });
    ws.once('error', () => resolve(false));
  });
}

describe('transport: off loopback the control plane is HTTPS and SIP is WSS, with the local CA', { timeout: 120_000 }, () => {
  let addresses: TestAddresses;
  let fx: Awaited<ReturnType<typeof startTestStack>>;
  let ca: Buffer;

  before(async () => {
    addresses = addTestAddresses('clbtls', [LISTEN, MEDIA]);
    fx = await startTestStack(PORT_BASE, { listen: LISTEN, mediaAddress: MEDIA, maxCalls: BLOCK_MAX_CALLS });
    ca = readFileSync(fx.stack.endpoints.caCertPath!);
    await createAgent(fx.stack, AGENT.username, AGENT.password);
  });
  after(async () => {
    await fx?.dispose();
    addresses?.remove();
  });

  test('the stack advertises only https:// and wss:// and prints how to trust its CA', () => {
    const e = fx.stack.endpoints;
    assert.equal(e.controlPlane.url, `https://${LISTEN}:${fx.stack.ports.controlPlane}`);
    assert.equal(e.sip.wsUrl, `wss://${LISTEN}:${fx.stack.ports.sipWss}`);
    assert.equal(e.sip.wssUrl, e.sip.wsUrl);
    assert.ok(
      fx.logs.some((l) => l.includes(`local CA ${e.caCertPath}`)),
      'trust steps printed',
    );
    assert.ok(fx.logs.some((l) => l.includes('update-ca-certificates')));
  });

  test('http:// to the control plane gets no HTTP answer; https:// with the CA does', async () => {
    const port = fx.stack.ports.controlPlane;
    await assert.rejects(get(`http://${LISTEN}:${port}/healthz`), 'a plain HTTP request must not be served');
    assert.equal(await get(`https://${LISTEN}:${port}/healthz`, ca), 200);
    await assert.rejects(
      get(`https://${LISTEN}:${port}/healthz`),
      /self-signed|unable to verify|certificate/i,
      'a client without the CA refuses the certificate',
    );
  });

  test('an agent signs in over HTTPS and is handed wss:// and https:// only', async () => {
    const res = await api(fx.stack, { path: '/api/client-config', auth: AGENT });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const config = ClientConfigSchema.parse(res.body);
    assert.match(config.sip.wsUrl, /^wss:\/\//);
    assert.match(config.controlPlaneUrl, /^https:\/\//);
  });

  test('ws:// is not served on the listen address', async () => {
    assert.equal(await wsOpens(`ws://${LISTEN}:${fx.stack.ports.sipWs}`), false);
  });

  test('wss:// with the CA registers the agent; without the CA the WebSocket does not open', async () => {
    const url = fx.stack.endpoints.sip.wsUrl;
    assert.equal(await wsOpens(url), false, 'untrusted certificate refused');
    const agent = await WsSipAgent.connect(url, { ...AGENT, domain: fx.stack.endpoints.sip.domain, ca });
    try {
      const res = await agent.register();
      assert.equal(res.status, 200, res.startLine);
    } finally {
      agent.close();
    }
  });
});

describe('transport: --demo off loopback keeps WSS and HTTPS; the simulated carrier stays internal', { timeout: 120_000 }, () => {
  let addresses: TestAddresses;
  let fx: Awaited<ReturnType<typeof startTestStack>>;

  before(async () => {
    addresses = addTestAddresses('clbdemo', [DEMO_LISTEN, DEMO_MEDIA]);
    fx = await startTestStack(PORT_BASE, { listen: DEMO_LISTEN, mediaAddress: DEMO_MEDIA, demo: true });
  });
  after(async () => {
    await fx?.dispose();
    addresses?.remove();
  });

  test('a demo agent registers over wss:// and calls the echo number through the carrier on the management address', async () => {
    const e = fx.stack.endpoints;
    assert.match(e.sip.wsUrl, /^wss:\/\//);
    assert.match(e.controlPlane.url, /^https:\/\//);
    assert.equal(new URL(e.carrier!.apiUrl).hostname, '127.0.0.1');
    const alice = await WsSipAgent.connect(e.sip.wsUrl, {
      username: 'alice',
      password: e.agents.find((a) => a.username === 'alice')!.password,
      domain: e.sip.domain,
      ca: readFileSync(e.caCertPath!),
    });
    try {
      assert.equal((await alice.register()).status, 200);
      const call = alice.invite(e.numbers.echo, browserSdp({ address: DEMO_LISTEN, port: 9, setup: 'actpass' }));
      const final = await call.final;
      assert.equal(final.status, 200, final.startLine);
      await call.bye();
    } finally {
      alice.close();
    }
  });
});
