import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientConfig } from '../../../../common/contract/index.js';
import { HostError } from '../../../../common/host-error.js';
import { createPlainFileSecretStore } from '../../../../main/provisioning/secret-store.js';
import { PASSWORD_SECRET_KEY, SessionService } from '../../../../main/provisioning/session-service.js';
import { backgroundTimers } from '../../../../common/timers.js';
import { AGENT, startControlPlaneFixture, type ControlPlaneFixture } from '../fakes/control-plane.js';
import { memoryLogger } from '../fakes/memory-logger.js';

let plane: ControlPlaneFixture;
let dataDir: string;
before(async () => {
  plane = await startControlPlaneFixture();
  dataDir = mkdtempSync(join(tmpdir(), 'clearline-session-'));
});
after(async () => {
  await plane.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const service = (changes: Array<ClientConfig | null>, log = memoryLogger()) =>
  new SessionService({
    dataDir,
    secrets: createPlainFileSecretStore(join(dataDir, 'secrets.json')),
    fetch,
    now: Date.now,
    timers: backgroundTimers,
    log: log.scope('provisioning'),
    onConfigChange: (c) => void changes.push(c),
  });

test('sign-in remembers the account (no secret in account.json) and reports the config', { timeout: 10_000 }, async () => {
  const changes: Array<ClientConfig | null> = [];
  const log = memoryLogger();
  const s = service(changes, log);
  await s.signIn({ url: plane.url, ...AGENT });
  s.dispose();
  assert.equal(changes.length, 1);
  assert.equal(changes[0]?.agent.username, 'alice');
  const account = readFileSync(join(dataDir, 'account.json'), 'utf8');
  assert.doesNotMatch(account, new RegExp(AGENT.password));
  assert.match(log.lines.join('\n'), /password stored WITHOUT OS encryption/, 'the plain store is called out');
});

test('restore after the password was changed server-side: unauthorized, secret forgotten, then null', { timeout: 10_000 }, async (t) => {
  plane.override.set('/api/client-config', { status: 401, body: '' });
  t.after(() => plane.override.clear());
  const secrets = createPlainFileSecretStore(join(dataDir, 'secrets.json'));
  assert.equal(await secrets.get(PASSWORD_SECRET_KEY), AGENT.password);
  const s = service([]);
  await assert.rejects(s.restore(), (e: unknown) => e instanceof HostError && e.code === 'unauthorized');
  assert.equal(await secrets.get(PASSWORD_SECRET_KEY), null);
  assert.equal(await s.restore(), null);
  assert.equal(await s.lastUsername(), 'alice', 'the form is still pre-filled');
  assert.equal(await s.currentConfig(), null, 'no remembered hosts for the CSP once signed out');
});

test('a damaged secrets file at start-up: no hang, a clear error, and signing in again repairs it', { timeout: 10_000 }, async () => {
  const changes: Array<ClientConfig | null> = [];
  const log = memoryLogger();
  // account.json says alice was signed in; her secrets file was torn (e.g. disk full mid-write).
  await service([]).signIn({ url: plane.url, ...AGENT });
  writeFileSync(join(dataDir, 'secrets.json'), '{"provisioning.password": "s3cret-p');
  const s = service(changes, log);
  assert.equal(await s.currentConfig(), null, 'start-up goes on as signed out');
  await assert.rejects(
    s.restore(),
    (e: unknown) =>
      e instanceof HostError &&
      e.code === 'secret-unreadable' &&
      e.message ===
        'Your saved password could not be read (the file is damaged or was sealed with another system key). Sign in again as alice.',
  );
  assert.match(log.lines.join('\n'), /error \(provisioning\) saved password unreadable, sign-in needed: .*secrets\.json is damaged/);
  assert.doesNotMatch(log.lines.join('\n'), /s3cret-p/, 'the damaged content is not logged');
  assert.equal(await s.lastUsername(), 'alice', 'the form is pre-filled for the new sign-in');

  await s.signIn({ url: plane.url, ...AGENT });
  s.dispose();
  const next = service([]);
  assert.equal((await next.restore())?.config.agent.username, 'alice', 'repaired: the next start restores the session');
  next.dispose();
});
