import type { NetworkReport } from '../../common/network-report.js';

/**
 * A report as a link the agent saves (`<a download href=…>`): a data: URL of its JSON, so no
 * object URL has to be created and revoked around React's renders.
 */
export function reportJsonHref(report: NetworkReport): string {
  return `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(report, null, 2))}`;
}
