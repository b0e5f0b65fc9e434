/**
 * The process and layer boundaries of DESIGN.md, enforced on the import graph of the source tree:
 * a rule broken here is a renderer that could reach Node, or a check that can only run in Electron.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...sourceFiles(rel));
    // *.config.ts is build tooling (Vite) and runs in Node, not in any app process.
    else if (/\.(ts|tsx)$/.test(name) && !/\.config\.ts$/.test(name)) out.push(rel);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

interface Rule {
  readonly files: string;
  readonly forbid: (spec: string, resolved: string) => boolean;
  readonly why: string;
}

const resolveSpec = (file: string, spec: string): string =>
  spec.startsWith('.') ? relative(root, join(root, file, '..', spec)) : spec;

const rules: Rule[] = [
  {
    files: 'main/diagnostics',
    forbid: (s) => s === 'electron' || s.startsWith('electron/'),
    why: 'diagnostics run in plain Node (CLI, netns tests); Electron facts arrive as injected probes',
  },
  {
    files: 'renderer/calling',
    forbid: (s) => /^react(-dom)?($|\/)/.test(s),
    why: 'the calling core is UI-free so it can be driven and tested without React',
  },
  {
    files: 'renderer',
    forbid: (s, r) => /^(main|backend)\//.test(r) || /^node:/.test(s) || s === 'electron',
    why: 'the renderer reaches the host only through the preload API',
  },
  {
    files: 'common/contract',
    forbid: (s) => !s.startsWith('.') && s !== 'zod',
    why: 'the contract is shared by every process, so it imports only zod',
  },
];

test('importsOf finds static, re-export and dynamic imports', () => {
  const src = `import a from 'x';\nimport { b } from "./y.js";\nexport * from './z.js';\nconst c = await import('w');\nimport 'side';`;
  assert.deepEqual(importsOf(src), ['x', './y.js', './z.js', 'w', 'side']);
});

for (const rule of rules) {
  test(`${rule.files}: ${rule.why}`, () => {
    const files = sourceFiles(rule.files);
    assert.ok(files.length > 0, `no sources under ${rule.files}`);
    const violations = files.flatMap((file) =>
      importsOf(readFileSync(join(root, file), 'utf8'))
        .filter((spec) => rule.forbid(spec, resolveSpec(file, spec)))
        .map((spec) => `${file} imports ${spec}`),
    );
    assert.deepEqual(violations, []);
  });
}
