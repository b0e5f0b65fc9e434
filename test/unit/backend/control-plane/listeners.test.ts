/**
 * The control plane's listeners: one Fastify app behind an HTTPS public listener (which a plain
 * HTTP client gets no answer from) and a plain-HTTP internal one; close() frees both ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { serveControlPlane } from '../../../../backend/control-plane/listeners.js';
import { ensureLocalPki } from '../../../../backend/pki.js';
import { spareTestPort } from '../../../support/port-registry.js';

// Spare ports of the exposure suite's block: unit tests run one at a time, never beside that stack.
const PUBLIC_PORT = spareTestPort('securityExposure', 90);
const INTERNAL_PORT = spareTestPort('securityExposure', 91);

function get(url: string, ca?: Buffer): Promise<{ status: number; body: string; hooked: unknown }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3000, agent: false, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, hooked: res.headers['x-hooked'] }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS public listener and plain internal listener serve the same app; plain HTTP gets nothing from the public one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-listeners-'));
  const app = Fastify();
  // The control plane's security headers come from an onRequest hook: it must run on both listeners.
  app.addHook('onRequest', async (_req, reply) => void reply.header('x-hooked', 'yes'));
  app.get('/ping', async (req) => ({ protocol: req.protocol }));
  try {
    const pki = await ensureLocalPki(dir, '127.0.0.1');
    const ca = readFileSync(pki.caCertFile);
    const listeners = await serveControlPlane(app, {
      listen: '127.0.0.1',
      port: PUBLIC_PORT,
      tls: { certFile: pki.certFile, keyFile: pki.keyFile },
      internal: { listen: '127.0.0.1', port: INTERNAL_PORT },
    });
    assert.equal(listeners.description, `https://127.0.0.1:${PUBLIC_PORT} (internal http://127.0.0.1:${INTERNAL_PORT})`);
    try {
      assert.deepEqual(await get(`https://127.0.0.1:${PUBLIC_PORT}/ping`, ca), {
        status: 200,
        body: '{"protocol":"https"}',
        hooked: 'yes',
      });
      assert.deepEqual(await get(`http://127.0.0.1:${INTERNAL_PORT}/ping`), { status: 200, body: '{"protocol":"http"}', hooked: 'yes' });
      await assert.rejects(get(`http://127.0.0.1:${PUBLIC_PORT}/ping`));
    } finally {
      await listeners.close();
    }
    await assert.rejects(get(`http://127.0.0.1:${INTERNAL_PORT}/ping`), /ECONNREFUSED/);
    await assert.rejects(get(`https://127.0.0.1:${PUBLIC_PORT}/ping`, ca), /ECONNREFUSED/);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port already taken fails the start and leaves nothing listening', async () => {
  const app = Fastify();
  const squatter = await serveControlPlane(Fastify(), { listen: '127.0.0.1', port: INTERNAL_PORT });
  try {
    await assert.rejects(
      serveControlPlane(app, { listen: '127.0.0.1', port: PUBLIC_PORT, internal: { listen: '127.0.0.1', port: INTERNAL_PORT } }),
      /EADDRINUSE/,
    );
    await assert.rejects(get(`http://127.0.0.1:${PUBLIC_PORT}/`), /ECONNREFUSED/, 'the public listener was closed again');
  } finally {
    await squatter.close();
    await app.close();
  }
});
