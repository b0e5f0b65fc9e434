import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisioningUrlFromArgs } from '../../../main/provisioning/launch-options.js';
import { loadPolicy, parsePolicy, policyPath } from '../../../main/provisioning/policy.js';

test('policy path per OS', () => {
  assert.equal(policyPath('linux', {}), '/etc/clearline/policy.json');
  assert.equal(policyPath('darwin', {}), '/Library/Application Support/Clearline/policy.json');
  assert.equal(policyPath('win32', { ProgramData: 'D:\\PD' }), 'D:\\PD\\Clearline\\policy.json');
  assert.equal(policyPath('win32', {}), 'C:\\ProgramData\\Clearline\\policy.json');
});

test('a valid policy pre-sets the provisioning URL', () => {
  assert.deepEqual(parsePolicy('{"provisioningUrl":"https://voice.example.com"}', 'policy.json'), {
    policy: { provisioningUrl: 'https://voice.example.com' },
    problem: null,
  });
});

test('a typo in a key is named, with the known keys, and the policy is ignored', () => {
  const r = parsePolicy('{"provisioningURL":"https://voice.example.com"}', '/etc/clearline/policy.json');
  assert.deepEqual(r.policy, {});
  assert.equal(
    r.problem,
    '/etc/clearline/policy.json: unknown key "provisioningURL" (known keys: provisioningUrl, updateFeedUrl); policy ignored',
  );
});

test('a bad value names its key; bad JSON says so', () => {
  assert.match(parsePolicy('{"provisioningUrl":"voice.example.com"}', 'p.json').problem ?? '', /^p\.json: "provisioningUrl": /);
  assert.match(parsePolicy('{"provisioningUrl": ', 'p.json').problem ?? '', /^p\.json is not valid JSON/);
});

test('loadPolicy: absent file is no policy and no problem; a present one is read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-policy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(await loadPolicy(join(dir, 'missing.json')), { policy: {}, problem: null });
  writeFileSync(join(dir, 'policy.json'), '{"updateFeedUrl":"https://updates.example.com/"}');
  assert.deepEqual((await loadPolicy(join(dir, 'policy.json'))).policy, { updateFeedUrl: 'https://updates.example.com/' });
});

test('--provisioning-url pre-sets the URL; a malformed one is reported, not fatal', () => {
  assert.deepEqual(provisioningUrlFromArgs(['electron', '.', '--provisioning-url=http://127.0.0.1:20010']), {
    url: 'http://127.0.0.1:20010',
    problem: null,
  });
  assert.deepEqual(provisioningUrlFromArgs(['electron', '.']), { url: null, problem: null });
  assert.deepEqual(provisioningUrlFromArgs(['--provisioning-url=file:///etc/passwd']), {
    url: null,
    problem: '--provisioning-url must be an http(s) URL (got "file:///etc/passwd"); ignored',
  });
});

test('--provisioning-url http:// to another computer is refused (the password would travel in clear)', () => {
  const { url, problem } = provisioningUrlFromArgs(['--provisioning-url=http://pbx.example.com']);
  assert.equal(url, null);
  assert.match(problem ?? '', /^the server must use https:\/\/ .*--provisioning-url http:\/\/pbx\.example\.com .*; ignored$/);
  assert.deepEqual(provisioningUrlFromArgs(['--provisioning-url=https://pbx.example.com']), {
    url: 'https://pbx.example.com',
    problem: null,
  });
});
