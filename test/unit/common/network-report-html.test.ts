/**
 * The HTML export: self-contained (no script, no external resource, its own strict CSP), every
 * attacker-written value escaped, the verdicts and charts present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReportHtml } from '../../../common/network-report-html.js';
import { sampleNetworkReport } from '../../support/network-report.js';

const XSS = `"><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>'`;

test('every value from the report is escaped: titles, explanations, fixes, value names and values, summary, URL', () => {
  const step = sampleNetworkReport().steps[0]!;
  const html = renderReportHtml(
    sampleNetworkReport({
      summary: XSS,
      provisioningUrl: XSS,
      agent: XSS,
      runId: XSS,
      appVersion: XSS,
      steps: [{ ...step, title: XSS, explanation: XSS, verdict: 'fail', fix: XSS, values: { [XSS]: XSS, levels: [0.1, 0.5] } }],
      unavailable: [{ id: 'vpn', title: XSS, reason: XSS }],
    }),
  );
  assert.doesNotMatch(html, /<script|<img|<svg onload|<[^>]*\son(error|load)=/i, 'no tag the report wrote, no event handler attribute');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('&quot;&gt;'));
});

test('self-contained and strict: a CSP that forbids scripts and fetches, no external URL, no style attribute', () => {
  const html = renderReportHtml(sampleNetworkReport());
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'/);
  assert.doesNotMatch(html, /<script|<link|src="http|href="http|\sstyle="/i);
});

test('verdicts, fixes and both charts are in the page', () => {
  const step = sampleNetworkReport().steps[0]!;
  const html = renderReportHtml(
    sampleNetworkReport({
      verdict: 'warn',
      steps: [step, { ...step, id: 'ice-turn-tls', title: 'TURN relay over TLS', verdict: 'fail', fix: 'allow TLS', values: {} }],
    }),
  );
  assert.match(html, /<h1>Network test: Warning — Calls will work<\/h1>/);
  assert.match(html, /<td class="verdict">Pass<\/td><td>Microphone<\/td>/);
  assert.match(html, /<td class="verdict">Fail<\/td><td>TURN relay over TLS<\/td>.*Fix: allow TLS/);
  assert.match(html, /<svg role="img" aria-label="Time per check"/);
  assert.match(html, /<svg role="img" aria-label="Microphone level".*<polyline points="0,/);
});
