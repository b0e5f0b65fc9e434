import type { CallQuality } from '../calling/quality-monitor.js';
import { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from '../../common/quality/quality-thresholds.js';
import { describeIndicator } from '../state/quality.js';

/** Always visible during a call: the latest MOS, the warnings raised, one-way audio with its causes. */
export function QualityIndicator({ quality, thresholds }: { quality: CallQuality | null; thresholds: QualityThresholds | undefined }) {
  const view = describeIndicator(quality, thresholds ?? DEFAULT_QUALITY_THRESHOLDS);
  return (
    <div role="status" aria-label="Quality indicator" className={`quality-indicator ${view.level}`}>
      <span className="quality-summary">{view.summary}</span>
      {view.warnings.length > 0 && (
        <ul aria-label="Quality warnings" className="quality-warnings">
          {view.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {view.oneWay && (
        <div role="alert" aria-label="One-way audio" className="one-way">
          <strong>{view.oneWay.title}</strong>
          <span>Likely causes:</span>
          <ul>
            {view.oneWay.causes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
