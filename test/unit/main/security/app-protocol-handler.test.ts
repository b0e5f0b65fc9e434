import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppProtocolHandler } from '../../../../main/security/app-protocol-handler.js';

test('app:// handler serves the renderer build with the current CSP; refuses the rest', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'clearline-renderer-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, '..', 'outside-secret.txt'), 'secret');
  t.after(() => rmSync(join(root, '..', 'outside-secret.txt'), { force: true }));
  let csp = "default-src 'none'";
  const handle = createAppProtocolHandler({ rootDir: root, csp: () => csp });

  const index = await handle(new Request('app://clearline/'));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('content-security-policy'), "default-src 'none'");
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await index.text(), /assets\/app\.js/);

  csp = "default-src 'none'; connect-src 'self' wss://sip.example.com";
  const js = await handle(new Request('app://clearline/assets/app.js'));
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('content-security-policy'), csp, 'the CSP is read per response');

  assert.equal((await handle(new Request('app://clearline/missing.js'))).status, 404);
  assert.equal((await handle(new Request('app://clearline/..%2foutside-secret.txt'))).status, 404);
  assert.equal((await handle(new Request('app://clearline/index.html', { method: 'POST', body: 'x' }))).status, 405);
});
