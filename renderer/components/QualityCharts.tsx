import type { CallQuality } from '../calling/quality-monitor.js';
import { DEFAULT_QUALITY_THRESHOLDS, type QualityThresholds } from '../../common/quality/quality-thresholds.js';
import { CHART_HEIGHT, CHART_WIDTH, chartSeries, type ChartSeries } from '../state/quality-chart.js';

/** RTT, jitter, loss and MOS over the call, one small inline SVG each (no chart library, CSP-clean). */
export function QualityCharts({ quality, thresholds }: { quality: CallQuality | null; thresholds: QualityThresholds | undefined }) {
  const t = thresholds ?? DEFAULT_QUALITY_THRESHOLDS;
  const samples = quality?.samples ?? [];
  const series = [
    chartSeries(samples, 'Round trip', 'ms', (s) => s.rttMs, t.rttMs),
    chartSeries(samples, 'Jitter', 'ms', (s) => s.jitterMs, t.jitterMs),
    chartSeries(samples, 'Packet loss', '%', (s) => s.lossPercent, t.lossPercent),
    chartSeries(samples, 'MOS', '', (s) => s.mos, t.mos, 4.5),
  ];
  return (
    <section className="quality-charts" aria-label="Quality charts">
      {series.map((s) => (
        <Chart key={s.title} series={s} />
      ))}
    </section>
  );
}

function Chart({ series }: { series: ChartSeries }) {
  const latest = series.latest === null ? '—' : `${Math.round(series.latest * 10) / 10}${series.unit ? ` ${series.unit}` : ''}`;
  return (
    <figure className="quality-chart">
      <figcaption>
        {series.title}: {latest}
      </figcaption>
      <svg
        role="img"
        aria-label={`${series.title} over the call`}
        viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
        preserveAspectRatio="none"
      >
        {series.thresholdY !== null && <line className="threshold" x1={0} x2={CHART_WIDTH} y1={series.thresholdY} y2={series.thresholdY} />}
        <polyline className="series" points={series.points} />
      </svg>
    </figure>
  );
}
