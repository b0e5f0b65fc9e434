/**
 * The lint config (eslint.config.mjs) run through the ESLint API on deliberately wrong imports:
 * each must fail lint with the layer's reason, and the right way round must pass; in tests, a
 * promise left floating must fail. `npm run lint` applies the same config to the whole tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from '../../../tools/lint/index.mjs';

const root = join(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

/** The problems ESLint reports for `code` as if it were the repo file `file` (rule: message). */
async function lintProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  assert.ok(result, `ESLint linted ${file}`);
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const wrong: ReadonlyArray<readonly [file: string, code: string, why: RegExp]> = [
  [
    'backend/control-plane/x.ts',
    `import { APP_ORIGIN } from '../../main/security/csp.js';`,
    /backend\/ may not import '..\/..\/main\/security\/csp.js' \(main\/security\/csp.js\)/,
  ],
  ['main/ipc/x.ts', `export * from '../../backend/stack.js';`, /main\/ may not import/],
  ['main/x.ts', `const r = await import('../renderer/state/store.js');`, /main\/ may not import/],
  ['renderer/state/x.ts', `import type { Stack } from '../../backend/stack.js';`, /renderer\/ may not import/],
  ['renderer/calling/x.ts', `import { readFileSync } from 'node:fs';`, /renderer\/ may not import 'node:fs'/],
  ['renderer/calling/x.ts', `import { useState } from 'react';`, /renderer\/calling\/ may not import 'react'/],
  ['renderer/x.ts', `import { setSocketTos } from '../common/node/ip-tos.js';`, /renderer\/ may not import/],
  [
    'renderer/components/X.tsx',
    `import { createWebHost } from '../host/web-host.js';\nexport const X = () => <p>{String(createWebHost)}</p>;`,
    /renderer\/components\/ may not import/,
  ],
  ['common/x.ts', `import { join } from 'node:path';`, /common\/ may not import 'node:path'/],
  ['common/quality/x.ts', `import { startStack } from '../../backend/stack.js';`, /common\/ may not import/],
  ['common/contract/x.ts', `import type { Socket } from 'koffi';`, /common\/ may not import 'koffi'/],
  ['common/node/x.ts', `type T = typeof import('../../main/index.js');`, /common\/node\/ may not import/],
  ['main/diagnostics/x.ts', `import { app } from 'electron';`, /main\/diagnostics\/ may not import 'electron'/],
  ['preload/x.ts', `import { z } from 'zod';`, /preload\/ may not import 'zod'/],
];

for (const [file, code, why] of wrong) {
  test(`lint fails: ${file}: ${code.split('\n')[0]}`, async () => {
    const problems = await lintProblems(file, code);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^clearline\/layers: /);
    assert.match(problems[0]!, why);
  });
}

const right: ReadonlyArray<readonly [file: string, code: string]> = [
  [
    'backend/control-plane/x.ts',
    `import { APP_ORIGIN } from '../../common/app-origin.js';\nimport { resolveRendererPath } from '../../common/node/static-files.js';`,
  ],
  ['main/diagnostics/x.ts', `import { estimateMos } from '../../common/quality/mos.js';\nimport { createSocket } from 'node:dgram';`],
  ['main/windows/x.ts', `import { BrowserWindow } from 'electron';`],
  [
    'renderer/components/X.tsx',
    `import { DIAGNOSTICS_NEED_DESKTOP } from '../state/diagnostics.js';\nexport const X = () => <p>{DIAGNOSTICS_NEED_DESKTOP}</p>;`,
  ],
  ['common/contract/x.ts', `import { z } from 'zod';\nexport const S = z.string();`],
  ['common/node/x.ts', `import { join } from 'node:path';\nimport { APP_ORIGIN } from '../app-origin.js';`],
  ['preload/x.ts', `import { contextBridge } from 'electron';\nimport { HOST_API_GLOBAL } from '../common/contract/channels.js';`],
  ['tools/x.ts', `import { startStack } from '../backend/stack.js';\nimport { findElectronBinary } from './electron-binary.js';`],
  ['renderer/vite.config.ts', `import { readFileSync } from 'node:fs';`],
];

for (const [file, code] of right) {
  test(`lint passes: ${file}: ${code.split('\n')[0]}`, async () => {
    assert.deepEqual(await lintProblems(file, code), []);
  });
}

// Tests drive every process: the layer table is not theirs, but a promise they forget to await is
// caught (type-aware, so the file must be one the project has: this one, with other content).
const TEST_FILE = 'test/unit/architecture/layers.test.ts';

test('lint passes: a test imports across layers and floats only node:test calls', { timeout: 120_000 }, async () => {
  const code = [
    `import assert from 'node:assert/strict';`,
    `import { describe, it, test } from 'node:test';`,
    `import { startStack } from '../../../backend/stack.js';`,
    `import { createWebHost } from '../../../renderer/host/web-host.js';`,
    `test('x', async () => { await assert.rejects(Promise.reject(new Error('no')), /no/); assert.ok(startStack && createWebHost); });`,
    `describe('y', () => { it('z', () => {}); });`,
  ].join('\n');
  assert.deepEqual(await lintProblems(TEST_FILE, code), []);
});

test('lint fails: a test that does not await assert.rejects (it would pass whatever happened)', { timeout: 120_000 }, async () => {
  const code = [
    `import assert from 'node:assert/strict';`,
    `import { test } from 'node:test';`,
    `test('x', () => { assert.rejects(Promise.resolve(1)); });`,
  ].join('\n');
  const problems = await lintProblems(TEST_FILE, code);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /^@typescript-eslint\/no-floating-promises: /);
});
