/**
 * What build/setup/ensure-deps.sh relies on: `.node-version` pins a Node.js LTS release that meets
 * `engines.node`, the suite runs on such a Node, and `allowScripts` reviews every dependency's
 * install script (approved ones still run where npm blocks unreviewed scripts; none goes stale).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const pin = readFileSync(join(root, '.node-version'), 'utf8').trim();

const parts = (version: string): number[] => version.split('.').map(Number);
/** True when dotted version `a` >= `b`. */
function atLeast(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return true;
}

/** engines.node in the one form ensure-deps reads: `>=X.Y.Z`. */
function engineMinimum(): string {
  const m = /^>=(\d+\.\d+\.\d+)$/.exec(packageJson.engines.node);
  assert.ok(m, `engines.node must read ">=X.Y.Z" (ensure-deps compares the machine's Node with it), not ${packageJson.engines.node}`);
  return m[1]!;
}

test('the comparison orders versions by number, not by text', () => {
  assert.ok(atLeast('24.22.3', '24.11.0'));
  assert.ok(atLeast('24.11.0', '24.11.0'));
  assert.ok(!atLeast('24.9.0', '24.11.0'));
  assert.ok(!atLeast('20.20.2', '24.11.0'));
});

test('.node-version pins an exact LTS release that meets engines.node', () => {
  assert.match(pin, /^\d+\.\d+\.\d+$/, 'an exact release, so every machine that installs it gets the same binary');
  assert.equal(parts(pin)[0]! % 2, 0, `odd majors never become LTS: ${pin}`);
  assert.ok(atLeast(pin, engineMinimum()), `.node-version ${pin} is below engines.node ${packageJson.engines.node}`);
});

test('the suite runs on a Node.js that meets engines.node', () => {
  assert.ok(
    atLeast(process.versions.node, engineMinimum()),
    `running on Node.js ${process.version}, the project needs ${packageJson.engines.node}: run bash build/setup/ensure-deps.sh, then npm test, or put .node/bin first on PATH`,
  );
});

/** The npm installed beside the running Node (ensure-deps installs the two together), else PATH's. */
const npm = existsSync(join(dirname(process.execPath), 'npm')) ? join(dirname(process.execPath), 'npm') : 'npm';
const runNpm = (args: string[]) => spawnSync(npm, [...args, '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
function npmJson(args: string[]): unknown {
  const run = runNpm(args);
  assert.equal(run.status, 0, `npm ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test('allowScripts reviews every installed dependency with an install script, and names nothing else', (t) => {
  const ls = runNpm(['install-scripts', 'ls']);
  if (/Unknown command/i.test(ls.stderr)) return t.skip(`this npm (${npm}) has no install-scripts command: npm 11 does`);
  const pending = npmJson(['install-scripts', 'ls']) as { allowScripts: { name: string }[] };
  assert.deepEqual(
    pending.allowScripts.map((p) => p.name),
    [],
    'review them: npm install-scripts approve <pkg> (needed) or deny <pkg>',
  );
  const stale = npmJson(['install-scripts', 'prune', '--dry-run']) as { allowScripts: { removed: { key: string }[] } };
  assert.deepEqual(
    stale.allowScripts.removed.map((r) => r.key),
    [],
    'entries for packages no longer installed or without install scripts: npm install-scripts prune',
  );
});
