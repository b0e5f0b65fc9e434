import type { NetworkReport } from './network-report.js';

/**
 * A network test report as ONE self-contained HTML page (what the agent exports and the admin
 * opens): the verdict per check with its fix, a timing chart of the checks and the microphone's
 * level meter, drawn as inline SVG. No script, no external resource, no style attribute: its own
 * Content-Security-Policy (`default-src 'none'`) forbids all of them, so the page renders the same
 * under the strictest policy and nothing in it can run.
 *
 * The report is attacker-influenced (anyone can edit a JSON file; any agent can send one), so
 * every value from it is escaped for HTML text and attribute context, numbers included (a
 * "number" read back from a hand-edited file is still checked by the schema first, but escaping
 * does not rely on that).
 */

export const REPORT_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const VERDICT_TEXT = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skip: 'Skipped' } as const;
const VERDICT_COLOUR = { pass: '#1a7f37', warn: '#9a6700', fail: '#cf222e', skip: '#6e7781' } as const;
const finite = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

/** Horizontal bars: how long each check took. */
function timingChart(report: NetworkReport): string {
  const rowHeight = 22;
  const max = Math.max(1, ...report.steps.map((s) => finite(s.durationMs)));
  const rows = report.steps.map((s, i) => {
    const width = Math.max(1, Math.round((finite(s.durationMs) / max) * 360));
    const y = i * rowHeight;
    return (
      `<text x="0" y="${y + 15}" font-size="12">${escapeHtml(s.title)}</text>` +
      `<rect x="260" y="${y + 4}" width="${width}" height="14" fill="${VERDICT_COLOUR[s.verdict]}"></rect>` +
      `<text x="${264 + width}" y="${y + 15}" font-size="12">${escapeHtml(Math.round(finite(s.durationMs)))} ms</text>`
    );
  });
  const height = report.steps.length * rowHeight + 4;
  return `<svg role="img" aria-label="Time per check" width="700" height="${height}" viewBox="0 0 700 ${height}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>`;
}

/** The microphone's level meter over the listening time, when the report has one. */
function levelChart(report: NetworkReport): string {
  const levels = report.steps.find((s) => s.id === 'microphone')?.values['levels'];
  if (!Array.isArray(levels) || levels.length < 2) return '';
  const max = Math.max(0.001, ...levels.map(finite));
  const points = levels
    .map((l, i) => `${Math.round((i / (levels.length - 1)) * 600)},${Math.round(100 - (finite(l) / max) * 96)}`)
    .join(' ');
  return (
    '<h2>Microphone level</h2>' +
    `<svg role="img" aria-label="Microphone level" width="600" height="100" viewBox="0 0 600 100" xmlns="http://www.w3.org/2000/svg">` +
    `<polyline points="${escapeHtml(points)}" fill="none" stroke="#0969da" stroke-width="2"></polyline></svg>`
  );
}

function valueText(v: unknown): string {
  return Array.isArray(v) ? `${v.length} samples` : String(v);
}

export function renderReportHtml(report: NetworkReport): string {
  const rows = report.steps
    .map(
      (s) =>
        `<tr class="${escapeHtml(s.verdict)}"><td class="verdict">${escapeHtml(VERDICT_TEXT[s.verdict] ?? s.verdict)}</td>` +
        `<td>${escapeHtml(s.title)}</td><td>${escapeHtml(s.explanation)}` +
        (s.fix && s.verdict !== 'pass' ? `<div class="fix">Fix: ${escapeHtml(s.fix)}</div>` : '') +
        `<div class="values">${Object.entries(s.values)
          .map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(valueText(v))}`)
          .join(' · ')}</div></td>` +
        `<td class="ms">${escapeHtml(Math.round(finite(s.durationMs)))} ms</td></tr>`,
    )
    .join('');
  const unavailable = report.unavailable.length
    ? `<p class="muted">Not run here (${escapeHtml(report.unavailable[0]!.reason)}): ${report.unavailable.map((u) => escapeHtml(u.title)).join(', ')}.</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_PAGE_CSP}">
<meta name="referrer" content="no-referrer">
<title>Clearline network test — ${escapeHtml(VERDICT_TEXT[report.verdict])}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328}
h1{font-size:20px}h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #d0d7de;padding:6px;vertical-align:top}
.verdict{font-weight:600;white-space:nowrap}.pass .verdict{color:#1a7f37}.warn .verdict{color:#9a6700}.fail .verdict{color:#cf222e}.skip .verdict{color:#6e7781}
.fix{color:#cf222e}.values,.muted{color:#57606a;font-size:12px}.ms{white-space:nowrap;text-align:right}
</style></head><body>
<h1>Network test: ${escapeHtml(VERDICT_TEXT[report.verdict])} — ${escapeHtml(report.summary)}</h1>
<p class="muted">Agent ${escapeHtml(report.agent ?? '(not signed in)')} · ${escapeHtml(report.shell === 'web' ? 'web softphone' : 'desktop app')} ${escapeHtml(report.appVersion)} · ${escapeHtml(report.phase === 'signed-in' ? 'signed in' : 'before sign-in')} · ${escapeHtml(report.provisioningUrl)} · started ${escapeHtml(report.startedAt)} · finished in ${escapeHtml(Math.round(finite(report.totalMs)))} ms · run ${escapeHtml(report.runId)}</p>
${unavailable}
<table><tbody>${rows}</tbody></table>
<h2>Time per check</h2>
${timingChart(report)}
${levelChart(report)}
</body></html>
`;
}
