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
 * transpiled file by file (same structure, same names) into a temp dir first, and a file it
 * cannot parse fails the test instead of silently escaping every check.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCANNER = join(ROOT, 'test/unit/main/support/electronegativity-scan.cjs');
const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;

const ConfigSchema = z.object({
  electronVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  inputs: z.array(z.string()).min(1),
  failAtSeverity: z.enum(SEVERITIES),
  disabledChecks: z.record(z.string(), z.string().min(20, 'say why the check is disabled')),
  accepted: z.array(z.object({ check: z.string(), file: z.string(), reason: z.string().min(20, 'say why it is accepted') })),
});
const config = ConfigSchema.parse(JSON.parse(readFileSync(join(ROOT, '.electronegativity.json'), 'utf8')));

const ReportSchema = z.object({
  issues: z.array(
    z.object({
      check: z.string(),
      severity: z.enum(SEVERITIES),
      confidence: z.string(),
      file: z.string(),
      location: z.string(),
      sample: z.string(),
    }),
  ),
  errors: z.array(z.object({ file: z.string(), message: z.string() })),
});
type Finding = z.infer<typeof ReportSchema>['issues'][number];

/** Runs the scanner in a child process (its module hooks stay out of the test process). */
function scan(inputDir: string, reportFile: string): Finding[] {
  const run = spawnSync(process.execPath, [SCANNER, inputDir, config.electronVersion, reportFile], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LANG: 'en-US' },
  });
  assert.equal(run.status, 0, `electronegativity failed: ${run.stderr || run.stdout}`);
  const report = ReportSchema.parse(JSON.parse(readFileSync(reportFile, 'utf8')));
  // A file it could not parse would silently escape every check.
  assert.deepEqual(report.errors, [], 'electronegativity could not parse some files');
  // Disabled checks are filtered here rather than excluded up front: its exclusion option wants
  // class names and rejects global checks in the per-file pass.
  return report.issues.filter((f) => !Object.hasOwn(config.disabledChecks, f.check));
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
  // Private class members (#x) are lowered: the scanner's AST walker cannot read them.
  const noPrivateMembers = Object.fromEntries(
    [
      'class-private-field',
      'class-private-method',
      'class-private-accessor',
      'class-private-static-field',
      'class-private-static-method',
      'class-private-static-accessor',
      'class-private-brand-check',
    ].map((f) => [f, false]),
  );
  await build({
    entryPoints,
    outdir: out,
    outbase: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    supported: noPrivateMembers,
    logLevel: 'error',
  });

  const findings = scan(out, join(work, 'report.json'));
  // Back to repository paths: <tmp>/js/main/<file>.js → main/<file>.ts
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
  const findings = scan(join(work, 'app'), join(work, 'report.json'));
  const high = findings.filter((f) => f.severity === 'HIGH').map((f) => f.check);
  assert.ok(high.includes('CONTEXT_ISOLATION_JS_CHECK'), `expected a HIGH context-isolation finding, got ${JSON.stringify(findings)}`);
  assert.ok(findings.some((f) => f.check === 'SANDBOX_JS_CHECK'));
});

test('electronegativity: scans for the Electron version actually installed', () => {
  // Version-sensitive checks (e.g. defaults that changed between majors) must judge the Electron
  // that ships; a dependency bump that forgets this file would silently scan for an old one.
  const installed = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')));
  assert.equal(config.electronVersion, installed.version, 'update electronVersion in .electronegativity.json');
});
