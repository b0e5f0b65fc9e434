/** The design's layering rule: the checks are plain Node, reusable by the CLI and in tests. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../main/diagnostics', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it('no file under main/diagnostics imports electron', () => {
  const files = sources(root);
  assert.ok(files.length > 10, 'found the diagnostics sources');
  const offenders = files.filter((f) => /from\s+['"]electron['"]|require\(['"]electron['"]\)|import\(['"]electron['"]\)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
