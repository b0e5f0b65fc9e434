import type { HostApi } from '../../common/contract/index.js';
import { CALL_QUALITY_REPORT_INTERVAL_MS } from '../../common/quality/call-quality-report.js';
import { SAMPLE_INTERVAL_MS, type CallQuality } from '../calling/quality-monitor.js';
import { summarizeQuality } from '../calling/quality-summary.js';
import type { Logger } from '../host/host-logger.js';
import { userMessage } from '../host/error-message.js';

/**
 * Sends each call's quality summary (calling/quality-summary.ts) to the control plane as the
 * signed-in agent, through the host (`quality.sendReport`): one every REPORT_EVERY_SAMPLES samples
 * during the call — the admin's "active calls with live MOS" — and a final one when it ends.
 * Counted in samples rather than on a timer of its own: the summary changes only when a sample
 * lands. At most one in-call upload per call is in flight (a slow control plane skips a beat
 * instead of queueing); the final one waits for it, so it is the last stored. A failure is logged
 * (the host's message names the server and status, never the credential) and never reaches the
 * call.
 */
export const REPORT_EVERY_SAMPLES = CALL_QUALITY_REPORT_INTERVAL_MS / SAMPLE_INTERVAL_MS;

interface CallUploads {
  sinceLast: number;
  inFlight: Promise<void> | null;
}

export class QualityUploads {
  private readonly calls = new Map<string, CallUploads>();

  constructor(
    private readonly host: HostApi,
    private readonly log: Logger,
  ) {}

  /** A sample landed for the call with this SIP Call-ID. */
  sampled(sipCallId: string, quality: CallQuality): void {
    const call = this.calls.get(sipCallId) ?? { sinceLast: 0, inFlight: null };
    this.calls.set(sipCallId, call);
    call.sinceLast += 1;
    if (call.sinceLast < REPORT_EVERY_SAMPLES || call.inFlight !== null) return;
    call.sinceLast = 0;
    call.inFlight = this.send(sipCallId, quality, false).finally(() => {
      call.inFlight = null;
    });
  }

  /** The call ended: its final summary, unless it never had a sample (never connected). */
  ended(sipCallId: string, quality: CallQuality): void {
    const pending = this.calls.get(sipCallId)?.inFlight ?? Promise.resolve();
    this.calls.delete(sipCallId);
    if (quality.samples.length === 0) return;
    void pending.then(() => this.send(sipCallId, quality, true));
  }

  private async send(sipCallId: string, quality: CallQuality, final: boolean): Promise<void> {
    try {
      await this.host.invoke('quality.sendReport', summarizeQuality(sipCallId, quality, final));
    } catch (error) {
      this.log.warn(`${final ? 'final ' : ''}quality summary of call ${sipCallId} not sent: ${userMessage(error)}`);
    }
  }
}
