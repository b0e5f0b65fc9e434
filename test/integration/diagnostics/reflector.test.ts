/**
 * The reflector process on loopback: reads the TOS byte each datagram arrived with (koffi recvmsg
 * + IP_RECVTOS), echoes with server timestamps, never answers what it would amplify, and stops
 * cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { openDatagram } from '../../../main/diagnostics/probes/node-channels.js';
import { decodeReply, encodeRequest, type ReflectorReply } from '../../../common/node/reflector-protocol.js';
import { REPO } from './run-cli.js';
import { spareTestPort } from '../../support/port-registry.js';

const PORT = spareTestPort('securityApi', 150);
const now = () => performance.timeOrigin + performance.now();

/** One probe; `truncateTo` cuts the datagram short (an amplification attempt). */
async function ask(tos: number | null, truncateTo?: number): Promise<ReflectorReply | null> {
  const channel = await openDatagram(now);
  try {
    if (tos !== null) channel.setTos(tos);
    const reply = new Promise<ReflectorReply | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 500);
      channel.onMessage((data) => {
        clearTimeout(timer);
        resolve(decodeReply(data));
      });
    });
    const request = encodeRequest({ kind: 'probe', seq: 7, clientSentMs: now() });
    channel.send(request.subarray(0, truncateTo ?? request.length), '127.0.0.1', PORT);
    return await reply;
  } finally {
    channel.close();
  }
}

describe('reflector', { skip: process.platform !== 'linux' ? 'the TOS-reading receiver is Linux-only' : false, timeout: 30_000 }, () => {
  let child: ChildProcess;
  before(
    async () => {
      child = spawn(process.execPath, ['--import', 'tsx', 'backend/reflector/main.ts', '--listen', '127.0.0.1', '--port', String(PORT)], {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('reflector not ready in 10 s')), 10_000);
        child.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes(`reflector ready on 127.0.0.1:${PORT}`)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    },
    { timeout: 15_000 },
  );
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('reports the DSCP each probe arrived with', { timeout: 5000 }, async () => {
    const ef = await ask(46 << 2);
    assert.equal(ef?.receivedTos, 0xb8);
    const af41 = await ask(34 << 2);
    assert.equal(af41!.receivedTos! >> 2, 34);
    const plain = await ask(null);
    assert.equal(plain?.receivedTos, 0);
  });

  it('echoes sequence, client time, its own receive time and our source address', { timeout: 5000 }, async () => {
    const t0 = now();
    const r = await ask(null);
    assert.equal(r?.seq, 7);
    assert.ok(r!.clientSentMs >= t0);
    assert.ok(Math.abs(r!.serverReceivedMs - t0) < 1000, 'same clock on loopback');
    assert.equal(r!.observed.address, '127.0.0.1');
  });

  it('does not answer a request shorter than its reply', { timeout: 5000 }, async () => {
    assert.equal(await ask(null, 20), null);
  });

  it('exits 0 within a second of SIGTERM', { timeout: 5000 }, async () => {
    const t0 = performance.now();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(performance.now() - t0 < 1000);
  });
});
