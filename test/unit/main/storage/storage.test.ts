import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallHistoryEntry } from '../../../../common/contract/index.js';
import { HistoryStore } from '../../../../main/storage/history-store.js';
import { NetworkReportStore } from '../../../../main/storage/network-report-store.js';
import { ownerFileName } from '../../../../main/storage/owner-file-name.js';
import { writeJsonAtomic } from '../../../../main/storage/json-file.js';
import { SettingsStore } from '../../../../main/storage/settings-store.js';
import { sampleNetworkReport } from '../../../support/network-report.js';
import { memoryLogger } from '../fakes/memory-logger.js';

const tempDir = (t: { after(fn: () => void): void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'clearline-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

const alice = { url: 'https://cp.example', username: 'alice' };

const entry = (n: number): CallHistoryEntry => ({
  id: `call-${n}`,
  direction: 'outbound',
  peer: `sip:${n}@clearline.test`,
  startedAt: n * 1000,
  answeredAt: null,
  endedAt: n * 1000 + 500,
  disposition: 'cancelled',
});

test('settings: defaults, partial update persists, survives a new store (restart)', async (t) => {
  const dir = tempDir(t);
  const log = memoryLogger();
  const store = new SettingsStore(dir, log.scope('settings'));
  assert.deepEqual(await store.get(), { microphoneId: 'default', speakerId: 'default', ringerId: 'default' });
  await store.update({ speakerId: 'headset-1' });
  assert.deepEqual(await new SettingsStore(dir, log.scope('settings')).get(), {
    microphoneId: 'default',
    speakerId: 'headset-1',
    ringerId: 'default',
  });
  assert.equal(statSync(join(dir, 'settings.json')).mode & 0o777, 0o600);
});

test('settings: concurrent updates all land', async (t) => {
  const store = new SettingsStore(tempDir(t), memoryLogger().scope('settings'));
  await Promise.all([store.update({ microphoneId: 'm' }), store.update({ speakerId: 's' }), store.update({ ringerId: 'r' })]);
  assert.deepEqual(await store.get(), { microphoneId: 'm', speakerId: 's', ringerId: 'r' });
});

test('corrupt settings file: backed up, reset to defaults, warning logged — no throw', async (t) => {
  const dir = tempDir(t);
  const log = memoryLogger();
  writeFileSync(join(dir, 'settings.json'), '{"microphoneId": "mic-1", ');
  const settings = await new SettingsStore(dir, log.scope('settings')).get();
  assert.equal(settings.microphoneId, 'default');
  const backups = readdirSync(dir).filter((f) => f.startsWith('settings.json.corrupt-'));
  assert.equal(backups.length, 1);
  assert.equal(readFileSync(join(dir, backups[0]!), 'utf8'), '{"microphoneId": "mic-1", ');
  assert.match(log.lines.join('\n'), /warn \(settings\) .*settings\.json was unreadable \(not valid JSON/);
});

test('a schema-invalid file names the bad field in the warning', async (t) => {
  const dir = tempDir(t);
  const log = memoryLogger();
  mkdirSync(join(dir, 'history'));
  writeFileSync(join(dir, 'history', ownerFileName(alice)), JSON.stringify([{ ...entry(1), direction: 'sideways' }]));
  assert.deepEqual(await new HistoryStore(dir, log.scope('history')).list(alice), []);
  assert.match(log.lines.join('\n'), /0\.direction: /);
});

test('history: newest first, bounded, same id replaces', async (t) => {
  const dir = tempDir(t);
  const store = new HistoryStore(dir, memoryLogger().scope('history'), 3);
  await Promise.all([1, 2, 3, 4, 5].map((n) => store.add(alice, entry(n)))); // concurrent adds: none lost
  assert.deepEqual(
    (await store.list(alice)).map((e) => e.id),
    ['call-5', 'call-4', 'call-3'],
  );
  await store.add(alice, { ...entry(4), disposition: 'answered' });
  const list = await store.list(alice);
  assert.deepEqual(
    list.map((e) => e.id),
    ['call-4', 'call-5', 'call-3'],
  );
  assert.equal(list[0]!.disposition, 'answered');
});

test('the history.json every agent shared (earlier versions) is deleted, not handed to anyone', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'history.json'), JSON.stringify([entry(1)]));
  const store = new HistoryStore(dir, memoryLogger().scope('history'));
  await store.removeSharedHistory();
  assert.deepEqual(readdirSync(dir), []);
  await store.removeSharedHistory(); // nothing there: fine
  assert.deepEqual(await store.list(alice), []);
});

test('history is per agent: another agent on the same desktop, or alice at another control plane, sees none of it', async (t) => {
  const dir = tempDir(t);
  const store = new HistoryStore(dir, memoryLogger().scope('history'));
  await store.add(alice, entry(1));
  await store.add({ ...alice, username: 'bob' }, entry(2));
  assert.deepEqual(
    (await store.list(alice)).map((e) => e.id),
    ['call-1'],
  );
  assert.deepEqual(
    (await store.list({ ...alice, username: 'bob' })).map((e) => e.id),
    ['call-2'],
  );
  assert.deepEqual(await store.list({ ...alice, url: 'https://other.example' }), []);
  // A username is never a path: the file is named by a hash of control plane and username.
  assert.match(ownerFileName({ url: alice.url, username: '../../etc/passwd' }), /^[0-9a-f]{32}\.json$/);
});

test('writeJsonAtomic leaves no temp file behind and replaces the content whole', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'x.json');
  await writeJsonAtomic(path, { a: 1 });
  await writeJsonAtomic(path, { a: 2 });
  assert.deepEqual(readdirSync(dir), ['x.json']);
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { a: 2 });
});

test('writeJsonAtomic: a failed write rejects, leaves what was there and no temp file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'x.json');
  mkdirSync(path); // nothing can be renamed over a directory
  await assert.rejects(writeJsonAtomic(path, { a: 1 }), { code: 'EISDIR' });
  assert.deepEqual(readdirSync(dir), ['x.json']);
  assert.ok(statSync(path).isDirectory());
});

test('a file that exists but cannot be read is an error, not a reset: nothing is set aside', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'settings.json'));
  await assert.rejects(new SettingsStore(dir, memoryLogger().scope('settings')).get(), { code: 'EISDIR' });
  assert.deepEqual(readdirSync(dir), ['settings.json']);
});

test('network reports: kept per owner however its URL is spelled, read back through the schema', async (t) => {
  const dir = tempDir(t);
  const store = new NetworkReportStore(dir, memoryLogger().scope('reports'));
  const beforeSignIn = { url: 'https://cp.example', username: '' };
  assert.equal(await store.last(beforeSignIn), null);
  await store.keep(beforeSignIn, sampleNetworkReport({ runId: 'run-7' }));
  assert.equal((await store.last({ url: 'https://cp.example/', username: '' }))?.runId, 'run-7');
  assert.equal(await store.last(alice), null, 'another owner sees none of it');
});

test('network reports: a kept report of another version is set aside and not shown', async (t) => {
  const dir = tempDir(t);
  const log = memoryLogger();
  const store = new NetworkReportStore(dir, log.scope('reports'));
  await store.keep(alice, sampleNetworkReport());
  const file = join(dir, 'network-reports', readdirSync(join(dir, 'network-reports'))[0]!);
  writeFileSync(file, JSON.stringify({ ...sampleNetworkReport(), version: 2 }));
  assert.equal(await store.last(alice), null);
  assert.equal(readdirSync(join(dir, 'network-reports')).filter((f) => f.includes('.corrupt-')).length, 1);
  assert.match(log.lines.join('\n'), /warn \(reports\) .*was unreadable \(version: /);
});

test('network reports: a failed keep rejects its own caller only; the next keep lands', async (t) => {
  const dir = tempDir(t);
  const store = new NetworkReportStore(dir, memoryLogger().scope('reports'));
  await store.keep(alice, sampleNetworkReport({ runId: 'run-1' }));
  const file = join(dir, 'network-reports', readdirSync(join(dir, 'network-reports'))[0]!);
  rmSync(file);
  mkdirSync(file);
  await assert.rejects(store.keep(alice, sampleNetworkReport({ runId: 'run-2' })), { code: 'EISDIR' });
  rmSync(file, { recursive: true });
  await store.keep(alice, sampleNetworkReport({ runId: 'run-3' }));
  assert.equal((await store.last(alice))?.runId, 'run-3');
});
