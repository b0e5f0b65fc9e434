import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';

/**
 * Electronegativity (Doyensec's Electron misconfiguration scanner) over the shipped main-process
 * and preload code. It parses JavaScript reliably but not modern TypeScript, so the sources are
 * transpiled file by file (same structure, same names) into a temp dir first.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOOK = join(ROOT, 'test/unit/main/fixtures/electronegativity-offline.cjs');
const CLI = join(ROOT, 'node_modules/@doyensec/electronegativity/dist/index.js');
const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

const ConfigSchema = z.object({
  electronVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  inputs: z.array(z.string()).min(1),
  failAtSeverity: z.enum(SEVERITIES),
  disabledChecks: z.record(z.string(), z.string().min(20, 'say why the check is disabled')),
  accepted: z.array(z.object({ check: z.string(), file: z.string(), reason: z.string().min(20, 'say why it is accepted') })),
});
const config = ConfigSchema.parse(JSON.parse(readFileSync(join(ROOT, '.electronegativity.json'), 'utf8')));

interface Finding {
  check: string;
  severity: (typeof SEVERITIES)[number];
  file: string;
  location: string;
  sample: string;
}

/** RFC 4180-ish: quoted fields with "" escapes; Electronegativity writes samples that way. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field.trim()), (field = '');
    else if (c === '\n') row.push(field.trim()), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field.trim()), rows.push(row);
  return rows;
}

/**
 * Runs the scanner. Disabled checks are filtered from its report rather than passed as `-x`:
 * its `-x` wants class names and rejects any global check in the per-file pass.
 */
function scan(inputDir: string, outCsv: string): Finding[] {
  const args = ['-r', HOOK, CLI, '-i', inputDir, '-e', config.electronVersion, '-o', outCsv, '-v', 'false'];
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, LANG: 'en-US' } });
  assert.equal(run.status, 0, `electronegativity failed: ${run.stderr || run.stdout}`);
  const [header, ...rows] = parseCsv(readFileSync(outCsv, 'utf8')).filter((r) => r.length > 1);
  assert.deepEqual(header?.slice(0, 5), ['issue', 'severity', 'confidence', 'filename', 'location']);
  return rows
    .map(([check, severity, , file, location, sample]) => ({
      check: check!,
      severity: severity as Finding['severity'],
      file: file!,
      location: location!,
      sample: sample ?? '',
    }))
    .filter((f) => !Object.hasOwn(config.disabledChecks, f.check));
}

const tsFilesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFilesUnder(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });

const atOrAbove = (s: Finding['severity']) => SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(config.failAtSeverity);

test(`electronegativity: no finding >= ${config.failAtSeverity} in ${config.inputs.join(', ')}`, { timeout: 90_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'clearline-eng-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const out = join(work, 'js');
  const entryPoints = config.inputs.flatMap((input) => tsFilesUnder(join(ROOT, input)));
  assert.ok(entryPoints.length > 20, 'the sources were found');
  await build({ entryPoints, outdir: out, outbase: ROOT, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'error' });

  const findings = scan(out, join(work, 'report.csv'));
  // Back to repository paths: <tmp>/js/main/x.js → main/x.ts
  const withSource = findings.map((f) => ({ ...f, file: f.file === 'N/A' ? 'N/A' : relative(out, f.file).replace(/\.js$/, '.ts') }));
  const isAccepted = (f: Finding) => config.accepted.some((a) => a.check === f.check && a.file === f.file);
  const blocking = withSource.filter((f) => atOrAbove(f.severity) && !isAccepted(f));
  assert.deepEqual(
    blocking.map((f) => `${f.severity} ${f.check} ${f.file}:${f.location} ${f.sample}`),
    [],
    'fix these, or accept them in .electronegativity.json with a reason',
  );
  // An acceptance that no longer matches anything is stale: remove it so it cannot hide a new finding.
  const stale = config.accepted.filter((a) => !withSource.some((f) => f.check === a.check && f.file === a.file));
  assert.deepEqual(stale, [], 'stale acceptances in .electronegativity.json');
});

test('electronegativity: the scan really detects an insecure window (guards against a silent no-op)', { timeout: 90_000 }, (t) => {
  const work = mkdtempSync(join(tmpdir(), 'clearline-eng-bad-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(join(work, 'app'));
  writeFileSync(
    join(work, 'app', 'main.js'),
    "const { BrowserWindow } = require('electron');\n" +
      'new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n',
  );
  const findings = scan(join(work, 'app'), join(work, 'report.csv'));
  const high = findings.filter((f) => f.severity === 'HIGH').map((f) => f.check);
  assert.ok(high.includes('CONTEXT_ISOLATION_JS_CHECK'), `expected a HIGH context-isolation finding, got ${high.join(', ')}`);
  assert.ok(findings.some((f) => f.check === 'SANDBOX_JS_CHECK'));
});
