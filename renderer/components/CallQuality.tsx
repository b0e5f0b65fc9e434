import type { CallStats } from '../calling/phone-api.js';
import type { QualitySample } from '../calling/quality-sample.js';
import { describeQuality } from '../state/quality.js';

/** Live media quality of the current call: levels every 400 ms, figures from the one-second sample. */
export function CallQuality({ stats, sample }: { stats: CallStats | null; sample: QualitySample | null }) {
  const q = describeQuality(stats, sample);
  return (
    <section className="quality" aria-label="Call quality">
      <div className="meters">
        <div className="meter-row">
          <span aria-hidden="true">In</span>
          <meter aria-label="Incoming audio level" min={0} max={1} low={0.05} high={0.9} optimum={0.3} value={q.inLevel} />
        </div>
        <div className="meter-row">
          <span aria-hidden="true">Out</span>
          <meter aria-label="Outgoing audio level" min={0} max={1} low={0.05} high={0.9} optimum={0.3} value={q.outLevel} />
        </div>
      </div>
      <dl className="quality-facts">
        {q.facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
