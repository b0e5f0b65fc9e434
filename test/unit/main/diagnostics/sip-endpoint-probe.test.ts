import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalPki } from '../../../../backend/pki.js';
import { defaultProbes } from '../../../../main/diagnostics/index.js';
import { classifyHandshakeError, probeSipEndpoint, type SipEndpointFinding } from '../../../../main/diagnostics/sip-endpoint-probe.js';
import { createHandlers, type HostHandlers } from '../../../../main/ipc/handlers.js';
import { createPlainFileSecretStore } from '../../../../main/provisioning/secret-store.js';
import { AGENT, sampleConfig, startControlPlaneFixture, type ControlPlaneFixture } from '../fakes/control-plane.js';
import { memoryLogger } from '../fakes/memory-logger.js';

const scratch = mkdtempSync(join(tmpdir(), 'clearline-sip-probe-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const noEvents = { emit: () => undefined };

describe('sip.probeEndpoint handler', () => {
  let plane: ControlPlaneFixture;
  const probed: string[] = [];
  const makeHandlers = (probe?: (wsUrl: string) => Promise<SipEndpointFinding>): HostHandlers => {
    const dataDir = mkdtempSync(join(scratch, 'host-'));
    return createHandlers({
      dataDir,
      secrets: createPlainFileSecretStore(join(dataDir, 'secrets.json')),
      fetch,
      now: Date.now,
      logger: memoryLogger(),
      appInfo: { version: '1.2.3', platform: 'linux', shell: 'electron' },
      policyUrl: null,
      openExternal: async () => undefined,
      runDiagnostics: null,
      ...(probe ? { probeSipEndpoint: probe } : {}),
    });
  };
  const recordingProbe = async (wsUrl: string): Promise<SipEndpointFinding> => {
    probed.push(wsUrl);
    return { result: 'tls-rejected', detail: 'certificate has expired' };
  };

  before(async () => {
    plane = await startControlPlaneFixture();
  });
  after(() => plane.close());

  test('signed out → not-signed-in; nothing probed', { timeout: 5000 }, async () => {
    const h = makeHandlers(recordingProbe);
    await assert.rejects(h.table['sip.probeEndpoint']({ wsUrl: 'ws://127.0.0.1:20060' }, noEvents), /sign in first/);
    h.dispose();
    assert.deepEqual(probed, []);
  });

  test('only the signed-in config’s sip.wsUrl is probed; any other URL is refused', { timeout: 10_000 }, async () => {
    const h = makeHandlers(recordingProbe);
    await h.table['provisioning.signIn']({ url: plane.url, ...AGENT }, noEvents);
    const configured = sampleConfig(plane.url).sip.wsUrl;
    for (const other of ['wss://intranet.example:443', 'ws://127.0.0.1:22', `${configured}/`, configured.toUpperCase()]) {
      await assert.rejects(h.table['sip.probeEndpoint']({ wsUrl: other }, noEvents), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'forbidden-url');
        assert.match(e.message, /probes only the signed-in account's SIP servers \(ws:\/\/127\.0\.0\.1:20060\)/);
        return true;
      });
    }
    assert.deepEqual(probed, [], 'a refused URL never reaches the network');
    assert.deepEqual(await h.table['sip.probeEndpoint']({ wsUrl: configured }, noEvents), {
      result: 'tls-rejected',
      detail: 'certificate has expired',
    });
    assert.deepEqual(probed, [configured]);
    h.dispose();
  });

  test('a shell without a probe answers not-run', { timeout: 5000 }, async () => {
    const h = makeHandlers();
    const r = await h.table['sip.probeEndpoint']({ wsUrl: 'ws://127.0.0.1:20060' }, noEvents);
    h.dispose();
    assert.equal(r.result, 'not-run');
  });
});

/** Listens on an ephemeral loopback port. */
async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('probeSipEndpoint (real sockets on loopback)', () => {
  const servers: net.Server[] = [];
  const open = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    open.add(s);
    s.on('error', () => undefined).on('close', () => open.delete(s));
  };
  after(() => {
    for (const s of open) s.destroy();
    for (const s of servers) s.close();
  });
  const direct = (ca?: string) => defaultProbes({ env: {}, ...(ca ? { ca } : {}) });

  async function tlsServer(host: string): Promise<{ port: number; ca: string }> {
    const pki = await ensureLocalPki(join(scratch, `pki-${host}`), host);
    const server = tls.createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, track);
    server.on('tlsClientError', () => undefined);
    servers.push(server);
    return { port: await listen(server), ca: readFileSync(pki.caCertFile, 'utf8') };
  }

  test('a certificate from a CA this computer does not trust → tls-rejected, named', { timeout: 15_000 }, async () => {
    const { port } = await tlsServer('127.0.0.1');
    assert.deepEqual(await probeSipEndpoint(`wss://127.0.0.1:${port}/`, direct()), {
      result: 'tls-rejected',
      detail: 'certificate is not trusted (self-signed or unknown CA)',
    });
  });

  test('a trusted certificate for another name → tls-rejected, hostname mismatch', { timeout: 15_000 }, async () => {
    const { port, ca } = await tlsServer('localhost');
    assert.deepEqual(await probeSipEndpoint(`wss://127.0.0.1:${port}/`, direct(ca)), {
      result: 'tls-rejected',
      detail: 'certificate does not match the server name (hostname mismatch)',
    });
  });

  test('nothing listening (ECONNREFUSED) → no-answer', { timeout: 5000 }, async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    const r = await probeSipEndpoint(`ws://127.0.0.1:${port}`, direct());
    assert.equal(r.result, 'no-answer');
    assert.match(r.detail, /ECONNREFUSED/);
  });

  test('a server that accepts but never answers → no-answer once the timeout passes', { timeout: 5000 }, async () => {
    const server = net.createServer(track);
    servers.push(server);
    const port = await listen(server);
    const t0 = performance.now();
    const r = await probeSipEndpoint(`ws://127.0.0.1:${port}`, direct(), 300);
    const ms = performance.now() - t0;
    assert.deepEqual(r, { result: 'no-answer', detail: 'no answer within 300 ms' });
    assert.ok(ms >= 290 && ms < 1500, `settled after ${Math.round(ms)} ms`);
  });

  test('an HTTP server that will not upgrade → http-answered with its status', { timeout: 5000 }, async () => {
    const server = net.createServer((s) => {
      track(s);
      s.once('data', () => s.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n'));
    });
    servers.push(server);
    const port = await listen(server);
    assert.deepEqual(await probeSipEndpoint(`ws://127.0.0.1:${port}`, direct()), {
      result: 'http-answered',
      detail: 'HTTP 403 instead of a WebSocket upgrade',
    });
  });
});

test('classifyHandshakeError: expired certificate, other TLS failures, plain network errors', () => {
  assert.deepEqual(classifyHandshakeError(new Error('TLS handshake with pbx:443 failed: certificate has expired')), {
    result: 'tls-rejected',
    detail: 'certificate has expired',
  });
  assert.deepEqual(classifyHandshakeError(new Error('TLS handshake with pbx:443 failed: wrong version number')), {
    result: 'tls-rejected',
    detail: 'TLS handshake with pbx:443 failed: wrong version number',
  });
  assert.deepEqual(classifyHandshakeError(new Error('tlsv1 alert protocol version')), {
    result: 'tls-rejected',
    detail: 'TLS handshake failed: tlsv1 alert protocol version',
  });
  assert.deepEqual(classifyHandshakeError(new Error('getaddrinfo ENOTFOUND pbx')), {
    result: 'no-answer',
    detail: 'getaddrinfo ENOTFOUND pbx',
  });
});
