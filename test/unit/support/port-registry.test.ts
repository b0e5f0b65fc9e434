/**
 * The test port registry keeps its promise: blocks never overlap, all are reserved while the suite
 * runs, spare ports never land on a stack's, and test files take their ports from it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_PORT_BASE, PORT_BLOCK_SIZE, portsFor } from '../../../backend/ports.js';
import { TEST_PORT_BASES, spareTestPort, spareTestPorts } from '../../support/port-registry.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The range test/with-reserved-ports.mjs reserves, read from it so the two cannot drift. */
function reservedRange(): [number, number] {
  const source = readFileSync(join(root, 'test', 'with-reserved-ports.mjs'), 'utf8');
  const m = /TEST_PORT_BLOCKS = '(\d+)-(\d+)'/.exec(source);
  assert.ok(m, 'test/with-reserved-ports.mjs declares TEST_PORT_BLOCKS as a quoted first-last range');
  return [Number(m[1]), Number(m[2])];
}

const blocks = Object.entries(TEST_PORT_BASES).map(([name, base]) => ({ name, first: base, last: base + PORT_BLOCK_SIZE - 1 }));

test('every block lies inside the reserved test range', () => {
  const [low, high] = reservedRange();
  const outside = blocks.filter((b) => b.first < low || b.last > high).map((b) => `${b.name} ${b.first}-${b.last}`);
  assert.deepEqual(outside, [], `reserved range is ${low}-${high}`);
});

test('no two blocks overlap, and none takes the default base a developer’s own stack uses', () => {
  const clashes: string[] = [];
  const defaultBlock = { name: 'DEFAULT_PORT_BASE (npm start)', first: DEFAULT_PORT_BASE, last: DEFAULT_PORT_BASE + PORT_BLOCK_SIZE - 1 };
  const all = [defaultBlock, ...blocks];
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) if (a.first <= b.last && b.first <= a.last) clashes.push(`${a.name} and ${b.name}`);
  }
  assert.deepEqual(clashes, []);
});

test('spare ports stay clear of the stack: component ports and media ranges are refused, free offsets given', () => {
  const p = portsFor(TEST_PORT_BASES.e2eCalls);
  assert.throws(() => spareTestPort('e2eCalls', p.controlPlane - p.sipUdp), /overlap its stack's ports/);
  assert.throws(() => spareTestPort('e2eCalls', 31), /overlap/, 'a second rtpengine takes rtpengineNg + 1');
  assert.throws(() => spareTestPorts('e2eCalls', 900, 1000), /overlap/, 'touches the rtpengine media range');
  assert.throws(() => spareTestPorts('e2eCalls', 1900, PORT_BLOCK_SIZE), /offsets must be integers/, 'leaves the block');
  assert.throws(() => spareTestPorts('e2eCalls', 20, 10), /offsets must be integers/);
  assert.deepEqual(spareTestPorts('e2eCalls', 1500, 1599), [p.sipUdp + 1500, p.sipUdp + 1599]);
  assert.equal(spareTestPort('e2eCalls', 999), p.sipUdp + 999);
});

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return testFiles(rel);
    return /\.tsx?$/.test(name) ? [rel] : [];
  });
}

/**
 * Where a test writes a port number down: a PORT constant, a stack's base (argument, option or
 * CLI flag), a browser's UDP range, a bind or listen. Pure unit tests that feed literal ports to a
 * config generator bind nothing and are written differently (`port: 20020`), so they pass.
 */
const WRITTEN_PORT =
  /(?:\b[A-Z_]*PORT[A-Z_]*\s*=|startTest(?:Stack|Backend)\(|'--port(?:-base)?',|udpPorts:\s*\[|portsFor\(|\.listen\(|\.bind\()\s*'?(\d{4,5})\b/g;

test('test files that open ports take them from the registry, not from a number of their own', () => {
  const [low, high] = reservedRange();
  const registry = join('test', 'support', 'port-registry.ts');
  const offenders: string[] = [];
  for (const file of testFiles('test')) {
    if (file === registry) continue;
    const source = readFileSync(join(root, file), 'utf8');
    for (const m of source.matchAll(WRITTEN_PORT)) {
      const port = Number(m[1]);
      if (port >= low && port <= high) offenders.push(`${relative(root, join(root, file))}: ${m[0]}`);
    }
  }
  assert.deepEqual(offenders, [], 'use TEST_PORT_BASES / spareTestPorts from test/support/port-registry.ts');
});

test('every block in the registry is used by some test (a block nobody uses is a block nobody can take)', () => {
  const registry = join('test', 'support', 'port-registry.ts');
  const sources = testFiles('test')
    .filter((f) => f !== registry)
    .map((f) => readFileSync(join(root, f), 'utf8'))
    .join('\n');
  const unused = Object.keys(TEST_PORT_BASES).filter((name) => !new RegExp(`TEST_PORT_BASES\\.${name}\\b|'${name}'`).test(sources));
  assert.deepEqual(unused, []);
});
