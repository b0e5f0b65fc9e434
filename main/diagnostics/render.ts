import type { Report } from './types.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

/** The human summary: one line per step, the fix under anything that is not a pass. */
export function renderReport(report: Report): string {
  const width = Math.max(...report.steps.map((s) => s.title.length));
  const lines = [`Clearline network test: ${MARK[report.verdict]} — ${report.summary}`, ''];
  for (const s of report.steps) {
    lines.push(`  [${MARK[s.verdict]}] ${s.title.padEnd(width)}  ${s.explanation} (${s.durationMs} ms)`);
    if (s.fix && s.verdict !== 'pass') lines.push(`         fix: ${s.fix}`);
  }
  lines.push('', `Finished in ${report.totalMs} ms (run ${report.runId}).`);
  return lines.join('\n');
}
