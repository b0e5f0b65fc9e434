/**
 * The report schema: what it accepts, what it refuses (with an error that says where), the version
 * rule, and the exported JSON Schema document agreeing with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NETWORK_REPORT_KIND,
  NETWORK_REPORT_MAX_BYTES,
  networkReportJsonSchema,
  parseNetworkReport,
} from '../../../common/network-report.js';
import { sampleNetworkReport } from '../../support/network-report.js';

test('a report the app makes parses, and survives a JSON round trip unchanged', () => {
  const report = sampleNetworkReport();
  const parsed = parseNetworkReport(JSON.parse(JSON.stringify(report)));
  assert.deepEqual(parsed, { ok: true, report });
  assert.ok(JSON.stringify(report).length < NETWORK_REPORT_MAX_BYTES);
});

test('a newer or older version is refused by name, not misread', () => {
  const parsed = parseNetworkReport({ ...sampleNetworkReport(), version: 2 });
  assert.deepEqual(parsed, { ok: false, error: 'report version 2 is not one this app reads (it reads version 1)' });
});

test('unknown keys, nested values, over-long strings and wrong kinds are refused, naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...sampleNetworkReport(), extra: 1 }, /\(report\): Unrecognized key/],
    [{ ...sampleNetworkReport(), kind: 'something-else' }, /^not a Clearline network report: kind: /],
    [{ ...sampleNetworkReport(), summary: 'x'.repeat(2001) }, /summary: Too big/],
    [
      sampleNetworkReport({ steps: [{ ...sampleNetworkReport().steps[0]!, values: { nested: { a: 1 } as never } }] }),
      /steps\.0\.values\.nested/,
    ],
    [{ ...sampleNetworkReport(), steps: Array.from({ length: 101 }, () => sampleNetworkReport().steps[0]) }, /steps: Too big/],
    [{ ...sampleNetworkReport(), startedAt: 'yesterday' }, /startedAt: /],
    ['<script>alert(1)</script>', /^not a Clearline network report: \(report\): /],
  ];
  for (const [input, error] of cases) {
    const parsed = parseNetworkReport(input);
    assert.equal(parsed.ok, false);
    assert.match((parsed as { error: string }).error, error);
  }
});

test('the JSON Schema document describes the same report: strict, versioned, every step field', () => {
  const doc = networkReportJsonSchema() as {
    $id: string;
    additionalProperties: boolean;
    required: string[];
    properties: { kind: { const: string }; version: { const: number }; steps: { maxItems: number; items: { required: string[] } } };
  };
  assert.match(doc.$id, /clearline\.network-report\/v1\.json$/);
  assert.equal(doc.additionalProperties, false);
  assert.equal(doc.properties.kind.const, NETWORK_REPORT_KIND);
  assert.equal(doc.properties.version.const, 1);
  assert.equal(doc.properties.steps.maxItems, 100);
  assert.deepEqual([...doc.properties.steps.items.required].sort(), ['durationMs', 'explanation', 'id', 'title', 'values', 'verdict']);
  for (const key of Object.keys(sampleNetworkReport())) assert.ok(doc.required.includes(key), `${key} is required`);
});
