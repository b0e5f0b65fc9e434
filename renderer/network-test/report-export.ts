import type { NetworkReport } from '../../common/network-report.js';
import { renderReportHtml } from '../../common/network-report-html.js';

/**
 * A report as a link the agent saves (`<a download href=…>`): a data: URL of its JSON, so no
 * object URL has to be created and revoked around React's renders.
 */
export function reportJsonHref(report: NetworkReport): string {
  return `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(report, null, 2))}`;
}

/** The same report as the self-contained HTML page with its charts (common/network-report-html.ts). */
export function reportHtmlHref(report: NetworkReport): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(renderReportHtml(report))}`;
}
