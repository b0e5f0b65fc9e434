/**
 * The CLI takes the alert webhook URL (which carries its receiver's secret) from a file or the
 * environment, never from a command-line value that `ps` shows; errors say what to do and never
 * quote the URL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERT_WEBHOOK_ENV, alertWebhookFromSources } from '../../../backend/alert-webhook-source.js';

const URL_WITH_SECRET = 'https://hooks.example/T0KEN-s3cret';

test('--alert-webhook URL is refused, naming the safe ways, without echoing the URL', () => {
  assert.throws(
    () => alertWebhookFromSources({ flag: URL_WITH_SECRET, file: undefined, env: {} }),
    (e: Error) => /visible in ps/.test(e.message) && /--alert-webhook-file FILE/.test(e.message) && !e.message.includes('T0KEN'),
  );
});

test('the URL comes from the first line of --alert-webhook-file, or from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-webhook-'));
  try {
    const file = join(dir, 'webhook');
    writeFileSync(file, `  ${URL_WITH_SECRET}  \n# notes\n`, { mode: 0o600 });
    assert.equal(alertWebhookFromSources({ flag: undefined, file, env: {} }), URL_WITH_SECRET);
    assert.equal(
      alertWebhookFromSources({ flag: undefined, file: undefined, env: { [ALERT_WEBHOOK_ENV]: URL_WITH_SECRET } }),
      URL_WITH_SECRET,
    );
    assert.equal(alertWebhookFromSources({ flag: undefined, file: undefined, env: {} }), undefined);
    assert.throws(
      () => alertWebhookFromSources({ flag: undefined, file, env: { [ALERT_WEBHOOK_ENV]: URL_WITH_SECRET } }),
      /--alert-webhook-file or CLEARLINE_ALERT_WEBHOOK, not both/,
    );
    writeFileSync(file, '\n');
    assert.throws(
      () => alertWebhookFromSources({ flag: undefined, file, env: {} }),
      /the file is empty; put the webhook URL on its first line/,
    );
    assert.throws(() => alertWebhookFromSources({ flag: undefined, file: join(dir, 'missing'), env: {} }), /cannot read it \(ENOENT\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
