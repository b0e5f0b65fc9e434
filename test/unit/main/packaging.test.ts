import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REQUIRED_FUSES, fuseViolations } from '../../../main/security/fuses.js';

// js-yaml comes with electron-builder (the tool that reads this file), so it parses it the same way.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const builder = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as {
  electronFuses?: Record<string, unknown>;
  files?: string[];
  asar?: boolean;
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
