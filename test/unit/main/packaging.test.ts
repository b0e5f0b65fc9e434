import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REQUIRED_FUSES, fuseViolations } from '../../../main/security/fuses.js';
import { BUILT_IN_FEED_URL } from '../../../main/update/auto-update.js';
import { UPDATE_PUBLIC_KEY_FILE } from '../../../main/update/update-signature.js';

// js-yaml comes with electron-builder (the tool that reads this file), so it parses it the same way.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const builder = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as {
  electronFuses?: Record<string, unknown>;
  files?: string[];
  asar?: boolean;
  extraResources?: Array<{ from: string; to: string }>;
  win?: { forceCodeSigning?: boolean; verifyUpdateCodeSignature?: boolean };
  mac?: { forceCodeSigning?: boolean; hardenedRuntime?: boolean; notarize?: boolean };
  publish?: { provider: string; url: string };
};

test('electron-builder.yml flips every required fuse', () => {
  assert.deepEqual(fuseViolations(builder.electronFuses), []);
  assert.equal(REQUIRED_FUSES.runAsNode, false);
  assert.equal(REQUIRED_FUSES.onlyLoadAppFromAsar, true);
});

test('fuseViolations names a missing or wrong fuse', () => {
  assert.deepEqual(fuseViolations({ ...REQUIRED_FUSES, runAsNode: true }), ['runAsNode must be false (is true)']);
  assert.equal(fuseViolations(undefined).length, Object.keys(REQUIRED_FUSES).length);
});

test('the package ships the bundles the app loads, inside an asar', () => {
  assert.equal(builder.asar, true);
  for (const needed of ['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'package.json']) {
    assert.ok(builder.files?.includes(needed), `files must include ${needed}`);
  }
  assert.equal(builder.publish?.provider, 'generic', 'electron-updater feed configured');
});

test('electron-builder accepts the file (its own schema validation, as at release time)', async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(builder, new DebugLogger(false));
});

test('updates are trusted only when signed: HTTPS feed, Windows/macOS code signing forced, Linux key shipped', () => {
  assert.equal(builder.publish?.url, BUILT_IN_FEED_URL, 'the feed in the package is the one the app enforces');
  assert.equal(new URL(builder.publish.url).protocol, 'https:');
  assert.equal(builder.win?.forceCodeSigning, true, 'an unsigned Windows build fails instead of shipping');
  assert.equal(builder.win?.verifyUpdateCodeSignature, true, 'electron-updater checks the publisher of an update');
  assert.equal(builder.mac?.forceCodeSigning, true);
  assert.equal(builder.mac?.hardenedRuntime, true);
  assert.equal(builder.mac?.notarize, true);
  assert.deepEqual(
    builder.extraResources?.find((r) => r.to === UPDATE_PUBLIC_KEY_FILE),
    { from: 'build/update-signing-key.pem', to: UPDATE_PUBLIC_KEY_FILE },
    'the Linux update-signing public key ships where main/index.ts reads it',
  );
});
