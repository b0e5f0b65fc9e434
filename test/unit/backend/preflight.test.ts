import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureSystemPackages, missingBinaries, missingPackages } from '../../../backend/preflight.js';

test('preflight names exactly the missing binaries', () => {
  assert.deepEqual(
    missingBinaries((b) => b !== 'rtpengine' && b !== 'turnserver'),
    ['rtpengine', 'turnserver'],
  );
  assert.deepEqual(
    missingBinaries(() => true),
    [],
  );
  assert.deepEqual(
    missingPackages(
      (b) => b !== 'turnserver',
      (f) => !f.endsWith('/db_postgres.so'),
    ),
    ['coturn', 'kamailio-postgres-modules'],
  );
  assert.deepEqual(
    missingPackages(
      () => true,
      () => true,
    ),
    [],
  );
});

test('missing packages: not root → the exact apt command; root on Debian → installed, then re-checked', () => {
  const noop = () => undefined;
  assert.throws(
    () =>
      ensureSystemPackages('/repo', noop, {
        missing: () => ['coturn', 'rtpengine-daemon'],
        canInstall: false,
        install: () => assert.fail('must not install'),
      }),
    /missing system packages: coturn rtpengine-daemon\. Install them with:\n  sudo apt-get update && sudo apt-get install -y coturn rtpengine-daemon/,
  );
  let installed = false;
  const lines: string[] = [];
  ensureSystemPackages('/repo', (l) => lines.push(l), {
    missing: () => (installed ? [] : ['coturn']),
    canInstall: true,
    install: () => (installed = true),
  });
  assert.ok(installed);
  assert.match(lines[0]!, /installing them/);
  assert.throws(
    () => ensureSystemPackages('/repo', noop, { missing: () => ['coturn'], canInstall: true, install: noop }),
    /still missing after install: coturn/,
  );
});
