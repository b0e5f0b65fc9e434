/** Figures of a probe stream: which probes came back, when, and in what order. */
export interface ProbeSample {
  seq: number;
  sentMs: number;
  /** Local receive time of the echo, null if it never came back. */
  receivedMs: number | null;
  /** Order in which echoes arrived (0-based), null if lost. */
  arrivalIndex: number | null;
}

export interface PathStats {
  sent: number;
  received: number;
  lossPercent: number;
  rttMinMs: number | null;
  rttAvgMs: number | null;
  rttMaxMs: number | null;
  /** Mean absolute difference between consecutive RTTs (RFC 3550-style variation, round trip). */
  jitterMs: number | null;
  /** Echoes that arrived after one with a higher sequence number. */
  reordered: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function pathStats(samples: ProbeSample[]): PathStats {
  const bySeq = [...samples].sort((a, b) => a.seq - b.seq);
  const back = bySeq.filter((s) => s.receivedMs !== null);
  const rtts = back.map((s) => s.receivedMs! - s.sentMs);
  let variation = 0;
  for (let i = 1; i < rtts.length; i++) variation += Math.abs(rtts[i]! - rtts[i - 1]!);
  let reordered = 0;
  let highest = -1;
  for (const s of [...back].sort((a, b) => a.arrivalIndex! - b.arrivalIndex!)) {
    if (s.seq < highest) reordered++;
    highest = Math.max(highest, s.seq);
  }
  const sent = samples.length;
  return {
    sent,
    received: back.length,
    lossPercent: sent ? round(((sent - back.length) / sent) * 100) : 0,
    rttMinMs: rtts.length ? round(Math.min(...rtts)) : null,
    rttAvgMs: rtts.length ? round(rtts.reduce((a, b) => a + b, 0) / rtts.length) : null,
    rttMaxMs: rtts.length ? round(Math.max(...rtts)) : null,
    jitterMs: rtts.length > 1 ? round(variation / (rtts.length - 1)) : rtts.length ? 0 : null,
    reordered,
  };
}

/**
 * Clock offset of the server against ours (NTP's formula with one server timestamp): the exchange
 * with the smallest round trip bounds the error best, by ±rtt/2.
 */
export function clockOffset(exchanges: { sentMs: number; serverMs: number; receivedMs: number }[]): {
  offsetMs: number;
  uncertaintyMs: number;
} | null {
  if (!exchanges.length) return null;
  const best = exchanges.reduce((a, b) => (b.receivedMs - b.sentMs < a.receivedMs - a.sentMs ? b : a));
  const rtt = best.receivedMs - best.sentMs;
  return { offsetMs: round(best.serverMs - (best.sentMs + rtt / 2)), uncertaintyMs: round(rtt / 2) };
}
