import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodeLog from 'electron-log/node';
import { configureFileLogging, rotateArchives } from '../../../../main/logging/logger.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'clearline-log-'));

test('file log: scoped, redacted, rotated at maxSize into a bounded set of archives', { timeout: 10_000 }, (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const logger = configureFileLogging(nodeLog.create({ logId: `rotation-${Date.now()}` }), {
    dir,
    maxSizeBytes: 2_000,
    keepArchives: 2,
    consoleLevel: false,
  });
  const sip = logger.scope('renderer:sip');
  sip.info('Authorization: Digest username="alice", response="0a4f113b2c8d9e7f0a4f113b2c8d9e7f"');
  sip.warn({ password: 'hunter2', user: 'alice' });
  const firstLines = readFileSync(join(dir, 'main.log'), 'utf8');
  assert.match(firstLines, /\[info\]\s+\(renderer:sip\) Authorization: Digest \[redacted\]/);
  assert.match(firstLines, /\(renderer:sip\) \{ password: '\[redacted\]', user: 'alice' \}/);
  assert.doesNotMatch(firstLines, /hunter2|0a4f113b/);

  for (let i = 0; i < 120; i += 1) logger.scope('shell').info(`line ${i} ${'x'.repeat(60)}`);
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['main.1.log', 'main.2.log', 'main.log'], 'two archives kept, older ones dropped');
  for (const f of files) {
    const size = readFileSync(join(dir, f)).length;
    assert.ok(size <= 2_000 + 200, `${f} is ${size} bytes, over maxSize`);
  }
  assert.match(readFileSync(join(dir, 'main.log'), 'utf8'), /line 119 /, 'the newest line is in the live file');
});

test('rotateArchives shifts main.log → main.1.log → main.2.log and drops the oldest', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, body] of [
    ['main.log', 'live'],
    ['main.1.log', 'one'],
    ['main.2.log', 'two'],
  ]) {
    writeFileSync(join(dir, name as string), body as string);
  }
  rotateArchives(join(dir, 'main.log'), 2);
  assert.deepEqual(readdirSync(dir).sort(), ['main.1.log', 'main.2.log']);
  assert.equal(readFileSync(join(dir, 'main.1.log'), 'utf8'), 'live');
  assert.equal(readFileSync(join(dir, 'main.2.log'), 'utf8'), 'one');
});
