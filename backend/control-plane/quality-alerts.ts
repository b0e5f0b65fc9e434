/**
 * When a call, or an agent's calls, are bad enough to alert an admin (the admin page and the
 * `--alert-webhook`). The thresholds are the ones the agents' clients warn with
 * (common/quality/quality-thresholds.ts, sent in the client config), so "the phone warned" and
 * "the admin was alerted" mean the same line.
 *
 * - A CALL alert: a quality summary (POST /api/call-quality) whose call-long average crosses a
 *   threshold — MOS below (the lower of its average and its latest, so a call going bad now
 *   alerts before it ends), loss, jitter or RTT above. One per (call, agent), however many
 *   summaries follow.
 * - An AGENT alert: AGENT_ALERT_CALLS call alerts of one agent within AGENT_ALERT_WINDOW_MS (their
 *   headset, desk or home network is the likelier cause than one bad path), at most one per agent
 *   per window.
 */
import type { CallQualityReport } from '../../common/quality/call-quality-report.js';
import type { QualityThresholds } from '../../common/quality/quality-thresholds.js';
import type { QualityAlert, QualityAlertStore } from './quality-alert-store.js';

export const AGENT_ALERT_CALLS = 3;
export const AGENT_ALERT_WINDOW_MS = 60 * 60_000;

export type QualityMetric = 'mos' | 'loss' | 'jitter' | 'rtt';

export interface Crossing {
  readonly metric: QualityMetric;
  readonly value: number;
  readonly threshold: number;
}

/** Which thresholds the summary crosses (empty: none, or nothing measured yet). */
export function crossings(report: CallQualityReport, t: QualityThresholds): Crossing[] {
  const out: Crossing[] = [];
  const mosValues = [report.mosAverage, report.mosLatest].filter((v): v is number => v !== null);
  if (mosValues.length > 0 && Math.min(...mosValues) < t.mos) out.push({ metric: 'mos', value: Math.min(...mosValues), threshold: t.mos });
  const above = (metric: QualityMetric, value: number | null, threshold: number) => {
    if (value !== null && value > threshold) out.push({ metric, value, threshold });
  };
  above('loss', report.lossPercentAverage, t.lossPercent);
  above('jitter', report.jitterMsAverage, t.jitterMs);
  above('rtt', report.rttMsAverage, t.rttMs);
  return out;
}

export class QualityAlerts {
  constructor(
    private readonly store: QualityAlertStore,
    private readonly thresholds: QualityThresholds,
    /** Each new alert, once stored (the webhook). */
    private readonly raised: (alert: QualityAlert) => void,
  ) {}

  /** Considers a stored summary from `agent`; returns the alerts it raised (none, a call alert, or that and an agent alert). */
  async consider(agent: string, report: CallQualityReport, nowMs: number): Promise<QualityAlert[]> {
    const crossed = crossings(report, this.thresholds);
    if (crossed.length === 0) return [];
    const callAlert = await this.store.addCallAlert({ at: nowMs, agent, callId: report.callId, crossed });
    if (!callAlert) return [];
    const raised = [callAlert];
    const since = nowMs - AGENT_ALERT_WINDOW_MS;
    const calls = await this.store.alertedCalls(agent, since);
    if (calls.length >= AGENT_ALERT_CALLS && !(await this.store.hasAgentAlert(agent, since))) {
      raised.push(await this.store.addAgentAlert({ at: nowMs, agent, calls }));
    }
    for (const alert of raised) this.raised(alert);
    return raised;
  }
}
