import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { bundleElectron } from '../../../build/bundle-electron.mjs';
import { HOST_API_GLOBAL } from '../../../common/contract/channels.js';

/**
 * The preload as Electron's sandbox runs it: a CommonJS script whose `require` knows `electron`
 * and nothing else (no node_modules, no fs). It must expose exactly one global, the HostApi.
 */
test('build:electron preload bundle runs under a sandbox-like require and exposes only the HostApi', { timeout: 30_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'clearline-bundle-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const { main, preload, preloadInputs } = await bundleElectron(out);
  assert.ok(preloadInputs.includes('common/contract/channels.ts'), 'the preload takes the channel names from the contract');
  assert.deepEqual(
    preloadInputs.filter((input) => input.includes('node_modules') || input.endsWith('contract/index.ts')),
    [],
    'no zod and no schemas in the sandboxed preload',
  );
  assert.match(readFileSync(main, 'utf8'), /from "electron"/, 'main is an ES module importing electron');

  type ExposedApi = { invoke(channel: string, request: unknown): Promise<unknown>; on(...args: unknown[]): unknown };
  const exposed = new Map<string, ExposedApi>();
  const invoked: Array<[string, unknown]> = [];
  const fakeElectron = {
    contextBridge: { exposeInMainWorld: (key: string, api: ExposedApi) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, request: unknown) => (invoked.push([channel, request]), { ok: true, value: 'pong' }),
      on: () => undefined,
      removeListener: () => undefined,
    },
  };
  const required: string[] = [];
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return fakeElectron;
    throw new Error(`module not found in the sandbox: ${name}`);
  };
  const module = { exports: {} };
  runInNewContext(readFileSync(preload, 'utf8'), { require: sandboxRequire, module, exports: module.exports, console });

  assert.deepEqual(required, ['electron']);
  assert.deepEqual([...exposed.keys()], [HOST_API_GLOBAL]);
  const api = exposed.get(HOST_API_GLOBAL)!;
  assert.deepEqual(Object.keys(api).sort(), ['invoke', 'on']);
  assert.equal(await api.invoke('app.info', undefined), 'pong');
  await assert.rejects(api.invoke('not.a.channel', {}), /\[unknown-channel\]/);
  assert.deepEqual(invoked, [['app.info', undefined]]);
});
