import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLogFs, RotatingLog, rotationRenames, type LogFs } from '../../../../backend/supervisor/rotating-log.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'clearline-rotlog-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

test('rotation renames the oldest first so nothing is overwritten', () => {
  assert.deepEqual(rotationRenames('/l/x.log', 3), [
    ['/l/x.log.2', '/l/x.log.3'],
    ['/l/x.log.1', '/l/x.log.2'],
    ['/l/x.log', '/l/x.log.1'],
  ]);
});

test('a log rotates at its size cap and keeps exactly N rotated files, newest in .1', () => {
  const file = join(tmp(), 'c.log');
  const log = new RotatingLog(file, () => undefined, { maxBytes: 100, keep: 2 });
  for (let i = 0; i < 10; i++) log.write(`line ${i} `.padEnd(40, '.') + '\n');
  log.close();
  assert.deepEqual(readdirSync(join(file, '..')).sort(), ['c.log', 'c.log.1', 'c.log.2']);
  for (const f of ['c.log', 'c.log.1', 'c.log.2']) assert.ok(statSync(join(file, '..', f)).size <= 100, f);
  assert.match(readFileSync(file, 'utf8'), /^line 8 .*\nline 9 /s, 'current file has the newest lines');
  assert.match(readFileSync(`${file}.1`, 'utf8'), /^line 6 .*\nline 7 /s);
  assert.match(readFileSync(`${file}.2`, 'utf8'), /^line 4 .*\nline 5 /s);
});

test('a log continues an existing file and counts its size toward the cap', () => {
  const file = join(tmp(), 'c.log');
  new RotatingLog(file, () => undefined, { maxBytes: 100, keep: 1 }).write('x'.repeat(90));
  const log = new RotatingLog(file, () => undefined, { maxBytes: 100, keep: 1 });
  log.write('y'.repeat(20));
  log.close();
  assert.equal(readFileSync(`${file}.1`, 'utf8'), 'x'.repeat(90));
  assert.equal(readFileSync(file, 'utf8'), 'y'.repeat(20));
});

test('ENOSPC (/dev/full): lines are dropped with ONE notice, nothing throws, the device is never rotated', () => {
  const notices: string[] = [];
  const log = new RotatingLog('/dev/full', (l) => notices.push(l), { maxBytes: 10, keep: 1 });
  for (let i = 0; i < 100; i++) log.write(`line ${i}\n`);
  log.close();
  assert.equal(notices.length, 1, notices.join('\n'));
  assert.match(notices[0]!, /^log \/dev\/full: write failed \(ENOSPC\); dropping this component's log lines until writes work again/);
  assert.ok(existsSync('/dev/full') && statSync('/dev/full').isCharacterDevice(), '/dev/full untouched');
  assert.equal(existsSync('/dev/full.1'), false);
});

test('EIO then recovery: one notice when dropping starts, one saying how much was dropped when writes work again', () => {
  const file = join(tmp(), 'c.log');
  let failing = true;
  const flaky: LogFs = {
    ...nodeLogFs,
    write: (fd, data, off) => {
      if (failing) throw Object.assign(new Error('i/o error'), { code: 'EIO' });
      return nodeLogFs.write(fd, data, off);
    },
  };
  const notices: string[] = [];
  const log = new RotatingLog(file, (l) => notices.push(l), { maxBytes: 1000, keep: 1 }, flaky);
  log.write('lost 1\n');
  log.write('lost 2\n');
  failing = false;
  log.write('kept\n');
  log.close();
  assert.equal(notices.length, 2, notices.join('\n'));
  assert.match(notices[0]!, /write failed \(EIO\)/);
  assert.match(notices[1]!, /writes work again; 14 bytes of log were dropped meanwhile/);
  assert.equal(readFileSync(file, 'utf8'), 'kept\n');
});

test('bad limits are refused with a clear error', () => {
  assert.throws(
    () => new RotatingLog('/tmp/x', () => undefined, { maxBytes: 0, keep: 1 }),
    /maxBytes must be > 0 and keep an integer ≥ 1 \(got 0, 1\)/,
  );
});
