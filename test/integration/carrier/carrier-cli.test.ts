/**
 * The CLI contract the backend supervisor relies on: one `carrier ready` line, bad flags exit 1
 * naming the option, SIGTERM hangs up active calls (BYE) and exits within 2 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_NUMBERS } from '../../../backend/carrier/behaviours.js';
import { INSTANCE_PORTS, spawnCarrierCli, startCarrierProcess, waitFor } from './carrier-process.js';

function runToExit(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawnCarrierCli(args);
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stderr, stdout });
    }),
  );
}

test('bad flags exit 1 with a message naming the option', { timeout: 20_000 }, async () => {
  const cases: [string[], RegExp][] = [
    [['--state-dir', '/tmp/x', '--sip-port', 'nope'], /--sip-port/],
    [['--state-dir', '/tmp/x', '--numbers', '{"echo":'], /--numbers/],
    [['--sip-port', '30040'], /--state-dir is required/],
  ];
  const results = await Promise.all(cases.map(([args]) => runToExit(args)));
  results.forEach((r, i) => {
    assert.equal(r.code, 1, cases[i]![0].join(' '));
    assert.match(r.stderr, cases[i]![1]);
    assert.doesNotMatch(r.stdout, /carrier ready/);
  });
});

test('a port already in use is reported and exits 1', { timeout: 20_000 }, async () => {
  const a = await startCarrierProcess('a', INSTANCE_PORTS.b.sip);
  try {
    const r = await runToExit([
      '--state-dir',
      a.stateDir,
      '--sip-port',
      String(INSTANCE_PORTS.a.sip),
      '--api-port',
      String(INSTANCE_PORTS.b.api),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot listen for SIP on 127.0.0.1:${INSTANCE_PORTS.a.sip}`));
  } finally {
    await a.stop();
  }
});

test('SIGTERM: active calls get a BYE, the process exits 0 within 2 s; exactly one ready line', { timeout: 20_000 }, async () => {
  const a = await startCarrierProcess('a', INSTANCE_PORTS.b.sip);
  const b = await startCarrierProcess('b', INSTANCE_PORTS.a.sip);
  try {
    assert.equal(
      b
        .stdout()
        .split('\n')
        .filter((l) => l.includes('carrier ready')).length,
      1,
    );
    const placed = await a.post<{ id: string }>('/calls', { to: DEFAULT_NUMBERS.tone });
    const id = placed.body.id;
    await waitFor('answer', async () => ((await a.call(id)).state === 'answered' ? true : undefined));
    const started = Date.now();
    const code = await b.stop();
    const elapsed = Date.now() - started;
    assert.equal(code, 0);
    assert.ok(elapsed < 2000, `exit took ${elapsed} ms`);
    const v = await a.call(id);
    assert.equal(v.state, 'ended', 'the BYE reached the other side');
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
